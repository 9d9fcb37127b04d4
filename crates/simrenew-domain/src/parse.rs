//! A value from outside that does not parse: the ground every parser in this crate stands on.
//!
//! It imports nothing from the rest of the crate, so that the modules that parse (identifiers,
//! money, catalog words, promotion codes) and `DomainError`, which names their types, do not
//! form a circle.

/// A value from outside (an API body, a CSV row, a CLI flag) that does not parse.
///
/// `field` names the input field as the caller spelled it (`msisdn`, `iccid`, `promo_code`), so
/// that every boundary can say exactly what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ParseError {
    pub field: &'static str,
    pub reason: String,
}

impl ParseError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
