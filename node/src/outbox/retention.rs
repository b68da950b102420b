//! How long the outbox keeps what the gateway acknowledged, and forgetting it after.
//!
//! A gateway that lost its disk, or was restored from an old backup, holds less than it
//! acknowledged; the node then sends again everything it still keeps after the gateway's mark
//! (see [`Outbox::renumber_after`]). So by default a node keeps every batch: at the region's
//! volume (tens of thousands of events a year, about 160 bytes each) that is a few megabytes a
//! year. A state may set a retention period instead; a batch is then forgotten once it is
//! acknowledged and every event in it was recorded at least that many days ago. Each day's
//! first submission writes a day mark (the highest sequence recorded before that day), which
//! is how the age of a batch is known without a time per event.
//!
//! An erasure must not leave the erased events in the files kept: once the gateway holds the
//! retraction, the batches still lying in the files that may hold erased events are written
//! again into a new file, without those events, and the old files are zeroed and removed.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;

use midwa_store::Batch;

use super::{
    BATCH, DAY, FLOOR, FORGOTTEN, Outbox, SCRUB, StoreError, damaged, key, location, record_key,
};

/// How long batches are kept after the gateway acknowledged them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Retention {
    /// Always: a gateway that lost its data can be refilled from this node.
    #[default]
    Always,
    /// Until every event in the batch was recorded at least this many days ago (0: forgotten
    /// once acknowledged).
    Days(u32),
}

/// Today, in days since 1970-01-01 (UTC).
pub(super) fn today() -> u32 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (seconds / 86_400) as u32
}

impl Outbox {
    /// Sets how long acknowledged batches are kept.
    pub fn set_retention(&mut self, retention: Retention) {
        self.retention = retention;
    }

    /// Forgets the acknowledged batches the retention period lets go, records how far the
    /// gateway holds, and removes the files nothing lies in any more. Not synced (if lost, the
    /// batches are forgotten again), unless a file is then removed.
    pub fn prune(&self) -> Result<(), StoreError> {
        let acked = self.acked.load(Ordering::SeqCst);
        let limit = self.forgettable(acked)?;
        let mut batch = Batch::default();
        if limit > self.forgotten.load(Ordering::SeqCst) {
            for k in self
                .tree
                .range(key(BATCH, &[0; 8])..=key(BATCH, &limit.to_be_bytes()))
            {
                batch.remove(k?.0);
            }
            batch.insert(FORGOTTEN, limit.to_be_bytes());
        }
        if acked > self.counter(FLOOR)? {
            batch.insert(FLOOR, acked.to_be_bytes());
        }
        self.tree.apply(batch)?;
        let forgot = limit > self.forgotten.fetch_max(limit, Ordering::SeqCst);
        self.pruned.fetch_max(acked, Ordering::SeqCst);
        self.remove_unused_files(forgot)
    }

    /// Highest sequence whose batch may be forgotten now, the gateway holding up to `acked`.
    fn forgettable(&self, acked: u64) -> Result<u64, StoreError> {
        let days = match self.retention {
            Retention::Always => return Ok(0),
            Retention::Days(0) => return Ok(acked),
            Retention::Days(days) => days,
        };
        let cutoff = today().saturating_sub(days);
        let mark = self
            .tree
            .range(key(DAY, &[0; 4])..=key(DAY, &cutoff.to_be_bytes()))
            .next_back()
            .transpose()?
            .map(|(_, v)| v);
        let before = mark
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, u64::from_be_bytes);
        Ok(before.min(acked))
    }

    /// Removes the outbox files no batch lies in any more, once that is durable; zeroes first
    /// those that may hold erased events, moving out what is kept in them once the gateway
    /// holds the retraction. `forgot`: whether batches were just forgotten.
    pub(super) fn remove_unused_files(&self, forgot: bool) -> Result<(), StoreError> {
        let (retraction, scrub_below) = *self.scrub.lock().unwrap_or_else(PoisonError::into_inner);
        let scrub_due = retraction > 0 && self.acked_seq() >= retraction;
        if !forgot && !scrub_due {
            return Ok(());
        }
        if scrub_due {
            self.rewrite_kept(scrub_below + 1)?;
        }
        let mut logs = self.logs();
        let mut first = logs.outbox.current();
        for item in self
            .tree
            .range(key(BATCH, &[0; 8])..=key(BATCH, &u64::MAX.to_be_bytes()))
        {
            let (_, at) = item?;
            first = first.min(location(&self.path, &at)?.segment);
        }
        if first > logs.outbox.first() {
            self.sync()?;
            if scrub_due {
                // The files that may hold what was erased are zeroed before they go.
                logs.outbox.erase_below(first.min(scrub_below + 1))?;
            }
            logs.outbox.remove_below(first)?;
        }
        if scrub_due {
            let mut scrub = self.scrub.lock().unwrap_or_else(PoisonError::into_inner);
            if first > scrub.1 && scrub.0 == retraction {
                self.tree.remove(SCRUB)?;
                self.sync()?;
                *scrub = (0, 0);
            }
        }
        Ok(())
    }

    /// Writes again every batch lying in an outbox file before `segment`, into the current
    /// file: the acknowledged ones without the events this node has forgotten (erased), so
    /// that the old files can go.
    fn rewrite_kept(&self, segment: u32) -> Result<(), StoreError> {
        let memory = self.lock();
        let mut logs = self.logs();
        logs.roll_full()?;
        let acked = self.acked_seq();
        let mut batch = Batch::default();
        let mut changed = 0usize;
        for item in self
            .tree
            .range(key(BATCH, &[0; 8])..=key(BATCH, &u64::MAX.to_be_bytes()))
        {
            let (k, at) = item?;
            if location(&self.path, &at)?.segment >= segment {
                continue;
            }
            let last = <[u8; 8]>::try_from(&k[1..])
                .map(u64::from_be_bytes)
                .map_err(|_| damaged(&self.path, "the key of an outbox batch"))?;
            let mut stored = self.read_batch(&at)?;
            if last <= acked {
                let mut kept = Vec::with_capacity(stored.events.len());
                for event in stored.events {
                    if self.still_recorded(&memory, &event)? {
                        kept.push(event);
                    }
                }
                stored.events = kept;
            }
            changed += 1;
            if stored.events.is_empty() {
                batch.remove(k);
                continue;
            }
            // An acknowledged batch is only ever sent again renumbered; its events keep
            // their order and end at the same sequence.
            stored.first_seq = last + 1 - stored.events.len() as u64;
            let at = logs
                .outbox
                .append(&record_key(BATCH, last), &stored.encode_to_vec())?;
            batch.insert(k, &at.encode()[..]);
        }
        if changed == 0 {
            return Ok(());
        }
        logs.outbox.sync()?;
        drop(logs);
        drop(memory);
        self.tree.apply(batch)?;
        self.sync()?;
        tracing::debug!(
            batches = changed,
            "kept batches written again after an erasure"
        );
        Ok(())
    }
}
