//! The MIDWA state node.
//!
//! A national migration agency's records come in through the local API; the node anonymises
//! them, writes them durably to its outbox, and publishes them to the regional gateway over
//! mutual TLS, resuming where the gateway left off after any outage.
//!
//! The node by what it does:
//!
//! - [`record`]: the agency's records to anonymised, durable events: CSV files read
//!   ([`record::intake`]), records anonymised ([`record::anonymise`], the only place that sees
//!   personal data), attested ([`record::attest`]), whole files checked and staged
//!   ([`record::import`]), erasures ([`record::erase`]). No transport here.
//! - [`outbox`]: where events wait for the gateway; sled, behind one narrow interface.
//! - [`publish`]: the mTLS connection to the gateway ([`publish::gateway`]), the stream of
//!   events to it ([`publish::publisher`]) and of notices from it ([`publish::inbox`]), and
//!   how both come back after an outage ([`publish::reconnect`]).
//! - [`api`]: the local API on a Unix socket ([`api::local`]) and its client
//!   ([`api::client`]).
//! - [`cli`]: the `midwa-node` command line: commands, the upload side of `import`, the policy
//!   file, the access log check, receipt QR codes.
//! - [`config`]: the TOML configuration, typed; [`keys`]: the node's secret, and the
//!   pseudonyms and event ids derived from it; [`latency`]: how long events wait for the
//!   gateway's acknowledgement.
#![warn(missing_docs)]

pub mod api;
pub mod cli;
pub mod config;
pub mod keys;
pub mod latency;
pub mod outbox;
pub mod publish;
pub mod record;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use midwa_proto::pb::node_local_server::NodeLocalServer;
use tokio::net::UnixListener;
use tokio::sync::{Notify, watch};

use api::local::LocalService;
pub use config::Config;
use keys::Keys;
use outbox::Outbox;
use publish::publisher::{PublishState, Publisher};

/// Why the node could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The TLS material is unusable.
    #[error(transparent)]
    Tls(#[from] midwa_certs::tls::TlsError),
    /// The certificate is for another state than the configuration says.
    #[error(
        "{cert} is the certificate of the node of {found}, but the configuration says state = {expected:?}"
    )]
    StateMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The state configured.
        expected: String,
        /// The state of the certificate.
        found: String,
    },
    /// The secret key is unusable.
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    /// The database failed.
    #[error(transparent)]
    Outbox(#[from] outbox::StoreError),
    /// The local socket could not be bound.
    #[error("cannot listen on {path}: {source}")]
    Socket {
        /// The socket path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The node's key cannot sign attestations.
    #[error("{0}")]
    Attestation(String),
    /// Staging files of interrupted imports could not be removed.
    #[error("cannot clear the import staging directory {path}: {source}")]
    Staging {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The local API server failed.
    #[error("local API: {0}")]
    Serve(String),
}

/// A node ready to [`serve`](Node::serve).
#[derive(Debug)]
pub struct Node {
    config: Config,
    publisher: Publisher,
    inbox: publish::inbox::Inbox,
    local: LocalService,
    listener: UnixListener,
}

impl Node {
    /// Checks the certificate (a node certificate of the configured state), loads or creates
    /// the secret key, opens the outbox and binds the local socket.
    pub async fn start(config: Config) -> Result<Self, NodeError> {
        let tls = publish::gateway::node_tls(&config)?;
        let signer = record::attest::signer(&config).map_err(NodeError::Attestation)?;
        let (keys, created) = Keys::load_or_create(&config.secret_key)?;
        if created {
            tracing::warn!(path = %config.secret_key.display(), "created the node's secret key: back it up now (see deploy/README.md)");
        }
        let mut outbox = Outbox::open(&config.data_dir, config.cache_bytes, outbox::CHUNK_EVENTS)?;
        outbox.set_retention(config.keep_published);
        let outbox = Arc::new(outbox);
        let imports = config.data_dir.join("imports");
        record::import::clear_staging(&imports).map_err(|source| NodeError::Staging {
            path: imports.clone(),
            source,
        })?;
        let listener = bind_socket(&config.local_socket)?;
        let wake = Arc::new(Notify::new());
        let state = Arc::new(Mutex::new(PublishState::default()));
        let inbox_connected = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let local = LocalService {
            recorder: record::Recorder {
                state: config.state,
                keys: Arc::new(keys),
                outbox: outbox.clone(),
                signer: Arc::new(signer),
                wake: wake.clone(),
                imports,
            },
            gateway: config.gateway.to_string(),
            publish: state.clone(),
            inbox_connected: inbox_connected.clone(),
        };
        let inbox = publish::inbox::Inbox {
            config: config.clone(),
            outbox: outbox.clone(),
            tls: tls.clone(),
            connected: inbox_connected,
        };
        let publisher = Publisher {
            config: config.clone(),
            outbox,
            tls,
            wake,
            state,
            delivered: Default::default(),
        };
        Ok(Self {
            config,
            publisher,
            inbox,
            local,
            listener,
        })
    }

    /// The local API's socket.
    pub fn socket(&self) -> &std::path::Path {
        &self.config.local_socket
    }

    /// Serves the local API and publishes until `shutdown` resolves; then stops taking records,
    /// closes the stream and syncs the outbox.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<(), NodeError> {
        let Self {
            config,
            publisher,
            inbox,
            local,
            listener,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let outbox = local.recorder.outbox.clone();
        let publishing = tokio::spawn(publisher.run(stop_rx.clone()));
        let receiving = tokio::spawn(inbox.run(stop_rx.clone()));
        let mut stopped = stop_rx.clone();
        let server = tonic::transport::Server::builder()
            .add_service(NodeLocalServer::new(local).max_decoding_message_size(64 * 1024 * 1024))
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::UnixListenerStream::new(listener),
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            );
        tokio::pin!(server);
        tracing::info!(state = %config.state, socket = %config.local_socket.display(), gateway = %config.gateway, "node running");
        let result = tokio::select! {
            r = &mut server => r,
            _ = shutdown => {
                tracing::info!("shutting down");
                let _ = stop_tx.send(true);
                server.await
            }
        };
        let _ = stop_tx.send(true);
        let _ = publishing.await;
        let _ = receiving.await;
        outbox.prune()?;
        outbox.sync()?;
        // The index scratch files may hold keys of erased records; they are rebuilt at start.
        if let Err(e) = midwa_store::durable::erase_files(&config.data_dir.join("index")) {
            tracing::warn!(error = %e, "cannot clear the index scratch files; they are replaced at the next start");
        }
        let _ = std::fs::remove_file(&config.local_socket);
        tracing::info!("node stopped");
        result.map_err(|e| NodeError::Serve(e.to_string()))
    }
}

/// Binds the local socket, replacing a stale one left by a crash, and restricts it to the
/// node's user and group.
fn bind_socket(path: &std::path::Path) -> Result<UnixListener, NodeError> {
    let err = |source| NodeError::Socket {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                "another node is running on this socket",
            )));
        }
        std::fs::remove_file(path).map_err(err)?;
    }
    let listener = UnixListener::bind(path).map_err(err)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660)).map_err(err)?;
    Ok(listener)
}
