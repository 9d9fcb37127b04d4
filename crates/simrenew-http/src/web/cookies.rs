//! The browser's cookies: the session and its CSRF token, the form token before sign-in, the
//! language and the brand chosen.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use simrenew_i18n::Lang;

use crate::extract::SESSION_COOKIE;

/// The session's CSRF token, kept so that pages can put it in their forms (the server keeps
/// only its hash).
pub const CSRF_COOKIE: &str = "simrenew_csrf";
/// Before sign-in: a random value that forms repeat (double submit).
pub const FORM_COOKIE: &str = "simrenew_form";
/// The language last chosen.
pub const LANG_COOKIE: &str = "simrenew_lang";
/// The brand chosen on a shared address (`?brand=lumo`).
pub const BRAND_COOKIE: &str = "simrenew_brand";

/// A form cookie made for this request, for pages rendered before the browser has one.
#[derive(Debug, Clone)]
pub struct NewFormCookie(pub String);

/// The value of a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// `Set-Cookie` for an HttpOnly cookie of the whole site; `max_age` `None` for the browser
/// session, `Some(0)` to delete.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>) -> Option<HeaderValue> {
    let age = max_age.map_or(String::new(), |a| format!("; Max-Age={a}"));
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; Secure; SameSite=Lax; Path=/{age}"
    ))
    .ok()
}

/// The cookies of a new session opened by a page: Lax, so that a link from a reminder or the
/// way back from a payment provider finds the person signed in (every page that changes
/// something checks the CSRF token, so cross-site requests change nothing).
pub fn session_cookies(token: &str, csrf: &str, max_age: i64) -> Vec<HeaderValue> {
    [
        set_cookie(SESSION_COOKIE, token, Some(max_age)),
        set_cookie(CSRF_COOKIE, csrf, Some(max_age)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn clear_session_cookies() -> Vec<HeaderValue> {
    [
        set_cookie(SESSION_COOKIE, "", Some(0)),
        set_cookie(CSRF_COOKIE, "", Some(0)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Gives a browser without one its form cookie, remembers the language of the page it asked
/// for and the brand it chose with `?brand=`.
pub async fn layer(mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let new_form = cookie(headers, FORM_COOKIE).is_none().then(random_token);
    let first = req
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let lang = Lang::ALL
        .into_iter()
        .find(|l| l.code() == first)
        .filter(|l| cookie(headers, LANG_COOKIE).as_deref() != Some(l.code()));
    let brand = req.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "brand")
            .map(|(_, v)| v.to_owned())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 32
                    && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    });
    if let Some(t) = &new_form {
        req.extensions_mut().insert(NewFormCookie(t.clone()));
    }
    let mut res = next.run(req).await;
    let year = Some(365 * 24 * 3600);
    let add = [
        new_form.and_then(|t| set_cookie(FORM_COOKIE, &t, None)),
        lang.and_then(|l| set_cookie(LANG_COOKIE, l.code(), year)),
        brand.and_then(|b| set_cookie(BRAND_COOKIE, &b.to_ascii_lowercase(), year)),
    ];
    for value in add.into_iter().flatten() {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; simrenew_lang=fr; simrenew_form=xyz"),
        );
        assert_eq!(cookie(&h, LANG_COOKIE).as_deref(), Some("fr"));
        assert_eq!(cookie(&h, FORM_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, BRAND_COOKIE), None);
    }
}
