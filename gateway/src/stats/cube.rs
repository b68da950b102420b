//! The aggregate tables, kept up to date as events are stored. Each table maps a packed cell
//! key (see [`super::key`]) to a count, and for scores to sums as well. Queries read the
//! tables, never the store.
//!
//! What each table counts, so that any grouping of its cells adds up without counting a person
//! twice in one cell:
//!
//! | table | one entry per | month |
//! |---|---|---|
//! | returns | return event | of the return |
//! | assisted (any, by category, by type, by both) | person, and category/type | of the person's first such assistance |
//! | assessments | assessment event | of the survey |
//! | scores | person: their latest assessment | of that survey |
//! | closures | closure event | of the closure |

use std::collections::HashMap;

use super::fact::{Fact, FactBody};
use midwa_proto::codes::CountryCode;
use midwa_proto::index::PrefixMap;

use super::key::{self, FastMap, Regions};

/// The tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableId {
    /// Return events.
    Returns,
    /// Assisted persons, whatever the assistance.
    AssistedAny,
    /// Assisted persons by category.
    AssistedCategory,
    /// Assisted persons by type.
    AssistedType,
    /// Assisted persons by category and type.
    AssistedBoth,
    /// Assessment events.
    Assessments,
    /// Persons' latest assessment, with score sums.
    Scores,
    /// Closure events.
    Closures,
}

const TABLES: usize = 8;

impl TableId {
    fn slot(self) -> usize {
        self as usize
    }
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    /// Events or persons.
    pub count: i64,
    /// Sums of the economic, social and psychosocial scores (scores table only).
    pub sums: [f64; 3],
}

/// One table: cells in a vector for fast scans, found by key through a map.
#[derive(Debug, Default)]
pub struct Table {
    index: FastMap<u128, u32>,
    keys: Vec<u128>,
    cells: Vec<Cell>,
}

impl Table {
    fn add(&mut self, key: u128, count: i64, sums: [f64; 3]) {
        let slot = *self.index.entry(key).or_insert_with(|| {
            self.keys.push(key);
            self.cells.push(Cell::default());
            (self.keys.len() - 1) as u32
        });
        let cell = &mut self.cells[slot as usize];
        cell.count += count;
        for (s, x) in cell.sums.iter_mut().zip(sums) {
            *s += x;
        }
    }

    /// Every cell with a count, in no particular order.
    pub fn cells(&self) -> impl Iterator<Item = (u128, &Cell)> {
        self.keys
            .iter()
            .copied()
            .zip(&self.cells)
            .filter(|(_, c)| c.count != 0)
    }
}

/// What is known of a person beyond their profile: only for people with follow-up events.
#[derive(Debug, Default, Clone)]
struct FollowUp {
    /// (month, category, type) of each assistance.
    assistance: Vec<(u32, u32, u32)>,
    /// (month, scores) of each assessment, in arrival order.
    assessments: Vec<(u32, [f64; 3])>,
}

/// The aggregate tables and what they need to know of each person.
#[derive(Debug, Default)]
pub struct Cube {
    tables: [Table; TABLES],
    regions: Regions,
    /// Distinct profiles, numbered.
    profiles: Vec<u64>,
    profile_numbers: FastMap<u64, u32>,
    /// Person (pseudonym prefix) to profile number.
    persons: PrefixMap<u32>,
    follow_ups: FastMap<u64, FollowUp>,
    /// Receipt digest prefix to the return it was given for.
    receipts: PrefixMap<ReceiptEntry>,
    /// Events applied.
    events: u64,
}

/// What the gateway keeps of a receipt: whose return, and what it was.
#[derive(Debug, Clone, Copy)]
struct ReceiptEntry {
    person: u64,
    profile: u32,
    month: u32,
}

/// A return found by its receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipted {
    /// The origin state.
    pub origin: CountryCode,
    /// Month of return.
    pub month: Option<midwa_proto::codes::Month>,
    /// The returnee's profile: mode, host, return type (see [`key::field`]).
    pub profile: u64,
    /// Whether the person received reintegration assistance.
    pub assisted: bool,
}

impl Cube {
    /// A table.
    pub fn table(&self, id: TableId) -> &Table {
        &self.tables[id.slot()]
    }

    /// The destination regions seen.
    pub fn regions(&self) -> &Regions {
        &self.regions
    }

    /// Events applied so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Counts a stored event in.
    pub fn apply(&mut self, fact: &Fact) {
        self.events += 1;
        self.count(fact, 1);
    }

    /// Counts an erased event out: the opposite of [`Cube::apply`].
    pub fn remove(&mut self, fact: &Fact) {
        self.events = self.events.saturating_sub(1);
        self.count(fact, -1);
    }

    /// Adds (`sign` 1) or takes out (-1) what an event counts for.
    fn count(&mut self, fact: &Fact, sign: i64) {
        let (origin, person) = (fact.origin, fact.person);
        match fact.body {
            FactBody::Return {
                fields,
                month,
                receipt,
            } => {
                let profile = key::profile(origin, &fields, &mut self.regions);
                self.add(
                    TableId::Returns,
                    key::cell(profile, month, 0, 0),
                    sign,
                    [0.0; 3],
                );
                if sign > 0 {
                    let number = self.profile_number(profile);
                    if self.persons.get(person).is_none() {
                        self.persons.insert(person, number);
                    }
                    let entry = ReceiptEntry {
                        person,
                        profile: number,
                        month,
                    };
                    self.receipts.insert(receipt, entry);
                } else {
                    self.receipts.remove(receipt);
                    // What the person counts in moves to an unknown profile.
                    let old = self.profile_of(origin, person);
                    let follow_up = self.follow_ups.remove(&person).unwrap_or_default();
                    for (table, key, sums) in contributions(old, &follow_up) {
                        self.add(table, key, -1, sums.map(|s| -s));
                    }
                    self.persons.remove(person);
                    let new = key::unknown_profile(origin);
                    for (table, key, sums) in contributions(new, &follow_up) {
                        self.add(table, key, 1, sums);
                    }
                    self.keep(person, follow_up);
                }
            }
            FactBody::Assistance {
                month,
                category,
                kind,
            } => {
                let entry = (month, category, kind);
                self.update_person(origin, person, |f| {
                    if sign > 0 {
                        f.assistance.push(entry);
                    } else if let Some(i) = f.assistance.iter().position(|x| *x == entry) {
                        f.assistance.remove(i);
                    }
                });
            }
            FactBody::Assessment { month, scores } => {
                let profile = self.profile_of(origin, person);
                let cell = key::cell(profile, month, 0, 0);
                self.add(TableId::Assessments, cell, sign, [0.0; 3]);
                self.update_person(origin, person, |f| {
                    if sign > 0 {
                        f.assessments.push((month, scores));
                    } else if let Some(i) = f.assessments.iter().position(|x| *x == (month, scores))
                    {
                        f.assessments.remove(i);
                    }
                });
            }
            FactBody::Closure { month, outcome } => {
                let profile = self.profile_of(origin, person);
                let cell = key::cell(profile, month, 0, outcome);
                self.add(TableId::Closures, cell, sign, [0.0; 3]);
            }
        }
    }

    /// Keeps a person's follow-ups, unless there are none left.
    fn keep(&mut self, person: u64, follow_up: FollowUp) {
        if !follow_up.assistance.is_empty() || !follow_up.assessments.is_empty() {
            self.follow_ups.insert(person, follow_up);
        }
    }

    /// The return a receipt was given for, if the gateway holds it.
    pub fn receipt(&self, digest: &midwa_proto::receipt::ReceiptDigest) -> Option<Receipted> {
        let entry = self.receipts.get(PrefixMap::<u32>::key_of(&digest.0))?;
        let profile = *self.profiles.get(entry.profile as usize)?;
        let origin = key::country_of(key::field(
            u128::from(profile),
            midwa_proto::policy::Dimension::Origin,
        ))?;
        Some(Receipted {
            origin,
            month: key::month_of(entry.month),
            profile,
            assisted: self
                .follow_ups
                .get(&entry.person)
                .is_some_and(|f| !f.assistance.is_empty()),
        })
    }

    fn add(&mut self, table: TableId, key: u128, count: i64, sums: [f64; 3]) {
        self.tables[table.slot()].add(key, count, sums);
    }

    fn profile_number(&mut self, profile: u64) -> u32 {
        *self.profile_numbers.entry(profile).or_insert_with(|| {
            self.profiles.push(profile);
            (self.profiles.len() - 1) as u32
        })
    }

    fn profile_of(&self, origin: CountryCode, person: u64) -> u64 {
        self.persons
            .get(person)
            .and_then(|n| self.profiles.get(n as usize).copied())
            .unwrap_or_else(|| key::unknown_profile(origin))
    }

    /// Changes what is known of a person, moving their per-person contributions.
    fn update_person(
        &mut self,
        origin: CountryCode,
        person: u64,
        change: impl FnOnce(&mut FollowUp),
    ) {
        let profile = self.profile_of(origin, person);
        let mut follow_up = self.follow_ups.remove(&person).unwrap_or_default();
        for (table, key, sums) in contributions(profile, &follow_up) {
            self.add(table, key, -1, sums.map(|s| -s));
        }
        change(&mut follow_up);
        for (table, key, sums) in contributions(profile, &follow_up) {
            self.add(table, key, 1, sums);
        }
        self.keep(person, follow_up);
    }
}

/// The cells one person counts in, once each, beyond their events.
fn contributions(profile: u64, f: &FollowUp) -> Vec<(TableId, u128, [f64; 3])> {
    let mut out = Vec::new();
    let mut first: HashMap<(TableId, u32, u32), u32> = HashMap::new();
    for &(month, category, kind) in &f.assistance {
        for k in [
            (TableId::AssistedAny, 0, 0),
            (TableId::AssistedCategory, category, 0),
            (TableId::AssistedType, 0, kind),
            (TableId::AssistedBoth, category, kind),
        ] {
            let m = first.entry(k).or_insert(month);
            *m = (*m).min(month);
        }
    }
    for ((table, category, kind), month) in first {
        out.push((table, key::cell(profile, month, category, kind), [0.0; 3]));
    }
    // The latest survey; of two in the same month, the one that came last.
    let latest = f
        .assessments
        .iter()
        .enumerate()
        .max_by_key(|(i, (month, _))| (*month, *i))
        .map(|(_, a)| *a);
    if let Some((month, scores)) = latest {
        out.push((TableId::Scores, key::cell(profile, month, 0, 0), scores));
    }
    out
}
