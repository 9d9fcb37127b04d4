//! Staff sign-in: password, and TOTP or a recovery code.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use simrenew_app::identity::accounts::NewStaff;
use simrenew_domain::access::Role;
use simrenew_domain::catalog::LineKind;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::support::{both, days, TestApp};

const PASSWORD: &str = "correct horse battery staple";

async fn enrolled_agent(app: &TestApp) -> (TOTP, Vec<String>) {
    app.app
        .create_staff(
            "test",
            &NewStaff {
                email: "agent@test.example".into(),
                name: "Agent".into(),
                role: Role::Agent,
                brand: Some(app.brand.id),
                stores: vec![],
            },
        )
        .await
        .unwrap();
    let short = app
        .app
        .set_staff_password("test", "agent@test.example", "short")
        .await;
    assert!(short.is_err());
    app.app
        .set_staff_password("test", "agent@test.example", PASSWORD)
        .await
        .unwrap();
    let enrolment = app
        .app
        .enroll_staff_totp("test", "agent@test.example")
        .await
        .unwrap();
    let secret = enrolment
        .url
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let totp = TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        Secret::Encoded(secret).to_bytes().unwrap(),
        Some("simrenew".into()),
        "agent@test.example".into(),
    )
    .unwrap();
    assert_eq!(enrolment.recovery_codes.len(), 10);
    // The enrolment applies once its first code is confirmed, a step before the tests' "now".
    let before = app.now().as_second() as u64 - 30;
    app.app
        .confirm_staff_totp("test", "agent@test.example", &totp.generate(before))
        .await
        .unwrap();
    (totp, enrolment.recovery_codes)
}

async fn sign_in(app: &TestApp, body: Value) -> (StatusCode, Value, Option<String>) {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/staff-sessions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, body, headers) = app.send(req).await;
    let cookie = headers
        .get(header::SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    (status, body, cookie)
}

both! {
    async fn staff_sign_in_needs_password_and_second_factor(app: TestApp) {
        let (totp, recovery) = enrolled_agent(&app).await;
        let now = app.now().as_second() as u64;
        let code = totp.generate(now);
        let body = |password: &str, second: Value| {
            let mut b = json!({"email": "Agent@Test.example", "password": password});
            for (k, v) in second.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };

        let (status, problem, _) = sign_in(&app, body("wrong password!!", json!({"totp_code": code}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
        let (status, problem, _) = sign_in(&app, body(PASSWORD, json!({}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], "totp_code");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let (status, problem, _) = sign_in(&app, body(PASSWORD, json!({"totp_code": wrong}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(problem.get("field").is_none(), "{problem}");
        // A code from two windows ago is refused (one step of clock skew is allowed).
        let old = totp.generate(now - 90);
        if old != code && old != totp.generate(now - 30) {
            let (status, _, _) = sign_in(&app, body(PASSWORD, json!({"totp_code": old}))).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }

        let (status, session, cookie) = sign_in(&app, body(PASSWORD, json!({"totp_code": code}))).await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        let cookie = cookie.unwrap();
        assert!(cookie.starts_with("simrenew_session=st_"));
        let line = app.line(LineKind::Esim, 0, Some(days(3))).await;
        let get = |uri: String| {
            Request::builder()
                .uri(uri)
                .header(header::COOKIE, cookie.clone())
                .body(Body::empty())
                .unwrap()
        };
        // An agent acts for the customer they looked up at the counter, in this session.
        let (status, _, _) = app.send(get(format!("/api/v1/lines/{line}"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let look_up = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/counter/customer")
            .header(header::COOKIE, cookie.clone())
            .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"msisdn": line.to_string()}).to_string()))
            .unwrap();
        let (status, customer, _) = app.send(look_up).await;
        assert_eq!(status, StatusCode::OK, "{customer}");
        let (status, _, _) = app.send(get(format!("/api/v1/lines/{line}"))).await;
        assert_eq!(status, StatusCode::OK);
        // An agent looks lines up; listing them is not theirs.
        let (status, _, _) = app.send(get("/api/v1/lines".into())).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A recovery code works once.
        let (status, _, _) = sign_in(&app, body(PASSWORD, json!({"recovery_code": recovery[0]}))).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _, _) = sign_in(&app, body(PASSWORD, json!({"recovery_code": recovery[0]}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // Five failures for one address lock it for a while.
        for _ in 0..3 {
            sign_in(&app, body("wrong password!!", json!({"totp_code": code}))).await;
        }
        let (status, _, _) = sign_in(&app, body(PASSWORD, json!({"totp_code": code}))).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(app.app.verify_audit().await.unwrap().problems.is_empty());
    }

    async fn staff_without_two_factor_cannot_sign_in(app: TestApp) {
        app.app
            .create_staff(
                "test",
                &NewStaff {
                    email: "new@test.example".into(),
                    name: "New".into(),
                    role: Role::BrandAdmin,
                    brand: Some(app.brand.id),
                    stores: vec![],
                },
            )
            .await
            .unwrap();
        app.app.set_staff_password("test", "new@test.example", PASSWORD).await.unwrap();
        let (status, problem, cookie) = sign_in(
            &app,
            json!({"email": "new@test.example", "password": PASSWORD, "totp_code": "123456"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(problem["detail"].as_str().unwrap().contains("enrol"), "{problem}");
        assert!(cookie.is_none());
        // Unknown addresses are refused like a wrong password.
        let (status, problem, _) = sign_in(
            &app,
            json!({"email": "nobody@test.example", "password": PASSWORD, "totp_code": "123456"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(problem.get("field").is_none(), "{problem}");
    }
}

async fn staff_with_password(app: &TestApp, email: &str) {
    app.app
        .create_staff(
            "test",
            &NewStaff {
                email: email.into(),
                name: "Someone".into(),
                role: Role::Agent,
                brand: Some(app.brand.id),
                stores: vec![],
            },
        )
        .await
        .unwrap();
    app.app
        .set_staff_password("test", email, PASSWORD)
        .await
        .unwrap();
}

both! {
    async fn every_staff_sign_in_failure_gets_one_answer(app: TestApp) {
        let (totp, recovery) = enrolled_agent(&app).await;
        staff_with_password(&app, "unenrolled@test.example").await;
        let now = app.now().as_second() as u64;
        let code = totp.generate(now);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let (status, _, _) = sign_in(&app, json!({"email": "agent@test.example", "password": PASSWORD, "recovery_code": recovery[0]})).await;
        assert_eq!(status, StatusCode::CREATED);
        let failures = [
            json!({"email": "nobody@test.example", "password": PASSWORD, "totp_code": code}),
            json!({"email": "agent@test.example", "password": "wrong password!!", "totp_code": code}),
            json!({"email": "agent@test.example", "password": PASSWORD, "totp_code": wrong}),
            json!({"email": "agent@test.example", "password": PASSWORD, "recovery_code": recovery[0]}),
            json!({"email": "agent@test.example", "password": PASSWORD, "recovery_code": "0000000000"}),
            json!({"email": "unenrolled@test.example", "password": PASSWORD, "totp_code": code}),
        ];
        let mut answers = vec![];
        for body in failures {
            let (status, problem, cookie) = sign_in(&app, body).await;
            assert!(cookie.is_none());
            answers.push((status, problem));
        }
        for a in &answers {
            assert_eq!(a, &answers[0], "{answers:#?}");
        }
        assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
        assert!(answers[0].1.get("field").is_none(), "{answers:?}");
    }

    async fn a_staff_totp_code_works_once(app: TestApp) {
        let (totp, _) = enrolled_agent(&app).await;
        let code = totp.generate(app.now().as_second() as u64);
        let body = json!({"email": "agent@test.example", "password": PASSWORD, "totp_code": code});
        let (status, _, _) = sign_in(&app, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _, _) = sign_in(&app, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the same code twice");
        app.clock.advance(jiff::SignedDuration::from_secs(30));
        let code = totp.generate(app.now().as_second() as u64);
        let (status, _, _) = sign_in(&app, json!({"email": "agent@test.example", "password": PASSWORD, "totp_code": code})).await;
        assert_eq!(status, StatusCode::CREATED, "the next step's code");
    }

    async fn a_staff_enrolment_counts_once_confirmed(app: TestApp) {
        staff_with_password(&app, "fresh@test.example").await;
        let enrolment = app.app.enroll_staff_totp("test", "fresh@test.example").await.unwrap();
        let totp = totp_of(&enrolment.url, "fresh@test.example");
        let code = totp.generate(app.now().as_second() as u64);
        let (status, _, _) = sign_in(&app, json!({"email": "fresh@test.example", "password": PASSWORD, "totp_code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "an unconfirmed enrolment signs nobody in");
        let (status, _, _) = sign_in(&app, json!({"email": "fresh@test.example", "password": PASSWORD, "recovery_code": enrolment.recovery_codes[0]})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "nor do its recovery codes");
    }
}

fn totp_of(url: &str, account: &str) -> TOTP {
    let secret = url
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        Secret::Encoded(secret).to_bytes().unwrap(),
        Some("simrenew".into()),
        account.into(),
    )
    .unwrap()
}
