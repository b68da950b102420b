//! The MIDWA regional gateway.
//!
//! State nodes publish anonymised events over mutually authenticated TLS; the gateway stores
//! them durably, exactly once, and acknowledges only what would survive power loss.
//!
//! - [`config`]: the TOML configuration, typed.
//! - [`listener`]: TLS accept loop, handshake limits, CRL reload that also closes revoked
//!   connections.
//! - [`auth`]: caller identity from the certificate; the role-by-operation matrix.
//! - [`ledger`]: what the gateway holds of each state: sequence continuity, duplicates and
//!   conflicts, group commit, erasures carried out, and the checkpoint saved at a clean stop.
//! - [`store`]: the received batches and the journals, behind one narrow interface.
//! - [`consent`]: each state's policy versions, and the decision for each release.
//! - [`stats`]: aggregates kept up to date at ingest, queries, disclosure control.
//! - [`access`]: each state's hash-chained log of who received its data.
//! - [`verify`]: consular verification of receipts.
//! - [`rate`]: per-identity limits on verifications and queries.
//! - [`notices`]: cross-border notices, stored and routed to their addressee's node.
//! - [`opportunities`]: reintegration opportunities, published, updated, withdrawn.
//! - [`subscriptions`]: record-level events cut down to what a recipient is granted.
//! - [`api`]: the handlers of every service, `Exchange` (publishing) among them.
//! - [`participants`]: the states taking part, from the configuration.
//! - [`activity`]: each state's reporting (last delivery, days reported, connected), for the
//!   coordinators' completeness view.
//! - [`metrics`]: Prometheus counters and their endpoint.
//! - [`privacy`]: the exact discrete Gaussian sampler and the zCDP arithmetic of the guarantee.
#![warn(missing_docs)]

pub mod access;
pub mod activity;
pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod consent;
pub mod ledger;
pub mod listener;
pub mod metrics;
pub mod notices;
pub mod opportunities;
pub mod participants;
pub mod privacy;
pub mod rate;
pub mod stats;
pub mod store;
pub mod subscriptions;
pub mod verify;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use consent::Consent;
use midwa_proto::pb::consent_server::ConsentServer;
use midwa_proto::pb::exchange_server::ExchangeServer;
use midwa_proto::pb::notices_server::NoticesServer;
use midwa_proto::pb::opportunities_server::OpportunitiesServer;
use midwa_proto::pb::region_server::RegionServer;
use midwa_proto::pb::statistics_server::StatisticsServer;
use midwa_proto::pb::subscriptions_server::SubscriptionsServer;
use midwa_proto::pb::verification_server::VerificationServer;
use stats::Statistics;
use tokio::net::TcpListener;
use tokio::sync::watch;

use api::exchange::ExchangeService;
pub use config::Config;
use ledger::Ingest;
use listener::{AcceptLimits, TlsState};
use metrics::Metrics;
use store::{Store, StoreError};

/// Why the gateway could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The TLS material is unusable.
    #[error(transparent)]
    Tls(#[from] midwa_certs::tls::TlsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The gRPC server failed.
    #[error("gRPC server: {0}")]
    Serve(String),
}

/// A gateway that is listening, ready to [`serve`](Gateway::serve).
#[derive(Debug)]
pub struct Gateway {
    config: Config,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    tls: Arc<TlsState>,
    metrics: Arc<Metrics>,
    ingest: Ingest,
    writer: ledger::Writer,
    api: api::Api,
    /// Turns true to stop every stream and the server.
    stop: watch::Sender<bool>,
}

impl Gateway {
    /// Checks the TLS material, opens the store, rebuilds the ledger and binds the listeners.
    pub async fn start(config: Config) -> Result<Self, GatewayError> {
        let metrics = Arc::new(Metrics::default());
        let credentials = midwa_certs::tls::Credentials::load(&config.tls, &config.trust_domain)?;
        credentials.require_role("gateway", &config.tls.cert)?;
        let tls = Arc::new(TlsState::new(
            credentials,
            config.tls.clone(),
            config.crl.clone(),
            config.trust_domain.clone(),
            metrics.clone(),
        )?);
        let store = Store::open(&config.data_dir, config.cache_bytes)?;
        let consent = Arc::new(Consent::open(store.journal("policies")?, config.threshold)?);
        if config.participants.is_open() {
            tracing::warn!(
                "no [[participant]] list in the configuration: any state with a node certificate may take part"
            );
        }
        let stats = Arc::new(
            Statistics::new(
                &store::scratch_dir(&config.data_dir),
                stats::measured::Measurements::open(
                    store.journal("measurements")?,
                    config.measurement.clone(),
                )?,
            )
            .map_err(|e| store::index_error(&config.data_dir, e))?,
        );
        let stop = watch::Sender::new(false);
        let access = Arc::new(access::AccessLog::open(store.journal("access")?)?);
        let notices = Arc::new(notices::Notices::open(store.journal("notices")?)?);
        let activity = activity::Activity::open(store.journal("activity")?)?;
        let opportunities = Arc::new(opportunities::Opportunities::open(
            store.journal("opportunities")?,
        )?);
        let (ingest, writer, tail) = Ingest::start(
            store,
            metrics.clone(),
            stats.clone(),
            config.checkpoint_every,
        )?;
        let api = api::Api {
            tls: tls.clone(),
            metrics: metrics.clone(),
            consent,
            stats,
            limiter: Arc::new(rate::RateLimiter::new(config.verification)),
            query_limiter: Arc::new(rate::RateLimiter::new(config.queries)),
            participants: config.participants.clone(),
            access,
            notices,
            opportunities,
            activity,
            tail,
            shutdown: stop.subscribe(),
        };
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| GatewayError::Bind { addr, source })
        };
        let listener = bind(config.listen).await?;
        let metrics_listener = match config.metrics_listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        Ok(Self {
            config,
            listener,
            metrics_listener,
            tls,
            metrics,
            ingest,
            writer,
            api,
            stop,
        })
    }

    /// The address the gRPC service listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.config.listen)
    }

    /// The address of the metrics endpoint, if any.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// The TLS state, to reload the CRL on demand.
    pub fn tls(&self) -> Arc<TlsState> {
        self.tls.clone()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets open streams finish their
    /// acknowledged work within the grace period, and makes everything received durable.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<(), GatewayError> {
        let Self {
            config,
            listener,
            metrics_listener,
            tls,
            metrics,
            ingest,
            writer,
            api,
            stop: stop_tx,
        } = self;
        let stop_rx = stop_tx.subscribe();

        let (health, health_service) = tonic_health::server::health_reporter();
        health
            .set_serving::<ExchangeServer<ExchangeService>>()
            .await;
        // Reflection lists what is served here, not every service of the contract (the node's
        // local API is the node's).
        use tonic::server::NamedService;
        let served = [
            <ExchangeServer<ExchangeService> as NamedService>::NAME,
            <ConsentServer<api::Api> as NamedService>::NAME,
            <VerificationServer<api::Api> as NamedService>::NAME,
            <NoticesServer<api::Api> as NamedService>::NAME,
            <OpportunitiesServer<api::Api> as NamedService>::NAME,
            <RegionServer<api::Api> as NamedService>::NAME,
            <SubscriptionsServer<api::Api> as NamedService>::NAME,
            <StatisticsServer<api::Api> as NamedService>::NAME,
            "grpc.health.v1.Health",
        ];
        let reflection = served
            .into_iter()
            .fold(tonic_reflection::server::Builder::configure(), |b, name| {
                b.with_service_name(name)
            })
            .register_encoded_file_descriptor_set(midwa_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()
            .map_err(|e| GatewayError::Serve(e.to_string()))?;
        let exchange = ExchangeServer::new(ExchangeService {
            activity: api.activity.clone(),
            ingest,
            tls: tls.clone(),
            metrics: metrics.clone(),
            shutdown: stop_rx.clone(),
            participants: config.participants.clone(),
        })
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_message_bytes);

        if let Some(l) = metrics_listener {
            let mut stop = stop_rx.clone();
            tokio::spawn(metrics::serve(l, metrics.clone(), async move {
                let _ = stop.wait_for(|s| *s).await;
            }));
        }
        tokio::spawn(watch_crl(
            tls.clone(),
            config.crl.clone(),
            config.crl_check_interval,
            stop_rx.clone(),
        ));

        let incoming = listener::incoming(
            listener,
            tls,
            AcceptLimits {
                handshake_timeout: config.handshake_timeout,
                max_connection_age: config.max_connection_age,
                max_handshakes: config.max_handshakes,
                handshakes_per_address: config.handshakes_per_address,
            },
        );
        let mut stopped = stop_rx.clone();
        let mut server = Box::pin(
            tonic::transport::Server::builder()
                .max_concurrent_streams(config.max_concurrent_streams)
                .timeout(config.request_timeout)
                .http2_keepalive_interval(Some(std::time::Duration::from_secs(30)))
                .http2_keepalive_timeout(Some(std::time::Duration::from_secs(10)))
                .add_service(health_service)
                .add_service(reflection)
                .add_service(exchange)
                .add_service(
                    ConsentServer::new(api.clone())
                        .max_decoding_message_size(config.max_message_bytes),
                )
                .add_service(
                    VerificationServer::new(api.clone())
                        .max_decoding_message_size(config.max_message_bytes),
                )
                .add_service(
                    NoticesServer::new(api.clone())
                        .max_decoding_message_size(config.max_message_bytes),
                )
                .add_service(
                    OpportunitiesServer::new(api.clone())
                        .max_decoding_message_size(config.max_message_bytes),
                )
                .add_service(RegionServer::new(api.clone()))
                .add_service(
                    SubscriptionsServer::new(api.clone())
                        .max_decoding_message_size(config.max_message_bytes)
                        .max_encoding_message_size(config.max_message_bytes),
                )
                .add_service(
                    StatisticsServer::new(api)
                        .max_decoding_message_size(config.max_message_bytes)
                        .max_encoding_message_size(config.max_message_bytes),
                )
                .serve_with_incoming_shutdown(incoming, async move {
                    let _ = stopped.wait_for(|s| *s).await;
                }),
        );
        tracing::info!(listen = %config.listen, "gateway serving");
        let ledger::Writer {
            thread: writer,
            ended: mut writer_ended,
        } = writer;
        let result = tokio::select! {
            r = &mut server => r,
            _ = &mut writer_ended => {
                // The store failed: nothing more can be made durable. Stop, so that a supervisor
                // restarts the gateway from what is on disk; the error comes from the writer.
                tracing::error!("the store failed; stopping");
                let _ = stop_tx.send(true);
                let _ = tokio::time::timeout(config.shutdown_grace, &mut server).await;
                Ok(())
            }
            _ = shutdown => {
                tracing::info!("shutting down: no new connections; open streams finish");
                let _ = stop_tx.send(true);
                match tokio::time::timeout(config.shutdown_grace, &mut server).await {
                    Ok(r) => r,
                    Err(_) => {
                        tracing::warn!(grace = ?config.shutdown_grace, "grace period over; closing remaining connections");
                        Ok(())
                    }
                }
            }
        };
        // Dropping the server drops every handle to the writer (streams cut at the end of the
        // grace period included): the writer then makes the last group durable and ends.
        drop(server);
        let written = tokio::task::spawn_blocking(move || writer.join())
            .await
            .map_err(|e| GatewayError::Serve(e.to_string()))?
            .map_err(|_| GatewayError::Serve("the writer thread panicked".into()))?;
        written?;
        // The checkpoint holds the indexes; their scratch files, which may hold keys of erased
        // records, go (a start without a checkpoint rebuilds them from the store).
        if let Err(e) = midwa_store::durable::erase_files(&store::scratch_dir(&config.data_dir)) {
            tracing::warn!(error = %e, "cannot clear the index scratch files; they are replaced at the next start");
        }
        tracing::info!("gateway stopped; everything acknowledged is durable");
        result.map_err(|e| GatewayError::Serve(e.to_string()))
    }
}

/// Reloads the CRL whenever its file changes, and the gateway's certificate whenever its file
/// changes (a rotation without downtime).
async fn watch_crl(
    tls: Arc<TlsState>,
    path: std::path::PathBuf,
    every: std::time::Duration,
    mut stop: watch::Receiver<bool>,
) {
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let cert = tls.certificate_file().to_owned();
    let mut seen: Option<SystemTime> = modified(&path);
    let mut seen_cert: Option<SystemTime> = modified(&cert);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let now = modified(&path);
        if now != seen {
            seen = now;
            match tls.reload_crl() {
                Ok(closed) => {
                    tracing::info!(crl = %path.display(), closed_connections = closed, "CRL reloaded")
                }
                Err(e) => {
                    tracing::error!(error = %e, "new CRL refused; the previous one stays in force")
                }
            }
        }
        let now = modified(&cert);
        if now != seen_cert {
            seen_cert = now;
            // The key may be written just after the certificate: a refusal is retried at the
            // next change, and SIGHUP forces it.
            match tls.reload_certificate() {
                Ok(serial) => {
                    tracing::info!(cert = %cert.display(), %serial, "gateway certificate rotated; open connections carry on")
                }
                Err(e) => {
                    tracing::error!(error = %e, "new gateway certificate refused; the previous one stays in force")
                }
            }
        }
    }
}
