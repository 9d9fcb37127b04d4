//! New eSIM lines: the sale, the profile's state and its activation code (as text, QR code
//! and iOS install link), and the SM-DP+'s handleDownloadProgressInfo notifications.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use simrenew_app::esims::ports::{EsimProfile, InstallRecorded, InstallReport};
use simrenew_app::esims::{Buyer, NewCard, NewLineSale};
use simrenew_app::identity::identification::{Person, LANGUAGES};
use simrenew_domain::access::Principal;
use simrenew_domain::catalog::{parse_plan_code, Channel, LineKind};
use simrenew_domain::esim::InstallState;
use simrenew_domain::identification::{DocumentNumber, IdentificationMethod};
use simrenew_domain::identifiers::{ActivationCode, Eid, Msisdn};
use simrenew_domain::ids::SubscriberId;
use simrenew_domain::promotion::PromoCode;
use simrenew_domain::ParseError;
use simrenew_network::progress::{parse_download_progress, InstallProgress};
use utoipa::ToSchema;

use super::orders::{order_json, sales_channel, OrderJson, PaymentJson};
use crate::error::{ApiError, Problem};
use crate::extract::{denied, ApiJson, ApiPath, Caller};
use crate::state::AppState;

fn invalid(e: ParseError) -> ApiError {
    ApiError::invalid(e.field, e.reason)
}

/// A new subscriber's details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerJson {
    pub name: String,
    pub email: Option<String>,
    /// `nl`, `fr`, `de`, `en` or `zh`.
    #[schema(example = "nl")]
    pub language: String,
}

/// The identification made at the sale (staff who may identify only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleIdentificationJson {
    /// `eid`, `itsme`, `bank_payment` or `passport_at_store`.
    #[schema(example = "eid")]
    pub method: String,
    /// The identity document's number; only a keyed hash of it is kept.
    pub document_number: String,
}

/// A new eSIM line to sell.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EsimSaleJson {
    /// The brand's code; platform administrators must give it, everyone else sells their own
    /// brand's.
    #[schema(example = "lumo")]
    pub brand: Option<String>,
    /// A subscriber on record with the brand (staff), else `customer`; a subscriber buying
    /// for themselves gives neither.
    #[schema(minimum = 1)]
    pub subscriber_id: Option<i64>,
    pub customer: Option<CustomerJson>,
    #[schema(example = "LUMO-5GB-30D", pattern = r"^[A-Za-z0-9_-]{1,40}$")]
    pub plan: String,
    /// Periods to buy, 1 to 36 (default 1).
    #[schema(minimum = 1, maximum = 36)]
    pub periods: Option<i64>,
    #[schema(pattern = r"^(portal|store|partner|auto_renew)$")]
    pub channel: Option<String>,
    #[schema(pattern = r"^[A-Za-z0-9-]{3,32}$")]
    pub promo_code: Option<String>,
    /// The phone's EID (32 digits), to bind the profile to it.
    #[schema(pattern = r"^[0-9]{32}$")]
    pub eid: Option<String>,
    pub identification: Option<SaleIdentificationJson>,
    /// Pays the first order at once; without it, pay it as any order (`/api/v1/orders/{id}/payment`,
    /// a card payment, or at a store).
    pub payment: Option<PaymentJson>,
}

/// How to put the profile on a phone.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivationJson {
    /// `LPA:1$<SM-DP+ address>$<matching id>`: what the QR code holds.
    #[schema(example = "LPA:1$smdp.lumo.example$7K2QD-8M3ZP-QW4RT-9XK2B")]
    pub code: String,
    /// For typing in by hand: the SM-DP+ address and the matching id (activation code).
    pub smdp_address: String,
    pub matching_id: String,
    pub confirmation_code_required: bool,
    /// The QR code as SVG and as PNG.
    pub qr_svg: String,
    pub qr_png: String,
    /// On iPhones (iOS 17.5 and later), installs the profile in one tap.
    pub ios_install_link: String,
}

/// A new eSIM line's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct EsimJson {
    pub msisdn: String,
    pub iccid: String,
    /// What to tell the person: `awaiting_payment`, `preparing`, `awaiting_identification`,
    /// `ready_to_install`, `installing`, `installed`, `in_use`, `not_on_phone` or `cancelled`.
    #[schema(example = "ready_to_install")]
    pub stage: &'static str,
    /// The profile's order at the SM-DP+: `awaiting_payment`, `ordering`, `held`,
    /// `releasing`, `ready` or `cancelled`.
    pub profile_state: &'static str,
    /// What the SM-DP+ last reported of the install, if anything.
    pub install_state: Option<&'static str>,
    pub install_detail: Option<String>,
    /// The phone's EID, when known.
    pub eid: Option<String>,
    /// The order that sold the line.
    pub order_id: i64,
    /// Once the profile can be downloaded, to whoever may see it.
    pub activation: Option<ActivationJson>,
}

/// The sale's answer: the line's profile and the first order.
#[derive(Debug, Serialize, ToSchema)]
pub struct EsimSaleAnswerJson {
    /// `active`, or `pending_identification` until the subscriber is identified (the
    /// profile is downloadable only then).
    pub line_state: &'static str,
    pub subscriber_id: Option<i64>,
    pub esim: EsimJson,
    pub order: OrderJson,
}

/// A path segment with `+` written as `%2B`, as a URL carries it safely.
fn number_segment(msisdn: &Msisdn) -> String {
    msisdn.as_str().replace('+', "%2B")
}

fn activation_json(msisdn: &Msisdn, code: &ActivationCode) -> ActivationJson {
    let base = format!("/api/v1/esims/{}", number_segment(msisdn));
    ActivationJson {
        confirmation_code_required: code.confirmation_code_required(),
        ios_install_link: simrenew_network::activation::ios_install_link(code),
        code: code.to_string(),
        smdp_address: code.sm_dp_address().to_owned(),
        matching_id: code.matching_id().to_owned(),
        qr_svg: format!("{base}/qr.svg"),
        qr_png: format!("{base}/qr.png"),
    }
}

/// The profile as `caller` may see it: the activation code only for those who may see it
/// (partners for the lines they sold).
async fn esim_json(
    state: &AppState,
    caller: &Principal,
    profile: &EsimProfile,
) -> Result<EsimJson, ApiError> {
    let stage = profile.stage();
    let activation = match profile.downloadable_code() {
        Some(code) if may_see_code(state, caller, profile).await? => {
            Some(activation_json(&profile.msisdn, code))
        }
        _ => None,
    };
    Ok(EsimJson {
        msisdn: profile.msisdn.to_string(),
        iccid: profile.iccid.to_string(),
        stage: stage.as_str(),
        profile_state: profile.state.as_str(),
        install_state: profile.install.map(|i| i.as_str()),
        install_detail: profile.install_detail.clone(),
        eid: profile.eid.as_ref().map(|e| e.as_str().to_owned()),
        order_id: profile.order.0,
        activation,
    })
}

async fn may_see_code(
    state: &AppState,
    caller: &Principal,
    profile: &EsimProfile,
) -> Result<bool, ApiError> {
    let line = state.app.line_access(&profile.msisdn).await?;
    if caller.may_see_activation_code(line) {
        return Ok(true);
    }
    if matches!(caller, Principal::Partner { .. }) {
        // The partner that sold the line hands its code to its customer.
        let order = state
            .app
            .store
            .order(profile.order)
            .await
            .map_err(simrenew_app::AppError::from)?;
        return Ok(order.is_some_and(|o| o.order.placed_by.as_deref() == Some(&caller.label())));
    }
    Ok(false)
}

/// The profile of a line the caller may see; "not found" otherwise.
async fn visible_profile(
    state: &AppState,
    caller: &Principal,
    raw: &str,
) -> Result<EsimProfile, ApiError> {
    let not_found = || ApiError::not_found("eSIM").with_field("msisdn");
    let msisdn = Msisdn::parse(raw).map_err(invalid)?;
    let access = state
        .app
        .line_access(&msisdn)
        .await
        .map_err(|_| not_found())?;
    caller.may_see_line(access).map_err(|_| not_found())?;
    state.app.esim_profile(&msisdn).await?.ok_or_else(not_found)
}

impl EsimSaleJson {
    async fn parse(&self, state: &AppState, caller: &Principal) -> Result<NewLineSale, ApiError> {
        let own_subscriber = match caller {
            Principal::Subscriber { subscriber } => Some(*subscriber),
            _ => None,
        };
        let subscriber = match (self.subscriber_id, own_subscriber) {
            (Some(id), Some(own)) if SubscriberId(id) != own => {
                return Err(ApiError::invalid(
                    "subscriber_id",
                    "subscribers buy lines for themselves",
                ))
            }
            (Some(id), _) => Some(SubscriberId(id)),
            (None, own) => own,
        };
        let brand = match (&self.brand, caller.brand(), subscriber) {
            (Some(code), _, _) => {
                let code = code.trim().to_ascii_lowercase();
                let brand = state
                    .app
                    .store
                    .brand_by_code(&code)
                    .await
                    .map_err(simrenew_app::AppError::from)?
                    .ok_or_else(|| ApiError::not_found("brand").with_field("brand"))?;
                if caller.brand().is_some_and(|b| b != brand.id) {
                    return Err(ApiError::not_found("brand").with_field("brand"));
                }
                brand.id
            }
            (None, Some(own), _) => own,
            (None, None, Some(s)) => state
                .app
                .store
                .subscriber_brand(s)
                .await
                .map_err(simrenew_app::AppError::from)?
                .ok_or_else(|| ApiError::not_found("subscriber").with_field("subscriber_id"))?,
            (None, None, None) => {
                return Err(ApiError::invalid("brand", "give the brand's code"));
            }
        };
        let buyer = match (subscriber, &self.customer) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "customer",
                    "give either subscriber_id or customer, not both",
                ))
            }
            (Some(id), None) => Buyer::Existing(id),
            (None, Some(c)) => {
                let email = c.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
                if email.is_some_and(|e| !e.contains('@')) {
                    return Err(ApiError::invalid(
                        "customer.email",
                        "is not an e-mail address",
                    ));
                }
                let language = c.language.trim().to_ascii_lowercase();
                if !LANGUAGES.contains(&language.as_str()) {
                    return Err(ApiError::invalid(
                        "customer.language",
                        "must be one of nl, fr, de, en, zh",
                    ));
                }
                if c.name.trim().is_empty() {
                    return Err(ApiError::invalid("customer.name", "a name is needed"));
                }
                Buyer::New(Person {
                    name: c.name.trim().to_owned(),
                    email: email.map(str::to_owned),
                    language,
                })
            }
            (None, None) => {
                return Err(ApiError::invalid(
                    "customer",
                    "give the new subscriber's details (customer), or subscriber_id",
                ))
            }
        };
        let default_channel = match caller {
            Principal::Agent { .. } => Channel::Store,
            Principal::Partner { .. } => Channel::Partner,
            _ => Channel::Portal,
        };
        let channel = sales_channel(caller, self.channel.as_deref(), default_channel)?;
        let periods = u32::try_from(self.periods.unwrap_or(1))
            .ok()
            .filter(|p| (1..=simrenew_domain::quote::MAX_PERIODS).contains(p))
            .ok_or_else(|| {
                ApiError::invalid(
                    "periods",
                    format!(
                        "periods must be between 1 and {}",
                        simrenew_domain::quote::MAX_PERIODS
                    ),
                )
            })?;
        let identification = match &self.identification {
            None => None,
            Some(i) => Some((
                IdentificationMethod::parse(&i.method)
                    .map_err(|e| ApiError::invalid("identification.method", e.reason))?,
                DocumentNumber::parse(&i.document_number)
                    .map_err(|e| ApiError::invalid("identification.document_number", e.reason))?,
            )),
        };
        Ok(NewLineSale {
            brand,
            buyer,
            plan_code: parse_plan_code(&self.plan).map_err(invalid)?,
            periods,
            channel,
            promo_code: self
                .promo_code
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(PromoCode::parse)
                .transpose()
                .map_err(invalid)?,
            card: NewCard::Esim {
                eid: self
                    .eid
                    .as_deref()
                    .filter(|e| !e.trim().is_empty())
                    .map(Eid::parse)
                    .transpose()
                    .map_err(invalid)?,
            },
            identification,
        })
    }
}

/// Sells a new eSIM line: a number and a profile from the brand's pools, the subscriber (on
/// record, or new), the identification when staff make it at the sale, and the first order,
/// paid at once when `payment` is given. Once the order is paid the profile is ordered from
/// the SM-DP+; `GET /api/v1/esims/{msisdn}` then gives its activation code.
#[utoipa::path(
    post,
    path = "/api/v1/esims",
    tag = "esims",
    request_body = EsimSaleJson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = EsimSaleAnswerJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sell(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<EsimSaleJson>,
) -> Result<(StatusCode, Json<EsimSaleAnswerJson>), ApiError> {
    let sale = body.parse(&state, &caller).await?;
    let subscriber = match &sale.buyer {
        Buyer::Existing(id) => Some(*id),
        Buyer::New(_) => None,
    };
    caller
        .may_sell_new_line(LineKind::Esim, sale.brand, subscriber, sale.channel)
        .map_err(|d| denied(d, "brand").with_field("brand"))?;
    if sale.identification.is_some()
        && !matches!(
            caller,
            Principal::PlatformAdmin { .. } | Principal::BrandAdmin { .. }
        )
        && !matches!(&caller, Principal::Agent { stores, .. }
            if stores.iter().any(|s| s.capabilities.iter().any(|c| c == simrenew_domain::access::IDENTIFIES)))
    {
        return Err(denied(
            simrenew_domain::access::Denied::Forbidden(
                "identification is made by staff at a store that identifies",
            ),
            "line",
        )
        .with_field("identification"));
    }
    let payment = body.payment.as_ref().map(PaymentJson::parse).transpose()?;
    let sold = state
        .app
        .sell_line(&caller.label(), &sale, payment.as_ref())
        .await?;
    let profile = state
        .app
        .esim_profile(&sold.msisdn)
        .await?
        .ok_or_else(|| ApiError::not_found("eSIM"))?;
    Ok((
        StatusCode::CREATED,
        Json(EsimSaleAnswerJson {
            line_state: sold.state.as_str(),
            subscriber_id: match caller {
                Principal::Partner { .. } => None,
                _ => sold.subscriber.map(|s| s.0),
            },
            esim: esim_json(&state, &caller, &profile).await?,
            order: order_json(&sold.order),
        }),
    ))
}

/// A new eSIM line's profile: where its order at the SM-DP+ and its install stand, and, once
/// it can be downloaded, its activation code.
#[utoipa::path(
    get,
    path = "/api/v1/esims/{msisdn}",
    tag = "esims",
    params(("msisdn" = String, Path, description = "E.164 number", pattern = r"^\+[1-9][0-9]{6,14}$")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = EsimJson),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_esim(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<EsimJson>, ApiError> {
    let profile = visible_profile(&state, &caller, &raw).await?;
    Ok(Json(esim_json(&state, &caller, &profile).await?))
}

/// The activation code the caller may see, or why not.
async fn shown_code(
    state: &AppState,
    caller: &Principal,
    raw: &str,
) -> Result<ActivationCode, ApiError> {
    let profile = visible_profile(state, caller, raw).await?;
    let stage = profile.stage();
    match profile.downloadable_code() {
        Some(code) => {
            if may_see_code(state, caller, &profile).await? {
                Ok(code.clone())
            } else {
                Err(denied(
                    simrenew_domain::access::Denied::Forbidden(
                        "the activation code is shown to the subscriber and their brand's staff",
                    ),
                    "eSIM",
                ))
            }
        }
        _ => Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "Conflict",
            format!(
                "the profile is {}: no activation code to show yet",
                stage.as_str()
            ),
        )
        .with_field("msisdn")),
    }
}

fn image(content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // It downloads the profile: no cache keeps it.
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// The activation code as a QR code (SVG), for a phone's camera.
#[utoipa::path(
    get,
    path = "/api/v1/esims/{msisdn}/qr.svg",
    tag = "esims",
    params(("msisdn" = String, Path, description = "E.164 number", pattern = r"^\+[1-9][0-9]{6,14}$")),
    security(("api_key" = [])),
    responses(
        (status = 200, content_type = "image/svg+xml", body = String),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn qr_svg(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let code = shown_code(&state, &caller, &raw).await?;
    let svg = simrenew_network::activation::qr_svg(&code).map_err(|e| {
        tracing::error!(error = %e, "the activation code makes no QR code");
        ApiError::internal()
    })?;
    Ok(image("image/svg+xml", svg.into_bytes()))
}

/// The activation code as a QR code (PNG), to print or send.
#[utoipa::path(
    get,
    path = "/api/v1/esims/{msisdn}/qr.png",
    tag = "esims",
    params(("msisdn" = String, Path, description = "E.164 number", pattern = r"^\+[1-9][0-9]{6,14}$")),
    security(("api_key" = [])),
    responses(
        (status = 200, content_type = "image/png", body = Vec<u8>),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = "5XX", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn qr_png(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let code = shown_code(&state, &caller, &raw).await?;
    let png = simrenew_network::activation::qr_png(&code).map_err(|e| {
        tracing::error!(error = %e, "the activation code makes no QR code");
        ApiError::internal()
    })?;
    Ok(image("image/png", png))
}

pub use crate::state::SmdpNotifications;

/// ES2+ handleDownloadProgressInfo, called by the SM-DP+: how a profile's download and
/// install went. Recorded once per notification (a repeat answers the same); 204 once kept.
/// Not part of the API document: the SM-DP+ speaks SGP.22, not this API.
pub async fn download_progress(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let Some(admitted) = state.smdp_notifications.get() else {
        return Err(ApiError::not_found("route"));
    };
    if !admitted.admits(&headers) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            "the SM-DP+'s bearer token is needed",
        ));
    }
    let progress = parse_download_progress(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "Invalid notification",
            e.to_string(),
        )
        .with_field(e.field)
    })?;
    if progress.function_requester_identifier != admitted.requester_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "header.functionRequesterIdentifier is not the SM-DP+ this platform works with",
        ));
    }
    let (install, detail) = match &progress.progress {
        InstallProgress::EligibilityChecked => (Some(InstallState::EligibilityChecked), None),
        InstallProgress::Downloaded => (Some(InstallState::Downloaded), None),
        InstallProgress::Installed => (Some(InstallState::Installed), None),
        InstallProgress::Enabled => (Some(InstallState::Enabled), None),
        InstallProgress::Disabled => (Some(InstallState::Disabled), None),
        InstallProgress::Deleted => (Some(InstallState::Deleted), None),
        InstallProgress::Failed { reason } => (Some(InstallState::Failed), Some(reason.clone())),
        InstallProgress::Unknown => (None, None),
    };
    let report = InstallReport {
        iccid: progress.iccid.clone(),
        eid: progress.eid.clone(),
        point: progress.point.id(),
        at: progress.timestamp,
        state: install,
        detail,
    };
    match state.app.record_install(&report).await? {
        InstallRecorded::Recorded(_) | InstallRecorded::Repeated => Ok(StatusCode::NO_CONTENT),
        InstallRecorded::UnknownProfile => Err(ApiError::not_found("profile").with_field("iccid")),
    }
}
