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
