//! What the aggregates need of an event, without heap allocations: made on the stream's task
//! when the event is checked, and handed to the aggregates thread after the group commit.

use midwa_proto::codes::CountryCode;
use midwa_proto::event::{Event, EventBody};
use midwa_store::index::PrefixMap;

use super::key;
pub use super::key::ReturnFields;

/// An event as the aggregates count it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fact {
    /// The origin state.
    pub origin: CountryCode,
    /// The person: the ledger key of the pseudonym.
    pub person: u64,
    /// What happened.
    pub body: FactBody,
}

/// The counted part of each kind of event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FactBody {
    /// A return.
    Return {
        /// The returnee's attributes.
        fields: ReturnFields,
        /// Month number.
        month: u32,
        /// The ledger key of the receipt digest.
        receipt: u64,
    },
    /// Assistance.
    Assistance {
        /// Month number.
        month: u32,
        /// Category (wire value).
        category: u32,
        /// Type (wire value).
        kind: u32,
    },
    /// A sustainability survey.
    Assessment {
        /// Month number.
        month: u32,
        /// Economic, social, psychosocial.
        scores: [f64; 3],
    },
    /// A case closure.
    Closure {
        /// Month number.
        month: u32,
        /// Outcome (wire value).
        outcome: u32,
    },
}

impl Fact {
    /// The fact of an event; `None` for a retraction (carried out by the erasure instead).
    pub fn of(event: &Event) -> Option<Self> {
        let body = match &event.body {
            EventBody::Return(r) => {
                let mut region = [0u8; 6];
                if let Some(d) = &r.destination_region {
                    let bytes = d.as_str().as_bytes();
                    let n = bytes.len().min(6);
                    region[..n].copy_from_slice(&bytes[..n]);
                }
                FactBody::Return {
                    fields: ReturnFields {
                        host: key::country_index(r.host_country),
                        mode: r.mode.to_pb() as u8,
                        return_type: r.return_type.to_pb() as u8,
                        sex: r.sex.to_pb() as u8,
                        age: r.age_band.to_pb() as u8,
                        vulnerabilities: r.vulnerabilities.bits(),
                        region,
                    },
                    month: key::month_index(r.month),
                    receipt: PrefixMap::<u32>::key_of(&r.receipt.0),
                }
            }
            EventBody::Assistance(a) => {
                let (category, kind) = key::assistance(a.category, a.kind);
                FactBody::Assistance {
                    month: key::month_index(a.month),
                    category,
                    kind,
                }
            }
            EventBody::Assessment(a) => FactBody::Assessment {
                month: key::month_index(a.month),
                scores: [a.economic.get(), a.social.get(), a.psychosocial.get()],
            },
            EventBody::Closure(c) => FactBody::Closure {
                month: key::month_index(c.month),
                outcome: key::outcome(c.outcome),
            },
            EventBody::Retraction(_) => return None,
        };
        Some(Self {
            origin: event.origin,
            person: PrefixMap::<u32>::key_of(&event.subject.0),
            body,
        })
    }
}
