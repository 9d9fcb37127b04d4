//! The pages' catalog (`locales/LANG/web.ftl`), and what each error says to a person.

use std::sync::OnceLock;

use simrenew_app::payments::providers::ProviderError;
use simrenew_app::{AppError, StoreError};
use simrenew_domain::promotion::PromoRejection;
use simrenew_domain::DomainError;
use simrenew_i18n::{Arg, Catalog};

use super::page::Page;

static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// The web catalog, compiled in; a catalog that does not load is a build mistake that the
/// tests catch, and shows every message as its key rather than stopping the server.
pub fn catalog() -> &'static Catalog {
    CATALOG.get_or_init(|| {
        Catalog::parse(&simrenew_i18n::include_catalog!("locales", "web")).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the web catalog does not load");
            Catalog::empty()
        })
    })
}

/// An error as a page says it: the message, and the form field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub field: Option<&'static str>,
    pub message: String,
}

impl Shown {
    pub fn new(field: Option<&'static str>, message: String) -> Self {
        Self { field, message }
    }
}

/// The message key of a field that did not parse.
fn invalid_key(field: &str) -> &'static str {
    match field {
        "phone" | "msisdn" => "error-invalid-phone",
        "email" => "error-invalid-email",
        "brand" => "error-invalid-brand",
        "code" => "error-invalid-code",
        "iccid" => "error-invalid-iccid",
        "plan" => "error-invalid-plan",
        "periods" => "error-invalid-periods",
        "promo_code" => "error-invalid-promo-code",
        "voucher_code" => "error-invalid-voucher",
        "method" => "error-invalid-method",
        "terminal_ref" => "error-terminal-ref",
        "totp_code" => "error-totp-wrong",
        "password" => "error-staff-sign-in",
        "look_up" => "error-invalid-look-up",
        "details_confirmed" => "error-details-confirm",
        "monthly_cap" => "error-auto-renew-cap-invalid",
        "saved_method_id" => "error-method-not-offered",
        "top_up.plan" => "error-top-up-plan",
        "top_up.below_mb" => "error-top-up-below",
        _ => "error-invalid-input",
    }
}

/// The field names of the pages for the API's field names.
fn page_field(field: &'static str) -> &'static str {
    match field {
        "msisdn" => "phone",
        "top_up.plan" => "top_up_plan",
        "top_up.below_mb" => "top_up_below_mb",
        other => other,
    }
}

/// A field that did not parse.
pub fn invalid(page: &Page, field: &'static str) -> Shown {
    Shown::new(Some(page_field(field)), page.t(invalid_key(field)))
}

/// What a use case's refusal says to a person, in the page's language: never the English
/// detail of the API's problem.
pub fn shown(page: &Page, e: &AppError) -> Shown {
    let say = |field: Option<&'static str>, key: &str| Shown::new(field, page.t(key));
    match e {
        AppError::Domain(d) => domain(page, d),
        AppError::NotFound { what, field } => {
            let key = match *what {
                "line" => "error-not-found-line",
                "quote" => "error-not-found-quote",
                "order" => "error-not-found-order",
                "voucher" => "error-voucher-unknown",
                "plan" => "error-invalid-plan",
                "brand" => "error-invalid-brand",
                "member of staff" => "error-staff-sign-in",
                _ => "error-not-found",
            };
            say(field.map(page_field), key)
        }
        AppError::Conflict { field, .. } => {
            let key = match field {
                Some("order_id") | Some("payment_id") => "error-order-not-payable",
                Some("quote_id") => "error-quote-expired",
                Some("method") => "error-method-not-offered",
                Some("brand") => "error-no-new-lines",
                Some("terminal_ref") => "error-terminal-ref",
                Some("iccid") => "error-sim-on-line",
                Some("saved_method_id") => "error-method-not-offered",
                _ => "error-conflict",
            };
            say(*field, key)
        }
        AppError::Store(StoreError::Conflict { .. }) => say(None, "error-conflict"),
        AppError::Store(StoreError::Unavailable(_)) => say(None, "error-unavailable"),
        AppError::Store(StoreError::Internal(_)) => say(None, "error-internal"),
        AppError::RateLimited { retry_after_secs } => Shown::new(
            None,
            page.tn(
                "error-rate-limited",
                "minutes",
                (retry_after_secs + 59) / 60,
            ),
        ),
        AppError::Unauthenticated { field, message } => {
            let key = match *field {
                "code" => "error-code-wrong",
                "totp_code" if message.contains("also asks") => "signin-totp-needed",
                "totp_code" => "error-totp-wrong",
                _ => "error-staff-sign-in",
            };
            say(Some(field), key)
        }
        AppError::Provider(p) => provider(page, p),
        AppError::Webhook(_) => say(None, "error-internal"),
    }
}

fn provider(page: &Page, e: &ProviderError) -> Shown {
    let key = match e {
        ProviderError::Refused { .. } | ProviderError::AuthenticationRequired { .. } => {
            "error-payment-declined"
        }
        ProviderError::NotConfigured { .. } => "error-method-not-offered",
        ProviderError::Unavailable { .. } | ProviderError::Protocol { .. } => {
            "error-provider-unavailable"
        }
    };
    Shown::new(Some("method"), page.t(key))
}

fn domain(page: &Page, e: &DomainError) -> Shown {
    use simrenew_domain::auto_debit::AutoRenewStop;
    let field = e.field().map(page_field);
    let text = match e {
        DomainError::Parse(p) => return invalid(page, p.field),
        DomainError::InvalidPeriods { max } => page.tn("error-periods", "max", i64::from(*max)),
        DomainError::PlanNotForLineKind { .. }
        | DomainError::PlanNotForChannel { .. }
        | DomainError::PlanNotForBrand { .. } => page.t("error-plan-not-sold"),
        DomainError::AddOnPeriods => page.t("error-addon-periods"),
        DomainError::AddOnWithoutBundle => page.t("error-addon-without-bundle"),
        DomainError::LineNotRenewable { state, .. } => page.t1(
            "error-not-renewable",
            "state",
            &page.t(&format!("state-{}", state.as_str())),
        ),
        DomainError::PromoCode { reason, .. } => match reason {
            PromoRejection::TooFewPeriods { buy } => {
                page.tn("error-promo-too-few-periods", "buy", i64::from(*buy))
            }
            other => page.t(match other {
                PromoRejection::UnknownCode => "error-promo-unknown",
                PromoRejection::NotYetValid => "error-promo-not-yet-valid",
                PromoRejection::Expired => "error-promo-expired",
                PromoRejection::Exhausted => "error-promo-exhausted",
                PromoRejection::AlreadyUsed => "error-promo-already-used",
                PromoRejection::OtherPlan => "error-promo-other-plan",
                PromoRejection::OtherChannel => "error-promo-other-channel",
                PromoRejection::FirstRenewalOnly => "error-promo-first-renewal",
                _ => "error-promo-unknown",
            }),
        },
        DomainError::InsufficientCredit { needed, available } => page.with(
            "error-insufficient-credit",
            &[
                ("needed", Arg::from(page.money(*needed))),
                ("available", Arg::from(page.money(*available))),
            ],
        ),
        DomainError::VoucherUsed { .. } => page.t("error-voucher-used"),
        DomainError::VoucherExpired { .. } => page.t("error-voucher-expired"),
        DomainError::VoucherForOtherPlan { .. } => page.t("error-voucher-other-plan"),
        DomainError::VoucherForOtherBrand { .. } => page.t("error-voucher-unknown"),
        DomainError::AutoRenewStopped(stop) => match stop {
            AutoRenewStop::MonthlyLimit { limit, .. } => {
                page.tn("error-auto-renew-limit", "limit", i64::from(*limit))
            }
            AutoRenewStop::SpendCap { cap, .. } => {
                page.t1("error-auto-renew-cap", "cap", &page.money(*cap))
            }
        },
        DomainError::Money(_) | DomainError::TimeOutOfRange => page.t("error-internal"),
    };
    Shown::new(field, text)
}

#[cfg(test)]
mod tests {
    //! Every string a page shows exists in all five languages, with the same placeholders.

    use std::collections::BTreeSet;
    use std::path::Path;

    use simrenew_domain::identification::IdentificationMethod;
    use simrenew_domain::line::LineState;
    use simrenew_domain::order::{OrderState, PaymentMethod};
    use simrenew_i18n::Lang;

    use super::catalog;

    #[test]
    fn the_catalog_is_complete_in_every_language() {
        let issues = catalog().check();
        assert!(
            issues.is_empty(),
            "the web catalog is incomplete:\n{}",
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(
            catalog().keys(Lang::En).len() > 200,
            "the catalog did not load"
        );
    }

    /// The quoted first argument of every `page.t(...)`-style call in `text`.
    fn called_keys(text: &str, calls: &[&str], found: &mut BTreeSet<String>) {
        for call in calls {
            for (i, _) in text.match_indices(call) {
                let rest = text[i + call.len()..].trim_start();
                if let Some(rest) = rest.strip_prefix('"') {
                    if let Some(end) = rest.find('"') {
                        found.insert(rest[..end].to_owned());
                    }
                }
            }
        }
    }

    fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    /// Keys built from a word (`state-grace`, `method-card`): every word they can be built
    /// from.
    fn families() -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for k in simrenew_domain::catalog::LineKind::ALL {
            keys.insert(format!("kind-{k}"));
        }
        for s in LineState::ALL {
            keys.insert(format!("state-{s}"));
        }
        keys.insert("state-syncing".into());
        for m in PaymentMethod::ALL {
            keys.insert(format!("method-{m}"));
        }
        for s in OrderState::ALL {
            keys.insert(format!("order-state-{s}"));
        }
        for c in crate::web::portal::CAPABILITIES {
            keys.insert(format!("capability-{c}"));
        }
        for m in IdentificationMethod::ALL {
            keys.insert(format!("identification-{m}"));
        }
        keys
    }

    #[test]
    fn every_key_the_pages_use_exists() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = families();
        let mut templates = vec![];
        files(&root.join("templates"), "html", &mut templates);
        assert!(templates.len() > 10);
        for t in &templates {
            let text = std::fs::read_to_string(t).unwrap();
            called_keys(
                &text,
                &["page.t(", "page.t1(", "page.t2(", "page.tn("],
                &mut used,
            );
        }
        let mut sources = vec![];
        files(&root.join("src/web"), "rs", &mut sources);
        let catalog_prefixes: BTreeSet<String> = catalog()
            .keys(Lang::En)
            .iter()
            .filter_map(|k| k.split('-').next().map(str::to_owned))
            .collect();
        for s in &sources {
            let whole = std::fs::read_to_string(s).unwrap();
            // Tests name keys to check them, not to show them.
            let text = whole.split("#[cfg(test)]").next().unwrap_or_default();
            called_keys(
                text,
                &[".t(", ".t1(", ".t2(", ".tn(", ".with(", ".titled("],
                &mut used,
            );
            // Keys named elsewhere (error maps, error pages): literals shaped like a key with
            // a prefix the catalog uses.
            for literal in text.split('"').skip(1).step_by(2) {
                let shaped = literal.contains('-')
                    && literal.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    });
                let prefix = literal.split('-').next().unwrap_or_default();
                if shaped && catalog_prefixes.contains(prefix) && !SECTIONS.contains(&literal) {
                    used.insert(literal.to_owned());
                }
            }
        }
        let missing: Vec<String> = used
            .iter()
            .filter(|k| {
                k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            })
            .flat_map(|k| {
                Lang::ALL
                    .into_iter()
                    .filter(|l| !catalog().contains(*l, k))
                    .map(move |l| format!("{l}: {k}"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "keys the pages use but the catalog lacks:\n{}",
            missing.join("\n")
        );
    }

    /// Words of the code that look like keys but are not messages.
    const SECTIONS: [&str; 1] = ["sign-in"];
}
