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
use midwa_proto::event::{EventId, EventKind};
use midwa_proto::index::PrefixMap;
use midwa_proto::pb;
use prost::Message;
use tokio::sync::{mpsc, oneshot};

use crate::metrics::Metrics;
use crate::store::{MAX_VALUE_BYTES, Store, StoreError, StoredBatch};

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
    first_seq: u64,
    /// Checked and in canonical form.
    events: Vec<pb::Event>,
    reply: oneshot::Sender<Result<Ack, IngestError>>,
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
        store: Store,
        metrics: Arc<Metrics>,
    ) -> Result<(Self, thread::JoinHandle<Result<(), StoreError>>), StoreError> {
        let started = Instant::now();
        let ledger = Ledger::rebuild(&store)?;
        tracing::info!(
            events = ledger.index.len(),
            states = ledger.holdings.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "ledger rebuilt from store"
        );
        metrics.set_events_held(ledger.index.len() as u64);
        let durable = Arc::new(Mutex::new(ledger.holdings.clone()));
        let (jobs, rx) = mpsc::channel(1024);
        let shared = durable.clone();
        let writer = thread::Builder::new()
            .name("midwa-writer".into())
            .spawn(move || write_loop(store, ledger, rx, shared, metrics))
            .map_err(|source| StoreError::Sync {
                path: "writer thread".into(),
                source,
            })?;
        Ok((Self { jobs, durable }, writer))
    }

    /// Submits a batch of checked, canonical events (see `midwa_proto::convert::canonicalize`);
    /// the answer comes once it is durable (or refused).
    pub async fn submit(
        &self,
        state: CountryCode,
        first_seq: u64,
        events: Vec<pb::Event>,
    ) -> oneshot::Receiver<Result<Ack, IngestError>> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            state,
            first_seq,
            events,
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
    index: PrefixMap<u64>,
}

impl Ledger {
    fn rebuild(store: &Store) -> Result<Self, StoreError> {
        let mut ledger = Self {
            holdings: HashMap::new(),
            index: PrefixMap::default(),
        };
        for stored in store.scan() {
            let stored = stored?;
            let Ok(state) = std::str::from_utf8(&stored.state)
                .unwrap_or("")
                .parse::<CountryCode>()
            else {
                continue;
            };
            let holding = ledger.holdings.entry(state).or_default();
            holding.highest_seq = holding.highest_seq.max(stored.last_seq);
            for bytes in &stored.batch.events {
                let event =
                    pb::Event::decode(bytes.as_slice()).map_err(|e| StoreError::Damaged {
                        path: "gateway store".into(),
                        key: format!("{}/{}", state, stored.last_seq),
                        why: e.to_string(),
                    })?;
                ledger
                    .index
                    .insert(PrefixMap::<u64>::key_of(&event.id), digest(bytes));
                if let Some(kind) = kind_of(&event) {
                    holding.counts[kind_slot(kind)] += 1;
                }
            }
        }
        Ok(ledger)
    }

    /// Checks a batch and puts what is new into the store (not yet synced).
    fn accept(&mut self, store: &Store, job: &Job) -> Result<Result<Ack, IngestError>, StoreError> {
        if job.first_seq == 0 || job.events.is_empty() {
            return Ok(Err(IngestError::Empty));
        }
        let held = self.holdings.get(&job.state).map_or(0, |h| h.highest_seq);
        let last_seq = job.first_seq + job.events.len() as u64 - 1;
        if job.first_seq > held + 1 {
            return Ok(Err(IngestError::Gap {
                held,
                first: job.first_seq,
            }));
        }
        let mut ack = Ack {
            last_seq,
            stored: 0,
            duplicates: 0,
            conflicts: Vec::new(),
        };
        let mut counts = [0u64; 5];
        let mut chunk = StoredBatch {
            first_seq: held + 1,
            events: Vec::new(),
        };
        let mut chunk_bytes = 0;
        // Events at or below `held` were accepted before (a resend after a lost ack).
        let skip = (held + 1 - job.first_seq) as usize;
        ack.duplicates += skip.min(job.events.len()) as u32;
        for (offset, event) in job.events.iter().enumerate().skip(skip) {
            let seq = job.first_seq + offset as u64;
            let bytes = event.encode_to_vec();
            let key = PrefixMap::<u64>::key_of(&event.id);
            match self.index.get(key) {
                Some(d) if d == digest(&bytes) => ack.duplicates += 1,
                Some(_) => ack
                    .conflicts
                    .push(EventId(event.id.as_slice().try_into().unwrap_or([0; 16]))),
                None => {
                    self.index.insert(key, digest(&bytes));
                    if let Some(kind) = kind_of(event) {
                        counts[kind_slot(kind)] += 1;
                    }
                    ack.stored += 1;
                    chunk_bytes += bytes.len() + 4;
                    chunk.events.push(bytes);
                    // Keep every stored value far below sled's blob threshold.
                    if chunk_bytes + 1024 >= MAX_VALUE_BYTES && seq < last_seq {
                        store.put(job.state.as_bytes(), seq, &chunk)?;
                        chunk = StoredBatch {
                            first_seq: seq + 1,
                            events: Vec::new(),
                        };
                        chunk_bytes = 0;
                    }
                }
            }
        }
        // Always written, even empty: its key records the highest sequence held.
        store.put(job.state.as_bytes(), last_seq, &chunk)?;
        let holding = self.holdings.entry(job.state).or_default();
        holding.highest_seq = last_seq;
        holding
            .counts
            .iter_mut()
            .zip(counts)
            .for_each(|(c, n)| *c += n);
        Ok(Ok(ack))
    }
}

fn write_loop(
    mut store: Store,
    mut ledger: Ledger,
    mut rx: mpsc::Receiver<Job>,
    durable: Arc<Mutex<HashMap<CountryCode, Holding>>>,
    metrics: Arc<Metrics>,
) -> Result<(), StoreError> {
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        let mut events = group[0].events.len();
        while events < GROUP_MAX_EVENTS {
            match rx.try_recv() {
                Ok(job) => {
                    events += job.events.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let mut answers = Vec::with_capacity(group.len());
        let mut failure = None;
        for job in group {
            match ledger.accept(&store, &job) {
                Ok(answer) => answers.push((job.reply, answer)),
                Err(e) => {
                    failure = Some(e);
                    answers.push((job.reply, Err(IngestError::Unavailable)));
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
    }
    store.sync()
}

/// A 64-bit digest of an event's canonical bytes.
fn digest(bytes: &[u8]) -> u64 {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 8];
    out.copy_from_slice(&d.as_ref()[..8]);
    u64::from_be_bytes(out)
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
