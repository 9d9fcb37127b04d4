//! How a brand's portal looks: its colours and logo, and the colours derived from them so that
//! text stays readable (WCAG 2.2 contrast) whatever colours a brand picks.

use std::fmt;

use crate::ParseError;

/// An sRGB colour, written `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Colour {
    pub const WHITE: Colour = Colour {
        r: 255,
        g: 255,
        b: 255,
    };
    pub const BLACK: Colour = Colour { r: 0, g: 0, b: 0 };

    /// `#rrggbb` (or `#rgb`), any case.
    pub fn parse(field: &'static str, s: &str) -> Result<Colour, ParseError> {
        let bad = || ParseError::new(field, "must be a colour written #rrggbb");
        let hex = s.trim().strip_prefix('#').ok_or_else(bad)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let channel = |h: &str| u8::from_str_radix(h, 16).map_err(|_| bad());
        match hex.len() {
            6 => Ok(Colour {
                r: channel(&hex[0..2])?,
                g: channel(&hex[2..4])?,
                b: channel(&hex[4..6])?,
            }),
            3 => {
                let twice = |i: usize| channel(&hex[i..=i]).map(|v| v * 17);
                Ok(Colour {
                    r: twice(0)?,
                    g: twice(1)?,
                    b: twice(2)?,
                })
            }
            _ => Err(bad()),
        }
    }

    /// Relative luminance (WCAG 2.2), 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.r) + 0.7152 * lin(self.g) + 0.0722 * lin(self.b)
    }

    /// The contrast ratio between two colours, 1 to 21.
    pub fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    /// This colour moved towards black by `step` of 255 per channel.
    fn darker(self, step: u8) -> Colour {
        Colour {
            r: self.r.saturating_sub(step),
            g: self.g.saturating_sub(step),
            b: self.b.saturating_sub(step),
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// The contrast normal text needs (WCAG 2.2 level AA, 1.4.3).
pub const TEXT_CONTRAST: f64 = 4.5;

/// The largest logo a brand may keep, in bytes.
pub const MAX_LOGO_BYTES: usize = 64 * 1024;

/// A brand's colours and logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandLook {
    /// Buttons, the header, the gauges.
    pub primary: Colour,
    /// Highlights (focus rings, badges).
    pub accent: Colour,
    /// An SVG document.
    pub logo_svg: Option<String>,
}

impl BrandLook {
    /// The look of a brand that has set none.
    pub fn plain() -> BrandLook {
        BrandLook {
            primary: Colour {
                r: 0x1f,
                g: 0x4e,
                b: 0x8c,
            },
            accent: Colour {
                r: 0xf2,
                g: 0xa9,
                b: 0x00,
            },
            logo_svg: None,
        }
    }

    /// Text on the primary colour: white or black, whichever contrasts more.
    pub fn on_primary(&self) -> Colour {
        if self.primary.contrast(Colour::WHITE) >= self.primary.contrast(Colour::BLACK) {
            Colour::WHITE
        } else {
            Colour::BLACK
        }
    }

    /// The primary colour as text on a white page (links, headings): the primary itself when
    /// it is readable there, else darkened until it is.
    pub fn primary_text(&self) -> Colour {
        let mut c = self.primary;
        while c.contrast(Colour::WHITE) < TEXT_CONTRAST && c != Colour::BLACK {
            c = c.darker(8);
        }
        c
    }
}

/// An SVG logo as a brand gives it: an `<svg>` document of at most [`MAX_LOGO_BYTES`].
pub fn parse_logo_svg(s: &str) -> Result<String, ParseError> {
    let s = s.trim();
    let body = s
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>").map(|(_, r)| r.trim_start()))
        .unwrap_or(s);
    if s.len() > MAX_LOGO_BYTES || !body.starts_with("<svg") || !s.ends_with("</svg>") {
        return Err(ParseError::new(
            "logo_svg",
            format!(
                "must be an SVG document (<svg ...>...</svg>) of at most {MAX_LOGO_BYTES} bytes"
            ),
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn colours_parse_and_print() {
        let c = Colour::parse("primary", "#1F4E8C").unwrap();
        assert_eq!(c.to_string(), "#1f4e8c");
        assert_eq!(Colour::parse("primary", "#fff").unwrap(), Colour::WHITE);
        for bad in ["1f4e8c", "#12345", "#gggggg", "", "#1f4e8c00"] {
            assert_eq!(Colour::parse("primary", bad).unwrap_err().field, "primary");
        }
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((Colour::BLACK.contrast(Colour::WHITE) - 21.0).abs() < 1e-9);
        assert!((Colour::WHITE.contrast(Colour::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the lightest grey that passes AA.
        let grey = Colour::parse("c", "#767676").unwrap();
        assert!(grey.contrast(Colour::WHITE) >= TEXT_CONTRAST);
    }

    #[test]
    fn logos_must_be_svg() {
        assert!(parse_logo_svg("<svg xmlns='http://www.w3.org/2000/svg'></svg>").is_ok());
        assert!(parse_logo_svg("<?xml version='1.0'?>\n<svg></svg>").is_ok());
        assert!(parse_logo_svg("<html></html>").is_err());
        assert!(parse_logo_svg(&format!("<svg>{}</svg>", "x".repeat(MAX_LOGO_BYTES))).is_err());
    }

    proptest! {
        #[test]
        fn any_brand_colour_gives_readable_text(r: u8, g: u8, b: u8) {
            let look = BrandLook { primary: Colour { r, g, b }, ..BrandLook::plain() };
            // White or black on any colour reaches at least 4.58:1.
            prop_assert!(look.primary.contrast(look.on_primary()) >= TEXT_CONTRAST);
            prop_assert!(look.primary_text().contrast(Colour::WHITE) >= TEXT_CONTRAST);
        }
    }
}
