//! Wire types to domain types and back: the one place where a `pb::Event` is checked. Errors name
//! the offending field by its path in the message, such as `events[3].return.mode`.

use std::fmt;
use std::str::FromStr;

use prost::Message;

use crate::codes::{CodeError, CountryCode, Month, Subdivision};
use crate::event::{
    Assessment, Assistance, Closure, Event, EventBody, EventId, Pseudonym, Retraction, Return,
    Score,
};
use crate::pb;
use crate::receipt::ReceiptDigest;
use crate::vocab::{
    AgeBand, AssistanceCategory, AssistanceType, Modality, Mode, Outcome, ProviderKind, ReturnType,
    Sex, Vulnerability,
};

/// A wire message that does not make a valid event.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConvertError {
    /// Path of the field in the message, such as `events[3].return.mode`.
    pub field: String,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A required field is empty or unspecified.
    #[error("required but missing")]
    Missing,
    /// A byte string of the wrong length.
    #[error("must be {expected} bytes, got {found}")]
    Length {
        /// Expected length.
        expected: usize,
        /// Actual length.
        found: usize,
    },
    /// An enumeration value this version does not know.
    #[error("unknown value {0}")]
    UnknownValue(i32),
    /// A malformed code.
    #[error(transparent)]
    Code(#[from] CodeError),
    /// A number outside its range.
    #[error("{0} is outside {1}")]
    OutOfRange(f64, &'static str),
    /// A value that contradicts another field.
    #[error("{0}")]
    Inconsistent(String),
}

impl ConvertError {
    fn new(field: impl fmt::Display, problem: impl Into<Problem>) -> Self {
        Self {
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    /// The same error, for a field nested under `prefix`.
    pub fn under(mut self, prefix: impl fmt::Display) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

impl TryFrom<pb::Event> for Event {
    type Error = ConvertError;

    fn try_from(e: pb::Event) -> Result<Self, Self::Error> {
        Self::try_from(&e)
    }
}

impl TryFrom<&pb::Event> for Event {
    type Error = ConvertError;

    fn try_from(e: &pb::Event) -> Result<Self, Self::Error> {
        let origin = code::<CountryCode>("origin", &e.origin)?;
        let body = match &e.body {
            None => return Err(ConvertError::new("body", Problem::Missing)),
            Some(pb::event::Body::Return(r)) => EventBody::Return(ret(r, origin)?),
            Some(pb::event::Body::Assistance(a)) => EventBody::Assistance(assistance(a)?),
            Some(pb::event::Body::Assessment(a)) => EventBody::Assessment(assessment(a)?),
            Some(pb::event::Body::Closure(c)) => EventBody::Closure(closure(c)?),
            Some(pb::event::Body::Retraction(r)) => EventBody::Retraction(Retraction {
                event: if r.event_id.is_empty() {
                    None
                } else {
                    Some(EventId(fixed("retraction.event_id", &r.event_id)?))
                },
            }),
        };
        Ok(Event {
            id: EventId(fixed("id", &e.id)?),
            origin,
            subject: Pseudonym(fixed("subject", &e.subject)?),
            body,
        })
    }
}

/// Converts a batch, naming a bad field by its index: `events[3].return.mode`.
pub fn events_from_pb(events: &[pb::Event]) -> Result<Vec<Event>, ConvertError> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| Event::try_from(e).map_err(|err| err.under(format_args!("events[{i}]"))))
        .collect()
}

/// Puts a valid wire event in canonical form in place, without rebuilding it: the result equals
/// `pb::Event::from(&Event::try_from(&wire)?)`. Only two things can differ in a valid event:
/// the order and repetition of vulnerability flags, and the composite score's last bits.
pub fn canonicalize(wire: &mut pb::Event) {
    match &mut wire.body {
        Some(pb::event::Body::Return(r)) => {
            r.vulnerabilities.sort_unstable();
            r.vulnerabilities.dedup();
        }
        Some(pb::event::Body::Assessment(a)) => {
            a.composite = (a.economic + a.social + a.psychosocial) / 3.0;
        }
        _ => {}
    }
}

impl From<&Event> for pb::Event {
    fn from(e: &Event) -> Self {
        use pb::event::Body;
        let body = match &e.body {
            EventBody::Return(r) => Body::Return(pb::Return {
                month: r.month.to_string(),
                sex: r.sex.to_pb(),
                age_band: r.age_band.to_pb(),
                host_country: r.host_country.to_string(),
                transit_countries: r.transit_countries.iter().map(|c| c.to_string()).collect(),
                mode: r.mode.to_pb(),
                return_type: r.return_type.to_pb(),
                arrival_point: r
                    .arrival_point
                    .as_ref()
                    .map(|a| a.as_str().into())
                    .unwrap_or_default(),
                destination_region: r
                    .destination_region
                    .as_ref()
                    .map(|d| d.as_str().into())
                    .unwrap_or_default(),
                vulnerabilities: r.vulnerabilities.iter().map(Vulnerability::to_pb).collect(),
                receipt: r.receipt.0.to_vec(),
            }),
            EventBody::Assistance(a) => Body::Assistance(pb::Assistance {
                month: a.month.to_string(),
                category: a.category.to_pb(),
                r#type: a.kind.to_pb(),
                modality: a.modality.to_pb(),
                provider: a.provider.to_pb(),
            }),
            EventBody::Assessment(a) => Body::Assessment(pb::Assessment {
                month: a.month.to_string(),
                months_since_return: a.months_since_return,
                economic: a.economic.get(),
                social: a.social.get(),
                psychosocial: a.psychosocial.get(),
                composite: a.composite(),
            }),
            EventBody::Closure(c) => Body::Closure(pb::Closure {
                month: c.month.to_string(),
                outcome: c.outcome.to_pb(),
            }),
            EventBody::Retraction(r) => Body::Retraction(pb::Retraction {
                event_id: r.event.map(|id| id.0.to_vec()).unwrap_or_default(),
            }),
        };
        pb::Event {
            id: e.id.0.to_vec(),
            origin: e.origin.to_string(),
            subject: e.subject.0.to_vec(),
            body: Some(body),
        }
    }
}

impl Event {
    /// The canonical encoding of the event: two events with the same content always encode to
    /// the same bytes, whatever order their flags arrived in.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        pb::Event::from(self).encode_to_vec()
    }
}

fn ret(r: &pb::Return, origin: CountryCode) -> Result<Return, ConvertError> {
    let under = |e: ConvertError| e.under("return");
    let destination_region: Option<Subdivision> =
        optional(&r.destination_region, "destination_region").map_err(under)?;
    if let Some(region) = &destination_region
        && region.country() != origin
    {
        return Err(under(ConvertError::new(
            "destination_region",
            Problem::Inconsistent(format!(
                "{} is not a subdivision of the origin state {origin}",
                region.as_str()
            )),
        )));
    }
    let transit_countries = r
        .transit_countries
        .iter()
        .enumerate()
        .map(|(i, c)| code(format_args!("transit_countries[{i}]"), c))
        .collect::<Result<_, _>>()
        .map_err(under)?;
    let vulnerabilities = r
        .vulnerabilities
        .iter()
        .enumerate()
        .map(|(i, v)| {
            term(
                format_args!("vulnerabilities[{i}]"),
                *v,
                Vulnerability::from_pb,
            )
        })
        .collect::<Result<_, _>>()
        .map_err(under)?;
    Ok(Return {
        month: code("month", &r.month).map_err(under)?,
        sex: term("sex", r.sex, Sex::from_pb).map_err(under)?,
        age_band: term("age_band", r.age_band, AgeBand::from_pb).map_err(under)?,
        host_country: code("host_country", &r.host_country).map_err(under)?,
        transit_countries,
        mode: term("mode", r.mode, Mode::from_pb).map_err(under)?,
        return_type: term("return_type", r.return_type, ReturnType::from_pb).map_err(under)?,
        arrival_point: optional(&r.arrival_point, "arrival_point").map_err(under)?,
        destination_region,
        vulnerabilities,
        receipt: ReceiptDigest(fixed("receipt", &r.receipt).map_err(under)?),
    })
}

fn assistance(a: &pb::Assistance) -> Result<Assistance, ConvertError> {
    let under = |e: ConvertError| e.under("assistance");
    Ok(Assistance {
        month: code("month", &a.month).map_err(under)?,
        category: term("category", a.category, AssistanceCategory::from_pb).map_err(under)?,
        kind: term("type", a.r#type, AssistanceType::from_pb).map_err(under)?,
        modality: term("modality", a.modality, Modality::from_pb).map_err(under)?,
        provider: term("provider", a.provider, ProviderKind::from_pb).map_err(under)?,
    })
}

fn assessment(a: &pb::Assessment) -> Result<Assessment, ConvertError> {
    let under = |e: ConvertError| e.under("assessment");
    let score = |field: &'static str, v: f64| {
        Score::new(v).ok_or_else(|| ConvertError::new(field, Problem::OutOfRange(v, "[0, 1]")))
    };
    let out = Assessment {
        month: code("month", &a.month).map_err(under)?,
        months_since_return: a.months_since_return,
        economic: score("economic", a.economic).map_err(under)?,
        social: score("social", a.social).map_err(under)?,
        psychosocial: score("psychosocial", a.psychosocial).map_err(under)?,
    };
    if (out.composite() - a.composite).abs() > 1e-9 {
        return Err(under(ConvertError::new(
            "composite",
            Problem::Inconsistent(format!(
                "{} is not the mean of the three scores ({})",
                a.composite,
                out.composite()
            )),
        )));
    }
    Ok(out)
}

fn closure(c: &pb::Closure) -> Result<Closure, ConvertError> {
    let under = |e: ConvertError| e.under("closure");
    Ok(Closure {
        month: code::<Month>("month", &c.month).map_err(under)?,
        outcome: term("outcome", c.outcome, Outcome::from_pb).map_err(under)?,
    })
}

fn fixed<const N: usize>(field: &str, bytes: &[u8]) -> Result<[u8; N], ConvertError> {
    bytes.try_into().map_err(|_| {
        ConvertError::new(
            field,
            Problem::Length {
                expected: N,
                found: bytes.len(),
            },
        )
    })
}

fn code<T>(field: impl fmt::Display, text: &str) -> Result<T, ConvertError>
where
    T: FromStr<Err = CodeError>,
{
    if text.is_empty() {
        return Err(ConvertError::new(field, Problem::Missing));
    }
    text.parse()
        .map_err(|e: CodeError| ConvertError::new(field, e))
}

fn optional<T>(text: &str, field: &str) -> Result<Option<T>, ConvertError>
where
    T: FromStr<Err = CodeError>,
{
    if text.is_empty() {
        Ok(None)
    } else {
        code(field, text).map(Some)
    }
}

fn term<T>(
    field: impl fmt::Display,
    value: i32,
    from_pb: fn(i32) -> Option<T>,
) -> Result<T, ConvertError> {
    from_pb(value).ok_or_else(|| {
        let problem = if value == 0 {
            Problem::Missing
        } else {
            Problem::UnknownValue(value)
        };
        ConvertError::new(field, problem)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_return() -> pb::Event {
        pb::Event {
            id: vec![1; 16],
            origin: "NG".into(),
            subject: vec![2; 32],
            body: Some(pb::event::Body::Return(pb::Return {
                month: "2024-05".into(),
                sex: pb::Sex::Male as i32,
                age_band: pb::AgeBand::AgeBand1824 as i32,
                host_country: "LY".into(),
                transit_countries: vec!["NE".into()],
                mode: pb::Mode::Air as i32,
                return_type: pb::ReturnType::Avrr as i32,
                arrival_point: "LOS".into(),
                destination_region: "NG-LA".into(),
                vulnerabilities: vec![
                    pb::Vulnerability::MedicalNeed as i32,
                    pb::Vulnerability::SingleWoman as i32,
                ],
                receipt: vec![3; 16],
            })),
        }
    }

    fn body_mut(e: &mut pb::Event) -> &mut pb::Return {
        match &mut e.body {
            Some(pb::event::Body::Return(r)) => r,
            _ => unreachable!("wire_return builds a return"),
        }
    }

    #[test]
    fn a_valid_return_round_trips_canonically() {
        let event = Event::try_from(wire_return()).expect("valid");
        let again = Event::try_from(pb::Event::from(&event)).expect("valid");
        assert_eq!(event, again);
        // Flags in another order make the same canonical bytes.
        let mut reordered = wire_return();
        body_mut(&mut reordered).vulnerabilities.reverse();
        let reordered = Event::try_from(reordered).expect("valid");
        assert_eq!(event.canonical_bytes(), reordered.canonical_bytes());
    }

    #[test]
    fn errors_name_the_field() {
        let mut e = wire_return();
        body_mut(&mut e).mode = 42;
        let err = events_from_pb(&[wire_return(), e]).expect_err("unknown mode");
        assert_eq!(err.to_string(), "events[1].return.mode: unknown value 42");

        let mut e = wire_return();
        body_mut(&mut e).sex = 0;
        assert_eq!(
            Event::try_from(e).expect_err("no sex").to_string(),
            "return.sex: required but missing"
        );

        let mut e = wire_return();
        e.subject.truncate(5);
        assert_eq!(
            Event::try_from(e).expect_err("short").to_string(),
            "subject: must be 32 bytes, got 5"
        );

        let mut e = wire_return();
        e.body = None;
        assert_eq!(
            Event::try_from(e).expect_err("no body").to_string(),
            "body: required but missing"
        );
    }

    #[test]
    fn canonicalizing_in_place_equals_the_round_trip() {
        let mut wire = wire_return();
        if let Some(pb::event::Body::Return(r)) = &mut wire.body {
            r.vulnerabilities = vec![6, 1, 6, 3];
        }
        let expected = pb::Event::from(&Event::try_from(&wire).expect("valid"));
        canonicalize(&mut wire);
        assert_eq!(wire, expected);
        let mut assessment = pb::Event {
            body: Some(pb::event::Body::Assessment(pb::Assessment {
                month: "2024-06".into(),
                months_since_return: 1,
                economic: 0.1,
                social: 0.2,
                psychosocial: 0.7,
                composite: 0.3333333333333,
            })),
            ..wire_return()
        };
        let expected = pb::Event::from(&Event::try_from(&assessment).expect("valid"));
        canonicalize(&mut assessment);
        assert_eq!(assessment, expected);
    }

    #[test]
    fn a_region_of_another_state_is_refused() {
        let mut e = wire_return();
        body_mut(&mut e).destination_region = "GH-AA".into();
        let err = Event::try_from(e).expect_err("foreign region");
        assert!(
            err.to_string()
                .starts_with("return.destination_region: GH-AA is not"),
            "{err}"
        );
    }

    #[test]
    fn assessment_scores_are_checked() {
        let assess = |economic: f64, composite: f64| pb::Event {
            body: Some(pb::event::Body::Assessment(pb::Assessment {
                month: "2024-06".into(),
                months_since_return: 3,
                economic,
                social: 0.5,
                psychosocial: 0.5,
                composite,
            })),
            ..wire_return()
        };
        assert!(Event::try_from(assess(0.5, 0.5)).is_ok());
        assert!(Event::try_from(assess(1.5, 0.5)).is_err());
        assert!(Event::try_from(assess(f64::NAN, 0.5)).is_err());
        assert!(Event::try_from(assess(0.2, 0.9)).is_err());
    }
}
