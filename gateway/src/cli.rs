//! The `midwa-gateway` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::{Config, Gateway};
use clap::Parser;
use midwa_i18n::Lang;

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
    /// The language of messages: en, fr or pt (default: LANG).
    #[arg(long, value_name = "LANG")]
    lang: Option<Lang>,
}

/// Parses the command line and runs the command; what `main` of the binary calls.
pub fn main() -> ExitCode {
    let cli: Cli = midwa_i18n::cli::parse("gateway");
    midwa_process::init_logging(cli.log_json, "info");
    midwa_process::run(async {
        let result = run(cli).await;
        if let Err(e) = &result {
            tracing::error!(error = %format!("{e:#}"), "gateway stopped");
        }
        result
    })
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
    gateway.serve(midwa_process::stop_signal()).await?;
    Ok(())
}

#[cfg(test)]
mod help_tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_help_text_is_in_the_catalogues() {
        let missing = midwa_i18n::cli::missing(&Cli::command(), "gateway");
        assert!(missing.is_empty(), "no catalogue text for {missing:?}");
    }
}
