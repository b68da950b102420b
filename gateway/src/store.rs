//! Durable storage of received batches: the only module that knows sled.
//!
//! Each accepted batch is one value, keyed by the origin state and the batch's last sequence
//! number, so the highest sequence held for a state is the last key of its range and needs no
//! separate bookkeeping. Values are kept small enough that a whole leaf stays below sled's blob
//! threshold (a quarter of the segment size), so they stay inside the `db` file that
//! [`Store::sync`] fsyncs; any blob file that appears anyway is fsynced too.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use prost::Message;

/// sled's log segment size. A page larger than a quarter of it goes to a blob file of its own.
pub const SEGMENT_SIZE: usize = 8 * 1024 * 1024;
/// Largest encoded value stored; a larger batch is split. sled splits a leaf only once it holds
/// more than 16 values, whatever their size, so 17 values must fit under the blob threshold.
pub const MAX_VALUE_BYTES: usize = SEGMENT_SIZE / 4 / 17 - 4096;

/// A storage failure. Any of these after start means the gateway cannot promise durability and
/// must stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// sled failed.
    #[error("database at {path}: {source}")]
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
    /// A scratch file of an in-memory index (see `midwa_proto::index::SpillMap`) failed.
    #[error("index scratch files under {path}: {source}")]
    Index {
        /// The scratch directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A stored value cannot be decoded.
    #[error("database at {path}: damaged batch under key {key}: {why}")]
    Damaged {
        /// The database directory.
        path: PathBuf,
        /// The key, hex.
        key: String,
        /// What is wrong.
        why: String,
    },
}

impl StoreError {
    /// A failure of the index scratch files of the store in `dir`.
    pub fn index(dir: &Path, source: std::io::Error) -> Self {
        Self::Index {
            path: scratch_dir(dir),
            source,
        }
    }
}

/// Where the in-memory indexes of the store in `dir` keep their scratch files.
pub fn scratch_dir(dir: &Path) -> PathBuf {
    dir.join("index")
}

/// One stored batch, as sled holds it.
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

/// Whether sled could not open a database because another handle still holds its lock.
fn is_locked(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

/// The gateway's database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    batches: sled::Tree,
    db_file: File,
    synced_blobs: HashSet<PathBuf>,
}

impl Store {
    /// Opens (or creates) the database in `dir`, with `cache_bytes` of page cache.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        let db_err = |source| StoreError::Db {
            path: dir.to_owned(),
            source,
        };
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .segment_size(SEGMENT_SIZE)
            .mode(sled::Mode::HighThroughput)
            .flush_every_ms(None);
        let db = midwa_certs::files::open_locked(|| config.open(), is_locked).map_err(db_err)?;
        let batches = db.open_tree("batches").map_err(db_err)?;
        let db_path = dir.join("db");
        let db_file = File::open(&db_path).map_err(|source| StoreError::Sync {
            path: db_path,
            source,
        })?;
        Ok(Self {
            path: dir.to_owned(),
            db,
            batches,
            db_file,
            synced_blobs: HashSet::new(),
        })
    }

    /// Adds an already encoded [`StoredBatch`]; durable only after [`Store::sync`].
    pub fn put_encoded(
        &self,
        state: [u8; 2],
        last_seq: u64,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.batches
            .insert(key(state, last_seq), value)
            .map_err(|source| StoreError::Db {
                path: self.path.clone(),
                source,
            })?;
        Ok(())
    }

    /// Makes everything put so far survive power loss: sled's flush writes and
    /// `sync_file_range`s its log, which neither flushes the device cache nor the file's
    /// metadata, so the files are fsynced afterwards.
    pub fn sync(&mut self) -> Result<(), StoreError> {
        self.db.flush().map_err(|source| StoreError::Db {
            path: self.path.clone(),
            source,
        })?;
        let sync_err = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Sync { path, source }
        };
        self.db_file
            .sync_all()
            .map_err(sync_err(&self.path.join("db")))?;
        midwa_certs::files::sync_new_files(&self.path.join("blobs"), &mut self.synced_blobs)
            .map_err(|e| StoreError::Sync {
                path: self.path.join("blobs"),
                source: std::io::Error::other(e.to_string()),
            })?;
        Ok(())
    }

    /// Every stored batch, in key order (by state, then sequence).
    pub fn scan(&self) -> impl Iterator<Item = Result<Stored, StoreError>> + '_ {
        self.batches.iter().map(|item| decode(&self.path, item))
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
            .map(|item| decode(&self.path, item))
    }

    /// Whether a batch of `state` ends at `last_seq`.
    pub fn has(&self, state: [u8; 2], last_seq: u64) -> Result<bool, StoreError> {
        self.batches
            .contains_key(key(state, last_seq))
            .map_err(|source| StoreError::Db {
                path: self.path.clone(),
                source,
            })
    }

    /// The database's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    /// A read-only view of the batches, for readers beside the writer thread.
    pub fn batches(&self) -> Batches {
        Batches {
            path: self.path.clone(),
            tree: self.batches.clone(),
        }
    }

    /// A journal of small records beside the batches (policy versions, access logs), written
    /// from other threads than the writer's.
    pub fn journal(&self, name: &str) -> Result<Journal, StoreError> {
        let tree = self.db.open_tree(name).map_err(|source| StoreError::Db {
            path: self.path.clone(),
            source,
        })?;
        let db_path = self.path.join("db");
        let db_file = File::open(&db_path).map_err(|source| StoreError::Sync {
            path: db_path,
            source,
        })?;
        Ok(Journal {
            path: self.path.clone(),
            db: self.db.clone(),
            tree,
            db_file: std::sync::Arc::new(db_file),
        })
    }
}

/// The stored batches, read beside the writer (record-level subscriptions). A batch an erasure
/// rewrites is read either before or after.
#[derive(Debug, Clone)]
pub struct Batches {
    path: PathBuf,
    tree: sled::Tree,
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
            let stored = decode(&self.path, item)?;
            events += stored.batch.events.len();
            out.push(stored);
            if events >= max_events {
                break;
            }
        }
        Ok(out)
    }
}

fn decode(path: &Path, item: sled::Result<(sled::IVec, sled::IVec)>) -> Result<Stored, StoreError> {
    let (k, v) = item.map_err(|source| StoreError::Db {
        path: path.to_owned(),
        source,
    })?;
    let damaged = |why: String| StoreError::Damaged {
        path: path.to_owned(),
        key: k.iter().map(|b| format!("{b:02x}")).collect(),
        why,
    };
    let (state, last_seq) = match k.as_ref() {
        [a, b, seq @ ..] if seq.len() == 8 => {
            let mut s = [0u8; 8];
            s.copy_from_slice(seq);
            ([*a, *b], u64::from_be_bytes(s))
        }
        _ => return Err(damaged("key is not state and sequence".into())),
    };
    let batch = StoredBatch::decode(v.as_ref()).map_err(|e| damaged(e.to_string()))?;
    Ok(Stored {
        state,
        last_seq,
        batch,
    })
}

/// A journal record: its key and value.
pub type Record = (Vec<u8>, Vec<u8>);

/// Append-mostly records under byte keys, each durable before [`Journal::put`] returns.
/// Writes are rare (a policy pushed, an access logged), so each is synced on its own.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
    db: sled::Db,
    tree: sled::Tree,
    db_file: std::sync::Arc<File>,
}

impl Journal {
    /// Stores `value` under `key` and makes it survive power loss.
    pub fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.put_all(&[(key, value)])
    }

    /// Stores several records atomically and makes them survive power loss.
    pub fn put_all(&self, records: &[(&[u8], &[u8])]) -> Result<(), StoreError> {
        let db_err = |source| StoreError::Db {
            path: self.path.clone(),
            source,
        };
        let mut batch = sled::Batch::default();
        for (k, v) in records {
            batch.insert(*k, *v);
        }
        self.tree.apply_batch(batch).map_err(db_err)?;
        self.db.flush().map_err(db_err)?;
        self.db_file.sync_all().map_err(|source| StoreError::Sync {
            path: self.path.join("db"),
            source,
        })
    }

    /// The records whose key starts with `prefix`, in key order.
    pub fn scan(&self, prefix: &[u8]) -> Result<Vec<Record>, StoreError> {
        self.tree
            .scan_prefix(prefix)
            .map(|item| {
                item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(|source| StoreError::Db {
                        path: self.path.clone(),
                        source,
                    })
            })
            .collect()
    }

    /// Replaces the record under `key` (used only by tests that tamper with a journal).
    pub fn overwrite(&self, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        let db_err = |source| StoreError::Db {
            path: self.path.clone(),
            source,
        };
        match value {
            Some(v) => self.tree.insert(key, v).map(drop).map_err(db_err)?,
            None => self.tree.remove(key).map(drop).map_err(db_err)?,
        }
        self.db.flush().map(drop).map_err(db_err)
    }
}

fn key(state: [u8; 2], last_seq: u64) -> [u8; 10] {
    let mut k = [0u8; 10];
    k[..2].copy_from_slice(&state);
    k[2..].copy_from_slice(&last_seq.to_be_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_survive_reopening_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let mut store = Store::open(dir.path(), 1 << 20).expect("open");
            for seq in [300u64, 2, 1000] {
                let batch = StoredBatch {
                    first_seq: seq,
                    events: vec![],
                };
                store
                    .put_encoded(*b"NG", seq, &batch.encode_to_vec())
                    .expect("put");
            }
            let batch = StoredBatch {
                first_seq: 1,
                events: vec![],
            };
            store
                .put_encoded(*b"GH", 5, &batch.encode_to_vec())
                .expect("put");
            store.sync().expect("sync");
        }
        let store = Store::open(dir.path(), 1 << 20).expect("reopen");
        let keys: Vec<_> = store
            .scan()
            .map(|s| s.map(|s| (s.state, s.last_seq)))
            .collect::<Result<_, _>>()
            .expect("scan");
        assert_eq!(
            keys,
            vec![(*b"GH", 5), (*b"NG", 2), (*b"NG", 300), (*b"NG", 1000)]
        );
    }
}
