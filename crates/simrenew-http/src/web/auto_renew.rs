//! The portal's automatic renewal of a line: on or off, the plan it buys, what it is paid with
//! (credit, or a card or PayPal account saved for the line), the subscriber's own monthly cap,
//! and the brand's monthly limit — each explained in plain words, with what automatic renewals
//! charged this month and, when one stopped, why and how to renew by hand; and the data
//! top-up: an add-on bought the same way when the data left falls under a threshold.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use simrenew_app::automation::auto_renew::{
    AutoRenewSetting, AutoRenewStatus, DataTopUp, LEAD, MAX_TOP_UP_BELOW_MB,
};
use simrenew_domain::catalog::{parse_plan_code, Channel};
use simrenew_domain::ids::SavedPaymentMethodId;
use simrenew_domain::money::Money;

use super::forms::csrf_ok;
use super::i18n::{invalid, shown, Shown};
use super::page::Page;
use super::portal::{brand_plans, forged, own_line, portal_plans_through};
use super::views::{line_view, plan_choice, LineView, PlanChoice};
use super::{app_error_page, html, redirect, status_of};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/{lang}/lines/{msisdn}/auto-renew",
        get(auto_renew_page).post(save),
    )
}

type WebResult = Result<Response, Response>;

/// A way to pay automatic renewals, as the form offers it.
struct PayChoice {
    /// `credit`, or the saved method's id.
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "portal/auto_renew.html")]
struct AutoRenewPage {
    page: Page,
    line: LineView,
    action: String,
    renew_href: String,
    enabled: bool,
    plans: Vec<PlanChoice>,
    plan: String,
    pays: Vec<PayChoice>,
    pay: String,
    cap: String,
    /// "renewed 1 of at most 4 times, 10.00 EUR charged".
    this_month: String,
    limit_text: String,
    lead_text: String,
    stopped: bool,
    saved: bool,
    error: Option<Shown>,
    /// The add-ons a top-up may buy.
    top_ups: Vec<PlanChoice>,
    top_up_on: bool,
    top_up_plan: String,
    top_up_below: String,
}

#[derive(Debug, Default, Deserialize)]
struct AutoRenewForm {
    #[serde(default)]
    csrf: String,
    enabled: Option<String>,
    plan: Option<String>,
    saved_method_id: Option<String>,
    monthly_cap: Option<String>,
    top_up: Option<String>,
    top_up_plan: Option<String>,
    top_up_below_mb: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn form_page(
    state: &AppState,
    page: Page,
    d: &simrenew_app::sales::ports::LineDetails,
    status: &AutoRenewStatus,
    typed: Option<&AutoRenewForm>,
    error: Option<Shown>,
) -> AutoRenewPage {
    let plans = brand_plans(state, &page).await;
    let line = line_view(&page, d, &plans, false);
    let choices: Vec<PlanChoice> = portal_plans_through(&plans, d.line.kind(), Channel::AutoRenew)
        .into_iter()
        .filter(|p| !p.is_add_on())
        .map(|p| plan_choice(&page, p))
        .collect();
    let top_ups: Vec<PlanChoice> = portal_plans_through(&plans, d.line.kind(), Channel::AutoRenew)
        .into_iter()
        .filter(|p| p.is_add_on())
        .map(|p| plan_choice(&page, p))
        .collect();
    let s = &status.setting;
    let top_up_on = typed.map_or(s.top_up.is_some(), |f| f.top_up.as_deref() == Some("on"));
    let top_up_plan = typed
        .and_then(|f| f.top_up_plan.clone())
        .or_else(|| s.top_up.as_ref().map(|t| t.plan.clone()))
        .filter(|c| top_ups.iter().any(|p| &p.code == c))
        .or_else(|| top_ups.first().map(|p| p.code.clone()))
        .unwrap_or_default();
    let top_up_below = match typed {
        Some(f) => f.top_up_below_mb.clone().unwrap_or_default(),
        None => s
            .top_up
            .as_ref()
            .map_or_else(|| "500".to_owned(), |t| t.below_mb.to_string()),
    };
    let plan = typed
        .and_then(|f| f.plan.clone())
        .or_else(|| s.plan.clone())
        .filter(|c| choices.iter().any(|p| &p.code == c))
        .or_else(|| choices.first().map(|p| p.code.clone()))
        .unwrap_or_default();
    let mut pays = vec![PayChoice {
        value: "credit".into(),
        label: page.t1(
            "auto-renew-pay-credit",
            "credit",
            &page.money(d.line.credit),
        ),
    }];
    let saved = state
        .app
        .saved_payment_methods(&d.line.msisdn)
        .await
        .unwrap_or_default();
    for m in saved.iter().filter(|m| m.removed_at.is_none()) {
        pays.push(PayChoice {
            value: m.id.0.to_string(),
            label: m.label.clone(),
        });
    }
    let pay = typed
        .and_then(|f| f.saved_method_id.clone())
        .or_else(|| s.saved_method.map(|m| m.0.to_string()))
        .filter(|v| pays.iter().any(|p| &p.value == v))
        .unwrap_or_else(|| "credit".into());
    let currency = d.brand.currency;
    let cap = match typed {
        Some(f) => f.monthly_cap.clone().unwrap_or_default(),
        None => s
            .monthly_cap_cents
            .map(|c| {
                let m = Money::new(c, currency);
                format!("{}.{:02}", m.cents / 100, m.cents % 100)
            })
            .unwrap_or_default(),
    };
    let charged = page.money(Money::new(status.this_month.spent_cents, currency));
    let this_month = page.with(
        "auto-renew-this-month",
        &[
            ("count", i64::from(status.this_month.count).into()),
            ("charged", charged.into()),
        ],
    );
    let msisdn = d.line.msisdn.as_str();
    AutoRenewPage {
        action: page.href(&format!("/lines/{msisdn}/auto-renew")),
        renew_href: page.href(&format!("/lines/{msisdn}/renew")),
        enabled: typed.map_or(s.enabled, |f| f.enabled.as_deref() == Some("on")),
        limit_text: page.with(
            "auto-renew-limit",
            &[
                ("brand", d.brand.name.as_str().into()),
                ("limit", i64::from(status.monthly_limit).into()),
            ],
        ),
        lead_text: page.tn("auto-renew-lead", "hours", LEAD.as_hours()),
        this_month,
        stopped: status.stopped,
        saved: false,
        line,
        plans: choices,
        plan,
        pays,
        pay,
        cap,
        error,
        top_ups,
        top_up_on,
        top_up_plan,
        top_up_below,
        page: page.titled("auto-renew-title", "lines"),
    }
}

async fn auto_renew_page(
    State(state): State<AppState>,
    page: Page,
    Path((_, msisdn)): Path<(String, String)>,
    Query(q): Query<SavedQuery>,
) -> WebResult {
    let d = own_line(&state, &page, &msisdn).await?;
    let status = state
        .app
        .auto_renew_of(&d.line.msisdn)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let mut shown_page = form_page(&state, page, &d, &status, None, None).await;
    shown_page.saved = q.saved.is_some();
    Ok(html(&shown_page))
}

/// The setting the form asks for, or the field at fault.
fn setting_of(
    page: &Page,
    form: &AutoRenewForm,
    currency: simrenew_domain::money::Currency,
) -> Result<AutoRenewSetting, Shown> {
    let enabled = form.enabled.as_deref() == Some("on");
    let plan = match form
        .plan
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None if enabled => return Err(invalid(page, "plan")),
        None => None,
        Some(p) => Some(parse_plan_code(p).map_err(|_| invalid(page, "plan"))?),
    };
    let saved_method = match form.saved_method_id.as_deref().map(str::trim) {
        None | Some("") | Some("credit") => None,
        Some(id) => Some(SavedPaymentMethodId(
            id.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| invalid(page, "saved_method_id"))?,
        )),
    };
    let monthly_cap_cents = match form
        .monthly_cap
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => {
            let cap = Money::parse_decimal(c, currency)
                .ok()
                .filter(|m| m.cents > 0)
                .ok_or_else(|| invalid(page, "monthly_cap"))?;
            Some(cap.cents)
        }
    };
    let top_up = match form.top_up.as_deref() {
        Some("on") => {
            let plan = form
                .top_up_plan
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .ok_or_else(|| invalid(page, "top_up.plan"))?;
            Some(DataTopUp {
                plan: parse_plan_code(plan).map_err(|_| invalid(page, "top_up.plan"))?,
                below_mb: form
                    .top_up_below_mb
                    .as_deref()
                    .map(str::trim)
                    .and_then(|n| n.parse::<u64>().ok())
                    .filter(|n| (1..=MAX_TOP_UP_BELOW_MB).contains(n))
                    .ok_or_else(|| invalid(page, "top_up.below_mb"))?,
            })
        }
        _ => None,
    };
    Ok(AutoRenewSetting {
        enabled,
        plan,
        saved_method,
        monthly_cap_cents,
        top_up,
    })
}

async fn save(
    State(state): State<AppState>,
    page: Page,
    Path((_, msisdn)): Path<(String, String)>,
    Form(form): Form<AutoRenewForm>,
) -> WebResult {
    let d = own_line(&state, &page, &msisdn).await?;
    if !csrf_ok(&page, &form.csrf) {
        return Err(forged(&page));
    }
    let status = state
        .app
        .auto_renew_of(&d.line.msisdn)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let refuse = |status_code: StatusCode, shown_page: AutoRenewPage| {
        (status_code, html(&shown_page)).into_response()
    };
    let setting = match setting_of(&page, &form, d.brand.currency) {
        Ok(s) => s,
        Err(e) => {
            let p = form_page(&state, page, &d, &status, Some(&form), Some(e)).await;
            return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, p));
        }
    };
    let actor = page
        .principal()
        .map(|p| p.label())
        .unwrap_or_else(|| "subscriber".into());
    match state
        .app
        .set_auto_renew(&actor, &d.line.msisdn, &setting)
        .await
    {
        Ok(_) => Ok(redirect(&page.href(&format!(
            "/lines/{}/auto-renew?saved=1",
            d.line.msisdn.as_str()
        )))
        .into_response()),
        Err(e) => {
            let code = status_of(&e);
            let why = shown(&page, &e);
            let p = form_page(&state, page, &d, &status, Some(&form), Some(why)).await;
            Ok(refuse(code, p))
        }
    }
}
