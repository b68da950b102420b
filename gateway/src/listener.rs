//! Accepting TLS connections: rustls configured directly (tonic's own TLS cannot take CRLs),
//! handshakes run concurrently, each under a timeout, every refusal logged with its reason.
//!
//! The CRL can be replaced while running ([`TlsState::reload_crl`]): new handshakes use it at
//! once, and every open connection whose certificate it revokes is closed, so a revoked party
//! keeps nothing it opened before.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;
use midwa_certs::TrustDomain;
use midwa_certs::tls::{
    Credentials, Revocations, TlsError, TlsFiles, peer_identity, server_config,
};
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tonic::transport::server::{Connected, TcpConnectInfo};

use crate::metrics::Metrics;

/// The TLS material in force, and the connections it let in.
#[derive(Debug)]
pub struct TlsState {
    credentials: RwLock<Arc<Credentials>>,
    files: TlsFiles,
    crl_path: PathBuf,
    domain: TrustDomain,
    config: RwLock<Arc<ServerConfig>>,
    revocations: RwLock<Arc<Revocations>>,
    live: Mutex<Vec<Weak<Guard>>>,
    metrics: Arc<Metrics>,
}

impl TlsState {
    /// Builds the server configuration from checked credentials (read from `files`) and the
    /// CRL file.
    pub fn new(
        credentials: Credentials,
        files: TlsFiles,
        crl_path: PathBuf,
        domain: TrustDomain,
        metrics: Arc<Metrics>,
    ) -> Result<Self, TlsError> {
        let revocations = Revocations::load(&crl_path, &credentials)?;
        let config = server_config(&credentials, &revocations)?;
        Ok(Self {
            credentials: RwLock::new(Arc::new(credentials)),
            files,
            crl_path,
            domain,
            config: RwLock::new(config),
            revocations: RwLock::new(Arc::new(revocations)),
            live: Mutex::new(Vec::new()),
            metrics,
        })
    }

    /// Reads the CRL file again. On success, new handshakes check against it and open
    /// connections it revokes are closed; returns how many were closed. On failure the CRL in
    /// force stays.
    pub fn reload_crl(&self) -> Result<usize, TlsError> {
        let credentials = self.credentials();
        let revocations = Revocations::load(&self.crl_path, &credentials)?;
        let config = server_config(&credentials, &revocations)?;
        *self.config.write().unwrap_or_else(PoisonError::into_inner) = config;
        let mut closed = 0;
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.retain(|weak| {
            let Some(guard) = weak.upgrade() else { return false };
            let revoked = guard.serial.get().is_some_and(|s| revocations.is_revoked(s));
            if revoked {
                tracing::warn!(peer = %guard.peer, identity = guard.identity.get().map(String::as_str).unwrap_or("-"), reason = "certificate revoked", "closing connection");
                guard.kill();
                self.metrics.revoked_connection();
                closed += 1;
            }
            !revoked
        });
        *self
            .revocations
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(revocations);
        Ok(closed)
    }

    /// Reads the gateway's certificate and key again (a rotation): new handshakes present the
    /// new certificate, open connections carry on. Returns the new certificate's serial. On
    /// failure (a file missing, a key that does not match, not a gateway certificate of this
    /// region) the certificate in force stays.
    pub fn reload_certificate(&self) -> Result<String, TlsError> {
        let credentials = Credentials::load(&self.files, &self.domain)?;
        credentials.require_role("gateway", &self.files.cert)?;
        let revocations = self
            .revocations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let config = server_config(&credentials, &revocations)?;
        let serial = credentials.identity().serial.clone();
        *self.config.write().unwrap_or_else(PoisonError::into_inner) = config;
        *self
            .credentials
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(credentials);
        Ok(serial)
    }

    /// The gateway's certificate file.
    pub fn certificate_file(&self) -> &std::path::Path {
        &self.files.cert
    }

    fn credentials(&self) -> Arc<Credentials> {
        self.credentials
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether a certificate serial is revoked by the CRL in force.
    pub fn is_revoked(&self, serial: &str) -> bool {
        self.revocations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_revoked(serial)
    }

    /// The region's trust domain.
    pub fn domain(&self) -> &TrustDomain {
        &self.domain
    }

    fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(
            self.config
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }

    fn track(&self, guard: &Arc<Guard>) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        if live.len() > 64 {
            live.retain(|w| w.strong_count() > 0);
        }
        live.push(Arc::downgrade(guard));
    }
}

/// Limits on accepting connections.
#[derive(Debug, Clone, Copy)]
pub struct AcceptLimits {
    /// Longest a TLS handshake may take.
    pub handshake_timeout: Duration,
    /// Longest a connection may stay open; it is also closed when its certificate expires.
    /// The node reconnects and resumes, and the new handshake checks everything again.
    pub max_connection_age: Duration,
    /// Most handshakes in progress at once.
    pub max_handshakes: usize,
    /// Most handshakes in progress at once from one source address.
    pub handshakes_per_address: usize,
}

/// Handshakes in progress, by source address.
#[derive(Debug, Default)]
struct Pending {
    by_address: HashMap<IpAddr, usize>,
    /// Connections closed for too many handshakes from their address, not yet logged.
    refused: u64,
    logged: Option<Instant>,
}

/// One handshake counted against its address until dropped.
struct PendingSlot {
    pending: Arc<Mutex<Pending>>,
    address: IpAddr,
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = p.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                p.by_address.remove(&self.address);
            }
        }
    }
}

/// Counts a handshake from `address`, or refuses it when its address has `max` in progress.
/// Refusals are logged at most once every ten seconds, with how many there were: a flood
/// must not flood the log too.
fn take_slot(pending: &Arc<Mutex<Pending>>, address: IpAddr, max: usize) -> Option<PendingSlot> {
    let mut p = pending.lock().unwrap_or_else(PoisonError::into_inner);
    let n = p.by_address.entry(address).or_insert(0);
    if *n < max {
        *n += 1;
        return Some(PendingSlot {
            pending: pending.clone(),
            address,
        });
    }
    p.refused += 1;
    let due = p
        .logged
        .is_none_or(|at| at.elapsed() >= Duration::from_secs(10));
    if due {
        tracing::warn!(
            %address,
            refused = p.refused,
            limit = max,
            reason = "too many handshakes from one address",
            "TLS connections closed before their handshake"
        );
        p.refused = 0;
        p.logged = Some(Instant::now());
    }
    None
}

/// Accepts TCP connections and yields those whose TLS handshake succeeds.
pub fn incoming(
    listener: TcpListener,
    tls: Arc<TlsState>,
    limits: AcceptLimits,
) -> tokio_stream::wrappers::ReceiverStream<io::Result<TlsStream<Conn>>> {
    let (tx, rx) = mpsc::channel(64);
    let permits = Arc::new(Semaphore::new(limits.max_handshakes));
    let pending = Arc::new(Mutex::new(Pending::default()));
    tokio::spawn(async move {
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let (tcp, peer) = match listener.accept().await {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            if tx.is_closed() {
                return;
            }
            // Closed at once, its slot free for the next caller.
            let Some(slot) = take_slot(&pending, peer.ip(), limits.handshakes_per_address) else {
                tls.metrics.handshake(false);
                continue;
            };
            let (tls, tx) = (tls.clone(), tx.clone());
            tokio::spawn(async move {
                let _permit = permit;
                let _slot = slot;
                if let Some(stream) = handshake(tcp, peer, &tls, limits).await {
                    let _ = tx.send(Ok(stream)).await;
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

async fn handshake(
    tcp: TcpStream,
    peer: SocketAddr,
    tls: &TlsState,
    limits: AcceptLimits,
) -> Option<TlsStream<Conn>> {
    let timeout = limits.handshake_timeout;
    // A custom incoming stream bypasses tonic's own socket options.
    let _ = tcp.set_nodelay(true);
    let guard = Arc::new(Guard {
        peer,
        ..Guard::default()
    });
    let conn = Conn {
        tcp,
        guard: guard.clone(),
    };
    let refused = |reason: String| {
        tracing::warn!(%peer, %reason, "TLS connection refused");
        tls.metrics.handshake(false);
    };
    let stream = match tokio::time::timeout(timeout, tls.acceptor().accept(conn)).await {
        Err(_) => {
            refused(format!("handshake not finished within {timeout:?}"));
            return None;
        }
        Ok(Err(e)) => {
            refused(e.to_string());
            return None;
        }
        Ok(Ok(stream)) => stream,
    };
    let certs = stream.get_ref().1.peer_certificates().unwrap_or_default();
    match peer_identity(certs, &tls.domain) {
        Ok(identity) => {
            tracing::info!(%peer, identity = %identity.uri, serial = %identity.serial, "TLS connection accepted");
            // A connection never outlives its certificate, nor the maximum age.
            let expires = time_until(identity.not_after);
            let (lifetime, reason) = if expires < limits.max_connection_age {
                (expires, "certificate expired")
            } else {
                (limits.max_connection_age, "maximum connection age reached")
            };
            let _ = guard.serial.set(identity.serial);
            let _ = guard.identity.set(identity.uri);
            tls.track(&guard);
            let weak = Arc::downgrade(&guard);
            tokio::spawn(async move {
                tokio::time::sleep(lifetime).await;
                if let Some(guard) = weak.upgrade() {
                    tracing::info!(peer = %guard.peer, identity = guard.identity.get().map(String::as_str).unwrap_or("-"), reason, "closing connection");
                    guard.kill();
                }
            });
            tls.metrics.handshake(true);
            Some(stream)
        }
        // The verifier checked this already; kept so that no path admits an unnamed peer.
        Err(e) => {
            refused(e.to_string());
            None
        }
    }
}

/// Time from now until a Unix timestamp, zero if past.
fn time_until(unix_seconds: i64) -> Duration {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Duration::from_secs(unix_seconds.saturating_sub(now).max(0) as u64)
}

/// What a connection's owner needs to close it from outside.
#[derive(Debug)]
struct Guard {
    peer: SocketAddr,
    serial: OnceLock<String>,
    identity: OnceLock<String>,
    killed: AtomicBool,
    waker: AtomicWaker,
}

impl Default for Guard {
    fn default() -> Self {
        Self {
            peer: SocketAddr::from(([0, 0, 0, 0], 0)),
            serial: OnceLock::new(),
            identity: OnceLock::new(),
            killed: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }
}

impl Guard {
    fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.waker.wake();
    }

    fn check(&self, cx: &Context<'_>) -> io::Result<()> {
        self.waker.register(cx.waker());
        if self.killed.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection closed by the gateway",
            ))
        } else {
            Ok(())
        }
    }
}

/// A TCP connection that can be closed from outside, as when its certificate is revoked.
#[derive(Debug)]
pub struct Conn {
    tcp: TcpStream,
    guard: Arc<Guard>,
}

impl Connected for Conn {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.tcp.connect_info()
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.guard.check(cx)?;
        Pin::new(&mut this.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.guard.check(cx)?;
        Pin::new(&mut this.tcp).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}
