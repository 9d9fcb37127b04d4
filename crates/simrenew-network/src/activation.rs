//! What a subscriber needs to install an eSIM: the activation code, its QR code (SVG for the
//! web, PNG for e-mail and print), the manual-entry strings and the iOS install link.
//!
//! The activation code is SGP.22's `LPA:1$<SM-DP+ address>$<matching id>`, with `$$1` at the
//! end when a confirmation code must be typed. iOS 17.5 and later install a profile from the
//! link `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=<activation code>`
//! (the code percent-encoded); Android has no such link, only the QR code or manual entry.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use qrcode::{EcLevel, QrCode};
use simrenew_domain::identifiers::ActivationCode;
use simrenew_domain::ParseError;

/// The iOS install link's address, before the card data.
pub const IOS_INSTALL_BASE: &str = "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=";

/// What a query value may keep unencoded: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The activation code for a profile at `smdp_address` under `matching_id`.
pub fn activation_code(
    smdp_address: &str,
    matching_id: &str,
    confirmation_code_required: bool,
) -> Result<ActivationCode, ParseError> {
    let flag = if confirmation_code_required {
        "$$1"
    } else {
        ""
    };
    ActivationCode::parse(&format!("LPA:1${smdp_address}${matching_id}{flag}"))
}

/// The iOS 17.5+ one-tap install link for `code`.
pub fn ios_install_link(code: &ActivationCode) -> String {
    let card_data = code.to_string();
    format!(
        "{IOS_INSTALL_BASE}{}",
        utf8_percent_encode(&card_data, QUERY_VALUE)
    )
}

/// A QR code that could not be made (an activation code too long for any QR version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot make the QR code: {0}")]
pub struct QrError(String);

/// Pixels per QR module in the PNG; with the quiet zone of 4 modules an activation code gives
/// an image of about 300 to 400 pixels a side.
pub const PNG_MODULE_PIXELS: usize = 8;
const QUIET_ZONE: usize = 4;

fn qr(code: &ActivationCode) -> Result<QrCode, QrError> {
    // Level M (15 % recovery), the level GSMA's eSIM QR guidance uses.
    QrCode::with_error_correction_level(code.to_string().as_bytes(), EcLevel::M)
        .map_err(|e| QrError(e.to_string()))
}

/// The QR code of `code` as an SVG document (black on white, with its quiet zone).
pub fn qr_svg(code: &ActivationCode) -> Result<String, QrError> {
    Ok(qr(code)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// The QR code of `code` as a PNG (8-bit greyscale, black on white, with its quiet zone).
pub fn qr_png(code: &ActivationCode) -> Result<Vec<u8>, QrError> {
    let qr = qr(code)?;
    let modules = qr.width();
    let colors = qr.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * PNG_MODULE_PIXELS;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
        for y in my * PNG_MODULE_PIXELS..(my + 1) * PNG_MODULE_PIXELS {
            let row = y * side;
            pixels[row + mx * PNG_MODULE_PIXELS..row + (mx + 1) * PNG_MODULE_PIXELS].fill(0);
        }
    }
    let side_u32 = u32::try_from(side).map_err(|_| QrError("too large".to_owned()))?;
    let mut out = Vec::with_capacity(side * side / 16);
    let mut encoder = png::Encoder::new(&mut out, side_u32, side_u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| QrError(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| QrError(e.to_string()))?;
    writer.finish().map_err(|e| QrError(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> ActivationCode {
        activation_code("smdp.netsim.example", "7K2QD-AB3CD-EF4GH-JK5LM", false).unwrap()
    }

    #[test]
    fn activation_codes_and_links() {
        assert_eq!(
            code().to_string(),
            "LPA:1$smdp.netsim.example$7K2QD-AB3CD-EF4GH-JK5LM"
        );
        let with_code = activation_code("smdp.netsim.example", "ABC", true).unwrap();
        assert_eq!(with_code.to_string(), "LPA:1$smdp.netsim.example$ABC$$1");
        assert!(with_code.confirmation_code_required());
        assert_eq!(
            ios_install_link(&code()),
            "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=\
             LPA%3A1%24smdp.netsim.example%247K2QD-AB3CD-EF4GH-JK5LM"
        );
        assert!(activation_code("smdp.netsim.example", "a b", false).is_err());
        assert!(activation_code("https://smdp.netsim.example", "ABC", false).is_err());
    }

    #[test]
    fn the_svg_is_an_svg_document() {
        let svg = qr_svg(&code()).unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(svg.contains("<svg") && svg.ends_with("</svg>"));
    }

    /// A phone could scan it: a QR decoder reads the activation code back from the PNG.
    #[test]
    fn the_png_decodes_back_to_the_activation_code() {
        for c in [
            code(),
            activation_code("rsp.example.com", &"A".repeat(120), true).unwrap(),
        ] {
            let png_bytes = qr_png(&c).unwrap();
            assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
            let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
            let mut reader = decoder.read_info().unwrap();
            let mut buf = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut buf).unwrap();
            assert_eq!(info.color_type, png::ColorType::Grayscale);
            let (w, h) = (info.width as usize, info.height as usize);
            let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
            let grids = img.detect_grids();
            assert_eq!(grids.len(), 1);
            let (_, content) = grids[0].decode().unwrap();
            assert_eq!(content, c.to_string());
        }
    }
}
