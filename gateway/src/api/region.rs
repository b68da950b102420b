//! The `midwa.v1.Region` service: who takes part, with names in the three working languages,
//! and, for coordinators, how each state is reporting.

use midwa_proto::pb::{self, region_server};
use tonic::{Request, Response, Status};

use super::Api;
use crate::auth::Operation;

#[tonic::async_trait]
impl region_server::Region for Api {
    async fn participants(
        &self,
        request: Request<pb::ParticipantsRequest>,
    ) -> Result<Response<pb::ParticipantList>, Status> {
        self.caller(&request, Operation::ReadParticipants)?;
        let participants = self
            .participants
            .all()
            .into_iter()
            .map(|p| pb::Participant {
                code: p.code.to_string(),
                name_en: p.names[0].clone(),
                name_fr: p.names[1].clone(),
                name_pt: p.names[2].clone(),
                status: p.standing.to_string(),
            })
            .collect();
        Ok(Response::new(pb::ParticipantList { participants }))
    }

    async fn completeness(
        &self,
        request: Request<pb::CompletenessRequest>,
    ) -> Result<Response<pb::CompletenessReport>, Status> {
        self.caller(&request, Operation::ReadCompleteness)?;
        let mut states: Vec<_> = self.participants.all().iter().map(|p| p.code).collect();
        if states.is_empty() {
            // No participant list (an open region): the states seen.
            states = self.activity.states();
        }
        let now = time::OffsetDateTime::now_utc();
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let states = self
            .activity
            .report(&states, now_ms)
            .into_iter()
            .map(|r| {
                let policy = self.consent.current(r.state);
                pb::StateReporting {
                    state: r.state.to_string(),
                    last_delivery_ms: r.last_delivery_ms.unwrap_or(0),
                    days_reported_30: r.days_reported,
                    connected: r.connected,
                    policy_version: policy.as_ref().map_or(0, |v| v.number),
                    policy_pushed_ms: policy.as_ref().map_or(0, |v| {
                        (v.received_at.unix_timestamp_nanos() / 1_000_000) as i64
                    }),
                }
            })
            .collect();
        Ok(Response::new(pb::CompletenessReport { states }))
    }
}
