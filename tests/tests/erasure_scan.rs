//! Erasure removes the bytes: after `midwa-node erase` and clean stops, no file of the node or
//! the gateway (databases, segment files, ledger chunks, index scratch files, checkpoints)
//! holds the erased person's receipt digest, or their pseudonym as the 8-byte key the indexes
//! use, while another person's are found (the scan can see them). The pseudonym itself stays in
//! the retraction event only: at the gateway (the tombstone by which a retraction sent again is
//! recognised and an erasure cut short by a crash is finished), and in the node's outbox, which
//! keeps what it published (to refill a gateway that lost its data, and to erase the person
//! again from a gateway restored from an older backup); the outbox is read to check that the
//! retraction is all it keeps of the person.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{TestRegion, path};
use midwa_deploy::synthetic::Synthetic;
use midwa_proto::event::{Event, EventKind};
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;
use prost::Message;

const POLICY: &str = r#"
[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
purpose = "monitoring"
"#;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The byte strings that would give a person away: their pseudonym and receipt digest, whole,
/// and their first 8 bytes in either order (the keys of the indexes).
fn needles(pseudonym: &[u8], digest: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, bytes) in [("pseudonym", pseudonym), ("receipt digest", digest)] {
        out.push((name.to_owned(), bytes.to_vec()));
        let mut prefix = bytes[..8].to_vec();
        out.push((format!("{name}, first 8 bytes"), prefix.clone()));
        prefix.reverse();
        out.push((format!("{name}, first 8 bytes reversed"), prefix));
    }
    out
}

/// Where each needle is found, as `file: needle`.
fn found(files: &[PathBuf], needles: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut out = Vec::new();
    for file in files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        for (name, needle) in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                out.push(format!("{}: {name}", file.display()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn an_erased_person_leaves_no_bytes_on_the_node_or_the_gateway() {
    let region = TestRegion::new(&["NG"]);
    let mut gateway = region.start_gateway();
    let mut node = region.start_node("NG").await;
    let input = tempfile::tempdir().expect("input");
    let files = Synthetic::new("NG", 41)
        .write_csv_files(input.path(), 0, 300)
        .expect("files");
    let (ok, _, err) = region.node_command("NG", &["import", path(&files.returns), "--receipts"]);
    assert!(ok, "{err}");
    for file in [&files.assistance, &files.assessments, &files.closures] {
        let (ok, _, err) = region.node_command("NG", &["import", path(file)]);
        assert!(ok, "{err}");
    }
    region.push_policy("NG", POLICY);
    region.wait_published("NG", Duration::from_secs(30)).await;
    // Counted and measured at the gateway, so that its aggregates hold the person too.
    region.query("coordinator", &["returns"]).expect("query");

    let config = midwa_node::config::Config::load(&region.node_config("NG")).expect("config");
    let (keys, _) = midwa_node::keys::Keys::load_or_create(&config.secret_key).expect("key");
    let receipts = common::csv_rows(&input.path().join("returns.receipts.csv"));
    let assisted: Vec<String> = common::csv_rows(&files.assistance)
        .into_iter()
        .map(|r| r["person_id"].clone())
        .collect();
    let person = |id: &str| {
        let code: ReceiptCode = receipts
            .iter()
            .find(|r| r["person_id"] == id)
            .expect("a receipt")["receipt"]
            .parse()
            .expect("code");
        needles(&keys.pseudonym(id).0, &code.digest().0)
    };
    let erased = assisted[0].clone();
    let kept = assisted[1].clone();

    let (ok, out, err) = region.node_command("NG", &["erase", &erased]);
    assert!(ok, "{err}");
    assert!(out.contains("events forgotten"), "{out}");
    region.wait_published("NG", Duration::from_secs(30)).await;
    region
        .query("coordinator", &["returns"])
        .expect("query after erasure");
    assert!(node.terminate(), "the node stops cleanly");
    assert!(gateway.terminate(), "the gateway stops cleanly");

    let mut all = Vec::new();
    files_under(region.root(), &mut all);
    // Only the stores: not the input files, the logs, or the agency's receipts.
    let stores: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| {
            let p = p.to_string_lossy();
            p.contains("/data/") && !p.ends_with(".log")
        })
        .collect();
    assert!(!stores.is_empty());
    let control = found(&stores, &person(&kept));
    assert!(
        control.iter().any(|f| f.contains("pseudonym"))
            && control.iter().any(|f| f.contains("receipt")),
        "the scan finds a person who was not erased: {control:?}"
    );
    let left: Vec<String> = found(&stores, &person(&erased))
        .into_iter()
        .filter(|f| {
            let tombstone = (f.contains("/gateway/data/batches/")
                || f.contains("/nodes/NG/data/outbox/"))
                && (f.ends_with(": pseudonym") || f.ends_with(": pseudonym, first 8 bytes"));
            !tombstone
        })
        .collect();
    assert!(left.is_empty(), "the erased person is still in: {left:#?}");

    // What the node's outbox keeps of the person is the retraction alone.
    let outbox = midwa_node::outbox::Outbox::open(&config.data_dir, 4 << 20, 500).expect("outbox");
    let subject = keys.pseudonym(&erased);
    let mut kinds = Vec::new();
    let mut kept_events = 0;
    for batch in outbox.pending_after(0, usize::MAX).expect("outbox") {
        for bytes in batch.events {
            let wire = pb::Event::decode(bytes.as_slice()).expect("event");
            let event = Event::try_from(&wire).expect("event");
            kept_events += 1;
            if event.subject == subject {
                kinds.push(event.kind());
            }
        }
    }
    assert!(
        kept_events > 300,
        "the outbox keeps what was published: {kept_events}"
    );
    assert_eq!(kinds, vec![EventKind::Retraction]);
}
