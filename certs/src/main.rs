//! `midwa-certs`: the regional certificate authority's command.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use midwa_certs::authority::{CA_VALIDITY, CRL_VALIDITY};
use midwa_certs::identity::{name, state_code};
use midwa_certs::{Authority, LeafRequest, Reason, Role, write_party_files};
use midwa_i18n::Lang;
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
    midwa_i18n::set(Lang::choose(Lang::from_args(std::env::args_os()), None));
    let command = midwa_i18n::cli::localise(Cli::command(), "certs", midwa_i18n::current());
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "{}",
                midwa_i18n::text!("cli-failed", message = format!("{e:#}"))
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
                "created the regional CA for {} in {}",
                ca.domain(),
                ca_dir.display()
            );
            println!(
                "keep {} offline; give ca.pem to every party and crl.pem to the gateway",
                ca_dir.join("ca.key").display()
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
                (None, None) => bail!("give --serial or --cert"),
            };
            ca.revoke(&serial, reason)?;
            println!(
                "revoked {serial}; published {}",
                ca_dir.join("crl.pem").display()
            );
            println!("copy it to the gateway's crl path: it reloads it without restarting");
        }
        Command::Crl { ca_dir, days } => {
            let mut ca = Authority::open(&ca_dir)?;
            let path = ca.publish_crl(Duration::days(days))?;
            println!(
                "published {} ({} revoked, valid {days} days)",
                path.display(),
                ca.registry().revoked.len()
            );
        }
        Command::Inspect { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = midwa_certs::inspect::describe(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            print!("{text}");
        }
        Command::List { ca_dir } => {
            let ca = Authority::open(&ca_dir)?;
            let registry = ca.registry();
            println!(
                "{:<34} {:<10} {:<22} identity",
                "serial", "status", "valid until"
            );
            for entry in &registry.issued {
                let status = if registry.revoked.iter().any(|r| r.serial == entry.serial) {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<34} {:<10} {:<22} {}",
                    entry.serial, status, entry.not_after, entry.identity
                );
            }
        }
    }
    Ok(())
}

fn issue(party: Party, args: IssueArgs) -> Result<()> {
    let bad = |what: &str, value: &str| anyhow::anyhow!("{value:?} is not a valid {what}");
    let (role, dns_names, ip_addresses) = match party {
        Party::Node { state } => (
            Role::Node {
                state: state_code(&state)
                    .ok_or_else(|| bad("state code (two capitals, such as NG)", &state))?,
            },
            vec![],
            vec![],
        ),
        Party::Gateway { name: n, dns, ip } => {
            if dns.is_empty() && ip.is_empty() {
                bail!(
                    "a gateway certificate needs the names nodes reach it at: give --dns HOST and/or --ip ADDRESS"
                );
            }
            (
                Role::Gateway {
                    name: name(&n).ok_or_else(|| bad("gateway name (a-z, 0-9, '-')", &n))?,
                },
                dns,
                ip,
            )
        }
        Party::Coordinator { name: n } => (
            Role::Coordinator {
                name: name(&n).ok_or_else(|| bad("coordinator name (a-z, 0-9, '-')", &n))?,
            },
            vec![],
            vec![],
        ),
        Party::Consulate { state, post } => (
            Role::Consulate {
                state: state_code(&state)
                    .ok_or_else(|| bad("state code (two capitals, such as GH)", &state))?,
                post: name(&post).ok_or_else(|| bad("post name (a-z, 0-9, '-')", &post))?,
            },
            vec![],
            vec![],
        ),
    };
    if args.days < 1 {
        bail!("--days must be at least 1");
    }
    let out = args
        .out
        .context("give --out DIR: where to write cert.pem, key.pem and ca.pem")?;
    let mut ca = Authority::open(&args.ca_dir)?;
    let issued = ca.issue(&LeafRequest {
        role: role.clone(),
        validity: Duration::days(args.days),
        dns_names,
        ip_addresses,
    })?;
    write_party_files(&out, &issued, ca.cert_pem(), args.force)?;
    println!(
        "issued {} as {} (serial {}) into {}",
        role,
        role.uri(ca.domain()),
        issued.serial,
        out.display()
    );
    Ok(())
}

fn serial_of(cert: &std::path::Path) -> Result<String> {
    let text = std::fs::read(cert).with_context(|| format!("cannot read {}", cert.display()))?;
    let description = midwa_certs::inspect::describe(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", cert.display()))?;
    description
        .lines()
        .find_map(|l| l.strip_prefix("serial:").map(|s| s.trim().to_owned()))
        .context("no serial in the certificate")
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

    #[test]
    fn every_help_text_is_in_the_catalogues() {
        let missing = midwa_i18n::cli::missing(&Cli::command(), "certs");
        assert!(missing.is_empty(), "no catalogue text for {missing:?}");
    }
}
