//! The inbox: cross-border notices addressed to this state, received from the gateway on a
//! stream of their own beside publishing. Each notice is stored durably before it is
//! acknowledged, and stored once however often it comes, so none is lost or shown twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use midwa_proto::notice::Notice;
use midwa_proto::pb::{self, notices_client::NoticesClient};
use rustls::ClientConfig;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

use crate::config::Config;
use crate::outbox::{Outbox, StoreError};
use crate::publish::reconnect::Ended;

/// Why an inbox session ended.
#[derive(Debug, thiserror::Error)]
enum InboxError {
    #[error("cannot connect to the gateway: {0}")]
    Connect(String),
    #[error("the gateway refused the inbox stream: {}", .0.message())]
    Status(#[from] tonic::Status),
    #[error(transparent)]
    Outbox(#[from] StoreError),
    #[error("storing a notice failed unexpectedly")]
    Internal,
}

/// Receives this state's notices.
#[derive(Debug)]
pub struct Inbox {
    pub(crate) config: Config,
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) tls: Arc<ClientConfig>,
    /// Whether the stream is open, for `midwa-node status`.
    pub(crate) connected: Arc<AtomicBool>,
}

impl Inbox {
    /// Receives until `shutdown` turns true.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let this = &self;
        crate::publish::reconnect::forever(
            &self.config,
            "inbox",
            shutdown,
            |mut stop| async move { this.session(&mut stop).await },
            |_: &InboxError| {},
            || self.connected.store(false, Ordering::SeqCst),
            || false,
        )
        .await;
    }

    async fn session(&self, shutdown: &mut watch::Receiver<bool>) -> Result<Ended, InboxError> {
        let channel = crate::publish::gateway::connect(
            &self.config,
            crate::publish::gateway::current_tls(&self.config, &self.tls),
        )
        .await
        .map_err(InboxError::Connect)?;
        let (acks, rx) = mpsc::channel(16);
        let mut deliveries = NoticesClient::new(channel)
            .inbox(ReceiverStream::new(rx))
            .await?
            .into_inner();
        self.connected.store(true, Ordering::SeqCst);
        loop {
            let delivery = tokio::select! {
                d = deliveries.message() => d?,
                _ = shutdown.wait_for(|s| *s) => return Ok(Ended::Shutdown),
            };
            let Some(delivery) = delivery else {
                return Ok(Ended::ByGateway);
            };
            let outbox = self.outbox.clone();
            let kept = delivery.clone();
            let new = tokio::task::spawn_blocking(move || outbox.keep_notice(&kept))
                .await
                .map_err(|_| InboxError::Internal)??;
            if new {
                let what = delivery
                    .notice
                    .as_ref()
                    .and_then(|n| Notice::from_pb(n, None).ok())
                    .map_or_else(|| "(unreadable)".to_owned(), |n| n.to_string());
                tracing::info!(sender = %delivery.sender, "notice received: {what}");
            }
            let ack = pb::InboxAck {
                up_to_seq: delivery.seq,
            };
            if acks.send(ack).await.is_err() {
                return Ok(Ended::ByGateway);
            }
        }
    }
}
