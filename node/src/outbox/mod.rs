//! The node's database (a `midwa_store::Database`): the only module of the node that knows how
//! it is laid out. One tree, with key prefixes:
//!
//! | key | value |
//! |---|---|
//! | `O` + last sequence (8 bytes, big-endian) | where a batch of events lies, kept after its acknowledgement for the retention period |
//! | `L` + last sequence | where a ledger chunk lies: what was recorded, for duplicate detection |
//! | `m` + name | counters: `recorded`, `floor` (highest sequence the gateway holds), `forgotten` (highest sequence whose batch was forgotten), `rejected` |
//! | `d` + day | the highest sequence recorded before that day, for the retention period |
//! | `e` + person + sequence | an erasure made before erasures rewrote the ledger: the entries it removed |
//! | `s` | the sequence of the last retraction: once the gateway holds it, the outbox files before it are zeroed and removed |
//! | `n` + notice id | a cross-border notice addressed to this state, stored once |
//!
//! The batches and ledger chunks themselves are appended to segment files (see
//! [`midwa_store::segments`]), `outbox/` and `ledger/`; sled keeps 16 bytes of where each lies.
//! sled's page cache keeps what it writes, so the backlog of a node offline for days would
//! otherwise sit in its memory. Batches are kept after their acknowledgement for the state's
//! retention period (by default, always: a gateway that lost its disk is refilled from them);
//! an outbox file is removed once every batch in it is forgotten. The ledger is kept.
//!
//! A submission is appended and fsynced to both logs, then its pointers and the counter go in
//! one atomic sled batch, flushed and fsynced, before the node answers the agency: an answer
//! means durable on this node. Records after the last pointer (a submission cut short) are cut
//! off at open. There is no key per event: sled costs far too much per key. What lookups need
//! (which event ids are held, with a digest of their content; who has a return on record, and
//! its month) is kept in compact maps rebuilt from the ledger at start. Nothing here is
//! personal data: people are pseudonyms and dates are months.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use midwa_proto::codes::Month;
use midwa_proto::event::Pseudonym;
use midwa_store::index::{PrefixMap, SpillMap};
use midwa_store::segments::{Location, SegmentError, SegmentLog, Segments};
use midwa_store::{Batch, Tree};
use prost::Message;

use crate::latency::AckLatency;
use crate::record::anonymise::Returns;

mod migrate;
mod notices;
mod open;
mod records;
mod retention;
mod rewrite;
use records::{Erasure, LedgerChunk};
pub use records::{Held, OutboxBatch, Prepared, Recorded};
pub use retention::Retention;

/// A failure of the node's database is a [`StoreError`], the one every storage failure becomes.
pub use midwa_store::StoreError;

/// A value of the database in `dir` that cannot be decoded: `what` it is.
fn damaged(dir: &Path, what: &str) -> StoreError {
    StoreError::Damaged {
        path: dir.to_owned(),
        key: what.into(),
        why: "it cannot be decoded".into(),
    }
}

/// What lookups need, mostly on disk (see [`SpillMap`]); the lock also serialises writers.
#[derive(Debug)]
struct Memory {
    recorded: u64,
    /// The last day a day mark was written for (see [`retention`]).
    day: u32,
    ids: SpillMap<u32>,
    returns: SpillMap<u16>,
}

/// Entries each index keeps in memory before writing them to its scratch files.
const IN_MEMORY: usize = 1 << 16;

impl Memory {
    fn create(scratch: &Path) -> std::io::Result<Self> {
        Ok(Self {
            recorded: 0,
            day: 0,
            ids: SpillMap::create(scratch, "ids", IN_MEMORY)?,
            returns: SpillMap::create(scratch, "returns", IN_MEMORY)?,
        })
    }
}

/// The segment files the batches and the ledger chunks are appended to.
#[derive(Debug)]
struct Logs {
    outbox: SegmentLog,
    ledger: SegmentLog,
}

/// The node's outbox.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    db: midwa_store::Database,
    tree: Tree,
    memory: Mutex<Memory>,
    /// Taken after `memory` by those that hold both.
    logs: Mutex<Logs>,
    batch_files: Arc<Segments>,
    ledger_files: Arc<Segments>,
    /// Highest sequence the gateway holds, as far as this node knows.
    acked: AtomicU64,
    /// The acknowledged mark at the last pruning.
    pruned: AtomicU64,
    /// Highest sequence whose batch was forgotten after its acknowledgement.
    forgotten: AtomicU64,
    /// How long acknowledged batches are kept.
    retention: Retention,
    /// Highest sequence durable on this node: the publisher sends nothing beyond it.
    durable: AtomicU64,
    chunk_events: usize,
    /// How long events recorded since the start waited for the gateway.
    latency: AckLatency,
    /// A retraction's sequence, and the last outbox file that may hold what it erased: those
    /// files are zeroed before they are removed. 0 for none.
    scrub: Mutex<(u64, u32)>,
}

/// Key prefixes of the pointers to batches and to ledger chunks.
const BATCH: u8 = b'O';
const CHUNK: u8 = b'L';
/// The key of the scrub mark (see [`Outbox::scrub_after`]).
const SCRUB: &[u8] = b"s";
/// An outbox file takes no more batches once it holds this many bytes: it is removed once all
/// of them are acknowledged, so a node that caught up keeps at most about this much.
const BATCH_FILE_BYTES: u64 = if cfg!(test) { 1024 } else { 64 * 1024 * 1024 };
/// A ledger file takes no more chunks once it holds this many bytes.
const LEDGER_FILE_BYTES: u64 = 256 * 1024 * 1024;
const FLOOR: &[u8] = b"mfloor";
const FORGOTTEN: &[u8] = b"mforgotten";
/// Key prefix of the day marks: `d` + day since 1970 (4 bytes, big-endian) → the highest
/// sequence recorded before that day.
const DAY: u8 = b'd';
const REJECTED: &[u8] = b"mrejected";
const RECORDED: &[u8] = b"mrecorded";
/// Most events in one stored batch, and the fewest the publisher sends in one message.
pub const CHUNK_EVENTS: usize = 500;
/// Acknowledged events between two prunings of the outbox.
pub const PRUNE_EVERY: u64 = 16_384;
/// Entries of one ledger chunk (at most 28 bytes each).
const LEDGER_CHUNK: usize = 2048;

impl Outbox {
    /// Whether an event is already recorded, and with the same content.
    pub fn held(&self, event: &Prepared) -> Result<Held, StoreError> {
        let held = self
            .lock()
            .ids
            .get(event.key)
            .map_err(|e| self.index_err(e))?;
        Ok(match held {
            None => Held::No,
            Some(d) if d == event.digest => Held::Same,
            Some(_) => Held::Different,
        })
    }

    fn index_err(&self, source: std::io::Error) -> StoreError {
        StoreError::Index {
            path: self.path.join("index"),
            source,
        }
    }

    /// Records events, durably. Returns what became of each, in order.
    pub fn record(&self, events: Vec<Prepared>) -> Result<Vec<Recorded>, StoreError> {
        let mut memory = self.lock();
        // Never reuse a sequence the gateway already holds (a node restored from an old backup).
        let base = memory.recorded.max(self.acked_seq());
        let mut seq = base;
        let mut outcomes = Vec::with_capacity(events.len());
        let mut new: HashMap<u64, u32> = HashMap::new();
        let mut ledger = vec![LedgerChunk::default()];
        // Stored batches as (first sequence, events, encoded `OutboxBatch`): each event's bytes
        // are appended as they are, as field 2 (a message field encodes like a bytes field).
        let mut outbox: Vec<(u64, usize, Vec<u8>)> = vec![(seq + 1, 0, Vec::new())];
        for Prepared {
            wire,
            key,
            digest,
            person,
            return_month,
        } in events
        {
            let held = match new.get(&key) {
                Some(held) => Some(*held),
                None => memory.ids.get(key).map_err(|e| self.index_err(e))?,
            };
            if let Some(held) = held {
                outcomes.push(if held == digest {
                    Recorded::Duplicate
                } else {
                    Recorded::Conflict
                });
                continue;
            }
            seq += 1;
            new.insert(key, digest);
            let entry = ledger.last_mut().filter(|c| c.ids.len() < LEDGER_CHUNK);
            let entry = match entry {
                Some(entry) => entry,
                None => {
                    ledger.push(LedgerChunk::default());
                    ledger
                        .last_mut()
                        .unwrap_or_else(|| unreachable!("just pushed"))
                }
            };
            entry.ids.push(key);
            entry.digests.push(digest);
            entry.subjects.push(person);
            if return_month > 0 {
                entry.people.push(person);
                entry.months.push(return_month - 1);
            }
            if outbox.last().is_some_and(|b| b.1 >= self.chunk_events) {
                outbox.push((seq, 0, Vec::new()));
            }
            if let Some((first, n, value)) = outbox.last_mut() {
                if *n == 0 {
                    *first = seq;
                    prost::encoding::uint64::encode(1, first, value);
                }
                prost::encoding::bytes::encode(2, &wire, value);
                *n += 1;
            }
            outcomes.push(Recorded::New(seq));
        }
        if new.is_empty() {
            return Ok(outcomes);
        }
        let mut batch = Batch::default();
        let mut logs = self.logs();
        logs.roll_full()?;
        for (first, n, value) in outbox.into_iter().filter(|b| b.1 > 0) {
            let last = first + n as u64 - 1;
            let at = logs.outbox.append(&record_key(BATCH, last), &value)?;
            batch.insert(key(BATCH, &last.to_be_bytes()), &at.encode()[..]);
        }
        let mut ledger_seq = base;
        for chunk in &ledger {
            ledger_seq += chunk.ids.len() as u64;
            let at = logs
                .ledger
                .append(&record_key(CHUNK, ledger_seq), &chunk.encode_to_vec())?;
            batch.insert(key(CHUNK, &ledger_seq.to_be_bytes()), &at.encode()[..]);
        }
        logs.outbox.sync()?;
        logs.ledger.sync()?;
        drop(logs);
        batch.insert(RECORDED, seq.to_be_bytes());
        let today = retention::today();
        if memory.day != today {
            batch.insert(key(DAY, &today.to_be_bytes()), base.to_be_bytes());
        }
        self.tree.apply(batch)?;
        self.sync()?;
        memory.day = today;
        // Only now, durable, does it count as held.
        for chunk in ledger {
            for (id, digest) in chunk.ids.into_iter().zip(chunk.digests) {
                memory
                    .ids
                    .insert(id, digest)
                    .map_err(|e| self.index_err(e))?;
            }
            for (person, month) in chunk.people.into_iter().zip(chunk.months) {
                if memory
                    .returns
                    .get(person)
                    .map_err(|e| self.index_err(e))?
                    .is_none()
                {
                    memory
                        .returns
                        .insert(person, month as u16)
                        .map_err(|e| self.index_err(e))?;
                }
            }
        }
        memory.recorded = seq;
        self.durable.store(seq, Ordering::SeqCst);
        self.latency.recorded(base + 1, seq);
        Ok(outcomes)
    }

    /// Batches holding events after `after`, oldest first, up to about `max_events` events.
    /// The first batch is trimmed to start at `after + 1`. Only events already durable on this
    /// node are returned: one sent before its fsync could be lost here yet held at the gateway,
    /// and its sequence number then reused for another event after a crash.
    pub fn pending_after(
        &self,
        after: u64,
        max_events: usize,
    ) -> Result<Vec<OutboxBatch>, StoreError> {
        let mut out = Vec::new();
        let mut total = 0;
        for item in self
            .tree
            .range(key(BATCH, &(after + 1).to_be_bytes())..=key(BATCH, &u64::MAX.to_be_bytes()))
        {
            let (_, at) = item?;
            let mut batch = self.read_batch(&at)?;
            let durable = self.durable.load(Ordering::SeqCst);
            if batch.first_seq > durable {
                break;
            }
            batch
                .events
                .truncate((durable + 1 - batch.first_seq) as usize);
            if batch.first_seq <= after {
                let skip = (after + 1 - batch.first_seq) as usize;
                batch.events.drain(..skip.min(batch.events.len()));
                batch.first_seq = after + 1;
            }
            total += batch.events.len();
            out.push(batch);
            if total >= max_events {
                break;
            }
        }
        Ok(out)
    }

    /// Notes that the gateway holds everything up to `seq`. The batches are forgotten in bulk,
    /// every [`PRUNE_EVERY`] events (or on [`Outbox::prune`]), not at each acknowledgement.
    pub fn acknowledge(&self, seq: u64) -> Result<(), StoreError> {
        let before = self.acked.fetch_max(seq, Ordering::SeqCst);
        self.latency.acknowledged(seq);
        let scrub = self.scrub.lock().unwrap_or_else(PoisonError::into_inner).0;
        let scrub_due = scrub > 0 && seq >= scrub;
        if seq > before && (scrub_due || seq >= self.pruned.load(Ordering::SeqCst) + PRUNE_EVERY) {
            self.prune()?;
        }
        Ok(())
    }

    /// Counts events the gateway refused as conflicts.
    pub fn add_rejected(&self, n: u64) -> Result<(), StoreError> {
        let total = self.counter(REJECTED)? + n;
        self.tree.insert(REJECTED, total.to_be_bytes())?;
        Ok(())
    }

    /// Highest sequence recorded on this node.
    pub fn recorded_seq(&self) -> u64 {
        self.lock().recorded
    }

    /// Highest sequence durable on this node: what may be published.
    pub fn durable_seq(&self) -> u64 {
        self.durable.load(Ordering::SeqCst)
    }

    /// How long the events recorded since the start waited for the gateway's acknowledgement.
    pub fn ack_latency(&self) -> &AckLatency {
        &self.latency
    }

    /// Highest sequence the gateway was last known to hold.
    pub fn acked_seq(&self) -> u64 {
        self.acked.load(Ordering::SeqCst)
    }

    /// Events the gateway refused as conflicts, in total.
    pub fn rejected(&self) -> u64 {
        self.counter(REJECTED).unwrap_or(0)
    }

    /// Bytes the database and its segment files occupy on disk.
    pub fn size_on_disk(&self) -> u64 {
        let logs = self.logs();
        let segments = logs.outbox.size_on_disk() + logs.ledger.size_on_disk();
        drop(logs);
        self.db.size_on_disk() + segments
    }

    /// Makes every write so far durable: sled's flush, then fsync of its files (sled's own
    /// flush uses `sync_file_range`, which does not survive power loss).
    pub fn sync(&self) -> Result<(), StoreError> {
        self.db.sync()
    }

    fn lock(&self) -> MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn logs(&self) -> MutexGuard<'_, Logs> {
        self.logs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The batch a pointer names.
    fn read_batch(&self, pointer: &[u8]) -> Result<OutboxBatch, StoreError> {
        let bytes = self.batch_files.read(location(&self.path, pointer)?)?;
        OutboxBatch::decode(bytes.as_slice()).map_err(|_| damaged(&self.path, "an outbox batch"))
    }

    fn counter(&self, name: &[u8]) -> Result<u64, StoreError> {
        let value = self.tree.get(name)?;
        Ok(value
            .and_then(|v| v.as_ref().try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0))
    }
}

impl Returns for Outbox {
    fn return_month(&self, person: &Pseudonym) -> std::io::Result<Option<Month>> {
        let index = self
            .lock()
            .returns
            .get(PrefixMap::<u16>::key_of(&person.0))?;
        Ok(index.and_then(|index| Month::new(index / 12, (index % 12) as u8 + 1)))
    }
}

impl Logs {
    /// Starts new files where the current ones are full. Every pointer to them is durable: each
    /// submission is synced before its answer.
    fn roll_full(&mut self) -> Result<(), SegmentError> {
        for log in [&mut self.outbox, &mut self.ledger] {
            if log.full() {
                log.roll()?;
            }
        }
        Ok(())
    }
}

/// The location a pointer of the database in `dir` holds.
fn location(dir: &Path, pointer: &[u8]) -> Result<Location, StoreError> {
    Location::decode(pointer).ok_or_else(|| damaged(dir, "a pointer into a segment file"))
}

/// A record's key in a segment file: the pointer's prefix and sequence.
fn record_key(prefix: u8, seq: u64) -> [u8; 10] {
    let mut k = [0u8; 10];
    k[0] = prefix;
    k[1..9].copy_from_slice(&seq.to_be_bytes());
    k
}

fn key(prefix: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(prefix);
    k.extend_from_slice(rest);
    k
}

#[cfg(test)]
mod tests;
