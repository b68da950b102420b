//! Cells of the aggregate tables as packed integers: a returnee's profile (the attributes of
//! their return, 52 bits), a month and one attribute of the event (assistance category and
//! type, or closure outcome). Each dimension is a small number; 0 means unknown.

use std::collections::HashMap;

use midwa_proto::codes::{CountryCode, Month, Subdivision};
use midwa_proto::policy::Dimension;
use midwa_proto::vocab::{
    AgeBand, AssistanceCategory, AssistanceType, Mode, Outcome, ReturnType, Sex, Vulnerabilities,
};

/// Bit offset and width of each profile field.
const ORIGIN: (u32, u32) = (0, 10);
const HOST: (u32, u32) = (10, 10);
const MODE: (u32, u32) = (20, 2);
const RETURN_TYPE: (u32, u32) = (22, 3);
const SEX: (u32, u32) = (25, 2);
const AGE: (u32, u32) = (27, 3);
const VULNERABILITY: (u32, u32) = (30, 6);
const REGION: (u32, u32) = (36, 16);
/// Offsets in the cell key beyond the profile.
const MONTH: (u32, u32) = (64, 16);
const CATEGORY: (u32, u32) = (80, 4);
const KIND: (u32, u32) = (84, 8);

/// A hash map for the integer keys of the tables: keys are packed fields, not attacker-chosen
/// text, so a multiply-xor mix is enough and much cheaper than SipHash.
pub type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Mix>>;

/// The hasher of [`FastMap`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Mix(u64);

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        let x = self.0 ^ (self.0 >> 31);
        x.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (x >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01B3);
        }
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }
}

fn put(value: u128, field: (u32, u32), x: u32) -> u128 {
    let mask = (1u128 << field.1) - 1;
    value | ((u128::from(x) & mask) << field.0)
}

fn get(value: u128, field: (u32, u32)) -> u32 {
    ((value >> field.0) & ((1u128 << field.1) - 1)) as u32
}

/// The number of a country code: 1 + its place among AA..ZZ.
pub fn country_index(code: CountryCode) -> u32 {
    let [a, b] = code.as_bytes();
    u32::from(a - b'A') * 26 + u32::from(b - b'A') + 1
}

/// The code of a country number.
pub fn country_of(index: u32) -> Option<CountryCode> {
    let i = index.checked_sub(1)?;
    let bytes = [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8];
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

/// The number of a month: 1 + months since January 1950.
pub fn month_index(m: Month) -> u32 {
    (u32::from(m.year()) - 1950) * 12 + u32::from(m.month())
}

/// The month of a month number.
pub fn month_of(index: u32) -> Option<Month> {
    let i = index.checked_sub(1)?;
    Month::new(1950 + (i / 12) as u16, (i % 12) as u8 + 1)
}

/// Destination regions, numbered in order of first appearance (they are many and sparse), by
/// their code's bytes, zero-padded.
#[derive(Debug, Default)]
pub struct Regions {
    names: Vec<[u8; 6]>,
    numbers: HashMap<[u8; 6], u32>,
}

impl Regions {
    /// The number of a region, allocated on first sight (0 is unknown).
    pub fn number(&mut self, code: [u8; 6]) -> u32 {
        if code == [0; 6] {
            return 0;
        }
        if let Some(n) = self.numbers.get(&code) {
            return *n;
        }
        if self.names.len() >= (1 << REGION.1) - 1 {
            return 0;
        }
        self.names.push(code);
        let n = self.names.len() as u32;
        self.numbers.insert(code, n);
        n
    }

    /// The number of a known region.
    pub fn find(&self, region: &Subdivision) -> Option<u32> {
        let mut code = [0u8; 6];
        let bytes = region.as_str().as_bytes();
        let n = bytes.len().min(6);
        code[..n].copy_from_slice(&bytes[..n]);
        self.numbers.get(&code).copied()
    }

    /// How many regions are numbered.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The codes, in number order.
    pub fn codes(&self) -> impl Iterator<Item = &[u8; 6]> {
        self.names.iter()
    }

    /// The code of a region number.
    pub fn name(&self, n: u32) -> Option<String> {
        let code = self.names.get((n as usize).checked_sub(1)?)?;
        let len = code.iter().position(|b| *b == 0).unwrap_or(6);
        Some(String::from_utf8_lossy(&code[..len]).into_owned())
    }
}

/// A returnee's attributes, as small numbers (see [`profile`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnFields {
    /// Host country number.
    pub host: u32,
    /// Wire values of mode, return type, sex and age band.
    pub mode: u8,
    /// Return type.
    pub return_type: u8,
    /// Sex.
    pub sex: u8,
    /// Age band.
    pub age: u8,
    /// Vulnerability bits.
    pub vulnerabilities: u8,
    /// Destination region code, ASCII, zero-padded; all zero if unknown.
    pub region: [u8; 6],
}

/// The profile of a person from their return: what every cell about them is grouped by.
pub fn profile(origin: CountryCode, r: &ReturnFields, regions: &mut Regions) -> u64 {
    let mut p = put(0, ORIGIN, country_index(origin));
    p = put(p, HOST, r.host);
    p = put(p, MODE, u32::from(r.mode));
    p = put(p, RETURN_TYPE, u32::from(r.return_type));
    p = put(p, SEX, u32::from(r.sex));
    p = put(p, AGE, u32::from(r.age));
    p = put(p, VULNERABILITY, u32::from(r.vulnerabilities));
    p = put(p, REGION, regions.number(r.region));
    p as u64
}

/// The profile of a person whose return the gateway has not seen: only the origin is known.
pub fn unknown_profile(origin: CountryCode) -> u64 {
    put(0, ORIGIN, country_index(origin)) as u64
}

/// A cell key: a profile, a month, and an assistance category and type or an outcome.
pub fn cell(profile: u64, month: u32, category: u32, kind: u32) -> u128 {
    let k = u128::from(profile);
    put(put(put(k, MONTH, month), CATEGORY, category), KIND, kind)
}

/// The assistance attributes of a cell key.
pub fn assistance(category: AssistanceCategory, kind: AssistanceType) -> (u32, u32) {
    (category.to_pb() as u32, kind.to_pb() as u32)
}

/// The outcome attribute of a cell key.
pub fn outcome(o: Outcome) -> u32 {
    o.to_pb() as u32
}

/// The value of a dimension in a cell key (the period as a month number).
pub fn field(key: u128, d: Dimension) -> u32 {
    match d {
        Dimension::Origin => get(key, ORIGIN),
        Dimension::Period => get(key, MONTH),
        Dimension::HostCountry => get(key, HOST),
        Dimension::Mode => get(key, MODE),
        Dimension::ReturnType => get(key, RETURN_TYPE),
        Dimension::Sex => get(key, SEX),
        Dimension::AgeBand => get(key, AGE),
        Dimension::Vulnerability => get(key, VULNERABILITY),
        Dimension::DestinationRegion => get(key, REGION),
        Dimension::AssistanceCategory => get(key, CATEGORY),
        Dimension::AssistanceType | Dimension::Outcome => get(key, KIND),
        Dimension::Assisted => 0,
    }
}

/// The number of a dimension's value written as in queries (`F`, `air`, `LY`, `NG-LA`, ...),
/// for filters. Periods are not handled here.
pub fn parse_value(d: Dimension, text: &str, regions: &Regions) -> Result<u32, String> {
    fn term<T: std::str::FromStr<Err = midwa_proto::vocab::UnknownTerm>>(
        text: &str,
        to: impl Fn(T) -> i32,
    ) -> Result<u32, String> {
        text.parse::<T>()
            .map(|t| to(t) as u32)
            .map_err(|e| e.to_string())
    }
    let country = |text: &str| {
        text.parse::<CountryCode>()
            .map(country_index)
            .map_err(|e| e.to_string())
    };
    match d {
        Dimension::Origin | Dimension::HostCountry => country(text),
        Dimension::Mode => term::<Mode>(text, Mode::to_pb),
        Dimension::ReturnType => term::<ReturnType>(text, ReturnType::to_pb),
        Dimension::Sex => term::<Sex>(text, Sex::to_pb),
        Dimension::AgeBand => term::<AgeBand>(text, AgeBand::to_pb),
        Dimension::Vulnerability => {
            let flag: midwa_proto::vocab::Vulnerability = text
                .parse()
                .map_err(|e: midwa_proto::vocab::UnknownTerm| e.to_string())?;
            Ok(u32::from(Vulnerabilities::from_iter([flag]).bits()))
        }
        Dimension::DestinationRegion => {
            let region: Subdivision = text
                .parse()
                .map_err(|e: midwa_proto::codes::CodeError| e.to_string())?;
            // A region never seen matches nothing.
            Ok(regions.find(&region).unwrap_or(u32::MAX))
        }
        Dimension::AssistanceCategory => {
            term::<AssistanceCategory>(text, AssistanceCategory::to_pb)
        }
        Dimension::AssistanceType => term::<AssistanceType>(text, AssistanceType::to_pb),
        Dimension::Outcome => term::<Outcome>(text, Outcome::to_pb),
        Dimension::Period | Dimension::Assisted => {
            Err(format!("{d} cannot be filtered on this way"))
        }
    }
}

/// The label of a dimension's value in answers; `unknown` where not recorded.
pub fn label(d: Dimension, value: u32, regions: &Regions) -> String {
    let unknown = || "unknown".to_owned();
    let term = |s: Option<&'static str>| {
        s.filter(|s| !s.is_empty())
            .map_or_else(unknown, str::to_owned)
    };
    let v = value as i32;
    match d {
        Dimension::Origin | Dimension::HostCountry => {
            country_of(value).map_or_else(unknown, |c| c.to_string())
        }
        Dimension::Period => month_of(value).map_or_else(unknown, |m| m.to_string()),
        Dimension::Mode => term(Mode::from_pb(v).map(Mode::as_str)),
        Dimension::ReturnType => term(ReturnType::from_pb(v).map(ReturnType::as_str)),
        Dimension::Sex => term(Sex::from_pb(v).map(Sex::as_str)),
        Dimension::AgeBand => term(AgeBand::from_pb(v).map(AgeBand::as_str)),
        Dimension::Vulnerability => {
            let set = Vulnerabilities::from_bits(value as u8);
            if set == Vulnerabilities::NONE {
                "none".into()
            } else {
                set.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(";")
            }
        }
        Dimension::DestinationRegion => regions.name(value).unwrap_or_else(unknown),
        Dimension::AssistanceCategory => {
            term(AssistanceCategory::from_pb(v).map(AssistanceCategory::as_str))
        }
        Dimension::AssistanceType => term(AssistanceType::from_pb(v).map(AssistanceType::as_str)),
        Dimension::Outcome => term(Outcome::from_pb(v).map(Outcome::as_str)),
        Dimension::Assisted => unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_back_out_of_a_key() {
        let ng: CountryCode = "NG".parse().expect("code");
        let zz: CountryCode = "ZZ".parse().expect("code");
        assert_eq!(country_of(country_index(ng)), Some(ng));
        assert_eq!(country_of(country_index(zz)), Some(zz));
        let m: Month = "2199-12".parse().expect("month");
        assert_eq!(month_of(month_index(m)), Some(m));
        assert!(month_index(m) < 1 << 16);
        let p = unknown_profile(ng);
        let k = cell(p, 77, 2, 11);
        assert_eq!(field(k, Dimension::Origin), country_index(ng));
        assert_eq!(field(k, Dimension::Period), 77);
        assert_eq!(field(k, Dimension::AssistanceCategory), 2);
        assert_eq!(field(k, Dimension::AssistanceType), 11);
        assert_eq!(field(k, Dimension::Sex), 0);
        let regions = Regions::default();
        assert_eq!(label(Dimension::Sex, 0, &regions), "unknown");
        assert_eq!(label(Dimension::Vulnerability, 0, &regions), "none");
        assert_eq!(label(Dimension::Origin, country_index(ng), &regions), "NG");
        let f = parse_value(Dimension::Sex, "F", &regions).expect("sex");
        assert_eq!(label(Dimension::Sex, f, &regions), "F");
    }
}
