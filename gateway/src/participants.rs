//! The states taking part in the region: data of the gateway's configuration, never code, since
//! membership changes (Burkina Faso, Mali and Niger announced their withdrawal from ECOWAS in
//! 2024-2025 and may keep taking part under other terms).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use midwa_proto::codes::CountryCode;
use serde::Deserialize;

/// How a state takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A member state of ECOWAS.
    Member,
    /// A participant under other terms (MIDWA's non-members, states that left ECOWAS).
    Associate,
    /// Not taking part for now: its node may not publish or push policies; what it published is
    /// kept and released under its policy.
    Suspended,
}

impl FromStr for Standing {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "member" => Ok(Self::Member),
            "associate" => Ok(Self::Associate),
            "suspended" => Ok(Self::Suspended),
            other => Err(format!(
                "{other:?} is not one of: member, associate, suspended"
            )),
        }
    }
}

impl fmt::Display for Standing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Member => "member",
            Self::Associate => "associate",
            Self::Suspended => "suspended",
        })
    }
}

/// A participating state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// ISO 3166-1 alpha-2.
    pub code: CountryCode,
    /// Its name in English, French and Portuguese.
    pub names: [String; 3],
    /// How it takes part.
    pub standing: Standing,
}

/// The `[[participant]]` tables of the configuration, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    code: String,
    status: String,
    name: Names,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    en: String,
    fr: String,
    pt: String,
}

/// The region's participants. Empty means no list was configured: every state of a valid node
/// certificate may take part (for a trial region; a warning is logged at start).
#[derive(Debug, Clone, Default)]
pub struct Participants {
    by_code: HashMap<CountryCode, Participant>,
}

impl Participants {
    /// Checks the configured entries: codes, standings, names, no state twice.
    pub fn from_entries(entries: Vec<Entry>) -> Result<Self, String> {
        let mut by_code = HashMap::new();
        for (i, e) in entries.into_iter().enumerate() {
            let at = |why: String| format!("participant[{i}]: {why}");
            let code: CountryCode = e.code.parse().map_err(|e| at(format!("code: {e}")))?;
            let standing: Standing = e.status.parse().map_err(|e| at(format!("status: {e}")))?;
            let names = [e.name.en, e.name.fr, e.name.pt];
            if names.iter().any(|n| n.trim().is_empty()) {
                return Err(at("name: en, fr and pt are all required".into()));
            }
            let participant = Participant {
                code,
                names,
                standing,
            };
            if by_code.insert(code, participant).is_some() {
                return Err(at(format!("{code} is listed twice")));
            }
        }
        Ok(Self { by_code })
    }

    /// Whether no list is configured.
    pub fn is_open(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Every listed state, by code.
    pub fn all(&self) -> Vec<&Participant> {
        let mut all: Vec<&Participant> = self.by_code.values().collect();
        all.sort_by_key(|p| p.code);
        all
    }

    /// The codes of every listed state.
    pub fn codes(&self) -> impl Iterator<Item = CountryCode> + '_ {
        self.by_code.keys().copied()
    }

    /// The participant of a code, if listed.
    pub fn get(&self, code: CountryCode) -> Option<&Participant> {
        self.by_code.get(&code)
    }

    /// Whether the node of `code` may publish and push policies; the reason if not.
    pub fn may_contribute(&self, code: CountryCode) -> Result<(), String> {
        if self.is_open() {
            return Ok(());
        }
        match self.by_code.get(&code) {
            None => Err(format!(
                "{code} is not a participant of this region (the gateway's [[participant]] list)"
            )),
            Some(p) if p.standing == Standing::Suspended => Err(format!(
                "the participation of {} ({code}) is suspended",
                p.names[0]
            )),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, status: &str) -> Entry {
        Entry {
            code: code.into(),
            status: status.into(),
            name: Names {
                en: "Name".into(),
                fr: "Nom".into(),
                pt: "Nome".into(),
            },
        }
    }

    #[test]
    fn only_listed_states_in_good_standing_contribute() {
        let p = Participants::from_entries(vec![entry("NG", "member"), entry("ML", "suspended")])
            .expect("valid");
        let code = |c: &str| c.parse::<CountryCode>().expect("code");
        assert_eq!(p.may_contribute(code("NG")), Ok(()));
        assert!(
            p.may_contribute(code("ML"))
                .expect_err("suspended")
                .contains("suspended")
        );
        assert!(
            p.may_contribute(code("GH"))
                .expect_err("unlisted")
                .contains("not a participant")
        );
        assert!(Participants::default().may_contribute(code("GH")).is_ok());
        assert!(
            Participants::from_entries(vec![entry("NG", "member"), entry("NG", "member")]).is_err()
        );
        assert!(Participants::from_entries(vec![entry("NG", "observer")]).is_err());
    }
}
