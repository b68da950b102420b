//! The access log's hash chain: how an entry's hash is made, and the check a state's node runs
//! over its whole log (see `AccessLogEntry` in `consent.proto`).

use prost::Message;

use crate::pb;

/// The hash of an entry: SHA-256 over its encoding with `hash` empty.
pub fn hash_of(entry: &pb::AccessLogEntry) -> [u8; 32] {
    let mut unhashed = entry.clone();
    unhashed.hash.clear();
    let digest = ring::digest::digest(&ring::digest::SHA256, &unhashed.encode_to_vec());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// The last entry of a log a reader has checked: the next read must still contain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Its index.
    pub index: u64,
    /// Its hash.
    pub hash: [u8; 32],
}

/// How a log fails its check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// An entry's content does not match its hash.
    #[error("entry {0} was altered: its content does not match its hash")]
    Altered(u64),
    /// An index is missing.
    #[error("entry {0} is missing: entries were deleted")]
    Missing(u64),
    /// Entries are out of order.
    #[error("entry {found} appears where entry {expected} should be: entries were reordered")]
    Reordered {
        /// The index expected at this place.
        expected: u64,
        /// The index found.
        found: u64,
    },
    /// An entry does not chain to the one before.
    #[error(
        "entry {0} does not follow the entry before it: entries were deleted, inserted or reordered"
    )]
    Broken(u64),
    /// The log no longer contains what was read before.
    #[error("the log ends before entry {0}, which was read before: entries were deleted")]
    Truncated(u64),
    /// The log differs from what was read before.
    #[error("entry {0} differs from when it was read before: the log was rewritten")]
    Rewritten(u64),
}

/// Checks a whole log (all entries, from index 0, in stored order) against itself and against
/// the head read last time. Returns the new head, if the log has entries.
pub fn check(
    entries: &[pb::AccessLogEntry],
    seen: Option<Head>,
) -> Result<Option<Head>, ChainError> {
    let mut previous = [0u8; 32];
    for (position, entry) in entries.iter().enumerate() {
        let expected = position as u64;
        let later = entries[position..].iter().any(|e| e.index == expected);
        if entry.index > expected && !later {
            return Err(ChainError::Missing(expected));
        }
        if entry.index != expected {
            return Err(ChainError::Reordered {
                expected,
                found: entry.index,
            });
        }
        if hash_of(entry).as_slice() != entry.hash.as_slice() {
            return Err(ChainError::Altered(entry.index));
        }
        if entry.previous.as_slice() != previous.as_slice() {
            return Err(ChainError::Broken(entry.index));
        }
        previous.copy_from_slice(&entry.hash);
    }
    if let Some(seen) = seen {
        match entries.get(seen.index as usize) {
            None => return Err(ChainError::Truncated(seen.index)),
            Some(e) if e.hash.as_slice() != seen.hash.as_slice() => {
                return Err(ChainError::Rewritten(seen.index));
            }
            Some(_) => {}
        }
    }
    Ok(entries.last().map(|e| Head {
        index: e.index,
        hash: previous,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(n: u64) -> Vec<pb::AccessLogEntry> {
        let mut previous = vec![0u8; 32];
        (0..n)
            .map(|index| {
                let mut e = pb::AccessLogEntry {
                    index,
                    identity: format!("spiffe://midwa.example/region/coordinator/c{index}"),
                    previous: previous.clone(),
                    ..Default::default()
                };
                e.hash = hash_of(&e).to_vec();
                previous = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn edits_deletions_swaps_and_rewrites_are_detected() {
        let good = log(5);
        let head = check(&good, None).expect("valid").expect("head");
        assert_eq!(head.index, 4);

        let mut edited = good.clone();
        edited[2].count = 99;
        assert_eq!(check(&edited, None), Err(ChainError::Altered(2)));

        let mut deleted = good.clone();
        deleted.remove(1);
        assert_eq!(check(&deleted, None), Err(ChainError::Missing(1)));

        let mut swapped = good.clone();
        swapped.swap(1, 2);
        assert!(matches!(
            check(&swapped, None),
            Err(ChainError::Reordered { .. })
        ));

        // Renumbered after a deletion, hashes recomputed: the chain is broken.
        let mut renumbered = good.clone();
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.index = i as u64;
            e.hash = hash_of(e).to_vec();
        }
        assert_eq!(check(&renumbered, None), Err(ChainError::Broken(1)));

        // The tail cut off, or the whole log rebuilt: only what was read before tells.
        assert_eq!(check(&good[..3], Some(head)), Err(ChainError::Truncated(4)));
        let mut rebuilt = log(6);
        rebuilt[4].identity = "someone else".into();
        let mut previous = rebuilt[3].hash.clone();
        for e in rebuilt.iter_mut().skip(4) {
            e.previous = previous.clone();
            e.hash = hash_of(e).to_vec();
            previous = e.hash.clone();
        }
        assert_eq!(check(&rebuilt, Some(head)), Err(ChainError::Rewritten(4)));
        assert!(
            check(&log(7), Some(head)).is_ok(),
            "a log that grew is fine"
        );
    }
}
