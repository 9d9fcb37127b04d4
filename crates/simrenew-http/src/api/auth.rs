//! Subscriber sign-in: a one-time code by SMS or e-mail, then a session cookie with a CSRF
//! token.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::identity::second_factor::SecondFactor;
use simrenew_app::identity::signin::SignInAddress;
use simrenew_app::identity::staff_auth::staff_of;
use simrenew_app::AppError;
use simrenew_domain::access::Principal;
use simrenew_domain::identifiers::{Email, Msisdn};
use utoipa::ToSchema;

use super::wire::rfc3339;
use crate::error::{ApiError, Problem};
use crate::extract::{session_cookie, ApiJson, Caller, SESSION_COOKIE};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequestJson {
    /// The number of one of your lines, international form (the code comes by SMS)...
    #[schema(example = "+32470123456")]
    pub phone: Option<String>,
    /// ...or the e-mail address on record with the brand (the code comes by e-mail).
    #[schema(example = "louise.maes@example.be")]
    pub email: Option<String>,
    /// The brand whose portal asks, with `email`.
    #[schema(example = "lumo")]
    pub brand: Option<String>,
}

/// The address a code goes to: a number, or an e-mail address with its brand.
fn sign_in_address(
    phone: Option<&str>,
    email: Option<&str>,
    brand: Option<&str>,
) -> Result<SignInAddress, ApiError> {
    match (phone, email) {
        (Some(phone), None) => {
            if brand.is_some() {
                return Err(ApiError::invalid("brand", "give brand with email only"));
            }
            Ok(SignInAddress::Phone(
                Msisdn::parse(phone).map_err(|e| ApiError::invalid("phone", e.reason))?,
            ))
        }
        (None, Some(email)) => {
            let brand = brand
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .ok_or_else(|| ApiError::invalid("brand", "give the brand of the portal"))?;
            Ok(SignInAddress::Email {
                brand: brand.to_ascii_lowercase(),
                email: Email::parse(email).map_err(|e| ApiError::invalid("email", e.reason))?,
            })
        }
        (Some(_), Some(_)) => Err(ApiError::invalid("email", "give phone or email, not both")),
        (None, None) => Err(ApiError::invalid("phone", "give phone, or email and brand")),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSentJson {
    /// Always true: whether the number is known is not revealed.
    pub sent: bool,
    pub expires_in_seconds: i64,
}

/// The client's address: the TCP peer's, or — when the peer is one of the trusted reverse
/// proxies — the nearest address in `X-Forwarded-For` that is not a trusted proxy (what the
/// client wrote there itself comes before it and is not believed). `unknown` when served
/// without a peer address.
pub struct ClientAddr(pub String);

impl<S> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientAddr("unknown".to_owned()));
        };
        Ok(ClientAddr(
            client_behind(peer, &parts.headers, &state.trusted_proxies).to_string(),
        ))
    }
}

/// The client of a request from `peer`, as [`ClientAddr`] tells it.
fn client_behind(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    trusted: &crate::state::TrustedProxies,
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

/// Sends a 6-digit sign-in code (valid 5 minutes, 5 attempts) by SMS to a subscriber's number,
/// or by e-mail to the address on record with the brand. The answer does not say whether the
/// number or address is known.
#[utoipa::path(
    post,
    path = "/api/v1/auth/codes",
    tag = "auth",
    request_body = CodeRequestJson,
    responses(
        (status = 202, body = CodeSentJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn request_code(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<CodeRequestJson>,
) -> Result<(StatusCode, Json<CodeSentJson>), ApiError> {
    let to = sign_in_address(
        body.phone.as_deref(),
        body.email.as_deref(),
        body.brand.as_deref(),
    )?;
    state.app.request_sign_in_code(&to, &client).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSentJson {
            sent: true,
            expires_in_seconds: simrenew_app::identity::signin::CODE_LIFETIME.as_secs(),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInJson {
    /// Where the code was sent: the number...
    #[schema(example = "+32470123456")]
    pub phone: Option<String>,
    /// ...or the e-mail address and the brand.
    pub email: Option<String>,
    pub brand: Option<String>,
    #[schema(example = "123456")]
    pub code: String,
    /// For an account with a second factor: the authenticator app's code...
    pub totp_code: Option<String>,
    /// ...or one of its recovery codes.
    pub recovery_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionJson {
    /// Send it in `X-CSRF-Token` with every request that changes something.
    pub csrf_token: String,
    /// The session ends then at the latest (and after 30 minutes without use).
    pub expires_at: String,
}

/// Signs in with the code: sets the session cookie (HttpOnly, Secure, SameSite=Strict), a new
/// one at every sign-in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sessions",
    tag = "auth",
    request_body = SignInJson,
    responses(
        (status = 201, body = SessionJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignInJson>,
) -> Result<Response, ApiError> {
    let at = sign_in_address(
        body.phone.as_deref(),
        body.email.as_deref(),
        body.brand.as_deref(),
    )?;
    if body.code.len() != 6 || !body.code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("code", "the code is 6 digits"));
    }
    let second = match (body.totp_code, body.recovery_code) {
        (Some(code), None) => Some(SecondFactor::Totp(code)),
        (None, Some(code)) => Some(SecondFactor::RecoveryCode(code)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "recovery_code",
                "give totp_code or recovery_code, not both",
            ))
        }
    };
    let grant = state
        .app
        .sign_in_with_code(&at, &body.code, second.as_ref())
        .await?;
    session_response(&state, grant)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffSignInJson {
    pub email: String,
    pub password: String,
    /// The 6-digit code of the authenticator app...
    pub totp_code: Option<String>,
    /// ...or one of the single-use recovery codes given at enrolment.
    pub recovery_code: Option<String>,
}

/// Signs a member of staff in: password and TOTP code (or a recovery code). Sets the session
/// cookie like subscriber sign-in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/staff-sessions",
    tag = "auth",
    request_body = StaffSignInJson,
    responses(
        (status = 201, body = SessionJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn staff_sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<StaffSignInJson>,
) -> Result<Response, ApiError> {
    let second = match (body.totp_code, body.recovery_code) {
        (Some(code), None) => SecondFactor::Totp(code),
        (None, Some(code)) => SecondFactor::RecoveryCode(code),
        _ => {
            return Err(ApiError::invalid(
                "totp_code",
                "give totp_code, or recovery_code if you have lost your authenticator",
            ))
        }
    };
    let email = body.email.trim().to_ascii_lowercase();
    let grant = state
        .app
        .staff_sign_in(&email, &body.password, &second, &client)
        .await
        .map_err(|e| match e {
            // Every refusal is one answer, naming no field: which part was wrong is not told.
            AppError::Unauthenticated { message, .. } => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                message,
            ),
            other => other.into(),
        })?;
    session_response(&state, grant)
}

pub(crate) fn session_response(
    state: &AppState,
    grant: simrenew_app::identity::sessions::SessionGrant,
) -> Result<Response, ApiError> {
    let max_age = grant.expires_at.as_second() - state.app.now().as_second();
    let cookie = format!(
        "{SESSION_COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}",
        grant.token
    );
    let mut res = (
        StatusCode::CREATED,
        Json(SessionJson {
            csrf_token: grant.csrf_token,
            expires_at: rfc3339(grant.expires_at, &simrenew_domain::TimeZone::UTC),
        }),
    )
        .into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|_| ApiError::internal())?,
    );
    Ok(res)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolmentJson {
    /// `otpauth://totp/...`: open it in an authenticator app, or show it as a QR code.
    pub otpauth_url: String,
    /// Each works once in place of the authenticator's code; shown only now.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentFactorJson {
    /// The authenticator's current code, when a factor is in force...
    pub totp_code: Option<String>,
    /// ...or one of its recovery codes.
    pub recovery_code: Option<String>,
}

/// Begins adding (or replacing) a second factor of a subscriber's sign-in. It applies once its
/// first code is confirmed (`POST /api/v1/auth/totp/confirmation`); from then on the SMS code
/// is not enough without the authenticator's code or a recovery code. Replacing a factor in
/// force takes its current code or a recovery code in the body.
#[utoipa::path(
    post,
    path = "/api/v1/auth/totp",
    tag = "auth",
    security(("session" = [])),
    request_body(content = Option<CurrentFactorJson>, description = "Only when a factor is in force"),
    responses(
        (status = 201, body = TotpEnrolmentJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn enroll_totp(
    State(state): State<AppState>,
    Caller(caller): Caller,
    body: Option<ApiJson<CurrentFactorJson>>,
) -> Result<(StatusCode, Json<TotpEnrolmentJson>), ApiError> {
    let subscriber = subscriber_of(&caller)?;
    let current = match body.map(|ApiJson(b)| (b.totp_code, b.recovery_code)) {
        None | Some((None, None)) => None,
        Some((Some(code), None)) => Some(SecondFactor::Totp(code)),
        Some((None, Some(code))) => Some(SecondFactor::RecoveryCode(code)),
        Some((Some(_), Some(_))) => {
            return Err(ApiError::invalid(
                "recovery_code",
                "give totp_code or recovery_code, not both",
            ))
        }
    };
    let enrolment = state
        .app
        .enroll_subscriber_totp(
            subscriber,
            &format!("subscriber {subscriber}"),
            current.as_ref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TotpEnrolmentJson {
            otpauth_url: enrolment.url,
            recovery_codes: enrolment.recovery_codes,
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirmationJson {
    /// The code the authenticator app shows for the new enrolment.
    #[schema(example = "123456")]
    pub totp_code: String,
}

/// Confirms the subscriber's waiting enrolment with its first code: from now on it is their
/// second factor (and its recovery codes replace the old ones).
#[utoipa::path(
    post,
    path = "/api/v1/auth/totp/confirmation",
    tag = "auth",
    security(("session" = [])),
    request_body = TotpConfirmationJson,
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn confirm_totp(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<TotpConfirmationJson>,
) -> Result<StatusCode, ApiError> {
    let subscriber = subscriber_of(&caller)?;
    state
        .app
        .confirm_subscriber_totp(subscriber, &body.totp_code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The subscriber a caller is; staff enrol through the CLI.
fn subscriber_of(caller: &Principal) -> Result<simrenew_domain::ids::SubscriberId, ApiError> {
    match caller {
        Principal::Subscriber { subscriber } => Ok(*subscriber),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "staff enrol with `simrenew staff enroll-totp`",
        )),
    }
}

fn clear_cookie() -> (header::HeaderName, &'static str) {
    (
        header::SET_COOKIE,
        "simrenew_session=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0",
    )
}

/// Signs out of this session.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/sessions/current",
    tag = "auth",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    Caller(_caller): Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = session_cookie(&headers) {
        state.app.sign_out(token).await?;
    }
    Ok((StatusCode::NO_CONTENT, [clear_cookie()]).into_response())
}

/// Signs out of every session of this subscriber, on every device.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sessions/sign-out-everywhere",
    tag = "auth",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Response, ApiError> {
    match (&caller, staff_of(&caller)) {
        (Principal::Subscriber { subscriber }, _) => {
            state.app.sign_out_everywhere(*subscriber).await?;
        }
        (_, Some(staff)) => state.app.staff_sign_out_everywhere(staff).await?,
        _ => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
                "partner keys have no sessions; revoke the key instead",
            ))
        }
    }
    Ok((StatusCode::NO_CONTENT, [clear_cookie()]).into_response())
}
