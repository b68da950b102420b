//! A consulate's verification of a receipt in the console: from a typed code, or from a photo
//! of the returnee's QR code (decoded here, on the user's machine), whose attestation is also
//! checked offline against the regional CA.

use axum::http::StatusCode;
use midwa_proto::pb;
use midwa_proto::receipt::ReceiptCode;
use serde_json::{Value, json};
use tonic::transport::Channel;

use super::{Failure, gateway_failure};
use crate::config::Config;

/// What a receipt QR code starts with (see `midwa-node receipt-qr`).
const PREFIX: &str = "MIDWA RECEIPT ";

fn unreadable(kind: &'static str, why: &str) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, kind, why)
}

/// The receipt code, and the attestation if any, of a photo or scan of a receipt QR code.
pub(super) fn read_qr(image: &[u8]) -> Result<(String, Option<String>), Failure> {
    let picture = image::load_from_memory(image)
        .map_err(|_| unreadable("not_image", "the file is not a PNG or JPEG image"))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(picture);
    let text = prepared
        .detect_grids()
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .ok_or_else(|| {
            unreadable(
                "no_qr",
                "no QR code could be read in the image; try a sharper, straighter photo",
            )
        })?;
    let rest = text
        .strip_prefix(PREFIX)
        .ok_or_else(|| unreadable("not_receipt", "this QR code is not a MIDWA receipt"))?;
    let mut lines = rest.lines();
    let code = lines.next().unwrap_or_default().trim().to_owned();
    let attestation = lines
        .next()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    Ok((code, attestation))
}

/// Verifies `code` at the gateway and, if given, its attestation offline.
pub(super) async fn verify(
    channel: &Channel,
    code: &str,
    attestation: Option<&str>,
    config: &Config,
) -> Result<Value, Failure> {
    let code: ReceiptCode = code
        .parse()
        .map_err(|e: midwa_proto::receipt::ReceiptCodeError| {
            Failure::new(StatusCode::BAD_REQUEST, "code", e.to_string())
        })?;
    let answer = pb::verification_client::VerificationClient::new(channel.clone())
        .verify(pb::VerifyRequest {
            code: code.to_string(),
        })
        .await
        .map_err(gateway_failure)?
        .into_inner();
    let mut out = json!({
        "code": code.to_string(),
        "verified": answer.verified,
        "origin": answer.origin,
        "return_month": answer.return_month,
        "mode": answer.mode,
        "host_country": answer.host_country,
        "return_type": answer.return_type,
        "assisted": answer.assisted,
        "policy_version": answer.policy_version,
    });
    if let Some(text) = attestation {
        out["attestation"] = check_attestation(text, &code, config);
    }
    Ok(out)
}

fn check_attestation(text: &str, code: &ReceiptCode, config: &Config) -> Value {
    match config.check_attestation(text, code) {
        Ok(claims) => json!({
            "valid": true,
            "origin": claims.origin,
            "month": claims.month,
            "mode": claims.mode,
        }),
        Err(error) => json!({ "valid": false, "error": error }),
    }
}
