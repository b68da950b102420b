//! The `midwa` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use midwa_i18n::Lang;
use midwa_proto::pb;

use crate::config::Config;
use midwa_proto::receipt::ReceiptCode;

/// MIDWA Exchange for regional coordinators and consulates: asks the regional gateway over
/// mutual TLS, with this party's certificate.
#[derive(Parser)]
#[command(name = "midwa", version)]
struct Cli {
    /// The configuration file (see deploy/client.toml).
    #[arg(long, global = true, default_value = "/etc/midwa/client.toml")]
    config: PathBuf,
    /// The language of messages: en, fr or pt (default: the configuration's, then LANG).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Aggregates of the region: each origin contributes what its consent policy grants you.
    /// Every figure is noisy (differential privacy) and comes with its 95 % error; small or
    /// uncertain counts are hidden; months are released some days after they end.
    ///
    /// Metrics: returns, assisted_persons, assessments, closures, mean_scores, coverage (the
    /// share of returned persons assisted). Dimensions: period, origin, host_country, mode,
    /// return_type, sex, age_band, vulnerability (each combination of flags),
    /// vulnerability_flag (each flag: a person with two counts in both), assistance_category
    /// and assistance_type (assisted_persons, coverage), outcome (closures). A query is
    /// answered from tables measured by origin, month and one of: mode, return type, sex,
    /// age band, sex and age band, host country, vulnerability, flag (returns); sex, category,
    /// category and sex, type (assistance); sex, age band (assessments); outcome, outcome and
    /// sex (closures).
    Query {
        /// What to count.
        metric: String,
        /// Dimensions to group by, comma separated (or the flag repeated).
        #[arg(long = "by", value_name = "DIMENSIONS")]
        by: Vec<String>,
        /// Unit of the period dimension: month, quarter or year.
        #[arg(long)]
        unit: Option<String>,
        /// Keep only cells where a dimension has one of the values: `sex=F`,
        /// `host_country=LY,NE`. Repeat for several dimensions.
        #[arg(long = "where", value_name = "DIMENSION=VALUES")]
        filters: Vec<String>,
        /// First month, YYYY-MM.
        #[arg(long)]
        from: Option<String>,
        /// Last month, YYYY-MM.
        #[arg(long)]
        to: Option<String>,
        /// Output format: a table, CSV, JSON, or for statistical tools SDMX-CSV 2.0, a DHIS2
        /// data value set (needs --by period,origin) or HXL-tagged CSV (docs/exports.md).
        #[arg(long, value_enum, default_value = "table")]
        format: QueryFormat,
    },
    /// Verify a return from the receipt code a returnee holds (consulates): prints what the
    /// origin state lets your consulate see. Exits with 1 if not verified.
    Verify {
        /// The receipt code, such as 7K3M-Q9TD-2HXA.
        code: String,
    },
    /// Cross-border notices: consulates tell a state of origin that returns are expected;
    /// coordinators see them counted across the region.
    #[command(subcommand)]
    Notice(midwa_commands::notices::NoticeCommand),
    /// Reintegration opportunities the states publish, as far as their policies let you see
    /// them.
    Opportunities(midwa_commands::opportunities::ListArgs),
    /// Receive a state's anonymised records as they arrive, as far as its policy grants them
    /// to you ("records"), into a JSON-lines file; started again, it resumes where it stopped.
    /// Ctrl-C stops it.
    Subscribe(midwa_commands::subscribe::SubscribeArgs),
    /// Serve the console, a web page in English, French and Portuguese, on this machine only:
    /// the regional picture for coordinators, receipt verification for consulates. It asks the
    /// gateway with this configuration's certificate. Ctrl-C stops it.
    Console {
        /// Where to listen (a loopback address).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Check a returnee's attestation offline, against the regional CA of the configuration
    /// (no connection to the gateway). Exits with 1 if it does not hold.
    CheckAttestation {
        /// The attestation text (MIDWA1....), or @FILE to read it from a file.
        attestation: String,
        /// The receipt code it must belong to.
        #[arg(long)]
        code: String,
    },
}

/// How `midwa query` prints an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum QueryFormat {
    /// Aligned columns for a terminal.
    Table,
    /// CSV with a header; the total is the last row.
    Csv,
    /// The whole answer as JSON.
    Json,
    /// SDMX-CSV 2.0 of the dataflow MIDWA:DF_RETURN_REINTEGRATION(1.0).
    Sdmx,
    /// A DHIS2 data value set (JSON), with codes.
    Dhis2,
    /// HXL-tagged CSV.
    Hxl,
}

/// Parses the command line and runs the command; what `main` of the binary calls.
pub fn main() -> ExitCode {
    let cli: Cli = midwa_i18n::cli::parse("midwa");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!(
                "{}",
                midwa_i18n::text!("cli-failed", message = midwa_process::describe(&e))
            );
            ExitCode::FAILURE
        }
    }
}

/// Runs a command; `false` for a negative answer (not verified).
async fn run(cli: Cli) -> anyhow::Result<bool> {
    let config = Config::load(&cli.config)?;
    midwa_i18n::set(Lang::choose(cli.lang, config.lang));
    match cli.command {
        Command::Query {
            metric,
            by,
            unit,
            filters,
            from,
            to,
            format,
        } => {
            let request = crate::query::request(
                &metric,
                &by,
                unit.as_deref(),
                &filters,
                from.as_deref(),
                to.as_deref(),
            )
            .map_err(anyhow::Error::msg)?;
            let channel = config.connect().await.map_err(anyhow::Error::msg)?;
            let answer = pb::statistics_client::StatisticsClient::new(channel)
                .aggregate(midwa_certs::language::ask_in_language(request))
                .await
                .map_err(|s| {
                    anyhow::anyhow!(
                        "{}",
                        midwa_i18n::text!("query-refused", why = s.message().to_owned())
                    )
                })?
                .into_inner();
            let out = match format {
                QueryFormat::Table => Ok(crate::query::table(&answer)),
                QueryFormat::Csv => crate::query::csv(&answer),
                QueryFormat::Json => Ok(format!("{}\n", crate::query::json(&answer))),
                QueryFormat::Sdmx => crate::export::sdmx::write(&answer),
                QueryFormat::Dhis2 => crate::export::dhis2::write(&answer).map(|j| j + "\n"),
                QueryFormat::Hxl => crate::export::hxl::write(&answer),
            };
            print!("{}", out.map_err(anyhow::Error::msg)?);
        }
        Command::Verify { code } => {
            let code: ReceiptCode = code.parse()?;
            let channel = config.connect().await.map_err(anyhow::Error::msg)?;
            let answer = pb::verification_client::VerificationClient::new(channel)
                .verify(pb::VerifyRequest {
                    code: code.to_string(),
                })
                .await
                .map_err(|s| anyhow::anyhow!("the gateway refused: {}", s.message()))?
                .into_inner();
            print!("{}", describe_verification(&code, &answer));
            return Ok(answer.verified);
        }
        Command::Notice(command) => {
            let channel = config.connect().await.map_err(anyhow::Error::msg)?;
            let out = midwa_commands::notices::run(channel, command).await;
            print!("{}", out.map_err(anyhow::Error::msg)?);
        }
        Command::Opportunities(args) => {
            let channel = config.connect().await.map_err(anyhow::Error::msg)?;
            let out = midwa_commands::opportunities::list(channel, &args)
                .await
                .map_err(anyhow::Error::msg)?;
            print!("{out}");
        }
        Command::Subscribe(args) => {
            let channel = config.connect().await.map_err(anyhow::Error::msg)?;
            let stop = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            let out = midwa_commands::subscribe::run(channel, &args, stop)
                .await
                .map_err(anyhow::Error::msg)?;
            print!("{out}");
        }
        Command::Console { listen } => {
            let console = crate::console::Ready::bind(config, listen)
                .await
                .map_err(anyhow::Error::msg)?;
            println!(
                "MIDWA console for {} ({}): open {}",
                console.identity().uri,
                console.identity().role.kind(),
                console.url()
            );
            println!("Ctrl-C stops it.");
            console
                .serve(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .map_err(anyhow::Error::msg)?;
        }
        Command::CheckAttestation { attestation, code } => {
            let code: ReceiptCode = code.parse()?;
            let text = match attestation.strip_prefix('@') {
                Some(file) => std::fs::read_to_string(file)
                    .map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?,
                None => attestation,
            };
            match config.check_attestation(&text, &code) {
                Err(why) => {
                    println!("{}", midwa_i18n::text!("attestation-invalid", why = why));
                    return Ok(false);
                }
                Ok(claims) => {
                    println!(
                        "{}",
                        midwa_i18n::text!("attestation-valid", origin = claims.origin.to_string())
                    );
                    print!(
                        "{}",
                        midwa_commands::text::labelled(
                            &[
                                (
                                    midwa_i18n::text!("attestation-label-month"),
                                    claims.month.to_string()
                                ),
                                (
                                    midwa_i18n::text!("attestation-label-mode"),
                                    claims.mode.to_string()
                                ),
                                (
                                    midwa_i18n::text!("attestation-label-signed"),
                                    claims.issued.to_string()
                                ),
                            ],
                            "  ",
                            true
                        )
                    );
                }
            }
        }
    }
    Ok(true)
}

fn describe_verification(code: &ReceiptCode, a: &pb::VerifyResponse) -> String {
    use midwa_i18n::text;
    if !a.verified {
        return format!("{}\n", text!("verify-not", code = code.to_string()));
    }
    let mut out = format!(
        "{}\n",
        text!("verify-yes", code = code.to_string(), origin = &a.origin)
    );
    let fields = [
        (text!("verify-label-return_month"), a.return_month.clone()),
        (text!("verify-label-mode"), a.mode.clone()),
        (text!("verify-label-host_country"), a.host_country.clone()),
        (text!("verify-label-return_type"), a.return_type.clone()),
        (
            text!("verify-label-assisted"),
            a.assisted.map(|b| {
                if b {
                    text!("verify-assisted-yes").to_string()
                } else {
                    text!("verify-assisted-not_yet").to_string()
                }
            }),
        ),
    ];
    let present: Vec<_> = fields
        .into_iter()
        .filter_map(|(label, value)| value.map(|v| (label, v)))
        .collect();
    out.push_str(&midwa_commands::text::labelled(&present, "  ", false));
    out.push_str(&format!(
        "  {}\n",
        text!(
            "verify-under",
            origin = &a.origin,
            version = a.policy_version
        )
    ));
    out
}

#[cfg(test)]
mod help_tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_help_text_is_in_the_catalogues() {
        let missing = midwa_i18n::cli::missing(&Cli::command(), "midwa");
        assert!(missing.is_empty(), "no catalogue text for {missing:?}");
    }
}
