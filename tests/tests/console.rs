//! The console in a real browser (headless Chromium over WebDriver): `midwa console` serving a
//! coordinator and a consulate, the gateway and nodes as real processes over mutual TLS, and the
//! page checked in English, French and Portuguese.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::browser::Browser;
use common::{MIDWA_EXE, Proc, TestRegion, console_get, csv_rows, path};
use midwa_deploy::synthetic::Synthetic;

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "mode", "vulnerability"]
purpose = "Regional monitoring of returns"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["assistance_category"]
purpose = "Reintegration coverage"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
dimensions = ["period"]
purpose = "Sustainability of reintegration"

[[grant]]
recipient = "coordinators"
data = "opportunities"
purpose = "Regional information system on opportunities"

[[grant]]
recipient = "consulates:GH"
data = "verification"
dimensions = ["period", "mode", "assisted"]
purpose = "Consular verification of returns"
"#;

const OPPORTUNITIES: &str = r#"
[[opportunity]]
id = "GH-T-1"
kind = "training"
sector = "agriculture"
starts = "2026-01-01"
title = "Irrigated vegetable growing"
contact_office = "Reintegration Desk, Accra"
contact = "desk@example.gov.gh"
"#;

/// Imports synthetic files for `state` (returns with receipts and attestations); returns the
/// receipts file.
fn import(region: &TestRegion, state: &str, people: u64) -> PathBuf {
    let dir = region.root().join("input").join(state);
    std::fs::create_dir_all(&dir).expect("dir");
    let files = Synthetic::new(state, 7)
        .write_csv_files(&dir, 0, people)
        .expect("synthetic files");
    let receipts = dir.join("receipts.csv");
    let (ok, _, err) = region.node_command(
        state,
        &[
            "import",
            path(&files.returns),
            "--receipts",
            path(&receipts),
            "--attestations",
        ],
    );
    assert!(ok, "{err}");
    for file in [&files.assistance, &files.assessments, &files.closures] {
        let (ok, _, err) = region.node_command(state, &["import", path(file)]);
        assert!(ok, "{err}");
    }
    receipts
}

/// Starts `midwa console` as `client`; returns the process and the address it printed.
fn console(region: &TestRegion, client: &str) -> (Proc, String) {
    let config = region.region.client(client).expect("client");
    let log = region.root().join(format!("console-{client}.log"));
    let proc = Proc::spawn(
        MIDWA_EXE,
        &[
            "--config",
            path(config),
            "console",
            "--listen",
            "127.0.0.1:0",
        ],
        &log,
    );
    let printed = proc.wait_for_log("open http://", Duration::from_secs(20));
    let url = printed
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .expect("the console's address")
        .to_owned();
    (proc, url)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_shows_the_region_and_verifies_receipts_in_three_languages() {
    let region = TestRegion::new(&["GH", "SN"]);
    let _gateway = region.start_gateway();
    let _gh = region.start_node("GH").await;
    let _sn = region.start_node("SN").await;
    let receipts = import(&region, "GH", 3_000);
    import(&region, "SN", 500);
    region.push_policy("GH", POLICY);
    let opportunities = region.root().join("opportunities.toml");
    std::fs::write(&opportunities, OPPORTUNITIES).expect("write");
    let (ok, _, err) = region.node_command("GH", &["opportunity", "publish", path(&opportunities)]);
    assert!(ok, "{err}");
    let (ok, _, err) = region.node_command(
        "SN",
        &[
            "notice",
            "send",
            "--to",
            "GH",
            "--date",
            "2026-12-03",
            "--mode",
            "land",
            "--arrival-point",
            "PAGA-BORDER",
            "--persons",
            "1234",
        ],
    );
    assert!(ok, "{err}");
    region.wait_published("GH", Duration::from_secs(60)).await;
    region.wait_published("SN", Duration::from_secs(60)).await;

    let browser = Browser::start(&region.root().join("chromedriver.log"));
    let shot = |name: &str| browser.screenshot(&region.root().join(format!("{name}.png")));

    // A coordinator's console, in English.
    let (_coordinator, url) = console(&region, "coordinator");
    browser.goto(&url.replace("/#token", "/?lang=en#token"));
    let returns = browser.wait_text("#returns-table", "returns by month and mode", |t| {
        t.contains("Land") && t.contains("Air")
    });
    assert_eq!(browser.text("#returns h2"), "Returns by month and mode");
    assert!(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December"
        ]
        .iter()
        .any(|m| returns.contains(m)),
        "months are named in English: {returns}"
    );
    let origins = browser.text("#returns-origins");
    // Beside every table: that its figures are noisy, the error, and the state's privacy budget.
    for panel in [
        "#returns-origins",
        "#coverage-origins",
        "#scores-origins",
        "#vulnerable-origins",
    ] {
        browser.wait_text(panel, "the noise note", |t| {
            t.contains("Every figure is slightly noisy") && t.contains("Privacy of Ghana")
        });
    }
    assert!(
        returns.contains("± "),
        "every count with its error: {returns}"
    );
    assert!(
        origins.contains("Included: Ghana (policy version 1)")
            && origins.contains(
                "Left out: Senegal: Senegal has not published a consent policy, so nothing is shared"
            ),
        "{origins}"
    );
    let chart_bars =
        browser.script("return document.querySelectorAll('#returns-chart polyline, #returns-chart circle').length;");
    assert!(chart_bars.as_u64().unwrap_or(0) > 0, "a chart is drawn");
    browser.wait_text("#coverage-table", "coverage", |t| {
        t.contains("Economic") && t.contains('%')
    });
    browser.wait_text("#scores-table", "scores", |t| t.contains("Composite"));
    let vulnerable = browser.wait_text("#vulnerable-table", "vulnerable groups", |t| {
        t.contains("Unaccompanied minor")
    });
    assert!(
        returns.contains("hidden")
            && browser
                .text("#returns")
                .contains("Hidden cells protect small groups"),
        "small groups (returns by sea in a month) are shown as hidden, with the reason: {returns}"
    );
    assert!(vulnerable.contains("Single woman"), "{vulnerable}");
    browser.wait_text("#opportunities-table", "opportunities", |t| {
        t.contains("Irrigated vegetable growing") && t.contains("Training")
    });
    let notices = browser.wait_text("#notices-table", "the notice", |t| {
        t.contains("December 2026")
    });
    assert!(
        notices.contains("Ghana") && notices.contains("Land") && notices.contains("1,234"),
        "{notices}"
    );
    // Completeness: each state's node, connected, delivering today, and its policy.
    let completeness = browser.wait_text("#completeness-table", "how states report", |t| {
        t.contains("Ghana") && t.contains("Senegal")
    });
    let row = |name: &str| {
        browser.script(&format!(
            "return [...document.querySelectorAll('#completeness-table tbody tr')].map((r) => r.innerText).find((r) => r.startsWith('{name}')) || '';"
        ))
    };
    let ghana = row("Ghana");
    let ghana = ghana.as_str().unwrap_or_default();
    assert!(
        ghana.contains("Yes") && ghana.contains("1 / 30") && ghana.contains("version 1 of"),
        "{ghana} in {completeness}"
    );
    let senegal = row("Senegal");
    let senegal = senegal.as_str().unwrap_or_default();
    assert!(
        senegal.contains("Yes") && senegal.contains("none"),
        "{senegal}"
    );
    shot("console-en");

    // French: the words, the month names and the numbers change; a query runs by quarter.
    browser.click("#lang option[value='fr']");
    browser.wait_text("#returns h2", "the French title", |t| {
        t == "Retours par mois et par mode"
    });
    let returns = browser.text("#returns-table");
    assert!(
        returns.contains("Terrestre") && returns.contains("Aérien"),
        "{returns}"
    );
    browser.click("#returns-unit option[value='quarter']");
    browser.click("#returns-run");
    let by_quarter = browser.wait_text("#returns-table", "quarters in French", |t| {
        ["T1 20", "T2 20", "T3 20", "T4 20"]
            .iter()
            .any(|q| t.contains(q))
    });
    let coverage = browser.content("#coverage-table");
    assert!(
        coverage.contains("Économique")
            && (coverage.contains("\u{202f}%") || coverage.contains("\u{a0}%")),
        "percentages are written the French way: {coverage}"
    );
    assert!(by_quarter.contains("Total"), "{by_quarter}");
    let total = browser.content("#returns-table tbody tr:last-child");
    assert!(
        total.contains('\u{202f}') || total.contains('\u{a0}'),
        "thousands are grouped the French way: {total}"
    );
    assert!(browser.text("#opportunities-table").contains("Formation"));
    assert!(
        browser
            .text("#returns-origins")
            .contains("légèrement bruité")
            && browser
                .text("#returns-origins")
                .contains("Confidentialité du Ghana"),
        "{}",
        browser.text("#returns-origins")
    );
    assert!(
        browser.text("#returns-origins").contains(
            "Exclu : Sénégal : Le Sénégal n'a pas publié de politique de consentement : rien n'est partagé"
        ),
        "state names and the reason follow the language: {}",
        browser.text("#returns-origins")
    );
    assert!(browser.text("#notices-table").contains("décembre 2026"));
    let ghana = browser.text("#completeness-table");
    assert!(
        ghana.contains("Oui") && ghana.contains("version 1 du"),
        "{ghana}"
    );
    // A question the gateway refuses is explained in the page's language.
    browser.script(
        "window.refused = null; fetch('/api/query', { method: 'POST', headers: { 'x-midwa-token': state.token, 'x-midwa-lang': state.lang, 'content-type': 'application/json' }, body: JSON.stringify({ metric: 'everything' }) }).then((r) => r.json()).then((j) => { window.refused = j.error; });",
    );
    let refused = browser.wait_script("the refusal", "return window.refused;");
    assert!(
        refused
            .as_str()
            .is_some_and(|r| r.contains("la mesure \"everything\" n'est pas l'une des suivantes")),
        "{refused}"
    );
    // Dates are typed the French way.
    assert_eq!(
        browser.script("return document.getElementById('opportunities-open').placeholder;"),
        "jj/mm/aaaa"
    );
    // The header names the user, not the gateway's technical address.
    let who = browser.text("#who");
    assert!(
        who.starts_with("Coordination régionale")
            && !who.contains("127.0.0.1")
            && !who.contains("https"),
        "{who}"
    );
    // A CSV export opens in French Excel: a byte-order mark, semicolons, decimal commas.
    browser.script("window.save = (file, text) => { window.saved = { file, text }; };");
    browser.click("#coverage-table button");
    let saved = browser.script("return window.saved.text;");
    let saved = saved.as_str().expect("the exported text");
    assert!(saved.starts_with('\u{feff}'), "{saved:?}");
    let header = saved.lines().next().expect("header");
    assert!(header.contains(';') && !header.contains(','), "{header}");
    let decimal_comma = |field: &str| {
        field.split_once(',').is_some_and(|(a, b)| {
            !a.is_empty() && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
        })
    };
    assert!(
        saved
            .lines()
            .skip(1)
            .any(|row| row.split(';').any(decimal_comma)),
        "decimal commas: {saved}"
    );
    // States side by side, by quarter, drawn as lines, periods as columns; the title follows.
    browser.click("#returns-by option[value='origin']");
    browser.click("#returns-style option[value='lines']");
    browser.click("#returns-run");
    browser.wait_text("#returns h2", "the title of states by quarter", |t| {
        t == "Retours par trimestre et par État"
    });
    let lines =
        browser.script("return document.querySelectorAll('#returns-chart polyline').length;");
    assert!(
        lines.as_u64().unwrap_or(0) >= 1,
        "a line per state: {lines}"
    );
    browser.click("#returns-pivot");
    let pivot = browser.wait_text("#returns-table thead", "periods as columns", |t| {
        t.contains("Origine") && t.contains("T1 20")
    });
    assert!(!pivot.contains("Période"), "{pivot}");
    browser.click("#returns-table #returns-export-sdmx");
    let sdmx = browser.wait_script("the SDMX export", "return window.saved.file === 'returns.sdmx.csv' ? window.saved.file + '\\n' + window.saved.text : null;");
    let sdmx = sdmx.as_str().unwrap_or_default();
    assert!(
        sdmx.starts_with("returns.sdmx.csv\nSTRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA"),
        "{sdmx}"
    );
    // When most figures are hidden, the page says how to see them; otherwise it says nothing.
    let hidden_share = browser.script(
        "const cells = [...document.querySelectorAll('#returns-table tbody td.number')]; \
         return cells.length ? cells.filter((c) => c.classList.contains('suppressed')).length / cells.length : 0;",
    );
    let hint_shown =
        browser.script("return !document.getElementById('returns-hidden-hint').hidden;");
    assert_eq!(
        hint_shown.as_bool(),
        Some(hidden_share.as_f64().unwrap_or(0.0) > 0.5),
        "hint {hint_shown} with {hidden_share} of the cells hidden"
    );
    // A relative period: the last 12 months.
    let answered =
        "return document.getElementById('returns').hasAttribute('aria-busy') ? null : true;";
    browser.click("#returns-range option[value='last12']");
    browser.click("#returns-run");
    browser.wait_script("the last 12 months", answered);
    assert!(
        browser
            .text("#returns h2")
            .starts_with("Retours par trimestre"),
        "{}",
        browser.text("#returns h2")
    );
    assert!(
        browser.text("#error").is_empty(),
        "{}",
        browser.text("#error")
    );
    // Back to every month released (the last 12 may not all be released yet).
    browser.click("#returns-range option[value='all']");
    browser.click("#returns-run");
    browser.wait_script("every month again", answered);
    browser.wait_text("#returns-table", "every quarter again", |t| {
        t.contains("T1 20")
    });
    shot("console-fr");

    // Portuguese.
    browser.click("#lang option[value='pt']");
    browser.wait_text("#returns h2", "the Portuguese title", |t| {
        t == "Retornos por trimestre e por Estado"
    });
    let returns = browser.text("#returns-table");
    assert!(
        returns.contains("Gana") && returns.contains("º trim."),
        "{returns}"
    );
    assert!(
        browser
            .text("#vulnerable-table")
            .contains("Menor não acompanhado")
    );
    assert!(browser.text("#opportunities-table").contains("Formação"));
    assert!(
        browser.text("#scores-origins").contains("pequeno ruído"),
        "{}",
        browser.text("#scores-origins")
    );
    shot("console-pt");

    // No chart's labels overlap: their boxes, as the browser laid them out, are apart.
    let overlaps = browser.script(
        "const out = []; \
         for (const chart of document.querySelectorAll('.chart svg')) { \
           const boxes = [...chart.querySelectorAll('text')].map((t) => [t.textContent, t.getBoundingClientRect()]); \
           for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) { \
             const [a, ra] = boxes[i], [b, rb] = boxes[j]; \
             if (ra.width && rb.width && ra.left < rb.right - 1 && rb.left < ra.right - 1 && ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1) \
               out.push(`${chart.parentElement.id}: ${a} / ${b}`); \
           } \
         } \
         return out;",
    );
    assert_eq!(overlaps, serde_json::json!([]), "labels overlap");

    // A consulate's console has one thing: verifying receipts, typed or from a QR photo.
    let rows = csv_rows(&receipts);
    let receipt = &rows[0];
    let (_consulate, url) = console(&region, "consulate-GH");
    browser.goto(&url);
    browser.wait_text("#verify h2", "the verification page", |t| {
        t == "Verify a return receipt"
    });
    assert!(
        browser.text("#coordinator").is_empty(),
        "no regional picture for a consulate"
    );
    browser.type_into("#verify-code", &receipt["receipt"]);
    browser.click("#verify-run");
    let verdict = browser.wait_text("#verify-result", "a verdict", |t| t.contains("VERIFIED"));
    assert!(
        verdict.contains("a return to Ghana is on record") && verdict.contains("Mode"),
        "{verdict}"
    );
    browser.click("#lang option[value='fr']");
    browser.wait_text("#verify-result", "the verdict in French", |t| {
        t.contains("VÉRIFIÉ : un retour au Ghana")
    });
    let qr = region.root().join("receipt-qr.png");
    let (ok, _, err) = region.node_command(
        "GH",
        &[
            "receipt-qr",
            &receipt["receipt"],
            "--attestation",
            &receipt["attestation"],
            "--out",
            path(&qr),
        ],
    );
    assert!(ok, "{err}");
    browser.type_into("#verify-image", path(&qr));
    browser.wait_text("#verify-result", "the QR code's attestation checked", |t| {
        t.contains("L'attestation du code QR est valide")
    });
    browser.script("document.getElementById('verify-code').value = '';");
    browser.type_into("#verify-code", "0000-0000-0000");
    browser.click("#verify-run");
    browser.wait_text("#verify-result", "a refusal", |t| t.contains("NON VÉRIFIÉ"));
    shot("console-consulate");

    // Mistakes are explained in the user's language, and again when it changes.
    browser.script("document.getElementById('verify-code').value = '';");
    browser.type_into("#verify-code", "pas un code");
    browser.click("#verify-run");
    browser.wait_text("#error", "a bad code explained in French", |t| {
        t.starts_with("Ce n'est pas un code de reçu")
    });
    browser.click("#lang option[value='pt']");
    browser.wait_text("#error", "the same in Portuguese", |t| {
        t.starts_with("Isto não é um código de recibo")
    });
    let not_an_image = region.root().join("not-an-image.png");
    std::fs::write(&not_an_image, "a text file").expect("write");
    browser.type_into("#verify-image", path(&not_an_image));
    browser.wait_text("#error", "a file that is no image explained", |t| {
        t == "O ficheiro não é uma imagem PNG ou JPEG."
    });

    // The console's API answers only its own page: with the token, on a loopback host.
    assert!(console_get(&url, "/api/session", None, None).starts_with("HTTP/1.1 401"));
    let token = url.split("token=").nth(1).expect("token");
    assert!(console_get(&url, "/api/session", None, Some(token)).starts_with("HTTP/1.1 200"));
    assert!(
        console_get(&url, "/api/session", Some("evil.example:80"), Some(token))
            .starts_with("HTTP/1.1 403"),
        "a rebound DNS name is refused"
    );
    // How states report is for coordinators: the gateway refuses a consulate.
    assert!(
        console_get(&url, "/api/completeness", None, Some(token)).starts_with("HTTP/1.1 403"),
        "a consulate does not see how states report"
    );
}
