//! The anonymised events a node publishes, as plain Rust. Nothing here can hold a name, a
//! document number, an exact date or free text: the types leave no room for them.

use std::fmt;

use crate::codes::{ArrivalPoint, CountryCode, Month, Subdivision};
use crate::receipt::ReceiptDigest;
use crate::vocab::{
    AgeBand, AssistanceCategory, AssistanceType, Modality, Mode, Outcome, ProviderKind, ReturnType,
    Sex, Vulnerabilities,
};

/// The identity of an event: 16 bytes derived by the node from the event's identifying content
/// under a key only the node holds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub [u8; 16]);

/// A keyed pseudonym of a person: HMAC-SHA256 of the agency's identifier under the origin
/// node's key. Only that node can link it to anyone.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pseudonym(pub [u8; 32]);

macro_rules! hex_display {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}
hex_display!(EventId);
hex_display!(Pseudonym);

/// One anonymised event about one person.
#[derive(Clone, PartialEq, Debug)]
pub struct Event {
    /// Derived from the event's identifying content; the same record always has the same id.
    pub id: EventId,
    /// The state whose node published the event.
    pub origin: CountryCode,
    /// The person, pseudonymised.
    pub subject: Pseudonym,
    /// What happened.
    pub body: EventBody,
}

/// What an event records.
#[derive(Clone, PartialEq, Debug)]
pub enum EventBody {
    /// A return to the origin state.
    Return(Return),
    /// Reintegration assistance received.
    Assistance(Assistance),
    /// A follow-up sustainability survey.
    Assessment(Assessment),
    /// The closure of a reintegration case.
    Closure(Closure),
    /// The erasure of earlier events.
    Retraction(Retraction),
}

/// The kinds of event, for counting and display.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum EventKind {
    /// [`EventBody::Return`].
    Return,
    /// [`EventBody::Assistance`].
    Assistance,
    /// [`EventBody::Assessment`].
    Assessment,
    /// [`EventBody::Closure`].
    Closure,
    /// [`EventBody::Retraction`].
    Retraction,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::Return,
        Self::Assistance,
        Self::Assessment,
        Self::Closure,
        Self::Retraction,
    ];

    /// The kind's name, as used in files and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Return => "return",
            Self::Assistance => "assistance",
            Self::Assessment => "assessment",
            Self::Closure => "closure",
            Self::Retraction => "retraction",
        }
    }
}

impl Event {
    /// The kind of the event.
    pub fn kind(&self) -> EventKind {
        match self.body {
            EventBody::Return(_) => EventKind::Return,
            EventBody::Assistance(_) => EventKind::Assistance,
            EventBody::Assessment(_) => EventKind::Assessment,
            EventBody::Closure(_) => EventKind::Closure,
            EventBody::Retraction(_) => EventKind::Retraction,
        }
    }
}

/// A return to the origin state.
#[derive(Clone, PartialEq, Debug)]
pub struct Return {
    /// Month of return.
    pub month: Month,
    /// Sex as recorded.
    pub sex: Sex,
    /// Age at return.
    pub age_band: AgeBand,
    /// The country the person returned from.
    pub host_country: CountryCode,
    /// Countries crossed, in order.
    pub transit_countries: Vec<CountryCode>,
    /// How the person travelled back.
    pub mode: Mode,
    /// The kind of return.
    pub return_type: ReturnType,
    /// Airport or border post of arrival, if recorded.
    pub arrival_point: Option<ArrivalPoint>,
    /// Subdivision of the origin state the person returned to, if recorded.
    pub destination_region: Option<Subdivision>,
    /// Vulnerability flags.
    pub vulnerabilities: Vulnerabilities,
    /// The digest of the returnee's receipt code.
    pub receipt: ReceiptDigest,
}

/// Reintegration assistance received.
#[derive(Clone, PartialEq, Debug)]
pub struct Assistance {
    /// Month the assistance was given.
    pub month: Month,
    /// Economic, social or psychosocial.
    pub category: AssistanceCategory,
    /// What was given.
    pub kind: AssistanceType,
    /// To whom: the person, a group, or the community.
    pub modality: Modality,
    /// Who gave it.
    pub provider: ProviderKind,
}

/// A score of the Reintegration Sustainability Survey, within [0, 1].
#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
pub struct Score(f64);

impl Score {
    /// The score, if finite and within [0, 1].
    pub fn new(value: f64) -> Option<Self> {
        (0.0..=1.0).contains(&value).then_some(Self(value))
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A follow-up sustainability survey.
#[derive(Clone, PartialEq, Debug)]
pub struct Assessment {
    /// Month of the survey.
    pub month: Month,
    /// Whole months between the return and the survey.
    pub months_since_return: u32,
    /// Economic dimension.
    pub economic: Score,
    /// Social dimension.
    pub social: Score,
    /// Psychosocial dimension.
    pub psychosocial: Score,
}

impl Assessment {
    /// The composite score: the mean of the three dimensions.
    pub fn composite(&self) -> f64 {
        (self.economic.get() + self.social.get() + self.psychosocial.get()) / 3.0
    }
}

/// The closure of a reintegration case.
#[derive(Clone, PartialEq, Debug)]
pub struct Closure {
    /// Month of closure.
    pub month: Month,
    /// How the case ended.
    pub outcome: Outcome,
}

/// The erasure of earlier events of the same subject.
#[derive(Clone, PartialEq, Debug)]
pub struct Retraction {
    /// One event, or `None` for everything published about the subject.
    pub event: Option<EventId>,
}
