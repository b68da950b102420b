//! Consular verification of receipts and offline attestations, through the real commands over
//! mTLS: exactly the granted fields, nothing for wrong or other-state codes, forged
//! attestations refused, guessing rate limited and logged.

mod common;

use common::path;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use common::TestRegion;
use midwa_deploy::synthetic::Synthetic;

/// person_id → (receipt, attestation) from a receipts file.
fn receipts(file: &Path) -> HashMap<String, (String, String)> {
    let mut reader = csv::Reader::from_path(file).expect("receipts");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (
                r[0].to_owned(),
                (r[1].to_owned(), r.get(2).unwrap_or("").to_owned()),
            )
        })
        .collect()
}

/// person_id → row of a CSV file.
fn rows(file: &Path) -> HashMap<String, HashMap<String, String>> {
    common::csv_rows(file)
        .into_iter()
        .map(|row| (row["person_id"].clone(), row))
        .collect()
}

const NG_POLICY: &str = r#"
[[grant]]
recipient = "consulates:NG"
data = "verification"
dimensions = ["period", "mode", "assisted"]
purpose = "consular verification of returns"

[[grant]]
recipient = "consulates:GH"
data = "verification"
dimensions = ["period"]
purpose = "verification of returnees transiting through Ghana"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn receipts_verify_with_exactly_the_granted_fields() {
    let region = TestRegion::new(&["NG", "GH"]);
    let gateway = region.start_gateway();
    let _ng = region.start_node("NG").await;
    let _gh = region.start_node("GH").await;
    let input = tempfile::tempdir().expect("input");
    let mut codes = HashMap::new();
    for state in ["NG", "GH"] {
        let dir = input.path().join(state);
        std::fs::create_dir_all(&dir).expect("dir");
        let files = Synthetic::new(state, 21)
            .write_csv_files(&dir, 0, 40)
            .expect("files");
        let (ok, _, err) = region.node_command(
            state,
            &[
                "import",
                path(&files.returns),
                "--receipts",
                "--attestations",
            ],
        );
        assert!(ok, "{err}");
        let (ok, _, err) = region.node_command(state, &["import", path(&files.assistance)]);
        assert!(ok, "{err}");
        region.wait_published(state, Duration::from_secs(30)).await;
        codes.insert(
            state,
            (files.clone(), receipts(&dir.join("returns.receipts.csv"))),
        );
    }
    region.push_policy("NG", NG_POLICY);

    let (files, ng_receipts) = &codes["NG"];
    let returns = rows(&files.returns);
    let assisted: HashSet<String> = rows(&files.assistance).into_keys().collect();
    for (person, (code, _)) in ng_receipts.iter().take(5) {
        let r = &returns[person];
        let (ok, out, err) = region.midwa("consulate-NG", &["verify", code]);
        assert!(ok, "{code}: {out}{err}");
        assert!(out.contains("VERIFIED: a return to NG"), "{out}");
        assert!(
            out.contains(&format!("return month  {}", &r["return_date"][..7])),
            "{out}"
        );
        assert!(
            out.contains(&format!("mode          {}", r["mode"])),
            "{out}"
        );
        let expected = if assisted.contains(person) {
            "yes"
        } else {
            "not yet"
        };
        assert!(out.contains(&format!("assisted      {expected}")), "{out}");
        assert!(!out.contains("host country"), "not granted: {out}");

        // Consulates of GH were granted the month only.
        let (ok, out, _) = region.midwa("consulate-GH", &["verify", code]);
        assert!(ok, "{out}");
        assert!(
            out.contains("return month") && !out.contains("mode"),
            "{out}"
        );
    }

    // A code of GH, whose policy grants nothing: indistinguishable from an unknown code.
    let (_, gh_receipts) = &codes["GH"];
    let gh_code = &gh_receipts.values().next().expect("a GH receipt").0;
    let (ok, out, _) = region.midwa("consulate-NG", &["verify", gh_code]);
    assert!(!ok && out.contains("NOT VERIFIED"), "{out}");
    let (ok, out, _) = region.midwa("consulate-NG", &["verify", "0000-0000-0000"]);
    assert!(!ok && out.contains("NOT VERIFIED"), "{out}");
    let (ok, _, err) = region.midwa("consulate-NG", &["verify", "not-a-code"]);
    assert!(!ok && err.contains("is not a receipt code"), "{err}");

    // Only consulates verify.
    let (person, (code, attestation)) = ng_receipts.iter().next().expect("a receipt");
    let (ok, _, err) = region.midwa("coordinator", &["verify", code]);
    assert!(!ok && err.contains("may not verify receipts"), "{err}");

    // The attestation checks offline; altered, or with another code, it does not.
    let attestation_file = input.path().join("attestation.txt");
    std::fs::write(&attestation_file, attestation).expect("write");
    let at = format!("@{}", path(&attestation_file));
    let (ok, out, _) = region.midwa("consulate-GH", &["check-attestation", &at, "--code", code]);
    assert!(ok, "{out}");
    assert!(out.contains("VALID: signed by the node of NG"), "{out}");
    assert!(out.contains(&returns[person]["return_date"][..7]), "{out}");
    let (ok, out, _) = region.midwa(
        "consulate-GH",
        &["check-attestation", &at, "--code", gh_code],
    );
    assert!(!ok && out.contains("another receipt code"), "{out}");
    let parts: Vec<&str> = attestation.split('.').collect();
    // The claims' first character changed, whatever it was: always a forgery.
    let first = if parts[1].starts_with('A') { 'B' } else { 'A' };
    let forged = format!(
        "{}.{first}{}.{}.{}",
        parts[0],
        &parts[1][1..],
        parts[2],
        parts[3]
    );
    let (ok, out, _) = region.midwa(
        "consulate-GH",
        &["check-attestation", &forged, "--code", code],
    );
    assert!(!ok && out.contains("NOT VALID"), "{out}");

    // Guessing: after ten codes that match nothing, the consulate is refused for a while.
    let mut refused = None;
    for i in 0..12u64 {
        let guess = format!("ZZZZ-ZZZZ-{:04}", i);
        let (_, out, err) = region.midwa("consulate-GH", &["verify", &guess]);
        if err.contains("too many unknown codes") {
            refused = Some(i);
            break;
        }
        assert!(out.contains("NOT VERIFIED"), "{out}{err}");
    }
    assert!(refused.is_some(), "guessing was never refused");
    let (_, _, err) = region.midwa("consulate-GH", &["verify", code]);
    assert!(
        err.contains("too many unknown codes"),
        "even a good code waits: {err}"
    );
    let log = gateway.log();
    assert!(
        log.contains("verification: no record") && log.contains("consulate/tripoli"),
        "unknown codes are logged with the consulate's identity"
    );
    for (code, _) in ng_receipts.values() {
        assert!(!log.contains(code.as_str()), "a receipt code was logged");
    }
}
