//! The writer thread: groups of batches stored, synced, counted and answered; erasures
//! carried out once their retractions are durable; the checkpoint, every so often and at a
//! clean stop.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use midwa_proto::codes::CountryCode;
use tokio::sync::mpsc;

use super::{Durable, IngestError, Ledger, Work, kind_slot};
use crate::ledger::checkpoint;
use crate::ledger::erasure::{self, Target};
use crate::metrics::Metrics;
use crate::stats::Statistics;
use crate::stats::fact::Fact;
use crate::store::{Journal, Store, StoreError};

/// Most events gathered into one group commit.
const GROUP_MAX_EVENTS: usize = 64 * 1024;

/// When the checkpoint is written, and what it must record.
pub(super) struct Checkpoints {
    every: Duration,
    last: Instant,
    /// Whether anything was stored or erased since the last one.
    changed: bool,
    /// Erasures carried out so far.
    erasures: u64,
}

impl Checkpoints {
    /// A checkpoint every `every`, the first one `every` from now.
    pub(super) fn new(every: Duration, erasures: u64) -> Self {
        Self {
            every,
            last: Instant::now(),
            changed: false,
            erasures,
        }
    }

    /// Whether a checkpoint is due: something changed, and the last one is old enough. Writing
    /// it holds the writer (seconds at millions of events), so it waits for a moment when no
    /// batch is waiting (`idle`), for up to one more interval.
    fn due(&self, idle: bool) -> bool {
        let age = self.last.elapsed();
        self.changed && age >= self.every && (idle || age >= self.every * 2)
    }

    /// Writes the checkpoint of everything durable: every pointer synced, every event
    /// counted. A failure is logged: the next start then reads more of the store.
    fn write(&mut self, store: &mut Store, ledger: &mut Ledger, stats: &Statistics) {
        self.last = Instant::now();
        self.changed = false;
        let written = store
            .sync_all()
            .map_err(std::io::Error::other)
            .and_then(|()| {
                stats.wait_counted();
                checkpoint::write(
                    &checkpoint::path(store.path()),
                    &ledger.holdings,
                    &mut ledger.index,
                    stats,
                    self.erasures,
                )
            });
        match written {
            Ok(()) => tracing::info!(
                events = ledger.index.len(),
                elapsed_ms = self.last.elapsed().as_millis() as u64,
                "ledger checkpoint written"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "cannot write the ledger checkpoint; the next start reads more of the store")
            }
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
pub(super) fn run_erasures(
    store: &mut Store,
    ledger: &mut Ledger,
    journal: &Journal,
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

#[allow(clippy::too_many_arguments)]
pub(super) fn write_loop(
    mut store: Store,
    mut ledger: Ledger,
    erasures: Journal,
    mut rx: mpsc::Receiver<Work>,
    durable: Arc<Durable>,
    metrics: Arc<Metrics>,
    stats: Arc<Statistics>,
    mut checkpoints: Checkpoints,
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
        &mut checkpoints,
    );
    drop(counting);
    let _ = counter.join();
    result?;
    // Everything is durable and the ledger matches it: the next start reads only what comes
    // after this.
    checkpoints.write(&mut store, &mut ledger, &stats);
    Ok(())
}

/// Takes groups of batches until every handle is dropped: stores, syncs, counts, answers.
#[allow(clippy::too_many_arguments)]
fn write_groups(
    store: &mut Store,
    ledger: &mut Ledger,
    erasures: &Journal,
    rx: &mut mpsc::Receiver<Work>,
    durable: &Durable,
    metrics: &Metrics,
    stats: &Statistics,
    counting: &std::sync::mpsc::SyncSender<Counting>,
    checkpoints: &mut Checkpoints,
) -> Result<(), StoreError> {
    while let Some(work) = rx.blocking_recv() {
        let first = match work {
            Work::Batch(job) => job,
            Work::Tick => {
                if checkpoints.due(rx.is_empty()) {
                    checkpoints.write(store, ledger, stats);
                }
                continue;
            }
        };
        let mut group = vec![first];
        let mut events = group[0].batch.events.len();
        while events < GROUP_MAX_EVENTS {
            match rx.try_recv() {
                Ok(Work::Batch(job)) => {
                    events += job.batch.events.len();
                    group.push(job);
                }
                Ok(Work::Tick) => {}
                Err(_) => break,
            }
        }
        checkpoints.changed = true;
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
        durable.set(ledger.holdings.clone());
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
            checkpoints.erasures = erasure::count_done(erasures)?;
            durable.set(ledger.holdings.clone());
            metrics.set_events_held(ledger.index.len() as u64);
            stats.expect(erased.len() as u64);
            let _ = counting.send(Counting::Out(erased));
        }
        if checkpoints.due(rx.is_empty()) {
            checkpoints.write(store, ledger, stats);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_waits_for_a_quiet_moment_for_up_to_one_more_interval() {
        let every = Duration::from_millis(100);
        let mut checkpoints = Checkpoints::new(every, 0);
        assert!(!checkpoints.due(true), "nothing changed, and too early");
        checkpoints.changed = true;
        assert!(!checkpoints.due(true), "too early");
        checkpoints.last = Instant::now() - every - Duration::from_millis(10);
        assert!(checkpoints.due(true), "due, and nothing waits");
        assert!(!checkpoints.due(false), "batches wait: later");
        checkpoints.last = Instant::now() - every * 2 - Duration::from_millis(10);
        assert!(checkpoints.due(false), "no later than a second interval");
        checkpoints.changed = false;
        assert!(!checkpoints.due(true), "nothing changed since the last one");
    }
}
