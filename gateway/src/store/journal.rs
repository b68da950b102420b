//! Journals: small records beside the batches (policy versions, access logs, notices), each
//! durable before its write returns.

use std::sync::Arc;

use midwa_store::{Batch, Database, Tree};

use super::StoreError;

/// A journal record: its key and value.
pub type Record = (Vec<u8>, Vec<u8>);

/// Append-mostly records under byte keys, each durable before [`Journal::put`] returns.
/// Writes are rare (a policy pushed, an access logged), so each is synced on its own.
#[derive(Debug, Clone)]
pub struct Journal {
    pub(super) db: Arc<Database>,
    pub(super) tree: Tree,
}

impl Journal {
    /// Stores `value` under `key` and makes it survive power loss.
    pub fn put(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.put_all(&[(key, value)])
    }

    /// Stores several records atomically and makes them survive power loss.
    pub fn put_all(&self, records: &[(&[u8], &[u8])]) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        for (k, v) in records {
            batch.insert(k, v);
        }
        self.tree.apply(batch)?;
        self.db.sync()
    }

    /// The records whose key starts with `prefix`, in key order.
    pub fn scan(&self, prefix: &[u8]) -> Result<Vec<Record>, StoreError> {
        self.tree
            .scan_prefix(prefix)
            .map(|item| item.map(|(k, v)| (k.to_vec(), v.to_vec())))
            .collect()
    }

    /// Replaces the record under `key` (used only by tests that tamper with a journal).
    pub fn overwrite(&self, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        match value {
            Some(v) => self.tree.insert(key, v)?,
            None => self.tree.remove(key)?,
        }
        self.db.sync()
    }
}
