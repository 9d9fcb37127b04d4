//! Passkeys: registration by a signed-in subscriber, sign-in without a number, and every way a
//! ceremony's answer can be wrong. The browser and the authenticator are played by
//! webauthn-authenticator-rs's software passkey, signing real assertions.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use jiff::SignedDuration;
use serde_json::{json, Value};
use simrenew_app::identity::passkeys::RelyingParty;
use simrenew_domain::identifiers::Msisdn;
use simrenew_http::AppState;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url, WebauthnAuthenticator,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

use crate::support::{both, Outbox, TestApp};

/// The site's public URL in these tests.
const ORIGIN: &str = "https://portal.simrenew.test";

/// The test app with SMS codes and passkeys for [`ORIGIN`].
fn with_passkeys(app: &mut TestApp) -> Arc<Outbox> {
    let outbox = Arc::new(Outbox::default());
    let with = app
        .app
        .clone()
        .with_sms(outbox.clone())
        .with_webauthn(RelyingParty::new(ORIGIN).unwrap());
    app.router = simrenew_http::router(AppState::new(with));
    outbox
}

/// A browser's request: with a session cookie and CSRF token when given, never a bearer token.
async fn browser(
    app: &TestApp,
    session: Option<&Session>,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(s) = session {
        req = req
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    app.send(req).await
}

struct Session {
    cookie: String,
    csrf: String,
}

/// The session a 201 sign-in answer opens.
fn session_of(status: StatusCode, body: &Value, headers: &axum::http::HeaderMap) -> Session {
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    Session {
        cookie: cookie.split(';').next().unwrap().to_owned(),
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
    }
}

async fn sign_in_by_code(app: &TestApp, outbox: &Outbox, msisdn: &Msisdn) -> Session {
    let phone = msisdn.to_string();
    let (status, body, _) = browser(
        app,
        None,
        Method::POST,
        "/api/v1/auth/codes",
        Some(json!({"phone": phone})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    app.codes_sent().await;
    let code = outbox.last_code(msisdn);
    let (status, body, headers) = browser(
        app,
        None,
        Method::POST,
        "/api/v1/auth/sessions",
        Some(json!({"phone": phone, "code": code})),
    )
    .await;
    session_of(status, &body, &headers)
}

/// A phone holding passkeys: the software passkey, plus what makes a credential discoverable
/// and which the software passkey does not do itself — keeping the account (user handle) of
/// each key, choosing the key when the site does not name one, and returning the user handle
/// with the assertion.
struct Phone {
    authenticator: WebauthnAuthenticator<SoftPasskey>,
    /// `(credential id, user handle)`, base64url, newest last.
    keys: Vec<(String, String)>,
}

impl Phone {
    fn new() -> Self {
        // `true`: the software passkey reports the user verified, as a PIN or fingerprint would.
        Self {
            authenticator: WebauthnAuthenticator::new(SoftPasskey::new(true)),
            keys: vec![],
        }
    }

    fn create(&mut self, origin: &str, mut options: Value) -> Value {
        let selection = options["publicKey"]["authenticatorSelection"].clone();
        assert_eq!(selection["residentKey"], "required", "{options}");
        assert_eq!(selection["userVerification"], "required", "{options}");
        // The software passkey refuses to be asked to keep the account; `keys` keeps it.
        options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = json!(false);
        let user = options["publicKey"]["user"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
        let credential = self
            .authenticator
            .do_registration(Url::parse(origin).unwrap(), options)
            .unwrap();
        let credential = serde_json::to_value(&credential).unwrap();
        self.keys
            .push((credential["rawId"].as_str().unwrap().to_owned(), user));
        credential
    }

    fn get(&mut self, origin: &str, mut options: Value) -> Value {
        assert_eq!(options["mediation"], "conditional", "{options}");
        let allowed = &options["publicKey"]["allowCredentials"];
        assert!(
            allowed.as_array().is_none_or(|a| a.is_empty()),
            "no account is named: {options}"
        );
        let (id, user) = self.keys.last().unwrap().clone();
        options["publicKey"]["allowCredentials"] = json!([{"type": "public-key", "id": id}]);
        let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
        let assertion = self
            .authenticator
            .do_authentication(Url::parse(origin).unwrap(), options)
            .unwrap();
        let mut assertion = serde_json::to_value(&assertion).unwrap();
        assertion["response"]["userHandle"] = json!(user);
        assertion
    }
}

/// Registers a passkey on `phone` for the signed-in subscriber; answers the new passkey.
async fn register(
    app: &TestApp,
    session: &Session,
    phone: &mut Phone,
    label: Option<&str>,
) -> Value {
    let (status, start, _) = browser(
        app,
        Some(session),
        Method::POST,
        "/api/v1/auth/passkeys/registrations",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{start}");
    let credential = phone.create(ORIGIN, start["options"].clone());
    let uri = format!(
        "/api/v1/auth/passkeys/registrations/{}",
        start["ceremony"].as_str().unwrap()
    );
    let (status, passkey, _) = browser(
        app,
        Some(session),
        Method::POST,
        &uri,
        Some(json!({"credential": credential, "label": label})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{passkey}");
    passkey
}

/// Starts a passkey sign-in; answers the ceremony's URL and the options.
async fn start_sign_in(app: &TestApp) -> (String, Value) {
    let (status, start, _) = browser(
        app,
        None,
        Method::POST,
        "/api/v1/auth/passkeys/sign-ins",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{start}");
    let uri = format!(
        "/api/v1/auth/passkeys/sign-ins/{}",
        start["ceremony"].as_str().unwrap()
    );
    (uri, start["options"].clone())
}

async fn finish_sign_in(
    app: &TestApp,
    uri: &str,
    assertion: Value,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    browser(
        app,
        None,
        Method::POST,
        uri,
        Some(json!({"credential": assertion})),
    )
    .await
}

async fn sign_in_with_passkey(
    app: &TestApp,
    phone: &mut Phone,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let (uri, options) = start_sign_in(app).await;
    let assertion = phone.get(ORIGIN, options);
    finish_sign_in(app, &uri, assertion).await
}

async fn lines_seen(app: &TestApp, session: &Session) -> Vec<String> {
    let (status, page, _) = browser(app, Some(session), Method::GET, "/api/v1/lines", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["msisdn"].as_str().unwrap().to_owned())
        .collect()
}

async fn stored_counter(app: &TestApp) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    let credential: String = sqlx::query_scalar("SELECT credential FROM passkeys")
        .fetch_one(&pool)
        .await
        .unwrap();
    let credential: Value = serde_json::from_str(&credential).unwrap();
    credential["cred"]["counter"]
        .as_i64()
        .unwrap_or_else(|| panic!("no counter in {credential}"))
}

both! {
    async fn a_subscriber_adds_a_passkey_and_signs_in_with_it_alone(app: TestApp) {
        let mut app = app;
        let outbox = with_passkeys(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let (theirs, _) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        let mut phone = Phone::new();
        let passkey = register(&app, &session, &mut phone, Some("Phone")).await;
        assert_eq!(passkey["label"], "Phone");
        assert!(passkey["last_used_at"].is_null());

        let (status, _, _) = browser(&app, Some(&session), Method::DELETE, "/api/v1/auth/sessions/current", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(browser(&app, Some(&session), Method::GET, "/api/v1/lines", None).await.0, StatusCode::UNAUTHORIZED);

        let (status, body, headers) = sign_in_with_passkey(&app, &mut phone).await;
        let session = session_of(status, &body, &headers);
        assert_eq!(lines_seen(&app, &session).await, vec![mine.to_string()]);
        let (status, _, _) = browser(&app, Some(&session), Method::GET, &format!("/api/v1/lines/{theirs}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The sign-in is remembered on the passkey, and its counter moves on with each use.
        let (status, list, _) = browser(&app, Some(&session), Method::GET, "/api/v1/auth/passkeys", None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["passkeys"].as_array().unwrap().len(), 1);
        assert_eq!(list["passkeys"][0]["id"], passkey["id"]);
        assert!(list["passkeys"][0]["last_used_at"].is_string(), "{list}");
        let first = stored_counter(&app).await;
        assert!(first > 0);
        let (status, body, _) = sign_in_with_passkey(&app, &mut phone).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(stored_counter(&app).await > first);
    }

    async fn a_passkey_is_both_factors_for_an_account_with_totp(app: TestApp) {
        let mut app = app;
        let outbox = with_passkeys(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        let (status, body, _) = browser(&app, Some(&session), Method::POST, "/api/v1/auth/totp", None).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let url = body["otpauth_url"].as_str().unwrap();
        let secret = url.split("secret=").nth(1).unwrap().split('&').next().unwrap();
        let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30,
            totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().unwrap(), None, "x".into()).unwrap();
        let first = totp.generate(app.now().as_second() as u64);
        let (status, body, _) = browser(&app, Some(&session), Method::POST, "/api/v1/auth/totp/confirmation", Some(json!({"totp_code": first}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        // The code alone no longer signs in...
        app.clock.advance(SignedDuration::from_mins(16));
        let phone_number = mine.to_string();
        browser(&app, None, Method::POST, "/api/v1/auth/codes", Some(json!({"phone": phone_number}))).await;
        app.codes_sent().await;
        let code = outbox.last_code(&mine);
        let (status, body, _) = browser(&app, None, Method::POST, "/api/v1/auth/sessions", Some(json!({"phone": phone_number, "code": code}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "totp_code");
        // ...a passkey, which checked its user, does.
        let mut phone = Phone::new();
        register(&app, &session, &mut phone, None).await;
        let (status, body, headers) = sign_in_with_passkey(&app, &mut phone).await;
        let session = session_of(status, &body, &headers);
        assert_eq!(lines_seen(&app, &session).await, vec![mine.to_string()]);
    }

    async fn a_sign_in_ceremony_works_once_and_not_after_five_minutes(app: TestApp) {
        let mut app = app;
        let outbox = with_passkeys(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        let mut phone = Phone::new();
        register(&app, &session, &mut phone, None).await;

        // The same answer twice: the second is refused.
        let (uri, options) = start_sign_in(&app).await;
        let assertion = phone.get(ORIGIN, options);
        let (status, body, _) = finish_sign_in(&app, &uri, assertion.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body, headers) = finish_sign_in(&app, &uri, assertion.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "ceremony");
        assert!(body["detail"].as_str().unwrap().contains("used already"), "{body}");
        assert!(headers.get(header::SET_COOKIE).is_none());
        // Nor does it fit another ceremony, whose challenge it did not sign.
        let (other, _) = start_sign_in(&app).await;
        let (status, body, _) = finish_sign_in(&app, &other, assertion).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "credential");

        // An answer after five minutes is refused, and the ceremony is spent.
        let (uri, options) = start_sign_in(&app).await;
        let assertion = phone.get(ORIGIN, options);
        app.clock.advance(SignedDuration::from_mins(5) + SignedDuration::from_secs(1));
        let (status, body, _) = finish_sign_in(&app, &uri, assertion.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("expired"), "{body}");
        // An unknown ceremony is refused too.
        let (status, body, _) = finish_sign_in(&app, "/api/v1/auth/passkeys/sign-ins/nothing", assertion).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "ceremony");
    }

    async fn an_assertion_made_for_another_origin_is_refused(app: TestApp) {
        let mut app = app;
        let outbox = with_passkeys(&mut app);
        let (mine, _) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        let mut phone = Phone::new();
        register(&app, &session, &mut phone, None).await;
        let counter = stored_counter(&app).await;

        // A page on another host under the same domain asks the passkey to sign our challenge.
        let (uri, options) = start_sign_in(&app).await;
        let assertion = phone.get("https://evil.portal.simrenew.test", options);
        let (status, body, headers) = finish_sign_in(&app, &uri, assertion).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "credential");
        assert!(body["detail"].as_str().unwrap().contains("another site"), "{body}");
        assert!(headers.get(header::SET_COOKIE).is_none());
        assert_eq!(stored_counter(&app).await, counter, "nothing but the ceremony changed");

        // An answer that names another account than the passkey's is refused.
        let (uri, options) = start_sign_in(&app).await;
        let mut assertion = phone.get(ORIGIN, options);
        assertion["response"]["userHandle"] = json!("AAAAAAAAAAAAAAAAAAAAAA");
        let (status, body, _) = finish_sign_in(&app, &uri, assertion).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "credential");
        let (_, list, _) = browser(&app, Some(&session), Method::GET, "/api/v1/auth/passkeys", None).await;
        assert!(list["passkeys"][0]["last_used_at"].is_null(), "{list}");
    }

    async fn a_removed_passkey_no_longer_signs_in_and_only_its_owner_removes_it(app: TestApp) {
        let mut app = app;
        let outbox = with_passkeys(&mut app);
        let (mine, owner) = app.subscriber_line().await;
        let (theirs, _) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        let mut phone = Phone::new();
        let passkey = register(&app, &session, &mut phone, None).await;
        assert!(passkey["label"].as_str().unwrap().starts_with("Passkey added on "), "{passkey}");
        let uri = format!("/api/v1/auth/passkeys/{}", passkey["id"]);

        // Another subscriber is told there is no such passkey, and it stays.
        let other = sign_in_by_code(&app, &outbox, &theirs).await;
        let (status, body, _) = browser(&app, Some(&other), Method::DELETE, &uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (_, list, _) = browser(&app, Some(&other), Method::GET, "/api/v1/auth/passkeys", None).await;
        assert_eq!(list["passkeys"], json!([]));
        let (status, body, _) = sign_in_with_passkey(&app, &mut phone).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let (status, body, _) = browser(&app, Some(&session), Method::DELETE, &uri, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, list, _) = browser(&app, Some(&session), Method::GET, "/api/v1/auth/passkeys", None).await;
        assert_eq!(list["passkeys"], json!([]));
        let (status, body, headers) = sign_in_with_passkey(&app, &mut phone).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["field"], "credential");
        assert!(headers.get(header::SET_COOKIE).is_none());

        // Adding and removing are recorded on the subscriber's chain of the audit log.
        let (records, _) = app.app.store.audit_log().await.unwrap();
        let chain = format!("subscriber:{owner}");
        let subject = format!("passkey:{}", passkey["id"]);
        let actions: Vec<&str> = records
            .iter()
            .filter(|r| r.chain == chain && r.subject == subject && r.actor == chain)
            .map(|r| r.action.as_str())
            .collect();
        assert_eq!(actions, ["passkey.add", "passkey.remove"]);
        let report = app.app.verify_audit().await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }

    async fn only_a_signed_in_subscriber_registers_passkeys(app: TestApp) {
        let mut app = app;
        let outbox = with_passkeys(&mut app);
        let start = "/api/v1/auth/passkeys/registrations";
        let (status, body, _) = browser(&app, None, Method::POST, start, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["status"], 401);
        assert_eq!(browser(&app, None, Method::GET, "/api/v1/auth/passkeys", None).await.0, StatusCode::UNAUTHORIZED);

        // Staff and partners have no passkeys here.
        let (status, body) = app.request_as(Some(&app.token), Method::POST, start, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = app
            .request_as(Some(&app.token), Method::POST, &format!("{start}/anything"), Some(json!({"credential": {}})))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A session without its CSRF token is refused; another subscriber's ceremony is unknown.
        let (mine, _) = app.subscriber_line().await;
        let (theirs, _) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        let no_csrf = Session { cookie: session.cookie.clone(), csrf: "wrong".into() };
        assert_eq!(browser(&app, Some(&no_csrf), Method::POST, start, None).await.0, StatusCode::FORBIDDEN);
        let (status, started, _) = browser(&app, Some(&session), Method::POST, start, None).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let mut phone = Phone::new();
        let credential = phone.create(ORIGIN, started["options"].clone());
        let uri = format!("{start}/{}", started["ceremony"].as_str().unwrap());
        let other = sign_in_by_code(&app, &outbox, &theirs).await;
        let (status, body, _) = browser(&app, Some(&other), Method::POST, &uri, Some(json!({"credential": credential.clone()}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["field"], "ceremony");
        // A malformed answer names the field.
        let (status, body, _) = browser(&app, Some(&session), Method::POST, &uri, Some(json!({"credential": {"id": 1}}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "credential");
        // The owner finishes it, once.
        let (status, body, _) = browser(&app, Some(&session), Method::POST, &uri, Some(json!({"credential": credential.clone()}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body, _) = browser(&app, Some(&session), Method::POST, &uri, Some(json!({"credential": credential}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["field"], "ceremony");
    }

    async fn passkeys_answer_409_when_the_site_has_no_public_url(app: TestApp) {
        let mut app = app;
        let outbox = Arc::new(Outbox::default());
        app.router = simrenew_http::router(AppState::new(app.app.clone().with_sms(outbox.clone())));
        let (mine, _) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        for (session, uri) in [
            (None, "/api/v1/auth/passkeys/sign-ins"),
            (Some(&session), "/api/v1/auth/passkeys/registrations"),
        ] {
            let (status, body, _) = browser(&app, session, Method::POST, uri, None).await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert!(body["detail"].as_str().unwrap().contains("SIMRENEW_PUBLIC_URL"), "{body}");
        }

        let (status, doc) = app.get("/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        for (path, method) in [
            ("/api/v1/auth/passkeys/registrations", "post"),
            ("/api/v1/auth/passkeys/registrations/{ceremony}", "post"),
            ("/api/v1/auth/passkeys", "get"),
            ("/api/v1/auth/passkeys/{id}", "delete"),
            ("/api/v1/auth/passkeys/sign-ins", "post"),
            ("/api/v1/auth/passkeys/sign-ins/{ceremony}", "post"),
        ] {
            assert!(doc["paths"][path][method]["responses"]["4XX"].is_object(), "{method} {path}");
        }
    }

    async fn passkeys_are_exported_and_erased_with_their_subscriber(app: TestApp) {
        let mut app = app;
        let outbox = with_passkeys(&mut app);
        let (mine, subscriber) = app.subscriber_line().await;
        let session = sign_in_by_code(&app, &outbox, &mine).await;
        let mut phone = Phone::new();
        register(&app, &session, &mut phone, Some("Laptop")).await;

        let (status, export) = app.get(&format!("/api/v1/subscribers/{subscriber}/export")).await;
        assert_eq!(status, StatusCode::OK, "{export}");
        assert_eq!(export["passkeys"][0]["label"], "Laptop");
        assert!(export["passkeys"][0]["credential_id"].is_string(), "{export}");

        let (status, _, _) = app
            .request(Method::POST, &format!("/api/v1/subscribers/{subscriber}/erasure"), None, &[])
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, export) = app.get(&format!("/api/v1/subscribers/{subscriber}/export")).await;
        assert_eq!(export["passkeys"], json!([]));
        let (status, body, _) = sign_in_with_passkey(&app, &mut phone).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
}

both! {
    async fn starting_passkey_sign_ins_is_rate_limited_per_client(app: TestApp) {
        let mut app = app;
        with_passkeys(&mut app);
        for _ in 0..simrenew_app::identity::passkeys::SIGN_INS_PER_CLIENT {
            start_sign_in(&app).await;
        }
        let (status, problem, _) = browser(&app, None, Method::POST, "/api/v1/auth/passkeys/sign-ins", None).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
        app.clock.advance(jiff::SignedDuration::from_mins(16));
        start_sign_in(&app).await;
    }
}
