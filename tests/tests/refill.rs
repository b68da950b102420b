//! A gateway that lost its disk is refilled by the nodes. Each node keeps the events the
//! gateway acknowledged (for as long as its state configures; by default, always), so a gateway
//! started empty, or from an old backup, gets back exactly what it held: the same events, the
//! same holdings. A state that keeps nothing after the acknowledgement is told what it lost.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{TestRegion, gateway_events, returns};

async fn submit(region: &TestRegion, state: &str, first: u64, n: u64) {
    // In several submissions, so that the outbox holds many batches and files.
    for at in (first..first + n).step_by(100) {
        region
            .submit(state, returns(state, at, 100.min(first + n - at)))
            .await;
    }
}

fn holdings(region: &TestRegion, state: &str) -> String {
    let (ok, out, err) = region.node_command(state, &["holdings"]);
    assert!(ok, "{err}");
    out
}

fn stored_ids(region: &TestRegion) -> HashSet<Vec<u8>> {
    let ids: Vec<Vec<u8>> = gateway_events(&region.gateway_data())
        .into_iter()
        .map(|(_, e)| e.id)
        .collect();
    let unique: HashSet<Vec<u8>> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "an event is stored twice");
    unique
}

fn set_node_storage(region: &TestRegion, state: &str, storage: &str) {
    let path = region.node_config(state);
    let config = std::fs::read_to_string(&path).expect("config");
    std::fs::write(&path, format!("{config}\n[storage]\n{storage}\n")).expect("config");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_that_lost_its_disk_is_refilled_by_the_nodes_to_exactly_what_it_held() {
    let region = TestRegion::new(&["NG", "GH"]);
    let mut gateway = region.start_gateway();
    let mut ng = region.start_node("NG").await;
    let gh = region.start_node("GH").await;
    submit(&region, "NG", 0, 1200).await;
    submit(&region, "GH", 0, 700).await;
    region.wait_published("NG", Duration::from_secs(30)).await;
    region.wait_published("GH", Duration::from_secs(30)).await;
    // A clean stop of a node forgets nothing it is configured to keep.
    assert!(ng.terminate());
    let mut ng = region.start_node("NG").await;
    let before = (holdings(&region, "NG"), holdings(&region, "GH"));
    assert!(before.0.contains("returns 1200"), "{}", before.0);
    assert!(gateway.terminate());
    let ids = stored_ids(&region);
    assert_eq!(ids.len(), 1900);

    // The disk is lost: the gateway starts empty.
    std::fs::remove_dir_all(region.gateway_data()).expect("wipe");
    let mut gateway = region.start_gateway();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = (holdings(&region, "NG"), holdings(&region, "GH"));
        if now == before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the same holdings: {now:?}, {before:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ng_status = region.wait_published("NG", Duration::from_secs(60)).await;
    let gh_status = region.wait_published("GH", Duration::from_secs(60)).await;
    assert!(ng_status.last_error.is_empty(), "{ng_status:?}");
    assert!(gh_status.last_error.is_empty(), "{gh_status:?}");
    assert!(gateway.terminate());
    assert_eq!(stored_ids(&region), ids, "the same events");
    assert!(ng.terminate());
    drop(gh);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_that_keeps_nothing_published_is_told_what_the_gateway_lost() {
    let region = TestRegion::new(&["NG"]);
    set_node_storage(&region, "NG", "keep_published_days = 0");
    let mut gateway = region.start_gateway();
    let mut ng = region.start_node("NG").await;
    submit(&region, "NG", 0, 300).await;
    region.wait_published("NG", Duration::from_secs(30)).await;
    // The clean stop forgets what the gateway acknowledged.
    assert!(ng.terminate());
    let ng = region.start_node("NG").await;
    assert!(gateway.terminate());

    std::fs::remove_dir_all(region.gateway_data()).expect("wipe");
    let _gateway = region.start_gateway();
    ng.wait_for_log(
        "were already forgotten on this node",
        Duration::from_secs(30),
    );
    let (ok, out, err) = region.node_command("NG", &["status"]);
    assert!(ok, "{err}");
    assert!(out.contains("already forgotten"), "{out}");
}
