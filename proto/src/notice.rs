//! Cross-border notices of expected returns, as plain Rust: checked once, from the wire, with
//! errors that name the field. A notice counts people and names none.

use std::fmt;

use crate::codes::{ArrivalPoint, CountryCode};
use crate::pb;
use crate::vocab::{Mode, Vulnerabilities, Vulnerability};

/// The most persons one notice may announce.
pub const MAX_PERSONS: u32 = 10_000;

/// A notice that cannot be accepted: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct NoticeError {
    /// The field, as in the wire message.
    pub field: &'static str,
    /// What is wrong and what is expected.
    pub why: String,
}

/// A notice's identity: 16 random bytes chosen by the sender.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoticeId(pub [u8; 16]);

impl NoticeId {
    /// A new random id.
    pub fn random() -> Self {
        let mut id = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut id)
            .expect("the system's random generator works");
        Self(id)
    }
}

impl fmt::Display for NoticeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for NoticeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A checked notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Its identity.
    pub id: NoticeId,
    /// The addressee: the state the returnees are nationals of.
    pub origin: CountryCode,
    /// When they are expected.
    pub expected_date: time::Date,
    /// How they travel.
    pub mode: Mode,
    /// Where they arrive.
    pub arrival_point: ArrivalPoint,
    /// How many.
    pub persons: u32,
    /// Vulnerabilities among them.
    pub vulnerabilities: Vulnerabilities,
    /// The country they return from.
    pub host_country: CountryCode,
}

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Notice {
    /// Checks a notice from the wire. `sender_country` fills an empty host country.
    pub fn from_pb(
        n: &pb::Notice,
        sender_country: Option<CountryCode>,
    ) -> Result<Self, NoticeError> {
        let bad = |field, why: String| NoticeError { field, why };
        let id = NoticeId(n.id.as_slice().try_into().map_err(|_| {
            bad(
                "id",
                format!("{} bytes; a notice id is 16 random bytes", n.id.len()),
            )
        })?);
        let origin: CountryCode = n
            .origin
            .parse()
            .map_err(|e| bad("origin", format!("{e}")))?;
        let expected_date = time::Date::parse(&n.expected_date, DATE).map_err(|_| {
            bad(
                "expected_date",
                format!("{:?} is not a date YYYY-MM-DD", n.expected_date),
            )
        })?;
        if !(2000..=2199).contains(&expected_date.year()) {
            return Err(bad(
                "expected_date",
                format!("{expected_date} is not between 2000 and 2199"),
            ));
        }
        let mode: Mode = n.mode.parse().map_err(|e| bad("mode", format!("{e}")))?;
        let arrival_point: ArrivalPoint = n
            .arrival_point
            .parse()
            .map_err(|e| bad("arrival_point", format!("{e}")))?;
        if n.persons == 0 || n.persons > MAX_PERSONS {
            return Err(bad(
                "persons",
                format!("{} is not between 1 and {MAX_PERSONS}", n.persons),
            ));
        }
        let mut vulnerabilities = Vulnerabilities::NONE;
        for v in &n.vulnerabilities {
            let flag: Vulnerability = v
                .parse()
                .map_err(|e| bad("vulnerabilities", format!("{e}")))?;
            vulnerabilities.insert(flag);
        }
        let host_country = if n.host_country.is_empty() {
            sender_country.ok_or_else(|| {
                bad(
                    "host_country",
                    "required: the country the returnees come from".into(),
                )
            })?
        } else {
            n.host_country
                .parse()
                .map_err(|e| bad("host_country", format!("{e}")))?
        };
        if host_country == origin {
            return Err(bad(
                "host_country",
                format!(
                    "{host_country} is also the origin: a notice announces returns from another country"
                ),
            ));
        }
        Ok(Self {
            id,
            origin,
            expected_date,
            mode,
            arrival_point,
            persons: n.persons,
            vulnerabilities,
            host_country,
        })
    }

    /// The notice's date, as written on the wire.
    pub fn date_text(&self) -> String {
        self.expected_date.format(DATE).unwrap_or_default()
    }
}

impl From<&Notice> for pb::Notice {
    fn from(n: &Notice) -> Self {
        Self {
            id: n.id.0.to_vec(),
            origin: n.origin.to_string(),
            expected_date: n.date_text(),
            mode: n.mode.to_string(),
            arrival_point: n.arrival_point.as_str().to_owned(),
            persons: n.persons,
            vulnerabilities: n.vulnerabilities.iter().map(|v| v.to_string()).collect(),
            host_country: n.host_country.to_string(),
        }
    }
}

/// A notice as people read it: "12 persons expected from NE by land at SEME-BORDER on
/// 2026-12-03 (unaccompanied_minor)".
impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} expected from {} by {} at {} on {}",
            self.persons,
            if self.persons == 1 {
                "person"
            } else {
                "persons"
            },
            self.host_country,
            self.mode,
            self.arrival_point.as_str(),
            self.date_text()
        )?;
        let flags: Vec<&str> = self.vulnerabilities.iter().map(|v| v.as_str()).collect();
        if !flags.is_empty() {
            write!(f, " ({})", flags.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change that makes one field invalid.
    type Change = fn(&mut pb::Notice);

    fn wire() -> pb::Notice {
        pb::Notice {
            id: vec![7; 16],
            origin: "GH".into(),
            expected_date: "2026-12-03".into(),
            mode: "land".into(),
            arrival_point: "PAGA-BORDER".into(),
            persons: 12,
            vulnerabilities: vec!["unaccompanied_minor".into()],
            host_country: String::new(),
        }
    }

    #[test]
    fn a_notice_round_trips_and_takes_the_senders_country() {
        let n = Notice::from_pb(&wire(), Some("NE".parse().expect("code"))).expect("valid");
        assert_eq!(n.host_country.as_str(), "NE");
        let back = pb::Notice::from(&n);
        assert_eq!(Notice::from_pb(&back, None), Ok(n.clone()));
        assert_eq!(
            n.to_string(),
            "12 persons expected from NE by land at PAGA-BORDER on 2026-12-03 (unaccompanied_minor)"
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let ne = Some("NE".parse().expect("code"));
        let cases: Vec<(&str, Change)> = vec![
            ("id", |n| n.id = vec![1; 3]),
            ("origin", |n| n.origin = "gh".into()),
            ("expected_date", |n| n.expected_date = "03/12/2026".into()),
            ("mode", |n| n.mode = "boat".into()),
            ("arrival_point", |n| n.arrival_point = "Paga border".into()),
            ("persons", |n| n.persons = 0),
            ("persons", |n| n.persons = MAX_PERSONS + 1),
            ("vulnerabilities", |n| {
                n.vulnerabilities = vec!["pregnant".into()]
            }),
            ("host_country", |n| n.host_country = "GH".into()),
        ];
        for (field, change) in cases {
            let mut n = wire();
            change(&mut n);
            let e = Notice::from_pb(&n, ne).expect_err(field);
            assert_eq!(e.field, field, "{e}");
        }
        let e = Notice::from_pb(&wire(), None).expect_err("no host country");
        assert_eq!(e.field, "host_country");
    }
}
