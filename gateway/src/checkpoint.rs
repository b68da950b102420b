//! A checkpoint of the ledger, so that a restart reads only what was stored after it instead of
//! scanning the whole store through sled's cache (whose memory would grow with the store).
//!
//! Written by the writer thread after its last sync, at clean shutdown, so it describes exactly
//! what is durable. Format, little-endian: `MIDWALDG`, version (u32), the number of states (u32)
//! and for each its code (2 bytes), highest sequence (u64) and counts (5 × u64); the number of
//! ids (u64) and each id key (u64) with its digest (u32), in key order; then the SHA-256 of all
//! of that. Streamed both ways, so it never sits whole in memory. Anything wrong with it means a
//! full rebuild from the store, never a wrong ledger.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use midwa_proto::codes::CountryCode;
use midwa_proto::index::PrefixMap;
use ring::digest::{Context, SHA256};

use crate::ingest::Holding;

const MAGIC: &[u8; 8] = b"MIDWALDG";
const VERSION: u32 = 1;

/// The checkpoint file of a store in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join("ledger.checkpoint")
}

/// Writes the checkpoint atomically: a temporary file, fsynced, renamed over, directory fsynced.
pub fn write(
    path: &Path,
    holdings: &HashMap<CountryCode, Holding>,
    index: &PrefixMap<u32>,
) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp~");
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut out = Hashing {
            inner: BufWriter::with_capacity(1 << 20, file),
            digest: Context::new(&SHA256),
        };
        out.put(MAGIC)?;
        out.put(&VERSION.to_le_bytes())?;
        out.put(&(holdings.len() as u32).to_le_bytes())?;
        for (state, holding) in holdings {
            out.put(&state.as_bytes())?;
            out.put(&holding.highest_seq.to_le_bytes())?;
            for count in holding.counts {
                out.put(&count.to_le_bytes())?;
            }
        }
        out.put(&(index.len() as u64).to_le_bytes())?;
        for (key, digest) in index.iter() {
            out.put(&key.to_le_bytes())?;
            out.put(&digest.to_le_bytes())?;
        }
        let sum = out.digest.finish();
        let mut writer = out.inner;
        writer.write_all(sum.as_ref())?;
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads a checkpoint; `None` if there is none or it is damaged (logged).
pub fn read(path: &Path) -> Option<(HashMap<CountryCode, Holding>, PrefixMap<u32>)> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(checkpoint = %path.display(), error = %e, "ledger checkpoint unreadable; rebuilding from the store");
            return None;
        }
    };
    let mut input = Hashed {
        inner: BufReader::with_capacity(1 << 20, file),
        digest: Context::new(&SHA256),
    };
    let parsed = (|| -> Option<_> {
        if input.take::<8>()? != *MAGIC || u32::from_le_bytes(input.take()?) != VERSION {
            return None;
        }
        let states = u32::from_le_bytes(input.take()?);
        let mut holdings = HashMap::new();
        for _ in 0..states {
            let code: [u8; 2] = input.take()?;
            let state: CountryCode = std::str::from_utf8(&code).ok()?.parse().ok()?;
            let highest_seq = u64::from_le_bytes(input.take()?);
            let mut counts = [0u64; 5];
            for count in &mut counts {
                *count = u64::from_le_bytes(input.take()?);
            }
            holdings.insert(
                state,
                Holding {
                    highest_seq,
                    counts,
                },
            );
        }
        let n = u64::from_le_bytes(input.take()?);
        let mut entries = Vec::new();
        let index = PrefixMap::from_sorted((0..n).map_while(|_| {
            let key = u64::from_le_bytes(input.take()?);
            let digest = u32::from_le_bytes(input.take()?);
            entries.push(());
            Some((key, digest))
        }))?;
        if entries.len() as u64 != n {
            return None;
        }
        let expected = input.digest.clone().finish();
        let mut sum = [0u8; 32];
        input.inner.read_exact(&mut sum).ok()?;
        (sum.as_slice() == expected.as_ref()).then_some((holdings, index))
    })();
    if parsed.is_none() {
        tracing::warn!(checkpoint = %path.display(), "ledger checkpoint damaged; rebuilding from the store");
    }
    parsed
}

struct Hashing<W> {
    inner: W,
    digest: Context,
}

impl<W: Write> Hashing<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.digest.update(bytes);
        self.inner.write_all(bytes)
    }
}

struct Hashed<R> {
    inner: R,
    digest: Context,
}

impl<R: Read> Hashed<R> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut buf = [0u8; N];
        self.inner.read_exact(&mut buf).ok()?;
        self.digest.update(&buf);
        Some(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (HashMap<CountryCode, Holding>, PrefixMap<u32>) {
        let holdings = HashMap::from([
            (
                "NG".parse().expect("code"),
                Holding {
                    highest_seq: 42,
                    counts: [40, 2, 0, 0, 0],
                },
            ),
            (
                "GH".parse().expect("code"),
                Holding {
                    highest_seq: 7,
                    counts: [7, 0, 0, 0, 0],
                },
            ),
        ]);
        let mut index = PrefixMap::default();
        for i in 0..1000u64 {
            index.insert(i.wrapping_mul(0x9E37_79B9_7F4A_7C15), i as u32);
        }
        (holdings, index)
    }

    #[test]
    fn a_checkpoint_reads_back_as_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (holdings, index) = sample();
        write(&path(dir.path()), &holdings, &index).expect("write");
        let (h, i) = read(&path(dir.path())).expect("read");
        assert_eq!(h, holdings);
        assert!(i.iter().eq(index.iter()));
    }

    #[test]
    fn a_damaged_or_missing_checkpoint_is_not_used() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = path(dir.path());
        assert!(read(&file).is_none());
        let (holdings, index) = sample();
        write(&file, &holdings, &index).expect("write");
        let mut bytes = std::fs::read(&file).expect("bytes");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&file, &bytes).expect("damage");
        assert!(read(&file).is_none(), "a flipped bit went unnoticed");
        bytes.truncate(middle);
        std::fs::write(&file, &bytes).expect("truncate");
        assert!(read(&file).is_none(), "a truncated checkpoint was used");
    }
}
