//! The portal's new eSIM: choose a plan (and give the phone's EID to check it takes an eSIM),
//! pay the order as any other, then install the profile by QR code, by typing the SM-DP+
//! address and activation code, or on an iPhone in one tap; the page follows the install as
//! the SM-DP+ reports it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use simrenew_app::esims::ports::EsimProfile;
use simrenew_app::esims::{Buyer, NewCard, NewLineSale};
use simrenew_domain::catalog::{parse_plan_code, Channel, LineKind};
use simrenew_domain::identifiers::{Eid, Msisdn};

use super::forms::{csrf_ok, once, one_time_token};
use super::i18n::{invalid, shown, Shown};
use super::page::Page;
use super::portal::{brand_plans, forged, portal_plans};
use super::views::{line_view, plan_choice, with_esim, LineView, PlanChoice};
use super::{app_error_page, error_page, html, status_of};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{lang}/esims/new", get(new_page).post(buy))
        .route("/{lang}/esims/{msisdn}", get(esim_page))
        .route("/{lang}/esims/{msisdn}/qr.svg", get(qr_svg))
}

type WebResult = Result<Response, Response>;

#[derive(Template)]
#[template(path = "portal/esim_new.html")]
struct NewEsimPage {
    page: Page,
    plans: Vec<PlanChoice>,
    plan: String,
    eid: String,
    once: String,
    error: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct NewEsimForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    once: String,
    plan: Option<String>,
    eid: Option<String>,
}

async fn new_form(
    state: &AppState,
    page: Page,
    form: &NewEsimForm,
    error: Option<Shown>,
) -> NewEsimPage {
    let plans = brand_plans(state, &page).await;
    let choices: Vec<PlanChoice> = portal_plans(&plans, LineKind::Esim)
        .into_iter()
        .filter(|p| !p.is_add_on())
        .map(|p| plan_choice(&page, p))
        .collect();
    let plan = form
        .plan
        .clone()
        .filter(|c| choices.iter().any(|p| &p.code == c))
        .or_else(|| choices.first().map(|p| p.code.clone()))
        .unwrap_or_default();
    NewEsimPage {
        page: page.titled("esim-new-title", "lines"),
        plans: choices,
        plan,
        eid: form.eid.clone().unwrap_or_default(),
        once: one_time_token(),
        error,
    }
}

async fn new_page(State(state): State<AppState>, page: Page) -> WebResult {
    page.subscriber()?;
    Ok(html(
        &new_form(&state, page, &NewEsimForm::default(), None).await,
    ))
}

/// Places the new line and its first order, then shows the order to pay it.
async fn buy(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewEsimForm>,
) -> WebResult {
    let subscriber = page.subscriber()?;
    if !csrf_ok(&page, &form.csrf) {
        return Err(forged(&page));
    }
    let refuse = |status: StatusCode, e: Shown, shown_page: NewEsimPage| {
        (
            status,
            html(&NewEsimPage {
                error: Some(e),
                ..shown_page
            }),
        )
            .into_response()
    };
    let shown_page = new_form(&state, page.clone(), &form, None).await;
    let plan = match form.plan.as_deref().map(parse_plan_code) {
        Some(Ok(p)) if shown_page.plans.iter().any(|c| c.code == p) => p,
        _ => {
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                invalid(&page, "plan"),
                shown_page,
            ))
        }
    };
    let eid = match form.eid.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => match Eid::parse(e) {
            Ok(eid) => Some(eid),
            Err(_) => {
                return Ok(refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Shown::new(Some("eid"), page.t("error-invalid-eid")),
                    shown_page,
                ))
            }
        },
    };
    let brand = match state.app.store.subscriber_brand(subscriber).await {
        Ok(Some(b)) => b,
        _ => return Err(error_page(&page, StatusCode::NOT_FOUND, "error-not-found")),
    };
    let sale = NewLineSale {
        brand,
        buyer: Buyer::Existing(subscriber),
        plan_code: plan.clone(),
        periods: 1,
        channel: Channel::Portal,
        promo_code: None,
        card: NewCard::Esim { eid },
        identification: None,
    };
    let actor = page
        .principal()
        .map(|p| p.label())
        .unwrap_or_else(|| format!("subscriber:{subscriber}"));
    let fingerprint = format!("esim:{subscriber}:{plan}");
    let st = state.clone();
    let pg = page.clone();
    Ok(once(
        &state,
        &page,
        &form.once,
        &fingerprint,
        move || async move {
            match st.app.sell_line(&actor, &sale, None).await {
                Ok(sold) => Ok(pg.href(&format!("/orders/{}", sold.order.order.id))),
                Err(e) => {
                    let status = status_of(&e);
                    Err(refuse(status, shown(&pg, &e), shown_page))
                }
            }
        },
    )
    .await)
}

/// How to put the profile on a phone, as the page shows it.
struct ActivationView {
    code: String,
    smdp_address: String,
    matching_id: String,
    ios_link: String,
    qr_src: String,
}

#[derive(Template)]
#[template(path = "portal/esim.html")]
struct EsimPage {
    page: Page,
    line: LineView,
    stage: &'static str,
    stage_label: String,
    stage_text: String,
    activation: Option<ActivationView>,
    order_id: i64,
}

/// The new eSIM `raw` of the signed-in subscriber (or of the customer an agent serves), or
/// "not found" as for a number that is not one.
async fn own_esim(state: &AppState, page: &Page, raw: &str) -> Result<EsimProfile, Response> {
    if page.principal().is_none() {
        page.subscriber()?;
    }
    let not_found = || error_page(page, StatusCode::NOT_FOUND, "error-not-found-line");
    let msisdn = Msisdn::parse(raw).map_err(|_| not_found())?;
    let access = state
        .app
        .line_access(&msisdn)
        .await
        .map_err(|_| not_found())?;
    let principal = page.principal().ok_or_else(not_found)?;
    // Its subscriber, and the agent serving them at the counter: those who may see its code.
    if !principal.may_see_activation_code(access) {
        return Err(not_found());
    }
    state
        .app
        .esim_profile(&msisdn)
        .await
        .map_err(|e| app_error_page(page, &e))?
        .ok_or_else(not_found)
}

async fn esim_page(
    State(state): State<AppState>,
    page: Page,
    Path((_, raw)): Path<(String, String)>,
) -> WebResult {
    let profile = own_esim(&state, &page, &raw).await?;
    let d = state
        .app
        .line(&profile.msisdn)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let plans = brand_plans(&state, &page).await;
    let mut line = line_view(&page, &d, &plans, false);
    with_esim(&mut line, &page, Some(&profile));
    let stage = profile.stage();
    let activation = match profile.downloadable_code() {
        Some(code) => Some(ActivationView {
            smdp_address: code.sm_dp_address().to_owned(),
            matching_id: code.matching_id().to_owned(),
            ios_link: simrenew_network::activation::ios_install_link(code),
            qr_src: page.href(&format!(
                "/esims/{}/qr.svg",
                profile.msisdn.as_str().replace('+', "%2B")
            )),
            code: code.to_string(),
        }),
        _ => None,
    };
    Ok(html(&EsimPage {
        stage: stage.as_str(),
        stage_label: page.t(&format!("esim-stage-{}", stage.as_str())),
        stage_text: page.t(&format!("esim-stage-{}-text", stage.as_str())),
        activation,
        order_id: profile.order.0,
        line,
        page: page.titled("esim-title", "lines"),
    }))
}

/// The activation code as a QR code, for the page's `<img>`; never cached.
async fn qr_svg(
    State(state): State<AppState>,
    page: Page,
    Path((_, raw)): Path<(String, String)>,
) -> WebResult {
    let profile = own_esim(&state, &page, &raw).await?;
    let code = match profile.downloadable_code() {
        Some(code) => code,
        None => return Err(error_page(&page, StatusCode::NOT_FOUND, "error-not-found")),
    };
    let svg = simrenew_network::activation::qr_svg(code)
        .map_err(|_| error_page(&page, StatusCode::INTERNAL_SERVER_ERROR, "error-internal"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// Where the lines page links an eSIM sold here.
pub fn esim_href(page: &Page, msisdn: &str) -> String {
    page.href(&format!("/esims/{}", msisdn.replace('+', "%2B")))
}
