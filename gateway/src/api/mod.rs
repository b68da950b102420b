//! The services besides `midwa.v1.Exchange`: `Consent`, `Statistics` and `Verification` here,
//! notices, opportunities, subscriptions and the region's participants beside. Each handler authorises, calls the domain and
//! converts back; errors become a `tonic::Status` here.

pub mod exchange;
mod notices;
mod opportunities;
mod region;
mod subscriptions;

use midwa_i18n::text;
use std::sync::Arc;

use midwa_certs::Identity;
use midwa_proto::codes::CountryCode;
use midwa_proto::pb::{self, consent_server, statistics_server, verification_server};
use midwa_proto::policy::Policy;
use midwa_proto::receipt::ReceiptCode;
use tonic::{Request, Response, Status};

use crate::access::{Access, AccessLog};
use crate::auth::{Operation, authorize};
use crate::consent::{Consent, version_to_pb};
use crate::listener::TlsState;
use crate::metrics::Metrics;
use crate::rate::{RateLimiter, Refused};
use crate::stats::Statistics;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct Api {
    pub(crate) tls: Arc<TlsState>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) consent: Arc<Consent>,
    pub(crate) stats: Arc<Statistics>,
    pub(crate) limiter: Arc<RateLimiter>,
    /// Aggregate queries per identity.
    pub(crate) query_limiter: Arc<RateLimiter>,
    pub(crate) access: Arc<AccessLog>,
    pub(crate) participants: crate::participants::Participants,
    pub(crate) notices: Arc<crate::notices::Notices>,
    pub(crate) opportunities: Arc<crate::opportunities::Opportunities>,
    /// Each state's reporting, for the completeness view.
    pub(crate) activity: crate::activity::Activity,
    /// The stored events, for subscriptions.
    pub(crate) tail: crate::ledger::Tail,
    /// Turns true when the gateway begins to shut down: open streams then end.
    pub(crate) shutdown: tokio::sync::watch::Receiver<bool>,
}

impl Api {
    fn caller<T>(&self, request: &Request<T>, op: Operation) -> Result<Identity, Status> {
        authorize(request, &self.tls, op).inspect_err(|_| self.metrics.denied())
    }

    fn caller_state<T>(&self, request: &Request<T>, op: Operation) -> Result<CountryCode, Status> {
        self.caller(request, op)?
            .role
            .state()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Status::permission_denied("this certificate names no state"))
    }
}

impl Api {
    /// Records releases and refusals in their owners' access logs before anything is
    /// released; if that fails, nothing is.
    async fn record(&self, accesses: Vec<Access>) -> Result<(), Status> {
        let log = self.access.clone();
        tokio::task::spawn_blocking(move || log.append(&accesses))
            .await
            .map_err(|_| Status::internal("internal error"))?
            .map_err(|e| {
                tracing::error!(error = %e, "cannot write the access log; nothing released");
                Status::unavailable("the gateway cannot record this release right now; retry later")
            })
    }
}

type AccessLogStream = tokio_stream::wrappers::ReceiverStream<Result<pb::AccessLogEntry, Status>>;

#[tonic::async_trait]
impl consent_server::Consent for Api {
    type ReadAccessLogStream = AccessLogStream;

    async fn read_access_log(
        &self,
        request: Request<pb::ReadAccessLogRequest>,
    ) -> Result<Response<AccessLogStream>, Status> {
        let state = self.caller_state(&request, Operation::Policy)?;
        let from = request.into_inner().from_index;
        let log = self.access.clone();
        let entries = tokio::task::spawn_blocking(move || log.read(state, from))
            .await
            .map_err(|_| Status::internal("internal error"))?
            .map_err(|e| {
                tracing::error!(error = %e, "cannot read an access log");
                Status::unavailable("the gateway cannot read the access log right now")
            })?;
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        tokio::spawn(async move {
            for entry in entries {
                if tx.send(Ok(entry)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
            rx,
        )))
    }

    async fn push_policy(
        &self,
        request: Request<pb::Policy>,
    ) -> Result<Response<pb::PolicyVersion>, Status> {
        let state = self.caller_state(&request, Operation::Policy)?;
        self.participants
            .may_contribute(state)
            .map_err(Status::permission_denied)?;
        let policy = Policy::try_from(&request.into_inner()).map_err(|e| {
            Status::invalid_argument(format!("{e}; the policy in force is unchanged"))
        })?;
        let consent = self.consent.clone();
        let pushed = tokio::task::spawn_blocking(move || consent.push(state, policy))
            .await
            .map_err(|_| Status::internal("internal error"))?;
        match pushed {
            Ok(version) => {
                tracing::info!(%state, version = version.number, grants = version.policy.grants.len(), "consent policy in force");
                let mut answer = version_to_pb(state, Some(&version));
                answer.privacy = Some(self.stats.privacy(state, &self.consent));
                Ok(Response::new(answer))
            }
            Err(e @ crate::consent::PushError::TooMany { .. }) => {
                tracing::warn!(%state, reason = %e, "policy refused");
                Err(Status::resource_exhausted(format!(
                    "{e}; the policy in force is unchanged"
                )))
            }
            Err(e) => {
                tracing::error!(%state, error = %e, "cannot store a policy");
                Err(Status::unavailable(
                    "the gateway cannot store the policy right now; the policy in force is unchanged",
                ))
            }
        }
    }

    async fn get_policy(
        &self,
        request: Request<pb::GetPolicyRequest>,
    ) -> Result<Response<pb::PolicyVersion>, Status> {
        let state = self.caller_state(&request, Operation::Policy)?;
        let version = self.consent.current(state);
        let mut answer = version_to_pb(state, version.as_deref());
        answer.privacy = Some(self.stats.privacy(state, &self.consent));
        Ok(Response::new(answer))
    }
}

#[tonic::async_trait]
impl statistics_server::Statistics for Api {
    async fn aggregate(
        &self,
        request: Request<pb::AggregateRequest>,
    ) -> Result<Response<pb::AggregateResponse>, Status> {
        let caller = self.caller(&request, Operation::Aggregate)?;
        let lang = midwa_certs::language::caller_lang(request.metadata());
        if let Err(Refused::Burst { retry_after } | Refused::Guessing { retry_after }) = self
            .query_limiter
            .take(caller.uri.as_str(), std::time::Instant::now())
        {
            tracing::warn!(identity = %caller.uri, reason = "too many queries", "request refused");
            return Err(Status::resource_exhausted(
                text!("query-too-many", seconds = retry_after.as_secs().max(1)).render(lang),
            ));
        }
        self.stats
            .check()
            .map_err(|e| Status::unavailable(e.to_string()))?;
        let (stats, consent) = (self.stats.clone(), self.consent.clone());
        let query = request.into_inner();
        let role = caller.role.clone();
        let answer = tokio::task::spawn_blocking(move || {
            stats
                .question(&query)
                .and_then(|q| stats.answer(&q, &role, &consent, time::OffsetDateTime::now_utc()))
        })
        .await
        .map_err(|_| Status::internal("internal error"))?;
        match answer {
            Ok(crate::stats::Answer { response, released }) => {
                let data_class = crate::stats::query::Metric::data_class_of(&response.metric);
                let mut accesses = Vec::new();
                for r in &released {
                    let privacy = Some((r.budget, r.spent));
                    for (family, months) in &r.measured.measured {
                        let again = r
                            .measured
                            .supplemented
                            .get(family)
                            .cloned()
                            .unwrap_or_default();
                        accesses.push(Access::measured(
                            r.origin,
                            caller.uri.as_str(),
                            family.data_class().to_string(),
                            &month_names(months),
                            &month_names(&again),
                            (r.budget, r.spent),
                        ));
                    }
                    for (family, again) in &r.measured.supplemented {
                        if !r.measured.measured.contains_key(family) {
                            accesses.push(Access::measured(
                                r.origin,
                                caller.uri.as_str(),
                                family.data_class().to_string(),
                                &[],
                                &month_names(again),
                                (r.budget, r.spent),
                            ));
                        }
                    }
                    let mut access = Access::of(
                        r.origin,
                        caller.uri.as_str(),
                        "aggregate",
                        data_class.clone(),
                        &r.decision,
                        response.cells.len() as u64,
                    );
                    access.privacy = privacy;
                    accesses.push(access);
                }
                self.record(accesses).await?;
                let included = released
                    .iter()
                    .filter(|r| matches!(r.decision, crate::consent::Decision::Allowed { .. }))
                    .count();
                tracing::info!(identity = %caller.uri, metric = %response.metric, cells = response.cells.len(), origins_included = included, "aggregates released");
                Ok(Response::new(response))
            }
            Err(crate::stats::AnswerError::Question(why)) => {
                Err(Status::invalid_argument(why.render(lang)))
            }
            Err(e) => Err(Status::unavailable(e.to_string())),
        }
    }
}

/// Month numbers as `YYYY-MM`.
fn month_names(months: &[u32]) -> Vec<String> {
    months
        .iter()
        .filter_map(|m| crate::stats::key::month_of(*m))
        .map(|m| m.to_string())
        .collect()
}

#[tonic::async_trait]
impl verification_server::Verification for Api {
    async fn verify(
        &self,
        request: Request<pb::VerifyRequest>,
    ) -> Result<Response<pb::VerifyResponse>, Status> {
        let caller = self.caller(&request, Operation::Verify)?;
        let who = caller.uri.to_string();
        let now = std::time::Instant::now();
        if let Err(refused) = self.limiter.take(&who, now) {
            let (reason, wait) = match refused {
                Refused::Burst { retry_after } => ("too many verifications", retry_after),
                Refused::Guessing { retry_after } => ("too many unknown codes", retry_after),
            };
            tracing::warn!(identity = %who, reason, "verification refused");
            return Err(Status::resource_exhausted(format!(
                "{reason}; try again in {} s",
                wait.as_secs().max(1)
            )));
        }
        let code: ReceiptCode = match request.get_ref().code.parse() {
            Ok(code) => code,
            Err(e) => {
                self.limiter.failed(&who, now);
                return Err(Status::invalid_argument(e.to_string()));
            }
        };
        let (stats, consent, role) = (
            self.stats.clone(),
            self.consent.clone(),
            caller.role.clone(),
        );
        let outcome = tokio::task::spawn_blocking(move || {
            crate::verify::verify(&code, &role, &stats, &consent)
        })
        .await
        .map_err(|_| Status::internal("internal error"))?
        .map_err(|e| Status::unavailable(e.to_string()))?;
        if let Some((origin, decision)) = &outcome.decision {
            self.record(vec![Access::of(
                *origin,
                &who,
                "verify",
                "verification".into(),
                decision,
                1,
            )])
            .await?;
        }
        if outcome.response.verified {
            tracing::info!(identity = %who, origin = %outcome.response.origin, "receipt verified");
        } else {
            self.limiter.failed(&who, now);
            tracing::warn!(identity = %who, "verification: no record this consulate may verify matches the code");
        }
        Ok(Response::new(outcome.response))
    }
}
