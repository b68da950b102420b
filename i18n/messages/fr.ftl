# MIDWA Exchange : ce que lisent les utilisateurs, en français.
# Mêmes messages, mêmes arguments que en.ftl (un test le vérifie).

## Un texte dans les mots de la bibliothèque qui l'a donné

plain = { $text }

## Lignes de commande

cli-usage = Utilisation :
cli-options = Options
cli-arguments = Arguments
cli-commands = Commandes
cli-command = COMMANDE
cli-help = Afficher l'aide
cli-version = Afficher la version
cli-failed = erreur : { $message }

## Aide de midwa-node

help-node = Le nœud MIDWA d'un État : anonymise les dossiers de l'agence nationale et les publie vers la passerelle régionale en TLS mutuel.
help-node-config = Le fichier de configuration (voir deploy/node.toml)
help-node-log_json = Journaliser en lignes JSON
help-node-lang = La langue des messages : en, fr ou pt (par défaut : celle de la configuration, puis LANG)
help-node-run = Lancer le nœud : API locale et publication. SIGINT ou SIGTERM l'arrêtent proprement.
help-node-status = Afficher ce que le nœud a enregistré et ce que détient la passerelle.
help-node-holdings = Demander à la passerelle, en mTLS, ce qu'elle détient de cet État.
help-node-import = Importer un fichier CSV de retours, d'assistances, d'évaluations ou de clôtures (voir docs/formats/fr.md) dans le nœud en marche. Rien n'est enregistré si une ligne est invalide ; importer à nouveau le même fichier n'enregistre rien de nouveau.
help-node-import-file = Le fichier CSV (avec --template : le fichier à écrire)
help-node-import-check = Vérifier chaque ligne, ne rien enregistrer
help-node-import-receipts = Écrire les reçus des retours du fichier dans un fichier CSV (person_id, receipt) au lieu de les afficher ; par défaut à côté du fichier importé, sous le nom NOM.receipts.csv
help-node-import-force = Remplacer un fichier de reçus existant
help-node-import-attestations = Signer aussi une attestation de chaque retour (une colonne du fichier de reçus), que tout consulat vérifie hors ligne
help-node-import-template = Écrire dans FICHIER un fichier vide de ce type (returns, assistance, assessments, closures) au lieu d'importer : son en-tête, et les notes sur ses colonnes dans votre langue
help-node-erase = Effacer ce qui a été publié sur une personne (droit à l'effacement, ou erreur) : tout, ou un seul dossier. La passerelle le supprime et les reçus de la personne ne se vérifient plus.
help-node-erase-person_id = L'identifiant de la personne dans l'agence
help-node-erase-return = Seulement le retour de cette date (AAAA-MM-JJ)
help-node-erase-assistance = Seulement l'assistance de cette date et de ce type, sous la forme DATE:TYPE
help-node-erase-assessment = Seulement l'évaluation de cette date
help-node-erase-closure = Seulement la clôture de cette date
help-node-access-log = Récupérer et vérifier le journal des accès de cet État à la passerelle : qui a reçu ses données, ou s'est vu refuser, quand, et sous quelle version de la politique.
help-node-access-log-from = N'afficher que les entrées à partir de cet index (toutes sont vérifiées)
help-node-policy = La politique de consentement de l'État à la passerelle.
help-node-policy-push = Vérifier un fichier de politique (voir deploy/policy.toml) et en faire la politique en vigueur.
help-node-policy-push-file = Le fichier de politique
help-node-policy-check = Vérifier un fichier de politique sans l'envoyer.
help-node-policy-check-file = Le fichier de politique
help-node-policy-show = Afficher la politique en vigueur à la passerelle.
help-node-receipt-qr = Dessiner le reçu d'une personne rapatriée en code QR à imprimer (SVG) ou à envoyer (PNG).
help-node-receipt-qr-code = Le code du reçu
help-node-receipt-qr-attestation = Le texte de l'attestation, ou @FICHIER
help-node-receipt-qr-out = Le fichier à écrire, NOM.svg ou NOM.png ; il ne doit pas exister, sauf avec --force
help-node-receipt-qr-force = Remplacer un fichier existant
help-node-notices = Les avis transfrontaliers que d'autres États et des consulats ont envoyés à cet État, du plus récent au plus ancien.
help-node-notice = Envoyer un avis de retours attendus à leur État d'origine, ou voir ceux envoyés.
help-node-opportunity = Opportunités de réintégration : publier, mettre à jour et retirer celles de cet État ; lister celles que les autres lui laissent voir.
help-node-opportunity-publish = Publier les opportunités d'un fichier (voir deploy/opportunities.toml).
help-node-opportunity-publish-file = Le fichier d'opportunités
help-node-opportunity-withdraw = Retirer une des opportunités de cet État.
help-node-opportunity-withdraw-id = Son identifiant
help-node-opportunity-list = Lister les opportunités.
help-node-subscribe = Recevoir les dossiers anonymisés d'un autre État, dans la mesure où sa politique les accorde, dans un fichier de lignes JSON ; relancé, il reprend où il s'était arrêté.
help-node-backup-key = Copier la clé secrète du nœud dans un fichier de sauvegarde (mode 0600). Sans la clé, une même personne reçoit un nouveau pseudonyme.
help-node-backup-key-to = Où écrire la copie ; le fichier ne doit pas exister, sauf avec --force
help-node-backup-key-force = Remplacer un fichier existant

## Importer un fichier (midwa-node import)

import-cannot-open = impossible d'ouvrir { $path } : { $why }
import-cannot-read = impossible de lire { $path } : { $why }
import-node-unreachable = impossible de joindre le nœud à { $socket } : { $why }. Est-il lancé (midwa-node run), et cet utilisateur peut-il ouvrir son socket ?
import-refused = le nœud a refusé l'import : { $why }
import-no-summary = le nœud a terminé l'import sans bilan
import-receipt = { $file } : ligne { $line } : reçu { $code }
import-problem = { $file } : { $problem }
import-attestation =   attestation { $attestation }
import-problems-listed = { $file } : seuls les { $count } premiers problèmes sont listés
import-receipts-written = { $count } reçus écrits dans { $path } (gardez-le sur cette machine : il relie les identifiants des personnes à leurs reçus)
import-conflicts = { $file } : { $count ->
    [one] une ligne est en conflit
   *[other] { $count } lignes sont en conflit
} avec des dossiers importés entre-temps par un autre import ; elles n'ont pas été enregistrées
import-summary-check = { $file } : { $rows } lignes ({ $kind }), toutes valides ; { $new } seraient enregistrées, { $already } le sont déjà (rien n'a été enregistré : --check)
import-summary-nothing-new = { $file } : { $rows } lignes ({ $kind }), rien de nouveau : chaque ligne était déjà enregistrée
import-summary-recorded = { $file } : { $rows } lignes ({ $kind }) : { $recorded } enregistrées maintenant, { $already } déjà enregistrées
import-progress-checking = vérification
import-progress-recording = enregistrement
import-progress-line = { $file } : { $phase } { $percent } %, { $rows } lignes, { $rate } lignes/s, encore environ { $left } s
import-progress-bar = { $phase } { $rows } lignes, { $rate }/s, encore { $left } s
import-receipts-exist = { $path } existe ; ajoutez --force pour le remplacer, ou nommez un autre fichier avec --receipts
import-receipts-cannot-write = impossible d'écrire { $path } : { $why }
import-input-changed = le fichier importé a changé pendant l'import ; importez-le à nouveau
import-header-first = l'en-tête doit d'abord être corrigé ; rien n'a été enregistré
import-invalid = { $invalid } lignes sur { $rows } ne peuvent pas être importées ; rien n'a été enregistré. Corrigez le fichier et importez-le à nouveau (son format : docs/formats/fr.md, ou midwa-node import --template)
import-client-gone = le client est parti ; rien n'a été enregistré
import-client-gone-after = le client est parti après l'enregistrement de { $count } lignes ; importez à nouveau le fichier pour enregistrer le reste
import-unavailable = le nœud ne peut pas enregistrer pour le moment (voir son journal) ; rien n'a été enregistré
import-failed-after = la base de données du nœud a échoué après l'enregistrement de { $count } lignes (voir son journal) ; importez à nouveau le fichier une fois le problème réglé : les lignes déjà enregistrées sont reconnues
import-staging-damaged = le fichier de préparation du nœud est endommagé (voir son journal) ; importez à nouveau le fichier
import-template-written = { $path } : un fichier { $kind } vide avec son en-tête ; les notes sur ses colonnes sont dans { $notes }
import-template-exists = { $path } existe ; choisissez un autre nom, ou supprimez-le d'abord
import-template-unknown = { $kind } n'est pas un type de fichier ; écrivez returns, assistance, assessments ou closures

## Où se trouve un problème

problem-at-line = ligne { $line } : { $reason }
problem-at-column = ligne { $line }, { $column } : { $reason }
problem-at-cell = ligne { $line }, colonne { $letter } ({ $column }) : { $reason }
problem-and-more = { $first } (et { $more ->
    [one] un autre problème
   *[other] { $more } autres problèmes
} sur cette ligne)

## L'en-tête d'un fichier

header-empty-file = le fichier est vide ; une ligne d'en-tête est requise
header-not-utf8 = l'en-tête n'est pas du texte UTF-8 ; enregistrez le fichier au format CSV UTF-8
header-twice = figure deux fois dans l'en-tête (aussi en colonne { $letter })
header-unknown-column = n'est pas une colonne d'un fichier { $kind } ; ses colonnes sont { $columns }
header-not-recognised = l'en-tête n'est pas celui d'un fichier returns, assistance, assessments ou closures (voir docs/formats/fr.md, ou midwa-node import --template) ; trouvé : { $found }
header-lacks-columns = ressemble à { $kind }.csv mais { $count ->
    [one] il manque la colonne requise
   *[other] il manque les colonnes requises
} { $columns }
csv-invalid = CSV non valide : { $detail }
csv-unreadable = impossible de lire le fichier : { $detail }

## Une ligne et ses valeurs

row-field-count = a { $found } champs alors que l'en-tête en a { $expected } ; cherchez un séparateur en trop ou manquant
row-same-as = même { $identity } qu'à la ligne { $first } mais contenu différent ; gardez une seule des deux lignes
row-already-different = un autre dossier avec les mêmes { $identity } est déjà enregistré ; pour le corriger, effacez d'abord l'ancien
row-unreadable = la base de données du nœud ne peut pas être lue (voir son journal) ; rien n'a été enregistré
identity-returns = person_id et return_date
identity-assistance = person_id, date et type
identity-dated = person_id et date
value-not-utf8 = n'est pas du texte UTF-8 ; enregistrez le fichier au format CSV UTF-8
value-required = obligatoire mais vide
value-not-score = { $value } n'est pas un nombre ; écrivez les scores ainsi : 0.75
value-score-range = { $value } n'est pas un nombre entre 0 et 1
value-not-date = { $value } n'est pas une date de la forme AAAA-MM-JJ
value-future = { $value } est dans le futur
value-before-1950 = { $value } est antérieure à 1950
value-born-after-return = est postérieure à la date du retour
value-not-own-national = { $nationality } n'est pas l'État de ce nœud ({ $state }) ; le nœud de chaque État enregistre ses propres ressortissants
value-not-own-region = { $region } n'est pas une subdivision de { $state }
value-no-return = aucun retour n'est enregistré sur ce nœud pour cette personne ; importez d'abord le retour
value-before-return = est antérieure au retour de la personne ({ $month })
value-index-unreadable = le nœud ne peut pas lire son index des retours ; vérifiez le disque et redémarrez le nœud
value-country = { $value } n'est pas un code pays ISO 3166-1 alpha-2 (deux lettres majuscules, comme SN)
value-month = { $value } n'est pas un mois de la forme AAAA-MM entre 1950-01 et 2199-12
value-arrival-point = { $value } n'est pas un code de point d'arrivée (2 à 16 caractères parmi A-Z, 0-9 et '-')
value-subdivision = { $value } n'est pas un code de subdivision ISO 3166-2 comme SN-DK
value-term = { $value } n'est pas l'une des valeurs : { $accepted }
value-term-or-empty = { $value } n'est pas l'une des valeurs : { $accepted } (ou vide si inconnu)
value-no-kind = un dossier doit être un retour, une assistance, une évaluation ou une clôture

## Fichiers de configuration

config-cannot-read = impossible de lire la configuration { $path } : { $why }
config-invalid = configuration { $path } : { $why }
config-toml = ce n'est pas un fichier de configuration valide : { $detail }
config-field = { $field } : { $why }
config-range = { $field } : doit être entre { $min } et { $max }
config-backoff = publish : backoff_min_ms doit valoir au moins 1 et au plus backoff_max_ms
io-not-found = fichier ou dossier introuvable
io-permission = permission refusée (vérifiez le propriétaire et le mode du fichier)

## Questions à la passerelle (midwa query)

query-too-many = trop de requêtes ; réessayez dans { $seconds } s
query-refused = la passerelle a refusé la question : { $why }
query-not-metric = la mesure { $value } n'est pas l'une des suivantes : { $accepted }
query-not-dimension = { $value } n'est pas une dimension ; les dimensions sont : { $accepted }
query-cannot-group = { $metric } ne peut pas être ventilé ni filtré par { $dimension }
query-grouped-twice = { $dimension } est demandé deux fois en ventilation
query-not-period = l'unité de période { $value } n'est pas l'une des suivantes : month, quarter, year
query-empty-filter = le filtre sur { $dimension } n'a aucune valeur
query-bad-filter = filtre sur { $dimension } : { $why }

## Modèles et colonnes des fichiers

template-required = obligatoire
template-optional = facultative
column-person_id = l'identifiant stable de la personne dans l'agence (numéro de dossier ou numéro national) ; il ne quitte jamais le nœud : il devient un pseudonyme
column-person_id-follow-up = l'identifiant de la personne, comme dans le fichier des retours ; le retour de la personne doit d'abord être enregistré sur ce nœud
column-ignored = ignorée : jamais conservée, jamais envoyée
column-date_of_birth = date, AAAA-MM-JJ ; devient une tranche d'âge à la date du retour (vide : inconnue)
column-nationality = code ISO 3166-1 alpha-2 (deux lettres majuscules) ; doit être l'État de ce nœud
column-return_date = date, AAAA-MM-JJ, pas dans le futur
column-host_country = code ISO 3166-1 alpha-2 du pays d'où la personne est revenue
column-transit_countries = codes ISO 3166-1 alpha-2 séparés par « ; » (vide : aucun connu)
column-arrival_point = code de 2 à 16 caractères parmi A-Z, 0-9 et « - », comme un code d'aéroport IATA ou un poste frontière (vide : inconnu)
column-destination_region = code ISO 3166-2 d'une subdivision de l'État de ce nœud, comme SN-DK (vide : inconnue)
column-date = date, AAAA-MM-JJ, pas avant le retour de la personne ni dans le futur
column-score = un nombre de 0 à 1, comme 0,75 (ou 0.75)
column-one-of = une valeur parmi : { $values }
column-some-of = aucune, une ou plusieurs valeurs séparées par « ; » parmi : { $values }
config-missing-field = le champ { $field } manque ; voyez l'exemple de configuration dans deploy/
config-unknown-field = { $field } n'est pas un champ de ce fichier (vérifiez l'orthographe) ; les champs sont : { $expected }
config-at-line = ligne { $line } : { $why }
template-column = { $need } : { $note }

## Avis de retours attendus

gateway-refused = la passerelle a refusé : { $why }
notice-line = { $persons ->
    [one] une personne attendue
   *[other] { $persons } personnes attendues
} en provenance de { $host } { $by } à { $point } le { $date }
notice-by-air = par avion
notice-by-land = par voie terrestre
notice-by-sea = par voie maritime
notice-unreadable = (avis illisible)
notice-waiting = en attente du nœud de l'État d'origine
notice-delivered = remis, pas encore confirmé
notice-acknowledged = confirmé par le nœud de l'État d'origine
notice-state-unknown = inconnu
notice-sent = avis { $id } envoyé à { $origin } : { $notice }
notice-sent-before = l'avis { $id } avait déjà été envoyé à { $origin } : { $notice }
notice-status = état : { $status }
notice-bad-id = --id { $value } : un identifiant d'avis compte 32 chiffres hexadécimaux
notices-none = aucun avis
notices-none-sent = aucun avis envoyé
notices-none-received = aucun avis reçu
notices-col-origin = origine
notices-col-month = mois
notices-col-mode = mode
notices-col-notices = avis
notices-col-persons = personnes
notices-col-vulnerable = avec vulnérabilités
notices-col-acknowledged = confirmés
notices-col-sent = envoyé
notices-col-to = à
notices-col-notice = avis
notices-col-status = état
notices-col-id = identifiant
notices-col-received = reçu
notices-col-from = de
party-node = nœud { $state }
party-consulate = consulat { $state } ({ $post })
party-coordinator = coordination { $name }

## midwa-node status

status-label = { $label } :
status-state = État
status-gateway = passerelle
status-recorded = enregistrés
status-at-gateway = à la passerelle
status-waited = attente
status-refused = refusés
status-notices = avis
status-last-error = dernière erreur
status-connected = connecté
status-not-connected = non connecté
status-events = { $count } événements
status-at-gateway-value = { $count } événements ({ $waiting } en attente)
status-waited-value = p50 { $p50 } ms, p99 { $p99 } ms, tous sous { $max } ms, de l'enregistrement ici à la détention par la passerelle ({ $count } événements depuis le démarrage du nœud)
status-refused-value = { $count } événements en conflit avec ce que détient la passerelle (voir le journal)
status-notices-value = { $count } reçus (boîte de réception { $inbox })

## La console (midwa console) : ses mots, puis les vocabulaires tels qu'on les lit

console-title = MIDWA Exchange
console-language = Langue
console-who-coordinator = Coordination régionale { $name }
console-who-consulate = Consulat { $of_state }, { $post }
console-who-node = Agence nationale { $of_state }
console-origin = Origine
console-all_origins = Toutes les origines
console-unit = Période
console-unit-month = Mois
console-unit-quarter = Trimestre
console-unit-year = Année
console-from = Du
console-to = Au
console-run = Afficher
console-export = Exporter en CSV
console-loading = Chargement…
console-nothing = Rien à afficher.
console-total = Total
console-quarter = T{ $q } { $y }
console-returns-title = Retours par { $unit } et par { $by }
console-returns-hint = Les retours par voie terrestre figurent à côté des retours par avion et par mer.
console-coverage-title = Couverture de la réintégration
console-coverage-hint = Part des personnes de retour ayant reçu une aide à la réintégration, par catégorie.
console-scores-title = Durabilité de la réintégration
console-scores-hint = Scores moyens des évaluations de suivi (de 0 à 1), par trimestre ; une moyenne demande au moins 20 évaluations.
console-vulnerable-title = Groupes vulnérables
console-notices-title = Retours attendus (notifications)
console-notices-hint = Retours annoncés par les États d'accueil et de transit et par les consulats, par mois prévu, avant qu'ils n'aient lieu.
console-col-notices = Notifications
console-col-persons_expected = Personnes attendues
console-col-with_vulnerabilities = Avec des personnes vulnérables
console-col-acknowledged = Reçues par l'origine
console-opportunities-title = Opportunités de réintégration
console-opportunities-open_on = Ouvertes le
console-col-period = Période
console-col-origin = Origine
console-col-mode = Mode
console-col-returns = Retours
console-col-category = Catégorie d'aide
console-col-assisted = Personnes aidées
console-col-share = Part des personnes de retour
console-col-persons = Personnes
console-col-surveys = Évaluations
console-col-economic = Économique
console-col-social = Sociale
console-col-psychosocial = Psychosociale
console-col-composite = Composite
console-col-vulnerability = Vulnérabilité
console-col-state = État
console-col-kind = Type
console-col-sector = Secteur
console-col-region = Région
console-col-capacity = Places
console-col-starts = Début
console-col-ends = Fin
console-col-title = Intitulé
console-col-contact = Contact
console-nationwide = Tout le pays
console-open_ended = Sans date de fin
console-unlimited = Non limité
console-suppressed = masqué
console-suppressed-primary = Masqué : moins de { $t }, le seuil de confidentialité.
console-suppressed-secondary = Masqué pour qu'aucune valeur masquée ne puisse être déduite des autres.
console-suppressed-legend = Les cellules masquées protègent les petits groupes : un effectif inférieur à { $t }, ou trop incertain pour être lu.
console-included = Inclus : { $list }
console-left_out = Exclu : { $state } : { $reason }
console-why-role = votre type de certificat ne reçoit aucune donnée
console-why-no_policy = { $the_state } n'a pas publié de politique de consentement : rien n'est partagé
console-why-no_grant = la politique { $of_state } ne vous partage pas ces données
console-why-expired = l'autorisation { $of_state } de vous partager ces données a expiré le { $date }
console-why-expired_undated = l'autorisation { $of_state } de vous partager ces données a expiré
console-why-uncovered = la politique { $of_state } ne vous partage pas cette ventilation : { $dims }
console-own_data = données propres
console-policy_version = politique version { $v }
console-none = aucun
console-verify-title = Vérifier un reçu de retour
console-verify-hint = Saisissez le code du reçu de la personne, ou chargez une photo de son code QR. Vous ne voyez que ce que l'État d'origine permet à votre consulat de voir.
console-verify-code = Code du reçu
console-verify-run = Vérifier
console-verify-image = Ou une photo du code QR
console-verify-yes = VÉRIFIÉ : un retour { $to_state } est enregistré
console-verify-no = NON VÉRIFIÉ : aucun retour que votre consulat peut vérifier ne correspond à ce code
console-verify-return_month = Mois du retour
console-verify-mode = Mode
console-verify-host_country = Revenu de
console-verify-return_type = Type de retour
console-verify-assisted = Aide à la réintégration
console-verify-policy = Selon la politique { $of_state }, version { $v }
console-verify-attestation_valid = L'attestation du code QR est valide : signée par le nœud { $of_state }.
console-verify-attestation_invalid = L'attestation du code QR n'est PAS valide : { $error }
console-yes = Oui
console-not_yet = Pas encore
console-footer = Servi sur cet ordinateur uniquement ; chaque demande va à la passerelle régionale en TLS mutuel, avec votre certificat.
console-error-session = Cette page n'a pas été ouverte avec l'adresse affichée par `midwa console`. Ouvrez de nouveau cette adresse.
console-error-host = Ouvrez cette page à l'adresse affichée par `midwa console` (127.0.0.1), pas sous un autre nom.
console-error-question = La console n'a pas pu poser cette question (détail en anglais) : { $detail }
console-error-refused = La passerelle régionale a refusé la demande (motif en anglais) : { $detail }
console-error-forbidden = La passerelle régionale ne le permet pas à votre certificat (motif en anglais) : { $detail }
console-error-busy = La passerelle régionale est occupée : réessayez dans un instant. ({ $detail })
console-error-gateway = La passerelle régionale est injoignable ou n'a pas pu répondre (détail en anglais) : { $detail }
console-error-internal = La console a échoué ; voyez le terminal où tourne `midwa console`.
console-error-code = Ce n'est pas un code de reçu : il faut 12 lettres et chiffres, par exemple 7K3M-Q9TD-2HXA (tirets et espaces facultatifs).
console-error-not_image = Ce fichier n'est pas une image PNG ou JPEG.
console-error-no_qr = Aucun code QR n'a pu être lu dans l'image ; essayez une photo plus nette et plus droite.
console-error-not_receipt = Ce code QR n'est pas un reçu MIDWA.
console-suppressed-uncertain = Masqué : trop incertain, son bruit dépasserait le tiers de sa valeur.
console-col-error = ± (95 %)
console-noise = Chaque chiffre est légèrement bruité pour que personne ne puisse être identifié : chaque effectif est à moins de son ± de la vraie valeur 95 % du temps (ici au plus ±{ $e }). Poser à nouveau la question donne les mêmes chiffres. Mois jusqu'à { $last }.
console-privacy = Confidentialité { $of_state } : { $spent } dépensé sur un budget de { $budget } (ρ zCDP ; ε { $epsilon } pour δ { $delta }).
console-why-budget = { $the_state } a épuisé son budget de confidentialité : rien de plus de ses données n'est publié
console-why-filtered = non demandé
console-term-mode-air = Aérien
console-term-mode-land = Terrestre
console-term-mode-sea = Maritime
console-term-mode-unknown = Inconnu
console-term-sex-F = Femmes
console-term-sex-M = Hommes
console-term-sex-X = Autre
console-term-return_type-avrr = Volontaire assisté
console-term-return_type-vhr = Humanitaire
console-term-return_type-forced = Forcé
console-term-return_type-spontaneous = Spontané
console-term-vulnerability-none = Aucune
console-term-vulnerability-single_woman = Femme seule
console-term-vulnerability-victim_of_trafficking = Victime de traite
console-term-vulnerability-unaccompanied_minor = Mineur non accompagné
console-term-vulnerability-older_migrant = Migrant âgé
console-term-vulnerability-disability = Handicap
console-term-vulnerability-medical_need = Besoin médical
console-term-assistance_category-economic = Économique
console-term-assistance_category-social = Sociale
console-term-assistance_category-psychosocial = Psychosociale
console-term-kind-training = Formation
console-term-kind-business = Entreprise
console-term-kind-employment = Emploi
console-term-sector-agriculture = Agriculture
console-term-sector-livestock = Élevage
console-term-sector-fisheries = Pêche
console-term-sector-manufacturing = Industrie
console-term-sector-construction = Bâtiment
console-term-sector-trade = Commerce
console-term-sector-transport = Transport
console-term-sector-hospitality = Hôtellerie-restauration
console-term-sector-ict = Numérique
console-term-sector-health = Santé
console-term-sector-education = Éducation
console-term-sector-crafts = Artisanat
console-term-sector-energy = Énergie
console-term-sector-services = Services
console-term-sector-other = Autre

## La console : les États tels qu'une phrase les nomme (l'État, de l'État, à l'État)

console-form-the-BJ = le Bénin
console-form-of-BJ = du Bénin
console-form-to-BJ = au Bénin
console-form-the-BF = le Burkina Faso
console-form-of-BF = du Burkina Faso
console-form-to-BF = au Burkina Faso
console-form-the-CV = le Cabo Verde
console-form-of-CV = du Cabo Verde
console-form-to-CV = au Cabo Verde
console-form-the-CI = la Côte d'Ivoire
console-form-of-CI = de la Côte d'Ivoire
console-form-to-CI = en Côte d'Ivoire
console-form-the-GM = la Gambie
console-form-of-GM = de la Gambie
console-form-to-GM = en Gambie
console-form-the-GH = le Ghana
console-form-of-GH = du Ghana
console-form-to-GH = au Ghana
console-form-the-GN = la Guinée
console-form-of-GN = de la Guinée
console-form-to-GN = en Guinée
console-form-the-GW = la Guinée-Bissau
console-form-of-GW = de la Guinée-Bissau
console-form-to-GW = en Guinée-Bissau
console-form-the-LR = le Liberia
console-form-of-LR = du Liberia
console-form-to-LR = au Liberia
console-form-the-ML = le Mali
console-form-of-ML = du Mali
console-form-to-ML = au Mali
console-form-the-MR = la Mauritanie
console-form-of-MR = de la Mauritanie
console-form-to-MR = en Mauritanie
console-form-the-NE = le Niger
console-form-of-NE = du Niger
console-form-to-NE = au Niger
console-form-the-NG = le Nigéria
console-form-of-NG = du Nigéria
console-form-to-NG = au Nigéria
console-form-the-SN = le Sénégal
console-form-of-SN = du Sénégal
console-form-to-SN = au Sénégal
console-form-the-SL = la Sierra Leone
console-form-of-SL = de la Sierra Leone
console-form-to-SL = en Sierra Leone
console-form-the-TG = le Togo
console-form-of-TG = du Togo
console-form-to-TG = au Togo
console-form-the-any = { $name }
console-form-of-any = de { $name }
console-form-to-any = vers { $name }
console-unit-word-month = mois
console-unit-word-quarter = trimestre
console-unit-word-year = année
console-by-word-mode = mode
console-by-word-origin = État
console-breakdown = Ventiler par
console-by-mode = Mode
console-by-origin = États côte à côte
console-range = Mois
console-range-all = Tous
console-range-last12 = 12 derniers mois
console-range-this_year = Cette année
console-range-last_year = L'année dernière
console-range-custom = Mois choisis
console-chart = Graphique
console-chart-lines = Courbes
console-chart-bars = Barres
console-pivot = Périodes en colonnes
console-hint-hidden_month = La plupart des chiffres sont masqués à ce niveau de détail : choisissez les trimestres ou les années pour les voir.
console-hint-hidden_quarter = La plupart des chiffres sont masqués à ce niveau de détail : choisissez les années pour les voir.
console-hint-hidden_year = La plupart des chiffres sont masqués à ce niveau de détail : demandez moins de ventilations.
console-placeholder-month = mm/aaaa
console-placeholder-date = jj/mm/aaaa
console-error-month = { $detail } n'est pas un mois : écrivez-le mm/aaaa, par exemple 03/2025.
console-error-date = { $detail } n'est pas une date : écrivez-la jj/mm/aaaa, par exemple 15/03/2025.
console-export-as = Exporter pour les outils statistiques :
console-completeness-title = Transmission des données par État
console-completeness-hint = Quand le nœud de chaque État a envoyé de nouvelles données pour la dernière fois, combien de jours sur les 30 derniers il l'a fait, s'il est connecté maintenant, et sa politique de consentement : un creux dans les chiffres peut venir d'un nœud resté hors ligne.
console-col-connected = Nœud connecté
console-col-last_delivery = Dernières données reçues
console-col-days_reported = Jours avec données (30 derniers)
console-col-policy = Politique de consentement
console-completeness-connected_yes = Oui
console-completeness-connected_no = Non
console-completeness-never = jamais
console-completeness-stale = Pas de nouvelles données depuis plus d'une semaine : ses chiffres peuvent être en retard.
console-completeness-policy = version { $v } du { $date }
console-completeness-no_policy = aucune

## L'aide de midwa, midwa-certs et midwa-gateway, et des commandes communes aux deux lignes de commande

help-common-notice-send = Envoyer un avis de retours attendus à leur État d'origine. Il ne nomme personne : une date, un mode, un point d'arrivée, un nombre et des indicateurs de vulnérabilité.
help-common-notice-send-to = L'État d'origine des personnes rapatriées, qui reçoit l'avis (GH)
help-common-notice-send-date = Date d'arrivée attendue, AAAA-MM-JJ
help-common-notice-send-mode = air (avion), land (terre) ou sea (mer)
help-common-notice-send-arrival_point = Où elles arrivent : un code d'aéroport (ACC) ou de poste frontière (PAGA-BORDER)
help-common-notice-send-persons = Combien de personnes sont attendues
help-common-notice-send-vulnerable = Vulnérabilités parmi elles, séparées par des virgules : single_woman, victim_of_trafficking, unaccompanied_minor, older_migrant, disability, medical_need
help-common-notice-send-from = Le pays d'où elles reviennent (obligatoire pour les consulats ; par défaut l'État du nœud)
help-common-notice-send-id = L'identifiant de l'avis (32 chiffres hexadécimaux), pour renvoyer un avis dont la réponse s'est perdue ; nouveau par défaut
help-common-notice-sent = Les avis envoyés avec ce certificat, et si chacun a atteint son destinataire.
help-common-notice-summary = Pour la coordination régionale : les avis de toute la région, comptés par origine, mois attendu et mode.
help-common-notice-summary-from = Premier mois attendu, AAAA-MM
help-common-notice-summary-to = Dernier mois attendu, AAAA-MM
help-common-arg-states = Seulement ces États éditeurs, séparés par des virgules
help-common-arg-kinds = Seulement ces types : training (formation), business (entreprise), employment (emploi)
help-common-arg-sectors = Seulement ces secteurs (agriculture, ict, ...)
help-common-arg-regions = Seulement dans ces régions (GH-AA), ou sur tout le territoire de leur État
help-common-arg-open_on = Seulement celles ouvertes ce jour-là, AAAA-MM-JJ
help-common-arg-withdrawn = Aussi celles retirées
help-common-arg-format = Format de sortie
help-common-arg-origin = L'État d'origine dont recevoir les événements (GH)
help-common-arg-out = Le fichier de lignes JSON où vont les événements ; relancé, il reprend où il s'était arrêté
help-common-arg-once = S'arrêter une fois reçu tout ce qui est stocké, au lieu de suivre les nouveaux événements
help-midwa = MIDWA Exchange pour la coordination régionale et les consulats : interroge la passerelle régionale en TLS mutuel, avec le certificat de cette partie.
help-midwa-config = Le fichier de configuration (voir deploy/client.toml)
help-midwa-lang = La langue des messages : en, fr ou pt (par défaut : celle de la configuration, puis LANG)
help-midwa-query = Agrégats de la région : chaque origine contribue ce que sa politique de consentement vous accorde. Chaque chiffre est bruité (confidentialité différentielle) et vient avec son erreur à 95 % ; les effectifs petits ou incertains sont masqués. Mesures : returns, assisted_persons, assessments, closures, mean_scores, coverage. Dimensions : period, origin, host_country, mode, return_type, sex, age_band, vulnerability, vulnerability_flag, assistance_category, assistance_type, outcome.
help-midwa-query-metric = Ce qu'il faut compter
help-midwa-query-by = Dimensions de ventilation, séparées par des virgules (ou l'option répétée)
help-midwa-query-unit = Unité de la dimension période : month (mois), quarter (trimestre) ou year (année)
help-midwa-query-filters = Ne garder que les cellules où une dimension a l'une des valeurs : sex=F, host_country=LY,NE. Répéter pour plusieurs dimensions
help-midwa-query-from = Premier mois, AAAA-MM
help-midwa-query-to = Dernier mois, AAAA-MM
help-midwa-query-format = Format de sortie : table, csv, json, ou pour les outils statistiques sdmx (SDMX-CSV 2.0), dhis2 (un jeu de valeurs ; demande --by period,origin) ou hxl (docs/exports.md)
help-midwa-verify = Vérifier un retour à partir du code de reçu que détient la personne (consulats). Sort avec 1 si non vérifié.
help-midwa-verify-code = Le code du reçu, comme 7K3M-Q9TD-2HXA
help-midwa-notice = Avis transfrontaliers : les consulats annoncent à un État d'origine des retours attendus ; la coordination les voit comptés pour toute la région.
help-midwa-opportunities = Les opportunités de réintégration que publient les États, dans la mesure où leurs politiques vous les montrent.
help-midwa-subscribe = Recevoir les dossiers anonymisés d'un État à leur arrivée, dans la mesure où sa politique vous les accorde, dans un fichier de lignes JSON ; relancé, il reprend. Ctrl-C l'arrête.
help-midwa-console = Servir la console, une page web en anglais, français et portugais, sur cette machine seulement : la situation régionale pour la coordination, la vérification des reçus pour les consulats. Ctrl-C l'arrête.
help-midwa-console-listen = Où écouter (une adresse de bouclage)
help-midwa-check-attestation = Vérifier hors ligne l'attestation d'une personne rapatriée, avec l'autorité de certification régionale de la configuration (sans connexion à la passerelle). Sort avec 1 si elle ne tient pas.
help-midwa-check-attestation-attestation = Le texte de l'attestation (MIDWA1....), ou @FICHIER pour le lire dans un fichier
help-midwa-check-attestation-code = Le code de reçu auquel elle doit appartenir
help-certs = L'autorité de certification régionale MIDWA : la créer, délivrer des certificats aux nœuds, passerelles, coordinations et consulats, les révoquer et publier la liste de révocation.
help-certs-lang = La langue des messages : en, fr ou pt (par défaut : LANG)
help-certs-init-ca_dir = Dossier de l'autorité de certification
help-certs-revoke-ca_dir = Dossier de l'autorité de certification
help-certs-crl-ca_dir = Dossier de l'autorité de certification
help-certs-list-ca_dir = Dossier de l'autorité de certification
help-certs-issue-ca_dir = Dossier de l'autorité de certification
help-certs-init = Créer l'autorité de certification régionale : ca.pem, ca.key (0600), registry.toml et un crl.pem vide.
help-certs-init-trust_domain = Domaine de confiance de toutes les identités, comme midwa.example
help-certs-init-name = Nom commun du certificat de l'autorité
help-certs-init-days = Validité du certificat de l'autorité, en jours
help-certs-init-force = Remplacer une autorité existante. Tous les certificats qu'elle a délivrés cessent de fonctionner
help-certs-issue = Délivrer un certificat et sa clé ; écrit cert.pem, key.pem (0600) et ca.pem dans --out.
help-certs-issue-out = Où écrire cert.pem, key.pem et ca.pem
help-certs-issue-days = Validité en jours
help-certs-issue-force = Remplacer les fichiers déjà présents dans --out
help-certs-issue-node = Le nœud d'un État.
help-certs-issue-node-state = Code ISO 3166-1 alpha-2 de l'État, comme SN
help-certs-issue-gateway = La passerelle régionale (un serveur : indiquez les noms et adresses par lesquels on la joint).
help-certs-issue-gateway-name = Nom de la passerelle
help-certs-issue-gateway-dns = Nom d'hôte par lequel on joint la passerelle (répétable)
help-certs-issue-gateway-ip = Adresse IP par laquelle on joint la passerelle (répétable)
help-certs-issue-coordinator = Une coordination régionale.
help-certs-issue-coordinator-name = Nom de la coordination, comme ecowas-commission
help-certs-issue-consulate = Un consulat d'un État.
help-certs-issue-consulate-state = Code ISO 3166-1 alpha-2 de l'État qu'il représente
help-certs-issue-consulate-post = Le poste, comme tripoli
help-certs-revoke = Révoquer un certificat et publier une nouvelle liste de révocation.
help-certs-revoke-serial = Numéro de série (hexadécimal), tel que inspect ou list le montre
help-certs-revoke-cert = Le fichier du certificat à révoquer
help-certs-revoke-reason = Pourquoi : unspecified, key-compromise, affiliation-changed, superseded ou cessation-of-operation
help-certs-crl = Publier une nouvelle liste de révocation (avant que la liste en cours expire).
help-certs-crl-days = Validité de la liste de révocation, en jours
help-certs-inspect = Afficher ce que dit un certificat : identité, rôle, numéro de série, validité, émetteur.
help-certs-inspect-file = Un certificat PEM ou DER
help-certs-list = Lister tous les certificats délivrés par l'autorité, et ceux qui sont révoqués.
help-gateway = La passerelle régionale MIDWA : reçoit en TLS mutuel les événements anonymisés des nœuds des États et les stocke durablement. SIGINT ou SIGTERM l'arrêtent proprement ; SIGHUP recharge aussitôt la liste de révocation et le certificat de la passerelle.
help-gateway-config = Le fichier de configuration (voir deploy/gateway.toml)
help-gateway-log_json = Journaliser en lignes JSON
help-gateway-lang = La langue des messages : en, fr ou pt (par défaut : LANG)

## Ce que rapportent les autres commandes

policy-none = { $state } : aucune politique à la passerelle : rien de cet État n'est partagé
policy-in-force = { $state } : politique version { $version } en vigueur depuis le { $since }, { $grants ->
    [one] { $grants } autorisation
   *[other] { $grants } autorisations
}
policy-budget = budget de confidentialité (rho zCDP par personne) : { $budget } ({ $whose }) ; dépensé par les agrégats mesurés jusqu'ici : { $spent }, reste { $left } (epsilon { $epsilon } pour delta { $delta })
policy-budget-own = celui de cette politique
policy-budget-region = celui de la région
policy-label-recipient = destinataire
policy-label-data = données
policy-label-dimensions = dimensions
policy-label-purpose = finalité
policy-label-expires = expire
policy-label-threshold = seuil
policy-totals-only = (totaux seulement)
policy-never = jamais
policy-pushed = la politique version { $version } est en vigueur pour { $state }
policy-expired-grant = attention : l'autorisation de { $data } à { $recipient } a expiré le { $date } : elle ne libère rien
policy-valid = { $file } : { $grants ->
    [one] { $grants } autorisation
   *[other] { $grants } autorisations
}, valide
erase-done-all = effacement enregistré (séquence { $seq }) : { $count ->
    [one] { $count } événement oublié
   *[other] { $count } événements oubliés
} ici ; la passerelle supprime tout ce qui concerne la personne dès qu'elle le reçoit
erase-done-one = effacement enregistré (séquence { $seq }) : { $count ->
    [one] { $count } événement oublié
   *[other] { $count } événements oubliés
} ici ; la passerelle supprime l'événement dès qu'elle le reçoit
erase-assistance-form = --assistance : écrivez DATE:TYPE
access-log-intact = { $count } entrées ; la chaîne est intacte et prolonge ce qui a été lu auparavant
access-log-fails = LE JOURNAL DES ACCÈS ÉCHOUE À SA VÉRIFICATION : { $why }. Signalez-le à l'opérateur régional et gardez cette sortie.
backup-done = { $from } copié dans { $to } ; pour restaurer, recopiez-le (mode 0600) avant de démarrer le nœud
qr-done = reçu { $code } dessiné dans { $path }
node-listening = midwa-node écoute sur { $socket }
holdings-head = la passerelle détient de { $state } jusqu'à la séquence { $seq } :
holdings-counts = retours { $returns }, assistances { $assistance }, évaluations { $assessments }, clôtures { $closures }, retraits { $retractions }
verify-not = { $code } : NON VÉRIFIÉ : aucun dossier de retour que votre consulat peut vérifier ne correspond à ce code
verify-yes = { $code } : VÉRIFIÉ : un retour vers { $origin } est enregistré
verify-label-return_month = mois du retour
verify-label-mode = mode
verify-label-host_country = pays d'accueil
verify-label-return_type = type de retour
verify-label-assisted = assisté
verify-assisted-yes = oui
verify-assisted-not_yet = pas encore
verify-under = (selon la politique version { $version } de { $origin })
attestation-invalid = NON VALIDE : { $why }
attestation-valid = VALIDE : signée par le nœud de { $origin }
attestation-label-month = mois du retour
attestation-label-mode = mode
attestation-label-signed = signée le

## Certificats et listes de révocation

tls-cannot-read = impossible de lire { $path } : { $why }
tls-invalid = { $path } : { $why }
tls-wrong-role = { $path } est le certificat d'un(e) { $found }, mais ce programme a besoin d'un certificat de type { $expected }
tls-no-ca-cert = aucun certificat trouvé ; le certificat de l'autorité régionale était attendu (ca.pem)
tls-no-cert = aucun certificat trouvé ; un certificat PEM délivré par midwa-certs était attendu
tls-no-key = aucune clé privée lisible ({ $detail }) ; la clé PEM délivrée avec le certificat était attendue
tls-bad-ca = ce n'est pas un certificat d'autorité utilisable : { $detail }
tls-not-pem = ce n'est pas un certificat PEM : { $detail }
tls-not-x509 = X.509 non valide : { $detail }
tls-ca-not-x509 = certificat de l'autorité X.509 non valide : { $detail }
tls-not-issued = pas délivré par l'autorité régionale indiquée ; demandez un certificat à l'opérateur régional
tls-expired = expiré le { $date } ; demandez un nouveau certificat
tls-not-yet = pas valide avant le { $date } ; vérifiez l'horloge de cette machine
crl-not-pem = ce n'est pas une liste de révocation PEM ({ $detail }) ; publiez-en une avec `midwa-certs crl`
crl-invalid = liste de révocation non valide : { $detail }
crl-ca-unparsable = le certificat de l'autorité est illisible : { $detail }
crl-not-signed = pas signée par l'autorité régionale ; publiez-la avec `midwa-certs crl` depuis le dossier de l'autorité
crl-expired = expirée le { $date } ; publiez-en une nouvelle avec `midwa-certs crl`

## Les réponses de midwa query

query-title = { $metric } (seuil { $threshold } ; mois de { $first } à { $last })
query-title-by = { $metric } par { $dims } (seuil { $threshold } ; mois de { $first } à { $last })
query-col-count = effectif
query-col-persons = personnes
query-col-surveys = enquêtes
query-col-error = erreur (95 %)
query-col-share = part
query-noisy = Les chiffres sont bruités pour que personne ne puisse être identifié : chaque effectif est à moins de son erreur de la vraie valeur 95 % du temps (ici au plus +/- { $error }). Poser à nouveau la question donne les mêmes chiffres.
query-hidden = x : masqué : un effectif inférieur à { $threshold } ou trop incertain (son bruit dépasse le tiers de sa valeur), ou une moyenne sur moins de 20 enquêtes
origins-included = inclus : { $list }
origins-none = aucun
origins-own-data = données propres
origins-policy-version = politique version { $version }
origins-left-out = exclu : { $state } : { $reason }
origins-privacy = budget de confidentialité rho { $budget }, { $spent } dépensé (epsilon { $epsilon } pour delta { $delta })
query-total = total

## midwa-certs et opportunités

certs-created = autorité de certification régionale créée pour { $domain } dans { $dir }
certs-keep-offline = gardez { $key } hors ligne ; donnez ca.pem à chaque partie et crl.pem à la passerelle
certs-give-serial = indiquez --serial ou --cert
certs-revoked = { $serial } révoqué ; { $crl } publiée
certs-copy-crl = copiez-la à l'emplacement crl de la passerelle : elle la recharge sans redémarrer
certs-published = { $path } publiée ({ $revoked } révoqués, valable { $days } jours)
certs-col-serial = numéro de série
certs-col-status = état
certs-col-until = valable jusqu'au
certs-col-identity = identité
certs-status-active = actif
certs-status-revoked = révoqué
certs-bad-value = { $value } n'est pas un(e) { $what } valide
certs-what-state = code d'État (deux majuscules, comme SN)
certs-what-name = nom (a-z, 0-9, '-')
certs-gateway-names = un certificat de passerelle a besoin des noms par lesquels les nœuds la joignent : indiquez --dns HÔTE et/ou --ip ADRESSE
certs-days = --days doit valoir au moins 1
certs-give-out = indiquez --out DOSSIER : où écrire cert.pem, key.pem et ca.pem
certs-issued = { $role } délivré comme { $uri } (numéro de série { $serial }) dans { $out }
opportunity-published = { $id } : publiée, version { $version }
opportunity-withdrawn = { $id } : retirée (version { $version })
opportunity-refused = la passerelle a refusé l'opportunité { $id } : { $why }
opportunities-none = aucune opportunité ne correspond
opportunities-nationwide = tout le territoire
opportunities-open = ouverte
opportunities-withdrawn = retirée
opportunities-col-state = État
opportunities-col-id = identifiant
opportunities-col-kind = type
opportunities-col-sector = secteur
opportunities-col-region = région
opportunities-col-capacity = places
opportunities-col-starts = début
opportunities-col-ends = fin
opportunities-col-title = titre
opportunities-col-contact_office = service à contacter
opportunities-col-contact = contact
opportunities-col-status = état
subscribe-refused = la passerelle a refusé l'abonnement : { $why }
subscribe-ended = la passerelle a mis fin à l'abonnement : { $why }
subscribe-summary = { $count } événements de { $origin } écrits dans { $out } (curseur { $cursor })
access-log-policy = politique v{ $version }
access-log-privacy = confidentialité : rho { $spent } dépensé sur { $budget }
policy-file-grant = [[grant]] numéro { $number }, champ { $field } : { $why }
opportunities-file-empty = aucune table [[opportunity]] ; voir deploy/opportunities.toml
opportunities-file-entry = opportunity[{ $number }].{ $why }
opportunities-file-twice = opportunity[{ $number }].id : { $id } figure deux fois
connect-revoked = la passerelle refuse ce certificat : il a été révoqué ; demandez-en un nouveau à l'opérateur régional
connect-expired = la passerelle refuse ce certificat : il a expiré ; demandez-en un nouveau à l'opérateur régional
connect-not-accepted = la passerelle n'accepte pas ce certificat (pas délivré par l'autorité de cette région ?) ; vérifiez les fichiers tls de la configuration, ou demandez à l'opérateur régional
connect-lost = la connexion à la passerelle a été fermée avant sa réponse ({ $detail }) ; si cela continue, ce certificat a peut-être été révoqué : demandez à l'opérateur régional
