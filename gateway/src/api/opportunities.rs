//! The `midwa.v1.Opportunities` service: a state publishes, updates and withdraws its own; any
//! participant its policy grants `opportunities` lists them.

use std::collections::{BTreeMap, BTreeSet};

use midwa_proto::codes::CountryCode;
use midwa_proto::opportunity::{Opportunity, check_id};
use midwa_proto::pb::{self, opportunities_server};
use midwa_proto::policy::DataClass;
use tonic::{Request, Response, Status};

use super::Api;
use crate::access::Access;
use crate::auth::Operation;
use crate::consent::Decision;
use crate::opportunities::{Filter, WithdrawError};

/// Each list filter, parsed, or a message naming the one that is wrong.
fn filter(request: &pb::ListOpportunities) -> Result<Filter, String> {
    fn each<T: std::str::FromStr>(field: &str, values: &[String]) -> Result<Vec<T>, String>
    where
        T::Err: std::fmt::Display,
    {
        values
            .iter()
            .map(|v| v.parse::<T>().map_err(|e| format!("{field}: {e}")))
            .collect()
    }
    let open_on = match request.open_on.as_str() {
        "" => None,
        day => Some(
            time::Date::parse(
                day,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| format!("open_on: {day:?} is not a date YYYY-MM-DD"))?,
        ),
    };
    Ok(Filter {
        states: each("states", &request.states)?,
        kinds: each("kinds", &request.kinds)?,
        sectors: each("sectors", &request.sectors)?,
        regions: each("regions", &request.regions)?,
        open_on,
        include_withdrawn: request.include_withdrawn,
    })
}

impl Api {
    /// The publishing state of the caller, if it may contribute.
    fn publishing_state<T>(&self, request: &Request<T>) -> Result<CountryCode, Status> {
        let state = self.caller_state(request, Operation::PublishOpportunity)?;
        self.participants
            .may_contribute(state)
            .map_err(Status::permission_denied)?;
        Ok(state)
    }
}

fn store_failure(e: impl std::fmt::Display) -> Status {
    tracing::error!(error = %e, "cannot store an opportunity");
    Status::unavailable("the gateway cannot store opportunities right now; nothing changed")
}

#[tonic::async_trait]
impl opportunities_server::Opportunities for Api {
    async fn publish(
        &self,
        request: Request<pb::Opportunity>,
    ) -> Result<Response<pb::PublishedOpportunity>, Status> {
        let state = self.publishing_state(&request)?;
        let opportunity = Opportunity::from_pb(request.get_ref(), state)
            .map_err(|e| Status::invalid_argument(format!("opportunity: {e}")))?;
        let all = self.opportunities.clone();
        let published = tokio::task::spawn_blocking(move || all.publish(opportunity))
            .await
            .map_err(|_| Status::internal("internal error"))?
            .map_err(store_failure)?;
        tracing::info!(%state, id = %published.opportunity.id, version = published.version, "opportunity published");
        Ok(Response::new((&published).into()))
    }

    async fn withdraw(
        &self,
        request: Request<pb::WithdrawOpportunity>,
    ) -> Result<Response<pb::PublishedOpportunity>, Status> {
        let state = self.publishing_state(&request)?;
        let id = request.into_inner().id;
        check_id(&id).map_err(|e| Status::invalid_argument(e.to_string()))?;
        let all = self.opportunities.clone();
        let withdrawn = tokio::task::spawn_blocking(move || all.withdraw(state, &id))
            .await
            .map_err(|_| Status::internal("internal error"))?;
        match withdrawn {
            Ok(p) => {
                tracing::info!(%state, id = %p.opportunity.id, version = p.version, "opportunity withdrawn");
                Ok(Response::new((&p).into()))
            }
            Err(e @ WithdrawError::Unknown { .. }) => Err(Status::not_found(e.to_string())),
            Err(e) => Err(store_failure(e)),
        }
    }

    async fn list(
        &self,
        request: Request<pb::ListOpportunities>,
    ) -> Result<Response<pb::OpportunityList>, Status> {
        let caller = self.caller(&request, Operation::ListOpportunities)?;
        let filter = filter(request.get_ref()).map_err(Status::invalid_argument)?;
        // Every state that published something, and every participant, is decided on.
        let publishers = self.opportunities.publishers();
        let considered: BTreeSet<CountryCode> = publishers
            .iter()
            .copied()
            .chain(self.participants.codes())
            .filter(|s| filter.states.is_empty() || filter.states.contains(s))
            .collect();
        let decisions: BTreeMap<CountryCode, Decision> = considered
            .iter()
            .map(|&s| {
                let d = self
                    .consent
                    .decide(s, &caller.role, DataClass::Opportunities, &[]);
                (s, d)
            })
            .collect();
        let allowed = |s: CountryCode| matches!(decisions.get(&s), Some(Decision::Allowed { .. }));
        let listed = self.opportunities.list(&filter, allowed);
        let accesses = decisions
            .iter()
            .filter(|(s, _)| publishers.contains(s))
            .map(|(&s, d)| {
                let count = listed.iter().filter(|p| p.opportunity.state == s).count();
                Access::of(
                    s,
                    caller.uri.as_str(),
                    "opportunities",
                    DataClass::Opportunities.to_string(),
                    d,
                    count as u64,
                )
            })
            .collect();
        self.record(accesses).await?;
        let states = decisions
            .iter()
            .map(|(s, d)| crate::consent::origin_status(*s, d))
            .collect();
        Ok(Response::new(pb::OpportunityList {
            opportunities: listed.iter().map(Into::into).collect(),
            states,
        }))
    }
}
