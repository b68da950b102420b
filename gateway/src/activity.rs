//! Each state's reporting, for the coordinators' completeness view: when its node last
//! delivered new events, on how many of the last 30 days it did, and whether it is connected
//! now. A dip in the figures then reads as a dip, or as a node that has been away.
//!
//! Only times and days are kept, never how many events: an exact count of a state's records
//! beside noisy aggregates would undo their noise. What is kept is saved in the store's
//! `activity` journal at most once a minute per state (and at each new day), so that a
//! restart loses at most a minute of "last delivered".

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use midwa_proto::codes::CountryCode;

use crate::store::{Journal, StoreError};

/// Days a state's deliveries are remembered.
pub const WINDOW_DAYS: i64 = 30;

/// How often, at most, a state's record is saved.
const SAVE_EVERY_MS: i64 = 60_000;

const DAY_MS: i64 = 86_400_000;

/// A state's reporting, as the completeness view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporting {
    /// The state.
    pub state: CountryCode,
    /// When its node last delivered new events (Unix milliseconds), if ever.
    pub last_delivery_ms: Option<i64>,
    /// On how many of the last 30 days it delivered new events.
    pub days_reported: u32,
    /// Whether a publishing stream of its node is open now.
    pub connected: bool,
}

#[derive(Debug, Default)]
struct Seen {
    last_ms: i64,
    /// Day numbers (Unix days) with deliveries, within the window.
    days: BTreeSet<i64>,
    saved_ms: i64,
    streams: u32,
}

/// Every state's reporting.
#[derive(Debug, Clone)]
pub struct Activity {
    journal: Journal,
    seen: Arc<Mutex<HashMap<CountryCode, Seen>>>,
}

impl Activity {
    /// What the journal kept.
    pub fn open(journal: Journal) -> Result<Self, StoreError> {
        let mut seen = HashMap::new();
        for (key, value) in journal.scan(b"")? {
            let (Ok(state), Some(record)) = (
                std::str::from_utf8(&key)
                    .unwrap_or_default()
                    .parse::<CountryCode>(),
                decode(&value),
            ) else {
                tracing::warn!(key = ?key, "an unreadable activity record is ignored");
                continue;
            };
            seen.insert(state, record);
        }
        Ok(Self {
            journal,
            seen: Arc::new(Mutex::new(seen)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CountryCode, Seen>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A publishing stream of `state`'s node is open until the guard is dropped.
    pub fn connected(&self, state: CountryCode) -> Connected {
        self.lock().entry(state).or_default().streams += 1;
        Connected {
            activity: self.clone(),
            state,
        }
    }

    /// `state`'s node delivered new events at `now_ms`.
    pub fn delivered(&self, state: CountryCode, now_ms: i64) {
        let save = {
            let mut seen = self.lock();
            let s = seen.entry(state).or_default();
            let today = now_ms.div_euclid(DAY_MS);
            let new_day = s.days.insert(today);
            s.days.retain(|d| *d > today - WINDOW_DAYS);
            s.last_ms = now_ms;
            (new_day || now_ms - s.saved_ms >= SAVE_EVERY_MS).then(|| {
                s.saved_ms = now_ms;
                encode(s)
            })
        };
        if let Some(value) = save
            && let Err(e) = self.journal.put(state.as_str().as_bytes(), &value)
        {
            // The view loses at most this delivery's time; nothing else depends on it.
            tracing::warn!(%state, error = %e, "cannot save a state's reporting");
        }
    }

    /// The states ever seen delivering or connecting.
    pub fn states(&self) -> Vec<CountryCode> {
        let mut states: Vec<_> = self.lock().keys().copied().collect();
        states.sort();
        states
    }

    /// Every state's reporting at `now_ms`, for `states` (states never seen included).
    pub fn report(&self, states: &[CountryCode], now_ms: i64) -> Vec<Reporting> {
        let today = now_ms.div_euclid(DAY_MS);
        let seen = self.lock();
        states
            .iter()
            .map(|state| match seen.get(state) {
                Some(s) => Reporting {
                    state: *state,
                    last_delivery_ms: (s.last_ms > 0).then_some(s.last_ms),
                    days_reported: s.days.iter().filter(|d| **d > today - WINDOW_DAYS).count()
                        as u32,
                    connected: s.streams > 0,
                },
                None => Reporting {
                    state: *state,
                    last_delivery_ms: None,
                    days_reported: 0,
                    connected: false,
                },
            })
            .collect()
    }
}

/// An open publishing stream, counted while it lives.
#[derive(Debug)]
pub struct Connected {
    activity: Activity,
    state: CountryCode,
}

impl Drop for Connected {
    fn drop(&mut self) {
        if let Some(s) = self.activity.lock().get_mut(&self.state) {
            s.streams = s.streams.saturating_sub(1);
        }
    }
}

/// A record: the last delivery (8 bytes), then the days (8 bytes each).
fn encode(s: &Seen) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 8 * s.days.len());
    out.extend_from_slice(&s.last_ms.to_be_bytes());
    for d in &s.days {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out
}

fn decode(bytes: &[u8]) -> Option<Seen> {
    if bytes.len() < 8
        || !bytes.len().is_multiple_of(8)
        || bytes.len() > 8 * (1 + WINDOW_DAYS as usize)
    {
        return None;
    }
    let mut words = bytes
        .chunks_exact(8)
        .map(|c| i64::from_be_bytes(c.try_into().unwrap_or_default()));
    let last_ms = words.next()?;
    Some(Seen {
        last_ms,
        days: words.collect(),
        saved_ms: last_ms,
        streams: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(dir: &std::path::Path) -> Activity {
        let store = crate::store::Store::open(&dir.join("db"), 1 << 20).expect("store");
        Activity::open(store.journal("activity").expect("journal")).expect("activity")
    }

    #[test]
    fn deliveries_and_connections_are_reported_and_survive_a_restart() {
        let dir = tempfile::tempdir().expect("dir");
        let (ng, gh): (CountryCode, CountryCode) =
            ("NG".parse().expect("code"), "GH".parse().expect("code"));
        let now = 40 * DAY_MS + 5_000;
        {
            let a = activity(dir.path());
            // Three days with deliveries, one of them out of the window.
            a.delivered(ng, now - 35 * DAY_MS);
            a.delivered(ng, now - 2 * DAY_MS);
            a.delivered(ng, now);
            let stream = a.connected(ng);
            let report = a.report(&[ng, gh], now);
            assert_eq!(report[0].last_delivery_ms, Some(now));
            assert_eq!(report[0].days_reported, 2);
            assert!(report[0].connected);
            assert_eq!(report[1].last_delivery_ms, None);
            assert!(!report[1].connected);
            drop(stream);
            assert!(!a.report(&[ng], now)[0].connected);
        }
        let a = activity(dir.path());
        let report = a.report(&[ng], now + DAY_MS);
        assert_eq!(report[0].last_delivery_ms, Some(now));
        assert_eq!(report[0].days_reported, 2);
        assert!(decode(b"short").is_none());
    }
}
