//! The key-value database beside the segment files, and the one error every storage failure
//! becomes.
//!
//! The database (sled) keeps small values: where each value of a segment file lies, counters,
//! journals. What both the node and the gateway need of it is written here once: opening it
//! while a stopping process still holds its lock, and making a write durable. sled's own flush
//! writes its log and `sync_file_range`s it, which flushes neither the device's cache nor the
//! file's metadata, so [`Database::sync`] fsyncs the log file after it, and any blob file sled
//! wrote. The commit protocol on top is the callers': append values to a segment file and
//! fsync it, then put the pointers to them in one atomic batch, then [`Database::sync`].

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

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
    /// Opens (or creates) the database `config` names (its path is `dir`), waiting a moment
    /// if a process that is stopping still holds its lock.
    pub fn open(dir: &Path, config: &sled::Config) -> Result<Self, StoreError> {
        let locked = |e: &sled::Error| matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"));
        let db = crate::durable::open_locked(|| config.open(), locked).map_err(|source| {
            StoreError::Db {
                path: dir.to_owned(),
                source,
            }
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
    pub fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        self.db.open_tree(name).map_err(|e| self.error(e))
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

    /// A failure of sled, named by this database's directory.
    pub fn error(&self, source: sled::Error) -> StoreError {
        StoreError::Db {
            path: self.path.clone(),
            source,
        }
    }
}
