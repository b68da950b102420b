//! Restarting a gateway that holds many events: after a clean stop, and after a SIGKILL with
//! events stored since its last checkpoint. What is timed is from the start of the process to
//! the first answer a coordinator gets; publishing is served from the same moment (both wait
//! for the ledger). Run at the end of the query benchmark, on the gateway it filled.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use midwa_deploy::region::Region;
use midwa_proto::pb;

use crate::load::{Position, load};
use crate::support::*;

/// Stops `gateway` cleanly, restarts it, publishes `tail` more events, kills it and restarts
/// it again, printing how long each start took to answer.
pub async fn run(
    region: &Region,
    temp: &Path,
    gateway: Proc,
    states: &[&str],
    next: &[Position],
    tail: u64,
) -> Result<()> {
    let exe = executables()?.0;
    let config = region.gateway_config.to_str().context("path")?.to_owned();
    // No periodic checkpoint while the tail is published: the crash below then finds exactly
    // `tail` events stored after the last checkpoint, the one written at the clean stop.
    let text = std::fs::read_to_string(&region.gateway_config)?;
    std::fs::write(
        &region.gateway_config,
        format!("{text}\n[storage]\ncheckpoint_every_s = 86400\n"),
    )?;

    let t = Instant::now();
    drop(gateway);
    println!(
        "\nclean stop (the checkpoint written): {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let log = temp.join("gateway-restart.log");
    let t = Instant::now();
    let gateway = spawn_logging(&exe, &["--config", &config], &log, "info")?;
    ready(region, &log).await?;
    println!(
        "ready after a clean stop: {:.2} s (peak {:.1} MiB), {}",
        t.elapsed().as_secs_f64(),
        peak_mib(gateway.0.id()),
        loaded_from(&log)
    );

    let per_state = tail / states.len() as u64;
    let mut loaders = Vec::new();
    for (i, (state, from)) in states.iter().zip(next).enumerate() {
        let files = region.node(state).context("node")?.clone();
        let key = temp.join(format!("{state}.key"));
        let (state, from, addr) = (state.to_string(), *from, region.gateway_addr);
        loaders.push(tokio::spawn(async move {
            load(
                &state,
                i as u64 + 100,
                from,
                per_state,
                &files.dir.join("tls"),
                &key,
                addr,
            )
            .await
        }));
    }
    let mut stored = 0;
    for loader in loaders {
        stored += loader.await??.stored;
    }

    let mut gateway = gateway;
    gateway.0.kill()?;
    gateway.0.wait()?;
    let log = temp.join("gateway-crash.log");
    let t = Instant::now();
    let gateway = spawn_logging(&exe, &["--config", &config], &log, "info")?;
    ready(region, &log).await?;
    println!(
        "ready after a SIGKILL, {stored} events stored since the checkpoint: {:.2} s (peak {:.1} MiB), {}",
        t.elapsed().as_secs_f64(),
        peak_mib(gateway.0.id()),
        loaded_from(&log)
    );
    // A clean stop writes the checkpoint; the writer thread, which stores what nodes publish,
    // is busy with it meanwhile.
    drop(gateway);
    match checkpoint_written(&log) {
        Some((events, ms)) => println!(
            "writing the checkpoint of {events} events: {:.2} s (publishing waits meanwhile)",
            ms as f64 / 1000.0
        ),
        None => println!("(no checkpoint line in {})", log.display()),
    }
    Ok(())
}

/// The events and milliseconds of the checkpoint the gateway's log says it wrote.
fn checkpoint_written(log: &Path) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(log).ok()?;
    let line = text
        .lines()
        .find(|l| l.contains("ledger checkpoint written"))?;
    let field = |name: &str| -> Option<u64> {
        let at = line.find(&format!("{name}="))? + name.len() + 1;
        line[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    Some((field("events")?, field("elapsed_ms")?))
}

/// Waits until the gateway answers a coordinator's query; the first answer waits until every
/// stored event is counted in.
async fn ready(region: &Region, log: &Path) -> Result<()> {
    let config =
        midwa_client::config::Config::load(region.client("coordinator").context("coordinator")?)?;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Ok(channel) = config.connect().await {
            let mut client = pb::statistics_client::StatisticsClient::new(channel);
            let answer = client
                .aggregate(pb::AggregateRequest {
                    metric: "returns".into(),
                    filters: vec![pb::Filter {
                        dimension: "origin".into(),
                        values: vec!["ZZ".into()],
                    }],
                    ..Default::default()
                })
                .await;
            if answer.is_ok() {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("the gateway did not answer; see {}", log.display());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the gateway's log says it loaded its ledger from.
fn loaded_from(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    match text.lines().find(|l| l.contains("ledger loaded")) {
        Some(l) if l.contains("from_checkpoint=true") => "from the checkpoint".into(),
        Some(_) => "from the whole store".into(),
        None => "(no ledger line in the log)".into(),
    }
}
