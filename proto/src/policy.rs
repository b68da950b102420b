//! A state's consent policy: grants, default deny. The same terms are used in the policy file a
//! state writes (see `deploy/policy.toml`), on the wire and in the gateway's decisions, so they
//! are defined once, here.

use std::fmt;
use std::str::FromStr;

use crate::codes::CountryCode;
use crate::pb;
use crate::vocab::UnknownTerm;

/// A policy that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{field}: {why}", grant.map(|g| format!("grants[{g}].")).unwrap_or_default())]
pub struct PolicyError {
    /// Index of the grant; `None` for a field of the policy itself.
    pub grant: Option<usize>,
    /// The field.
    pub field: &'static str,
    /// What is wrong and what is expected.
    pub why: String,
}

/// Who may receive data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// The region's coordinators (ECOWAS Commission, MIDWA secretariat).
    Coordinators,
    /// The node (national agency) of a named state.
    State(CountryCode),
    /// The consulates of a named state.
    Consulates(CountryCode),
}

impl FromStr for Recipient {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = |c: &str| c.parse::<CountryCode>().map_err(|e| e.to_string());
        match s.split_once(':') {
            None if s == "coordinators" => Ok(Self::Coordinators),
            Some(("state", c)) => Ok(Self::State(code(c)?)),
            Some(("consulates", c)) => Ok(Self::Consulates(code(c)?)),
            _ => Err(format!(
                "{s:?} is not a recipient: write \"coordinators\", \"state:GH\" or \"consulates:GH\""
            )),
        }
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Coordinators => f.write_str("coordinators"),
            Self::State(c) => write!(f, "state:{c}"),
            Self::Consulates(c) => write!(f, "consulates:{c}"),
        }
    }
}

terms! {
    /// A class of data a grant releases.
    DataClass {
        /// Aggregates of returns.
        AggregateReturns = "aggregates:returns",
        /// Aggregates of assistance (assisted persons).
        AggregateAssistance = "aggregates:assistance",
        /// Aggregates of assessments: counts and mean sustainability scores.
        AggregateAssessments = "aggregates:assessments",
        /// Aggregates of case closures.
        AggregateClosures = "aggregates:closures",
        /// Record-level (anonymised) events.
        Records = "records",
        /// Verification of return receipts.
        Verification = "verification",
        /// Cross-border notices.
        Notices = "notices",
        /// Reintegration opportunities.
        Opportunities = "opportunities",
    }
}

terms! {
    /// A dimension of aggregates, or a field of a verification answer.
    Dimension {
        /// Origin state: always shown, never needs a grant.
        Origin = "origin",
        /// Month, quarter or year.
        Period = "period",
        /// Country returned from.
        HostCountry = "host_country",
        /// Air, land or sea.
        Mode = "mode",
        /// AVRR, VHR, forced, spontaneous.
        ReturnType = "return_type",
        /// Sex.
        Sex = "sex",
        /// Age band at return.
        AgeBand = "age_band",
        /// Vulnerability flags.
        Vulnerability = "vulnerability",
        /// Destination region in the origin state.
        DestinationRegion = "destination_region",
        /// Assistance category.
        AssistanceCategory = "assistance_category",
        /// Assistance type.
        AssistanceType = "assistance_type",
        /// Case closure outcome.
        Outcome = "outcome",
        /// Verification only: whether the person received reintegration assistance.
        Assisted = "assisted",
    }
}

/// One permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Who receives.
    pub recipient: Recipient,
    /// What.
    pub data: DataClass,
    /// Which dimensions or fields.
    pub dimensions: Vec<Dimension>,
    /// Why.
    pub purpose: String,
    /// Last day in force (UTC), if any.
    pub expires: Option<time::Date>,
    /// A stricter suppression threshold, if any.
    pub threshold: Option<u32>,
}

/// The lowest suppression threshold anyone may set.
pub const MIN_THRESHOLD: u32 = 5;
/// Longest purpose accepted.
const MAX_PURPOSE: usize = 500;

impl Grant {
    /// Whether the grant is in force on `today` (UTC).
    pub fn in_force(&self, today: time::Date) -> bool {
        self.expires.is_none_or(|last| today <= last)
    }
}

/// A state's policy: the grants, in the order written, and its privacy budget if it sets one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The grants.
    pub grants: Vec<Grant>,
    /// A privacy budget stricter than the region's, if any.
    pub privacy_budget: Option<PrivacyBudget>,
}

/// The most privacy loss per person a state allows its aggregates to cause, as zero-concentrated
/// differential privacy (rho), in thousandths: from 0.001 to [`PrivacyBudget::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PrivacyBudget(u32);

impl PrivacyBudget {
    /// The largest budget a policy may write (the region's applies if it is lower).
    pub const MAX: f64 = 100.0;

    /// The budget of `rho`, rounded down to a thousandth (rounding never loosens it).
    pub fn new(rho: f64) -> Result<Self, String> {
        if !rho.is_finite() || rho <= 0.0 || rho > Self::MAX {
            return Err(format!(
                "{rho} is not a privacy budget: write rho, a number above 0 and at most {}",
                Self::MAX
            ));
        }
        let thousandths = (rho * 1000.0).floor() as u32;
        if thousandths == 0 {
            return Err(format!("{rho} is below 0.001, the smallest budget"));
        }
        Ok(Self(thousandths))
    }

    /// rho.
    pub fn rho(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
}

impl TryFrom<&pb::Policy> for Policy {
    type Error = PolicyError;

    fn try_from(p: &pb::Policy) -> Result<Self, Self::Error> {
        let grants = p
            .grants
            .iter()
            .enumerate()
            .map(|(i, g)| grant(i, g))
            .collect::<Result<_, _>>()?;
        let privacy_budget = if p.privacy_budget == 0.0 {
            None
        } else {
            Some(
                PrivacyBudget::new(p.privacy_budget).map_err(|why| PolicyError {
                    grant: None,
                    field: "privacy_budget",
                    why,
                })?,
            )
        };
        Ok(Self {
            grants,
            privacy_budget,
        })
    }
}

fn grant(i: usize, g: &pb::Grant) -> Result<Grant, PolicyError> {
    let bad = |field, why: String| PolicyError {
        grant: Some(i),
        field,
        why,
    };
    let recipient: Recipient = g.recipient.parse().map_err(|e| bad("recipient", e))?;
    let data: DataClass = g
        .data
        .parse()
        .map_err(|e: UnknownTerm| bad("data", e.to_string()))?;
    let dimensions = g
        .dimensions
        .iter()
        .map(|d| d.parse::<Dimension>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e: UnknownTerm| bad("dimensions", e.to_string()))?;
    if let Some(d) = dimensions.iter().find(|d| !applies(data, **d)) {
        return Err(bad("dimensions", format!("{d} does not apply to {data}")));
    }
    let purpose = g.purpose.trim().to_owned();
    if purpose.is_empty() {
        return Err(bad(
            "purpose",
            "required: say why the data is shared (purpose limitation)".into(),
        ));
    }
    if purpose.chars().count() > MAX_PURPOSE {
        return Err(bad(
            "purpose",
            format!("longer than {MAX_PURPOSE} characters"),
        ));
    }
    let expires = if g.expires.is_empty() {
        None
    } else {
        Some(
            time::Date::parse(
                &g.expires,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| {
                bad(
                    "expires",
                    format!("{:?} is not a date YYYY-MM-DD", g.expires),
                )
            })?,
        )
    };
    let threshold = match g.threshold {
        0 => None,
        t if t < MIN_THRESHOLD => {
            return Err(bad(
                "threshold",
                format!("{t} is below {MIN_THRESHOLD}, the lowest threshold allowed"),
            ));
        }
        t => Some(t),
    };
    if threshold.is_some() && !data.is_aggregate() {
        return Err(bad(
            "threshold",
            format!("applies to aggregates only, not {data}"),
        ));
    }
    Ok(Grant {
        recipient,
        data,
        dimensions,
        purpose,
        expires,
        threshold,
    })
}

impl DataClass {
    /// Whether the class is one of aggregates.
    pub fn is_aggregate(self) -> bool {
        matches!(
            self,
            Self::AggregateReturns
                | Self::AggregateAssistance
                | Self::AggregateAssessments
                | Self::AggregateClosures
        )
    }
}

/// Whether a dimension means anything for a class of data.
pub fn applies(data: DataClass, d: Dimension) -> bool {
    use Dimension as D;
    let person = matches!(
        d,
        D::Origin
            | D::Period
            | D::HostCountry
            | D::Mode
            | D::ReturnType
            | D::Sex
            | D::AgeBand
            | D::Vulnerability
            | D::DestinationRegion
    );
    match data {
        DataClass::AggregateReturns | DataClass::AggregateAssessments => person,
        DataClass::AggregateAssistance => {
            person || matches!(d, D::AssistanceCategory | D::AssistanceType)
        }
        DataClass::AggregateClosures => person || d == D::Outcome,
        DataClass::Verification => matches!(
            d,
            D::Period | D::Mode | D::HostCountry | D::ReturnType | D::Assisted
        ),
        DataClass::Records => {
            person || matches!(d, D::AssistanceCategory | D::AssistanceType | D::Outcome)
        }
        DataClass::Notices | DataClass::Opportunities => false,
    }
}

impl From<&Grant> for pb::Grant {
    fn from(g: &Grant) -> Self {
        Self {
            recipient: g.recipient.to_string(),
            data: g.data.to_string(),
            dimensions: g.dimensions.iter().map(|d| d.to_string()).collect(),
            purpose: g.purpose.clone(),
            expires: g
                .expires
                .map(|d| {
                    d.format(time::macros::format_description!("[year]-[month]-[day]"))
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
            threshold: g.threshold.unwrap_or(0),
        }
    }
}

impl From<&Policy> for pb::Policy {
    fn from(p: &Policy) -> Self {
        Self {
            grants: p.grants.iter().map(pb::Grant::from).collect(),
            privacy_budget: p.privacy_budget.map_or(0.0, PrivacyBudget::rho),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(recipient: &str, data: &str, dims: &[&str]) -> pb::Grant {
        pb::Grant {
            recipient: recipient.into(),
            data: data.into(),
            dimensions: dims.iter().map(|d| d.to_string()).collect(),
            purpose: "regional monitoring".into(),
            expires: "2030-12-31".into(),
            threshold: 12,
        }
    }

    #[test]
    fn a_policy_round_trips() {
        let p = pb::Policy {
            grants: vec![
                wire("coordinators", "aggregates:returns", &["period", "sex"]),
                pb::Grant {
                    threshold: 0,
                    expires: String::new(),
                    ..wire("consulates:NG", "verification", &["period", "mode"])
                },
            ],
            privacy_budget: 1.5,
        };
        let policy = Policy::try_from(&p).expect("valid");
        assert_eq!(policy.grants[0].recipient, Recipient::Coordinators);
        assert_eq!(
            policy.grants[1].recipient,
            Recipient::Consulates("NG".parse().expect("code"))
        );
        assert_eq!(pb::Policy::from(&policy), p);
    }

    #[test]
    fn bad_grants_name_the_grant_and_field() {
        let cases = [
            (
                wire("everyone", "aggregates:returns", &[]),
                "grants[0].recipient",
            ),
            (wire("coordinators", "everything", &[]), "grants[0].data"),
            (
                wire("coordinators", "aggregates:returns", &["name"]),
                "grants[0].dimensions",
            ),
            (
                wire("coordinators", "aggregates:returns", &["outcome"]),
                "does not apply",
            ),
            (
                pb::Grant {
                    purpose: " ".into(),
                    ..wire("coordinators", "aggregates:returns", &[])
                },
                "purpose",
            ),
            (
                pb::Grant {
                    expires: "soon".into(),
                    ..wire("coordinators", "aggregates:returns", &[])
                },
                "expires",
            ),
            (
                pb::Grant {
                    threshold: 3,
                    ..wire("coordinators", "aggregates:returns", &[])
                },
                "below 5",
            ),
            (
                wire("consulates:NG", "verification", &["period"]),
                "aggregates only",
            ),
        ];
        for (grant, expected) in cases {
            let err = Policy::try_from(&pb::Policy {
                grants: vec![grant],
                ..Default::default()
            })
            .expect_err(expected)
            .to_string();
            assert!(err.contains(expected), "{err} lacks {expected}");
        }
    }

    #[test]
    fn a_privacy_budget_is_a_positive_rho_never_rounded_up() {
        let budget = |rho: f64| {
            Policy::try_from(&pb::Policy {
                privacy_budget: rho,
                ..Default::default()
            })
            .map(|p| p.privacy_budget.map(PrivacyBudget::rho))
        };
        assert_eq!(budget(0.0), Ok(None), "0 leaves the region's");
        assert_eq!(budget(1.2345), Ok(Some(1.234)));
        for bad in [-1.0, f64::NAN, f64::INFINITY, 0.0004, 101.0] {
            let err = budget(bad).expect_err("not a budget").to_string();
            assert!(err.starts_with("privacy_budget: "), "{err}");
        }
    }

    #[test]
    fn expiry_is_inclusive() {
        let grant = Policy::try_from(&pb::Policy {
            grants: vec![wire("coordinators", "aggregates:returns", &[])],
            ..Default::default()
        })
        .expect("valid")
        .grants
        .remove(0);
        let day = |s: &str| {
            time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                .expect("date")
        };
        assert!(grant.in_force(day("2030-12-31")));
        assert!(!grant.in_force(day("2031-01-01")));
    }
}
