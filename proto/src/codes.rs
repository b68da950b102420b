//! Small validated values that appear in events: "parse, don't validate".

use std::fmt;
use std::str::FromStr;

/// Why a value could not be parsed. The caller adds where the value came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// Not two upper-case letters.
    #[error("{0:?} is not an ISO 3166-1 alpha-2 country code (two capital letters, such as NG)")]
    Country(String),
    /// Not `YYYY-MM` with a plausible year.
    #[error("{0:?} is not a month of the form YYYY-MM between 1950-01 and 2199-12")]
    Month(String),
    /// Not 2 to 16 characters of A-Z, 0-9 and '-'.
    #[error("{0:?} is not an arrival point code (2 to 16 characters of A-Z, 0-9 and '-')")]
    ArrivalPoint(String),
    /// Not `CC-XXX` under the expected country.
    #[error("{0:?} is not an ISO 3166-2 subdivision code such as NG-LA")]
    Subdivision(String),
}

/// An ISO 3166-1 alpha-2 country code, such as `NG`. Any well-formed code is accepted: host and
/// transit countries can be anywhere, and which codes take part in MIDWA is configuration.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored (see `from_str`).
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The two ASCII bytes of the code.
    pub fn as_bytes(&self) -> [u8; 2] {
        self.0
    }
}

impl FromStr for CountryCode {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Self([*a, *b])),
            _ => Err(CodeError::Country(s.to_owned())),
        }
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A calendar month, the finest time resolution that leaves a node.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    /// The month, if `year` is within 1950..=2199 and `month` within 1..=12.
    pub fn new(year: u16, month: u8) -> Option<Self> {
        ((1950..=2199).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month of the year, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
}

impl FromStr for Month {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || CodeError::Month(s.to_owned());
        let (y, m) = s.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        Self::new(year, month).ok_or_else(err)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Debug for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The code of an arrival point: an IATA airport or a border post.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ArrivalPoint(String);

impl ArrivalPoint {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ArrivalPoint {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (2..=16).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(CodeError::ArrivalPoint(s.to_owned()))
        }
    }
}

/// An ISO 3166-2 subdivision code, such as `NG-LA`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Subdivision(String);

impl Subdivision {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country the subdivision belongs to.
    pub fn country(&self) -> CountryCode {
        // The first two bytes were checked to be a country code when parsing.
        CountryCode([self.0.as_bytes()[0], self.0.as_bytes()[1]])
    }
}

impl FromStr for Subdivision {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || CodeError::Subdivision(s.to_owned());
        let (country, local) = s.split_once('-').ok_or_else(err)?;
        country.parse::<CountryCode>().map_err(|_| err())?;
        let local_ok = (1..=3).contains(&local.len())
            && local
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if local_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(err())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_two_capitals() {
        assert_eq!(
            "NG".parse::<CountryCode>().map(|c| c.to_string()),
            Ok("NG".into())
        );
        for bad in ["ng", "N", "NGA", "", "N1"] {
            assert!(bad.parse::<CountryCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn months_parse_and_print_round_trip() {
        let m: Month = "2024-03".parse().expect("valid month");
        assert_eq!(m.to_string(), "2024-03");
        for bad in [
            "2024-13",
            "2024-00",
            "24-03",
            "2024-3",
            "1900-01",
            "2024-03-01",
            "abcd-ef",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn arrival_points_and_subdivisions() {
        assert!("LOS".parse::<ArrivalPoint>().is_ok());
        assert!("SEME-BORDER".parse::<ArrivalPoint>().is_ok());
        assert!("x".parse::<ArrivalPoint>().is_err());
        assert!("los".parse::<ArrivalPoint>().is_err());
        let region: Subdivision = "NG-LA".parse().expect("valid region");
        assert_eq!(region.country().as_str(), "NG");
        assert!("NGLA".parse::<Subdivision>().is_err());
        assert!("NG-LAGOS".parse::<Subdivision>().is_err());
    }
}
