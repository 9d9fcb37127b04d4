//! The pages, in-process: a French page after a bad input says what is wrong in French (never
//! the API's English), a form without its CSRF token changes nothing, a double submit of the
//! pay form orders once, and the simulated card step exists only in the demo.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use simrenew_http::AppState;
use tower::ServiceExt;

use crate::support::{both, Outbox, TestApp};

/// A browser: its cookies, kept between requests.
#[derive(Default)]
pub(crate) struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn keep(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(header::SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_owned();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub(crate) async fn send(
        &mut self,
        app: &TestApp,
        method: Method,
        uri: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, HeaderMap) {
        let cookie = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, cookie);
        let body = if form.is_empty() {
            Body::empty()
        } else {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(form).unwrap())
        };
        let res = app
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        self.keep(&headers);
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(bytes.to_vec()).unwrap(), headers)
    }

    pub(crate) async fn get(
        &mut self,
        app: &TestApp,
        uri: &str,
    ) -> (StatusCode, String, HeaderMap) {
        self.send(app, Method::GET, uri, &[]).await
    }

    pub(crate) async fn post(
        &mut self,
        app: &TestApp,
        uri: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, HeaderMap) {
        self.send(app, Method::POST, uri, form).await
    }
}

/// The value of the hidden field `name` in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn location(headers: &HeaderMap) -> String {
    headers[header::LOCATION].to_str().unwrap().to_owned()
}

both! {
    async fn a_french_page_after_a_bad_input_shows_a_french_error(app: TestApp) {
        let mut b = Browser::default();
        let (status, page, headers) = b.get(&app, "/fr/sign-in").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<html lang=\"fr\">"));
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        let csrf = hidden(&page, "csrf");

        let (status, page, _) = b.post(&app, "/fr/sign-in", &[("csrf", &csrf), ("phone", "0470 12")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("Saisissez un numéro au format international"), "{page}");
        assert!(page.contains("aria-invalid=\"true\""));
        assert!(!page.contains("Enter a phone number"), "English on a French page: {page}");
        assert!(!page.contains("problem"), "{page}");

        // The same in German, and a form without its token changes nothing.
        let (status, page, _) = b.post(&app, "/de/sign-in", &[("phone", "+32470123456")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(page.contains("Dieses Formular ist abgelaufen"), "{page}");
    }

    async fn a_double_submit_orders_once(app: TestApp) {
        let mut app = app;
        let outbox = Arc::new(Outbox::default());
        let with = app.app.clone().with_sms(outbox.clone());
        app.router = simrenew_http::router(AppState::new(with));
        let (msisdn, subscriber) = app.subscriber_line().await;

        let mut b = Browser::default();
        let (_, page, _) = b.get(&app, "/nl/sign-in").await;
        let csrf = hidden(&page, "csrf");
        let (status, _, headers) = b.post(&app, "/nl/sign-in", &[("csrf", &csrf), ("phone", msisdn.as_str())]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location(&headers).starts_with("/nl/sign-in/code"));
        app.codes_sent().await;
        let code = outbox.last_code(&msisdn);
        let (status, _, headers) = b
            .post(&app, "/nl/sign-in/code", &[("csrf", &csrf), ("phone", msisdn.as_str()), ("code", &code)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&headers), "/nl/lines");
        let (status, page, _) = b.get(&app, "/nl/lines").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(msisdn.as_str()) && page.contains("Mijn lijnen"), "{page}");

        // The session's token now guards the forms.
        let (_, page, _) = b.get(&app, &format!("/nl/lines/{msisdn}/renew")).await;
        let csrf = hidden(&page, "csrf");
        let (status, _, headers) = b
            .post(&app, &format!("/nl/lines/{msisdn}/renew"), &[("csrf", &csrf), ("plan", "TEST-5GB-30D"), ("periods", "1")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let quote = location(&headers);
        let (_, page, _) = b.get(&app, &quote).await;
        assert!(page.contains("Btw (21 %)"), "{page}");
        let once = hidden(&page, "once");
        let form = [("csrf", csrf.as_str()), ("once", once.as_str()), ("method", "credit"), ("details_confirmed", "yes")];
        let (first, _, h1) = b.post(&app, &quote, &form).await;
        let (second, _, h2) = b.post(&app, &quote, &form).await;
        assert_eq!((first, second), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
        assert_eq!(location(&h1), location(&h2));
        assert!(location(&h1).starts_with("/nl/orders/"));
        assert_eq!(app.app.order_history(subscriber).await.unwrap().len(), 1);

        // Another subscriber's order is not found.
        let (status, page, _) = b.get(&app, "/nl/orders/999999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("Deze bestelling is jou niet bekend."), "{page}");
    }

    async fn the_simulated_card_step_exists_only_in_the_demo(app: TestApp) {
        // A server that is not the demo: no step page, and cards are not offered on the portal.
        let mut b = Browser::default();
        let (status, page, _) = b.get(&app, "/en/demo-card/demo_simrenew-pay-1").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("This page does not exist."));
        let (status, _, _) = b
            .post(&app, "/en/demo-card/demo_simrenew-pay-1", &[("csrf", "x"), ("answer", "approve")])
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!app
            .app
            .methods_available(&app.brand, simrenew_domain::catalog::Channel::Portal)
            .contains(&simrenew_domain::order::PaymentMethod::Card));
    }
}

/// A subscriber signed in to the portal in `b`, in English: their line.
async fn signed_in(app: &mut TestApp, b: &mut Browser) -> simrenew_domain::identifiers::Msisdn {
    let outbox = Arc::new(Outbox::default());
    let with = app.app.clone().with_sms(outbox.clone());
    app.router = simrenew_http::router(AppState::new(with));
    let (msisdn, _) = app.subscriber_line().await;
    let (_, page, _) = b.get(app, "/en/sign-in").await;
    let csrf = hidden(&page, "csrf");
    b.post(
        app,
        "/en/sign-in",
        &[("csrf", &csrf), ("phone", msisdn.as_str())],
    )
    .await;
    app.codes_sent().await;
    let code = outbox.last_code(&msisdn);
    let (status, _, _) = b
        .post(
            app,
            "/en/sign-in/code",
            &[("csrf", &csrf), ("phone", msisdn.as_str()), ("code", &code)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    msisdn
}

both! {
    async fn the_auto_renew_page_explains_the_limits_and_keeps_the_subscribers_cap(app: TestApp) {
        let mut app = app;
        let mut b = Browser::default();
        let msisdn = signed_in(&mut app, &mut b).await;
        let (_, lines, _) = b.get(&app, "/en/lines").await;
        let uri = format!("/en/lines/{msisdn}/auto-renew");
        assert!(lines.contains(&format!("href=\"{uri}\"")), "{lines}");
        let (status, page, _) = b.get(&app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("at most 2 times per calendar month"), "{page}");
        assert!(page.contains("no automatic renewals yet"), "{page}");
        let csrf = hidden(&page, "csrf");

        // A cap that is not an amount is refused in words, and nothing changes.
        let bad = [("csrf", csrf.as_str()), ("enabled", "on"), ("plan", "TEST-5GB-30D"),
            ("saved_method_id", "credit"), ("monthly_cap", "lots")];
        let (status, page, _) = b.post(&app, &uri, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("Enter the cap as an amount above zero"), "{page}");
        let (_, setting) = app.get(&format!("/api/v1/lines/{msisdn}/auto-renew")).await;
        assert_eq!(setting["enabled"], false);
        // Nor without the page's token.
        let (status, _, _) = b.post(&app, &uri, &bad[1..]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let good = [("csrf", csrf.as_str()), ("enabled", "on"), ("plan", "TEST-5GB-30D"),
            ("saved_method_id", "credit"), ("monthly_cap", "25,50")];
        let (status, _, headers) = b.post(&app, &uri, &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&headers), format!("{uri}?saved=1"));
        let (_, page, _) = b.get(&app, &location(&headers)).await;
        assert!(page.contains("Saved."), "{page}");
        assert!(page.contains("value=\"25.50\""), "{page}");
        let (_, setting) = app.get(&format!("/api/v1/lines/{msisdn}/auto-renew")).await;
        assert_eq!(setting["enabled"], true, "{setting}");
        assert_eq!(setting["plan"], "TEST-5GB-30D");
        assert_eq!(setting["monthly_cap"]["amount_cents"], 2_550);
        assert_eq!(setting["saved_method_id"], serde_json::Value::Null);
        assert_eq!(setting["top_up"], serde_json::Value::Null);

        // A data top-up: a threshold the add-on would not lift the line over is refused in
        // words, in French on a French page; one under it is kept.
        let fr = format!("/fr/lines/{msisdn}/auto-renew");
        let (_, page, _) = b.get(&app, &fr).await;
        assert!(page.contains("Recharge de données"), "{page}");
        let csrf = hidden(&page, "csrf");
        let top_up = |below: &'static str| [("csrf", csrf.clone()), ("enabled", "on".into()),
            ("plan", "TEST-5GB-30D".into()), ("saved_method_id", "credit".into()),
            ("monthly_cap", "25.50".into()), ("top_up", "on".into()),
            ("top_up_plan", "TEST-1GB-ADDON".into()), ("top_up_below_mb", below.into())];
        let form = top_up("1000");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, page, _) = b.post(&app, &fr, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("inférieur à ce que donne l'option") || page.contains("inférieur à ce que donne l&#39;option"), "{page}");
        let form = top_up("300");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, _) = b.post(&app, &fr, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, setting) = app.get(&format!("/api/v1/lines/{msisdn}/auto-renew")).await;
        assert_eq!(setting["top_up"], serde_json::json!({"below_mb": 300, "plan": "TEST-1GB-ADDON"}), "{setting}");
        let (_, page, _) = b.get(&app, &fr).await;
        assert!(page.contains("value=\"300\""), "{page}");

        // Another subscriber's line is not found.
        let (status, _, _) = b.get(&app, "/en/lines/+32470000001/auto-renew").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

/// A network that confirms everything it is told.
struct Confirms;

#[async_trait::async_trait]
impl simrenew_app::network::Provisioner for Confirms {
    fn name(&self) -> &'static str {
        "confirms"
    }
    fn topics(&self) -> &'static [&'static str] {
        &simrenew_app::network::DELIVERED_TOPICS
    }
    async fn deliver(
        &self,
        item: &simrenew_app::network::OutboxItem,
    ) -> simrenew_app::network::Delivery {
        simrenew_app::network::Delivery::Confirmed {
            operation_id: format!("op-{}", item.id),
        }
    }
}

both! {
    async fn the_lines_page_shows_each_change_at_once(app: TestApp) {
        // The page is served from memory; every write it shows makes it forget.
        let mut app = app;
        let mut b = Browser::default();
        let msisdn = signed_in(&mut app, &mut b).await;
        let syncing = "Syncing with the network";
        let (status, page, _) = b.get(&app, "/en/lines").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains(msisdn.as_str()) && !page.contains(syncing), "{page}");

        // A renewal: syncing until the network confirms it.
        let (s, order) = app
            .post(
                "/api/v1/orders",
                serde_json::json!({"msisdn": msisdn.as_str(), "plan": "TEST-5GB-30D",
                    "periods": 1, "payment": {"method": "credit"}}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{order}");
        let (_, page, _) = b.get(&app, "/en/lines").await;
        assert!(page.contains(syncing), "{page}");
        let drained = app.app.drain_outbox(&Confirms, 100).await.unwrap();
        assert_eq!(drained.orders_completed, 1, "{drained:?}");
        let (_, page, _) = b.get(&app, "/en/lines").await;
        assert!(!page.contains(syncing), "{page}");

        // A line given to the same subscriber shows at once.
        let subscriber = app.app.line(&msisdn).await.unwrap().line.subscriber_id;
        let second = simrenew_domain::identifiers::Msisdn::parse("+32470999123").unwrap();
        let row = simrenew_app::sales::ports::NewLine {
            brand_id: app.brand.id,
            subscriber_id: subscriber,
            msisdn: second.clone(),
            identity: simrenew_domain::line::LineIdentity::VirtualSim,
            state: simrenew_domain::line::LineState::Active,
            expires_at: None,
            grace_until: None,
            credit: simrenew_domain::money::Money::eur(0),
        };
        let (imported, rejected) = app.app.import_lines(&[(1, row)], false, |_| {}).await.unwrap();
        assert_eq!((imported, rejected.len()), (1, 0));
        let (_, page, _) = b.get(&app, "/en/lines").await;
        assert!(page.contains(msisdn.as_str()) && page.contains(second.as_str()), "{page}");
    }
}
