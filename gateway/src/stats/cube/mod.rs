//! The truth behind the measurements: tables kept up to date as events are stored, never
//! released. Each table maps a packed cell key (a profile number, a month, a category and a
//! type or outcome) to a count, and for surveys to sums of scores as well. Measurements
//! ([`super::measured`]) read them; queries never do.
//!
//! What each table counts, with what a person contributes bounded as the workload says
//! ([`super::workload`]):
//!
//! | table | one entry per | month |
//! |---|---|---|
//! | returns | return event, the first 2 of each person | of the return |
//! | assisted (any, by category, by type) | person, and category/type, among the first 3 kinds of assistance received | of the first such assistance counted |
//! | surveys | survey, the first 2 of each person, with its scores | of the survey |
//! | closures | closure, the first of each person | of the closure |
//!
//! A follow-up (assistance, survey, closure) is counted under the profile the person had when
//! it arrived: an unknown one (origin only) if their return had not arrived yet. If their
//! return is erased, their follow-ups move to the unknown profile.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use super::fact::{Fact, FactBody};
use midwa_proto::codes::CountryCode;
use midwa_proto::policy::Dimension;
use midwa_store::index::{Fixed, PrefixMap, SpillMap};

use super::key::{self, FastMap, Regions};
use super::workload::{
    ASSISTANCE_KINDS_PER_PERSON, CLOSURES_PER_PERSON, CellKey, Every, Family, Hosts, Profile,
    RETURNS_PER_PERSON, SURVEYS_PER_PERSON, Source,
};

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
    /// Surveys, with sums of their scores.
    Surveys,
    /// Closure events.
    Closures,
}

const TABLES: usize = 6;

impl TableId {
    const ALL: [TableId; TABLES] = [
        TableId::Returns,
        TableId::AssistedAny,
        TableId::AssistedCategory,
        TableId::AssistedType,
        TableId::Surveys,
        TableId::Closures,
    ];

    fn slot(self) -> usize {
        self as usize
    }

    /// What the table feeds in the workload.
    fn source(self) -> Source {
        match self {
            TableId::Returns => Source::Returns,
            TableId::AssistedAny => Source::AssistedAny,
            TableId::AssistedCategory => Source::AssistedCategory,
            TableId::AssistedType => Source::AssistedType,
            TableId::Surveys => Source::Surveys,
            TableId::Closures => Source::Closures,
        }
    }
}

/// One table. Cells are keyed compactly: a profile number (24 bits), a month (16), a
/// category (4) and a type or outcome (8); counts are 32 bits, and only the surveys table has
/// sums. Distinct cells grow with the data (a fine profile by month is nearly one per person),
/// so each costs about 16 bytes, not the 70 a wide key and a cell vector took.
#[derive(Debug, Default)]
pub struct Table {
    counts: FastMap<u64, i32>,
    sums: FastMap<u64, [i64; 3]>,
}

const PROFILE_BITS: u32 = 24;
const PROFILE_MASK: u32 = (1 << PROFILE_BITS) - 1;

/// The compact key of a cell of profile number `profile`.
fn compact(profile: u32, month: u32, category: u32, kind: u32) -> u64 {
    u64::from(profile & PROFILE_MASK)
        | u64::from(month & 0xffff) << 24
        | u64::from(category & 0xf) << 40
        | u64::from(kind & 0xff) << 44
}

/// A profile number, month, category and type of a compact key.
fn expand(k: u64) -> (u32, u32, u32, u32) {
    (
        (k & u64::from(PROFILE_MASK)) as u32,
        ((k >> 24) & 0xffff) as u32,
        ((k >> 40) & 0xf) as u32,
        ((k >> 44) & 0xff) as u32,
    )
}

impl Table {
    fn add(&mut self, key: u64, count: i64, sums: [i64; 3]) {
        let c = self.counts.entry(key).or_insert(0);
        *c += count as i32;
        if *c == 0 {
            self.counts.remove(&key);
        }
        if sums != [0; 3] {
            let s = self.sums.entry(key).or_insert([0; 3]);
            for (s, x) in s.iter_mut().zip(sums) {
                *s += x;
            }
            if *s == [0; 3] {
                self.sums.remove(&key);
            }
        }
    }
}

/// What is known of a person beyond their return, in one small vector, in the order it
/// arrived: only for people with follow-up events. Each item keeps the profile number it was
/// counted under.
#[derive(Debug, Default, Clone)]
struct FollowUp(Vec<Item>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// Assistance: month, category, type.
    Assisted {
        month: u16,
        category: u8,
        kind: u8,
        profile: u32,
    },
    /// A survey: month, scores in hundredths centred on 0.5.
    Surveyed {
        month: u16,
        scores: [i16; 3],
        profile: u32,
    },
    /// A closure: month, outcome.
    Closed {
        month: u16,
        outcome: u8,
        profile: u32,
    },
}

impl Item {
    fn profile_mut(&mut self) -> &mut u32 {
        match self {
            Item::Assisted { profile, .. }
            | Item::Surveyed { profile, .. }
            | Item::Closed { profile, .. } => profile,
        }
    }

    /// The same event, whatever profile it was counted under.
    fn same_event(&self, other: &Item) -> bool {
        let mut a = *self;
        let mut b = *other;
        *a.profile_mut() = 0;
        *b.profile_mut() = 0;
        a == b
    }
}

/// One cell a person counts in: a table, a compact key, a count and sums.
type Contribution = (TableId, u64, i64, [i64; 3]);

impl FollowUp {
    fn assisted(&self) -> bool {
        self.0.iter().any(|i| matches!(i, Item::Assisted { .. }))
    }

    /// Adds `item` for an event counted in (`sign` > 0), or forgets it for one counted out.
    fn apply(&mut self, item: Item, sign: i64) {
        if sign > 0 {
            self.0.push(item);
        } else if let Some(i) = self.0.iter().position(|x| x.same_event(&item)) {
            self.0.remove(i);
        }
    }

    /// The cells the person counts in through their follow-ups, each once, within the caps:
    /// the first kinds of assistance, surveys and closure received.
    fn contributions(&self) -> Vec<Contribution> {
        let mut out: Vec<Contribution> = Vec::new();
        let mut kinds: Vec<(u8, u8)> = Vec::new();
        let mut firsts: Vec<(TableId, u32, u32)> = Vec::new();
        let (mut surveys, mut closures) = (0, 0);
        for item in &self.0 {
            match *item {
                Item::Assisted {
                    month,
                    category,
                    kind,
                    profile,
                } => {
                    if !kinds.contains(&(category, kind)) {
                        if kinds.len() == ASSISTANCE_KINDS_PER_PERSON {
                            continue;
                        }
                        kinds.push((category, kind));
                    }
                    let month = u32::from(month);
                    for (table, c, k) in [
                        (TableId::AssistedAny, 0, 0),
                        (TableId::AssistedCategory, u32::from(category), 0),
                        (TableId::AssistedType, 0, u32::from(kind)),
                    ] {
                        if !firsts.contains(&(table, c, k)) {
                            firsts.push((table, c, k));
                            out.push((table, compact(profile, month, c, k), 1, [0; 3]));
                        }
                    }
                }
                Item::Surveyed {
                    month,
                    scores,
                    profile,
                } if surveys < SURVEYS_PER_PERSON => {
                    surveys += 1;
                    let key = compact(profile, u32::from(month), 0, 0);
                    out.push((TableId::Surveys, key, 1, scores.map(i64::from)));
                }
                Item::Closed {
                    month,
                    outcome,
                    profile,
                } if closures < CLOSURES_PER_PERSON => {
                    closures += 1;
                    let key = compact(profile, u32::from(month), 0, u32::from(outcome));
                    out.push((TableId::Closures, key, 1, [0; 3]));
                }
                Item::Surveyed { .. } | Item::Closed { .. } => {}
            }
        }
        out
    }
}

/// Entries the per-person maps keep in memory before merging them into their scratch file.
const PERSONS_IN_MEMORY: usize = 1 << 19;
const RECEIPTS_IN_MEMORY: usize = 1 << 18;

/// A person in the persons map: the profile number of their first return, and how many of
/// their returns are counted (above the profile's bits).
fn person_entry(profile: u32, returns: u32) -> u32 {
    (profile & PROFILE_MASK) | returns << PROFILE_BITS
}

/// Where a change was counted: an origin's number, a family, a month.
pub type Changed = (u32, Family, u32);

/// The aggregate tables and what they need to know of each person.
#[derive(Debug)]
pub struct Cube {
    tables: [Table; TABLES],
    regions: Regions,
    /// Distinct profiles, numbered.
    profiles: Vec<u64>,
    profile_numbers: FastMap<u64, u32>,
    /// Person (pseudonym prefix) to their entry ([`person_entry`]), mostly on disk.
    persons: SpillMap<u32>,
    follow_ups: FastMap<u64, FollowUp>,
    /// Receipt digest prefix to the return it was given for, mostly on disk.
    receipts: SpillMap<ReceiptEntry>,
    /// Events applied.
    events: u64,
    /// Where the tables changed since [`Cube::take_changed`].
    changed: HashSet<Changed>,
    /// Where the per-person maps keep their scratch files.
    scratch: PathBuf,
}

/// What the gateway keeps of a receipt: whose return, what it was, and whether it is counted.
#[derive(Debug, Clone, Copy, Default)]
struct ReceiptEntry {
    person: u64,
    profile: u32,
    month: u32,
    counted: bool,
}

const COUNTED: u32 = 1 << 31;

impl Fixed for ReceiptEntry {
    const SIZE: usize = 16;
    fn put(&self, out: &mut [u8]) {
        self.person.put(&mut out[..8]);
        self.profile.put(&mut out[8..12]);
        (self.month | if self.counted { COUNTED } else { 0 }).put(&mut out[12..]);
    }
    fn take(bytes: &[u8]) -> Self {
        let month = u32::take(&bytes[12..]);
        Self {
            person: u64::take(&bytes[..8]),
            profile: u32::take(&bytes[8..12]),
            month: month & !COUNTED,
            counted: month & COUNTED != 0,
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
            changed: HashSet::new(),
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

    /// Where the tables changed since the last call.
    pub fn take_changed(&mut self) -> HashSet<Changed> {
        std::mem::take(&mut self.changed)
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
            } if sign > 0 => {
                let profile = key::profile(origin, &fields, &mut self.regions);
                let number = self.profile_number(profile);
                let entry = self.persons.get(person)?;
                let (first, returns) =
                    entry.map_or((number, 0), |e| (e & PROFILE_MASK, e >> PROFILE_BITS));
                let counted = returns < RETURNS_PER_PERSON;
                if counted {
                    self.add(TableId::Returns, compact(number, month, 0, 0), 1, [0; 3]);
                }
                let updated = person_entry(first, returns + u32::from(counted));
                match entry {
                    None => self.persons.insert(person, updated)?,
                    Some(_) => self.persons.set(person, updated)?,
                }
                let entry = ReceiptEntry {
                    person,
                    profile: number,
                    month,
                    counted,
                };
                self.receipts.insert(receipt, entry)?;
            }
            FactBody::Return { receipt, .. } => {
                if let Some(entry) = self.receipts.get(receipt)? {
                    self.receipts.remove(receipt)?;
                    if entry.counted {
                        let key = compact(entry.profile, entry.month, 0, 0);
                        self.add(TableId::Returns, key, -1, [0; 3]);
                    }
                }
                // What the person counts in moves to an unknown profile.
                let unknown = self.profile_number(key::unknown_profile(origin));
                self.persons.remove(person)?;
                self.update_person(origin, person, |f, _| {
                    for item in &mut f.0 {
                        *item.profile_mut() = unknown;
                    }
                })?;
            }
            FactBody::Assistance {
                month,
                category,
                kind,
            } => {
                self.update_person(origin, person, |f, profile| {
                    let item = Item::Assisted {
                        month: month as u16,
                        category: category as u8,
                        kind: kind as u8,
                        profile,
                    };
                    f.apply(item, sign);
                })?;
            }
            FactBody::Assessment { month, scores } => {
                // Hundredths of a score, centred: -50 to 50.
                let scores = scores.map(|s| ((s.clamp(0.0, 1.0) * 100.0).round() - 50.0) as i16);
                self.update_person(origin, person, |f, profile| {
                    let item = Item::Surveyed {
                        month: month as u16,
                        scores,
                        profile,
                    };
                    f.apply(item, sign);
                })?;
            }
            FactBody::Closure { month, outcome } => {
                self.update_person(origin, person, |f, profile| {
                    let item = Item::Closed {
                        month: month as u16,
                        outcome: outcome as u8,
                        profile,
                    };
                    f.apply(item, sign);
                })?;
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
        let origin = key::country_of(key::field(u128::from(profile), Dimension::Origin))?;
        Some(Receipted {
            origin,
            month: key::month_of(entry.month),
            profile,
            assisted: self
                .follow_ups
                .get(&entry.person)
                .is_some_and(FollowUp::assisted),
        })
    }

    fn add(&mut self, table: TableId, key: u64, count: i64, sums: [i64; 3]) {
        let (number, month, _, _) = expand(key);
        if let Some(profile) = self.profiles.get(number as usize) {
            let origin = key::field(u128::from(*profile), Dimension::Origin);
            self.changed
                .insert((origin, table.source().family(), month));
        }
        self.tables[table.slot()].add(key, count, sums);
    }

    /// Reads the truth of `family` for the (origin number, month) pairs `wanted` says yes to:
    /// every cell of the tables measured `every` month or quarter it adds to, through
    /// `out(origin, month, cell, value)`.
    pub fn truth(
        &self,
        family: Family,
        every: Every,
        hosts: &Hosts,
        wanted: &dyn Fn(u32, u32) -> bool,
        out: &mut dyn FnMut(u32, u32, CellKey, i64),
    ) {
        for table in TableId::ALL {
            let source = table.source();
            if source.family() != family {
                continue;
            }
            let t = &self.tables[table.slot()];
            for (k, c) in &t.counts {
                let (number, month, category, kind) = expand(*k);
                let profile = self.profiles.get(number as usize).copied().unwrap_or(0);
                let origin = key::field(u128::from(profile), Dimension::Origin);
                if !wanted(origin, month) {
                    continue;
                }
                let sums = t.sums.get(k).copied().unwrap_or([0; 3]);
                source.spread(
                    every,
                    Profile::of(profile, hosts),
                    category,
                    kind,
                    i64::from(*c),
                    sums,
                    &mut |cell, v| out(origin, month, cell, v),
                );
            }
        }
    }

    fn profile_number(&mut self, profile: u64) -> u32 {
        *self.profile_numbers.entry(profile).or_insert_with(|| {
            self.profiles.push(profile);
            (self.profiles.len() - 1) as u32
        })
    }

    /// The profile number a new follow-up of `person` counts under.
    fn current_profile(&mut self, origin: CountryCode, person: u64) -> io::Result<u32> {
        Ok(match self.persons.get(person)? {
            Some(entry) => entry & PROFILE_MASK,
            None => self.profile_number(key::unknown_profile(origin)),
        })
    }

    /// Changes what is known of a person, moving only the contributions that change.
    fn update_person(
        &mut self,
        origin: CountryCode,
        person: u64,
        change: impl FnOnce(&mut FollowUp, u32),
    ) -> io::Result<()> {
        let profile = self.current_profile(origin, person)?;
        let mut follow_up = self.follow_ups.remove(&person).unwrap_or_default();
        let before = follow_up.contributions();
        change(&mut follow_up, profile);
        let after = follow_up.contributions();
        for c in before.iter().filter(|c| !after.contains(c)) {
            self.add(c.0, c.1, -c.2, c.3.map(|s| -s));
        }
        for c in after.iter().filter(|c| !before.contains(c)) {
            self.add(c.0, c.1, c.2, c.3);
        }
        self.keep(person, follow_up);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
