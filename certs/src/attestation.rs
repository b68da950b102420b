//! Signed attestations of a return, for a returnee to carry beside their receipt code. The
//! origin state's node signs a few claims with its own key; anyone holding the regional CA's
//! certificate can check them offline, without asking the gateway.
//!
//! Text form, one line (fits a QR code): `MIDWA1.<claims>.<signature>.<certificate>`, each
//! part base64url without padding. The claims are UTF-8 lines `name=value`; the signature is
//! ECDSA P-256 with SHA-256 (fixed r||s); the certificate is the node's, DER.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::identity::{Role, TrustDomain};

const PREFIX: &str = "MIDWA1";

/// What a node attests about one return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The origin state, ISO 3166-1 alpha-2.
    pub origin: String,
    /// Month of return, `YYYY-MM`.
    pub month: String,
    /// `air`, `land` or `sea`.
    pub mode: String,
    /// The digest of the receipt code, hex: binds the attestation to one code.
    pub receipt: String,
    /// When it was signed, RFC 3339 UTC.
    pub issued: String,
}

impl Claims {
    fn encode(&self) -> String {
        format!(
            "v=1\norigin={}\nmonth={}\nmode={}\nreceipt={}\nissued={}\n",
            self.origin, self.month, self.mode, self.receipt, self.issued
        )
    }

    fn decode(text: &str) -> Option<Self> {
        let mut fields = std::collections::HashMap::new();
        for line in text.lines() {
            let (k, v) = line.split_once('=')?;
            fields.insert(k, v.to_owned());
        }
        if fields.get("v").map(String::as_str) != Some("1") {
            return None;
        }
        Some(Self {
            origin: fields.remove("origin")?,
            month: fields.remove("month")?,
            mode: fields.remove("mode")?,
            receipt: fields.remove("receipt")?,
            issued: fields.remove("issued")?,
        })
    }
}

/// Why an attestation cannot be made or does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttestationError {
    /// The node's key cannot sign.
    #[error("cannot sign attestations with {path}: {why}")]
    Key {
        /// The key file.
        path: String,
        /// Why.
        why: String,
    },
    /// Not an attestation at all.
    #[error("not a MIDWA attestation: {0}")]
    Malformed(&'static str),
    /// The certificate is not a node certificate issued by this CA.
    #[error("the attestation's certificate is not a node certificate of this region: {0}")]
    Certificate(String),
    /// The signature does not match the claims: forged or altered.
    #[error("the signature does not match: the attestation was forged or altered")]
    Signature,
    /// The claims name another state than the signing node.
    #[error("signed by the node of {signer}, but claims a return to {claimed}")]
    WrongOrigin {
        /// The state of the signing node.
        signer: String,
        /// The state claimed.
        claimed: String,
    },
}

/// Signs attestations with a node's certificate key.
#[derive(Debug)]
pub struct Signer {
    key: EcdsaKeyPair,
    cert: Vec<u8>,
}

impl Signer {
    /// Loads the key (PKCS#8 PEM, as `midwa-certs` writes it) and certificate of a node.
    pub fn load(cert_pem: &[u8], key_pem: &[u8], key_path: &str) -> Result<Self, AttestationError> {
        let err = |why: String| AttestationError::Key {
            path: key_path.to_owned(),
            why,
        };
        let key_der = rustls::pki_types::PrivatePkcs8KeyDer::from_pem_slice(key_pem)
            .map_err(|e| err(format!("not a PKCS#8 PEM key: {e}")))?;
        let key = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            key_der.secret_pkcs8_der(),
            &SystemRandom::new(),
        )
        .map_err(|e| err(format!("not an ECDSA P-256 key: {e}")))?;
        let cert = CertificateDer::from_pem_slice(cert_pem)
            .map_err(|e| err(format!("certificate: {e}")))?;
        let (_, parsed) = X509Certificate::from_der(cert.as_ref())
            .map_err(|e| err(format!("certificate: {e}")))?;
        if parsed.public_key().subject_public_key.data.as_ref() != key.public_key().as_ref() {
            return Err(err("the key does not belong to the certificate".into()));
        }
        Ok(Self {
            key,
            cert: cert.as_ref().to_vec(),
        })
    }

    /// The attestation of `claims`, as one line of text.
    pub fn attest(&self, claims: &Claims) -> Result<String, AttestationError> {
        let payload = claims.encode();
        let sig = self
            .key
            .sign(&SystemRandom::new(), payload.as_bytes())
            .map_err(|_| AttestationError::Key {
                path: String::new(),
                why: "signing failed".into(),
            })?;
        Ok(format!(
            "{PREFIX}.{}.{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig.as_ref()),
            URL_SAFE_NO_PAD.encode(&self.cert)
        ))
    }
}

/// Checks an attestation offline against the regional CA certificate (PEM): the certificate
/// was issued by the CA to a node of the claimed origin and was valid when the attestation was
/// signed, and the signature covers the claims. Returns the claims.
pub fn verify(text: &str, ca_pem: &[u8], domain: &TrustDomain) -> Result<Claims, AttestationError> {
    let parts: Vec<&str> = text.trim().split('.').collect();
    let [prefix, payload, sig, cert] = parts[..] else {
        return Err(AttestationError::Malformed(
            "expected MIDWA1.claims.signature.certificate",
        ));
    };
    if prefix != PREFIX {
        return Err(AttestationError::Malformed("unknown version"));
    }
    let decode = |part: &str, what: &'static str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| AttestationError::Malformed(what))
    };
    let payload = decode(payload, "the claims are not base64url")?;
    let sig = decode(sig, "the signature is not base64url")?;
    let cert_der = decode(cert, "the certificate is not base64url")?;
    let claims = std::str::from_utf8(&payload)
        .ok()
        .and_then(Claims::decode)
        .ok_or(AttestationError::Malformed("the claims cannot be read"))?;

    let cert_err = |why: String| AttestationError::Certificate(why);
    let ca = CertificateDer::from_pem_slice(ca_pem).map_err(|e| cert_err(format!("CA: {e}")))?;
    let (_, ca) =
        X509Certificate::from_der(ca.as_ref()).map_err(|e| cert_err(format!("CA: {e}")))?;
    let (_, leaf) = X509Certificate::from_der(&cert_der).map_err(|e| cert_err(e.to_string()))?;
    leaf.verify_signature(Some(ca.public_key()))
        .map_err(|_| cert_err("not issued by this CA".into()))?;
    let issued = time::OffsetDateTime::parse(
        &claims.issued,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|_| AttestationError::Malformed("the issue time cannot be read"))?;
    let validity = leaf.validity();
    if issued < validity.not_before.to_datetime() || issued > validity.not_after.to_datetime() {
        return Err(cert_err(
            "it was not valid when the attestation was signed".into(),
        ));
    }
    let identity = crate::identity::Identity::of_certificate(&cert_der, domain)
        .map_err(|e| cert_err(e.to_string()))?;
    let Role::Node { state } = identity.role else {
        return Err(cert_err(format!(
            "it is a {} certificate",
            identity.role.kind()
        )));
    };
    let key = signature::UnparsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_FIXED,
        leaf.public_key().subject_public_key.data.as_ref(),
    );
    key.verify(&payload, &sig)
        .map_err(|_| AttestationError::Signature)?;
    if state != claims.origin {
        return Err(AttestationError::WrongOrigin {
            signer: state,
            claimed: claims.origin,
        });
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::{Authority, LeafRequest};

    fn region(dir: &std::path::Path, state: &str) -> (Authority, crate::Issued) {
        let mut ca = Authority::init(
            dir,
            "midwa.example".parse().expect("domain"),
            "Test CA",
            time::Duration::days(30),
            false,
        )
        .expect("CA");
        let issued = ca
            .issue(&LeafRequest {
                role: Role::Node {
                    state: state.into(),
                },
                validity: time::Duration::days(10),
                dns_names: vec![],
                ip_addresses: vec![],
            })
            .expect("node");
        (ca, issued)
    }

    fn claims() -> Claims {
        Claims {
            origin: "NG".into(),
            month: "2024-03".into(),
            mode: "air".into(),
            receipt: "00112233445566778899aabbccddeeff".into(),
            issued: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .expect("time"),
        }
    }

    #[test]
    fn an_attestation_verifies_offline_and_a_forgery_does_not() {
        let dir = tempfile::tempdir().expect("dir");
        let (ca, node) = region(dir.path(), "NG");
        let domain: TrustDomain = "midwa.example".parse().expect("domain");
        let signer = Signer::load(node.cert_pem.as_bytes(), node.key_pem.as_bytes(), "key.pem")
            .expect("signer");
        let text = signer.attest(&claims()).expect("attest");
        assert!(text.starts_with("MIDWA1."));
        assert_eq!(
            verify(&text, ca.cert_pem().as_bytes(), &domain),
            Ok(claims_with(&text))
        );

        // Altered claims: another month, same signature.
        let parts: Vec<&str> = text.split('.').collect();
        let altered = URL_SAFE_NO_PAD.encode(
            String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).expect("b64"))
                .expect("utf8")
                .replace("2024-03", "2023-03"),
        );
        let forged = format!("{}.{}.{}.{}", parts[0], altered, parts[2], parts[3]);
        assert_eq!(
            verify(&forged, ca.cert_pem().as_bytes(), &domain),
            Err(AttestationError::Signature)
        );

        // Signed by a node of another region's CA.
        let other = tempfile::tempdir().expect("dir");
        let (other_ca, _) = region(other.path(), "NG");
        assert!(matches!(
            verify(&text, other_ca.cert_pem().as_bytes(), &domain),
            Err(AttestationError::Certificate(_))
        ));
        assert!(matches!(
            verify("MIDWA1.x", ca.cert_pem().as_bytes(), &domain),
            Err(AttestationError::Malformed(_))
        ));
    }

    #[test]
    fn a_node_cannot_attest_for_another_state() {
        let dir = tempfile::tempdir().expect("dir");
        let (ca, gh) = region(dir.path(), "GH");
        let signer =
            Signer::load(gh.cert_pem.as_bytes(), gh.key_pem.as_bytes(), "k").expect("signer");
        let text = signer.attest(&claims()).expect("attest");
        assert!(matches!(
            verify(
                &text,
                ca.cert_pem().as_bytes(),
                &"midwa.example".parse().expect("domain")
            ),
            Err(AttestationError::WrongOrigin { .. })
        ));
    }

    fn claims_with(text: &str) -> Claims {
        let payload = URL_SAFE_NO_PAD
            .decode(text.split('.').nth(1).expect("claims"))
            .expect("b64");
        Claims::decode(std::str::from_utf8(&payload).expect("utf8")).expect("claims")
    }
}
