//! The `midwa-gateway` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::{Config, Gateway};
use clap::Parser;

/// The MIDWA regional gateway: receives state nodes' anonymised events over mutual TLS and stores
/// them durably. SIGINT or SIGTERM stop it cleanly; SIGHUP reloads the CRL and the gateway's
/// certificate at once.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The configuration file (see deploy/gateway.toml).
    #[arg(long, default_value = "/etc/midwa/gateway.toml")]
    config: PathBuf,
    /// Log as JSON lines.
    #[arg(long)]
    log_json: bool,
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
    init_tracing(cli.log_json);
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "gateway stopped");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli.config)?;
    let gateway = Gateway::start(config).await?;
    let tls = gateway.tls();
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            match tls.reload_certificate() {
                Ok(serial) => tracing::info!(%serial, "gateway certificate reloaded on SIGHUP"),
                Err(e) => {
                    tracing::error!(error = %e, "new gateway certificate refused; the previous one stays in force")
                }
            }
            match tls.reload_crl() {
                Ok(closed) => tracing::info!(closed_connections = closed, "CRL reloaded on SIGHUP"),
                Err(e) => {
                    tracing::error!(error = %e, "new CRL refused; the previous one stays in force")
                }
            }
        }
    });
    println!("midwa-gateway listening on {}", gateway.local_addr());
    if let Some(addr) = gateway.metrics_addr() {
        println!("metrics on http://{addr}/metrics");
    }
    gateway.serve(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init()
    } else {
        builder.init()
    }
}
