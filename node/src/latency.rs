//! How long events wait between being recorded durably on this node and the gateway's durable
//! acknowledgement of them, as the node itself sees it: a histogram since the node started,
//! shown by `midwa-node status` and read by the benchmark.
//!
//! The node notes the moment each submission becomes durable here, and when an acknowledgement
//! covering its events arrives, counts each of them in a bucket of that wait. Buckets are
//! log-linear: exact to the microsecond below 32 µs, then 32 to each doubling, so a bucket is
//! at most 1/32 of its bound wide (a 20 ms wait lies in a bucket 0.5 ms wide).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use midwa_proto::pb::LatencyBucket;

/// Sub-buckets per doubling.
const STEPS_BITS: u32 = 5;
const STEPS: u64 = 1 << STEPS_BITS;
/// Waits are counted up to 2^40 µs (12.7 days); longer ones in the last bucket.
const MAX_BITS: u32 = 40;
const BUCKETS: usize = ((MAX_BITS - STEPS_BITS + 1) as u64 * STEPS) as usize;
/// Submissions waiting for acknowledgement that are timed each on their own. Beyond this (a
/// gateway unreachable for long), later ones are timed from the last one kept: their waits are
/// overestimated, never lost.
const MAX_WAITING: usize = 4096;

/// The waits of events recorded since this node started.
#[derive(Debug)]
pub struct AckLatency {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// (first sequence, last sequence, when durable), in sequence order.
    waiting: VecDeque<(u64, u64, Instant)>,
    counts: Vec<u64>,
}

impl Default for AckLatency {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                waiting: VecDeque::new(),
                counts: vec![0; BUCKETS],
            }),
        }
    }
}

impl AckLatency {
    /// Events `first..=last` are durable on this node now. Called in sequence order.
    pub fn recorded(&self, first: u64, last: u64) {
        let now = Instant::now();
        let mut inner = self.lock();
        if inner.waiting.len() >= MAX_WAITING
            && let Some(newest) = inner.waiting.back_mut()
        {
            newest.1 = last;
            return;
        }
        inner.waiting.push_back((first, last, now));
    }

    /// The gateway holds everything up to `seq`.
    pub fn acknowledged(&self, seq: u64) {
        let now = Instant::now();
        let mut inner = self.lock();
        while let Some(&(first, last, at)) = inner.waiting.front() {
            if first > seq {
                break;
            }
            let events = last.min(seq) - first + 1;
            inner.counts[bucket(now.duration_since(at))] += events;
            match inner.waiting.front_mut() {
                Some(front) if last > seq => front.0 = seq + 1,
                _ => {
                    inner.waiting.pop_front();
                }
            }
        }
    }

    /// The events waiting were numbered anew (see `Outbox::renumber_after`): they are no
    /// longer timed.
    pub fn forget_waiting(&self) {
        self.lock().waiting.clear();
    }

    /// The buckets that hold events, fastest first.
    pub fn buckets(&self) -> Vec<LatencyBucket> {
        let inner = self.lock();
        inner
            .counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| {
                let (from, below) = bounds(i);
                LatencyBucket {
                    from_micros: from,
                    below_micros: below,
                    events: *n,
                }
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The bucket of a wait.
fn bucket(wait: Duration) -> usize {
    let us = u64::try_from(wait.as_micros())
        .unwrap_or(u64::MAX)
        .min((1 << MAX_BITS) - 1);
    if us < STEPS {
        return us as usize;
    }
    let top = 63 - us.leading_zeros();
    let step = (us >> (top - STEPS_BITS)) & (STEPS - 1);
    ((top - STEPS_BITS + 1) as u64 * STEPS + step) as usize
}

/// The waits a bucket holds: at least the first, under the second, in microseconds.
fn bounds(bucket: usize) -> (u64, u64) {
    let bucket = bucket as u64;
    if bucket < STEPS {
        return (bucket, bucket + 1);
    }
    let shift = bucket / STEPS - 1;
    let step = bucket % STEPS;
    ((STEPS + step) << shift, (STEPS + step + 1) << shift)
}

/// What `after` counted that `before` had not: the waits of events acknowledged in between.
/// Both as [`AckLatency::buckets`] gives them.
pub fn since(after: &[LatencyBucket], before: &[LatencyBucket]) -> Vec<LatencyBucket> {
    after
        .iter()
        .map(|b| {
            let earlier = before
                .iter()
                .find(|e| e.from_micros == b.from_micros)
                .map_or(0, |e| e.events);
            LatencyBucket {
                events: b.events.saturating_sub(earlier),
                ..*b
            }
        })
        .filter(|b| b.events > 0)
        .collect()
}

/// Events counted in `buckets`.
pub fn events(buckets: &[LatencyBucket]) -> u64 {
    buckets.iter().map(|b| b.events).sum()
}

/// The wait under which a fraction `p` (0 to 1) of the events were acknowledged, interpolated
/// within its bucket; `None` if there are none.
pub fn percentile(buckets: &[LatencyBucket], p: f64) -> Option<Duration> {
    let total = events(buckets);
    if total == 0 {
        return None;
    }
    let rank = (p.clamp(0.0, 1.0) * total as f64).max(1.0);
    let mut below = 0u64;
    for b in buckets {
        if (below + b.events) as f64 >= rank {
            let within = (rank - below as f64) / b.events as f64;
            let width = (b.below_micros - b.from_micros) as f64;
            let us = b.from_micros as f64 + within * width;
            return Some(Duration::from_nanos((us * 1000.0).round() as u64));
        }
        below += b.events;
    }
    buckets
        .last()
        .map(|b| Duration::from_micros(b.below_micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_every_wait_and_are_at_most_a_32nd_of_their_bound_wide() {
        let mut expected_from = 0;
        for i in 0..BUCKETS {
            let (from, below) = bounds(i);
            assert_eq!(
                from,
                expected_from,
                "bucket {i} starts where {} ends",
                i - 1
            );
            assert!(below > from);
            assert!(from < STEPS || (below - from) * STEPS <= from, "bucket {i}");
            assert_eq!(bucket(Duration::from_micros(from)), i);
            assert_eq!(bucket(Duration::from_micros(below - 1)), i);
            expected_from = below;
        }
        assert_eq!(expected_from, 1 << MAX_BITS);
        assert_eq!(bucket(Duration::from_secs(365 * 86_400)), BUCKETS - 1);
    }

    #[test]
    fn an_acknowledgement_counts_the_events_it_covers_even_part_of_a_submission() {
        let latency = AckLatency::default();
        latency.recorded(1, 100);
        latency.recorded(101, 150);
        latency.acknowledged(40);
        assert_eq!(events(&latency.buckets()), 40);
        latency.acknowledged(120);
        assert_eq!(events(&latency.buckets()), 120);
        // An acknowledgement already seen, or of events never timed, counts nothing more.
        latency.acknowledged(120);
        latency.acknowledged(10);
        assert_eq!(events(&latency.buckets()), 120);
        latency.acknowledged(1000);
        assert_eq!(events(&latency.buckets()), 150);
    }

    #[test]
    fn beyond_the_submissions_kept_later_ones_are_timed_from_the_last_kept() {
        let latency = AckLatency::default();
        for seq in 1..=(MAX_WAITING as u64 + 10) {
            latency.recorded(seq, seq);
        }
        latency.acknowledged(u64::MAX);
        assert_eq!(events(&latency.buckets()), MAX_WAITING as u64 + 10);
    }

    #[test]
    fn renumbered_events_are_no_longer_timed() {
        let latency = AckLatency::default();
        latency.recorded(1, 10);
        latency.forget_waiting();
        latency.acknowledged(10);
        assert!(latency.buckets().is_empty());
    }

    #[test]
    fn percentiles_interpolate_within_a_bucket_and_since_subtracts_a_snapshot() {
        let b = |from, below, events| LatencyBucket {
            from_micros: from,
            below_micros: below,
            events,
        };
        let before = vec![b(1000, 1032, 50)];
        let after = vec![b(1000, 1032, 150), b(20_480, 21_120, 100)];
        let between = since(&after, &before);
        assert_eq!(between, vec![b(1000, 1032, 100), b(20_480, 21_120, 100)]);
        assert_eq!(events(&between), 200);
        assert_eq!(percentile(&between, 0.5), Some(Duration::from_micros(1032)));
        assert_eq!(
            percentile(&between, 0.75),
            Some(Duration::from_micros(20_800))
        );
        assert_eq!(
            percentile(&between, 1.0),
            Some(Duration::from_micros(21_120))
        );
        assert_eq!(percentile(&[], 0.5), None);
    }
}
