//! An aggregate query, parsed once, and its evaluation over the tables: filter the cells of the
//! origins allowed, and add them up by the dimensions asked.

use std::fmt;
use std::str::FromStr;

use midwa_proto::codes::Month;
use midwa_proto::pb;
use midwa_proto::policy::{DataClass, Dimension, applies};

use super::cube::{Cell, Cube, TableId};
use super::key::{self, FastMap, Regions};

/// Most dimensions one query groups by.
pub const MAX_GROUP_BY: usize = 8;

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Return events.
    Returns,
    /// Persons who received assistance, counted in the month of their first.
    AssistedPersons,
    /// Assessment events.
    Assessments,
    /// Closure events.
    Closures,
    /// Mean sustainability scores over persons' latest assessment.
    MeanScores,
}

impl Metric {
    const ALL: [Metric; 5] = [
        Metric::Returns,
        Metric::AssistedPersons,
        Metric::Assessments,
        Metric::Closures,
        Metric::MeanScores,
    ];

    /// The metric's name in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Returns => "returns",
            Metric::AssistedPersons => "assisted_persons",
            Metric::Assessments => "assessments",
            Metric::Closures => "closures",
            Metric::MeanScores => "mean_scores",
        }
    }

    /// The data class of a metric named in an answer, as text.
    pub fn data_class_of(name: &str) -> String {
        name.parse::<Metric>()
            .map(|m| m.data_class().to_string())
            .unwrap_or_else(|_| name.to_owned())
    }

    /// The class of data a grant must release for this metric.
    pub fn data_class(self) -> DataClass {
        match self {
            Metric::Returns => DataClass::AggregateReturns,
            Metric::AssistedPersons => DataClass::AggregateAssistance,
            Metric::Assessments | Metric::MeanScores => DataClass::AggregateAssessments,
            Metric::Closures => DataClass::AggregateClosures,
        }
    }
}

impl FromStr for Metric {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "metric {s:?} is not one of: {}",
                    Metric::ALL.map(Metric::as_str).join(", ")
                )
            })
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit of the period dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodUnit {
    /// `2024-03`.
    Month,
    /// `2024-Q1`.
    Quarter,
    /// `2024`.
    Year,
}

/// A checked query.
#[derive(Debug, Clone)]
pub struct Query {
    /// What is counted.
    pub metric: Metric,
    /// The dimensions of each cell, in order.
    pub group_by: Vec<Dimension>,
    /// The unit of the period dimension.
    pub unit: PeriodUnit,
    /// Only cells with one of these values, per dimension.
    filters: Vec<(Dimension, Vec<u32>)>,
    /// Month numbers, inclusive.
    from: u32,
    to: u32,
    table: TableId,
}

impl Query {
    /// Checks a request: names, values, and what the metric can be grouped by.
    pub fn parse(req: &pb::AggregateRequest, regions: &Regions) -> Result<Self, String> {
        let metric: Metric = req.metric.parse()?;
        let data = metric.data_class();
        let dimension = |name: &str| -> Result<Dimension, String> {
            let d: Dimension = name.parse().map_err(|e| format!("dimension {e}"))?;
            if !applies(data, d) {
                return Err(format!("{metric} cannot be grouped or filtered by {d}"));
            }
            Ok(d)
        };
        let mut group_by = Vec::new();
        for name in &req.group_by {
            let d = dimension(name)?;
            if group_by.contains(&d) {
                return Err(format!("{d} is grouped by twice"));
            }
            group_by.push(d);
        }
        if group_by.len() > MAX_GROUP_BY {
            return Err(format!(
                "at most {MAX_GROUP_BY} dimensions can be grouped by"
            ));
        }
        let unit = match req.period_unit.as_str() {
            "" | "month" => PeriodUnit::Month,
            "quarter" => PeriodUnit::Quarter,
            "year" => PeriodUnit::Year,
            other => {
                return Err(format!(
                    "period unit {other:?} is not one of: month, quarter, year"
                ));
            }
        };
        let mut filters = Vec::new();
        for f in &req.filters {
            let d = dimension(&f.dimension)?;
            if d == Dimension::Period {
                return Err("filter periods with from and to months".into());
            }
            if f.values.is_empty() {
                return Err(format!("the filter on {d} has no values"));
            }
            let values = f
                .values
                .iter()
                .map(|v| key::parse_value(d, v, regions).map_err(|e| format!("filter on {d}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            // Persons are counted once per category or type: adding several of them up would
            // count a person twice.
            let per_person = matches!(d, Dimension::AssistanceCategory | Dimension::AssistanceType);
            if per_person && values.len() > 1 && !group_by.contains(&d) {
                return Err(format!(
                    "a person may have received several kinds of assistance: filter {d} on one value, or group by it"
                ));
            }
            filters.push((d, values));
        }
        let month = |text: &str, default: u32| -> Result<u32, String> {
            if text.is_empty() {
                return Ok(default);
            }
            text.parse::<Month>()
                .map(key::month_index)
                .map_err(|e| e.to_string())
        };
        let from = month(&req.from_month, 0)?;
        let to = month(&req.to_month, u32::MAX)?;
        if from > to {
            return Err(format!(
                "from {} is after to {}",
                req.from_month, req.to_month
            ));
        }
        let uses = |d: Dimension| group_by.contains(&d) || filters.iter().any(|(f, _)| *f == d);
        let table = match metric {
            Metric::Returns => TableId::Returns,
            Metric::Assessments => TableId::Assessments,
            Metric::Closures => TableId::Closures,
            Metric::MeanScores => TableId::Scores,
            Metric::AssistedPersons => match (
                uses(Dimension::AssistanceCategory),
                uses(Dimension::AssistanceType),
            ) {
                (false, false) => TableId::AssistedAny,
                (true, false) => TableId::AssistedCategory,
                (false, true) => TableId::AssistedType,
                (true, true) => TableId::AssistedBoth,
            },
        };
        Ok(Self {
            metric,
            group_by,
            unit,
            filters,
            from,
            to,
            table,
        })
    }

    /// Every dimension the query looks through, for consent: its groups, its filters, and the
    /// period if it is bounded.
    pub fn dimensions(&self) -> Vec<Dimension> {
        let mut out = self.group_by.clone();
        out.extend(self.filters.iter().map(|(d, _)| *d));
        if self.from > 0 || self.to < u32::MAX {
            out.push(Dimension::Period);
        }
        out.sort();
        out.dedup();
        out
    }

    /// The cells of the origins in `allowed` (by country number), grouped. Each cell's values
    /// follow `group_by`; a period is a month, quarter or year number (see [`Query::label`]).
    pub fn run(&self, cube: &Cube, allowed: &[bool]) -> Vec<(Vec<u32>, Cell)> {
        let mut groups: FastMap<u128, Cell> = FastMap::default();
        for (key, cell) in cube.cells(self.table) {
            let origin = key::field(key, Dimension::Origin) as usize;
            if !allowed.get(origin).copied().unwrap_or(false) {
                continue;
            }
            let month = key::field(key, Dimension::Period);
            if month < self.from || month > self.to {
                continue;
            }
            if !self.filters.iter().all(|(d, values)| {
                let v = key::field(key, *d);
                if *d == Dimension::Vulnerability {
                    values.iter().any(|flag| v & flag != 0)
                } else {
                    values.contains(&v)
                }
            }) {
                continue;
            }
            let mut group = 0u128;
            for (i, d) in self.group_by.iter().enumerate() {
                let v = match d {
                    Dimension::Period => self.period(month),
                    d => key::field(key, *d),
                };
                group |= u128::from(v & 0xffff) << (16 * i);
            }
            let sum = groups.entry(group).or_default();
            sum.count += cell.count;
            for (s, x) in sum.sums.iter_mut().zip(cell.sums) {
                *s += x;
            }
        }
        let mut out: Vec<(Vec<u32>, Cell)> = groups
            .into_iter()
            .filter(|(_, c)| c.count > 0)
            .map(|(group, cell)| {
                let values = (0..self.group_by.len())
                    .map(|i| ((group >> (16 * i)) & 0xffff) as u32)
                    .collect();
                (values, cell)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The period number of a month number, in the query's unit.
    fn period(&self, month: u32) -> u32 {
        let Some(i) = month.checked_sub(1) else {
            return 0;
        };
        match self.unit {
            PeriodUnit::Month => month,
            PeriodUnit::Quarter => i / 3 + 1,
            PeriodUnit::Year => i / 12 + 1,
        }
    }

    /// The label of a cell's value for the `i`-th group-by dimension.
    pub fn label(&self, d: Dimension, value: u32, regions: &Regions) -> String {
        if d != Dimension::Period {
            return key::label(d, value, regions);
        }
        let Some(i) = value.checked_sub(1) else {
            return "unknown".into();
        };
        match self.unit {
            PeriodUnit::Month => key::label(d, value, regions),
            PeriodUnit::Quarter => format!("{}-Q{}", 1950 + i / 4, i % 4 + 1),
            PeriodUnit::Year => format!("{}", 1950 + i),
        }
    }
}
