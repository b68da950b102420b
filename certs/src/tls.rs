//! TLS 1.3 configuration for every party, from the files the CA issued. Mutual authentication
//! is mandatory: a server requires a client certificate of this region, a client requires the
//! gateway's. After the chain is verified, the peer's identity (exactly one MIDWA URI) is checked
//! in the handshake itself, so a certificate without one never gets a connection.
//!
//! Only the `ring` crypto provider is used, passed explicitly: no process-wide default is needed.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, ServerName, UnixTime,
};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, DistinguishedName, OtherError,
    RootCertStore, ServerConfig, SignatureScheme,
};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::authority::hex;
use crate::identity::{Identity, IdentityError, Role, TrustDomain};
use midwa_i18n::{Text, text};

/// A problem with a party's TLS material. Each names the file and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read.
    #[error("{}", text!("tls-cannot-read", path = path.display().to_string(), why = crate::config::io_reason(error)))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (said in the message, so not a source to print again).
        error: std::io::Error,
    },
    /// A file is not what it should be.
    #[error("{}", text!("tls-invalid", path = path.display().to_string(), why = why.clone()))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        why: Text,
    },
    /// The certificate names no valid identity.
    #[error("{path}: {source}")]
    Identity {
        /// The certificate file.
        path: PathBuf,
        /// What is wrong.
        source: IdentityError,
    },
    /// The certificate is for another kind of party.
    #[error("{}", text!("tls-wrong-role", path = path.display().to_string(), found = found.clone(), expected = *expected))]
    WrongRole {
        /// The certificate file.
        path: PathBuf,
        /// The role needed.
        expected: &'static str,
        /// The role found.
        found: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration refused: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where a party's TLS files are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Its certificate (PEM).
    pub cert: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// The regional CA certificate (PEM).
    pub ca: PathBuf,
}

/// A party's own certificate and key, checked at load: readable, issued by the regional CA,
/// currently valid, naming one identity under the trust domain.
pub struct Credentials {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    roots: Arc<RootCertStore>,
    ca: CertificateDer<'static>,
    identity: Identity,
    domain: TrustDomain,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Loads and checks a party's files.
    pub fn load(files: &TlsFiles, domain: &TrustDomain) -> Result<Self, TlsError> {
        let ca = read_certs(&files.ca)?
            .into_iter()
            .next()
            .ok_or_else(|| TlsError::Invalid {
                path: files.ca.clone(),
                why: text!("tls-no-ca-cert"),
            })?;
        let chain = read_certs(&files.cert)?;
        let leaf = chain.first().ok_or_else(|| TlsError::Invalid {
            path: files.cert.clone(),
            why: text!("tls-no-cert"),
        })?;
        let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Invalid {
            path: files.key.clone(),
            why: text!("tls-no-key", detail = e.to_string()),
        })?;
        check_issued_now(&files.cert, leaf, &ca)?;
        let identity =
            Identity::of_certificate(leaf, domain).map_err(|source| TlsError::Identity {
                path: files.cert.clone(),
                source,
            })?;
        let mut roots = RootCertStore::empty();
        roots.add(ca.clone()).map_err(|e| TlsError::Invalid {
            path: files.ca.clone(),
            why: text!("tls-bad-ca", detail = e.to_string()),
        })?;
        Ok(Self {
            chain,
            key,
            roots: Arc::new(roots),
            ca,
            identity,
            domain: domain.clone(),
        })
    }

    /// The identity the certificate names.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Fails unless the certificate is of the kind `expected` (see [`Role::kind`]).
    pub fn require_role(&self, expected: &'static str, cert_path: &Path) -> Result<(), TlsError> {
        if self.identity.role.kind() == expected {
            Ok(())
        } else {
            Err(TlsError::WrongRole {
                path: cert_path.to_owned(),
                expected,
                found: self.identity.role.to_string(),
            })
        }
    }
}

/// The revocation list in force, checked at load: signed by the regional CA and not expired.
#[derive(Debug, Clone)]
pub struct Revocations {
    der: CertificateRevocationListDer<'static>,
    serials: HashSet<String>,
}

impl Revocations {
    /// Loads and checks a CRL file published by `midwa-certs`.
    pub fn load(path: &Path, credentials: &Credentials) -> Result<Self, TlsError> {
        let invalid = |why: Text| TlsError::Invalid {
            path: path.to_owned(),
            why,
        };
        let bytes = std::fs::read(path).map_err(|error| TlsError::Read {
            path: path.to_owned(),
            error,
        })?;
        let der = CertificateRevocationListDer::from_pem_slice(&bytes)
            .map_err(|e| invalid(text!("crl-not-pem", detail = e.to_string())))?;
        let (_, crl) = CertificateRevocationList::from_der(&der)
            .map_err(|e| invalid(text!("crl-invalid", detail = e.to_string())))?;
        let (_, ca) = X509Certificate::from_der(&credentials.ca)
            .map_err(|e| invalid(text!("crl-ca-unparsable", detail = e.to_string())))?;
        crl.verify_signature(ca.public_key())
            .map_err(|_| invalid(text!("crl-not-signed")))?;
        if let Some(next) = crl.next_update()
            && next.timestamp() < time::OffsetDateTime::now_utc().unix_timestamp()
        {
            return Err(invalid(text!("crl-expired", date = next.to_string())));
        }
        let serials = crl
            .iter_revoked_certificates()
            .map(|r| hex(r.raw_serial()))
            .collect();
        Ok(Self { der, serials })
    }

    /// Whether the certificate with this serial (lower-case hex) is revoked.
    pub fn is_revoked(&self, serial: &str) -> bool {
        self.serials.contains(serial)
    }

    /// How many certificates are revoked.
    pub fn len(&self) -> usize {
        self.serials.len()
    }

    /// Whether no certificate is revoked.
    pub fn is_empty(&self) -> bool {
        self.serials.is_empty()
    }
}

/// The crypto provider every configuration uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server configuration that requires a client certificate from the region, not revoked and
/// naming one valid identity. TLS 1.3 only, ALPN `h2`, no session resumption (a resumed session
/// would skip the revocation check).
pub fn server_config(
    creds: &Credentials,
    crl: &Revocations,
) -> Result<Arc<ServerConfig>, TlsError> {
    let webpki = WebPkiClientVerifier::builder_with_provider(creds.roots.clone(), provider())
        .with_crls([crl.der.clone()])
        .enforce_revocation_expiration()
        .build()
        .map_err(|e| TlsError::Rustls(rustls::Error::General(e.to_string())))?;
    let verifier = Arc::new(PartyVerifier {
        inner: webpki,
        domain: creds.domain.clone(),
    });
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(creds.chain.clone(), creds.key.clone_key())?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    config.send_tls13_tickets = 0;
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    Ok(Arc::new(config))
}

/// A client configuration that presents the party's certificate and accepts only a gateway
/// certificate of the region whose name matches the address dialled. TLS 1.3 only, ALPN `h2`,
/// no resumption.
pub fn client_config(creds: &Credentials) -> Result<Arc<ClientConfig>, TlsError> {
    let webpki = WebPkiServerVerifier::builder_with_provider(creds.roots.clone(), provider())
        .build()
        .map_err(|e| TlsError::Rustls(rustls::Error::General(e.to_string())))?;
    let verifier = Arc::new(GatewayVerifier {
        inner: webpki,
        domain: creds.domain.clone(),
    });
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_auth_cert(creds.chain.clone(), creds.key.clone_key())?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

/// The identity of the first certificate of a verified chain presented by a peer.
pub fn peer_identity(
    certs: &[CertificateDer<'_>],
    domain: &TrustDomain,
) -> Result<Identity, IdentityError> {
    let leaf = certs.first().ok_or(IdentityError::UriCount(0))?;
    Identity::of_certificate(leaf, domain)
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|error| TlsError::Read {
        path: path.to_owned(),
        error,
    })?;
    CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Invalid {
            path: path.to_owned(),
            why: text!("tls-not-pem", detail = e.to_string()),
        })
}

/// Fails early, with dates, for a certificate that another party would refuse anyway.
fn check_issued_now(path: &Path, leaf: &[u8], ca: &[u8]) -> Result<(), TlsError> {
    let invalid = |why: Text| TlsError::Invalid {
        path: path.to_owned(),
        why,
    };
    let (_, cert) = X509Certificate::from_der(leaf)
        .map_err(|e| invalid(text!("tls-not-x509", detail = e.to_string())))?;
    let (_, ca) = X509Certificate::from_der(ca)
        .map_err(|e| invalid(text!("tls-ca-not-x509", detail = e.to_string())))?;
    cert.verify_signature(Some(ca.public_key()))
        .map_err(|_| invalid(text!("tls-not-issued")))?;
    let validity = cert.validity();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if validity.not_after.timestamp() < now {
        return Err(invalid(text!(
            "tls-expired",
            date = validity.not_after.to_string()
        )));
    }
    if validity.not_before.timestamp() > now {
        return Err(invalid(text!(
            "tls-not-yet",
            date = validity.not_before.to_string()
        )));
    }
    Ok(())
}

fn refuse(why: impl fmt::Display) -> rustls::Error {
    let err: Box<dyn std::error::Error + Send + Sync> = why.to_string().into();
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::from(err))))
}

/// The handshake-signature methods both verifiers take from webpki unchanged: only the
/// certificate check differs.
macro_rules! delegate_signatures {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.inner.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.inner.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.inner.supported_verify_schemes()
        }
    };
}

/// Chain and revocation by webpki, then exactly one MIDWA identity.
#[derive(Debug)]
struct PartyVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    domain: TrustDomain,
}

impl ClientCertVerifier for PartyVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let verified = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        Identity::of_certificate(end_entity, &self.domain).map_err(refuse)?;
        Ok(verified)
    }

    delegate_signatures!();
}

/// Chain and host name by webpki, then a gateway identity of the region.
#[derive(Debug)]
struct GatewayVerifier {
    inner: Arc<WebPkiServerVerifier>,
    domain: TrustDomain,
}

impl ServerCertVerifier for GatewayVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let identity = Identity::of_certificate(end_entity, &self.domain).map_err(refuse)?;
        if !matches!(identity.role, Role::Gateway { .. }) {
            return Err(refuse(format!(
                "the server is a {}, not a gateway",
                identity.role
            )));
        }
        Ok(verified)
    }

    delegate_signatures!();
}
