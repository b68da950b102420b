//! Who is calling and what they may do: identity from the verified certificate, then a matrix of
//! role by operation. Consent for the data itself comes on top of this, per state.

use midwa_certs::{Identity, Role};
use tonic::{Request, Status};

use crate::listener::TlsState;

/// The operations of the gateway's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Publishing a state's events.
    Publish,
    /// Reading what the gateway holds from one's own state.
    Holdings,
    /// Pushing or reading one's own state's consent policy.
    Policy,
    /// Asking for aggregates.
    Aggregate,
    /// Verifying a return receipt.
    Verify,
    /// Sending a cross-border notice, and reading what became of those sent.
    SendNotice,
    /// Receiving the notices addressed to one's own state.
    Inbox,
    /// Publishing or withdrawing one's own state's opportunities.
    PublishOpportunity,
    /// Listing opportunities.
    ListOpportunities,
    /// Subscribing to another state's record-level events.
    Subscribe,
    /// Reading the notices counted across the region.
    NoticeSummary,
    /// Reading who takes part in the region.
    ReadParticipants,
    /// Reading how each state is reporting.
    ReadCompleteness,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Self::Publish => "publish events",
            Self::Holdings => "read holdings",
            Self::Policy => "manage a consent policy",
            Self::Aggregate => "query aggregates",
            Self::Verify => "verify receipts",
            Self::SendNotice => "send notices",
            Self::Inbox => "receive notices",
            Self::PublishOpportunity => "publish opportunities",
            Self::ListOpportunities => "list opportunities",
            Self::Subscribe => "subscribe to records",
            Self::NoticeSummary => "read the summary of notices",
            Self::ReadParticipants => "read the participants",
            Self::ReadCompleteness => "read how states are reporting",
        }
    }

    /// The role-by-operation matrix.
    fn allowed(self, role: &Role) -> bool {
        match self {
            Self::Publish
            | Self::Holdings
            | Self::Policy
            | Self::Inbox
            | Self::PublishOpportunity => matches!(role, Role::Node { .. }),
            Self::SendNotice => matches!(role, Role::Node { .. } | Role::Consulate { .. }),
            Self::Subscribe => matches!(role, Role::Node { .. } | Role::Coordinator { .. }),
            Self::NoticeSummary | Self::ReadCompleteness => {
                matches!(role, Role::Coordinator { .. })
            }
            Self::ReadParticipants => matches!(
                role,
                Role::Node { .. } | Role::Coordinator { .. } | Role::Consulate { .. }
            ),
            Self::ListOpportunities => matches!(
                role,
                Role::Node { .. } | Role::Coordinator { .. } | Role::Consulate { .. }
            ),
            Self::Aggregate => matches!(role, Role::Node { .. } | Role::Coordinator { .. }),
            Self::Verify => matches!(role, Role::Consulate { .. }),
        }
    }
}

/// The caller of `request`, if its certificate names an identity that may perform `op` and has
/// not been revoked since the connection opened. Refusals are logged.
pub fn authorize<T>(
    request: &Request<T>,
    tls: &TlsState,
    op: Operation,
) -> Result<Identity, Status> {
    let certs = request
        .peer_certs()
        .ok_or_else(|| Status::unauthenticated("no client certificate"))?;
    let identity = midwa_certs::tls::peer_identity(&certs, tls.domain())
        .map_err(|e| Status::unauthenticated(e.to_string()))?;
    if tls.is_revoked(&identity.serial) {
        tracing::warn!(identity = %identity.uri, operation = op.name(), reason = "certificate revoked", "request refused");
        return Err(Status::unauthenticated("your certificate has been revoked"));
    }
    if !op.allowed(&identity.role) {
        tracing::warn!(identity = %identity.uri, operation = op.name(), reason = "role not allowed", "request refused");
        return Err(Status::permission_denied(format!(
            "a {} certificate may not {}",
            identity.role.kind(),
            op.name()
        )));
    }
    Ok(identity)
}
