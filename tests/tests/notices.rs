//! Cross-border notices, across real processes over mutual TLS: a host state's node and a
//! consulate send, the gateway keeps and routes, and only the origin's node receives, exactly
//! once, through its own outage and gateway restarts.

mod common;

use std::time::Duration;

use common::{TestRegion, wait_until};

/// The notices `state`'s node shows its agency (`midwa-node notices`), one line each.
fn received(region: &TestRegion, state: &str) -> Vec<String> {
    let (ok, out, err) = region.node_command(state, &["notices"]);
    assert!(ok, "midwa-node notices failed: {err}");
    out.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with("no notices"))
        .map(str::to_owned)
        .collect()
}

fn notice_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["notice", "send"];
    args.extend_from_slice(extra);
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn notices_reach_only_their_addressee_exactly_once_across_outages_and_restarts() {
    let region = TestRegion::new(&["NE", "GH", "SN"]);
    let mut gateway = region.start_gateway();
    let _ne = region.start_node("NE").await;
    let _sn = region.start_node("SN").await;

    // Niger's node announces a land return to Ghana while Ghana's node is offline.
    let land = [
        "--to",
        "GH",
        "--date",
        "2026-12-03",
        "--mode",
        "land",
        "--arrival-point",
        "PAGA-BORDER",
        "--persons",
        "12",
        "--vulnerable",
        "unaccompanied_minor,medical_need",
    ];
    let (ok, out, err) = region.node_command("NE", &notice_args(&land));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("sent to GH") && out.contains("waiting"),
        "{out}"
    );
    let id = out
        .split_whitespace()
        .nth(1)
        .expect("the notice's id is printed")
        .to_owned();

    // Ghana's consulate in Tripoli announces an air return from Libya.
    let air = [
        "--to",
        "GH",
        "--from",
        "LY",
        "--date",
        "2026-12-10",
        "--mode",
        "air",
        "--arrival-point",
        "ACC",
        "--persons",
        "30",
    ];
    let (ok, out, err) = region.midwa("consulate-GH", &notice_args(&air));
    assert!(ok, "{out}{err}");

    // What is refused, and why.
    let no_host: Vec<&str> = air
        .iter()
        .copied()
        .filter(|a| *a != "--from" && *a != "LY")
        .collect();
    let (ok, _, err) = region.midwa("consulate-GH", &notice_args(&no_host));
    assert!(!ok && err.contains("host_country"), "{err}");
    let mut to_self = land;
    to_self[1] = "NE";
    let (ok, _, err) = region.node_command("NE", &notice_args(&to_self));
    assert!(!ok && err.contains("your own state"), "{err}");
    let (ok, _, err) = region.midwa("coordinator", &notice_args(&air));
    assert!(!ok && err.contains("may not send notices"), "{err}");
    let mut bad_mode = land;
    bad_mode[5] = "boat";
    let (ok, _, err) = region.node_command("NE", &notice_args(&bad_mode));
    assert!(!ok && err.contains("mode"), "{err}");

    let (ok, out, _) = region.node_command("NE", &["notice", "sent"]);
    assert!(ok && out.contains("waiting for the origin's node"), "{out}");

    // The gateway restarts while the notices wait; then Ghana's node comes online.
    assert!(gateway.terminate(), "the gateway stops cleanly");
    gateway = region.start_gateway();
    let mut gh = region.start_node("GH").await;
    wait_until(
        Duration::from_secs(20),
        "Ghana to receive both notices",
        || received(&region, "GH").len() == 2,
    );
    let shown = received(&region, "GH").join("\n");
    assert!(
        shown.contains("NE node")
            && shown.contains(
                "12 persons expected from NE by land at PAGA-BORDER on 2026-12-03 (unaccompanied_minor, medical_need)"
            ),
        "{shown}"
    );
    assert!(
        shown.contains("GH consulate (tripoli)")
            && shown.contains("30 persons expected from LY by air at ACC on 2026-12-10"),
        "{shown}"
    );
    // As Ghana's French-speaking neighbours would read them.
    let (ok, out, err) = region.node_command_env("GH", &[("LANG", "fr_TG.UTF-8")], &["notices"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("nœud NE")
            && out.contains("12 personnes attendues en provenance de NE par voie terrestre à PAGA-BORDER le 2026-12-03")
            && out.contains("consulat GH (tripoli)"),
        "{out}"
    );
    assert!(
        received(&region, "SN").is_empty(),
        "only the addressee receives"
    );
    assert!(
        received(&region, "NE").is_empty(),
        "only the addressee receives"
    );
    wait_until(
        Duration::from_secs(10),
        "the sender to see the acknowledgement",
        || {
            let (_, out, _) = region.node_command("NE", &["notice", "sent"]);
            out.contains("acknowledged by the origin's node")
        },
    );

    // Ghana's node is killed and the gateway restarted: nothing arrives twice.
    gh.kill();
    assert!(gateway.terminate(), "the gateway stops cleanly");
    let _gateway = region.start_gateway();
    let _gh = region.start_node("GH").await;
    wait_until(
        Duration::from_secs(20),
        "Ghana's inbox to reconnect",
        || {
            let (_, out, _) = region.node_command("GH", &["status"]);
            out.contains("inbox connected")
        },
    );
    assert_eq!(received(&region, "GH").len(), 2, "no notice is shown twice");

    // Sending the same notice again (its answer lost) changes nothing; a new one arrives live.
    let mut again = land.to_vec();
    again.extend_from_slice(&["--id", &id]);
    let (ok, out, err) = region.node_command("NE", &notice_args(&again));
    assert!(ok && out.contains("was already sent"), "{out}{err}");
    let mut other = land;
    other[9] = "4";
    let (ok, out, err) = region.node_command("NE", &notice_args(&other));
    assert!(ok, "{out}{err}");
    wait_until(Duration::from_secs(10), "the new notice to arrive", || {
        received(&region, "GH").len() == 3
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(received(&region, "GH").len(), 3);

    // Coordinators see notices counted across the region; nobody else does.
    let (ok, out, err) = region.midwa("coordinator", &["notice", "summary"]);
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        rows.contains(&vec!["GH", "2026-12", "land", "2", "16", "2", "2"]),
        "{out}"
    );
    assert!(
        rows.contains(&vec!["GH", "2026-12", "air", "1", "30", "0", "1"]),
        "{out}"
    );
    let (ok, _, err) = region.midwa("consulate-GH", &["notice", "summary"]);
    assert!(
        !ok && err.contains("may not read the summary of notices"),
        "{err}"
    );
}
