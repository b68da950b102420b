//! The runs of a spilled map: files of fixed-size entries in key order, their writer with the
//! fences and filter it builds, the merge, and the blocked Bloom filter.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Fixed, PrefixMap};

/// Bytes of one block of a run: what one lookup reads.
const BLOCK_BYTES: usize = 4096;
/// Bloom filter bits per entry (with 8 probes in one 512-bit block: about 1 % false positives).
const BLOOM_BITS_PER_ENTRY: usize = 10;
/// A run being written is synced every this many bytes: scratch needs no durability, but
/// ext4 writes a file's dirty pages back when another file is fsynced, so a large run left to
/// the kernel would make a commit's fsync wait for it.
const WRITEBACK_BYTES: usize = 4 * 1024 * 1024;

/// A run: entries in key order in one file, deleted when the last reader drops it.
#[derive(Debug)]
pub(super) struct Run {
    pub(super) file: File,
    pub(super) path: PathBuf,
    pub(super) entry: usize,
    pub(super) len: usize,
    /// First key of each block.
    pub(super) fences: Vec<u64>,
    /// A filter of its keys.
    pub(super) filter: Bloom,
}

impl Run {
    fn per_block(&self) -> usize {
        BLOCK_BYTES / self.entry
    }

    pub(super) fn get<V: Fixed>(&self, key: u64) -> io::Result<Option<V>> {
        if !self.filter.may_hold(key) {
            return Ok(None);
        }
        let block = match self.fences.partition_point(|f| *f <= key) {
            0 => return Ok(None),
            n => n - 1,
        };
        let first = block * self.per_block();
        let count = self.per_block().min(self.len - first);
        let mut buf = [0u8; BLOCK_BYTES];
        let bytes = &mut buf[..count * self.entry];
        self.file
            .read_exact_at(bytes, (first * self.entry) as u64)?;
        let key_at = |i: usize| {
            let mut k = [0u8; 8];
            k.copy_from_slice(&bytes[i * self.entry..i * self.entry + 8]);
            u64::from_le_bytes(k)
        };
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match key_at(mid).cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let at = mid * self.entry + 8;
                    return Ok(Some(V::take(&bytes[at..at + V::SIZE])));
                }
            }
        }
        Ok(None)
    }

    /// Every entry, in key order, read sequentially in chunks (by position: readers share
    /// the file).
    pub(super) fn entries<V: Fixed>(&self) -> impl Iterator<Item = io::Result<(u64, V)>> + '_ {
        const CHUNK_ENTRIES: usize = 1 << 14;
        let entry = self.entry;
        let mut chunk = Vec::new();
        let (mut next, mut at) = (0usize, 0usize);
        std::iter::from_fn(move || {
            if next == self.len {
                return None;
            }
            if at == chunk.len() {
                let count = CHUNK_ENTRIES.min(self.len - next);
                chunk.resize(count * entry, 0);
                if let Err(e) = self.file.read_exact_at(&mut chunk, (next * entry) as u64) {
                    next = self.len;
                    return Some(Err(e));
                }
                at = 0;
            }
            let bytes = &chunk[at..at + entry];
            at += entry;
            next += 1;
            let mut k = [0u8; 8];
            k.copy_from_slice(&bytes[..8]);
            Some(Ok((u64::from_le_bytes(k), V::take(&bytes[8..]))))
        })
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes a run, with its fences.
pub(super) struct RunWriter {
    out: BufWriter<File>,
    path: PathBuf,
    entry: usize,
    buf: Vec<u8>,
    fences: Vec<u64>,
    filter: Bloom,
    /// What the filter was sized for.
    expected: usize,
    len: usize,
    /// Bytes written since the last sync.
    unsynced: usize,
}

impl RunWriter {
    /// A run of about `expected` entries (what its filter is sized for). If more are pushed
    /// (`expected` was not known: 0), the filter is built again, exactly, at the end.
    pub(super) fn create(path: &Path, value_size: usize, expected: usize) -> io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(path)?;
        Ok(Self {
            out: BufWriter::with_capacity(1 << 18, file),
            path: path.to_owned(),
            entry: 8 + value_size,
            buf: vec![0u8; 8 + value_size],
            fences: Vec::new(),
            filter: Bloom::new(expected),
            expected,
            len: 0,
            unsynced: 0,
        })
    }

    pub(super) fn push<V: Fixed>(&mut self, key: u64, value: &V) -> io::Result<()> {
        if self.len.is_multiple_of(BLOCK_BYTES / self.entry) {
            self.fences.push(key);
        }
        self.buf[..8].copy_from_slice(&key.to_le_bytes());
        value.put(&mut self.buf[8..]);
        self.out.write_all(&self.buf)?;
        self.filter.add(key);
        self.len += 1;
        self.unsynced += self.entry;
        if self.unsynced >= WRITEBACK_BYTES {
            self.out.flush()?;
            self.out.get_ref().sync_data()?;
            self.unsynced = 0;
        }
        Ok(())
    }

    pub(super) fn finish(self) -> io::Result<Run> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        let filter = if self.len > self.expected {
            // Sized for fewer: built again from the keys written, read back in order.
            let mut filter = Bloom::new(self.len);
            let mut chunk = vec![0u8; self.entry * (1 << 14)];
            let mut at = 0usize;
            while at < self.len {
                let n = (self.len - at).min(1 << 14);
                let bytes = &mut chunk[..n * self.entry];
                file.read_exact_at(bytes, (at * self.entry) as u64)?;
                for entry in bytes.chunks_exact(self.entry) {
                    let mut key = [0u8; 8];
                    key.copy_from_slice(&entry[..8]);
                    filter.add(u64::from_le_bytes(key));
                }
                at += n;
            }
            filter
        } else {
            self.filter
        };
        Ok(Run {
            file,
            path: self.path,
            entry: self.entry,
            len: self.len,
            fences: self.fences,
            filter,
        })
    }
}

/// Entries in key order, from an in-memory map or a run.
type Entries<'a, V> = Box<dyn Iterator<Item = io::Result<(u64, V)>> + 'a>;

/// Writes the union of `runs` (oldest first, less `removed`) and `frozen` to a new run; of two
/// entries of one key, the newer wins.
pub(super) fn merge<V: Fixed>(
    path: &Path,
    runs: &[Arc<Run>],
    frozen: &PrefixMap<V>,
    removed: &HashSet<u64>,
) -> io::Result<Run> {
    let expected = runs.iter().map(|r| r.len).sum::<usize>() + frozen.len();
    let mut out = RunWriter::create(path, V::SIZE, expected)?;
    // Sources newest first: frozen, then the runs from the newest.
    let mut sources: Vec<Entries<'_, V>> = vec![Box::new(frozen.iter().map(Ok))];
    for run in runs.iter().rev() {
        sources.push(Box::new(
            run.entries::<V>()
                .filter(|e| !matches!(e, Ok((k, _)) if removed.contains(k))),
        ));
    }
    let mut heads: Vec<Option<(u64, V)>> = Vec::with_capacity(sources.len());
    for source in &mut sources {
        heads.push(source.next().transpose()?);
    }
    // The smallest key; on a tie, the newest source (lowest index).
    while let Some((at, key)) = heads
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.map(|(k, _)| (i, k)))
        .min_by_key(|(i, k)| (*k, *i))
    {
        if let Some((_, value)) = heads[at] {
            out.push(key, &value)?;
        }
        for (i, head) in heads.iter_mut().enumerate() {
            if head.is_some_and(|(k, _)| k == key) {
                *head = sources[i].next().transpose()?;
            }
        }
    }
    out.finish()
}

/// A blocked Bloom filter: 8 probes inside one 512-bit block, one cache line per lookup.
#[derive(Debug)]
pub(super) struct Bloom {
    pub(super) blocks: Vec<[u64; 8]>,
}

impl Bloom {
    pub(super) fn new(entries: usize) -> Self {
        let blocks = entries
            .saturating_mul(BLOOM_BITS_PER_ENTRY)
            .div_ceil(512)
            .max(1);
        Self {
            blocks: vec![[0; 8]; blocks],
        }
    }

    /// The block and the 8 bit positions of `key` (already a uniform hash; mixed anyway).
    fn probes(&self, key: u64) -> (usize, [u32; 8]) {
        let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (key >> 29);
        let block = ((u128::from(h) * self.blocks.len() as u128) >> 64) as usize;
        let mut g = key.rotate_left(32).wrapping_mul(0xff51_afd7_ed55_8ccd);
        let mut bits = [0u32; 8];
        for b in &mut bits {
            g = g.rotate_left(9).wrapping_mul(0xc4ce_b9fe_1a85_ec53) ^ (g >> 31);
            *b = (g >> 55) as u32; // 9 bits: 0..512
        }
        (block, bits)
    }

    pub(super) fn add(&mut self, key: u64) {
        let (block, bits) = self.probes(key);
        for b in bits {
            self.blocks[block][(b / 64) as usize] |= 1 << (b % 64);
        }
    }

    pub(super) fn may_hold(&self, key: u64) -> bool {
        let (block, bits) = self.probes(key);
        bits.iter()
            .all(|b| self.blocks[block][(b / 64) as usize] & (1 << (b % 64)) != 0)
    }
}
