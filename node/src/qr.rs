//! A receipt as a QR code, for the returnee to carry: the code, and the node's attestation if
//! given, as an SVG image to print.

use midwa_proto::receipt::ReceiptCode;
use qrcode::QrCode;
use qrcode::render::svg;

/// The text a receipt QR code holds: `MIDWA RECEIPT <code>`, then the attestation on a line of
/// its own if there is one.
pub fn content(code: &ReceiptCode, attestation: Option<&str>) -> String {
    match attestation {
        Some(a) => format!("MIDWA RECEIPT {code}\n{}", a.trim()),
        None => format!("MIDWA RECEIPT {code}"),
    }
}

/// The QR code of `text` as an SVG document.
pub fn svg(text: &str) -> Result<String, String> {
    let qr = QrCode::new(text.as_bytes())
        .map_err(|e| format!("cannot make a QR code of this receipt: {e}"))?;
    Ok(qr
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_with_its_attestation_fits_a_qr_code() {
        let code = ReceiptCode::from_bits(42);
        let attestation = format!("MIDWA1.{}", "A".repeat(900));
        let text = content(&code, Some(&attestation));
        assert!(text.starts_with(&format!("MIDWA RECEIPT {code}\n")));
        let image = svg(&text).expect("fits");
        assert!(image.contains("<svg"));
    }
}
