//! Tests of the store.

use std::fs::OpenOptions;

use midwa_store::segments::header;

use super::*;

#[test]
fn batches_survive_reopening_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let mut store = Store::open(dir.path(), 1 << 20).expect("open");
        for seq in [300u64, 2, 1000] {
            let batch = StoredBatch {
                first_seq: seq,
                events: vec![],
            };
            store
                .put_encoded(*b"NG", seq, &batch.encode_to_vec())
                .expect("put");
        }
        let batch = StoredBatch {
            first_seq: 1,
            events: vec![],
        };
        store
            .put_encoded(*b"GH", 5, &batch.encode_to_vec())
            .expect("put");
        store.sync().expect("sync");
    }
    let store = Store::open(dir.path(), 1 << 20).expect("reopen");
    let keys: Vec<_> = store
        .scan()
        .map(|s| s.map(|s| (s.state, s.last_seq)))
        .collect::<Result<_, _>>()
        .expect("scan");
    assert_eq!(
        keys,
        vec![(*b"GH", 5), (*b"NG", 2), (*b"NG", 300), (*b"NG", 1000)]
    );
}

fn batch(first_seq: u64, events: usize) -> Vec<u8> {
    StoredBatch {
        first_seq,
        events: (0..events).map(|i| vec![i as u8; 100]).collect(),
    }
    .encode_to_vec()
}

fn segment_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("batches").join("00000001.seg")).expect("segment")
}

#[test]
fn an_incomplete_tail_is_cut_off_and_whole_records_are_indexed_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let mut store = Store::open(dir.path(), 1 << 20).expect("open");
        store.put_encoded(*b"NG", 10, &batch(1, 10)).expect("put");
        store.sync_all().expect("sync");
        // Synced, but its pointer not yet flushed to sled.
        store.put_encoded(*b"NG", 20, &batch(11, 10)).expect("put");
        store.sync().expect("sync");
    }
    let path = dir.path().join("batches").join("00000001.seg");
    let whole_len = segment_bytes(dir.path()).len();
    // A group whose write was cut short: a header and part of its value.
    let mut torn = header(&key(*b"NG", 30), &batch(21, 10)).to_vec();
    torn.extend_from_slice(&batch(21, 10)[..200]);
    let mut file = OpenOptions::new().append(true).open(&path).expect("open");
    std::io::Write::write_all(&mut file, &torn).expect("append");
    drop(file);

    let mut store = Store::open(dir.path(), 1 << 20).expect("reopen");
    assert_eq!(
        segment_bytes(dir.path()).len(),
        whole_len,
        "the torn tail stayed"
    );
    store.put_encoded(*b"NG", 30, &batch(21, 5)).expect("put");
    store.sync().expect("sync");
    drop(store);
    let store = Store::open(dir.path(), 1 << 20).expect("reopen");
    let held: Vec<_> = store
        .scan()
        .map(|s| s.map(|s| (s.last_seq, s.batch.events.len())))
        .collect::<Result<_, _>>()
        .expect("scan");
    assert_eq!(held, vec![(10, 10), (20, 10), (30, 5)]);
}

#[test]
fn a_replaced_value_is_overwritten_on_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path(), 1 << 20).expect("open");
    let secret = StoredBatch {
        first_seq: 1,
        events: vec![b"erase-me-please".to_vec(), b"keep-me".to_vec()],
    };
    store
        .put_encoded(*b"NG", 2, &secret.encode_to_vec())
        .expect("put");
    store.sync().expect("sync");
    let find = |bytes: &[u8], what: &[u8]| bytes.windows(what.len()).any(|w| w == what);
    assert!(find(&segment_bytes(dir.path()), b"erase-me-please"));
    let kept = StoredBatch {
        first_seq: 1,
        events: vec![b"keep-me".to_vec()],
    };
    store
        .put_encoded(*b"NG", 2, &kept.encode_to_vec())
        .expect("put");
    store.sync().expect("sync");
    assert!(!find(&segment_bytes(dir.path()), b"erase-me-please"));
    let read: Vec<_> = store.scan().collect::<Result<_, _>>().expect("scan");
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].batch, kept);
}

#[test]
fn a_damaged_value_is_reported_not_decoded() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let mut store = Store::open(dir.path(), 1 << 20).expect("open");
        store.put_encoded(*b"NG", 10, &batch(1, 10)).expect("put");
        store.sync().expect("sync");
    }
    let path = dir.path().join("batches").join("00000001.seg");
    let mut bytes = std::fs::read(&path).expect("segment");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&path, &bytes).expect("damage");
    let store = Store::open(dir.path(), 1 << 20).expect("reopen");
    let err = store.scan().next().expect("one").expect_err("damaged");
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn batches_an_older_version_kept_in_sled_are_moved_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let db = sled::Config::new()
            .path(dir.path())
            .segment_size(SEGMENT_SIZE)
            .open()
            .expect("sled");
        let old = db.open_tree("batches").expect("tree");
        old.insert(key(*b"GH", 7), batch(1, 7)).expect("insert");
        db.flush().expect("flush");
    }
    let store = Store::open(dir.path(), 1 << 20).expect("open");
    let read: Vec<_> = store.scan().collect::<Result<_, _>>().expect("scan");
    assert_eq!((read[0].state, read[0].last_seq), (*b"GH", 7));
    assert_eq!(read[0].batch.events.len(), 7);
    assert!(!segment_bytes(dir.path()).is_empty());
}
