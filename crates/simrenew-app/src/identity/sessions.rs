//! What every sign-in ends in — a session, with its CSRF token and its timeouts — and the
//! window its attempts are limited over: shared by sign-in by code, by passkey and by staff.

use jiff::{SignedDuration, Timestamp};
use simrenew_domain::access::Principal;

use super::{same, sha256_hex};

/// The window sign-in attempts (codes, passkeys, staff passwords) are counted over.
pub const RATE_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// A session ends this long after its last use...
pub const SESSION_IDLE: SignedDuration = SignedDuration::from_mins(30);
/// ...and this long after sign-in in any case.
pub const SESSION_ABSOLUTE: SignedDuration = SignedDuration::from_hours(12);

/// A session just opened: the cookie's token and the CSRF token, both shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionGrant {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// An authenticated session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAuth {
    pub principal: Principal,
    pub csrf_hash: String,
}

/// Whether a CSRF token matches a session's.
pub fn csrf_matches(token: &str, csrf_hash: &str) -> bool {
    same(&sha256_hex(token), csrf_hash)
}
