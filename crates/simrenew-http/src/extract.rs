//! Extractors: JSON bodies, query strings and paths whose rejections are problem+json, and the
//! caller's identity.

use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Query};
use axum::http::{header, request::Parts};
use axum::Json;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// `Json<T>` whose rejection names the bad field in a problem+json body.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Query<T>` with problem+json rejections.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path<T>` with problem+json rejections.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Who is calling. Until per-role identities exist, the only principal is the operator's admin
/// token; handlers take a `Principal` and ask it for a [`Permission`], so that roles can slot in
/// without touching them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Admin,
}

/// What a handler is about to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ReadCatalog,
    ReadLines,
    Sell,
    RedeemVouchers,
}

impl Principal {
    pub fn require(&self, _permission: Permission) -> Result<(), ApiError> {
        match self {
            Principal::Admin => Ok(()),
        }
    }
}

impl<S> FromRequestParts<S> for Principal
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthorized)?;
        match &state.admin_token_hash {
            Some(expected) if constant_time_eq(&sha256(presented.trim()), expected) => {
                Ok(Principal::Admin)
            }
            _ => Err(ApiError::unauthorized()),
        }
    }
}

pub(crate) fn sha256(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// Compares two digests without stopping at the first difference.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
