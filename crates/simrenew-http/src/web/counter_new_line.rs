//! Selling a new line at the counter: an eSIM where the agent's store activates eSIMs, a
//! physical SIM card from the store's stock where it sells SIM cards (by the ICCID printed on
//! the card). The customer's details, the identification against their document (where the
//! store identifies), the plan, and the payment in cash or on the card terminal; then the
//! agent serves the new line, whose page shows an eSIM's QR code to scan once the SM-DP+
//! prepared it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use simrenew_app::esims::{Buyer, NewCard, NewLineSale};
use simrenew_app::identity::identification::{Person, LANGUAGES};
use simrenew_app::payments::checkout::StorePayment;
use simrenew_app::AppError;
use simrenew_domain::access::{Principal, ACTIVATES_ESIMS, IDENTIFIES, SELLS_SIMS};
use simrenew_domain::catalog::{parse_plan_code, Channel, LineKind};
use simrenew_domain::identification::{DocumentNumber, IdentificationMethod};
use simrenew_domain::identifiers::{Eid, Iccid};
use simrenew_domain::order::{may_record_store_payment, PaymentMethod};

use super::counter::{agent, agent_stores, counter_methods};
use super::forms::{csrf_ok, once, one_time_token};
use super::i18n::{invalid, shown, Shown};
use super::page::Page;
use super::portal::{brand_plans, portal_plans_through};
use super::views::{plan_choice, MethodChoice, PlanChoice};
use super::{error_page, html, status_of};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{lang}/counter/esims/new",
            get(|s: State<AppState>, p: Page| new_page(s, p, Card::Esim))
                .post(|s: State<AppState>, p: Page, f: Form<SaleForm>| sell(s, p, f, Card::Esim)),
        )
        .route(
            "/{lang}/counter/sims/new",
            get(|s: State<AppState>, p: Page| new_page(s, p, Card::Sim))
                .post(|s: State<AppState>, p: Page, f: Form<SaleForm>| sell(s, p, f, Card::Sim)),
        )
}

/// Which card the page sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Card {
    Esim,
    Sim,
}

impl Card {
    fn capability(self) -> &'static str {
        match self {
            Card::Esim => ACTIVATES_ESIMS,
            Card::Sim => SELLS_SIMS,
        }
    }

    /// The words for a store that cannot.
    fn refusal(self) -> &'static str {
        match self {
            Card::Esim => "counter-store-does-not-activate",
            Card::Sim => "counter-store-does-not-sell-sims",
        }
    }

    fn kind(self) -> LineKind {
        match self {
            Card::Esim => LineKind::Esim,
            Card::Sim => LineKind::PhysicalSim,
        }
    }
}

type WebResult = Result<Response, Response>;

#[derive(Template)]
#[template(path = "counter/line_new.html")]
struct SalePage {
    page: Page,
    /// A physical SIM card, not an eSIM.
    sim: bool,
    action: &'static str,
    plans: Vec<PlanChoice>,
    methods: Vec<MethodChoice>,
    identifies: bool,
    form: SaleForm,
    plan: String,
    method: String,
    terminal_ref: String,
    once: String,
    error: Option<Shown>,
}

#[derive(Debug, Default, Clone, Deserialize)]
struct SaleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    once: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    document_method: String,
    #[serde(default)]
    document_number: String,
    plan: Option<String>,
    #[serde(default)]
    eid: String,
    #[serde(default)]
    iccid: String,
    method: Option<String>,
    terminal_ref: Option<String>,
}

/// The agent's stores that sell `card`; refused when none does.
async fn selling_stores(
    state: &AppState,
    page: &Page,
    principal: &Principal,
    card: Card,
) -> Result<Vec<simrenew_app::sales::portal::StoreInfo>, Response> {
    let stores: Vec<_> = agent_stores(state, principal)
        .await
        .into_iter()
        .filter(|s| s.can(card.capability()))
        .collect();
    if stores.is_empty() {
        return Err(error_page(page, StatusCode::FORBIDDEN, card.refusal()));
    }
    Ok(stores)
}

async fn sale_form(
    state: &AppState,
    page: Page,
    stores: &[simrenew_app::sales::portal::StoreInfo],
    form: &SaleForm,
    error: Option<Shown>,
    card: Card,
) -> SalePage {
    let plans = brand_plans(state, &page).await;
    let choices: Vec<PlanChoice> = portal_plans_through(&plans, card.kind(), Channel::Store)
        .into_iter()
        .filter(|p| !p.is_add_on())
        .map(|p| plan_choice(&page, p))
        .collect();
    let methods = counter_methods(state, &page, stores);
    SalePage {
        plan: form
            .plan
            .clone()
            .filter(|c| choices.iter().any(|p| &p.code == c))
            .or_else(|| choices.first().map(|p| p.code.clone()))
            .unwrap_or_default(),
        method: form
            .method
            .clone()
            .or_else(|| methods.first().map(|m| m.method.to_owned()))
            .unwrap_or_default(),
        terminal_ref: form.terminal_ref.clone().unwrap_or_default(),
        identifies: stores.iter().any(|s| s.can(IDENTIFIES)),
        plans: choices,
        methods,
        form: SaleForm {
            csrf: String::new(),
            once: String::new(),
            document_number: String::new(),
            ..form.clone()
        },
        once: one_time_token(),
        error,
        sim: card == Card::Sim,
        action: match card {
            Card::Esim => "/counter/esims/new",
            Card::Sim => "/counter/sims/new",
        },
        page: page.titled(
            match card {
                Card::Esim => "counter-esim-title",
                Card::Sim => "counter-sim-title",
            },
            "counter",
        ),
    }
}

async fn new_page(State(state): State<AppState>, page: Page, card: Card) -> WebResult {
    let principal = agent(&page)?.clone();
    let stores = selling_stores(&state, &page, &principal, card).await?;
    Ok(html(
        &sale_form(&state, page, &stores, &SaleForm::default(), None, card).await,
    ))
}

/// What the form asks for, checked before anything is sold: the sale, then its payment.
struct Checked {
    sale: NewLineSale,
    method: PaymentMethod,
    store_code: String,
    terminal_ref: Option<String>,
}

fn check(
    page: &Page,
    principal: &Principal,
    stores: &[simrenew_app::sales::portal::StoreInfo],
    shown_page: &SalePage,
    form: &SaleForm,
) -> Result<Checked, Shown> {
    let Principal::Agent { brand, .. } = principal else {
        return Err(invalid(page, "look_up"));
    };
    let name = form.name.trim();
    if name.is_empty() {
        return Err(Shown::new(Some("name"), page.t("error-name-needed")));
    }
    let email = form.email.trim();
    if !email.is_empty() && !email.contains('@') {
        return Err(invalid(page, "email"));
    }
    let language = form.language.trim().to_ascii_lowercase();
    if !LANGUAGES.contains(&language.as_str()) {
        return Err(Shown::new(Some("language"), page.t("error-invalid-input")));
    }
    let plan = match form.plan.as_deref().map(parse_plan_code) {
        Some(Ok(p)) if shown_page.plans.iter().any(|c| c.code == p) => p,
        _ => return Err(invalid(page, "plan")),
    };
    let card = if shown_page.sim {
        let iccid = Iccid::parse(form.iccid.trim())
            .map_err(|_| Shown::new(Some("iccid"), page.t("error-invalid-iccid")))?;
        NewCard::PhysicalSim { iccid }
    } else {
        let eid = match form.eid.trim() {
            "" => None,
            e => Some(
                Eid::parse(e).map_err(|_| Shown::new(Some("eid"), page.t("error-invalid-eid")))?,
            ),
        };
        NewCard::Esim { eid }
    };
    let identification = match (form.document_method.trim(), form.document_number.trim()) {
        ("", "") => None,
        (m, d) if shown_page.identifies => Some((
            IdentificationMethod::parse(m)
                .map_err(|_| Shown::new(Some("document_method"), page.t("error-invalid-input")))?,
            DocumentNumber::parse(d).map_err(|_| {
                Shown::new(Some("document_number"), page.t("error-invalid-document"))
            })?,
        )),
        _ => {
            return Err(Shown::new(
                Some("document_method"),
                page.t("counter-store-does-not-identify"),
            ))
        }
    };
    let method = form
        .method
        .as_deref()
        .and_then(|m| PaymentMethod::parse(m).ok())
        .filter(|m| shown_page.methods.iter().any(|c| c.method == m.as_str()))
        .ok_or_else(|| invalid(page, "method"))?;
    let store = stores
        .iter()
        .find(|s| s.can(&format!("renews_{method}")))
        .ok_or_else(|| Shown::new(Some("method"), page.t("counter-store-does-not-take")))?;
    if may_record_store_payment(principal, store.id, method).is_err() {
        return Err(Shown::new(
            Some("method"),
            page.t("counter-store-does-not-take"),
        ));
    }
    let terminal_ref = form
        .terminal_ref
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    if method == PaymentMethod::CardTerminal && terminal_ref.is_none() {
        return Err(invalid(page, "terminal_ref"));
    }
    Ok(Checked {
        sale: NewLineSale {
            brand: *brand,
            buyer: Buyer::New(Person {
                name: name.to_owned(),
                email: (!email.is_empty()).then(|| email.to_owned()),
                language,
            }),
            plan_code: plan,
            periods: 1,
            channel: Channel::Store,
            promo_code: None,
            card,
            identification,
        },
        method,
        store_code: store.code.clone(),
        terminal_ref,
    })
}

/// Sells the line, takes the payment for its first order, and serves its customer.
async fn sell(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<SaleForm>,
    card: Card,
) -> WebResult {
    let principal = agent(&page)?.clone();
    if !csrf_ok(&page, &form.csrf) {
        return Err(error_page(
            &page,
            StatusCode::FORBIDDEN,
            "error-form-expired",
        ));
    }
    let stores = selling_stores(&state, &page, &principal, card).await?;
    let shown_page = sale_form(&state, page.clone(), &stores, &form, None, card).await;
    let refuse = |status: StatusCode, e: Shown, shown_page: SalePage| {
        (
            status,
            html(&SalePage {
                error: Some(e),
                ..shown_page
            }),
        )
            .into_response()
    };
    let checked = match check(&page, &principal, &stores, &shown_page, &form) {
        Ok(c) => c,
        Err(e) => return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, e, shown_page)),
    };
    if principal
        .may_sell_new_line(
            checked.sale.card.kind(),
            checked.sale.brand,
            None,
            Channel::Store,
        )
        .is_err()
    {
        return Err(error_page(&page, StatusCode::FORBIDDEN, card.refusal()));
    }
    let actor = principal.label();
    let fingerprint = match &checked.sale.card {
        NewCard::Esim { .. } => format!("counter-esim:{}:{}", actor, checked.sale.plan_code),
        NewCard::PhysicalSim { iccid } => {
            format!("counter-sim:{}:{}:{iccid}", actor, checked.sale.plan_code)
        }
    };
    let credential = page.credential.clone().unwrap_or_default();
    let st = state.clone();
    let pg = page.clone();
    Ok(once(
        &state,
        &page,
        &form.once,
        &fingerprint,
        move || async move {
            let done = async {
                let sold = st.app.sell_line(&actor, &checked.sale, None).await?;
                let total = sold.order.order.quote.total;
                st.app
                    .record_store_payment_as(
                        &actor,
                        &StorePayment {
                            order: sold.order.order.id,
                            method: checked.method,
                            store_code: checked.store_code.clone(),
                            terminal_ref: checked.terminal_ref.clone(),
                            amount: total,
                        },
                    )
                    .await?;
                // The new line's customer is the one in front of the agent now.
                let access = st.app.line_access(&sold.msisdn).await?;
                st.app
                    .look_up_customer(&principal, &credential, &sold.msisdn, access)
                    .await?;
                Ok(super::counter::customer_url(&pg, &sold.msisdn))
            }
            .await;
            done.map_err(|e: AppError| {
                let status = status_of(&e);
                refuse(status, shown(&pg, &e), shown_page)
            })
        },
    )
    .await)
}
