//! The ledger of what the gateway holds of each state, in one room: accepting node batches
//! (sequence continuity, duplicate and conflict detection, group commit), carrying out
//! erasures ([`erasure`]), and the checkpoint saved at a clean stop ([`checkpoint`]).
//!
//! One writer thread owns the store. Handlers hand it batches through a channel; it takes every
//! batch queued at that moment as one group, stores each batch as one value, syncs once (flush
//! and fsync), and only then answers each batch. Batches that arrive while a sync runs form the
//! next group, so the group grows with the load and a lone batch waits for no timer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use midwa_proto::codes::CountryCode;
use midwa_proto::event::{Event, EventId, EventKind};
use midwa_proto::pb;
use midwa_store::index::{PrefixMap, SpillMap, content_digest};
use prost::Message;
use tokio::sync::{mpsc, oneshot, watch};

pub mod checkpoint;
pub mod erasure;
mod prepare;
mod writer;

pub use prepare::PreparedBatch;
use writer::{run_erasures, write_loop};

use crate::metrics::Metrics;
use crate::stats::Statistics;
use crate::stats::fact::Fact;
use crate::store::{Batches, MAX_VALUE_BYTES, Store, StoreError};
use erasure::Target;

/// The digest an erased event's id keeps in the index: known, so a resend of it is recognised,
/// yet free to be published again. A real digest equal to it is stored as `ERASED - 1`.
pub const ERASED: u32 = u32::MAX;

/// Ids the index keeps in memory before merging them into its scratch file (12 bytes each).
pub(crate) const IDS_IN_MEMORY: usize = 1 << 19;

/// Why a batch was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The batch does not follow what is held: a sequence was skipped.
    #[error("sequence gap: the gateway holds up to {held}, so the next batch must start at {}, not {first}", held + 1)]
    Gap {
        /// Highest sequence accepted.
        held: u64,
        /// First sequence of the refused batch.
        first: u64,
    },
    /// The batch repeats sequences the gateway holds, but with events it never saw.
    #[error(
        "sequence numbers reused: the gateway holds this state's events up to {held}, and this batch has other events under some of them; number them after {held}"
    )]
    Renumber {
        /// Highest sequence accepted.
        held: u64,
    },
    /// Sequence 0 or an empty batch.
    #[error("a batch must hold at least one event and start at sequence 1 or more")]
    Empty,
    /// The store failed; nothing of the batch can be promised.
    #[error("the gateway's storage is unavailable")]
    Unavailable,
}

/// The answer to an accepted batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    /// Last sequence of the batch; everything up to it is durable.
    pub last_seq: u64,
    /// Events stored now.
    pub stored: u32,
    /// Events already held with the same content.
    pub duplicates: u32,
    /// Events whose id is held with other content: kept out.
    pub conflicts: Vec<EventId>,
}

/// What the gateway holds from one state, durably.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holding {
    /// Highest sequence held.
    pub highest_seq: u64,
    /// Events stored, by kind in [`EventKind::ALL`] order.
    pub counts: [u64; 5],
}

struct Job {
    state: CountryCode,
    batch: PreparedBatch,
    reply: oneshot::Sender<Result<Ack, IngestError>>,
}

/// What the writer thread is handed: a batch to store, or a tick of the clock (to write the
/// checkpoint when it is due, even when no batch comes).
enum Work {
    Batch(Job),
    Tick,
}

/// The writer thread: join it for its result; `ended` resolves as soon as it stops, which
/// before shutdown means the store failed.
#[derive(Debug)]
pub struct Writer {
    /// The thread.
    pub thread: thread::JoinHandle<Result<(), StoreError>>,
    /// Resolves when the thread stops.
    pub ended: oneshot::Receiver<()>,
}

/// What is durable, written by the writer thread after each group commit, read by handlers.
#[derive(Debug)]
pub struct Durable {
    holdings: Mutex<HashMap<CountryCode, Holding>>,
    /// Bumped after each change.
    changed: watch::Sender<u64>,
}

impl Durable {
    fn holding(&self, state: CountryCode) -> Holding {
        self.holdings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&state)
            .copied()
            .unwrap_or_default()
    }

    fn set(&self, holdings: HashMap<CountryCode, Holding>) {
        *self.holdings.lock().unwrap_or_else(PoisonError::into_inner) = holdings;
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// What readers of stored events beside the writer need: the durable batches, and a signal
/// when more become durable.
#[derive(Debug, Clone)]
pub struct Tail {
    batches: Batches,
    durable: Arc<Durable>,
}

impl Tail {
    /// The durable batches of `state` after sequence `after`, in order, until they hold at
    /// least `max_events` events.
    pub fn read(
        &self,
        state: CountryCode,
        after: u64,
        max_events: usize,
    ) -> Result<Vec<crate::store::Stored>, StoreError> {
        let upto = self.durable.holding(state).highest_seq;
        self.batches
            .range(state.as_bytes(), after, upto, max_events)
    }

    /// A receiver that changes whenever more is durable.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.durable.changed.subscribe()
    }
}

/// The handle handlers use to submit batches.
#[derive(Debug, Clone)]
pub struct Ingest {
    jobs: mpsc::Sender<Work>,
    durable: Arc<Durable>,
}

impl Ingest {
    /// Rebuilds the in-memory ledger from `store` and starts the writer thread. The thread ends,
    /// after a last sync, once every handle is dropped; join it to know everything is flushed.
    pub fn start(
        mut store: Store,
        metrics: Arc<Metrics>,
        stats: Arc<Statistics>,
        checkpoint_every: Duration,
    ) -> Result<(Self, Writer, Tail), StoreError> {
        let started = Instant::now();
        let erasures = store.journal("erasures")?;
        let mut erasures_done = erasure::count_done(&erasures)?;
        let (mut ledger, from_checkpoint, retractions) =
            Ledger::load(&store, &stats, erasures_done)?;
        let mut pending = Vec::new();
        for target in retractions {
            if !erasure::done(&erasures, &target.retraction)? {
                pending.push(target);
            }
        }
        if !pending.is_empty() {
            // Retractions whose erasure a crash interrupted.
            tracing::info!(
                retractions = pending.len(),
                "completing interrupted erasures"
            );
            let erased = run_erasures(&mut store, &mut ledger, &erasures, &pending)?;
            erasures_done += pending.len() as u64;
            stats.expect(erased.len() as u64);
            stats.count_out(&erased);
        }
        tracing::info!(
            events = ledger.index.len(),
            from_checkpoint,
            states = ledger.holdings.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "ledger loaded"
        );
        metrics.set_events_held(ledger.index.len() as u64);
        let durable = Arc::new(Durable {
            holdings: Mutex::new(ledger.holdings.clone()),
            changed: watch::Sender::new(0),
        });
        let tail = Tail {
            batches: store.batches(),
            durable: durable.clone(),
        };
        let (jobs, rx) = mpsc::channel(1024);
        // The clock: a tick now and then, for as long as anyone can hand the writer a batch.
        let clock = jobs.downgrade();
        let tick = checkpoint_every
            .min(Duration::from_secs(60))
            .max(Duration::from_millis(200));
        thread::Builder::new()
            .name("midwa-checkpoint-clock".into())
            .spawn(move || {
                loop {
                    thread::sleep(tick);
                    let Some(jobs) = clock.upgrade() else { return };
                    if jobs.blocking_send(Work::Tick).is_err() {
                        return;
                    }
                }
            })
            .map_err(|source| StoreError::Sync {
                path: "checkpoint clock thread".into(),
                source,
            })?;
        let shared = durable.clone();
        let (ended_tx, ended) = oneshot::channel();
        let thread = thread::Builder::new()
            .name("midwa-writer".into())
            .spawn(move || {
                let checkpoints = writer::Checkpoints::new(checkpoint_every, erasures_done);
                let result = write_loop(
                    store,
                    ledger,
                    erasures,
                    rx,
                    shared,
                    metrics,
                    stats,
                    checkpoints,
                );
                let _ = ended_tx.send(());
                result
            })
            .map_err(|source| StoreError::Sync {
                path: "writer thread".into(),
                source,
            })?;
        Ok((Self { jobs, durable }, Writer { thread, ended }, tail))
    }

    /// Submits a prepared batch; the answer comes once it is durable (or refused).
    pub async fn submit(
        &self,
        state: CountryCode,
        batch: PreparedBatch,
    ) -> oneshot::Receiver<Result<Ack, IngestError>> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            state,
            batch,
            reply,
        };
        if let Err(mpsc::error::SendError(Work::Batch(job))) =
            self.jobs.send(Work::Batch(job)).await
        {
            let _ = job.reply.send(Err(IngestError::Unavailable));
        }
        answer
    }

    /// What is durably held from `state`.
    pub fn holding(&self, state: CountryCode) -> Holding {
        self.durable.holding(state)
    }
}

/// The writer's view: everything accepted, durable or about to be.
struct Ledger {
    holdings: HashMap<CountryCode, Holding>,
    /// Event id prefix to content digest, mostly on disk.
    index: SpillMap<u32>,
}

impl Ledger {
    /// The ledger of `store`, and its aggregates in `stats`: from its checkpoint and the
    /// batches stored after it, or, without a checkpoint valid for this store, from every
    /// batch. Returns the retractions read.
    fn load(
        store: &Store,
        stats: &Statistics,
        erasures_done: u64,
    ) -> Result<(Self, bool, Vec<Target>), StoreError> {
        let path = checkpoint::path(store.path());
        let scratch = crate::store::scratch_dir(store.path());
        let from_checkpoint = checkpoint::read(&path, &scratch, stats).filter(|saved| {
            // A checkpoint newer than the store (an older store restored beside it) is useless.
            let valid = saved
                .holdings
                .iter()
                .all(|(state, h)| store.has(state.as_bytes(), h.highest_seq).unwrap_or(false));
            if !valid {
                tracing::warn!(
                    "ledger checkpoint does not match the store; rebuilding from the store"
                );
            }
            // So is one that counts events an erasure has since deleted.
            let current = saved.erasures == erasures_done;
            if valid && !current {
                tracing::info!(
                    "events were erased since the ledger checkpoint; rebuilding from the store"
                );
            }
            valid && current
        });
        if from_checkpoint.is_none() {
            stats
                .clear()
                .map_err(|e| crate::store::index_error(store.path(), e))?;
        }
        let from_checkpoint = from_checkpoint.map(|s| (s.holdings, s.index));
        let started = Instant::now();
        let mut retractions = Vec::new();
        let (mut ledger, tail_only) = match from_checkpoint {
            Some((holdings, index)) => (Self { holdings, index }, true),
            None => (
                Self {
                    holdings: HashMap::new(),
                    index: SpillMap::create(&scratch, "ids", IDS_IN_MEMORY)
                        .map_err(|e| crate::store::index_error(store.path(), e))?,
                },
                false,
            ),
        };
        for first in b'A'..=b'Z' {
            for second in b'A'..=b'Z' {
                let code = [first, second];
                let Ok(state) = std::str::from_utf8(&code)
                    .unwrap_or("")
                    .parse::<CountryCode>()
                else {
                    continue;
                };
                let after = if tail_only {
                    ledger.holdings.get(&state).map_or(0, |h| h.highest_seq)
                } else {
                    0
                };
                let mut facts = Vec::new();
                for stored in store.scan_state_after(code, after) {
                    facts.clear();
                    ledger.add(state, stored?, &mut facts, &mut retractions)?;
                    stats
                        .apply(&facts)
                        .map_err(|e| crate::store::index_error(store.path(), e))?;
                }
            }
        }
        tracing::info!(
            events = stats.events(),
            from_checkpoint = tail_only,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "aggregates ready"
        );
        Ok((ledger, tail_only, retractions))
    }

    /// Counts a stored batch in: its events in the ledger, their facts, its retractions.
    fn add(
        &mut self,
        state: CountryCode,
        stored: crate::store::Stored,
        facts: &mut Vec<Fact>,
        retractions: &mut Vec<Target>,
    ) -> Result<(), StoreError> {
        let holding = self.holdings.entry(state).or_default();
        holding.highest_seq = holding.highest_seq.max(stored.last_seq);
        for bytes in &stored.batch.events {
            let damaged = |why: String| StoreError::Damaged {
                path: "gateway store".into(),
                key: format!("the batch {}/{}", state, stored.last_seq),
                why,
            };
            let wire = pb::Event::decode(bytes.as_slice()).map_err(|e| damaged(e.to_string()))?;
            let event = Event::try_from(&wire).map_err(|e| damaged(e.to_string()))?;
            facts.extend(Fact::of(&event));
            retractions.extend(Target::of(&event));
            self.index
                .insert(
                    PrefixMap::<u32>::key_of(&event.id.0),
                    content_digest(bytes).min(ERASED - 1),
                )
                .map_err(|source| StoreError::Index {
                    path: self.index.dir().to_owned(),
                    source,
                })?;
            holding.counts[kind_slot(event.kind())] += 1;
        }
        Ok(())
    }

    /// Checks a batch and puts what is new into the store (not yet synced); the new events are
    /// added to `fresh`, their retractions to `retractions`.
    #[allow(clippy::type_complexity)]
    fn accept(
        &mut self,
        store: &Store,
        job: Job,
        fresh: &mut Vec<Fact>,
        retractions: &mut Vec<Target>,
    ) -> (
        oneshot::Sender<Result<Ack, IngestError>>,
        Result<Result<Ack, IngestError>, StoreError>,
    ) {
        let Job {
            state,
            mut batch,
            reply,
        } = job;
        let first_seq = batch.first_seq;
        if first_seq == 0 || batch.events.is_empty() {
            return (reply, Ok(Err(IngestError::Empty)));
        }
        let held = self.holdings.get(&state).map_or(0, |h| h.highest_seq);
        let last_seq = first_seq + batch.events.len() as u64 - 1;
        if first_seq > held + 1 {
            return (
                reply,
                Ok(Err(IngestError::Gap {
                    held,
                    first: first_seq,
                })),
            );
        }
        let mut ack = Ack {
            last_seq,
            stored: 0,
            duplicates: 0,
            conflicts: Vec::new(),
        };
        let mut counts = [0u64; 5];
        // Events at or below `held` were accepted before (a resend after a lost ack)... unless
        // one of them was never seen: then the node numbered new events with sequences the
        // gateway already holds (its data was restored from an older backup), and must
        // number them after `held` instead.
        let skip = (held + 1 - first_seq) as usize;
        let index_failed = |e| crate::store::index_error(store.path(), e);
        for event in batch.events.iter().take(skip) {
            match self.index.get(event.key) {
                Ok(Some(_)) => {}
                Ok(None) => return (reply, Ok(Err(IngestError::Renumber { held }))),
                Err(e) => return (reply, Err(index_failed(e))),
            }
        }
        ack.duplicates += skip.min(batch.events.len()) as u32;
        if last_seq <= held {
            // Wholly a resend: everything is held, and nothing is written (a value under
            // `last_seq` may already hold the original batch).
            return (reply, Ok(Ok(ack)));
        }
        let mut new = Vec::with_capacity(batch.events.len());
        for (offset, event) in batch.events.iter().enumerate().skip(skip) {
            let held = match self.index.get(event.key) {
                Ok(held) => held,
                Err(e) => return (reply, Err(index_failed(e))),
            };
            match held {
                Some(d) if d == event.digest => ack.duplicates += 1,
                Some(d) if d != ERASED => ack.conflicts.push(EventId(event.id)),
                // New, or erased before and published again (a correction).
                _ => {
                    let recorded = if held.is_some() {
                        self.index.set(event.key, event.digest)
                    } else {
                        self.index.insert(event.key, event.digest)
                    };
                    if let Err(e) = recorded {
                        return (reply, Err(index_failed(e)));
                    }
                    if let Some(slot) = event.slot {
                        counts[slot] += 1;
                    }
                    new.push(offset);
                }
            }
        }
        ack.stored = new.len() as u32;
        let stored = if new.len() == batch.events.len() {
            // The usual case: every event is new, and the values built off this thread apply.
            batch
                .values
                .iter()
                .try_for_each(|(last, value)| store.put_encoded(state.as_bytes(), *last, value))
        } else {
            put_some(store, state, &batch, &new, last_seq)
        };
        if let Err(e) = stored {
            return (reply, Err(e));
        }
        if new.len() == batch.facts.len() {
            fresh.extend(batch.facts.iter().flatten());
            retractions.extend(batch.targets.drain(..).map(|(_, t)| t));
        } else {
            for &offset in &new {
                fresh.extend(batch.facts[offset]);
            }
            retractions.extend(
                batch
                    .targets
                    .drain(..)
                    .filter(|(offset, _)| new.binary_search(offset).is_ok())
                    .map(|(_, t)| t),
            );
        }
        let holding = self.holdings.entry(state).or_default();
        holding.highest_seq = holding.highest_seq.max(last_seq);
        holding
            .counts
            .iter_mut()
            .zip(counts)
            .for_each(|(c, n)| *c += n);
        (reply, Ok(Ok(ack)))
    }
}

/// Stores the events at offsets `new` of a batch: a resend overlapping what is held, or a batch
/// with duplicates or conflicts. The last value is always written, even empty: its key records
/// the highest sequence held.
fn put_some(
    store: &Store,
    state: CountryCode,
    batch: &PreparedBatch,
    new: &[usize],
    last_seq: u64,
) -> Result<(), StoreError> {
    let mut value = Vec::new();
    for &offset in new {
        let seq = batch.first_seq + offset as u64;
        if value.is_empty() {
            prost::encoding::uint64::encode(1, &seq, &mut value);
        }
        prost::encoding::bytes::encode(2, &batch.events[offset].bytes, &mut value);
        if value.len() + 1024 >= MAX_VALUE_BYTES && seq < last_seq {
            store.put_encoded(state.as_bytes(), seq, &value)?;
            value.clear();
        }
    }
    if value.is_empty() {
        prost::encoding::uint64::encode(1, &last_seq, &mut value);
    }
    store.put_encoded(state.as_bytes(), last_seq, &value)
}

fn kind_of(event: &pb::Event) -> Option<EventKind> {
    use pb::event::Body;
    Some(match event.body.as_ref()? {
        Body::Return(_) => EventKind::Return,
        Body::Assistance(_) => EventKind::Assistance,
        Body::Assessment(_) => EventKind::Assessment,
        Body::Closure(_) => EventKind::Closure,
        Body::Retraction(_) => EventKind::Retraction,
    })
}

fn kind_slot(kind: EventKind) -> usize {
    EventKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

#[cfg(test)]
mod tests;
