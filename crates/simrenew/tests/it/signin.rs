//! Subscriber sign-in by one-time code, sessions and CSRF.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use jiff::SignedDuration;
use serde_json::{json, Value};
use simrenew_domain::catalog::LineKind;
use simrenew_domain::identifiers::Msisdn;
use simrenew_http::AppState;

use crate::support::{both, days, Outbox, TestApp};

fn with_sms(app: &mut TestApp) -> Arc<Outbox> {
    let outbox = Arc::new(Outbox::default());
    let with = app.app.clone().with_sms(outbox.clone());
    app.router = simrenew_http::router(AppState::new(with));
    outbox
}

/// A request sent with a session cookie (and, when given, the CSRF token).
async fn with_cookie(
    app: &TestApp,
    cookie: &str,
    csrf: Option<&str>,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("other=1; {cookie}"));
    if let Some(t) = csrf {
        req = req.header("x-csrf-token", t);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let (status, body, _) = app.send(req).await;
    (status, body)
}

/// Signs in; returns the cookie pair (`simrenew_session=...`) and the CSRF token.
async fn sign_in(app: &TestApp, outbox: &Outbox, msisdn: &Msisdn) -> (String, String) {
    let (status, body, _) = app
        .anonymous("/api/v1/auth/codes", json!({"phone": msisdn.to_string()}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let code = outbox.last_code(msisdn);
    let (status, body, headers) = app
        .anonymous(
            "/api/v1/auth/sessions",
            json!({"phone": msisdn.to_string(), "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();
    (pair, body["csrf_token"].as_str().unwrap().to_owned())
}

both! {
    async fn a_subscriber_signs_in_and_sees_only_their_lines(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let (theirs, _) = app.subscriber_line().await;
        let nobody = app.line(LineKind::Esim, 0, Some(days(3))).await;
        let (cookie, csrf) = sign_in(&app, &outbox, &mine).await;

        let (status, line) = with_cookie(&app, &cookie, None, Method::GET, &format!("/api/v1/lines/{mine}"), None).await;
        assert_eq!(status, StatusCode::OK, "{line}");
        for other in [&theirs, &nobody] {
            let (status, _) = with_cookie(&app, &cookie, None, Method::GET, &format!("/api/v1/lines/{other}"), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }
        let (status, page) = with_cookie(&app, &cookie, None, Method::GET, "/api/v1/lines", None).await;
        assert_eq!(status, StatusCode::OK);
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["msisdn"], mine.to_string());

        // Buying needs the CSRF token; the portal is the subscriber's channel.
        let order = json!({"msisdn": mine.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let (status, body) = with_cookie(&app, &cookie, None, Method::POST, "/api/v1/orders", Some(order.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["field"], "x-csrf-token");
        let (status, body) = with_cookie(&app, &cookie, Some("not-the-token"), Method::POST, "/api/v1/orders", Some(order.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/orders", Some(order)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["channel"], "portal");
        // The quote shows the details on record, to confirm before paying.
        let quote = json!({"msisdn": mine.to_string(), "plan": "TEST-5GB-30D"});
        let (status, body) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/quotes", Some(quote)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["subscriber"]["name"], "Emma Peeters");
        assert_eq!(body["subscriber"]["email"], "emma@mail.example");
        let other = json!({"msisdn": theirs.to_string(), "plan": "TEST-5GB-30D"});
        let (status, _) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/quotes", Some(other)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn wrong_expired_and_reused_codes_are_refused(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let phone = mine.to_string();
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let code = outbox.last_code(&mine);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for left in (0..5).rev() {
            let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": wrong})).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(body["field"], "code");
            assert!(body["detail"].as_str().unwrap().contains(&format!("{left} attempts left")), "{body}");
        }
        // Five wrong tries burn the code, even the right one is refused now.
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["detail"].as_str().unwrap().contains("ask for a new one"), "{body}");

        // A new code works once.
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let code = outbox.last_code(&mine);
        let (status, _, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["detail"].as_str().unwrap().contains("used already"), "{body}");

        // A code is good for 5 minutes.
        app.clock.advance(SignedDuration::from_mins(16));
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let code = outbox.last_code(&mine);
        app.clock.advance(SignedDuration::from_mins(6));
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["detail"].as_str().unwrap().contains("expired"), "{body}");

        // Malformed input.
        let (status, body, _) = app.anonymous("/api/v1/auth/codes", json!({"phone": "0470 12 34 56"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "phone");
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": "12ab56"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "code");
    }

    async fn asking_for_codes_is_rate_limited_and_reveals_nothing(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        for _ in 0..3 {
            let (status, _, _) = app.anonymous("/api/v1/auth/codes", json!({"phone": mine.to_string()})).await;
            assert_eq!(status, StatusCode::ACCEPTED);
        }
        let (status, body, _) = app.anonymous("/api/v1/auth/codes", json!({"phone": mine.to_string()})).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(outbox.count(), 3);
        // A number nobody owns gets the same answer, and no message.
        let (status, body, _) = app.anonymous("/api/v1/auth/codes", json!({"phone": "+32470999999"})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(outbox.count(), 3);
        // Per client address: the in-process router has no address, so all share "unknown".
        for n in 0..6 {
            app.anonymous("/api/v1/auth/codes", json!({"phone": format!("+3247099990{n}")})).await;
        }
        let (status, _, _) = app.anonymous("/api/v1/auth/codes", json!({"phone": "+32470999980"})).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(SignedDuration::from_mins(16));
        let (status, _, _) = app.anonymous("/api/v1/auth/codes", json!({"phone": mine.to_string()})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }

    async fn sessions_end_when_they_should(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let uri = format!("/api/v1/lines/{mine}");
        let (first, csrf) = sign_in(&app, &outbox, &mine).await;
        let (second, _) = sign_in(&app, &outbox, &mine).await;
        assert_ne!(first, second, "each sign-in gets a new session id");

        // A forged cookie is nobody.
        let (status, _) = with_cookie(&app, "simrenew_session=0123456789abcdef", None, Method::GET, &uri, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // Sign out ends that session only.
        let (status, _) = with_cookie(&app, &first, Some(&csrf), Method::DELETE, "/api/v1/auth/sessions/current", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(with_cookie(&app, &first, None, Method::GET, &uri, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(with_cookie(&app, &second, None, Method::GET, &uri, None).await.0, StatusCode::OK);

        // Sign out everywhere ends them all.
        let (third, third_csrf) = sign_in(&app, &outbox, &mine).await;
        let (status, _) = with_cookie(&app, &third, Some(&third_csrf), Method::POST, "/api/v1/auth/sessions/sign-out-everywhere", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(with_cookie(&app, &second, None, Method::GET, &uri, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(with_cookie(&app, &third, None, Method::GET, &uri, None).await.0, StatusCode::UNAUTHORIZED);

        // 30 minutes idle end a session; use keeps it alive up to 12 hours.
        app.clock.advance(SignedDuration::from_mins(16));
        let (fourth, _) = sign_in(&app, &outbox, &mine).await;
        for _ in 0..3 {
            app.clock.advance(SignedDuration::from_mins(20));
            assert_eq!(with_cookie(&app, &fourth, None, Method::GET, &uri, None).await.0, StatusCode::OK);
        }
        app.clock.advance(SignedDuration::from_mins(31));
        assert_eq!(with_cookie(&app, &fourth, None, Method::GET, &uri, None).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn a_subscriber_can_add_a_second_factor(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, me) = app.subscriber_line().await;
        let (cookie, csrf) = sign_in(&app, &outbox, &mine).await;
        let (status, _) = with_cookie(&app, &cookie, None, Method::POST, "/api/v1/auth/totp", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "CSRF token needed");
        let (status, enrolment) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp", None).await;
        assert_eq!(status, StatusCode::CREATED, "{enrolment}");
        let url = enrolment["otpauth_url"].as_str().unwrap();
        let secret = url.split("secret=").nth(1).unwrap().split('&').next().unwrap();
        let totp = totp_rs::TOTP::new(
            totp_rs::Algorithm::SHA1,
            6,
            1,
            30,
            totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().unwrap(),
            None,
            "x".into(),
        )
        .unwrap();
        let recovery = enrolment["recovery_codes"][0].as_str().unwrap().to_owned();
        // It applies once its first code is confirmed (a step before "now").
        let first = totp.generate(app.now().as_second() as u64 - 30);
        let (status, body) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp/confirmation", Some(json!({"totp_code": first}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        // The enrolment is in the subscriber's audit chain.
        let (entries, _) = app.app.store.audit_log().await.unwrap();
        assert!(entries.iter().any(|e| e.chain == format!("subscriber:{me}") && e.action == "totp.enroll"));
        // The seed is kept sealed: the database alone does not give it away.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        let stored: String = sqlx::query_scalar("SELECT totp_secret FROM subscribers WHERE id = $1")
            .bind(me.0)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert!(stored.starts_with("v1:") && !stored.contains(secret), "{stored}");

        // The SMS code alone is no longer enough, and asking does not burn it.
        let phone = mine.to_string();
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let code = outbox.last_code(&mine);
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "totp_code");
        let now = app.now().as_second() as u64;
        let right = totp.generate(now);
        let wrong = if right == "000000" { "111111" } else { "000000" };
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code, "totp_code": wrong})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code, "totp_code": right})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        // A recovery code stands in for the authenticator, once.
        app.clock.advance(SignedDuration::from_mins(16));
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let code = outbox.last_code(&mine);
        let (status, _, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code, "recovery_code": recovery})).await;
        assert_eq!(status, StatusCode::CREATED);
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let code = outbox.last_code(&mine);
        let (status, _, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": code, "recovery_code": recovery})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

fn totp_of(enrolment: &Value) -> totp_rs::TOTP {
    let url = enrolment["otpauth_url"].as_str().unwrap();
    let secret = url
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(secret.to_owned())
            .to_bytes()
            .unwrap(),
        None,
        "x".into(),
    )
    .unwrap()
}

/// What a sign-in gives beside the code.
enum Second<'a> {
    Nothing,
    Totp(&'a totp_rs::TOTP),
    Recovery(&'a Value),
}

/// A code for `msisdn` and the answer to signing in with it and `second` (the authenticator's
/// code of then), six minutes later than the last, so that no limit is met.
async fn sign_in_with(
    app: &TestApp,
    outbox: &Outbox,
    msisdn: &Msisdn,
    second: Second<'_>,
) -> (StatusCode, Value) {
    app.clock.advance(SignedDuration::from_mins(6));
    let phone = msisdn.to_string();
    app.anonymous("/api/v1/auth/codes", json!({"phone": phone}))
        .await;
    let mut body = json!({"phone": phone, "code": outbox.last_code(msisdn)});
    match second {
        Second::Nothing => {}
        Second::Totp(t) => body["totp_code"] = json!(now_code(app, t)),
        Second::Recovery(c) => body["recovery_code"] = c.clone(),
    }
    let (status, body, _) = app.anonymous("/api/v1/auth/sessions", body).await;
    (status, body)
}

fn now_code(app: &TestApp, totp: &totp_rs::TOTP) -> String {
    totp.generate(app.now().as_second() as u64)
}

both! {
    async fn a_second_factor_counts_once_confirmed_and_is_replaced_only_with_it(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let (cookie, csrf) = sign_in(&app, &outbox, &mine).await;
        let (status, first) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp", None).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let old = totp_of(&first);

        // Not confirmed yet: the code alone still signs in.
        let (status, body) = sign_in_with(&app, &outbox, &mine, Second::Nothing).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let confirm = "/api/v1/auth/totp/confirmation";
        let wrong = if now_code(&app, &old) == "000000" { "111111" } else { "000000" };
        let (status, body) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, confirm, Some(json!({"totp_code": wrong}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let (status, body) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, confirm, Some(json!({"totp_code": now_code(&app, &old)}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

        // Confirmed: the code alone no longer does.
        let (status, body) = sign_in_with(&app, &outbox, &mine, Second::Nothing).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "totp_code");
        let (status, body) = sign_in_with(&app, &outbox, &mine, Second::Totp(&old)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        app.clock.advance(SignedDuration::from_mins(6));
        let (cookie, csrf) = sign_in_totp(&app, &outbox, &mine, &old).await;

        // Replacing it takes the current factor.
        let (status, body) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "totp_code");
        let (status, _) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp", Some(json!({"totp_code": wrong}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.clock.advance(SignedDuration::from_secs(30));
        let (status, second) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp", Some(json!({"totp_code": now_code(&app, &old)}))).await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        let new = totp_of(&second);
        // Until the new one is confirmed, the old one is the factor.
        let (status, body) = sign_in_with(&app, &outbox, &mine, Second::Totp(&old)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, confirm, Some(json!({"totp_code": now_code(&app, &new)}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        app.clock.advance(SignedDuration::from_secs(30));
        let (status, _) = sign_in_with(&app, &outbox, &mine, Second::Totp(&old)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = sign_in_with(&app, &outbox, &mine, Second::Totp(&new)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // The first enrolment's recovery codes went with it.
        let (status, _) = sign_in_with(&app, &outbox, &mine, Second::Recovery(&first["recovery_codes"][0])).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = sign_in_with(&app, &outbox, &mine, Second::Recovery(&second["recovery_codes"][0])).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    async fn a_subscriber_totp_code_works_once(app: TestApp) {
        let mut app = app;
        let outbox = with_sms(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let (cookie, csrf) = sign_in(&app, &outbox, &mine).await;
        let (_, enrolment) = with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp", None).await;
        let totp = totp_of(&enrolment);
        with_cookie(&app, &cookie, Some(&csrf), Method::POST, "/api/v1/auth/totp/confirmation", Some(json!({"totp_code": now_code(&app, &totp)}))).await;
        app.clock.advance(SignedDuration::from_secs(30));
        let code = now_code(&app, &totp);
        // Two codes sent, one TOTP code typed twice within its step.
        let phone = mine.to_string();
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let sms = outbox.last_code(&mine);
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": sms, "totp_code": code})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        app.anonymous("/api/v1/auth/codes", json!({"phone": phone})).await;
        let sms = outbox.last_code(&mine);
        let (status, body, _) = app.anonymous("/api/v1/auth/sessions", json!({"phone": phone, "code": sms, "totp_code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "totp_code");
    }
}

/// Signs in with a code and the current TOTP code; the session.
async fn sign_in_totp(
    app: &TestApp,
    outbox: &Outbox,
    msisdn: &Msisdn,
    totp: &totp_rs::TOTP,
) -> (String, String) {
    let phone = msisdn.to_string();
    app.anonymous("/api/v1/auth/codes", json!({"phone": phone}))
        .await;
    let body =
        json!({"phone": phone, "code": outbox.last_code(msisdn), "totp_code": now_code(app, totp)});
    let (status, body, headers) = app.anonymous("/api/v1/auth/sessions", body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (cookie, body["csrf_token"].as_str().unwrap().to_owned())
}
