//! Records as the agency holds them become anonymised events: the one place where that happens.
//! The person identifier becomes a keyed pseudonym, dates become months, a birth date becomes
//! an age band; names, phone numbers and anything else never get this far.

use midwa_i18n::{Text, text};
use midwa_proto::codes::{ArrivalPoint, CodeError, CountryCode, Month, Subdivision};
use midwa_proto::event::{
    Assessment, Assistance, Closure, Event, EventBody, EventId, Pseudonym, Return, Score,
};
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;
use midwa_proto::vocab::{
    AgeBand, AssistanceType, Mode, Outcome, ReturnType, Sex, UnknownTerm, Vulnerability,
};
use time::Date;
use time::macros::format_description;

use crate::keys::Keys;

/// A field of a record that cannot be accepted. `field` is the CSV column name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct RecordError {
    /// The column.
    pub field: &'static str,
    /// What is wrong and what is expected, in the words of the catalogues.
    pub why: Text,
}

fn bad(field: &'static str, why: Text) -> RecordError {
    RecordError { field, why }
}

/// Every field of a record that cannot be accepted, in the order of its columns; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordErrors(pub Vec<RecordError>);

impl std::fmt::Display for RecordErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RecordErrors {}

impl RecordErrors {
    /// Each problem as `PREFIX.field: why`, in `lang`, separated by semicolons.
    pub fn render(&self, prefix: &str, lang: midwa_i18n::Lang) -> String {
        let all: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{prefix}.{}: {}", e.field, e.why.render(lang)))
            .collect();
        all.join("; ")
    }
}

/// The problems of one record, gathered field by field so that all are reported at once.
#[derive(Default)]
struct Check(Vec<RecordError>);

impl Check {
    fn take<T>(&mut self, r: Result<T, RecordError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    fn push(&mut self, e: RecordError) {
        self.0.push(e);
    }

    fn finish(self) -> RecordErrors {
        RecordErrors(self.0)
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

/// Turns a record into an event. `today` bounds dates; `state` is the node's own. Every field
/// that cannot be accepted is reported, not only the first.
pub fn anonymise(
    record: pb::Record,
    state: CountryCode,
    keys: &Keys,
    today: Date,
    held: &dyn Returns,
) -> Result<Anonymised, RecordErrors> {
    use pb::record::Kind;
    let Some(kind) = record.kind else {
        return Err(RecordErrors(vec![bad("kind", text!("value-no-kind"))]));
    };
    let mut c = Check::default();
    let (id, subject, body) = match kind {
        Kind::Return(r) => return anonymise_return(r, state, keys, today),
        Kind::Assistance(a) => {
            let who = person_after_return(&mut c, &a.person_id, &a.date, keys, today, held);
            let kind = c.take(term::<AssistanceType>("type", &a.r#type));
            let category = c.take(term("category", &a.category));
            let modality = c.take(term("modality", &a.modality));
            let provider = c.take(term("provider", &a.provider));
            let (
                Some((subject, date, _)),
                Some(kind),
                Some(category),
                Some(modality),
                Some(provider),
            ) = (who, kind, category, modality, provider)
            else {
                return Err(c.finish());
            };
            let body = EventBody::Assistance(Assistance {
                month: month(date),
                category,
                kind,
                modality,
                provider,
            });
            let id = event_id(keys, Identity::Assistance(kind), &a.person_id, &a.date);
            (id, subject, body)
        }
        Kind::Assessment(a) => {
            let who = person_after_return(&mut c, &a.person_id, &a.date, keys, today, held);
            let mut score =
                |field: &'static str, v: f64| {
                    c.take(Score::new(v).ok_or_else(|| {
                        bad(field, text!("value-score-range", value = v.to_string()))
                    }))
                };
            let economic = score("economic", a.economic);
            let social = score("social", a.social);
            let psychosocial = score("psychosocial", a.psychosocial);
            let (Some((subject, date, returned)), Some(economic), Some(social), Some(psychosocial)) =
                (who, economic, social, psychosocial)
            else {
                return Err(c.finish());
            };
            let surveyed = month(date);
            let body = EventBody::Assessment(Assessment {
                month: surveyed,
                months_since_return: months_between(returned, surveyed),
                economic,
                social,
                psychosocial,
            });
            let id = event_id(keys, Identity::Assessment, &a.person_id, &a.date);
            (id, subject, body)
        }
        Kind::Closure(cl) => {
            let who = person_after_return(&mut c, &cl.person_id, &cl.date, keys, today, held);
            let outcome = c.take(term::<Outcome>("outcome", &cl.outcome));
            let (Some((subject, date, _)), Some(outcome)) = (who, outcome) else {
                return Err(c.finish());
            };
            let body = EventBody::Closure(Closure {
                month: month(date),
                outcome,
            });
            let id = event_id(keys, Identity::Closure, &cl.person_id, &cl.date);
            (id, subject, body)
        }
    };
    Ok(Anonymised {
        event: Event {
            id,
            origin: state,
            subject,
            body,
        },
        return_month: None,
        receipt: None,
    })
}

fn anonymise_return(
    r: pb::ReturnRecord,
    state: CountryCode,
    keys: &Keys,
    today: Date,
) -> Result<Anonymised, RecordErrors> {
    let mut c = Check::default();
    let person_id = c.take(person(&r.person_id));
    let nationality = c.take(
        code::<CountryCode>("nationality", &r.nationality).and_then(|n| {
            if n == state {
                Ok(n)
            } else {
                Err(bad(
                    "nationality",
                    text!(
                        "value-not-own-national",
                        nationality = n.to_string(),
                        state = state.to_string()
                    ),
                ))
            }
        }),
    );
    let returned = c.take(date("return_date", &r.return_date, today));
    let age_band = if r.date_of_birth.trim().is_empty() {
        Some(AgeBand::Unknown)
    } else {
        match (
            c.take(date("date_of_birth", &r.date_of_birth, today)),
            returned,
        ) {
            (Some(born), Some(returned)) if born > returned => {
                c.push(bad("date_of_birth", text!("value-born-after-return")));
                None
            }
            (Some(born), Some(returned)) => Some(AgeBand::for_age(age_at(born, returned))),
            _ => None,
        }
    };
    let sex = c.take(term::<Sex>("sex", &r.sex));
    let host_country = c.take(code("host_country", &r.host_country));
    let transit_countries = c.take(
        r.transit_countries
            .iter()
            .filter(|t| !t.trim().is_empty())
            .map(|t| code("transit_countries", t))
            .collect::<Result<_, _>>(),
    );
    let mode = c.take(term::<Mode>("mode", &r.mode));
    let return_type = c.take(term::<ReturnType>("return_type", &r.return_type));
    let arrival_point = c.take(optional::<ArrivalPoint>("arrival_point", &r.arrival_point));
    let destination_region = c.take(
        optional::<Subdivision>("destination_region", &r.destination_region).and_then(|region| {
            match &region {
                Some(region) if region.country() != state => Err(bad(
                    "destination_region",
                    text!(
                        "value-not-own-region",
                        region = region.as_str().to_owned(),
                        state = state.to_string()
                    ),
                )),
                _ => Ok(region),
            }
        }),
    );
    let vulnerabilities = c.take(
        r.vulnerabilities
            .iter()
            .filter(|v| !v.trim().is_empty())
            .map(|v| term::<Vulnerability>("vulnerabilities", v))
            .collect::<Result<_, _>>(),
    );
    let (
        Some(person_id),
        Some(_),
        Some(returned),
        Some(age_band),
        Some(sex),
        Some(host_country),
        Some(transit_countries),
        Some(mode),
        Some(return_type),
        Some(arrival_point),
        Some(destination_region),
        Some(vulnerabilities),
    ) = (
        person_id,
        nationality,
        returned,
        age_band,
        sex,
        host_country,
        transit_countries,
        mode,
        return_type,
        arrival_point,
        destination_region,
        vulnerabilities,
    )
    else {
        return Err(c.finish());
    };
    let id = event_id(keys, Identity::Return, person_id, &r.return_date);
    let receipt = keys.receipt(&id);
    let body = Return {
        month: month(returned),
        sex,
        age_band,
        host_country,
        transit_countries,
        mode,
        return_type,
        arrival_point,
        destination_region,
        vulnerabilities,
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

/// The person of a follow-up record, its date (column `date`), and the month of the person's
/// return; `None` once its problems are in `c`.
fn person_after_return(
    c: &mut Check,
    person_id: &str,
    text: &str,
    keys: &Keys,
    today: Date,
    held: &dyn Returns,
) -> Option<(Pseudonym, Date, Month)> {
    let field = "date";
    let date = c.take(date(field, text, today));
    let subject = keys.pseudonym(c.take(person(person_id))?);
    let returned = c.take(
        held.return_month(&subject)
            .map_err(|e| {
                tracing::error!(error = %e, "cannot read the index of returns");
                bad("person_id", text!("value-index-unreadable"))
            })
            .and_then(|m| m.ok_or_else(|| bad("person_id", text!("value-no-return")))),
    )?;
    let date = date?;
    if month(date) < returned {
        c.push(bad(
            field,
            text!("value-before-return", month = returned.to_string()),
        ));
        return None;
    }
    Some((subject, date, returned))
}

fn person(text: &str) -> Result<&str, RecordError> {
    let text = text.trim();
    if text.is_empty() {
        Err(bad("person_id", text!("value-required")))
    } else {
        Ok(text)
    }
}

fn date(field: &'static str, text: &str, today: Date) -> Result<Date, RecordError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(bad(field, text!("value-required")));
    }
    let value = || text.to_owned();
    let date = Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| bad(field, text!("value-not-date", value = format!("{text:?}"))))?;
    if date > today {
        return Err(bad(field, text!("value-future", value = value())));
    }
    if date.year() < 1950 {
        return Err(bad(field, text!("value-before-1950", value = value())));
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

fn code<T: std::str::FromStr<Err = CodeError>>(
    field: &'static str,
    text: &str,
) -> Result<T, RecordError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(bad(field, text!("value-required")));
    }
    text.parse().map_err(|e: CodeError| {
        let (id, value) = match e {
            CodeError::Country(v) => ("value-country", v),
            CodeError::Month(v) => ("value-month", v),
            CodeError::ArrivalPoint(v) => ("value-arrival-point", v),
            CodeError::Subdivision(v) => ("value-subdivision", v),
            other => return bad(field, Text::plain(other.to_string())),
        };
        bad(field, Text::new(id).with("value", format!("{value:?}")))
    })
}

fn optional<T: std::str::FromStr<Err = CodeError>>(
    field: &'static str,
    text: &str,
) -> Result<Option<T>, RecordError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        code(field, text).map(Some)
    }
}

fn term<T: std::str::FromStr<Err = UnknownTerm>>(
    field: &'static str,
    text: &str,
) -> Result<T, RecordError> {
    let text = text.trim();
    text.parse().map_err(|e: UnknownTerm| {
        if text.is_empty() {
            return bad(field, text!("value-required"));
        }
        let named: Vec<&str> = e
            .expected
            .iter()
            .copied()
            .filter(|t| !t.is_empty())
            .collect();
        let id = if named.len() < e.expected.len() {
            "value-term-or-empty"
        } else {
            "value-term"
        };
        bad(
            field,
            Text::new(id)
                .with("value", format!("{:?}", e.found))
                .with("accepted", named.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests;
