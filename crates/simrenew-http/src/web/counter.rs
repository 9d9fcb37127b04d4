//! The store counter console: an agent signs in with password and TOTP, looks the customer up
//! by number or ICCID, checks the details on record against the identity document, and renews
//! for cash or on the card terminal, with a printable receipt. Only what the agent's store
//! offers is shown; what it does not is refused, whatever the form says.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use simrenew_app::identity::second_factor::SecondFactor;
use simrenew_app::payments::checkout::StorePayment;
use simrenew_app::sales::portal::StoreInfo;
use simrenew_app::sales::renewal::OrderSource;
use simrenew_app::AppError;
use simrenew_domain::access::Principal;
use simrenew_domain::catalog::Channel;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::ids::QuoteId;
use simrenew_domain::order::{may_record_store_payment, PaymentMethod};

use super::cookies::session_cookies;
use super::forms::{csrf_ok, once, one_time_token};
use super::i18n::{invalid, shown, Shown};
use super::page::{Page, Who};
use super::portal::{person_view, urlencode, PersonView, CAPABILITIES};
use super::views::{
    line_view, method_choice, plan_choice, price_view, LineView, MethodChoice, PlanChoice,
    PriceView,
};
use super::{app_error_page, error_page, html, redirect, status_of};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/counter", get(counter_root))
        .route("/{lang}/counter", get(counter_home))
        .route("/{lang}/counter/sign-in", post(staff_sign_in))
        .route("/{lang}/counter/look-up", post(look_up))
        .route("/{lang}/counter/customer", get(customer_page))
        .route("/{lang}/counter/quote", post(make_quote))
        .route(
            "/{lang}/counter/quotes/{id}",
            get(quote_page).post(take_payment),
        )
        .route("/{lang}/counter/next", post(next_customer))
}

type WebResult = Result<Response, Response>;

async fn counter_root(headers: HeaderMap) -> Response {
    let lang = super::preferred_lang(&headers);
    redirect(&format!("/{}/counter", lang.code())).into_response()
}

/// The agent signed in, with their stores; else the sign-in page.
pub(super) fn agent(page: &Page) -> Result<&Principal, Response> {
    match &page.who {
        Who::Staff(p @ Principal::Agent { .. }) => Ok(p),
        Who::Staff(_) => Err(error_page(
            page,
            StatusCode::FORBIDDEN,
            "counter-agents-only",
        )),
        _ => Err(redirect(&page.href("/counter")).into_response()),
    }
}

/// The stores the agent works at, as stored.
pub(super) async fn agent_stores(state: &AppState, p: &Principal) -> Vec<StoreInfo> {
    let Principal::Agent { stores, .. } = p else {
        return vec![];
    };
    let mut out = vec![];
    for s in stores {
        if let Ok(Some(info)) = state.app.store.store_info(s.id).await {
            out.push(info);
        }
    }
    out
}

#[derive(Template)]
#[template(path = "counter/sign_in.html")]
struct SignInPage {
    page: Page,
    email: String,
    error: Option<Shown>,
}

#[derive(Template)]
#[template(path = "counter/home.html")]
struct HomePage {
    page: Page,
    stores: Vec<StoreLine>,
    look_up: String,
    error: Option<Shown>,
    /// A store of the agent's sells new eSIM lines.
    sells_esims: bool,
    sells_sims: bool,
}

#[derive(Debug, Clone)]
pub struct StoreLine {
    pub name: String,
    pub capabilities: Vec<String>,
}

fn store_lines(page: &Page, stores: &[StoreInfo]) -> Vec<StoreLine> {
    stores
        .iter()
        .map(|s| StoreLine {
            name: s.name.clone(),
            capabilities: CAPABILITIES
                .iter()
                .filter(|c| s.can(c))
                .map(|c| page.t(&format!("capability-{c}")))
                .collect(),
        })
        .collect()
}

async fn counter_home(State(state): State<AppState>, page: Page) -> Response {
    match &page.who {
        Who::Staff(p @ Principal::Agent { .. }) => {
            let stores = agent_stores(&state, p).await;
            html(&HomePage {
                stores: store_lines(&page, &stores),
                look_up: String::new(),
                error: None,
                sells_esims: stores
                    .iter()
                    .any(|s| s.can(simrenew_domain::access::ACTIVATES_ESIMS)),
                sells_sims: stores
                    .iter()
                    .any(|s| s.can(simrenew_domain::access::SELLS_SIMS)),
                page: page.titled("counter-title", "counter"),
            })
        }
        Who::Staff(_) => error_page(&page, StatusCode::FORBIDDEN, "counter-agents-only"),
        _ => html(&SignInPage {
            email: String::new(),
            error: None,
            page: page.titled("counter-sign-in-title", "counter"),
        }),
    }
}

#[derive(Debug, Default, Deserialize)]
struct StaffSignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    totp_code: Option<String>,
    recovery_code: Option<String>,
}

async fn staff_sign_in(
    State(state): State<AppState>,
    page: Page,
    crate::api::auth::ClientAddr(client): crate::api::auth::ClientAddr,
    Form(form): Form<StaffSignInForm>,
) -> Response {
    if !csrf_ok(&page, &form.csrf) {
        return error_page(&page, StatusCode::FORBIDDEN, "error-form-expired");
    }
    let email = form.email.trim().to_ascii_lowercase();
    let again = |page: Page, e: Shown, status: StatusCode| {
        (
            status,
            html(&SignInPage {
                email: email.clone(),
                error: Some(e),
                page: page.titled("counter-sign-in-title", "counter"),
            }),
        )
            .into_response()
    };
    let totp = form
        .totp_code
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let recovery = form
        .recovery_code
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let second = match (totp, recovery) {
        (Some(t), _) => SecondFactor::Totp(t.to_owned()),
        (None, Some(r)) => SecondFactor::RecoveryCode(r.to_owned()),
        (None, None) => {
            let e = invalid(&page, "totp_code");
            return again(page, e, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match state
        .app
        .staff_sign_in(&email, &form.password, &second, &client)
        .await
    {
        Ok(grant) => {
            let max_age = grant.expires_at.as_second() - state.app.now().as_second();
            let mut res = redirect(&page.href("/counter")).into_response();
            for c in session_cookies(&grant.token, &grant.csrf_token, max_age) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Err(e) => {
            let status = status_of(&e);
            let s = match &e {
                AppError::Unauthenticated { .. } => {
                    Shown::new(Some("password"), page.t("error-staff-sign-in"))
                }
                other => shown(&page, other),
            };
            again(page, s, status)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct LookUpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    number: String,
}

/// A number typed at the counter: the line's number, or its SIM card's ICCID (19 or 20
/// digits starting 89).
async fn line_of(state: &AppState, page: &Page, typed: &str) -> Result<Msisdn, Shown> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.starts_with("89") && (19..=20).contains(&digits.len()) {
        let iccid = Iccid::parse(&digits).map_err(|_| invalid(page, "iccid"))?;
        return state
            .app
            .line_by_iccid(&iccid)
            .await
            .map_err(|e| shown(page, &e));
    }
    Msisdn::parse(typed).map_err(|_| invalid(page, "look_up"))
}

async fn look_up(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<LookUpForm>,
) -> WebResult {
    let principal = agent(&page)?.clone();
    if !csrf_ok(&page, &form.csrf) {
        return Err(error_page(
            &page,
            StatusCode::FORBIDDEN,
            "error-form-expired",
        ));
    }
    let refuse = |state: &AppState, page: Page, e: Shown, status: StatusCode| {
        let state = state.clone();
        let principal = principal.clone();
        let typed = form.number.clone();
        async move {
            let stores = agent_stores(&state, &principal).await;
            (
                status,
                html(&HomePage {
                    stores: store_lines(&page, &stores),
                    look_up: typed,
                    error: Some(e),
                    sells_esims: stores
                        .iter()
                        .any(|s| s.can(simrenew_domain::access::ACTIVATES_ESIMS)),
                    sells_sims: stores
                        .iter()
                        .any(|s| s.can(simrenew_domain::access::SELLS_SIMS)),
                    page: page.titled("counter-title", "counter"),
                }),
            )
                .into_response()
        }
    };
    let msisdn = match line_of(&state, &page, &form.number).await {
        Ok(m) => m,
        Err(e) => return Ok(refuse(&state, page, e, StatusCode::UNPROCESSABLE_ENTITY).await),
    };
    let not_found = Shown::new(Some("number"), page.t("error-not-found-line"));
    let access = match state.app.line_access(&msisdn).await {
        Ok(a) => a,
        Err(_) => return Ok(refuse(&state, page, not_found, StatusCode::NOT_FOUND).await),
    };
    if principal.may_look_up(access).is_err() {
        return Ok(refuse(&state, page, not_found, StatusCode::NOT_FOUND).await);
    }
    let credential = page.credential.clone().unwrap_or_default();
    if let Err(e) = state
        .app
        .look_up_customer(&principal, &credential, &msisdn, access)
        .await
    {
        let status = status_of(&e);
        let s = shown(&page, &e);
        return Ok(refuse(&state, page, s, status).await);
    }
    Ok(redirect(&customer_url(&page, &msisdn)).into_response())
}

pub(super) fn customer_url(page: &Page, msisdn: &Msisdn) -> String {
    page.href(&format!(
        "/counter/customer?msisdn={}",
        urlencode(msisdn.as_str())
    ))
}

#[derive(Debug, Clone)]
pub struct IdentificationView {
    pub method: String,
    pub verified: String,
    pub verifier: String,
}

#[derive(Template)]
#[template(path = "counter/customer.html")]
struct CustomerPage {
    page: Page,
    line: LineView,
    person: Option<PersonView>,
    identifications: Vec<IdentificationView>,
    plans: Vec<PlanChoice>,
    periods: Vec<u32>,
    sells: bool,
    error: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct CustomerQuery {
    #[serde(default)]
    msisdn: String,
}

/// The line `raw` names, if the agent serves its customer.
async fn served_line(
    state: &AppState,
    page: &Page,
    principal: &Principal,
    raw: &str,
) -> Result<std::sync::Arc<simrenew_app::sales::ports::LineDetails>, Response> {
    let gone = || redirect(&page.href("/counter")).into_response();
    let msisdn = Msisdn::parse(raw).map_err(|_| gone())?;
    let access = state.app.line_access(&msisdn).await.map_err(|_| gone())?;
    principal.may_see_line(access).map_err(|_| gone())?;
    state
        .app
        .line(&msisdn)
        .await
        .map_err(|e| app_error_page(page, &e))
}

fn sells(stores: &[StoreInfo]) -> bool {
    stores
        .iter()
        .any(|s| s.can("renews_cash") || s.can("renews_card_terminal"))
}

async fn customer_form(
    state: &AppState,
    page: Page,
    principal: &Principal,
    msisdn: &str,
    error: Option<Shown>,
) -> Result<CustomerPage, Response> {
    let d = served_line(state, &page, principal, msisdn).await?;
    let plans = match &page.brand {
        Some(b) => state.web.plans(&state.app, b.id).await.to_vec(),
        None => vec![],
    };
    let identifications = state
        .app
        .store
        .identifications_of_line(d.line.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| IdentificationView {
            method: page.t(&format!("identification-{}", r.method)),
            verified: page.date(r.verified_at),
            verifier: r.verifier,
        })
        .collect();
    let stores = agent_stores(state, principal).await;
    let choices = plans
        .iter()
        .filter(|p| p.fits(d.line.kind()) && p.sold_through(Channel::Store))
        .map(|p| plan_choice(&page, p))
        .collect();
    let mut line = line_view(&page, &d, &plans, false);
    if d.line.kind() == simrenew_domain::catalog::LineKind::Esim {
        let profile = state
            .app
            .esim_profile(&d.line.msisdn)
            .await
            .map_err(|e| app_error_page(&page, &e))?;
        super::views::with_esim(&mut line, &page, profile.as_ref());
    }
    Ok(CustomerPage {
        line,
        person: person_view(state, &page, d.line.subscriber_id).await,
        identifications,
        plans: choices,
        periods: vec![1, 2, 3, 6, 12],
        sells: sells(&stores),
        error,
        page: page.titled("counter-customer-title", "counter"),
    })
}

async fn customer_page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<CustomerQuery>,
) -> WebResult {
    let principal = agent(&page)?.clone();
    Ok(html(
        &customer_form(&state, page, &principal, &q.msisdn, None).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
struct QuoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    msisdn: String,
    plan: Option<String>,
    periods: Option<String>,
}

async fn make_quote(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<QuoteForm>,
) -> WebResult {
    let principal = agent(&page)?.clone();
    if !csrf_ok(&page, &form.csrf) {
        return Err(error_page(
            &page,
            StatusCode::FORBIDDEN,
            "error-form-expired",
        ));
    }
    let d = served_line(&state, &page, &principal, &form.msisdn).await?;
    let stores = agent_stores(&state, &principal).await;
    if !sells(&stores) {
        return Err(error_page(
            &page,
            StatusCode::FORBIDDEN,
            "counter-store-does-not-renew",
        ));
    }
    let renew = super::portal::RenewRequest {
        plan: form.plan.clone(),
        periods: form.periods.clone(),
        promo_code: None,
    };
    let req = match super::portal::purchase_request(&page, &d.line.msisdn, &renew, Channel::Store) {
        Ok(r) => r,
        Err(e) => {
            let p = customer_form(&state, page, &principal, &form.msisdn, Some(e)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&p)).into_response());
        }
    };
    let access = state
        .app
        .line_access(&d.line.msisdn)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    if principal.may_sell(access, Channel::Store).is_err() {
        return Err(error_page(
            &page,
            StatusCode::FORBIDDEN,
            "counter-store-does-not-renew",
        ));
    }
    match state.app.quote(&req).await {
        Ok((q, _)) => {
            Ok(redirect(&page.href(&format!("/counter/quotes/{}", q.id))).into_response())
        }
        Err(e) => {
            let status = status_of(&e);
            let s = shown(&page, &e);
            let p = customer_form(&state, page, &principal, &form.msisdn, Some(s)).await?;
            Ok((status, html(&p)).into_response())
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoreChoice {
    pub code: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "counter/quote.html")]
struct QuotePage {
    page: Page,
    id: i64,
    line: LineView,
    price: PriceView,
    person: Option<PersonView>,
    methods: Vec<MethodChoice>,
    stores: Vec<StoreChoice>,
    method: String,
    terminal_ref: String,
    once: String,
    error: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct TakePaymentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    once: String,
    method: Option<String>,
    store: Option<String>,
    terminal_ref: Option<String>,
}

/// The counter's payment methods the agent's stores take (`renews_cash`,
/// `renews_card_terminal`) and the brand offers at stores.
pub(super) fn counter_methods(
    state: &AppState,
    page: &Page,
    stores: &[StoreInfo],
) -> Vec<MethodChoice> {
    let Some(brand) = &page.brand else {
        return vec![];
    };
    state
        .app
        .methods_available(brand, Channel::Store)
        .into_iter()
        .filter(|m| {
            matches!(m, PaymentMethod::Cash | PaymentMethod::CardTerminal)
                && stores.iter().any(|s| s.can(&format!("renews_{m}")))
        })
        .map(|m| method_choice(page, m, None))
        .collect()
}

async fn counter_quote_form(
    state: &AppState,
    page: Page,
    principal: &Principal,
    id: QuoteId,
    form: &TakePaymentForm,
    error: Option<Shown>,
) -> Result<QuotePage, Response> {
    let not_found = |page: &Page| error_page(page, StatusCode::NOT_FOUND, "error-not-found-quote");
    let (q, msisdn) = state
        .app
        .stored_quote(id)
        .await
        .map_err(|_| not_found(&page))?;
    let d = served_line(state, &page, principal, msisdn.as_str()).await?;
    let plans = match &page.brand {
        Some(b) => state.web.plans(&state.app, b.id).await.to_vec(),
        None => vec![],
    };
    let stores = agent_stores(state, principal).await;
    let methods = counter_methods(state, &page, &stores);
    let method = form
        .method
        .clone()
        .filter(|m| methods.iter().any(|c| c.method == m))
        .or_else(|| methods.first().map(|m| m.method.to_owned()))
        .unwrap_or_default();
    Ok(QuotePage {
        id: id.0,
        line: line_view(&page, &d, &plans, false),
        price: price_view(&page, &q.quote, &plans),
        person: person_view(state, &page, d.line.subscriber_id).await,
        methods,
        stores: stores
            .iter()
            .filter(|s| s.can("renews_cash") || s.can("renews_card_terminal"))
            .map(|s| StoreChoice {
                code: s.code.clone(),
                name: s.name.clone(),
            })
            .collect(),
        method,
        terminal_ref: form.terminal_ref.clone().unwrap_or_default(),
        once: one_time_token(),
        error,
        page: page.titled("counter-quote-title", "counter"),
    })
}

async fn quote_page(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
) -> WebResult {
    let principal = agent(&page)?.clone();
    Ok(html(
        &counter_quote_form(
            &state,
            page,
            &principal,
            QuoteId(id),
            &TakePaymentForm::default(),
            None,
        )
        .await?,
    ))
}

/// Records the payment the agent took and renews the line. The method must be one the store
/// takes: a form that asks for another is refused, and changes nothing.
async fn take_payment(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<TakePaymentForm>,
) -> WebResult {
    let principal = agent(&page)?.clone();
    if !csrf_ok(&page, &form.csrf) {
        return Err(error_page(
            &page,
            StatusCode::FORBIDDEN,
            "error-form-expired",
        ));
    }
    let id = QuoteId(id);
    let shown_page = counter_quote_form(&state, page.clone(), &principal, id, &form, None).await?;
    let refuse = |e: Shown, status: StatusCode, shown_page: QuotePage| {
        (
            status,
            html(&QuotePage {
                error: Some(e),
                once: one_time_token(),
                ..shown_page
            }),
        )
            .into_response()
    };
    let Some(method) = form
        .method
        .as_deref()
        .and_then(|m| PaymentMethod::parse(m).ok())
        .filter(|m| matches!(m, PaymentMethod::Cash | PaymentMethod::CardTerminal))
    else {
        let e = invalid(&page, "method");
        return Ok(refuse(e, StatusCode::UNPROCESSABLE_ENTITY, shown_page));
    };
    let stores = agent_stores(&state, &principal).await;
    let store = match form.store.as_deref() {
        Some(code) => stores.iter().find(|s| s.code == code),
        None => stores
            .iter()
            .find(|s| s.can(&format!("renews_{method}")))
            .or(stores.first()),
    };
    let Some(store) = store.cloned() else {
        let e = Shown::new(Some("method"), page.t("counter-store-does-not-take"));
        return Ok(refuse(e, StatusCode::FORBIDDEN, shown_page));
    };
    if may_record_store_payment(&principal, store.id, method).is_err() {
        let e = Shown::new(Some("method"), page.t("counter-store-does-not-take"));
        return Ok(refuse(e, StatusCode::FORBIDDEN, shown_page));
    }
    let terminal_ref = form
        .terminal_ref
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    if method == PaymentMethod::CardTerminal && terminal_ref.is_none() {
        let e = invalid(&page, "terminal_ref");
        return Ok(refuse(e, StatusCode::UNPROCESSABLE_ENTITY, shown_page));
    }
    let actor = principal.label();
    let fingerprint = format!("counter:{id}:{method}:{}", store.code);
    let st = state.clone();
    let pg = page.clone();
    Ok(once(
        &state,
        &page,
        &form.once,
        &fingerprint,
        move || async move {
            let done = async {
                let receipt = st
                    .app
                    .create_order_as(Some(&actor), &OrderSource::Quote(id), None)
                    .await?;
                let total = receipt.order.quote.total;
                let paid = st
                    .app
                    .record_store_payment_as(
                        &actor,
                        &StorePayment {
                            order: receipt.order.id,
                            method,
                            store_code: store.code.clone(),
                            terminal_ref,
                            amount: total,
                        },
                    )
                    .await?;
                Ok(pg.href(&format!("/orders/{}/receipt", paid.order.id)))
            }
            .await;
            done.map_err(|e: AppError| {
                let status = status_of(&e);
                refuse(shown(&pg, &e), status, shown_page)
            })
        },
    )
    .await)
}

async fn next_customer(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<super::portal::CsrfOnly>,
) -> WebResult {
    agent(&page)?;
    if !csrf_ok(&page, &form.csrf) {
        return Err(error_page(
            &page,
            StatusCode::FORBIDDEN,
            "error-form-expired",
        ));
    }
    if let Some(token) = &page.credential {
        state
            .app
            .end_lookup(token)
            .await
            .map_err(|e| app_error_page(&page, &e))?;
    }
    Ok(redirect(&page.href("/counter")).into_response())
}
