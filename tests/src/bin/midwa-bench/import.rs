//! A large returns file, as an agency exports it, imported with `midwa-node import` while the
//! node publishes: the time from starting the command to the last row durable at the gateway,
//! and the peak memory of each process.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use midwa_deploy::region::{Region, free_loopback_addr};
use midwa_deploy::synthetic::Synthetic;

use crate::support::*;

/// Options of the import benchmark.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Rows of the returns file.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Keep the region's files here (must not exist) instead of a temporary directory.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// Runs the import benchmark.
pub async fn run(args: &Args) -> Result<()> {
    let (gateway_exe, node_exe) = executables()?;
    let temp = tempfile_dir(args.keep.as_deref())?;
    let region = Region::create(&temp, free_loopback_addr()?, &["NG"])?;
    let node_files = region.node("NG").context("node")?.clone();
    let socket = node_files.dir.join("local.sock");
    println!(
        "midwa-bench import: a returns file of {} rows, imported with `midwa-node import` into a running node publishing to the gateway",
        args.rows
    );
    let input = temp.join("input");
    std::fs::create_dir_all(&input)?;
    let files = Synthetic::new("NG", 5).write_csv_files(&input, 0, args.rows)?;
    let size = std::fs::metadata(&files.returns)?.len();
    println!(
        "input: {} ({:.1} MiB, with names and phone numbers)",
        files.returns.display(),
        size as f64 / 1048576.0
    );

    let gateway = spawn(
        &gateway_exe,
        &["--config", region.gateway_config.to_str().context("path")?],
        &temp.join("gateway.log"),
    )?;
    let node = start_node(
        &node_exe,
        &node_files.config,
        &socket,
        &temp.join("node.log"),
    )
    .await?;
    let started = Instant::now();
    let output = Command::new(&node_exe)
        .arg("--config")
        .arg(&node_files.config)
        .arg("import")
        .arg(&files.returns)
        .arg("--receipts")
        .output()?;
    let imported = started.elapsed();
    if !output.status.success() {
        bail!(
            "the import failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let recorded = status(&socket).await?.recorded_seq;
    if recorded != args.rows {
        bail!("{recorded} rows recorded, expected {}", args.rows);
    }
    loop {
        let s = status(&socket).await?;
        if s.acked_seq >= s.recorded_seq {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let durable = started.elapsed();
    println!(
        "checked, anonymised and durable on the node (the command's own time): {:.2} s = {:.0} rows/s",
        imported.as_secs_f64(),
        args.rows as f64 / imported.as_secs_f64()
    );
    println!(
        "durable at the gateway, from the command's start: {:.2} s = {:.0} rows/s",
        durable.as_secs_f64(),
        args.rows as f64 / durable.as_secs_f64()
    );
    println!(
        "memory, peak: node {:.1} MiB, gateway {:.1} MiB",
        peak_mib(node.0.id()),
        peak_mib(gateway.0.id())
    );
    drop(gateway);
    drop(node);
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(())
}
