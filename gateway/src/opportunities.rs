//! Reintegration opportunities the states publish. Every version is kept in the store's
//! `opportunities` journal (key: state, id, version); the newest version of each is kept in
//! memory, where listing filters them. Who may see which state's opportunities is a consent
//! decision, taken by the caller of [`Opportunities::list`].

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

use midwa_proto::codes::{CountryCode, Subdivision};
use midwa_proto::opportunity::{Kind, Opportunity, Sector};
use midwa_proto::pb;
use prost::Message;

use crate::store::{Journal, StoreError};

/// The newest version of one opportunity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The opportunity.
    pub opportunity: Opportunity,
    /// 1, 2, ...
    pub version: u32,
    /// Whether it was withdrawn.
    pub withdrawn: bool,
    /// When this version reached the gateway, ms since 1970 UTC.
    pub updated_at_ms: i64,
}

impl From<&Published> for pb::PublishedOpportunity {
    fn from(p: &Published) -> Self {
        Self {
            opportunity: Some(pb::Opportunity::from(&p.opportunity)),
            version: p.version,
            withdrawn: p.withdrawn,
            updated_at_ms: p.updated_at_ms,
        }
    }
}

/// Which opportunities a list keeps (each empty list: no restriction).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Publishing states.
    pub states: Vec<CountryCode>,
    /// Kinds.
    pub kinds: Vec<Kind>,
    /// Sectors.
    pub sectors: Vec<Sector>,
    /// Regions; a nationwide opportunity of the region's state matches too.
    pub regions: Vec<Subdivision>,
    /// Open on this day.
    pub open_on: Option<time::Date>,
    /// Withdrawn ones too.
    pub include_withdrawn: bool,
}

impl Filter {
    fn keeps(&self, p: &Published) -> bool {
        let o = &p.opportunity;
        (self.include_withdrawn || !p.withdrawn)
            && (self.states.is_empty() || self.states.contains(&o.state))
            && (self.kinds.is_empty() || self.kinds.contains(&o.kind))
            && (self.sectors.is_empty() || self.sectors.contains(&o.sector))
            && (self.regions.is_empty()
                || self.regions.iter().any(|r| match &o.region {
                    Some(region) => region == r,
                    None => r.country() == o.state,
                }))
            && self.open_on.is_none_or(|day| o.open_on(day))
    }
}

/// Why an opportunity could not be withdrawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WithdrawError {
    /// The state never published it.
    #[error("{state} has published no opportunity with id {id:?}")]
    Unknown {
        /// The state.
        state: CountryCode,
        /// The id.
        id: String,
    },
    /// It could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every state's opportunities.
#[derive(Debug)]
pub struct Opportunities {
    journal: Journal,
    newest: RwLock<BTreeMap<(CountryCode, String), Published>>,
}

impl Opportunities {
    /// Loads the newest version of every opportunity.
    pub fn open(journal: Journal) -> Result<Self, StoreError> {
        let mut newest = BTreeMap::new();
        // Keys sort by state, id, then version: the last record of each id is its newest.
        for (key, value) in journal.scan(b"")? {
            let published = pb::PublishedOpportunity::decode(value.as_slice())
                .ok()
                .and_then(|p| from_stored(&p));
            match published {
                Some(p) => {
                    newest.insert((p.opportunity.state, p.opportunity.id.clone()), p);
                }
                None => tracing::error!(
                    key = %String::from_utf8_lossy(&key),
                    "a stored opportunity cannot be read; an older version stays listed"
                ),
            }
        }
        Ok(Self {
            journal,
            newest: RwLock::new(newest),
        })
    }

    /// Publishes `opportunity`, or a new version of it. Publishing the same content again
    /// changes nothing (and brings back a withdrawn one).
    pub fn publish(&self, opportunity: Opportunity) -> Result<Published, StoreError> {
        let mut newest = self.newest.write().unwrap_or_else(PoisonError::into_inner);
        let key = (opportunity.state, opportunity.id.clone());
        let before = newest.get(&key);
        if let Some(p) = before.filter(|p| p.opportunity == opportunity && !p.withdrawn) {
            return Ok(p.clone());
        }
        let next = Published {
            version: before.map_or(0, |p| p.version) + 1,
            opportunity,
            withdrawn: false,
            updated_at_ms: now_ms(),
        };
        self.store(&next)?;
        newest.insert(key, next.clone());
        Ok(next)
    }

    /// Withdraws one of `state`'s opportunities.
    pub fn withdraw(&self, state: CountryCode, id: &str) -> Result<Published, WithdrawError> {
        let mut newest = self.newest.write().unwrap_or_else(PoisonError::into_inner);
        let key = (state, id.to_owned());
        let Some(before) = newest.get(&key) else {
            return Err(WithdrawError::Unknown {
                state,
                id: id.to_owned(),
            });
        };
        if before.withdrawn {
            return Ok(before.clone());
        }
        let next = Published {
            version: before.version + 1,
            withdrawn: true,
            updated_at_ms: now_ms(),
            opportunity: before.opportunity.clone(),
        };
        self.store(&next)?;
        newest.insert(key, next.clone());
        Ok(next)
    }

    /// The states that have published anything, withdrawn or not.
    pub fn publishers(&self) -> std::collections::BTreeSet<CountryCode> {
        self.newest
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .map(|(state, _)| *state)
            .collect()
    }

    /// The opportunities of the states `visible` accepts that `filter` keeps, by state and id.
    pub fn list(&self, filter: &Filter, visible: impl Fn(CountryCode) -> bool) -> Vec<Published> {
        self.newest
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter(|p| visible(p.opportunity.state) && filter.keeps(p))
            .cloned()
            .collect()
    }

    fn store(&self, p: &Published) -> Result<(), StoreError> {
        let mut key = p.opportunity.state.as_bytes().to_vec();
        key.extend_from_slice(p.opportunity.id.as_bytes());
        // A zero byte (never in an id) ends the id: the versions of one id sort together, in order.
        key.push(0);
        key.extend_from_slice(&p.version.to_be_bytes());
        self.journal
            .put(&key, &pb::PublishedOpportunity::from(p).encode_to_vec())
    }
}

fn from_stored(p: &pb::PublishedOpportunity) -> Option<Published> {
    let o = p.opportunity.as_ref()?;
    let state: CountryCode = o.state.parse().ok()?;
    Some(Published {
        opportunity: Opportunity::from_pb(o, state).ok()?,
        version: p.version,
        withdrawn: p.withdrawn,
        updated_at_ms: p.updated_at_ms,
    })
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opportunity(state: &str, id: &str, sector: &str, region: &str) -> Opportunity {
        let code: CountryCode = state.parse().expect("code");
        Opportunity::from_pb(
            &pb::Opportunity {
                id: id.into(),
                kind: "training".into(),
                sector: sector.into(),
                region: region.into(),
                capacity: 20,
                starts: "2026-09-01".into(),
                ends: "2026-12-31".into(),
                title: "Solar installation".into(),
                contact_office: "Reintegration desk".into(),
                contact: "desk@example.org".into(),
                state: String::new(),
            },
            code,
        )
        .expect("valid")
    }

    #[test]
    fn publish_update_withdraw_and_filter_survive_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let gh: CountryCode = "GH".parse().expect("code");
        {
            let store = crate::store::Store::open(dir.path(), 1 << 20).expect("store");
            let all =
                Opportunities::open(store.journal("opportunities").expect("j")).expect("open");
            let first = all
                .publish(opportunity("GH", "a", "energy", "GH-AA"))
                .expect("publish");
            assert_eq!(first.version, 1);
            assert_eq!(
                all.publish(opportunity("GH", "a", "energy", "GH-AA"))
                    .expect("again")
                    .version,
                1,
                "the same content is not a new version"
            );
            let updated = all
                .publish(opportunity("GH", "a", "ict", "GH-AA"))
                .expect("update");
            assert_eq!(updated.version, 2);
            all.publish(opportunity("GH", "b", "energy", ""))
                .expect("publish");
            all.publish(opportunity("SN", "a", "energy", "SN-DK"))
                .expect("publish");
            assert_eq!(all.withdraw(gh, "b").expect("withdraw").version, 2);
            assert!(matches!(
                all.withdraw(gh, "zz"),
                Err(WithdrawError::Unknown { .. })
            ));
        }
        let store = crate::store::Store::open(dir.path(), 1 << 20).expect("reopen");
        let all = Opportunities::open(store.journal("opportunities").expect("j")).expect("open");
        let ids = |f: &Filter, visible: &dyn Fn(CountryCode) -> bool| -> Vec<String> {
            all.list(f, visible)
                .iter()
                .map(|p| {
                    format!(
                        "{}/{}/v{}",
                        p.opportunity.state, p.opportunity.id, p.version
                    )
                })
                .collect()
        };
        let everyone = |_| true;
        assert_eq!(ids(&Filter::default(), &everyone), ["GH/a/v2", "SN/a/v1"]);
        let withdrawn = Filter {
            include_withdrawn: true,
            ..Filter::default()
        };
        assert_eq!(
            ids(&withdrawn, &everyone),
            ["GH/a/v2", "GH/b/v2", "SN/a/v1"]
        );
        let energy = Filter {
            sectors: vec![Sector::Energy],
            ..Filter::default()
        };
        assert_eq!(ids(&energy, &everyone), ["SN/a/v1"]);
        let only_gh = |s: CountryCode| s == gh;
        assert_eq!(ids(&Filter::default(), &only_gh), ["GH/a/v2"]);
        let in_dakar = Filter {
            regions: vec!["SN-DK".parse().expect("region")],
            open_on: Some(time::macros::date!(2026 - 10 - 01)),
            ..Filter::default()
        };
        assert_eq!(ids(&in_dakar, &everyone), ["SN/a/v1"]);
        let later = Filter {
            open_on: Some(time::macros::date!(2027 - 01 - 01)),
            ..Filter::default()
        };
        assert!(ids(&later, &everyone).is_empty());
    }
}
