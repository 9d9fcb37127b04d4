//! The store counter: an agent looks up the customer in front of them, and then acts for that
//! customer only.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_domain::identifiers::Msisdn;
use utoipa::ToSchema;

use super::lines::{line_json, LineJson};
use super::orders::{person, PersonJson};
use crate::error::{ApiError, Problem};
use crate::extract::{credential, denied, ApiJson, Caller};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookUpJson {
    /// A number of the customer's, E.164.
    #[schema(example = "+32470123456")]
    pub msisdn: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CounterCustomerJson {
    pub line: LineJson,
    /// The subscriber's details on record, to check against their identity document; null
    /// for a line waiting for identification.
    pub subscriber: Option<PersonJson>,
}

/// Looks up the customer at the counter by one of their numbers. From then on the agent acts
/// for this customer only (all their lines; or this line alone while it has no subscriber)
/// until the next lookup, for 30 minutes at most. Store agents only.
#[utoipa::path(
    post,
    path = "/api/v1/counter/customer",
    tag = "counter",
    request_body = LookUpJson,
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = CounterCustomerJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn look_up(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LookUpJson>,
) -> Result<Json<CounterCustomerJson>, ApiError> {
    let msisdn = Msisdn::parse(&body.msisdn).map_err(|e| ApiError::invalid("msisdn", e.reason))?;
    let access = state.app.line_access(&msisdn).await?;
    caller
        .may_look_up(access)
        .map_err(|d| denied(d, "line").with_field("msisdn"))?;
    let token = credential(&headers).ok_or_else(ApiError::unauthorized)?;
    state
        .app
        .look_up_customer(&caller, token, &msisdn, access)
        .await?;
    let details = state.app.line(&msisdn).await?;
    Ok(Json(CounterCustomerJson {
        line: line_json(&details, state.app.now()),
        subscriber: person(&state, details.line.subscriber_id).await?,
    }))
}

/// Ends the lookup: the agent serves nobody until the next one.
#[utoipa::path(
    delete,
    path = "/api/v1/counter/customer",
    tag = "counter",
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Nobody is served"),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn next_customer(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = credential(&headers).ok_or_else(ApiError::unauthorized)?;
    state.app.end_lookup(token).await?;
    Ok(StatusCode::NO_CONTENT)
}
