# MIDWA Exchange: o que os utilizadores leem, em português.
# As mesmas mensagens, com os mesmos argumentos, que en.ftl (um teste verifica-o).

## Um texto nas palavras da biblioteca que o deu

plain = { $text }

## Linhas de comando

cli-usage = Utilização:
cli-options = Opções
cli-arguments = Argumentos
cli-commands = Comandos
cli-command = COMANDO
cli-help = Mostrar a ajuda
cli-version = Mostrar a versão
cli-failed = erro: { $message }

## Ajuda do midwa-node

help-node = O nó MIDWA de um Estado: anonimiza os registos da agência nacional e publica-os na porta de ligação regional por TLS mútuo.
help-node-config = O ficheiro de configuração (ver deploy/node.toml)
help-node-log_json = Registar em linhas JSON
help-node-lang = A língua das mensagens: en, fr ou pt (por omissão: a da configuração, depois LANG)
help-node-run = Executar o nó: API local e publicação. SIGINT ou SIGTERM param-no de forma limpa.
help-node-status = Mostrar o que o nó registou e o que a porta de ligação detém.
help-node-holdings = Perguntar à porta de ligação, por mTLS, o que detém deste Estado.
help-node-import = Importar um ficheiro CSV de regressos, assistências, avaliações ou encerramentos (ver docs/formats/pt.md) para o nó em execução. Nada é registado se alguma linha for inválida; importar de novo o mesmo ficheiro não regista nada de novo.
help-node-import-file = O ficheiro CSV (com --template: o ficheiro a escrever)
help-node-import-check = Verificar cada linha, sem registar nada
help-node-import-receipts = Escrever os recibos dos regressos do ficheiro num ficheiro CSV (person_id, receipt) em vez de os mostrar; por omissão ao lado do ficheiro importado, como NOME.receipts.csv
help-node-import-force = Substituir um ficheiro de recibos existente
help-node-import-attestations = Assinar também um atestado de cada regresso (uma coluna do ficheiro de recibos), que qualquer consulado verifica sem ligação
help-node-import-template = Escrever em FICHEIRO um ficheiro vazio deste tipo (returns, assistance, assessments, closures) em vez de importar: o seu cabeçalho, e as notas sobre as suas colunas na sua língua
help-node-erase = Apagar o que foi publicado sobre uma pessoa (direito ao apagamento, ou erro): tudo, ou um só registo. A porta de ligação apaga-o e os recibos da pessoa deixam de ser verificados.
help-node-erase-person_id = O identificador da pessoa na agência
help-node-erase-return = Só o regresso desta data (AAAA-MM-DD)
help-node-erase-assistance = Só a assistência desta data e deste tipo, na forma DATA:TIPO
help-node-erase-assessment = Só a avaliação desta data
help-node-erase-closure = Só o encerramento desta data
help-node-access-log = Obter e verificar o registo de acessos deste Estado na porta de ligação: quem recebeu os seus dados, ou foi recusado, quando, e com que versão da política.
help-node-access-log-from = Mostrar só as entradas a partir deste índice (todas são verificadas)
help-node-policy = A política de consentimento do Estado na porta de ligação.
help-node-policy-push = Verificar um ficheiro de política (ver deploy/policy.toml) e torná-lo a política em vigor.
help-node-policy-push-file = O ficheiro de política
help-node-policy-check = Verificar um ficheiro de política sem o enviar.
help-node-policy-check-file = O ficheiro de política
help-node-policy-show = Mostrar a política em vigor na porta de ligação.
help-node-receipt-qr = Desenhar o recibo de uma pessoa regressada como código QR para imprimir (SVG) ou enviar (PNG).
help-node-receipt-qr-code = O código do recibo
help-node-receipt-qr-attestation = O texto do atestado, ou @FICHEIRO
help-node-receipt-qr-out = O ficheiro a escrever, NOME.svg ou NOME.png; não pode existir, exceto com --force
help-node-receipt-qr-force = Substituir um ficheiro existente
help-node-notices = Os avisos transfronteiriços que outros Estados e consulados enviaram a este Estado, do mais recente ao mais antigo.
help-node-notice = Enviar um aviso de regressos esperados ao seu Estado de origem, ou ver os enviados.
help-node-opportunity = Oportunidades de reintegração: publicar, atualizar e retirar as deste Estado; listar as que os outros lhe deixam ver.
help-node-opportunity-publish = Publicar as oportunidades de um ficheiro (ver deploy/opportunities.toml).
help-node-opportunity-publish-file = O ficheiro de oportunidades
help-node-opportunity-withdraw = Retirar uma das oportunidades deste Estado.
help-node-opportunity-withdraw-id = O seu identificador
help-node-opportunity-list = Listar oportunidades.
help-node-subscribe = Receber os registos anonimizados de outro Estado, na medida em que a sua política os concede, num ficheiro de linhas JSON; reiniciado, retoma onde parou.
help-node-backup-key = Copiar a chave secreta do nó para um ficheiro de cópia de segurança (modo 0600). Sem a chave, a mesma pessoa recebe um novo pseudónimo.
help-node-backup-key-to = Onde escrever a cópia; não pode existir, exceto com --force
help-node-backup-key-force = Substituir um ficheiro existente

## Importar um ficheiro (midwa-node import)

import-cannot-open = não é possível abrir { $path }: { $why }
import-cannot-read = não é possível ler { $path }: { $why }
import-node-unreachable = não é possível contactar o nó em { $socket }: { $why }. Está em execução (midwa-node run), e este utilizador pode abrir o seu socket?
import-refused = o nó recusou a importação: { $why }
import-no-summary = o nó terminou a importação sem balanço
import-receipt = { $file }: linha { $line }: recibo { $code }
import-problem = { $file }: { $problem }
import-attestation =   atestado { $attestation }
import-problems-listed = { $file }: só os primeiros { $count } problemas são listados
import-receipts-written = { $count } recibos escritos em { $path } (guarde-o nesta máquina: liga os identificadores das pessoas aos seus recibos)
import-conflicts = { $file }: { $count ->
    [one] uma linha entrou em conflito
   *[other] { $count } linhas entraram em conflito
} com registos importados entretanto por outra importação; não foram registadas
import-summary-check = { $file }: { $rows } linhas ({ $kind }), todas válidas; { $new } seriam registadas, { $already } já estão registadas (nada foi registado: --check)
import-summary-nothing-new = { $file }: { $rows } linhas ({ $kind }), nada de novo: todas as linhas já estavam registadas
import-summary-recorded = { $file }: { $rows } linhas ({ $kind }): { $recorded } registadas agora, { $already } já registadas
import-progress-checking = a verificar
import-progress-recording = a registar
import-progress-line = { $file }: { $phase } { $percent } %, { $rows } linhas, { $rate } linhas/s, faltam cerca de { $left } s
import-progress-bar = { $phase } { $rows } linhas, { $rate }/s, faltam { $left } s
import-receipts-exist = { $path } existe; acrescente --force para o substituir, ou indique outro ficheiro com --receipts
import-receipts-cannot-write = não é possível escrever { $path }: { $why }
import-input-changed = o ficheiro importado mudou durante a importação; importe-o de novo
import-header-first = o cabeçalho tem de ser corrigido primeiro; nada foi registado
import-invalid = { $invalid } de { $rows } linhas não podem ser importadas; nada foi registado. Corrija o ficheiro e importe-o de novo (o seu formato: docs/formats/pt.md, ou midwa-node import --template)
import-client-gone = o cliente saiu; nada foi registado
import-client-gone-after = o cliente saiu depois de { $count } linhas registadas; importe de novo o ficheiro para registar o resto
import-unavailable = o nó não pode registar neste momento (ver o seu registo); nada foi registado
import-failed-after = a base de dados do nó falhou depois de { $count } linhas registadas (ver o seu registo); importe de novo o ficheiro quando estiver resolvido: as linhas já registadas são reconhecidas
import-staging-damaged = o ficheiro de preparação do nó está danificado (ver o seu registo); importe de novo o ficheiro
import-template-written = { $path }: um ficheiro { $kind } vazio com o seu cabeçalho; as notas sobre as suas colunas estão em { $notes }
import-template-exists = { $path } existe; escolha outro nome, ou apague-o primeiro
import-template-unknown = { $kind } não é um tipo de ficheiro; escreva returns, assistance, assessments ou closures

## Onde está um problema

problem-at-line = linha { $line }: { $reason }
problem-at-column = linha { $line }, { $column }: { $reason }
problem-at-cell = linha { $line }, coluna { $letter } ({ $column }): { $reason }
problem-and-more = { $first } (e { $more ->
    [one] mais um problema
   *[other] mais { $more } problemas
} nesta linha)

## O cabeçalho de um ficheiro

header-empty-file = o ficheiro está vazio; é necessária uma linha de cabeçalho
header-not-utf8 = o cabeçalho não é texto UTF-8; guarde o ficheiro como CSV UTF-8
header-twice = aparece duas vezes no cabeçalho (também na coluna { $letter })
header-unknown-column = não é uma coluna de um ficheiro { $kind }; as suas colunas são { $columns }
header-not-recognised = o cabeçalho não é o de um ficheiro returns, assistance, assessments ou closures (ver docs/formats/pt.md, ou midwa-node import --template); encontrado: { $found }
header-lacks-columns = parece { $kind }.csv mas { $count ->
    [one] falta a coluna obrigatória
   *[other] faltam as colunas obrigatórias
} { $columns }
csv-invalid = CSV inválido: { $detail }
csv-unreadable = não é possível ler o ficheiro: { $detail }

## Uma linha e os seus valores

row-field-count = tem { $found } campos quando o cabeçalho tem { $expected }; procure um separador a mais ou em falta
row-same-as = mesmo { $identity } que a linha { $first } mas conteúdo diferente; mantenha só uma das duas linhas
row-already-different = outro registo com os mesmos { $identity } já está registado; para o corrigir, apague primeiro o antigo
row-unreadable = a base de dados do nó não pode ser lida (ver o seu registo); nada foi registado
identity-returns = person_id e return_date
identity-assistance = person_id, date e type
identity-dated = person_id e date
value-not-utf8 = não é texto UTF-8; guarde o ficheiro como CSV UTF-8
value-required = obrigatório mas vazio
value-not-score = { $value } não é um número; escreva as pontuações assim: 0.75
value-score-range = { $value } não é um número entre 0 e 1
value-not-date = { $value } não é uma data da forma AAAA-MM-DD
value-future = { $value } está no futuro
value-before-1950 = { $value } é anterior a 1950
value-born-after-return = é posterior à data do regresso
value-not-own-national = { $nationality } não é o Estado deste nó ({ $state }); o nó de cada Estado regista os seus próprios nacionais
value-not-own-region = { $region } não é uma subdivisão de { $state }
value-no-return = nenhum regresso está registado neste nó para esta pessoa; importe primeiro o regresso
value-before-return = é anterior ao regresso da pessoa ({ $month })
value-index-unreadable = o nó não consegue ler o seu índice de regressos; verifique o disco e reinicie o nó
value-country = { $value } não é um código de país ISO 3166-1 alfa-2 (duas letras maiúsculas, como GW)
value-month = { $value } não é um mês da forma AAAA-MM entre 1950-01 e 2199-12
value-arrival-point = { $value } não é um código de ponto de chegada (2 a 16 caracteres de A-Z, 0-9 e '-')
value-subdivision = { $value } não é um código de subdivisão ISO 3166-2 como GW-BS
value-term = { $value } não é um dos valores: { $accepted }
value-term-or-empty = { $value } não é um dos valores: { $accepted } (ou vazio se desconhecido)
value-no-kind = um registo tem de ser um regresso, uma assistência, uma avaliação ou um encerramento

## Ficheiros de configuração

config-cannot-read = não é possível ler a configuração { $path }: { $why }
config-invalid = configuração { $path }: { $why }
config-toml = não é um ficheiro de configuração válido: { $detail }
config-field = { $field }: { $why }
config-range = { $field }: tem de estar entre { $min } e { $max }
config-backoff = publish: backoff_min_ms tem de ser pelo menos 1 e no máximo backoff_max_ms
io-not-found = ficheiro ou pasta inexistente
io-permission = permissão negada (verifique o dono e o modo do ficheiro)

## Perguntas à porta de ligação (midwa query)

query-too-many = demasiados pedidos; tente de novo dentro de { $seconds } s
query-refused = a porta de ligação recusou a pergunta: { $why }
query-not-metric = a medida { $value } não é uma das seguintes: { $accepted }
query-not-dimension = { $value } não é uma dimensão; as dimensões são: { $accepted }
query-cannot-group = { $metric } não pode ser desagregado nem filtrado por { $dimension }
query-grouped-twice = { $dimension } é pedido duas vezes na desagregação
query-not-period = a unidade de período { $value } não é uma das seguintes: month, quarter, year
query-empty-filter = o filtro sobre { $dimension } não tem valores
query-bad-filter = filtro sobre { $dimension }: { $why }

## Modelos e colunas dos ficheiros

template-required = obrigatória
template-optional = facultativa
column-person_id = o identificador estável da pessoa na agência (número de processo ou número nacional); nunca sai do nó: torna-se um pseudónimo
column-person_id-follow-up = o identificador da pessoa, como no ficheiro de regressos; o regresso da pessoa tem de estar registado primeiro neste nó
column-ignored = ignorada: nunca guardada, nunca enviada
column-date_of_birth = data, AAAA-MM-DD; torna-se um escalão etário na data do regresso (vazio: desconhecido)
column-nationality = código ISO 3166-1 alfa-2 (duas letras maiúsculas); tem de ser o Estado deste nó
column-return_date = data, AAAA-MM-DD, não no futuro
column-host_country = código ISO 3166-1 alfa-2 do país de onde a pessoa regressou
column-transit_countries = códigos ISO 3166-1 alfa-2 separados por ";" (vazio: nenhum conhecido)
column-arrival_point = código de 2 a 16 caracteres de A-Z, 0-9 e "-", como um código de aeroporto IATA ou um posto fronteiriço (vazio: desconhecido)
column-destination_region = código ISO 3166-2 de uma subdivisão do Estado deste nó, como GW-BS (vazio: desconhecida)
column-date = data, AAAA-MM-DD, não anterior ao regresso da pessoa nem no futuro
column-score = um número de 0 a 1, como 0,75 (ou 0.75)
column-one-of = um valor entre: { $values }
column-some-of = nenhum, um ou vários valores separados por ";" entre: { $values }
config-missing-field = falta o campo { $field }; veja o exemplo de configuração em deploy/
config-unknown-field = { $field } não é um campo deste ficheiro (verifique a ortografia); os campos são: { $expected }
config-at-line = linha { $line }: { $why }
template-column = { $need }: { $note }

## Avisos de regressos esperados

gateway-refused = a porta de ligação recusou: { $why }
notice-line = { $persons ->
    [one] uma pessoa esperada
   *[other] { $persons } pessoas esperadas
} vindas de { $host } { $by } em { $point } a { $date }
notice-by-air = por via aérea
notice-by-land = por via terrestre
notice-by-sea = por via marítima
notice-unreadable = (aviso ilegível)
notice-waiting = à espera do nó do Estado de origem
notice-delivered = entregue, ainda não confirmado
notice-acknowledged = confirmado pelo nó do Estado de origem
notice-state-unknown = desconhecido
notice-sent = aviso { $id } enviado a { $origin }: { $notice }
notice-sent-before = o aviso { $id } já tinha sido enviado a { $origin }: { $notice }
notice-status = estado: { $status }
notice-bad-id = --id { $value }: um identificador de aviso tem 32 algarismos hexadecimais
notices-none = nenhum aviso
notices-none-sent = nenhum aviso enviado
notices-none-received = nenhum aviso recebido
notices-col-origin = origem
notices-col-month = mês
notices-col-mode = modo
notices-col-notices = avisos
notices-col-persons = pessoas
notices-col-vulnerable = com vulnerabilidades
notices-col-acknowledged = confirmados
notices-col-sent = enviado
notices-col-to = para
notices-col-notice = aviso
notices-col-status = estado
notices-col-id = identificador
notices-col-received = recebido
notices-col-from = de
party-node = nó { $state }
party-consulate = consulado { $state } ({ $post })
party-coordinator = coordenação { $name }

## midwa-node status

status-label = { $label }:
status-state = Estado
status-gateway = porta de ligação
status-recorded = registados
status-at-gateway = na porta de ligação
status-waited = espera
status-refused = recusados
status-notices = avisos
status-last-error = último erro
status-connected = ligada
status-not-connected = não ligada
status-events = { $count } eventos
status-at-gateway-value = { $count } eventos ({ $waiting } em espera)
status-waited-value = p50 { $p50 } ms, p99 { $p99 } ms, todos abaixo de { $max } ms, do registo aqui à guarda pela porta de ligação ({ $count } eventos desde o arranque do nó)
status-refused-value = { $count } eventos em conflito com o que a porta de ligação guarda (ver o registo)
status-notices-value = { $count } recebidos (caixa de entrada { $inbox })

## A consola (midwa console): as suas palavras, depois os vocabulários como se leem

console-title = MIDWA Exchange
console-language = Idioma
console-who-coordinator = Coordenação regional { $name }
console-who-consulate = Consulado { $of_state }, { $post }
console-who-node = Agência nacional { $of_state }
console-origin = Origem
console-all_origins = Todas as origens
console-unit = Período
console-unit-month = Mês
console-unit-quarter = Trimestre
console-unit-year = Ano
console-from = De
console-to = Até
console-run = Mostrar
console-export = Exportar CSV
console-loading = A carregar…
console-nothing = Nada a mostrar.
console-total = Total
console-quarter = { $q }.º trim. { $y }
console-returns-title = Retornos por { $unit } e por { $by }
console-returns-hint = Os retornos por via terrestre aparecem ao lado dos retornos por via aérea e marítima.
console-coverage-title = Cobertura da reintegração
console-coverage-hint = Proporção de retornados que receberam apoio à reintegração, por categoria.
console-scores-title = Sustentabilidade da reintegração
console-scores-hint = Pontuações médias das avaliações de acompanhamento (de 0 a 1), por trimestre; uma média exige pelo menos 20 avaliações.
console-vulnerable-title = Grupos vulneráveis
console-notices-title = Retornos previstos (notificações)
console-notices-hint = Retornos anunciados pelos Estados de acolhimento e de trânsito e pelos consulados, por mês previsto, antes de acontecerem.
console-col-notices = Notificações
console-col-persons_expected = Pessoas previstas
console-col-with_vulnerabilities = Com pessoas vulneráveis
console-col-acknowledged = Recebidas pela origem
console-opportunities-title = Oportunidades de reintegração
console-opportunities-open_on = Abertas em
console-col-period = Período
console-col-origin = Origem
console-col-mode = Modo
console-col-returns = Retornos
console-col-category = Categoria de apoio
console-col-assisted = Pessoas apoiadas
console-col-share = Proporção de retornados
console-col-persons = Pessoas
console-col-surveys = Avaliações
console-col-economic = Económica
console-col-social = Social
console-col-psychosocial = Psicossocial
console-col-composite = Composta
console-col-vulnerability = Vulnerabilidade
console-col-state = Estado
console-col-kind = Tipo
console-col-sector = Setor
console-col-region = Região
console-col-capacity = Vagas
console-col-starts = Início
console-col-ends = Fim
console-col-title = Título
console-col-contact = Contacto
console-nationwide = Todo o país
console-open_ended = Sem data de fim
console-unlimited = Sem limite
console-suppressed = oculto
console-suppressed-primary = Oculto: menos de { $t }, o limiar de confidencialidade.
console-suppressed-secondary = Oculto para que nenhum valor oculto possa ser deduzido dos outros.
console-suppressed-legend = As células ocultas protegem grupos pequenos: uma contagem abaixo de { $t }, ou demasiado incerta para ser lida.
console-included = Incluídos: { $list }
console-left_out = Excluído: { $state }: { $reason }
console-why-role = o seu tipo de certificado não recebe dados
console-why-no_policy = { $the_state } não publicou uma política de consentimento: nada é partilhado
console-why-no_grant = a política { $of_state } não lhe partilha estes dados
console-why-expired = a autorização { $of_state } para lhe partilhar estes dados expirou a { $date }
console-why-expired_undated = a autorização { $of_state } para lhe partilhar estes dados expirou
console-why-uncovered = a política { $of_state } não lhe partilha esta desagregação: { $dims }
console-own_data = dados próprios
console-policy_version = política versão { $v }
console-none = nenhum
console-verify-title = Verificar um recibo de retorno
console-verify-hint = Escreva o código do recibo da pessoa, ou carregue uma fotografia do seu código QR. Só vê o que o Estado de origem permite ao seu consulado ver.
console-verify-code = Código do recibo
console-verify-run = Verificar
console-verify-image = Ou uma fotografia do código QR
console-verify-yes = VERIFICADO: está registado um retorno { $to_state }
console-verify-no = NÃO VERIFICADO: nenhum retorno que o seu consulado possa verificar corresponde a este código
console-verify-return_month = Mês do retorno
console-verify-mode = Modo
console-verify-host_country = Regressou de
console-verify-return_type = Tipo de retorno
console-verify-assisted = Apoio à reintegração
console-verify-policy = Segundo a política { $of_state }, versão { $v }
console-verify-attestation_valid = O atestado do código QR é válido: assinado pelo nó { $of_state }.
console-verify-attestation_invalid = O atestado do código QR NÃO é válido: { $error }
console-yes = Sim
console-not_yet = Ainda não
console-footer = Servido apenas neste computador; cada pedido vai para o gateway regional em TLS mútuo, com o seu certificado.
console-error-session = Esta página não foi aberta com o endereço indicado por `midwa console`. Abra de novo esse endereço.
console-error-host = Abra esta página no endereço indicado por `midwa console` (127.0.0.1), não com outro nome.
console-error-question = A consola não pôde fazer esta pergunta (detalhe em inglês): { $detail }
console-error-refused = O gateway regional recusou o pedido (motivo em inglês): { $detail }
console-error-forbidden = O gateway regional não o permite ao seu certificado (motivo em inglês): { $detail }
console-error-busy = O gateway regional está ocupado: tente de novo dentro de momentos. ({ $detail })
console-error-gateway = O gateway regional está inacessível ou não pôde responder (detalhe em inglês): { $detail }
console-error-internal = A consola falhou; veja o terminal onde corre `midwa console`.
console-error-code = Isto não é um código de recibo: são precisas 12 letras e algarismos, por exemplo 7K3M-Q9TD-2HXA (hífenes e espaços opcionais).
console-error-not_image = O ficheiro não é uma imagem PNG ou JPEG.
console-error-no_qr = Não foi possível ler nenhum código QR na imagem; tente uma fotografia mais nítida e mais direita.
console-error-not_receipt = Este código QR não é um recibo MIDWA.
console-suppressed-uncertain = Oculto: demasiado incerto, o seu ruído seria mais de um terço do valor.
console-col-error = ± (95 %)
console-noise = Cada número tem um pequeno ruído para que ninguém possa ser identificado: cada contagem está dentro do seu ± do valor real 95 % das vezes (aqui no máximo ±{ $e }). Perguntar de novo dá os mesmos números. Meses até { $last }.
console-privacy = Privacidade { $of_state }: { $spent } gasto de um orçamento de { $budget } (ρ zCDP; ε { $epsilon } para δ { $delta }).
console-why-budget = { $the_state } esgotou o seu orçamento de privacidade: nada mais dos seus dados é divulgado
console-why-filtered = não pedido
console-term-mode-air = Aéreo
console-term-mode-land = Terrestre
console-term-mode-sea = Marítimo
console-term-mode-unknown = Desconhecido
console-term-sex-F = Mulheres
console-term-sex-M = Homens
console-term-sex-X = Outro
console-term-return_type-avrr = Voluntário assistido
console-term-return_type-vhr = Humanitário
console-term-return_type-forced = Forçado
console-term-return_type-spontaneous = Espontâneo
console-term-vulnerability-none = Nenhuma
console-term-vulnerability-single_woman = Mulher sozinha
console-term-vulnerability-victim_of_trafficking = Vítima de tráfico
console-term-vulnerability-unaccompanied_minor = Menor não acompanhado
console-term-vulnerability-older_migrant = Migrante idoso
console-term-vulnerability-disability = Deficiência
console-term-vulnerability-medical_need = Necessidade médica
console-term-assistance_category-economic = Económica
console-term-assistance_category-social = Social
console-term-assistance_category-psychosocial = Psicossocial
console-term-kind-training = Formação
console-term-kind-business = Negócio
console-term-kind-employment = Emprego
console-term-sector-agriculture = Agricultura
console-term-sector-livestock = Pecuária
console-term-sector-fisheries = Pescas
console-term-sector-manufacturing = Indústria
console-term-sector-construction = Construção
console-term-sector-trade = Comércio
console-term-sector-transport = Transportes
console-term-sector-hospitality = Hotelaria e restauração
console-term-sector-ict = TIC
console-term-sector-health = Saúde
console-term-sector-education = Educação
console-term-sector-crafts = Artesanato
console-term-sector-energy = Energia
console-term-sector-services = Serviços
console-term-sector-other = Outro

## A consola: os Estados como uma frase os nomeia (o Estado, do Estado, ao Estado)

console-form-the-BJ = o Benim
console-form-of-BJ = do Benim
console-form-to-BJ = ao Benim
console-form-the-BF = o Burquina Faso
console-form-of-BF = do Burquina Faso
console-form-to-BF = ao Burquina Faso
console-form-the-CV = Cabo Verde
console-form-of-CV = de Cabo Verde
console-form-to-CV = a Cabo Verde
console-form-the-CI = a Costa do Marfim
console-form-of-CI = da Costa do Marfim
console-form-to-CI = à Costa do Marfim
console-form-the-GM = a Gâmbia
console-form-of-GM = da Gâmbia
console-form-to-GM = à Gâmbia
console-form-the-GH = o Gana
console-form-of-GH = do Gana
console-form-to-GH = ao Gana
console-form-the-GN = a Guiné
console-form-of-GN = da Guiné
console-form-to-GN = à Guiné
console-form-the-GW = a Guiné-Bissau
console-form-of-GW = da Guiné-Bissau
console-form-to-GW = à Guiné-Bissau
console-form-the-LR = a Libéria
console-form-of-LR = da Libéria
console-form-to-LR = à Libéria
console-form-the-ML = o Mali
console-form-of-ML = do Mali
console-form-to-ML = ao Mali
console-form-the-MR = a Mauritânia
console-form-of-MR = da Mauritânia
console-form-to-MR = à Mauritânia
console-form-the-NE = o Níger
console-form-of-NE = do Níger
console-form-to-NE = ao Níger
console-form-the-NG = a Nigéria
console-form-of-NG = da Nigéria
console-form-to-NG = à Nigéria
console-form-the-SN = o Senegal
console-form-of-SN = do Senegal
console-form-to-SN = ao Senegal
console-form-the-SL = a Serra Leoa
console-form-of-SL = da Serra Leoa
console-form-to-SL = à Serra Leoa
console-form-the-TG = o Togo
console-form-of-TG = do Togo
console-form-to-TG = ao Togo
console-form-the-any = { $name }
console-form-of-any = de { $name }
console-form-to-any = para { $name }
console-unit-word-month = mês
console-unit-word-quarter = trimestre
console-unit-word-year = ano
console-by-word-mode = modo
console-by-word-origin = Estado
console-breakdown = Desagregar por
console-by-mode = Modo
console-by-origin = Estados lado a lado
console-range = Meses
console-range-all = Todos
console-range-last12 = Últimos 12 meses
console-range-this_year = Este ano
console-range-last_year = O ano passado
console-range-custom = Meses escolhidos
console-chart = Gráfico
console-chart-lines = Linhas
console-chart-bars = Barras
console-pivot = Períodos em colunas
console-hint-hidden_month = A maioria dos números está oculta a este nível de detalhe: escolha trimestres ou anos para os ver.
console-hint-hidden_quarter = A maioria dos números está oculta a este nível de detalhe: escolha anos para os ver.
console-hint-hidden_year = A maioria dos números está oculta a este nível de detalhe: peça menos desagregações.
console-placeholder-month = mm/aaaa
console-placeholder-date = dd/mm/aaaa
console-error-month = { $detail } não é um mês: escreva-o mm/aaaa, por exemplo 03/2025.
console-error-date = { $detail } não é uma data: escreva-a dd/mm/aaaa, por exemplo 15/03/2025.
console-export-as = Exportar para ferramentas estatísticas:
console-completeness-title = Transmissão de dados por Estado
console-completeness-hint = Quando o nó de cada Estado enviou dados novos pela última vez, em quantos dos últimos 30 dias o fez, se está ligado agora, e a sua política de consentimento: uma quebra nos números pode vir de um nó que esteve desligado.
console-col-connected = Nó ligado
console-col-last_delivery = Últimos dados recebidos
console-col-days_reported = Dias com dados (últimos 30)
console-col-policy = Política de consentimento
console-completeness-connected_yes = Sim
console-completeness-connected_no = Não
console-completeness-never = nunca
console-completeness-stale = Sem dados novos há mais de uma semana: os seus números podem estar atrasados.
console-completeness-policy = versão { $v } de { $date }
console-completeness-no_policy = nenhuma

## A ajuda de midwa, midwa-certs e midwa-gateway, e dos comandos comuns às duas linhas de comando

help-common-notice-send = Enviar um aviso de regressos esperados ao seu Estado de origem. Não nomeia ninguém: uma data, um modo, um ponto de chegada, um número e indicadores de vulnerabilidade.
help-common-notice-send-to = O Estado de origem das pessoas regressadas, que recebe o aviso (GH)
help-common-notice-send-date = Data de chegada esperada, AAAA-MM-DD
help-common-notice-send-mode = air (avião), land (terra) ou sea (mar)
help-common-notice-send-arrival_point = Onde chegam: um código de aeroporto (ACC) ou de posto fronteiriço (PAGA-BORDER)
help-common-notice-send-persons = Quantas pessoas são esperadas
help-common-notice-send-vulnerable = Vulnerabilidades entre elas, separadas por vírgulas: single_woman, victim_of_trafficking, unaccompanied_minor, older_migrant, disability, medical_need
help-common-notice-send-from = O país de onde regressam (obrigatório para consulados; por omissão o Estado do nó)
help-common-notice-send-id = O identificador do aviso (32 algarismos hexadecimais), para reenviar um aviso cuja resposta se perdeu; novo por omissão
help-common-notice-sent = Os avisos enviados com este certificado, e se cada um chegou ao destinatário.
help-common-notice-summary = Para a coordenação regional: os avisos de toda a região, contados por origem, mês esperado e modo.
help-common-notice-summary-from = Primeiro mês esperado, AAAA-MM
help-common-notice-summary-to = Último mês esperado, AAAA-MM
help-common-arg-states = Só estes Estados publicadores, separados por vírgulas
help-common-arg-kinds = Só estes tipos: training (formação), business (negócio), employment (emprego)
help-common-arg-sectors = Só estes setores (agriculture, ict, ...)
help-common-arg-regions = Só nestas regiões (GH-AA), ou em todo o território do seu Estado
help-common-arg-open_on = Só as abertas neste dia, AAAA-MM-DD
help-common-arg-withdrawn = Também as retiradas
help-common-arg-format = Formato de saída
help-common-arg-origin = O Estado de origem cujos eventos receber (GH)
help-common-arg-out = O ficheiro de linhas JSON para onde vão os eventos; reiniciado, retoma onde parou
help-common-arg-once = Parar depois de receber tudo o que está guardado, em vez de seguir os novos eventos
help-midwa = MIDWA Exchange para a coordenação regional e os consulados: interroga a porta de ligação regional por TLS mútuo, com o certificado desta parte.
help-midwa-config = O ficheiro de configuração (ver deploy/client.toml)
help-midwa-lang = A língua das mensagens: en, fr ou pt (por omissão: a da configuração, depois LANG)
help-midwa-query = Agregados da região: cada origem contribui o que a sua política de consentimento lhe concede. Cada número tem ruído (privacidade diferencial) e vem com o seu erro a 95 %; as contagens pequenas ou incertas são ocultadas. Medidas: returns, assisted_persons, assessments, closures, mean_scores, coverage. Dimensões: period, origin, host_country, mode, return_type, sex, age_band, vulnerability, vulnerability_flag, assistance_category, assistance_type, outcome.
help-midwa-query-metric = O que contar
help-midwa-query-by = Dimensões de desagregação, separadas por vírgulas (ou a opção repetida)
help-midwa-query-unit = Unidade da dimensão período: month (mês), quarter (trimestre) ou year (ano)
help-midwa-query-filters = Manter só as células em que uma dimensão tem um dos valores: sex=F, host_country=LY,NE. Repetir para várias dimensões
help-midwa-query-from = Primeiro mês, AAAA-MM
help-midwa-query-to = Último mês, AAAA-MM
help-midwa-query-format = Formato de saída: table, csv, json, ou para ferramentas estatísticas sdmx (SDMX-CSV 2.0), dhis2 (um conjunto de valores; exige --by period,origin) ou hxl (docs/exports.md)
help-midwa-verify = Verificar um regresso a partir do código de recibo que a pessoa tem (consulados). Sai com 1 se não for verificado.
help-midwa-verify-code = O código do recibo, como 7K3M-Q9TD-2HXA
help-midwa-notice = Avisos transfronteiriços: os consulados anunciam a um Estado de origem regressos esperados; a coordenação vê-os contados para toda a região.
help-midwa-opportunities = As oportunidades de reintegração que os Estados publicam, na medida em que as suas políticas lhas mostram.
help-midwa-subscribe = Receber os registos anonimizados de um Estado à medida que chegam, na medida em que a sua política lhos concede, num ficheiro de linhas JSON; reiniciado, retoma. Ctrl-C para-o.
help-midwa-console = Servir a consola, uma página web em inglês, francês e português, só nesta máquina: a situação regional para a coordenação, a verificação de recibos para os consulados. Ctrl-C para-a.
help-midwa-console-listen = Onde escutar (um endereço de loopback)
help-midwa-check-attestation = Verificar sem ligação o atestado de uma pessoa regressada, com a autoridade de certificação regional da configuração (sem ligação à porta de ligação). Sai com 1 se não for válido.
help-midwa-check-attestation-attestation = O texto do atestado (MIDWA1....), ou @FICHEIRO para o ler de um ficheiro
help-midwa-check-attestation-code = O código de recibo a que tem de pertencer
help-certs = A autoridade de certificação regional MIDWA: criá-la, emitir certificados para nós, portas de ligação, coordenações e consulados, revogá-los e publicar a lista de revogação.
help-certs-lang = A língua das mensagens: en, fr ou pt (por omissão: LANG)
help-certs-init-ca_dir = Pasta da autoridade de certificação
help-certs-revoke-ca_dir = Pasta da autoridade de certificação
help-certs-crl-ca_dir = Pasta da autoridade de certificação
help-certs-list-ca_dir = Pasta da autoridade de certificação
help-certs-issue-ca_dir = Pasta da autoridade de certificação
help-certs-init = Criar a autoridade de certificação regional: ca.pem, ca.key (0600), registry.toml e um crl.pem vazio.
help-certs-init-trust_domain = Domínio de confiança de todas as identidades, como midwa.example
help-certs-init-name = Nome comum do certificado da autoridade
help-certs-init-days = Validade do certificado da autoridade, em dias
help-certs-init-force = Substituir uma autoridade existente. Todos os certificados que emitiu deixam de funcionar
help-certs-issue = Emitir um certificado e a sua chave; escreve cert.pem, key.pem (0600) e ca.pem em --out.
help-certs-issue-out = Onde escrever cert.pem, key.pem e ca.pem
help-certs-issue-days = Validade em dias
help-certs-issue-force = Substituir os ficheiros já existentes em --out
help-certs-issue-node = O nó de um Estado.
help-certs-issue-node-state = Código ISO 3166-1 alfa-2 do Estado, como CV
help-certs-issue-gateway = A porta de ligação regional (um servidor: indique os nomes e endereços pelos quais é contactada).
help-certs-issue-gateway-name = Nome da porta de ligação
help-certs-issue-gateway-dns = Nome de anfitrião pelo qual a porta de ligação é contactada (repetível)
help-certs-issue-gateway-ip = Endereço IP pelo qual a porta de ligação é contactada (repetível)
help-certs-issue-coordinator = Uma coordenação regional.
help-certs-issue-coordinator-name = Nome da coordenação, como ecowas-commission
help-certs-issue-consulate = Um consulado de um Estado.
help-certs-issue-consulate-state = Código ISO 3166-1 alfa-2 do Estado que representa
help-certs-issue-consulate-post = O posto, como tripoli
help-certs-revoke = Revogar um certificado e publicar uma nova lista de revogação.
help-certs-revoke-serial = Número de série (hexadecimal), como inspect ou list o mostra
help-certs-revoke-cert = O ficheiro do certificado a revogar
help-certs-revoke-reason = Porquê: unspecified, key-compromise, affiliation-changed, superseded ou cessation-of-operation
help-certs-crl = Publicar uma nova lista de revogação (antes que a atual expire).
help-certs-crl-days = Validade da lista de revogação, em dias
help-certs-inspect = Mostrar o que diz um certificado: identidade, papel, número de série, validade, emissor.
help-certs-inspect-file = Um certificado PEM ou DER
help-certs-list = Listar todos os certificados emitidos pela autoridade, e os que estão revogados.
help-gateway = A porta de ligação regional MIDWA: recebe por TLS mútuo os eventos anonimizados dos nós dos Estados e guarda-os de forma duradoura. SIGINT ou SIGTERM param-na de forma limpa; SIGHUP recarrega de imediato a lista de revogação e o certificado da porta de ligação.
help-gateway-config = O ficheiro de configuração (ver deploy/gateway.toml)
help-gateway-log_json = Registar em linhas JSON
help-gateway-lang = A língua das mensagens: en, fr ou pt (por omissão: LANG)

## O que os outros comandos relatam

policy-none = { $state }: nenhuma política na porta de ligação: nada deste Estado é partilhado
policy-in-force = { $state }: política versão { $version } em vigor desde { $since }, { $grants ->
    [one] { $grants } autorização
   *[other] { $grants } autorizações
}
policy-budget = orçamento de privacidade (rho zCDP por pessoa): { $budget } ({ $whose }); gasto pelos agregados medidos até agora: { $spent }, restam { $left } (epsilon { $epsilon } para delta { $delta })
policy-budget-own = o desta política
policy-budget-region = o da região
policy-label-recipient = destinatário
policy-label-data = dados
policy-label-dimensions = dimensões
policy-label-purpose = finalidade
policy-label-expires = expira
policy-label-threshold = limiar
policy-totals-only = (só totais)
policy-never = nunca
policy-pushed = a política versão { $version } está em vigor para { $state }
policy-expired-grant = atenção: a autorização de { $data } a { $recipient } expirou em { $date }: não liberta nada
policy-valid = { $file }: { $grants ->
    [one] { $grants } autorização
   *[other] { $grants } autorizações
}, válida
erase-done-all = apagamento registado (sequência { $seq }): { $count ->
    [one] { $count } evento esquecido
   *[other] { $count } eventos esquecidos
} aqui; a porta de ligação apaga tudo o que diz respeito à pessoa assim que o receber
erase-done-one = apagamento registado (sequência { $seq }): { $count ->
    [one] { $count } evento esquecido
   *[other] { $count } eventos esquecidos
} aqui; a porta de ligação apaga o evento assim que o receber
erase-assistance-form = --assistance: escreva DATA:TIPO
access-log-intact = { $count } entradas; a cadeia está intacta e prolonga o que foi lido antes
access-log-fails = O REGISTO DE ACESSOS FALHA A VERIFICAÇÃO: { $why }. Comunique-o ao operador regional e guarde esta saída.
backup-done = { $from } copiado para { $to }; para restaurar, copie-o de volta (modo 0600) antes de arrancar o nó
qr-done = recibo { $code } desenhado em { $path }
node-listening = midwa-node à escuta em { $socket }
holdings-head = a porta de ligação guarda de { $state } até à sequência { $seq }:
holdings-counts = regressos { $returns }, assistências { $assistance }, avaliações { $assessments }, encerramentos { $closures }, retiradas { $retractions }
verify-not = { $code }: NÃO VERIFICADO: nenhum registo de regresso que o seu consulado possa verificar corresponde a este código
verify-yes = { $code }: VERIFICADO: está registado um regresso a { $origin }
verify-label-return_month = mês do regresso
verify-label-mode = modo
verify-label-host_country = país de acolhimento
verify-label-return_type = tipo de regresso
verify-label-assisted = assistido
verify-assisted-yes = sim
verify-assisted-not_yet = ainda não
verify-under = (segundo a política versão { $version } de { $origin })
attestation-invalid = NÃO VÁLIDO: { $why }
attestation-valid = VÁLIDO: assinado pelo nó de { $origin }
attestation-label-month = mês do regresso
attestation-label-mode = modo
attestation-label-signed = assinado em

## Certificados e listas de revogação

tls-cannot-read = não é possível ler { $path }: { $why }
tls-invalid = { $path }: { $why }
tls-wrong-role = { $path } é o certificado de um(a) { $found }, mas este programa precisa de um certificado do tipo { $expected }
tls-no-ca-cert = nenhum certificado encontrado; esperava-se o certificado da autoridade regional (ca.pem)
tls-no-cert = nenhum certificado encontrado; esperava-se um certificado PEM emitido por midwa-certs
tls-no-key = não foi possível ler nenhuma chave privada ({ $detail }); esperava-se a chave PEM emitida com o certificado
tls-bad-ca = não é um certificado de autoridade utilizável: { $detail }
tls-not-pem = não é um certificado PEM: { $detail }
tls-not-x509 = X.509 inválido: { $detail }
tls-ca-not-x509 = certificado da autoridade X.509 inválido: { $detail }
tls-not-issued = não foi emitido pela autoridade regional indicada; peça um certificado ao operador regional
tls-expired = expirou em { $date }; peça um novo certificado
tls-not-yet = não é válido antes de { $date }; verifique o relógio desta máquina
crl-not-pem = não é uma lista de revogação PEM ({ $detail }); publique uma com `midwa-certs crl`
crl-invalid = lista de revogação inválida: { $detail }
crl-ca-unparsable = o certificado da autoridade é ilegível: { $detail }
crl-not-signed = não assinada pela autoridade regional; publique-a com `midwa-certs crl` a partir da pasta da autoridade
crl-expired = expirou em { $date }; publique uma nova com `midwa-certs crl`

## As respostas de midwa query

query-title = { $metric } (limiar { $threshold }; meses de { $first } a { $last })
query-title-by = { $metric } por { $dims } (limiar { $threshold }; meses de { $first } a { $last })
query-col-count = contagem
query-col-persons = pessoas
query-col-surveys = inquéritos
query-col-error = erro (95 %)
query-col-share = parte
query-noisy = Os números têm ruído para que ninguém possa ser identificado: cada contagem está dentro do seu erro do valor real 95 % das vezes (aqui no máximo +/- { $error }). Perguntar de novo dá os mesmos números.
query-hidden = x: oculto: uma contagem inferior a { $threshold } ou demasiado incerta (o seu ruído passa de um terço do valor), ou uma média de menos de 20 inquéritos
origins-included = incluídos: { $list }
origins-none = nenhum
origins-own-data = dados próprios
origins-policy-version = política versão { $version }
origins-left-out = excluído: { $state }: { $reason }
origins-privacy = orçamento de privacidade rho { $budget }, { $spent } gasto (epsilon { $epsilon } para delta { $delta })
query-total = total

## midwa-certs e oportunidades

certs-created = autoridade de certificação regional criada para { $domain } em { $dir }
certs-keep-offline = guarde { $key } sem ligação; dê ca.pem a cada parte e crl.pem à porta de ligação
certs-give-serial = indique --serial ou --cert
certs-revoked = { $serial } revogado; { $crl } publicada
certs-copy-crl = copie-a para o caminho crl da porta de ligação: ela recarrega-a sem reiniciar
certs-published = { $path } publicada ({ $revoked } revogados, válida { $days } dias)
certs-col-serial = número de série
certs-col-status = estado
certs-col-until = válido até
certs-col-identity = identidade
certs-status-active = ativo
certs-status-revoked = revogado
certs-bad-value = { $value } não é um(a) { $what } válido(a)
certs-what-state = código de Estado (duas maiúsculas, como CV)
certs-what-name = nome (a-z, 0-9, '-')
certs-gateway-names = um certificado de porta de ligação precisa dos nomes pelos quais os nós a contactam: indique --dns ANFITRIÃO e/ou --ip ENDEREÇO
certs-days = --days tem de ser pelo menos 1
certs-give-out = indique --out PASTA: onde escrever cert.pem, key.pem e ca.pem
certs-issued = { $role } emitido como { $uri } (número de série { $serial }) em { $out }
opportunity-published = { $id }: publicada, versão { $version }
opportunity-withdrawn = { $id }: retirada (versão { $version })
opportunity-refused = a porta de ligação recusou a oportunidade { $id }: { $why }
opportunities-none = nenhuma oportunidade corresponde
opportunities-nationwide = todo o território
opportunities-open = aberta
opportunities-withdrawn = retirada
opportunities-col-state = Estado
opportunities-col-id = identificador
opportunities-col-kind = tipo
opportunities-col-sector = setor
opportunities-col-region = região
opportunities-col-capacity = vagas
opportunities-col-starts = início
opportunities-col-ends = fim
opportunities-col-title = título
opportunities-col-contact_office = serviço de contacto
opportunities-col-contact = contacto
opportunities-col-status = estado
subscribe-refused = a porta de ligação recusou a subscrição: { $why }
subscribe-ended = a porta de ligação terminou a subscrição: { $why }
subscribe-summary = { $count } eventos de { $origin } escritos em { $out } (cursor { $cursor })
access-log-policy = política v{ $version }
access-log-privacy = privacidade: rho { $spent } gasto de { $budget }
policy-file-grant = [[grant]] número { $number }, campo { $field }: { $why }
opportunities-file-empty = nenhuma tabela [[opportunity]]; ver deploy/opportunities.toml
opportunities-file-entry = opportunity[{ $number }].{ $why }
opportunities-file-twice = opportunity[{ $number }].id: { $id } aparece duas vezes
connect-revoked = a porta de ligação recusa este certificado: foi revogado; peça um novo ao operador regional
connect-expired = a porta de ligação recusa este certificado: expirou; peça um novo ao operador regional
connect-not-accepted = a porta de ligação não aceita este certificado (não emitido pela autoridade desta região?); verifique os ficheiros tls da configuração, ou pergunte ao operador regional
connect-lost = a ligação à porta de ligação foi fechada antes da resposta ({ $detail }); se isto continuar, este certificado pode ter sido revogado: pergunte ao operador regional
