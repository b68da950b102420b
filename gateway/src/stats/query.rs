//! An aggregate query, parsed once: what is counted, grouped and filtered by what, over which
//! months; and which measured table answers it ([`super::workload`]).

use midwa_i18n::{Text, text};
use std::fmt;
use std::str::FromStr;

use midwa_proto::codes::{CountryCode, Month};
use midwa_proto::pb;
use midwa_proto::policy::{DataClass, Dimension, applies};

use super::key;
use super::workload::{Attr, Family, Hosts, OTHER_HOST, TABLES, Table};

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
    /// Mean sustainability scores over the surveys counted.
    MeanScores,
    /// The share of returned persons who were assisted.
    Coverage,
}

impl Metric {
    const ALL: [Metric; 6] = [
        Metric::Returns,
        Metric::AssistedPersons,
        Metric::Assessments,
        Metric::Closures,
        Metric::MeanScores,
        Metric::Coverage,
    ];

    /// The metric's name in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Returns => "returns",
            Metric::AssistedPersons => "assisted_persons",
            Metric::Assessments => "assessments",
            Metric::Closures => "closures",
            Metric::MeanScores => "mean_scores",
            Metric::Coverage => "coverage",
        }
    }

    /// The family of measured tables it is computed from (coverage also needs returns).
    pub fn family(self) -> Family {
        match self {
            Metric::Returns => Family::Returns,
            Metric::AssistedPersons | Metric::Coverage => Family::Assistance,
            Metric::Assessments | Metric::MeanScores => Family::Surveys,
            Metric::Closures => Family::Closures,
        }
    }

    /// Every family it is computed from.
    pub fn families(self) -> Vec<Family> {
        match self {
            Metric::Coverage => vec![Family::Assistance, Family::Returns],
            m => vec![m.family()],
        }
    }

    /// The data class of a metric named in an answer, as text.
    pub fn data_class_of(name: &str) -> String {
        name.parse::<Metric>()
            .map(|m| m.data_class().to_string())
            .unwrap_or_else(|_| name.to_owned())
    }

    /// The class of data a grant must release for this metric (coverage needs returns too).
    pub fn data_class(self) -> DataClass {
        self.family().data_class()
    }
}

impl FromStr for Metric {
    type Err = Text;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                text!(
                    "query-not-metric",
                    value = format!("{s:?}"),
                    accepted = Metric::ALL.map(Metric::as_str).join(", ")
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

/// What cells are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The origin state.
    Origin,
    /// The month, quarter or year.
    Period,
    /// An attribute of a measured table.
    Attr(Attr),
}

impl By {
    /// The name of the column in answers.
    pub fn name(self) -> &'static str {
        match self {
            By::Origin => "origin",
            By::Period => "period",
            By::Attr(Attr::Flag) => "vulnerability_flag",
            By::Attr(a) => a.dimension().as_str(),
        }
    }
}

/// A filter on an attribute: the values kept (for the combination of flags, the flags of which
/// a combination must have one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The attribute.
    pub attr: Attr,
    /// Its values.
    pub values: Vec<u32>,
}

impl Filter {
    /// Whether a cell's value passes.
    pub fn keeps(&self, value: u32) -> bool {
        if self.attr == Attr::Vulnerability {
            self.values.iter().any(|flags| value & flags != 0)
        } else {
            self.values.contains(&value)
        }
    }
}

/// A checked query.
#[derive(Debug, Clone)]
pub struct Query {
    /// What is counted.
    pub metric: Metric,
    /// What each cell is grouped by, in order.
    pub by: Vec<By>,
    /// The unit of the period.
    pub unit: PeriodUnit,
    /// Only these origins, if the query names some.
    pub origins: Option<Vec<CountryCode>>,
    /// Filters on attributes.
    pub filters: Vec<Filter>,
    /// Month numbers, inclusive.
    pub from: u32,
    /// The last month number.
    pub to: u32,
    /// Dimensions named, for consent.
    dimensions: Vec<Dimension>,
}

impl Query {
    /// Checks a request: names, values, and that a measured table answers it.
    pub fn parse(req: &pb::AggregateRequest, hosts: &Hosts) -> Result<Self, Text> {
        let metric: Metric = req.metric.parse()?;
        let data = metric.data_class();
        let mut dimensions = Vec::new();
        let mut dimension = |name: &str| -> Result<Dimension, Text> {
            let d: Dimension = name.parse().map_err(|_| {
                text!(
                    "query-not-dimension",
                    value = format!("{name:?}"),
                    accepted = Dimension::ALL
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            if !applies(data, d) || d == Dimension::DestinationRegion {
                return Err(cannot_group(metric, d));
            }
            dimensions.push(d);
            Ok(d)
        };
        let mut by = Vec::new();
        for name in &req.group_by {
            let b = if name == "vulnerability_flag" {
                dimension("vulnerability")?;
                By::Attr(Attr::Flag)
            } else {
                match dimension(name)? {
                    Dimension::Origin => By::Origin,
                    Dimension::Period => By::Period,
                    d => By::Attr(attr_of(d, metric)?),
                }
            };
            if by.contains(&b) {
                return Err(text!("query-grouped-twice", dimension = b.name()));
            }
            by.push(b);
        }
        if by.len() > MAX_GROUP_BY {
            return Err(format!("at most {MAX_GROUP_BY} dimensions can be grouped by").into());
        }
        let unit = match req.period_unit.as_str() {
            "" | "month" => PeriodUnit::Month,
            "quarter" => PeriodUnit::Quarter,
            "year" => PeriodUnit::Year,
            other => {
                return Err(text!("query-not-period", value = format!("{other:?}")));
            }
        };
        let mut origins: Option<Vec<CountryCode>> = None;
        let mut filters: Vec<Filter> = Vec::new();
        for f in &req.filters {
            let d = dimension(&f.dimension)?;
            if d == Dimension::Period {
                return Err(Text::plain("filter periods with from and to months"));
            }
            if f.values.is_empty() {
                return Err(text!("query-empty-filter", dimension = d.as_str()));
            }
            if d == Dimension::Origin {
                let codes = f
                    .values
                    .iter()
                    .map(|v| {
                        v.parse::<CountryCode>().map_err(|e| {
                            text!(
                                "query-bad-filter",
                                dimension = "origin",
                                why = e.to_string()
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let kept = match origins.take() {
                    None => codes,
                    Some(before) => before.into_iter().filter(|c| codes.contains(c)).collect(),
                };
                origins = Some(kept);
                continue;
            }
            let mut values = f
                .values
                .iter()
                .map(|v| {
                    key::parse_value(d, v, &key::Regions::default())
                        .map_err(|e| text!("query-bad-filter", dimension = d.as_str(), why = e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            values.sort_unstable();
            values.dedup();
            let mut attr = attr_of(d, metric)?;
            if attr == Attr::Host
                && let Some(v) = values.iter().find(|v| !hosts.lists(**v))
            {
                return Err(format!(
                    "filter on host_country: {} is not among the host countries counted apart (it is counted as other)",
                    key::label(Dimension::HostCountry, *v, &key::Regions::default())
                ).into());
            }
            if attr == Attr::Vulnerability {
                // One flag alone, or flags grouped one by one: the flag table answers it.
                let per_flag = by.contains(&By::Attr(Attr::Flag));
                if (values.len() == 1 && !by.contains(&By::Attr(Attr::Vulnerability))) || per_flag {
                    attr = Attr::Flag;
                    values = values.iter().map(|bits| bits.trailing_zeros()).collect();
                }
            }
            if filters.iter().any(|x| x.attr == attr) {
                return Err(
                    format!("{d} is filtered twice: give every value in one filter").into(),
                );
            }
            // Persons are counted once per category or type: adding several of them up would
            // count a person twice.
            let per_person = matches!(attr, Attr::Category | Attr::Type | Attr::Flag);
            if per_person && values.len() > 1 && !by.contains(&By::Attr(attr)) {
                return Err(format!(
                    "a person may be counted under several values of {d}: filter it on one value, or group by it"
                ).into());
            }
            filters.push(Filter { attr, values });
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
            return Err(format!("from {} is after to {}", req.from_month, req.to_month).into());
        }
        if from > 0 || to < u32::MAX {
            dimensions.push(Dimension::Period);
        }
        dimensions.sort();
        dimensions.dedup();
        let query = Self {
            metric,
            by,
            unit,
            origins,
            filters,
            from,
            to,
            dimensions,
        };
        for family in metric.families() {
            query.table(family, true)?;
        }
        Ok(query)
    }

    /// Every dimension the query looks through, for consent: its groups, its filters, and the
    /// period if it is bounded.
    pub fn dimensions(&self) -> Vec<Dimension> {
        self.dimensions.clone()
    }

    /// The attributes a figure of the query is broken down by: those of its cells
    /// (`cells`), or of its total.
    pub fn attrs(&self, cells: bool) -> Vec<Attr> {
        let mut out: Vec<Attr> = self.filters.iter().map(|f| f.attr).collect();
        if cells {
            out.extend(self.by.iter().filter_map(|b| match b {
                By::Attr(a) => Some(*a),
                _ => None,
            }));
        }
        out.sort();
        out.dedup();
        out
    }

    /// The measured table of `family` that answers the query's cells (`cells`) or total: the
    /// smallest one broken down by every attribute needed. For returns under coverage, the
    /// assistance attributes are left out.
    pub fn table(&self, family: Family, cells: bool) -> Result<&'static Table, String> {
        let mut needed = self.attrs(cells);
        if family != self.metric.family() {
            needed.retain(|a| !matches!(a, Attr::Category | Attr::Type));
        }
        TABLES
            .iter()
            .filter(|t| t.family == family && needed.iter().all(|a| t.attrs.contains(a)))
            .min_by_key(|t| t.attrs.len())
            .ok_or_else(|| {
                let can: Vec<String> = TABLES
                    .iter()
                    .filter(|t| t.family == family && !t.attrs.is_empty())
                    .map(|t| {
                        t.attrs
                            .iter()
                            .map(|a| By::Attr(*a).name())
                            .collect::<Vec<_>>()
                            .join(" and ")
                    })
                    .collect();
                format!(
                    "{} cannot be broken down by {} together: the measured tables give origin and period with one of: {}",
                    family.data_class(),
                    needed
                        .iter()
                        .map(|a| By::Attr(*a).name())
                        .collect::<Vec<_>>()
                        .join(" and "),
                    can.join("; ")
                )
            })
    }

    /// The period number of a month number, in the query's unit.
    pub fn period(&self, month: u32) -> u32 {
        let Some(i) = month.checked_sub(1) else {
            return 0;
        };
        match self.unit {
            PeriodUnit::Month => month,
            PeriodUnit::Quarter => i / 3 + 1,
            PeriodUnit::Year => i / 12 + 1,
        }
    }

    /// The label of a cell's value grouped by `by`.
    pub fn label(&self, by: By, value: u32) -> String {
        let regions = key::Regions::default();
        match by {
            By::Origin => key::label(Dimension::Origin, value, &regions),
            By::Attr(Attr::Host) if value == OTHER_HOST => "other".into(),
            By::Attr(Attr::Flag) => midwa_proto::vocab::Vulnerability::ALL
                .get(value as usize)
                .map_or_else(|| "unknown".into(), |f| f.as_str().to_owned()),
            By::Attr(a) => key::label(a.dimension(), value, &regions),
            By::Period => {
                let Some(i) = value.checked_sub(1) else {
                    return "unknown".into();
                };
                match self.unit {
                    PeriodUnit::Month => key::label(Dimension::Period, value, &regions),
                    PeriodUnit::Quarter => format!("{}-Q{}", 1950 + i / 4, i % 4 + 1),
                    PeriodUnit::Year => format!("{}", 1950 + i),
                }
            }
        }
    }
}

/// The attribute of a dimension, for a metric.
fn attr_of(d: Dimension, metric: Metric) -> Result<Attr, Text> {
    Ok(match d {
        Dimension::Mode => Attr::Mode,
        Dimension::ReturnType => Attr::ReturnType,
        Dimension::Sex => Attr::Sex,
        Dimension::AgeBand => Attr::AgeBand,
        Dimension::HostCountry => Attr::Host,
        Dimension::Vulnerability => Attr::Vulnerability,
        Dimension::AssistanceCategory => Attr::Category,
        Dimension::AssistanceType => Attr::Type,
        Dimension::Outcome => Attr::Outcome,
        other => return Err(cannot_group(metric, other)),
    })
}

fn cannot_group(metric: Metric, d: Dimension) -> Text {
    text!(
        "query-cannot-group",
        metric = metric.as_str(),
        dimension = d.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(metric: &str, by: &[&str], filters: &[(&str, &[&str])]) -> Result<Query, String> {
        let request = pb::AggregateRequest {
            metric: metric.into(),
            group_by: by.iter().map(|s| s.to_string()).collect(),
            filters: filters
                .iter()
                .map(|(d, v)| pb::Filter {
                    dimension: d.to_string(),
                    values: v.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            ..Default::default()
        };
        Query::parse(&request, &Hosts::region_default()).map_err(|e| e.to_string())
    }

    fn table(q: &Query, cells: bool) -> u8 {
        q.table(q.metric.family(), cells).expect("a table").id
    }

    #[test]
    fn the_smallest_table_holding_every_attribute_answers() {
        let q = ask("returns", &["period", "origin"], &[]).expect("query");
        assert_eq!((table(&q, true), table(&q, false)), (0, 0));
        let q = ask("returns", &["sex"], &[("age_band", &["18-24"])]).expect("query");
        assert_eq!(
            (table(&q, true), table(&q, false)),
            (5, 4),
            "sex by age; age alone"
        );
        // One flag: the flag table; several: the combinations, any of them.
        let q = ask("returns", &[], &[("vulnerability", &["single_woman"])]).expect("query");
        assert_eq!(table(&q, false), 8);
        assert_eq!(q.filters[0].values, vec![0]);
        let q = ask(
            "returns",
            &[],
            &[("vulnerability", &["single_woman", "medical_need"])],
        )
        .expect("query");
        assert_eq!(table(&q, false), 7);
        assert!(q.filters[0].keeps(0b10_0000) && !q.filters[0].keeps(0b10));
        let q = ask("returns", &["vulnerability_flag"], &[]).expect("query");
        assert_eq!(table(&q, true), 8);
        // Coverage reads returns without the assistance attributes.
        let q = ask("coverage", &["assistance_category"], &[]).expect("query");
        assert_eq!(q.table(Family::Returns, true).expect("returns").id, 0);
    }

    #[test]
    fn questions_no_table_answers_say_what_can_be_asked() {
        let err = ask("returns", &["sex", "host_country"], &[]).expect_err("no such table");
        assert!(
            err.contains("cannot be broken down by sex and host_country together")
                && err.contains("mode; return_type; sex;"),
            "{err}"
        );
        let err = ask(
            "assisted_persons",
            &["assistance_category", "assistance_type"],
            &[],
        )
        .expect_err("no such table");
        assert!(err.contains("category and sex"), "{err}");
        let err = ask("returns", &["destination_region"], &[]).expect_err("not measured");
        assert!(
            err.contains("cannot be grouped or filtered by destination_region"),
            "{err}"
        );
        let err = ask("returns", &[], &[("host_country", &["JP"])]).expect_err("not listed");
        assert!(err.contains("counted as other"), "{err}");
        let err = ask(
            "assisted_persons",
            &[],
            &[("assistance_type", &["housing", "education"])],
        )
        .expect_err("a person twice");
        assert!(err.contains("several values"), "{err}");
    }
}
