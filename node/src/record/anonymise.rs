//! Records as the agency holds them become anonymised events: the one place where that happens.
//! The person identifier becomes a keyed pseudonym, dates become months, a birth date becomes
//! an age band; names, phone numbers and anything else never get this far.

use midwa_proto::codes::{ArrivalPoint, CountryCode, Month, Subdivision};
use midwa_proto::event::{
    Assessment, Assistance, Closure, Event, EventBody, EventId, Pseudonym, Return, Score,
};
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;
use midwa_proto::vocab::{AgeBand, AssistanceType, Mode, Outcome, ReturnType, Sex, Vulnerability};
use time::Date;
use time::macros::format_description;

use crate::keys::Keys;

/// A field of a record that cannot be accepted. `field` is the CSV column name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct RecordError {
    /// The column.
    pub field: &'static str,
    /// What is wrong and what is expected.
    pub why: String,
}

fn bad(field: &'static str, why: impl Into<String>) -> RecordError {
    RecordError {
        field,
        why: why.into(),
    }
}

/// An anonymised record, ready for the outbox.
#[derive(Debug, Clone)]
pub struct Anonymised {
    /// The event.
    pub event: Event,
    /// For a return: the month the person came back, which later records of the same person
    /// are checked against.
    pub return_month: Option<Month>,
    /// For a return: the code the returnee is given.
    pub receipt: Option<ReceiptCode>,
}

/// What the anonymiser needs to know of records already held.
pub trait Returns {
    /// The month of the return recorded for this person, if any.
    /// Fails only if the node cannot read its own index.
    fn return_month(&self, person: &Pseudonym) -> std::io::Result<Option<Month>>;
}

/// Turns a record into an event. `today` bounds dates; `state` is the node's own.
pub fn anonymise(
    record: pb::Record,
    state: CountryCode,
    keys: &Keys,
    today: Date,
    held: &dyn Returns,
) -> Result<Anonymised, RecordError> {
    use pb::record::Kind;
    match record.kind.ok_or_else(|| {
        bad(
            "kind",
            "a record must be a return, assistance, assessment or closure",
        )
    })? {
        Kind::Return(r) => anonymise_return(r, state, keys, today),
        Kind::Assistance(a) => {
            let (subject, date, _) =
                person_after_return(&a.person_id, &a.date, "date", keys, today, held)?;
            let kind: AssistanceType = term("type", &a.r#type)?;
            let body = Assistance {
                month: month(date),
                category: term("category", &a.category)?,
                kind,
                modality: term("modality", &a.modality)?,
                provider: term("provider", &a.provider)?,
            };
            let id = event_id(keys, Identity::Assistance(kind), &a.person_id, &a.date);
            Ok(Anonymised {
                event: Event {
                    id,
                    origin: state,
                    subject,
                    body: EventBody::Assistance(body),
                },
                return_month: None,
                receipt: None,
            })
        }
        Kind::Assessment(a) => {
            let (subject, date, returned) =
                person_after_return(&a.person_id, &a.date, "date", keys, today, held)?;
            let score = |field: &'static str, v: f64| {
                Score::new(v)
                    .ok_or_else(|| bad(field, format!("{v} is not a number between 0 and 1")))
            };
            let surveyed = month(date);
            let body = Assessment {
                month: surveyed,
                months_since_return: months_between(returned, surveyed),
                economic: score("economic", a.economic)?,
                social: score("social", a.social)?,
                psychosocial: score("psychosocial", a.psychosocial)?,
            };
            let id = event_id(keys, Identity::Assessment, &a.person_id, &a.date);
            Ok(Anonymised {
                event: Event {
                    id,
                    origin: state,
                    subject,
                    body: EventBody::Assessment(body),
                },
                return_month: None,
                receipt: None,
            })
        }
        Kind::Closure(c) => {
            let (subject, date, _) =
                person_after_return(&c.person_id, &c.date, "date", keys, today, held)?;
            let body = Closure {
                month: month(date),
                outcome: term::<Outcome>("outcome", &c.outcome)?,
            };
            let id = event_id(keys, Identity::Closure, &c.person_id, &c.date);
            Ok(Anonymised {
                event: Event {
                    id,
                    origin: state,
                    subject,
                    body: EventBody::Closure(body),
                },
                return_month: None,
                receipt: None,
            })
        }
    }
}

fn anonymise_return(
    r: pb::ReturnRecord,
    state: CountryCode,
    keys: &Keys,
    today: Date,
) -> Result<Anonymised, RecordError> {
    let person_id = person(&r.person_id)?;
    let nationality: CountryCode = code("nationality", &r.nationality)?;
    if nationality != state {
        return Err(bad(
            "nationality",
            format!(
                "{nationality} is not this node's state ({state}); each state's node records its own nationals"
            ),
        ));
    }
    let returned = date("return_date", &r.return_date, today)?;
    let age_band = if r.date_of_birth.trim().is_empty() {
        AgeBand::Unknown
    } else {
        let born = date("date_of_birth", &r.date_of_birth, today)?;
        if born > returned {
            return Err(bad("date_of_birth", "is after the return date"));
        }
        AgeBand::for_age(age_at(born, returned))
    };
    let destination_region = optional::<Subdivision>("destination_region", &r.destination_region)?;
    if let Some(region) = &destination_region
        && region.country() != state
    {
        return Err(bad(
            "destination_region",
            format!("{} is not a subdivision of {state}", region.as_str()),
        ));
    }
    let id = event_id(keys, Identity::Return, person_id, &r.return_date);
    let receipt = keys.receipt(&id);
    let body = Return {
        month: month(returned),
        sex: term::<Sex>("sex", &r.sex)?,
        age_band,
        host_country: code("host_country", &r.host_country)?,
        transit_countries: r
            .transit_countries
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| code("transit_countries", c))
            .collect::<Result<_, _>>()?,
        mode: term::<Mode>("mode", &r.mode)?,
        return_type: term::<ReturnType>("return_type", &r.return_type)?,
        arrival_point: optional::<ArrivalPoint>("arrival_point", &r.arrival_point)?,
        destination_region,
        vulnerabilities: r
            .vulnerabilities
            .iter()
            .filter(|v| !v.trim().is_empty())
            .map(|v| term::<Vulnerability>("vulnerabilities", v))
            .collect::<Result<_, _>>()?,
        receipt: receipt.digest(),
    };
    let event = Event {
        id,
        origin: state,
        subject: keys.pseudonym(person_id),
        body: EventBody::Return(body),
    };
    Ok(Anonymised {
        event,
        return_month: Some(month(returned)),
        receipt: Some(receipt),
    })
}

/// What identifies a record, beside the person and the date: two records with the same
/// identity are the same event (a re-import), with different content a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// A return: person and return date.
    Return,
    /// Assistance: person, date and type.
    Assistance(AssistanceType),
    /// An assessment: person and date.
    Assessment,
    /// A closure: person and date.
    Closure,
}

/// The id of the event of a record, from its identity; the only place ids are derived.
pub fn event_id(keys: &Keys, identity: Identity, person_id: &str, date: &str) -> EventId {
    let (person, date) = (person_id.trim().as_bytes(), date.trim().as_bytes());
    match identity {
        Identity::Return => keys.event_id(&[b"return", person, date]),
        Identity::Assistance(kind) => {
            keys.event_id(&[b"assistance", person, date, kind.as_str().as_bytes()])
        }
        Identity::Assessment => keys.event_id(&[b"assessment", person, date]),
        Identity::Closure => keys.event_id(&[b"closure", person, date]),
    }
}

/// The person of a follow-up record, its date, and the month of the person's return.
fn person_after_return(
    person_id: &str,
    text: &str,
    field: &'static str,
    keys: &Keys,
    today: Date,
    held: &dyn Returns,
) -> Result<(Pseudonym, Date, Month), RecordError> {
    let subject = keys.pseudonym(person(person_id)?);
    let returned = held
        .return_month(&subject)
        .map_err(|e| {
            bad(
                "person_id",
                format!("the node cannot read its index of returns ({e}); check the disk and restart the node"),
            )
        })?
        .ok_or_else(|| {
        bad(
            "person_id",
            "no return is recorded on this node for this person; import the return first",
        )
    })?;
    let date = date(field, text, today)?;
    if month(date) < returned {
        return Err(bad(
            field,
            format!("is before the person's return ({returned})"),
        ));
    }
    Ok((subject, date, returned))
}

fn person(text: &str) -> Result<&str, RecordError> {
    let text = text.trim();
    if text.is_empty() {
        Err(bad("person_id", "required but empty"))
    } else {
        Ok(text)
    }
}

fn date(field: &'static str, text: &str, today: Date) -> Result<Date, RecordError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(bad(field, "required but empty"));
    }
    let date = Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
        bad(
            field,
            format!("{text:?} is not a date of the form YYYY-MM-DD"),
        )
    })?;
    if date > today {
        return Err(bad(field, format!("{text} is in the future")));
    }
    if date.year() < 1950 {
        return Err(bad(field, format!("{text} is before 1950")));
    }
    Ok(date)
}

fn month(date: Date) -> Month {
    // Dates are checked to lie between 1950 and today, within Month's range.
    Month::new(date.year() as u16, date.month() as u8)
        .unwrap_or_else(|| unreachable!("checked date"))
}

fn months_between(from: Month, to: Month) -> u32 {
    let index = |m: Month| u32::from(m.year()) * 12 + u32::from(m.month());
    index(to).saturating_sub(index(from))
}

fn age_at(born: Date, on: Date) -> u32 {
    let mut years = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

fn code<T: std::str::FromStr<Err = midwa_proto::codes::CodeError>>(
    field: &'static str,
    text: &str,
) -> Result<T, RecordError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(bad(field, "required but empty"));
    }
    text.parse()
        .map_err(|e: midwa_proto::codes::CodeError| bad(field, e.to_string()))
}

fn optional<T: std::str::FromStr<Err = midwa_proto::codes::CodeError>>(
    field: &'static str,
    text: &str,
) -> Result<Option<T>, RecordError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        code(field, text).map(Some)
    }
}

fn term<T: std::str::FromStr<Err = midwa_proto::vocab::UnknownTerm>>(
    field: &'static str,
    text: &str,
) -> Result<T, RecordError> {
    text.trim()
        .parse()
        .map_err(|e: midwa_proto::vocab::UnknownTerm| bad(field, e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use time::macros::date;

    use super::*;

    struct Held(HashMap<Pseudonym, Month>);
    impl Returns for Held {
        fn return_month(&self, person: &Pseudonym) -> std::io::Result<Option<Month>> {
            Ok(self.0.get(person).copied())
        }
    }

    fn keys() -> Keys {
        let dir = tempfile::tempdir().expect("temp dir");
        Keys::load_or_create(&dir.path().join("k")).expect("key").0
    }

    fn a_return() -> pb::ReturnRecord {
        pb::ReturnRecord {
            person_id: "NG-2024-0001".into(),
            date_of_birth: "2000-06-15".into(),
            sex: "M".into(),
            nationality: "NG".into(),
            return_date: "2024-06-14".into(),
            mode: "air".into(),
            return_type: "avrr".into(),
            host_country: "LY".into(),
            transit_countries: vec!["NE".into()],
            arrival_point: "LOS".into(),
            destination_region: "NG-LA".into(),
            vulnerabilities: vec!["medical_need".into()],
        }
    }

    fn run(record: pb::record::Kind, held: &Held, keys: &Keys) -> Result<Anonymised, RecordError> {
        let ng = "NG".parse().expect("code");
        anonymise(
            pb::Record { kind: Some(record) },
            ng,
            keys,
            date!(2024 - 12 - 31),
            held,
        )
    }

    #[test]
    fn a_return_keeps_only_anonymised_fields() {
        let keys = keys();
        let out = run(
            pb::record::Kind::Return(a_return()),
            &Held(HashMap::new()),
            &keys,
        )
        .expect("valid");
        let EventBody::Return(r) = &out.event.body else {
            panic!("a return")
        };
        assert_eq!(r.month.to_string(), "2024-06");
        // One day short of 24: the band follows the birthday.
        assert_eq!(r.age_band, AgeBand::From18To24);
        assert_eq!(out.event.subject, keys.pseudonym("NG-2024-0001"));
        let bytes = out.event.canonical_bytes();
        for secret in [&b"NG-2024-0001"[..], b"2000-06-15", b"2024-06-14"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret));
        }
    }

    #[test]
    fn bad_fields_are_named() {
        let keys = keys();
        let held = Held(HashMap::new());
        type Spoil = fn(&mut pb::ReturnRecord);
        let cases: [(Spoil, &str); 6] = [
            (|r| r.nationality = "GH".into(), "nationality"),
            (|r| r.return_date = "2025-01-01".into(), "return_date"),
            (|r| r.return_date = "14/06/2024".into(), "return_date"),
            (|r| r.mode = "boat".into(), "mode"),
            (
                |r| r.destination_region = "GH-AA".into(),
                "destination_region",
            ),
            (
                |r| r.vulnerabilities = vec!["tired".into()],
                "vulnerabilities",
            ),
        ];
        for (spoil, field) in cases {
            let mut r = a_return();
            spoil(&mut r);
            let err = run(pb::record::Kind::Return(r), &held, &keys).expect_err(field);
            assert_eq!(err.field, field, "{err}");
        }
    }

    #[test]
    fn follow_ups_need_a_return_first() {
        let keys = keys();
        let assessment = pb::record::Kind::Assessment(pb::AssessmentRecord {
            person_id: "NG-2024-0001".into(),
            date: "2024-09-02".into(),
            economic: 0.5,
            social: 0.7,
            psychosocial: 0.6,
        });
        let err = run(assessment.clone(), &Held(HashMap::new()), &keys).expect_err("no return");
        assert_eq!(err.field, "person_id");
        let held = Held(HashMap::from([(
            keys.pseudonym("NG-2024-0001"),
            "2024-06".parse().expect("month"),
        )]));
        let out = run(assessment, &held, &keys).expect("valid");
        let EventBody::Assessment(a) = out.event.body else {
            panic!("an assessment")
        };
        assert_eq!(a.months_since_return, 3);
    }
}
