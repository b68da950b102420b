//! `midwa-region`: a whole region on one machine. Creates a regional CA, starts a gateway and a
//! node per state on loopback (real mutual TLS, real files), has each national agency import
//! synthetic CSV files and push a consent policy, waits until the gateway holds everything
//! durably, shows what it holds, and asks aggregates as a regional coordinator.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use midwa_deploy::region::{Region, free_loopback_addr};
use midwa_deploy::synthetic::Synthetic;
use midwa_proto::pb;
use tokio::sync::watch;

/// Bring up a MIDWA region on this machine, import synthetic records and query them.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Keep the region's files (CA, certificates, configurations, databases) in this directory,
    /// which must not exist yet. By default a temporary directory is used and removed.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// States with a node.
    #[arg(long, value_delimiter = ',', default_value = "NG,GH,SN")]
    states: Vec<String>,
    /// Returnees per state (about half also receive assistance, a third are surveyed, a fifth
    /// have their case closed).
    #[arg(long, default_value_t = 400)]
    people: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The example consent policy of a state: aggregates to the region's coordinators, and
/// verification to the state's own consulates.
fn policy_for(state: &str) -> String {
    format!(
        r#"[[grant]]
recipient = "coordinators"
data = "aggregates:returns"
dimensions = ["period", "host_country", "mode", "return_type", "sex", "age_band"]
purpose = "Regional monitoring of returns"

[[grant]]
recipient = "coordinators"
data = "aggregates:assistance"
dimensions = ["period", "sex", "assistance_category", "assistance_type"]
purpose = "Tracking reintegration assistance"

[[grant]]
recipient = "consulates:{state}"
data = "verification"
dimensions = ["period", "mode", "assisted"]
purpose = "Consular verification of returns"
"#
    )
}

async fn run(cli: Cli) -> Result<()> {
    let (root, keep) = match &cli.dir {
        Some(dir) if dir.exists() => {
            bail!("{} already exists; give a new directory", dir.display())
        }
        Some(dir) => (dir.clone(), true),
        None => (
            std::env::temp_dir().join(format!("midwa-region-{}", std::process::id())),
            false,
        ),
    };
    let states: Vec<&str> = cli.states.iter().map(String::as_str).collect();
    let region = Region::create(&root, free_loopback_addr()?, &states)?;
    println!(
        "regional CA, gateway and nodes {} laid out in {}",
        states.join(", "),
        root.display()
    );

    let (stop, stopped) = watch::channel(false);
    let until_stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let gateway =
        midwa_gateway::Gateway::start(midwa_gateway::Config::load(&region.gateway_config)?).await?;
    println!(
        "gateway listening on {} (mTLS); metrics on http://{}/metrics",
        gateway.local_addr(),
        gateway
            .metrics_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    );
    let gateway_task = tokio::spawn(gateway.serve(until_stopped(stopped.clone())));

    let mut node_tasks = Vec::new();
    let mut configs = Vec::new();
    for files in &region.nodes {
        let config = midwa_node::Config::load(&files.config)?;
        let node = midwa_node::Node::start(config.clone()).await?;
        node_tasks.push(tokio::spawn(node.serve(until_stopped(stopped.clone()))));
        configs.push(config);
    }

    let started = Instant::now();
    for (i, config) in configs.iter().enumerate() {
        let input = root.join("input").join(config.state.as_str());
        std::fs::create_dir_all(&input)?;
        let files = Synthetic::new(config.state.as_str(), i as u64 + 1)
            .write_csv_files(&input, 1, cli.people)
            .context("synthetic files")?;
        println!("\n{}: the agency imports its files", config.state);
        for (file, receipts) in [
            (&files.returns, true),
            (&files.assistance, false),
            (&files.assessments, false),
            (&files.closures, false),
        ] {
            midwa_node::upload::import(
                &config.local_socket,
                midwa_node::upload::Request {
                    file: file.clone(),
                    check_only: false,
                    receipts: receipts.then(|| midwa_node::upload::default_receipts_path(file)),
                    force: false,
                    attest: false,
                },
            )
            .await?;
        }
        let policy = midwa_node::policy::parse(&policy_for(config.state.as_str()))
            .map_err(anyhow::Error::msg)?;
        let version = midwa_node::policy::push(config, policy)
            .await
            .map_err(anyhow::Error::msg)?;
        println!(
            "{}: consent policy version {} pushed to the gateway",
            config.state, version.version
        );
    }

    for config in &configs {
        let mut local = midwa_node::client::connect(&config.local_socket)
            .await
            .map_err(anyhow::Error::msg)?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = local.status(pb::StatusRequest {}).await?.into_inner();
            if s.acked_seq >= s.recorded_seq {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "{}: the gateway holds {} of {} events after 60 s; last error: {}",
                    s.state,
                    s.acked_seq,
                    s.recorded_seq,
                    s.last_error
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    println!(
        "every node's events acknowledged durably by the gateway in {:.2} s\n",
        started.elapsed().as_secs_f64()
    );

    println!("what the gateway holds, as each node asks it over mTLS:");
    println!(
        "{:<6} {:>8} {:>8} {:>11} {:>12} {:>9}",
        "state", "seq", "returns", "assistance", "assessments", "closures"
    );
    for config in &configs {
        let h = midwa_node::gateway::holdings(config)
            .await
            .map_err(anyhow::Error::msg)?;
        println!(
            "{:<6} {:>8} {:>8} {:>11} {:>12} {:>9}",
            h.state, h.highest_seq, h.returns, h.assistance, h.assessments, h.closures
        );
    }

    let coordinator =
        midwa_client::config::Config::load(region.client("coordinator").context("coordinator")?)?;
    let channel = coordinator.connect().await.map_err(anyhow::Error::msg)?;
    let mut statistics = pb::statistics_client::StatisticsClient::new(channel);
    for (title, request) in [
        (
            "returns by origin and sex",
            midwa_client::query::request("returns", &["origin,sex".into()], None, &[], None, None),
        ),
        (
            "assisted persons by assistance category",
            midwa_client::query::request(
                "assisted_persons",
                &["assistance_category".into()],
                None,
                &[],
                None,
                None,
            ),
        ),
    ] {
        let request = request.map_err(anyhow::Error::msg)?;
        let answer = statistics.aggregate(request).await?.into_inner();
        println!("\na regional coordinator asks for {title}, over mTLS:\n");
        print!("{}", midwa_client::query::table(&answer));
    }

    // A returnee of the first state shows their receipt at one of its consulates.
    let first = &configs[0];
    let receipts = root
        .join("input")
        .join(first.state.as_str())
        .join("returns.receipts.csv");
    let text = std::fs::read_to_string(&receipts)?;
    let code = text
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').nth(1))
        .context("a receipt")?
        .to_owned();
    let consulate = midwa_client::config::Config::load(
        region
            .client(&format!("consulate-{}", first.state))
            .context("consulate")?,
    )?;
    let answer = pb::verification_client::VerificationClient::new(
        consulate.connect().await.map_err(anyhow::Error::msg)?,
    )
    .verify(pb::VerifyRequest { code: code.clone() })
    .await?
    .into_inner();
    println!(
        "\na consulate of {} verifies receipt {code}: {}",
        first.state,
        if answer.verified {
            format!(
                "a return to {} in {}, by {}, assistance received: {}",
                answer.origin,
                answer.return_month.unwrap_or_default(),
                answer.mode.unwrap_or_default(),
                if answer.assisted == Some(true) {
                    "yes"
                } else {
                    "not yet"
                }
            )
        } else {
            "not verified".into()
        }
    );

    let _ = stop.send(true);
    for task in node_tasks {
        task.await??;
    }
    gateway_task.await??;
    println!("\nregion stopped cleanly");
    if keep {
        println!("files kept in {}", root.display());
    } else {
        let _ = std::fs::remove_dir_all(&root);
    }
    Ok(())
}
