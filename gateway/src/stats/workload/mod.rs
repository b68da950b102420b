//! The workload: the tables measured of each origin's month, and what one person can add to
//! them. Every released figure is a sum of cells of one of these tables.
//!
//! Tables come in four families, one per class of aggregate data; a family shares one noise
//! scale and one bound on what a person contributes over all time. Totals (and returns by
//! mode) are measured each month; breakdowns each quarter, so that a quarter or a year of a
//! breakdown is one or a few noisy cells, not a sum of many:
//!
//! | family | counted per person | tables (beyond origin and month) |
//! |---|---|---|
//! | returns | the first 2 returns received | none, mode, return type, sex, age band, sex by age band, host country, vulnerability (each combination of flags), flag (each flag, a person in each of theirs, at most 3) |
//! | assistance | the person, once; the first 3 kinds (category and type) of assistance received | none, sex, category, category by sex, type |
//! | assessments | the first 2 surveys received, each with its three scores | none, sex, age band; each a count and three sums of scores |
//! | closures | the first closure received | none, outcome, outcome by sex |
//!
//! An assisted person is counted, in each table, in the month of the first counted assistance
//! that puts them in the cell: in the month of their first assistance of any kind, of each
//! category, of each type.
//!
//! Every table has a fixed domain, independent of the data (host countries are the region's
//! list, the others counted as `other`), and every cell of it is measured, zero or not: a cell
//! that exists only when someone is in it would tell that someone is.
//!
//! Scores are kept as hundredths, centred on 0.5 (-50 to 50), so that one survey changes a sum
//! by at most 50 and sums stay integers.

use std::fmt;

use midwa_proto::policy::{DataClass, Dimension};

use super::key;

mod source;
pub use source::{Profile, Source};

/// A family of measured tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Return events.
    Returns,
    /// Assisted persons.
    Assistance,
    /// Sustainability surveys: counts and sums of scores.
    Surveys,
    /// Case closures.
    Closures,
}

/// Returns counted per person, over all time.
pub const RETURNS_PER_PERSON: u32 = 2;
/// Kinds of assistance (category and type) counted per person.
pub const ASSISTANCE_KINDS_PER_PERSON: usize = 3;
/// Surveys counted per person.
pub const SURVEYS_PER_PERSON: usize = 2;
/// Closures counted per person.
pub const CLOSURES_PER_PERSON: usize = 1;
/// Flags a return counts in, in the flag table.
pub const FLAGS_PER_RETURN: u32 = 3;
/// The most one survey changes a sum of one score by, in hundredths.
pub const SCORE_CLIP: i64 = 50;

impl Family {
    /// Every family.
    pub const ALL: [Family; 4] = [
        Family::Returns,
        Family::Assistance,
        Family::Surveys,
        Family::Closures,
    ];

    /// The class of data a grant must release for this family.
    pub fn data_class(self) -> DataClass {
        match self {
            Family::Returns => DataClass::AggregateReturns,
            Family::Assistance => DataClass::AggregateAssistance,
            Family::Surveys => DataClass::AggregateAssessments,
            Family::Closures => DataClass::AggregateClosures,
        }
    }

    /// A number for keys and files.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The family of a number.
    pub fn of_number(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n)).copied()
    }

    /// The share of an origin's budget this family's counts spend.
    pub fn count_share(self) -> f64 {
        match self {
            Family::Returns => 0.40,
            Family::Assistance => 0.25,
            Family::Surveys => 0.08,
            Family::Closures => 0.15,
        }
    }

    /// The share spent on sums of scores (surveys only).
    pub fn sum_share(self) -> f64 {
        match self {
            Family::Surveys => 0.12,
            _ => 0.0,
        }
    }

    /// What one person can change, over all time, in this family's counts: the sum of the
    /// squares of their contributions to every cell (the squared L2 sensitivity).
    pub fn count_d2(self) -> f64 {
        let tables = |attrs: &dyn Fn(&Table) -> f64| {
            TABLES
                .iter()
                .filter(|t| t.family == self)
                .map(attrs)
                .sum::<f64>()
        };
        match self {
            // Each counted return is one cell of each table, and up to three of the flag one.
            Family::Returns => {
                f64::from(RETURNS_PER_PERSON)
                    * tables(&|t| {
                        if t.attrs.contains(&Attr::Flag) {
                            f64::from(FLAGS_PER_RETURN)
                        } else {
                            1.0
                        }
                    })
            }
            // A person is one cell of the tables without category or type; one cell per
            // category or type counted of the others.
            Family::Assistance => tables(&|t| {
                if t.attrs.contains(&Attr::Category) || t.attrs.contains(&Attr::Type) {
                    ASSISTANCE_KINDS_PER_PERSON as f64
                } else {
                    1.0
                }
            }),
            Family::Surveys => SURVEYS_PER_PERSON as f64 * tables(&|_| 1.0),
            Family::Closures => CLOSURES_PER_PERSON as f64 * tables(&|_| 1.0),
        }
    }

    /// The same for the sums of scores: three scores of at most [`SCORE_CLIP`] each, per
    /// counted survey and table.
    pub fn sum_d2(self) -> f64 {
        match self {
            Family::Surveys => {
                let per_survey = 3.0 * (SCORE_CLIP * SCORE_CLIP) as f64;
                self.count_d2() * per_survey
            }
            _ => 0.0,
        }
    }

    /// The family's name in answers and logs: its data class without `aggregates:`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Returns => "returns",
            Family::Assistance => "assistance",
            Family::Surveys => "assessments",
            Family::Closures => "closures",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An attribute a table is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attr {
    /// Mode of return.
    Mode,
    /// Return type.
    ReturnType,
    /// Sex.
    Sex,
    /// Age band.
    AgeBand,
    /// Host country: one of the region's list, `other` or unknown.
    Host,
    /// The combination of vulnerability flags.
    Vulnerability,
    /// One vulnerability flag.
    Flag,
    /// Assistance category.
    Category,
    /// Assistance type.
    Type,
    /// Closure outcome.
    Outcome,
}

/// The host value of countries not in the region's list.
pub const OTHER_HOST: u32 = 1023;

impl Attr {
    /// The dimension of policies and queries this attribute shows.
    pub fn dimension(self) -> Dimension {
        match self {
            Attr::Mode => Dimension::Mode,
            Attr::ReturnType => Dimension::ReturnType,
            Attr::Sex => Dimension::Sex,
            Attr::AgeBand => Dimension::AgeBand,
            Attr::Host => Dimension::HostCountry,
            Attr::Vulnerability | Attr::Flag => Dimension::Vulnerability,
            Attr::Category => Dimension::AssistanceCategory,
            Attr::Type => Dimension::AssistanceType,
            Attr::Outcome => Dimension::Outcome,
        }
    }

    /// Every value, whatever the data: wire values with 0 for unknown; flags by their bit's
    /// place; hosts by country number.
    pub fn domain(self, hosts: &Hosts) -> Vec<u32> {
        match self {
            Attr::Mode | Attr::Sex | Attr::Category => (0..=3).collect(),
            Attr::ReturnType => (0..=4).collect(),
            Attr::AgeBand => (0..=6).collect(),
            Attr::Outcome => (0..=5).collect(),
            Attr::Type => (0..=13).collect(),
            Attr::Vulnerability => (0..64).collect(),
            Attr::Flag => (0..6).collect(),
            Attr::Host => {
                let mut d = vec![0];
                d.extend(hosts.listed.iter().copied());
                d.push(OTHER_HOST);
                d
            }
        }
    }
}

/// The host and transit countries counted apart by default: the region's states and the
/// countries most returns come from (`shared/DOMAIN.md`); every other one is `other`.
pub const HOST_COUNTRIES: &[&str] = &[
    "BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML", "NE", "NG", "SN", "SL", "TG", "MR",
    "DZ", "LY", "MA", "TN", "EG", "SD", "TD", "CM", "GA", "GQ", "CG", "CD", "AO", "ZA", "ES", "IT",
    "FR", "DE", "BE", "NL", "GB", "GR", "MT", "PT", "CH", "AT", "TR", "SA", "AE", "LB", "JO", "KW",
    "QA", "US", "CA", "BR", "CN",
];

/// The host countries counted apart, by country number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosts {
    listed: Vec<u32>,
}

impl Hosts {
    /// The default list, [`HOST_COUNTRIES`].
    pub fn region_default() -> Self {
        let codes: Vec<midwa_proto::codes::CountryCode> = HOST_COUNTRIES
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect();
        Self::new(&codes)
    }

    /// The list of `codes`.
    pub fn new(codes: &[midwa_proto::codes::CountryCode]) -> Self {
        let mut listed: Vec<u32> = codes.iter().map(|c| key::country_index(*c)).collect();
        listed.sort_unstable();
        listed.dedup();
        Self { listed }
    }

    /// The value a host country number is counted under.
    pub fn bucket(&self, host: u32) -> u32 {
        if host == 0 || self.listed.binary_search(&host).is_ok() {
            host
        } else {
            OTHER_HOST
        }
    }

    /// Whether a country number is counted apart.
    pub fn lists(&self, host: u32) -> bool {
        self.listed.binary_search(&host).is_ok()
    }
}

/// How often a table is measured: the period of its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Every {
    /// Each month.
    Month,
    /// Each quarter: breakdowns, whose cells are small, so that a quarter or a year is one or a
    /// few noisy cells rather than a sum of many.
    Quarter,
}

impl Every {
    /// Both.
    pub const ALL: [Every; 2] = [Every::Month, Every::Quarter];

    /// The period number of a month number: the month itself, or its quarter (1 + quarters
    /// since 1950).
    pub fn period(self, month: u32) -> u32 {
        match self {
            Every::Month => month,
            Every::Quarter => month.saturating_sub(1) / 3 + 1,
        }
    }

    /// The first month of a period.
    pub fn first_month(self, period: u32) -> u32 {
        match self {
            Every::Month => period,
            Every::Quarter => period.saturating_sub(1) * 3 + 1,
        }
    }

    /// The last month of a period.
    pub fn last_month(self, period: u32) -> u32 {
        match self {
            Every::Month => period,
            Every::Quarter => period * 3,
        }
    }

    /// A number for keys.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The value of a number.
    pub fn of_number(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n)).copied()
    }

    /// `month` or `quarter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Every::Month => "month",
            Every::Quarter => "quarter",
        }
    }
}

/// A measured table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// Its number in cell keys.
    pub id: u8,
    /// Its family.
    pub family: Family,
    /// How often it is measured.
    pub every: Every,
    /// What it is broken down by, besides origin and period.
    pub attrs: &'static [Attr],
}

use Attr as A;
use Every::{Month as M, Quarter as Q};
use Family as F;

/// Every table measured: totals (and returns by mode) each month, breakdowns each quarter.
pub const TABLES: &[Table] = &[
    Table {
        id: 0,
        family: F::Returns,
        every: M,
        attrs: &[],
    },
    Table {
        id: 1,
        family: F::Returns,
        every: M,
        attrs: &[A::Mode],
    },
    Table {
        id: 2,
        family: F::Returns,
        every: Q,
        attrs: &[A::ReturnType],
    },
    Table {
        id: 3,
        family: F::Returns,
        every: Q,
        attrs: &[A::Sex],
    },
    Table {
        id: 4,
        family: F::Returns,
        every: Q,
        attrs: &[A::AgeBand],
    },
    Table {
        id: 5,
        family: F::Returns,
        every: Q,
        attrs: &[A::Sex, A::AgeBand],
    },
    Table {
        id: 6,
        family: F::Returns,
        every: Q,
        attrs: &[A::Host],
    },
    Table {
        id: 7,
        family: F::Returns,
        every: Q,
        attrs: &[A::Vulnerability],
    },
    Table {
        id: 8,
        family: F::Returns,
        every: Q,
        attrs: &[A::Flag],
    },
    Table {
        id: 9,
        family: F::Assistance,
        every: M,
        attrs: &[],
    },
    Table {
        id: 10,
        family: F::Assistance,
        every: Q,
        attrs: &[A::Sex],
    },
    Table {
        id: 11,
        family: F::Assistance,
        every: Q,
        attrs: &[A::Category],
    },
    Table {
        id: 12,
        family: F::Assistance,
        every: Q,
        attrs: &[A::Category, A::Sex],
    },
    Table {
        id: 13,
        family: F::Assistance,
        every: Q,
        attrs: &[A::Type],
    },
    Table {
        id: 14,
        family: F::Surveys,
        every: M,
        attrs: &[],
    },
    Table {
        id: 15,
        family: F::Surveys,
        every: Q,
        attrs: &[A::Sex],
    },
    Table {
        id: 16,
        family: F::Surveys,
        every: Q,
        attrs: &[A::AgeBand],
    },
    Table {
        id: 17,
        family: F::Closures,
        every: M,
        attrs: &[],
    },
    Table {
        id: 18,
        family: F::Closures,
        every: Q,
        attrs: &[A::Outcome],
    },
    Table {
        id: 19,
        family: F::Closures,
        every: Q,
        attrs: &[A::Outcome, A::Sex],
    },
];

/// A cell of a measured table: the table, what is summed (0: the count; 1 to 3: the sums of
/// the economic, social and psychosocial scores), and up to two attribute values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey(pub u32);

impl CellKey {
    /// The key of `table`'s cell with `values` (in the table's attribute order), for the count
    /// (`part` 0) or a sum of scores (1 to 3).
    pub fn new(table: u8, part: u8, values: &[u32]) -> Self {
        let a = values.first().copied().unwrap_or(0) & 0xfff;
        let b = values.get(1).copied().unwrap_or(0) & 0xfff;
        Self(u32::from(table) << 26 | u32::from(part & 3) << 24 | a << 12 | b)
    }

    /// The table's number.
    pub fn table(self) -> u8 {
        (self.0 >> 26) as u8
    }

    /// 0 for the count, 1 to 3 for a sum of scores.
    pub fn part(self) -> u8 {
        ((self.0 >> 24) & 3) as u8
    }

    /// The `i`-th attribute value.
    pub fn value(self, i: usize) -> u32 {
        match i {
            0 => (self.0 >> 12) & 0xfff,
            _ => self.0 & 0xfff,
        }
    }
}

/// Every cell of a family's tables measured `every` month or quarter, in key order.
pub fn domain(family: Family, every: Every, hosts: &Hosts) -> Vec<CellKey> {
    let parts: &[u8] = if family == Family::Surveys {
        &[0, 1, 2, 3]
    } else {
        &[0]
    };
    let mut out = Vec::new();
    for table in TABLES
        .iter()
        .filter(|t| t.family == family && t.every == every)
    {
        let mut values: Vec<Vec<u32>> = vec![Vec::new()];
        for attr in table.attrs {
            let domain = attr.domain(hosts);
            values = values
                .into_iter()
                .flat_map(|v| {
                    domain.iter().map(move |x| {
                        let mut v = v.clone();
                        v.push(*x);
                        v
                    })
                })
                .collect();
        }
        for v in &values {
            for part in parts {
                out.push(CellKey::new(table.id, *part, v));
            }
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests;
