//! Restarting after a crash in seconds: the gateway checkpoints its ledger and aggregates while
//! it runs, so that a start after SIGKILL loads the checkpoint and reads only the batches stored
//! since, with the same holdings and the same answers as before the kill; an erasure after the
//! last checkpoint makes the next start read the whole store instead, and count right.

mod common;

use std::time::{Duration, Instant};

use common::{Proc, TestRegion, returns};

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period"]
purpose = "monitoring"
"#;

async fn submit(region: &TestRegion, first: u64, n: u64) {
    region.submit("NG", returns("NG", first, n)).await;
    region.wait_published("NG", Duration::from_secs(30)).await;
}

fn holdings(region: &TestRegion) -> String {
    let (ok, out, err) = region.node_command("NG", &["holdings"]);
    assert!(ok, "{err}");
    out
}

/// Restarts the gateway after a SIGKILL; returns it, with how long it took to answer again.
fn restart(region: &TestRegion, gateway: &mut Proc) -> (Proc, Duration) {
    gateway.kill();
    let started = Instant::now();
    let again = region.start_gateway();
    again.wait_for_log("gateway serving", Duration::from_secs(60));
    (again, started.elapsed())
}

/// What the gateway logged until its ledger was loaded, and the line that says how.
fn ledger_loaded(gateway: &Proc) -> (String, String) {
    let log = gateway.wait_for_log("ledger loaded", Duration::from_secs(30));
    let line = log
        .lines()
        .find(|l| l.contains("ledger loaded"))
        .expect("a line")
        .to_owned();
    (log, line)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_after_a_crash_reads_only_what_came_after_the_last_checkpoint() {
    let region = TestRegion::new(&["NG"]);
    region.set_checkpoint_every(1);
    let mut gateway = region.start_gateway();
    let _node = region.start_node("NG").await;
    region.push_policy("NG", POLICY);
    submit(&region, 0, 3000).await;
    // A checkpoint of those, then more stored after it.
    gateway.wait_for_log("ledger checkpoint written", Duration::from_secs(30));
    submit(&region, 3000, 500).await;
    let answer = region.query("coordinator", &["returns"]).expect("query");
    let before = holdings(&region);
    assert!(before.contains("returns 3500"), "{before}");

    let (mut gateway, took) = restart(&region, &mut gateway);
    let (_, loaded) = ledger_loaded(&gateway);
    assert!(loaded.contains("from_checkpoint=true"), "{loaded}");
    println!("restart after SIGKILL, from the checkpoint: answering in {took:?}");
    assert_eq!(holdings(&region), before, "the same holdings");
    assert_eq!(
        region.query("coordinator", &["returns"]).expect("query"),
        answer,
        "the same answer: the measurements are stored, and nothing changed"
    );

    // An erasure, then a crash before the next checkpoint: the start reads the whole store, and
    // the erased return is gone from what it holds.
    region.set_checkpoint_every(3600);
    gateway.terminate();
    let mut gateway = region.start_gateway();
    let (ok, out, err) = region.node_command("NG", &["erase", "NG-00000007"]);
    assert!(ok, "{out}{err}");
    region.wait_published("NG", Duration::from_secs(30)).await;
    gateway.wait_for_log("erased", Duration::from_secs(30));
    let (mut gateway, _) = restart(&region, &mut gateway);
    let (log, loaded) = ledger_loaded(&gateway);
    assert!(loaded.contains("from_checkpoint=false"), "{loaded}");
    assert!(
        log.contains("events were erased since the ledger checkpoint"),
        "the reason is logged"
    );
    let after = holdings(&region);
    assert!(after.contains("returns 3499"), "{after}");
    assert!(gateway.terminate(), "a clean stop");
}
