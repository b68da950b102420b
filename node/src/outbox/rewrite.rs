//! Rewriting what the outbox holds: forgetting erased events, and renumbering the events not
//! yet acknowledged after the gateway's mark.

use std::sync::atomic::Ordering;

use midwa_proto::pb;
use midwa_store::index::PrefixMap;
use prost::Message;

use super::{BATCH, Erasure, FLOOR, Memory, OutboxError, RECORDED, key, ledger_chunks, record_key};
use crate::outbox::Outbox;

impl Outbox {
    /// Forgets what the ledger holds of a person: every event, or the one whose id has the
    /// ledger key `event`. A later import of the same records then records them again. Returns
    /// how many events were forgotten.
    pub fn forget(&self, person: u64, event: Option<u64>) -> Result<usize, OutboxError> {
        let mut memory = self.lock();
        let db = |source| OutboxError::Db {
            path: self.path.clone(),
            source,
        };
        let mut erasure = Erasure {
            ids: Vec::new(),
            person: event.is_none(),
        };
        for chunk in ledger_chunks(&self.tree, &self.ledger_files, &self.path) {
            let chunk = chunk?;
            for (id, subject) in chunk.ids.iter().zip(&chunk.subjects) {
                if *subject == person && event.is_none_or(|e| e == *id) {
                    erasure.ids.push(*id);
                }
            }
        }
        let mut key = vec![b'e'];
        key.extend_from_slice(&person.to_be_bytes());
        key.extend_from_slice(&memory.recorded.to_be_bytes());
        self.tree
            .insert(key.as_slice(), erasure.encode_to_vec())
            .map_err(db)?;
        self.sync()?;
        forget(&mut memory, &key, &erasure).map_err(|e| self.index_err(e))?;
        Ok(erasure.ids.len())
    }

    /// Numbers every event not yet acknowledged after `held`, in order: the gateway holds up to
    /// `held` and said some of this node's events reuse its sequences (the node's data was
    /// restored from an older backup). Events the node has forgotten (erased) are dropped.
    /// Events the gateway already holds come back as duplicates when sent again. Returns how
    /// many events were renumbered.
    pub fn renumber_after(&self, held: u64) -> Result<u64, OutboxError> {
        // Events the gateway acknowledged are its own: unless it holds less than it did (it
        // was restored), then everything this node still has after its mark goes again.
        self.renumber(held, self.acked_seq().min(held))
    }

    /// Highest sequence whose batch was forgotten after its acknowledgement.
    pub fn pruned_seq(&self) -> u64 {
        self.pruned.load(Ordering::SeqCst)
    }

    fn renumber(&self, held: u64, floor: u64) -> Result<u64, OutboxError> {
        let mut memory = self.lock();
        let mut logs = self.logs();
        logs.roll_full()?;
        // Old pointers out and new ones in, in one atomic batch; the new batches are appended
        // as they fill, so memory holds one at a time.
        let mut batch = sled::Batch::default();
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
            Ok::<_, OutboxError>((key(BATCH, &seq.to_be_bytes()), at))
        };
        let mut new = Vec::new();
        for item in self
            .tree
            .range(key(BATCH, &[0; 8])..=key(BATCH, &u64::MAX.to_be_bytes()))
        {
            let (k, at) = item.map_err(|e| self.db_error(e))?;
            batch.remove(k);
            let stored = self.read_batch(&at)?;
            for (i, event) in stored.events.into_iter().enumerate() {
                let id = pb::Event::decode(event.as_slice())
                    .map_err(|_| OutboxError::Damaged(self.path.clone()))?
                    .id;
                let known = memory
                    .ids
                    .get(PrefixMap::<u32>::key_of(&id))
                    .map_err(|e| self.index_err(e))?;
                if stored.first_seq + i as u64 <= floor || known.is_none() {
                    continue;
                }
                chunk.push(event);
                if chunk.len() == self.chunk_events {
                    new.push(append(&mut chunk, &mut seq)?);
                }
            }
        }
        if !chunk.is_empty() {
            new.push(append(&mut chunk, &mut seq)?);
        }
        // Removals first: a new batch may end at the sequence an old one ended at.
        for (k, at) in new {
            batch.insert(k, &at.encode()[..]);
        }
        logs.outbox.sync()?;
        drop(logs);
        batch.insert(RECORDED, seq.to_be_bytes().to_vec());
        batch.insert(FLOOR, held.to_be_bytes().to_vec());
        self.tree.apply_batch(batch).map_err(|e| self.db_error(e))?;
        self.sync()?;
        memory.recorded = seq;
        self.durable.store(seq, Ordering::SeqCst);
        self.latency.forget_waiting();
        self.acked.store(held, Ordering::SeqCst);
        self.pruned.store(held, Ordering::SeqCst);
        drop(memory);
        self.remove_acknowledged_files()?;
        Ok(seq - held)
    }
}

/// Applies an erasure record (key `e` + person + sequence) to the in-memory maps.
pub(super) fn forget(memory: &mut Memory, key: &[u8], erasure: &Erasure) -> std::io::Result<()> {
    for id in &erasure.ids {
        memory.ids.remove(*id)?;
    }
    if erasure.person
        && let Some(person) = key.get(1..9).and_then(|b| b.try_into().ok())
    {
        memory.returns.remove(u64::from_be_bytes(person))?;
    }
    Ok(())
}
