//! The `midwa.v1.Subscriptions` service: an origin's events streamed to a recipient it granted
//! "records", from the recipient's cursor, then live; the grants are checked again before each
//! delivery, so a revocation stops the stream at once.

use midwa_certs::Identity;
use midwa_proto::codes::CountryCode;
use midwa_proto::pb::{self, subscriptions_server};
use midwa_proto::policy::DataClass;
use prost::Message;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::Api;
use crate::access::Access;
use crate::auth::Operation;
use crate::consent::Decision;
use crate::subscriptions::project;

/// Events read and sent at once, at most (a little more: whole stored batches).
const DELIVERY_EVENTS: usize = 5_000;

type Sender = mpsc::Sender<Result<pb::SubscriptionBatch, Status>>;

#[tonic::async_trait]
impl subscriptions_server::Subscriptions for Api {
    type SubscribeStream = ReceiverStream<Result<pb::SubscriptionBatch, Status>>;

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let caller = self.caller(&request, Operation::Subscribe)?;
        let request = request.into_inner();
        let origin: CountryCode = request
            .origin
            .parse()
            .map_err(|e| Status::invalid_argument(format!("origin: {e}")))?;
        // Decided now as well, so that a refusal is the answer to the call itself.
        if let Some(refusal) = self.refusal(origin, &caller).await? {
            return Err(refusal);
        }
        tracing::info!(identity = %caller.uri, %origin, after_seq = request.after_seq, "subscription opened");
        let (tx, rx) = mpsc::channel(2);
        tokio::spawn(self.clone().deliver(origin, caller, request.after_seq, tx));
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

impl Api {
    /// The refusal to send, recorded in the origin's access log, if `caller` may not receive
    /// `origin`'s records now.
    async fn refusal(
        &self,
        origin: CountryCode,
        caller: &Identity,
    ) -> Result<Option<Status>, Status> {
        let decision = self
            .consent
            .decide(origin, &caller.role, DataClass::Records, &[]);
        let Decision::Refused { reason, .. } = &decision else {
            return Ok(None);
        };
        self.record(vec![access(origin, caller, &decision, 0)])
            .await?;
        tracing::warn!(identity = %caller.uri, %origin, %reason, "subscription refused");
        Ok(Some(Status::permission_denied(reason.clone())))
    }

    /// Sends `origin`'s events after `after` to `caller`, then each new batch as it becomes
    /// durable, until the caller goes away, a grant no longer allows it, or shutdown.
    async fn deliver(self, origin: CountryCode, caller: Identity, mut after: u64, tx: Sender) {
        let mut durable = self.tail.watch();
        let mut shutdown = self.shutdown.clone();
        let mut caught_up = false;
        loop {
            let tail = self.tail.clone();
            let read =
                tokio::task::spawn_blocking(move || tail.read(origin, after, DELIVERY_EVENTS))
                    .await;
            let stored = match read {
                Ok(Ok(stored)) => stored,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "cannot read stored events for a subscription");
                    let _ = tx
                        .send(Err(Status::unavailable(
                            "the gateway cannot read events right now; subscribe again later",
                        )))
                        .await;
                    return;
                }
                Err(_) => return,
            };
            let Some(last) = stored.last().map(|s| s.last_seq) else {
                if !caught_up {
                    caught_up = true;
                    let idle = pb::SubscriptionBatch {
                        last_seq: after,
                        caught_up: true,
                        ..Default::default()
                    };
                    if tx.send(Ok(idle)).await.is_err() {
                        return;
                    }
                }
                tokio::select! {
                    changed = durable.changed() => if changed.is_err() { return },
                    _ = tx.closed() => return,
                    _ = async { let _ = shutdown.wait_for(|s| *s).await; } => return,
                }
                continue;
            };
            caught_up = false;
            // The grants in force now, not when the stream opened.
            let decision = self
                .consent
                .decide(origin, &caller.role, DataClass::Records, &[]);
            let (version, granted) = match &decision {
                Decision::Allowed {
                    version, granted, ..
                } => (*version, granted.clone()),
                Decision::Refused { reason, .. } => {
                    let status = match self
                        .record(vec![access(origin, &caller, &decision, 0)])
                        .await
                    {
                        Ok(()) => Status::permission_denied(format!("{reason}; delivery stopped")),
                        Err(status) => status,
                    };
                    tracing::warn!(identity = %caller.uri, %origin, %reason, "subscription stopped");
                    let _ = tx.send(Err(status)).await;
                    return;
                }
            };
            let events: Vec<pb::Event> = stored
                .iter()
                .flat_map(|s| &s.batch.events)
                .filter_map(|bytes| pb::Event::decode(bytes.as_slice()).ok())
                .map(|e| project(e, &granted, caller.uri.as_str()))
                .collect();
            let entry = access(origin, &caller, &decision, events.len() as u64);
            if let Err(status) = self.record(vec![entry]).await {
                let _ = tx.send(Err(status)).await;
                return;
            }
            let batch = pb::SubscriptionBatch {
                last_seq: last,
                events,
                policy_version: version,
                fields: granted.iter().map(|d| d.to_string()).collect(),
                caught_up: false,
            };
            if tx.send(Ok(batch)).await.is_err() {
                return;
            }
            after = last;
        }
    }
}

fn access(origin: CountryCode, caller: &Identity, decision: &Decision, count: u64) -> Access {
    Access::of(
        origin,
        caller.uri.as_str(),
        "subscribe",
        DataClass::Records.to_string(),
        decision,
        count,
    )
}
