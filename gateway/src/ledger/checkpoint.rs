//! A checkpoint of the ledger and the aggregates, so that a restart reads only what was stored
//! after it instead of scanning the whole store through sled's cache (whose memory would grow
//! with the store) and counting every event again.
//!
//! Written by the writer thread every `checkpoint_every_s` and after its last sync at a clean
//! stop, once everything counted is durable, so it describes exactly what the store held then;
//! a start, clean or after a crash, loads it and reads only what was stored after each state's
//! mark. Erasures delete what a checkpoint counted: one that predates an erasure is of no use,
//! and the start rebuilds from the whole store.
//! Format, little-endian: `MIDWALDG`, version (u32), the number of states (u32) and for each
//! its code (2 bytes), highest sequence (u64) and counts (5 × u64); the number of erasures
//! carried out (u64); the number of ids (u64)
//! and each id key (u64) with its digest (u32), in key order; `MIDWAAGG` and the aggregates
//! (see `stats`); then the SHA-256 of all of that. Streamed both ways, so it never sits whole
//! in memory. Anything wrong with it means a full rebuild from the store, never a wrong ledger.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use midwa_proto::codes::CountryCode;
use midwa_store::index::SpillMap;
use ring::digest::{Context, SHA256};

use crate::ledger::Holding;
use crate::stats::Statistics;

const MAGIC: &[u8; 8] = b"MIDWALDG";
const VERSION: u32 = 4;
const AGGREGATES: &[u8; 8] = b"MIDWAAGG";

/// The checkpoint file of a store in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join("ledger.checkpoint")
}

/// Writes the checkpoint atomically: a temporary file, fsynced, renamed over, directory fsynced.
pub fn write(
    path: &Path,
    holdings: &HashMap<CountryCode, Holding>,
    index: &mut SpillMap<u32>,
    stats: &Statistics,
    erasures: u64,
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
        out.put(&erasures.to_le_bytes())?;
        index.save(&mut |bytes| out.put(bytes))?;
        out.put(AGGREGATES)?;
        stats.save(&mut |bytes| out.put(bytes))?;
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

/// What a checkpoint holds besides the aggregates.
#[derive(Debug)]
pub struct Saved {
    /// What was held of each state.
    pub holdings: HashMap<CountryCode, Holding>,
    /// The ids held.
    pub index: SpillMap<u32>,
    /// How many erasures had been carried out: if more have since, the checkpoint counts
    /// events that are gone from the store, and is of no use.
    pub erasures: u64,
}

/// Reads a checkpoint, restoring the aggregates into `stats`; `None` if there is none or it is
/// damaged (logged), and then `stats` may hold a partial state: rebuild it.
pub fn read(path: &Path, scratch: &Path, stats: &Statistics) -> Option<Saved> {
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
        let erasures = u64::from_le_bytes(input.take()?);
        let index = SpillMap::load(
            scratch,
            "ids",
            crate::ledger::IDS_IN_MEMORY,
            &mut |buf: &mut [u8]| input.fill(buf),
        )
        .map_err(|e| {
            tracing::warn!(scratch = %scratch.display(), error = %e, "cannot write the id index's scratch file");
        })
        .ok()??;
        if input.take::<8>()? != *AGGREGATES {
            return None;
        }
        if !stats.restore(&mut |buf: &mut [u8]| input.fill(buf)) {
            return None;
        }
        let expected = input.digest.clone().finish();
        let mut sum = [0u8; 32];
        input.inner.read_exact(&mut sum).ok()?;
        (sum.as_slice() == expected.as_ref()).then_some(Saved {
            holdings,
            index,
            erasures,
        })
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
    fn fill(&mut self, buf: &mut [u8]) -> Option<()> {
        self.inner.read_exact(buf).ok()?;
        self.digest.update(buf);
        Some(())
    }

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

    fn sample(scratch: &Path) -> (HashMap<CountryCode, Holding>, SpillMap<u32>) {
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
        // A small memory limit: most entries on disk.
        let mut index = SpillMap::create(scratch, "sample", 300).expect("scratch");
        for i in 0..1000u64 {
            index
                .insert(i.wrapping_mul(0x9E37_79B9_7F4A_7C15), i as u32)
                .expect("insert");
        }
        (holdings, index)
    }

    fn entries(index: &mut SpillMap<u32>) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        index
            .for_each(|k, v| {
                out.push((k, v));
                Ok(())
            })
            .expect("entries");
        out
    }

    fn statistics(scratch: &Path) -> Statistics {
        use crate::stats::fact::{Fact, FactBody, ReturnFields};
        let stats = Statistics::new(scratch, crate::stats::measured::Measurements::for_tests())
            .expect("scratch");
        let facts: Vec<Fact> = (0..500u64)
            .flat_map(|i| {
                let origin = "NG".parse().expect("code");
                let person = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let ret = Fact {
                    origin,
                    person,
                    body: FactBody::Return {
                        fields: ReturnFields {
                            host: 300,
                            mode: 1,
                            return_type: 1,
                            sex: (i % 2) as u8 + 1,
                            age: 2,
                            vulnerabilities: 0,
                            region: *b"NG-LA\0",
                        },
                        month: 900 + (i % 12) as u32,
                        receipt: person ^ 1,
                    },
                };
                let survey = Fact {
                    origin,
                    person,
                    body: FactBody::Assessment {
                        month: 910,
                        scores: [0.25, 0.5, 0.75],
                    },
                };
                [ret, survey]
            })
            .collect();
        stats.apply(&facts).expect("counted");
        stats
    }

    fn saved(stats: &Statistics) -> Vec<u8> {
        let mut out = Vec::new();
        stats
            .save(&mut |b| {
                out.extend_from_slice(b);
                Ok(())
            })
            .expect("save");
        out
    }

    #[test]
    fn a_checkpoint_reads_back_as_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let scratch = dir.path().join("index");
        let (holdings, mut index) = sample(&scratch);
        let stats = statistics(&scratch);
        write(&path(dir.path()), &holdings, &mut index, &stats, 3).expect("write");
        let restored = Statistics::new(&scratch, crate::stats::measured::Measurements::for_tests())
            .expect("scratch");
        let mut saved_ = read(&path(dir.path()), &scratch, &restored).expect("read");
        assert_eq!(saved_.holdings, holdings);
        assert_eq!(saved_.erasures, 3, "the erasures it counted");
        assert_eq!(entries(&mut saved_.index), entries(&mut index));
        assert_eq!(restored.events(), 1000);
        assert_eq!(saved(&restored).len(), saved(&stats).len());
    }

    #[test]
    fn a_damaged_or_missing_checkpoint_is_not_used() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = path(dir.path());
        let scratch = dir.path().join("index");
        let stats = Statistics::new(&scratch, crate::stats::measured::Measurements::for_tests())
            .expect("scratch");
        assert!(read(&file, &scratch, &stats).is_none());
        let (holdings, mut index) = sample(&scratch);
        write(&file, &holdings, &mut index, &statistics(&scratch), 0).expect("write");
        let mut bytes = std::fs::read(&file).expect("bytes");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&file, &bytes).expect("damage");
        assert!(
            read(&file, &scratch, &stats).is_none(),
            "a flipped bit went unnoticed"
        );
        bytes.truncate(middle);
        std::fs::write(&file, &bytes).expect("truncate");
        assert!(
            read(&file, &scratch, &stats).is_none(),
            "a truncated checkpoint was used"
        );
    }
}
