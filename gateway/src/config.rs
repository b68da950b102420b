//! The gateway's configuration: a TOML file, parsed once into typed values. Relative paths are
//! taken from the directory of the file. See `deploy/gateway.toml` for a commented example.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use midwa_certs::TrustDomain;
use serde::Deserialize;

pub use midwa_certs::config::ConfigError;

/// The gateway's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address of the gRPC service (mTLS), such as `0.0.0.0:7443`.
    pub listen: SocketAddr,
    /// Address of the Prometheus endpoint (plain HTTP, `GET /metrics`); `None` for none. Keep
    /// it on loopback or a management network.
    pub metrics_listen: Option<SocketAddr>,
    /// Directory of the gateway's database.
    pub data_dir: PathBuf,
    /// The region's trust domain; every certificate's identity must be under it.
    pub trust_domain: TrustDomain,
    /// The gateway's certificate, key, and the regional CA certificate.
    pub tls: midwa_certs::tls::TlsFiles,
    /// The CRL published by the regional CA. Reloaded when it changes, without restart.
    pub crl: PathBuf,
    /// How often the CRL file is checked for a change.
    pub crl_check_interval: Duration,
    /// Largest gRPC message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Longest a TLS handshake may take.
    pub handshake_timeout: Duration,
    /// Longest a connection may stay open (it also closes when its certificate expires).
    pub max_connection_age: Duration,
    /// Most TLS handshakes in progress at once.
    pub max_handshakes: usize,
    /// Most TLS handshakes in progress at once from one source address: a flood from a few
    /// addresses cannot hold the slots a node needs.
    pub handshakes_per_address: usize,
    /// Most concurrent gRPC streams on one connection.
    pub max_concurrent_streams: u32,
    /// sled's page cache, in bytes.
    pub cache_bytes: u64,
    /// How often the ledger and the aggregates are checkpointed, so that a start after a crash
    /// reads only what was stored since.
    pub checkpoint_every: Duration,
    /// How long shutdown waits for open streams to finish before closing them.
    pub shutdown_grace: Duration,
    /// Longest a request may take to be answered (a stream's first answer, for streams).
    pub request_timeout: Duration,
    /// How many aggregate queries each identity may ask.
    pub queries: crate::rate::Limits,
    /// Counts below this are suppressed in aggregate answers (a state's grant may raise it).
    pub threshold: u32,
    /// How aggregates are measured with noise: the region's privacy budget, when months are
    /// measured, the host countries counted apart.
    pub measurement: crate::stats::measured::Settings,
    /// How much verifying each consulate may do.
    pub verification: crate::rate::Limits,
    /// The states taking part.
    pub participants: crate::participants::Participants,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    listen: SocketAddr,
    #[serde(default)]
    metrics_listen: Option<SocketAddr>,
    data_dir: PathBuf,
    trust_domain: String,
    tls: TlsSection,
    #[serde(default)]
    limits: LimitsSection,
    #[serde(default)]
    storage: StorageSection,
    #[serde(default)]
    disclosure: DisclosureSection,
    #[serde(default)]
    verification: VerificationSection,
    #[serde(default)]
    participant: Vec<crate::participants::Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct VerificationSection {
    burst: u32,
    per_minute: u32,
    unknown_codes: usize,
    unknown_window_s: u64,
}

impl Default for VerificationSection {
    fn default() -> Self {
        let d = crate::rate::Limits::default();
        Self {
            burst: d.burst,
            per_minute: d.per_minute,
            unknown_codes: d.failures,
            unknown_window_s: d.window.as_secs(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct DisclosureSection {
    threshold: u32,
    rho: f64,
    measure_after_days: u32,
    supplement_every_hours: u64,
    first_month: String,
    host_countries: Vec<String>,
}

impl Default for DisclosureSection {
    fn default() -> Self {
        Self {
            threshold: 10,
            rho: 2.0,
            measure_after_days: 10,
            supplement_every_hours: 24,
            first_month: "2017-01".into(),
            host_countries: crate::stats::workload::HOST_COUNTRIES
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
        }
    }
}

impl DisclosureSection {
    fn settings(&self) -> Result<crate::stats::measured::Settings, String> {
        if !(self.rho.is_finite()
            && self.rho > 0.0
            && self.rho <= midwa_proto::policy::PrivacyBudget::MAX)
        {
            return Err(format!(
                "disclosure.rho: {} is not a privacy budget: write a number above 0 and at most {} (2.0 is the default)",
                self.rho,
                midwa_proto::policy::PrivacyBudget::MAX
            ));
        }
        let first: midwa_proto::codes::Month = self.first_month.parse().map_err(|e| {
            format!("disclosure.first_month: {e}; write YYYY-MM, such as \"2017-01\"")
        })?;
        if !(first.month() - 1).is_multiple_of(3) {
            return Err(format!(
                "disclosure.first_month: {first} does not start a quarter: write a January, April, July or October"
            ));
        }
        let hosts = self
            .host_countries
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.parse::<midwa_proto::codes::CountryCode>()
                    .map_err(|e| format!("disclosure.host_countries[{i}]: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(crate::stats::measured::Settings {
            rho: self.rho,
            measure_after_days: self.measure_after_days,
            supplement_every: Duration::from_secs(self.supplement_every_hours * 3600),
            first_month: crate::stats::key::month_index(first),
            hosts: crate::stats::workload::Hosts::new(&hosts),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsSection {
    cert: PathBuf,
    key: PathBuf,
    ca: PathBuf,
    crl: PathBuf,
    #[serde(default = "default_crl_check_seconds")]
    crl_check_seconds: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct LimitsSection {
    max_message_bytes: usize,
    handshake_timeout_ms: u64,
    max_connection_age_s: u64,
    max_handshakes: usize,
    handshakes_per_address: usize,
    max_concurrent_streams: u32,
    shutdown_grace_ms: u64,
    request_timeout_ms: u64,
    queries_burst: u32,
    queries_per_minute: u32,
}

impl Default for LimitsSection {
    fn default() -> Self {
        Self {
            max_message_bytes: 4 * 1024 * 1024,
            handshake_timeout_ms: 3_000,
            max_connection_age_s: 3_600,
            max_handshakes: 256,
            handshakes_per_address: 8,
            max_concurrent_streams: 64,
            shutdown_grace_ms: 5_000,
            request_timeout_ms: 30_000,
            queries_burst: 60,
            queries_per_minute: 600,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct StorageSection {
    cache_mb: u64,
    checkpoint_every_s: u64,
}

impl Default for StorageSection {
    fn default() -> Self {
        Self {
            cache_mb: 16,
            checkpoint_every_s: 300,
        }
    }
}

fn default_crl_check_seconds() -> u64 {
    10
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
        let trust_domain = file
            .trust_domain
            .parse()
            .map_err(|e: midwa_certs::IdentityError| invalid(format!("trust_domain: {e}")))?;
        let limits = file.limits;
        if limits.max_message_bytes < 64 * 1024 {
            return Err(invalid(
                "limits.max_message_bytes: must be at least 65536".into(),
            ));
        }
        if file.disclosure.threshold < midwa_proto::policy::MIN_THRESHOLD {
            return Err(invalid(format!(
                "disclosure.threshold: {} is below {}, the lowest threshold allowed",
                file.disclosure.threshold,
                midwa_proto::policy::MIN_THRESHOLD
            )));
        }
        let measurement = file.disclosure.settings().map_err(invalid)?;
        let participants =
            crate::participants::Participants::from_entries(file.participant).map_err(invalid)?;
        if file.tls.crl_check_seconds == 0 {
            return Err(invalid("tls.crl_check_seconds: must be at least 1".into()));
        }
        Ok(Self {
            listen: file.listen,
            metrics_listen: file.metrics_listen,
            data_dir: at(file.data_dir),
            trust_domain,
            tls: midwa_certs::tls::TlsFiles {
                cert: at(file.tls.cert),
                key: at(file.tls.key),
                ca: at(file.tls.ca),
            },
            crl: at(file.tls.crl),
            crl_check_interval: Duration::from_secs(file.tls.crl_check_seconds),
            max_message_bytes: limits.max_message_bytes,
            handshake_timeout: Duration::from_millis(limits.handshake_timeout_ms),
            max_connection_age: Duration::from_secs(limits.max_connection_age_s.max(1)),
            max_handshakes: limits.max_handshakes.max(1),
            handshakes_per_address: limits.handshakes_per_address.max(1),
            max_concurrent_streams: limits.max_concurrent_streams.max(1),
            cache_bytes: file.storage.cache_mb.max(8) * 1024 * 1024,
            checkpoint_every: Duration::from_secs(file.storage.checkpoint_every_s.max(1)),
            shutdown_grace: Duration::from_millis(limits.shutdown_grace_ms),
            request_timeout: Duration::from_millis(limits.request_timeout_ms.max(100)),
            queries: crate::rate::Limits {
                burst: limits.queries_burst.max(1),
                per_minute: limits.queries_per_minute.max(1),
                ..crate::rate::Limits::default()
            },
            threshold: file.disclosure.threshold,
            measurement,
            verification: crate::rate::Limits {
                burst: file.verification.burst.max(1),
                per_minute: file.verification.per_minute.max(1),
                failures: file.verification.unknown_codes.max(1),
                window: Duration::from_secs(file.verification.unknown_window_s.max(1)),
            },
            participants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
listen = "127.0.0.1:7443"
data_dir = "data"
trust_domain = "midwa.example"
[tls]
cert = "tls/cert.pem"
key = "tls/key.pem"
ca = "tls/ca.pem"
crl = "/etc/midwa/crl.pem"
"#;

    #[test]
    fn relative_paths_follow_the_file_and_defaults_apply() {
        let config = Config::parse(MINIMAL, Path::new("/etc/midwa/gateway.toml")).expect("valid");
        assert_eq!(config.data_dir, PathBuf::from("/etc/midwa/data"));
        assert_eq!(config.tls.cert, PathBuf::from("/etc/midwa/tls/cert.pem"));
        assert_eq!(config.crl, PathBuf::from("/etc/midwa/crl.pem"));
        assert_eq!(config.max_message_bytes, 4 * 1024 * 1024);
        assert_eq!(config.metrics_listen, None);
        assert_eq!(config.threshold, 10);
        let low = format!("{MINIMAL}\n[disclosure]\nthreshold = 4\n");
        let err = Config::parse(&low, Path::new("g.toml"))
            .expect_err("threshold below 5")
            .to_string();
        assert!(err.contains("disclosure.threshold"), "{err}");
    }

    #[test]
    fn mistakes_are_named() {
        let typo = MINIMAL.replace("data_dir", "datadir");
        let err = Config::parse(&typo, Path::new("g.toml"))
            .expect_err("unknown field")
            .to_string();
        assert!(err.contains("g.toml") && err.contains("datadir"), "{err}");
        let bad = MINIMAL.replace("midwa.example", "Midwa");
        let err = Config::parse(&bad, Path::new("g.toml"))
            .expect_err("bad domain")
            .to_string();
        assert!(err.contains("trust_domain"), "{err}");
    }

    #[test]
    fn disclosure_settings_are_checked() {
        let config = Config::parse(MINIMAL, Path::new("g.toml")).expect("defaults");
        let m = &config.measurement;
        assert_eq!((m.rho, m.measure_after_days), (2.0, 10));
        assert_eq!(m.supplement_every, Duration::from_secs(24 * 3600));
        assert!(m.hosts.lists(crate::stats::key::country_index(
            "LY".parse().expect("code")
        )));
        for (setting, named) in [
            ("rho = 0", "disclosure.rho"),
            ("rho = 1000.0", "disclosure.rho"),
            ("first_month = \"2017-02\"", "does not start a quarter"),
            ("first_month = \"soon\"", "disclosure.first_month"),
            (
                "host_countries = [\"LY\", \"Libya\"]",
                "disclosure.host_countries[1]",
            ),
        ] {
            let text = format!("{MINIMAL}\n[disclosure]\n{setting}\n");
            let err = Config::parse(&text, Path::new("g.toml"))
                .expect_err(setting)
                .to_string();
            assert!(err.contains(named), "{setting}: {err}");
        }
        let text = format!("{MINIMAL}\n[disclosure]\nrho = 0.5\nfirst_month = \"2020-04\"\n");
        let m = Config::parse(&text, Path::new("g.toml"))
            .expect("valid")
            .measurement;
        assert_eq!(m.rho, 0.5);
        assert_eq!(
            Some(m.first_month),
            "2020-04".parse().ok().map(crate::stats::key::month_index)
        );
    }

    #[test]
    fn the_example_in_deploy_parses() {
        let example = include_str!("../../deploy/gateway.toml");
        Config::parse(example, Path::new("/etc/midwa/gateway.toml"))
            .expect("deploy/gateway.toml is valid");
    }
}
