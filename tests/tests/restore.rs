//! A node restored from an older backup: it numbers new events with sequences the gateway
//! already holds. The gateway notices (the events are not those it holds), the node renumbers
//! them after the gateway's mark, and nothing is lost or stored twice.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{TestRegion, gateway_events, returns};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_restored_from_an_old_backup_loses_nothing() {
    let region = TestRegion::new(&["NG"]);
    let data = region.region.node("NG").expect("NG").dir.join("data");
    let backup = region.root().join("backup");
    let mut all = Vec::new();

    let mut gateway = region.start_gateway();
    let mut node = region.start_node("NG").await;
    all.extend(region.submit("NG", returns("NG", 0, 100)).await);
    region.wait_published("NG", Duration::from_secs(30)).await;
    assert!(node.terminate());
    copy_dir(&data, &backup);

    // After the backup, 50 more events reach the gateway (sequences 101 to 150).
    let mut node = region.start_node("NG").await;
    all.extend(region.submit("NG", returns("NG", 100, 50)).await);
    region.wait_published("NG", Duration::from_secs(30)).await;
    assert!(node.terminate());
    assert!(gateway.terminate());

    // The node's data is restored from the backup, and the agency records 80 new events while
    // the gateway is away: the node numbers them 101 to 180.
    std::fs::remove_dir_all(&data).expect("remove data");
    copy_dir(&backup, &data);
    let node = region.start_node("NG").await;
    let fresh = region.submit("NG", returns("NG", 1000, 80)).await;
    assert_eq!(fresh.len(), 80);
    all.extend(fresh);

    let mut gateway = region.start_gateway();
    let status = region.wait_published("NG", Duration::from_secs(30)).await;
    assert_eq!(status.acked_seq, 230, "{status:?}");
    assert!(
        node.log().contains("renumbered"),
        "the node did not renumber:\n{}",
        node.log()
    );
    assert!(gateway.terminate());

    let stored: Vec<Vec<u8>> = gateway_events(&region.gateway_data())
        .into_iter()
        .map(|(_, e)| e.id)
        .collect();
    let unique: HashSet<&Vec<u8>> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "an event is stored twice");
    let missing = all.iter().filter(|id| !unique.contains(id)).count();
    assert_eq!(missing, 0, "{missing} events lost");
    assert_eq!(stored.len(), 230);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_restored_from_an_old_backup_is_refilled_by_the_node() {
    let region = TestRegion::new(&["NG"]);
    let data = region.gateway_data();
    let backup = region.root().join("gateway-backup");

    let mut gateway = region.start_gateway();
    let node = region.start_node("NG").await;
    let mut all = region.submit("NG", returns("NG", 0, 100)).await;
    region.wait_published("NG", Duration::from_secs(30)).await;
    assert!(gateway.terminate());
    copy_dir(&data, &backup);

    // 50 more reach the gateway after its backup.
    let mut gateway = region.start_gateway();
    all.extend(region.submit("NG", returns("NG", 100, 50)).await);
    region.wait_published("NG", Duration::from_secs(30)).await;
    assert!(gateway.terminate());

    // The gateway's data is restored from the backup: it holds 100 of the 150 it acknowledged.
    std::fs::remove_dir_all(&data).expect("remove data");
    copy_dir(&backup, &data);
    let mut gateway = region.start_gateway();
    node.wait_for_log("restored from an older backup", Duration::from_secs(30));
    let status = region.wait_published("NG", Duration::from_secs(30)).await;
    assert_eq!(status.acked_seq, 150, "{status:?}");
    assert!(gateway.terminate());
    let stored: Vec<Vec<u8>> = gateway_events(&region.gateway_data())
        .into_iter()
        .map(|(_, e)| e.id)
        .collect();
    let unique: HashSet<&Vec<u8>> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "an event is stored twice");
    assert!(all.iter().all(|id| unique.contains(id)), "events lost");
}
