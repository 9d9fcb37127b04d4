//! How long each text of each request body may be, in characters: one table for the whole
//! API, checked by [`ApiJson`](crate::extract::ApiJson) before a body is read, so that a
//! refusal names its field and no handler can forget a bound. A field not named here takes
//! [`TEXT_LIMIT`](crate::extract::TEXT_LIMIT) (255). A request type without an entry here
//! cannot be read as a body.

use crate::extract::RequestBody;

use super::auth::{
    CodeRequestJson, CurrentFactorJson, SignInJson, StaffSignInJson, TotpConfirmationJson,
};
use super::auto_renew::AutoRenewRequestJson;
use super::catalog::CatalogVersionRequestJson;
use super::counter::LookUpJson;
use super::esims::EsimSaleJson;
use super::identification::IdentificationJson;
use super::messages::MessageCheckJson;
use super::orders::{OrderRequestJson, PaymentJson, PurchaseJson};
use super::passkeys::{PasskeySignInJson, RegistrationJson};
use super::payments::{RefundRequestJson, SaveMethodJson, StartPaymentJson, StorePaymentJson};
use super::promotions::{PromotionChangeJson, PromotionRequestJson};
use super::vouchers::RedemptionRequestJson;

/// E.164 is at most 15 digits; room for a `+` and spacing.
const MSISDN: usize = 32;
/// Words of a closed set: methods, channels, languages.
const WORD: usize = 32;
/// Codes people type: plans, promotions, vouchers, stores, terminal references.
const CODE: usize = 64;
/// RFC 5321's limit of a forward path.
const EMAIL: usize = 254;
/// A person's name as on an identity document.
const NAME: usize = 200;
/// Why a refund was made.
const REASON: usize = 500;
/// What a passkey is called.
const LABEL: usize = 64;
/// A URL the customer is sent back to.
const URL: usize = 2_048;
/// A currency code is three letters.
const CURRENCY: usize = 8;
/// Sign-in codes and TOTP codes; recovery codes are `CODE`.
const SHORT_CODE: usize = 16;
/// Passwords are hashed with Argon2: long enough for any passphrase, short of a hashing load.
const PASSWORD: usize = 1_024;
/// The texts inside a WebAuthn credential (base64url of the attestation and client data).
const CREDENTIAL_TEXT: usize = 16_384;

impl RequestBody for PurchaseJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("msisdn", MSISDN),
        ("plan", CODE),
        ("channel", WORD),
        ("promo_code", CODE),
    ];
}

impl RequestBody for OrderRequestJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("msisdn", MSISDN),
        ("plan", CODE),
        ("channel", WORD),
        ("promo_code", CODE),
        ("payment.method", WORD),
        ("payment.voucher_code", CODE),
    ];
}

impl RequestBody for PaymentJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] =
        &[("method", WORD), ("voucher_code", CODE)];
}

impl RequestBody for StartPaymentJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("method", WORD),
        ("return_url", URL),
        (
            "payment_method_token",
            simrenew_domain::provider_ids::STRIPE_ID_MAX,
        ),
    ];
}

impl RequestBody for StorePaymentJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("method", WORD),
        ("store", CODE),
        ("terminal_ref", CODE),
        ("amount.currency", CURRENCY),
    ];
}

impl RequestBody for RefundRequestJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] =
        &[("amount.currency", CURRENCY), ("reason", REASON)];
}

impl RequestBody for AutoRenewRequestJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] =
        &[("plan", CODE), ("monthly_cap.currency", CURRENCY)];
}

impl RequestBody for CatalogVersionRequestJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[("effective_from", 64)];
    /// The plans, each checked field by field when published (`api::catalog::new_plan`).
    const RAW: &'static [(&'static str, usize)] = &[("plans", CODE)];
}

impl RequestBody for PromotionRequestJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("name", 80),
        ("code", CODE),
        ("rule.kind", WORD),
        ("rule.amount.currency", CURRENCY),
        ("valid_from", 64),
        ("valid_until", 64),
    ];
    const RAW: &'static [(&'static str, usize)] = &[("plan_codes", CODE), ("channels", WORD)];
}

impl RequestBody for PromotionChangeJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[("name", 80), ("valid_until", 64)];
}

impl RequestBody for MessageCheckJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[("code", 32)];
}

impl RequestBody for SaveMethodJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[("method", WORD), ("token", 255)];
}

impl RequestBody for CodeRequestJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] =
        &[("phone", MSISDN), ("email", EMAIL), ("brand", CODE)];
}

impl RequestBody for SignInJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("phone", MSISDN),
        ("email", EMAIL),
        ("brand", CODE),
        ("code", SHORT_CODE),
        ("totp_code", SHORT_CODE),
        ("recovery_code", CODE),
    ];
}

impl RequestBody for StaffSignInJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("email", EMAIL),
        ("password", PASSWORD),
        ("totp_code", SHORT_CODE),
        ("recovery_code", CODE),
    ];
}

impl RequestBody for LookUpJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[("msisdn", MSISDN)];
}

impl RequestBody for RedemptionRequestJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] =
        &[("code", CODE), ("msisdn", MSISDN), ("channel", WORD)];
}

impl RequestBody for IdentificationJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("method", WORD),
        ("document_number", CODE),
        ("name", NAME),
        ("email", EMAIL),
        ("language", WORD),
    ];
}

impl RequestBody for RegistrationJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[("label", LABEL)];
    const RAW: &'static [(&'static str, usize)] = &[("credential", CREDENTIAL_TEXT)];
}

impl RequestBody for PasskeySignInJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[];
    const RAW: &'static [(&'static str, usize)] = &[("credential", CREDENTIAL_TEXT)];
}

impl RequestBody for CurrentFactorJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] =
        &[("totp_code", SHORT_CODE), ("recovery_code", CODE)];
}

impl RequestBody for TotpConfirmationJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[("totp_code", SHORT_CODE)];
}

impl RequestBody for EsimSaleJson {
    const TEXT_LIMITS: &'static [(&'static str, usize)] = &[
        ("brand", CODE),
        ("customer.name", NAME),
        ("customer.email", EMAIL),
        ("customer.language", WORD),
        ("plan", CODE),
        ("channel", WORD),
        ("promo_code", CODE),
        ("eid", CODE),
        ("identification.method", WORD),
        ("identification.document_number", CODE),
        ("payment.method", WORD),
        ("payment.voucher_code", CODE),
    ];
}
