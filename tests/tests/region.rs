//! The README's first command, `midwa-region`, as a process: the whole region comes up with its
//! console, answers through it, and stops cleanly on Ctrl-C.

mod common;

use std::time::Duration;

use common::{Proc, console_get};

const REGION_EXE: &str = env!("CARGO_BIN_EXE_e2e-region");

#[test]
fn the_one_machine_region_serves_its_console_and_stops_cleanly_on_ctrl_c() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = dir.path().join("region");
    let log = dir.path().join("region.log");
    let mut region = Proc::spawn(
        REGION_EXE,
        &[
            "--dir",
            files.to_str().expect("path"),
            "--people",
            "200",
            "--console",
            "127.0.0.1:0",
        ],
        &log,
    );
    let printed = region.wait_for_log("Ctrl-C stops the region.", Duration::from_secs(120));
    let urls: Vec<&str> = printed
        .split_whitespace()
        .filter(|w| w.starts_with("http://127.0.0.1:"))
        .collect();
    let [coordinator, consulate] = urls[..] else {
        panic!("two console addresses are printed: {printed}");
    };
    let token = |url: &str| url.split("token=").nth(1).expect("token").to_owned();

    let session = console_get(coordinator, "/api/session", None, Some(&token(coordinator)));
    assert!(session.contains("\"role\":\"coordinator\""), "{session}");
    let session = console_get(consulate, "/api/session", None, Some(&token(consulate)));
    assert!(session.contains("\"role\":\"consulate\""), "{session}");
    // The states' policies differ: opportunities of NG and GH are shared, ML shares nothing.
    let listed = console_get(
        coordinator,
        "/api/opportunities",
        None,
        Some(&token(coordinator)),
    );
    assert!(
        listed.contains("NG-2026-T01") && listed.contains("GH-2026-E02"),
        "{listed}"
    );
    assert!(
        listed.contains("ML has not pushed a consent policy"),
        "{listed}"
    );
    // NE's notice reached NG's node.
    let ng_config = files.join("nodes/NG/node.toml");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let out = std::process::Command::new(common::NODE_EXE)
            .args(["--config", ng_config.to_str().expect("path"), "notices"])
            .output()
            .expect("midwa-node notices");
        let text = String::from_utf8_lossy(&out.stdout);
        if text.contains("12 persons expected from NE by land") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no notice at NG: {text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    region.signal("INT");
    region.wait_for_log("region stopped cleanly", Duration::from_secs(30));
    assert!(region.terminate(), "it exits successfully");
    assert!(files.join("ca/ca.pem").exists(), "--dir keeps the files");
}
