//! Secrets the platform must read back (TOTP seeds) are kept sealed: XChaCha20-Poly1305 under
//! a key that lives outside the database (`SIMRENEW_SEALING_KEY`), bound to the row they
//! belong to, so that a copy of the database alone reveals nothing and a sealed value moved
//! to another row does not open.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult};

/// The prefix of a sealed value, naming the scheme so that it can change later.
const SCHEME: &str = "v1:";

/// The key secrets are sealed with.
#[derive(Clone)]
pub struct SealingKey(Key);

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(…)")
    }
}

/// Why a sealing key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sealing key must be at least 32 bytes")]
pub struct ShortKey;

impl SealingKey {
    /// A key from configured material of at least 32 bytes (hashed to the cipher's size).
    pub fn new(material: &[u8]) -> Result<Self, ShortKey> {
        if material.len() < 32 {
            return Err(ShortKey);
        }
        let mut h = Sha256::new();
        h.update(b"simrenew sealing v1\0");
        h.update(material);
        Ok(SealingKey(h.finalize()))
    }

    /// Seals `secret` for the row `context` (e.g. `staff:3:totp`).
    pub fn seal(&self, context: &str, secret: &str) -> Result<String, AppError> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = XChaCha20Poly1305::new(&self.0)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                AppError::Store(crate::StoreError::Internal(
                    "a secret could not be sealed".into(),
                ))
            })?;
        Ok(format!(
            "{SCHEME}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        ))
    }

    /// Opens a value sealed for `context`; anything else (another key, another row, an
    /// edited value) is refused.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, AppError> {
        let refused = || {
            AppError::Store(crate::StoreError::Internal(format!(
                "the sealed secret of {context} does not open"
            )))
        };
        let body = sealed.strip_prefix(SCHEME).ok_or_else(refused)?;
        let bytes = hex::decode(body).map_err(|_| refused())?;
        if bytes.len() < 24 {
            return Err(refused());
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plain = XChaCha20Poly1305::new(&self.0)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| refused())?;
        String::from_utf8(plain).map_err(|_| refused())
    }
}

/// Whether a stored value is sealed (values written before sealing are not).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SCHEME)
}

impl App {
    /// Seals a secret of the row `context`.
    pub(crate) fn seal(&self, context: &str, secret: &str) -> AppResult<String> {
        self.sealing_key
            .as_ref()
            .ok_or_else(|| AppError::Conflict {
                field: None,
                message: "SIMRENEW_SEALING_KEY is not set: two-factor secrets cannot be kept"
                    .into(),
            })?
            .seal(context, secret)
    }

    /// Opens a secret stored for the row `context`; one stored before sealing is read as is.
    pub(crate) fn unseal(&self, context: &str, stored: &str) -> AppResult<String> {
        if !is_sealed(stored) {
            return Ok(stored.to_owned());
        }
        self.sealing_key
            .as_ref()
            .ok_or_else(|| {
                AppError::Store(crate::StoreError::Internal(
                    "SIMRENEW_SEALING_KEY is not set: sealed secrets cannot be read".into(),
                ))
            })?
            .open(context, stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> SealingKey {
        SealingKey::new(&[b; 32]).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_row() {
        let sealed = key(1).seal("staff:3:totp", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            key(1).open("staff:3:totp", &sealed).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(key(2).open("staff:3:totp", &sealed).is_err());
        assert!(key(1).open("staff:4:totp", &sealed).is_err());
        let last = if sealed.ends_with('0') { "1" } else { "0" };
        let edited = format!("{}{last}", &sealed[..sealed.len() - 1]);
        assert!(key(1).open("staff:3:totp", &edited).is_err());
        assert!(key(1).open("staff:3:totp", "JBSWY3DPEHPK3PXP").is_err());
    }

    #[test]
    fn the_same_secret_seals_differently_each_time() {
        let k = key(1);
        assert_ne!(k.seal("c", "s").unwrap(), k.seal("c", "s").unwrap());
    }

    #[test]
    fn short_keys_are_refused() {
        assert_eq!(SealingKey::new(&[0; 31]).unwrap_err(), ShortKey);
    }
}
