//! Aggregates under disclosure control across every answer:
//!
//! - [`cube`]: the truth, kept up to date as events are stored, never released;
//! - [`workload`]: the tables measured of each origin's month, and what a person adds to them;
//! - [`measured`]: those tables measured once with noise, stored, supplemented when late data
//!   or erasures change them, and each origin's privacy budget spent;
//! - [`query`] and [`answer`]: every answer computed from the measurements alone, with its
//!   error, small and uncertain counts hidden;
//! - [`fact`] and [`key`]: what the cube keeps of an event, packed.

pub mod answer;
pub mod cube;
pub mod fact;
pub mod key;
pub mod measured;
pub mod query;
pub mod workload;

use midwa_i18n::Text;
use std::collections::BTreeSet;
use std::io;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use fact::Fact;
use midwa_certs::Role;
use midwa_proto::codes::CountryCode;
use midwa_proto::pb;

use crate::consent::{Consent, Decision, Why};
use cube::Cube;
use measured::{Done, Measurements};
use query::Query;

/// The aggregates, shared by the writer (which hands over stored events), the thread that
/// counts them in, and the query handlers.
#[derive(Debug)]
pub struct Statistics {
    cube: RwLock<Cube>,
    origins: RwLock<BTreeSet<CountryCode>>,
    /// Events handed over by the writer, and events counted in: a query waits until every
    /// event acknowledged before it arrived is counted.
    progress: Mutex<(u64, u64)>,
    counted: Condvar,
    /// Why the aggregates stopped being kept up to date, if they did (a scratch file failed).
    broken: Mutex<Option<String>>,
    /// The noisy measurements every answer is computed from.
    measured: Mutex<Measurements>,
}

/// What an answer released of each origin, for the origins' access logs.
#[derive(Debug, Clone)]
pub struct Released {
    /// The origin.
    pub origin: CountryCode,
    /// The decision taken for it.
    pub decision: Decision,
    /// Its privacy budget and what was spent of it (rho).
    pub budget: f64,
    /// What was spent.
    pub spent: f64,
    /// What was measured of it to answer.
    pub measured: Done,
}

/// Why a question was not answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// The question cannot be answered as asked: the asker's to change (the text says how).
    #[error("{0}")]
    Question(Text),
    /// The aggregates cannot be read or measured right now; the detail is in the gateway's
    /// log, never in the answer.
    #[error("the gateway cannot answer from its aggregates right now; try again later")]
    Unavailable,
}

/// An answer and, per origin, what was decided and measured.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The answer.
    pub response: pb::AggregateResponse,
    /// Per origin listed.
    pub released: Vec<Released>,
}

impl Statistics {
    /// Empty aggregates whose per-person maps keep their scratch files in `scratch`, answered
    /// from `measured`.
    pub fn new(scratch: &Path, measured: Measurements) -> io::Result<Self> {
        Ok(Self {
            cube: RwLock::new(Cube::create(scratch)?),
            origins: RwLock::default(),
            progress: Mutex::default(),
            counted: Condvar::new(),
            broken: Mutex::default(),
            measured: Mutex::new(measured),
        })
    }

    fn measurements(&self) -> MutexGuard<'_, Measurements> {
        self.measured.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The privacy budget of `origin` and what its measurements spent (rho).
    pub fn privacy(&self, origin: CountryCode, consent: &Consent) -> pb::Privacy {
        let measured = self.measurements();
        let budget = consent.privacy_budget(origin, measured.settings().rho);
        answer::privacy_pb(budget, measured.spent(origin))
    }

    /// Counts stored events in. Fails only if a scratch file cannot be read or written.
    pub fn apply(&self, facts: &[Fact]) -> io::Result<()> {
        let mut cube = self.cube.write().unwrap_or_else(PoisonError::into_inner);
        let mut new_origins = Vec::new();
        let mut result = Ok(());
        for fact in facts {
            result = result.and(cube.apply(fact));
            if new_origins.last() != Some(&fact.origin) {
                new_origins.push(fact.origin);
            }
        }
        let changed = cube.take_changed();
        drop(cube);
        self.measurements().note_changes(changed);
        let known = self.origins.read().unwrap_or_else(PoisonError::into_inner);
        new_origins.retain(|o| !known.contains(o));
        drop(known);
        if !new_origins.is_empty() {
            self.origins
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(new_origins);
        }
        result
    }

    /// Writes the aggregates, for the checkpoint.
    pub fn save(&self, put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> {
        let origins: Vec<CountryCode> = self
            .origins
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect();
        put(&(origins.len() as u32).to_le_bytes())?;
        for o in origins {
            put(&o.as_bytes())?;
        }
        if let Some(why) = self.broken() {
            return Err(io::Error::other(why));
        }
        self.cube
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .save(put)
    }

    /// Replaces the aggregates with those of a checkpoint; `false` if it holds none.
    pub fn restore(&self, fill: &mut dyn FnMut(&mut [u8]) -> Option<()>) -> bool {
        let scratch = self.read().scratch().to_owned();
        let parsed = (|| {
            let mut n = [0u8; 4];
            fill(&mut n)?;
            let mut origins = BTreeSet::new();
            for _ in 0..u32::from_le_bytes(n) {
                let mut code = [0u8; 2];
                fill(&mut code)?;
                origins.insert(std::str::from_utf8(&code).ok()?.parse().ok()?);
            }
            Some((origins, Cube::load(fill, &scratch)?))
        })();
        match parsed {
            Some((origins, cube)) => {
                *self.origins.write().unwrap_or_else(PoisonError::into_inner) = origins;
                *self.cube.write().unwrap_or_else(PoisonError::into_inner) = cube;
                true
            }
            None => false,
        }
    }

    /// Forgets everything counted (before a rebuild).
    pub fn clear(&self) -> io::Result<()> {
        let mut cube = self.cube.write().unwrap_or_else(PoisonError::into_inner);
        *cube = Cube::create(cube.scratch())?;
        drop(cube);
        *self.broken.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.origins
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(())
    }

    /// Events counted in so far.
    pub fn events(&self) -> u64 {
        self.read().events()
    }

    /// Notes that `n` more stored events are on their way to [`Statistics::count_in`]; call
    /// it before acknowledging them.
    pub fn expect(&self, n: u64) {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0 += n;
    }

    /// Counts out erased events announced with [`Statistics::expect`].
    pub fn count_out(&self, facts: &[Fact]) {
        let mut cube = self.cube.write().unwrap_or_else(PoisonError::into_inner);
        let mut result = Ok(());
        for fact in facts {
            result = result.and(cube.remove(fact));
        }
        let changed = cube.take_changed();
        drop(cube);
        self.measurements().note_changes(changed);
        self.note(result);
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1 += facts.len() as u64;
        self.counted.notify_all();
    }

    /// Counts in events announced with [`Statistics::expect`].
    pub fn count_in(&self, facts: &[Fact]) {
        let result = self.apply(facts);
        self.note(result);
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1 += facts.len() as u64;
        self.counted.notify_all();
    }

    /// Remembers a failure to count: answers are refused from then on (the store is whole;
    /// a restart rebuilds the aggregates from it).
    fn note(&self, result: io::Result<()>) {
        if let Err(e) = result {
            tracing::error!(error = %e, "aggregates can no longer be kept up to date; restart the gateway to rebuild them");
            self.broken
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert_with(|| e.to_string());
        }
    }

    /// Why answers are refused, if the aggregates stopped being kept up to date.
    pub fn broken(&self) -> Option<String> {
        self.broken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|why| {
                format!(
                    "the aggregates are out of date after a storage failure ({why}); the gateway must be restarted to rebuild them"
                )
            })
    }

    /// Waits until every event announced so far is counted in.
    pub fn wait_counted(&self) {
        let progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        let target = progress.0;
        drop(
            self.counted
                .wait_while(progress, |p| p.1 < target)
                .unwrap_or_else(PoisonError::into_inner),
        );
    }

    fn read(&self) -> RwLockReadGuard<'_, Cube> {
        self.cube.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The return a receipt was given for, once every event acknowledged so far is counted.
    pub fn receipt(
        &self,
        digest: &midwa_proto::receipt::ReceiptDigest,
    ) -> Result<Option<cube::Receipted>, AnswerError> {
        self.wait_counted();
        self.check()?;
        self.read().receipt(digest).map_err(|e| {
            tracing::error!(error = %e, "cannot read the receipt index; restart the gateway to rebuild it");
            AnswerError::Unavailable
        })
    }

    /// Whether answers can be given: not after a failure to keep the aggregates (logged).
    pub fn check(&self) -> Result<(), AnswerError> {
        match self.broken() {
            Some(why) => {
                tracing::error!(error = %why, "a question refused");
                Err(AnswerError::Unavailable)
            }
            None => Ok(()),
        }
    }

    /// The question a request asks, checked against what is measured (names, values, and a
    /// measured table that answers it): the one step from the wire to the domain.
    pub fn question(&self, request: &pb::AggregateRequest) -> Result<Query, AnswerError> {
        let hosts = self.measurements().settings().hosts.clone();
        Query::parse(request, &hosts).map_err(AnswerError::Question)
    }

    /// Answers `query` for `requester` at `now`: each origin contributes only if its policy
    /// allows and its privacy budget is not spent; what the answer needs is measured first if
    /// it was not yet; every figure comes from the measurements.
    pub fn answer(
        &self,
        query: &Query,
        requester: &Role,
        consent: &Consent,
        now: time::OffsetDateTime,
    ) -> Result<Answer, AnswerError> {
        self.wait_counted();
        self.check()?;
        let mut measured = self.measurements();
        let settings = measured.settings().clone();
        let dimensions = query.dimensions();
        let families = query.metric.families();
        let origins: Vec<CountryCode> = self
            .origins
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .filter(|o| query.origins.as_ref().is_none_or(|only| only.contains(o)))
            .collect();
        let mut threshold = consent.default_threshold();
        let mut decisions = Vec::new();
        let mut wanted = Vec::new();
        for origin in origins {
            let budget = consent.privacy_budget(origin, settings.rho);
            let mut decision = Decision::Refused {
                version: 0,
                reason: String::new(),
                why: Why::Role,
            };
            for family in &families {
                // Coverage's returns are asked without the assistance dimensions.
                let data = family.data_class();
                let seen: Vec<_> = dimensions
                    .iter()
                    .copied()
                    .filter(|d| midwa_proto::policy::applies(data, *d))
                    .collect();
                decision = consent.decide(origin, requester, data, &seen);
                if !matches!(decision, Decision::Allowed { .. }) {
                    break;
                }
            }
            if let Decision::Allowed { version, .. } = decision
                && let Some((family, over)) = families
                    .iter()
                    .find_map(|f| measured.over_budget(origin, *f, budget).map(|o| (f, o)))
            {
                decision = Decision::Refused {
                    version,
                    reason: format!(
                        "{origin}'s privacy budget is spent: its aggregates have spent rho {:.3} of {:.3}{}; nothing more of it is released until its policy allows more",
                        over.spent,
                        over.budget,
                        if over.more > 0.0 {
                            format!(
                                ", and {} would spend {:.3} more",
                                family.data_class(),
                                over.more
                            )
                        } else {
                            String::new()
                        }
                    ),
                    why: Why::Budget,
                };
            }
            if let Decision::Allowed { threshold: t, .. } = &decision {
                threshold = threshold.max(*t);
                wanted.extend(families.iter().map(|f| (origin, *f, budget)));
            }
            decisions.push((origin, decision, budget));
        }
        let done = {
            let cube = self.read();
            measured.refresh(&cube, &wanted, now).map_err(|e| {
                tracing::error!(error = %e, "cannot store measurements");
                AnswerError::Unavailable
            })?
        };
        let included: Vec<CountryCode> = decisions
            .iter()
            .filter(|(_, d, _)| matches!(d, Decision::Allowed { .. }))
            .map(|(o, _, _)| *o)
            .collect();
        let last = settings.last_released(now);
        let response = answer::respond(
            &measured,
            query,
            &included,
            (settings.first_month, last),
            threshold,
        )
        .map_err(|e| AnswerError::Question(e.into()))?;
        let statuses = decisions
            .iter()
            .map(|(origin, decision, budget)| {
                let mut s = crate::consent::origin_status(*origin, decision);
                s.privacy = Some(answer::privacy_pb(*budget, measured.spent(*origin)));
                s
            })
            .collect();
        let released = decisions
            .into_iter()
            .map(|(origin, decision, budget)| Released {
                origin,
                spent: measured.spent(origin),
                measured: done.get(&origin).cloned().unwrap_or_default(),
                decision,
                budget,
            })
            .collect();
        let mut response = response;
        response.origins = statuses;
        Ok(Answer { response, released })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_failure_is_not_the_askers_fault_and_its_detail_stays_in_the_log() {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::store::Store::open(&dir.path().join("db"), 1 << 20).expect("store");
        let consent =
            Consent::open(store.journal("policies").expect("journal"), 10).expect("consent");
        let stats =
            Statistics::new(&dir.path().join("scratch"), Measurements::for_tests()).expect("stats");
        let coordinator = Role::Coordinator { name: "c".into() };
        let now = time::OffsetDateTime::now_utc();
        let ask = |metric: &str| pb::AggregateRequest {
            metric: metric.into(),
            ..Default::default()
        };
        let err = stats
            .question(&ask("everything"))
            .and_then(|q| stats.answer(&q, &coordinator, &consent, now))
            .expect_err("no such metric");
        assert!(
            matches!(&err, AnswerError::Question(q) if q.to_string().contains("is not one of")),
            "{err}"
        );
        stats
            .question(&ask("returns"))
            .and_then(|q| stats.answer(&q, &coordinator, &consent, now))
            .expect("an answer");

        stats.note(Err(io::Error::other(
            "disk /var/lib/midwa/index/persons.run.7 failed",
        )));
        let err = stats
            .question(&ask("returns"))
            .and_then(|q| stats.answer(&q, &coordinator, &consent, now))
            .expect_err("broken");
        assert_eq!(err, AnswerError::Unavailable);
        assert!(!err.to_string().contains("persons.run"), "{err}");
        let digest = midwa_proto::receipt::ReceiptDigest([0; 16]);
        assert_eq!(
            stats.receipt(&digest).expect_err("broken"),
            AnswerError::Unavailable
        );
    }
}
