//! The subscriber portal: sign-in, my lines, renewing (and the virtual SIM's account centre),
//! paying, the order and its receipt, the history, the store finder and the account.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use simrenew_app::identity::second_factor::SecondFactor;
use simrenew_app::identity::signin::SignInAddress;
use simrenew_app::payments::checkout::StartPayment;
use simrenew_app::sales::payment::PaymentInstruction;
use simrenew_app::sales::renewal::{OrderSource, PurchaseRequest};
use simrenew_app::AppError;
use simrenew_domain::catalog::{parse_plan_code, Channel, LineKind, Plan};
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_domain::ids::{OrderId, QuoteId};
use simrenew_domain::order::{OrderState, PaymentMethod, ProviderName, ProviderPaymentStatus};
use simrenew_domain::promotion::PromoCode;
use simrenew_domain::voucher::VoucherCode;

use super::cookies::{clear_session_cookies, session_cookies};
use super::forms::{csrf_ok, once, one_time_token};
use super::i18n::{invalid, shown, Shown};
use super::page::Page;
use super::views::{
    kind_label, line_view, method_choice, plan_choice, price_view, LineView, MethodChoice,
    PlanChoice, PriceView,
};
use super::{app_error_page, error_page, html, redirect, status_of};
use crate::extract::session_cookie;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{lang}", get(home))
        .route("/{lang}/", get(home))
        .route("/{lang}/sign-in", get(sign_in_page).post(request_code))
        .route("/{lang}/sign-in/code", get(code_page).post(sign_in))
        .route("/{lang}/sign-in/passkey", post(passkey_signed_in))
        .route("/{lang}/sign-out", post(sign_out))
        .route("/{lang}/lines", get(lines_page))
        .route(
            "/{lang}/lines/{msisdn}/renew",
            get(renew_page).post(make_quote),
        )
        .route("/{lang}/quotes/{id}", get(quote_page).post(pay_quote))
        .route("/{lang}/orders", get(history_page))
        .route("/{lang}/orders/{id}", get(order_page))
        .route("/{lang}/orders/{id}/pay", post(pay_order))
        .route("/{lang}/orders/{id}/return", get(back_from_provider))
        .route("/{lang}/orders/{id}/receipt", get(receipt_page))
        .route("/{lang}/stores", get(stores_page))
        .route("/{lang}/account", get(account_page))
        .route("/{lang}/account/calendar", post(new_calendar_link))
}

type WebResult = Result<Response, Response>;

/// The refusal of a form whose CSRF token is not the page's.
pub(super) fn forged(page: &Page) -> Response {
    error_page(page, StatusCode::FORBIDDEN, "error-form-expired")
}

async fn home(page: Page) -> Response {
    match page.who {
        super::page::Who::Subscriber(_) => redirect(&page.href("/lines")).into_response(),
        super::page::Who::Staff(_) => redirect(&page.href("/counter")).into_response(),
        super::page::Who::Nobody => redirect(&page.href("/sign-in")).into_response(),
    }
}

// ---- Sign-in ----

#[derive(Debug, Clone)]
pub struct BrandChoice {
    pub code: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage {
    page: Page,
    phone: String,
    email: String,
    brands: Vec<BrandChoice>,
    brand: String,
    error: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct CodeRequestForm {
    #[serde(default)]
    csrf: String,
    phone: Option<String>,
    email: Option<String>,
    brand: Option<String>,
}

async fn brand_choices(state: &AppState) -> Vec<BrandChoice> {
    state
        .web
        .brands(&state.app)
        .await
        .iter()
        .map(|b| BrandChoice {
            code: b.code.clone(),
            name: b.name.clone(),
        })
        .collect()
}

async fn sign_in_form(
    state: &AppState,
    page: Page,
    form: &CodeRequestForm,
    error: Option<Shown>,
) -> SignInPage {
    let brand = form
        .brand
        .clone()
        .unwrap_or_else(|| page.brand_code().to_owned());
    SignInPage {
        page: page.titled("signin-title", "sign-in"),
        phone: form.phone.clone().unwrap_or_default(),
        email: form.email.clone().unwrap_or_default(),
        brands: brand_choices(state).await,
        brand,
        error,
    }
}

async fn sign_in_page(State(state): State<AppState>, page: Page) -> Response {
    if page.is_subscriber() {
        return redirect(&page.href("/lines")).into_response();
    }
    html(&sign_in_form(&state, page, &CodeRequestForm::default(), None).await)
}

/// The address of a sign-in form: a number, or an e-mail address with the brand.
fn address_of(
    page: &Page,
    phone: Option<&str>,
    email: Option<&str>,
    brand: Option<&str>,
) -> Result<SignInAddress, Shown> {
    let phone = phone.map(str::trim).filter(|p| !p.is_empty());
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    match (phone, email) {
        (Some(p), _) => Msisdn::parse(p)
            .map(SignInAddress::Phone)
            .map_err(|_| invalid(page, "phone")),
        (None, Some(e)) => {
            let email = Email::parse(e).map_err(|_| invalid(page, "email"))?;
            let brand = brand
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .ok_or_else(|| invalid(page, "brand"))?;
            Ok(SignInAddress::Email {
                brand: brand.to_ascii_lowercase(),
                email,
            })
        }
        (None, None) => Err(Shown::new(Some("phone"), page.t("error-address-missing"))),
    }
}

fn code_page_url(page: &Page, to: &SignInAddress) -> String {
    let query = match to {
        SignInAddress::Phone(m) => format!("phone={}", urlencode(m.as_str())),
        SignInAddress::Email { brand, email } => format!(
            "email={}&brand={}",
            urlencode(email.as_str()),
            urlencode(brand)
        ),
    };
    page.href(&format!("/sign-in/code?{query}"))
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

async fn request_code(
    State(state): State<AppState>,
    page: Page,
    crate::api::auth::ClientAddr(client): crate::api::auth::ClientAddr,
    Form(form): Form<CodeRequestForm>,
) -> Response {
    if !csrf_ok(&page, &form.csrf) {
        return forged(&page);
    }
    let to = match address_of(
        &page,
        form.phone.as_deref(),
        form.email.as_deref(),
        form.brand.as_deref(),
    ) {
        Ok(to) => to,
        Err(e) => {
            let p = sign_in_form(&state, page, &form, Some(e)).await;
            return (StatusCode::UNPROCESSABLE_ENTITY, html(&p)).into_response();
        }
    };
    match state.app.request_sign_in_code(&to, &client).await {
        Ok(()) => redirect(&code_page_url(&page, &to)).into_response(),
        Err(e) => {
            let status = status_of(&e);
            let shown = shown(&page, &e);
            let p = sign_in_form(&state, page, &form, Some(shown)).await;
            (status, html(&p)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "portal/code.html")]
struct CodePage {
    page: Page,
    phone: String,
    email: String,
    brand: String,
    /// Where the code went, to say so.
    sent_to: String,
    code: String,
    totp_needed: bool,
    error: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct CodeQuery {
    phone: Option<String>,
    email: Option<String>,
    brand: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct SignInForm {
    #[serde(default)]
    csrf: String,
    phone: Option<String>,
    email: Option<String>,
    brand: Option<String>,
    #[serde(default)]
    code: String,
    totp_code: Option<String>,
    recovery_code: Option<String>,
}

fn code_form(
    page: Page,
    phone: Option<&str>,
    email: Option<&str>,
    brand: Option<&str>,
    code: &str,
    totp_needed: bool,
    error: Option<Shown>,
) -> CodePage {
    let sent_to = phone
        .filter(|p| !p.is_empty())
        .or(email)
        .unwrap_or_default()
        .to_owned();
    CodePage {
        page: page.titled("code-title", "sign-in"),
        phone: phone.unwrap_or_default().to_owned(),
        email: email.unwrap_or_default().to_owned(),
        brand: brand.unwrap_or_default().to_owned(),
        sent_to,
        code: code.to_owned(),
        totp_needed,
        error,
    }
}

async fn code_page(page: Page, Query(q): Query<CodeQuery>) -> Response {
    if address_of(
        &page,
        q.phone.as_deref(),
        q.email.as_deref(),
        q.brand.as_deref(),
    )
    .is_err()
    {
        return redirect(&page.href("/sign-in")).into_response();
    }
    html(&code_form(
        page,
        q.phone.as_deref(),
        q.email.as_deref(),
        q.brand.as_deref(),
        "",
        false,
        None,
    ))
}

async fn sign_in(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<SignInForm>,
) -> Response {
    if !csrf_ok(&page, &form.csrf) {
        return forged(&page);
    }
    let again = |page: Page, totp: bool, code: &str, error: Shown, status: StatusCode| {
        (
            status,
            html(&code_form(
                page,
                form.phone.as_deref(),
                form.email.as_deref(),
                form.brand.as_deref(),
                code,
                totp,
                Some(error),
            )),
        )
            .into_response()
    };
    let to = match address_of(
        &page,
        form.phone.as_deref(),
        form.email.as_deref(),
        form.brand.as_deref(),
    ) {
        Ok(to) => to,
        Err(_) => return redirect(&page.href("/sign-in")).into_response(),
    };
    let code = form.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        let e = invalid(&page, "code");
        return again(page, false, "", e, StatusCode::UNPROCESSABLE_ENTITY);
    }
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
        (Some(t), _) => Some(SecondFactor::Totp(t.to_owned())),
        (None, Some(r)) => Some(SecondFactor::RecoveryCode(r.to_owned())),
        (None, None) => None,
    };
    match state
        .app
        .sign_in_with_code(&to, code, second.as_ref())
        .await
    {
        Ok(grant) => {
            let max_age = grant.expires_at.as_second() - state.app.now().as_second();
            let mut res = redirect(&page.href("/lines")).into_response();
            for c in session_cookies(&grant.token, &grant.csrf_token, max_age) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Err(e) => {
            let status = status_of(&e);
            let shown = shown(&page, &e);
            let totp_needed = matches!(
                e,
                AppError::Unauthenticated {
                    field: "totp_code",
                    ..
                }
            );
            let keep = if totp_needed { code } else { "" };
            again(page, totp_needed, keep, shown, status)
        }
    }
}

#[derive(Debug, Deserialize)]
struct PasskeyDoneForm {
    csrf_token: String,
}

/// After a passkey sign-in through the API (by `app.js`): keeps the new session's CSRF token
/// for the pages' forms, if it is that session's.
async fn passkey_signed_in(page: Page, Form(form): Form<PasskeyDoneForm>) -> Response {
    match &page.session {
        Some(s)
            if simrenew_app::identity::sessions::csrf_matches(&form.csrf_token, &s.csrf_hash) =>
        {
            let mut res = redirect(&page.href("/lines")).into_response();
            if let Some(c) = super::cookies::set_cookie(
                super::cookies::CSRF_COOKIE,
                &form.csrf_token,
                Some(12 * 3600),
            ) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        _ => redirect(&page.href("/sign-in")).into_response(),
    }
}

/// A form that carries nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if page.signed_in() && !csrf_ok(&page, &form.csrf) {
        return forged(&page);
    }
    if let Some(token) = session_cookie(&headers) {
        if let Err(e) = state.app.sign_out(token).await {
            return app_error_page(&page, &e);
        }
    }
    let to = if page.console == "counter" || page.is_staff() {
        "/counter"
    } else {
        "/sign-in"
    };
    let mut res = redirect(&page.href(to)).into_response();
    for c in clear_session_cookies() {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

// ---- My lines ----

#[derive(Template)]
#[template(path = "portal/lines.html")]
struct LinesPage {
    page: Page,
    name: Option<String>,
    lines: Vec<LineView>,
    /// The brand sells new eSIM lines on the portal.
    sells_esims: bool,
}

/// The plans in force of the page's brand.
pub(super) async fn brand_plans(state: &AppState, page: &Page) -> Vec<Plan> {
    match &page.brand {
        Some(b) => state.web.plans(&state.app, b.id).await.to_vec(),
        None => vec![],
    }
}

async fn lines_page(State(state): State<AppState>, page: Page) -> WebResult {
    let subscriber = page.subscriber()?;
    let portfolio = state
        .app
        .portfolio(subscriber)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let plans = brand_plans(&state, &page).await;
    let lines = portfolio
        .lines
        .iter()
        .map(|l| {
            let mut view = line_view(&page, &l.details, &plans, l.extras.syncing);
            super::views::with_esim(&mut view, &page, l.extras.esim.as_ref());
            view
        })
        .collect();
    let sells_esims = portal_plans(&plans, LineKind::Esim)
        .iter()
        .any(|p| !p.is_add_on());
    Ok(html(&LinesPage {
        page: page.titled("lines-title", "lines"),
        name: portfolio.name,
        lines,
        sells_esims,
    }))
}

/// The line `raw` names, if the signed-in subscriber may buy for it on the portal.
pub(super) async fn own_line(
    state: &AppState,
    page: &Page,
    raw: &str,
) -> Result<std::sync::Arc<simrenew_app::sales::ports::LineDetails>, Response> {
    page.subscriber()?;
    let not_found = || error_page(page, StatusCode::NOT_FOUND, "error-not-found-line");
    let msisdn = Msisdn::parse(raw).map_err(|_| not_found())?;
    let access = state
        .app
        .line_access(&msisdn)
        .await
        .map_err(|_| not_found())?;
    let principal = page.principal().ok_or_else(not_found)?;
    principal.may_see_line(access).map_err(|_| not_found())?;
    state
        .app
        .line(&msisdn)
        .await
        .map_err(|e| app_error_page(page, &e))
}

// ---- Renewing ----

#[derive(Template)]
#[template(path = "portal/renew.html")]
struct RenewPage {
    page: Page,
    line: LineView,
    /// A virtual SIM's renewal is its account centre.
    account_centre: bool,
    plans: Vec<PlanChoice>,
    plan: String,
    periods: Vec<u32>,
    selected_periods: u32,
    promo_code: String,
    error: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct RenewForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    periods: Option<String>,
    promo_code: Option<String>,
}

/// The periods offered in the form.
const PERIOD_CHOICES: [u32; 8] = [1, 2, 3, 4, 6, 9, 12, 18];

pub(super) fn portal_plans(plans: &[Plan], kind: LineKind) -> Vec<&Plan> {
    portal_plans_through(plans, kind, Channel::Portal)
}

/// The plans for a line of `kind` sold through `channel`.
pub(super) fn portal_plans_through(plans: &[Plan], kind: LineKind, channel: Channel) -> Vec<&Plan> {
    plans
        .iter()
        .filter(|p| p.fits(kind) && p.sold_through(channel))
        .collect()
}

async fn renew_form(
    state: &AppState,
    page: Page,
    d: &simrenew_app::sales::ports::LineDetails,
    form: &RenewForm,
    error: Option<Shown>,
) -> RenewPage {
    let plans = brand_plans(state, &page).await;
    let syncing = false;
    let line = line_view(&page, d, &plans, syncing);
    let choices: Vec<PlanChoice> = portal_plans(&plans, d.line.kind())
        .into_iter()
        .map(|p| plan_choice(&page, p))
        .collect();
    let current_plan = d
        .bundles
        .iter()
        .rev()
        .find(|b| b.ends_at > page.now)
        .map(|b| b.plan_code.clone());
    let plan = form
        .plan
        .clone()
        .or(current_plan)
        .filter(|c| choices.iter().any(|p| &p.code == c))
        .or_else(|| choices.first().map(|p| p.code.clone()))
        .unwrap_or_default();
    let account_centre = d.line.kind() == LineKind::VirtualSim;
    let title = if account_centre {
        "account-centre-title"
    } else {
        "renew-title"
    };
    RenewPage {
        page: page.titled(title, "lines"),
        line,
        account_centre,
        plans: choices,
        plan,
        periods: PERIOD_CHOICES.to_vec(),
        selected_periods: form
            .periods
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(1),
        promo_code: form.promo_code.clone().unwrap_or_default(),
        error,
    }
}

async fn renew_page(
    State(state): State<AppState>,
    page: Page,
    Path((_, msisdn)): Path<(String, String)>,
    Query(q): Query<RenewForm>,
) -> WebResult {
    let d = own_line(&state, &page, &msisdn).await?;
    Ok(html(&renew_form(&state, page, &d, &q, None).await))
}

/// What a renewal form asks for, as typed.
#[derive(Debug, Clone, Default)]
pub struct RenewRequest {
    pub plan: Option<String>,
    pub periods: Option<String>,
    pub promo_code: Option<String>,
}

/// The purchase a renewal form asks for, or the field at fault.
pub fn purchase_request(
    page: &Page,
    msisdn: &Msisdn,
    form: &RenewRequest,
    channel: Channel,
) -> Result<PurchaseRequest, Shown> {
    let plan = form
        .plan
        .as_deref()
        .ok_or_else(|| invalid(page, "plan"))
        .and_then(|p| parse_plan_code(p).map_err(|_| invalid(page, "plan")))?;
    let periods = form
        .periods
        .as_deref()
        .unwrap_or("1")
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=simrenew_domain::quote::MAX_PERIODS).contains(p))
        .ok_or_else(|| invalid(page, "periods"))?;
    let promo_code = form
        .promo_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(PromoCode::parse)
        .transpose()
        .map_err(|_| invalid(page, "promo_code"))?;
    Ok(PurchaseRequest {
        msisdn: msisdn.clone(),
        plan_code: plan,
        periods,
        channel,
        promo_code,
    })
}

async fn make_quote(
    State(state): State<AppState>,
    page: Page,
    Path((_, msisdn)): Path<(String, String)>,
    Form(form): Form<RenewForm>,
) -> WebResult {
    let d = own_line(&state, &page, &msisdn).await?;
    if !csrf_ok(&page, &form.csrf) {
        return Err(forged(&page));
    }
    let asked = RenewRequest {
        plan: form.plan.clone(),
        periods: form.periods.clone(),
        promo_code: form.promo_code.clone(),
    };
    let req = match purchase_request(&page, &d.line.msisdn, &asked, Channel::Portal) {
        Ok(r) => r,
        Err(e) => {
            let p = renew_form(&state, page, &d, &form, Some(e)).await;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&p)).into_response());
        }
    };
    match state.app.quote(&req).await {
        Ok((q, _)) => Ok(redirect(&page.href(&format!("/quotes/{}", q.id))).into_response()),
        Err(e) => {
            let status = status_of(&e);
            let s = shown(&page, &e);
            let p = renew_form(&state, page, &d, &form, Some(s)).await;
            Ok((status, html(&p)).into_response())
        }
    }
}

// ---- The quote: check the details, choose how to pay ----

#[derive(Debug, Clone)]
pub struct PersonView {
    pub name: String,
    pub email: String,
    pub language: String,
}

#[derive(Template)]
#[template(path = "portal/quote.html")]
struct QuotePage {
    page: Page,
    id: i64,
    line: LineView,
    account_centre: bool,
    price: PriceView,
    valid_until: String,
    expired: bool,
    person: Option<PersonView>,
    methods: Vec<MethodChoice>,
    method: String,
    voucher_code: String,
    once: String,
    error: Option<Shown>,
}

#[derive(Debug, Default, Deserialize)]
struct PayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    once: String,
    method: Option<String>,
    voucher_code: Option<String>,
    details_confirmed: Option<String>,
}

pub async fn person_view(
    state: &AppState,
    page: &Page,
    subscriber: Option<simrenew_domain::ids::SubscriberId>,
) -> Option<PersonView> {
    let id = subscriber?;
    let p = state
        .app
        .store
        .subscriber_details(id)
        .await
        .ok()
        .flatten()?;
    let language = simrenew_i18n::Lang::parse(&p.language)
        .map_or(p.language.clone(), |l| l.native_name().to_owned());
    Some(PersonView {
        name: p.name,
        email: p.email.unwrap_or_else(|| page.t("details-no-email")),
        language,
    })
}

/// The methods the portal takes for this brand now. Card payments need a provider whose own
/// page takes the card (the demo's): Stripe's card form is a script of theirs, which the
/// pages' Content-Security-Policy does not load.
fn portal_methods(state: &AppState, page: &Page, credit: &str) -> Vec<MethodChoice> {
    let Some(brand) = &page.brand else {
        return vec![];
    };
    state
        .app
        .methods_available(brand, Channel::Portal)
        .into_iter()
        .filter(|m| match m {
            PaymentMethod::Card => state.app.provider_of(*m) == Some(ProviderName::Demo),
            PaymentMethod::Bancontact => false,
            _ => true,
        })
        .map(|m| method_choice(page, m, Some(credit)))
        .collect()
}

async fn quote_form(
    state: &AppState,
    page: Page,
    id: QuoteId,
    form: &PayForm,
    error: Option<Shown>,
) -> Result<QuotePage, Response> {
    let not_found = |page: &Page| error_page(page, StatusCode::NOT_FOUND, "error-not-found-quote");
    let (q, msisdn) = state
        .app
        .stored_quote(id)
        .await
        .map_err(|_| not_found(&page))?;
    let d = own_line(state, &page, msisdn.as_str())
        .await
        .map_err(|_| not_found(&page))?;
    let plans = brand_plans(state, &page).await;
    let line = line_view(&page, &d, &plans, false);
    let methods = portal_methods(state, &page, &line.credit);
    let person = person_view(state, &page, d.line.subscriber_id).await;
    let method = form
        .method
        .clone()
        .filter(|m| methods.iter().any(|c| c.method == m))
        .or_else(|| methods.first().map(|m| m.method.to_owned()))
        .unwrap_or_default();
    let account_centre = d.line.kind() == LineKind::VirtualSim;
    Ok(QuotePage {
        id: id.0,
        price: price_view(&page, &q.quote, &plans),
        valid_until: page.date_time(q.valid_until),
        expired: q.valid_until <= page.now,
        line,
        account_centre,
        person,
        methods,
        method,
        voucher_code: form.voucher_code.clone().unwrap_or_default(),
        once: one_time_token(),
        error,
        page: page.titled("quote-title", "lines"),
    })
}

async fn quote_page(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
) -> WebResult {
    page.subscriber()?;
    Ok(html(
        &quote_form(&state, page, QuoteId(id), &PayForm::default(), None).await?,
    ))
}

/// How a pay form asks to pay: a method offered, with the voucher code for a voucher.
fn instruction(
    page: &Page,
    form: &PayForm,
    offered: &[MethodChoice],
) -> Result<PaymentMethod, Shown> {
    let method = form
        .method
        .as_deref()
        .and_then(|m| PaymentMethod::parse(m).ok())
        .filter(|m| offered.iter().any(|c| c.method == m.as_str()))
        .ok_or_else(|| invalid(page, "method"))?;
    Ok(method)
}

fn voucher(page: &Page, form: &PayForm) -> Result<PaymentInstruction, Shown> {
    let code = form
        .voucher_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| invalid(page, "voucher_code"))?;
    VoucherCode::parse(code)
        .map(PaymentInstruction::Voucher)
        .map_err(|_| invalid(page, "voucher_code"))
}

/// Where the payment provider sends the customer back to.
fn return_url(state: &AppState, page: &Page, order: OrderId) -> String {
    let path = page.href(&format!("/orders/{order}/return"));
    match state.app.public_origin() {
        Some(origin) => format!("{origin}{path}"),
        None => path,
    }
}

/// Pays an order with a provider: where to send the customer next (the provider's page, or
/// the order when nothing more is needed). A refused payment leaves the order waiting, and
/// the order's page says so.
async fn pay_with_provider(
    state: &AppState,
    page: &Page,
    order: OrderId,
    method: PaymentMethod,
) -> Result<String, AppError> {
    let start = StartPayment {
        order,
        method,
        return_url: Some(return_url(state, page, order)),
        payment_method_token: None,
        saved_method: None,
    };
    let order_page = page.href(&format!("/orders/{order}"));
    match state.app.start_payment(&start).await {
        Ok(p) => Ok(p.next_action_url.unwrap_or(order_page)),
        Err(AppError::Provider(simrenew_app::payments::providers::ProviderError::Refused {
            ..
        })) => Ok(order_page),
        Err(e) => Err(e),
    }
}

async fn pay_quote(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<PayForm>,
) -> WebResult {
    page.subscriber()?;
    if !csrf_ok(&page, &form.csrf) {
        return Err(forged(&page));
    }
    let id = QuoteId(id);
    let shown_page = quote_form(&state, page.clone(), id, &form, None).await?;
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
    if shown_page.person.is_some() && form.details_confirmed.is_none() {
        let e = invalid(&page, "details_confirmed");
        return Ok(refuse(e, StatusCode::UNPROCESSABLE_ENTITY, shown_page));
    }
    let method = match instruction(&page, &form, &shown_page.methods) {
        Ok(m) => m,
        Err(e) => return Ok(refuse(e, StatusCode::UNPROCESSABLE_ENTITY, shown_page)),
    };
    let payment = match method {
        PaymentMethod::Credit => Some(PaymentInstruction::Credit),
        PaymentMethod::Voucher => match voucher(&page, &form) {
            Ok(v) => Some(v),
            Err(e) => return Ok(refuse(e, StatusCode::UNPROCESSABLE_ENTITY, shown_page)),
        },
        _ => None,
    };
    let actor = page.principal().map(|p| p.label());
    let fingerprint = format!("quote:{id}:{method}");
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
                    .create_order_as(actor.as_deref(), &OrderSource::Quote(id), payment.as_ref())
                    .await?;
                let order = receipt.order.id;
                match payment {
                    Some(_) => Ok(pg.href(&format!("/orders/{order}"))),
                    None => pay_with_provider(&st, &pg, order, method).await,
                }
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

// ---- The order ----

#[derive(Debug, Clone)]
pub struct OrderView {
    pub id: i64,
    pub msisdn: String,
    pub state: &'static str,
    pub state_label: String,
    pub placed: String,
    pub paid: Option<String>,
    pub method: Option<String>,
    /// Where it was paid, when at a store.
    pub store: Option<String>,
    pub price: PriceView,
    /// The line's new expiry, once the renewal is applied.
    pub new_expiry: Option<String>,
    pub new_start: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/order.html")]
struct OrderPage {
    page: Page,
    order: OrderView,
    line: LineView,
    /// The last payment attempt was declined.
    failed: bool,
    /// A payment is waiting for the customer at the provider.
    waiting: bool,
    methods: Vec<MethodChoice>,
    method: String,
    voucher_code: String,
    once: String,
    error: Option<Shown>,
}

/// An order the signed-in person may see, with its view.
pub async fn visible_order(
    state: &AppState,
    page: &Page,
    id: OrderId,
) -> Result<(simrenew_app::sales::ports::OrderDetails, OrderView), Response> {
    let not_found = || error_page(page, StatusCode::NOT_FOUND, "error-not-found-order");
    let d = state
        .app
        .store
        .order(id)
        .await
        .map_err(|e| app_error_page(page, &AppError::from(e)))?
        .ok_or_else(not_found)?;
    let access = state
        .app
        .line_access(&d.msisdn)
        .await
        .map_err(|_| not_found())?;
    let principal = page.principal().ok_or_else(not_found)?;
    principal
        .may_see_order(access, d.order.placed_by.as_deref())
        .map_err(|_| not_found())?;
    let plans = brand_plans(state, page).await;
    let payments = state
        .app
        .order_payments(d.order.id, d.order.brand_id)
        .await
        .map_err(|e| app_error_page(page, &e))?;
    let store = payments
        .iter()
        .find(|p| p.status == ProviderPaymentStatus::Captured)
        .and_then(|p| p.store.as_ref())
        .map(|s| format!("{}, {}", s.name, s.address));
    let method = d
        .payments
        .first()
        .map(|p| page.t(&format!("method-{}", p.method.as_str())));
    let state_word = d.order.state.as_str();
    let view = OrderView {
        id: d.order.id.0,
        msisdn: d.msisdn.to_string(),
        state: state_word,
        state_label: page.t(&format!("order-state-{state_word}")),
        placed: page.date_time(d.order.created_at),
        paid: d.order.paid_at.map(|t| page.date_time(t)),
        method,
        store,
        price: price_view(page, &d.order.quote, &plans),
        new_expiry: d.bundles.last().map(|b| page.date_time(b.ends_at)),
        new_start: d.bundles.first().map(|b| page.date_time(b.starts_at)),
    };
    Ok((d, view))
}

async fn order_form(
    state: &AppState,
    page: Page,
    id: OrderId,
    form: &PayForm,
    error: Option<Shown>,
) -> Result<OrderPage, Response> {
    let (d, order) = visible_order(state, &page, id).await?;
    let line = state
        .app
        .line(&d.msisdn)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let plans = brand_plans(state, &page).await;
    let syncing = d.order.state == OrderState::Syncing;
    let mut line_v = line_view(&page, &line, &plans, syncing);
    if line.line.kind() == LineKind::Esim {
        let profile = state
            .app
            .esim_profile(&d.msisdn)
            .await
            .map_err(|e| app_error_page(&page, &e))?;
        super::views::with_esim(&mut line_v, &page, profile.as_ref());
    }
    let attempts = state
        .app
        .store
        .provider_payments_of_order(d.order.id)
        .await
        .map_err(|e| app_error_page(&page, &AppError::from(e)))?;
    let last = attempts.last();
    let pending = d.order.state == OrderState::PendingPayment;
    let methods = if pending {
        portal_methods(state, &page, &line_v.credit)
    } else {
        vec![]
    };
    let method = form
        .method
        .clone()
        .or_else(|| methods.first().map(|m| m.method.to_owned()))
        .unwrap_or_default();
    Ok(OrderPage {
        failed: pending && last.is_some_and(|p| p.status == ProviderPaymentStatus::Failed),
        waiting: pending && last.is_some_and(|p| p.status == ProviderPaymentStatus::RequiresAction),
        order,
        line: line_v,
        methods,
        method,
        voucher_code: form.voucher_code.clone().unwrap_or_default(),
        once: one_time_token(),
        error,
        page: page.titled("order-title", "orders"),
    })
}

async fn order_page(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
) -> WebResult {
    page.subscriber()?;
    Ok(html(
        &order_form(&state, page, OrderId(id), &PayForm::default(), None).await?,
    ))
}

/// Pays an order still waiting for payment (after a declined card, say).
async fn pay_order(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<PayForm>,
) -> WebResult {
    page.subscriber()?;
    if !csrf_ok(&page, &form.csrf) {
        return Err(forged(&page));
    }
    let id = OrderId(id);
    let shown_page = order_form(&state, page.clone(), id, &form, None).await?;
    let refuse = |e: Shown, status: StatusCode, shown_page: OrderPage| {
        (
            status,
            html(&OrderPage {
                error: Some(e),
                once: one_time_token(),
                ..shown_page
            }),
        )
            .into_response()
    };
    let method = match instruction(&page, &form, &shown_page.methods) {
        Ok(m) => m,
        Err(e) => return Ok(refuse(e, StatusCode::UNPROCESSABLE_ENTITY, shown_page)),
    };
    let payment = match method {
        PaymentMethod::Credit => Some(PaymentInstruction::Credit),
        PaymentMethod::Voucher => match voucher(&page, &form) {
            Ok(v) => Some(v),
            Err(e) => return Ok(refuse(e, StatusCode::UNPROCESSABLE_ENTITY, shown_page)),
        },
        _ => None,
    };
    let actor = page.principal().map(|p| p.label());
    let fingerprint = format!("order:{id}:{method}");
    let st = state.clone();
    let pg = page.clone();
    Ok(once(
        &state,
        &page,
        &form.once,
        &fingerprint,
        move || async move {
            let done = async {
                match payment {
                    Some(p) => {
                        st.app.pay_order_as(actor.as_deref(), id, &p).await?;
                        Ok(pg.href(&format!("/orders/{id}")))
                    }
                    None => pay_with_provider(&st, &pg, id, method).await,
                }
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

/// Back from the provider's page: asks it how the payment went (the renewal is applied once
/// the money is captured), then shows the order.
async fn back_from_provider(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
) -> WebResult {
    page.subscriber()?;
    let id = OrderId(id);
    let (d, _) = visible_order(&state, &page, id).await?;
    let attempts = state
        .app
        .store
        .provider_payments_of_order(d.order.id)
        .await
        .map_err(|e| app_error_page(&page, &AppError::from(e)))?;
    if let Some(p) = attempts.iter().rev().find(|p| !p.status.is_final()) {
        if p.status != ProviderPaymentStatus::Failed {
            if let Err(e) = state.app.confirm_payment(p.id).await {
                tracing::warn!(payment.id = %p.id, error = %e, "payment not confirmed on return");
            }
        }
    }
    Ok(redirect(&page.href(&format!("/orders/{id}"))).into_response())
}

#[derive(Template)]
#[template(path = "portal/receipt.html")]
struct ReceiptPage {
    page: Page,
    order: OrderView,
    brand_name: String,
    kind: String,
    vat_rate: String,
}

async fn receipt_page(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, i64)>,
) -> WebResult {
    if !page.signed_in() {
        return Err(redirect(&page.href("/sign-in")).into_response());
    }
    let (d, order) = visible_order(&state, &page, OrderId(id)).await?;
    let line = state
        .app
        .line(&d.msisdn)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let vat_rate = order.price.vat_rate.clone();
    let section = if page.is_staff() { "counter" } else { "orders" };
    Ok(html(&ReceiptPage {
        brand_name: page.brand_name(),
        kind: kind_label(&page, line.line.kind()),
        order,
        vat_rate,
        page: page.titled("receipt-title", section),
    }))
}

// ---- History ----

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: i64,
    pub date: String,
    pub msisdn: String,
    pub plan: String,
    pub periods: String,
    pub total: String,
    pub state: &'static str,
    pub state_label: String,
    pub method: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/orders.html")]
struct HistoryPage {
    page: Page,
    orders: Vec<HistoryRow>,
}

async fn history_page(State(state): State<AppState>, page: Page) -> WebResult {
    let subscriber = page.subscriber()?;
    let orders = state
        .app
        .order_history(subscriber)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let plans = brand_plans(&state, &page).await;
    let rows = orders
        .iter()
        .map(|o| {
            let plan = plans.iter().find(|p| p.code == o.plan_code);
            HistoryRow {
                id: o.id.0,
                date: page.date(o.created_at),
                msisdn: o.msisdn.to_string(),
                plan: super::views::plan_name(&plans, &o.plan_code),
                periods: super::views::period_text(&page, plan, o.periods + o.free_periods),
                total: page.money(o.total),
                state: o.state.as_str(),
                state_label: page.t(&format!("order-state-{}", o.state.as_str())),
                method: o.method.map(|m| page.t(&format!("method-{}", m.as_str()))),
            }
        })
        .collect();
    Ok(html(&HistoryPage {
        page: page.titled("history-title", "orders"),
        orders: rows,
    }))
}

// ---- Store finder ----

#[derive(Debug, Clone)]
pub struct StoreView {
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    pub capabilities: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub name: &'static str,
    pub label: String,
    pub on: bool,
}

#[derive(Template)]
#[template(path = "portal/stores.html")]
struct StoresPage {
    page: Page,
    brands: Vec<BrandChoice>,
    filters: Vec<Filter>,
    stores: Vec<StoreView>,
}

#[derive(Debug, Default, Deserialize)]
struct StoreQuery {
    cash: Option<String>,
    esim: Option<String>,
    identifies: Option<String>,
}

/// The filters of the store finder: the form's name and the capability it asks for.
const STORE_FILTERS: [(&str, &str); 3] = [
    ("cash", "renews_cash"),
    ("esim", "activates_esims"),
    ("identifies", "identifies"),
];

/// The capabilities a store may have, in the order they are listed.
pub const CAPABILITIES: [&str; 6] = [
    "renews_cash",
    "renews_card_terminal",
    "activates_esims",
    "identifies",
    "sells_sims",
    "checks_devices",
];

async fn stores_page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<StoreQuery>,
) -> WebResult {
    let on = [q.cash.is_some(), q.esim.is_some(), q.identifies.is_some()];
    let wanted: Vec<&str> = STORE_FILTERS
        .iter()
        .zip(on)
        .filter(|(_, on)| *on)
        .map(|((_, c), _)| *c)
        .collect();
    let stores = match &page.brand {
        Some(b) => state
            .app
            .store_finder(b.id, &wanted)
            .await
            .map_err(|e| app_error_page(&page, &e))?,
        None => vec![],
    };
    let stores = stores
        .into_iter()
        .map(|s| StoreView {
            capabilities: CAPABILITIES
                .iter()
                .filter(|c| s.can(c))
                .map(|c| page.t(&format!("capability-{c}")))
                .collect(),
            name: s.name,
            address: s.address,
            opening_hours: s.opening_hours,
        })
        .collect();
    let filters = STORE_FILTERS
        .iter()
        .zip(on)
        .map(|((name, capability), on)| Filter {
            name,
            label: page.t(&format!("capability-{capability}")),
            on,
        })
        .collect();
    Ok(html(&StoresPage {
        brands: brand_choices(&state).await,
        filters,
        stores,
        page: page.titled("stores-title", "stores"),
    }))
}

// ---- Account ----

#[derive(Debug, Clone)]
pub struct PasskeyView {
    pub label: String,
    pub added: String,
}

#[derive(Template)]
#[template(path = "portal/account.html")]
struct AccountPage {
    page: Page,
    person: Option<PersonView>,
    passkeys: Vec<PasskeyView>,
    /// A feed address just made, shown this once.
    calendar_url: Option<String>,
    passkeys_on: bool,
}

async fn account_page(State(state): State<AppState>, page: Page) -> WebResult {
    account(state, page, None).await
}

async fn account(state: AppState, page: Page, calendar_url: Option<String>) -> WebResult {
    let subscriber = page.subscriber()?;
    let person = person_view(&state, &page, Some(subscriber)).await;
    let (passkeys, passkeys_on) = match state.app.passkeys(subscriber).await {
        Ok(list) => (
            list.iter()
                .map(|p| PasskeyView {
                    label: p.label.clone(),
                    added: page.date(p.created_at),
                })
                .collect(),
            state.app.public_origin().is_some(),
        ),
        Err(_) => (vec![], false),
    };
    Ok(html(&AccountPage {
        person,
        passkeys,
        passkeys_on,
        calendar_url,
        page: page.titled("account-title", "account"),
    }))
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Makes a new calendar feed address (the one before stops answering) and shows it once.
async fn new_calendar_link(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    if !csrf_ok(&page, &form.csrf) {
        return Err(forged(&page));
    }
    let subscriber = page.subscriber()?;
    let token = state
        .app
        .new_calendar_token(&format!("subscriber:{subscriber}"), subscriber)
        .await
        .map_err(|e| app_error_page(&page, &e))?;
    let url = match &page.brand {
        Some(b) => crate::api::subscribers::calendar_url(&b.portal_url, &token),
        None => return Err(error_page(&page, StatusCode::NOT_FOUND, "error-not-found")),
    };
    account(state, page, Some(url)).await
}
