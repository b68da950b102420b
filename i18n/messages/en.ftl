# MIDWA Exchange: what users read, in English.
# fr.ftl and pt.ftl hold the same messages with the same arguments (a test checks it).
# Message identifiers: cli-* the command lines' common words; help-<binary>-<command>-<arg> the
# help of commands and options; import-*, header-*, row-*, value-* importing files; config-*
# configuration files; query-* questions to the gateway.

## Text in the words of the library that gave it

plain = { $text }

## Command lines

cli-usage = Usage:
cli-options = Options
cli-arguments = Arguments
cli-commands = Commands
cli-command = COMMAND
cli-help = Print help
cli-version = Print version
cli-failed = error: { $message }

## midwa-node's help

help-node = The MIDWA state node: anonymises the national agency's records and publishes them to the regional gateway over mutual TLS.
help-node-config = The configuration file (see deploy/node.toml)
help-node-log_json = Log as JSON lines
help-node-lang = The language of messages: en, fr or pt (default: the configuration's, then LANG)
help-node-run = Run the node: local API and publishing. SIGINT or SIGTERM stop it cleanly.
help-node-status = Show what the node has recorded and what the gateway holds.
help-node-holdings = Ask the gateway, over mTLS, what it holds from this state.
help-node-import = Import a CSV file of returns, assistance, assessments or closures (see docs/formats/en.md) into the running node. Nothing is recorded unless every row is valid; importing the same file again records nothing new.
help-node-import-file = The CSV file (with --template: the file to write)
help-node-import-check = Check every row, record nothing
help-node-import-receipts = Write the receipts of the file's returns to a CSV file (person_id, receipt) instead of printing them; by default beside the input, as NAME.receipts.csv
help-node-import-force = Replace an existing receipts file
help-node-import-attestations = Also sign an attestation of each return (a column of the receipts file), which any consulate checks offline
help-node-import-template = Write an empty file of this kind (returns, assistance, assessments, closures) to FILE instead of importing: its header, and the notes on its columns in your language
help-node-erase = Erase what was published about a person (data-subject erasure, or an error): everything, or one record. The gateway deletes it and the person's receipts stop verifying.
help-node-erase-person_id = The agency's identifier of the person
help-node-erase-return = Only the return of this date (YYYY-MM-DD)
help-node-erase-assistance = Only the assistance of this date and type, as DATE:TYPE
help-node-erase-assessment = Only the assessment of this date
help-node-erase-closure = Only the closure of this date
help-node-access-log = Fetch and check this state's access log at the gateway: who received its data, or was refused, when, under which policy version.
help-node-access-log-from = Print only the entries from this index on (all are checked)
help-node-policy = The state's consent policy at the gateway.
help-node-policy-push = Check a policy file (see deploy/policy.toml) and make it the policy in force.
help-node-policy-push-file = The policy file
help-node-policy-check = Check a policy file without pushing it.
help-node-policy-check-file = The policy file
help-node-policy-show = Print the policy in force at the gateway.
help-node-receipt-qr = Draw a returnee's receipt as a QR code to print (SVG) or send (PNG).
help-node-receipt-qr-code = The receipt code
help-node-receipt-qr-attestation = The attestation text, or @FILE
help-node-receipt-qr-out = The file to write, NAME.svg or NAME.png; it must not exist unless --force
help-node-receipt-qr-force = Replace an existing file
help-node-notices = The cross-border notices other states and consulates sent this state, newest first.
help-node-notice = Send a notice of expected returns to their state of origin, or see those sent.
help-node-opportunity = Reintegration opportunities: publish, update and withdraw this state's own; list those others let this state see.
help-node-opportunity-publish = Publish the opportunities of a file (see deploy/opportunities.toml).
help-node-opportunity-publish-file = The opportunities file
help-node-opportunity-withdraw = Withdraw one of this state's opportunities.
help-node-opportunity-withdraw-id = Its id
help-node-opportunity-list = List opportunities.
help-node-subscribe = Receive another state's anonymised records, as far as its policy grants them, into a JSON-lines file; started again, it resumes.
help-node-backup-key = Copy the node's secret key to a backup file (mode 0600). Without the key, the same person gets a new pseudonym.
help-node-backup-key-to = Where to write the copy; it must not exist unless --force
help-node-backup-key-force = Replace an existing file

## Importing a file (midwa-node import)

import-cannot-open = cannot open { $path }: { $why }
import-cannot-read = cannot read { $path }: { $why }
import-node-unreachable = cannot reach the node at { $socket }: { $why }. Is it running (midwa-node run), and may this user open its socket?
import-refused = the node refused the import: { $why }
import-no-summary = the node ended the import without a summary
import-receipt = { $file }: line { $line }: receipt { $code }
import-problem = { $file }: { $problem }
import-attestation =   attestation { $attestation }
import-problems-listed = { $file }: only the first { $count } problems are listed
import-receipts-written = { $count } receipts written to { $path } (keep it on this machine: it links person ids to receipts)
import-conflicts = { $file }: { $count ->
    [one] one row conflicted
   *[other] { $count } rows conflicted
} with records imported meanwhile by another import; they were not recorded
import-summary-check = { $file }: { $rows } { $kind } rows, all valid; { $new } would be recorded, { $already } are already recorded (nothing was recorded: --check)
import-summary-nothing-new = { $file }: { $rows } { $kind } rows, nothing new: every row was already recorded
import-summary-recorded = { $file }: { $rows } { $kind } rows: { $recorded } recorded now, { $already } already recorded
import-progress-checking = checking
import-progress-recording = recording
import-progress-line = { $file }: { $phase } { $percent } %, { $rows } rows, { $rate } rows/s, about { $left } s left
import-progress-bar = { $phase } { $rows } rows, { $rate }/s, { $left } s left
import-receipts-exist = { $path } exists; pass --force to replace it, or name another file with --receipts
import-receipts-cannot-write = cannot write { $path }: { $why }
import-input-changed = the input file changed during the import; import it again
import-header-first = the header must be corrected first; nothing was recorded
import-invalid = { $invalid } of { $rows } rows cannot be imported; nothing was recorded. Correct the file and import it again (its format: docs/formats/en.md, or midwa-node import --template)
import-client-gone = the client went away; nothing was recorded
import-client-gone-after = the client went away after { $count } rows were recorded; import the file again to record the rest
import-unavailable = the node cannot record right now (see its log); nothing was recorded
import-failed-after = the node's database failed after { $count } rows were recorded (see its log); import the file again once it is fixed: rows already recorded are recognised
import-staging-damaged = the node's staging file is damaged (see its log); import the file again
import-template-written = { $path }: an empty { $kind } file with its header; the notes on its columns are in { $notes }
import-template-exists = { $path } exists; choose another name, or remove it first
import-template-unknown = { $kind } is not a kind of file; write returns, assistance, assessments or closures

## Where a problem is

problem-at-line = line { $line }: { $reason }
problem-at-column = line { $line }, { $column }: { $reason }
problem-at-cell = line { $line }, column { $letter } ({ $column }): { $reason }
problem-and-more = { $first } (and { $more ->
    [one] one more problem
   *[other] { $more } more problems
} on this line)

## The header of a file

header-empty-file = the file is empty; a header row is required
header-not-utf8 = the header is not UTF-8 text; save the file as CSV UTF-8
header-twice = appears twice in the header (also column { $letter })
header-unknown-column = not a column of a { $kind } file; its columns are { $columns }
header-not-recognised = the header is not that of a returns, assistance, assessments or closures file (see docs/formats/en.md, or midwa-node import --template); found: { $found }
header-lacks-columns = looks like { $kind }.csv but lacks { $count ->
    [one] the required column
   *[other] the required columns
} { $columns }
csv-invalid = not valid CSV: { $detail }
csv-unreadable = cannot read the file: { $detail }

## A row and its values

row-field-count = has { $found } fields where the header has { $expected }; check for a stray or missing separator
row-same-as = same { $identity } as line { $first } but different content; keep one of the two rows
row-already-different = a different record with the same { $identity } is already recorded; to correct it, erase the old one first
row-unreadable = the node's database cannot be read (see its log); nothing was recorded
identity-returns = person_id and return_date
identity-assistance = person_id, date and type
identity-dated = person_id and date
value-not-utf8 = is not UTF-8 text; save the file as CSV UTF-8
value-required = required but empty
value-not-score = { $value } is not a number; write scores such as 0.75
value-score-range = { $value } is not a number between 0 and 1
value-not-date = { $value } is not a date of the form YYYY-MM-DD
value-future = { $value } is in the future
value-before-1950 = { $value } is before 1950
value-born-after-return = is after the return date
value-not-own-national = { $nationality } is not this node's state ({ $state }); each state's node records its own nationals
value-not-own-region = { $region } is not a subdivision of { $state }
value-no-return = no return is recorded on this node for this person; import the return first
value-before-return = is before the person's return ({ $month })
value-index-unreadable = the node cannot read its index of returns; check the disk and restart the node
value-country = { $value } is not an ISO 3166-1 alpha-2 country code (two capital letters, such as NG)
value-month = { $value } is not a month of the form YYYY-MM between 1950-01 and 2199-12
value-arrival-point = { $value } is not an arrival point code (2 to 16 characters of A-Z, 0-9 and '-')
value-subdivision = { $value } is not an ISO 3166-2 subdivision code such as NG-LA
value-term = { $value } is not one of: { $accepted }
value-term-or-empty = { $value } is not one of: { $accepted } (or empty if unknown)
value-no-kind = a record must be a return, assistance, assessment or closure

## Configuration files

config-cannot-read = cannot read the configuration { $path }: { $why }
config-invalid = configuration { $path }: { $why }
config-toml = not a valid configuration file: { $detail }
config-field = { $field }: { $why }
config-range = { $field }: must be between { $min } and { $max }
config-backoff = publish: backoff_min_ms must be at least 1 and at most backoff_max_ms
io-not-found = no such file or directory
io-permission = permission denied (check the file's owner and mode)

## Questions to the gateway (midwa query)

query-too-many = too many queries; try again in { $seconds } s
query-refused = the gateway refused the question: { $why }
query-not-metric = metric { $value } is not one of: { $accepted }
query-not-dimension = { $value } is not a dimension; the dimensions are: { $accepted }
query-cannot-group = { $metric } cannot be grouped or filtered by { $dimension }
query-grouped-twice = { $dimension } is grouped by twice
query-not-period = period unit { $value } is not one of: month, quarter, year
query-empty-filter = the filter on { $dimension } has no values
query-bad-filter = filter on { $dimension }: { $why }

## Templates and the columns of the files

template-required = required
template-optional = optional
column-person_id = the agency's own stable identifier of the person (case number or national ID); it never leaves the node: it becomes a pseudonym
column-person_id-follow-up = the person's identifier, as in the returns file; the person's return must be recorded on this node first
column-ignored = ignored: never stored, never sent
column-date_of_birth = date, YYYY-MM-DD; becomes an age band at the return date (empty: unknown)
column-nationality = ISO 3166-1 alpha-2 code (two capital letters); must be this node's state
column-return_date = date, YYYY-MM-DD, not in the future
column-host_country = ISO 3166-1 alpha-2 code of the country the person returned from
column-transit_countries = ISO 3166-1 alpha-2 codes separated by ";" (empty: none known)
column-arrival_point = code of 2 to 16 characters of A-Z, 0-9 and "-", such as an IATA airport code or a border post (empty: unknown)
column-destination_region = ISO 3166-2 code of a subdivision of this node's state, such as NG-LA (empty: unknown)
column-date = date, YYYY-MM-DD, not before the person's return and not in the future
column-score = a number from 0 to 1, such as 0.75 (0,75 in a semicolon-separated file)
column-one-of = one of: { $values }
column-some-of = none, one or several of, separated by ";": { $values }
config-missing-field = the field { $field } is missing; see the example configuration in deploy/
config-unknown-field = { $field } is not a field of this file (check its spelling); the fields are: { $expected }
config-at-line = line { $line }: { $why }
template-column = { $need }: { $note }

## Notices of expected returns

gateway-refused = the gateway refused: { $why }
notice-line = { $persons ->
    [one] one person
   *[other] { $persons } persons
} expected from { $host } { $by } at { $point } on { $date }
notice-by-air = by air
notice-by-land = by land
notice-by-sea = by sea
notice-unreadable = (unreadable notice)
notice-waiting = waiting for the origin's node
notice-delivered = delivered, not yet acknowledged
notice-acknowledged = acknowledged by the origin's node
notice-state-unknown = unknown
notice-sent = notice { $id } sent to { $origin }: { $notice }
notice-sent-before = notice { $id } was already sent to { $origin }: { $notice }
notice-status = status: { $status }
notice-bad-id = --id { $value }: a notice id is 32 hexadecimal digits
notices-none = no notices
notices-none-sent = no notices sent
notices-none-received = no notices received
notices-col-origin = origin
notices-col-month = month
notices-col-mode = mode
notices-col-notices = notices
notices-col-persons = persons
notices-col-vulnerable = with vulnerabilities
notices-col-acknowledged = acknowledged
notices-col-sent = sent
notices-col-to = to
notices-col-notice = notice
notices-col-status = status
notices-col-id = id
notices-col-received = received
notices-col-from = from
party-node = { $state } node
party-consulate = { $state } consulate ({ $post })
party-coordinator = coordinator { $name }

## midwa-node status

status-label = { $label }:
status-state = state
status-gateway = gateway
status-recorded = recorded
status-at-gateway = at gateway
status-waited = waited
status-refused = refused
status-notices = notices
status-last-error = last error
status-connected = connected
status-not-connected = not connected
status-events = { $count } events
status-at-gateway-value = { $count } events ({ $waiting } waiting)
status-waited-value = p50 { $p50 } ms, p99 { $p99 } ms, all under { $max } ms, from recorded here to held at the gateway ({ $count } events since the node started)
status-refused-value = { $count } events conflicted with what the gateway holds (see the log)
status-notices-value = { $count } received (inbox { $inbox })

## The console (midwa console): its words, then the vocabularies as people read them

console-title = MIDWA Exchange
console-language = Language
console-who-coordinator = Regional coordinator { $name }
console-who-consulate = Consulate { $of_state }, { $post }
console-who-node = National agency { $of_state }
console-origin = Origin
console-all_origins = All origins
console-unit = Period
console-unit-month = Month
console-unit-quarter = Quarter
console-unit-year = Year
console-from = From
console-to = To
console-run = Show
console-export = Export CSV
console-loading = Loading…
console-nothing = Nothing to show.
console-total = Total
console-quarter = Q{ $q } { $y }
console-returns-title = Returns by { $unit } and { $by }
console-returns-hint = Returns by land are shown beside returns by air and by sea.
console-coverage-title = Reintegration coverage
console-coverage-hint = Share of returnees who received reintegration assistance, by category.
console-scores-title = Sustainability of reintegration
console-scores-hint = Mean scores of follow-up assessments (0 to 1), by quarter; means need at least 20 surveys.
console-vulnerable-title = Vulnerable groups
console-notices-title = Expected returns (notices)
console-notices-hint = Returns announced by host and transit states and by consulates, by expected month, before they happen.
console-col-notices = Notices
console-col-persons_expected = Persons expected
console-col-with_vulnerabilities = With vulnerable persons
console-col-acknowledged = Received by the origin
console-opportunities-title = Reintegration opportunities
console-opportunities-open_on = Open on
console-col-period = Period
console-col-origin = Origin
console-col-mode = Mode
console-col-returns = Returns
console-col-category = Assistance category
console-col-assisted = Persons assisted
console-col-share = Share of returnees
console-col-persons = Persons
console-col-surveys = Surveys
console-col-economic = Economic
console-col-social = Social
console-col-psychosocial = Psychosocial
console-col-composite = Composite
console-col-vulnerability = Vulnerability
console-col-state = State
console-col-kind = Kind
console-col-sector = Sector
console-col-region = Region
console-col-capacity = Places
console-col-starts = Starts
console-col-ends = Ends
console-col-title = Title
console-col-contact = Contact
console-nationwide = Nationwide
console-open_ended = Open-ended
console-unlimited = Not limited
console-suppressed = hidden
console-suppressed-primary = Hidden: fewer than { $t }, the disclosure threshold.
console-suppressed-secondary = Hidden so that no hidden value can be worked out from the others.
console-suppressed-legend = Hidden cells protect small groups: a count below { $t }, or one too uncertain to read.
console-included = Included: { $list }
console-left_out = Left out: { $state }: { $reason }
console-why-role = your kind of certificate receives no data
console-why-no_policy = { $the_state } has not published a consent policy, so nothing is shared
console-why-no_grant = the policy { $of_state } does not share this data with you
console-why-expired = the grant { $of_state } to share this data with you expired on { $date }
console-why-expired_undated = the grant { $of_state } to share this data with you has expired
console-why-uncovered = the policy { $of_state } does not share this breakdown with you: { $dims }
console-own_data = own data
console-policy_version = policy version { $v }
console-none = none
console-verify-title = Verify a return receipt
console-verify-hint = Type the code on the returnee's receipt, or load a photo of its QR code. You see only what the state of origin lets your consulate see.
console-verify-code = Receipt code
console-verify-run = Verify
console-verify-image = Or a photo of the QR code
console-verify-yes = VERIFIED: a return { $to_state } is on record
console-verify-no = NOT VERIFIED: no return record that your consulate may verify matches this code
console-verify-return_month = Month of return
console-verify-mode = Mode
console-verify-host_country = Returned from
console-verify-return_type = Type of return
console-verify-assisted = Reintegration assistance
console-verify-policy = Under the policy { $of_state }, version { $v }
console-verify-attestation_valid = The QR code's attestation is valid: signed by the node { $of_state }.
console-verify-attestation_invalid = The attestation in the QR code is NOT valid: { $error }
console-yes = Yes
console-not_yet = Not yet
console-footer = Served on this computer only; every request goes to the regional gateway over mutual TLS with your certificate.
console-error-session = This page was not opened with the address `midwa console` printed. Open that address again.
console-error-host = Open this page at the address `midwa console` printed (127.0.0.1), not under another name.
console-error-question = The console could not ask this question: { $detail }
console-error-refused = The regional gateway refused the request: { $detail }
console-error-forbidden = The regional gateway does not allow this to your certificate: { $detail }
console-error-busy = The regional gateway is busy: try again in a moment. ({ $detail })
console-error-gateway = The regional gateway cannot be reached or could not answer: { $detail }
console-error-internal = The console failed; see the terminal where `midwa console` runs.
console-error-code = This is not a receipt code: expected 12 letters and digits such as 7K3M-Q9TD-2HXA (dashes and spaces optional).
console-error-not_image = The file is not a PNG or JPEG image.
console-error-no_qr = No QR code could be read in the image; try a sharper, straighter photo.
console-error-not_receipt = This QR code is not a MIDWA receipt.
console-suppressed-uncertain = Hidden: too uncertain, its noise would be more than a third of it.
console-col-error = ± (95 %)
console-noise = Every figure is slightly noisy, so that no one can be singled out: each count is within its ± of the true value 95 % of the time (here at most ±{ $e }). Asking again gives the same figures. Months up to { $last }.
console-privacy = Privacy { $of_state }: { $spent } of its budget of { $budget } spent (zCDP ρ; ε { $epsilon } at δ { $delta }).
console-why-budget = { $the_state } has spent its privacy budget: nothing more of its data is released
console-why-filtered = not asked for
console-term-mode-air = Air
console-term-mode-land = Land
console-term-mode-sea = Sea
console-term-mode-unknown = Unknown
console-term-sex-F = Women
console-term-sex-M = Men
console-term-sex-X = Other
console-term-return_type-avrr = Assisted voluntary
console-term-return_type-vhr = Humanitarian
console-term-return_type-forced = Forced
console-term-return_type-spontaneous = Spontaneous
console-term-vulnerability-none = None
console-term-vulnerability-single_woman = Single woman
console-term-vulnerability-victim_of_trafficking = Victim of trafficking
console-term-vulnerability-unaccompanied_minor = Unaccompanied minor
console-term-vulnerability-older_migrant = Older migrant
console-term-vulnerability-disability = Disability
console-term-vulnerability-medical_need = Medical need
console-term-assistance_category-economic = Economic
console-term-assistance_category-social = Social
console-term-assistance_category-psychosocial = Psychosocial
console-term-kind-training = Training
console-term-kind-business = Business
console-term-kind-employment = Employment
console-term-sector-agriculture = Agriculture
console-term-sector-livestock = Livestock
console-term-sector-fisheries = Fisheries
console-term-sector-manufacturing = Manufacturing
console-term-sector-construction = Construction
console-term-sector-trade = Trade
console-term-sector-transport = Transport
console-term-sector-hospitality = Hospitality
console-term-sector-ict = ICT
console-term-sector-health = Health
console-term-sector-education = Education
console-term-sector-crafts = Crafts
console-term-sector-energy = Energy
console-term-sector-services = Services
console-term-sector-other = Other

## The console: states as a sentence names them (the state, of the state, to the state)

console-form-the-BJ = Benin
console-form-of-BJ = of Benin
console-form-to-BJ = to Benin
console-form-the-BF = Burkina Faso
console-form-of-BF = of Burkina Faso
console-form-to-BF = to Burkina Faso
console-form-the-CV = Cabo Verde
console-form-of-CV = of Cabo Verde
console-form-to-CV = to Cabo Verde
console-form-the-CI = Côte d'Ivoire
console-form-of-CI = of Côte d'Ivoire
console-form-to-CI = to Côte d'Ivoire
console-form-the-GM = the Gambia
console-form-of-GM = of the Gambia
console-form-to-GM = to the Gambia
console-form-the-GH = Ghana
console-form-of-GH = of Ghana
console-form-to-GH = to Ghana
console-form-the-GN = Guinea
console-form-of-GN = of Guinea
console-form-to-GN = to Guinea
console-form-the-GW = Guinea-Bissau
console-form-of-GW = of Guinea-Bissau
console-form-to-GW = to Guinea-Bissau
console-form-the-LR = Liberia
console-form-of-LR = of Liberia
console-form-to-LR = to Liberia
console-form-the-ML = Mali
console-form-of-ML = of Mali
console-form-to-ML = to Mali
console-form-the-MR = Mauritania
console-form-of-MR = of Mauritania
console-form-to-MR = to Mauritania
console-form-the-NE = Niger
console-form-of-NE = of Niger
console-form-to-NE = to Niger
console-form-the-NG = Nigeria
console-form-of-NG = of Nigeria
console-form-to-NG = to Nigeria
console-form-the-SN = Senegal
console-form-of-SN = of Senegal
console-form-to-SN = to Senegal
console-form-the-SL = Sierra Leone
console-form-of-SL = of Sierra Leone
console-form-to-SL = to Sierra Leone
console-form-the-TG = Togo
console-form-of-TG = of Togo
console-form-to-TG = to Togo
console-form-the-any = { $name }
console-form-of-any = of { $name }
console-form-to-any = to { $name }
console-unit-word-month = month
console-unit-word-quarter = quarter
console-unit-word-year = year
console-by-word-mode = mode
console-by-word-origin = state
console-breakdown = Break down by
console-by-mode = Mode
console-by-origin = States side by side
console-range = Months
console-range-all = All
console-range-last12 = Last 12 months
console-range-this_year = This year
console-range-last_year = Last year
console-range-custom = Chosen months
console-chart = Chart
console-chart-lines = Lines
console-chart-bars = Bars
console-pivot = Periods as columns
console-hint-hidden_month = Most figures are hidden at this level of detail: choose quarters or years to see them.
console-hint-hidden_quarter = Most figures are hidden at this level of detail: choose years to see them.
console-hint-hidden_year = Most figures are hidden at this level of detail: ask for fewer breakdowns.
console-placeholder-month = mm/yyyy
console-placeholder-date = dd/mm/yyyy
console-error-month = { $detail } is not a month: write it as mm/yyyy, for example 03/2025.
console-error-date = { $detail } is not a date: write it as dd/mm/yyyy, for example 15/03/2025.
console-export-as = Export for statistical tools:
console-completeness-title = Reporting by state
console-completeness-hint = When each state's node last sent new data, on how many of the last 30 days it did, whether it is connected now, and its consent policy: a dip in the figures may be a node that has been away.
console-col-connected = Node connected
console-col-last_delivery = Last data received
console-col-days_reported = Days with data (last 30)
console-col-policy = Consent policy
console-completeness-connected_yes = Yes
console-completeness-connected_no = No
console-completeness-never = never
console-completeness-stale = No new data for more than a week: its figures may be behind.
console-completeness-policy = version { $v } of { $date }
console-completeness-no_policy = none

## The help of midwa, midwa-certs and midwa-gateway, and of the commands both command lines share

help-common-notice-send = Send a notice of expected returns to their state of origin. It names nobody: a date, a mode, an arrival point, how many, and vulnerability flags.
help-common-notice-send-to = The returnees' state of origin, which receives the notice (GH)
help-common-notice-send-date = Expected date of arrival, YYYY-MM-DD
help-common-notice-send-mode = air, land or sea
help-common-notice-send-arrival_point = Where they arrive: an airport (ACC) or border post code (PAGA-BORDER)
help-common-notice-send-persons = How many persons are expected
help-common-notice-send-vulnerable = Vulnerabilities among them, comma separated: single_woman, victim_of_trafficking, unaccompanied_minor, older_migrant, disability, medical_need
help-common-notice-send-from = The country they return from (required for consulates; a node's own state by default)
help-common-notice-send-id = The notice's id (32 hex digits), to send again a notice whose answer was lost; new by default
help-common-notice-sent = The notices sent with this certificate, and whether each reached its addressee.
help-common-notice-summary = For regional coordinators: notices across the region, counted by origin, expected month and mode.
help-common-notice-summary-from = First expected month, YYYY-MM
help-common-notice-summary-to = Last expected month, YYYY-MM
help-common-arg-states = Only these publishing states, comma separated
help-common-arg-kinds = Only these kinds: training, business, employment
help-common-arg-sectors = Only these sectors (agriculture, ict, ...)
help-common-arg-regions = Only in these regions (GH-AA), or nationwide in their state
help-common-arg-open_on = Only those open on this day, YYYY-MM-DD
help-common-arg-withdrawn = Withdrawn ones too
help-common-arg-format = Output format
help-common-arg-origin = The origin state whose events to receive (GH)
help-common-arg-out = The JSON-lines file the events go to; started again, it resumes where it stopped
help-common-arg-once = Stop once everything stored so far is received, instead of following new events
help-midwa = MIDWA Exchange for regional coordinators and consulates: asks the regional gateway over mutual TLS, with this party's certificate.
help-midwa-config = The configuration file (see deploy/client.toml)
help-midwa-lang = The language of messages: en, fr or pt (default: the configuration's, then LANG)
help-midwa-query = Aggregates of the region: each origin contributes what its consent policy grants you. Every figure is noisy (differential privacy) and comes with its 95 % error; small or uncertain counts are hidden. Metrics: returns, assisted_persons, assessments, closures, mean_scores, coverage. Dimensions: period, origin, host_country, mode, return_type, sex, age_band, vulnerability, vulnerability_flag, assistance_category, assistance_type, outcome.
help-midwa-query-metric = What to count
help-midwa-query-by = Dimensions to group by, comma separated (or the flag repeated)
help-midwa-query-unit = Unit of the period dimension: month, quarter or year
help-midwa-query-filters = Keep only cells where a dimension has one of the values: sex=F, host_country=LY,NE. Repeat for several dimensions
help-midwa-query-from = First month, YYYY-MM
help-midwa-query-to = Last month, YYYY-MM
help-midwa-query-format = Output format: table, csv, json, or for statistical tools sdmx (SDMX-CSV 2.0), dhis2 (a data value set; needs --by period,origin) or hxl (docs/exports.md)
help-midwa-verify = Verify a return from the receipt code a returnee holds (consulates). Exits with 1 if not verified.
help-midwa-verify-code = The receipt code, such as 7K3M-Q9TD-2HXA
help-midwa-notice = Cross-border notices: consulates tell a state of origin that returns are expected; coordinators see them counted across the region.
help-midwa-opportunities = Reintegration opportunities the states publish, as far as their policies let you see them.
help-midwa-subscribe = Receive a state's anonymised records as they arrive, as far as its policy grants them to you, into a JSON-lines file; started again, it resumes. Ctrl-C stops it.
help-midwa-console = Serve the console, a web page in English, French and Portuguese, on this machine only: the regional picture for coordinators, receipt verification for consulates. Ctrl-C stops it.
help-midwa-console-listen = Where to listen (a loopback address)
help-midwa-check-attestation = Check a returnee's attestation offline, against the regional CA of the configuration (no connection to the gateway). Exits with 1 if it does not hold.
help-midwa-check-attestation-attestation = The attestation text (MIDWA1....), or @FILE to read it from a file
help-midwa-check-attestation-code = The receipt code it must belong to
help-certs = The MIDWA regional certificate authority: create it, issue certificates to nodes, gateways, coordinators and consulates, revoke them and publish the revocation list.
help-certs-lang = The language of messages: en, fr or pt (default: LANG)
help-certs-init-ca_dir = Directory of the CA
help-certs-revoke-ca_dir = Directory of the CA
help-certs-crl-ca_dir = Directory of the CA
help-certs-list-ca_dir = Directory of the CA
help-certs-issue-ca_dir = Directory of the CA
help-certs-init = Create the regional CA: ca.pem, ca.key (0600), registry.toml and an empty crl.pem.
help-certs-init-trust_domain = Trust domain of every identity, such as midwa.example
help-certs-init-name = Common name of the CA certificate
help-certs-init-days = Validity of the CA certificate, in days
help-certs-init-force = Replace an existing CA. Every certificate it issued stops working
help-certs-issue = Issue a certificate and key; writes cert.pem, key.pem (0600) and ca.pem into --out.
help-certs-issue-out = Where to write cert.pem, key.pem and ca.pem
help-certs-issue-days = Validity in days
help-certs-issue-force = Replace files already in --out
help-certs-issue-node = A state node.
help-certs-issue-node-state = ISO 3166-1 alpha-2 code of the state, such as NG
help-certs-issue-gateway = The regional gateway (a server: give the names and addresses it is reached at).
help-certs-issue-gateway-name = Name of the gateway
help-certs-issue-gateway-dns = Host name the gateway is reached at (repeatable)
help-certs-issue-gateway-ip = IP address the gateway is reached at (repeatable)
help-certs-issue-coordinator = A regional coordinator.
help-certs-issue-coordinator-name = Name of the coordinator, such as ecowas-commission
help-certs-issue-consulate = A consulate of a state.
help-certs-issue-consulate-state = ISO 3166-1 alpha-2 code of the state it represents
help-certs-issue-consulate-post = The post, such as tripoli
help-certs-revoke = Revoke a certificate and publish a new CRL.
help-certs-revoke-serial = Serial number (hex), as inspect or list shows it
help-certs-revoke-cert = The certificate file to revoke
help-certs-revoke-reason = Why: unspecified, key-compromise, affiliation-changed, superseded or cessation-of-operation
help-certs-crl = Publish a fresh CRL (do so before the current one expires).
help-certs-crl-days = Validity of the CRL, in days
help-certs-inspect = Show what a certificate says: identity, role, serial, validity, issuer.
help-certs-inspect-file = A PEM or DER certificate
help-certs-list = List every certificate the CA issued, and which are revoked.
help-gateway = The MIDWA regional gateway: receives state nodes' anonymised events over mutual TLS and stores them durably. SIGINT or SIGTERM stop it cleanly; SIGHUP reloads the CRL and the gateway's certificate at once.
help-gateway-config = The configuration file (see deploy/gateway.toml)
help-gateway-log_json = Log as JSON lines
help-gateway-lang = The language of messages: en, fr or pt (default: LANG)

## What the other commands report

policy-none = { $state }: no policy at the gateway: nothing of this state is shared
policy-in-force = { $state }: policy version { $version } in force since { $since }, { $grants ->
    [one] { $grants } grant
   *[other] { $grants } grants
}
policy-budget = privacy budget (zCDP rho per person): { $budget } ({ $whose }); spent by the aggregates measured so far: { $spent }, { $left } left (epsilon { $epsilon } at delta { $delta })
policy-budget-own = this policy's
policy-budget-region = the region's
policy-label-recipient = recipient
policy-label-data = data
policy-label-dimensions = dimensions
policy-label-purpose = purpose
policy-label-expires = expires
policy-label-threshold = threshold
policy-totals-only = (totals only)
policy-never = never
policy-pushed = policy version { $version } is in force for { $state }
policy-expired-grant = warning: the grant of { $data } to { $recipient } expired on { $date }: it releases nothing
policy-valid = { $file }: { $grants ->
    [one] { $grants } grant
   *[other] { $grants } grants
}, valid
erase-done-all = erasure recorded (sequence { $seq }): { $count ->
    [one] { $count } event
   *[other] { $count } events
} forgotten here; the gateway deletes everything about the person once it receives it
erase-done-one = erasure recorded (sequence { $seq }): { $count ->
    [one] { $count } event
   *[other] { $count } events
} forgotten here; the gateway deletes the event once it receives it
erase-assistance-form = --assistance: write DATE:TYPE
access-log-intact = { $count } entries; the chain is intact and extends what was read before
access-log-fails = THE ACCESS LOG FAILS ITS CHECK: { $why }. Report it to the regional operator and keep this output.
backup-done = copied { $from } to { $to }; to restore, copy it back (mode 0600) before starting the node
qr-done = receipt { $code } drawn in { $path }
node-listening = midwa-node listening on { $socket }
holdings-head = the gateway holds from { $state } up to sequence { $seq }:
holdings-counts = returns { $returns }, assistance { $assistance }, assessments { $assessments }, closures { $closures }, retractions { $retractions }
verify-not = { $code }: NOT VERIFIED: no return record that your consulate may verify matches this code
verify-yes = { $code }: VERIFIED: a return to { $origin } is on record
verify-label-return_month = return month
verify-label-mode = mode
verify-label-host_country = host country
verify-label-return_type = return type
verify-label-assisted = assisted
verify-assisted-yes = yes
verify-assisted-not_yet = not yet
verify-under = (under { $origin }'s policy version { $version })
attestation-invalid = NOT VALID: { $why }
attestation-valid = VALID: signed by the node of { $origin }
attestation-label-month = return month
attestation-label-mode = mode
attestation-label-signed = signed at

## Certificates and revocation lists

tls-cannot-read = cannot read { $path }: { $why }
tls-invalid = { $path }: { $why }
tls-wrong-role = { $path } is the certificate of a { $found }, but this program needs a { $expected } certificate
tls-no-ca-cert = no certificate found; expected the regional CA certificate (ca.pem)
tls-no-cert = no certificate found; expected a PEM certificate issued by midwa-certs
tls-no-key = no private key could be read ({ $detail }); expected the PEM key issued with the certificate
tls-bad-ca = not a usable CA certificate: { $detail }
tls-not-pem = not a PEM certificate: { $detail }
tls-not-x509 = not valid X.509: { $detail }
tls-ca-not-x509 = CA not valid X.509: { $detail }
tls-not-issued = not issued by the regional CA given; ask the regional operator for a certificate
tls-expired = expired on { $date }; ask for a new certificate
tls-not-yet = not valid before { $date }; check this machine's clock
crl-not-pem = not a PEM CRL ({ $detail }); publish one with `midwa-certs crl`
crl-invalid = not a valid CRL: { $detail }
crl-ca-unparsable = the CA certificate cannot be parsed: { $detail }
crl-not-signed = not signed by the regional CA; publish it with `midwa-certs crl` from the CA directory
crl-expired = expired on { $date }; publish a fresh one with `midwa-certs crl`

## Answers of midwa query

query-title = { $metric } (threshold { $threshold }; months { $first } to { $last })
query-title-by = { $metric } by { $dims } (threshold { $threshold }; months { $first } to { $last })
query-col-count = count
query-col-persons = persons
query-col-surveys = surveys
query-col-error = error (95 %)
query-col-share = share
query-noisy = The figures are noisy, so that no one can be singled out: each count is within its error of the true value 95 % of the time (at most +/- { $error } here). Asking again gives the same figures.
query-hidden = x: hidden: a count below { $threshold } or too uncertain (its noise more than a third of it), or a mean over fewer than 20 surveys
origins-included = included: { $list }
origins-none = none
origins-own-data = own data
origins-policy-version = policy version { $version }
origins-left-out = left out: { $state }: { $reason }
origins-privacy = privacy budget rho { $budget }, { $spent } spent (epsilon { $epsilon } at delta { $delta })
query-total = total

## midwa-certs and opportunities

certs-created = created the regional CA for { $domain } in { $dir }
certs-keep-offline = keep { $key } offline; give ca.pem to every party and crl.pem to the gateway
certs-give-serial = give --serial or --cert
certs-revoked = revoked { $serial }; published { $crl }
certs-copy-crl = copy it to the gateway's crl path: it reloads it without restarting
certs-published = published { $path } ({ $revoked } revoked, valid { $days } days)
certs-col-serial = serial
certs-col-status = status
certs-col-until = valid until
certs-col-identity = identity
certs-status-active = active
certs-status-revoked = revoked
certs-bad-value = { $value } is not a valid { $what }
certs-what-state = state code (two capitals, such as NG)
certs-what-name = name (a-z, 0-9, '-')
certs-gateway-names = a gateway certificate needs the names nodes reach it at: give --dns HOST and/or --ip ADDRESS
certs-days = --days must be at least 1
certs-give-out = give --out DIR: where to write cert.pem, key.pem and ca.pem
certs-issued = issued { $role } as { $uri } (serial { $serial }) into { $out }
opportunity-published = { $id }: published, version { $version }
opportunity-withdrawn = { $id }: withdrawn (version { $version })
opportunity-refused = the gateway refused opportunity { $id }: { $why }
opportunities-none = no opportunities match
opportunities-nationwide = nationwide
opportunities-open = open
opportunities-withdrawn = withdrawn
opportunities-col-state = state
opportunities-col-id = id
opportunities-col-kind = kind
opportunities-col-sector = sector
opportunities-col-region = region
opportunities-col-capacity = capacity
opportunities-col-starts = starts
opportunities-col-ends = ends
opportunities-col-title = title
opportunities-col-contact_office = contact office
opportunities-col-contact = contact
opportunities-col-status = status
subscribe-refused = the gateway refused the subscription: { $why }
subscribe-ended = the gateway ended the subscription: { $why }
subscribe-summary = { $count } events of { $origin } written to { $out } (cursor { $cursor })
access-log-policy = policy v{ $version }
access-log-privacy = privacy: rho { $spent } of { $budget } spent
policy-file-grant = [[grant]] number { $number }, field { $field }: { $why }
opportunities-file-empty = no [[opportunity]] table; see deploy/opportunities.toml
opportunities-file-entry = opportunity[{ $number }].{ $why }
opportunities-file-twice = opportunity[{ $number }].id: { $id } appears twice
connect-revoked = the gateway refuses this certificate: it has been revoked; ask the regional operator for a new one
connect-expired = the gateway refuses this certificate: it has expired; ask the regional operator for a new one
connect-not-accepted = the gateway does not accept this certificate (not issued by this region's CA?); check the tls files of the configuration, or ask the regional operator
connect-lost = the connection to the gateway was closed before it answered ({ $detail }); if this goes on, this certificate may have been revoked: ask the regional operator
