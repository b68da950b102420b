//! The local API for the agency's own systems, on a Unix socket: unreachable from the network,
//! and guarded by the socket file's permissions (0660: the node's user and group).

use std::io::Read;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use midwa_certs::language::caller_lang;
use midwa_i18n::Lang;
use midwa_proto::pb::{self, node_local_server::NodeLocal};
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::outbox::Recorded;
use crate::publish::publisher::PublishState;
use crate::record::import::ImportError;
use crate::record::{Recorder, SubmitError};

/// Most records in one `Submit`.
pub const MAX_RECORDS: usize = 100_000;

/// The node's implementation of `midwa.v1.NodeLocal`: each handler converts, calls the
/// domain ([`crate::record`], [`crate::record::import`], [`crate::record::erase`]) and converts back.
#[derive(Debug, Clone)]
pub struct LocalService {
    /// What records are recorded with.
    pub(crate) recorder: Recorder,
    pub(crate) gateway: String,
    pub(crate) publish: Arc<Mutex<PublishState>>,
    /// Whether the inbox stream is open.
    pub(crate) inbox_connected: Arc<std::sync::atomic::AtomicBool>,
}

/// The bytes of an uploaded file, read on a blocking thread as they arrive.
struct Upload {
    chunks: mpsc::Receiver<Result<Vec<u8>, Status>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for Upload {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.chunks.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => {
                    self.current = chunk;
                    self.at = 0;
                }
                Some(Err(status)) => {
                    return Err(std::io::Error::other(format!(
                        "the upload was interrupted: {}",
                        status.message()
                    )));
                }
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

type ImportStream = Pin<Box<dyn Stream<Item = Result<pb::ImportUpdate, Status>> + Send>>;

#[tonic::async_trait]
impl NodeLocal for LocalService {
    type ImportStream = ImportStream;

    async fn import(
        &self,
        request: Request<Streaming<pb::ImportChunk>>,
    ) -> Result<Response<ImportStream>, Status> {
        let lang = caller_lang(request.metadata());
        let mut input = request.into_inner();
        let first = input.message().await?.ok_or_else(|| {
            Status::invalid_argument("the upload is empty; send the file's bytes")
        })?;
        let options = crate::record::import::Options {
            check_only: first.check_only,
            attest: first.attest,
            lang,
        };
        let (chunks, received) = mpsc::channel(16);
        tokio::spawn(async move {
            if chunks.send(Ok(first.data)).await.is_err() {
                return;
            }
            loop {
                let next = match input.message().await {
                    Ok(Some(chunk)) => Ok(chunk.data),
                    Ok(None) => return,
                    Err(status) => Err(status),
                };
                if chunks.send(next).await.is_err() {
                    return;
                }
            }
        });
        let (updates, out) = mpsc::channel(16);
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let upload = Upload {
                chunks: received,
                current: Vec::new(),
                at: 0,
            };
            let mut send = |u| updates.blocking_send(Ok(u)).is_ok();
            let last = match crate::record::import::run(&this.recorder, &options, upload, &mut send)
            {
                Ok(summary) => Ok(pb::ImportUpdate {
                    rows_checked: summary.rows,
                    rows_recorded: summary.recorded + summary.already_recorded,
                    summary: Some(summary),
                    ..Default::default()
                }),
                Err(e) => Err(import_status(e, lang)),
            };
            let _ = updates.blocking_send(last);
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(out))))
    }

    async fn submit(
        &self,
        request: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitResponse>, Status> {
        let lang = caller_lang(request.metadata());
        let pb::SubmitRequest { records, attest } = request.into_inner();
        if records.len() > MAX_RECORDS {
            return Err(Status::invalid_argument(format!(
                "{} records in one call; send at most {MAX_RECORDS}",
                records.len()
            )));
        }
        let recorder = self.recorder.clone();
        let outcomes = tokio::task::spawn_blocking(move || {
            recorder.submit(records, attest, time::OffsetDateTime::now_utc().date())
        })
        .await
        .map_err(|_| Status::internal("internal error"))?
        .map_err(|e| match e {
            SubmitError::Record { index, errors } => {
                Status::invalid_argument(errors.render(&format!("records[{index}]"), lang))
            }
            e => Status::unavailable(e.to_string()),
        })?;
        let results = outcomes
            .into_iter()
            .map(|submitted| {
                let (id, receipt, attestation) =
                    (submitted.id, submitted.receipt, submitted.attestation);
                let (outcome, seq) = match submitted.outcome {
                    Recorded::New(s) => (pb::SubmitOutcome::Recorded, s),
                    Recorded::Duplicate => (pb::SubmitOutcome::Duplicate, 0),
                    Recorded::Conflict => (pb::SubmitOutcome::Conflict, 0),
                };
                pb::SubmitResult {
                    outcome: outcome as i32,
                    seq,
                    event_id: id.0.to_vec(),
                    receipt: receipt.map(|r| r.to_string()).unwrap_or_default(),
                    attestation: attestation.unwrap_or_default(),
                }
            })
            .collect();
        Ok(Response::new(pb::SubmitResponse { results }))
    }

    async fn erase(
        &self,
        request: Request<pb::EraseRequest>,
    ) -> Result<Response<pb::EraseResponse>, Status> {
        let pb::EraseRequest { person_id, event } = request.into_inner();
        if person_id.trim().is_empty() {
            return Err(Status::invalid_argument("person_id: required but empty"));
        }
        let target = match event {
            None => None,
            Some(r) => Some(crate::record::erase::target(&r).map_err(Status::invalid_argument)?),
        };
        let r = self.recorder.clone();
        let (seq, forgotten) = tokio::task::spawn_blocking(move || {
            crate::record::erase::erase(&r.keys, &r.outbox, r.state, &person_id, target)
        })
        .await
        .map_err(|_| Status::internal("internal error"))?
        .map_err(|e| {
            tracing::error!(error = %e, "cannot record an erasure");
            Status::unavailable("the node cannot record the erasure right now; nothing was erased")
        })?;
        self.recorder.wake.notify_one();
        Ok(Response::new(pb::EraseResponse {
            seq,
            forgotten: forgotten as u64,
        }))
    }

    async fn status(
        &self,
        _: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::NodeStatus>, Status> {
        let publish = self
            .publish
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Ok(Response::new(pb::NodeStatus {
            state: self.recorder.state.to_string(),
            gateway: self.gateway.clone(),
            recorded_seq: self.recorder.outbox.recorded_seq(),
            acked_seq: self.recorder.outbox.acked_seq(),
            connected: publish.connected,
            last_error: publish.last_error.unwrap_or_default(),
            rejected: self.recorder.outbox.rejected(),
            inbox_connected: self
                .inbox_connected
                .load(std::sync::atomic::Ordering::SeqCst),
            notices: self.recorder.outbox.notice_count(),
            ack_latency: self.recorder.outbox.ack_latency().buckets(),
        }))
    }

    async fn received_notices(
        &self,
        _: Request<pb::ReceivedNoticesRequest>,
    ) -> Result<Response<pb::ReceivedNotices>, Status> {
        let outbox = self.recorder.outbox.clone();
        let notices = tokio::task::spawn_blocking(move || outbox.notices())
            .await
            .map_err(|_| Status::internal("internal error"))?
            .map_err(|e| {
                tracing::error!(error = %e, "cannot read the notices");
                Status::unavailable("the node cannot read its notices right now (see its log)")
            })?;
        Ok(Response::new(pb::ReceivedNotices { notices }))
    }
}

/// What a failed import says to its client: the agency's mistakes as such, the node's own
/// trouble as unavailable (the detail is in its log).
fn import_status(e: ImportError, lang: Lang) -> Status {
    let message = e.render(lang);
    match e {
        ImportError::File(_) => Status::invalid_argument(message),
        ImportError::Cancelled(_) => Status::cancelled(message),
        _ => Status::unavailable(message),
    }
}
