//! A receipt as a QR code, for the returnee to carry: the code, and the node's attestation if
//! given, as an SVG image to print or a PNG image to send.

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

/// The QR code of `text` as a PNG image, black on white, with a quiet zone.
pub fn png(text: &str) -> Result<Vec<u8>, String> {
    let qr = QrCode::new(text.as_bytes())
        .map_err(|e| format!("cannot make a QR code of this receipt: {e}"))?;
    let (width, scale, quiet) = (qr.width() as u32, 6u32, 4u32);
    let side = (width + 2 * quiet) * scale;
    let colors = qr.to_colors();
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (cx, cy) = (x / scale, y / scale);
        let inside = (quiet..width + quiet).contains(&cx) && (quiet..width + quiet).contains(&cy);
        let dark =
            inside && colors[((cy - quiet) * width + (cx - quiet)) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the QR code as PNG: {e}"))?;
    Ok(out.into_inner())
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
