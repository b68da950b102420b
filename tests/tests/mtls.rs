//! Mutual TLS: every party that should not get in is refused, each with a reason in the
//! gateway's log; every role may do only what the matrix allows.

mod common;

use std::time::Duration;

use common::{Proc, TestRegion, exchange};
use midwa_certs::{Authority, LeafRequest, Role};
use midwa_proto::pb;
use rcgen::{CertificateParams, KeyPair, SanType};
use time::OffsetDateTime;

struct Party {
    cert: Vec<u8>,
    key: Vec<u8>,
}

fn issue(ca: &mut Authority, role: Role) -> Party {
    let issued = ca
        .issue(&LeafRequest {
            role,
            validity: time::Duration::days(30),
            dns_names: vec![],
            ip_addresses: vec![],
        })
        .expect("issue");
    Party {
        cert: issued.cert_pem.into_bytes(),
        key: issued.key_pem.into_bytes(),
    }
}

/// A leaf signed by the region's CA with hand-made parameters (validity, SANs).
fn sign(ca: &mut Authority, uris: &[&str], from_days: i64, to_days: i64) -> Party {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let mut params = CertificateParams::default();
    params.subject_alt_names = uris
        .iter()
        .map(|u| SanType::URI((*u).try_into().expect("URI")))
        .collect();
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let now = OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(from_days);
    params.not_after = now + time::Duration::days(to_days);
    let cert = ca.sign(params, &key).expect("sign");
    Party {
        cert: cert.into_bytes(),
        key: key.serialize_pem().into_bytes(),
    }
}

/// Asserts that a call with `party` fails, and that the gateway logs `reason` for it.
async fn assert_refused(region: &TestRegion, gateway: &Proc, party: Option<&Party>, reason: &str) {
    let before = gateway.log().len();
    let outcome = match exchange(region, party.map(|p| (&p.cert[..], &p.key[..]))).await {
        Err(e) => Err(e),
        Ok(mut client) => client
            .holdings(pb::HoldingsRequest {})
            .await
            .map_err(|s| s.to_string()),
    };
    assert!(outcome.is_err(), "{reason}: the gateway let the party in");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let log = gateway.log();
        let new = &log[before.min(log.len())..];
        if new.contains("TLS connection refused") && new.contains(reason) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no refusal logged with {reason:?}; new log:\n{new}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Opens a publishing stream and reads the gateway's first message, which must say where to
/// resume. The sender is returned so that the stream stays open.
async fn open_stream(
    client: &mut pb::exchange_client::ExchangeClient<tonic::transport::Channel>,
) -> (
    tokio::sync::mpsc::Sender<pb::PublishRequest>,
    tonic::Streaming<pb::PublishResponse>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let mut stream = client
        .publish(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .expect("publish")
        .into_inner();
    let first = stream.message().await.expect("resume").expect("a message");
    assert!(matches!(
        first.kind,
        Some(pb::publish_response::Kind::Resume(_))
    ));
    (tx, stream)
}

/// Asserts that the gateway closes `stream` within `within`, logging it with `reason`.
async fn assert_closed(
    mut stream: tonic::Streaming<pb::PublishResponse>,
    gateway: &Proc,
    reason: &str,
    within: Duration,
) {
    let ended = tokio::time::timeout(within, stream.message())
        .await
        .expect("the stream ends");
    assert!(ended.is_err(), "the stream went on ({reason}): {ended:?}");
    let log = gateway.wait_for_log("closing connection", Duration::from_secs(5));
    assert!(
        log.lines()
            .any(|l| l.contains("closing connection") && l.contains(reason)),
        "no closing connection logged with {reason:?}:\n{log}"
    );
}

const NG_NODE: &str = "spiffe://midwa.example/state/NG/node";

#[tokio::test(flavor = "multi_thread")]
async fn parties_that_should_not_get_in_are_refused_with_a_logged_reason() {
    let region = TestRegion::new(&["NG"]);
    let gateway = region.start_gateway();
    let mut ca = Authority::open(&region.region.ca_dir).expect("CA");

    assert_refused(&region, &gateway, None, "no certificates").await;

    let other_dir = tempfile::tempdir().expect("temp dir");
    let mut other = Authority::init(
        other_dir.path(),
        "midwa.example".parse().expect("domain"),
        "Other CA",
        time::Duration::days(30),
        false,
    )
    .expect("other CA");
    let foreign = issue(&mut other, Role::Node { state: "NG".into() });
    assert_refused(&region, &gateway, Some(&foreign), "UnknownIssuer").await;

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let mut params = CertificateParams::default();
    params.subject_alt_names = vec![SanType::URI(NG_NODE.try_into().expect("URI"))];
    let selfsigned = Party {
        cert: params
            .self_signed(&key)
            .expect("self-signed")
            .pem()
            .into_bytes(),
        key: key.serialize_pem().into_bytes(),
    };
    assert_refused(&region, &gateway, Some(&selfsigned), "UnknownIssuer").await;

    let expired = sign(&mut ca, &[NG_NODE], -30, -1);
    assert_refused(&region, &gateway, Some(&expired), "expired").await;

    let early = sign(&mut ca, &[NG_NODE], 2, 30);
    assert_refused(&region, &gateway, Some(&early), "not valid yet").await;

    let ca_as_leaf = Party {
        cert: std::fs::read(region.region.ca_dir.join("ca.pem")).expect("ca.pem"),
        key: std::fs::read(region.region.ca_dir.join("ca.key")).expect("ca.key"),
    };
    assert_refused(&region, &gateway, Some(&ca_as_leaf), "CaUsedAsEndEntity").await;

    let two = sign(
        &mut ca,
        &[NG_NODE, "spiffe://midwa.example/state/GH/node"],
        0,
        30,
    );
    assert_refused(
        &region,
        &gateway,
        Some(&two),
        "2 URI subject alternative names",
    )
    .await;

    let stranger = sign(
        &mut ca,
        &["spiffe://elsewhere.example/state/NG/node"],
        0,
        30,
    );
    assert_refused(
        &region,
        &gateway,
        Some(&stranger),
        "not under spiffe://midwa.example/",
    )
    .await;

    // The genuine node still gets in.
    let (cert, key) = region.node_tls("NG");
    let mut client = exchange(&region, Some((&cert, &key)))
        .await
        .expect("the node connects");
    client
        .holdings(pb::HoldingsRequest {})
        .await
        .expect("the node is served");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_certificate_is_refused_and_its_open_connection_closed_once_the_crl_is_reloaded()
{
    let region = TestRegion::new(&["GH"]);
    let gateway = region.start_gateway();
    let mut ca = Authority::open(&region.region.ca_dir).expect("CA");
    let (cert, key) = region.node_tls("GH");

    // A publishing stream opened before the revocation.
    let mut client = exchange(&region, Some((&cert, &key)))
        .await
        .expect("connect");
    let (tx, stream) = open_stream(&mut client).await;

    let serial = midwa_certs::inspect::describe(&cert).expect("describe");
    let serial = serial
        .lines()
        .find_map(|l| l.strip_prefix("serial:"))
        .expect("serial")
        .trim()
        .to_owned();
    ca.revoke(&serial, midwa_certs::Reason::KeyCompromise)
        .expect("revoke");
    gateway.signal("HUP");

    assert_closed(
        stream,
        &gateway,
        "certificate revoked",
        Duration::from_secs(10),
    )
    .await;
    drop(tx);

    let party = Party { cert, key };
    assert_refused(&region, &gateway, Some(&party), "Revoked").await;

    // The agency's command fails in time, says the certificate is (or may be) revoked, and what
    // to do.
    let started = std::time::Instant::now();
    let (ok, _, err) = region.node_command("GH", &["holdings"]);
    assert!(!ok);
    assert!(started.elapsed() < Duration::from_secs(60), "holdings hung");
    // Said outright when the gateway's TLS alert gets through, as a likely cause otherwise.
    assert!(
        err.contains("revoked") && err.contains("regional operator"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_may_only_do_what_the_matrix_allows() {
    let region = TestRegion::new(&["NG", "GH"]);
    let gateway = region.start_gateway();
    let mut ca = Authority::open(&region.region.ca_dir).expect("CA");

    for (role, kind) in [
        (
            Role::Coordinator {
                name: "ecowas".into(),
            },
            "coordinator",
        ),
        (
            Role::Consulate {
                state: "NG".into(),
                post: "tripoli".into(),
            },
            "consulate",
        ),
    ] {
        let party = issue(&mut ca, role);
        let mut client = exchange(&region, Some((&party.cert, &party.key)))
            .await
            .expect("TLS is fine");
        let (_tx, rx) = tokio::sync::mpsc::channel::<pb::PublishRequest>(1);
        let status = client
            .publish(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .expect_err("may not publish");
        assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
        assert!(
            status
                .message()
                .contains(&format!("a {kind} certificate may not publish")),
            "{status:?}"
        );
        let status = client
            .holdings(pb::HoldingsRequest {})
            .await
            .expect_err("no holdings");
        assert_eq!(status.code(), tonic::Code::PermissionDenied);
    }
    gateway.wait_for_log("role not allowed", Duration::from_secs(5));

    // The node of GH publishing an event of NG.
    let (cert, key) = region.node_tls("GH");
    let mut client = exchange(&region, Some((&cert, &key)))
        .await
        .expect("connect");
    let mut event = common_event();
    event.origin = "NG".into();
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(pb::PublishRequest {
        first_seq: 1,
        events: vec![event],
    })
    .await
    .expect("send");
    let mut stream = client
        .publish(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .expect("open")
        .into_inner();
    stream.message().await.expect("resume");
    let status = stream.message().await.expect_err("refused");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    assert!(status.message().contains("the node of GH"), "{status:?}");
    let holdings = client
        .holdings(pb::HoldingsRequest {})
        .await
        .expect("holdings")
        .into_inner();
    assert_eq!(
        holdings.highest_seq, 0,
        "something of the refused batch was stored"
    );
}

fn common_event() -> pb::Event {
    pb::Event {
        id: vec![7; 16],
        origin: "GH".into(),
        subject: vec![9; 32],
        body: Some(pb::event::Body::Closure(pb::Closure {
            month: "2024-01".into(),
            outcome: pb::Outcome::Completed as i32,
        })),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_close_at_their_maximum_age_and_nodes_carry_on() {
    let region = TestRegion::new(&["NG"]);
    let config = &region.region.gateway_config;
    let text = std::fs::read_to_string(config).expect("gateway config");
    std::fs::write(
        config,
        text.replace("[limits]\n", "[limits]\nmax_connection_age_s = 1\n"),
    )
    .expect("write");
    let gateway = region.start_gateway();

    let (cert, key) = region.node_tls("NG");
    let mut client = exchange(&region, Some((&cert, &key)))
        .await
        .expect("connect");
    let (_tx, stream) = open_stream(&mut client).await;
    assert_closed(
        stream,
        &gateway,
        "maximum connection age reached",
        Duration::from_secs(10),
    )
    .await;

    // A node is cut off every second and still gets everything through.
    let _node = region.start_node("NG").await;
    let mut local = midwa_node::api::client::connect(&region.node_socket("NG"))
        .await
        .expect("local API");
    for round in 0..3u64 {
        local
            .submit(pb::SubmitRequest {
                records: common::returns("NG", round * 100, 100),
                attest: false,
            })
            .await
            .expect("submit");
        // Not a readiness wait: it spreads the submissions over several connection lifetimes.
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let status = region.wait_published("NG", Duration::from_secs(30)).await;
    assert_eq!(status.acked_seq, 300);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_does_not_outlive_its_certificate() {
    let region = TestRegion::new(&["NG"]);
    let gateway = region.start_gateway();
    let mut ca = Authority::open(&region.region.ca_dir).expect("CA");
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let mut params = CertificateParams::default();
    params.subject_alt_names = vec![SanType::URI(NG_NODE.try_into().expect("URI"))];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + time::Duration::seconds(3);
    let party = Party {
        cert: ca.sign(params, &key).expect("sign").into_bytes(),
        key: key.serialize_pem().into_bytes(),
    };

    let mut client = exchange(&region, Some((&party.cert, &party.key)))
        .await
        .expect("valid for now");
    let (_tx, stream) = open_stream(&mut client).await;
    assert_closed(
        stream,
        &gateway,
        "certificate expired",
        Duration::from_secs(15),
    )
    .await;
}
