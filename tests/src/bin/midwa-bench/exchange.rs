//! The exchange: node to gateway throughput, latency, memory and size per event.
//!
//! 1. Intake: the agency submits `--events` synthetic returns to the node while the gateway is
//!    down; they pile up durably in the node's outbox.
//! 2. Drain: the gateway starts; the node publishes the backlog. Events per second acknowledged
//!    durably (fsynced at the gateway) from the first acknowledgement to the last.
//! 3. Sustained: the agency submits at full speed while the node publishes; events per second
//!    acknowledged durably at the gateway, end to end.
//! 4. Latency: the agency submits at half that sustained rate; for each event, the time from
//!    the node accepting it (durable on the node) to the gateway's durable acknowledgement
//!    reaching the node, as the node itself measures it (`midwa_node::latency`): a client
//!    polling the node from outside would add its own delays, and its load, to the figure.
//! 5. Peak memory of each process, bytes on disk and on the wire per event.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use midwa_deploy::region::{Region, free_loopback_addr};
use midwa_deploy::synthetic::Synthetic;
use midwa_proto::pb;

use crate::support::*;

/// Options of the exchange benchmark.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Events (returns) to push through.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Records per local API call during intake.
    #[arg(long, default_value_t = 5_000)]
    pub submit_size: u64,
    /// Seconds of the latency phase.
    #[arg(long, default_value_t = 10)]
    pub latency_seconds: u64,
    /// Keep the region's files here (must not exist) instead of a temporary directory.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// Runs the exchange benchmark.
pub async fn run(cli: &Args) -> Result<()> {
    let (gateway_exe, node_exe) = executables()?;
    let temp = tempfile_dir(cli.keep.as_deref())?;
    let region = Region::create(&temp, free_loopback_addr()?, &["NG"])?;
    let node_files = region.node("NG").context("node")?.clone();
    let socket = node_files.dir.join("local.sock");
    let port = region.gateway_addr.port();

    println!(
        "midwa-bench: {} events, one node (NG), gateway and node as separate processes over mTLS",
        cli.events
    );

    // 1. Intake, with the gateway down.
    let node = spawn(
        &node_exe,
        &[
            "--config",
            node_files.config.to_str().context("path")?,
            "run",
        ],
        &temp.join("node.log"),
    )?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while midwa_node::api::client::connect(&socket).await.is_err() {
        if Instant::now() > deadline {
            bail!(
                "the node did not start; see {}",
                temp.join("node.log").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    submit_all(&socket, 0, cli.events, cli.submit_size).await?;
    let intake = started.elapsed();
    let recorded = status(&socket).await?.recorded_seq;
    let intake_rate = recorded as f64 / intake.as_secs_f64();
    println!(
        "\nintake (records anonymised and durable on the node): {recorded} in {:.2} s = {:.0} events/s",
        intake.as_secs_f64(),
        intake_rate
    );
    let node_outbox_bytes = dir_bytes(&node_files.dir.join("data"));

    // 2. Drain the backlog to the gateway.
    let gateway = spawn(
        &gateway_exe,
        &["--config", region.gateway_config.to_str().context("path")?],
        &temp.join("gateway.log"),
    )?;
    let (mut t0, mut seq0) = (None, 0);
    let drain_rate = loop {
        let s = status(&socket).await?;
        if t0.is_none() && s.acked_seq > 0 {
            t0 = Some(Instant::now());
            seq0 = s.acked_seq;
        }
        if s.acked_seq >= s.recorded_seq {
            let t0 = t0.context("no acknowledgement seen")?;
            break (s.acked_seq - seq0) as f64 / t0.elapsed().as_secs_f64().max(1e-9);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    println!(
        "node -> gateway, acknowledged durably (fsync per group commit): {drain_rate:.0} events/s"
    );
    let (gateway_pid, node_pid) = (gateway.0.id(), node.0.id());
    let memory = |when: &str| {
        println!(
            "memory {when}, peak (now): gateway {:.1} MiB ({:.1}), node {:.1} MiB ({:.1})",
            peak_mib(gateway_pid),
            rss_mib(gateway_pid),
            peak_mib(node_pid),
            rss_mib(node_pid)
        )
    };
    memory("after intake and drain");
    let wire = wire_bytes(port);
    let gateway_bytes = dir_bytes(&region.root.join("gateway/data"));

    // 3. The whole path at full speed: the agency submits while the node publishes.
    let sustained_events = (cli.events / 5).max(cli.submit_size);
    let started = Instant::now();
    let first_seq = status(&socket).await?.recorded_seq;
    submit_all(&socket, 2_000_000_000, sustained_events, cli.submit_size).await?;
    let target = status(&socket).await?.recorded_seq;
    while status(&socket).await?.acked_seq < target {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let sustained = (target - first_seq) as f64 / started.elapsed().as_secs_f64();
    println!(
        "agency -> node -> gateway at full speed, acknowledged durably at the gateway: {sustained:.0} events/s"
    );

    // 4. Latency at half the maximum rate the whole path sustains, as the node measures it (see
    //    `midwa_node::latency`): the waits it counted during this phase.
    let rate = (sustained / 2.0).max(100.0);
    let per_tick = ((rate / 100.0).round() as u64).max(1);
    let before = status(&socket).await?.ack_latency;
    let mut client = midwa_node::api::client::connect(&socket)
        .await
        .map_err(anyhow::Error::msg)?;
    let mut synthetic = Synthetic::new("NG", 99);
    let mut person = 1_000_000_000u64;
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let end = Instant::now() + Duration::from_secs(cli.latency_seconds);
    while Instant::now() < end {
        tick.tick().await;
        let records = (0..per_tick)
            .map(|i| pb::Record {
                kind: Some(pb::record::Kind::Return(
                    synthetic.return_record(person + i),
                )),
            })
            .collect();
        person += per_tick;
        client
            .submit(pb::SubmitRequest {
                records,
                attest: false,
            })
            .await?;
    }
    let target = status(&socket).await?.recorded_seq;
    let waits = loop {
        let s = status(&socket).await?;
        if s.acked_seq >= target {
            break midwa_node::latency::since(&s.ack_latency, &before);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let ms = |p| {
        midwa_node::latency::percentile(&waits, p).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "latency at {:.0} events/s (half the full-speed rate), node recorded durably -> gateway's durable acknowledgement received, as the node measures it: p50 {:.2} ms, p99 {:.2} ms, all under {:.2} ms ({} events)",
        rate,
        ms(0.50),
        ms(0.99),
        ms(1.0),
        midwa_node::latency::events(&waits)
    );

    // 5. Memory and sizes.
    memory("at the end");
    if let Some(counters) = gateway_metrics(&temp.join("gateway.log")) {
        let get = |name: &str| {
            counters
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0.0, |(_, v)| *v)
        };
        let commits = get("midwa_group_commits_total").max(1.0);
        println!(
            "gateway group commits: {:.0}, {:.0} events and {:.2} ms (flush + fsync) each on average",
            commits,
            get("midwa_group_commit_events_total") / commits,
            get("midwa_group_commit_microseconds_total") / commits / 1000.0
        );
    }
    println!(
        "on disk: gateway {:.1} bytes/event ({:.1} MiB for {} events); node outbox before draining {:.1} bytes/event",
        gateway_bytes as f64 / recorded as f64,
        gateway_bytes as f64 / 1048576.0,
        recorded,
        node_outbox_bytes as f64 / recorded as f64
    );
    match wire {
        Some((sent, received)) => println!(
            "on the wire (TLS, node -> gateway / gateway -> node): {:.1} / {:.1} bytes/event",
            sent as f64 / recorded as f64,
            received as f64 / recorded as f64
        ),
        None => println!("on the wire: not measured (needs `ss` from iproute2)"),
    }
    drop(gateway);
    drop(node);
    if cli.keep.is_none() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(())
}
/// Submits `count` synthetic returns of people numbered from `first`, in calls of `size`
/// records, from two concurrent clients (as an agency's import and its case system might).
async fn submit_all(socket: &Path, first: u64, count: u64, size: u64) -> Result<()> {
    let next = Arc::new(AtomicU64::new(first));
    let end = first + count;
    let mut loaders = Vec::new();
    for worker in 0..2u64 {
        let (next, socket) = (next.clone(), socket.to_owned());
        loaders.push(tokio::spawn(async move {
            let mut client = midwa_node::api::client::connect(&socket)
                .await
                .map_err(anyhow::Error::msg)?;
            let mut synthetic = Synthetic::new("NG", first + worker + 1);
            loop {
                let from = next.fetch_add(size, Ordering::SeqCst);
                if from >= end {
                    return anyhow::Ok(());
                }
                let records = (from..(from + size).min(end))
                    .map(|n| pb::Record {
                        kind: Some(pb::record::Kind::Return(synthetic.return_record(n))),
                    })
                    .collect();
                client
                    .submit(pb::SubmitRequest {
                        records,
                        attest: false,
                    })
                    .await?;
            }
        }));
    }
    for loader in loaders {
        loader.await??;
    }
    Ok(())
}
