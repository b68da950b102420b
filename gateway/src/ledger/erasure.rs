//! Erasure: when a node retracts a person (or one event), the gateway deletes the events from
//! its store (each batch holding one is rewritten without it), forgets their ids so a corrected
//! record can be published again, and hands the erased events to the aggregates to count out.
//! Retractions themselves stay: they name only a pseudonym.
//!
//! An erasure runs on the writer thread once the retraction is durable, and is marked done in
//! the `erasures` journal; one interrupted by a crash is run again at the next start.

use midwa_proto::codes::CountryCode;
use midwa_proto::event::{Event, EventBody, EventId, Pseudonym};
use midwa_proto::pb;
use midwa_store::index::{PrefixMap, SpillMap};
use prost::Message;

use crate::store::{Journal, Store, StoreError, StoredBatch};

/// What a retraction asks to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The retraction's own id, to mark it done.
    pub retraction: EventId,
    /// The origin state.
    pub state: CountryCode,
    /// The person.
    pub subject: Pseudonym,
    /// One event, or everything about the person.
    pub event: Option<EventId>,
}

impl Target {
    /// The target of a retraction event; `None` for other events.
    pub fn of(event: &Event) -> Option<Self> {
        match &event.body {
            EventBody::Retraction(r) => Some(Self {
                retraction: event.id,
                state: event.origin,
                subject: event.subject,
                event: r.event,
            }),
            _ => None,
        }
    }

    fn matches(&self, e: &pb::Event) -> bool {
        !matches!(e.body, Some(pb::event::Body::Retraction(_)))
            && e.subject == self.subject.0
            && self.event.is_none_or(|id| e.id == id.0)
    }
}

/// How many erasures were completed, ever.
pub fn count_done(journal: &Journal) -> Result<u64, StoreError> {
    Ok(journal.scan(b"")?.len() as u64)
}

/// Whether the erasure of a retraction was completed.
pub fn done(journal: &Journal, retraction: &EventId) -> Result<bool, StoreError> {
    Ok(!journal.scan(&retraction.0)?.is_empty())
}

/// Deletes the events `targets` name from the store (not yet synced) and from `index`.
/// Returns the erased events. Every target must be of one state.
pub fn erase(
    store: &Store,
    index: &mut SpillMap<u32>,
    state: CountryCode,
    targets: &[Target],
) -> Result<Vec<Event>, StoreError> {
    let mut erased = Vec::new();
    for stored in store.scan_state_after(state.as_bytes(), 0) {
        let stored = stored?;
        let damaged = |why: String| StoreError::Damaged {
            path: store.path().to_owned(),
            key: format!("the batch {state}/{}", stored.last_seq),
            why,
        };
        let mut kept = Vec::with_capacity(stored.batch.events.len());
        let mut changed = false;
        for bytes in &stored.batch.events {
            let event = pb::Event::decode(bytes.as_slice()).map_err(|e| damaged(e.to_string()))?;
            if targets.iter().any(|t| t.matches(&event)) {
                changed = true;
                // Kept as a tombstone: a resend of it is recognised, a correction accepted.
                index
                    .set(PrefixMap::<u32>::key_of(&event.id), crate::ledger::ERASED)
                    .map_err(|e| crate::store::index_error(store.path(), e))?;
                erased.push(Event::try_from(&event).map_err(|e| damaged(e.to_string()))?);
            } else {
                kept.push(bytes.clone());
            }
        }
        if changed {
            let batch = StoredBatch {
                first_seq: stored.batch.first_seq,
                events: kept,
            };
            store.put_encoded(state.as_bytes(), stored.last_seq, &batch.encode_to_vec())?;
        }
    }
    Ok(erased)
}

/// Marks erasures done, durably.
pub fn mark_done(journal: &Journal, targets: &[Target]) -> Result<(), StoreError> {
    let keys: Vec<Vec<u8>> = targets.iter().map(|t| t.retraction.0.to_vec()).collect();
    let records: Vec<(&[u8], &[u8])> = keys.iter().map(|k| (k.as_slice(), &[][..])).collect();
    journal.put_all(&records)
}
