//! The `midwa.v1.Region` service: who takes part, with names in the three working languages.

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
}
