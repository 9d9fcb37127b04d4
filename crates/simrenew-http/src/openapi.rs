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
        (name = "vouchers", description = "Prepaid voucher codes"),
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
