//! Erasure and correction, through the real commands over mTLS: erasing a person deletes their
//! events at the gateway, moves the aggregates (the months concerned are measured again, with
//! fresh noise, and the owner's access log says so; nothing else moves) and stops their receipt
//! verifying; erasing one event lets a corrected record be imported again; all of it survives a
//! gateway restart, which changes no answer.

mod common;

use common::path;

use std::collections::HashMap;
use std::time::Duration;

use common::TestRegion;
use midwa_deploy::synthetic::Synthetic;
use serde_json::Value;

/// The answers for the three totals, as released.
fn totals(region: &TestRegion) -> Vec<Value> {
    ["returns", "assisted_persons", "assessments"]
        .iter()
        .map(|metric| {
            region
                .query(
                    "coordinator",
                    &[metric, "--from", "2019-01", "--to", "2025-12"],
                )
                .expect(metric)
        })
        .collect()
}

/// The total of an answer is released, within five standard deviations of its noise of
/// `truth` (2.55 times its published 95 % error: never by chance).
fn near(answer: &Value, truth: u64) {
    let error = answer["total"]["error"].as_f64().expect("error");
    let count = answer["total"]["count"]
        .as_f64()
        .unwrap_or_else(|| panic!("not released: {answer}"));
    assert!(
        (count - truth as f64).abs() <= 2.55 * error,
        "{count} released for {truth}: {answer}"
    );
}

/// The lines of NG's access log that say a measurement of `data` was made again.
fn supplements(region: &TestRegion, data: &str) -> usize {
    let (ok, out, err) = region.node_command("NG", &["access-log"]);
    assert!(ok, "{err}");
    out.lines()
        .filter(|l| l.contains(data) && l.contains("measured again for what changed"))
        .count()
}

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period"]
purpose = "monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["period"]
purpose = "monitoring"

[[grant]]
recipient = "coordinators"
data = "aggregates:assessments"
dimensions = ["period"]
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
        .write_csv_files(input.path(), 0, 600)
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
    let before = totals(&region);
    near(&before[0], 600);
    near(&before[1], assistance.len() as u64);
    near(&before[2], assessments.len() as u64);

    let (ok, out, err) = region.node_command("NG", &["erase", &person]);
    assert!(ok, "{err}");
    assert!(out.contains("2 events forgotten"), "{out}");
    region.wait_published("NG", Duration::from_secs(30)).await;
    let (ok, out, _) = region.midwa("consulate-NG", &["verify", code]);
    assert!(
        !ok && out.contains("NOT VERIFIED"),
        "an erased receipt still verifies: {out}"
    );
    // The erased return and assistance are measured out; surveys did not change, and their
    // answer is the same to the last digit.
    let after = totals(&region);
    assert_eq!(supplements(&region, "aggregates:returns"), 1);
    assert_eq!(supplements(&region, "aggregates:assistance"), 1);
    assert_eq!(supplements(&region, "aggregates:assessments"), 0);
    assert_eq!(after[2], before[2]);
    near(&after[0], 599);
    near(&after[1], assistance.len() as u64 - 1);
    let (ok, out, _) = region.node_command("NG", &["holdings"]);
    assert!(ok, "{out}");
    assert!(out.contains("returns 599"), "{out}");
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
    let erased = totals(&region);
    assert_eq!(supplements(&region, "aggregates:assessments"), 1);
    assert_eq!(erased[0], after[0], "returns did not change");
    near(&erased[2], assessments.len() as u64 - 1);
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
    let last = totals(&region);
    assert_eq!(supplements(&region, "aggregates:assessments"), 2);
    near(&last[2], assessments.len() as u64);

    // The same after a restart, to the last digit: erasures are in the store and measurements
    // in the journal, and nothing is measured again.
    assert!(gateway.terminate(), "the gateway stops cleanly");
    let _gateway = region.start_gateway();
    assert_eq!(totals(&region), last);
    for data in ["returns", "assistance", "assessments"] {
        let expected = if data == "assessments" { 2 } else { 1 };
        assert_eq!(
            supplements(&region, &format!("aggregates:{data}")),
            expected,
            "{data}"
        );
    }
    let (ok, out, _) = region.midwa("consulate-NG", &["verify", code]);
    assert!(!ok && out.contains("NOT VERIFIED"), "{out}");
}
