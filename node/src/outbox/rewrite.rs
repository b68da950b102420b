//! Rewriting what the outbox holds: forgetting erased events, and renumbering the events not
//! yet acknowledged after the gateway's mark.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use midwa_proto::pb;
use midwa_store::index::PrefixMap;
use prost::Message;

use midwa_store::Batch;

use super::{
    BATCH, CHUNK, FLOOR, FORGOTTEN, LedgerChunk, Memory, OutboxBatch, RECORDED, SCRUB, StoreError,
    damaged, key, location, record_key,
};
use crate::outbox::Outbox;

impl Outbox {
    /// Forgets what the ledger holds of a person: every event, or the one whose id has the
    /// ledger key `event`. A later import of the same records then records them again. Returns
    /// how many events were forgotten.
    ///
    /// The ledger chunks that held them are written again without them, and their old bytes
    /// overwritten with zeros once the new ones are durable: nothing of the person stays in
    /// the ledger.
    pub fn forget(&self, person: u64, event: Option<u64>) -> Result<usize, StoreError> {
        let mut memory = self.lock();
        let whole = event.is_none();
        let mut ids = Vec::new();
        let mut rewritten = Vec::new();
        for item in self.tree.scan_prefix([CHUNK]) {
            let (k, at) = item?;
            let at = location(&self.path, &at)?;
            let chunk = LedgerChunk::decode(self.ledger_files.read(at)?.as_slice())
                .map_err(|_| damaged(&self.path, "a ledger chunk"))?;
            let mut kept = LedgerChunk::default();
            for (i, id) in chunk.ids.iter().enumerate() {
                let subject = chunk.subjects.get(i).copied().unwrap_or(0);
                if subject == person && event.is_none_or(|e| e == *id) {
                    ids.push(*id);
                } else {
                    kept.ids.push(*id);
                    kept.digests.extend(chunk.digests.get(i));
                    kept.subjects.push(subject);
                }
            }
            for (p, month) in chunk.people.iter().zip(&chunk.months) {
                if !(whole && *p == person) {
                    kept.people.push(*p);
                    kept.months.push(*month);
                }
            }
            if kept != chunk {
                rewritten.push((k, at, kept));
            }
        }
        if !rewritten.is_empty() {
            let mut logs = self.logs();
            logs.roll_full()?;
            let mut batch = Batch::default();
            for (k, _, chunk) in &rewritten {
                if chunk.ids.is_empty() && chunk.people.is_empty() {
                    batch.remove(k);
                } else {
                    let mut record = [0u8; 10];
                    record[..k.len().min(10)].copy_from_slice(&k[..k.len().min(10)]);
                    let at = logs.ledger.append(&record, &chunk.encode_to_vec())?;
                    batch.insert(k, &at.encode()[..]);
                }
            }
            logs.ledger.sync()?;
            self.tree.apply(batch)?;
            self.sync()?;
            let stale: Vec<_> = rewritten.iter().map(|(_, at, _)| *at).collect();
            logs.ledger.zero(&stale)?;
        }
        forget(&mut memory, whole.then_some(person), &ids).map_err(|e| self.index_err(e))?;
        Ok(ids.len())
    }

    /// Makes sure nothing erased outlives its acknowledgement in the outbox: the outbox file
    /// being appended to is closed now, and once the gateway holds everything up to `seq` (the
    /// retraction's), the files before it are overwritten with zeros and removed.
    pub fn scrub_after(&self, seq: u64) -> Result<(), StoreError> {
        let mut logs = self.logs();
        let segment = logs.outbox.current();
        logs.outbox.roll()?;
        drop(logs);
        let mut value = seq.to_be_bytes().to_vec();
        value.extend_from_slice(&segment.to_be_bytes());
        self.tree.insert(SCRUB, value)?;
        self.sync()?;
        {
            let mut scrub = self.scrub.lock().unwrap_or_else(PoisonError::into_inner);
            *scrub = (seq.max(scrub.0), segment.max(scrub.1));
        }
        if self.acked_seq() >= seq {
            self.prune()?;
        }
        Ok(())
    }

    /// Numbers every event not yet acknowledged after `held`, in order: the gateway holds up to
    /// `held` and said some of this node's events reuse its sequences (the node's data was
    /// restored from an older backup). Events the node has forgotten (erased) are dropped.
    /// Events the gateway already holds come back as duplicates when sent again. Returns how
    /// many events were renumbered.
    pub fn renumber_after(&self, held: u64) -> Result<u64, StoreError> {
        // Events the gateway acknowledged are its own: unless it holds less than it did (it
        // was restored), then everything this node still has after its mark goes again.
        self.renumber(held, self.acked_seq().min(held))
    }

    /// Whether the encoded `event` is still recorded: not forgotten by an erasure.
    pub(super) fn still_recorded(&self, memory: &Memory, event: &[u8]) -> Result<bool, StoreError> {
        let id = pb::Event::decode(event)
            .map_err(|_| damaged(&self.path, "an event of an outbox batch"))?
            .id;
        let held = memory
            .ids
            .get(PrefixMap::<u32>::key_of(&id))
            .map_err(|e| self.index_err(e))?;
        Ok(held.is_some())
    }

    /// Highest sequence whose batch was forgotten after its acknowledgement.
    pub fn pruned_seq(&self) -> u64 {
        self.forgotten.load(Ordering::SeqCst)
    }

    fn renumber(&self, held: u64, floor: u64) -> Result<u64, StoreError> {
        let mut memory = self.lock();
        let mut logs = self.logs();
        logs.roll_full()?;
        // Old pointers out and new ones in, in one atomic batch; the new batches are appended
        // as they fill, so memory holds one at a time.
        let mut batch = Batch::default();
        let mut seq = held;
        let mut chunk: Vec<Vec<u8>> = Vec::new();
        let mut append = |chunk: &mut Vec<Vec<u8>>, seq: &mut u64| {
            let mut value = Vec::new();
            prost::encoding::uint64::encode(1, &(*seq + 1), &mut value);
            for event in chunk.iter() {
                prost::encoding::bytes::encode(2, event, &mut value);
            }
            *seq += chunk.len() as u64;
            chunk.clear();
            let at = logs.outbox.append(&record_key(BATCH, *seq), &value)?;
            Ok::<_, StoreError>((key(BATCH, &seq.to_be_bytes()), at))
        };
        let mut new = Vec::new();
        // The part of a batch the gateway holds stays, under its own last sequence.
        let mut held_parts = Vec::new();
        for item in self
            .tree
            .range(key(BATCH, &[0; 8])..=key(BATCH, &u64::MAX.to_be_bytes()))
        {
            let (k, at) = item?;
            let last = <[u8; 8]>::try_from(&k[1..])
                .map(u64::from_be_bytes)
                .map_err(|_| damaged(&self.path, "the key of an outbox batch"))?;
            if last <= floor {
                // Held by the gateway: kept as it is, for as long as the retention says.
                continue;
            }
            batch.remove(k);
            let stored = self.read_batch(&at)?;
            let mut held_part = Vec::new();
            for (i, event) in stored.events.into_iter().enumerate() {
                if stored.first_seq + i as u64 <= floor {
                    held_part.push(event);
                    continue;
                }
                if !self.still_recorded(&memory, &event)? {
                    continue;
                }
                chunk.push(event);
                if chunk.len() == self.chunk_events {
                    new.push(append(&mut chunk, &mut seq)?);
                }
            }
            if !held_part.is_empty() {
                held_parts.push(OutboxBatch {
                    first_seq: stored.first_seq,
                    events: held_part,
                });
            }
        }
        if !chunk.is_empty() {
            new.push(append(&mut chunk, &mut seq)?);
        }
        for part in held_parts {
            let at = logs
                .outbox
                .append(&record_key(BATCH, floor), &part.encode_to_vec())?;
            new.push((key(BATCH, &floor.to_be_bytes()), at));
        }
        // Removals first: a new batch may end at the sequence an old one ended at.
        for (k, at) in new {
            batch.insert(k, &at.encode()[..]);
        }
        logs.outbox.sync()?;
        drop(logs);
        batch.insert(RECORDED, seq.to_be_bytes());
        batch.insert(FLOOR, held.to_be_bytes());
        let forgotten = self.forgotten.load(Ordering::SeqCst).min(held);
        batch.insert(FORGOTTEN, forgotten.to_be_bytes());
        self.tree.apply(batch)?;
        self.sync()?;
        memory.recorded = seq;
        self.durable.store(seq, Ordering::SeqCst);
        self.latency.forget_waiting();
        self.acked.store(held, Ordering::SeqCst);
        self.pruned.store(held, Ordering::SeqCst);
        self.forgotten.store(forgotten, Ordering::SeqCst);
        drop(memory);
        self.remove_unused_files(true)?;
        Ok(seq - held)
    }
}

/// Applies an erasure to the in-memory maps: `ids` forgotten, and the return of `person` if
/// everything about them was.
pub(super) fn forget(memory: &mut Memory, person: Option<u64>, ids: &[u64]) -> std::io::Result<()> {
    for id in ids {
        memory.ids.remove(*id)?;
    }
    if let Some(person) = person {
        memory.returns.remove(person)?;
    }
    Ok(())
}
