//! The node's database: the only module that knows sled. One tree, with key prefixes:
//!
//! | key | value |
//! |---|---|
//! | `o` + last sequence (8 bytes, big-endian) | a batch of events not yet acknowledged |
//! | `i` + event id (16 bytes) | its sequence and a digest of its content |
//! | `p` + pseudonym (32 bytes) | the month of the person's return |
//! | `m` + name | counters: `floor` (highest sequence the gateway holds), `rejected` |
//!
//! A submission is written with one atomic sled batch, then flushed and fsynced, before the node
//! answers the agency: an answer means durable on this node. Nothing here is personal data: the
//! person is a pseudonym and dates are months.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use midwa_proto::codes::Month;
use midwa_proto::event::{EventId, Pseudonym};
use midwa_proto::pb;
use prost::Message;

use crate::anonymise::{Anonymised, Returns};

/// A database failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// sled failed.
    #[error("node database at {path}: {source}")]
    Db {
        /// The database directory.
        path: PathBuf,
        /// What sled said.
        source: sled::Error,
    },
    /// A file could not be synced.
    #[error("cannot sync {path}: {source}")]
    Sync {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A stored value cannot be decoded.
    #[error("node database at {0}: a stored batch is damaged; restore from backup")]
    Damaged(PathBuf),
}

/// What became of one submitted record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// New, under this sequence.
    New(u64),
    /// Already recorded with the same content, under this sequence.
    Duplicate(u64),
    /// Already recorded with other content, under this sequence: kept out.
    Conflict(u64),
}

/// A batch of consecutive events to publish.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OutboxBatch {
    /// Sequence of the first event.
    #[prost(uint64, tag = "1")]
    pub first_seq: u64,
    /// The events, in sequence order.
    #[prost(message, repeated, tag = "2")]
    pub events: Vec<pb::Event>,
}

/// The node's outbox.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    db: sled::Db,
    tree: sled::Tree,
    db_file: File,
    /// Serialises writers and holds the last sequence recorded.
    writer: Mutex<u64>,
    chunk_events: usize,
}

const FLOOR: &[u8] = b"mfloor";
const REJECTED: &[u8] = b"mrejected";
const RECORDED: &[u8] = b"mrecorded";

impl Outbox {
    /// Opens (or creates) the database in `dir`. Stored batches hold at most `chunk_events`.
    pub fn open(dir: &Path, cache_bytes: u64, chunk_events: usize) -> Result<Self, OutboxError> {
        let db_err = |source| OutboxError::Db {
            path: dir.to_owned(),
            source,
        };
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .segment_size(8 * 1024 * 1024)
            .flush_every_ms(None)
            .open()
            .map_err(db_err)?;
        let tree = db.open_tree("node").map_err(db_err)?;
        let db_file = File::open(dir.join("db")).map_err(|source| OutboxError::Sync {
            path: dir.join("db"),
            source,
        })?;
        let outbox = Self {
            path: dir.to_owned(),
            db,
            tree,
            db_file,
            writer: Mutex::new(0),
            chunk_events: chunk_events.max(1),
        };
        let recorded = outbox.counter(RECORDED)?;
        *outbox.writer.lock().unwrap_or_else(|e| e.into_inner()) = recorded;
        Ok(outbox)
    }

    /// Records anonymised events, durably. Returns what became of each, in order.
    pub fn record(&self, events: Vec<Anonymised>) -> Result<Vec<Recorded>, OutboxError> {
        let mut last = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        // Never reuse a sequence the gateway already holds (a node restored from an old backup).
        let mut seq = (*last).max(self.counter(FLOOR)?);
        let mut batch = sled::Batch::default();
        let mut outcomes = Vec::with_capacity(events.len());
        let mut pending = Vec::new();
        let mut seen = std::collections::HashMap::new();
        let mut chunk = OutboxBatch {
            first_seq: seq + 1,
            events: Vec::new(),
        };
        for anonymised in events {
            let wire = pb::Event::from(&anonymised.event);
            let digest = digest(&wire.encode_to_vec());
            let held = match seen.get(&anonymised.event.id) {
                Some(&(s, d)) => Some((s, d)),
                None => self.held(&anonymised.event.id)?,
            };
            if let Some((s, d)) = held {
                outcomes.push(if d == digest {
                    Recorded::Duplicate(s)
                } else {
                    Recorded::Conflict(s)
                });
                continue;
            }
            seq += 1;
            seen.insert(anonymised.event.id, (seq, digest));
            let mut value = seq.to_be_bytes().to_vec();
            value.extend_from_slice(&digest.to_be_bytes());
            batch.insert(key(b'i', &anonymised.event.id.0), value);
            if let Some(month) = anonymised.return_month {
                batch.insert(
                    key(b'p', &anonymised.event.subject.0),
                    month_bytes(month).to_vec(),
                );
            }
            chunk.events.push(wire);
            if chunk.events.len() >= self.chunk_events {
                let next = OutboxBatch {
                    first_seq: seq + 1,
                    events: Vec::new(),
                };
                pending.push((seq, std::mem::replace(&mut chunk, next)));
            }
            outcomes.push(Recorded::New(seq));
        }
        if !chunk.events.is_empty() {
            pending.push((seq, chunk));
        }
        if pending.is_empty() {
            return Ok(outcomes);
        }
        for (last_seq, chunk) in pending {
            batch.insert(key(b'o', &last_seq.to_be_bytes()), chunk.encode_to_vec());
        }
        batch.insert(RECORDED, seq.to_be_bytes().to_vec());
        self.tree
            .apply_batch(batch)
            .map_err(|source| OutboxError::Db {
                path: self.path.clone(),
                source,
            })?;
        self.sync()?;
        *last = seq;
        Ok(outcomes)
    }

    /// Batches holding events after `after`, oldest first, up to about `max_events` events.
    /// The first batch is trimmed to start at `after + 1`.
    pub fn pending_after(
        &self,
        after: u64,
        max_events: usize,
    ) -> Result<Vec<OutboxBatch>, OutboxError> {
        let mut out = Vec::new();
        let mut total = 0;
        for item in self
            .tree
            .range(key(b'o', &(after + 1).to_be_bytes())..key(b'o', &u64::MAX.to_be_bytes()))
        {
            let (_, value) = item.map_err(|source| OutboxError::Db {
                path: self.path.clone(),
                source,
            })?;
            let mut batch = OutboxBatch::decode(value.as_ref())
                .map_err(|_| OutboxError::Damaged(self.path.clone()))?;
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

    /// Forgets batches the gateway holds (up to `seq`). Not synced: if lost, they are sent
    /// again and the gateway recognises them.
    pub fn acknowledge(&self, seq: u64) -> Result<(), OutboxError> {
        let db = |source| OutboxError::Db {
            path: self.path.clone(),
            source,
        };
        let keys: Vec<_> = self
            .tree
            .range(key(b'o', &[0; 8])..=key(b'o', &seq.to_be_bytes()))
            .keys()
            .collect::<Result<_, _>>()
            .map_err(db)?;
        let mut batch = sled::Batch::default();
        keys.into_iter().for_each(|k| batch.remove(k));
        if seq > self.counter(FLOOR)? {
            batch.insert(FLOOR, seq.to_be_bytes().to_vec());
        }
        self.tree.apply_batch(batch).map_err(db)
    }

    /// Counts events the gateway refused as conflicts.
    pub fn add_rejected(&self, n: u64) -> Result<(), OutboxError> {
        let total = self.counter(REJECTED)? + n;
        self.tree
            .insert(REJECTED, total.to_be_bytes().to_vec())
            .map_err(|source| OutboxError::Db {
                path: self.path.clone(),
                source,
            })?;
        Ok(())
    }

    /// Highest sequence recorded on this node.
    pub fn recorded_seq(&self) -> u64 {
        *self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Highest sequence the gateway was last known to hold.
    pub fn acked_seq(&self) -> u64 {
        self.counter(FLOOR).unwrap_or(0)
    }

    /// Events the gateway refused as conflicts, in total.
    pub fn rejected(&self) -> u64 {
        self.counter(REJECTED).unwrap_or(0)
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    /// Makes every write so far durable: sled's flush, then fsync of its files (sled's own
    /// flush uses `sync_file_range`, which does not survive power loss).
    pub fn sync(&self) -> Result<(), OutboxError> {
        self.db.flush().map_err(|source| OutboxError::Db {
            path: self.path.clone(),
            source,
        })?;
        self.db_file
            .sync_all()
            .map_err(|source| OutboxError::Sync {
                path: self.path.join("db"),
                source,
            })?;
        let blobs = self.path.join("blobs");
        if let Ok(entries) = std::fs::read_dir(&blobs) {
            for entry in entries.flatten() {
                File::open(entry.path())
                    .and_then(|f| f.sync_all())
                    .map_err(|source| OutboxError::Sync {
                        path: entry.path(),
                        source,
                    })?;
            }
            File::open(&blobs)
                .and_then(|f| f.sync_all())
                .map_err(|source| OutboxError::Sync {
                    path: blobs,
                    source,
                })?;
        }
        Ok(())
    }

    fn held(&self, id: &EventId) -> Result<Option<(u64, u64)>, OutboxError> {
        let value = self
            .tree
            .get(key(b'i', &id.0))
            .map_err(|source| OutboxError::Db {
                path: self.path.clone(),
                source,
            })?;
        Ok(value.and_then(|v| {
            let seq = u64::from_be_bytes(v.get(..8)?.try_into().ok()?);
            let digest = u64::from_be_bytes(v.get(8..16)?.try_into().ok()?);
            Some((seq, digest))
        }))
    }

    fn counter(&self, name: &[u8]) -> Result<u64, OutboxError> {
        let value = self.tree.get(name).map_err(|source| OutboxError::Db {
            path: self.path.clone(),
            source,
        })?;
        Ok(value
            .and_then(|v| v.as_ref().try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0))
    }
}

impl Returns for Outbox {
    fn return_month(&self, person: &Pseudonym) -> Option<Month> {
        let value = self.tree.get(key(b'p', &person.0)).ok()??;
        match value.as_ref() {
            [y1, y2, m] => Month::new(u16::from_be_bytes([*y1, *y2]), *m),
            _ => None,
        }
    }
}

fn key(prefix: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(prefix);
    k.extend_from_slice(rest);
    k
}

fn month_bytes(m: Month) -> [u8; 3] {
    let y = m.year().to_be_bytes();
    [y[0], y[1], m.month()]
}

fn digest(bytes: &[u8]) -> u64 {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    u64::from_be_bytes(d.as_ref()[..8].try_into().unwrap_or([0; 8]))
}
