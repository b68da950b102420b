//! Record-level subscriptions, across real processes over mutual TLS: exactly the granted
//! fields, resumed from the subscriber's own cursor, stopped at once by a revocation.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use common::{NODE_EXE, Proc, TestRegion, gateway_events, path, returns, wait_until};

const GRANT: &str = r#"
[[grant]]
recipient = "state:SN"
data = "records"
dimensions = ["period", "mode", "sex"]
purpose = "Following up returnees who transit through Senegal"
"#;

const REVOKED: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
purpose = "Regional monitoring"
"#;

async fn submit(region: &TestRegion, state: &str, first: u64, n: u64) {
    region.submit(state, returns(state, first, n)).await;
    region.wait_published(state, Duration::from_secs(30)).await;
}

/// The events of a subscription file (its cursor lines left out).
fn events(file: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON line"))
        .filter(|v| v.get("kind").is_some())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_deliver_what_is_granted_resume_from_the_cursor_and_stop_on_revocation() {
    let region = TestRegion::new(&["GH", "SN"]);
    let mut gateway = region.start_gateway();
    let _gh = region.start_node("GH").await;
    submit(&region, "GH", 0, 300).await;
    let file = region.root().join("gh-records.jsonl");
    let subscribe = [
        "subscribe",
        "--origin",
        "GH",
        "--out",
        path(&file),
        "--once",
    ];

    // Default deny, for a state and for the coordinators.
    let (ok, _, err) = region.node_command("SN", &subscribe);
    assert!(
        !ok && err.contains("has not pushed a consent policy"),
        "{err}"
    );
    region.push_policy("GH", GRANT);
    let (ok, _, err) = region.midwa("coordinator", &subscribe);
    assert!(
        !ok && err.contains("grants no records to coordinators"),
        "{err}"
    );

    // Everything so far, with exactly the granted fields.
    let (ok, out, err) = region.node_command("SN", &subscribe);
    assert!(ok && out.contains("300 events of GH"), "{out}{err}");
    let got = events(&file);
    assert_eq!(got.len(), 300);
    for e in &got {
        let mut keys: Vec<&str> = e
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["id", "kind", "mode", "month", "origin", "sex", "subject"],
            "{e}"
        );
    }

    // Resumed from the file's own cursor: only what is new.
    submit(&region, "GH", 300, 200).await;
    let (ok, out, err) = region.node_command("SN", &subscribe);
    assert!(ok && out.contains("200 events of GH"), "{out}{err}");
    let ids: HashSet<String> = events(&file).iter().map(|e| e["id"].to_string()).collect();
    assert_eq!(
        (ids.len(), events(&file).len()),
        (500, 500),
        "nothing twice, nothing missed"
    );

    // Following live, then the grant is revoked: delivery stops at once.
    let follow = Proc::spawn(
        NODE_EXE,
        &[
            "--config",
            path(&region.node_config("SN")),
            "subscribe",
            "--origin",
            "GH",
            "--out",
            path(&file),
        ],
        &region.root().join("subscriber.log"),
    );
    submit(&region, "GH", 500, 100).await;
    wait_until(Duration::from_secs(20), "the live events", || {
        events(&file).len() == 600
    });
    region.push_policy("GH", REVOKED);
    submit(&region, "GH", 600, 100).await;
    follow.wait_for_log("delivery stopped", Duration::from_secs(20));
    assert_eq!(events(&file).len(), 600, "nothing after the revocation");
    let (ok, log, _) = region.node_command("GH", &["access-log"]);
    assert!(ok && log.contains("subscribe"), "{log}");

    // The origin's pseudonyms never left the gateway.
    assert!(gateway.terminate());
    let raw: HashSet<String> = gateway_events(&region.gateway_data())
        .iter()
        .map(|(_, e)| e.subject.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    assert!(
        events(&file)
            .iter()
            .all(|e| !raw.contains(e["subject"].as_str().unwrap_or(""))),
        "subjects are re-pseudonymised for the recipient"
    );
}
