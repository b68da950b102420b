//! Measurements: each origin's months measured once, with noise, and kept durably; every answer
//! is computed from them alone.
//!
//! - A month (or a quarter, for the tables measured by quarter) is measured when it has been
//!   over for [`Settings::measure_after_days`] (so that nodes that were offline catch up),
//!   from [`Settings::first_month`] on, every one whether the origin recorded anything in it
//!   or not: every cell of the family's tables ([`workload::domain`]) gets fresh discrete
//!   Gaussian noise, of the variance the origin's budget gives the family. A family is first
//!   measured for an origin when a query needs it.
//! - The noisy values and the truth they were measured from are stored together, atomically
//!   and durably, in the store's `measurements` journal, one record per origin, family, and
//!   month or quarter.
//! - When the truth of a measured month changes (an event arrives late, a record is erased),
//!   the difference is measured, at most once per [`Settings::supplement_every`], as a
//!   supplement: over every cell again, with fresh noise, added to the stored values. Noise is
//!   never reused around a changed count, which would show the change exactly; and a person
//!   counts in the supplement only if what they contribute changed.
//!
//! What a person can lose is bounded by their contribution caps ([`workload`]): each
//! contribution is counted in the month's first measurement or in one supplement, never
//! twice, so an origin's spending is the rho of each family it measured
//! ([`Measurements::spent`]), whatever is asked and however often. Erasing a contribution after
//! its month was measured measures its removal: for that person, that contribution's cost
//! once more.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Duration;

use midwa_proto::codes::CountryCode;
use time::OffsetDateTime;

use super::cube::{Changed, Cube};
use super::key;
use super::workload::{self, CellKey, Every, Family, Hosts, OTHER_HOST};
use crate::privacy::{self, Noise, Variance};
use crate::store::{Journal, StoreError};

/// How measurements are made: the region's `[disclosure]` settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The region's privacy budget per person (zCDP rho): what a state's data spends unless its
    /// policy sets less, and the most it may set.
    pub rho: f64,
    /// Days after a month ends before it is measured and released.
    pub measure_after_days: u32,
    /// The least time between two measurements of the same month.
    pub supplement_every: Duration,
    /// The first month measured (a month number, see [`key::month_index`]).
    pub first_month: u32,
    /// The host countries counted apart.
    pub hosts: Hosts,
}

impl Default for Settings {
    /// The region's defaults: rho 2, months measured 10 days after they end, supplements at
    /// most daily, from January 2017, the default host list.
    fn default() -> Self {
        Self {
            rho: 2.0,
            measure_after_days: 10,
            supplement_every: Duration::from_secs(24 * 3600),
            // January 2017 (see key::month_index).
            first_month: (2017 - 1950) * 12 + 1,
            hosts: Hosts::region_default(),
        }
    }
}

impl Settings {
    /// The last month released at `now`: the last that has been over for the lag.
    pub fn last_released(&self, now: OffsetDateTime) -> u32 {
        let date = (now - time::Duration::days(i64::from(self.measure_after_days))).date();
        let Some(month) = midwa_proto::codes::Month::new(date.year() as u16, date.month() as u8)
        else {
            return 0;
        };
        key::month_index(month).saturating_sub(1)
    }
}

/// A measured period: an origin, a family, monthly or quarterly tables, and the month or
/// quarter number.
pub type Id = (CountryCode, Family, Every, u32);

/// One family's tables of one origin's month or quarter, as measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// How many times it was measured: the first time and each supplement.
    pub times: u32,
    /// When it was last measured, in milliseconds since 1970.
    pub at_ms: i64,
    /// The variance of each count's noise, over every measurement.
    pub count_variance: f64,
    /// The same for each sum of scores.
    pub sum_variance: f64,
    /// What the noisiest-spending of its measurements cost a person (rho).
    pub rho: f64,
    /// Every cell of the family's domain, in key order: its noisy value, and the true value
    /// it was last measured from.
    cells: Vec<(CellKey, i64, i64)>,
}

impl Measured {
    /// The cells and their noisy values, in key order.
    pub fn noisy(&self) -> impl Iterator<Item = (CellKey, i64)> + '_ {
        self.cells.iter().map(|(k, noisy, _)| (*k, *noisy))
    }

    /// The noise variance of a cell.
    pub fn variance(&self, cell: CellKey) -> f64 {
        if cell.part() == 0 {
            self.count_variance
        } else {
            self.sum_variance
        }
    }

    /// The host countries of its domain.
    fn hosts(&self) -> Hosts {
        let codes: Vec<CountryCode> = self
            .cells
            .iter()
            .filter(|(k, _, _)| {
                workload::TABLES[usize::from(k.table())].attrs == [workload::Attr::Host]
            })
            .map(|(k, _, _)| k.value(0))
            .filter(|v| *v != 0 && *v != OTHER_HOST)
            .filter_map(key::country_of)
            .collect();
        Hosts::new(&codes)
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.cells.len() * 20);
        out.extend_from_slice(&self.times.to_le_bytes());
        out.extend_from_slice(&self.at_ms.to_le_bytes());
        out.extend_from_slice(&self.count_variance.to_le_bytes());
        out.extend_from_slice(&self.sum_variance.to_le_bytes());
        out.extend_from_slice(&self.rho.to_le_bytes());
        out.extend_from_slice(&(self.cells.len() as u32).to_le_bytes());
        for (k, noisy, truth) in &self.cells {
            out.extend_from_slice(&k.0.to_le_bytes());
            out.extend_from_slice(&noisy.to_le_bytes());
            out.extend_from_slice(&truth.to_le_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let mut at = 0;
        let mut take = |n: usize| -> Option<&[u8]> {
            let s = bytes.get(at..at + n)?;
            at += n;
            Some(s)
        };
        let u32_ = |b: &[u8]| b.try_into().ok().map(u32::from_le_bytes);
        let i64_ = |b: &[u8]| b.try_into().ok().map(i64::from_le_bytes);
        let f64_ = |b: &[u8]| b.try_into().ok().map(f64::from_le_bytes);
        let times = u32_(take(4)?)?;
        let at_ms = i64_(take(8)?)?;
        let count_variance = f64_(take(8)?)?;
        let sum_variance = f64_(take(8)?)?;
        let rho = f64_(take(8)?)?;
        let n = u32_(take(4)?)? as usize;
        let mut cells = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let k = CellKey(u32_(take(4)?)?);
            let noisy = i64_(take(8)?)?;
            let truth = i64_(take(8)?)?;
            cells.push((k, noisy, truth));
        }
        (at == bytes.len()).then_some(Self {
            times,
            at_ms,
            count_variance,
            sum_variance,
            rho,
            cells,
        })
    }
}

/// The noise a family gets under a budget.
#[derive(Debug, Clone, Copy)]
struct Scales {
    count: Variance,
    sum: Option<Variance>,
    rho: f64,
}

impl Scales {
    fn of(family: Family, budget: f64) -> Option<Self> {
        let count = privacy::variance_for(family.count_d2(), family.count_share() * budget)?;
        let mut rho = privacy::rho_of(family.count_d2(), count);
        let sum = if family.sum_d2() > 0.0 {
            let v = privacy::variance_for(family.sum_d2(), family.sum_share() * budget)?;
            rho += privacy::rho_of(family.sum_d2(), v);
            Some(v)
        } else {
            None
        };
        Some(Self { count, sum, rho })
    }

    fn variance(&self, cell: CellKey) -> Variance {
        match (cell.part(), self.sum) {
            (0, _) | (_, None) => self.count,
            (_, Some(v)) => v,
        }
    }
}

/// Why a family of an origin could not be measured.
#[derive(Debug, Clone, PartialEq)]
pub struct OverBudget {
    /// What the origin's measurements have spent (rho).
    pub spent: f64,
    /// What measuring this family would spend more.
    pub more: f64,
    /// The origin's budget.
    pub budget: f64,
}

/// What one refresh did for an origin, for its access log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Done {
    /// Months measured for the first time, per family.
    pub measured: BTreeMap<Family, Vec<u32>>,
    /// Months measured again for what changed, per family.
    pub supplemented: BTreeMap<Family, Vec<u32>>,
}

/// Every measurement, in memory and in the journal.
#[derive(Debug)]
pub struct Measurements {
    journal: Option<Journal>,
    settings: Settings,
    noise: Noise,
    periods: BTreeMap<(CountryCode, Family, Every), BTreeMap<u32, Measured>>,
    /// Measured periods whose truth may have changed since.
    stale: BTreeSet<Id>,
    domains: HashMap<(Family, Every), Vec<CellKey>>,
}

impl Measurements {
    /// The measurements in `journal`, made with `settings`; every one of them is checked
    /// against the truth at the next refresh, in case it changed while the gateway was down.
    pub fn open(journal: Journal, settings: Settings) -> Result<Self, StoreError> {
        let mut m = Self::in_memory(settings, Noise::system());
        for (k, v) in journal.scan(b"")? {
            let (Some(id), Some(measured)) = (parse_key(&k), Measured::decode(&v)) else {
                tracing::warn!("a stored measurement cannot be read; that month is measured again");
                continue;
            };
            m.stale.insert(id);
            m.periods
                .entry((id.0, id.1, id.2))
                .or_default()
                .insert(id.3, measured);
        }
        m.journal = Some(journal);
        Ok(m)
    }

    /// Measurements in memory only, with the region's default settings and seeded noise: for
    /// tests.
    pub fn for_tests() -> Self {
        Self::in_memory(Settings::default(), Noise::seeded(1))
    }

    /// Measurements kept in memory only, with `noise`: for tests.
    pub fn in_memory(settings: Settings, noise: Noise) -> Self {
        Self {
            journal: None,
            settings,
            noise,
            periods: BTreeMap::new(),
            stale: BTreeSet::new(),
            domains: HashMap::new(),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// What an origin's measurements have spent per person (rho): the sum over the families
    /// measured of the most any of their measurements cost.
    pub fn spent(&self, origin: CountryCode) -> f64 {
        Family::ALL
            .iter()
            .map(|f| self.family_spent(origin, *f))
            .sum()
    }

    /// The most any measurement of an origin's family cost.
    fn family_spent(&self, origin: CountryCode, family: Family) -> f64 {
        Every::ALL
            .iter()
            .filter_map(|e| self.periods.get(&(origin, family, *e)))
            .flat_map(|p| p.values())
            .map(|m| m.rho)
            .fold(0.0, f64::max)
    }

    /// What measuring `family` for `origin` under `budget` would spend beyond what it has,
    /// if that goes over the budget.
    pub fn over_budget(
        &self,
        origin: CountryCode,
        family: Family,
        budget: f64,
    ) -> Option<OverBudget> {
        let spent = self.spent(origin);
        let Some(scales) = Scales::of(family, budget) else {
            return Some(OverBudget {
                spent,
                more: 0.0,
                budget,
            });
        };
        let had = self.family_spent(origin, family);
        let more = (scales.rho - had).max(0.0);
        (spent + more > budget * (1.0 + 1e-9)).then_some(OverBudget {
            spent,
            more,
            budget,
        })
    }

    /// A measured month or quarter.
    pub fn period(
        &self,
        origin: CountryCode,
        family: Family,
        every: Every,
        period: u32,
    ) -> Option<&Measured> {
        self.periods.get(&(origin, family, every))?.get(&period)
    }

    /// Notes where the truth changed.
    pub fn note_changes(&mut self, changed: impl IntoIterator<Item = Changed>) {
        for (origin, family, month) in changed {
            let Some(origin) = key::country_of(origin) else {
                continue;
            };
            for every in Every::ALL {
                let period = every.period(month);
                if self
                    .periods
                    .get(&(origin, family, every))
                    .is_some_and(|m| m.contains_key(&period))
                {
                    self.stale.insert((origin, family, every, period));
                }
            }
        }
    }

    /// Brings `wanted` (origin, family, the origin's budget) up to date at `now`: every month
    /// and quarter released and not measured yet is measured, and every changed one whose
    /// last measurement is old enough is supplemented. The caller has checked the budgets
    /// ([`Measurements::over_budget`]). Returns what was done, per origin.
    pub fn refresh(
        &mut self,
        cube: &Cube,
        wanted: &[(CountryCode, Family, f64)],
        now: OffsetDateTime,
    ) -> Result<BTreeMap<CountryCode, Done>, StoreError> {
        let last_month = self.settings.last_released(now);
        let mut done: BTreeMap<CountryCode, Done> = BTreeMap::new();
        let mut records: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for family in Family::ALL {
            let jobs: Vec<(CountryCode, f64)> = wanted
                .iter()
                .filter(|w| w.1 == family)
                .map(|w| (w.0, w.2))
                .collect();
            if jobs.is_empty() {
                continue;
            }
            for every in Every::ALL {
                if !workload::TABLES
                    .iter()
                    .any(|t| t.family == family && t.every == every)
                {
                    continue;
                }
                self.refresh_tables(
                    cube,
                    family,
                    every,
                    &jobs,
                    last_month,
                    now,
                    &mut done,
                    &mut records,
                );
            }
        }
        if let Some(journal) = &self.journal
            && !records.is_empty()
        {
            let refs: Vec<(&[u8], &[u8])> = records
                .iter()
                .map(|(k, v)| (k.as_slice(), v.as_slice()))
                .collect();
            journal.put_all(&refs)?;
        }
        done.retain(|_, d| !d.measured.is_empty() || !d.supplemented.is_empty());
        Ok(done)
    }

    /// [`Measurements::refresh`] for the tables of one family measured `every` month or
    /// quarter.
    #[allow(clippy::too_many_arguments)]
    fn refresh_tables(
        &mut self,
        cube: &Cube,
        family: Family,
        every: Every,
        jobs: &[(CountryCode, f64)],
        last_month: u32,
        now: OffsetDateTime,
        done: &mut BTreeMap<CountryCode, Done>,
        records: &mut Vec<(Vec<u8>, Vec<u8>)>,
    ) {
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let every_ms = self.settings.supplement_every.as_millis() as i64;
        // Periods wholly released, from the first month's on.
        let first = every.period(self.settings.first_month);
        let last = every.period(last_month + 1).saturating_sub(1);
        // Periods to measure first, and periods to measure again, by origin number.
        let mut fresh: BTreeSet<(u32, u32)> = BTreeSet::new();
        let mut again: BTreeSet<(u32, u32)> = BTreeSet::new();
        for (origin, _) in jobs {
            let o = key::country_index(*origin);
            let measured = self.periods.get(&(*origin, family, every));
            for p in first..=last {
                match measured.and_then(|ms| ms.get(&p)) {
                    None => {
                        fresh.insert((o, p));
                    }
                    Some(m)
                        if self.stale.contains(&(*origin, family, every, p))
                            && now_ms >= m.at_ms.saturating_add(every_ms) =>
                    {
                        again.insert((o, p));
                    }
                    Some(_) => {}
                }
            }
        }
        if fresh.is_empty() && again.is_empty() {
            return;
        }
        let want: HashSet<(u32, u32)> = fresh.union(&again).copied().collect();
        let truth = read_truth(cube, family, every, &self.settings.hosts, &want);
        let domain = self
            .domains
            .entry((family, every))
            .or_insert_with(|| workload::domain(family, every, &self.settings.hosts))
            .clone();
        let empty = HashMap::new();
        for (origin, budget) in jobs {
            let o = key::country_index(*origin);
            let Some(scales) = Scales::of(family, *budget) else {
                continue;
            };
            let entry = done.entry(*origin).or_default();
            for p in (first..=last).filter(|p| fresh.contains(&(o, *p))) {
                let truth = truth.get(&(o, p)).unwrap_or(&empty);
                let cells = domain
                    .iter()
                    .map(|k| {
                        let t = truth.get(k).copied().unwrap_or(0);
                        (*k, t + self.noise.draw(scales.variance(*k)), t)
                    })
                    .collect();
                let measured = Measured {
                    times: 1,
                    at_ms: now_ms,
                    count_variance: scales.count.get(),
                    sum_variance: scales.sum.map_or(0.0, Variance::get),
                    rho: scales.rho,
                    cells,
                };
                records.push((key_of((*origin, family, every, p)), measured.encode()));
                self.periods
                    .entry((*origin, family, every))
                    .or_default()
                    .insert(p, measured);
                entry
                    .measured
                    .entry(family)
                    .or_default()
                    .push(every.first_month(p));
            }
            for p in (first..=last).filter(|p| again.contains(&(o, *p))) {
                self.stale.remove(&(*origin, family, every, p));
                let Some(measured) = self
                    .periods
                    .get_mut(&(*origin, family, every))
                    .and_then(|ms| ms.get_mut(&p))
                else {
                    continue;
                };
                // A supplement's truth is read with the host list of the period's domain.
                let hosts = measured.hosts();
                let truth = if every == Every::Month || hosts == self.settings.hosts {
                    truth.get(&(o, p)).cloned().unwrap_or_default()
                } else {
                    let one: HashSet<(u32, u32)> = [(o, p)].into();
                    read_truth(cube, family, every, &hosts, &one)
                        .remove(&(o, p))
                        .unwrap_or_default()
                };
                if measured
                    .cells
                    .iter()
                    .all(|(k, _, was)| truth.get(k).copied().unwrap_or(0) == *was)
                {
                    continue;
                }
                for (k, noisy, was) in &mut measured.cells {
                    let now_true = truth.get(k).copied().unwrap_or(0);
                    *noisy += now_true - *was + self.noise.draw(scales.variance(*k));
                    *was = now_true;
                }
                measured.times += 1;
                measured.at_ms = now_ms;
                measured.count_variance += scales.count.get();
                measured.sum_variance += scales.sum.map_or(0.0, Variance::get);
                measured.rho = measured.rho.max(scales.rho);
                records.push((key_of((*origin, family, every, p)), measured.encode()));
                entry
                    .supplemented
                    .entry(family)
                    .or_default()
                    .push(every.first_month(p));
            }
        }
    }
}

/// The truth of `family`'s tables measured `every` month or quarter, for the (origin number,
/// period) pairs in `want`.
fn read_truth(
    cube: &Cube,
    family: Family,
    every: Every,
    hosts: &Hosts,
    want: &HashSet<(u32, u32)>,
) -> HashMap<(u32, u32), HashMap<CellKey, i64>> {
    let mut truth: HashMap<(u32, u32), HashMap<CellKey, i64>> = HashMap::new();
    cube.truth(
        family,
        every,
        hosts,
        &|o, m| want.contains(&(o, every.period(m))),
        &mut |o, m, cell, v| {
            *truth
                .entry((o, every.period(m)))
                .or_default()
                .entry(cell)
                .or_default() += v;
        },
    );
    truth
}

/// The journal key of a measurement: origin, family, month or quarter, period number
/// (big-endian, so that an origin's periods are in order).
fn key_of((origin, family, every, period): Id) -> Vec<u8> {
    let mut k = origin.as_bytes().to_vec();
    k.push(family.number());
    k.push(every.number());
    k.extend_from_slice(&period.to_be_bytes());
    k
}

fn parse_key(k: &[u8]) -> Option<Id> {
    let [a, b, f, e, p0, p1, p2, p3] = k.try_into().ok()?;
    let origin = std::str::from_utf8(&[a, b]).ok()?.parse().ok()?;
    Some((
        origin,
        Family::of_number(f)?,
        Every::of_number(e)?,
        u32::from_be_bytes([p0, p1, p2, p3]),
    ))
}

#[cfg(test)]
mod tests;
