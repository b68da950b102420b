//! Each state's access log, through the real commands over mTLS: every release and refusal is
//! recorded, only the state's node can read it, and an edited, deleted, swapped or cut-off
//! entry is detected.

mod common;

use std::time::Duration;

use common::{TestRegion, channel, client_tls, returns};
use midwa_proto::pb;
use prost::Message;

/// A change to the stored log: the journal, and NG's records (key, value) in order.
type Tampering = dyn Fn(&midwa_gateway::store::Journal, Vec<midwa_gateway::store::Record>);

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["sex"]
purpose = "regional monitoring"
"#;

/// Changes the gateway's stored access log of NG (the gateway must be stopped).
fn tamper(
    region: &TestRegion,
    change: impl FnOnce(&midwa_gateway::store::Journal, Vec<(Vec<u8>, Vec<u8>)>),
) {
    let store = midwa_gateway::store::Store::open(&region.gateway_data(), 8 << 20).expect("store");
    let journal = store.journal("access").expect("journal");
    let entries = journal.scan(b"NG").expect("scan");
    change(&journal, entries);
}

fn access_log(region: &TestRegion) -> (bool, String) {
    let (ok, out, err) = region.node_command("NG", &["access-log"]);
    (ok, format!("{out}{err}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_access_log_records_every_release_and_detects_tampering() {
    let region = TestRegion::new(&["NG", "GH"]);
    let mut gateway = region.start_gateway();
    let _ng = region.start_node("NG").await;
    let mut client = midwa_node::api::client::connect(&region.node_socket("NG"))
        .await
        .expect("local API");
    client
        .submit(pb::SubmitRequest {
            records: returns("NG", 0, 120),
            attest: false,
        })
        .await
        .expect("submit");
    region.wait_published("NG", Duration::from_secs(30)).await;
    region.push_policy("NG", POLICY);
    for args in [
        &["returns", "--by", "sex"][..],
        &["returns"],
        &["returns", "--by", "mode"],
    ] {
        region.query("coordinator", args).expect("query");
    }

    let (ok, out) = access_log(&region);
    assert!(ok, "{out}");
    // The months measured for the first answer, then the three answers.
    assert!(out.contains("4 entries; the chain is intact"), "{out}");
    assert!(
        out.contains("measure   measured aggregates:returns") && out.contains("months measured"),
        "{out}"
    );
    assert!(out.contains("[privacy: rho 0.800 of 2.000 spent]"), "{out}");
    assert!(
        out.contains("region/coordinator/midwa-secretariat"),
        "{out}"
    );
    assert_eq!(out.matches("released").count(), 2, "{out}");
    assert!(
        out.contains("refused") && out.contains("does not cover mode"),
        "{out}"
    );
    assert!(
        out.contains("aggregates:returns") && out.contains("policy v1"),
        "{out}"
    );

    // Nobody else reads it: not a coordinator, not another state's node (which gets its own).
    let coordinator = region.root().join("clients/coordinator/tls");
    let read = |cert: &std::path::Path| {
        let tls = client_tls(
            &region.ca_pem(),
            Some((
                &std::fs::read(cert.join("cert.pem")).expect("cert"),
                &std::fs::read(cert.join("key.pem")).expect("key"),
            )),
        );
        async move {
            let channel = channel(region.region.gateway_addr, tls)
                .await
                .expect("channel");
            let mut stream = pb::consent_client::ConsentClient::new(channel)
                .read_access_log(pb::ReadAccessLogRequest { from_index: 0 })
                .await?
                .into_inner();
            let mut n = 0;
            while stream.message().await?.is_some() {
                n += 1;
            }
            Ok::<_, tonic::Status>(n)
        }
    };
    let refused = read(&coordinator)
        .await
        .expect_err("a coordinator reads no access log");
    assert_eq!(refused.code(), tonic::Code::PermissionDenied);
    let gh = region.region.node("GH").expect("GH").dir.join("tls");
    assert_eq!(
        read(&gh).await.expect("GH reads its own"),
        0,
        "GH's log holds no NG entry"
    );

    // Tampering, each detected on the next read. The gateway is stopped to change its store.
    let original: Vec<(Vec<u8>, Vec<u8>)>;
    assert!(gateway.terminate());
    {
        let store =
            midwa_gateway::store::Store::open(&region.gateway_data(), 8 << 20).expect("store");
        original = store
            .journal("access")
            .expect("journal")
            .scan(b"NG")
            .expect("scan");
    }
    let restore = |journal: &midwa_gateway::store::Journal| {
        for (k, v) in &original {
            journal.overwrite(k, Some(v)).expect("restore");
        }
    };
    let cases: Vec<(&str, Box<Tampering>)> = vec![
        (
            "entry 1 was altered",
            Box::new(|j, e| {
                let mut entry = pb::AccessLogEntry::decode(e[1].1.as_slice()).expect("entry");
                entry.identity = "spiffe://midwa.example/region/coordinator/nobody".into();
                j.overwrite(&e[1].0, Some(&entry.encode_to_vec()))
                    .expect("edit");
            }),
        ),
        (
            "entry 1 is missing",
            Box::new(|j, e| {
                j.overwrite(&e[1].0, None).expect("delete");
            }),
        ),
        (
            "reordered",
            Box::new(|j, e| {
                j.overwrite(&e[0].0, Some(&e[1].1)).expect("swap");
                j.overwrite(&e[1].0, Some(&e[0].1)).expect("swap");
            }),
        ),
        (
            "the log ends before entry 3",
            Box::new(|j, e| {
                j.overwrite(&e[3].0, None).expect("cut");
            }),
        ),
    ];
    for (expected, change) in cases {
        tamper(&region, |j, e| {
            restore(j);
            change(j, e)
        });
        let running = region.start_gateway();
        let (ok, out) = access_log(&region);
        assert!(!ok, "{expected}: tampering went unnoticed: {out}");
        assert!(out.contains(expected), "{expected}: {out}");
        drop(running);
    }
    tamper(&region, |j, _| restore(j));
    let _gateway = region.start_gateway();
    let (ok, out) = access_log(&region);
    assert!(ok, "restored, the log checks again: {out}");
}
