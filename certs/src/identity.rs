//! Who a certificate speaks for. Every party has exactly one SPIFFE-style URI in its
//! certificate, under the region's trust domain:
//!
//! | role | URI |
//! |---|---|
//! | state node | `spiffe://<domain>/state/NG/node` |
//! | gateway | `spiffe://<domain>/gateway/<name>` |
//! | regional coordinator | `spiffe://<domain>/region/coordinator/<name>` |
//! | consulate | `spiffe://<domain>/state/GH/consulate/<post>` |
//!
//! State codes are two capital letters; names and posts are 1 to 63 characters of a-z, 0-9
//! and '-'.

use std::fmt;
use std::str::FromStr;

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// Why a certificate or URI does not name a valid party.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The trust domain is not a lower-case DNS-like name.
    #[error("{0:?} is not a valid trust domain (lower-case letters, digits, '-' and '.')")]
    TrustDomain(String),
    /// The URI is not one of the forms of [`Role`].
    #[error("{uri:?} is not a MIDWA identity: {why}")]
    Uri {
        /// The URI given.
        uri: String,
        /// What is wrong with it.
        why: String,
    },
    /// The certificate could not be parsed.
    #[error("the certificate is not valid X.509: {0}")]
    Parse(String),
    /// The certificate has no URI subject alternative name, or more than one.
    #[error("the certificate has {0} URI subject alternative names; exactly one is required")]
    UriCount(usize),
    /// The certificate is a CA certificate.
    #[error("the certificate is a CA certificate and cannot identify a party")]
    IsCa,
}

/// The region's trust domain, such as `midwa.example`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrustDomain(String);

impl TrustDomain {
    /// The domain as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TrustDomain {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= 253
            && s.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdentityError::TrustDomain(s.to_owned()))
        }
    }
}

impl fmt::Display for TrustDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a party may be. Authorisation is decided on this, never on a message body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// The node of a state's national migration agency.
    Node {
        /// ISO 3166-1 alpha-2 code of the state.
        state: String,
    },
    /// A regional gateway.
    Gateway {
        /// The gateway's name.
        name: String,
    },
    /// A regional coordinator (ECOWAS Commission, MIDWA secretariat).
    Coordinator {
        /// The coordinator's name.
        name: String,
    },
    /// A consulate: a state's mission abroad.
    Consulate {
        /// ISO 3166-1 alpha-2 code of the state the consulate belongs to.
        state: String,
        /// The post, such as `tripoli`.
        post: String,
    },
}

impl Role {
    /// The role's kind, for logs and messages: `node`, `gateway`, `coordinator` or `consulate`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Node { .. } => "node",
            Self::Gateway { .. } => "gateway",
            Self::Coordinator { .. } => "coordinator",
            Self::Consulate { .. } => "consulate",
        }
    }

    /// The state the party belongs to, for nodes and consulates.
    pub fn state(&self) -> Option<&str> {
        match self {
            Self::Node { state } | Self::Consulate { state, .. } => Some(state),
            Self::Gateway { .. } | Self::Coordinator { .. } => None,
        }
    }

    /// The SPIFFE URI of this role under `domain`.
    pub fn uri(&self, domain: &TrustDomain) -> String {
        match self {
            Self::Node { state } => format!("spiffe://{domain}/state/{state}/node"),
            Self::Gateway { name } => format!("spiffe://{domain}/gateway/{name}"),
            Self::Coordinator { name } => format!("spiffe://{domain}/region/coordinator/{name}"),
            Self::Consulate { state, post } => {
                format!("spiffe://{domain}/state/{state}/consulate/{post}")
            }
        }
    }

    /// Parses a SPIFFE URI issued under `domain`.
    pub fn from_uri(uri: &str, domain: &TrustDomain) -> Result<Self, IdentityError> {
        let err = |why: &str| IdentityError::Uri {
            uri: uri.to_owned(),
            why: why.to_owned(),
        };
        let path = uri
            .strip_prefix("spiffe://")
            .and_then(|rest| rest.strip_prefix(domain.as_str()))
            .and_then(|rest| rest.strip_prefix('/'))
            .ok_or_else(|| err(&format!("not under spiffe://{domain}/")))?;
        let parts: Vec<&str> = path.split('/').collect();
        let role = match parts.as_slice() {
            ["state", state, "node"] => Self::Node {
                state: state_code(state).ok_or_else(|| err("bad state code"))?,
            },
            ["state", state, "consulate", post] => Self::Consulate {
                state: state_code(state).ok_or_else(|| err("bad state code"))?,
                post: name(post).ok_or_else(|| err("bad post name"))?,
            },
            ["gateway", n] => Self::Gateway {
                name: name(n).ok_or_else(|| err("bad gateway name"))?,
            },
            ["region", "coordinator", n] => Self::Coordinator {
                name: name(n).ok_or_else(|| err("bad coordinator name"))?,
            },
            _ => return Err(err("unknown path")),
        };
        Ok(role)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Node { state } => write!(f, "node of {state}"),
            Self::Gateway { name } => write!(f, "gateway {name}"),
            Self::Coordinator { name } => write!(f, "coordinator {name}"),
            Self::Consulate { state, post } => write!(f, "consulate of {state} at {post}"),
        }
    }
}

/// A state code for an identity: two capital letters.
pub fn state_code(s: &str) -> Option<String> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())).then(|| s.to_owned())
}

/// A name or post for an identity: 1 to 63 characters of a-z, 0-9 and '-'.
pub fn name(s: &str) -> Option<String> {
    let ok = (1..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then(|| s.to_owned())
}

/// What a leaf certificate says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The role its URI names.
    pub role: Role,
    /// The URI itself.
    pub uri: String,
    /// The certificate's serial number, lower-case hex.
    pub serial: String,
    /// End of the certificate's validity, in seconds since the Unix epoch.
    pub not_after: i64,
}

impl Identity {
    /// Reads the identity of a DER leaf certificate: exactly one URI SAN, of a MIDWA form, under
    /// `domain`, on a certificate that is not a CA. The chain is not verified here: that is the
    /// TLS verifier's work, which calls this afterwards.
    pub fn of_certificate(der: &[u8], domain: &TrustDomain) -> Result<Self, IdentityError> {
        let (_, cert) =
            X509Certificate::from_der(der).map_err(|e| IdentityError::Parse(e.to_string()))?;
        if cert.is_ca() {
            return Err(IdentityError::IsCa);
        }
        let uris: Vec<&str> = match cert.subject_alternative_name() {
            Ok(Some(san)) => san
                .value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::URI(uri) => Some(*uri),
                    _ => None,
                })
                .collect(),
            Ok(None) => Vec::new(),
            Err(e) => return Err(IdentityError::Parse(e.to_string())),
        };
        let [uri] = uris.as_slice() else {
            return Err(IdentityError::UriCount(uris.len()));
        };
        Ok(Self {
            role: Role::from_uri(uri, domain)?,
            uri: (*uri).to_owned(),
            serial: cert.raw_serial_as_string().replace(':', ""),
            not_after: cert.validity().not_after.timestamp(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> TrustDomain {
        "midwa.example".parse().expect("valid domain")
    }

    #[test]
    fn every_role_round_trips_through_its_uri() {
        let roles = [
            Role::Node { state: "NG".into() },
            Role::Gateway {
                name: "abuja-1".into(),
            },
            Role::Coordinator {
                name: "ecowas".into(),
            },
            Role::Consulate {
                state: "GH".into(),
                post: "tripoli".into(),
            },
        ];
        for role in roles {
            assert_eq!(Role::from_uri(&role.uri(&domain()), &domain()), Ok(role));
        }
    }

    #[test]
    fn foreign_or_malformed_uris_are_refused() {
        for uri in [
            "spiffe://other.example/state/NG/node",
            "spiffe://midwa.example/state/ng/node",
            "spiffe://midwa.example/state/NG/node/extra",
            "spiffe://midwa.example.evil/state/NG/node",
            "https://midwa.example/state/NG/node",
            "spiffe://midwa.example/gateway/Main",
        ] {
            assert!(Role::from_uri(uri, &domain()).is_err(), "{uri}");
        }
    }

    #[test]
    fn trust_domains_are_checked() {
        assert!("midwa.example".parse::<TrustDomain>().is_ok());
        assert!("Midwa.example".parse::<TrustDomain>().is_err());
        assert!("midwa..example".parse::<TrustDomain>().is_err());
        assert!("".parse::<TrustDomain>().is_err());
    }
}
