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
        (name = "catalog", description = "Brands and the plans on sale"),
        (name = "lines", description = "Lines, their expiry, data left and credit"),
        (name = "orders", description = "Quote, order, pay, renew"),
        (name = "vouchers", description = "Prepaid voucher codes"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The operator's admin token (SIMRENEW_ADMIN_TOKEN)"))
                    .build(),
            ),
        );
    }
}
