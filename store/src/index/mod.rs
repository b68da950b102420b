//! A compact map from the first 8 bytes of a keyed hash (an event id, a pseudonym) to a small
//! value, for what must stay in memory for every event: which ids are held (with a digest of
//! their content), which people have a return on record.
//!
//! Keys are HMAC outputs, so their first 8 bytes are uniformly spread. The map is an ordered
//! linear-probing table: a key's home slot is its position scaled to the table (so homes rise
//! with keys), it sits at or after its home, and each cluster of occupied slots is kept in key
//! order. A lookup reads from the home slot until it meets the key, a larger key or an empty
//! slot: one or two cache lines, where sorted partitions took five or more. The slots in order
//! are the entries in key order, which is what writing a run of a [`SpillMap`] needs. Keys and
//! values are kept in separate vectors: at most 7/8 of the slots are used, so an entry takes at
//! most `(8 + size_of::<V>()) * 8 / 7` bytes once full (14 for a 32-bit digest). A map made
//! [`PrefixMap::with_capacity`] never grows; one that does grows by doubling, in one ordered
//! pass. Two distinct hashes share an 8-byte prefix with probability about n / 2^64 per
//! insertion (5e-13 with 10 million held).

pub mod spill;

pub use spill::{Fixed, SpillMap};

/// Slots of a map made with [`Default`], before it first grows.
const INITIAL_SLOTS: usize = 64;

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
    /// Slot keys; 0 marks an empty slot. A cluster may run past the last home slot: the
    /// vectors then grow at the end, so no cluster wraps around.
    keys: Vec<u64>,
    values: Vec<V>,
    /// Home slots: `keys.len()` may exceed it by the overflow of the last clusters.
    homes: usize,
    /// The value of key 0, which cannot sit in a slot.
    zero: Option<V>,
    len: usize,
}

impl<V: Copy + Default> Default for PrefixMap<V> {
    fn default() -> Self {
        Self::with_slots(INITIAL_SLOTS)
    }
}

impl<V: Copy + Default> PrefixMap<V> {
    /// An empty map that holds `entries` without growing.
    pub fn with_capacity(entries: usize) -> Self {
        Self::with_slots((entries.max(1) * 8).div_ceil(7))
    }

    fn with_slots(slots: usize) -> Self {
        Self {
            keys: vec![0; slots],
            values: vec![V::default(); slots],
            homes: slots,
            zero: None,
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
        if key == 0 {
            return self.zero;
        }
        self.find(key).ok().map(|at| self.values[at])
    }

    /// Where `key` is (`Ok`), or the slot it would take (`Err`): the first in its cluster,
    /// from its home, holding a larger key or none.
    fn find(&self, key: u64) -> Result<usize, usize> {
        let mut at = self.home(key);
        while let Some(&k) = self.keys.get(at) {
            if k == key {
                return Ok(at);
            }
            if k == 0 || k > key {
                return Err(at);
            }
            at += 1;
        }
        Err(at)
    }

    /// Records `key` with `value`. The caller has checked that `key` is not held.
    pub fn insert(&mut self, key: u64, value: V) {
        if key == 0 {
            self.len += usize::from(self.zero.replace(value).is_none());
            return;
        }
        if (self.len + 1) * 8 > self.homes * 7 {
            self.grow();
        }
        let at = match self.find(key) {
            Ok(at) => {
                self.values[at] = value;
                return;
            }
            Err(at) => at,
        };
        // The rest of the cluster moves one slot on, into its first empty slot.
        let free = self.keys[at.min(self.keys.len())..]
            .iter()
            .position(|k| *k == 0)
            .map_or(self.keys.len(), |i| at + i);
        if free == self.keys.len() {
            self.keys.push(0);
            self.values.push(V::default());
        }
        self.keys.copy_within(at..free, at + 1);
        self.values.copy_within(at..free, at + 1);
        self.keys[at] = key;
        self.values[at] = value;
        self.len += 1;
    }

    /// Records `key` with `value`, replacing what it held, if anything.
    pub fn set(&mut self, key: u64, value: V) {
        self.remove(key);
        self.insert(key, value);
    }

    /// Removes `key`; returns whether it was held.
    pub fn remove(&mut self, key: u64) -> bool {
        if key == 0 {
            let held = self.zero.take().is_some();
            self.len -= usize::from(held);
            return held;
        }
        let Ok(mut at) = self.find(key) else {
            return false;
        };
        // Entries after it in the cluster, away from their home, move one slot back.
        while let Some(&next) = self.keys.get(at + 1) {
            if next == 0 || self.home(next) > at {
                break;
            }
            self.keys[at] = next;
            self.values[at] = self.values[at + 1];
            at += 1;
        }
        self.keys[at] = 0;
        self.len -= 1;
        true
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
        self.zero.map(|v| (0, v)).into_iter().chain(
            self.keys
                .iter()
                .zip(&self.values)
                .filter(|(k, _)| **k != 0)
                .map(|(k, v)| (*k, *v)),
        )
    }

    /// A map of entries given in strictly increasing key order. Returns `None` if the keys
    /// are not strictly increasing.
    pub fn from_sorted(entries: impl IntoIterator<Item = (u64, V)>) -> Option<Self> {
        let entries = entries.into_iter();
        let mut map = Self::with_capacity(entries.size_hint().0);
        let mut last = None;
        for (key, value) in entries {
            if last.is_some_and(|l| l >= key) {
                return None;
            }
            last = Some(key);
            map.insert(key, value);
        }
        Some(map)
    }

    /// The home slot of a key: its place among all 64-bit keys, scaled to the table.
    fn home(&self, key: u64) -> usize {
        ((u128::from(key) * self.homes as u128) >> 64) as usize
    }

    /// Twice the home slots, filled in one pass in key order.
    fn grow(&mut self) {
        let mut grown = Self::with_slots(self.homes * 2);
        grown.zero = self.zero;
        grown.len = self.len;
        let mut next = 0;
        for (key, value) in self.keys.iter().zip(&self.values) {
            if *key == 0 {
                continue;
            }
            let at = grown.home(*key).max(next);
            if at == grown.keys.len() {
                grown.keys.push(0);
                grown.values.push(V::default());
            }
            grown.keys[at] = *key;
            grown.values[at] = *value;
            next = at + 1;
        }
        *self = grown;
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

    #[test]
    fn keys_at_both_ends_and_crowded_homes_stay_ordered_and_found() {
        let mut index = PrefixMap::<u32>::with_capacity(100);
        let homes = index.homes;
        // Zero, the largest keys (their cluster runs past the last home slot), and a crowd
        // sharing the first home slot.
        let mut keys: Vec<u64> = vec![0, u64::MAX, u64::MAX - 1, u64::MAX - 2];
        keys.extend(1..=40);
        keys.extend((0..50).map(|i| u64::MAX / 2 + i * 7));
        for (i, key) in keys.iter().rev().enumerate() {
            index.insert(*key, i as u32);
        }
        assert_eq!(index.len(), keys.len());
        assert_eq!(index.homes, homes, "a map made with capacity for them grew");
        assert!(
            index.keys.len() > homes,
            "the last cluster runs past the last home slot"
        );
        for key in [3, u64::MAX - 1, 0, u64::MAX / 2 + 14] {
            assert!(index.remove(key));
            assert!(!index.remove(key));
            assert_eq!(index.get(key), None);
        }
        keys.retain(|k| ![3, u64::MAX - 1, 0, u64::MAX / 2 + 14].contains(k));
        keys.sort_unstable();
        let listed: Vec<u64> = index.iter().map(|(k, _)| k).collect();
        assert_eq!(listed, keys);
        for key in &keys {
            assert!(index.get(*key).is_some(), "{key} lost");
        }
        assert_eq!(index.get(41), None);
        assert_eq!(index.len(), keys.len());
    }
}
