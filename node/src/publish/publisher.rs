//! Publishing the outbox to the gateway: one long-lived stream over mutual TLS. On each
//! connection the gateway says the highest sequence it holds, and the node sends on from
//! there, in order, with a window of batches in flight. A failed connection is retried with
//! exponential backoff and jitter, for as long as it takes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use midwa_proto::pb;
use rustls::ClientConfig;
use tokio::sync::{Notify, mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

use crate::config::Config;
use crate::outbox::{CHUNK_EVENTS, Outbox, OutboxBatch};
use crate::publish::reconnect::Ended;

/// What the publisher is doing, for `midwa-node status`.
#[derive(Debug, Clone, Default)]
pub struct PublishState {
    /// Whether a stream to the gateway is open.
    pub connected: bool,
    /// The last failure since the last successful connection.
    pub last_error: Option<String>,
}

/// Why a publishing session ended.
#[derive(Debug, thiserror::Error)]
enum SessionError {
    #[error("cannot connect to the gateway: {0}")]
    Connect(String),
    #[error("{}", status_text(.0))]
    Status(#[from] tonic::Status),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error(transparent)]
    Outbox(#[from] crate::outbox::StoreError),
}

/// A stream's end as it happened: the network going away is not the gateway refusing.
fn status_text(s: &tonic::Status) -> String {
    use tonic::Code;
    match s.code() {
        Code::Unknown | Code::Unavailable | Code::Cancelled => {
            format!("the connection to the gateway was lost: {}", s.message())
        }
        code => format!("the gateway refused the stream ({code:?}): {}", s.message()),
    }
}

/// Streams the outbox to the gateway.
#[derive(Debug)]
pub struct Publisher {
    pub(crate) config: Config,
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) tls: Arc<ClientConfig>,
    /// Signalled when new events are recorded.
    pub(crate) wake: Arc<Notify>,
    pub(crate) state: Arc<Mutex<PublishState>>,
    /// Whether the current session got an acknowledgement (read and cleared at its end).
    pub(crate) delivered: std::sync::atomic::AtomicBool,
}

impl Publisher {
    /// Publishes until `shutdown` turns true.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let this = &self;
        crate::publish::reconnect::forever(
            &self.config,
            "publishing",
            shutdown,
            |mut stop| async move { this.session(&mut stop).await },
            |e: &SessionError| self.set(|s| s.last_error = Some(e.to_string())),
            || self.set(|s| s.connected = false),
            || {
                self.delivered
                    .swap(false, std::sync::atomic::Ordering::SeqCst)
            },
        )
        .await;
    }

    /// One connection, until the gateway closes it or shutdown.
    async fn session(&self, shutdown: &mut watch::Receiver<bool>) -> Result<Ended, SessionError> {
        let channel = crate::publish::gateway::connect(
            &self.config,
            crate::publish::gateway::current_tls(&self.config, &self.tls),
        )
        .await
        .map_err(SessionError::Connect)?;
        let (tx, rx) = mpsc::channel(self.config.in_flight);
        let mut inbound = publish(channel, ReceiverStream::new(rx))
            .await?
            .into_inner();
        let held = match inbound.message().await?.and_then(|m| m.kind) {
            Some(pb::publish_response::Kind::Resume(r)) => r.highest_seq,
            _ => {
                return Err(SessionError::Protocol(
                    "the gateway did not say where to resume".into(),
                ));
            }
        };
        // Events this node recorded but never had acknowledged are sent again, from its own
        // floor, even where the gateway holds their sequences: it checks they are the same
        // events (a lost acknowledgement) and not new ones under reused numbers (a node restored
        // from an older backup), which it asks to renumber.
        let mut lost_at_gateway = None;
        if held < self.outbox.acked_seq() {
            // The gateway lost what it had acknowledged: it was restored from an older backup.
            // What this node still keeps is numbered after the gateway's mark and sent; what it
            // pruned after the acknowledgement is not here any more.
            let floor = self.outbox.acked_seq();
            let pruned = self.outbox.pruned_seq();
            let why = if pruned > held {
                format!(
                    "the gateway holds this state's events only up to {held}, but it had acknowledged up to {floor}: it was restored from an older backup. Events {} to {pruned} were already forgotten on this node and are not at the gateway; ask the regional operator to restore the gateway's latest backup",
                    held + 1
                )
            } else {
                format!(
                    "the gateway holds this state's events only up to {held}, but it had acknowledged up to {floor}: it was restored from an older backup; this node sends them again"
                )
            };
            tracing::error!(held, floor, pruned, "{why}");
            self.outbox.renumber_after(held)?;
            lost_at_gateway = (pruned > held).then_some(why);
        }
        let floor = self.outbox.acked_seq();
        let recorded = self.outbox.recorded_seq();
        let verify_until = recorded.min(held);
        if verify_until <= floor {
            self.outbox.acknowledge(held)?;
            self.outbox.prune()?;
        }
        self.set(|s| {
            s.connected = true;
            s.last_error = lost_at_gateway;
        });
        tracing::info!(gateway = %self.config.gateway, resume_after = held, from = floor.min(held), "publishing");
        let mut sent = if verify_until > floor { floor } else { held };
        let mut in_flight: VecDeque<u64> = VecDeque::new();
        loop {
            while in_flight.len() < self.config.in_flight {
                let Some(batch) = self.next_batch(sent)? else {
                    break;
                };
                let last = batch.first_seq + batch.events.len() as u64 - 1;
                if tx.send(batch).await.is_err() {
                    break;
                }
                sent = last;
                in_flight.push_back(last);
            }
            let window_open = in_flight.len() < self.config.in_flight;
            tokio::select! {
                message = inbound.message() => {
                    let message = match message {
                        Ok(message) => message,
                        Err(status) => return Err(self.renumber_if_asked(status)?),
                    };
                    let Some(message) = message else { return Ok(Ended::ByGateway) };
                    let Some(pb::publish_response::Kind::Ack(ack)) = message.kind else {
                        return Err(SessionError::Protocol("unexpected message instead of an acknowledgement".into()));
                    };
                    if in_flight.pop_front() != Some(ack.last_seq) {
                        return Err(SessionError::Protocol(format!("acknowledgement for {} out of order", ack.last_seq)));
                    }
                    if !ack.rejected.is_empty() {
                        for r in &ack.rejected {
                            tracing::error!(code = r.code, reason = %r.message, "event refused by the gateway");
                        }
                        self.outbox.add_rejected(ack.rejected.len() as u64)?;
                    }
                    self.outbox.acknowledge(ack.last_seq)?;
                    self.delivered.store(true, std::sync::atomic::Ordering::SeqCst);
                    if ack.last_seq >= verify_until && verify_until > floor {
                        // Everything this node had below the gateway's mark is verified.
                        self.outbox.acknowledge(held)?;
                    }
                }
                _ = self.wake.notified(), if window_open => {}
                _ = shutdown.wait_for(|s| *s) => return Ok(Ended::Shutdown),
            }
        }
    }

    /// The next batch after `sent`: consecutive outbox chunks merged. Its size adapts: a deep
    /// backlog (after an outage) goes in batches of up to `batch_events`, which is what
    /// throughput wants; a trickle goes as it comes, spread over the window in batches of at
    /// least one outbox chunk, which is what latency wants.
    fn next_batch(&self, sent: u64) -> Result<Option<OutboxBatch>, SessionError> {
        let backlog = self.outbox.durable_seq().saturating_sub(sent) as usize;
        let limit = (backlog / self.config.in_flight)
            .clamp(CHUNK_EVENTS, self.config.batch_events.max(CHUNK_EVENTS));
        let mut batches = self.outbox.pending_after(sent, limit)?.into_iter();
        let Some(first) = batches.next() else {
            return Ok(None);
        };
        let mut request = first;
        for b in batches {
            if request.events.len() + b.events.len() > limit
                || b.first_seq != request.first_seq + request.events.len() as u64
            {
                break;
            }
            request.events.extend(b.events);
        }
        Ok((!request.events.is_empty()).then_some(request))
    }

    /// If the gateway asked to renumber (see [`Outbox::renumber_after`]), does it; returns the
    /// error that ends the session either way.
    fn renumber_if_asked(&self, status: tonic::Status) -> Result<SessionError, SessionError> {
        let after = status
            .metadata()
            .get("midwa-renumber-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let (tonic::Code::Aborted, Some(held)) = (status.code(), after) {
            let moved = self.outbox.renumber_after(held)?;
            tracing::warn!(
                held,
                events = moved,
                "the gateway holds sequences this node reused (its data was restored from an older backup): events renumbered after the gateway's and sent again"
            );
        }
        Ok(SessionError::from(status))
    }

    fn set(&self, f: impl FnOnce(&mut PublishState)) {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// Opens `midwa.v1.Exchange/Publish` sending the outbox's batches as they are stored: the same
/// wire format as `PublishRequest`, without decoding and encoding every event again.
async fn publish(
    channel: tonic::transport::Channel,
    batches: ReceiverStream<OutboxBatch>,
) -> Result<tonic::Response<tonic::codec::Streaming<pb::PublishResponse>>, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel)
        .max_decoding_message_size(16 * 1024 * 1024)
        .max_encoding_message_size(16 * 1024 * 1024);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(format!("the connection is not ready: {e}")))?;
    let codec = midwa_proto::codec::Codec::<OutboxBatch, pb::PublishResponse>::default();
    let path = tonic::codegen::http::uri::PathAndQuery::from_static("/midwa.v1.Exchange/Publish");
    grpc.streaming(tonic::Request::new(batches), path, codec)
        .await
}
