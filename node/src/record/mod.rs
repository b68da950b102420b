//! Recording what an agency hands over, whichever way it comes (records submitted on the local
//! API, or a file imported): each record is anonymised, its return attested if asked, and the
//! events appended durably to the outbox before anything is answered; the publisher is woken.
//! No transport here: callers turn [`SubmitError`] into what their client understands.

pub mod anonymise;
pub mod attest;
pub mod erase;
pub mod import;
pub mod intake;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use midwa_proto::codes::{CountryCode, Month};
use midwa_proto::event::{EventId, Pseudonym};
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;
use tokio::sync::Notify;

use crate::keys::Keys;
use crate::outbox::{Outbox, Prepared, Recorded};
use crate::record::anonymise::{RecordErrors, Returns, anonymise};

/// What recording needs: the state, its keys, its outbox and signer, and the publisher to wake.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// The node's state.
    pub state: CountryCode,
    /// The node's secret keys (pseudonyms, event ids, receipts).
    pub keys: Arc<Keys>,
    /// Where events are recorded.
    pub outbox: Arc<Outbox>,
    /// Signs attestations of returns.
    pub signer: Arc<midwa_certs::attestation::Signer>,
    /// Woken when there is something new to publish.
    pub wake: Arc<Notify>,
    /// Where imports stage their events.
    pub imports: PathBuf,
}

/// One record as recorded.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Its event's id.
    pub id: EventId,
    /// Its receipt, for a return.
    pub receipt: Option<ReceiptCode>,
    /// The node's signed attestation of the return, if asked.
    pub attestation: Option<String>,
    /// Recorded now, recorded before, or in conflict with what was.
    pub outcome: Recorded,
}

/// Why records were not recorded; nothing was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// A record is not valid (the agency's to correct).
    #[error("records[{index}]: {errors}; nothing was recorded")]
    Record {
        /// Its place in what was submitted.
        index: usize,
        /// What is wrong with it.
        errors: RecordErrors,
    },
    /// The node cannot record right now (the detail is in its log).
    #[error("the node cannot record events right now; nothing was recorded")]
    Unavailable,
}

/// Returns recorded earlier in the same submission count too.
struct WithPending<'a> {
    outbox: &'a Outbox,
    pending: HashMap<Pseudonym, Month>,
}

impl Returns for WithPending<'_> {
    fn return_month(&self, person: &Pseudonym) -> std::io::Result<Option<Month>> {
        match self.pending.get(person) {
            Some(month) => Ok(Some(*month)),
            None => self.outbox.return_month(person),
        }
    }
}

impl Recorder {
    /// Records `records`, all or none, in one pass: each is anonymised, attested if `attest`,
    /// and encoded, then dropped; the events are durable when this returns.
    pub fn submit(
        &self,
        records: Vec<pb::Record>,
        attest: bool,
        today: time::Date,
    ) -> Result<Vec<Submitted>, SubmitError> {
        let mut held = WithPending {
            outbox: &self.outbox,
            pending: HashMap::new(),
        };
        let mut prepared = Vec::with_capacity(records.len());
        let mut ids = Vec::with_capacity(records.len());
        for (index, record) in records.into_iter().enumerate() {
            let a = anonymise(record, self.state, &self.keys, today, &held)
                .map_err(|errors| SubmitError::Record { index, errors })?;
            if let Some(month) = a.return_month {
                held.pending.insert(a.event.subject, month);
            }
            let attestation = a.receipt.filter(|_| attest).and_then(|code| {
                crate::record::attest::attest(&self.signer, &pb::Event::from(&a.event), code)
            });
            prepared.push(Prepared::new(&a));
            ids.push((a.event.id, a.receipt, attestation));
        }
        let outcomes = self.outbox.record(prepared).map_err(|e| {
            tracing::error!(error = %e, "cannot record events");
            SubmitError::Unavailable
        })?;
        if outcomes.iter().any(|o| matches!(o, Recorded::New(_))) {
            self.wake.notify_one();
        }
        Ok(ids
            .into_iter()
            .zip(outcomes)
            .map(|((id, receipt, attestation), outcome)| Submitted {
                id,
                receipt,
                attestation,
                outcome,
            })
            .collect())
    }
}
