//! The node's configuration: a TOML file, parsed once into typed values. Relative paths are
//! taken from the directory of the file. See `deploy/node.toml` for a commented example.

use std::path::{Path, PathBuf};
use std::time::Duration;

use midwa_certs::TrustDomain;
use midwa_i18n::{Lang, Text, text};
use midwa_proto::codes::CountryCode;
use serde::Deserialize;

pub use midwa_certs::config::ConfigError;

use crate::outbox::Retention;

pub use midwa_certs::address::GatewayAddress;

/// The node's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The state this node speaks for; must match its certificate.
    pub state: CountryCode,
    /// The regional gateway.
    pub gateway: GatewayAddress,
    /// The region's trust domain.
    pub trust_domain: TrustDomain,
    /// The node's certificate, key, and the regional CA certificate.
    pub tls: midwa_certs::tls::TlsFiles,
    /// Directory of the node's database (the outbox).
    pub data_dir: PathBuf,
    /// The node's secret key (pseudonyms and event ids). Created at first start; back it up:
    /// without it, the same person gets a new pseudonym.
    pub secret_key: PathBuf,
    /// Unix socket of the local API for the agency's systems (mode 0660).
    pub local_socket: PathBuf,
    /// Most events in one batch sent to the gateway.
    pub batch_events: usize,
    /// Most batches sent and not yet acknowledged.
    pub in_flight: usize,
    /// First delay before reconnecting; doubles at each failure, with jitter.
    pub backoff_min: Duration,
    /// Longest delay between reconnection attempts.
    pub backoff_max: Duration,
    /// Longest a connection attempt (TCP and TLS) may take.
    pub connect_timeout: Duration,
    /// sled's page cache, in bytes.
    pub cache_bytes: u64,
    /// How long published events are kept after the gateway acknowledged them, so that a
    /// gateway that lost its data can be refilled.
    pub keep_published: Retention,
    /// The language of the command line's messages, unless `--lang` says otherwise.
    pub lang: Option<Lang>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    state: String,
    gateway: String,
    trust_domain: String,
    data_dir: PathBuf,
    #[serde(default)]
    secret_key: Option<PathBuf>,
    #[serde(default)]
    local_socket: Option<PathBuf>,
    tls: TlsSection,
    #[serde(default)]
    publish: PublishSection,
    #[serde(default)]
    storage: StorageSection,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct PublishSection {
    batch_events: usize,
    in_flight: usize,
    backoff_min_ms: u64,
    backoff_max_ms: u64,
    connect_timeout_ms: u64,
}

impl Default for PublishSection {
    fn default() -> Self {
        Self {
            batch_events: 2000,
            in_flight: 8,
            backoff_min_ms: 200,
            backoff_max_ms: 60_000,
            connect_timeout_ms: 10_000,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct StorageSection {
    cache_mb: u64,
    /// Days published events are kept after the gateway acknowledged them; none: always.
    keep_published_days: Option<u32>,
}

impl Default for StorageSection {
    fn default() -> Self {
        Self {
            cache_mb: 4,
            keep_published_days: None,
        }
    }
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
        let invalid = |why: Text| place.invalid(why);
        let field = |name: &'static str, e: &dyn std::fmt::Display| {
            invalid(text!("config-field", field = name, why = e.to_string()))
        };
        let at = |p: PathBuf| place.at(p);
        let state = file.state.parse().map_err(|e| field("state", &e))?;
        let gateway = GatewayAddress::parse(&file.gateway).map_err(|e| field("gateway", &e))?;
        let trust_domain = file
            .trust_domain
            .parse()
            .map_err(|e: midwa_certs::IdentityError| field("trust_domain", &e))?;
        let p = file.publish;
        if !(1..=10_000).contains(&p.batch_events) {
            return Err(invalid(text!(
                "config-range",
                field = "publish.batch_events",
                min = 1u64,
                max = 10_000u64
            )));
        }
        if !(1..=64).contains(&p.in_flight) {
            return Err(invalid(text!(
                "config-range",
                field = "publish.in_flight",
                min = 1u64,
                max = 64u64
            )));
        }
        if p.backoff_min_ms == 0 || p.backoff_max_ms < p.backoff_min_ms {
            return Err(invalid(text!("config-backoff")));
        }
        let lang = file
            .lang
            .map(|l| l.parse::<Lang>().map_err(|e| field("lang", &e)))
            .transpose()?;
        let data_dir = at(file.data_dir);
        Ok(Self {
            state,
            gateway,
            trust_domain,
            tls: midwa_certs::tls::TlsFiles {
                cert: at(file.tls.cert),
                key: at(file.tls.key),
                ca: at(file.tls.ca),
            },
            secret_key: file
                .secret_key
                .map(&at)
                .unwrap_or_else(|| data_dir.join("node-secret.key")),
            local_socket: file
                .local_socket
                .map(&at)
                .unwrap_or_else(|| data_dir.join("local.sock")),
            data_dir,
            batch_events: p.batch_events,
            in_flight: p.in_flight,
            backoff_min: Duration::from_millis(p.backoff_min_ms),
            backoff_max: Duration::from_millis(p.backoff_max_ms),
            connect_timeout: Duration::from_millis(p.connect_timeout_ms.max(100)),
            cache_bytes: file.storage.cache_mb.max(4) * 1024 * 1024,
            keep_published: file
                .storage
                .keep_published_days
                .map_or(Retention::Always, Retention::Days),
            lang,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plaintext_gateway_in_the_file_is_refused_with_its_place() {
        let text = r#"
state = "NG"
gateway = "http://127.0.0.1:7443"
trust_domain = "midwa.example"
data_dir = "data"
[tls]
cert = "cert.pem"
key = "key.pem"
ca = "ca.pem"
"#;
        let err = Config::parse(text, Path::new("/etc/midwa/node.toml"))
            .expect_err("http")
            .to_string();
        assert!(
            err.starts_with("configuration /etc/midwa/node.toml: gateway:"),
            "{err}"
        );
        let ok = Config::parse(
            &text.replace("http://", "https://"),
            Path::new("/etc/midwa/node.toml"),
        )
        .expect("valid");
        assert_eq!(
            ok.secret_key,
            PathBuf::from("/etc/midwa/data/node-secret.key")
        );
    }

    #[test]
    fn the_example_in_deploy_parses() {
        let example = include_str!("../../deploy/node.toml");
        Config::parse(example, Path::new("/etc/midwa/node.toml"))
            .expect("deploy/node.toml is valid");
    }
}
