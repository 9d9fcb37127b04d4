//! Vouchers: prepaid top-up codes sold in shops, redeemable once for credit or a plan.
//!
//! A code is 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed in
//! four groups, the last character a check character, so that a mistyped code is told apart
//! from an unknown one.

use std::fmt;

use jiff::Timestamp;

use crate::ids::{BrandId, LineId, VoucherBatchId, VoucherId};
use crate::money::Money;
use crate::parse::ParseError;

const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VoucherCode(String);

impl VoucherCode {
    /// Accepts any case, spaces and dashes.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let chars: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if chars.len() != LEN {
            return Err(ParseError::new(
                "voucher_code",
                format!("must have {LEN} characters (dashes and spaces aside)"),
            ));
        }
        if let Some(bad) = chars.bytes().find(|b| !ALPHABET.contains(b)) {
            return Err(ParseError::new(
                "voucher_code",
                format!("{:?} is not used in voucher codes", bad as char),
            ));
        }
        let (body, check) = chars.split_at(LEN - 1);
        if check.as_bytes()[0] != check_char(body.as_bytes()) {
            return Err(ParseError::new(
                "voucher_code",
                "the code has a typo: its check character does not match",
            ));
        }
        Ok(VoucherCode(chars))
    }

    /// Builds a code from 15 random bytes (any values), adding the check character.
    pub fn from_random(random: [u8; LEN - 1]) -> Self {
        let body: Vec<u8> = random
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()])
            .collect();
        let mut code = body.clone();
        code.push(check_char(&body));
        VoucherCode(code.into_iter().map(char::from).collect())
    }

    /// The code without separators, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VoucherCode {
    /// `XXXX-XXXX-XXXX-XXXX`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

/// A weighted sum modulo the alphabet's (prime) size: catches every single substitution and
/// every swap of two neighbours.
fn check_char(body: &[u8]) -> u8 {
    let n = ALPHABET.len();
    let sum: usize = body
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let v = ALPHABET.iter().position(|a| a == b).unwrap_or(0);
            v * (i + 1)
        })
        .sum();
    ALPHABET[sum % n]
}

/// What a voucher is worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoucherValue {
    Credit(Money),
    /// One period of the plan with this code.
    Plan(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voucher {
    pub id: VoucherId,
    pub brand_id: BrandId,
    pub batch_id: VoucherBatchId,
    pub value: VoucherValue,
    pub expires_at: Option<Timestamp>,
    pub redeemed: Option<(LineId, Timestamp)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn printed_codes_parse_back() {
        let code = VoucherCode::from_random([7; 15]);
        let printed = code.to_string();
        assert_eq!(printed.len(), 19);
        assert_eq!(VoucherCode::parse(&printed).unwrap(), code);
        assert_eq!(VoucherCode::parse(&printed.to_lowercase()).unwrap(), code);
        assert_eq!(
            VoucherCode::parse("short").unwrap_err().field,
            "voucher_code"
        );
        assert!(VoucherCode::parse("0000-0000-0000-0000").is_err());
    }

    proptest! {
        #[test]
        fn one_wrong_character_is_a_typo(random in proptest::array::uniform15(any::<u8>()), pos in 0usize..16, shift in 1usize..31) {
            let code = VoucherCode::from_random(random);
            let mut bytes = code.as_str().as_bytes().to_vec();
            let v = ALPHABET.iter().position(|a| *a == bytes[pos]).unwrap();
            bytes[pos] = ALPHABET[(v + shift) % ALPHABET.len()];
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(VoucherCode::parse(&typo).is_err());
        }

        #[test]
        fn swapped_neighbours_are_a_typo(random in proptest::array::uniform15(any::<u8>()), pos in 0usize..14) {
            let code = VoucherCode::from_random(random);
            let mut bytes = code.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(VoucherCode::parse(&typo).is_err());
        }
    }
}
