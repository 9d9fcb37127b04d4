//! The server's logs, at their most verbose, hold no secret: no API key, sign-in code, session
//! or CSRF token, or identity document number. The SMS gateway and SMTP adapters are exercised
//! for real against a Twilio-shaped server and a mail relay in the test.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::line::LineState;

use crate::support::{both, TestApp};

type Sent = Arc<Mutex<Vec<(String, String)>>>;

/// A Twilio-shaped SMS API: checks the account's credentials and keeps each form body.
async fn sms_gateway() -> (String, Sent) {
    let sent: Sent = Arc::default();
    let router = Router::new()
        .route(
            "/2010-04-01/Accounts/AC123/Messages.json",
            post(
                |State(sent): State<Sent>, headers: HeaderMap, body: String| async move {
                    // Basic AC123:secret-sms-token
                    if headers.get("authorization").and_then(|v| v.to_str().ok())
                        != Some("Basic QUMxMjM6c2VjcmV0LXNtcy10b2tlbg==")
                    {
                        return StatusCode::UNAUTHORIZED;
                    }
                    let auth = headers["authorization"].to_str().unwrap().to_owned();
                    sent.lock().unwrap().push((auth, body));
                    StatusCode::CREATED
                },
            ),
        )
        .with_state(sent.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, sent)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(app: &TestApp, sms: &str, smtp: u16, dir: &std::path::Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.join("server.log");
    let child = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .args(["--database-url", &app.cli_url, "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .env("SIMRENEW_LOG", "trace")
        .env("SIMRENEW_SMS_BASE_URL", sms)
        .env("SIMRENEW_SMS_ACCOUNT", "AC123")
        .env("SIMRENEW_SMS_TOKEN", "secret-sms-token")
        .env("SIMRENEW_SMS_FROM", "+32470000000")
        .env("SIMRENEW_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"))
        .env("SIMRENEW_MAIL_FROM", "no-reply@test.example")
        .env(
            "SIMRENEW_DOCUMENT_KEY",
            "a document key of at least thirty-two bytes",
        )
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the server did not start: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

both! {
    async fn secrets_never_reach_the_logs(app: TestApp) {
        let dir = tempfile::tempdir().unwrap();
        let (sms, sent) = sms_gateway().await;
        let (smtp, mut mails) = crate::email_signin::smtp_relay().await;
        let server = start(&app, &sms, smtp, dir.path()).await;
        let http = reqwest::Client::new();
        let base = &server.base;

        // An API key in use.
        let (_, key) = app
            .app
            .create_api_key("test", "logs", &KeyOwner::Partner { brand: app.brand.id, scopes: vec![simrenew_domain::access::Scope::Catalog] })
            .await
            .unwrap();
        let res = http.get(format!("{base}/api/v1/plans")).bearer_auth(&key).send().await.unwrap();
        assert_eq!(res.status(), 200);

        // A subscriber signs in with a code that went through the SMS gateway.
        let (msisdn, _) = app.subscriber_line().await;
        let res = http
            .post(format!("{base}/api/v1/auth/codes"))
            .json(&json!({"phone": msisdn.to_string()}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        // The message goes out after the answer.
        let mut form = None;
        for _ in 0..200 {
            form = sent.lock().unwrap().last().map(|(_, f)| f.clone());
            if form.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let form = form.expect("no message reached the SMS gateway");
        assert!(form.contains(&format!("To=%2B{}", &msisdn.as_str()[1..])), "{form}");
        assert!(form.contains("From=%2B32470000000"), "{form}");
        let code: String = form
            .split("Body=")
            .nth(1)
            .unwrap()
            .split('+')
            .map(|w| w.trim_end_matches('.'))
            .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .unwrap()
            .to_owned();
        let res = http
            .post(format!("{base}/api/v1/auth/sessions"))
            .json(&json!({"phone": msisdn.to_string(), "code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let session = cookie.split('=').nth(1).unwrap().to_owned();
        let body: Value = res.json().await.unwrap();
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();
        let res = http
            .get(format!("{base}/api/v1/lines/{msisdn}"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);

        // A code sent by e-mail.
        app.subscriber_line_with_email("logs@mail.example").await;
        let res = http
            .post(format!("{base}/api/v1/auth/codes"))
            .json(&json!({"email": "logs@mail.example", "brand": "test"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let (_, mail) = tokio::time::timeout(Duration::from_secs(20), mails.recv()).await.unwrap().unwrap();
        let mailed_code = crate::email_signin::code_in(mail.split("\n\n").nth(1).unwrap());

        // A document number, at identification.
        let pending = app.line_in_state(LineKind::VirtualSim, 0, None, LineState::PendingIdentification).await;
        let document = "XK7749302";
        let res = http
            .post(format!("{base}/api/v1/lines/{pending}/identification"))
            .bearer_auth(&app.token)
            .json(&json!({"method": "passport_at_store", "document_number": document, "name": "Amira El Amrani", "language": "fr"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

        drop(server);
        let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
        assert!(log.contains("serving the API"), "{log}");
        let key_secret = key.rsplit('_').next().unwrap();
        let admin_secret = app.token.rsplit('_').next().unwrap();
        for (what, secret) in [
            ("API key", key_secret),
            ("API key", admin_secret),
            ("sign-in code", code.as_str()),
            ("e-mailed sign-in code", mailed_code.as_str()),
            ("session token", session.as_str()),
            ("CSRF token", csrf.as_str()),
            ("document number", document),
            ("SMS gateway token", "secret-sms-token"),
        ] {
            assert!(!log.contains(secret), "the {what} is in the log");
        }
    }
}
