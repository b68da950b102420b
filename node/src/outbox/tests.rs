//! Tests of the parent module.

use midwa_proto::event::{Closure, Event, EventBody, EventId};
use midwa_proto::vocab::Outcome;

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
