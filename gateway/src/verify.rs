//! Consular verification: a receipt code in, what the origin grants that consulate out. Each
//! consulate draws on a budget of verifications and of unknown codes ([`crate::rate`]). Every
//! unknown code is logged with the consulate's identity, never with the code.

use midwa_certs::Role;
use midwa_proto::pb;
use midwa_proto::policy::{DataClass, Dimension};
use midwa_proto::receipt::ReceiptCode;
use midwa_proto::vocab::{Mode, ReturnType};

use crate::consent::{Consent, Decision};
use crate::stats::{Statistics, key};

/// The outcome of one verification, for the answer and the origin's access log.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The answer.
    pub response: pb::VerifyResponse,
    /// The origin and what was decided, if a record matched the code.
    pub decision: Option<(midwa_proto::codes::CountryCode, Decision)>,
}

/// Looks the code up and answers with what the origin grants `requester`.
pub fn verify(
    code: &ReceiptCode,
    requester: &Role,
    stats: &Statistics,
    consent: &Consent,
) -> Result<Outcome, crate::stats::AnswerError> {
    let not_verified = pb::VerifyResponse::default();
    let Some(found) = stats.receipt(&code.digest())? else {
        return Ok(Outcome {
            response: not_verified,
            decision: None,
        });
    };
    let decision = consent.decide(found.origin, requester, DataClass::Verification, &[]);
    let Decision::Allowed {
        version, granted, ..
    } = &decision
    else {
        return Ok(Outcome {
            response: not_verified,
            decision: Some((found.origin, decision)),
        });
    };
    let has = |d: Dimension| granted.contains(&d);
    let field = |d: Dimension| key::field(u128::from(found.profile), d);
    let response = pb::VerifyResponse {
        verified: true,
        origin: found.origin.to_string(),
        return_month: has(Dimension::Period)
            .then(|| found.month.map(|m| m.to_string()))
            .flatten(),
        mode: has(Dimension::Mode)
            .then(|| Mode::from_pb(field(Dimension::Mode) as i32).map(|m| m.as_str().to_owned()))
            .flatten(),
        host_country: has(Dimension::HostCountry)
            .then(|| key::country_of(field(Dimension::HostCountry)).map(|c| c.to_string()))
            .flatten(),
        return_type: has(Dimension::ReturnType)
            .then(|| {
                ReturnType::from_pb(field(Dimension::ReturnType) as i32)
                    .map(|t| t.as_str().to_owned())
            })
            .flatten(),
        assisted: has(Dimension::Assisted).then_some(found.assisted),
        policy_version: *version,
    };
    Ok(Outcome {
        response,
        decision: Some((found.origin, decision)),
    })
}
