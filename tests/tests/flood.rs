//! Callers without a certificate cannot delay one with a certificate: a flood of idle TCP
//! connections and of slow handshakes (slow loris), each from addresses of their own, while a
//! state's node connects and asks its holdings over mutual TLS.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{TestRegion, exchange};
use midwa_proto::pb;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

/// A connection to `to` from the loopback address `from` (all of 127/8 is this machine).
async fn connect_from(from: &str, to: SocketAddr) -> Option<TcpStream> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind(format!("{from}:0").parse().ok()?).ok()?;
    socket.connect(to).await.ok()
}

/// How long a node takes to connect and be answered.
async fn node_call(region: &TestRegion) -> Duration {
    let (cert, key) = region.node_tls("NG");
    let started = Instant::now();
    let mut client = exchange(region, Some((&cert, &key)))
        .await
        .expect("the node gets in");
    client
        .holdings(pb::HoldingsRequest {})
        .await
        .expect("and is answered");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_and_slow_connections_do_not_delay_a_node() {
    let region = TestRegion::new(&["NG"]);
    let gateway = region.start_gateway();
    let to = region.region.gateway_addr;
    let quiet = node_call(&region).await;

    // 1,000 connections that never start TLS, from one address.
    let mut idle = Vec::new();
    for _ in 0..1000 {
        if let Some(c) = connect_from("127.0.0.2", to).await {
            idle.push(c);
        }
    }
    assert!(
        idle.len() >= 900,
        "only {} idle connections opened",
        idle.len()
    );
    // 200 that start a TLS record and then trickle a byte now and then, from another.
    let mut slow = Vec::new();
    for _ in 0..200 {
        if let Some(mut c) = connect_from("127.0.0.3", to).await {
            let _ = c.write_all(&[0x16, 0x03]).await;
            slow.push(c);
        }
    }
    let trickle = tokio::spawn(async move {
        loop {
            for c in &mut slow {
                let _ = c.write_all(&[0x01]).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });

    let flooded = node_call(&region).await;
    trickle.abort();
    println!("a node's connection and first answer: {quiet:?} quiet, {flooded:?} under the flood");
    assert!(
        flooded < Duration::from_secs(2),
        "the node waited {flooded:?} behind connections without a certificate (quiet: {quiet:?})"
    );
    // The flood is in the log, said once in a while, not once per connection.
    let log = gateway.log();
    let lines = log.matches("too many handshakes from one address").count();
    assert!(
        (1..50).contains(&lines),
        "{lines} log lines for the refused connections"
    );
    drop(idle);
}
