//! Aggregates: tables kept up to date as events are stored ([`cube`]), queries over them
//! ([`query`]), each origin's consent, and disclosure control ([`disclosure`]) on every answer.

pub mod cube;
pub mod disclosure;
pub mod fact;
pub mod key;
pub mod query;

use std::collections::BTreeSet;
use std::io;
use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError, RwLock, RwLockReadGuard};

use fact::Fact;
use midwa_certs::Role;
use midwa_proto::codes::CountryCode;
use midwa_proto::pb;

use crate::consent::{Consent, Decision};
use cube::Cube;
use disclosure::{Hidden, MIN_PERSONS_FOR_MEAN, suppress};
use query::{Metric, Query};

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
}

/// What an answer released of each origin, for the origins' access logs.
#[derive(Debug, Clone)]
pub struct Released {
    /// The origin.
    pub origin: CountryCode,
    /// The decision taken for it.
    pub decision: Decision,
}

impl Statistics {
    /// Empty aggregates whose per-person maps keep their scratch files in `scratch`.
    pub fn new(scratch: &Path) -> io::Result<Self> {
        Ok(Self {
            cube: RwLock::new(Cube::create(scratch)?),
            origins: RwLock::default(),
            progress: Mutex::default(),
            counted: Condvar::new(),
            broken: Mutex::default(),
        })
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
        drop(cube);
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
        drop(cube);
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
    fn wait_counted(&self) {
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
    ) -> Result<Option<cube::Receipted>, String> {
        self.wait_counted();
        if let Some(why) = self.broken() {
            return Err(why);
        }
        self.read().receipt(digest).map_err(|e| {
            format!("cannot read the receipt index: {e}; the gateway must be restarted")
        })
    }

    /// Answers an aggregate request for `requester`: each origin contributes only if its policy
    /// allows, small counts are suppressed. Also returns, per origin, what was decided.
    pub fn answer(
        &self,
        request: &pb::AggregateRequest,
        requester: &Role,
        consent: &Consent,
    ) -> Result<(pb::AggregateResponse, Vec<Released>), String> {
        self.wait_counted();
        if let Some(why) = self.broken() {
            return Err(why);
        }
        let cube = self.read();
        let query = Query::parse(request, cube.regions())?;
        let dimensions = query.dimensions();
        let data = query.metric.data_class();
        let origins: Vec<CountryCode> = self
            .origins
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect();
        let mut allowed = vec![false; 678];
        let mut threshold = consent.default_threshold();
        let mut statuses = Vec::new();
        let mut released = Vec::new();
        for origin in origins {
            let decision = consent.decide(origin, requester, data, &dimensions);
            if let Decision::Allowed { threshold: t, .. } = &decision {
                allowed[key::country_index(origin) as usize] = true;
                threshold = threshold.max(*t);
            }
            statuses.push(crate::consent::origin_status(origin, &decision));
            released.push(Released { origin, decision });
        }
        let rows = query.run(&cube, &allowed);
        let counts: Vec<u64> = rows.iter().map(|(_, c)| c.count as u64).collect();
        let release = suppress(&counts, u64::from(threshold));
        let means = query.metric == Metric::MeanScores;
        let mut any_mean_hidden = false;
        let mut cells = Vec::with_capacity(rows.len());
        let mut total = cube::Cell::default();
        for ((values, cell), hidden) in rows.iter().zip(&release.cells) {
            total.count += cell.count;
            for (t, s) in total.sums.iter_mut().zip(cell.sums) {
                *t += s;
            }
            let mean_shown = means && hidden.is_none() && cell.count as u64 >= MIN_PERSONS_FOR_MEAN;
            any_mean_hidden |= means && !mean_shown;
            let labels = query
                .group_by
                .iter()
                .zip(values)
                .map(|(d, v)| query.label(*d, *v, cube.regions()))
                .collect();
            cells.push(to_cell(labels, cell, *hidden, mean_shown));
        }
        let total_hidden = release.total_hidden.then_some(Hidden::Primary);
        let total_mean = means
            && !any_mean_hidden
            && total_hidden.is_none()
            && total.count as u64 >= MIN_PERSONS_FOR_MEAN;
        let response = pb::AggregateResponse {
            columns: query.group_by.iter().map(|d| d.to_string()).collect(),
            cells,
            total: Some(to_cell(Vec::new(), &total, total_hidden, total_mean)),
            origins: statuses,
            threshold,
            metric: query.metric.to_string(),
        };
        Ok((response, released))
    }
}

fn to_cell(values: Vec<String>, cell: &cube::Cell, hidden: Option<Hidden>, mean: bool) -> pb::Cell {
    let n = cell.count.max(1) as f64;
    let mean_of = |i: usize| mean.then_some(cell.sums[i] / n);
    pb::Cell {
        values,
        count: hidden.is_none().then_some(cell.count as u64),
        economic: mean_of(0),
        social: mean_of(1),
        psychosocial: mean_of(2),
        composite: mean.then_some(cell.sums.iter().sum::<f64>() / 3.0 / n),
        suppressed: match hidden {
            None => String::new(),
            Some(Hidden::Primary) => "primary".into(),
            Some(Hidden::Secondary) => "secondary".into(),
        },
    }
}
