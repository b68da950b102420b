//! What the outbox takes and keeps: events ready to record, stored batches, ledger chunks and
//! erasures.

use midwa_proto::codes::Month;
use midwa_proto::pb;
use midwa_store::index::{PrefixMap, content_digest};
use prost::Message;

use crate::record::anonymise::Anonymised;

/// What became of one submitted record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// New, under this sequence.
    New(u64),
    /// Already recorded with the same content.
    Duplicate,
    /// Already recorded with other content: kept out.
    Conflict,
}

/// An event ready to record: its wire form and what the ledger keeps of it. Made from an
/// anonymised record, or read back from an import's staging file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Prepared {
    /// The event as published, encoded (`pb::Event`): encoded once, digested, and copied into
    /// the stored batch as it is.
    #[prost(bytes = "vec", tag = "1")]
    pub wire: Vec<u8>,
    /// The ledger key of its id.
    #[prost(fixed64, tag = "2")]
    pub key: u64,
    /// The digest of its canonical encoding.
    #[prost(fixed32, tag = "3")]
    pub digest: u32,
    /// For a return: the ledger key of the person.
    #[prost(fixed64, tag = "4")]
    pub person: u64,
    /// For a return: its month, as months since year 0, plus one (0: not a return).
    #[prost(uint32, tag = "5")]
    pub return_month: u32,
}

impl Prepared {
    /// Encodes an anonymised event and computes what the ledger keeps of it.
    pub fn new(anonymised: &Anonymised) -> Self {
        let wire = pb::Event::from(&anonymised.event).encode_to_vec();
        let digest = content_digest(&wire);
        Self {
            wire,
            key: PrefixMap::<u32>::key_of(&anonymised.event.id.0),
            digest,
            // A retraction is not a person's record: the ledger keeps no trace of whom it
            // names, so that nothing of an erased person stays on the node.
            person: match anonymised.event.body {
                midwa_proto::event::EventBody::Retraction(_) => 0,
                _ => PrefixMap::<u16>::key_of(&anonymised.event.subject.0),
            },
            return_month: anonymised
                .return_month
                .map_or(0, |m| u32::from(month_index(m)) + 1),
        }
    }
}

/// Whether an event is already recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Not recorded.
    No,
    /// Recorded with the same content.
    Same,
    /// Recorded with other content.
    Different,
}

/// A batch of consecutive events to publish, as stored. Its encoding is that of
/// `midwa.v1.PublishRequest`: an embedded message and a bytes field are both length-delimited,
/// so the events stay encoded from recording to the wire.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OutboxBatch {
    /// Sequence of the first event.
    #[prost(uint64, tag = "1")]
    pub first_seq: u64,
    /// The events' canonical encodings (`midwa.v1.Event`), in sequence order.
    #[prost(bytes = "vec", repeated, tag = "2")]
    pub events: Vec<Vec<u8>>,
}

/// What was recorded, as the ledger keeps it: 8-byte prefixes of keyed hashes.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct LedgerChunk {
    /// Event id prefixes.
    #[prost(fixed64, repeated, tag = "1")]
    pub(super) ids: Vec<u64>,
    /// Content digests, one per id.
    #[prost(fixed32, repeated, tag = "2")]
    pub(super) digests: Vec<u32>,
    /// Pseudonym prefixes of people whose return was recorded.
    #[prost(fixed64, repeated, tag = "3")]
    pub(super) people: Vec<u64>,
    /// Their return months, as months since year 0.
    #[prost(uint32, repeated, tag = "4")]
    pub(super) months: Vec<u32>,
    /// The person (pseudonym prefix) of each id, for erasure.
    #[prost(fixed64, repeated, tag = "5")]
    pub(super) subjects: Vec<u64>,
}

/// What an erasure removed from the ledger.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Erasure {
    /// Event id prefixes forgotten.
    #[prost(fixed64, repeated, tag = "1")]
    pub(super) ids: Vec<u64>,
    /// Whether the person's return was forgotten too (everything about them was erased).
    #[prost(bool, tag = "2")]
    pub(super) person: bool,
}

fn month_index(m: Month) -> u16 {
    m.year() * 12 + u16::from(m.month()) - 1
}
