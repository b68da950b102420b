//! The regional certificate authority, kept in one directory:
//!
//! | file | what |
//! |---|---|
//! | `ca.pem` | the CA certificate, given to every party |
//! | `ca.key` | the CA private key (mode 0600); keep it offline |
//! | `registry.toml` | every certificate issued and revoked, and the CRL number |
//! | `crl.pem` | the current certificate revocation list, given to the gateway |

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevocationReason, RevokedCertParams, SanType, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::files::{Mode, WriteError, read_file, write_file};
use crate::identity::{Role, TrustDomain};

/// Default validity of the CA certificate: ten years.
pub const CA_VALIDITY: Duration = Duration::days(3653);
/// Default validity of a party's certificate: one year.
pub const LEAF_VALIDITY: Duration = Duration::days(365);
/// Default validity of a CRL: the gateway refuses every connection once it has expired, so a
/// new one must be published before then (`midwa-certs crl`).
pub const CRL_VALIDITY: Duration = Duration::days(30);
/// How far back a new certificate's validity starts, to tolerate clocks a little behind.
const BACKDATE: Duration = Duration::minutes(5);

/// A failure of the certificate authority.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaError {
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] WriteError),
    /// The directory does not hold a CA.
    #[error("{0} holds no certificate authority; create one with `midwa-certs init --ca-dir {0}`")]
    Missing(PathBuf),
    /// A CA file is damaged.
    #[error("{path} is damaged: {why}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// Certificate generation failed.
    #[error("could not generate the certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// The serial given to revoke was never issued by this CA.
    #[error("no certificate with serial {0} was issued by this CA; see `midwa-certs list`")]
    UnknownSerial(String),
    /// The operating system's random generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// Why a certificate was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// No reason given.
    Unspecified,
    /// The private key was lost or exposed.
    KeyCompromise,
    /// The party changed (a node handed over, a post closed).
    AffiliationChanged,
    /// Replaced by a new certificate.
    Superseded,
    /// The party no longer operates.
    CessationOfOperation,
}

impl Reason {
    fn to_rcgen(self) -> RevocationReason {
        match self {
            Self::Unspecified => RevocationReason::Unspecified,
            Self::KeyCompromise => RevocationReason::KeyCompromise,
            Self::AffiliationChanged => RevocationReason::AffiliationChanged,
            Self::Superseded => RevocationReason::Superseded,
            Self::CessationOfOperation => RevocationReason::CessationOfOperation,
        }
    }
}

/// What the CA remembers of every certificate it issued.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Registry {
    /// The trust domain of every identity this CA issues.
    pub trust_domain: String,
    /// The number of the last CRL published.
    pub crl_number: u64,
    /// Every certificate issued, oldest first.
    #[serde(default)]
    pub issued: Vec<IssuedEntry>,
    /// Every certificate revoked.
    #[serde(default)]
    pub revoked: Vec<RevokedEntry>,
}

/// One issued certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedEntry {
    /// Serial number, lower-case hex.
    pub serial: String,
    /// The identity URI.
    pub identity: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
}

/// One revoked certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevokedEntry {
    /// Serial number, lower-case hex.
    pub serial: String,
    /// When it was revoked, RFC 3339.
    pub revoked_at: String,
    /// Why.
    pub reason: Reason,
}

/// What to issue for a party.
#[derive(Debug, Clone)]
pub struct LeafRequest {
    /// Who the certificate speaks for.
    pub role: Role,
    /// How long it is valid from now.
    pub validity: Duration,
    /// Host names a server certificate answers to (the gateway's).
    pub dns_names: Vec<String>,
    /// Addresses a server certificate answers to (the gateway's).
    pub ip_addresses: Vec<IpAddr>,
}

/// A certificate and its private key, in PEM.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate.
    pub cert_pem: String,
    /// The private key. Write it with [`Mode::Secret`].
    pub key_pem: String,
    /// The serial number, lower-case hex.
    pub serial: String,
}

/// The regional certificate authority.
#[derive(Debug)]
pub struct Authority {
    dir: PathBuf,
    domain: TrustDomain,
    key: KeyPair,
    cert_pem: String,
    registry: Registry,
}

impl Authority {
    /// Creates a new CA in `dir`, with its first (empty) CRL.
    pub fn init(
        dir: &Path,
        domain: TrustDomain,
        common_name: &str,
        validity: Duration,
        force: bool,
    ) -> Result<Self, CaError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(random_serial()?);
        let now = OffsetDateTime::now_utc();
        params.not_before = now - BACKDATE;
        params.not_after = now + validity;
        let cert = params.self_signed(&key)?;

        write_file(
            &dir.join("ca.key"),
            key.serialize_pem().as_bytes(),
            Mode::Secret,
            force,
        )?;
        write_file(
            &dir.join("ca.pem"),
            cert.pem().as_bytes(),
            Mode::Public,
            force,
        )?;
        let mut ca = Self {
            dir: dir.to_owned(),
            domain: domain.clone(),
            key,
            cert_pem: cert.pem(),
            registry: Registry {
                trust_domain: domain.to_string(),
                ..Registry::default()
            },
        };
        ca.save_registry()?;
        ca.publish_crl(CRL_VALIDITY)?;
        Ok(ca)
    }

    /// Opens the CA in `dir`.
    pub fn open(dir: &Path) -> Result<Self, CaError> {
        if !dir.join("ca.pem").exists() {
            return Err(CaError::Missing(dir.to_owned()));
        }
        let text = |file: &str| -> Result<String, CaError> {
            let path = dir.join(file);
            String::from_utf8(read_file(&path)?).map_err(|_| CaError::Damaged {
                path,
                why: "not UTF-8 text".into(),
            })
        };
        let damaged = |file: &str, why: String| CaError::Damaged {
            path: dir.join(file),
            why,
        };
        let key =
            KeyPair::from_pem(&text("ca.key")?).map_err(|e| damaged("ca.key", e.to_string()))?;
        let cert_pem = text("ca.pem")?;
        let registry: Registry = toml::from_str(&text("registry.toml")?)
            .map_err(|e| damaged("registry.toml", e.to_string()))?;
        let domain = registry
            .trust_domain
            .parse()
            .map_err(|e: crate::identity::IdentityError| damaged("registry.toml", e.to_string()))?;
        Ok(Self {
            dir: dir.to_owned(),
            domain,
            key,
            cert_pem,
            registry,
        })
    }

    /// The trust domain.
    pub fn domain(&self) -> &TrustDomain {
        &self.domain
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the CA has issued and revoked.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Issues a certificate and a fresh P-256 key for a party.
    pub fn issue(&mut self, request: &LeafRequest) -> Result<Issued, CaError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(&format!("MIDWA {}", request.role));
        let uri = request.role.uri(&self.domain);
        params.subject_alt_names = vec![SanType::URI(uri.as_str().try_into()?)];
        for dns in &request.dns_names {
            params
                .subject_alt_names
                .push(SanType::DnsName(dns.as_str().try_into()?));
        }
        params
            .subject_alt_names
            .extend(request.ip_addresses.iter().copied().map(SanType::IpAddress));
        params.extended_key_usages = match request.role {
            Role::Gateway { .. } => vec![ExtendedKeyUsagePurpose::ServerAuth],
            _ => vec![ExtendedKeyUsagePurpose::ClientAuth],
        };
        let now = OffsetDateTime::now_utc();
        params.not_before = now - BACKDATE;
        params.not_after = now + request.validity;
        let cert_pem = self.sign(params, &key)?;
        let serial = self
            .registry
            .issued
            .last()
            .map(|e| e.serial.clone())
            .unwrap_or_default();
        Ok(Issued {
            cert_pem,
            key_pem: key.serialize_pem(),
            serial,
        })
    }

    /// Signs a leaf certificate as given, with a random serial, and records it. Fields that make
    /// a sound leaf (not a CA, digital signature only, authority key identifier) are set here;
    /// identity and validity are the caller's.
    pub fn sign(
        &mut self,
        mut params: CertificateParams,
        key: &KeyPair,
    ) -> Result<String, CaError> {
        let serial = random_serial()?;
        params.serial_number = Some(serial.clone());
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        let issuer = self.issuer()?;
        let cert = params.signed_by(key, &issuer)?;
        let identity = params
            .subject_alt_names
            .iter()
            .find_map(|san| match san {
                SanType::URI(uri) => Some(uri.as_str().to_owned()),
                _ => None,
            })
            .unwrap_or_default();
        self.registry.issued.push(IssuedEntry {
            serial: hex(&serial.to_bytes()),
            identity,
            not_after: params
                .not_after
                .replace_nanosecond(0)
                .unwrap_or(params.not_after)
                .format(&Rfc3339)
                .unwrap_or_default(),
        });
        self.save_registry()?;
        Ok(cert.pem())
    }

    /// Revokes a certificate this CA issued and publishes a new CRL.
    pub fn revoke(&mut self, serial: &str, reason: Reason) -> Result<(), CaError> {
        let serial = serial
            .trim()
            .trim_start_matches("0x")
            .replace(':', "")
            .to_ascii_lowercase();
        if !self.registry.issued.iter().any(|e| e.serial == serial) {
            return Err(CaError::UnknownSerial(serial));
        }
        if !self.registry.revoked.iter().any(|e| e.serial == serial) {
            let now = OffsetDateTime::now_utc();
            let revoked_at = now
                .replace_nanosecond(0)
                .unwrap_or(now)
                .format(&Rfc3339)
                .unwrap_or_default();
            self.registry.revoked.push(RevokedEntry {
                serial,
                revoked_at,
                reason,
            });
            self.save_registry()?;
        }
        self.publish_crl(CRL_VALIDITY)?;
        Ok(())
    }

    /// Signs a new CRL listing every revoked certificate, valid for `validity`, and writes it
    /// to `crl.pem`. Returns its path.
    pub fn publish_crl(&mut self, validity: Duration) -> Result<PathBuf, CaError> {
        self.registry.crl_number += 1;
        let now = OffsetDateTime::now_utc();
        let revoked_certs = self
            .registry
            .revoked
            .iter()
            .map(|entry| RevokedCertParams {
                serial_number: SerialNumber::from_slice(&unhex(&entry.serial)),
                revocation_time: OffsetDateTime::parse(&entry.revoked_at, &Rfc3339).unwrap_or(now),
                reason_code: Some(entry.reason.to_rcgen()),
                invalidity_date: None,
            })
            .collect();
        let params = CertificateRevocationListParams {
            this_update: now - BACKDATE,
            next_update: now + validity,
            crl_number: SerialNumber::from_slice(&self.registry.crl_number.to_be_bytes()),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params.signed_by(&self.issuer()?)?;
        self.save_registry()?;
        let path = self.dir.join("crl.pem");
        write_file(&path, crl.pem()?.as_bytes(), Mode::Public, true)?;
        Ok(path)
    }

    fn issuer(&self) -> Result<Issuer<'_, &KeyPair>, CaError> {
        Ok(Issuer::from_ca_cert_pem(&self.cert_pem, &self.key)?)
    }

    fn save_registry(&self) -> Result<(), CaError> {
        let text = toml::to_string_pretty(&self.registry).map_err(|e| CaError::Damaged {
            path: self.dir.join("registry.toml"),
            why: e.to_string(),
        })?;
        write_file(
            &self.dir.join("registry.toml"),
            text.as_bytes(),
            Mode::Public,
            true,
        )?;
        Ok(())
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "MIDWA Exchange");
    dn.push(DnType::CommonName, common_name);
    dn
}

/// A random positive 128-bit serial, so that a re-issued certificate never repeats one.
fn random_serial() -> Result<SerialNumber, CaError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| CaError::Random)?;
    // Positive, and with no leading zero byte, so its DER form is exactly these 16 bytes.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::{Credentials, Revocations, TlsFiles};

    #[test]
    fn issued_certificates_load_and_revocations_reach_the_crl() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_dir = dir.path().join("ca");
        let domain: TrustDomain = "midwa.example".parse().expect("domain");
        let mut ca =
            Authority::init(&ca_dir, domain.clone(), "Test CA", CA_VALIDITY, false).expect("init");
        let again = Authority::init(&ca_dir, domain.clone(), "Test CA", CA_VALIDITY, false);
        assert!(
            matches!(again, Err(CaError::File(WriteError::Exists(_)))),
            "a CA was silently replaced"
        );

        let request = LeafRequest {
            role: Role::Consulate {
                state: "GH".into(),
                post: "tripoli".into(),
            },
            validity: LEAF_VALIDITY,
            dns_names: vec![],
            ip_addresses: vec![],
        };
        let issued = ca.issue(&request).expect("issue");
        crate::write_party_files(&dir.path().join("gh"), &issued, ca.cert_pem(), false)
            .expect("write");
        let files = TlsFiles {
            cert: dir.path().join("gh/cert.pem"),
            key: dir.path().join("gh/key.pem"),
            ca: dir.path().join("gh/ca.pem"),
        };
        let creds = Credentials::load(&files, &domain).expect("load");
        assert_eq!(creds.identity().role, request.role);
        assert_eq!(creds.identity().serial, issued.serial);
        assert!(creds.require_role("node", &files.cert).is_err());

        let crl = Revocations::load(&ca_dir.join("crl.pem"), &creds).expect("initial CRL");
        assert!(crl.is_empty());
        let mut ca = Authority::open(&ca_dir).expect("reopen");
        ca.revoke(&issued.serial, Reason::KeyCompromise)
            .expect("revoke");
        assert!(matches!(
            ca.revoke("00ff", Reason::Unspecified),
            Err(CaError::UnknownSerial(_))
        ));
        let crl = Revocations::load(&ca_dir.join("crl.pem"), &creds).expect("new CRL");
        assert!(crl.is_revoked(&issued.serial) && crl.len() == 1);
    }

    #[test]
    fn a_crl_from_another_ca_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let domain: TrustDomain = "midwa.example".parse().expect("domain");
        let mut ca = Authority::init(
            &dir.path().join("a"),
            domain.clone(),
            "A",
            CA_VALIDITY,
            false,
        )
        .expect("init");
        Authority::init(
            &dir.path().join("b"),
            domain.clone(),
            "B",
            CA_VALIDITY,
            false,
        )
        .expect("init");
        let issued = ca
            .issue(&LeafRequest {
                role: Role::Node { state: "NG".into() },
                validity: LEAF_VALIDITY,
                dns_names: vec![],
                ip_addresses: vec![],
            })
            .expect("issue");
        crate::write_party_files(&dir.path().join("ng"), &issued, ca.cert_pem(), false)
            .expect("write");
        let files = TlsFiles {
            cert: dir.path().join("ng/cert.pem"),
            key: dir.path().join("ng/key.pem"),
            ca: dir.path().join("ng/ca.pem"),
        };
        let creds = Credentials::load(&files, &domain).expect("load");
        let err = Revocations::load(&dir.path().join("b/crl.pem"), &creds)
            .expect_err("foreign CRL")
            .to_string();
        assert!(err.contains("not signed by the regional CA"), "{err}");
    }

    #[test]
    fn serials_are_random_and_positive() {
        let a = random_serial().expect("random").to_bytes();
        let b = random_serial().expect("random").to_bytes();
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        assert!(a[0] & 0x80 == 0 && a[0] != 0);
        assert_eq!(unhex(&hex(&a)), a);
    }
}
