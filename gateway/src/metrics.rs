//! Counters for Prometheus, served as plain text on `GET /metrics`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The gateway's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    events_stored: AtomicU64,
    events_duplicate: AtomicU64,
    events_conflict: AtomicU64,
    events_held: AtomicU64,
    commits: AtomicU64,
    committed_events: AtomicU64,
    commit_micros: AtomicU64,
    bytes_on_disk: AtomicU64,
    handshakes_accepted: AtomicU64,
    handshakes_refused: AtomicU64,
    connections_revoked: AtomicU64,
    requests_denied: AtomicU64,
}

impl Metrics {
    pub(crate) fn record_commit(&self, events: u64, took: Duration, bytes_on_disk: u64) {
        self.commits.fetch_add(1, Relaxed);
        self.committed_events.fetch_add(events, Relaxed);
        self.commit_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
        self.bytes_on_disk.store(bytes_on_disk, Relaxed);
    }

    pub(crate) fn record_batch(&self, stored: u64, duplicates: u64, conflicts: u64) {
        self.events_stored.fetch_add(stored, Relaxed);
        self.events_duplicate.fetch_add(duplicates, Relaxed);
        self.events_conflict.fetch_add(conflicts, Relaxed);
    }

    pub(crate) fn set_events_held(&self, n: u64) {
        self.events_held.store(n, Relaxed);
    }

    pub(crate) fn handshake(&self, accepted: bool) {
        let counter = if accepted {
            &self.handshakes_accepted
        } else {
            &self.handshakes_refused
        };
        counter.fetch_add(1, Relaxed);
    }

    pub(crate) fn revoked_connection(&self) {
        self.connections_revoked.fetch_add(1, Relaxed);
    }

    pub(crate) fn denied(&self) {
        self.requests_denied.fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let rows: [(&str, &str, &str, &AtomicU64); 12] = [
            (
                "midwa_events_stored_total",
                "counter",
                "Events stored since start.",
                &self.events_stored,
            ),
            (
                "midwa_events_duplicate_total",
                "counter",
                "Events received again with the same content.",
                &self.events_duplicate,
            ),
            (
                "midwa_events_conflict_total",
                "counter",
                "Events refused: id held with other content.",
                &self.events_conflict,
            ),
            (
                "midwa_events_held",
                "gauge",
                "Events held in the store.",
                &self.events_held,
            ),
            (
                "midwa_group_commits_total",
                "counter",
                "Group commits (flush and fsync).",
                &self.commits,
            ),
            (
                "midwa_group_commit_events_total",
                "counter",
                "Events received in group commits (stored, duplicate or refused).",
                &self.committed_events,
            ),
            (
                "midwa_group_commit_microseconds_total",
                "counter",
                "Time spent in group commits.",
                &self.commit_micros,
            ),
            (
                "midwa_store_bytes",
                "gauge",
                "Bytes the store occupies on disk.",
                &self.bytes_on_disk,
            ),
            (
                "midwa_tls_handshakes_accepted_total",
                "counter",
                "TLS handshakes accepted.",
                &self.handshakes_accepted,
            ),
            (
                "midwa_tls_handshakes_refused_total",
                "counter",
                "TLS handshakes refused or timed out.",
                &self.handshakes_refused,
            ),
            (
                "midwa_connections_revoked_total",
                "counter",
                "Open connections closed because their certificate was revoked.",
                &self.connections_revoked,
            ),
            (
                "midwa_requests_denied_total",
                "counter",
                "Requests refused by authorisation.",
                &self.requests_denied,
            ),
        ];
        let mut out = String::new();
        for (name, kind, help, value) in rows {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                value.load(Relaxed)
            );
        }
        out
    }
}

/// Serves `GET /metrics` on `listener` until `shutdown` resolves. Anything else gets 404.
pub async fn serve(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let (mut socket, _) = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => { tracing::warn!(error = %e, "metrics accept failed"); continue; }
            },
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut request = [0u8; 1024];
            let read =
                tokio::time::timeout(Duration::from_secs(5), socket.read(&mut request)).await;
            let Ok(Ok(n)) = read else { return };
            let response = if request[..n].starts_with(b"GET /metrics ") {
                let body = metrics.render();
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    .to_owned()
            };
            let _ = socket.write_all(response.as_bytes()).await;
        });
    }
}

/// Binds the metrics endpoint.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
