//! The deployment guide's examples, exercised: `deploy/gateway.toml`, `deploy/node.toml`,
//! `deploy/client.toml` and `deploy/policy.toml`, changed only where a real deployment would
//! change them (addresses and directories), start a gateway and a node that publish, take a
//! policy, and answer a coordinator.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{MIDWA_EXE, NODE_EXE, Proc, TestRegion, path, returns, wait_until};
use midwa_deploy::region::free_loopback_addr;
use midwa_proto::pb;

/// Replaces a line of an example, checking that it is there.
fn set(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the example no longer has {from:?}");
    text.replace(from, to)
}

fn copy_tls(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("tls dir");
    for f in ["cert.pem", "key.pem", "ca.pem"] {
        std::fs::copy(from.join(f), to.join(f)).expect("copy");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_configurations_run_a_region() {
    // Certificates from a test region; everything else from deploy/.
    let region = TestRegion::new(&["NG"]);
    let root = tempfile::tempdir().expect("dir");
    let addr = free_loopback_addr().expect("port");

    let gateway_dir = root.path().join("gateway");
    copy_tls(&region.root().join("gateway/tls"), &gateway_dir.join("tls"));
    std::fs::copy(
        region.region.ca_dir.join("crl.pem"),
        gateway_dir.join("tls/crl.pem"),
    )
    .expect("crl");
    let mut gateway_toml = include_str!("../../deploy/gateway.toml").to_owned();
    gateway_toml = set(
        &gateway_toml,
        "listen = \"0.0.0.0:7443\"",
        &format!("listen = \"{addr}\""),
    );
    gateway_toml = set(
        &gateway_toml,
        "metrics_listen = \"127.0.0.1:9464\"",
        "metrics_listen = \"127.0.0.1:0\"",
    );
    gateway_toml = set(
        &gateway_toml,
        "data_dir = \"/var/lib/midwa-gateway\"",
        "data_dir = \"data\"",
    );
    std::fs::write(gateway_dir.join("gateway.toml"), gateway_toml).expect("write");

    let node_dir = root.path().join("node");
    copy_tls(
        &region.region.node("NG").expect("NG").dir.join("tls"),
        &node_dir.join("tls"),
    );
    let mut node_toml = include_str!("../../deploy/node.toml").to_owned();
    node_toml = set(
        &node_toml,
        "gateway = \"https://gateway.midwa.example:7443\"",
        &format!("gateway = \"https://{addr}\""),
    );
    node_toml = set(
        &node_toml,
        "data_dir = \"/var/lib/midwa-node\"",
        "data_dir = \"data\"",
    );
    node_toml = set(
        &node_toml,
        "secret_key = \"/var/lib/midwa-node/node-secret.key\"",
        "secret_key = \"data/node-secret.key\"",
    );
    node_toml = set(
        &node_toml,
        "local_socket = \"/run/midwa-node/local.sock\"",
        "local_socket = \"local.sock\"",
    );
    std::fs::write(node_dir.join("node.toml"), node_toml).expect("write");

    let client_dir = root.path().join("coordinator");
    copy_tls(
        &region.root().join("clients/coordinator/tls"),
        &client_dir.join("tls"),
    );
    let client_toml = set(
        include_str!("../../deploy/client.toml"),
        "gateway = \"https://gateway.midwa.example:7443\"",
        &format!("gateway = \"https://{addr}\""),
    );
    std::fs::write(client_dir.join("client.toml"), client_toml).expect("write");

    let gateway = Proc::spawn(
        common::GATEWAY_EXE,
        &[
            "--config",
            gateway_dir.join("gateway.toml").to_str().expect("path"),
        ],
        &root.path().join("gateway.log"),
    );
    wait_until(Duration::from_secs(20), "the gateway to listen", || {
        std::net::TcpStream::connect(addr).is_ok()
    });
    let node_config = node_dir.join("node.toml");
    let config = node_config.to_str().expect("path");
    let node = Proc::spawn(
        NODE_EXE,
        &["--config", config, "run"],
        &root.path().join("node.log"),
    );
    let socket = node_dir.join("local.sock");
    wait_until(Duration::from_secs(20), "the node's socket", || {
        socket.exists()
    });
    let mut local = loop {
        if let Ok(client) = midwa_node::api::client::connect(&socket).await {
            break client;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    local
        .submit(pb::SubmitRequest {
            records: returns("NG", 0, 200),
            attest: false,
        })
        .await
        .expect("submit");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = local
            .status(pb::StatusRequest {})
            .await
            .expect("status")
            .into_inner();
        if s.acked_seq == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{s:?}\n{}",
            node.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The guide's next steps: push the example policy, then ask as a coordinator.
    let example = |file: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../deploy")
            .join(file)
    };
    let client = client_dir.join("client.toml");
    let client = client.to_str().expect("path");
    run(
        NODE_EXE,
        &[
            "--config",
            config,
            "policy",
            "push",
            path(&example("policy.toml")),
        ],
    );
    let text = run(
        MIDWA_EXE,
        &["--config", client, "query", "returns", "--by", "sex"],
    );
    assert!(text.contains("total") && text.contains("+/- "), "{text}");
    assert!(
        text.contains("NG (policy version 1; privacy budget rho 2.00"),
        "{text}"
    );

    // Publishing the example opportunities, which the example policy lets coordinators see.
    run(
        NODE_EXE,
        &[
            "--config",
            config,
            "opportunity",
            "publish",
            path(&example("opportunities.toml")),
        ],
    );
    let text = run(
        MIDWA_EXE,
        &["--config", client, "opportunities", "--state", "NG"],
    );
    assert!(
        text.contains("NG-2026-014") && text.contains("NG-2026-015"),
        "{text}"
    );
    drop(gateway);
}

/// Runs a command line of the guide to its end; its standard output. Fails the test with its
/// standard error if it fails.
fn run(exe: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(exe)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{exe}: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
