//! Durable storage of received batches, on `midwa_store` (segment files, and the database that
//! points into them): the only module of the gateway that knows how they are laid out.
//!
//! Each accepted batch is one value, keyed by the origin state and the batch's last sequence
//! number, so the highest sequence held for a state is the last key of its range and needs no
//! separate bookkeeping. The value's bytes go to an append-only segment file under `batches/`
//! (a length, a CRC-32 and the bytes); sled keeps only where they are, 16 bytes a batch.
//! sled 0.34's page cache keeps the pages it writes until they are read often enough, so
//! values kept in sled would hold process memory in proportion to the data; in segment files
//! they stay in the kernel's page cache, which gives them back.
//!
//! [`Store::sync`] makes a group durable with one fsync: the segment file is written and
//! fsynced (and its directory, for a new file), then the pointers are put in sled, which is
//! flushed and fsynced only about once a second, at a new segment file and at a clean stop.
//! Each record also names its key, so at start the records after the last durable pointer are
//! read back and indexed again, up to the first that is incomplete or fails its checksum: that
//! tail (a group whose fsync never finished) is cut off. A pointer never names bytes a crash
//! could lose. A value replaced (an erasure rewriting a batch) is overwritten with zeros once
//! the pointer to its replacement is durable.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use midwa_store::segments::{Location, SegmentLog, Segments, Tail};
use midwa_store::{Batch, Database, Entry, Settings, Tree};
use prost::Message;

mod journal;

pub use journal::{Journal, Record};

/// A batch's key (origin, last sequence) and where its value lies.
type Pointer = ([u8; 10], Location);

/// sled's log segment size.
pub const SEGMENT_SIZE: usize = 8 * 1024 * 1024;
/// Largest encoded value stored; a larger batch is split, so that one read stays small.
pub const MAX_VALUE_BYTES: usize = SEGMENT_SIZE / 4 / 17 - 4096;
/// A segment file takes no more values once it holds this many bytes.
const SEGMENT_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Longest time between two flushes of sled's pointers: what a start after a crash may have
/// to read back from the last segment.
const POINTER_FLUSH: std::time::Duration = std::time::Duration::from_secs(1);

/// A storage failure. Any of these after start means the gateway cannot promise durability and
/// must stop.
pub use midwa_store::StoreError;

/// A failure of the index scratch files of the store in `dir`.
pub fn index_error(dir: &Path, source: std::io::Error) -> StoreError {
    StoreError::Index {
        path: scratch_dir(dir),
        source,
    }
}

/// Where the in-memory indexes of the store in `dir` keep their scratch files.
pub fn scratch_dir(dir: &Path) -> PathBuf {
    dir.join("index")
}

/// One stored batch, as a segment file holds it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StoredBatch {
    /// Sequence of the first event of the batch as the node sent it.
    #[prost(uint64, tag = "1")]
    pub first_seq: u64,
    /// The events stored (the batch less duplicates and conflicts), each in its canonical
    /// encoding: the bytes its content digest was computed over, encoded once.
    #[prost(bytes = "vec", repeated, tag = "2")]
    pub events: Vec<Vec<u8>>,
}

/// A batch read back from the store.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Origin state, two ASCII letters.
    pub state: [u8; 2],
    /// Sequence of the last event of the batch.
    pub last_seq: u64,
    /// The batch.
    pub batch: StoredBatch,
}

/// The segment files appended to, and what waits for the next sync.
#[derive(Debug)]
struct Appending {
    log: SegmentLog,
    /// Pointers to put in sled at the next sync.
    pointers: Vec<Pointer>,
    /// Values replaced: zeroed once the replacements are durable.
    stale: Vec<Location>,
    /// When sled's pointers were last made durable.
    flushed: std::time::Instant,
}

/// The gateway's database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    db: Arc<Database>,
    batches: Tree,
    segments: Arc<Segments>,
    appending: Mutex<Appending>,
}

impl Store {
    /// Opens (or creates) the database in `dir`, with `cache_bytes` of page cache.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        let db = Arc::new(Database::open(
            dir,
            &Settings {
                cache_bytes,
                segment_size: SEGMENT_SIZE,
                earlier_segment_size: None,
                high_throughput: true,
            },
        )?);
        let batches = db.tree("batch_locations")?;
        let pointed = batches
            .iter()
            .map(|item| {
                let (k, v) = item?;
                Location::decode(&v)
                    .ok_or_else(|| StoreError::damaged(dir, &k, "not a batch location"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Records after the last durable pointer were synced: their group was acknowledged.
        let (log, recovered) = SegmentLog::open(
            &dir.join("batches"),
            SEGMENT_FILE_BYTES,
            pointed,
            Tail::Keep,
        )?;
        let recovered = !recovered.is_empty() && {
            let mut batch = Batch::default();
            for (k, at) in &recovered {
                batch.insert(k, at.encode());
            }
            batches.apply(batch)?;
            true
        };
        let mut store = Self {
            path: dir.to_owned(),
            db,
            batches,
            segments: log.segments(),
            appending: Mutex::new(Appending {
                log,
                pointers: Vec::new(),
                stale: Vec::new(),
                flushed: std::time::Instant::now(),
            }),
        };
        if recovered {
            store.sync_all()?;
        }
        store.migrate()?;
        Ok(store)
    }

    /// Moves values an older version kept inside sled (tree `batches`) to segment files.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let old = self.db.tree("batches")?;
        if old.is_empty() {
            return Ok(());
        }
        tracing::info!(
            batches = old.len(),
            "moving stored batches out of sled into segment files"
        );
        for item in old.iter() {
            let (k, v) = item?;
            let key: [u8; 10] = k
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::damaged(&path, &k, "key is not state and sequence"))?;
            self.put(key, &v)?;
        }
        self.sync_all()?;
        self.db.drop_tree("batches")?;
        self.sync_all()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Appending> {
        self.appending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an already encoded [`StoredBatch`]; durable only after [`Store::sync`].
    pub fn put_encoded(
        &self,
        state: [u8; 2],
        last_seq: u64,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.put(key(state, last_seq), value)
    }

    fn put(&self, key: [u8; 10], value: &[u8]) -> Result<(), StoreError> {
        let replaced = self.batches.get(key)?.and_then(|v| Location::decode(&v));
        let mut a = self.lock();
        if a.log.full() {
            self.roll(&mut a)?;
        }
        let at = a.log.append(&key, value)?;
        if let Some(i) = a.pointers.iter().position(|(k, _)| *k == key) {
            let earlier = a.pointers.remove(i).1;
            a.stale.push(earlier);
        }
        a.stale.extend(replaced);
        a.pointers.push((key, at));
        Ok(())
    }

    /// Finishes the current segment file (synced, and every pointer to it durable: a start
    /// reads back only the last file) and starts the next.
    fn roll(&self, a: &mut Appending) -> Result<(), StoreError> {
        a.log.sync()?;
        self.put_pointers(&std::mem::take(&mut a.pointers))?;
        self.db.sync()?;
        a.flushed = std::time::Instant::now();
        a.log.roll()?;
        Ok(())
    }

    /// Makes everything put so far survive power loss: the segment's bytes are fsynced; the
    /// pointers to them go to sled, made durable about once a second (or at once if a value was
    /// replaced, before its old bytes are zeroed).
    pub fn sync(&mut self) -> Result<(), StoreError> {
        self.sync_group(false)
    }

    /// [`Store::sync`], and sled's pointers made durable too (a clean stop).
    pub fn sync_all(&mut self) -> Result<(), StoreError> {
        self.sync_group(true)
    }

    fn sync_group(&mut self, all: bool) -> Result<(), StoreError> {
        let (pointers, stale, flush) = {
            let mut a = self.lock();
            a.log.sync()?;
            let flush = all || !a.stale.is_empty() || a.flushed.elapsed() >= POINTER_FLUSH;
            if flush {
                a.flushed = std::time::Instant::now();
            }
            (
                std::mem::take(&mut a.pointers),
                std::mem::take(&mut a.stale),
                flush,
            )
        };
        self.put_pointers(&pointers)?;
        if flush {
            self.db.sync()?;
        }
        // Nothing durable points to the replaced values any more.
        self.lock().log.zero(&stale)?;
        Ok(())
    }

    fn put_pointers(&self, pointers: &[Pointer]) -> Result<(), StoreError> {
        if pointers.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::default();
        for (k, at) in pointers {
            batch.insert(k, at.encode());
        }
        self.batches.apply(batch)
    }

    /// Every stored batch, in key order (by state, then sequence).
    pub fn scan(&self) -> impl Iterator<Item = Result<Stored, StoreError>> + '_ {
        self.batches
            .iter()
            .map(|item| decode(&self.path, &self.segments, item))
    }

    /// The batches of `state` stored after sequence `after`, in order.
    pub fn scan_state_after(
        &self,
        state: [u8; 2],
        after: u64,
    ) -> impl Iterator<Item = Result<Stored, StoreError>> + '_ {
        let from = key(state, after.saturating_add(1));
        let to = key(state, u64::MAX);
        self.batches
            .range(from..=to)
            .map(|item| decode(&self.path, &self.segments, item))
    }

    /// Whether a batch of `state` ends at `last_seq`.
    pub fn has(&self, state: [u8; 2], last_seq: u64) -> Result<bool, StoreError> {
        self.batches.contains_key(key(state, last_seq))
    }

    /// The database's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes the database and its segment files occupy on disk.
    pub fn size_on_disk(&self) -> u64 {
        let segments = self.lock().log.size_on_disk();
        self.db.size_on_disk() + segments
    }

    /// A read-only view of the batches, for readers beside the writer thread.
    pub fn batches(&self) -> Batches {
        Batches {
            path: self.path.clone(),
            tree: self.batches.clone(),
            segments: self.segments.clone(),
        }
    }

    /// A journal of small records beside the batches (policy versions, access logs), written
    /// from other threads than the writer's.
    pub fn journal(&self, name: &str) -> Result<Journal, StoreError> {
        Ok(Journal {
            db: self.db.clone(),
            tree: self.db.tree(name)?,
        })
    }
}

/// The stored batches, read beside the writer (record-level subscriptions). A batch an erasure
/// rewrites is read either before or after.
#[derive(Debug, Clone)]
pub struct Batches {
    path: PathBuf,
    tree: Tree,
    segments: Arc<Segments>,
}

impl Batches {
    /// The batches of `state` after sequence `after` and up to `upto`, in order, until they
    /// hold at least `max_events` events.
    pub fn range(
        &self,
        state: [u8; 2],
        after: u64,
        upto: u64,
        max_events: usize,
    ) -> Result<Vec<Stored>, StoreError> {
        if upto <= after {
            return Ok(Vec::new());
        }
        let from = key(state, after + 1);
        let to = key(state, upto);
        let mut out = Vec::new();
        let mut events = 0;
        for item in self.tree.range(from..=to) {
            let stored = decode(&self.path, &self.segments, item)?;
            events += stored.batch.events.len();
            out.push(stored);
            if events >= max_events {
                break;
            }
        }
        Ok(out)
    }
}

fn decode(path: &Path, segments: &Segments, item: Entry) -> Result<Stored, StoreError> {
    let (k, v) = item?;
    let damaged = |why: String| StoreError::damaged(path, &k, why);
    let (state, last_seq) = match k.as_ref() {
        [a, b, seq @ ..] if seq.len() == 8 => {
            let mut s = [0u8; 8];
            s.copy_from_slice(seq);
            ([*a, *b], u64::from_be_bytes(s))
        }
        _ => return Err(damaged("key is not state and sequence".into())),
    };
    let at = Location::decode(&v).ok_or_else(|| damaged("not a batch location".into()))?;
    let value = segments.read(at)?;
    let batch = StoredBatch::decode(value.as_slice()).map_err(|e| damaged(e.to_string()))?;
    Ok(Stored {
        state,
        last_seq,
        batch,
    })
}

fn key(state: [u8; 2], last_seq: u64) -> [u8; 10] {
    let mut k = [0u8; 10];
    k[..2].copy_from_slice(&state);
    k[2..].copy_from_slice(&last_seq.to_be_bytes());
    k
}

#[cfg(test)]
mod tests;
