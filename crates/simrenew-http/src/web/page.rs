//! What every page knows: its language, who is signed in, the brand it wears, the CSRF token of
//! its forms, and how to say things in its language.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;
use simrenew_app::identity::sessions::SessionAuth;
use simrenew_domain::access::Principal;
use simrenew_domain::brand::Brand;
use simrenew_domain::brand_look::BrandLook;
use simrenew_domain::ids::SubscriberId;
use simrenew_domain::money::Money;
use simrenew_domain::Timestamp;
use simrenew_i18n::{Arg, Lang};

use super::cookies::{cookie, BRAND_COOKIE, CSRF_COOKIE, FORM_COOKIE};
use super::i18n::catalog;
use crate::extract::session_cookie;
use crate::state::AppState;

/// A number a message counts with.
pub trait Count {
    fn count(&self) -> i64;
}

impl Count for i64 {
    fn count(&self) -> i64 {
        *self
    }
}

impl Count for u32 {
    fn count(&self) -> i64 {
        i64::from(*self)
    }
}

impl Count for usize {
    fn count(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl<T: Count> Count for &T {
    fn count(&self) -> i64 {
        (*self).count()
    }
}

/// Who the browser is signed in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Nobody,
    Subscriber(SubscriberId),
    /// Staff: their principal, with the customer an agent looked up.
    Staff(Principal),
}

/// The context of one page: built from the request by the extractor, used by handlers and
/// templates.
#[derive(Clone)]
pub struct Page {
    pub lang: Lang,
    pub who: Who,
    /// The session behind `who`, with the hash its forms' CSRF token must match.
    pub session: Option<SessionAuth>,
    /// The session cookie's token (the credential counter lookups are kept under).
    pub credential: Option<String>,
    /// The token forms carry: the session's CSRF token, or before sign-in the browser's form
    /// cookie.
    pub csrf: String,
    pub brand: Option<Brand>,
    pub look: Arc<BrandLook>,
    /// The path after the language, with its query: where the language switch points.
    pub rest: String,
    /// The page's title, set by the handler.
    pub title: String,
    /// Which part of the navigation is current.
    pub section: &'static str,
    /// The console this page belongs to: `portal` or `counter`.
    pub console: &'static str,
    pub now: Timestamp,
}

impl<S> FromRequestParts<S> for Page
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let path = parts.uri.path();
        let mut segments = path.trim_start_matches('/').splitn(2, '/');
        let first = segments.next().unwrap_or_default();
        let after = segments.next().unwrap_or_default();
        let lang = Lang::ALL.into_iter().find(|l| l.code() == first);
        let lang = match lang {
            Some(l) => l,
            None => {
                // Not a language: the page the path names does not exist.
                let lang = super::preferred_lang(&parts.headers);
                return Err(super::not_found_page(&state, lang).await);
            }
        };
        let rest = match parts.uri.query() {
            Some(q) => format!("/{after}?{q}"),
            None => format!("/{after}"),
        };
        let credential = session_cookie(&parts.headers).map(str::to_owned);
        let session = match &credential {
            Some(token) => state.app.session(token).await.ok().flatten(),
            None => None,
        };
        let who = match &session {
            None => Who::Nobody,
            Some(s) => match &s.principal {
                Principal::Subscriber { subscriber } => Who::Subscriber(*subscriber),
                other => Who::Staff(other.clone()),
            },
        };
        let csrf = match &session {
            Some(_) => cookie(&parts.headers, CSRF_COOKIE),
            None => cookie(&parts.headers, FORM_COOKIE).or_else(|| {
                parts
                    .extensions
                    .get::<super::cookies::NewFormCookie>()
                    .map(|c| c.0.clone())
            }),
        }
        .unwrap_or_default();
        let chosen = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "brand")
                .map(|(_, v)| v.to_ascii_lowercase())
        });
        let brand = resolve_brand(&state, &parts.headers, &who, chosen.as_deref()).await;
        let look = match &brand {
            Some(b) => state.web.look(&state.app, b.id).await,
            None => Arc::new(BrandLook::plain()),
        };
        Ok(Page {
            lang,
            who,
            session,
            credential: credential.filter(|_| true),
            csrf,
            brand,
            look,
            rest,
            title: String::new(),
            section: "",
            console: if after.starts_with("counter") {
                "counter"
            } else {
                "portal"
            },
            now: state.app.now(),
        })
    }
}

/// The brand a page wears: the signed-in person's, else the one whose portal address this
/// host is, else the one chosen in this browser (`?brand=` now, or remembered in a cookie),
/// else the only brand there is.
async fn resolve_brand(
    state: &AppState,
    headers: &HeaderMap,
    who: &Who,
    chosen: Option<&str>,
) -> Option<Brand> {
    let brands = state.web.brands(&state.app).await;
    let by_id = |id| brands.iter().find(|b| b.id == id).cloned();
    match who {
        Who::Subscriber(s) => {
            if let Some(id) = state.web.subscriber_brand(&state.app, *s).await {
                return by_id(id);
            }
        }
        Who::Staff(p) => {
            if let Some(id) = p.brand() {
                return by_id(id);
            }
        }
        Who::Nobody => {}
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if let Some(b) = brands.iter().find(|b| host_of(&b.portal_url) == host) {
        return Some(b.clone());
    }
    if let Some(code) = chosen
        .map(str::to_owned)
        .or_else(|| cookie(headers, BRAND_COOKIE))
    {
        if let Some(b) = brands.iter().find(|b| b.code == code) {
            return Some(b.clone());
        }
    }
    match brands.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// `my.lumo.example` of `https://my.lumo.example/path`.
fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

impl Page {
    pub fn titled(mut self, key: &str, section: &'static str) -> Self {
        self.title = self.t(key);
        self.section = section;
        self
    }

    /// A message without placeholders.
    pub fn t(&self, key: &str) -> String {
        catalog().text(self.lang, key)
    }

    /// A message with one placeholder.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        catalog().format(self.lang, key, &[(name, Arg::from(value))])
    }

    /// A message with two placeholders.
    pub fn t2(&self, key: &str, n1: &str, v1: &str, n2: &str, v2: &str) -> String {
        catalog().format(self.lang, key, &[(n1, Arg::from(v1)), (n2, Arg::from(v2))])
    }

    /// A message with a number (which also picks the plural form).
    pub fn tn(&self, key: &str, name: &str, n: impl Count) -> String {
        catalog().format(self.lang, key, &[(name, Arg::Number(n.count()))])
    }

    pub fn with(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        catalog().format(self.lang, key, args)
    }

    pub fn brand_name(&self) -> String {
        match &self.brand {
            Some(b) => b.name.clone(),
            None => self.t("platform-name"),
        }
    }

    pub fn brand_code(&self) -> &str {
        self.brand.as_ref().map_or("", |b| b.code.as_str())
    }

    /// The stylesheet with the brand's colours.
    pub fn look_css(&self) -> String {
        match &self.brand {
            Some(b) => format!("/brand/{}/look.css", b.code),
            None => "/brand/-/look.css".into(),
        }
    }

    /// The brand's logo, if it has one.
    pub fn logo_url(&self) -> Option<String> {
        match (&self.brand, &self.look.logo_svg) {
            (Some(b), Some(_)) => Some(format!("/brand/{}/logo.svg", b.code)),
            _ => None,
        }
    }

    pub fn languages(&self) -> [Lang; 5] {
        Lang::ALL
    }

    /// This page in another language.
    pub fn in_lang(&self, lang: &Lang) -> String {
        format!("/{}{}", lang.code(), self.rest)
    }

    /// A path of this console in this page's language: `href("/lines")` is `/fr/lines`.
    pub fn href(&self, path: &str) -> String {
        format!("/{}{path}", self.lang.code())
    }

    pub fn signed_in(&self) -> bool {
        self.who != Who::Nobody
    }

    pub fn is_subscriber(&self) -> bool {
        matches!(self.who, Who::Subscriber(_))
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.who, Who::Staff(_))
    }

    pub fn tz(&self) -> TimeZone {
        self.brand
            .as_ref()
            .map_or(TimeZone::UTC, |b| b.time_zone.clone())
    }

    pub fn money(&self, m: Money) -> String {
        self.lang.format_money(m.cents, &m.currency.to_string())
    }

    /// The day of an instant, in the brand's time zone.
    pub fn date(&self, t: Timestamp) -> String {
        self.lang.format_date(t.to_zoned(self.tz()).date())
    }

    /// Day and time of an instant, in the brand's time zone.
    pub fn date_time(&self, t: Timestamp) -> String {
        let z = t.to_zoned(self.tz());
        self.with(
            "date-at-time",
            &[
                ("date", Arg::from(self.lang.format_date(z.date()))),
                ("time", Arg::from(self.lang.format_time(z.time()))),
            ],
        )
    }

    /// Calendar days from today to the day of `t`, in the brand's zone.
    pub fn days_until(&self, t: Timestamp) -> i64 {
        simrenew_domain::time::calendar_days(self.now, t, &self.tz()).into()
    }

    pub fn megabytes(&self, mb: u64) -> String {
        self.lang.format_megabytes(mb)
    }

    /// The attributes of a form field the error is about: marked invalid and described by the
    /// error message.
    pub fn invalid(&self, error: Option<&super::i18n::Shown>, field: &str) -> &'static str {
        match error {
            Some(e) if e.field == Some(field) => {
                "aria-invalid=\"true\" aria-describedby=\"form-error\""
            }
            _ => "",
        }
    }

    pub fn assets(&self) -> &'static str {
        super::assets_version()
    }

    /// The subscriber signed in, or a redirect to sign in.
    pub fn subscriber(&self) -> Result<SubscriberId, Response> {
        match self.who {
            Who::Subscriber(s) => Ok(s),
            _ => Err(super::redirect(&self.href("/sign-in")).into_response()),
        }
    }

    /// The principal signed in (for access checks).
    pub fn principal(&self) -> Option<&Principal> {
        self.session.as_ref().map(|s| &s.principal)
    }
}
