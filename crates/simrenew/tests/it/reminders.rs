//! Reminders before a line lapses: on the brand's schedule, once per line, expiry, step and
//! channel, SMS outside quiet hours, and a verification code that says the message is ours. In
//! process through recording gateways, and end to end through `simrenew worker` and an SMS
//! gateway in the test.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde_json::{json, Value};
use simrenew_app::identity::signin::{MailGateway, SmsGateway};
use simrenew_app::notifications::{MessageTexts, ReminderFacts, WordedMessage};
use simrenew_app::sales::ports::NewLine;
use simrenew_domain::identifiers::{Email, Msisdn};
use simrenew_domain::line::{LineIdentity, LineState};
use simrenew_domain::money::Money;
use simrenew_http::AppState;

use crate::support::{both, days, TestApp};

/// Messages handed to a gateway, as (to, subject, text); refuses while `refuse` is set.
#[derive(Default)]
pub(crate) struct Outbox {
    sent: Mutex<Vec<(String, String, String)>>,
    refuse: std::sync::atomic::AtomicBool,
}

impl Outbox {
    fn take(&self, to: String, subject: &str, text: &str) -> Result<(), String> {
        if self.refuse.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("gateway down".into());
        }
        self.sent
            .lock()
            .unwrap()
            .push((to, subject.to_owned(), text.to_owned()));
        Ok(())
    }

    pub(crate) fn sent(&self) -> Vec<(String, String, String)> {
        self.sent.lock().unwrap().clone()
    }

    pub(crate) fn to(&self, to: &str) -> Vec<(String, String, String)> {
        self.sent().into_iter().filter(|m| m.0 == to).collect()
    }
}

struct Mail(Arc<Outbox>);
struct Sms(Arc<Outbox>);

#[async_trait]
impl MailGateway for Mail {
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), String> {
        self.0.take(to.to_string(), subject, text)
    }
}

#[async_trait]
impl SmsGateway for Sms {
    async fn send(&self, to: &Msisdn, text: &str) -> Result<(), String> {
        self.0.take(to.to_string(), "", text)
    }
}

/// Words every fact a test looks for, plainly.
struct Plain;

impl MessageTexts for Plain {
    fn reminder(&self, f: &ReminderFacts<'_>) -> WordedMessage {
        WordedMessage {
            html: None,
            subject: format!("{} step {}", f.brand.name, f.step),
            text: format!(
                "lang={} to={} number={} expires={} step={} days={} code={} check={}",
                f.language,
                f.subscriber_name,
                f.msisdn,
                f.expires_at,
                f.step,
                f.days_left,
                f.code.display(),
                f.check_url
            ),
        }
    }
}

pub(crate) struct Gateways {
    pub(crate) mail: Arc<Outbox>,
    pub(crate) sms: Arc<Outbox>,
}

pub(crate) fn with_gateways(app: &mut TestApp) -> Gateways {
    let (mail, sms) = (Arc::new(Outbox::default()), Arc::new(Outbox::default()));
    app.app = app
        .app
        .clone()
        .with_mail(Arc::new(Mail(mail.clone())))
        .with_sms(Arc::new(Sms(sms.clone())))
        .with_message_texts(Arc::new(Plain));
    app.router = simrenew_http::router(AppState::new(app.app.clone()));
    Gateways { mail, sms }
}

/// A line of a new subscriber speaking `language`, expiring at `expires_at`.
async fn line(app: &TestApp, email: Option<&str>, language: &str, expires_at: Timestamp) -> Msisdn {
    subscriber_line(app, email, language, expires_at).await.0
}

pub(crate) async fn subscriber_line(
    app: &TestApp,
    email: Option<&str>,
    language: &str,
    expires_at: Timestamp,
) -> (Msisdn, simrenew_domain::ids::SubscriberId) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let subscriber = app
        .db
        .insert_subscriber(app.brand.id, "Emma Peeters", email, language, app.now())
        .await
        .unwrap();
    let n = N.fetch_add(1, Ordering::SeqCst);
    let msisdn = Msisdn::parse(&format!("+3249{:07}", 1_000_000 + n)).unwrap();
    let mut tx = app.app.store.begin().await.unwrap();
    tx.insert_line(
        &NewLine {
            brand_id: app.brand.id,
            subscriber_id: Some(subscriber),
            msisdn: msisdn.clone(),
            identity: LineIdentity::VirtualSim,
            state: LineState::Active,
            expires_at: Some(expires_at),
            grace_until: Some(expires_at.checked_add(days(7)).unwrap()),
            credit: Money::eur(0),
        },
        app.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (msisdn, subscriber)
}

fn at(s: &str) -> Timestamp {
    s.parse::<jiff::Zoned>().unwrap().timestamp()
}

/// The verification code in a message worded by [`Plain`].
fn code_of(text: &str) -> String {
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("code="))
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_owned()
}

async fn check(app: &TestApp, code: &str) -> (StatusCode, Value) {
    let (status, body, _) = app
        .anonymous("/api/v1/messages/check", json!({ "code": code }))
        .await;
    (status, body)
}

both! {
    async fn each_step_reaches_the_subscriber_once_by_each_channel(app: TestApp) {
        let mut app = app;
        let g = with_gateways(&mut app);
        // The fixture brand reminds 7 days and 1 day before expiry; it is 15 January, 10:00.
        let expiry = at("2027-01-25T12:00[Europe/Brussels]");
        let msisdn = line(&app, Some("emma@mail.example"), "fr", expiry).await;
        let no_email = line(&app, None, "nl", expiry).await;

        let r = app.app.run_reminders().await.unwrap();
        assert_eq!((r.planned, r.sent), (0, 0), "ten days before, nothing is due");

        app.clock.set(at("2027-01-18T12:00[Europe/Brussels]"));
        let r = app.app.run_reminders().await.unwrap();
        assert_eq!((r.planned, r.sent), (3, 3), "{r:?}");
        let mails = g.mail.to("emma@mail.example");
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].1, "Test Mobile step 7");
        assert!(mails[0].2.contains("lang=fr"), "{}", mails[0].2);
        assert!(mails[0].2.contains("check=https://test.example/check"), "{}", mails[0].2);
        assert_eq!(g.sms.to(msisdn.as_str()).len(), 1);
        assert_eq!(g.sms.to(no_email.as_str()).len(), 1, "no e-mail: SMS only");
        assert_eq!(g.mail.sent().len(), 1);

        // Again, and again an hour later: nothing more.
        app.app.run_reminders().await.unwrap();
        app.clock.advance(jiff::SignedDuration::from_hours(1));
        let r = app.app.run_reminders().await.unwrap();
        assert_eq!((r.planned, r.sent), (0, 0));
        assert_eq!(g.mail.sent().len() + g.sms.sent().len(), 3);

        // The day before, the next step.
        app.clock.set(at("2027-01-24T12:00[Europe/Brussels]"));
        let r = app.app.run_reminders().await.unwrap();
        assert_eq!(r.sent, 3, "{r:?}");
        assert_eq!(g.mail.to("emma@mail.example")[1].1, "Test Mobile step 1");

        // Every code checks, and says what the message was about.
        let code = code_of(&g.mail.to("emma@mail.example")[1].2);
        let (s, checked) = check(&app, &code.to_lowercase().replace('-', " ")).await;
        assert_eq!(s, StatusCode::OK, "{checked}");
        assert_eq!(checked["genuine"], true);
        assert_eq!(checked["brand"], "Test Mobile");
        assert_eq!(checked["channel"], "email");
        assert_eq!(checked["portal_url"], "https://test.example");
        let shown = checked["line"].as_str().unwrap();
        assert!(shown.ends_with(&msisdn.as_str()[msisdn.as_str().len() - 3..]), "{shown}");
        assert!(!shown.contains(&msisdn.as_str()[3..8]), "the number is not shown whole: {shown}");
        assert_eq!(checked["expires_at"], "2027-01-25T12:00:00+01:00");
        let sms_code = code_of(&g.sms.to(no_email.as_str())[0].2);
        let (s, checked) = check(&app, &sms_code).await;
        assert_eq!(s, StatusCode::OK, "{checked}");
        assert_eq!(checked["channel"], "sms");

        // A code we never sent, and one that is no code at all.
        let (s, unknown) = check(&app, "00000-00000").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(unknown["field"], "code");
        let (s, bad) = check(&app, "not a code").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(bad["field"], "code");
    }

    async fn a_step_of_more_lines_than_a_statement_reads_is_planned_whole_and_once(app: TestApp) {
        use simrenew_app::notifications::StepPlan;
        use simrenew_domain::reminder::step_windows;
        let mut app = app;
        with_gateways(&mut app);
        // Step 7 of the fixture brand on 18 January: five lines expiring at one instant (read
        // on by line), two a day later and one beyond the window.
        let now = at("2027-01-18T12:00[Europe/Brussels]");
        app.clock.set(now);
        let same = at("2027-01-24T12:00[Europe/Brussels]");
        let mut lines = Vec::new();
        for i in 0..5 {
            lines.push(line(&app, Some(&format!("same{i}@mail.example")), "en", same).await);
        }
        let later = at("2027-01-25T11:00[Europe/Brussels]");
        for _ in 0..2 {
            lines.push(line(&app, None, "nl", later).await);
        }
        line(&app, Some("beyond@mail.example"), "en", at("2027-01-25T13:00[Europe/Brussels]")).await;
        let windows = step_windows(&app.brand.reminder_days, now, &app.brand.time_zone);
        let window = *windows.iter().find(|w| w.step == 7).unwrap();
        assert!(window.holds(same) && window.holds(later));
        let plan = StepPlan {
            brand: app.brand.id,
            window,
            now,
            email_due: Some(now),
            sms_due: Some(now),
        };
        let store = &app.app.store;
        let (mut planned, mut from, mut statements) = (0, None, 0);
        loop {
            let (new, last) = store.plan_step(&plan, LineState::Active, from, 2).await.unwrap();
            planned += new;
            statements += 1;
            match last {
                Some(l) => from = Some(l),
                None => break,
            }
        }
        assert_eq!(planned, 5 * 2 + 2, "e-mail and SMS for five, SMS for two");
        assert_eq!(statements, 4, "two lines a statement, then the window's end");
        let (again, _) = store.plan_step(&plan, LineState::Active, None, 100).await.unwrap();
        assert_eq!(again, 0, "planned once");
        // Only e-mail in this process: the lines without an address get nothing.
        let mail_only = StepPlan { sms_due: None, ..plan };
        let (mailed, _) = store.plan_step(&mail_only, LineState::Active, None, 100).await.unwrap();
        assert_eq!(mailed, 0);
        let report = app.app.run_reminders().await.unwrap();
        assert_eq!((report.planned, report.sent), (0, 12), "{report:?}");
    }

    async fn an_sms_waits_for_the_end_of_the_quiet_hours(app: TestApp) {
        let mut app = app;
        let g = with_gateways(&mut app);
        let expiry = at("2027-01-25T12:00[Europe/Brussels]");
        let msisdn = line(&app, Some("night@mail.example"), "en", expiry).await;
        // 22:30 in Brussels, inside the default quiet hours (21:00 to 08:00).
        app.clock.set(at("2027-01-18T22:30[Europe/Brussels]"));
        let r = app.app.run_reminders().await.unwrap();
        assert_eq!((r.planned, r.sent), (2, 1), "{r:?}");
        assert_eq!(g.mail.sent().len(), 1, "e-mail has no quiet hours");
        assert!(g.sms.sent().is_empty());
        app.clock.set(at("2027-01-19T07:59[Europe/Brussels]"));
        assert_eq!(app.app.run_reminders().await.unwrap().sent, 0);
        app.clock.set(at("2027-01-19T08:00[Europe/Brussels]"));
        assert_eq!(app.app.run_reminders().await.unwrap().sent, 1);
        assert_eq!(g.sms.to(msisdn.as_str()).len(), 1);
    }

    async fn a_worker_back_after_days_sends_the_current_step_only(app: TestApp) {
        let mut app = app;
        let g = with_gateways(&mut app);
        let expiry = at("2027-01-25T12:00[Europe/Brussels]");
        line(&app, Some("late@mail.example"), "de", expiry).await;
        // Nothing ran on the 18th (step 7); on the 24th only step 1 goes out.
        app.clock.set(at("2027-01-24T13:00[Europe/Brussels]"));
        let r = app.app.run_reminders().await.unwrap();
        assert_eq!(r.sent, 2, "{r:?}");
        assert!(g.mail.sent().iter().all(|m| m.1 == "Test Mobile step 1"));

        // On the 26th for a line expiring on the 31st, first seen then: step 7 is current,
        // and its message says the 5 days that are left, not the step's 7.
        let late = at("2027-01-31T12:00[Europe/Brussels]");
        line(&app, Some("later@mail.example"), "de", late).await;
        app.clock.set(at("2027-01-26T13:00[Europe/Brussels]"));
        app.app.run_reminders().await.unwrap();
        let told = g.mail.to("later@mail.example");
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(told[0].1, "Test Mobile step 7");
        assert!(told[0].2.contains("days=5 "), "{}", told[0].2);
    }

    async fn concurrent_passes_send_every_reminder_once(app: TestApp) {
        let mut app = app;
        let g = with_gateways(&mut app);
        let expiry = at("2027-01-25T12:00[Europe/Brussels]");
        for i in 0..30 {
            line(&app, Some(&format!("s{i}@mail.example")), "nl", expiry).await;
        }
        app.clock.set(at("2027-01-18T12:00[Europe/Brussels]"));
        let mut tasks = vec![];
        for _ in 0..4 {
            let a = app.app.clone();
            tasks.push(tokio::spawn(async move { a.run_reminders().await.unwrap() }));
        }
        let mut sent = 0;
        for t in tasks {
            sent += t.await.unwrap().sent;
        }
        assert_eq!(sent, 60);
        assert_eq!(g.mail.sent().len(), 30);
        assert_eq!(g.sms.sent().len(), 30);
        let mut to: Vec<String> = g.mail.sent().into_iter().map(|m| m.0).collect();
        to.sort();
        to.dedup();
        assert_eq!(to.len(), 30, "each subscriber once");
    }

    async fn a_refused_reminder_is_tried_again_then_given_up(app: TestApp) {
        let mut app = app;
        let g = with_gateways(&mut app);
        let expiry = at("2027-01-25T12:00[Europe/Brussels]");
        let msisdn = line(&app, None, "en", expiry).await;
        g.sms.refuse.store(true, std::sync::atomic::Ordering::SeqCst);
        app.clock.set(at("2027-01-18T12:00[Europe/Brussels]"));
        let r = app.app.run_reminders().await.unwrap();
        assert_eq!((r.sent, r.refused), (0, 1));
        let listed = app.app.reminders(Some(&msisdn), 10).await.unwrap();
        assert_eq!(listed[0].state.as_str(), "pending");
        assert_eq!(listed[0].last_error.as_deref(), Some("gateway down"));
        // Tried again after 5, 10 and 20 minutes; the fourth refusal gives it up.
        for wait in [5, 10, 20] {
            app.clock.advance(jiff::SignedDuration::from_mins(wait - 1));
            assert_eq!(app.app.run_reminders().await.unwrap().refused, 0, "not before {wait} min");
            app.clock.advance(jiff::SignedDuration::from_mins(1));
            assert_eq!(app.app.run_reminders().await.unwrap().refused, 1);
        }
        let listed = app.app.reminders(Some(&msisdn), 10).await.unwrap();
        assert_eq!(listed[0].state.as_str(), "failed");
        assert_eq!(listed[0].attempts, 4);
        g.sms.refuse.store(false, std::sync::atomic::Ordering::SeqCst);
        app.clock.advance(jiff::SignedDuration::from_hours(2));
        assert_eq!(app.app.run_reminders().await.unwrap().sent, 0, "given up stays given up");
    }

    async fn auto_renewed_and_erased_subscribers_get_no_reminder_before_expiry(app: TestApp) {
        let mut app = app;
        let g = with_gateways(&mut app);
        let expiry = at("2027-01-25T12:00[Europe/Brussels]");
        let auto = line(&app, Some("auto@mail.example"), "en", expiry).await;
        let (s, body, _) = app
            .request(
                axum::http::Method::PUT,
                &format!("/api/v1/lines/{auto}/auto-renew"),
                Some(json!({"enabled": true, "plan": "TEST-5GB-30D"})),
                &[],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        app.clock.set(at("2027-01-18T12:00[Europe/Brussels]"));
        app.app.run_reminders().await.unwrap();
        assert!(g.mail.sent().is_empty() && g.sms.sent().is_empty(), "auto-renew renews it");

        // An SMS waiting out the night is not sent once its subscriber is erased.
        let (erased, subscriber) = subscriber_line(&app, None, "en", expiry).await;
        app.clock.set(at("2027-01-18T23:00[Europe/Brussels]"));
        let r = app.app.run_reminders().await.unwrap();
        assert_eq!((r.planned, r.sent), (1, 0), "{r:?}");
        let (s, body) = app
            .post(&format!("/api/v1/subscribers/{}/erasure", subscriber.0), json!({}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        app.clock.set(at("2027-01-19T09:00[Europe/Brussels]"));
        assert_eq!(app.app.run_reminders().await.unwrap().sent, 0);
        assert!(g.sms.to(erased.as_str()).is_empty());

        // A message check is counted per client: guessing codes stops.
        let mut last = StatusCode::OK;
        for _ in 0..25 {
            last = check(&app, "00000-00000").await.0;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }
}

/// A Twilio-shaped SMS gateway in the test: the form of every message posted to it, and a
/// switch that makes it hold requests without answering (a gateway that hangs).
#[derive(Clone, Default)]
struct SmsGatewayServer {
    received: Arc<Mutex<Vec<std::collections::HashMap<String, String>>>>,
    hang: Arc<std::sync::atomic::AtomicBool>,
}

impl SmsGatewayServer {
    /// Serves on a free port of 127.0.0.1; answers its base URL.
    async fn start(&self) -> String {
        use axum::routing::post;
        let this = self.clone();
        let app = axum::Router::new().route(
            "/2010-04-01/Accounts/AC1/Messages.json",
            post(
                move |axum::Form(form): axum::Form<std::collections::HashMap<String, String>>| {
                    let this = this.clone();
                    async move {
                        this.received.lock().unwrap().push(form);
                        if this.hang.load(std::sync::atomic::Ordering::SeqCst) {
                            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                        }
                        (StatusCode::CREATED, "{}")
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        base
    }

    fn to(&self, number: &str) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f.get("To").map(String::as_str) == Some(number))
            .map(|f| f["Body"].clone())
            .collect()
    }
}

/// A child process killed (`kill -9`) when the test ends, however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `simrenew worker` at the tests' time, sending SMS through the gateway at `base`.
fn worker(app: &TestApp, base: &str, once: bool) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"));
    cmd.arg("--database-url")
        .arg(&app.cli_url)
        .arg("worker")
        .args(if once { &["--once"][..] } else { &[][..] })
        .args(["--force", "--now", &app.now().to_string()])
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .env("SIMRENEW_SMS_BASE_URL", base)
        .env("SIMRENEW_SMS_ACCOUNT", "AC1")
        .env("SIMRENEW_SMS_TOKEN", "token")
        .env("SIMRENEW_SMS_FROM", "TestMobile")
        .env_remove("SIMRENEW_SMTP_URL");
    cmd
}

both! {
    async fn the_worker_sends_a_reminder_in_the_subscribers_words_once_even_if_killed(app: TestApp) {
        let gateway = SmsGatewayServer::default();
        let base = gateway.start().await;
        let expiry = at("2027-01-25T12:00[Europe/Brussels]");
        let french = line(&app, None, "fr", expiry).await;
        app.clock.set(at("2027-01-18T12:00[Europe/Brussels]"));

        let out = worker(&app, &base, true).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let texts = gateway.to(french.as_str());
        assert_eq!(texts.len(), 1, "{texts:?}");
        let text = &texts[0];
        assert!(
            text.starts_with(&format!("Test Mobile : la ligne {french} expire le 25 janvier 2027")),
            "{text}"
        );
        assert!(text.contains("https://test.example"), "{text}");
        let code = text.rsplit(' ').next().unwrap();
        let (s, checked) = check(&app, code).await;
        assert_eq!(s, StatusCode::OK, "{checked}");
        assert_eq!(checked["channel"], "sms");

        // Run again: nothing more.
        let out = worker(&app, &base, true).output().unwrap();
        assert!(out.status.success());
        assert_eq!(gateway.to(french.as_str()).len(), 1);

        // A worker killed while the gateway holds its message: the message is not sent again.
        let held = line(&app, None, "en", at("2027-01-25T11:00[Europe/Brussels]")).await;
        gateway.hang.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut running = Killed(worker(&app, &base, false).spawn().unwrap());
        let mut waited = 0;
        while gateway.to(held.as_str()).is_empty() {
            assert!(waited < 300, "the worker sent nothing in 30 s");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            waited += 1;
        }
        running.0.kill().unwrap();
        running.0.wait().unwrap();
        gateway.hang.store(false, std::sync::atomic::Ordering::SeqCst);
        let out = worker(&app, &base, true).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(gateway.to(held.as_str()).len(), 1, "never twice");
        let listed = app.app.reminders(Some(&held), 10).await.unwrap();
        assert_eq!(listed[0].state.as_str(), "sending", "shown as never confirmed");

        // `reminders list` shows both.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
            .args(["--database-url", &app.cli_url, "reminders", "list"])
            .output()
            .unwrap();
        let listing = String::from_utf8_lossy(&out.stdout);
        assert!(listing.contains(&format!("{french}")) && listing.contains("sent"), "{listing}");
        assert!(listing.contains(&format!("{held}")) && listing.contains("sending"), "{listing}");
    }

    async fn the_portal_says_whether_a_message_is_ours_in_the_readers_language(app: TestApp) {
        use crate::pages::{hidden, Browser};
        let mut app = app;
        let g = with_gateways(&mut app);
        let msisdn = line(&app, None, "nl", at("2027-01-25T12:00[Europe/Brussels]")).await;
        app.clock.set(at("2027-01-18T12:00[Europe/Brussels]"));
        app.app.run_reminders().await.unwrap();
        let code = code_of(&g.sms.to(msisdn.as_str())[0].2);

        let mut b = Browser::default();
        let (status, _, headers) = b.get(&app, "/check").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[axum::http::header::LOCATION], "/nl/check");
        let (status, page, _) = b.get(&app, "/fr/check").await;
        assert_eq!(status, StatusCode::OK);
        let csrf = hidden(&page, "csrf");
        let (status, page, _) = b.post(&app, "/fr/check", &[("csrf", &csrf), ("code", &code)]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Ce message a été envoyé par Test Mobile."), "{page}");
        assert!(page.contains("25 janvier 2027"), "{page}");
        assert!(!page.contains(msisdn.as_str()), "the number is not shown whole");

        let (status, page, _) = b.post(&app, "/en/check", &[("csrf", &csrf), ("code", "00000-00000")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("We did not send a message with this code."), "{page}");
        let (status, page, _) = b.post(&app, "/de/check", &[("csrf", &csrf), ("code", "abc")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("Ein Prüfcode hat zehn Buchstaben"), "{page}");
        assert!(page.contains("aria-invalid=\"true\""), "{page}");
        let (status, _, _) = b.post(&app, "/en/check", &[("code", &code)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token, no answer");
    }

    async fn the_worker_mails_a_reminder_through_the_smtp_relay(app: TestApp) {
        let (relay, mut received) = crate::email_signin::smtp_relay().await;
        let gateway = SmsGatewayServer::default();
        let base = gateway.start().await;
        let (msisdn, _) = subscriber_line(
            &app,
            Some("mail.reader@mail.example"),
            "en",
            at("2027-01-25T12:00[Europe/Brussels]"),
        )
        .await;
        app.clock.set(at("2027-01-24T12:00[Europe/Brussels]"));
        let out = worker(&app, &base, true)
            .env("SIMRENEW_SMTP_URL", format!("smtp://127.0.0.1:{relay}"))
            .env("SIMRENEW_MAIL_FROM", "Test Mobile <no-reply@test.example>")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let (to, data) = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
            .await
            .expect("no reminder reached the relay")
            .unwrap();
        assert_eq!(to, "mail.reader@mail.example");
        assert!(
            data.contains(&format!("Subject: Test Mobile: your line {msisdn} expires tomorrow")),
            "{data}"
        );
        let body = data.replace("=\n", "");
        assert!(body.contains("Hello Emma Peeters,"), "{body}");
        assert!(body.contains("24 January 2027") || body.contains("25 January 2027"), "{body}");
        let code = body
            .split("Enter its code ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("no code in {body}"));
        assert!(body.contains("https://test.example/check"), "{body}");
        let (s, checked) = check(&app, code).await;
        assert_eq!(s, StatusCode::OK, "{checked}");
        assert_eq!(checked["channel"], "email");
        // Text and HTML, the same words in both; the HTML's one link is the brand's portal.
        assert!(data.contains("multipart/alternative"), "{data}");
        assert!(data.contains("Content-Type: text/plain"), "{data}");
        assert!(data.contains("Content-Type: text/html"), "{data}");
        let html = body.split("Content-Type: text/html").nth(1).unwrap();
        assert!(html.contains("<html lang=3D\"en\">") || html.contains("<html lang=\"en\">"), "{html}");
        assert!(html.contains(code), "{html}");
        assert!(html.contains("href=3D\"https://test.example\"") || html.contains("href=\"https://test.example\""), "{html}");
        // The SMS of the same step went to the line itself.
        assert_eq!(gateway.to(msisdn.as_str()).len(), 1);
    }
}

/// Gives `msisdn` a bundle of `mb` megabytes running from ten days ago until its expiry.
async fn bundle(app: &TestApp, msisdn: &Msisdn, mb: u64) {
    let line = app
        .app
        .store
        .line_details(msisdn, app.now())
        .await
        .unwrap()
        .unwrap()
        .line;
    let mut tx = app.app.store.begin().await.unwrap();
    tx.insert_bundle(
        &simrenew_app::sales::ports::NewBundle {
            brand_id: app.brand.id,
            line_id: line.id,
            order_id: None,
            plan_code: "TEST-1GB-30D".into(),
            data_mb: Some(mb),
            starts_at: app.now().checked_sub(days(10)).unwrap(),
            ends_at: line.expires_at.unwrap(),
        },
        app.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn used(app: &TestApp, msisdn: &Msisdn, id: &str, bytes: u64) {
    use simrenew_app::network::usage::{UsageRecord, UsageSource};
    let an_hour_ago = app
        .now()
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .unwrap();
    app.app
        .record_usage(
            &[UsageRecord {
                record_id: id.into(),
                msisdn: msisdn.clone(),
                start: an_hour_ago,
                end: app.now(),
                bytes,
            }],
            UsageSource::File,
        )
        .await
        .unwrap();
}

/// The data notices among what a gateway was handed.
fn data_notices(sent: &[(String, String, String)]) -> Vec<(String, String, String)> {
    sent.iter()
        .filter(|m| m.2.contains("step=10080") || m.2.contains("step=10100"))
        .cloned()
        .collect()
}

both! {
    async fn usage_past_80_and_100_percent_of_a_bundle_is_told_once_each(app: TestApp) {
        let mut app = app;
        let gateways = with_gateways(&mut app);
        let expires = app.now().checked_add(days(20)).unwrap();
        let msisdn = line(&app, Some("emma@mail.example"), "en", expires).await;
        bundle(&app, &msisdn, 1_000).await;

        used(&app, &msisdn, "u-1", 790_000_000).await;
        app.app.run_reminders().await.unwrap();
        assert!(data_notices(&gateways.mail.sent()).is_empty(), "79 % is nothing to tell");

        // Past 80 %: told once by each channel, whatever the passes and repeats.
        used(&app, &msisdn, "u-2", 20_000_000).await;
        used(&app, &msisdn, "u-2", 20_000_000).await;
        app.app.run_reminders().await.unwrap();
        app.app.run_reminders().await.unwrap();
        let mails = data_notices(&gateways.mail.to("emma@mail.example"));
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert!(mails[0].2.contains("step=10080"), "{mails:?}");
        assert!(mails[0].2.contains(&format!("expires={expires}")), "the bundle's end: {mails:?}");
        assert_eq!(data_notices(&gateways.sms.to(msisdn.as_str())).len(), 1);

        // Its code says it is ours, and about which line.
        let (status, checked) = check(&app, &code_of(&mails[0].2)).await;
        assert_eq!(status, StatusCode::OK, "{checked}");
        assert!(checked.to_string().contains(&msisdn.as_str()[msisdn.as_str().len() - 3..]), "{checked}");

        // More usage under 100 % tells nothing new; past 100 %, the second notice.
        used(&app, &msisdn, "u-3", 100_000_000).await;
        app.app.run_reminders().await.unwrap();
        assert_eq!(data_notices(&gateways.mail.sent()).len(), 1);
        used(&app, &msisdn, "u-4", 200_000_000).await;
        app.app.run_reminders().await.unwrap();
        app.app.run_reminders().await.unwrap();
        let mails = data_notices(&gateways.mail.to("emma@mail.example"));
        assert_eq!(mails.len(), 2, "{mails:?}");
        assert!(mails[1].2.contains("step=10100"), "{mails:?}");

        // A bundle used up at once is told 100 % only.
        let other = line(&app, Some("jan@mail.example"), "nl", expires).await;
        bundle(&app, &other, 100).await;
        used(&app, &other, "v-1", 150_000_000).await;
        app.app.run_reminders().await.unwrap();
        let mails = data_notices(&gateways.mail.to("jan@mail.example"));
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert!(mails[0].2.contains("step=10100"), "{mails:?}");
    }
}
