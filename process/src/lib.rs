//! What every MIDWA service process needs, written once:
#![warn(missing_docs)]
//!
//! - [`stop_signal`]: Ctrl-C or SIGTERM, for a graceful stop;
//! - [`init_logging`]: structured logs on standard error, as text or JSON lines, filtered by
//!   `RUST_LOG`;
//! - [`run`]: a command run to its end on a multi-threaded runtime, its failure printed with
//!   its causes and turned into the exit code;
//! - with the `jemalloc` feature, jemalloc as the process's allocator: with glibc's the node
//!   spent much of its intake in `malloc` and kept freed memory in per-thread arenas
//!   (docs/design.md). Its settings are in `.cargo/config.toml`.

use std::future::Future;
use std::io::IsTerminal;
use std::process::ExitCode;

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Resolves at Ctrl-C (SIGINT) or SIGTERM; never, if the signals cannot be listened to.
pub async fn stop_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Logs to standard error, as JSON lines if `json`, at `default` level unless `RUST_LOG` says
/// otherwise. Colours only when standard error is a terminal: a log file or the journal gets
/// plain text that `grep` finds.
pub fn init_logging(json: bool, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if json {
        builder.json().init()
    } else {
        builder.init()
    }
}

/// Runs `command` on a new multi-threaded runtime to its end: success, or its error with
/// every cause on standard error and a failing exit code.
pub fn run(command: impl Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "{}",
                midwa_i18n::text!("cli-failed", message = describe(&e))
            );
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, each said once: a message that already quotes its
/// cause ("cannot listen on /run/x.sock: Address already in use") is not followed by the cause
/// again.
pub fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot listen on 127.0.0.1:7443: {source}")]
    struct Bind {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_already_quoted_is_not_said_twice() {
        let io = std::io::Error::new(std::io::ErrorKind::AddrInUse, "Address already in use");
        let e = anyhow::Error::new(Bind { source: io });
        assert_eq!(
            describe(&e),
            "cannot listen on 127.0.0.1:7443: Address already in use"
        );
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(describe(&e), "outer: inner");
    }
}
