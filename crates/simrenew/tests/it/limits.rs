//! Limits that hold when the requests they count arrive at once: each request is counted
//! before the work it guards, in one statement, so that no two see the same count.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use simrenew_app::identity::accounts::NewStaff;
use simrenew_domain::access::Role;
use simrenew_http::AppState;

use crate::support::{both, Outbox, TestApp};

fn with_sms(app: &mut TestApp) -> Arc<Outbox> {
    let outbox = Arc::new(Outbox::default());
    app.router = simrenew_http::router(AppState::new(app.app.clone().with_sms(outbox.clone())));
    outbox
}

/// Sends `n` copies of one anonymous POST at once; their answers.
async fn at_once(
    app: &Arc<TestApp>,
    n: usize,
    uri: &'static str,
    body: Value,
) -> Vec<(StatusCode, Value)> {
    let mut tasks = vec![];
    for _ in 0..n {
        let (app, body) = (app.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let (status, body, _) = app.anonymous(uri, body).await;
            (status, body)
        }));
    }
    let mut out = vec![];
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn count(answers: &[(StatusCode, Value)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

const PASSWORD: &str = "correct horse battery staple";

both! {
    async fn twenty_code_requests_at_once_send_three_codes(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let app = Arc::new(app);
        let answers = at_once(&app, 20, "/api/v1/auth/codes", json!({"phone": mine.to_string()})).await;
        assert_eq!(count(&answers, StatusCode::ACCEPTED), 3, "{answers:?}");
        assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 17, "{answers:?}");
        assert_eq!(outbox.settled_count().await, 3);
    }

    async fn fifty_wrong_codes_at_once_are_checked_five_times(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let phone = mine.to_string();
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        outbox.settled_count().await;
        let code = outbox.last_code(&mine);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let app = Arc::new(app);
        let answers = at_once(&app, 50, "/api/v1/auth/sessions", json!({"phone": phone, "code": wrong})).await;
        assert_eq!(count(&answers, StatusCode::UNAUTHORIZED), 50);
        let checked = answers
            .iter()
            .filter(|(_, b)| b["detail"].as_str().unwrap().contains("attempts left"))
            .count();
        assert_eq!(checked, 5, "{answers:?}");
        // The right code comes too late: the five attempts are spent.
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }

    async fn twelve_staff_sign_ins_at_once_check_five_passwords(app: TestApp) {
        app.app
            .create_staff("test", &NewStaff {
                email: "agent@test.example".into(),
                name: "Agent".into(),
                role: Role::Agent,
                brand: Some(app.brand.id),
                stores: vec![],
            })
            .await
            .unwrap();
        app.app.set_staff_password("test", "agent@test.example", PASSWORD).await.unwrap();
        let app = Arc::new(app);
        let answers = at_once(
            &app,
            12,
            "/api/v1/auth/staff-sessions",
            json!({"email": "agent@test.example", "password": "not the password", "totp_code": "123456"}),
        )
        .await;
        assert_eq!(count(&answers, StatusCode::UNAUTHORIZED), 5, "{answers:?}");
        assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 7, "{answers:?}");
    }

    async fn passkey_sign_ins_started_at_once_stay_within_the_limit(app: TestApp) {
        let mut app = app;
        let with = app
            .app
            .clone()
            .with_webauthn(simrenew_app::identity::passkeys::RelyingParty::new("https://portal.simrenew.test").unwrap());
        app.router = simrenew_http::router(AppState::new(with));
        let app = Arc::new(app);
        let limit = simrenew_app::identity::passkeys::SIGN_INS_PER_CLIENT as usize;
        let mut tasks = vec![];
        for _ in 0..limit + 20 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let req = Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/auth/passkeys/sign-ins")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::empty())
                    .unwrap();
                app.send(req).await.0
            }));
        }
        let mut started = 0;
        for t in tasks {
            if t.await.unwrap().is_success() {
                started += 1;
            }
        }
        assert_eq!(started, limit);
    }
}

/// A code request for a new number from the TCP peer `peer`, with `X-Forwarded-For` if given.
async fn code_request_via(
    app: &TestApp,
    peer: [u8; 4],
    forwarded: Option<&str>,
    n: usize,
) -> StatusCode {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/codes")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            peer, 50_000,
        ))));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let body = json!({"phone": format!("+324709{:05}", n)}).to_string();
    app.send(req.body(Body::from(body)).unwrap()).await.0
}

both! {
    async fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(app: TestApp) {
        let mut app = app;
        let outbox = Arc::new(Outbox::default());
        let proxies = simrenew_http::TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").unwrap();
        let with = app.app.clone().with_sms(outbox.clone());
        app.router = simrenew_http::router(AppState::with_trusted_proxies(with, proxies));
        let per_client = simrenew_app::identity::signin::CODES_PER_CLIENT as usize;

        // Behind the proxy, each client is counted on its own...
        for n in 0..per_client + 2 {
            let client = format!("203.0.113.{n}");
            assert_eq!(code_request_via(&app, [10, 1, 2, 3], Some(&client), n).await, StatusCode::ACCEPTED, "{client}");
        }
        // ...by the address the trusted proxies saw: what the client itself wrote before it
        // does not count.
        for n in 0..per_client {
            let forwarded = format!("198.18.0.{n}, 203.0.113.200, 192.0.2.7");
            assert_eq!(code_request_via(&app, [10, 1, 2, 3], Some(&forwarded), 100 + n).await, StatusCode::ACCEPTED);
        }
        let forwarded = "198.18.0.99, 203.0.113.200, 192.0.2.7";
        assert_eq!(code_request_via(&app, [10, 1, 2, 3], Some(forwarded), 200).await, StatusCode::TOO_MANY_REQUESTS);

        // A peer that is no trusted proxy is the client, whatever it forwards.
        for n in 0..per_client {
            let client = format!("203.0.113.{}", 100 + n);
            assert_eq!(code_request_via(&app, [198, 51, 100, 9], Some(&client), 300 + n).await, StatusCode::ACCEPTED);
        }
        assert_eq!(code_request_via(&app, [198, 51, 100, 9], Some("203.0.113.250"), 400).await, StatusCode::TOO_MANY_REQUESTS);
        assert!(simrenew_http::TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(simrenew_http::TrustedProxies::parse("proxy.local").is_err());
    }
}

/// A Twilio-shaped SMS gateway on 127.0.0.1: the messages it was posted, as (to, body).
async fn sms_gateway() -> (u16, Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    let sent = Arc::new(std::sync::Mutex::new(vec![]));
    let kept = sent.clone();
    let app = axum::Router::new().route(
        "/2010-04-01/Accounts/{account}/Messages.json",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
                let get = |k: &str| {
                    form.iter()
                        .find(|(n, _)| n == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                kept.lock().unwrap().push((get("To"), get("Body")));
                (StatusCode::CREATED, "{}")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, sent)
}

/// `n` copies of one POST, spread over `servers`, all at once; their statuses and bodies.
async fn at_once_served(
    servers: &[&crate::support::Served],
    n: usize,
    path: &str,
    body: Value,
) -> Vec<(StatusCode, Value)> {
    let http = reqwest::Client::new();
    let mut tasks = vec![];
    for i in 0..n {
        let (http, body) = (http.clone(), body.clone());
        let url = format!("{}{path}", servers[i % servers.len()].base);
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).json(&body).send().await.unwrap();
            let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut out = vec![];
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

both! {
    async fn limits_hold_across_served_processes(app: TestApp) {
        let (gateway, sent) = sms_gateway().await;
        let base = format!("http://127.0.0.1:{gateway}");
        let env = [
            ("SIMRENEW_SMS_BASE_URL", base.as_str()),
            ("SIMRENEW_SMS_ACCOUNT", "AC1"),
            ("SIMRENEW_SMS_TOKEN", "token"),
            ("SIMRENEW_SMS_FROM", "+32470000000"),
        ];
        let (mine, _) = app.subscriber_line().await;
        app.app
            .create_staff("test", &NewStaff {
                email: "agent@test.example".into(),
                name: "Agent".into(),
                role: Role::Agent,
                brand: Some(app.brand.id),
                stores: vec![],
            })
            .await
            .unwrap();
        app.app.set_staff_password("test", "agent@test.example", PASSWORD).await.unwrap();
        let one = crate::support::Served::start(&app, &env).await;
        let two = crate::support::Served::start(&app, &env).await;
        let servers = [&one, &two];

        // 20 code requests for one number, to two processes at once: three codes.
        let phone = mine.to_string();
        let answers = at_once_served(&servers, 20, "/api/v1/auth/codes", json!({"phone": phone})).await;
        assert_eq!(count(&answers, StatusCode::ACCEPTED), 3, "{answers:?}");
        assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 17, "{answers:?}");
        let mut codes = vec![];
        for _ in 0..100 {
            codes = sent.lock().unwrap().iter().filter(|(to, _)| *to == phone).map(|(_, b)| crate::email_signin::code_in(b)).collect();
            if codes.len() >= 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(sent.lock().unwrap().len(), 3);

        // 50 wrong guesses at the last code, at once: five are checked.
        let last = codes.last().unwrap().clone();
        let wrong = (0..).map(|n| format!("{n:06}")).find(|c| !codes.contains(c)).unwrap();
        let answers = at_once_served(&servers, 50, "/api/v1/auth/sessions", json!({"phone": phone, "code": wrong})).await;
        let checked = answers.iter().filter(|(_, b)| b["detail"].as_str().unwrap_or_default().contains("attempts left")).count();
        assert_eq!(checked, 5, "{answers:?}");
        let answers = at_once_served(&servers, 1, "/api/v1/auth/sessions", json!({"phone": phone, "code": last})).await;
        assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED, "{answers:?}");

        // 12 staff password tries, at once: five are checked.
        let answers = at_once_served(&servers, 12, "/api/v1/auth/staff-sessions",
            json!({"email": "agent@test.example", "password": "not the password", "totp_code": "123456"})).await;
        assert_eq!(count(&answers, StatusCode::UNAUTHORIZED), 5, "{answers:?}");
        assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 7, "{answers:?}");
    }
}
