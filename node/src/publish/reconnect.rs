//! Keeping a stream to the gateway open: one session after another, until shutdown. A failed
//! session is retried with exponential backoff and jitter, for as long as it takes; a session
//! the gateway closed cleanly (it is restarting), or one that delivered before it broke (a
//! flaky link), is retried soon.

use std::future::Future;
use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::watch;

use crate::config::Config;

/// How a session ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The gateway closed the stream: reconnect soon.
    ByGateway,
    /// This node is shutting down.
    Shutdown,
}

/// Runs `session` until `shutdown` turns true. `what` names the stream in the log;
/// `failed` hears each failure, `ended` each end of a session, and `delivered` says (once) if
/// the session that just ended got something through.
pub async fn forever<F, Fut, E>(
    config: &Config,
    what: &str,
    mut shutdown: watch::Receiver<bool>,
    mut session: F,
    mut failed: impl FnMut(&E),
    mut ended: impl FnMut(),
    mut delivered: impl FnMut() -> bool,
) where
    F: FnMut(watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = Result<Ended, E>>,
    E: std::fmt::Display,
{
    let mut delay = config.backoff_min;
    loop {
        let outcome = session(shutdown.clone()).await;
        ended();
        let progressed = delivered();
        delay = next_delay(delay, &outcome, progressed, config);
        if let Err(e) = &outcome {
            tracing::warn!(gateway = %config.gateway, error = %e, retry_in_ms = delay.as_millis() as u64, "{what} interrupted");
            failed(e);
        }
        if *shutdown.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(jitter(delay)) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// The wait before the next session: the shortest after a session the gateway ended or one
/// that delivered (the link works, it only broke), else twice the last, up to the longest.
fn next_delay<T, E>(
    last: Duration,
    outcome: &Result<T, E>,
    progressed: bool,
    config: &Config,
) -> Duration
where
    T: PartialEq<Ended>,
{
    match outcome {
        Ok(end) if *end == Ended::ByGateway => config.backoff_min,
        _ if progressed => config.backoff_min,
        _ if last < config.backoff_min => config.backoff_min,
        _ => (last * 2).min(config.backoff_max),
    }
}

/// A delay between half and all of `delay`, so that nodes cut off together do not all come
/// back at the same instant.
fn jitter(delay: Duration) -> Duration {
    let mut byte = [0u8; 1];
    let _ = SystemRandom::new().fill(&mut byte);
    delay / 2 + delay.mul_f64(f64::from(byte[0]) / 512.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = include_str!("../../../deploy/node.toml");
        let mut c =
            Config::parse(text, std::path::Path::new("/etc/midwa/node.toml")).expect("config");
        c.backoff_min = Duration::from_millis(200);
        c.backoff_max = Duration::from_secs(60);
        c
    }

    #[test]
    fn a_link_that_delivers_between_breaks_is_retried_promptly() {
        let c = config();
        let failed: Result<Ended, &str> = Err("connection reset");
        // Failures in a row without a delivery: the wait doubles up to the longest.
        let mut delay = c.backoff_min;
        for _ in 0..20 {
            delay = next_delay(delay, &failed, false, &c);
        }
        assert_eq!(delay, c.backoff_max);
        // A session that delivered before it broke: back to the shortest.
        assert_eq!(next_delay(delay, &failed, true, &c), c.backoff_min);
        let by_gateway: Result<Ended, &str> = Ok(Ended::ByGateway);
        assert_eq!(next_delay(delay, &by_gateway, false, &c), c.backoff_min);
        assert_eq!(
            next_delay(c.backoff_min, &failed, false, &c),
            c.backoff_min * 2
        );
    }
}
