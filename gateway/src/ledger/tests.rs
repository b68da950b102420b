//! Tests of the parent module.

use super::*;

fn closure(id: u8, outcome: i32) -> pb::Event {
    pb::Event {
        id: vec![id; 16],
        origin: "NG".into(),
        subject: vec![id; 32],
        body: Some(pb::event::Body::Closure(pb::Closure {
            month: "2024-03".into(),
            outcome,
        })),
    }
}

async fn run(dir: &std::path::Path, batches: Vec<(u64, Vec<pb::Event>)>) -> Vec<Ack> {
    let store = Store::open(dir, 8 << 20).expect("store");
    let (ingest, writer, _) = Ingest::start(
        store,
        Arc::new(Metrics::default()),
        Arc::new(statistics(dir)),
        std::time::Duration::from_secs(300),
    )
    .expect("start");
    let ng: CountryCode = "NG".parse().expect("code");
    let mut acks = Vec::new();
    for (first, events) in batches {
        let checked = events
            .iter()
            .map(|e| Event::try_from(e).expect("a valid event"))
            .collect();
        let answer = ingest
            .submit(ng, PreparedBatch::new(first, events, checked))
            .await;
        acks.push(answer.await.expect("answered").expect("accepted"));
    }
    drop(ingest);
    writer.thread.join().expect("writer").expect("clean stop");
    acks
}

/// Aggregates with their scratch files beside the store in `dir`.
fn statistics(dir: &std::path::Path) -> Statistics {
    Statistics::new(
        &crate::store::scratch_dir(dir),
        crate::stats::measured::Measurements::for_tests(),
    )
    .expect("scratch")
}

fn held(dir: &std::path::Path) -> Holding {
    let store = Store::open(dir, 8 << 20).expect("store");
    let stats = statistics(dir);
    let (ledger, _, _) = Ledger::load(&store, &stats, 0).expect("ledger");
    ledger
        .holdings
        .get(&"NG".parse().expect("code"))
        .copied()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_restart_remembers_what_came_before_and_after_the_checkpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let completed = pb::Outcome::Completed as i32;
    run(
        dir.path(),
        vec![(1, vec![closure(1, completed), closure(2, completed)])],
    )
    .await;
    let early = std::fs::read(checkpoint::path(dir.path())).expect("checkpoint written at stop");

    run(dir.path(), vec![(3, vec![closure(3, completed)])]).await;
    // As after a crash: the checkpoint is older than the store.
    std::fs::write(checkpoint::path(dir.path()), early).expect("restore old checkpoint");
    assert_eq!(
        held(dir.path()),
        Holding {
            highest_seq: 3,
            counts: [0, 0, 0, 3, 0]
        }
    );

    let acks = run(
        dir.path(),
        vec![(
            4,
            vec![
                closure(1, completed),
                closure(3, completed),
                closure(2, pb::Outcome::Withdrawn as i32),
            ],
        )],
    )
    .await;
    // Event 1 (from the checkpoint) and 3 (from the tail) are duplicates; 2 conflicts.
    assert_eq!(
        (acks[0].stored, acks[0].duplicates, acks[0].conflicts.len()),
        (0, 2, 1)
    );
}

fn copy_files(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("directory");
    for entry in std::fs::read_dir(from).expect("store files").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

#[tokio::test]
async fn a_checkpoint_newer_than_the_store_is_not_trusted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let completed = pb::Outcome::Completed as i32;
    run(dir.path(), vec![(1, vec![closure(1, completed)])]).await;
    let old_store = tempfile::tempdir().expect("temp dir");
    copy_files(dir.path(), old_store.path());
    copy_files(
        &dir.path().join("batches"),
        &old_store.path().join("batches"),
    );
    run(dir.path(), vec![(2, vec![closure(2, completed)])]).await;
    std::fs::copy(
        checkpoint::path(dir.path()),
        checkpoint::path(old_store.path()),
    )
    .expect("newer checkpoint");
    assert_eq!(
        held(old_store.path()).highest_seq,
        1,
        "the ledger trusted a checkpoint the store does not match"
    );
}

#[tokio::test]
async fn a_checkpoint_the_previous_release_wrote_is_not_read_and_the_ledger_is_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let completed = pb::Outcome::Completed as i32;
    run(
        dir.path(),
        vec![(1, vec![closure(1, completed), closure(2, completed)])],
    )
    .await;
    let path = checkpoint::path(dir.path());
    let mut bytes = std::fs::read(&path).expect("checkpoint written at stop");
    // Version 3 had no count of erasures.
    bytes[8..12].copy_from_slice(&3u32.to_le_bytes());
    std::fs::write(&path, bytes).expect("older checkpoint");
    let store = Store::open(dir.path(), 8 << 20).expect("store");
    let stats = statistics(dir.path());
    let (ledger, from_checkpoint, _) = Ledger::load(&store, &stats, 0).expect("ledger");
    assert!(!from_checkpoint);
    let held = ledger.holdings[&"NG".parse().expect("code")];
    assert_eq!(held.highest_seq, 2);
    assert_eq!(held.counts.iter().sum::<u64>(), 2);
    assert_eq!(stats.events(), 2, "the aggregates counted again");
}
