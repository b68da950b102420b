//! `midwa-certs`: the regional certificate authority's command.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use midwa_certs::authority::{CA_VALIDITY, CRL_VALIDITY};
use midwa_certs::identity::{name, state_code};
use midwa_certs::{Authority, LeafRequest, Reason, Role, write_party_files};
use midwa_i18n::{Lang, Text, text};
use time::Duration;

/// The MIDWA regional certificate authority: create it, issue certificates to nodes, gateways,
/// coordinators and consulates, revoke them and publish the revocation list.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The language of messages: en, fr or pt (default: LANG).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the regional CA: ca.pem, ca.key (0600), registry.toml and an empty crl.pem.
    Init {
        /// Directory of the CA.
        #[arg(long, default_value = "ca")]
        ca_dir: PathBuf,
        /// Trust domain of every identity, such as midwa.example.
        #[arg(long)]
        trust_domain: String,
        /// Common name of the CA certificate.
        #[arg(long, default_value = "MIDWA Regional CA")]
        name: String,
        /// Validity of the CA certificate, in days.
        #[arg(long, default_value_t = CA_VALIDITY.whole_days())]
        days: i64,
        /// Replace an existing CA. Every certificate it issued stops working.
        #[arg(long)]
        force: bool,
    },
    /// Issue a certificate and key; writes cert.pem, key.pem (0600) and ca.pem into --out.
    Issue {
        #[command(subcommand)]
        party: Party,
        #[command(flatten)]
        common: IssueArgs,
    },
    /// Revoke a certificate and publish a new CRL.
    Revoke {
        /// Directory of the CA.
        #[arg(long, default_value = "ca")]
        ca_dir: PathBuf,
        /// Serial number (hex), as `inspect` or `list` shows it.
        #[arg(long, conflicts_with = "cert", required_unless_present = "cert")]
        serial: Option<String>,
        /// The certificate file to revoke.
        #[arg(long)]
        cert: Option<PathBuf>,
        /// Why: unspecified, key-compromise, affiliation-changed, superseded or
        /// cessation-of-operation.
        #[arg(long, default_value = "unspecified", value_parser = parse_reason)]
        reason: Reason,
    },
    /// Publish a fresh CRL (do so before the current one expires).
    Crl {
        /// Directory of the CA.
        #[arg(long, default_value = "ca")]
        ca_dir: PathBuf,
        /// Validity of the CRL, in days.
        #[arg(long, default_value_t = CRL_VALIDITY.whole_days())]
        days: i64,
    },
    /// Show what a certificate says: identity, role, serial, validity, issuer.
    Inspect {
        /// A PEM or DER certificate.
        file: PathBuf,
    },
    /// List every certificate the CA issued, and which are revoked.
    List {
        /// Directory of the CA.
        #[arg(long, default_value = "ca")]
        ca_dir: PathBuf,
    },
}

#[derive(Args)]
struct IssueArgs {
    /// Directory of the CA.
    #[arg(long, default_value = "ca", global = true)]
    ca_dir: PathBuf,
    /// Where to write cert.pem, key.pem and ca.pem.
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    /// Validity in days.
    #[arg(long, default_value_t = 365, global = true)]
    days: i64,
    /// Replace files already in --out.
    #[arg(long, global = true)]
    force: bool,
}

#[derive(Subcommand)]
enum Party {
    /// A state node.
    Node {
        /// ISO 3166-1 alpha-2 code of the state, such as NG.
        #[arg(long)]
        state: String,
    },
    /// The regional gateway (a server: give the names and addresses it is reached at).
    Gateway {
        /// Name of the gateway.
        #[arg(long, default_value = "main")]
        name: String,
        /// Host name the gateway is reached at (repeatable).
        #[arg(long = "dns")]
        dns: Vec<String>,
        /// IP address the gateway is reached at (repeatable).
        #[arg(long = "ip")]
        ip: Vec<IpAddr>,
    },
    /// A regional coordinator.
    Coordinator {
        /// Name of the coordinator, such as ecowas-commission.
        #[arg(long)]
        name: String,
    },
    /// A consulate of a state.
    Consulate {
        /// ISO 3166-1 alpha-2 code of the state it represents.
        #[arg(long)]
        state: String,
        /// The post, such as tripoli.
        #[arg(long)]
        post: String,
    },
}

fn main() -> std::process::ExitCode {
    let cli: Cli = midwa_i18n::cli::parse("certs");
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "{}",
                midwa_i18n::text!("cli-failed", message = midwa_process::describe(&e))
            );
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Init {
            ca_dir,
            trust_domain,
            name,
            days,
            force,
        } => {
            let domain = trust_domain.parse()?;
            let ca = Authority::init(&ca_dir, domain, &name, Duration::days(days), force)?;
            println!(
                "{}",
                text!(
                    "certs-created",
                    domain = ca.domain().to_string(),
                    dir = ca_dir.display().to_string()
                )
            );
            println!(
                "{}",
                text!(
                    "certs-keep-offline",
                    key = ca_dir.join("ca.key").display().to_string()
                )
            );
        }
        Command::Issue { party, common } => issue(party, common)?,
        Command::Revoke {
            ca_dir,
            serial,
            cert,
            reason,
        } => {
            let mut ca = Authority::open(&ca_dir)?;
            let serial = match (serial, cert) {
                (Some(serial), _) => serial,
                (None, Some(cert)) => serial_of(&cert)?,
                (None, None) => bail!("{}", text!("certs-give-serial")),
            };
            ca.revoke(&serial, reason)?;
            println!(
                "{}",
                text!(
                    "certs-revoked",
                    serial = &serial,
                    crl = ca_dir.join("crl.pem").display().to_string()
                )
            );
            println!("{}", text!("certs-copy-crl"));
        }
        Command::Crl { ca_dir, days } => {
            let mut ca = Authority::open(&ca_dir)?;
            let path = ca.publish_crl(Duration::days(days))?;
            println!(
                "{}",
                text!(
                    "certs-published",
                    path = path.display().to_string(),
                    revoked = ca.registry().revoked.len(),
                    days = days
                )
            );
        }
        Command::Inspect { file } => {
            let bytes = std::fs::read(&file).map_err(|e| cannot_read(&file, &e))?;
            let text = midwa_certs::inspect::describe(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            print!("{text}");
        }
        Command::List { ca_dir } => {
            let ca = Authority::open(&ca_dir)?;
            let registry = ca.registry();
            let header = [
                text!("certs-col-serial"),
                text!("certs-col-status"),
                text!("certs-col-until"),
                text!("certs-col-identity"),
            ]
            .map(|t| t.to_string());
            let rows: Vec<Vec<String>> = registry
                .issued
                .iter()
                .map(|entry| {
                    let revoked = registry.revoked.iter().any(|r| r.serial == entry.serial);
                    let status = if revoked {
                        text!("certs-status-revoked")
                    } else {
                        text!("certs-status-active")
                    };
                    vec![
                        entry.serial.clone(),
                        status.to_string(),
                        entry.not_after.to_string(),
                        entry.identity.to_string(),
                    ]
                })
                .collect();
            print!("{}", aligned(&header, &rows));
        }
    }
    Ok(())
}

fn issue(party: Party, args: IssueArgs) -> Result<()> {
    let bad = |what: Text, value: &str| {
        anyhow::anyhow!(
            "{}",
            text!("certs-bad-value", value = format!("{value:?}"), what = what)
        )
    };
    let (role, dns_names, ip_addresses) = match party {
        Party::Node { state } => (
            Role::Node {
                state: state_code(&state).ok_or_else(|| bad(text!("certs-what-state"), &state))?,
            },
            vec![],
            vec![],
        ),
        Party::Gateway { name: n, dns, ip } => {
            if dns.is_empty() && ip.is_empty() {
                bail!("{}", text!("certs-gateway-names"));
            }
            (
                Role::Gateway {
                    name: name(&n).ok_or_else(|| bad(text!("certs-what-name"), &n))?,
                },
                dns,
                ip,
            )
        }
        Party::Coordinator { name: n } => (
            Role::Coordinator {
                name: name(&n).ok_or_else(|| bad(text!("certs-what-name"), &n))?,
            },
            vec![],
            vec![],
        ),
        Party::Consulate { state, post } => (
            Role::Consulate {
                state: state_code(&state).ok_or_else(|| bad(text!("certs-what-state"), &state))?,
                post: name(&post).ok_or_else(|| bad(text!("certs-what-name"), &post))?,
            },
            vec![],
            vec![],
        ),
    };
    if args.days < 1 {
        bail!("{}", text!("certs-days"));
    }
    let out = args
        .out
        .ok_or_else(|| anyhow::anyhow!("{}", text!("certs-give-out")))?;
    // Before anything is issued: a refusal here leaves the registry as it was.
    midwa_certs::check_party_files(&out, args.force)?;
    let mut ca = Authority::open(&args.ca_dir)?;
    let issued = ca.issue(&LeafRequest {
        role: role.clone(),
        validity: Duration::days(args.days),
        dns_names,
        ip_addresses,
    })?;
    write_party_files(&out, &issued, ca.cert_pem(), args.force)?;
    println!(
        "{}",
        text!(
            "certs-issued",
            role = role.to_string(),
            uri = role.uri(ca.domain()),
            serial = &issued.serial,
            out = out.display().to_string()
        )
    );
    Ok(())
}

fn serial_of(cert: &std::path::Path) -> Result<String> {
    let text = std::fs::read(cert).map_err(|e| cannot_read(cert, &e))?;
    let description = midwa_certs::inspect::describe(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", cert.display()))?;
    description
        .lines()
        .find_map(|l| l.strip_prefix("serial:").map(|s| s.trim().to_owned()))
        .context("no serial in the certificate")
}

fn cannot_read(path: &std::path::Path, e: &std::io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{}",
        text!(
            "tls-cannot-read",
            path = path.display().to_string(),
            why = midwa_certs::config::io_reason(e)
        )
    )
}

/// Columns aligned, for `list`.
fn aligned(header: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn parse_reason(text: &str) -> Result<Reason, String> {
    #[derive(serde::Deserialize)]
    struct Wrap {
        r: Reason,
    }
    toml::from_str::<Wrap>(&format!("r = {text:?}")).map(|w| w.r).map_err(|_| {
        "expected unspecified, key-compromise, affiliation-changed, superseded or cessation-of-operation".into()
    })
}

#[cfg(test)]
mod help_tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn a_refused_command_is_explained_in_the_users_language() {
        let dir = tempfile::tempdir().expect("dir");
        let ca = dir.path().join("ca");
        let init = Cli::parse_from([
            "midwa-certs",
            "init",
            "--ca-dir",
            ca.to_str().expect("path"),
            "--trust-domain",
            "midwa.example",
        ]);
        run(init).expect("a CA");
        let issue = Cli::parse_from([
            "midwa-certs",
            "issue",
            "--ca-dir",
            ca.to_str().expect("path"),
            "--out",
            dir.path().join("gw").to_str().expect("path"),
            "gateway",
        ]);
        let err = midwa_i18n::in_language(Lang::Pt, || run(issue)).expect_err("no names");
        assert!(
            err.to_string()
                .starts_with("um certificado de porta de ligação precisa dos nomes"),
            "{err}"
        );
    }

    #[test]
    fn an_issue_refused_for_existing_files_records_no_certificate() {
        let dir = tempfile::tempdir().expect("dir");
        let ca = dir.path().join("ca");
        let out = dir.path().join("ng");
        let args = |force: bool| {
            let mut v = vec![
                "midwa-certs".to_owned(),
                "issue".into(),
                "--ca-dir".into(),
                ca.display().to_string(),
                "--out".into(),
                out.display().to_string(),
            ];
            if force {
                v.push("--force".into());
            }
            v.extend(["node".into(), "--state".into(), "NG".into()]);
            Cli::parse_from(v)
        };
        run(Cli::parse_from([
            "midwa-certs",
            "init",
            "--ca-dir",
            ca.to_str().expect("path"),
            "--trust-domain",
            "midwa.example",
        ]))
        .expect("a CA");
        run(args(false)).expect("issued");
        let issued = || Authority::open(&ca).expect("CA").registry().issued.len();
        assert_eq!(issued(), 1);
        let err = run(args(false)).expect_err("the files exist");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(issued(), 1, "a refused issue records nothing");
        run(args(true)).expect("replaced");
        assert_eq!(issued(), 2);
    }

    #[test]
    fn every_help_text_is_in_the_catalogues() {
        let missing = midwa_i18n::cli::missing(&Cli::command(), "certs");
        assert!(missing.is_empty(), "no catalogue text for {missing:?}");
    }
}
