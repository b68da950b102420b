//! From the truth the cube keeps to the cells of the measured tables: what a cube cell of a
//! profile adds to each table of its family.

use midwa_proto::policy::Dimension;

use super::super::key;
use super::{Attr, CellKey, Every, FLAGS_PER_RETURN, Family, Hosts, TABLES, Table};

/// The attribute values of a person's profile (see [`key::profile`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    mode: u32,
    return_type: u32,
    sex: u32,
    age: u32,
    host: u32,
    vulnerabilities: u32,
}

impl Profile {
    /// The attributes of a packed profile, the host as counted.
    pub fn of(profile: u64, hosts: &Hosts) -> Self {
        let wide = u128::from(profile);
        Self {
            mode: key::field(wide, Dimension::Mode),
            return_type: key::field(wide, Dimension::ReturnType),
            sex: key::field(wide, Dimension::Sex),
            age: key::field(wide, Dimension::AgeBand),
            host: hosts.bucket(key::field(wide, Dimension::HostCountry)),
            vulnerabilities: key::field(wide, Dimension::Vulnerability),
        }
    }

    /// The first [`FLAGS_PER_RETURN`] flags, by their bit's place.
    fn flags(self) -> impl Iterator<Item = u32> {
        (0..6u32)
            .filter(move |bit| self.vulnerabilities & (1 << bit) != 0)
            .take(FLAGS_PER_RETURN as usize)
    }

    fn value(self, attr: Attr, category: u32, kind: u32) -> u32 {
        match attr {
            Attr::Mode => self.mode,
            Attr::ReturnType => self.return_type,
            Attr::Sex => self.sex,
            Attr::AgeBand => self.age,
            Attr::Host => self.host,
            Attr::Vulnerability => self.vulnerabilities,
            Attr::Category => category,
            Attr::Type | Attr::Outcome => kind,
            // Flags are expanded by the caller.
            Attr::Flag => 0,
        }
    }
}

/// What a cell of the cube (the truth, kept at ingest) adds to the measured tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Returns: a count.
    Returns,
    /// Persons, whatever their assistance.
    AssistedAny,
    /// Persons by category.
    AssistedCategory,
    /// Persons by type.
    AssistedType,
    /// Surveys: a count and three sums.
    Surveys,
    /// Closures by outcome.
    Closures,
}

impl Source {
    /// The family it feeds.
    pub fn family(self) -> Family {
        match self {
            Source::Returns => Family::Returns,
            Source::AssistedAny | Source::AssistedCategory | Source::AssistedType => {
                Family::Assistance
            }
            Source::Surveys => Family::Surveys,
            Source::Closures => Family::Closures,
        }
    }

    fn feeds(self, table: &Table) -> bool {
        let has = |a| table.attrs.contains(&a);
        match self {
            Source::Returns | Source::Surveys | Source::Closures => table.family == self.family(),
            Source::AssistedAny => {
                table.family == Family::Assistance && !has(Attr::Category) && !has(Attr::Type)
            }
            Source::AssistedCategory => table.family == Family::Assistance && has(Attr::Category),
            Source::AssistedType => table.family == Family::Assistance && has(Attr::Type),
        }
    }

    /// Adds `count` (and `sums`, for surveys) of a cube cell of `profile` with `category` and
    /// `kind` (assistance type or outcome) to the measured cells of the tables measured
    /// `every` month or quarter, through `add`.
    #[allow(clippy::too_many_arguments)]
    pub fn spread(
        self,
        every: Every,
        profile: Profile,
        category: u32,
        kind: u32,
        count: i64,
        sums: [i64; 3],
        add: &mut dyn FnMut(CellKey, i64),
    ) {
        for table in TABLES.iter().filter(|t| t.every == every && self.feeds(t)) {
            if table.attrs.contains(&Attr::Flag) {
                for flag in profile.flags() {
                    add(CellKey::new(table.id, 0, &[flag]), count);
                }
                continue;
            }
            let mut values = [0u32; 2];
            for (v, attr) in values.iter_mut().zip(table.attrs) {
                *v = profile.value(*attr, category, kind);
            }
            add(CellKey::new(table.id, 0, &values), count);
            if self == Source::Surveys {
                for (part, sum) in (1u8..).zip(sums) {
                    add(CellKey::new(table.id, part, &values), sum);
                }
            }
        }
    }
}
