//! The configuration of a coordinator's or consulate's `midwa` command: a TOML file, parsed
//! once into typed values; relative paths are taken from the file's directory. See
//! `deploy/client.toml`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use midwa_certs::TrustDomain;
use serde::Deserialize;

use midwa_certs::address::GatewayAddress;

pub use midwa_certs::config::ConfigError;

/// How to reach the gateway, and as whom.
#[derive(Debug, Clone)]
pub struct Config {
    /// The gateway, `https://host:port`.
    pub gateway: GatewayAddress,
    /// The region's trust domain.
    pub trust_domain: TrustDomain,
    /// This party's certificate, key and the regional CA.
    pub tls: midwa_certs::tls::TlsFiles,
    /// Longest wait for the connection.
    pub connect_timeout: Duration,
    /// The language of messages and of the console's default, unless `--lang` says otherwise.
    pub lang: Option<midwa_i18n::Lang>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    gateway: String,
    trust_domain: String,
    tls: TlsSection,
    #[serde(default = "default_connect_timeout_ms")]
    connect_timeout_ms: u64,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsSection {
    cert: PathBuf,
    key: PathBuf,
    ca: PathBuf,
}

fn default_connect_timeout_ms() -> u64 {
    10_000
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        midwa_certs::config::load(path, Self::check)
    }

    /// Parses configuration text; `path` names it in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        midwa_certs::config::parse_with(text, path, Self::check)
    }

    fn check(file: File, place: midwa_certs::config::Place<'_>) -> Result<Self, ConfigError> {
        let invalid = |why: String| place.invalid(why);
        let at = |p: PathBuf| place.at(p);
        Ok(Self {
            gateway: GatewayAddress::parse(&file.gateway)
                .map_err(|e| invalid(format!("gateway: {e}")))?,
            trust_domain: file
                .trust_domain
                .parse()
                .map_err(|e: midwa_certs::IdentityError| invalid(format!("trust_domain: {e}")))?,
            tls: midwa_certs::tls::TlsFiles {
                cert: at(file.tls.cert),
                key: at(file.tls.key),
                ca: at(file.tls.ca),
            },
            connect_timeout: Duration::from_millis(file.connect_timeout_ms.max(1)),
            lang: file
                .lang
                .map(|l| l.parse().map_err(|e| invalid(format!("lang: {e}"))))
                .transpose()?,
        })
    }

    /// The claims of a returnee's attestation, checked offline against this configuration's
    /// regional CA and bound to `code`; why not, otherwise.
    pub fn check_attestation(
        &self,
        text: &str,
        code: &midwa_proto::receipt::ReceiptCode,
    ) -> Result<midwa_certs::attestation::Claims, String> {
        let ca = std::fs::read(&self.tls.ca)
            .map_err(|e| format!("cannot read the regional CA {}: {e}", self.tls.ca.display()))?;
        let claims = midwa_certs::attestation::verify(text, &ca, &self.trust_domain)
            .map_err(|e| e.to_string())?;
        if claims.receipt != code.digest().to_hex() {
            return Err("the attestation belongs to another receipt code".into());
        }
        Ok(claims)
    }

    /// Connects to the gateway with this party's certificate.
    pub async fn connect(&self) -> Result<tonic::transport::Channel, String> {
        let credentials = midwa_certs::tls::Credentials::load(&self.tls, &self.trust_domain)
            .map_err(|e| e.to_string())?;
        let tls = midwa_certs::tls::client_config(&credentials).map_err(|e| e.to_string())?;
        midwa_certs::connect::connect(&self.gateway, tls, self.connect_timeout).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_in_deploy_parses_and_plaintext_is_refused() {
        let example = include_str!("../../deploy/client.toml");
        let config = Config::parse(example, Path::new("/etc/midwa/client.toml")).expect("valid");
        assert_eq!(config.tls.cert, PathBuf::from("/etc/midwa/tls/cert.pem"));
        let plain = example.replace("https://", "http://");
        let err = Config::parse(&plain, Path::new("c.toml"))
            .expect_err("plaintext")
            .to_string();
        assert!(err.contains("c.toml") && err.contains("plaintext"), "{err}");
    }
}
