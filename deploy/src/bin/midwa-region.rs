//! `midwa-region`: a whole region on one machine. Creates a regional CA, starts a gateway and a
//! node per state on loopback (real mutual TLS, real files), has each national agency submit
//! synthetic records, waits until the gateway holds them durably, and shows what it holds.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use midwa_deploy::region::{Region, free_loopback_addr};
use midwa_deploy::synthetic::Synthetic;
use midwa_proto::pb;
use tokio::sync::watch;

/// Bring up a MIDWA region on this machine and publish synthetic records through it.
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
    /// Returnees per state (about half also receive assistance).
    #[arg(long, default_value_t = 250)]
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
        let mut local = midwa_node::client::connect(&config.local_socket)
            .await
            .map_err(anyhow::Error::msg)?;
        let records = Synthetic::new(config.state.as_str(), i as u64 + 1).records(1, cli.people);
        let submitted = records.len();
        let results = local
            .submit(pb::SubmitRequest {
                records,
                attest: false,
            })
            .await
            .context("submit")?
            .into_inner()
            .results;
        let recorded = results
            .iter()
            .filter(|r| r.outcome == pb::SubmitOutcome::Recorded as i32)
            .count();
        println!(
            "{}: the agency submitted {submitted} records; {recorded} recorded durably on its node",
            config.state
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
