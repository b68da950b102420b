//! The `midwa.v1.Notices` service: sending a notice, what became of those sent, and the origin
//! node's inbox stream.

use midwa_certs::Role;
use midwa_proto::codes::{CountryCode, Month};
use midwa_proto::notice::Notice;
use midwa_proto::pb::{self, notices_server};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::Api;
use crate::auth::Operation;
use crate::notices::{AckError, SendError, Status as Held, Where};

/// Deliveries sent ahead of the node's acknowledgements on one inbox stream.
const INBOX_WINDOW: usize = 64;

fn status_to_pb(s: &Held, new: bool) -> pb::NoticeStatus {
    pb::NoticeStatus {
        id: s.notice.id.0.to_vec(),
        state: match s.state {
            Where::Waiting => pb::NoticeState::Waiting,
            Where::Delivered => pb::NoticeState::Delivered,
            Where::Acknowledged => pb::NoticeState::Acknowledged,
        } as i32,
        new,
        notice: Some(pb::Notice::from(&s.notice)),
        sent_at_ms: s.sent_at_ms,
    }
}

#[tonic::async_trait]
impl notices_server::Notices for Api {
    async fn send(
        &self,
        request: Request<pb::Notice>,
    ) -> Result<Response<pb::NoticeStatus>, Status> {
        let caller = self.caller(&request, Operation::SendNotice)?;
        // A node writes from its own state; a consulate's post is abroad, so it says where from.
        let from: Option<CountryCode> = match &caller.role {
            Role::Node { state } => {
                let state = state.parse().ok();
                if let Some(state) = state {
                    self.participants
                        .may_contribute(state)
                        .map_err(Status::permission_denied)?;
                }
                state
            }
            _ => None,
        };
        if let Some(own) = from
            && request.get_ref().origin == own.as_str()
        {
            return Err(Status::invalid_argument(format!(
                "notice: origin is {own}, your own state; a notice goes to the returnees' state of origin"
            )));
        }
        let notice = Notice::from_pb(request.get_ref(), from)
            .map_err(|e| Status::invalid_argument(format!("notice: {e}")))?;
        if !self.participants.is_open() && self.participants.get(notice.origin).is_none() {
            return Err(Status::invalid_argument(format!(
                "notice: origin {} is not a participant of this region (the gateway's [[participant]] list)",
                notice.origin
            )));
        }
        let (notices, sender) = (self.notices.clone(), caller.uri.to_string());
        let sent = tokio::task::spawn_blocking(move || notices.send(notice, &sender))
            .await
            .map_err(|_| Status::internal("internal error"))?;
        match sent {
            Ok((status, new)) => {
                if new {
                    tracing::info!(sender = %caller.uri, origin = %status.notice.origin, inbox_seq = status.seq, "notice received");
                }
                Ok(Response::new(status_to_pb(&status, new)))
            }
            Err(e @ SendError::Conflict(_)) => Err(Status::already_exists(e.to_string())),
            Err(e) => {
                tracing::error!(error = %e, "cannot store a notice");
                Err(Status::unavailable(
                    "the gateway cannot store the notice right now; send it again later (it will not be duplicated)",
                ))
            }
        }
    }

    async fn sent(
        &self,
        request: Request<pb::SentNoticesRequest>,
    ) -> Result<Response<pb::SentNotices>, Status> {
        let caller = self.caller(&request, Operation::SendNotice)?;
        let notices = self
            .notices
            .sent_by(caller.uri.as_str())
            .iter()
            .map(|s| status_to_pb(s, false))
            .collect();
        Ok(Response::new(pb::SentNotices { notices }))
    }

    async fn summary(
        &self,
        request: Request<pb::NoticeSummaryRequest>,
    ) -> Result<Response<pb::NoticeSummary>, Status> {
        self.caller(&request, Operation::NoticeSummary)?;
        let month = |field: &str, text: &str| -> Result<Option<Month>, Status> {
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|e| Status::invalid_argument(format!("{field}: {e}")))
        };
        let request = request.into_inner();
        let (from, to) = (month("from", &request.from)?, month("to", &request.to)?);
        Ok(Response::new(pb::NoticeSummary {
            rows: self.notices.summary(from, to),
        }))
    }

    type InboxStream = ReceiverStream<Result<pb::InboxDelivery, Status>>;

    async fn inbox(
        &self,
        request: Request<Streaming<pb::InboxAck>>,
    ) -> Result<Response<Self::InboxStream>, Status> {
        let state = self.caller_state(&request, Operation::Inbox)?;
        self.participants
            .may_contribute(state)
            .map_err(Status::permission_denied)?;
        let (tx, rx) = mpsc::channel(INBOX_WINDOW);
        let (notices, mut shutdown) = (self.notices.clone(), self.shutdown.clone());
        let mut acks = request.into_inner();
        tracing::info!(%state, acknowledged = notices.acked(state), "inbox stream opened");
        tokio::spawn(async move {
            // Watch before the first read, so that no notice added in between is missed.
            let mut added = notices.watch();
            let mut sent = notices.acked(state);
            loop {
                for delivery in notices.deliver_after(state, sent) {
                    sent = delivery.seq;
                    if tx.send(Ok(delivery)).await.is_err() {
                        return;
                    }
                }
                tokio::select! {
                    changed = added.changed() => if changed.is_err() { return },
                    _ = async { let _ = shutdown.wait_for(|s| *s).await; } => return,
                    ack = acks.message() => {
                        let up_to = match ack {
                            Ok(Some(ack)) => ack.up_to_seq,
                            Ok(None) => return,
                            Err(status) => {
                                tracing::info!(%state, reason = status.message(), "inbox stream ended");
                                return;
                            }
                        };
                        let notices = notices.clone();
                        let stored = tokio::task::spawn_blocking(move || notices.acknowledge(state, up_to)).await;
                        let refusal = match stored {
                            Ok(Ok(())) => continue,
                            Ok(Err(e @ AckError::Ahead { .. })) => Status::invalid_argument(e.to_string()),
                            Ok(Err(e)) => {
                                tracing::error!(%state, error = %e, "cannot store an inbox acknowledgement");
                                Status::unavailable("the gateway cannot store acknowledgements right now; reconnect later")
                            }
                            Err(_) => Status::internal("internal error"),
                        };
                        tracing::warn!(%state, reason = refusal.message(), "inbox stream refused");
                        let _ = tx.send(Err(refusal)).await;
                        return;
                    }
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}
