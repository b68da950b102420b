//! Certificate rotation without downtime: the gateway takes a new certificate while it runs,
//! new connections see it, and a node's open publishing stream carries on; a node's certificate
//! rotates by writing the new files and revoking the old certificate.

mod common;

use std::time::Duration;

use common::{TestRegion, client_tls, returns};
use midwa_certs::{Authority, LeafRequest, Role, write_party_files};
use rustls::pki_types::ServerName;

/// The certificate the gateway presents to a new connection, DER.
async fn presented(region: &TestRegion) -> Vec<u8> {
    let (cert, key) = region.node_tls("NG");
    let connector =
        tokio_rustls::TlsConnector::from(client_tls(&region.ca_pem(), Some((&cert, &key))));
    let addr = region.region.gateway_addr;
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let tls = connector
        .connect(ServerName::IpAddress(addr.ip().into()), tcp)
        .await
        .expect("handshake");
    tls.get_ref().1.peer_certificates().expect("a certificate")[0].to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_certificate_rotates_without_a_restart_or_a_broken_stream() {
    let region = TestRegion::new(&["NG"]);
    let gateway = region.start_gateway();
    let node = region.start_node("NG").await;
    region.submit("NG", returns("NG", 0, 100)).await;
    region.wait_published("NG", Duration::from_secs(30)).await;
    let before = presented(&region).await;

    // The operator issues the gateway a new certificate and writes it over the old files.
    let mut ca = Authority::open(&region.region.ca_dir).expect("the region's CA");
    let issued = ca
        .issue(&LeafRequest {
            role: Role::Gateway {
                name: "main".into(),
            },
            validity: time::Duration::days(365),
            dns_names: vec!["localhost".into()],
            ip_addresses: vec![region.region.gateway_addr.ip()],
        })
        .expect("a new gateway certificate");
    write_party_files(
        &region.root().join("gateway/tls"),
        &issued,
        ca.cert_pem(),
        true,
    )
    .expect("written over the old one");
    gateway.signal("HUP");
    gateway.wait_for_log(
        "gateway certificate reloaded on SIGHUP",
        Duration::from_secs(10),
    );
    let after = presented(&region).await;
    assert_ne!(before, after, "new connections get the new certificate");

    // The node's stream, opened before, carries on.
    region.submit("NG", returns("NG", 100, 100)).await;
    let status = region.wait_published("NG", Duration::from_secs(30)).await;
    assert!(status.connected && status.acked_seq == 200, "{status:?}");
    assert_eq!(
        gateway.log().matches("publishing stream opened").count(),
        1,
        "the node never had to reconnect:\n{}",
        node.log()
    );

    // The node's certificate is rotated too, and the old one revoked: the gateway closes the
    // old connection, and the node comes back with the new certificate from its files.
    let (old_cert, _) = region.node_tls("NG");
    let described = midwa_certs::inspect::describe(&old_cert).expect("describe");
    let old_serial = described
        .lines()
        .find_map(|l| l.strip_prefix("serial:"))
        .expect("serial")
        .trim()
        .to_owned();
    let issued = ca
        .issue(&LeafRequest {
            role: Role::Node { state: "NG".into() },
            validity: time::Duration::days(365),
            dns_names: vec![],
            ip_addresses: vec![],
        })
        .expect("a new node certificate");
    write_party_files(
        &region.root().join("nodes/NG/tls"),
        &issued,
        ca.cert_pem(),
        true,
    )
    .expect("written over the old one");
    ca.revoke(&old_serial, midwa_certs::Reason::Superseded)
        .expect("revoke the old one");
    gateway.signal("HUP");
    gateway.wait_for_log("closing connection", Duration::from_secs(10));
    region.submit("NG", returns("NG", 200, 100)).await;
    let status = region.wait_published("NG", Duration::from_secs(30)).await;
    assert!(status.connected && status.acked_seq == 300, "{status:?}");

    // A bad file is refused and the certificate in force stays.
    std::fs::write(
        region.root().join("gateway/tls/cert.pem"),
        "not a certificate",
    )
    .expect("write");
    gateway.signal("HUP");
    gateway.wait_for_log("new gateway certificate refused", Duration::from_secs(10));
    assert_eq!(presented(&region).await, after);
}
