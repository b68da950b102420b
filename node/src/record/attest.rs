//! Attestations of returns, signed with the node's own certificate key, for returnees to carry
//! beside their receipt code (see `midwa_certs::attestation`).

use midwa_certs::attestation::{Claims, Signer};
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;
use midwa_proto::vocab::Mode;

use crate::config::Config;

/// The node's signer, from its TLS certificate and key.
pub fn signer(config: &Config) -> Result<Signer, String> {
    let read = |p: &std::path::Path| {
        std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    Signer::load(
        &read(&config.tls.cert)?,
        &read(&config.tls.key)?,
        &config.tls.key.display().to_string(),
    )
    .map_err(|e| e.to_string())
}

/// The attestation of a return event with its receipt code; `None` for other events.
pub fn attest(signer: &Signer, event: &pb::Event, code: ReceiptCode) -> Option<String> {
    let Some(pb::event::Body::Return(r)) = &event.body else {
        return None;
    };
    let claims = Claims {
        origin: event.origin.clone(),
        month: r.month.clone(),
        mode: Mode::from_pb(r.mode)?.as_str().to_owned(),
        receipt: code.digest().to_hex(),
        issued: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .ok()?,
    };
    match signer.attest(&claims) {
        Ok(text) => Some(text),
        Err(e) => {
            tracing::error!(error = %e, "cannot sign an attestation");
            None
        }
    }
}
