//! What the network refused or never confirmed: the dead letters an administrator sees and
//! sends again once the cause is fixed. A brand's administrators see their brand's only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_domain::access::{Denied, Principal};
use simrenew_domain::ids::BrandId;
use utoipa::{IntoParams, ToSchema};

use super::wire::rfc3339;
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiPath, ApiQuery, Caller};
use crate::state::AppState;

/// Dead letters per page, at most.
const MAX_LIMIT: u32 = 500;

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterJson {
    pub id: i64,
    #[schema(example = "lumo")]
    pub brand: String,
    #[schema(example = "+32470123456")]
    pub msisdn: String,
    /// The order that granted what the network was to be told, if any.
    pub order_id: Option<i64>,
    /// `bundle_granted` or `line_suspended`.
    pub topic: String,
    pub attempts: u32,
    /// Why it stopped: the network's refusal, or the last failure of the last try.
    pub error: String,
    /// RFC 3339, in the brand's time zone.
    pub dead_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterList {
    /// Newest first.
    pub items: Vec<DeadLetterJson>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterQuery {
    /// How many, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl DeadLetterQuery {
    /// The page size asked for, 100 unless given, refused outside 1 to [`MAX_LIMIT`].
    fn limit(&self) -> Result<u32, ApiError> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        Ok(limit)
    }
}

/// The brand whose dead letters the caller may handle: all for platform administrators.
fn scope(caller: &Principal) -> Result<Option<BrandId>, ApiError> {
    match caller {
        Principal::PlatformAdmin { .. } => Ok(None),
        Principal::BrandAdmin { brand, .. } => Ok(Some(*brand)),
        _ => Err(denied(
            Denied::Forbidden("administrators only"),
            "dead letter",
        )),
    }
}

/// Lists the outbox rows the network refused or never confirmed, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/dead-letters",
    tag = "network",
    params(DeadLetterQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = DeadLetterList),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_dead_letters(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(q): ApiQuery<DeadLetterQuery>,
) -> Result<Json<DeadLetterList>, ApiError> {
    let brand = scope(&caller)?;
    let limit = q.limit()?;
    let brands = state.app.brands().await?;
    let items = state
        .app
        .dead_letters(brand, limit)
        .await?
        .into_iter()
        .filter_map(|d| {
            let b = brands.iter().find(|b| b.id == d.brand)?;
            Some(DeadLetterJson {
                id: d.id,
                brand: b.code.to_string(),
                msisdn: d.msisdn.to_string(),
                order_id: d.order.map(|o| o.0),
                topic: d.topic,
                attempts: d.attempts,
                error: d.error,
                dead_at: rfc3339(d.dead_at, &b.time_zone),
            })
        })
        .collect();
    Ok(Json(DeadLetterList { items }))
}

/// Queues a dead letter again, due now, under the same idempotency key at the network (fix
/// its cause first). 404 when it is no dead letter (any more) or not of the caller's brand.
#[utoipa::path(
    post,
    path = "/api/v1/dead-letters/{id}/replay",
    tag = "network",
    params(
        ("id" = i64, Path, description = "Dead letter id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Queued again"),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replay_dead_letter(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let brand = scope(&caller)?;
    state.app.replay_dead_letter(id, brand).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A job that gave up: an outbox row, a reminder, or a line's automatic renewal.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadJobJson {
    /// `outbox-12`, `reminder-5` or `auto-renew-7`: what `POST /api/v1/jobs/{id}/retry` takes.
    #[schema(
        example = "reminder-5",
        pattern = r"^(outbox|reminder|auto-renew)-[1-9][0-9]*$"
    )]
    pub id: String,
    /// `outbox`, `reminder` or `auto_renew`.
    pub kind: &'static str,
    #[schema(example = "lumo")]
    pub brand: String,
    #[schema(example = "+32470123456")]
    pub msisdn: String,
    /// What it was: the outbox topic, the reminder's channel and step, the plan to renew.
    pub what: String,
    pub attempts: u32,
    pub error: String,
    /// When it gave up, RFC 3339 in the brand's time zone.
    pub since: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadJobList {
    /// Newest first.
    pub items: Vec<DeadJobJson>,
}

/// Lists the jobs that gave up — outbox rows the network refused or never confirmed, reminders
/// no gateway took after every retry, automatic renewals out of retries — newest first.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/dead",
    tag = "network",
    params(DeadLetterQuery),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 200, body = DeadJobList),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_dead_jobs(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(q): ApiQuery<DeadLetterQuery>,
) -> Result<Json<DeadJobList>, ApiError> {
    let brand = scope(&caller)?;
    let limit = q.limit()?;
    let brands = state.app.brands().await?;
    let items = state
        .app
        .dead_jobs(brand, limit)
        .await?
        .into_iter()
        .filter_map(|d| {
            let b = brands.iter().find(|b| b.id == d.brand)?;
            Some(DeadJobJson {
                id: d.id.to_string(),
                kind: d.id.kind(),
                brand: b.code.to_string(),
                msisdn: d.msisdn.to_string(),
                what: d.what,
                attempts: d.attempts,
                error: d.error,
                since: rfc3339(d.since, &b.time_zone),
            })
        })
        .collect();
    Ok(Json(DeadJobList { items }))
}

/// Puts a dead job back in its queue, due now (fix its cause first). 404 when it is no dead
/// job (any more) or not of the caller's brand; 409 for a reminder of an expiry the line has
/// left behind.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/{id}/retry",
    tag = "network",
    params(
        ("id" = String, Path, description = "Job id, as listed", pattern = r"^(outbox|reminder|auto-renew)-[1-9][0-9]*$"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    security(("api_key" = []), ("session" = [])),
    responses(
        (status = 204, description = "Queued again"),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn retry_job(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let brand = scope(&caller)?;
    let job =
        simrenew_app::jobs::JobId::parse(&id).map_err(|e| ApiError::invalid(e.field, e.reason))?;
    state.app.retry_job(job, brand).await?;
    Ok(StatusCode::NO_CONTENT)
}
