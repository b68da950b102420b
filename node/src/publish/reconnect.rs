//! Keeping a stream to the gateway open: one session after another, until shutdown. A failed
//! session is retried with exponential backoff and jitter, for as long as it takes; a session
//! the gateway closed cleanly (it is restarting) is retried soon.

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
/// `failed` hears each failure, `ended` each end of a session.
pub async fn forever<F, Fut, E>(
    config: &Config,
    what: &str,
    mut shutdown: watch::Receiver<bool>,
    mut session: F,
    mut failed: impl FnMut(&E),
    mut ended: impl FnMut(),
) where
    F: FnMut(watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = Result<Ended, E>>,
    E: std::fmt::Display,
{
    let mut delay = config.backoff_min;
    loop {
        let outcome = session(shutdown.clone()).await;
        ended();
        match outcome {
            Ok(Ended::ByGateway) => delay = config.backoff_min,
            Ok(Ended::Shutdown) => {}
            Err(e) => {
                tracing::warn!(gateway = %config.gateway, error = %e, retry_in_ms = delay.as_millis() as u64, "{what} interrupted");
                failed(&e);
            }
        }
        if *shutdown.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(jitter(delay)) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        delay = (delay * 2).min(config.backoff_max);
    }
}

/// A delay between half and all of `delay`, so that nodes cut off together do not all come
/// back at the same instant.
fn jitter(delay: Duration) -> Duration {
    let mut byte = [0u8; 1];
    let _ = SystemRandom::new().fill(&mut byte);
    delay / 2 + delay.mul_f64(f64::from(byte[0]) / 512.0)
}
