//! Answers computed from measurements alone: sums of noisy cells, their errors, what is
//! hidden, and the months they cover.
//!
//! A figure is the sum, over the origins included and the months asked, of the noisy cells of
//! one measured table that match the filters: the table the query's attributes choose
//! ([`Query::table`]), for the cells with the groups' attributes and for the total without
//! them. The same persons always reach the same cells of the same table, so a figure has one
//! value whichever way it is asked; its variance is the sum of its cells' noise variances.
//!
//! What is released of a count ([`hide`]): nothing below the threshold (decided on the noisy
//! value), and nothing whose noise has a standard deviation above a third of it. Means are
//! noisy sums over noisy counts, released over at least [`MIN_SURVEYS_FOR_MEAN`] surveys.

use std::collections::BTreeMap;

use midwa_proto::codes::CountryCode;
use midwa_proto::pb;

use super::key;
use super::measured::Measurements;
use super::query;
use super::query::{By, Metric, Query};
use super::workload::{self, Attr, Family, Table};
use crate::privacy;
use crate::privacy::error95;

/// Fewest surveys a mean is released over.
pub const MIN_SURVEYS_FOR_MEAN: f64 = 20.0;

/// Why a count is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// Below the threshold.
    Primary,
    /// Its noise is too large next to it: a standard deviation above a third of it.
    Uncertain,
}

impl Hidden {
    /// The name in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Hidden::Primary => "primary",
            Hidden::Uncertain => "uncertain",
        }
    }
}

/// Whether a noisy count of noise `variance` is hidden under `threshold`.
pub fn hide(count: f64, variance: f64, threshold: u32) -> Option<Hidden> {
    if count < f64::from(threshold) {
        Some(Hidden::Primary)
    } else if count < 3.0 * variance.sqrt() {
        Some(Hidden::Uncertain)
    } else {
        None
    }
}

/// A sum of noisy cells.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sum {
    /// The count.
    pub count: i64,
    /// Its noise variance.
    pub count_variance: f64,
    /// Sums of the three scores, in hundredths centred on 0.5 (surveys).
    pub sums: [i64; 3],
    /// Their noise variance, each.
    pub sum_variance: f64,
}

/// Sums the cells of `table` over `origins` and the months `from..=to` (whole periods of the
/// table), filtered and grouped as `query` says (only its groups of `by`). Every group of the
/// table's domain appears, zero or not.
pub fn sum(
    measured: &Measurements,
    table: &Table,
    query: &Query,
    by: &[By],
    origins: &[CountryCode],
    (from, to): (u32, u32),
) -> BTreeMap<Vec<u32>, Sum> {
    let family: Family = table.family;
    let position = |a: Attr| table.attrs.iter().position(|x| *x == a);
    let filters: Vec<(usize, &super::query::Filter)> = query
        .filters
        .iter()
        .filter_map(|f| Some((position(f.attr)?, f)))
        .collect();
    let mut out: BTreeMap<Vec<u32>, Sum> = BTreeMap::new();
    let every = table.every;
    for origin in origins {
        for period in every.period(from)..=every.period(to) {
            let Some(m) = measured.period(*origin, family, every, period) else {
                continue;
            };
            let month = every.first_month(period);
            for (cell, noisy) in m.noisy() {
                if cell.table() != table.id {
                    continue;
                }
                if !filters.iter().all(|(i, f)| f.keeps(cell.value(*i))) {
                    continue;
                }
                let group: Vec<u32> = by
                    .iter()
                    .map(|b| match b {
                        By::Origin => key::country_index(*origin),
                        By::Period => query.period(month),
                        By::Attr(a) => position(*a).map_or(0, |i| cell.value(i)),
                    })
                    .collect();
                let s = out.entry(group).or_default();
                match cell.part() {
                    0 => {
                        s.count += noisy;
                        s.count_variance += m.variance(cell);
                    }
                    part => {
                        s.sums[usize::from(part - 1)] += noisy;
                        s.sum_variance += m.variance(cell);
                    }
                }
            }
        }
    }
    out
}

/// A released cell of an answer.
pub fn cell(values: Vec<String>, metric: Metric, s: &Sum, threshold: u32) -> pb::Cell {
    let count = s.count.max(0) as f64;
    let hidden = hide(count, s.count_variance, threshold);
    let mut cell = pb::Cell {
        values,
        count: hidden.is_none().then_some(count.round() as u64),
        suppressed: hidden.map(|h| h.as_str().to_owned()).unwrap_or_default(),
        count_error: round2(error95(s.count_variance)),
        ..Default::default()
    };
    if metric == Metric::MeanScores
        && hidden.is_none()
        && count >= MIN_SURVEYS_FOR_MEAN.max(f64::from(threshold))
    {
        let mean = |sum: i64| ((sum as f64 / count) / 100.0 + 0.5).clamp(0.0, 1.0);
        let means = s.sums.map(mean);
        cell.economic = Some(means[0]);
        cell.social = Some(means[1]);
        cell.psychosocial = Some(means[2]);
        cell.composite = Some(means.iter().sum::<f64>() / 3.0);
        // The delta method: var(S/n) is about (var S + (S/n)^2 var n) / n^2, in hundredths.
        let worst = s
            .sums
            .iter()
            .map(|sum| {
                let ratio = *sum as f64 / count;
                (s.sum_variance + ratio * ratio * s.count_variance) / (count * count)
            })
            .fold(0.0, f64::max);
        cell.mean_error = round4(error95(worst) / 100.0);
    }
    cell
}

/// A coverage cell: the assisted persons `assisted` over the returns `returned`.
pub fn coverage_cell(
    values: Vec<String>,
    assisted: &Sum,
    returned: &Sum,
    threshold: u32,
) -> pb::Cell {
    let mut cell = self::cell(values, Metric::AssistedPersons, assisted, threshold);
    let n = returned.count.max(0) as f64;
    if cell.count.is_some() && hide(n, returned.count_variance, threshold).is_none() {
        let a = assisted.count.max(0) as f64;
        let share = (a / n).clamp(0.0, 1.0);
        cell.share = Some(share);
        let variance =
            (assisted.count_variance + share * share * returned.count_variance) / (n * n);
        cell.mean_error = round4(error95(variance));
    }
    cell
}

/// A state's budget and spending as the wire carries them.
pub(super) fn privacy_pb(budget: f64, spent: f64) -> pb::Privacy {
    pb::Privacy {
        rho_budget: budget,
        rho_spent: spent,
        epsilon: privacy::epsilon(spent, privacy::DELTA),
        delta: privacy::DELTA,
    }
}

/// The months a query is answered over, within those `released` (first and last): whole
/// quarters if one of `tables` is measured by quarter.
fn months(
    query: &Query,
    tables: &[&workload::Table],
    released: (u32, u32),
) -> Result<(u32, u32), String> {
    let from = query.from.max(released.0);
    let to = query.to.min(released.1);
    let Some(table) = tables.iter().find(|t| t.every == workload::Every::Quarter) else {
        return Ok((from, to));
    };
    let q = workload::Every::Quarter;
    let what = || {
        let by: Vec<&str> = table.attrs.iter().map(|a| By::Attr(*a).name()).collect();
        format!("{} by {}", table.family.data_class(), by.join(" and "))
    };
    if query.by.contains(&By::Period) && query.unit == query::PeriodUnit::Month {
        return Err(format!(
            "{} is measured by quarter: group the period by quarter or year (--unit quarter)",
            what()
        ));
    }
    if query.from > 0 && q.first_month(q.period(query.from)) != query.from {
        return Err(format!(
            "{} is measured by quarter: start at the first month of a quarter (January, April, July or October)",
            what()
        ));
    }
    if query.to <= released.1 && q.last_month(q.period(query.to)) != query.to {
        return Err(format!(
            "{} is measured by quarter: end at the last month of a quarter (March, June, September or December)",
            what()
        ));
    }
    // Up to the last whole quarter released.
    Ok((from, q.last_month(q.period(to + 1).saturating_sub(1))))
}

/// The cells and total of an answer over the `included` origins, within the months
/// `released`.
pub(super) fn respond(
    measured: &Measurements,
    query: &Query,
    included: &[CountryCode],
    released: (u32, u32),
    threshold: u32,
) -> Result<pb::AggregateResponse, String> {
    let family = query.metric.family();
    let table = query.table(family, true)?;
    let total_table = query.table(family, false)?;
    let mut tables = vec![table, total_table];
    if query.metric == Metric::Coverage {
        tables.push(query.table(workload::Family::Returns, true)?);
        tables.push(query.table(workload::Family::Returns, false)?);
    }
    let months = months(query, &tables, released)?;
    let grouped = sum(measured, table, query, &query.by, included, months);
    let total = sum(measured, total_table, query, &[], included, months);
    let total = total.values().next().copied().unwrap_or_default();
    let labels = |group: &[u32]| -> Vec<String> {
        query
            .by
            .iter()
            .zip(group)
            .map(|(b, v)| query.label(*b, *v))
            .collect()
    };
    let (cells, total) = if query.metric == Metric::Coverage {
        // Returns over the same origins, months and groups, without the assistance attributes.
        let by: Vec<By> = query
            .by
            .iter()
            .copied()
            .filter(|b| !matches!(b, By::Attr(workload::Attr::Category | workload::Attr::Type)))
            .collect();
        let returns_table = query.table(workload::Family::Returns, true)?;
        let returned = sum(measured, returns_table, query, &by, included, months);
        let returns_total_table = query.table(workload::Family::Returns, false)?;
        let returned_total = sum(measured, returns_total_table, query, &[], included, months)
            .values()
            .next()
            .copied()
            .unwrap_or_default();
        let cells = grouped
            .iter()
            .filter(|(_, s)| s.count >= 1)
            .map(|(group, s)| {
                let key: Vec<u32> = query
                    .by
                    .iter()
                    .zip(group)
                    .filter(|(b, _)| by.contains(b))
                    .map(|(_, v)| *v)
                    .collect();
                let r = returned.get(&key).copied().unwrap_or_default();
                coverage_cell(labels(group), s, &r, threshold)
            })
            .collect();
        (
            cells,
            coverage_cell(Vec::new(), &total, &returned_total, threshold),
        )
    } else {
        let cells = grouped
            .iter()
            .filter(|(_, s)| s.count >= 1)
            .map(|(group, s)| cell(labels(group), query.metric, s, threshold))
            .collect();
        (cells, cell(Vec::new(), query.metric, &total, threshold))
    };
    let cells: Vec<pb::Cell> = if query.by.is_empty() {
        vec![total.clone()]
    } else {
        cells
    };
    let error = cells
        .iter()
        .chain([&total])
        .filter(|c| c.count.is_some())
        .map(|c| c.count_error)
        .fold(0.0, f64::max);
    Ok(pb::AggregateResponse {
        columns: query.by.iter().map(|b| b.name().to_owned()).collect(),
        cells,
        total: Some(total),
        origins: Vec::new(),
        threshold,
        metric: query.metric.to_string(),
        error,
        first_month: key::month_of(months.0)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        last_month: key::month_of(months.1)
            .map(|m| m.to_string())
            .unwrap_or_default(),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).ceil() / 100.0
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).ceil() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_uncertain_counts_are_hidden() {
        assert_eq!(hide(9.0, 13.75, 10), Some(Hidden::Primary));
        assert_eq!(
            hide(10.0, 13.75, 10),
            Some(Hidden::Uncertain),
            "3 sigma is 11.1"
        );
        assert_eq!(hide(12.0, 13.75, 10), None);
        // A year of months: twelve times the variance.
        assert_eq!(hide(30.0, 12.0 * 13.75, 10), Some(Hidden::Uncertain));
        assert_eq!(hide(40.0, 12.0 * 13.75, 10), None);
    }

    #[test]
    fn cells_carry_their_error_and_means_need_twenty_surveys() {
        let s = Sum {
            count: 19,
            count_variance: 4.0,
            sums: [190, -190, 0],
            sum_variance: 100.0,
        };
        let c = cell(vec![], Metric::MeanScores, &s, 10);
        assert_eq!(c.count, Some(19));
        assert_eq!(c.count_error, 3.92);
        assert_eq!(c.economic, None, "fewer than 20 surveys");
        let s = Sum { count: 40, ..s };
        let c = cell(vec![], Metric::MeanScores, &s, 10);
        assert_eq!(c.economic, Some(0.5 + 190.0 / 40.0 / 100.0));
        assert_eq!(c.social, Some(0.5 - 190.0 / 40.0 / 100.0));
        assert_eq!(c.composite, Some(0.5));
        assert!(
            c.mean_error > 0.0 && c.mean_error < 0.01,
            "{}",
            c.mean_error
        );
        let c = cell(vec![], Metric::Returns, &Sum { count: -3, ..s }, 10);
        assert_eq!((c.count, c.suppressed.as_str()), (None, "primary"));
    }
}
