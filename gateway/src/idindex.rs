//! Which event ids the gateway holds, and a digest of each one's content: the memory behind
//! "an id seen again with the same content is a duplicate, with other content a conflict".
//!
//! Ids are keyed HMAC outputs, so their first 8 bytes are uniformly spread; the index keys on
//! them and stores an 8-byte content digest: 16 bytes an event, in sorted runs split into 4096
//! partitions by the top bits, each with a short unsorted tail merged in when full. A hash map
//! would take nearly twice that at 10 million events and double in one step when it grows.
//! Two distinct ids share an 8-byte prefix with probability about n / 2^64 per new event
//! (5e-13 at 10 million events held); such a pair would be reported as a conflict, not lost
//! silently.

const PARTITION_BITS: u32 = 12;
const TAIL_MAX: usize = 64;

/// Event id prefix to content digest.
#[derive(Debug)]
pub struct IdIndex {
    partitions: Vec<Partition>,
    len: usize,
}

#[derive(Debug, Default)]
struct Partition {
    sorted: Vec<(u64, u64)>,
    tail: Vec<(u64, u64)>,
}

impl Default for IdIndex {
    fn default() -> Self {
        Self {
            partitions: (0..1 << PARTITION_BITS)
                .map(|_| Partition::default())
                .collect(),
            len: 0,
        }
    }
}

impl IdIndex {
    /// The digest held for `key`, if any.
    pub fn get(&self, key: u64) -> Option<u64> {
        let part = &self.partitions[Self::partition(key)];
        if let Some((_, digest)) = part.tail.iter().find(|(k, _)| *k == key) {
            return Some(*digest);
        }
        part.sorted
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| part.sorted[i].1)
    }

    /// Records `key` with `digest`. The caller has checked that `key` is not held.
    pub fn insert(&mut self, key: u64, digest: u64) {
        let part = &mut self.partitions[Self::partition(key)];
        part.tail.push((key, digest));
        if part.tail.len() >= TAIL_MAX {
            part.tail.sort_unstable_by_key(|(k, _)| *k);
            // Exactly sized, so the index never holds more than it needs.
            let mut merged = Vec::with_capacity(part.sorted.len() + part.tail.len());
            let (a, b) = (&part.sorted, &part.tail);
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                if a[i].0 <= b[j].0 {
                    merged.push(a[i]);
                    i += 1;
                } else {
                    merged.push(b[j]);
                    j += 1;
                }
            }
            merged.extend_from_slice(&a[i..]);
            merged.extend_from_slice(&b[j..]);
            part.sorted = merged;
            part.tail.clear();
        }
        self.len += 1;
    }

    /// Removes `key`; returns whether it was held.
    pub fn remove(&mut self, key: u64) -> bool {
        let part = &mut self.partitions[Self::partition(key)];
        let removed = if let Some(i) = part.tail.iter().position(|(k, _)| *k == key) {
            part.tail.swap_remove(i);
            true
        } else if let Ok(i) = part.sorted.binary_search_by_key(&key, |(k, _)| *k) {
            part.sorted.remove(i);
            true
        } else {
            false
        };
        self.len -= usize::from(removed);
        removed
    }

    /// How many ids are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no id is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn partition(key: u64) -> usize {
        (key >> (64 - PARTITION_BITS)) as usize
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn behaves_like_a_map() {
        let mut index = IdIndex::default();
        let mut model = HashMap::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..50_000u64 {
            // xorshift: spread keys over every partition, with repeats.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = if i % 7 == 0 { x % 1000 } else { x };
            if index.get(key).is_none() {
                index.insert(key, i);
                model.insert(key, i);
            }
            if i % 11 == 0 {
                assert_eq!(index.remove(key), model.remove(&key).is_some());
            }
        }
        assert_eq!(index.len(), model.len());
        for (key, digest) in &model {
            assert_eq!(index.get(*key), Some(*digest));
        }
        assert_eq!(index.get(u64::MAX - 3), model.get(&(u64::MAX - 3)).copied());
    }
}
