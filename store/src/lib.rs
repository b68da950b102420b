//! Durable storage for the MIDWA node and gateway, behind one crate so that nothing else
//! depends on how bytes lie on disk.
#![warn(missing_docs)]
//!
//! - [`segments`]: append-only files for bulk values (stored batches, outbox batches, ledger
//!   chunks), with a database keeping where each lies; torn tails cut at open.
//! - [`index`]: compact maps of event ids and pseudonyms, in memory ([`index::PrefixMap`])
//!   or mostly on disk ([`index::SpillMap`]), whose merges run only on an idle core.
//! - [`database`]: the key-value database beside the segment files (the only place that
//!   opens sled), made durable by fsync; and [`StoreError`], what every storage failure becomes.
//! - [`durable`]: fsyncing files a library wrote without syncing, opening something guarded
//!   by a file lock, and zeroing scratch files.

pub mod database;
pub mod durable;
pub mod index;
pub mod segments;

pub use database::{Batch, Bytes, Database, Entry, Settings, StoreError, Tree};
