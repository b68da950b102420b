//! Reintegration opportunities, as plain Rust: checked once, from the wire, with errors that
//! name the field. They describe programmes and offices, never persons.

use crate::codes::{CountryCode, Subdivision};
use crate::pb;
use crate::vocab::UnknownTerm;

terms! {
    /// What an opportunity offers.
    Kind {
        /// A training programme.
        Training = "training",
        /// A business opportunity (start-up support, value chain).
        Business = "business",
        /// An employment niche.
        Employment = "employment",
    }
}

terms! {
    /// The sector of an opportunity.
    Sector {
        /// Crops.
        Agriculture = "agriculture",
        /// Animals.
        Livestock = "livestock",
        /// Fishing and fish farming.
        Fisheries = "fisheries",
        /// Manufacturing and processing.
        Manufacturing = "manufacturing",
        /// Building trades.
        Construction = "construction",
        /// Commerce.
        Trade = "trade",
        /// Transport and logistics.
        Transport = "transport",
        /// Hotels, restaurants, tourism.
        Hospitality = "hospitality",
        /// Information and communication technology.
        Ict = "ict",
        /// Health care.
        Health = "health",
        /// Education.
        Education = "education",
        /// Crafts.
        Crafts = "crafts",
        /// Energy.
        Energy = "energy",
        /// Other services.
        Services = "services",
        /// Anything else.
        Other = "other",
    }
}

/// Longest id.
pub const MAX_ID: usize = 40;
/// Longest title, office name or contact.
pub const MAX_TEXT: usize = 120;

/// An opportunity that cannot be accepted: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct OpportunityError {
    /// The field, as in the wire message.
    pub field: &'static str,
    /// What is wrong and what is expected.
    pub why: String,
}

/// A checked opportunity of one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    /// The state's own reference.
    pub id: String,
    /// The publishing state.
    pub state: CountryCode,
    /// What it offers.
    pub kind: Kind,
    /// Its sector.
    pub sector: Sector,
    /// Where, or `None` for nationwide.
    pub region: Option<Subdivision>,
    /// Places (0: not limited).
    pub capacity: u32,
    /// First day.
    pub starts: time::Date,
    /// Last day, if any.
    pub ends: Option<time::Date>,
    /// A short title.
    pub title: String,
    /// The office to contact.
    pub contact_office: String,
    /// Its telephone or e-mail.
    pub contact: String,
}

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn date(field: &'static str, text: &str) -> Result<time::Date, OpportunityError> {
    time::Date::parse(text, DATE).map_err(|_| OpportunityError {
        field,
        why: format!("{text:?} is not a date YYYY-MM-DD"),
    })
}

/// Trimmed text of 1 to [`MAX_TEXT`] characters on one line.
fn text(field: &'static str, value: &str) -> Result<String, OpportunityError> {
    let bad = |why: String| OpportunityError { field, why };
    let value = value.trim();
    if value.is_empty() {
        return Err(bad("required".into()));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(bad(format!("longer than {MAX_TEXT} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(bad("must be one line of text".into()));
    }
    Ok(value.to_owned())
}

impl Opportunity {
    /// Checks an opportunity of `state` from the wire.
    pub fn from_pb(o: &pb::Opportunity, state: CountryCode) -> Result<Self, OpportunityError> {
        let bad = |field, why: String| OpportunityError { field, why };
        check_id(&o.id)?;
        let kind: Kind = o
            .kind
            .parse()
            .map_err(|e: UnknownTerm| bad("kind", e.to_string()))?;
        let sector: Sector = o
            .sector
            .parse()
            .map_err(|e: UnknownTerm| bad("sector", e.to_string()))?;
        let region = if o.region.is_empty() {
            None
        } else {
            let region: Subdivision = o
                .region
                .parse()
                .map_err(|e| bad("region", format!("{e}")))?;
            if region.country() != state {
                return Err(bad(
                    "region",
                    format!("{} is not a region of {state}", region.as_str()),
                ));
            }
            Some(region)
        };
        let starts = date("starts", &o.starts)?;
        let ends = if o.ends.is_empty() {
            None
        } else {
            Some(date("ends", &o.ends)?)
        };
        if ends.is_some_and(|e| e < starts) {
            return Err(bad(
                "ends",
                format!("{} is before starts ({})", o.ends, o.starts),
            ));
        }
        if !o.state.is_empty() && o.state != state.as_str() {
            return Err(bad(
                "state",
                format!(
                    "{} is not your state ({state}): a state publishes only its own opportunities",
                    o.state
                ),
            ));
        }
        Ok(Self {
            id: o.id.clone(),
            state,
            kind,
            sector,
            region,
            capacity: o.capacity,
            starts,
            ends,
            title: text("title", &o.title)?,
            contact_office: text("contact_office", &o.contact_office)?,
            contact: text("contact", &o.contact)?,
        })
    }

    /// Whether it is open on `day`: started, and not ended.
    pub fn open_on(&self, day: time::Date) -> bool {
        self.starts <= day && self.ends.is_none_or(|e| day <= e)
    }
}

/// Checks an opportunity id: 1 to [`MAX_ID`] letters, digits, `-`, `_` or `.`.
pub fn check_id(id: &str) -> Result<(), OpportunityError> {
    let ok = (1..=MAX_ID).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(OpportunityError {
            field: "id",
            why: format!("{id:?} is not an id: 1 to {MAX_ID} letters, digits, '-', '_' or '.'"),
        })
    }
}

impl From<&Opportunity> for pb::Opportunity {
    fn from(o: &Opportunity) -> Self {
        let day = |d: time::Date| d.format(DATE).unwrap_or_default();
        Self {
            id: o.id.clone(),
            kind: o.kind.to_string(),
            sector: o.sector.to_string(),
            region: o
                .region
                .as_ref()
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
            capacity: o.capacity,
            starts: day(o.starts),
            ends: o.ends.map(day).unwrap_or_default(),
            title: o.title.clone(),
            contact_office: o.contact_office.clone(),
            contact: o.contact.clone(),
            state: o.state.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change that makes one field invalid.
    type Change = fn(&mut pb::Opportunity);

    fn wire() -> pb::Opportunity {
        pb::Opportunity {
            id: "GH-2026-014".into(),
            kind: "training".into(),
            sector: "agriculture".into(),
            region: "GH-AA".into(),
            capacity: 40,
            starts: "2026-09-01".into(),
            ends: "2027-02-28".into(),
            title: "Irrigated vegetable growing".into(),
            contact_office: "GIS Reintegration Desk, Accra".into(),
            contact: "+233 30 000 0000".into(),
            state: String::new(),
        }
    }

    #[test]
    fn an_opportunity_round_trips() {
        let gh: CountryCode = "GH".parse().expect("code");
        let o = Opportunity::from_pb(&wire(), gh).expect("valid");
        let back = pb::Opportunity::from(&o);
        assert_eq!(back.state, "GH");
        assert_eq!(Opportunity::from_pb(&back, gh), Ok(o.clone()));
        assert!(o.open_on(time::macros::date!(2026 - 10 - 01)));
        assert!(!o.open_on(time::macros::date!(2027 - 03 - 01)));
    }

    #[test]
    fn every_bad_field_is_named() {
        let gh: CountryCode = "GH".parse().expect("code");
        let cases: Vec<(&str, Change)> = vec![
            ("id", |o| o.id = "a b".into()),
            ("kind", |o| o.kind = "grant".into()),
            ("sector", |o| o.sector = "mining".into()),
            ("region", |o| o.region = "NG-LA".into()),
            ("starts", |o| o.starts = "soon".into()),
            ("ends", |o| o.ends = "2026-01-01".into()),
            ("title", |o| o.title = " ".into()),
            ("contact", |o| o.contact = "x".repeat(MAX_TEXT + 1)),
            ("contact_office", |o| o.contact_office = "a\nb".into()),
            ("state", |o| o.state = "NG".into()),
        ];
        for (field, change) in cases {
            let mut o = wire();
            change(&mut o);
            let e = Opportunity::from_pb(&o, gh).expect_err(field);
            assert_eq!(e.field, field, "{e}");
        }
    }
}
