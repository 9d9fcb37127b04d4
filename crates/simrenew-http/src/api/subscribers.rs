//! GDPR: a subscriber's data exported, or erased.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use simrenew_domain::access::{Denied, Principal};
use simrenew_domain::ids::SubscriberId;

use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiPath, Caller};
use crate::state::AppState;

/// May the caller handle this subscriber's data? Their brand's administrators may; the
/// subscriber may export their own. Anyone outside the brand is answered "not found".
async fn may_handle(
    state: &AppState,
    caller: &Principal,
    id: SubscriberId,
    export: bool,
) -> Result<(), ApiError> {
    let not_found = || ApiError::not_found("subscriber").with_field("id");
    let brand = state
        .app
        .store
        .subscriber_brand(id)
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(not_found)?;
    match caller {
        Principal::Subscriber { subscriber } if *subscriber == id && export => Ok(()),
        Principal::Subscriber { .. } => Err(not_found()),
        _ if caller.brand().is_some_and(|b| b != brand) => Err(not_found()),
        _ => caller
            .may_administer(Some(brand))
            .map_err(|d: Denied| denied(d, "subscriber")),
    }
}

/// Everything kept about a subscriber, as JSON: details, lines, orders, ledger and
/// identifications (GDPR right of access).
#[utoipa::path(
    get,
    path = "/api/v1/subscribers/{id}/export",
    tag = "subscribers",
    params(("id" = i64, Path, description = "Subscriber id")),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, description = "The subscriber's data", content_type = "application/json"),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let id = SubscriberId(id);
    may_handle(&state, &caller, id, true).await?;
    let body = state.app.export_subscriber(&caller.label(), id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Erases the subscriber's personal data (GDPR right to erasure): name and e-mail are
/// replaced, identity document hashes dropped, sessions ended; orders, payments and the ledger
/// stay under the pseudonymous id, as billing law requires.
#[utoipa::path(
    post,
    path = "/api/v1/subscribers/{id}/erasure",
    tag = "subscribers",
    params(
        ("id" = i64, Path, description = "Subscriber id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn erase(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let id = SubscriberId(id);
    may_handle(&state, &caller, id, false).await?;
    state.app.erase_subscriber(&caller.label(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarLinkJson {
    /// The feed (RFC 5545) of the subscriber's expiry dates, for a calendar app to subscribe
    /// to; shown once. Making a new one ends this one.
    #[schema(
        example = "https://my.lumo.example/calendar/cal_6f1c0e9b2a4d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d.ics"
    )]
    pub url: String,
}

/// Makes the subscriber's calendar feed address, replacing (and ending) the one before. Only
/// the subscriber, signed in, may.
#[utoipa::path(
    post,
    path = "/api/v1/subscribers/{id}/calendar-link",
    tag = "subscribers",
    params(("id" = i64, Path, description = "Subscriber id")),
    security(("session" = [])),
    responses(
        (status = 201, body = CalendarLinkJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn new_calendar_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, axum::Json<CalendarLinkJson>), ApiError> {
    let id = SubscriberId(id);
    if caller != (Principal::Subscriber { subscriber: id }) {
        return Err(ApiError::not_found("subscriber").with_field("id"));
    }
    let brand = state
        .app
        .store
        .subscriber_brand(id)
        .await
        .map_err(simrenew_app::AppError::from)?
        .ok_or_else(|| ApiError::not_found("subscriber").with_field("id"))?;
    let portal_url = state
        .app
        .brands()
        .await?
        .into_iter()
        .find(|b| b.id == brand)
        .map(|b| b.portal_url)
        .ok_or_else(|| ApiError::not_found("subscriber").with_field("id"))?;
    let token = state.app.new_calendar_token(&caller.label(), id).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CalendarLinkJson {
            url: calendar_url(&portal_url, &token),
        }),
    ))
}

/// The address of a feed on the brand's portal.
pub fn calendar_url(portal_url: &str, token: &str) -> String {
    format!("{}/calendar/{token}.ics", portal_url.trim_end_matches('/'))
}
