//! A compact map from the first 8 bytes of a keyed hash (an event id, a pseudonym) to a small
//! value, for what must stay in memory for every event: which ids are held (with a digest of
//! their content), which people have a return on record.
//!
//! Keys are HMAC outputs, so their first 8 bytes are uniformly spread. Entries live in sorted
//! runs split into 65,536 partitions by the top bits (a lookup touches a few cache lines), each with a short unsorted tail merged in
//! when full; keys and values are kept in separate vectors, so an entry takes exactly
//! `8 + size_of::<V>()` bytes (12 for a 32-bit digest, 10 for a month). A hash map takes
//! nearly twice that and doubles in one step when it grows. Two distinct hashes share an 8-byte
//! prefix with probability about n / 2^64 per insertion (5e-13 with 10 million held).

pub mod spill;

pub use spill::{Fixed, SpillMap};

const PARTITION_BITS: u32 = 16;
const TAIL_MAX: usize = 32;

/// A 32-bit digest of an event's canonical encoding, to tell a duplicate (same id, same content)
/// from a conflict (same id, other content). A conflict goes unnoticed with probability 2^-32;
/// stable across versions, because nodes keep these digests on disk.
pub fn content_digest(canonical: &[u8]) -> u32 {
    let d = ring::digest::digest(&ring::digest::SHA256, canonical);
    u32::from_be_bytes([d.as_ref()[0], d.as_ref()[1], d.as_ref()[2], d.as_ref()[3]])
}

/// 64-bit hash prefix to a small value.
#[derive(Debug)]
pub struct PrefixMap<V> {
    partitions: Vec<Partition<V>>,
    bits: u32,
    len: usize,
}

#[derive(Debug)]
struct Partition<V> {
    keys: Vec<u64>,
    values: Vec<V>,
    tail: Vec<(u64, V)>,
}

impl<V> Default for Partition<V> {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            values: Vec::new(),
            tail: Vec::new(),
        }
    }
}

impl<V: Copy> Default for PrefixMap<V> {
    fn default() -> Self {
        Self::with_partition_bits(PARTITION_BITS)
    }
}

impl<V: Copy> PrefixMap<V> {
    /// An empty map of `2^bits` partitions (at most 16): fewer for a map that stays small,
    /// since each partition costs about 72 bytes even when empty.
    pub fn with_partition_bits(bits: u32) -> Self {
        let bits = bits.clamp(1, PARTITION_BITS);
        Self {
            partitions: (0..1 << bits).map(|_| Partition::default()).collect(),
            bits,
            len: 0,
        }
    }

    /// The key of a hash: its first 8 bytes, big-endian (shorter input is zero-padded).
    pub fn key_of(hash: &[u8]) -> u64 {
        let mut k = [0u8; 8];
        let n = hash.len().min(8);
        k[..n].copy_from_slice(&hash[..n]);
        u64::from_be_bytes(k)
    }

    /// The value held for `key`, if any.
    pub fn get(&self, key: u64) -> Option<V> {
        let part = &self.partitions[self.partition(key)];
        if let Some((_, v)) = part.tail.iter().find(|(k, _)| *k == key) {
            return Some(*v);
        }
        part.keys.binary_search(&key).ok().map(|i| part.values[i])
    }

    /// Records `key` with `value`. The caller has checked that `key` is not held.
    pub fn insert(&mut self, key: u64, value: V) {
        let at = self.partition(key);
        let part = &mut self.partitions[at];
        part.tail.push((key, value));
        if part.tail.len() >= TAIL_MAX {
            part.tail.sort_unstable_by_key(|(k, _)| *k);
            // Exactly sized, so the map never holds more than it needs.
            let total = part.keys.len() + part.tail.len();
            let (mut keys, mut values) = (Vec::with_capacity(total), Vec::with_capacity(total));
            let (mut i, mut j) = (0, 0);
            while i < part.keys.len() || j < part.tail.len() {
                if j == part.tail.len() || (i < part.keys.len() && part.keys[i] <= part.tail[j].0) {
                    keys.push(part.keys[i]);
                    values.push(part.values[i]);
                    i += 1;
                } else {
                    keys.push(part.tail[j].0);
                    values.push(part.tail[j].1);
                    j += 1;
                }
            }
            part.keys = keys;
            part.values = values;
            part.tail.clear();
        }
        self.len += 1;
    }

    /// Records `key` with `value`, replacing what it held, if anything.
    pub fn set(&mut self, key: u64, value: V) {
        self.remove(key);
        self.insert(key, value);
    }

    /// Removes `key`; returns whether it was held.
    pub fn remove(&mut self, key: u64) -> bool {
        let at = self.partition(key);
        let part = &mut self.partitions[at];
        let removed = if let Some(i) = part.tail.iter().position(|(k, _)| *k == key) {
            part.tail.swap_remove(i);
            true
        } else if let Ok(i) = part.keys.binary_search(&key) {
            part.keys.remove(i);
            part.values.remove(i);
            true
        } else {
            false
        };
        self.len -= usize::from(removed);
        removed
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, V)> + '_ {
        self.partitions.iter().flat_map(|part| {
            let mut tail = part.tail.clone();
            tail.sort_unstable_by_key(|(k, _)| *k);
            let mut sorted = part
                .keys
                .iter()
                .copied()
                .zip(part.values.iter().copied())
                .peekable();
            let mut tail = tail.into_iter().peekable();
            std::iter::from_fn(move || match (sorted.peek(), tail.peek()) {
                (Some(a), Some(b)) if a.0 <= b.0 => sorted.next(),
                (Some(_), Some(_)) | (None, Some(_)) => tail.next(),
                (Some(_), None) => sorted.next(),
                (None, None) => None,
            })
        })
    }

    /// A map of entries given in strictly increasing key order, built without merging.
    /// Returns `None` if the keys are not strictly increasing.
    pub fn from_sorted(entries: impl IntoIterator<Item = (u64, V)>) -> Option<Self> {
        let mut map = Self::default();
        let mut last = None;
        for (key, value) in entries {
            if last.is_some_and(|l| l >= key) {
                return None;
            }
            last = Some(key);
            let at = map.partition(key);
            let part = &mut map.partitions[at];
            part.keys.push(key);
            part.values.push(value);
            map.len += 1;
        }
        for part in &mut map.partitions {
            part.keys.shrink_to_fit();
            part.values.shrink_to_fit();
        }
        Some(map)
    }

    fn partition(&self, key: u64) -> usize {
        (key >> (64 - self.bits)) as usize
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn behaves_like_a_map() {
        let mut index = PrefixMap::<u64>::default();
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

        let mut expected: Vec<_> = model.into_iter().collect();
        expected.sort_unstable();
        let listed: Vec<_> = index.iter().collect();
        assert_eq!(listed, expected);
        let rebuilt = PrefixMap::from_sorted(listed.iter().copied()).expect("sorted");
        assert_eq!(rebuilt.len(), index.len());
        assert!(rebuilt.iter().eq(index.iter()));
        assert!(PrefixMap::from_sorted([(2u64, 0u64), (1, 0)]).is_none());
    }
}
