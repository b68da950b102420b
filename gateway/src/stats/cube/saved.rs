//! Writing and reading a cube for the checkpoint, field by field, little-endian. `put` takes
//! bytes to write; `fill` fills a buffer from the file, `None` at a short read.

use super::*;

type Put<'a> = dyn FnMut(&[u8]) -> std::io::Result<()> + 'a;
type Fill<'a> = dyn FnMut(&mut [u8]) -> Option<()> + 'a;

fn u64_of(fill: &mut Fill<'_>) -> Option<u64> {
    let mut b = [0u8; 8];
    fill(&mut b)?;
    Some(u64::from_le_bytes(b))
}

fn u32_of(fill: &mut Fill<'_>) -> Option<u32> {
    let mut b = [0u8; 4];
    fill(&mut b)?;
    Some(u32::from_le_bytes(b))
}

fn sums_of(fill: &mut Fill<'_>) -> Option<[i64; 3]> {
    let mut out = [0; 3];
    for x in &mut out {
        *x = u64_of(fill)? as i64;
    }
    Some(out)
}

fn put_sums(put: &mut Put<'_>, xs: [i64; 3]) -> std::io::Result<()> {
    for x in xs {
        put(&x.to_le_bytes())?;
    }
    Ok(())
}

impl Cube {
    /// Writes the cube.
    pub fn save(&mut self, put: &mut Put<'_>) -> std::io::Result<()> {
        put(&self.events.to_le_bytes())?;
        put(&(self.regions.len() as u32).to_le_bytes())?;
        for code in self.regions.codes() {
            put(code)?;
        }
        put(&(self.profiles.len() as u64).to_le_bytes())?;
        for p in &self.profiles {
            put(&p.to_le_bytes())?;
        }
        self.persons.save(put)?;
        self.receipts.save(put)?;
        put(&(self.follow_ups.len() as u64).to_le_bytes())?;
        for (person, f) in &self.follow_ups {
            put(&person.to_le_bytes())?;
            put(&(f.0.len() as u32).to_le_bytes())?;
            for item in &f.0 {
                match *item {
                    Item::Assisted {
                        month,
                        category,
                        kind,
                        profile,
                    } => {
                        put(&[0])?;
                        put(&month.to_le_bytes())?;
                        put(&profile.to_le_bytes())?;
                        put(&[category, kind])?;
                    }
                    Item::Surveyed {
                        month,
                        scores,
                        profile,
                    } => {
                        put(&[1])?;
                        put(&month.to_le_bytes())?;
                        put(&profile.to_le_bytes())?;
                        for s in scores {
                            put(&s.to_le_bytes())?;
                        }
                    }
                    Item::Closed {
                        month,
                        outcome,
                        profile,
                    } => {
                        put(&[2])?;
                        put(&month.to_le_bytes())?;
                        put(&profile.to_le_bytes())?;
                        put(&[outcome])?;
                    }
                }
            }
        }
        for table in &self.tables {
            put(&(table.counts.len() as u64).to_le_bytes())?;
            for (k, c) in &table.counts {
                put(&k.to_le_bytes())?;
                put(&c.to_le_bytes())?;
            }
            put(&(table.sums.len() as u64).to_le_bytes())?;
            for (k, s) in &table.sums {
                put(&k.to_le_bytes())?;
                put_sums(put, *s)?;
            }
        }
        Ok(())
    }

    /// Reads a cube written by [`Cube::save`], its scratch files in `scratch`; `None` if
    /// it is not one (or a scratch file cannot be written: logged).
    pub fn load(fill: &mut Fill<'_>, scratch: &Path) -> Option<Self> {
        let events = u64_of(fill)?;
        let spilled = |e: std::io::Error| {
            tracing::warn!(scratch = %scratch.display(), error = %e, "cannot write the aggregates' scratch files");
        };
        let mut cube = Cube::create(scratch).map_err(spilled).ok()?;
        cube.events = events;
        for _ in 0..u32_of(fill)? {
            let mut code = [0u8; 6];
            fill(&mut code)?;
            cube.regions.number(code);
        }
        for _ in 0..u64_of(fill)? {
            let profile = u64_of(fill)?;
            cube.profile_number(profile);
        }
        cube.persons = SpillMap::load(scratch, "persons", PERSONS_IN_MEMORY, fill)
            .map_err(spilled)
            .ok()??;
        cube.receipts = SpillMap::load(scratch, "receipts", RECEIPTS_IN_MEMORY, fill)
            .map_err(spilled)
            .ok()??;
        for _ in 0..u64_of(fill)? {
            let person = u64_of(fill)?;
            let items = u32_of(fill)?;
            // The count is read from the file: it may be damaged, so it sizes nothing up front.
            let mut f = FollowUp(Vec::with_capacity((items as usize).min(16)));
            for _ in 0..items {
                let mut tag = [0u8; 1];
                fill(&mut tag)?;
                let mut m = [0u8; 2];
                fill(&mut m)?;
                let month = u16::from_le_bytes(m);
                let profile = u32_of(fill)?;
                f.0.push(match tag[0] {
                    0 => {
                        let mut ck = [0u8; 2];
                        fill(&mut ck)?;
                        Item::Assisted {
                            month,
                            category: ck[0],
                            kind: ck[1],
                            profile,
                        }
                    }
                    1 => {
                        let mut scores = [0i16; 3];
                        for s in &mut scores {
                            let mut b = [0u8; 2];
                            fill(&mut b)?;
                            *s = i16::from_le_bytes(b);
                        }
                        Item::Surveyed {
                            month,
                            scores,
                            profile,
                        }
                    }
                    2 => {
                        let mut o = [0u8; 1];
                        fill(&mut o)?;
                        Item::Closed {
                            month,
                            outcome: o[0],
                            profile,
                        }
                    }
                    _ => return None,
                });
            }
            cube.follow_ups.insert(person, f);
        }
        for table in &mut cube.tables {
            for _ in 0..u64_of(fill)? {
                let k = u64_of(fill)?;
                let mut c = [0u8; 4];
                fill(&mut c)?;
                table.counts.insert(k, i32::from_le_bytes(c));
            }
            for _ in 0..u64_of(fill)? {
                let k = u64_of(fill)?;
                table.sums.insert(k, sums_of(fill)?);
            }
        }
        Some(cube)
    }
}
