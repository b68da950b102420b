//! The `midwa-node` command line.

pub mod access_log;
pub mod policy;
pub mod qr;
pub mod template;
pub mod upload;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::{Config, Node};
use anyhow::Context;
use clap::{Parser, Subcommand};
use midwa_i18n::{Lang, text};
use midwa_proto::pb;

/// The MIDWA state node: anonymises the national agency's records and publishes them to the
/// regional gateway over mutual TLS.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The configuration file (see deploy/node.toml).
    #[arg(long, global = true, default_value = "/etc/midwa/node.toml")]
    config: PathBuf,
    /// Log as JSON lines.
    #[arg(long, global = true)]
    log_json: bool,
    /// The language of messages: en, fr or pt (default: the configuration's, then LANG).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the node: local API and publishing. SIGINT or SIGTERM stop it cleanly.
    Run,
    /// Show what the node has recorded and what the gateway holds.
    Status,
    /// Ask the gateway, over mTLS, what it holds from this state.
    Holdings,
    /// Import a CSV file of returns, assistance, assessments or closures (see INTAKE.md) into
    /// the running node. Nothing is recorded unless every row is valid; importing the same file
    /// again records nothing new.
    Import {
        /// The CSV file (with --template: the file to write).
        file: PathBuf,
        /// Write an empty file of this kind (returns, assistance, assessments, closures) to
        /// FILE instead of importing: its header, and the notes on its columns in your
        /// language.
        #[arg(long, value_name = "KIND", conflicts_with_all = ["check", "receipts", "attestations"])]
        template: Option<String>,
        /// Check every row, record nothing.
        #[arg(long)]
        check: bool,
        /// Write the receipts of the file's returns to a CSV file (person_id, receipt) instead
        /// of printing them; by default beside the input, as NAME.receipts.csv.
        #[arg(long, value_name = "FILE")]
        receipts: Option<Option<PathBuf>>,
        /// Replace an existing receipts file.
        #[arg(long)]
        force: bool,
        /// Also sign an attestation of each return (a column of the receipts file): the
        /// returnee can show it to any consulate, which checks it offline with `midwa
        /// check-attestation`. About 20 µs a return.
        #[arg(long)]
        attestations: bool,
    },
    /// Erase what was published about a person (data-subject erasure, or an error): everything,
    /// or one record. The gateway deletes it, its aggregates move, and the person's receipts
    /// stop verifying. A corrected record can then be imported again.
    Erase {
        /// The agency's identifier of the person.
        person_id: String,
        /// Only the return of this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", conflicts_with_all = ["assistance", "assessment", "closure"])]
        r#return: Option<String>,
        /// Only the assistance of this date and type, as DATE:TYPE.
        #[arg(long, value_name = "DATE:TYPE", conflicts_with_all = ["assessment", "closure"])]
        assistance: Option<String>,
        /// Only the assessment of this date.
        #[arg(long, value_name = "DATE", conflicts_with = "closure")]
        assessment: Option<String>,
        /// Only the closure of this date.
        #[arg(long, value_name = "DATE")]
        closure: Option<String>,
    },
    /// Fetch and check this state's access log at the gateway: who received its data, or was
    /// refused, when, under which policy version. Fails if any entry was altered, deleted or
    /// reordered, or if the log no longer holds what was read last time.
    AccessLog {
        /// Print only the entries from this index on (all are checked).
        #[arg(long, default_value_t = 0)]
        from: u64,
    },
    /// The state's consent policy at the gateway.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Draw a returnee's receipt as a QR code to print (SVG) or send (PNG): the code, and the
    /// attestation if given (from `import --attestations`). A consulate's console reads it back
    /// from a photo.
    ReceiptQr {
        /// The receipt code.
        code: String,
        /// The attestation text, or @FILE.
        #[arg(long)]
        attestation: Option<String>,
        /// The file to write, NAME.svg or NAME.png; it must not exist unless --force.
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// The cross-border notices other states and consulates sent this state (expected
    /// returns), newest first, as this node received them.
    Notices,
    /// Send a notice of expected returns to their state of origin, or see those sent.
    #[command(subcommand)]
    Notice(midwa_commands::notices::NoticeCommand),
    /// Reintegration opportunities: publish, update and withdraw this state's own; list
    /// everyone's that their policies let this state see.
    #[command(subcommand)]
    Opportunity(OpportunityCommand),
    /// Receive another state's anonymised records as they arrive, as far as its policy grants
    /// them to this state ("records"), into a JSON-lines file; started again, it resumes where
    /// it stopped. Ctrl-C stops it.
    Subscribe(midwa_commands::subscribe::SubscribeArgs),
    /// Copy the node's secret key to a backup file (mode 0600). Keep the copy as safe as the
    /// original: without the key, the same person gets a new pseudonym.
    BackupKey {
        /// Where to write the copy; it must not exist unless --force.
        to: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum OpportunityCommand {
    /// Publish the opportunities of a file (see deploy/opportunities.toml). One published
    /// before under the same id is updated. Nothing is sent unless every entry is valid.
    Publish {
        /// The opportunities file.
        file: PathBuf,
    },
    /// Withdraw one of this state's opportunities.
    Withdraw {
        /// Its id.
        id: String,
    },
    /// List opportunities.
    List(midwa_commands::opportunities::ListArgs),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Check a policy file (see deploy/policy.toml) and make it the policy in force; the
    /// gateway keeps every earlier version.
    Push {
        /// The policy file.
        file: PathBuf,
    },
    /// Check a policy file without pushing it.
    Check {
        /// The policy file.
        file: PathBuf,
    },
    /// Print the policy in force at the gateway.
    Show,
}

/// Parses the command line and runs the command; what `main` of the binary calls.
pub fn main() -> ExitCode {
    let cli: Cli = midwa_i18n::cli::parse("node");
    midwa_process::init_logging(cli.log_json, "info");
    midwa_process::run(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Import {
        file,
        template: Some(kind),
        force,
        ..
    } = &cli.command
    {
        // A template needs no configuration: a new agency writes one before it has a node.
        return crate::cli::template::write(kind, file, *force);
    }
    let config = Config::load(&cli.config)?;
    midwa_i18n::set(Lang::choose(cli.lang, config.lang));
    match cli.command {
        Command::Import {
            file,
            check,
            receipts,
            force,
            attestations,
            ..
        } => {
            let receipts = receipts.map(|path| {
                path.unwrap_or_else(|| crate::cli::upload::default_receipts_path(&file))
            });
            crate::cli::upload::import(
                &config.local_socket,
                crate::cli::upload::Request {
                    file,
                    check_only: check,
                    receipts,
                    force,
                    attest: attestations,
                },
            )
            .await?;
        }
        Command::Policy(command) => match command {
            PolicyCommand::Push { file } => {
                let policy = crate::cli::policy::load(&file).map_err(anyhow::Error::msg)?;
                let version = crate::cli::policy::push(&config, policy)
                    .await
                    .map_err(anyhow::Error::msg)?;
                println!(
                    "{}",
                    text!(
                        "policy-pushed",
                        version = version.version,
                        state = &version.state
                    )
                );
                let today = time::OffsetDateTime::now_utc().date().to_string();
                for g in version.policy.iter().flat_map(|p| &p.grants) {
                    if !g.expires.is_empty() && g.expires < today {
                        println!(
                            "{}",
                            text!(
                                "policy-expired-grant",
                                data = &g.data,
                                recipient = &g.recipient,
                                date = &g.expires
                            )
                        );
                    }
                }
            }
            PolicyCommand::Check { file } => {
                let policy = crate::cli::policy::load(&file).map_err(anyhow::Error::msg)?;
                println!(
                    "{}",
                    text!(
                        "policy-valid",
                        file = file.display().to_string(),
                        grants = policy.grants.len()
                    )
                );
            }
            PolicyCommand::Show => {
                let version = crate::cli::policy::show(&config)
                    .await
                    .map_err(anyhow::Error::msg)?;
                print!("{}", crate::cli::policy::describe(&version));
            }
        },
        Command::Erase {
            person_id,
            r#return,
            assistance,
            assessment,
            closure,
        } => {
            let event = match (r#return, assistance, assessment, closure) {
                (Some(date), ..) => Some(("return", date, String::new())),
                (_, Some(a), ..) => {
                    let (date, kind) = a
                        .split_once(':')
                        .ok_or_else(|| anyhow::anyhow!("{}", text!("erase-assistance-form")))?;
                    Some(("assistance", date.to_owned(), kind.to_owned()))
                }
                (_, _, Some(date), _) => Some(("assessment", date, String::new())),
                (_, _, _, Some(date)) => Some(("closure", date, String::new())),
                _ => None,
            }
            .map(|(kind, date, r#type)| pb::EventRef {
                kind: kind.into(),
                date,
                r#type,
            });
            let whole = event.is_none();
            let mut client = crate::api::client::connect(&config.local_socket)
                .await
                .map_err(anyhow::Error::msg)?;
            let done = client
                .erase(pb::EraseRequest { person_id, event })
                .await
                .map_err(|s| anyhow::anyhow!("{}", s.message()))?
                .into_inner();
            let done = if whole {
                text!("erase-done-all", seq = done.seq, count = done.forgotten)
            } else {
                text!("erase-done-one", seq = done.seq, count = done.forgotten)
            };
            println!("{done}");
        }
        Command::AccessLog { from } => {
            let entries = crate::cli::access_log::fetch(&config)
                .await
                .map_err(anyhow::Error::msg)?;
            let shown: Vec<_> = entries
                .iter()
                .filter(|e| e.index >= from)
                .cloned()
                .collect();
            print!("{}", crate::cli::access_log::describe(&shown));
            crate::cli::access_log::verify(&entries, &config.data_dir.join("access-log.head"))
                .map_err(anyhow::Error::msg)?;
            println!("{}", text!("access-log-intact", count = entries.len()));
        }
        Command::ReceiptQr {
            code,
            attestation,
            out,
            force,
        } => {
            let code: midwa_proto::receipt::ReceiptCode = code.parse()?;
            let attestation = match attestation {
                Some(a) => Some(match a.strip_prefix('@') {
                    Some(file) => std::fs::read_to_string(file)
                        .with_context(|| format!("cannot read {file}"))?,
                    None => a,
                }),
                None => None,
            };
            let content = crate::cli::qr::content(&code, attestation.as_deref());
            let png = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("png"));
            let image = if png {
                crate::cli::qr::png(&content)
            } else {
                crate::cli::qr::svg(&content).map(String::into_bytes)
            }
            .map_err(anyhow::Error::msg)?;
            midwa_certs::files::write_file(&out, &image, midwa_certs::files::Mode::Public, force)?;
            println!(
                "{}",
                text!(
                    "qr-done",
                    code = code.to_string(),
                    path = out.display().to_string()
                )
            );
        }
        Command::Notices => {
            let mut client = crate::api::client::connect(&config.local_socket)
                .await
                .map_err(anyhow::Error::msg)?;
            let notices = client
                .received_notices(pb::ReceivedNoticesRequest {})
                .await
                .map_err(|s| anyhow::anyhow!("{}", s.message()))?
                .into_inner()
                .notices;
            print!("{}", midwa_commands::notices::received(&notices));
        }
        Command::Notice(command) => {
            let channel = crate::publish::gateway::channel(&config)
                .await
                .map_err(anyhow::Error::msg)?;
            let out = midwa_commands::notices::run(channel, command).await;
            print!("{}", out.map_err(anyhow::Error::msg)?);
        }
        Command::Opportunity(command) => {
            use midwa_commands::opportunities as o;
            let gateway = || async {
                crate::publish::gateway::channel(&config)
                    .await
                    .map_err(anyhow::Error::msg)
            };
            let out = match command {
                OpportunityCommand::Publish { file } => {
                    // The file is checked whole before anything is sent.
                    let all = o::load(&file, config.state).map_err(anyhow::Error::msg)?;
                    o::publish(gateway().await?, all).await
                }
                OpportunityCommand::Withdraw { id } => o::withdraw(gateway().await?, id).await,
                OpportunityCommand::List(args) => o::list(gateway().await?, &args).await,
            };
            print!("{}", out.map_err(anyhow::Error::msg)?);
        }
        Command::Subscribe(args) => {
            let channel = crate::publish::gateway::channel(&config)
                .await
                .map_err(anyhow::Error::msg)?;
            let out = midwa_commands::subscribe::run(channel, &args, midwa_process::stop_signal())
                .await
                .map_err(anyhow::Error::msg)?;
            print!("{out}");
        }
        Command::BackupKey { to, force } => {
            crate::keys::Keys::backup(&config.secret_key, &to, force)?;
            println!(
                "{}",
                text!(
                    "backup-done",
                    from = config.secret_key.display().to_string(),
                    to = to.display().to_string()
                )
            );
        }
        Command::Run => {
            let node = Node::start(config).await?;
            println!(
                "{}",
                text!(
                    "node-listening",
                    socket = node.socket().display().to_string()
                )
            );
            node.serve(midwa_process::stop_signal()).await?;
        }
        Command::Status => {
            let mut client = crate::api::client::connect(&config.local_socket)
                .await
                .map_err(anyhow::Error::msg)?;
            let s = client
                .status(pb::StatusRequest {})
                .await
                .context("status")?
                .into_inner();
            let connected = |yes: bool| {
                if yes {
                    text!("status-connected")
                } else {
                    text!("status-not-connected")
                }
            };
            let mut lines = vec![
                (text!("status-state"), s.state.clone()),
                (
                    text!("status-gateway"),
                    format!("{} ({})", s.gateway, connected(s.connected)),
                ),
                (
                    text!("status-recorded"),
                    text!("status-events", count = s.recorded_seq).to_string(),
                ),
                (
                    text!("status-at-gateway"),
                    text!(
                        "status-at-gateway-value",
                        count = s.acked_seq,
                        waiting = s.recorded_seq.saturating_sub(s.acked_seq)
                    )
                    .to_string(),
                ),
            ];
            let ms = |p| {
                crate::latency::percentile(&s.ack_latency, p)
                    .map_or(0.0, |d: std::time::Duration| d.as_secs_f64() * 1000.0)
            };
            let timed = crate::latency::events(&s.ack_latency);
            if timed > 0 {
                lines.push((
                    text!("status-waited"),
                    text!(
                        "status-waited-value",
                        p50 = format!("{:.1}", ms(0.5)),
                        p99 = format!("{:.1}", ms(0.99)),
                        max = format!("{:.1}", ms(1.0)),
                        count = timed
                    )
                    .to_string(),
                ));
            }
            if s.rejected > 0 {
                lines.push((
                    text!("status-refused"),
                    text!("status-refused-value", count = s.rejected).to_string(),
                ));
            }
            lines.push((
                text!("status-notices"),
                text!(
                    "status-notices-value",
                    count = s.notices,
                    inbox = connected(s.inbox_connected)
                )
                .to_string(),
            ));
            if !s.last_error.is_empty() {
                lines.push((text!("status-last-error"), s.last_error.clone()));
            }
            let labels: Vec<String> = lines
                .iter()
                .map(|(l, _)| text!("status-label", label = l.clone()).to_string())
                .collect();
            let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
            for (label, (_, value)) in labels.iter().zip(&lines) {
                println!("{label:width$}  {value}");
            }
        }
        Command::Holdings => {
            let h = crate::publish::gateway::holdings(&config)
                .await
                .map_err(anyhow::Error::msg)?;
            println!(
                "{}",
                text!("holdings-head", state = &h.state, seq = h.highest_seq)
            );
            println!(
                "  {}",
                text!(
                    "holdings-counts",
                    returns = h.returns,
                    assistance = h.assistance,
                    assessments = h.assessments,
                    closures = h.closures,
                    retractions = h.retractions
                )
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod help_tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_help_text_is_in_the_catalogues() {
        let missing = midwa_i18n::cli::missing(&Cli::command(), "node");
        assert!(missing.is_empty(), "no catalogue text for {missing:?}");
    }
}
