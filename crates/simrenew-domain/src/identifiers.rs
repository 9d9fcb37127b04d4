//! Identifiers of a SIM line, each checked once at the boundary ("parse, don't validate").
//!
//! - [`Msisdn`]: the phone number of the line, in E.164 (`+32470123456`).
//! - [`Iccid`]: the serial number of a physical or embedded SIM profile (19 or 20 digits, Luhn).
//! - [`Eid`]: the identifier of an eUICC, the chip that holds eSIM profiles (32 digits, MOD 97-10).
//! - [`ActivationCode`]: the GSMA SGP.22 activation code that an eSIM QR code carries.
//!
//! A value of any of these types is valid by construction: code that holds one never checks it
//! again. Each prints its canonical form with `Display`, and parsing that form gives back an
//! equal value.

use std::fmt;
use std::str::FromStr;

use crate::parse::ParseError;

// ---------------------------------------------------------------------------------------------
// MSISDN
// ---------------------------------------------------------------------------------------------

/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not 0 (`+32470123456`).
///
/// Parsing accepts what people type: spaces, dots, dashes and parentheses between the digits
/// (`+32 470 12-34.56`, `+1 (415) 555-2671`) and `00` in place of `+` (`0032 470 12 34 56`). The
/// national trunk prefix written after the country code (`+32 (0)470 12 34 56`) is dropped. A
/// number without an international prefix is refused, since its country would be a guess.
///
/// The number must also be a valid number of its country according to Google's libphonenumber
/// metadata (through the `phonenumber` crate): the right length and an allocated range. Ranges
/// reserved for fiction (`+1 555 555 1234`, `+44 7700 900123`) are therefore refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msisdn(String);

impl Msisdn {
    const FIELD: &'static str = "msisdn";
    const EXPECTED: &'static str =
        "must start with +, country code, then the number (e.g. +32 470 12 34 56)";

    /// Parses a phone number written in international form; see the type's documentation.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let err = |reason: String| ParseError::new(Self::FIELD, reason);
        let input = s.trim();
        if input.is_empty() {
            return Err(err(format!("is empty; {}", Self::EXPECTED)));
        }

        let mut digits = String::with_capacity(input.len());
        let mut plus = false;
        for (i, c) in input.char_indices() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                '+' => return Err(err("has a + that is not at the start".to_owned())),
                '.' | '-' | '(' | ')' => {}
                c if c.is_whitespace() => {}
                c if c.is_alphabetic() => {
                    return Err(err(format!(
                        "contains the letter {c:?}; only digits, spaces, dots, dashes and \
                         parentheses are allowed"
                    )))
                }
                c => {
                    return Err(err(format!(
                        "contains {c:?}; only digits, spaces, dots, dashes and parentheses are \
                         allowed"
                    )))
                }
            }
        }

        if !plus {
            match digits.strip_prefix("00") {
                Some(rest) => digits = rest.to_owned(),
                None => return Err(err(Self::EXPECTED.to_owned())),
            }
        }
        if digits.is_empty() {
            return Err(err(format!("has no digits; {}", Self::EXPECTED)));
        }
        if digits.starts_with('0') {
            return Err(err(format!(
                "the country code cannot start with 0; {}",
                Self::EXPECTED
            )));
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(err(format!(
                "must have 8 to 15 digits after the +, found {}",
                digits.len()
            )));
        }

        let international = format!("+{digits}");
        let number = phonenumber::parse(None, &international).map_err(|e| match e {
            phonenumber::ParseError::InvalidCountryCode => err(format!(
                "{international} does not start with a known country calling code"
            )),
            phonenumber::ParseError::TooShortNsn | phonenumber::ParseError::TooShortAfterIdd => {
                err(format!("{international} is too short for its country"))
            }
            phonenumber::ParseError::TooLong => {
                err(format!("{international} is too long for its country"))
            }
            other => err(format!("{international} is not a phone number: {other}")),
        })?;
        let code = number.code().value();
        if !number.is_valid() {
            let country = match number.country().id() {
                Some(id) => format!("+{code} ({})", id.as_ref()),
                None => format!("+{code}"),
            };
            return Err(err(format!(
                "{international} is not a valid number for {country}: wrong length or a range \
                 that is not allocated"
            )));
        }

        // libphonenumber's E.164 form drops a trunk prefix written after the country code.
        let canonical = number.format().mode(phonenumber::Mode::E164).to_string();
        if !is_e164(&canonical) {
            return Err(err(format!("{international} is not a valid E.164 number")));
        }
        Ok(Self(canonical))
    }

    /// The canonical E.164 form, e.g. `+32470123456`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `+`, then 8 to 15 ASCII digits, the first not 0.
fn is_e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Msisdn {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// ICCID
// ---------------------------------------------------------------------------------------------

/// The serial number of a SIM profile (ITU-T E.118): 19 or 20 digits starting with `89` (the
/// telecom industry identifier), the last one a Luhn check digit over the others.
///
/// Spaces in the input are removed (`8932 0012 3456 7890 1234`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iccid(String);

impl Iccid {
    const FIELD: &'static str = "iccid";

    /// Parses a full ICCID, check digit included.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let digits = digits_without_spaces(s, Self::FIELD)?;
        if !(19..=20).contains(&digits.len()) {
            return Err(ParseError::new(
                Self::FIELD,
                format!("must be 19 or 20 digits, found {}", digits.len()),
            ));
        }
        Self::check_prefix(&digits)?;
        let (body, check) = digits.split_at(digits.len() - 1);
        let expected = luhn_check_digit(body);
        if check.as_bytes()[0] != expected {
            return Err(ParseError::new(
                Self::FIELD,
                format!("check digit is wrong: expected {}", char::from(expected)),
            ));
        }
        Ok(Self(digits))
    }

    /// Builds an ICCID from its 18 or 19 digits before the check digit, appending the Luhn check
    /// digit (for generating demo data).
    pub fn from_body(body: &str) -> Result<Self, ParseError> {
        let mut digits = digits_without_spaces(body, Self::FIELD)?;
        if !(18..=19).contains(&digits.len()) {
            return Err(ParseError::new(
                Self::FIELD,
                format!(
                    "the body before the check digit must be 18 or 19 digits, found {}",
                    digits.len()
                ),
            ));
        }
        Self::check_prefix(&digits)?;
        let check = luhn_check_digit(&digits);
        digits.push(char::from(check));
        Ok(Self(digits))
    }

    /// The digits, e.g. `89320012345678901234`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn check_prefix(digits: &str) -> Result<(), ParseError> {
        if digits.starts_with("89") {
            Ok(())
        } else {
            Err(ParseError::new(
                Self::FIELD,
                "must start with 89, the telecom industry identifier",
            ))
        }
    }
}

/// The Luhn check digit (as an ASCII digit) for `body`, a string of ASCII digits: from the
/// right, every other digit starting with the last is doubled (less 9 when over 9), and the
/// check digit brings the sum to a multiple of 10.
fn luhn_check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    // The value is below 10, so the cast cannot truncate.
    b'0' + ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Iccid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Iccid {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// EID
// ---------------------------------------------------------------------------------------------

/// The identifier of an eUICC (GSMA SGP.29): exactly 32 digits, the last two check digits
/// under ISO 7064 MOD 97-10, so that the whole number modulo 97 is 1 (as for an IBAN).
///
/// Spaces in the input are removed, as EIDs are often printed in groups.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Eid(String);

impl Eid {
    const FIELD: &'static str = "eid";

    /// Parses a full EID, check digits included.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let digits = digits_without_spaces(s, Self::FIELD)?;
        if digits.len() != 32 {
            return Err(ParseError::new(
                Self::FIELD,
                format!("must be exactly 32 digits, found {}", digits.len()),
            ));
        }
        if mod97(&digits) != 1 {
            let expected = eid_check_digits(&digits[..30]);
            return Err(ParseError::new(
                Self::FIELD,
                format!("check digits are wrong: expected {expected}"),
            ));
        }
        Ok(Self(digits))
    }

    /// Builds an EID from its first 30 digits, appending the two check digits
    /// (98 - (first30 followed by "00") mod 97, zero-padded).
    pub fn from_body(first30: &str) -> Result<Self, ParseError> {
        let mut digits = digits_without_spaces(first30, Self::FIELD)?;
        if digits.len() != 30 {
            return Err(ParseError::new(
                Self::FIELD,
                format!(
                    "the body before the check digits must be exactly 30 digits, found {}",
                    digits.len()
                ),
            ));
        }
        let check = eid_check_digits(&digits);
        digits.push_str(&check);
        Ok(Self(digits))
    }

    /// The 32 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The two check digits for the first 30 digits of an EID.
fn eid_check_digits(first30: &str) -> String {
    // Appending "00" multiplies by 100.
    let remainder = (mod97(first30) * 100) % 97;
    format!("{:02}", 98 - remainder)
}

/// `digits` (ASCII digits, any length) as a decimal integer, modulo 97, computed digit by digit.
fn mod97(digits: &str) -> u32 {
    digits
        .bytes()
        .fold(0, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97)
}

impl fmt::Display for Eid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Eid {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The ASCII digits of `s` with spaces removed; any other character is an error for `field`.
fn digits_without_spaces(s: &str, field: &'static str) -> Result<String, ParseError> {
    let mut digits = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c),
            c if c.is_whitespace() => {}
            c => {
                return Err(ParseError::new(
                    field,
                    format!("must contain only digits (and spaces), found {c:?}"),
                ))
            }
        }
    }
    if digits.is_empty() {
        return Err(ParseError::new(field, "is empty"));
    }
    Ok(digits)
}

// ---------------------------------------------------------------------------------------------
// Activation code
// ---------------------------------------------------------------------------------------------

/// The activation code of an eSIM profile (GSMA SGP.22), as carried by the QR code:
/// `LPA:1$<SM-DP+ address>$<matching id>[$<SM-DP+ OID>[$<confirmation code required flag>]]`.
///
/// Parsing takes the `LPA:` prefix in any case and requires format `1`. The SM-DP+ address is a
/// fully qualified domain name (no scheme, port or path), kept in lower case. The matching id
/// (AC_Token) is 1 to 255 characters from `A-Z a-z 0-9 -`. The OID, if any, is digits separated
/// by dots. The flag, if any, is `1`. An optional field may be empty to reach a later one
/// (`LPA:1$smdp.example.com$ABC$$1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActivationCode {
    sm_dp_address: String,
    matching_id: String,
    oid: Option<String>,
    confirmation_code_required: bool,
}

impl ActivationCode {
    const FIELD: &'static str = "activation_code";
    const PREFIX: &'static str = "LPA:";
    const MAX_LEN: usize = 255;

    /// An activation code without OID and without a confirmation code.
    pub fn new(sm_dp_address: &str, matching_id: &str) -> Result<Self, ParseError> {
        Ok(Self {
            sm_dp_address: parse_sm_dp_address(sm_dp_address)?,
            matching_id: parse_matching_id(matching_id)?,
            oid: None,
            confirmation_code_required: false,
        })
    }

    /// Parses the text of an eSIM QR code; see the type's documentation.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let err = |reason: String| ParseError::new(Self::FIELD, reason);
        let input = s.trim();
        let rest = match input.get(..Self::PREFIX.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(Self::PREFIX) => {
                &input[Self::PREFIX.len()..]
            }
            _ => {
                return Err(err(
                    "must start with LPA: (e.g. LPA:1$smdp.example.com$MATCHING-ID)".to_owned(),
                ))
            }
        };

        let fields: Vec<&str> = rest.split('$').collect();
        if fields[0] != "1" {
            return Err(err(format!(
                "format must be 1 (LPA:1$...), found {:?}",
                fields[0]
            )));
        }
        match fields.len() {
            1 | 2 => {
                return Err(err(
                    "must have an SM-DP+ address and a matching id: LPA:1$<address>$<matching id>"
                        .to_owned(),
                ))
            }
            3..=5 => {}
            n => {
                return Err(err(format!(
                    "has {} fields after LPA:1, at most 4 are allowed (address, matching id, \
                     OID, confirmation flag)",
                    n - 1
                )))
            }
        }

        let sm_dp_address = parse_sm_dp_address(fields[1])?;
        let matching_id = parse_matching_id(fields[2])?;
        let oid = match fields.get(3) {
            None | Some(&"") => None,
            Some(oid) => Some(parse_oid(oid)?),
        };
        let confirmation_code_required = match fields.get(4) {
            None | Some(&"") => false,
            Some(&"1") => true,
            Some(other) => {
                return Err(err(format!(
                    "the confirmation code required flag must be 1 or left out, found {other:?}"
                )))
            }
        };
        Ok(Self {
            sm_dp_address,
            matching_id,
            oid,
            confirmation_code_required,
        })
    }

    /// The SM-DP+ server's domain name, in lower case.
    pub fn sm_dp_address(&self) -> &str {
        &self.sm_dp_address
    }

    /// The matching id (AC_Token) that the SM-DP+ knows the profile by.
    pub fn matching_id(&self) -> &str {
        &self.matching_id
    }

    /// The SM-DP+ OID, if the code carries one.
    pub fn oid(&self) -> Option<&str> {
        self.oid.as_deref()
    }

    /// Whether the user must type a confirmation code to download the profile.
    pub fn confirmation_code_required(&self) -> bool {
        self.confirmation_code_required
    }
}

/// A fully qualified domain name: labels of letters, digits and hyphens (not at either end of a
/// label, at most 63 characters), at least two labels, the last not all digits, 255 characters
/// at most. Returned in lower case.
fn parse_sm_dp_address(s: &str) -> Result<String, ParseError> {
    let err =
        |reason: String| ParseError::new(ActivationCode::FIELD, format!("SM-DP+ address {reason}"));
    if s.is_empty() {
        return Err(err("is empty".to_owned()));
    }
    if s.contains("://") {
        return Err(err(format!(
            "{s:?} must be a bare domain name, without a scheme such as https://"
        )));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(err(format!(
            "{s:?} contains {c:?}; a domain name has only letters, digits, hyphens and dots"
        )));
    }
    if s.len() > ActivationCode::MAX_LEN {
        return Err(err(format!(
            "is {} characters long, at most {} are allowed",
            s.len(),
            ActivationCode::MAX_LEN
        )));
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Err(err(format!(
            "{s:?} must be a fully qualified domain name such as smdp.example.com"
        )));
    }
    for label in &labels {
        if label.is_empty() {
            return Err(err(format!(
                "{s:?} has an empty label (two dots in a row, or a dot at either end)"
            )));
        }
        if label.len() > 63 {
            return Err(err(format!("{s:?} has a label longer than 63 characters")));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err(format!(
                "{s:?} has a label that starts or ends with a hyphen"
            )));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(err(format!(
            "{s:?} must be a domain name, not an IP address"
        )));
    }
    Ok(s.to_ascii_lowercase())
}

/// 1 to 255 characters from `A-Z a-z 0-9 -`.
fn parse_matching_id(s: &str) -> Result<String, ParseError> {
    let err =
        |reason: String| ParseError::new(ActivationCode::FIELD, format!("matching id {reason}"));
    if s.is_empty() {
        return Err(err("is empty".to_owned()));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(err(format!(
            "contains {c:?}; only letters A-Z and a-z, digits and hyphens are allowed"
        )));
    }
    if s.len() > ActivationCode::MAX_LEN {
        return Err(err(format!(
            "is {} characters long, at most {} are allowed",
            s.len(),
            ActivationCode::MAX_LEN
        )));
    }
    Ok(s.to_owned())
}

/// Digits separated by single dots, e.g. `1.3.6.1.4.1.31746`.
fn parse_oid(s: &str) -> Result<String, ParseError> {
    let well_formed = s
        .split('.')
        .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed || s.len() > ActivationCode::MAX_LEN {
        return Err(ParseError::new(
            ActivationCode::FIELD,
            format!("SM-DP+ OID {s:?} must be numbers separated by dots, e.g. 1.3.6.1.4.1.31746"),
        ));
    }
    Ok(s.to_owned())
}

impl fmt::Display for ActivationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LPA:1${}${}", self.sm_dp_address, self.matching_id)?;
        match (&self.oid, self.confirmation_code_required) {
            (None, false) => Ok(()),
            (Some(oid), false) => write!(f, "${oid}"),
            (Some(oid), true) => write!(f, "${oid}$1"),
            (None, true) => f.write_str("$$1"),
        }
    }
}

impl FromStr for ActivationCode {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // A valid ICCID and EID, worked out by hand below.
    const ICCID: &str = "89320012345678901233";
    const EID: &str = "89049032123451234512345678901235";

    fn reason(result: Result<impl fmt::Debug, ParseError>) -> String {
        let e = result.expect_err("should not parse");
        e.reason
    }

    // --- Msisdn ----------------------------------------------------------------------------

    #[test]
    fn msisdn_accepts_belgian_mobile_numbers() {
        for (input, canonical) in [
            ("+32 470 12 34 56", "+32470123456"),
            ("+32470123456", "+32470123456"),
            ("+32 486 12 34 56", "+32486123456"),
            ("+32 499 99 88 77", "+32499998877"),
            ("+32 456 00 00 01", "+32456000001"),
            ("+32 478.12.34.56", "+32478123456"),
            ("+32-495-12-34-56", "+32495123456"),
            ("0032 470 12 34 56", "+32470123456"),
            ("  +32 (0)470 12 34 56 ", "+32470123456"),
        ] {
            let parsed = Msisdn::parse(input);
            assert_eq!(
                parsed.as_ref().map(Msisdn::as_str),
                Ok(canonical),
                "{input}"
            );
            assert_eq!(parsed.map(|m| m.to_string()), Ok(canonical.to_owned()));
        }
    }

    #[test]
    fn msisdn_accepts_other_countries() {
        for (input, canonical) in [
            ("+1 (415) 555-2671", "+14155552671"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("+49 151 12345678", "+4915112345678"),
            ("+31 6 12345678", "+31612345678"),
            ("+352 621 123 456", "+352621123456"),
            ("+39 06 1234 5678", "+390612345678"),
            ("+32 2 555 12 34", "+3225551234"),
        ] {
            let parsed = Msisdn::parse(input);
            assert_eq!(
                parsed.as_ref().map(Msisdn::as_str),
                Ok(canonical),
                "{input}"
            );
        }
    }

    #[test]
    fn msisdn_rejects_bad_input() {
        for (input, expected) in [
            ("", "is empty"),
            ("   ", "is empty"),
            ("0470 12 34 56", "must start with +"),
            ("470123456", "must start with +"),
            ("+32 470 CALL ME", "letter 'C'"),
            ("+32 470 12 34 56 x12", "letter 'x'"),
            ("+32/470/12/34/56", "contains '/'"),
            ("32+470123456", "not at the start"),
            ("+", "has no digits"),
            ("+0 470 12 34 56", "cannot start with 0"),
            ("+1234567", "8 to 15 digits after the +, found 7"),
            ("+3247012345678901", "8 to 15 digits after the +, found 16"),
            ("+32 470 12 34 5", "not a valid number for +32 (BE)"),
            ("+32 470 12 34 567", "not a valid number for +32 (BE)"),
            ("+999 1234 5678", "known country calling code"),
        ] {
            let e = Msisdn::parse(input).expect_err(input);
            assert_eq!(e.field, "msisdn");
            assert!(e.reason.contains(expected), "{input}: {}", e.reason);
        }
    }

    #[test]
    fn msisdn_round_trips_and_from_str() {
        let m: Msisdn = "+32 470 12 34 56".parse().unwrap();
        assert_eq!(Msisdn::parse(&m.to_string()).unwrap(), m);
        assert_eq!(format!("{m:?}"), "Msisdn(\"+32470123456\")");
    }

    // --- Iccid -----------------------------------------------------------------------------

    #[test]
    fn luhn_matches_known_values() {
        // The classic Luhn example: 7992739871 has check digit 3.
        assert_eq!(luhn_check_digit("7992739871"), b'3');
        assert_eq!(luhn_check_digit("8932001234567890123"), b'3');
        assert_eq!(luhn_check_digit("0"), b'0');
    }

    #[test]
    fn iccid_accepts_valid_numbers() {
        let iccid = Iccid::parse(ICCID).unwrap();
        assert_eq!(iccid.as_str(), ICCID);
        assert_eq!(iccid.to_string(), ICCID);
        let spaced = Iccid::parse(" 8932 0012 3456 7890 1233 ").unwrap();
        assert_eq!(spaced, iccid);
        // 19 digits.
        let short = Iccid::from_body("893200123456789012").unwrap();
        assert_eq!(short.as_str().len(), 19);
        assert_eq!(Iccid::parse(short.as_str()).unwrap(), short);
        let parsed: Iccid = ICCID.parse().unwrap();
        assert_eq!(parsed, iccid);
    }

    #[test]
    fn iccid_from_body_appends_the_check_digit() {
        assert_eq!(
            Iccid::from_body("8932001234567890123").unwrap().as_str(),
            ICCID
        );
        assert!(reason(Iccid::from_body("89320012345678901")).contains("18 or 19 digits"));
        assert!(reason(Iccid::from_body("1932001234567890123")).contains("start with 89"));
    }

    #[test]
    fn iccid_rejects_bad_input() {
        for (input, expected) in [
            ("89320012345678901234", "check digit is wrong: expected 3"),
            ("8932001234567890123", "check digit is wrong: expected 4"),
            ("893200123456789012", "19 or 20 digits, found 18"),
            ("893200123456789012331", "19 or 20 digits, found 21"),
            ("8932001234567890123F", "found 'F'"),
            ("8932-0012-3456-7890-1233", "found '-'"),
            ("19320012345678901236", "start with 89"),
            ("", "is empty"),
        ] {
            let e = Iccid::parse(input).expect_err(input);
            assert_eq!(e.field, "iccid");
            assert!(e.reason.contains(expected), "{input}: {}", e.reason);
        }
    }

    // --- Eid -------------------------------------------------------------------------------

    #[test]
    fn eid_accepts_valid_numbers() {
        assert_eq!(mod97(EID), 1);
        let eid = Eid::parse(EID).unwrap();
        assert_eq!(eid.as_str(), EID);
        assert_eq!(eid.to_string(), EID);
        let spaced = Eid::parse("89049032 12345123 45123456 78901235").unwrap();
        assert_eq!(spaced, eid);
        let parsed: Eid = EID.parse().unwrap();
        assert_eq!(parsed, eid);
    }

    #[test]
    fn eid_from_body_computes_check_digits() {
        assert_eq!(
            Eid::from_body("890490321234512345123456789012")
                .unwrap()
                .as_str(),
            EID
        );
        // Check digits below 10 are zero-padded.
        let eid = Eid::from_body("000000000000000000000000000030").unwrap();
        assert_eq!(eid.as_str(), "00000000000000000000000000003008");
        let eid = Eid::from_body(&"0".repeat(30)).unwrap();
        assert_eq!(eid.as_str(), format!("{}98", "0".repeat(30)));
        for body in [
            "1".repeat(30),
            "9".repeat(30),
            "890000000000000000000000000000".into(),
        ] {
            let eid = Eid::from_body(&body).unwrap();
            assert_eq!(eid.as_str().len(), 32);
            assert_eq!(Eid::parse(eid.as_str()).unwrap(), eid);
        }
        assert!(reason(Eid::from_body("12345")).contains("exactly 30 digits, found 5"));
    }

    #[test]
    fn eid_rejects_bad_input() {
        for (input, expected) in [
            (
                "89049032123451234512345678901234",
                "check digits are wrong: expected 35",
            ),
            (
                "89049032123451234512345678901253",
                "check digits are wrong: expected 35",
            ),
            (
                "8904903212345123451234567890123",
                "exactly 32 digits, found 31",
            ),
            (
                "890490321234512345123456789012350",
                "exactly 32 digits, found 33",
            ),
            ("8904903212345123451234567890123A", "found 'A'"),
            ("", "is empty"),
        ] {
            let e = Eid::parse(input).expect_err(input);
            assert_eq!(e.field, "eid");
            assert!(e.reason.contains(expected), "{input}: {}", e.reason);
        }
    }

    // --- ActivationCode --------------------------------------------------------------------

    #[test]
    fn activation_code_parses_all_shapes() {
        let ac = ActivationCode::parse("LPA:1$smdp.example.com$ABC-123").unwrap();
        assert_eq!(ac.sm_dp_address(), "smdp.example.com");
        assert_eq!(ac.matching_id(), "ABC-123");
        assert_eq!(ac.oid(), None);
        assert!(!ac.confirmation_code_required());
        assert_eq!(ac.to_string(), "LPA:1$smdp.example.com$ABC-123");
        assert_eq!(
            ac,
            ActivationCode::new("smdp.example.com", "ABC-123").unwrap()
        );

        let ac = ActivationCode::parse("lpa:1$SMDP.Example.com$abc$1.3.6.1.4.1.31746").unwrap();
        assert_eq!(ac.sm_dp_address(), "smdp.example.com");
        assert_eq!(ac.matching_id(), "abc");
        assert_eq!(ac.oid(), Some("1.3.6.1.4.1.31746"));
        assert!(!ac.confirmation_code_required());
        assert_eq!(
            ac.to_string(),
            "LPA:1$smdp.example.com$abc$1.3.6.1.4.1.31746"
        );

        let ac = ActivationCode::parse("LPA:1$smdp.example.com$ABC$$1").unwrap();
        assert_eq!(ac.oid(), None);
        assert!(ac.confirmation_code_required());
        assert_eq!(ac.to_string(), "LPA:1$smdp.example.com$ABC$$1");

        let ac = ActivationCode::parse("LPA:1$smdp.example.com$ABC$1.2.3$1").unwrap();
        assert_eq!(ac.oid(), Some("1.2.3"));
        assert!(ac.confirmation_code_required());
        assert_eq!(ac.to_string(), "LPA:1$smdp.example.com$ABC$1.2.3$1");

        // Empty trailing optional fields mean "absent"; the canonical form leaves them out.
        let ac = ActivationCode::parse("LPA:1$smdp.example.com$ABC$$").unwrap();
        assert_eq!(ac.to_string(), "LPA:1$smdp.example.com$ABC");
        let ac = ActivationCode::parse(" LPA:1$smdp.example.com$ABC$\n").unwrap();
        assert_eq!(ac.to_string(), "LPA:1$smdp.example.com$ABC");

        let parsed: ActivationCode = "LPA:1$rsp.truphone.com$QR-G-5C-1LS-1W1Z9P7"
            .parse()
            .unwrap();
        assert_eq!(parsed.sm_dp_address(), "rsp.truphone.com");
    }

    #[test]
    fn activation_code_rejects_bad_input() {
        for (input, expected) in [
            ("1$smdp.example.com$ABC", "must start with LPA:"),
            ("", "must start with LPA:"),
            ("LP", "must start with LPA:"),
            ("LPX:1$smdp.example.com$ABC", "must start with LPA:"),
            ("LPA:2$smdp.example.com$ABC", "format must be 1"),
            ("LPA:$smdp.example.com$ABC", "format must be 1"),
            ("LPA:1", "must have an SM-DP+ address and a matching id"),
            (
                "LPA:1$smdp.example.com",
                "must have an SM-DP+ address and a matching id",
            ),
            ("LPA:1$smdp.example.com$", "matching id is empty"),
            ("LPA:1$$ABC", "SM-DP+ address is empty"),
            ("LPA:1$https://smdp.example.com$ABC", "without a scheme"),
            ("LPA:1$smdp.example.com:443$ABC", "contains ':'"),
            ("LPA:1$smdp.example.com/path$ABC", "contains '/'"),
            ("LPA:1$smdp_1.example.com$ABC", "contains '_'"),
            ("LPA:1$localhost$ABC", "fully qualified domain name"),
            ("LPA:1$smdp..example.com$ABC", "empty label"),
            ("LPA:1$.example.com$ABC", "empty label"),
            ("LPA:1$smdp.example.com.$ABC", "empty label"),
            ("LPA:1$-smdp.example.com$ABC", "hyphen"),
            ("LPA:1$192.168.1.1$ABC", "not an IP address"),
            ("LPA:1$smdp.example.com$ABC DEF", "matching id contains ' '"),
            ("LPA:1$smdp.example.com$ABC_DEF", "matching id contains '_'"),
            ("LPA:1$smdp.example.com$ABC$1.2.x", "OID"),
            ("LPA:1$smdp.example.com$ABC$1..2", "OID"),
            ("LPA:1$smdp.example.com$ABC$$0", "flag must be 1"),
            ("LPA:1$smdp.example.com$ABC$$yes", "flag must be 1"),
            (
                "LPA:1$smdp.example.com$ABC$1.2$1$extra",
                "at most 4 are allowed",
            ),
        ] {
            let e = ActivationCode::parse(input).expect_err(input);
            assert_eq!(e.field, "activation_code");
            assert!(e.reason.contains(expected), "{input}: {}", e.reason);
        }
    }

    #[test]
    fn activation_code_enforces_lengths() {
        let long_id = "A".repeat(256);
        assert!(reason(ActivationCode::new("smdp.example.com", &long_id)).contains("at most 255"));
        assert!(ActivationCode::new("smdp.example.com", &"A".repeat(255)).is_ok());
        let label = "a".repeat(63);
        let long_address = format!("{label}.{label}.{label}.{label}.com");
        assert!(long_address.len() > 255);
        assert!(reason(ActivationCode::new(&long_address, "ABC")).contains("at most 255"));
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(reason(ActivationCode::new(&long_label, "ABC")).contains("longer than 63"));
    }

    // --- Properties ------------------------------------------------------------------------

    /// A digit different from `d` (both ASCII).
    fn other_digit(d: u8, offset: u8) -> u8 {
        b'0' + (d - b'0' + 1 + offset % 9) % 10
    }

    fn replace_digit(s: &str, index: usize, offset: u8) -> String {
        let mut bytes = s.as_bytes().to_vec();
        let i = index % bytes.len();
        bytes[i] = other_digit(bytes[i], offset);
        String::from_utf8(bytes).unwrap()
    }

    fn domain() -> impl Strategy<Value = String> {
        let label = "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?";
        (proptest::collection::vec(label, 1..4), "[a-z]{2,6}")
            .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
    }

    proptest! {
        #[test]
        fn iccid_from_body_parses(body in "89[0-9]{16,17}") {
            let iccid = Iccid::from_body(&body).unwrap();
            prop_assert!(iccid.as_str().starts_with(&body));
            prop_assert_eq!(Iccid::parse(iccid.as_str()).unwrap(), iccid.clone());
            prop_assert_eq!(iccid.to_string().parse::<Iccid>().unwrap(), iccid);
        }

        #[test]
        fn iccid_single_digit_change_fails(
            body in "89[0-9]{16,17}",
            index in any::<usize>(),
            offset in any::<u8>(),
        ) {
            let valid = Iccid::from_body(&body).unwrap();
            let changed = replace_digit(valid.as_str(), index, offset);
            prop_assert_ne!(&changed, valid.as_str());
            prop_assert!(Iccid::parse(&changed).is_err(), "{} parsed", changed);
        }

        #[test]
        fn eid_from_body_parses(body in "[0-9]{30}") {
            let eid = Eid::from_body(&body).unwrap();
            prop_assert!(eid.as_str().starts_with(&body));
            prop_assert_eq!(mod97(eid.as_str()), 1);
            prop_assert_eq!(Eid::parse(eid.as_str()).unwrap(), eid);
        }

        #[test]
        fn eid_single_digit_change_fails(
            body in "[0-9]{30}",
            index in any::<usize>(),
            offset in any::<u8>(),
        ) {
            let valid = Eid::from_body(&body).unwrap();
            let changed = replace_digit(valid.as_str(), index, offset);
            prop_assert_ne!(&changed, valid.as_str());
            prop_assert!(Eid::parse(&changed).is_err(), "{} parsed", changed);
        }

        #[test]
        fn activation_code_round_trips(
            address in domain(),
            matching_id in "[A-Za-z0-9-]{1,40}",
            oid in proptest::option::of("[0-9]{1,5}(\\.[0-9]{1,5}){0,6}"),
            flag in any::<bool>(),
        ) {
            let mut text = format!("LPA:1${address}${matching_id}");
            match (&oid, flag) {
                (None, false) => {}
                (Some(oid), false) => text.push_str(&format!("${oid}")),
                (Some(oid), true) => text.push_str(&format!("${oid}$1")),
                (None, true) => text.push_str("$$1"),
            }
            let ac = ActivationCode::parse(&text).unwrap();
            prop_assert_eq!(ac.sm_dp_address(), address.as_str());
            prop_assert_eq!(ac.matching_id(), matching_id.as_str());
            prop_assert_eq!(ac.oid(), oid.as_deref());
            prop_assert_eq!(ac.confirmation_code_required(), flag);
            prop_assert_eq!(ac.to_string(), text);
            prop_assert_eq!(ActivationCode::parse(&ac.to_string()).unwrap(), ac);
        }

        #[test]
        fn msisdn_separators_do_not_matter(
            subscriber in "[79][0-9]{7}",
            separators in proptest::collection::vec("[ .()-]{0,2}", 9),
        ) {
            // +32 47x and +32 49x are Belgian mobile ranges.
            let digits = format!("4{subscriber}");
            let mut text = String::from("+32");
            for (d, sep) in digits.chars().zip(&separators) {
                text.push_str(sep);
                text.push(d);
            }
            let msisdn = Msisdn::parse(&text).unwrap();
            prop_assert_eq!(msisdn.as_str(), format!("+32{digits}"));
            prop_assert_eq!(Msisdn::parse(msisdn.as_str()).unwrap(), msisdn);
        }

        #[test]
        fn msisdn_never_panics_and_is_canonical(s in "[+0-9 ().-]{0,20}") {
            if let Ok(m) = Msisdn::parse(&s) {
                prop_assert!(is_e164(m.as_str()));
                prop_assert_eq!(Msisdn::parse(m.as_str()).unwrap(), m);
            }
        }
    }
}

/// An e-mail address, trimmed and with its domain in lower case, as checked by RFC 5321/5322
/// syntax (`email_address`), and at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let input = s.trim();
        let err = |reason: &str| ParseError::new("email", reason.to_owned());
        if input.is_empty() {
            return Err(err("is empty"));
        }
        if input.len() > 254 {
            return Err(err("is longer than 254 characters"));
        }
        let parsed = email_address::EmailAddress::parse_with_options(
            input,
            email_address::Options::default().without_display_text(),
        )
        .map_err(|_| err("is not an e-mail address (name@example.be)"))?;
        if !parsed.domain().contains('.') {
            return Err(err("is not an e-mail address (name@example.be)"));
        }
        Ok(Email(format!(
            "{}@{}",
            parsed.local_part(),
            parsed.domain().to_ascii_lowercase()
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod email_tests {
    use super::Email;

    #[test]
    fn addresses_are_checked_and_their_domain_lowered() {
        assert_eq!(
            Email::parse(" Louise.Maes@Example.BE ").unwrap().as_str(),
            "Louise.Maes@example.be"
        );
        for bad in [
            "",
            "louise",
            "louise@",
            "@example.be",
            "a b@example.be",
            "louise@localhost",
            "Louise <louise@example.be>",
        ] {
            let e = Email::parse(bad).unwrap_err();
            assert_eq!(e.field, "email", "{bad}");
        }
        assert!(Email::parse(&format!("{}@example.be", "a".repeat(250))).is_err());
    }
}
