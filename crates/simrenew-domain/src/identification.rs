//! Identification of the person behind a prepaid line (Belgian rule: before activation).
//!
//! What is kept is the method, who verified it and when, and a keyed hash of the document
//! number; the number itself goes no further than the hash function.

use crate::catalog::word_enum;
use crate::parse::ParseError;

word_enum!(
    /// How the subscriber was identified.
    IdentificationMethod, "method" {
        Eid = "eid",
        Itsme = "itsme",
        BankPayment = "bank_payment",
        PassportAtStore = "passport_at_store",
    }
);

/// An identity document's number, normalised (upper case, no spaces, dots or dashes). It has
/// no `Display`: it is only ever hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentNumber(String);

impl DocumentNumber {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let n: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !(6..=20).contains(&n.len()) || !n.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError::new(
                "document_number",
                "must be 6 to 20 letters and digits (spaces, dots and dashes aside)",
            ));
        }
        Ok(Self(n))
    }

    /// The normalised number, for the keyed hash only.
    pub fn expose_for_hashing(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DocumentNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentNumber(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_and_never_printed() {
        let a = DocumentNumber::parse("592-1234567-89").unwrap();
        let b = DocumentNumber::parse("592 1234567 89").unwrap();
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), "DocumentNumber(***)");
        assert_eq!(
            DocumentNumber::parse("12").unwrap_err().field,
            "document_number"
        );
        assert!(DocumentNumber::parse("12345/678").is_err());
    }
}
