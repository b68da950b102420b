//! What is read back from disk (segment files after a crash, checkpoints, spilled maps, the
//! access log a node fetched) and what a user hands over (attestations, photos of QR codes).

use std::collections::HashMap;
use std::path::Path;

use midwa_gateway::stats::Statistics;
use midwa_gateway::stats::measured::Measurements;
use midwa_proto::pb;
use midwa_store::index::SpillMap;
use midwa_store::segments::{SegmentLog, Tail};
use prost::Message;

#[test]
fn segment_files_after_a_crash() {
    let dir = tempfile::tempdir().expect("dir");
    let seed_dir = dir.path().join("seed");
    {
        let (mut log, _) = SegmentLog::open(&seed_dir, 1 << 20, [], Tail::Cut).expect("open");
        for i in 0..5u8 {
            let mut key = [0u8; 10];
            key[0] = b'O';
            key[9] = i;
            log.append(&key, &vec![i; 40 + usize::from(i) * 7])
                .expect("append");
        }
        log.sync().expect("sync");
    }
    let seed = std::fs::read(seed_dir.join("00000001.seg")).expect("segment");
    let mut n = 0;
    midwa_fuzz::run("segments", &[seed], |bytes| {
        n += 1;
        for tail in [Tail::Keep, Tail::Cut] {
            let case = dir.path().join(format!("case-{n}-{}", tail == Tail::Keep));
            std::fs::create_dir_all(&case).expect("dir");
            std::fs::write(case.join("00000001.seg"), bytes).expect("write");
            if let Ok((log, kept)) = SegmentLog::open(&case, 1 << 20, [], tail) {
                for (_, at) in kept {
                    let _ = log.segments().read(at);
                }
            }
            let _ = std::fs::remove_dir_all(&case);
        }
    });
}

#[test]
fn spilled_maps_from_a_checkpoint() {
    let dir = tempfile::tempdir().expect("dir");
    let mut map = SpillMap::<u32>::create(&dir.path().join("seed"), "ids", 64).expect("map");
    for k in 0..200u64 {
        map.insert(k * 7919, k as u32).expect("insert");
    }
    let mut seed = Vec::new();
    map.save(&mut |b| {
        seed.extend_from_slice(b);
        Ok(())
    })
    .expect("save");
    let scratch = dir.path().join("scratch");
    midwa_fuzz::run("spill", &[seed], |bytes| {
        let mut at = 0;
        let _ = SpillMap::<u32>::load(&scratch, "ids", 64, &mut |buf| {
            let b = bytes.get(at..at + buf.len())?;
            buf.copy_from_slice(b);
            at += buf.len();
            Some(())
        });
    });
}

/// A gateway's checkpoint of a few events of each kind.
fn checkpoint(dir: &Path) -> Vec<u8> {
    use midwa_gateway::stats::fact::{Fact, FactBody, ReturnFields};
    let stats =
        Statistics::new(&dir.join("scratch-seed"), Measurements::for_tests()).expect("stats");
    let ng = "NG".parse().expect("code");
    let mut facts = Vec::new();
    for p in 0..30u64 {
        facts.push(Fact {
            origin: ng,
            person: p,
            body: FactBody::Return {
                fields: ReturnFields {
                    host: 300,
                    mode: 1,
                    return_type: 1,
                    sex: 1 + (p % 2) as u8,
                    age: 2,
                    vulnerabilities: (p % 3) as u8,
                    region: [0; 6],
                },
                month: 900 + (p % 5) as u32,
                receipt: 10_000 + p,
            },
        });
        facts.push(Fact {
            origin: ng,
            person: p,
            body: FactBody::Assistance {
                month: 901,
                category: 1,
                kind: 2,
            },
        });
        facts.push(Fact {
            origin: ng,
            person: p,
            body: FactBody::Assessment {
                month: 906,
                scores: [0.5, 0.25, 1.0],
            },
        });
        facts.push(Fact {
            origin: ng,
            person: p,
            body: FactBody::Closure {
                month: 907,
                outcome: 1,
            },
        });
    }
    stats.apply(&facts).expect("apply");
    let mut index = SpillMap::<u32>::create(&dir.join("ids-seed"), "ids", 64).expect("map");
    for k in 0..100u64 {
        index.insert(k, 1).expect("insert");
    }
    let holdings = HashMap::from([(
        ng,
        midwa_gateway::ledger::Holding {
            highest_seq: 120,
            counts: [30, 30, 30, 30, 0],
        },
    )]);
    let path = dir.join("seed.checkpoint");
    midwa_gateway::ledger::checkpoint::write(&path, &holdings, &mut index, &stats, 0)
        .expect("write");
    std::fs::read(&path).expect("read")
}

#[test]
fn gateway_checkpoints() {
    let dir = tempfile::tempdir().expect("dir");
    let seed = checkpoint(dir.path());
    let scratch = dir.path().join("scratch");
    let stats = Statistics::new(&scratch, Measurements::for_tests()).expect("stats");
    let path = dir.path().join("ledger.checkpoint");
    midwa_fuzz::run("checkpoint", &[seed], |bytes| {
        std::fs::write(&path, bytes).expect("write");
        let _ = midwa_gateway::ledger::checkpoint::read(&path, &scratch, &stats);
    });
}

/// Entries chained as the gateway writes them, length-delimited one after the other.
fn access_log() -> Vec<u8> {
    let mut previous = vec![0u8; 32];
    let mut out = Vec::new();
    for index in 0..3 {
        let mut entry = pb::AccessLogEntry {
            index,
            time_ms: 1_700_000_000_000 + index as i64,
            identity: "spiffe://midwa.example/region/coordinator/c".into(),
            operation: "aggregate".into(),
            data_class: "aggregates:returns".into(),
            decision: "released".into(),
            policy_version: 1,
            count: 3,
            previous: previous.clone(),
            rho_budget: 2.0,
            rho_spent: 0.8,
            ..Default::default()
        };
        entry.hash = midwa_proto::access::hash_of(&entry).to_vec();
        previous = entry.hash.clone();
        entry.encode_length_delimited(&mut out).expect("encode");
    }
    out
}

#[test]
fn access_logs_a_node_checks() {
    let dir = tempfile::tempdir().expect("dir");
    let head = dir.path().join("access-log.head");
    midwa_fuzz::run("access-log", &[access_log()], |bytes| {
        let mut entries = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            match pb::AccessLogEntry::decode_length_delimited(&mut rest) {
                Ok(e) => entries.push(e),
                Err(_) => break,
            }
        }
        let _ = std::fs::remove_file(&head);
        let _ = midwa_node::cli::access_log::verify(&entries, &head);
        // And against a head file that is itself damaged.
        let _ = std::fs::write(&head, &bytes[..bytes.len().min(80)]);
        let _ = midwa_node::cli::access_log::verify(&entries, &head);
    });
}

/// A region's CA and NG's node certificate, for signed attestations.
fn signer(dir: &Path) -> (midwa_certs::attestation::Signer, Vec<u8>) {
    let addr = "127.0.0.1:1".parse().expect("address");
    let region = midwa_deploy::region::Region::create(dir, addr, &["NG"]).expect("region");
    let tls = region.node("NG").expect("NG").dir.join("tls");
    let cert = std::fs::read(tls.join("cert.pem")).expect("cert");
    let key = std::fs::read(tls.join("key.pem")).expect("key");
    let signer = midwa_certs::attestation::Signer::load(&cert, &key, "key.pem").expect("signer");
    (
        signer,
        std::fs::read(region.ca_dir.join("ca.pem")).expect("ca"),
    )
}

fn claims(code: &midwa_proto::receipt::ReceiptCode) -> midwa_certs::attestation::Claims {
    midwa_certs::attestation::Claims {
        origin: "NG".into(),
        month: "2024-03".into(),
        mode: "land".into(),
        receipt: code.digest().to_hex(),
        issued: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .expect("a time"),
    }
}

#[test]
fn attestations_and_receipt_photos() {
    let dir = tempfile::tempdir().expect("dir");
    let (signer, ca) = signer(dir.path());
    let domain: midwa_certs::TrustDomain =
        midwa_deploy::region::TRUST_DOMAIN.parse().expect("domain");
    let code: midwa_proto::receipt::ReceiptCode = "7K3M-Q9TD-2HXA".parse().expect("code");
    let attestation = signer.attest(&claims(&code)).expect("attest");
    assert!(midwa_certs::attestation::verify(&attestation, &ca, &domain).is_ok());
    midwa_fuzz::run(
        "attestation",
        &[attestation.clone().into_bytes()],
        |bytes| {
            let _ = midwa_certs::attestation::verify(&String::from_utf8_lossy(bytes), &ca, &domain);
        },
    );
    let text = midwa_node::cli::qr::content(&code, Some(&attestation));
    let png = midwa_node::cli::qr::png(&text).expect("png");
    assert_eq!(
        midwa_client::console::read_receipt_photo(&png).map(|r| r.0),
        Ok(code.to_string())
    );
    midwa_fuzz::run("receipt-photo", &[png], |bytes| {
        let _ = midwa_client::console::read_receipt_photo(bytes);
    });
}
