//! A [`PrefixMap`] that keeps most of its entries on disk, for maps that grow with every event
//! (ids held, people with a return, receipts) and must not grow the process with them.
//!
//! Entries live in layers, newest first: an active in-memory map that takes inserts; a frozen
//! one being written out, on a thread of its own; and runs, files of fixed-size entries in key
//! order. Runs are tiered by size: eight runs of one tier merge into one of the next, so an
//! entry is rewritten about log8(n / limit) times (1.7 times over 10 million inserts of 512
//! thousand at a time) and there are at most seven runs a tier. A merge runs only on an idle
//! core (`SCHED_IDLE`) and costs the caller nothing unless the next map fills before it ends.
//!
//! In memory each run keeps the first key of each 4 KiB block and a blocked Bloom filter of
//! its keys (10 bits an entry, one cache line a lookup), built as the run is written: about
//! 1.3 bytes an entry in all, against 12 or more for an in-memory entry. A lookup reads a block
//! only of the runs whose filter passes it: about one in a hundred of those that do not hold
//! the key, through the page cache. A filter per run, rather than one over every key, is sized
//! exactly and never rebuilt.
//!
//! The files are scratch: they hold nothing that is not rebuilt at start (from a checkpoint or
//! from the store), and each map deletes those of a previous run when it is created.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::PrefixMap;

mod run;

use run::{Run, RunWriter, merge};

/// A value of fixed encoded size, so that entries on disk can be found by position.
pub trait Fixed: Copy + Default + Send + Sync + 'static {
    /// Encoded size in bytes.
    const SIZE: usize;
    /// Writes the value into `out`, exactly [`Fixed::SIZE`] bytes.
    fn put(&self, out: &mut [u8]);
    /// Reads a value written by [`Fixed::put`].
    fn take(bytes: &[u8]) -> Self;
}

macro_rules! fixed_int {
    ($($t:ty),*) => {$(
        impl Fixed for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(&self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
            fn take(bytes: &[u8]) -> Self {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                b.copy_from_slice(bytes);
                <$t>::from_le_bytes(b)
            }
        }
    )*};
}
fixed_int!(u16, u32, u64);

impl Fixed for (u32, u32) {
    const SIZE: usize = 8;
    fn put(&self, out: &mut [u8]) {
        self.0.put(&mut out[..4]);
        self.1.put(&mut out[4..]);
    }
    fn take(bytes: &[u8]) -> Self {
        (u32::take(&bytes[..4]), u32::take(&bytes[4..]))
    }
}

/// Runs of one tier merged into one of the next (see [`SpillMap::tier_to_merge`]).
const FAN_IN: usize = 8;

/// 64-bit hash prefix to a small value, mostly on disk. See the module's documentation.
#[derive(Debug)]
pub struct SpillMap<V: Fixed> {
    dir: PathBuf,
    name: String,
    limit: usize,
    active: PrefixMap<V>,
    frozen: Option<Arc<PrefixMap<V>>>,
    /// Oldest first.
    runs: Vec<Arc<Run>>,
    merging: Option<JoinHandle<io::Result<Merged>>>,
    /// Keys removed while their entry lay in the frozen map or a run.
    removed: HashSet<u64>,
    generation: u64,
    /// Tells apart the files of two maps of one name in one process.
    instance: u64,
    len: usize,
}

static INSTANCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What a merge hands back: the run that replaces the runs it merged.
struct Merged {
    run: Run,
    replaced: usize,
}

impl<V: Fixed> SpillMap<V> {
    /// An empty map whose files are `dir/name-*.run`, writing to disk every `limit` inserts.
    /// Files of that name left by an earlier process are deleted.
    pub fn create(dir: &Path, name: &str, limit: usize) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let prefix = format!("{name}-");
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let file = entry.file_name();
            let file = file.to_string_lossy();
            if file.starts_with(&prefix) && file.ends_with(".run") {
                std::fs::remove_file(entry.path())?;
            }
        }
        let limit = limit.max(1);
        Ok(Self {
            dir: dir.to_owned(),
            name: name.to_owned(),
            limit,
            active: PrefixMap::with_capacity(limit),
            frozen: None,
            runs: Vec::new(),
            merging: None,
            removed: HashSet::new(),
            generation: 0,
            instance: INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            len: 0,
        })
    }

    /// A map holding `entries`, given in strictly increasing key order (from a checkpoint),
    /// written straight to one run. `Ok(None)` if the keys are not strictly increasing.
    pub fn from_sorted(
        dir: &Path,
        name: &str,
        limit: usize,
        entries: impl IntoIterator<Item = (u64, V)>,
    ) -> io::Result<Option<Self>> {
        let mut map = Self::create(dir, name, limit)?;
        map.generation = 1;
        let path = map.run_path(1);
        // How many entries come is not known here (a checkpoint says, but it may be damaged):
        // the run's filter is built once they are written.
        let mut last = None;
        let mut writer = RunWriter::create(&path, V::SIZE, 0)?;
        for (key, value) in entries {
            if last.is_some_and(|l| l >= key) {
                drop(writer);
                std::fs::remove_file(&path)?;
                return Ok(None);
            }
            last = Some(key);
            writer.push(key, &value)?;
        }
        let run = writer.finish()?;
        map.len = run.len;
        if run.len > 0 {
            map.runs.push(Arc::new(run));
        }
        Ok(Some(map))
    }

    fn run_path(&self, generation: u64) -> PathBuf {
        self.dir
            .join(format!("{}-{}-{generation}.run", self.name, self.instance))
    }

    /// The directory of the map's files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value held for `key`, if any.
    pub fn get(&self, key: u64) -> io::Result<Option<V>> {
        if let Some(v) = self.active.get(key) {
            return Ok(Some(v));
        }
        if self.removed.contains(&key) {
            return Ok(None);
        }
        self.get_older(key)
    }

    /// The value in the frozen map or a run, ignoring removals.
    fn get_older(&self, key: u64) -> io::Result<Option<V>> {
        if let Some(v) = self.frozen.as_ref().and_then(|f| f.get(key)) {
            return Ok(Some(v));
        }
        for run in self.runs.iter().rev() {
            if let Some(v) = run.get(key)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// Records `key` with `value`. The caller has checked that `key` is not held.
    pub fn insert(&mut self, key: u64, value: V) -> io::Result<()> {
        self.active.insert(key, value);
        self.len += 1;
        self.settle(false)?;
        if self.active.len() >= self.limit {
            self.settle(true)?;
            self.freeze(false)?;
        }
        Ok(())
    }

    /// Records `key` with `value`, replacing what it held, if anything.
    pub fn set(&mut self, key: u64, value: V) -> io::Result<()> {
        self.remove(key)?;
        self.insert(key, value)
    }

    /// Removes `key`; returns whether it was held.
    pub fn remove(&mut self, key: u64) -> io::Result<bool> {
        let in_active = self.active.remove(key);
        let in_older = !self.removed.contains(&key) && self.get_older(key)?.is_some();
        if in_older {
            self.removed.insert(key);
        }
        let held = in_active || in_older;
        self.len -= usize::from(held);
        Ok(held)
    }

    /// Takes the result of a merge once it has ended (or, with `wait`, waits for it).
    fn settle(&mut self, wait: bool) -> io::Result<()> {
        let ended = self.merging.as_ref().is_some_and(|m| m.is_finished());
        if !(ended || wait && self.merging.is_some()) {
            return Ok(());
        }
        let Some(merge) = self.merging.take() else {
            return Ok(());
        };
        let merged = merge
            .join()
            .map_err(|_| io::Error::other(format!("merge of {} panicked", self.name)))??;
        let kept = self.runs.len() - merged.replaced;
        self.runs.truncate(kept);
        if merged.run.len > 0 {
            self.runs.push(Arc::new(merged.run));
        }
        self.frozen = None;
        Ok(())
    }

    /// Hands the active map to a merge with the newest runs no larger than what it merges
    /// (with `all`, every run).
    fn freeze(&mut self, all: bool) -> io::Result<()> {
        let frozen = std::mem::replace(&mut self.active, PrefixMap::with_capacity(self.limit));
        // The frozen values are now the newest of their keys.
        if !self.removed.is_empty() {
            for (key, _) in frozen.iter() {
                self.removed.remove(&key);
            }
        }
        let replaced = if all {
            self.runs.len()
        } else {
            self.tier_to_merge()
        };
        self.start_merge(frozen, replaced)
    }

    /// How many of the newest runs a new run joins. Runs are tiered by size: a tier holds runs
    /// of about `limit` times a power of `FAN_IN`. A new run is written alone unless the
    /// newest `FAN_IN - 1` runs share its tier; then they merge into one of the next tier,
    /// which may in turn complete that tier. So each entry is rewritten about
    /// log_FAN_IN(n / limit) times, and there are at most `FAN_IN - 1` runs per tier.
    fn tier_to_merge(&self) -> usize {
        let tier = |len: usize| {
            // A quarter of slack: merged runs lose the keys that were replaced or removed.
            let (mut units, mut tier) = (len * 5 / 4 / self.limit, 0);
            while units >= FAN_IN {
                units /= FAN_IN;
                tier += 1;
            }
            tier
        };
        let (mut replaced, mut level) = (0, 0);
        while self.runs.len() - replaced >= FAN_IN - 1 {
            let end = self.runs.len() - replaced;
            let group = &self.runs[end - (FAN_IN - 1)..end];
            if !group.iter().all(|r| tier(r.len) == level) {
                break;
            }
            replaced += FAN_IN - 1;
            level += 1;
        }
        replaced
    }

    /// Merges `frozen` with the newest `replaced` runs on a thread of its own.
    fn start_merge(&mut self, frozen: PrefixMap<V>, replaced: usize) -> io::Result<()> {
        let frozen = Arc::new(frozen);
        self.frozen = Some(frozen.clone());
        self.generation += 1;
        let path = self.run_path(self.generation);
        let newer = self.runs[self.runs.len() - replaced..].to_vec();
        let removed = self.removed.clone();
        let merge = std::thread::Builder::new()
            .name(format!("midwa-merge-{}", self.name))
            .spawn(move || {
                // SCHED_IDLE: the merge runs only on a core nothing else wants, so it never
                // delays the work that answers (a writer that needs its result waits for it,
                // and so leaves it a core). Nice 19 still cost the tail a third more.
                if let Err(e) = thread_priority::set_thread_priority_and_policy(
                    thread_priority::thread_native_id(),
                    thread_priority::ThreadPriority::Min,
                    thread_priority::ThreadSchedulePolicy::Normal(
                        thread_priority::NormalThreadSchedulePolicy::Idle,
                    ),
                ) {
                    tracing::debug!(error = %e, "a merge runs at normal priority");
                }
                let run = merge(&path, &newer, &frozen, &removed)?;
                Ok(Merged { run, replaced })
            })?;
        self.merging = Some(merge);
        Ok(())
    }

    /// Writes the map through `put`: its length, then each entry in key order (key, then
    /// value), little-endian. What [`SpillMap::load`] reads.
    pub fn save(&mut self, put: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        put(&(self.len as u64).to_le_bytes())?;
        let mut value = vec![0u8; V::SIZE];
        self.for_each(|key, v| {
            put(&key.to_le_bytes())?;
            v.put(&mut value);
            put(&value)
        })
    }

    /// A map written by [`SpillMap::save`], read through `fill` (which fills a buffer, `None`
    /// at a short read) into a run of its own. `Ok(None)` if the input is short or not in key
    /// order.
    pub fn load(
        dir: &Path,
        name: &str,
        limit: usize,
        fill: &mut dyn FnMut(&mut [u8]) -> Option<()>,
    ) -> io::Result<Option<Self>> {
        let mut n = [0u8; 8];
        if fill(&mut n).is_none() {
            return Ok(None);
        }
        let n = u64::from_le_bytes(n);
        let (mut read, mut key, mut value) = (0u64, [0u8; 8], vec![0u8; V::SIZE]);
        let entries = (0..n).map_while(|_| {
            fill(&mut key)?;
            fill(&mut value)?;
            read += 1;
            Some((u64::from_le_bytes(key), V::take(&value)))
        });
        let map = Self::from_sorted(dir, name, limit, entries)?;
        Ok(map.filter(|_| read == n))
    }

    /// Calls `f` with every entry, in key order (for a checkpoint). Merges every layer into
    /// one run first.
    pub fn for_each(&mut self, mut f: impl FnMut(u64, V) -> io::Result<()>) -> io::Result<()> {
        self.settle(true)?;
        if !self.active.is_empty() || self.runs.len() > 1 {
            self.freeze(true)?;
            self.settle(true)?;
        }
        if let Some(run) = self.runs.first() {
            for entry in run.entries::<V>() {
                let (key, value) = entry?;
                if !self.removed.contains(&key) {
                    f(key, value)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
