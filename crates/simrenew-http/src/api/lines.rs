//! Lines: one, and pages of many.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::sales::ports::{LineDetails, LineFilter};
use simrenew_domain::access::LineAccess;
use simrenew_domain::brand::Brand;
use simrenew_domain::bundle::{data_left_bytes, data_left_mb};
use simrenew_domain::catalog::LineKind;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::LineId;
use simrenew_domain::line::{Line, LineState};
use simrenew_domain::Timestamp;
use utoipa::{IntoParams, ToSchema};

use super::wire::{brand_filter, rfc3339, MoneyJson};
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiPath, ApiQuery, Caller};
use crate::state::{AppState, RenderedLine};

#[derive(Debug, Serialize, ToSchema)]
pub struct BundleJson {
    pub id: i64,
    pub plan: String,
    /// Null when unlimited.
    pub data_mb: Option<u64>,
    /// Whole megabytes left (10^6 bytes, rounded down); null when unlimited.
    pub data_left_mb: Option<u64>,
    /// Bytes the network reported used from this bundle.
    pub data_used_bytes: u64,
    /// Bytes left, exactly; null when unlimited.
    pub data_left_bytes: Option<u64>,
    pub starts_at: String,
    pub ends_at: String,
    /// `current` (running now) or `queued` (starts when the one before ends).
    pub status: &'static str,
}

/// What a listing shows of a line.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineSummaryJson {
    #[schema(example = "+32470123456")]
    pub msisdn: String,
    #[schema(example = "lumo")]
    pub brand: String,
    /// `physical_sim`, `esim` or `virtual_sim`.
    pub kind: &'static str,
    /// `pending_identification`, `active`, `grace`, `lapsed` or `suspended`, at the time of
    /// the request.
    pub state: &'static str,
    pub iccid: Option<String>,
    pub eid: Option<String>,
    /// SGP.22 activation code of an eSIM (`LPA:1$...`); anyone holding it can download the
    /// profile, so partners are not given it.
    pub activation_code: Option<String>,
    /// RFC 3339, in the brand's time zone. Null for a line never renewed.
    #[schema(example = "2026-12-25T10:00:00+01:00")]
    pub expires_at: Option<String>,
    /// When the line lapses if not renewed.
    pub grace_until: Option<String>,
    pub credit: MoneyJson,
    pub auto_renew: bool,
}

/// A line as every channel shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineJson {
    #[serde(flatten)]
    pub line: LineSummaryJson,
    /// Data left in the bundles running now, in whole megabytes (10^6 bytes, rounded down);
    /// null when unlimited.
    pub data_left_mb: Option<u64>,
    /// The same, exactly, in bytes.
    pub data_left_bytes: Option<u64>,
    /// Bundles running now and queued after it, in order.
    pub bundles: Vec<BundleJson>,
}

pub fn line_json(d: &LineDetails, now: Timestamp) -> LineJson {
    LineJson {
        line: summary(&d.line, &d.brand, now),
        data_left_mb: data_left_mb(&d.bundles, now),
        data_left_bytes: data_left_bytes(&d.bundles, now),
        bundles: line_bundles(d, now),
    }
}

fn line_bundles(d: &LineDetails, now: Timestamp) -> Vec<BundleJson> {
    let tz = &d.brand.time_zone;
    d.bundles
        .iter()
        .filter(|b| b.ends_at > now)
        .map(|b| BundleJson {
            id: b.id.0,
            plan: b.plan_code.clone(),
            data_mb: b.data.megabytes(),
            data_left_mb: b.data_left_mb(),
            data_used_bytes: b.data_used_bytes,
            data_left_bytes: b.data_left_bytes(),
            starts_at: rfc3339(b.starts_at, tz),
            ends_at: rfc3339(b.ends_at, tz),
            status: if b.is_current(now) {
                "current"
            } else {
                "queued"
            },
        })
        .collect()
}

fn summary(line: &Line, brand: &Brand, now: Timestamp) -> LineSummaryJson {
    let tz = &brand.time_zone;
    LineSummaryJson {
        msisdn: line.msisdn.to_string(),
        brand: brand.code.clone(),
        kind: line.kind().as_str(),
        state: line.state_at(now).as_str(),
        iccid: line.identity.iccid().map(ToString::to_string),
        eid: line.identity.eid().map(ToString::to_string),
        activation_code: line.identity.activation_code().map(ToString::to_string),
        expires_at: line.expires_at.map(|t| rfc3339(t, tz)),
        grace_until: line.grace_until.map(|t| rfc3339(t, tz)),
        credit: line.credit.into(),
        auto_renew: line.auto_renew,
    }
}

/// One line: state, expiry, data left, credit and bundle queue.
#[utoipa::path(
    get,
    path = "/api/v1/lines/{msisdn}",
    tag = "lines",
    params(("msisdn" = String, Path, description = "E.164 number, e.g. +32470123456", pattern = r"^\+[1-9][0-9]{6,14}$", example = "+32470123456")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = LineJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_line(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let now = state.app.now();
    // The rendered cache is keyed by the number as requested: a hit was parsed before, and is
    // current while the line's cached read is the one it was rendered from.
    if let Some(r) = state.rendered_lines.get(&raw) {
        let current = state.app.cached_line(r.details.line.msisdn.as_str());
        if current.is_some_and(|c| Arc::ptr_eq(&c, &r.details)) && now < r.valid_until {
            let seen = access(&r.details.line);
            caller
                .may_see_line(seen)
                .map_err(|d| denied(d, "line").with_field("msisdn"))?;
            if caller.may_see_activation_code(seen) {
                return Ok(([(header::CONTENT_TYPE, "application/json")], r.body).into_response());
            }
        }
    }
    let msisdn = Msisdn::parse(&raw).map_err(|e| ApiError::invalid(e.field, e.reason))?;
    let details = state.app.line(&msisdn).await?;
    let seen = access(&details.line);
    caller
        .may_see_line(seen)
        .map_err(|d| denied(d, "line").with_field("msisdn"))?;
    if !caller.may_see_activation_code(seen) {
        // Not for everyone: rendered for this caller alone, and not kept.
        let mut json = line_json(&details, now);
        json.line.activation_code = None;
        return Ok(Json(json).into_response());
    }
    let body = Bytes::from(
        serde_json::to_vec(&line_json(&details, now)).map_err(|_| ApiError::internal())?,
    );
    state.rendered_lines.insert(
        raw,
        RenderedLine {
            valid_until: next_change(&details, now),
            details,
            body: body.clone(),
        },
    );
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The facts about a line that access depends on.
pub(crate) fn access(line: &Line) -> LineAccess {
    LineAccess {
        line: line.id,
        brand: line.brand_id,
        subscriber: line.subscriber_id,
    }
}

/// The first instant after `now` at which the line's JSON changes without a write: a bundle
/// starts or ends, the line expires or its grace ends.
fn next_change(d: &LineDetails, now: Timestamp) -> Timestamp {
    d.bundles
        .iter()
        .flat_map(|b| [b.starts_at, b.ends_at])
        .chain(d.line.expires_at)
        .chain(d.line.grace_until)
        .filter(|t| *t > now)
        .min()
        .unwrap_or(Timestamp::MAX)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LineQuery {
    /// Brand code.
    #[param(pattern = r"^[A-Za-z0-9-]{1,32}$")]
    pub brand: Option<String>,
    /// `physical_sim`, `esim` or `virtual_sim`.
    #[param(pattern = r"^(physical_sim|esim|virtual_sim)$")]
    pub kind: Option<String>,
    /// State at the time of the request.
    pub state: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    pub after: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinePage {
    /// Data left and bundles are given by `GET /lines/{msisdn}`.
    pub items: Vec<LineSummaryJson>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<i64>,
}

/// Lists lines, a page at a time, filtered by brand, kind and state.
#[utoipa::path(
    get,
    path = "/api/v1/lines",
    tag = "lines",
    params(LineQuery),
    security(("api_key" = [])),
    responses(
        (status = 200, body = LinePage),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_lines(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(q): ApiQuery<LineQuery>,
) -> Result<Json<LinePage>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=simrenew_app::sales::lines::MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!(
                "must be between 1 and {}",
                simrenew_app::sales::lines::MAX_PAGE
            ),
        ));
    }
    let brands = state.app.brands().await?;
    let brand = brand_filter(&brands, q.brand.as_deref())?;
    let (brand, subscriber) = caller
        .may_list_lines(brand)
        .map_err(|d| denied(d, "brand").with_field("brand"))?;
    let filter = LineFilter {
        brand,
        subscriber,
        kind: q
            .kind
            .as_deref()
            .map(LineKind::parse)
            .transpose()
            .map_err(|e| ApiError::invalid(e.field, e.reason))?,
        state: q
            .state
            .as_deref()
            .map(LineState::parse)
            .transpose()
            .map_err(|e| ApiError::invalid(e.field, e.reason))?,
        after: q.after.map(LineId),
        limit,
    };
    let lines = state.app.lines(&filter).await?;
    let now = state.app.now();
    let next_after = (lines.len() == limit as usize)
        .then(|| lines.last().map(|l| l.id.0))
        .flatten();
    let items = lines
        .iter()
        .filter_map(|l| {
            let brand = brands.iter().find(|b| b.id == l.brand_id)?;
            let mut item = summary(l, brand, now);
            if !caller.may_see_activation_code(access(l)) {
                item.activation_code = None;
            }
            Some(item)
        })
        .collect();
    Ok(Json(LinePage { items, next_after }))
}
