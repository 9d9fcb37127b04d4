//! The provisioning API's request signature: HMAC-SHA256 over `<timestamp>.<body>`, as
//! Stripe-Signature does it.
//!
//! Header: `X-Simrenew-Signature: t=<unix seconds>,v1=<lower-case hex HMAC>`. The receiver
//! recomputes the HMAC with the shared secret, compares it in constant time, and refuses a
//! timestamp further than its tolerance from its clock (which stops replays of old requests;
//! the idempotency key stops replays of recent ones from doing anything twice). Several `v1`
//! entries may be sent while a secret is rotated; one match is enough.

use std::time::Duration;

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Simrenew-Signature";

/// How far the signed timestamp may be from the receiver's clock, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts any key length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `at`.
pub fn signature_header(secret: &[u8], at: Timestamp, body: &[u8]) -> String {
    let t = at.as_second();
    let sig = mac(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(sig))
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the signed timestamp is outside the tolerance")]
    Stale,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks a signature header against the body, with a constant-time comparison.
pub fn verify(
    header: &str,
    body: &[u8],
    secret: &[u8],
    tolerance: Duration,
    now: Timestamp,
) -> Result<(), SignatureError> {
    let mut t = None;
    let mut signatures = vec![];
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => {
                t = Some(
                    v.parse::<i64>()
                        .map_err(|_| SignatureError::Malformed("t is not a number"))?,
                )
            }
            Some(("v1", v)) => signatures.push(v),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed("no t=timestamp"))?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed("no v1=signature"));
    }
    let age = now.as_second().saturating_sub(t).unsigned_abs();
    if age > tolerance.as_secs() {
        return Err(SignatureError::Stale);
    }
    for sig in signatures {
        let Ok(bytes) = hex::decode(sig) else {
            continue;
        };
        // `verify_slice` compares in constant time.
        if mac(secret, t, body).verify_slice(&bytes).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn a_signed_body_verifies() {
        let h = signature_header(b"secret", at(1_800_000_000), b"{\"a\":1}");
        assert!(h.starts_with("t=1800000000,v1="));
        verify(
            &h,
            b"{\"a\":1}",
            b"secret",
            DEFAULT_TOLERANCE,
            at(1_800_000_100),
        )
        .unwrap();
        // A second v1 (another secret during a rotation) does not get in the way.
        let both = format!("{h},v1=00ff");
        verify(
            &both,
            b"{\"a\":1}",
            b"secret",
            DEFAULT_TOLERANCE,
            at(1_800_000_000),
        )
        .unwrap();
    }

    #[test]
    fn tampering_is_refused() {
        let now = at(1_800_000_000);
        let h = signature_header(b"secret", now, b"{\"mb\":1000}");
        let v =
            |h: &str, body: &[u8], secret: &[u8]| verify(h, body, secret, DEFAULT_TOLERANCE, now);
        assert_eq!(
            v(&h, b"{\"mb\":9000}", b"secret"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            v(&h, b"{\"mb\":1000}", b"other"),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is signed too: moving it breaks the signature.
        let moved = h.replace("t=1800000000", "t=1800000001");
        assert_eq!(
            v(&moved, b"{\"mb\":1000}", b"secret"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                &h,
                b"{\"mb\":1000}",
                b"secret",
                DEFAULT_TOLERANCE,
                at(1_800_000_301)
            ),
            Err(SignatureError::Stale)
        );
        assert!(matches!(
            v("v1=00", b"", b"secret"),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            v("t=1", b"", b"secret"),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            v("t=x,v1=00", b"", b"secret"),
            Err(SignatureError::Malformed(_))
        ));
        assert_eq!(
            v("t=1800000000,v1=zz", b"", b"secret"),
            Err(SignatureError::Mismatch)
        );
    }
}
