//! Tests of the parent module.

use midwa_proto::event::{Closure, Event, EventBody, EventId};
use midwa_proto::vocab::Outcome;

use crate::record::anonymise::Anonymised;

use super::*;

fn closure(id: u8, outcome: Outcome) -> Prepared {
    let event = Event {
        id: EventId([id; 16]),
        origin: "NG".parse().expect("code"),
        subject: Pseudonym([id; 32]),
        body: EventBody::Closure(Closure {
            month: "2024-02".parse().expect("month"),
            outcome,
        }),
    };
    Prepared::new(&Anonymised {
        event,
        return_month: Some("2023-11".parse().expect("month")),
        receipt: None,
    })
}

#[test]
fn what_was_recorded_is_remembered_across_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let outbox = Outbox::open(dir.path(), 4 << 20, 2).expect("open");
        let outcomes = outbox
            .record((1..=5).map(|i| closure(i, Outcome::Completed)).collect())
            .expect("record");
        assert_eq!(outcomes, (1..=5).map(Recorded::New).collect::<Vec<_>>());
        let batches = outbox.pending_after(0, 100).expect("pending");
        assert_eq!(
            batches.iter().map(|b| b.first_seq).collect::<Vec<_>>(),
            vec![1, 3, 5]
        );
    }
    let outbox = Outbox::open(dir.path(), 4 << 20, 2).expect("reopen");
    assert_eq!(outbox.recorded_seq(), 5);
    let again = outbox
        .record(vec![
            closure(2, Outcome::Completed),
            closure(3, Outcome::Withdrawn),
            closure(6, Outcome::Completed),
        ])
        .expect("record");
    assert_eq!(
        again,
        vec![Recorded::Duplicate, Recorded::Conflict, Recorded::New(6)]
    );
    assert_eq!(
        outbox
            .return_month(&Pseudonym([4; 32]))
            .expect("index")
            .map(|m| m.to_string()),
        Some("2023-11".into())
    );
    assert_eq!(
        outbox.return_month(&Pseudonym([9; 32])).expect("index"),
        None
    );
    outbox.acknowledge(4).expect("ack");
    outbox.prune().expect("prune");
    assert_eq!(
        outbox
            .pending_after(4, 100)
            .expect("pending")
            .iter()
            .map(|b| b.first_seq)
            .collect::<Vec<_>>(),
        vec![5, 6]
    );
}

#[test]
fn a_forgotten_event_can_be_recorded_again_even_after_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("open");
        outbox
            .record(vec![
                closure(1, Outcome::Completed),
                closure(2, Outcome::Completed),
            ])
            .expect("record");
        let person = PrefixMap::<u32>::key_of(&[1; 32]);
        assert_eq!(outbox.forget(person, None).expect("forget"), 1);
        assert_eq!(
            outbox.return_month(&Pseudonym([1; 32])).expect("index"),
            None
        );
    }
    let outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("reopen");
    let again = outbox
        .record(vec![
            closure(1, Outcome::Withdrawn),
            closure(2, Outcome::Completed),
        ])
        .expect("record");
    assert_eq!(again, vec![Recorded::New(3), Recorded::Duplicate]);
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn outbox_files_go_once_everything_in_them_is_acknowledged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("open");
    outbox.set_retention(Retention::Days(0));
    record_closures(&outbox, 100);
    let before = files(&dir.path().join("outbox"));
    assert!(before.len() > 3, "small files in tests: {before:?}");
    let size = outbox.size_on_disk();
    outbox.acknowledge(60).expect("ack");
    outbox.prune().expect("prune");
    let after = files(&dir.path().join("outbox"));
    assert!(after.len() < before.len(), "{before:?} → {after:?}");
    assert_eq!(after.last(), before.last(), "the current file stays");
    assert!(outbox.size_on_disk() < size);
    let first = |o: &Outbox| o.pending_after(60, 1000).expect("pending")[0].first_seq;
    assert_eq!(first(&outbox), 61);
    drop(outbox);

    let mut outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("reopen");
    outbox.set_retention(Retention::Days(0));
    assert_eq!(first(&outbox), 61);
    let events: usize = outbox
        .pending_after(60, 1000)
        .expect("pending")
        .iter()
        .map(|b| b.events.len())
        .sum();
    assert_eq!(events, 40);
    assert_eq!(
        outbox
            .record(vec![
                closure(3, Outcome::Completed),
                closure(200, Outcome::Completed)
            ])
            .expect("record"),
        vec![Recorded::Duplicate, Recorded::New(101)],
        "the ledger outlives the outbox files"
    );
    outbox.acknowledge(101).expect("ack");
    outbox.prune().expect("prune");
    assert_eq!(files(&dir.path().join("outbox")).len(), 1);
    assert!(outbox.pending_after(101, 1000).expect("pending").is_empty());
}

#[test]
fn a_database_an_older_version_wrote_is_moved_to_segment_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let events: Vec<_> = (1..=3).map(|i| closure(i, Outcome::Completed)).collect();
    {
        // The older layout: batches and ledger chunks as sled values.
        let db = sled::Config::new()
            .path(dir.path())
            .segment_size(8 * 1024 * 1024)
            .open()
            .expect("sled");
        let tree = db.open_tree("node").expect("tree");
        let batch = OutboxBatch {
            first_seq: 1,
            events: events.iter().map(|e| e.wire.clone()).collect(),
        };
        tree.insert(key(b'o', &3u64.to_be_bytes()), batch.encode_to_vec())
            .expect("insert");
        let chunk = LedgerChunk {
            ids: events.iter().map(|e| e.key).collect(),
            digests: events.iter().map(|e| e.digest).collect(),
            people: vec![events[0].person],
            months: vec![events[0].return_month - 1],
            subjects: events.iter().map(|e| e.person).collect(),
        };
        tree.insert(key(b'l', &3u64.to_be_bytes()), chunk.encode_to_vec())
            .expect("insert");
        tree.insert(RECORDED, 3u64.to_be_bytes().to_vec())
            .expect("insert");
        db.flush().expect("flush");
    }
    let outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("open");
    let pending = outbox.pending_after(0, 100).expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].events.len(), 3);
    assert_eq!(outbox.held(&events[1]).expect("held"), Held::Same);
    assert_eq!(
        outbox
            .return_month(&Pseudonym([1; 32]))
            .expect("index")
            .map(|m| m.to_string()),
        Some("2023-11".into())
    );
    assert_eq!(outbox.tree.scan_prefix(b"o").count(), 0);
    assert_eq!(outbox.tree.scan_prefix(b"l").count(), 0);
    drop(outbox);
    let outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("reopen");
    assert_eq!(outbox.pending_after(0, 100).expect("pending").len(), 1);
    assert_eq!(
        outbox
            .record(vec![closure(4, Outcome::Completed)])
            .expect("record"),
        vec![Recorded::New(4)]
    );
}

/// Records `n` closures in submissions of five.
fn record_closures(outbox: &Outbox, n: u8) {
    for submission in 0..n / 5 {
        outbox
            .record(
                (0..5)
                    .map(|i| closure(submission * 5 + i + 1, Outcome::Completed))
                    .collect(),
            )
            .expect("record");
    }
}

fn kept_events(outbox: &Outbox) -> usize {
    outbox
        .pending_after(0, 10_000)
        .expect("pending")
        .iter()
        .map(|b| b.events.len())
        .sum()
}

#[test]
fn by_default_acknowledged_events_are_kept_and_sent_again_to_a_gateway_that_lost_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("open");
    record_closures(&outbox, 40);
    outbox.acknowledge(40).expect("ack");
    outbox.prune().expect("prune");
    drop(outbox);
    let outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("reopen");
    assert_eq!(outbox.acked_seq(), 40);
    assert_eq!(outbox.pruned_seq(), 0, "nothing forgotten");
    assert_eq!(kept_events(&outbox), 40);

    // The gateway lost everything after 15.
    assert_eq!(outbox.renumber_after(15).expect("renumber"), 25);
    assert_eq!(outbox.acked_seq(), 15);
    let pending = outbox.pending_after(15, 10_000).expect("pending");
    assert_eq!(pending[0].first_seq, 16);
    assert_eq!(pending.iter().map(|b| b.events.len()).sum::<usize>(), 25);
    assert_eq!(
        kept_events(&outbox),
        40,
        "what the gateway holds is kept too"
    );
}

#[test]
fn with_a_retention_period_batches_go_once_every_event_in_them_is_old_enough() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("open");
    outbox.set_retention(Retention::Days(30));
    record_closures(&outbox, 20);
    // As if events 1 to 10 were recorded 40 days ago, 11 to 20 today.
    let today = super::retention::today();
    for (day, before) in [(today - 40, 0u64), (today - 39, 10), (today, 10)] {
        outbox
            .tree
            .insert(key(DAY, &day.to_be_bytes()), before.to_be_bytes())
            .expect("mark");
    }
    outbox.acknowledge(20).expect("ack");
    outbox.prune().expect("prune");
    assert_eq!(outbox.pruned_seq(), 10);
    assert_eq!(kept_events(&outbox), 10);
    assert_eq!(
        outbox.pending_after(0, 100).expect("pending")[0].first_seq,
        11
    );
}

#[test]
fn a_database_from_before_retention_counts_what_it_acknowledged_as_forgotten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("open");
    outbox.set_retention(Retention::Days(0));
    record_closures(&outbox, 20);
    outbox.acknowledge(20).expect("ack");
    outbox.prune().expect("prune");
    // What the previous release wrote: no `forgotten` counter and no day marks.
    outbox.tree.remove(FORGOTTEN).expect("remove");
    for entry in outbox.tree.scan_prefix([DAY]) {
        outbox.tree.remove(entry.expect("entry").0).expect("remove");
    }
    outbox.sync().expect("sync");
    drop(outbox);
    let outbox = Outbox::open(dir.path(), 4 << 20, 10).expect("reopen");
    assert_eq!(outbox.pruned_seq(), 20, "it forgot on acknowledgement");
    assert_eq!(
        outbox
            .record(vec![closure(21, Outcome::Completed)])
            .expect("record"),
        vec![Recorded::New(21)]
    );
    assert_eq!(outbox.tree.scan_prefix([DAY]).count(), 1, "a day mark");
}
