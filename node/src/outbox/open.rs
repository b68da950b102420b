//! Opening the node's database: sled, the two segment logs, and the in-memory maps rebuilt
//! from the ledger.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use midwa_store::segments::{Location, SegmentLog, Segments, Tail};
use midwa_store::{Database, Settings, Tree};
use prost::Message;

use super::rewrite::forget;
use super::{
    BATCH, BATCH_FILE_BYTES, CHUNK, DAY, Erasure, FLOOR, FORGOTTEN, LEDGER_FILE_BYTES, LedgerChunk,
    Logs, Memory, Outbox, RECORDED, Retention, SCRUB, StoreError, damaged, location,
};
use crate::latency::AckLatency;

/// sled's log segment size (it keeps its I/O buffers this large). sled holds only pointers and
/// counters; a database made when it held the batches keeps the size it was made with.
const SLED_SEGMENT: usize = 1024 * 1024;
const SLED_SEGMENT_BEFORE: usize = 8 * 1024 * 1024;

impl Outbox {
    /// Opens (or creates) the database in `dir` and rebuilds the in-memory maps from the
    /// ledger. Stored batches hold at most `chunk_events`.
    pub fn open(dir: &Path, cache_bytes: u64, chunk_events: usize) -> Result<Self, StoreError> {
        let db = Database::open(
            dir,
            &Settings {
                cache_bytes,
                segment_size: SLED_SEGMENT,
                earlier_segment_size: Some(SLED_SEGMENT_BEFORE),
                high_throughput: false,
            },
        )?;
        let tree = db.tree("node")?;
        // What was appended but never pointed to was never answered for: it goes.
        let open_log = |name: &str, file_bytes, prefix| -> Result<SegmentLog, StoreError> {
            let pointed = pointers(&tree, prefix, dir).collect::<Result<Vec<_>, _>>()?;
            Ok(SegmentLog::open(&dir.join(name), file_bytes, pointed, Tail::Cut)?.0)
        };
        let outbox = open_log("outbox", BATCH_FILE_BYTES, BATCH)?;
        let ledger = open_log("ledger", LEDGER_FILE_BYTES, CHUNK)?;
        let scratch = dir.join("index");
        let memory = Memory::create(&scratch).map_err(|source| StoreError::Index {
            path: scratch.clone(),
            source,
        })?;
        let mut outbox = Self {
            path: dir.to_owned(),
            db,
            tree,
            memory: Mutex::new(memory),
            batch_files: outbox.segments(),
            ledger_files: ledger.segments(),
            logs: Mutex::new(Logs { outbox, ledger }),
            acked: AtomicU64::new(0),
            pruned: AtomicU64::new(0),
            forgotten: AtomicU64::new(0),
            retention: Retention::default(),
            durable: AtomicU64::new(0),
            chunk_events: chunk_events.max(1),
            latency: AckLatency::default(),
            scrub: Mutex::default(),
        };
        outbox.migrate()?;
        outbox.rebuild()?;
        let floor = outbox.counter(FLOOR)?;
        outbox.acked.store(floor, Ordering::SeqCst);
        outbox.pruned.store(floor, Ordering::SeqCst);
        // A database from before retention forgot everything acknowledged.
        let forgotten = match outbox.tree.get(FORGOTTEN)? {
            Some(_) => outbox.counter(FORGOTTEN)?,
            None => {
                outbox.tree.insert(FORGOTTEN, floor.to_be_bytes())?;
                floor
            }
        };
        outbox.forgotten.store(forgotten, Ordering::SeqCst);
        if let Some(last) = outbox.tree.scan_prefix([DAY]).next_back() {
            let (last, _) = last?;
            if let Ok(day) = <[u8; 4]>::try_from(&last[1..]) {
                outbox
                    .memory
                    .get_mut()
                    .unwrap_or_else(PoisonError::into_inner)
                    .day = u32::from_be_bytes(day);
            }
        }
        if let Some(mark) = outbox.tree.get(SCRUB)?
            && let (Ok(seq), Ok(segment)) = (
                <[u8; 8]>::try_from(&mark[..8.min(mark.len())]),
                <[u8; 4]>::try_from(&mark[8.min(mark.len())..]),
            )
        {
            *outbox
                .scrub
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner) =
                (u64::from_be_bytes(seq), u32::from_be_bytes(segment));
        }
        Ok(outbox)
    }

    /// Fills the in-memory maps from the ledger and the erasures.
    fn rebuild(&mut self) -> Result<(), StoreError> {
        let recorded = self.counter(RECORDED)?;
        let index_err = |source| StoreError::Index {
            path: self.path.join("index"),
            source,
        };
        let memory = self
            .memory
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        memory.recorded = recorded;
        for chunk in ledger_chunks(&self.tree, &self.ledger_files, &self.path) {
            let chunk = chunk?;
            for (id, digest) in chunk.ids.iter().zip(&chunk.digests) {
                if memory.ids.get(*id).map_err(index_err)?.is_none() {
                    memory.ids.insert(*id, *digest).map_err(index_err)?;
                }
            }
            for (person, month) in chunk.people.iter().zip(&chunk.months) {
                if memory.returns.get(*person).map_err(index_err)?.is_none() {
                    memory
                        .returns
                        .insert(*person, *month as u16)
                        .map_err(index_err)?;
                }
            }
        }
        for item in self.tree.scan_prefix(b"e") {
            let (key, value) = item?;
            // Erasures made before the ledger was rewritten by them.
            let erasure = Erasure::decode(value.as_ref())
                .map_err(|_| damaged(&self.path, "an erasure record"))?;
            let person = key
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .filter(|_| erasure.person);
            forget(memory, person, &erasure.ids).map_err(index_err)?;
        }
        self.durable.store(recorded, Ordering::SeqCst);
        Ok(())
    }
}

/// Every location the pointers under `prefix` name, in key order.
fn pointers<'a>(
    tree: &Tree,
    prefix: u8,
    dir: &'a Path,
) -> impl Iterator<Item = Result<Location, StoreError>> + 'a {
    tree.scan_prefix([prefix]).map(move |item| {
        let (_, at) = item?;
        location(dir, &at)
    })
}

/// Every ledger chunk, in order.
pub(super) fn ledger_chunks<'a>(
    tree: &Tree,
    files: &'a Segments,
    dir: &'a Path,
) -> impl Iterator<Item = Result<LedgerChunk, StoreError>> + 'a {
    pointers(tree, CHUNK, dir).map(move |at| {
        LedgerChunk::decode(files.read(at?)?.as_slice()).map_err(|_| damaged(dir, "a ledger chunk"))
    })
}
