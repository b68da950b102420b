//! The `midwa.v1.Exchange` service: handlers authorise, convert, call the domain and convert
//! back. Every error becomes a `tonic::Status` here, and only here.

use std::sync::Arc;

use midwa_proto::codes::CountryCode;
use midwa_proto::convert::{canonicalize, events_from_pb};
use midwa_proto::event::Event;
use midwa_proto::pb::{self, exchange_server::Exchange};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::auth::{Operation, authorize};
use crate::ledger::{Ack, Ingest, IngestError, PreparedBatch};
use crate::listener::TlsState;
use crate::metrics::Metrics;

/// The metadata key of a renumbering instruction: the node numbers its events after it.
pub const RENUMBER_AFTER: &str = "midwa-renumber-after";

/// Batches a node may have sent and not yet had acknowledged on one stream.
const MAX_IN_FLIGHT: usize = 32;

/// The gateway's implementation of `midwa.v1.Exchange`.
#[derive(Debug, Clone)]
pub struct ExchangeService {
    pub(crate) ingest: Ingest,
    /// Each state's reporting: streams open, deliveries.
    pub(crate) activity: crate::activity::Activity,
    pub(crate) tls: Arc<TlsState>,
    pub(crate) metrics: Arc<Metrics>,
    /// Turns true when the gateway begins to shut down: open streams then end cleanly.
    pub(crate) shutdown: watch::Receiver<bool>,
    /// The states that may publish.
    pub(crate) participants: crate::participants::Participants,
}

impl ExchangeService {
    fn caller_state<T>(&self, request: &Request<T>, op: Operation) -> Result<CountryCode, Status> {
        let identity = authorize(request, &self.tls, op).inspect_err(|_| self.metrics.denied())?;
        let state: CountryCode = identity
            .role
            .state()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Status::permission_denied("this certificate names no state"))?;
        if op == Operation::Publish
            && let Err(why) = self.participants.may_contribute(state)
        {
            tracing::warn!(identity = %identity.uri, reason = %why, "request refused");
            self.metrics.denied();
            return Err(Status::permission_denied(why));
        }
        Ok(state)
    }
}

#[tonic::async_trait]
impl Exchange for ExchangeService {
    type PublishStream = ReceiverStream<Result<pb::PublishResponse, Status>>;

    async fn publish(
        &self,
        request: Request<Streaming<pb::PublishRequest>>,
    ) -> Result<Response<Self::PublishStream>, Status> {
        let state = self.caller_state(&request, Operation::Publish)?;
        let (out, rx) = mpsc::channel(MAX_IN_FLIGHT + 1);
        let resume = pb::Resume {
            highest_seq: self.ingest.holding(state).highest_seq,
        };
        tracing::info!(%state, highest_seq = resume.highest_seq, "publishing stream opened");
        let _ = out.try_send(Ok(pb::PublishResponse {
            kind: Some(pb::publish_response::Kind::Resume(resume)),
        }));
        let (ingest, shutdown) = (self.ingest.clone(), self.shutdown.clone());
        let activity = self.activity.clone();
        tokio::spawn(pump(
            request.into_inner(),
            out,
            ingest,
            state,
            shutdown,
            activity,
        ));
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn holdings(
        &self,
        request: Request<pb::HoldingsRequest>,
    ) -> Result<Response<pb::HoldingsResponse>, Status> {
        let state = self.caller_state(&request, Operation::Holdings)?;
        let h = self.ingest.holding(state);
        Ok(Response::new(pb::HoldingsResponse {
            state: state.to_string(),
            highest_seq: h.highest_seq,
            returns: h.counts[0],
            assistance: h.counts[1],
            assessments: h.counts[2],
            closures: h.counts[3],
            retractions: h.counts[4],
        }))
    }
}

/// An answer owed to the node, in the order its batches came.
enum Owed {
    Ack(oneshot::Receiver<Result<Ack, IngestError>>),
    Refusal(Status),
}

/// Reads a node's batches and answers each, in order, once durable. Batches are submitted as
/// they arrive, so several can be in the same group commit.
async fn pump(
    mut inbound: Streaming<pb::PublishRequest>,
    out: mpsc::Sender<Result<pb::PublishResponse, Status>>,
    ingest: Ingest,
    state: CountryCode,
    mut shutdown: watch::Receiver<bool>,
    activity: crate::activity::Activity,
) {
    // Counted as connected for as long as the stream lives.
    let _connected = activity.connected(state);
    let (owed_tx, mut owed_rx) = mpsc::channel::<Owed>(MAX_IN_FLIGHT);
    let answer = async move {
        while let Some(owed) = owed_rx.recv().await {
            let message = match owed {
                Owed::Ack(rx) => match rx.await {
                    Ok(Ok(ack)) => {
                        if ack.stored > 0 {
                            activity.delivered(state, now_ms());
                        }
                        Ok(ack_to_pb(ack))
                    }
                    Ok(Err(e)) => {
                        if !matches!(e, IngestError::Unavailable) {
                            tracing::warn!(%state, reason = %e, "batch refused");
                        }
                        Err(ingest_status(&e))
                    }
                    Err(_) => Err(ingest_status(&IngestError::Unavailable)),
                },
                Owed::Refusal(status) => Err(status),
            };
            let last = message.is_err();
            if out.send(message).await.is_err() || last {
                break;
            }
        }
    };
    let read = async move {
        loop {
            let message = tokio::select! {
                m = inbound.message() => m,
                _ = shutdown.wait_for(|stop| *stop) => break,
            };
            let request = match message {
                Ok(Some(request)) => request,
                Ok(None) => break,
                Err(status) => {
                    // A message that could not be decoded (too large, malformed) or the node
                    // going away; in the first case the node needs to hear why.
                    tracing::warn!(%state, code = ?status.code(), reason = status.message(), "publishing stream ended");
                    let _ = owed_tx.send(Owed::Refusal(status)).await;
                    break;
                }
            };
            let owed = match check_batch(request, state) {
                Ok(batch) => Owed::Ack(ingest.submit(state, batch).await),
                Err(status) => {
                    tracing::warn!(%state, reason = status.message(), "batch refused");
                    let _ = owed_tx.send(Owed::Refusal(status)).await;
                    break;
                }
            };
            if owed_tx.send(owed).await.is_err() {
                break;
            }
        }
    };
    tokio::join!(read, answer);
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Checks a batch (every event valid, and the caller's state's own), puts its events in
/// canonical form and prepares it for the writer, here on the stream's own task.
fn check_batch(request: pb::PublishRequest, state: CountryCode) -> Result<PreparedBatch, Status> {
    let first_seq = request.first_seq;
    let mut events = request.events;
    let checked: Vec<Event> = events_from_pb(&events).map_err(|e| {
        Status::invalid_argument(format!("batch starting at sequence {first_seq}: {e}"))
    })?;
    if let Some((i, e)) = checked.iter().enumerate().find(|(_, e)| e.origin != state) {
        return Err(Status::permission_denied(format!(
            "events[{i}].origin is {}, but your certificate is the node of {state}: a node publishes only its own state's events",
            e.origin
        )));
    }
    events.iter_mut().for_each(canonicalize);
    Ok(PreparedBatch::new(first_seq, events, checked))
}

fn ack_to_pb(ack: Ack) -> pb::PublishResponse {
    let rejected = ack
        .conflicts
        .into_iter()
        .map(|id| pb::Rejection {
            event_id: id.0.to_vec(),
            code: tonic::Code::AlreadyExists as i32,
            message: format!(
                "event {id} is already held with different content; retract it before publishing a correction"
            ),
        })
        .collect();
    pb::PublishResponse {
        kind: Some(pb::publish_response::Kind::Ack(pb::BatchAck {
            last_seq: ack.last_seq,
            stored: ack.stored,
            duplicates: ack.duplicates,
            rejected,
        })),
    }
}

fn ingest_status(e: &IngestError) -> Status {
    match e {
        IngestError::Gap { .. } => Status::failed_precondition(e.to_string()),
        IngestError::Renumber { held } => {
            let mut status = Status::aborted(e.to_string());
            if let Ok(value) = held.to_string().parse() {
                status.metadata_mut().insert(RENUMBER_AFTER, value);
            }
            status
        }
        IngestError::Empty => Status::invalid_argument(e.to_string()),
        // The detail is in the gateway's log; the node only needs to retry later.
        IngestError::Unavailable => {
            Status::unavailable("the gateway cannot store events right now; retry later")
        }
        #[allow(unreachable_patterns)]
        _ => Status::internal("internal error"),
    }
}
