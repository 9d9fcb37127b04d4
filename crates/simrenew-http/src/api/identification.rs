//! Recording a subscriber's identification, which activates a line.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use simrenew_app::identity::identification::Person;
use simrenew_domain::identification::{DocumentNumber, IdentificationMethod};
use simrenew_domain::identifiers::Msisdn;
use utoipa::ToSchema;

use super::lines::{access, line_json, LineJson};
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, ApiPath, Caller};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentificationJson {
    /// `eid`, `itsme`, `bank_payment` or `passport_at_store`.
    #[schema(example = "eid")]
    pub method: String,
    /// The identity document's number; only a keyed hash of it is kept.
    pub document_number: String,
    /// The subscriber's name as on the document, confirmed with them.
    pub name: String,
    pub email: Option<String>,
    /// `nl`, `fr`, `de`, `en` or `zh`.
    pub language: String,
}

/// Records how, by whom and when the line's subscriber was identified; the line becomes
/// active and can be renewed. Staff only: brand admins, and agents at a store that identifies.
#[utoipa::path(
    post,
    path = "/api/v1/lines/{msisdn}/identification",
    tag = "lines",
    params(
        ("msisdn" = String, Path, description = "E.164 number", pattern = r"^\+[1-9][0-9]{6,14}$"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$"),
    ),
    request_body = IdentificationJson,
    security(("api_key" = [])),
    responses(
        (status = 200, body = LineJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn identify(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(raw): ApiPath<String>,
    ApiJson(body): ApiJson<IdentificationJson>,
) -> Result<Json<LineJson>, ApiError> {
    let invalid = |e: simrenew_domain::ParseError| ApiError::invalid(e.field, e.reason);
    let msisdn = Msisdn::parse(&raw).map_err(invalid)?;
    let line = state.app.line(&msisdn).await?;
    caller
        .may_identify(access(&line.line))
        .map_err(|d| denied(d, "line").with_field("msisdn"))?;
    let method = IdentificationMethod::parse(&body.method).map_err(invalid)?;
    let document = DocumentNumber::parse(&body.document_number).map_err(invalid)?;
    let email = body.email.filter(|e| !e.trim().is_empty());
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(ApiError::invalid("email", "is not an e-mail address"));
    }
    let language = body.language.trim().to_ascii_lowercase();
    if !simrenew_app::identity::identification::LANGUAGES.contains(&language.as_str()) {
        return Err(ApiError::invalid(
            "language",
            "must be one of nl, fr, de, en, zh",
        ));
    }
    if body.name.trim().is_empty() {
        return Err(ApiError::invalid(
            "name",
            "the name as on the document is needed",
        ));
    }
    let person = Person {
        name: body.name.trim().to_owned(),
        email,
        language,
    };
    state
        .app
        .identify(&caller.label(), &msisdn, method, &document, &person)
        .await?;
    let details = state.app.line(&msisdn).await?;
    Ok(Json(line_json(&details, state.app.now())))
}
