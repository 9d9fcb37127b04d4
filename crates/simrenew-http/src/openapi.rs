//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "simrenew",
        description = "Sells and renews prepaid mobile-data plans for physical SIM, eSIM and \
                       virtual SIM lines. Every mutating call takes an Idempotency-Key; errors \
                       are application/problem+json naming the field at fault.",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Subscriber sign-in by one-time code; sessions"),
        (name = "catalog", description = "Brands and the plans on sale"),
        (name = "counter", description = "The store counter: the customer an agent serves"),
        (name = "subscribers", description = "GDPR access and erasure"),
        (name = "lines", description = "Lines, their expiry, data left and credit"),
        (name = "orders", description = "Quote, order, pay, renew"),
        (name = "esims", description = "New eSIM lines: the sale, the profile, its activation code"),
        (name = "vouchers", description = "Prepaid voucher codes"),
        (name = "messages", description = "Whether a reminder came from us"),
        (name = "network", description = "What the network refused or never confirmed"),
        (name = "payments", description = "Card, Bancontact, PayPal, store payments; webhooks"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "simrenew_session",
                    "A subscriber's session, from POST /api/v1/auth/sessions; requests that \
                     change something also send its CSRF token in X-CSRF-Token",
                ),
            )),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key (`sr_<prefix>_<secret>`) of a member of staff or of a \
                         partner; `simrenew api-keys create` makes one",
                    ))
                    .build(),
            ),
        );
    }
}

/// A link: from (operation, status), its name, the target operation, its parameters and its
/// request body.
type LinkSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<serde_json::Value>,
);

/// The links from operations that create something to the operations that use its id, so
/// that a client (or a stateful fuzzer) can follow a quote to its order, an order to its
/// payment and refund, a payment to its confirmation and refund, a saved method to its removal.
///
/// Added to the document as JSON: utoipa 5 writes a link's fields in snake case
/// (`operation_id`), which OpenAPI does not read.
pub fn add_links(doc: &mut serde_json::Value) {
    const ID: &str = "$response.body#/id";
    // (operation, status, link name, target operation, parameters, request body)
    let links: &[LinkSpec] = &[
        (
            "create_quote",
            "201",
            "OrderTheQuote",
            "create_order",
            &[],
            Some(serde_json::json!({"quote_id": ID})),
        ),
        (
            "create_order",
            "201",
            "GetOrder",
            "get_order",
            &[("id", ID)],
            None,
        ),
        (
            "create_order",
            "201",
            "PayOrder",
            "pay_order",
            &[("id", ID)],
            None,
        ),
        (
            "create_order",
            "201",
            "StartPayment",
            "start_payment",
            &[("id", ID)],
            None,
        ),
        (
            "create_order",
            "201",
            "StorePayment",
            "store_payment",
            &[("id", ID)],
            None,
        ),
        (
            "create_order",
            "201",
            "RefundToCredit",
            "refund_to_credit",
            &[("id", ID)],
            None,
        ),
        (
            "create_order",
            "201",
            "GetLine",
            "get_line",
            &[("msisdn", "$response.body#/msisdn")],
            None,
        ),
        (
            "pay_order",
            "200",
            "GetOrder",
            "get_order",
            &[("id", ID)],
            None,
        ),
        (
            "pay_order",
            "200",
            "RefundToCredit",
            "refund_to_credit",
            &[("id", ID)],
            None,
        ),
        (
            "store_payment",
            "200",
            "GetOrder",
            "get_order",
            &[("id", ID)],
            None,
        ),
        (
            "store_payment",
            "200",
            "RefundToCredit",
            "refund_to_credit",
            &[("id", ID)],
            None,
        ),
        (
            "start_payment",
            "201",
            "GetPayment",
            "get_payment",
            &[("id", ID)],
            None,
        ),
        (
            "start_payment",
            "201",
            "ConfirmPayment",
            "confirm_payment",
            &[("id", ID)],
            None,
        ),
        (
            "start_payment",
            "201",
            "RefundPayment",
            "refund",
            &[("id", ID)],
            None,
        ),
        (
            "confirm_payment",
            "200",
            "GetPayment",
            "get_payment",
            &[("id", ID)],
            None,
        ),
        (
            "confirm_payment",
            "200",
            "RefundPayment",
            "refund",
            &[("id", ID)],
            None,
        ),
        (
            "save_method",
            "201",
            "RemoveSavedMethod",
            "remove_saved_method",
            &[("msisdn", "$request.path.msisdn"), ("id", ID)],
            None,
        ),
        (
            "save_method",
            "201",
            "ListSavedMethods",
            "list_saved_methods",
            &[("msisdn", "$request.path.msisdn")],
            None,
        ),
    ];
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(name) = op
                .get("operationId")
                .and_then(|n| n.as_str())
                .map(str::to_owned)
            else {
                continue;
            };
            for (from, status, link, to, params, body) in links {
                if *from != name {
                    continue;
                }
                let Some(response) = op.pointer_mut(&format!("/responses/{status}")) else {
                    continue;
                };
                let mut value = serde_json::json!({
                    "operationId": to,
                    "parameters": params
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                        .collect::<serde_json::Map<_, _>>(),
                });
                if let Some(body) = body {
                    value["requestBody"] = body.clone();
                }
                if let Some(obj) = response.as_object_mut() {
                    let links = obj.entry("links").or_insert_with(|| serde_json::json!({}));
                    links[*link] = value;
                }
            }
        }
    }
}
