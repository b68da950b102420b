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
use std::io;
use std::path::{Path, PathBuf};

use super::fact::{Fact, FactBody};
use midwa_proto::codes::CountryCode;
use midwa_proto::index::{Fixed, PrefixMap, SpillMap};

use super::key::{self, FastMap, Regions};

mod saved;

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

/// One table. Cells are keyed compactly: a profile number (24 bits), a month (16), a
/// category (4) and a type or outcome (8); counts are 32 bits, and only the scores table has
/// sums. Distinct cells grow with the data (a fine profile by month is nearly one per person),
/// so each costs about 16 bytes, not the 70 a wide key and a cell vector took.
#[derive(Debug, Default)]
pub struct Table {
    counts: FastMap<u64, i32>,
    sums: FastMap<u64, [f64; 3]>,
}

const PROFILE_BITS: u32 = 24;

/// The compact key of a cell of profile number `profile`.
fn compact(profile: u32, month: u32, category: u32, kind: u32) -> u64 {
    u64::from(profile & ((1 << PROFILE_BITS) - 1))
        | u64::from(month & 0xffff) << 24
        | u64::from(category & 0xf) << 40
        | u64::from(kind & 0xff) << 44
}

/// A profile number, month, category and type of a compact key.
fn expand(k: u64) -> (u32, u32, u32, u32) {
    (
        (k & ((1 << PROFILE_BITS) - 1)) as u32,
        ((k >> 24) & 0xffff) as u32,
        ((k >> 40) & 0xf) as u32,
        ((k >> 44) & 0xff) as u32,
    )
}

impl Table {
    fn add(&mut self, key: u64, count: i64, sums: [f64; 3]) {
        *self.counts.entry(key).or_insert(0) += count as i32;
        if sums != [0.0; 3] {
            let s = self.sums.entry(key).or_insert([0.0; 3]);
            for (s, x) in s.iter_mut().zip(sums) {
                *s += x;
            }
        }
    }
}

/// What is known of a person beyond their profile, in one small vector: only for people with
/// follow-up events.
#[derive(Debug, Default, Clone)]
struct FollowUp(Vec<Item>);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Item {
    /// Assistance: month, category, type.
    Assisted(u16, u8, u8),
    /// A survey: month, scores.
    Surveyed(u16, [f64; 3]),
}

impl FollowUp {
    fn assistance(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        self.0.iter().filter_map(|i| match *i {
            Item::Assisted(m, c, k) => Some((u32::from(m), u32::from(c), u32::from(k))),
            Item::Surveyed(..) => None,
        })
    }

    fn assessments(&self) -> impl Iterator<Item = (u32, [f64; 3])> + '_ {
        self.0.iter().filter_map(|i| match *i {
            Item::Surveyed(m, s) => Some((u32::from(m), s)),
            Item::Assisted(..) => None,
        })
    }

    /// Adds `item` for an event counted in (`sign` > 0), or forgets it for one counted out.
    fn apply(&mut self, item: Item, sign: i64) {
        if sign > 0 {
            self.0.push(item);
        } else if let Some(i) = self.0.iter().position(|x| *x == item) {
            self.0.remove(i);
        }
    }
}

/// Entries the per-person maps keep in memory before merging them into their scratch file.
const PERSONS_IN_MEMORY: usize = 1 << 19;
const RECEIPTS_IN_MEMORY: usize = 1 << 18;

/// The aggregate tables and what they need to know of each person.
#[derive(Debug)]
pub struct Cube {
    tables: [Table; TABLES],
    regions: Regions,
    /// Distinct profiles, numbered.
    profiles: Vec<u64>,
    profile_numbers: FastMap<u64, u32>,
    /// Person (pseudonym prefix) to profile number, mostly on disk.
    persons: SpillMap<u32>,
    follow_ups: FastMap<u64, FollowUp>,
    /// Receipt digest prefix to the return it was given for, mostly on disk.
    receipts: SpillMap<ReceiptEntry>,
    /// Events applied.
    events: u64,
    /// Where the per-person maps keep their scratch files.
    scratch: PathBuf,
}

/// What the gateway keeps of a receipt: whose return, and what it was.
#[derive(Debug, Clone, Copy, Default)]
struct ReceiptEntry {
    person: u64,
    profile: u32,
    month: u32,
}

impl Fixed for ReceiptEntry {
    const SIZE: usize = 16;
    fn put(&self, out: &mut [u8]) {
        self.person.put(&mut out[..8]);
        self.profile.put(&mut out[8..12]);
        self.month.put(&mut out[12..]);
    }
    fn take(bytes: &[u8]) -> Self {
        Self {
            person: u64::take(&bytes[..8]),
            profile: u32::take(&bytes[8..12]),
            month: u32::take(&bytes[12..]),
        }
    }
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
    /// An empty cube whose per-person maps keep their scratch files in `scratch`.
    pub fn create(scratch: &Path) -> io::Result<Self> {
        Ok(Self {
            tables: Default::default(),
            regions: Regions::default(),
            profiles: Vec::new(),
            profile_numbers: FastMap::default(),
            persons: SpillMap::create(scratch, "persons", PERSONS_IN_MEMORY)?,
            follow_ups: FastMap::default(),
            receipts: SpillMap::create(scratch, "receipts", RECEIPTS_IN_MEMORY)?,
            events: 0,
            scratch: scratch.to_owned(),
        })
    }

    /// The scratch directory.
    pub fn scratch(&self) -> &Path {
        &self.scratch
    }

    /// The destination regions seen.
    pub fn regions(&self) -> &Regions {
        &self.regions
    }

    /// Events applied so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Counts a stored event in. Fails only if a scratch file cannot be read or written.
    pub fn apply(&mut self, fact: &Fact) -> io::Result<()> {
        self.events += 1;
        self.count(fact, 1)
    }

    /// Counts an erased event out: the opposite of [`Cube::apply`].
    pub fn remove(&mut self, fact: &Fact) -> io::Result<()> {
        self.events = self.events.saturating_sub(1);
        self.count(fact, -1)
    }

    /// Adds (`sign` 1) or takes out (-1) what an event counts for.
    fn count(&mut self, fact: &Fact, sign: i64) -> io::Result<()> {
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
                    if self.persons.get(person)?.is_none() {
                        self.persons.insert(person, number)?;
                    }
                    let entry = ReceiptEntry {
                        person,
                        profile: number,
                        month,
                    };
                    self.receipts.insert(receipt, entry)?;
                } else {
                    self.receipts.remove(receipt)?;
                    // What the person counts in moves to an unknown profile.
                    let old = self.profile_of(origin, person)?;
                    let follow_up = self.follow_ups.remove(&person).unwrap_or_default();
                    for (table, key, sums) in contributions(old, &follow_up) {
                        self.add(table, key, -1, sums.map(|s| -s));
                    }
                    self.persons.remove(person)?;
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
                let item = Item::Assisted(month as u16, category as u8, kind as u8);
                self.update_person(origin, person, |f| f.apply(item, sign))?;
            }
            FactBody::Assessment { month, scores } => {
                let profile = self.profile_of(origin, person)?;
                let cell = key::cell(profile, month, 0, 0);
                self.add(TableId::Assessments, cell, sign, [0.0; 3]);
                let item = Item::Surveyed(month as u16, scores);
                self.update_person(origin, person, |f| f.apply(item, sign))?;
            }
            FactBody::Closure { month, outcome } => {
                let profile = self.profile_of(origin, person)?;
                let cell = key::cell(profile, month, 0, outcome);
                self.add(TableId::Closures, cell, sign, [0.0; 3]);
            }
        }
        Ok(())
    }

    /// Keeps a person's follow-ups, unless there are none left.
    fn keep(&mut self, person: u64, mut follow_up: FollowUp) {
        if !follow_up.0.is_empty() {
            follow_up.0.shrink_to_fit();
            self.follow_ups.insert(person, follow_up);
        }
    }

    /// The return a receipt was given for, if the gateway holds it.
    pub fn receipt(
        &self,
        digest: &midwa_proto::receipt::ReceiptDigest,
    ) -> io::Result<Option<Receipted>> {
        let Some(entry) = self.receipts.get(PrefixMap::<u32>::key_of(&digest.0))? else {
            return Ok(None);
        };
        Ok(self.receipted(entry))
    }

    fn receipted(&self, entry: ReceiptEntry) -> Option<Receipted> {
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
                .is_some_and(|f| f.assistance().next().is_some()),
        })
    }

    fn add(&mut self, table: TableId, wide: u128, count: i64, sums: [f64; 3]) {
        use midwa_proto::policy::Dimension as D;
        let number = self.profile_number(wide as u64);
        let compact = compact(
            number,
            key::field(wide, D::Period),
            key::field(wide, D::AssistanceCategory),
            key::field(wide, D::AssistanceType),
        );
        self.tables[table.slot()].add(compact, count, sums);
    }

    /// Every cell of a table with a count, by its wide key (see [`key::field`]), in no
    /// particular order.
    pub fn cells(&self, table: TableId) -> impl Iterator<Item = (u128, Cell)> + '_ {
        let table = &self.tables[table.slot()];
        table
            .counts
            .iter()
            .filter(|(_, c)| **c != 0)
            .map(move |(k, c)| {
                let (number, month, category, kind) = expand(*k);
                let profile = self.profiles.get(number as usize).copied().unwrap_or(0);
                let sums = if table.sums.is_empty() {
                    [0.0; 3]
                } else {
                    table.sums.get(k).copied().unwrap_or([0.0; 3])
                };
                (
                    key::cell(profile, month, category, kind),
                    Cell {
                        count: i64::from(*c),
                        sums,
                    },
                )
            })
    }

    fn profile_number(&mut self, profile: u64) -> u32 {
        *self.profile_numbers.entry(profile).or_insert_with(|| {
            self.profiles.push(profile);
            (self.profiles.len() - 1) as u32
        })
    }

    fn profile_of(&self, origin: CountryCode, person: u64) -> io::Result<u64> {
        Ok(self
            .persons
            .get(person)?
            .and_then(|n| self.profiles.get(n as usize).copied())
            .unwrap_or_else(|| key::unknown_profile(origin)))
    }

    /// Changes what is known of a person, moving their per-person contributions.
    fn update_person(
        &mut self,
        origin: CountryCode,
        person: u64,
        change: impl FnOnce(&mut FollowUp),
    ) -> io::Result<()> {
        let profile = self.profile_of(origin, person)?;
        let mut follow_up = self.follow_ups.remove(&person).unwrap_or_default();
        for (table, key, sums) in contributions(profile, &follow_up) {
            self.add(table, key, -1, sums.map(|s| -s));
        }
        change(&mut follow_up);
        for (table, key, sums) in contributions(profile, &follow_up) {
            self.add(table, key, 1, sums);
        }
        self.keep(person, follow_up);
        Ok(())
    }
}

/// The cells one person counts in, once each, beyond their events.
fn contributions(profile: u64, f: &FollowUp) -> Vec<(TableId, u128, [f64; 3])> {
    let mut out = Vec::new();
    let mut first: HashMap<(TableId, u32, u32), u32> = HashMap::new();
    for (month, category, kind) in f.assistance() {
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
        .assessments()
        .enumerate()
        .max_by_key(|(i, (month, _))| (*month, *i))
        .map(|(_, a)| a);
    if let Some((month, scores)) = latest {
        out.push((TableId::Scores, key::cell(profile, month, 0, 0), scores));
    }
    out
}
