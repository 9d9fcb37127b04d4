//! Whether a number or an address belongs to a subscriber shows nowhere: not in the status,
//! the body or the time of any answer of sign-in by code, whatever the gateways do.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use simrenew_app::identity::signin::{MailGateway, SmsGateway};
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_http::AppState;

use crate::support::{both, TestApp};

/// A gateway that takes `delay` to answer, and fails when `failing`; it keeps what it sends.
#[derive(Default)]
struct Gateway {
    delay: Duration,
    failing: bool,
    calls: AtomicUsize,
    sent: Mutex<Vec<(String, String)>>,
}

impl Gateway {
    async fn deliver(&self, to: String, text: &str) -> Result<(), String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        if self.failing {
            return Err("the gateway is down".into());
        }
        self.sent.lock().unwrap().push((to, text.to_owned()));
        Ok(())
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn code_for(&self, to: &str) -> Option<String> {
        let sent = self.sent.lock().unwrap();
        sent.iter()
            .rev()
            .find(|(t, _)| t == to)
            .map(|(_, text)| crate::email_signin::code_in(text))
    }
}

#[async_trait]
impl SmsGateway for Gateway {
    async fn send(&self, to: &Msisdn, text: &str) -> Result<(), String> {
        self.deliver(to.to_string(), text).await
    }
}

#[async_trait]
impl MailGateway for Gateway {
    async fn send(&self, to: &Email, _subject: &str, text: &str) -> Result<(), String> {
        self.deliver(to.to_string(), text).await
    }
}

fn with_gateway(app: &mut TestApp, gateway: Gateway) -> Arc<Gateway> {
    let gateway = Arc::new(gateway);
    let with = app
        .app
        .clone()
        .with_sms(gateway.clone())
        .with_mail(gateway.clone());
    app.router = simrenew_http::router(AppState::new(with));
    gateway
}

/// An anonymous POST from the client address `client`.
async fn post_from(app: &TestApp, client: u8, uri: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .extension(ConnectInfo(SocketAddr::from((
            [198, 51, 100, client],
            40_000,
        ))))
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, body, _) = app.send(req).await;
    (status, body)
}

/// Waits (at most 15 s) until `gateway` was called `n` times.
async fn wait_for_calls(gateway: &Gateway, n: usize) {
    for _ in 0..300 {
        if gateway.calls() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both! {
    async fn a_number_on_record_and_an_unknown_one_get_the_same_answers(app: TestApp) {
        let mut app = app;
        let gateway = with_gateway(&mut app, Gateway::default());
        let (known, _) = app.subscriber_line().await;
        let unknown = "+32470999111";
        for phone in [known.to_string(), unknown.to_string()] {
            let (status, body) = post_from(&app, 1, "/api/v1/auth/codes", json!({"phone": phone})).await;
            assert_eq!((status, body), (StatusCode::ACCEPTED, json!({"sent": true, "expires_in_seconds": 300})));
        }
        wait_for_calls(&gateway, 1).await;
        let code = gateway.code_for(&known.to_string()).unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        // Wrong codes: the same words, the same attempts left, down to none.
        for _ in 0..6 {
            let answers: Vec<_> = wrong_codes(&app, &[known.to_string(), unknown.to_string()], wrong).await;
            assert_eq!(answers[0], answers[1]);
            assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
        }
        // A number nobody asked a code for answers the same whether it is on record or not.
        let (other, _) = app.subscriber_line().await;
        let answers = wrong_codes(&app, &[other.to_string(), "+32470999112".into()], wrong).await;
        assert_eq!(answers[0], answers[1]);
        assert_eq!(gateway.calls(), 1, "a code went to a number nobody owns");
    }

    async fn a_failing_gateway_shows_in_no_answer_and_is_retried_a_few_times(app: TestApp) {
        let mut app = app;
        let gateway = with_gateway(&mut app, Gateway { failing: true, ..Gateway::default() });
        let (known, _) = app.subscriber_line_with_email("known@mail.example").await;
        let answers = [
            post_from(&app, 2, "/api/v1/auth/codes", json!({"phone": known.to_string()})).await,
            post_from(&app, 2, "/api/v1/auth/codes", json!({"phone": "+32470999113"})).await,
            post_from(&app, 2, "/api/v1/auth/codes", json!({"email": "known@mail.example", "brand": "test"})).await,
            post_from(&app, 2, "/api/v1/auth/codes", json!({"email": "unknown@mail.example", "brand": "test"})).await,
        ];
        for a in &answers {
            assert_eq!(a, &answers[0]);
        }
        assert_eq!(answers[0].0, StatusCode::ACCEPTED, "{answers:?}");
        // Two messages, each tried a bounded number of times, then given up.
        wait_for_calls(&gateway, 2 * simrenew_app::identity::signin::CODE_SEND_ATTEMPTS).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(gateway.calls(), 2 * simrenew_app::identity::signin::CODE_SEND_ATTEMPTS);
    }

    async fn without_a_gateway_every_number_gets_the_same_refusal(app: TestApp) {
        let (known, _) = app.subscriber_line_with_email("someone@mail.example").await;
        let a = post_from(&app, 3, "/api/v1/auth/codes", json!({"phone": known.to_string()})).await;
        let b = post_from(&app, 3, "/api/v1/auth/codes", json!({"phone": "+32470999114"})).await;
        assert_eq!(a, b);
        let c = post_from(&app, 3, "/api/v1/auth/codes", json!({"email": "someone@mail.example", "brand": "test"})).await;
        let d = post_from(&app, 3, "/api/v1/auth/codes", json!({"email": "nobody@mail.example", "brand": "test"})).await;
        assert_eq!(c, d);
    }

    async fn a_slow_gateway_does_not_make_known_numbers_slower(app: TestApp) {
        let mut app = app;
        let gateway = with_gateway(&mut app, Gateway { delay: Duration::from_millis(300), ..Gateway::default() });
        let mut known = vec![];
        for _ in 0..8 {
            known.push(app.subscriber_line().await.0.to_string());
        }
        let (mut on_record, mut unknown) = (vec![], vec![]);
        // Interleaved, each going first every other time, each from its own client address.
        for (i, phone) in known.iter().enumerate() {
            let mut pair = [(phone.clone(), true), (format!("+3247099920{i}"), false)];
            if i % 2 == 1 {
                pair.reverse();
            }
            for (n, (phone, is_known)) in pair.into_iter().enumerate() {
                let started = Instant::now();
                let client = 10 + 2 * i as u8 + n as u8;
                let (status, _) = post_from(&app, client, "/api/v1/auth/codes", json!({"phone": phone})).await;
                let took = started.elapsed();
                assert_eq!(status, StatusCode::ACCEPTED);
                if is_known { on_record.push(took) } else { unknown.push(took) }
            }
        }
        on_record.sort();
        unknown.sort();
        let (a, b) = (on_record[4], unknown[4]);
        eprintln!("median answer: numbers on record {a:?}, unknown numbers {b:?}");
        assert!(a < b + Duration::from_millis(100), "numbers on record answer in {a:?}, others in {b:?}");
        wait_for_calls(&gateway, 8).await;
    }
}

/// The answers to a wrong `code` for each of `phones`, sent one after the other.
async fn wrong_codes(app: &TestApp, phones: &[String], code: &str) -> Vec<(StatusCode, Value)> {
    let mut out = vec![];
    for phone in phones {
        out.push(
            post_from(
                app,
                4,
                "/api/v1/auth/sessions",
                json!({"phone": phone, "code": code}),
            )
            .await,
        );
    }
    out
}

both! {
    async fn a_brand_is_sent_no_more_codes_an_hour_than_its_ceiling(app: TestApp) {
        let mut app = app;
        let gateway = Arc::new(Gateway::default());
        let ceilings = simrenew_app::identity::signin::CodeCeilings::parse("100,test=5").unwrap();
        let with = app.app.clone().with_sms(gateway.clone()).with_mail(gateway.clone()).with_code_ceilings(ceilings);
        app.router = simrenew_http::router(AppState::new(with));
        let mut known = vec![];
        for i in 0..4 {
            known.push(json!({"phone": app.subscriber_line().await.0.to_string()}));
            let email = format!("person{i}@mail.example");
            app.subscriber_line_with_email(&email).await;
            known.push(json!({"email": email, "brand": "test"}));
        }
        // Spread over many numbers, addresses and clients, and answered alike all the same...
        for (i, body) in known.iter().enumerate() {
            let (status, answer) = post_from(&app, 100 + i as u8, "/api/v1/auth/codes", body.clone()).await;
            assert_eq!((status, answer), (StatusCode::ACCEPTED, json!({"sent": true, "expires_in_seconds": 300})));
        }
        // ...five codes go out in the hour.
        wait_for_calls(&gateway, 5).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(gateway.calls(), 5);
        app.clock.advance(jiff::SignedDuration::from_mins(61));
        let (status, _) = post_from(&app, 120, "/api/v1/auth/codes", known[7].clone()).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        wait_for_calls(&gateway, 6).await;
        assert_eq!(gateway.calls(), 6);
    }
}
