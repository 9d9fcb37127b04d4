//! Identity: who is who and how they prove it. Subscriber sign-in (one-time codes, sessions,
//! the SMS and mail gateways), passkeys, staff authentication (passwords, TOTP, recovery
//! codes), API keys, the principal behind a credential and its cache, the counter lookup,
//! the identification that activates a line, and the sealing of secrets kept for them.
//!
//! Uses sales (identification locks the line it activates; a passkey names the subscriber's
//! first line) and the audit log; payments and sales do not use it.

pub mod accounts;
pub mod api_keys;
pub mod counter;
pub mod identification;
pub mod limits;
pub mod passkeys;
pub mod ports;
pub mod principals;
pub use crate::sealing;
pub mod second_factor;
pub mod sessions;
pub mod signin;
pub mod staff_auth;
pub mod staff_totp_seed;

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppError;

pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Compares two strings without stopping at the first difference.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `bytes` random bytes, hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A failure of what should not fail (a stored secret unreadable, hashing stopped).
pub(crate) fn internal(what: &str) -> AppError {
    AppError::Store(crate::StoreError::Internal(what.to_owned()))
}
