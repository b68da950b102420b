//! `midwa-bench`: drives state nodes and the gateway, as separate processes over mutual TLS on
//! this machine, and prints figures. It is a measurement, not a test: it never fails on timing.
//!
//! - `midwa-bench exchange`: node to gateway throughput, latency, memory, bytes per event.
//! - `midwa-bench import`: a large returns file imported and durable at the gateway.
//! - `midwa-bench query`: aggregate queries on a gateway holding many events, then its
//!   restarts after a clean stop and after a SIGKILL.
//! - `midwa-bench` alone runs all three with their defaults.
//!
//! Build with `cargo build --release -p midwa-tests`, then run `target/release/midwa-bench`.

mod exchange;
mod import;
mod load;
mod query;
mod restart;
mod support;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Measure MIDWA Exchange on this machine.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    bench: Option<Bench>,
}

#[derive(Subcommand)]
enum Bench {
    /// Node to gateway throughput, latency, memory and size per event.
    Exchange(exchange::Args),
    /// A large returns file imported with `midwa-node import` and durable at the gateway.
    Import(import::Args),
    /// Aggregate queries on a gateway holding many events.
    Query(query::Args),
}

#[tokio::main]
async fn main() -> Result<()> {
    println!(
        "machine: {} cores, {}",
        support::num_cpus(),
        support::cpu_model()
    );
    match Cli::parse().bench {
        Some(Bench::Exchange(args)) => exchange::run(&args).await,
        Some(Bench::Import(args)) => import::run(&args).await,
        Some(Bench::Query(args)) => query::run(&args).await,
        None => {
            for name in ["exchange", "import", "query"] {
                match Cli::parse_from(["midwa-bench", name]).bench {
                    Some(Bench::Exchange(args)) => exchange::run(&args).await?,
                    Some(Bench::Import(args)) => import::run(&args).await?,
                    Some(Bench::Query(args)) => query::run(&args).await?,
                    None => unreachable!("a subcommand was given"),
                }
                println!();
            }
            Ok(())
        }
    }
}
