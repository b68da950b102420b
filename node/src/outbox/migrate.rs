//! Moving what an older version kept inside sled (batches under `o`, ledger chunks under `l`)
//! to the segment files.

use midwa_store::Batch;

use super::{BATCH, CHUNK, Outbox, StoreError, damaged, key, record_key};

/// Bytes moved in one step: each step is appended and synced, then its old keys go and its
/// pointers come in one atomic sled batch, so a crash leaves each value in one place or the
/// other.
const STEP_BYTES: usize = 64 * 1024 * 1024;

impl Outbox {
    pub(super) fn migrate(&mut self) -> Result<(), StoreError> {
        for (old, new) in [(b'o', BATCH), (b'l', CHUNK)] {
            let mut moved = 0;
            loop {
                let mut batch = Batch::default();
                let mut logs = self.logs();
                logs.roll_full()?;
                let log = if new == BATCH {
                    &mut logs.outbox
                } else {
                    &mut logs.ledger
                };
                let (mut bytes, mut values) = (0, 0);
                for item in self.tree.scan_prefix([old]) {
                    let (k, v) = item?;
                    let seq: [u8; 8] = k
                        .get(1..)
                        .and_then(|s| s.try_into().ok())
                        .ok_or_else(|| damaged(&self.path, "a key of the older layout"))?;
                    let at = log.append(&record_key(new, u64::from_be_bytes(seq)), &v)?;
                    batch.remove(k);
                    batch.insert(key(new, &seq), &at.encode()[..]);
                    bytes += v.len();
                    values += 1;
                    if bytes >= STEP_BYTES {
                        break;
                    }
                }
                if values == 0 {
                    break;
                }
                log.sync()?;
                drop(logs);
                self.tree.apply(batch)?;
                self.sync()?;
                moved += values;
            }
            if moved > 0 {
                tracing::info!(
                    values = moved,
                    kind = if new == BATCH {
                        "outbox batches"
                    } else {
                        "ledger chunks"
                    },
                    "moved out of sled into segment files"
                );
            }
        }
        Ok(())
    }
}
