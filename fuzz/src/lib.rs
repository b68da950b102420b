//! A small mutation fuzzer for the decoders of MIDWA Exchange, run by `cargo test` on the
//! stable toolchain. Each target (`fuzz/tests/*.rs`) hands [`run`] valid inputs to start from
//! and a function that must never panic, hang or abort on any input.
#![warn(missing_docs)]
//!
//! [`run`] first replays every input kept under `fuzz/regressions/<target>/` (inputs that once
//! broke a decoder, fixed since), then tries `MIDWA_FUZZ_CASES` inputs (2,000 by default: a
//! few seconds a target) made by mutating the seeds: bits flipped, bytes set to boundary
//! values, runs inserted, deleted, repeated or spliced from another seed, lengths cut. The
//! generator is seeded from the target's name, or from `MIDWA_FUZZ_SEED`, so a failure
//! replays. A failing input is written to `target/fuzz-failures/<target>-<case>.bin` and the
//! test fails saying so; once the decoder is fixed, the input goes under `fuzz/regressions/`.
//!
//! A long run: `MIDWA_FUZZ_CASES=1000000 cargo test --release -p midwa-fuzz`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// How many mutated inputs each target tries.
pub fn cases() -> u64 {
    std::env::var("MIDWA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

/// Replays the regressions of `target`, then tries [`cases`] mutations of `seeds` on `check`.
/// Panics (failing the test) with the input's file if `check` panics.
pub fn run(target: &str, seeds: &[Vec<u8>], mut check: impl FnMut(&[u8])) {
    let mut attempt = |case: &str, input: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-failures");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("{target}-{case}.bin"));
            let _ = std::fs::write(&file, input);
            panic!(
                "fuzz target {target}: input {case} ({} bytes) broke the decoder; it is in {}",
                input.len(),
                file.display()
            );
        }
    };
    let kept = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target);
    let mut regressions: Vec<PathBuf> = std::fs::read_dir(&kept)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    regressions.sort();
    for file in regressions {
        if let Ok(input) = std::fs::read(&file) {
            attempt(&format!("regression {}", file.display()), &input);
        }
    }
    for (i, seed) in seeds.iter().enumerate() {
        attempt(&format!("seed{i}"), seed);
    }
    let mut rng = Rng::new(
        std::env::var("MIDWA_FUZZ_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| name_seed(target)),
    );
    let empty = Vec::new();
    for case in 0..cases() {
        let seed = seeds.get(rng.below(seeds.len().max(1))).unwrap_or(&empty);
        let other = seeds.get(rng.below(seeds.len().max(1))).unwrap_or(&empty);
        let input = mutate(&mut rng, seed, other);
        attempt(&case.to_string(), &input);
    }
}

/// A seed from a target's name, so each target explores its own inputs.
fn name_seed(name: &str) -> u64 {
    let d = ring::digest::digest(&ring::digest::SHA256, name.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d.as_ref()[..8]);
    u64::from_le_bytes(b)
}

/// Values that break length and count fields.
const BOUNDARIES: [u8; 8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff, b'\n', b','];

/// One to eight mutations of `seed`, sometimes spliced with `other`.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let len = out.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = BOUNDARIES[rng.below(BOUNDARIES.len())];
            }
            2 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(64));
                out.drain(at..at + n);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(64));
                let run: Vec<u8> = out[at..at + n].to_vec();
                out.splice(at..at, run);
            }
            5 if !other.is_empty() => {
                let from = rng.below(other.len());
                let n = 1 + rng.below((other.len() - from).min(256));
                let at = rng.below(len + 1);
                out.splice(at..at, other[from..from + n].iter().copied());
            }
            6 if len > 0 => out.truncate(rng.below(len)),
            7 if len >= 4 => {
                // A little-endian length or count set to a large value.
                let at = rng.below(len - 3);
                let v = [u32::MAX, 1 << 31, 1 << 24, 65_535][rng.below(4)];
                out[at..at + 4].copy_from_slice(&v.to_le_bytes());
            }
            _ => out.push(rng.next() as u8),
        }
    }
    out
}

/// xorshift64*: fast, reproducible, enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}
