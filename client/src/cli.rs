//! The `midwa` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use midwa_proto::pb;

use crate::config::Config;
use crate::query::Format;

/// MIDWA Exchange for regional coordinators and consulates: asks the regional gateway over
/// mutual TLS, with this party's certificate.
#[derive(Parser)]
#[command(name = "midwa", version)]
struct Cli {
    /// The configuration file (see deploy/client.toml).
    #[arg(long, global = true, default_value = "/etc/midwa/client.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Aggregates of the region: each origin contributes what its consent policy grants you;
    /// small counts are suppressed.
    ///
    /// Metrics: returns, assisted_persons, assessments, closures, mean_scores. Dimensions:
    /// period, origin, host_country, mode, return_type, sex, age_band, vulnerability,
    /// destination_region, assistance_category and assistance_type (assisted_persons),
    /// outcome (closures).
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
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// Parses the command line and runs the command; what `main` of the binary calls.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli.config)?;
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
                .aggregate(request)
                .await
                .map_err(|s| anyhow::anyhow!("the gateway refused the query: {}", s.message()))?
                .into_inner();
            match format {
                Format::Table => print!("{}", crate::query::table(&answer)),
                Format::Csv => print!(
                    "{}",
                    crate::query::csv(&answer).map_err(anyhow::Error::msg)?
                ),
                Format::Json => println!("{}", crate::query::json(&answer)),
            }
        }
    }
    Ok(())
}
