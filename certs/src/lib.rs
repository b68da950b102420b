//! The MIDWA regional PKI, as a library and as the `midwa-certs` command.
//!
//! - [`identity`]: the SPIFFE-style identities of nodes, gateways, coordinators and consulates,
//!   and how they are read from a certificate.
//! - [`authority`]: the regional certificate authority in a directory: issue, revoke, CRLs.
//! - [`inspect`]: what a certificate says, for people.
//! - [`tls`]: rustls server and client configurations from a party's files, with the identity
//!   and revocation checks every connection gets.
//! - [`config`]: what every party's TOML configuration shares (its error, reading it).
//! - [`files`]: writing key material atomically with the right permissions.
//! - [`attestation`]: a node's signed claims about a return, checked offline against the CA.
//! - [`address`] and [`connect`]: the gateway's `https://` address, and the mTLS connection to
//!   it every party dials (TCP, TLS 1.3 with the party's certificate, then gRPC).
//! - [`language`]: the user's language carried by a call, and answered in.
#![warn(missing_docs)]

pub mod address;
pub mod attestation;
pub mod authority;
pub mod config;
pub mod connect;
pub mod files;
pub mod identity;
pub mod inspect;
pub mod language;
pub mod tls;

use std::path::Path;

pub use authority::{Authority, CaError, Issued, LeafRequest, Reason};
pub use identity::{Identity, IdentityError, Role, TrustDomain};

use files::{Mode, WriteError, write_file};

/// Refuses a directory that already holds a party's files (unless `force`): checked before a
/// certificate is issued, so that a refused `issue` records nothing in the CA's registry.
pub fn check_party_files(dir: &Path, force: bool) -> Result<(), WriteError> {
    match ["key.pem", "cert.pem", "ca.pem"]
        .iter()
        .find(|name| dir.join(name).exists())
    {
        Some(name) if !force => Err(WriteError::Exists(dir.join(name))),
        _ => Ok(()),
    }
}

/// Writes what a party needs into `dir`: `cert.pem`, `key.pem` (mode 0600) and the CA's
/// `ca.pem`. Refuses, before writing anything, if any of them exists and `force` is not set.
pub fn write_party_files(
    dir: &Path,
    issued: &Issued,
    ca_pem: &str,
    force: bool,
) -> Result<(), WriteError> {
    let files = [
        ("key.pem", issued.key_pem.as_str(), Mode::Secret),
        ("cert.pem", issued.cert_pem.as_str(), Mode::Public),
        ("ca.pem", ca_pem, Mode::Public),
    ];
    check_party_files(dir, force)?;
    files.iter().try_for_each(|(name, contents, mode)| {
        write_file(&dir.join(name), contents.as_bytes(), *mode, true)
    })
}
