//! `TestApp`: a fresh database per test, a fixture brand, a manual clock, and helpers to call
//! the HTTP router in-process.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use simrenew_app::audit::AuditKey;
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_app::sales::ports::{NewBundle, NewLine};
use simrenew_app::sealing::SealingKey;
use simrenew_app::{App, ManualClock};
use simrenew_domain::access::Role;
use simrenew_domain::brand::{parse_time_zone, Brand};
use simrenew_domain::catalog::{Channel, DataAllowance, LineKind, Validity};
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, LineId};
use simrenew_domain::line::{LineIdentity, LineState};
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::promotion::{PromoCode, PromotionRule};
use simrenew_http::AppState;
use simrenew_store::{ConnectOptions, Db, NewPlan, NewPromotion};
use tower::ServiceExt;

/// Runs an async test body on SQLite and on PostgreSQL.
macro_rules! both {
    ($($(#[$meta:meta])* async fn $name:ident($app:ident: TestApp) $body:block)+) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::support::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::support::TestApp::new($crate::support::Backend::Sqlite).await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) =
                        $crate::support::TestApp::try_new($crate::support::Backend::Postgres).await
                    {
                        run(app).await
                    }
                }
            }
        )+
    };
}
pub(crate) use both;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub db: Db,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub router: axum::Router,
    pub brand: Brand,
    /// An API key of a platform admin: what `request` and friends send.
    pub token: String,
    /// The URL the binary is given: the same database (and schema).
    pub cli_url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The audit key of every test database: give it to the binary as `SIMRENEW_AUDIT_KEY`.
pub const AUDIT_KEY: &str = "the test audit key, thirty-two bytes or more";
/// The voucher key of the tests' application; give it to the binary as
/// `SIMRENEW_VOUCHER_KEY` where they share vouchers.
pub const VOUCHER_KEY: &str = "the voucher key of the tests, 32 bytes at least";

/// 2027-01-15 10:00 in Brussels: the fixture's "now".
pub fn start() -> Timestamp {
    "2027-01-15T10:00:00+01:00".parse().unwrap()
}

pub fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        match Self::try_new(backend).await {
            Some(app) => app,
            None => panic!("no database for {backend:?}"),
        }
    }

    /// `None` for PostgreSQL when `TEST_DATABASE_URL` is not set outside CI; in CI (CI=true)
    /// a missing database is an error, so that no test is skipped there.
    pub async fn try_new(backend: Backend) -> Option<Self> {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_env("SIMRENEW_LOG")
                    .unwrap_or_else(|_| "warn".into()),
            )
            .with_test_writer()
            .try_init();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let (url, options, dir, cli_url) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                (url.clone(), ConnectOptions::default(), Some(dir), url)
            }
            Backend::Postgres => {
                let url = match std::env::var("TEST_DATABASE_URL") {
                    Ok(url) => url,
                    Err(_) if std::env::var("CI").is_ok() => {
                        panic!("TEST_DATABASE_URL must be set in CI")
                    }
                    Err(_) => {
                        eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run");
                        return None;
                    }
                };
                #[allow(clippy::disallowed_methods)]
                let schema = format!(
                    "t{}_{}_{}",
                    std::process::id(),
                    n,
                    Timestamp::now().as_nanosecond() % 1_000_000_000
                );
                let sep = if url.contains('?') { '&' } else { '?' };
                let cli_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
                (
                    url,
                    ConnectOptions {
                        schema: Some(schema),
                        max_connections: Some(8),
                    },
                    None,
                    cli_url,
                )
            }
        };
        let db = Db::connect_with(&url, options)
            .await
            .unwrap()
            .with_audit_key(AuditKey::new(AUDIT_KEY.as_bytes()).unwrap());
        db.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(start()));
        let app = App::new(Arc::new(db.clone()), clock.clone())
            .with_document_key(b"test document key".to_vec())
            .with_sealing_key(SealingKey::new(b"test sealing key of thirty-two bytes").unwrap())
            .with_voucher_key(
                simrenew_app::sales::vouchers::VoucherKey::new(VOUCHER_KEY.as_bytes()).unwrap(),
            );
        let brand = seed(&db).await;
        let router = simrenew_http::router(AppState::new(app.clone()));
        let admin = app
            .create_staff(
                "test",
                &NewStaff {
                    email: "admin@test.example".into(),
                    name: "Admin".into(),
                    role: Role::PlatformAdmin,
                    brand: None,
                    stores: vec![],
                },
            )
            .await
            .unwrap();
        let (_, token) = app
            .create_api_key("test", "tests", &KeyOwner::Staff(admin))
            .await
            .unwrap();
        Some(TestApp {
            db,
            app,
            clock,
            router,
            brand,
            token,
            cli_url,
            _dir: dir,
        })
    }

    /// The audit entries of `action`, oldest first.
    pub async fn audit_entries(&self, action: &str) -> Vec<simrenew_app::audit::AuditRecord> {
        use simrenew_app::audit::AuditStore;
        let (records, _) = self.db.audit_log().await.unwrap();
        let mut found: Vec<_> = records.into_iter().filter(|r| r.action == action).collect();
        found.sort_by_key(|r| r.id);
        found
    }

    pub fn now(&self) -> Timestamp {
        self.app.now()
    }

    /// An active line of the fixture brand with `credit_cents`, whose bundle ends in
    /// `expires_in` (negative: in the past), or with no bundle when `expires_in` is `None`.
    pub async fn line(
        &self,
        kind: LineKind,
        credit_cents: i64,
        expires_in: Option<SignedDuration>,
    ) -> Msisdn {
        self.line_in_state(kind, credit_cents, expires_in, LineState::Active)
            .await
    }

    pub async fn line_in_state(
        &self,
        kind: LineKind,
        credit_cents: i64,
        expires_in: Option<SignedDuration>,
        state: LineState,
    ) -> Msisdn {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let msisdn = Msisdn::parse(&format!("+3247{:07}", 1_000_000 + n)).unwrap();
        let identity = match kind {
            LineKind::PhysicalSim => LineIdentity::PhysicalSim {
                iccid: Iccid::from_body(&format!("8932000{:011}", n)).unwrap(),
            },
            LineKind::Esim => LineIdentity::Esim {
                iccid: Iccid::from_body(&format!("8932001{:011}", n)).unwrap(),
                eid: None,
                activation_code: None,
            },
            LineKind::VirtualSim => LineIdentity::VirtualSim,
        };
        let now = self.now();
        let expires_at = expires_in.map(|d| now.checked_add(d).unwrap());
        let grace_until = expires_at.map(|e| e.checked_add(days(7)).unwrap());
        let mut tx = self.app.store.begin().await.unwrap();
        let id = tx
            .insert_line(
                &NewLine {
                    brand_id: self.brand.id,
                    subscriber_id: None,
                    msisdn: msisdn.clone(),
                    identity,
                    state,
                    expires_at,
                    grace_until,
                    credit: Money::eur(credit_cents),
                },
                now,
            )
            .await
            .unwrap();
        if let Some(end) = expires_at {
            tx.insert_bundle(
                &NewBundle {
                    brand_id: self.brand.id,
                    line_id: id,
                    order_id: None,
                    plan_code: "TEST-5GB-30D".into(),
                    data_mb: Some(5_000),
                    starts_at: end.checked_sub(days(30)).unwrap(),
                    ends_at: end,
                },
                now,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let _ = LineId(id.0);
        msisdn
    }

    /// An active line owned by a new subscriber of the fixture brand.
    pub async fn subscriber_line(&self) -> (Msisdn, simrenew_domain::ids::SubscriberId) {
        self.subscriber_line_with_email("emma@mail.example").await
    }

    /// An active line owned by a new subscriber of the fixture brand with this e-mail address.
    pub async fn subscriber_line_with_email(
        &self,
        email: &str,
    ) -> (Msisdn, simrenew_domain::ids::SubscriberId) {
        let subscriber = self
            .db
            .insert_subscriber(self.brand.id, "Emma Peeters", Some(email), "nl", self.now())
            .await
            .unwrap();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let msisdn = Msisdn::parse(&format!("+3248{:07}", 1_000_000 + n)).unwrap();
        let now = self.now();
        let mut tx = self.app.store.begin().await.unwrap();
        tx.insert_line(
            &NewLine {
                brand_id: self.brand.id,
                subscriber_id: Some(subscriber),
                msisdn: msisdn.clone(),
                identity: LineIdentity::VirtualSim,
                state: LineState::Active,
                expires_at: Some(now.checked_add(days(10)).unwrap()),
                grace_until: Some(now.checked_add(days(17)).unwrap()),
                credit: Money::eur(10_000),
            },
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        (msisdn, subscriber)
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        self.send(req).await
    }

    /// A request with another caller's bearer token (`None`: without one).
    pub async fn request_as(
        &self,
        token: Option<&str>,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let (status, body, _) = self.send(req).await;
        (status, body)
    }

    /// A POST without any credential, as a browser before sign-in sends it; then waits for
    /// the sign-in codes it had sent (they go out after the answer).
    pub async fn anonymous(
        &self,
        uri: &str,
        body: Value,
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let answer = self.send(req).await;
        self.codes_sent().await;
        answer
    }

    /// Waits (at most 10 s) until the sign-in codes asked for were handed to their gateway.
    pub async fn codes_sent(&self) {
        assert!(
            self.app
                .deliveries_settled(std::time::Duration::from_secs(10))
                .await
        );
    }

    /// Looks a customer up at the counter as the agent with this API key.
    pub async fn look_up(&self, agent_token: &str, msisdn: &str) {
        let (status, body) = self
            .request_as(
                Some(agent_token),
                Method::POST,
                "/api/v1/counter/customer",
                Some(serde_json::json!({ "msisdn": msisdn })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "lookup of {msisdn}: {body}");
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, json, headers)
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let (s, v, _) = self.request(Method::GET, uri, None, &[]).await;
        (s, v)
    }

    pub async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self.request(Method::POST, uri, Some(body), &[]).await;
        (s, v)
    }

    /// A table's row count, to show that a refused request wrote nothing.
    pub async fn count(&self, table: simrenew_store::CountedTable) -> i64 {
        self.db.count(table).await.unwrap()
    }
}

/// The fixture brand "test" (Europe/Brussels, EUR, 21 % VAT, 7 grace days) with plans for
/// every kind of validity and the promotions the tests need.
async fn seed(db: &Db) -> Brand {
    let mut brand = Brand {
        id: BrandId(0),
        code: "test".into(),
        name: "Test Mobile".into(),
        time_zone: parse_time_zone("Europe/Brussels").unwrap(),
        currency: Currency::EUR,
        vat_rate_bp: 2100,
        grace_days: 7,
        number_retention_days: 90,
        reminder_days: vec![7, 1],
        monthly_auto_debit_limit: 2,
        portal_url: "https://test.example".into(),
        quiet_hours: Default::default(),
    };
    brand.id = db.insert_brand(&brand).await.unwrap();
    let year_ago = start().checked_sub(days(365)).unwrap();
    let every = Channel::ALL.to_vec();
    let plan =
        |code: &str, data, validity, cents, kinds: &[LineKind], channels: &[Channel]| NewPlan {
            code: code.into(),
            name: code.into(),
            data,
            validity,
            price: Money::eur(cents),
            line_kinds: kinds.to_vec(),
            channels: channels.to_vec(),
        };
    let all = LineKind::ALL;
    db.publish_catalog_version(
        brand.id,
        year_ago,
        year_ago,
        &[
            plan(
                "TEST-5GB-30D",
                DataAllowance::Megabytes(5_000),
                Validity::Days(30),
                1_000,
                all,
                &every,
            ),
            plan(
                "TEST-20GB-1M",
                DataAllowance::Megabytes(20_000),
                Validity::Months(1),
                2_000,
                all,
                &every,
            ),
            plan(
                "TEST-UNL-1M",
                DataAllowance::Unlimited,
                Validity::Months(1),
                3_500,
                all,
                &every,
            ),
            plan(
                "TEST-ESIM-7D",
                DataAllowance::Megabytes(1_000),
                Validity::Days(7),
                500,
                &[LineKind::Esim],
                &every,
            ),
            plan(
                "TEST-STORE-7D",
                DataAllowance::Megabytes(1_000),
                Validity::Days(7),
                500,
                all,
                &[Channel::Store],
            ),
            plan(
                "TEST-1GB-ADDON",
                DataAllowance::Megabytes(1_000),
                Validity::CurrentPeriod,
                400,
                all,
                &every,
            ),
        ],
    )
    .await
    .unwrap();
    // A later catalog version, published with notice: not in force during the tests.
    db.publish_catalog_version(
        brand.id,
        start().checked_add(days(60)).unwrap(),
        start(),
        &[plan(
            "TEST-5GB-30D",
            DataAllowance::Megabytes(5_000),
            Validity::Days(30),
            1_200,
            all,
            &every,
        )],
    )
    .await
    .unwrap();
    let promo = |name: &str, rule| NewPromotion {
        brand_id: brand.id,
        name: name.into(),
        code: None,
        rule,
        first_renewal_only: false,
        plan_codes: vec![],
        channels: vec![],
        valid_from: year_ago,
        valid_until: None,
        per_customer_limit: None,
        global_limit: None,
        stackable: false,
    };
    for p in [
        NewPromotion {
            plan_codes: vec!["TEST-20GB-1M".into()],
            ..promo(
                "Buy 12 months, get 6 free",
                PromotionRule::PeriodBonus { buy: 12, free: 6 },
            )
        },
        NewPromotion {
            code: Some(PromoCode::parse("HALF").unwrap()),
            per_customer_limit: Some(1),
            global_limit: Some(2),
            ..promo(
                "Half price",
                PromotionRule::PercentOff { percent_bp: 5_000 },
            )
        },
        NewPromotion {
            code: Some(PromoCode::parse("OLD").unwrap()),
            valid_until: Some(start().checked_sub(days(1)).unwrap()),
            ..promo(
                "Expired",
                PromotionRule::AmountOff {
                    amount: Money::eur(300),
                },
            )
        },
    ] {
        db.insert_promotion(&p).await.unwrap();
    }
    brand
}

/// An SMS gateway that keeps what it is given to send, as (to, text).
#[derive(Default)]
pub struct Outbox(std::sync::Mutex<Vec<(String, String)>>);

#[async_trait::async_trait]
impl simrenew_app::identity::signin::SmsGateway for Outbox {
    async fn send(&self, to: &Msisdn, text: &str) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push((to.to_string(), text.to_owned()));
        Ok(())
    }
}

impl Outbox {
    /// The code in the last message sent to `to`.
    pub fn last_code(&self, to: &Msisdn) -> String {
        let sent = self.0.lock().unwrap();
        let (_, text) = sent
            .iter()
            .rev()
            .find(|(t, _)| *t == to.to_string())
            .unwrap();
        text.split_whitespace()
            .map(|w| w.trim_end_matches('.'))
            .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .unwrap()
            .to_owned()
    }

    pub fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// The number of messages once no more arrive for 300 ms (at most 10 s), for codes sent
    /// after the answer.
    pub async fn settled_count(&self) -> usize {
        let mut seen = self.count();
        let mut quiet = 0;
        for _ in 0..200 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let now = self.count();
            if now == seen {
                quiet += 1;
                if quiet >= 6 {
                    break;
                }
            } else {
                seen = now;
                quiet = 0;
            }
        }
        seen
    }
}

/// A `simrenew serve` process on the test's database and a free port of 127.0.0.1, stopped
/// when dropped.
pub struct Served {
    child: std::process::Child,
    pub port: u16,
    pub base: String,
}

impl Served {
    /// Starts `simrenew serve` with these environment variables and waits (at most 15 s)
    /// until it answers.
    pub async fn start(app: &TestApp, env: &[(&str, &str)]) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"));
        cmd.args([
            "--database-url",
            &app.cli_url,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("SIMRENEW_LOG", "warn")
        // The keys of the tests' own application, so that both write one audit chain and read
        // the same vouchers; `env` may override them.
        .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
        .env("SIMRENEW_VOUCHER_KEY", VOUCHER_KEY)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let served = Served {
            child: cmd.spawn().unwrap(),
            port,
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..300 {
            if healthy(port).await {
                return served;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("simrenew serve did not start");
    }
}

/// One `GET /healthz` on its own connection, closed after.
async fn healthy(port: u16) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let req = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    if s.write_all(req).await.is_err() {
        return false;
    }
    let mut out = vec![];
    let read = tokio::time::timeout(std::time::Duration::from_secs(2), s.read_to_end(&mut out));
    matches!(read.await, Ok(Ok(_))) && out.starts_with(b"HTTP/1.1 200")
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A subscriber's browser session: the cookie pair and the CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Signs the subscriber of `msisdn` in by a code sent through an SMS outbox installed for
    /// the purpose (the router is rebuilt with it).
    pub async fn signed_in(&mut self, msisdn: &Msisdn) -> Session {
        let outbox = Arc::new(Outbox::default());
        let with = self.app.clone().with_sms(outbox.clone());
        self.router = simrenew_http::router(AppState::new(with));
        let (status, body, _) = self
            .anonymous(
                "/api/v1/auth/codes",
                serde_json::json!({"phone": msisdn.to_string()}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let code = outbox.last_code(msisdn);
        let (status, body, headers) = self
            .anonymous(
                "/api/v1/auth/sessions",
                serde_json::json!({"phone": msisdn.to_string(), "code": code}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap();
        Session {
            cookie: cookie.split(';').next().unwrap().to_owned(),
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    /// A request in a subscriber's session (with its CSRF token).
    pub async fn as_subscriber(
        &self,
        session: &Session,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &session.cookie)
            .header("x-csrf-token", &session.csrf);
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let (status, body, _) = self.send(req).await;
        (status, body)
    }
}
