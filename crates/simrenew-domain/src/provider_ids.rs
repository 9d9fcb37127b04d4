//! The identifiers payment providers give out, each parsed against its documented form before
//! it is used: what may go into a provider's URL is only ever one of these, so no identifier
//! can carry `/`, `..`, `?`, `#`, `%` or spaces into a request path.
//!
//! Stripe ids are a lower-case prefix naming the object (`pm_`, `pi_`, `cus_`, `re_`), an
//! underscore, and letters and digits (`pm_1Hh1XY2eZvKYlo2C0fS1Kx9z`); the test-mode ids Stripe
//! documents join words with underscores (`pm_card_visa`), which are letters, digits and `_`
//! too. At most 255 characters. PayPal's forms are those of its OpenAPI documents: order ids
//! `^[A-Z0-9]+$` (1 to 36), vault tokens `^[0-9a-zA-Z_-]+$` (1 to 36), customer ids
//! `^[0-9a-zA-Z_-]+$` (1 to 22), the billing agreement tokens given to be vaulted
//! `^[0-9A-Z_-]+$` (1 to 255); captures and refunds, which the documents leave unconstrained,
//! are given in the order ids' form, and are taken in it.

use std::fmt;

use crate::parse::ParseError;

/// The longest Stripe id taken.
pub const STRIPE_ID_MAX: usize = 255;

fn stripe_form(s: &str, prefix: &str) -> bool {
    let Some(rest) = s.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) else {
        return false;
    };
    s.len() <= STRIPE_ID_MAX
        && !rest.is_empty()
        && rest
            .split('_')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn paypal_form(s: &str, max: usize, allowed: fn(u8) -> bool) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(allowed)
}

fn upper_or_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn alnum_dash_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn upper_digit_dash_underscore(b: u8) -> bool {
    upper_or_digit(b) || b == b'-' || b == b'_'
}

macro_rules! provider_id {
    ($(#[$meta:meta])* $name:ident, $field:literal, $what:literal, $valid:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// The id, if `s` has the documented form; `field` names it in the error.
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                let valid: fn(&str) -> bool = $valid;
                if valid(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(ParseError::new($field, concat!("is not ", $what)))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

provider_id!(
    /// A Stripe PaymentMethod (`pm_...`), as Stripe.js makes it.
    StripePaymentMethodId, "payment_method_token",
    "a Stripe payment method id (pm_ and letters and digits)",
    |s| stripe_form(s, "pm")
);
provider_id!(
    /// A Stripe PaymentIntent (`pi_...`).
    StripePaymentIntentId, "provider_ref", "a Stripe payment intent id (pi_...)",
    |s| stripe_form(s, "pi")
);
provider_id!(
    /// A Stripe Customer (`cus_...`).
    StripeCustomerId, "customer_ref", "a Stripe customer id (cus_...)",
    |s| stripe_form(s, "cus")
);
provider_id!(
    /// A Stripe Refund (`re_...`).
    StripeRefundId, "refund_ref", "a Stripe refund id (re_...)",
    |s| stripe_form(s, "re")
);
provider_id!(
    /// A PayPal order (Orders v2).
    PaypalOrderId, "provider_ref", "a PayPal order id (A-Z, 0-9, up to 36)",
    |s| paypal_form(s, 36, upper_or_digit)
);
provider_id!(
    /// A PayPal capture (Payments v2).
    PaypalCaptureId, "capture_ref", "a PayPal capture id (A-Z, 0-9, up to 36)",
    |s| paypal_form(s, 36, upper_or_digit)
);
provider_id!(
    /// A PayPal refund (Payments v2).
    PaypalRefundId, "refund_ref", "a PayPal refund id (A-Z, 0-9, up to 36)",
    |s| paypal_form(s, 36, upper_or_digit)
);
provider_id!(
    /// A PayPal vault payment token (Vault v3), which pays without the payer.
    PaypalVaultTokenId, "token_ref", "a PayPal vault token id (letters, digits, - and _, up to 36)",
    |s| paypal_form(s, 36, alnum_dash_underscore)
);
provider_id!(
    /// A PayPal customer (Vault v3).
    PaypalCustomerId, "customer_ref", "a PayPal customer id (letters, digits, - and _, up to 22)",
    |s| paypal_form(s, 22, alnum_dash_underscore)
);
provider_id!(
    /// A PayPal billing agreement token, given to be vaulted.
    PaypalBillingToken, "token",
    "a PayPal billing agreement token (A-Z, 0-9, - and _, up to 255)",
    |s| paypal_form(s, 255, upper_digit_dash_underscore)
);

/// A token the customer's browser got from a provider, to be saved for automatic renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavableToken {
    /// A Stripe.js payment method.
    StripeCard(StripePaymentMethodId),
    /// A PayPal billing agreement.
    PaypalAccount(PaypalBillingToken),
}

impl SavableToken {
    pub fn as_str(&self) -> &str {
        match self {
            SavableToken::StripeCard(t) => t.as_str(),
            SavableToken::PaypalAccount(t) => t.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What must never pass: path separators and dot segments, query and fragment marks,
    /// percent-encodings, spaces, control characters and look-alike unicode.
    const HOSTILE: &[&str] = &[
        "x/../../refunds?amount=1",
        "x/detach",
        "..",
        ".",
        "x?expand=customer",
        "x#frag",
        "x%2F..%2Frefunds",
        "x y",
        " x",
        "x\n",
        "x\u{0}",
        "ｘ",
        "é",
        "x.y",
    ];

    #[test]
    fn stripe_ids_in_their_documented_form_are_taken() {
        for ok in [
            "pm_1Hh1XY2eZvKYlo2C0fS1Kx9z",
            "pm_card_visa",
            "pm_card_chargeDeclined",
        ] {
            assert!(StripePaymentMethodId::parse(ok).is_ok(), "{ok}");
        }
        assert!(StripePaymentIntentId::parse("pi_3MtwBwLkdIwHu7ix28a3tqPa").is_ok());
        assert!(StripeCustomerId::parse("cus_NffrFeUfNV2Hib").is_ok());
        assert!(StripeRefundId::parse("re_1Nispe2eZvKYlo2Cd31jOCgZ").is_ok());
        assert!(StripePaymentMethodId::parse(&format!("pm_{}", "a".repeat(252))).is_ok());
        assert!(StripePaymentMethodId::parse(&format!("pm_{}", "a".repeat(253))).is_err());
        for bad in [
            "pm_", "pm", "PM_x", "pi_x", "pm_x__y", "pm_x_", "pm__x", "xpm_x",
        ] {
            assert!(StripePaymentMethodId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hostile_ids_are_refused_by_every_type() {
        assert!(PaypalOrderId::parse("").is_err());
        assert!(PaypalVaultTokenId::parse("").is_err());
        assert!(PaypalBillingToken::parse("").is_err());
        for bad in HOSTILE {
            for prefixed in [format!("pm_{bad}"), format!("pm_x{bad}")] {
                assert!(
                    StripePaymentMethodId::parse(&prefixed).is_err(),
                    "{prefixed:?}"
                );
            }
            assert!(
                StripePaymentIntentId::parse(&format!("pi_{bad}")).is_err(),
                "{bad:?}"
            );
            assert!(
                StripeCustomerId::parse(&format!("cus_{bad}")).is_err(),
                "{bad:?}"
            );
            assert!(
                StripeRefundId::parse(&format!("re_{bad}")).is_err(),
                "{bad:?}"
            );
            for text in [bad.to_string(), format!("X{bad}")] {
                assert!(PaypalOrderId::parse(&text).is_err(), "{text:?}");
                assert!(PaypalCaptureId::parse(&text).is_err(), "{text:?}");
                assert!(PaypalRefundId::parse(&text).is_err(), "{text:?}");
                assert!(PaypalVaultTokenId::parse(&text).is_err(), "{text:?}");
                assert!(PaypalCustomerId::parse(&text).is_err(), "{text:?}");
                assert!(PaypalBillingToken::parse(&text).is_err(), "{text:?}");
            }
        }
    }

    #[test]
    fn paypal_ids_follow_the_documented_sets_and_lengths() {
        assert!(PaypalOrderId::parse("5O190127TN364715T").is_ok());
        assert!(PaypalOrderId::parse("5o190127").is_err());
        assert!(PaypalOrderId::parse(&"A".repeat(36)).is_ok());
        assert!(PaypalOrderId::parse(&"A".repeat(37)).is_err());
        assert!(PaypalCaptureId::parse("2GG279541U471931P").is_ok());
        assert!(PaypalVaultTokenId::parse("8kk8451t").is_ok());
        assert!(PaypalVaultTokenId::parse("8kk8451t.x").is_err());
        assert!(PaypalCustomerId::parse(&"c".repeat(22)).is_ok());
        assert!(PaypalCustomerId::parse(&"c".repeat(23)).is_err());
        assert!(PaypalBillingToken::parse("B-5YM64573DP4721234").is_ok());
        assert!(PaypalBillingToken::parse("b-5ym64573").is_err());
    }

    proptest! {
        /// Whatever is taken is safe as one path segment: letters, digits, `_` and `-` only.
        #[test]
        fn whatever_is_taken_is_one_plain_path_segment(s in "\\PC{0,40}") {
            for taken in [
                StripePaymentMethodId::parse(&format!("pm_{s}")).map(|i| i.to_string()),
                PaypalOrderId::parse(&s).map(|i| i.to_string()),
                PaypalVaultTokenId::parse(&s).map(|i| i.to_string()),
                PaypalBillingToken::parse(&s).map(|i| i.to_string()),
            ].into_iter().flatten() {
                prop_assert!(taken.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
                prop_assert!(taken != "." && taken != "..");
            }
        }
    }
}
