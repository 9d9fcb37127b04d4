//! Whether a message came from us: the check of a reminder's verification code.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_domain::reminder::VerificationCode;
use utoipa::ToSchema;

use super::auth::ClientAddr;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageCheckJson {
    /// The code printed in the message; case, spaces and dashes do not matter.
    #[schema(min_length = 10, max_length = 32, example = "K7Q4M-ZPA2X")]
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckedMessageJson {
    /// Always true: an unknown code is a 404.
    pub genuine: bool,
    /// The brand that sent it.
    pub brand: String,
    /// The brand's portal: the only address its messages link to.
    pub portal_url: String,
    #[schema(example = "sms")]
    pub channel: String,
    /// The line it was about, all but its last three digits hidden.
    #[schema(example = "+32••••••456")]
    pub line: String,
    /// The expiry it reminded of (RFC 3339, in the brand's zone), and the zone.
    pub expires_at: String,
    #[schema(example = "Europe/Brussels")]
    pub time_zone: String,
    /// When it was handed to its gateway; absent while it is on its way.
    pub sent_at: Option<String>,
}

/// `+32470123456` as `+32••••••456`.
pub fn masked(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let keep_end = 3.min(chars.len());
    let keep_start = 3.min(chars.len() - keep_end);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_start || i >= chars.len() - keep_end {
                *c
            } else {
                '•'
            }
        })
        .collect()
}

/// Checks a reminder's verification code: a genuine message of ours answers which brand sent
/// it, about which line and which expiry; any other code is a 404, and the message should not
/// be trusted. Needs no sign-in (the person holding the message may not have an account);
/// counted per client address.
#[utoipa::path(
    post,
    path = "/api/v1/messages/check",
    tag = "messages",
    request_body = MessageCheckJson,
    responses(
        (status = 200, body = CheckedMessageJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<MessageCheckJson>,
) -> Result<Json<CheckedMessageJson>, ApiError> {
    let code =
        VerificationCode::parse(&body.code).map_err(|e| ApiError::invalid("code", e.reason))?;
    let Some(m) = state.app.check_message(&code, &client).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown-message",
            "Not a message of ours",
            "no message we sent carries this code: do not follow its links or answer it",
        )
        .with_field("code"));
    };
    Ok(Json(CheckedMessageJson {
        genuine: true,
        brand: m.brand_name,
        portal_url: m.portal_url,
        channel: m.channel.as_str().to_owned(),
        line: masked(m.msisdn.as_str()),
        expires_at: super::wire::rfc3339(m.expires_at, &m.time_zone),
        time_zone: m.time_zone.iana_name().unwrap_or("UTC").to_owned(),
        sent_at: m.sent_at.map(|t| super::wire::rfc3339(t, &m.time_zone)),
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_number_shows_its_country_and_last_digits() {
        assert_eq!(super::masked("+32470123456"), "+32••••••456");
        assert_eq!(super::masked("+3247"), "+3247");
    }
}
