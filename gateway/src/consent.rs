//! Each state's consent policy, and the decision it gives for each release: default deny, the
//! newest version applied at once. Every version is kept in the store's `policies` journal.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use midwa_certs::Role;
use midwa_proto::codes::CountryCode;
use midwa_proto::pb;
use midwa_proto::policy::{DataClass, Dimension, Grant, Policy, Recipient};
use prost::Message;
use time::OffsetDateTime;

use crate::store::{Journal, StoreError};

/// One version of a state's policy.
#[derive(Debug, Clone)]
pub struct Version {
    /// 1, 2, ...
    pub number: u64,
    /// When the gateway received it.
    pub received_at: OffsetDateTime,
    /// The grants.
    pub policy: Policy,
}

/// What the gateway keeps of a pushed policy.
#[derive(Clone, PartialEq, prost::Message)]
struct StoredPolicy {
    #[prost(int64, tag = "1")]
    received_at: i64,
    #[prost(message, optional, tag = "2")]
    policy: Option<pb::Policy>,
}

/// Whether data of one origin may be released to one requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Released, under this policy version, with this suppression threshold.
    Allowed {
        /// The policy version applied (0: the requester is the owner).
        version: u64,
        /// The suppression threshold for the origin's cells.
        threshold: u32,
        /// Every dimension (or verification field) the grants in force give the requester.
        granted: Vec<Dimension>,
    },
    /// Not released.
    Refused {
        /// The policy version applied (0: none pushed).
        version: u64,
        /// Why, in English, for the answer and the origin's access log.
        reason: String,
        /// Why, for a client that says it in its user's language.
        why: Why,
    },
}

/// Why data is not released, as `pb::OriginStatus` carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// This kind of certificate receives no data.
    Role,
    /// The origin has pushed no policy.
    NoPolicy,
    /// The policy grants this data to no one the requester is.
    NoGrant,
    /// The grants there were have expired (on that day, if they said).
    Expired(Option<time::Date>),
    /// No grant in force covers these dimensions.
    Uncovered(Vec<Dimension>),
    /// The origin's privacy budget is spent: measuring what was asked would go beyond it.
    Budget,
}

impl Why {
    /// A stable name of the reason (`OriginStatus.reason_kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Role => "role",
            Self::NoPolicy => "no_policy",
            Self::NoGrant => "no_grant",
            Self::Expired(_) => "expired",
            Self::Uncovered(_) => "uncovered",
            Self::Budget => "budget",
        }
    }
}

/// What a query's answer says of one origin: included under which policy version, or left
/// out and why.
pub fn origin_status(origin: CountryCode, decision: &Decision) -> pb::OriginStatus {
    let state = origin.to_string();
    match decision {
        Decision::Allowed { version, .. } => pb::OriginStatus {
            state,
            included: true,
            policy_version: *version,
            ..Default::default()
        },
        Decision::Refused {
            version,
            reason,
            why,
        } => pb::OriginStatus {
            state,
            included: false,
            reason: reason.clone(),
            policy_version: *version,
            reason_kind: why.kind().to_owned(),
            expired_on: match why {
                Why::Expired(Some(day)) => day.to_string(),
                _ => String::new(),
            },
            uncovered: match why {
                Why::Uncovered(missing) => missing.iter().map(|d| d.as_str().to_owned()).collect(),
                _ => Vec::new(),
            },
            privacy: None,
        },
    }
}

/// Most policy versions one state may push in a day: every version is kept (the access log
/// names the version in force), so pushes in a loop would grow the store without bound.
pub const MAX_PUSHES_PER_DAY: usize = 24;

/// Why a policy was not stored; the policy in force is unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The state pushed [`MAX_PUSHES_PER_DAY`] versions in the last 24 hours.
    #[error(
        "{MAX_PUSHES_PER_DAY} policy versions were pushed in the last 24 hours; the next may be pushed from {next} UTC"
    )]
    TooMany {
        /// When the next push is allowed.
        next: OffsetDateTime,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The policies of every state.
#[derive(Debug)]
pub struct Consent {
    journal: Journal,
    current: RwLock<HashMap<CountryCode, Arc<Version>>>,
    /// When each state pushed its versions of the last 24 hours.
    pushed: std::sync::Mutex<HashMap<CountryCode, Vec<OffsetDateTime>>>,
    default_threshold: u32,
}

impl Consent {
    /// Loads the newest version of every state's policy.
    pub fn open(journal: Journal, default_threshold: u32) -> Result<Self, StoreError> {
        let mut current = HashMap::new();
        let mut pushed: HashMap<CountryCode, Vec<OffsetDateTime>> = HashMap::new();
        let day_ago = OffsetDateTime::now_utc() - time::Duration::DAY;
        for (key, value) in journal.scan(b"")? {
            let (Some(state), Some(number)) = (state_of(&key), version_of(&key)) else {
                continue;
            };
            let Some(version) = decode(number, &value) else {
                tracing::warn!(%state, version = number, "a stored policy cannot be read; an older version applies");
                continue;
            };
            if version.received_at > day_ago {
                pushed.entry(state).or_default().push(version.received_at);
            }
            current.insert(state, Arc::new(version));
        }
        Ok(Self {
            journal,
            current: RwLock::new(current),
            pushed: std::sync::Mutex::new(pushed),
            default_threshold,
        })
    }

    /// Stores a new version of `state`'s policy (checked: it is a domain [`Policy`]) and
    /// applies it at once.
    pub fn push(&self, state: CountryCode, policy: Policy) -> Result<Arc<Version>, PushError> {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let received_at = OffsetDateTime::now_utc();
        let mut pushed = self.pushed.lock().unwrap_or_else(PoisonError::into_inner);
        let recent = pushed.entry(state).or_default();
        recent.retain(|at| *at > received_at - time::Duration::DAY);
        if recent.len() >= MAX_PUSHES_PER_DAY {
            let oldest = recent.iter().min().copied().unwrap_or(received_at);
            return Err(PushError::TooMany {
                next: oldest + time::Duration::DAY,
            });
        }
        let number = current.get(&state).map_or(0, |v| v.number) + 1;
        let stored = StoredPolicy {
            received_at: received_at.unix_timestamp(),
            policy: Some(pb::Policy::from(&policy)),
        };
        self.journal
            .put(&key(state, number), &stored.encode_to_vec())?;
        let version = Arc::new(Version {
            number,
            received_at,
            policy,
        });
        current.insert(state, version.clone());
        recent.push(received_at);
        Ok(version)
    }

    /// The newest version of `state`'s policy, if any was pushed.
    pub fn current(&self, state: CountryCode) -> Option<Arc<Version>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&state)
            .cloned()
    }

    /// The privacy budget (rho) of `state`'s aggregates: its policy's, or `region` if that
    /// is unset or looser.
    pub fn privacy_budget(&self, state: CountryCode, region: f64) -> f64 {
        self.current(state)
            .and_then(|v| v.policy.privacy_budget)
            .map_or(region, |b| b.rho().min(region))
    }

    /// The suppression threshold when no grant sets a stricter one.
    pub fn default_threshold(&self) -> u32 {
        self.default_threshold
    }

    /// Whether `origin`'s data of class `data`, seen through `dimensions`, may be released to
    /// `requester` today. A state's own node always sees its own data.
    pub fn decide(
        &self,
        origin: CountryCode,
        requester: &Role,
        data: DataClass,
        dimensions: &[Dimension],
    ) -> Decision {
        let recipient = match requester {
            Role::Node { state } if state == origin.as_str() => {
                return Decision::Allowed {
                    version: 0,
                    threshold: self.default_threshold,
                    granted: Dimension::ALL.to_vec(),
                };
            }
            Role::Node { state } => state.parse().ok().map(Recipient::State),
            Role::Coordinator { .. } => Some(Recipient::Coordinators),
            Role::Consulate { state, .. } => state.parse().ok().map(Recipient::Consulates),
            _ => None,
        };
        let Some(recipient) = recipient else {
            return Decision::Refused {
                version: 0,
                reason: "this kind of certificate receives no data".into(),
                why: Why::Role,
            };
        };
        let Some(version) = self.current(origin) else {
            return Decision::Refused {
                version: 0,
                reason: format!("{origin} has not pushed a consent policy: nothing is shared"),
                why: Why::NoPolicy,
            };
        };
        let today = OffsetDateTime::now_utc().date();
        decide(
            &version,
            origin,
            recipient,
            data,
            dimensions,
            today,
            self.default_threshold,
        )
    }
}

/// The decision of one policy version; see [`Consent::decide`].
pub fn decide(
    version: &Version,
    origin: CountryCode,
    recipient: Recipient,
    data: DataClass,
    dimensions: &[Dimension],
    today: time::Date,
    default_threshold: u32,
) -> Decision {
    let refused = |reason: String, why: Why| Decision::Refused {
        version: version.number,
        reason,
        why,
    };
    let candidates: Vec<&Grant> = version
        .policy
        .grants
        .iter()
        .filter(|g| g.recipient == recipient && g.data == data)
        .collect();
    if candidates.is_empty() {
        return refused(
            format!(
                "{origin}'s policy (version {}) grants no {data} to {recipient}",
                version.number
            ),
            Why::NoGrant,
        );
    }
    let in_force: Vec<&Grant> = candidates
        .iter()
        .copied()
        .filter(|g| g.in_force(today))
        .collect();
    if in_force.is_empty() {
        let last = candidates.iter().filter_map(|g| g.expires).max();
        return refused(
            format!(
                "{origin}'s grant of {data} to {recipient} expired{}",
                last.map(|d| format!(" on {d}")).unwrap_or_default()
            ),
            Why::Expired(last),
        );
    }
    let missing = |g: &Grant| -> Vec<Dimension> {
        dimensions
            .iter()
            .copied()
            .filter(|d| *d != Dimension::Origin && !g.dimensions.contains(d))
            .collect()
    };
    match in_force.iter().find(|g| missing(g).is_empty()) {
        Some(g) => {
            let mut granted: Vec<Dimension> = in_force
                .iter()
                .flat_map(|g| g.dimensions.iter().copied())
                .collect();
            granted.sort();
            granted.dedup();
            Decision::Allowed {
                version: version.number,
                threshold: g.threshold.unwrap_or(0).max(default_threshold),
                granted,
            }
        }
        None => {
            let g = in_force[0];
            let names =
                |ds: &[Dimension]| ds.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ");
            refused(
                format!(
                    "{origin}'s grant of {data} to {recipient} does not cover {} (it covers: {})",
                    names(&missing(g)),
                    if g.dimensions.is_empty() {
                        "totals only".into()
                    } else {
                        names(&g.dimensions)
                    }
                ),
                Why::Uncovered(missing(g)),
            )
        }
    }
}

/// The wire form of a version.
pub fn version_to_pb(state: CountryCode, version: Option<&Version>) -> pb::PolicyVersion {
    pb::PolicyVersion {
        state: state.to_string(),
        version: version.map_or(0, |v| v.number),
        received_at: version
            .and_then(|v| {
                v.received_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default(),
        policy: version.map(|v| pb::Policy::from(&v.policy)),
        privacy: None,
    }
}

fn key(state: CountryCode, number: u64) -> Vec<u8> {
    let mut k = state.as_bytes().to_vec();
    k.extend_from_slice(&number.to_be_bytes());
    k
}

fn state_of(key: &[u8]) -> Option<CountryCode> {
    std::str::from_utf8(key.get(..2)?).ok()?.parse().ok()
}

fn version_of(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.get(2..10)?.try_into().ok()?))
}

fn decode(number: u64, value: &[u8]) -> Option<Version> {
    let stored = StoredPolicy::decode(value).ok()?;
    Some(Version {
        number,
        received_at: OffsetDateTime::from_unix_timestamp(stored.received_at).ok()?,
        policy: Policy::try_from(&stored.policy.unwrap_or_default()).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_pushes_at_most_so_many_versions_a_day_even_across_a_restart() {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::store::Store::open(&dir.path().join("db"), 1 << 20).expect("store");
        let open =
            || Consent::open(store.journal("policies").expect("journal"), 10).expect("consent");
        let ng: CountryCode = "NG".parse().expect("code");
        let gh: CountryCode = "GH".parse().expect("code");
        let policy = || Policy::try_from(&pb::Policy::default()).expect("an empty policy");
        let consent = open();
        for _ in 0..MAX_PUSHES_PER_DAY {
            consent.push(ng, policy()).expect("pushed");
        }
        let err = consent.push(ng, policy()).expect_err("one too many");
        assert!(matches!(err, PushError::TooMany { .. }), "{err}");
        assert!(err.to_string().contains("next may be pushed from"), "{err}");
        assert_eq!(
            consent.current(ng).map(|v| v.number),
            Some(MAX_PUSHES_PER_DAY as u64),
            "the policy in force is unchanged"
        );
        consent
            .push(gh, policy())
            .expect("another state is not held back");
        drop(consent);
        let again = open();
        assert!(matches!(
            again.push(ng, policy()),
            Err(PushError::TooMany { .. })
        ));
    }

    fn version(grants: Vec<pb::Grant>) -> Version {
        Version {
            number: 3,
            received_at: OffsetDateTime::UNIX_EPOCH,
            policy: Policy::try_from(&pb::Policy {
                grants,
                ..Default::default()
            })
            .expect("valid"),
        }
    }

    fn grant(recipient: &str, data: &str, dims: &[&str], expires: &str) -> pb::Grant {
        pb::Grant {
            recipient: recipient.into(),
            data: data.into(),
            dimensions: dims.iter().map(|d| d.to_string()).collect(),
            purpose: "monitoring".into(),
            expires: expires.into(),
            threshold: 0,
        }
    }

    #[test]
    fn only_a_grant_in_force_covering_every_dimension_releases() {
        let ng: CountryCode = "NG".parse().expect("code");
        let today = time::macros::date!(2026 - 11 - 22);
        let v = version(vec![
            grant("coordinators", "aggregates:returns", &["period", "sex"], ""),
            grant("state:GH", "aggregates:returns", &["period"], "2025-12-31"),
        ]);
        let run = |recipient, dims: &[Dimension]| {
            decide(
                &v,
                ng,
                recipient,
                DataClass::AggregateReturns,
                dims,
                today,
                10,
            )
        };
        assert_eq!(
            run(
                Recipient::Coordinators,
                &[Dimension::Sex, Dimension::Origin]
            ),
            Decision::Allowed {
                version: 3,
                threshold: 10,
                granted: vec![Dimension::Period, Dimension::Sex]
            }
        );
        let uncovered = run(Recipient::Coordinators, &[Dimension::Mode]);
        let Decision::Refused { reason, why, .. } = &uncovered else {
            panic!("mode is not granted");
        };
        assert!(reason.contains("does not cover mode"), "{reason}");
        assert_eq!(why, &Why::Uncovered(vec![Dimension::Mode]));
        let status = origin_status("NG".parse().expect("code"), &uncovered);
        assert_eq!(
            (status.reason_kind.as_str(), status.uncovered),
            ("uncovered", vec!["mode".to_owned()])
        );
        let expired = run(Recipient::State("GH".parse().expect("code")), &[]);
        let Decision::Refused { reason, .. } = &expired else {
            panic!("expired");
        };
        assert!(reason.contains("expired on 2025-12-31"), "{reason}");
        let status = origin_status("NG".parse().expect("code"), &expired);
        assert_eq!(
            (status.reason_kind.as_str(), status.expired_on.as_str()),
            ("expired", "2025-12-31")
        );
        let Decision::Refused { reason, why, .. } =
            run(Recipient::Consulates("NG".parse().expect("code")), &[])
        else {
            panic!("no grant");
        };
        assert!(
            reason.contains("grants no aggregates:returns to consulates:NG"),
            "{reason}"
        );
        assert_eq!(why, Why::NoGrant);
    }
}
