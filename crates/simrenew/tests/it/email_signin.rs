//! Sign-in by a code sent by e-mail to the address on record with the brand: in process
//! through a recording gateway, and end to end through `simrenew serve` and a real SMTP
//! conversation with a relay in the test.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use simrenew_app::identity::signin::MailGateway;
use simrenew_domain::identifiers::Email;
use simrenew_http::AppState;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::{both, TestApp};

/// Messages "sent", as (to, subject, text).
#[derive(Default)]
struct Mailbox(Mutex<Vec<(String, String, String)>>);

#[async_trait]
impl MailGateway for Mailbox {
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push((to.to_string(), subject.to_owned(), text.to_owned()));
        Ok(())
    }
}

impl Mailbox {
    fn sent(&self) -> Vec<(String, String, String)> {
        self.0.lock().unwrap().clone()
    }
}

/// The first 6-digit word of a message.
pub(crate) fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text:?}"))
        .to_owned()
}

fn with_mail(app: &mut TestApp) -> Arc<Mailbox> {
    let mailbox = Arc::new(Mailbox::default());
    let with = app.app.clone().with_mail(mailbox.clone());
    app.router = simrenew_http::router(AppState::new(with));
    mailbox
}

async fn anonymous(app: &TestApp, uri: &str, body: Value) -> (StatusCode, Value) {
    let (status, body, _) = app.anonymous(uri, body).await;
    (status, body)
}

/// A subscriber of the fixture brand with `email` on record, and a line of theirs.
async fn subscriber_with(app: &TestApp, email: &str) -> String {
    app.subscriber_line_with_email(email).await.0.to_string()
}

both! {
    async fn a_subscriber_signs_in_with_a_code_sent_by_email(app: TestApp) {
        let mut app = app;
        let mailbox = with_mail(&mut app);
        let mine = subscriber_with(&app, "louise.maes@mail.example").await;

        // The address is matched whatever the case of its domain.
        let ask = json!({"email": "louise.maes@MAIL.example", "brand": "test"});
        let (status, body) = anonymous(&app, "/api/v1/auth/codes", ask.clone()).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let sent = mailbox.sent();
        assert_eq!(sent.len(), 1);
        let (to, subject, text) = &sent[0];
        assert_eq!(to, "louise.maes@mail.example");
        assert!(subject.contains(&app.brand.name), "{subject}");
        // Nothing to click: a code-only message cannot be imitated into a phishing link.
        assert!(!text.contains("http"), "{text}");
        let code = code_in(text);

        let (status, body) = anonymous(&app, "/api/v1/auth/sessions",
            json!({"email": "louise.maes@mail.example", "brand": "test", "code": "000000"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        // A code sent by e-mail does not sign in through the phone form.
        let (status, _) = anonymous(&app, "/api/v1/auth/sessions", json!({"phone": mine, "code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body, headers) = app
            .anonymous("/api/v1/auth/sessions", json!({"email": "louise.maes@mail.example", "brand": "test", "code": code}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
        let req = Request::builder()
            .uri("/api/v1/lines")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let (status, page, _) = app.send(req).await;
        assert_eq!(status, StatusCode::OK);
        let numbers: Vec<_> = page["items"].as_array().unwrap().iter().map(|l| l["msisdn"].clone()).collect();
        assert_eq!(numbers, vec![json!(mine)]);

        // Used once only.
        let (status, _) = anonymous(&app, "/api/v1/auth/sessions",
            json!({"email": "louise.maes@mail.example", "brand": "test", "code": code})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn unknown_or_shared_addresses_get_the_same_answer_and_no_mail(app: TestApp) {
        let mut app = app;
        let mailbox = with_mail(&mut app);
        subscriber_with(&app, "shared@mail.example").await;
        subscriber_with(&app, "shared@mail.example").await;
        let (known_status, known) = anonymous(&app, "/api/v1/auth/codes",
            json!({"email": "shared@mail.example", "brand": "test"})).await;
        let (status, unknown) = anonymous(&app, "/api/v1/auth/codes",
            json!({"email": "nobody@mail.example", "brand": "test"})).await;
        assert_eq!((known_status, &known), (status, &unknown));
        assert_eq!(status, StatusCode::ACCEPTED);
        assert!(mailbox.sent().is_empty(), "a code went to an address that is not one subscriber's");

        // Bad requests name their field.
        for (body, field) in [
            (json!({"email": "not an address", "brand": "test"}), "email"),
            (json!({"email": "louise@mail.example"}), "brand"),
            (json!({"email": "louise@mail.example", "phone": "+32470123456", "brand": "test"}), "email"),
            (json!({"phone": "+32470123456", "brand": "test"}), "brand"),
            (json!({}), "phone"),
        ] {
            let (status, problem) = anonymous(&app, "/api/v1/auth/codes", body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
            assert_eq!(problem["field"], field, "{body}: {problem}");
        }
        let (status, problem) = anonymous(&app, "/api/v1/auth/codes",
            json!({"email": "louise@mail.example", "brand": "nosuchbrand"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        assert_eq!(problem["field"], "brand");
    }

    async fn codes_by_email_are_rate_limited_per_address(app: TestApp) {
        let mut app = app;
        let mailbox = with_mail(&mut app);
        subscriber_with(&app, "busy@mail.example").await;
        let ask = json!({"email": "busy@mail.example", "brand": "test"});
        for _ in 0..simrenew_app::identity::signin::CODES_PER_NUMBER {
            let (status, body) = anonymous(&app, "/api/v1/auth/codes", ask.clone()).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        }
        let (status, body) = anonymous(&app, "/api/v1/auth/codes", ask.clone()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(mailbox.sent().len(), simrenew_app::identity::signin::CODES_PER_NUMBER as usize);
        app.clock.advance(jiff::SignedDuration::from_mins(16));
        let (status, _) = anonymous(&app, "/api/v1/auth/codes", ask).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
}

/// A mail relay that accepts every message and hands each one over as (recipient, data).
pub(crate) async fn smtp_relay() -> (u16, tokio::sync::mpsc::UnboundedReceiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 relay.test ESMTP\r\n").await.unwrap();
                let mut rcpt = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-relay.test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt = line[8..].trim().trim_matches(['<', '>']).to_owned();
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        write.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        let _ = tx.send((rcpt.clone(), data));
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

both! {
    async fn serve_sends_the_code_through_the_smtp_relay(app: TestApp) {
        let (relay, mut received) = smtp_relay().await;
        subscriber_with(&app, "relay.user@mail.example").await;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
            .args(["--database-url", &app.cli_url, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("SIMRENEW_LOG", "warn")
            .env("SIMRENEW_SMTP_URL", format!("smtp://127.0.0.1:{relay}"))
            .env("SIMRENEW_MAIL_FROM", "Test Mobile <no-reply@test.example>")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let mut up = false;
        for _ in 0..300 {
            if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let result = async {
            assert!(up, "simrenew serve did not start");
            let r = http.post(format!("{base}/api/v1/auth/codes"))
                .json(&json!({"email": "relay.user@mail.example", "brand": "test"}))
                .send().await.unwrap();
            assert_eq!(r.status().as_u16(), 202, "{}", r.text().await.unwrap());
            let (to, data) = tokio::time::timeout(Duration::from_secs(20), received.recv())
                .await
                .expect("no message reached the relay")
                .unwrap();
            assert_eq!(to, "relay.user@mail.example");
            assert!(data.contains("From: \"Test Mobile\" <no-reply@test.example>")
                || data.contains("From: Test Mobile <no-reply@test.example>"), "{data}");
            let body = data.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
            let code = code_in(&body);
            let r = http.post(format!("{base}/api/v1/auth/sessions"))
                .json(&json!({"email": "relay.user@mail.example", "brand": "test", "code": code}))
                .send().await.unwrap();
            assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
        };
        let outcome = tokio::time::timeout(Duration::from_secs(60), result).await;
        let _ = child.kill();
        let _ = child.wait();
        outcome.expect("the e-mail sign-in did not finish in time");
    }
}
