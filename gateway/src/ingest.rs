//! Accepting node batches: sequence continuity, duplicate and conflict detection, group commit.
//!
//! One writer thread owns the store. Handlers hand it batches through a channel; it takes every
//! batch queued at that moment as one group, stores each batch as one value, syncs once (flush
//! and fsync), and only then answers each batch. Batches that arrive while a sync runs form the
//! next group, so the group grows with the load and a lone batch waits for no timer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Instant;

use midwa_proto::codes::CountryCode;
use midwa_proto::event::{Event, EventId, EventKind};
use midwa_proto::index::{PrefixMap, content_digest};
use midwa_proto::pb;
use prost::Message;
use tokio::sync::{mpsc, oneshot};

use crate::checkpoint;
use crate::erasure::{self, Target};
use crate::metrics::Metrics;
use crate::stats::Statistics;
use crate::stats::fact::Fact;
use crate::store::{MAX_VALUE_BYTES, Store, StoreError};

/// The digest an erased event's id keeps in the index: known, so a resend of it is recognised,
/// yet free to be published again. A real digest equal to it is stored as `ERASED - 1`.
pub const ERASED: u32 = u32::MAX;

/// Most events gathered into one group commit.
const GROUP_MAX_EVENTS: usize = 64 * 1024;

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

/// The writer thread: join it for its result; `ended` resolves as soon as it stops, which
/// before shutdown means the store failed.
#[derive(Debug)]
pub struct Writer {
    /// The thread.
    pub thread: thread::JoinHandle<Result<(), StoreError>>,
    /// Resolves when the thread stops.
    pub ended: oneshot::Receiver<()>,
}

/// The handle handlers use to submit batches.
#[derive(Debug, Clone)]
pub struct Ingest {
    jobs: mpsc::Sender<Job>,
    durable: Arc<Mutex<HashMap<CountryCode, Holding>>>,
}

impl Ingest {
    /// Rebuilds the in-memory ledger from `store` and starts the writer thread. The thread ends,
    /// after a last sync, once every handle is dropped; join it to know everything is flushed.
    pub fn start(
        mut store: Store,
        metrics: Arc<Metrics>,
        stats: Arc<Statistics>,
    ) -> Result<(Self, Writer), StoreError> {
        let started = Instant::now();
        let (mut ledger, from_checkpoint, retractions) = Ledger::load(&store, &stats)?;
        let erasures = store.journal("erasures")?;
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
        let durable = Arc::new(Mutex::new(ledger.holdings.clone()));
        let (jobs, rx) = mpsc::channel(1024);
        let shared = durable.clone();
        let (ended_tx, ended) = oneshot::channel();
        let thread = thread::Builder::new()
            .name("midwa-writer".into())
            .spawn(move || {
                let result = write_loop(store, ledger, erasures, rx, shared, metrics, stats);
                let _ = ended_tx.send(());
                result
            })
            .map_err(|source| StoreError::Sync {
                path: "writer thread".into(),
                source,
            })?;
        Ok((Self { jobs, durable }, Writer { thread, ended }))
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
        if let Err(mpsc::error::SendError(job)) = self.jobs.send(job).await {
            let _ = job.reply.send(Err(IngestError::Unavailable));
        }
        answer
    }

    /// What is durably held from `state`.
    pub fn holding(&self, state: CountryCode) -> Holding {
        self.durable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&state)
            .copied()
            .unwrap_or_default()
    }
}

/// The writer's view: everything accepted, durable or about to be.
struct Ledger {
    holdings: HashMap<CountryCode, Holding>,
    /// Event id prefix to content digest.
    index: PrefixMap<u32>,
}

impl Ledger {
    /// The ledger of `store`, and its aggregates in `stats`: from its checkpoint and the
    /// batches stored after it, or, without a checkpoint valid for this store, from every
    /// batch. The checkpoint is removed once read. Returns the retractions read.
    fn load(store: &Store, stats: &Statistics) -> Result<(Self, bool, Vec<Target>), StoreError> {
        let path = checkpoint::path(store.path());
        let from_checkpoint = checkpoint::read(&path, stats).filter(|(holdings, _)| {
            // A checkpoint newer than the store (an older store restored beside it) is useless.
            let valid = holdings
                .iter()
                .all(|(state, h)| store.has(state.as_bytes(), h.highest_seq).unwrap_or(false));
            if !valid {
                tracing::warn!(
                    "ledger checkpoint does not match the store; rebuilding from the store"
                );
            }
            valid
        });
        if from_checkpoint.is_none() {
            stats.clear();
        }
        checkpoint::remove(&path);
        let started = Instant::now();
        let mut retractions = Vec::new();
        let (mut ledger, tail_only) = match from_checkpoint {
            Some((holdings, index)) => (Self { holdings, index }, true),
            None => (
                Self {
                    holdings: HashMap::new(),
                    index: PrefixMap::default(),
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
                    stats.apply(&facts);
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
                key: format!("{}/{}", state, stored.last_seq),
                why,
            };
            let wire = pb::Event::decode(bytes.as_slice()).map_err(|e| damaged(e.to_string()))?;
            let event = Event::try_from(&wire).map_err(|e| damaged(e.to_string()))?;
            facts.extend(Fact::of(&event));
            retractions.extend(Target::of(&event));
            self.index.insert(
                PrefixMap::<u32>::key_of(&event.id.0),
                content_digest(bytes).min(ERASED - 1),
            );
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
        if batch
            .events
            .iter()
            .take(skip)
            .any(|event| self.index.get(event.key).is_none())
        {
            return (reply, Ok(Err(IngestError::Renumber { held })));
        }
        ack.duplicates += skip.min(batch.events.len()) as u32;
        if last_seq <= held {
            // Wholly a resend: everything is held, and nothing is written (a value under
            // `last_seq` may already hold the original batch).
            return (reply, Ok(Ok(ack)));
        }
        let mut new = Vec::with_capacity(batch.events.len());
        for (offset, event) in batch.events.iter().enumerate().skip(skip) {
            let held = self.index.get(event.key);
            match held {
                Some(d) if d == event.digest => ack.duplicates += 1,
                Some(d) if d != ERASED => ack.conflicts.push(EventId(event.id)),
                // New, or erased before and published again (a correction).
                _ => {
                    if held.is_some() {
                        self.index.set(event.key, event.digest);
                    } else {
                        self.index.insert(event.key, event.digest);
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

/// A checked, canonical event, encoded once and digested, off the writer thread.
#[derive(Debug)]
struct Prepared {
    key: u64,
    digest: u32,
    slot: Option<usize>,
    id: [u8; 16],
    bytes: Vec<u8>,
}

/// A batch made ready for the writer by the stream's own task: each event encoded and
/// digested, and the stored values built as if every event were new (the usual case), so the
/// writer thread only checks ids and stores.
#[derive(Debug)]
pub struct PreparedBatch {
    first_seq: u64,
    events: Vec<Prepared>,
    /// What the aggregates count of each event (none for a retraction).
    facts: Vec<Option<Fact>>,
    /// The retractions, by offset.
    targets: Vec<(usize, Target)>,
    /// (last sequence, encoded [`crate::store::StoredBatch`]) per value.
    values: Vec<(u64, Vec<u8>)>,
}

impl PreparedBatch {
    /// Prepares checked, canonical events (see `midwa_proto::convert::canonicalize`) sent from
    /// `first_seq` on, with their domain values.
    pub fn new(first_seq: u64, events: Vec<pb::Event>, checked: Vec<Event>) -> Self {
        let facts = checked.iter().map(Fact::of).collect();
        let targets = checked
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Target::of(e).map(|t| (i, t)))
            .collect();
        let mut values = Vec::new();
        let mut value = Vec::new();
        let last_seq = first_seq + (events.len() as u64).saturating_sub(1);
        let prepared = events
            .iter()
            .enumerate()
            .map(|(offset, event)| {
                let seq = first_seq + offset as u64;
                let bytes = event.encode_to_vec();
                if value.is_empty() {
                    prost::encoding::uint64::encode(1, &seq, &mut value);
                }
                prost::encoding::bytes::encode(2, &bytes, &mut value);
                // Keep every stored value below sled's blob threshold (see store.rs).
                if value.len() + 1024 >= MAX_VALUE_BYTES || seq == last_seq {
                    values.push((seq, std::mem::take(&mut value)));
                }
                Prepared {
                    key: PrefixMap::<u32>::key_of(&event.id),
                    digest: content_digest(&bytes).min(ERASED - 1),
                    slot: kind_of(event).map(kind_slot),
                    id: event.id.as_slice().try_into().unwrap_or([0; 16]),
                    bytes,
                }
            })
            .collect();
        Self {
            first_seq,
            events: prepared,
            facts,
            targets,
            values,
        }
    }
}

/// Work for the aggregates thread.
enum Counting {
    /// Stored events to count in.
    In(Vec<Fact>),
    /// Erased events to count out.
    Out(Vec<Fact>),
}

/// Erases what `targets` name, makes it durable and marks the erasures done. Returns the
/// erased events.
fn run_erasures(
    store: &mut Store,
    ledger: &mut Ledger,
    journal: &crate::store::Journal,
    targets: &[Target],
) -> Result<Vec<Fact>, StoreError> {
    let mut states: Vec<CountryCode> = targets.iter().map(|t| t.state).collect();
    states.sort();
    states.dedup();
    let mut erased = Vec::new();
    for state in states {
        let of_state: Vec<Target> = targets
            .iter()
            .filter(|t| t.state == state)
            .cloned()
            .collect();
        let gone = erasure::erase(store, &mut ledger.index, state, &of_state)?;
        let holding = ledger.holdings.entry(state).or_default();
        for event in &gone {
            let slot = kind_slot(event.kind());
            holding.counts[slot] = holding.counts[slot].saturating_sub(1);
        }
        tracing::info!(%state, retractions = of_state.len(), events_erased = gone.len(), "erased");
        // Newest first: a person's follow-ups are counted out while their return still gives
        // the profile they were counted under.
        erased.extend(gone.iter().rev().filter_map(Fact::of));
    }
    store.sync()?;
    erasure::mark_done(journal, targets)?;
    Ok(erased)
}

fn write_loop(
    mut store: Store,
    mut ledger: Ledger,
    erasures: crate::store::Journal,
    mut rx: mpsc::Receiver<Job>,
    durable: Arc<Mutex<HashMap<CountryCode, Holding>>>,
    metrics: Arc<Metrics>,
    stats: Arc<Statistics>,
) -> Result<(), StoreError> {
    // Bounded: if counting falls behind, the writer waits rather than piling events up.
    let (counting, to_count) = std::sync::mpsc::sync_channel::<Counting>(8);
    let counter = {
        let stats = stats.clone();
        thread::Builder::new()
            .name("midwa-aggregates".into())
            .spawn(move || {
                while let Ok(work) = to_count.recv() {
                    match work {
                        Counting::In(events) => stats.count_in(&events),
                        Counting::Out(events) => stats.count_out(&events),
                    }
                }
            })
            .map_err(|source| StoreError::Sync {
                path: "aggregates thread".into(),
                source,
            })?
    };
    let result = write_groups(
        &mut store,
        &mut ledger,
        &erasures,
        &mut rx,
        &durable,
        &metrics,
        &stats,
        &counting,
    );
    drop(counting);
    let _ = counter.join();
    result?;
    store.sync()?;
    // Everything is durable and the ledger matches it: the next start reads only what comes
    // after this. Without it, the next start rebuilds from the whole store.
    if let Err(e) = checkpoint::write(
        &checkpoint::path(store.path()),
        &ledger.holdings,
        &ledger.index,
        &stats,
    ) {
        tracing::warn!(error = %e, "cannot write the ledger checkpoint; the next start will scan the store");
    }
    Ok(())
}

/// Takes groups of batches until every handle is dropped: stores, syncs, counts, answers.
#[allow(clippy::too_many_arguments)]
fn write_groups(
    store: &mut Store,
    ledger: &mut Ledger,
    erasures: &crate::store::Journal,
    rx: &mut mpsc::Receiver<Job>,
    durable: &Mutex<HashMap<CountryCode, Holding>>,
    metrics: &Metrics,
    stats: &Statistics,
    counting: &std::sync::mpsc::SyncSender<Counting>,
) -> Result<(), StoreError> {
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        let mut events = group[0].batch.events.len();
        while events < GROUP_MAX_EVENTS {
            match rx.try_recv() {
                Ok(job) => {
                    events += job.batch.events.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let mut answers = Vec::with_capacity(group.len());
        let mut failure = None;
        let mut fresh = Vec::with_capacity(events);
        let mut retractions = Vec::new();
        for job in group {
            match ledger.accept(store, job, &mut fresh, &mut retractions) {
                (reply, Ok(answer)) => answers.push((reply, answer)),
                (reply, Err(e)) => {
                    failure = Some(e);
                    answers.push((reply, Err(IngestError::Unavailable)));
                }
            }
        }
        let started = Instant::now();
        let synced = match failure {
            Some(e) => Err(e),
            None => store.sync(),
        };
        if let Err(e) = synced {
            // Nothing of this group can be promised, and the in-memory ledger may be ahead of
            // the disk: refuse everything and stop, so the gateway restarts from what is durable.
            tracing::error!(error = %e, "storage failed; refusing all batches and stopping");
            for (reply, _) in answers {
                let _ = reply.send(Err(IngestError::Unavailable));
            }
            return Err(e);
        }
        metrics.record_commit(events as u64, started.elapsed(), store.size_on_disk());
        // Counted in on their own thread, off this one; a query waits for what was
        // acknowledged before it came.
        if !fresh.is_empty() {
            stats.expect(fresh.len() as u64);
            let _ = counting.send(Counting::In(fresh));
        }
        *durable.lock().unwrap_or_else(PoisonError::into_inner) = ledger.holdings.clone();
        metrics.set_events_held(ledger.index.len() as u64);
        for (reply, answer) in answers {
            if let Ok(ack) = &answer {
                metrics.record_batch(
                    ack.stored as u64,
                    ack.duplicates as u64,
                    ack.conflicts.len() as u64,
                );
            }
            let _ = reply.send(answer);
        }
        if !retractions.is_empty() {
            // The retractions are durable and acknowledged; now what they name goes.
            let erased = run_erasures(store, ledger, erasures, &retractions)?;
            *durable.lock().unwrap_or_else(PoisonError::into_inner) = ledger.holdings.clone();
            metrics.set_events_held(ledger.index.len() as u64);
            stats.expect(erased.len() as u64);
            let _ = counting.send(Counting::Out(erased));
        }
    }
    Ok(())
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
mod tests {
    use super::*;

    fn closure(id: u8, outcome: i32) -> pb::Event {
        pb::Event {
            id: vec![id; 16],
            origin: "NG".into(),
            subject: vec![id; 32],
            body: Some(pb::event::Body::Closure(pb::Closure {
                month: "2024-03".into(),
                outcome,
            })),
        }
    }

    async fn run(dir: &std::path::Path, batches: Vec<(u64, Vec<pb::Event>)>) -> Vec<Ack> {
        let store = Store::open(dir, 8 << 20).expect("store");
        let (ingest, writer) = Ingest::start(
            store,
            Arc::new(Metrics::default()),
            Arc::new(Statistics::default()),
        )
        .expect("start");
        let ng: CountryCode = "NG".parse().expect("code");
        let mut acks = Vec::new();
        for (first, events) in batches {
            let checked = events
                .iter()
                .map(|e| Event::try_from(e).expect("a valid event"))
                .collect();
            let answer = ingest
                .submit(ng, PreparedBatch::new(first, events, checked))
                .await;
            acks.push(answer.await.expect("answered").expect("accepted"));
        }
        drop(ingest);
        writer.thread.join().expect("writer").expect("clean stop");
        acks
    }

    fn held(dir: &std::path::Path) -> Holding {
        let store = Store::open(dir, 8 << 20).expect("store");
        let (ledger, _, _) = Ledger::load(&store, &Statistics::default()).expect("ledger");
        ledger
            .holdings
            .get(&"NG".parse().expect("code"))
            .copied()
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_restart_remembers_what_came_before_and_after_the_checkpoint() {
        let dir = tempfile::tempdir().expect("temp dir");
        let completed = pb::Outcome::Completed as i32;
        run(
            dir.path(),
            vec![(1, vec![closure(1, completed), closure(2, completed)])],
        )
        .await;
        let early =
            std::fs::read(checkpoint::path(dir.path())).expect("checkpoint written at stop");

        run(dir.path(), vec![(3, vec![closure(3, completed)])]).await;
        // As after a crash: the checkpoint is older than the store.
        std::fs::write(checkpoint::path(dir.path()), early).expect("restore old checkpoint");
        assert_eq!(
            held(dir.path()),
            Holding {
                highest_seq: 3,
                counts: [0, 0, 0, 3, 0]
            }
        );

        let acks = run(
            dir.path(),
            vec![(
                4,
                vec![
                    closure(1, completed),
                    closure(3, completed),
                    closure(2, pb::Outcome::Withdrawn as i32),
                ],
            )],
        )
        .await;
        // Event 1 (from the checkpoint) and 3 (from the tail) are duplicates; 2 conflicts.
        assert_eq!(
            (acks[0].stored, acks[0].duplicates, acks[0].conflicts.len()),
            (0, 2, 1)
        );
    }

    #[tokio::test]
    async fn a_checkpoint_newer_than_the_store_is_not_trusted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let completed = pb::Outcome::Completed as i32;
        run(dir.path(), vec![(1, vec![closure(1, completed)])]).await;
        let old_store = tempfile::tempdir().expect("temp dir");
        for entry in std::fs::read_dir(dir.path())
            .expect("store files")
            .flatten()
        {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), old_store.path().join(entry.file_name()))
                    .expect("copy");
            }
        }
        run(dir.path(), vec![(2, vec![closure(2, completed)])]).await;
        std::fs::copy(
            checkpoint::path(dir.path()),
            checkpoint::path(old_store.path()),
        )
        .expect("newer checkpoint");
        assert_eq!(
            held(old_store.path()).highest_seq,
            1,
            "the ledger trusted a checkpoint the store does not match"
        );
    }
}
