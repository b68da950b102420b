//! Publishing from state nodes to the gateway, across real processes over mutual TLS.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{TestRegion, exchange, gateway_events, returns};
use midwa_proto::pb;

/// The ids stored for `state`, in storage (sequence) order, checking that none is stored twice.
fn stored_ids(region: &TestRegion, state: &str) -> Vec<Vec<u8>> {
    let ids: Vec<Vec<u8>> = gateway_events(&region.gateway_data())
        .into_iter()
        .filter(|(s, _)| s == state)
        .map(|(_, e)| e.id)
        .collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "an event of {state} is stored twice"
    );
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn events_are_published_acknowledged_and_stored_in_order() {
    let region = TestRegion::new(&["NG", "GH"]);
    let mut gateway = region.start_gateway();
    let ng = region.start_node("NG").await;
    let _gh = region.start_node("GH").await;

    let mut ng_ids = Vec::new();
    for chunk in 0..3 {
        ng_ids.extend(region.submit("NG", returns("NG", chunk * 100, 100)).await);
    }
    let gh_ids = region.submit("GH", returns("GH", 0, 50)).await;
    assert_eq!(ng_ids.len(), 300);

    let status = region.wait_published("NG", Duration::from_secs(30)).await;
    assert!(status.connected && status.acked_seq == 300, "{status:?}");
    region.wait_published("GH", Duration::from_secs(30)).await;

    // The gateway answers each node about its own state only.
    let (cert, key) = region.node_tls("NG");
    let mut client = exchange(&region, Some((&cert, &key)))
        .await
        .expect("connect as NG");
    let holdings = client
        .holdings(pb::HoldingsRequest {})
        .await
        .expect("holdings")
        .into_inner();
    assert_eq!(
        (
            holdings.state.as_str(),
            holdings.highest_seq,
            holdings.returns
        ),
        ("NG", 300, 300)
    );

    // Submitting the same records again changes nothing.
    let again = region.submit("NG", returns("NG", 0, 100)).await;
    assert!(again.is_empty(), "duplicates were recorded again");

    // The stream outlives the request timeout (300 ms in test regions): it only bounds the
    // first answer. Not a readiness wait: time has to pass for this.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let status = region.wait_published("NG", Duration::from_secs(5)).await;
    assert!(status.connected, "{status:?}");
    assert!(
        !ng.log().contains("publishing interrupted"),
        "the publishing stream was cut:\n{}",
        ng.log()
    );

    assert!(
        gateway.terminate(),
        "the gateway did not stop cleanly:\n{}",
        gateway.log()
    );
    assert_eq!(
        stored_ids(&region, "NG"),
        ng_ids,
        "NG's events are not stored exactly once, in order"
    );
    assert_eq!(stored_ids(&region, "GH"), gh_ids);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_killed_mid_stream_loses_nothing_and_stores_nothing_twice() {
    let region = TestRegion::new(&["NG"]);
    let mut gateway = region.start_gateway();
    let _node = region.start_node("NG").await;

    let mut ids = Vec::new();
    for chunk in 0..10 {
        ids.extend(region.submit("NG", returns("NG", chunk * 300, 300)).await);
        if chunk == 4 {
            gateway.kill();
        }
    }
    // Everything was accepted by the node while the gateway was down.
    assert_eq!(ids.len(), 3000);
    let mut gateway = region.start_gateway();
    region.wait_published("NG", Duration::from_secs(60)).await;
    assert!(gateway.terminate());
    assert_eq!(stored_ids(&region, "NG"), ids);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_cut_off_from_the_gateway_catches_up_in_order() {
    let region = TestRegion::new(&["SN"]);
    let _node = region.start_node("SN").await;
    let mut ids = Vec::new();
    for chunk in 0..5 {
        ids.extend(region.submit("SN", returns("SN", chunk * 40, 40)).await);
    }
    let mut client = midwa_node::api::client::connect(&region.node_socket("SN"))
        .await
        .expect("local API");
    let status = client
        .status(pb::StatusRequest {})
        .await
        .expect("status")
        .into_inner();
    let recorded = std::time::Instant::now();
    assert!(
        !status.connected && status.acked_seq == 0 && status.recorded_seq == 200,
        "{status:?}"
    );
    assert!(
        !status.last_error.is_empty(),
        "the node should say why it is not publishing"
    );
    assert!(status.ack_latency.is_empty(), "{status:?}");

    let offline = recorded.elapsed();
    let mut gateway = region.start_gateway();
    let status = region.wait_published("SN", Duration::from_secs(60)).await;
    assert!(gateway.terminate());
    assert_eq!(stored_ids(&region, "SN"), ids);

    // The node timed every event's wait, and each waited at least as long as it was cut off.
    assert_eq!(midwa_node::latency::events(&status.ack_latency), 200);
    let fastest = status.ack_latency.first().expect("a bucket");
    assert!(
        Duration::from_micros(fastest.below_micros) > offline,
        "{fastest:?} after {offline:?} cut off"
    );
    let (ok, out, err) = region.node_command("SN", &["status"]);
    assert!(
        ok && out.contains("(200 events since the node started)"),
        "{out}{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_refuses_a_plaintext_gateway_or_a_certificate_that_is_not_a_node_one() {
    let region = TestRegion::new(&["NG"]);
    let config = region.node_config("NG");
    let text = std::fs::read_to_string(&config).expect("config");

    std::fs::write(&config, text.replace("https://", "http://")).expect("write");
    let out = std::process::Command::new(common::NODE_EXE)
        .args(["--config", config.to_str().expect("path"), "run"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("plaintext"),
        "{stderr}"
    );

    // A coordinator's certificate in the node's place.
    std::fs::write(&config, &text).expect("write");
    let mut ca = midwa_certs::Authority::open(&region.region.ca_dir).expect("CA");
    let issued = ca
        .issue(&midwa_certs::LeafRequest {
            role: midwa_certs::Role::Coordinator {
                name: "ecowas".into(),
            },
            validity: time_days(30),
            dns_names: vec![],
            ip_addresses: vec![],
        })
        .expect("issue");
    let tls = region.region.node("NG").expect("node").dir.join("tls");
    midwa_certs::write_party_files(&tls, &issued, ca.cert_pem(), true).expect("write");
    let out = std::process::Command::new(common::NODE_EXE)
        .args(["--config", config.to_str().expect("path"), "run"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("needs a node certificate"),
        "{stderr}"
    );
}

fn time_days(days: i64) -> time::Duration {
    time::Duration::days(days)
}

#[tokio::test(flavor = "multi_thread")]
async fn ordinary_grpc_tools_and_prometheus_see_the_gateway() {
    let region = TestRegion::new(&["NG"]);
    let gateway = region.start_gateway();
    let (cert, key) = region.node_tls("NG");
    let tls = common::client_tls(&region.ca_pem(), Some((&cert, &key)));
    let channel = common::channel(region.region.gateway_addr, tls)
        .await
        .expect("connect");

    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let answer = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "midwa.v1.Exchange".into(),
        })
        .await
        .expect("health")
        .into_inner();
    assert_eq!(
        answer.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_request::MessageRequest,
        server_reflection_response::MessageResponse,
    };
    let mut reflection =
        tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = reflection
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) = answers
        .message()
        .await
        .expect("answer")
        .and_then(|a| a.message_response)
    else {
        panic!("no service list");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"midwa.v1.Exchange") && names.contains(&"grpc.health.v1.Health"),
        "{names:?}"
    );
    // Only what the gateway serves: the node's local API is the node's.
    assert!(!names.contains(&"midwa.v1.NodeLocal"), "{names:?}");

    // Publish something, then read the counters.
    let _node = region.start_node("NG").await;
    region.submit("NG", returns("NG", 0, 25)).await;
    region.wait_published("NG", Duration::from_secs(30)).await;
    let log = gateway.wait_for_log("metrics on http://", Duration::from_secs(5));
    let addr = log
        .split("metrics on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("metrics address");
    let mut socket = std::net::TcpStream::connect(addr).expect("metrics endpoint");
    use std::io::{Read, Write};
    socket
        .write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n")
        .expect("request");
    let mut body = String::new();
    socket.read_to_string(&mut body).expect("response");
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("midwa_events_stored_total 25"), "{body}");
    assert!(
        body.contains("midwa_tls_handshakes_accepted_total"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_participants_in_good_standing_publish() {
    let region = TestRegion::new(&["NG", "ML"]);
    // Membership is the gateway's configuration: mark Mali's participation suspended.
    let config = std::fs::read_to_string(&region.region.gateway_config).expect("config");
    let suspended = config.replace(
        "code = \"ML\"\nstatus = \"associate\"",
        "code = \"ML\"\nstatus = \"suspended\"",
    );
    assert_ne!(config, suspended, "the region lists Mali as a participant");
    std::fs::write(&region.region.gateway_config, suspended).expect("write config");
    let gateway = region.start_gateway();
    let _ng = region.start_node("NG").await;
    let _ml = region.start_node("ML").await;
    region.submit("NG", returns("NG", 0, 20)).await;
    region.submit("ML", returns("ML", 0, 20)).await;
    region.wait_published("NG", Duration::from_secs(30)).await;

    let mut ml = midwa_node::api::client::connect(&region.node_socket("ML"))
        .await
        .expect("local API");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        let s = ml
            .status(pb::StatusRequest {})
            .await
            .expect("status")
            .into_inner();
        if s.last_error.contains("suspended") {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "{s:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status.acked_seq, 0, "{status:?}");
    assert!(status.last_error.contains("Mali"), "{status:?}");
    gateway.wait_for_log("is suspended", Duration::from_secs(5));
}
