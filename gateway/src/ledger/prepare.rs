//! Batches made ready off the writer thread, on each stream's own task.

use midwa_proto::event::Event;
use midwa_proto::pb;
use midwa_store::index::{PrefixMap, content_digest};
use prost::Message;

use super::{ERASED, kind_of, kind_slot};
use crate::ledger::erasure::Target;
use crate::stats::fact::Fact;
use crate::store::MAX_VALUE_BYTES;

/// A checked, canonical event, encoded once and digested, off the writer thread.
#[derive(Debug)]
pub(super) struct Prepared {
    pub(super) key: u64,
    pub(super) digest: u32,
    pub(super) slot: Option<usize>,
    pub(super) id: [u8; 16],
    pub(super) bytes: Vec<u8>,
}

/// A batch made ready for the writer by the stream's own task: each event encoded and
/// digested, and the stored values built as if every event were new (the usual case), so the
/// writer thread only checks ids and stores.
#[derive(Debug)]
pub struct PreparedBatch {
    pub(super) first_seq: u64,
    pub(super) events: Vec<Prepared>,
    /// What the aggregates count of each event (none for a retraction).
    pub(super) facts: Vec<Option<Fact>>,
    /// The retractions, by offset.
    pub(super) targets: Vec<(usize, Target)>,
    /// (last sequence, encoded [`crate::store::StoredBatch`]) per value.
    pub(super) values: Vec<(u64, Vec<u8>)>,
}

impl PreparedBatch {
    /// Prepares checked, canonical events (see `midwa_proto::convert::canonicalize`) sent from
    /// `first_seq` on, with their domain values.
    pub fn new(first_seq: u64, events: Vec<pb::Event>, checked: Vec<Event>) -> Self {
        let facts = checked.iter().map(Fact::of).collect();
        let targets = checked
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Target::of(e).map(|t| (i, t)))
            .collect();
        let mut values = Vec::new();
        let mut value = Vec::new();
        let last_seq = first_seq + (events.len() as u64).saturating_sub(1);
        let prepared = events
            .iter()
            .enumerate()
            .map(|(offset, event)| {
                let seq = first_seq + offset as u64;
                let bytes = event.encode_to_vec();
                if value.is_empty() {
                    prost::encoding::uint64::encode(1, &seq, &mut value);
                }
                prost::encoding::bytes::encode(2, &bytes, &mut value);
                // Keep every stored value small, so that one read of it stays small.
                if value.len() + 1024 >= MAX_VALUE_BYTES || seq == last_seq {
                    values.push((seq, std::mem::take(&mut value)));
                }
                Prepared {
                    key: PrefixMap::<u32>::key_of(&event.id),
                    digest: content_digest(&bytes).min(ERASED - 1),
                    slot: kind_of(event).map(kind_slot),
                    id: event.id.as_slice().try_into().unwrap_or([0; 16]),
                    bytes,
                }
            })
            .collect();
        Self {
            first_seq,
            events: prepared,
            facts,
            targets,
            values,
        }
    }
}
