//! The key-value database beside the segment files, and the one error every storage failure
//! becomes.
//!
//! The database (sled) keeps small values: where each value of a segment file lies, counters,
//! journals. What both the node and the gateway need of it is written here once: opening it
//! while a stopping process still holds its lock, and making a write durable. sled's own flush
//! writes its log and `sync_file_range`s it, which flushes neither the device's cache nor the
//! file's metadata, so [`Database::sync`] fsyncs the log file after it, and any blob file sled
//! wrote. The commit protocol on top is the callers': append values to a segment file and
//! fsync it, then put the pointers to them in one atomic [`Batch`], then [`Database::sync`].
//!
//! Nothing outside this module names sled: [`Tree`] and [`Batch`] are the whole interface, and
//! every failure is a [`StoreError`] naming the database's directory.

use std::collections::HashSet;
use std::fs::File;
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::segments::SegmentError;

/// A storage failure: the database, a segment file, an index's scratch files, or a value that
/// cannot be read back. Each names the file or directory; the texts say what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed.
    #[error("database at {path}: {source}; check the disk (space, permissions)")]
    Db {
        /// The database directory.
        path: PathBuf,
        /// What sled said.
        source: sled::Error,
    },
    /// A file could not be synced.
    #[error("cannot sync {path}: {source}; check the disk")]
    Sync {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A segment file failed.
    #[error(transparent)]
    Segment(#[from] SegmentError),
    /// The scratch files of an index (see [`crate::index::SpillMap`]) failed.
    #[error("index scratch files under {path}: {source}; check the disk and restart")]
    Index {
        /// The scratch directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A stored value cannot be decoded.
    #[error("database at {path}: damaged value under {key}: {why}; restore from backup")]
    Damaged {
        /// The database directory.
        path: PathBuf,
        /// Which value: its key in hex, or what names it.
        key: String,
        /// What is wrong.
        why: String,
    },
}

impl StoreError {
    /// A value under `key` of the database at `path` that cannot be decoded.
    pub fn damaged(path: &Path, key: &[u8], why: impl Into<String>) -> Self {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        Self::Damaged {
            path: path.to_owned(),
            key: format!("key {hex}"),
            why: why.into(),
        }
    }
}

impl From<crate::durable::SyncError> for StoreError {
    fn from(e: crate::durable::SyncError) -> Self {
        Self::Sync {
            path: e.path,
            source: e.source,
        }
    }
}

/// The database of one data directory.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    db: sled::Db,
    /// sled's log file, fsynced after each flush.
    log: File,
    /// The blob files sled wrote that are already synced.
    synced_blobs: Mutex<HashSet<PathBuf>>,
}

impl Database {
    /// Opens (or creates) the database in `dir`, waiting a moment if a process that is
    /// stopping still holds its lock.
    pub fn open(dir: &Path, settings: &Settings) -> Result<Self, StoreError> {
        let config = |segment_size| {
            sled::Config::new()
                .path(dir)
                .cache_capacity(settings.cache_bytes)
                .segment_size(segment_size)
                .mode(if settings.high_throughput {
                    sled::Mode::HighThroughput
                } else {
                    sled::Mode::LowSpace
                })
                .flush_every_ms(None)
        };
        let locked = |e: &sled::Error| matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"));
        let open =
            |segment_size| crate::durable::open_locked(|| config(segment_size).open(), locked);
        let db = match (open(settings.segment_size), settings.earlier_segment_size) {
            // sled cannot change it once a database is made.
            (Err(sled::Error::Unsupported(why)), Some(earlier))
                if why.contains("io buffer size") =>
            {
                open(earlier)
            }
            (opened, _) => opened,
        }
        .map_err(|source| StoreError::Db {
            path: dir.to_owned(),
            source,
        })?;
        let log_path = dir.join("db");
        let log = File::open(&log_path).map_err(|source| StoreError::Sync {
            path: log_path,
            source,
        })?;
        Ok(Self {
            path: dir.to_owned(),
            db,
            log,
            synced_blobs: Mutex::default(),
        })
    }

    /// The database's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tree `name`, created if missing.
    pub fn tree(&self, name: &str) -> Result<Tree, StoreError> {
        Ok(Tree {
            path: self.path.clone().into(),
            tree: self.db.open_tree(name).map_err(|e| self.error(e))?,
        })
    }

    /// Removes the tree `name`.
    pub fn drop_tree(&self, name: &str) -> Result<(), StoreError> {
        self.db
            .drop_tree(name)
            .map(|_| ())
            .map_err(|e| self.error(e))
    }

    /// Makes every write so far survive power loss: sled's flush, then fsync of its log and of
    /// every blob file it wrote since.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|e| self.error(e))?;
        self.log.sync_all().map_err(|source| StoreError::Sync {
            path: self.path.join("db"),
            source,
        })?;
        let mut synced = self
            .synced_blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        crate::durable::sync_new_files(&self.path.join("blobs"), &mut synced)?;
        Ok(())
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    fn error(&self, source: sled::Error) -> StoreError {
        StoreError::Db {
            path: self.path.clone(),
            source,
        }
    }
}

/// How a database is opened.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Page cache, in bytes.
    pub cache_bytes: u64,
    /// The size of the database's log segments (its I/O buffers are this large).
    pub segment_size: usize,
    /// The segment size an older release made its databases with, tried if the database
    /// was made with it.
    pub earlier_segment_size: Option<usize>,
    /// Favour write throughput over space.
    pub high_throughput: bool,
}

/// Bytes read from a database: a key or a value.
pub type Bytes = sled::IVec;

/// An ordered map of byte keys to byte values in a [`Database`]. Writes are durable only
/// after [`Database::sync`].
#[derive(Debug, Clone)]
pub struct Tree {
    path: Arc<Path>,
    tree: sled::Tree,
}

/// Writes applied to a [`Tree`] at once, all or none. A later write to a key replaces an
/// earlier one of the same batch.
#[derive(Debug, Default)]
pub struct Batch(sled::Batch);

impl Batch {
    /// Puts `value` under `key`.
    pub fn insert(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.0.insert(key.as_ref(), value.as_ref());
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: impl AsRef<[u8]>) {
        self.0.remove(key.as_ref());
    }
}

/// A key and its value, or why they cannot be read.
pub type Entry = Result<(Bytes, Bytes), StoreError>;

/// A failure of sled in the database at `path`.
fn db_error(path: &Path, source: sled::Error) -> StoreError {
    StoreError::Db {
        path: path.to_path_buf(),
        source,
    }
}

impl Tree {
    fn error(&self, source: sled::Error) -> StoreError {
        db_error(&self.path, source)
    }

    /// The entries `iter` yields, their failures named by this tree's database. The iterator
    /// borrows nothing: it may outlive `self`.
    fn entries(
        &self,
        iter: sled::Iter,
    ) -> impl DoubleEndedIterator<Item = Entry> + 'static + use<> {
        let path = self.path.clone();
        iter.map(move |item| item.map_err(|e| db_error(&path, e)))
    }

    /// The value under `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Bytes>, StoreError> {
        self.tree.get(key).map_err(|e| self.error(e))
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: impl AsRef<[u8]>) -> Result<bool, StoreError> {
        self.tree.contains_key(key).map_err(|e| self.error(e))
    }

    /// Puts `value` under `key`.
    pub fn insert(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<(), StoreError> {
        self.tree
            .insert(key.as_ref(), value.as_ref())
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Removes `key`.
    pub fn remove(&self, key: impl AsRef<[u8]>) -> Result<(), StoreError> {
        self.tree.remove(key).map(drop).map_err(|e| self.error(e))
    }

    /// Puts `value` under `key` unless it already has one; returns whether it was put.
    pub fn insert_new(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<bool, StoreError> {
        let swapped = self
            .tree
            .compare_and_swap(key, None::<&[u8]>, Some(value.as_ref()))
            .map_err(|e| self.error(e))?;
        Ok(swapped.is_ok())
    }

    /// Applies `batch` atomically.
    pub fn apply(&self, batch: Batch) -> Result<(), StoreError> {
        self.tree.apply_batch(batch.0).map_err(|e| self.error(e))
    }

    /// The entries whose keys are in `range`, in key order.
    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(
        &self,
        range: R,
    ) -> impl DoubleEndedIterator<Item = Entry> + 'static + use<K, R> {
        self.entries(self.tree.range(range))
    }

    /// The entries whose keys start with `prefix`, in key order.
    pub fn scan_prefix<P: AsRef<[u8]>>(
        &self,
        prefix: P,
    ) -> impl DoubleEndedIterator<Item = Entry> + 'static + use<P> {
        self.entries(self.tree.scan_prefix(prefix))
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Entry> + 'static + use<> {
        self.entries(self.tree.iter())
    }

    /// How many entries it holds (counted: not for large trees on a hot path).
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }
}
