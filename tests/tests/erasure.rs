//! Erasure and correction, through the real commands over mTLS: erasing a person deletes their
//! events at the gateway, moves the aggregates and stops their receipt verifying; erasing one
//! event lets a corrected record be imported again; all of it survives a gateway restart.

mod common;

use common::path;

use std::collections::HashMap;
use std::time::Duration;

use common::TestRegion;
use midwa_deploy::synthetic::Synthetic;
use serde_json::Value;

fn total(region: &TestRegion, metric: &str) -> u64 {
    let answer: Value = region.query("coordinator", &[metric]).expect(metric);
    answer["total"]["count"]
        .as_u64()
        .unwrap_or_else(|| panic!("{metric}: total suppressed: {answer}"))
}

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
purpose = "monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
purpose = "monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
purpose = "monitoring"

[[grant]]
recipient = "consulates:NG"
data = "verification"
purpose = "consular verification"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn erasure_deletes_moves_aggregates_and_stops_receipts() {
    let region = TestRegion::new(&["NG"]);
    let mut gateway = region.start_gateway();
    let _node = region.start_node("NG").await;
    let input = tempfile::tempdir().expect("input");
    let files = Synthetic::new("NG", 8)
        .write_csv_files(input.path(), 0, 300)
        .expect("files");
    let (ok, _, err) = region.node_command("NG", &["import", path(&files.returns), "--receipts"]);
    assert!(ok, "{err}");
    for file in [&files.assistance, &files.assessments] {
        let (ok, _, err) = region.node_command("NG", &["import", path(file)]);
        assert!(ok, "{err}");
    }
    region.push_policy("NG", POLICY);
    region.wait_published("NG", Duration::from_secs(30)).await;
    let receipts: HashMap<String, String> =
        common::csv_rows(&input.path().join("returns.receipts.csv"))
            .into_iter()
            .map(|r| (r["person_id"].clone(), r["receipt"].clone()))
            .collect();
    let assistance = common::csv_rows(&files.assistance);
    let assessments = common::csv_rows(&files.assessments);

    // Someone who was assisted, and is not among those surveyed.
    let surveyed: Vec<&String> = assessments.iter().map(|r| &r["person_id"]).collect();
    let person = assistance
        .iter()
        .map(|r| r["person_id"].clone())
        .find(|p| !surveyed.contains(&p))
        .expect("an assisted person");
    let code = &receipts[&person];
    let (ok, out, _) = region.midwa("consulate-NG", &["verify", code]);
    assert!(ok && out.contains("VERIFIED"), "{out}");
    let before = (
        total(&region, "returns"),
        total(&region, "assisted_persons"),
        total(&region, "assessments"),
    );
    assert_eq!(before.0, 300);

    let (ok, out, err) = region.node_command("NG", &["erase", &person]);
    assert!(ok, "{err}");
    assert!(out.contains("2 events forgotten"), "{out}");
    region.wait_published("NG", Duration::from_secs(30)).await;
    let (ok, out, _) = region.midwa("consulate-NG", &["verify", code]);
    assert!(
        !ok && out.contains("NOT VERIFIED"),
        "an erased receipt still verifies: {out}"
    );
    assert_eq!(total(&region, "returns"), before.0 - 1);
    assert_eq!(total(&region, "assisted_persons"), before.1 - 1);
    assert_eq!(total(&region, "assessments"), before.2);
    let (ok, out, _) = region.node_command("NG", &["holdings"]);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("returns {}", before.0 - 1)), "{out}");
    assert!(out.contains("retractions 1"), "{out}");

    // One event: a survey, then its corrected version imported again.
    let survey = &assessments[0];
    let (ok, out, err) = region.node_command(
        "NG",
        &[
            "erase",
            &survey["person_id"],
            "--assessment",
            &survey["date"],
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("1 event forgotten"), "{out}");
    region.wait_published("NG", Duration::from_secs(30)).await;
    assert_eq!(total(&region, "assessments"), before.2 - 1);
    assert_eq!(total(&region, "returns"), before.0 - 1);
    let corrected = input.path().join("corrected.csv");
    std::fs::write(
        &corrected,
        format!(
            "person_id,date,economic,social,psychosocial\n{},{},0.9,0.9,0.9\n",
            survey["person_id"], survey["date"]
        ),
    )
    .expect("write");
    let (ok, out, err) = region.node_command("NG", &["import", path(&corrected)]);
    assert!(ok, "{err}");
    assert!(out.contains("1 recorded now"), "{out}");
    region.wait_published("NG", Duration::from_secs(30)).await;
    assert_eq!(total(&region, "assessments"), before.2);

    // The same after a restart: erasures are in the store, not only in memory.
    assert!(gateway.terminate(), "the gateway stops cleanly");
    let _gateway = region.start_gateway();
    assert_eq!(total(&region, "returns"), before.0 - 1);
    assert_eq!(total(&region, "assisted_persons"), before.1 - 1);
    assert_eq!(total(&region, "assessments"), before.2);
    let (ok, out, _) = region.midwa("consulate-NG", &["verify", code]);
    assert!(!ok && out.contains("NOT VERIFIED"), "{out}");
}
