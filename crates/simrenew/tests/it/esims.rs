//! New eSIM lines, through the API, the real `simrenew worker` and the network simulator's
//! SM-DP+: the sale takes a number and a profile from the brand's pools; the worker orders the
//! profile (ES2+ downloadOrder, confirmOrder) once the first order is paid, and the line shows
//! its activation code, QR code and install link; the simulated phone's
//! handleDownloadProgressInfo calls move its install state. A subscriber not identified yet
//! gets a profile held until identification releases it. Sales at once never share a number.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use jiff::SignedDuration;
use serde_json::{json, Value};
use simrenew_app::esims::ports::PoolEntries;
use simrenew_app::esims::{Buyer, NewCard, NewLineSale};
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_app::identity::identification::Person;
use simrenew_domain::access::Scope;
use simrenew_domain::identifiers::{Iccid, Msisdn};
use simrenew_domain::voucher::VoucherValue;
use simrenew_domain::Timestamp;
use simrenew_netsim::{Netsim, NetsimConfig, ProfileState};

use crate::support::{both, TestApp, AUDIT_KEY};

const SECRET: &str = "the provisioning secret of the tests";
const TOKEN: &str = "the SM-DP+ notification token of the tests";

/// The network simulator, calling back a server of the test's application that admits it.
struct Network {
    sim: Netsim,
    base: String,
    /// The test application's own server, where the SM-DP+ reports installs.
    server: String,
}

async fn network(app: &TestApp) -> Network {
    let state = simrenew_http::AppState::new(app.app.clone());
    let _ = state
        .smdp_notifications
        .set(simrenew_http::api::esims::SmdpNotifications::new(
            TOKEN,
            "netsim-smdp",
        ));
    let router = simrenew_http::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let clock = app.clock.clone();
    let now: simrenew_network::Now = Arc::new(move || simrenew_app::Clock::now(clock.as_ref()));
    let mut config = NetsimConfig::new(SECRET.as_bytes(), now);
    config.smdp.operator_url = Some(format!(
        "{server}/gsma/rsp2/es2plus/handleDownloadProgressInfo"
    ));
    config.smdp.operator_token = Some(TOKEN.to_owned());
    config.smdp.install_step = Duration::from_millis(50);
    config.smdp.pool_size = 20;
    let sim = Netsim::new(config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = sim.clone();
    tokio::spawn(async move { serving.serve(listener, std::future::pending()).await });
    Network { sim, base, server }
}

/// Fills the test brand's pools with `n` numbers and `n` of the SM-DP+'s profiles.
async fn fill_pools(app: &TestApp, net: &Network, n: usize) -> Vec<Iccid> {
    let numbers: Vec<Msisdn> = (0..n)
        .map(|i| Msisdn::parse(&format!("+32470{:06}", 900_000 + i)).unwrap())
        .collect();
    let profiles: Vec<Iccid> = net.sim.available_profiles().into_iter().take(n).collect();
    let added = app
        .app
        .add_to_pools(
            app.brand.id,
            PoolEntries {
                numbers: &numbers,
                profiles: &profiles,
                sim_cards: &[],
            },
        )
        .await
        .unwrap();
    assert_eq!((added.numbers, added.profiles), (n as u64, n as u64));
    profiles
}

/// Runs `simrenew worker --once` at the tests' time against the simulator.
fn worker(app: &TestApp, net: &Network) {
    let now = app.now().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .arg("--database-url")
        .arg(&app.cli_url)
        .args(["worker", "--once", "--now", &now, "--force"])
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
        .env("SIMRENEW_PROVISIONING_URL", &net.base)
        .env("SIMRENEW_PROVISIONING_SECRET", SECRET)
        .env("SIMRENEW_SMDP_URL", &net.base)
        .env("SIMRENEW_SMDP_ADDRESS", "smdp.netsim.example")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn plan_voucher(app: &TestApp) -> String {
    let (_, codes) = app
        .app
        .generate_vouchers(
            "test",
            "shop",
            1,
            &VoucherValue::Plan("TEST-ESIM-7D".into()),
            None,
        )
        .await
        .unwrap();
    codes[0].to_string()
}

fn customer() -> Value {
    json!({"name": "Ann Peeters", "email": "ann@mail.example", "language": "nl"})
}

async fn esim(app: &TestApp, msisdn: &str) -> Value {
    let (s, body) = app
        .get(&format!("/api/v1/esims/{}", msisdn.replace('+', "%2B")))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

/// Waits for the simulated phone's reports to bring the line to `stage`.
async fn wait_for_stage(app: &TestApp, msisdn: &str, stage: &str) -> Value {
    for _ in 0..100 {
        let e = esim(app, msisdn).await;
        if e["stage"] == stage {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{msisdn} never reached {stage}: {}",
        esim(app, msisdn).await
    );
}

fn notification(iccid: &str, point: u32, timestamp: &str) -> Value {
    json!({
        "header": {"functionRequesterIdentifier": "netsim-smdp", "functionCallIdentifier": "test-1"},
        "iccid": iccid,
        "profileType": "simrenew-data",
        "timestamp": timestamp,
        "notificationPointId": point,
        "notificationPointStatus": {"status": "Executed-Success"},
    })
}

both! {
    async fn a_new_esim_gets_its_activation_code_and_its_install_is_kept(app: TestApp) {
        let net = network(&app).await;
        let profiles = fill_pools(&app, &net, 2).await;
        let voucher = plan_voucher(&app).await;
        let (s, sold) = app
            .post("/api/v1/esims", json!({
                "brand": "test",
                "customer": customer(),
                "plan": "TEST-ESIM-7D",
                "identification": {"method": "eid", "document_number": "591-1234567-89"},
                "payment": {"method": "voucher", "voucher_code": voucher},
            }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{sold}");
        assert_eq!(sold["line_state"], "active");
        assert_eq!(sold["order"]["state"], "syncing");
        assert_eq!(sold["esim"]["stage"], "preparing");
        assert_eq!(sold["esim"]["iccid"], profiles[0].as_str());
        assert!(sold["esim"]["activation"].is_null(), "{sold}");
        let msisdn = sold["esim"]["msisdn"].as_str().unwrap().to_owned();
        assert_eq!(msisdn, "+32470900000");
        // The line is the subscriber's, with the plan bought.
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["kind"], "esim", "{line}");
        assert_eq!(line["state"], "active", "{line}");

        worker(&app, &net);
        let profile = net.sim.profile(&profiles[0]).unwrap();
        assert_eq!(profile.times_allocated, 1);
        let e = esim(&app, &msisdn).await;
        let code = e["activation"]["code"].as_str().unwrap_or_default().to_owned();
        assert_eq!(
            code,
            format!("LPA:1$smdp.netsim.example${}", profile.matching_id.clone().unwrap()),
            "{e}"
        );
        assert_eq!(e["activation"]["smdp_address"], "smdp.netsim.example");
        assert_eq!(e["activation"]["matching_id"].as_str(), profile.matching_id.as_deref());
        let parsed = simrenew_domain::identifiers::ActivationCode::parse(&code).unwrap();
        assert_eq!(
            e["activation"]["ios_install_link"],
            simrenew_network::activation::ios_install_link(&parsed).as_str()
        );
        assert!(e["activation"]["ios_install_link"]
            .as_str()
            .unwrap()
            .starts_with("https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA"));
        // Bundle and profile confirmed: the order is complete.
        let (_, order) = app.get(&format!("/api/v1/orders/{}", sold["order"]["id"])).await;
        assert_eq!(order["state"], "completed", "{order}");

        // The QR codes, to whoever may see the code; never cached.
        let http = reqwest::Client::new();
        let svg = http
            .get(format!("{}{}", net.server, e["activation"]["qr_svg"].as_str().unwrap()))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(svg.status(), 200);
        assert_eq!(svg.headers()["content-type"], "image/svg+xml");
        assert_eq!(svg.headers()["cache-control"], "no-store");
        assert!(svg.text().await.unwrap().contains("<svg"));
        let png = http
            .get(format!("{}{}", net.server, e["activation"]["qr_png"].as_str().unwrap()))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(png.status(), 200);
        assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
        let anonymous = http
            .get(format!("{}{}", net.server, e["activation"]["qr_png"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);

        // The simulated phone installs the released profile and reports each step.
        let e = wait_for_stage(&app, &msisdn, "in_use").await;
        assert_eq!(e["install_state"], "enabled");
        assert!(e["eid"].as_str().is_some_and(|eid| eid.len() == 32), "{e}");
        assert_eq!(net.sim.profile(&profiles[0]).unwrap().state, ProfileState::Enabled);

        // Notifications: only from the SM-DP+, read field by field, a repeat kept once, a late
        // one changing the history and not the state.
        let url = format!("{}/gsma/rsp2/es2plus/handleDownloadProgressInfo", net.server);
        let send = |token: Option<&str>, body: Value| {
            let mut r = http.post(&url).json(&body);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send()
        };
        let late = notification(profiles[0].as_str(), 3, "2027-01-15T08:00:00Z");
        assert_eq!(send(None, late.clone()).await.unwrap().status(), 401);
        assert_eq!(send(Some("not the token"), late.clone()).await.unwrap().status(), 401);
        assert_eq!(send(Some(TOKEN), late.clone()).await.unwrap().status(), 204);
        assert_eq!(send(Some(TOKEN), late).await.unwrap().status(), 204);
        assert_eq!(esim(&app, &msisdn).await["install_state"], "enabled");
        let unknown = notification(profiles[1].as_str(), 3, "2027-01-15T09:00:00Z");
        assert_eq!(send(Some(TOKEN), unknown).await.unwrap().status(), 404);
        let mut broken = notification(profiles[0].as_str(), 3, "yesterday");
        let answer = send(Some(TOKEN), broken.clone()).await.unwrap();
        assert_eq!(answer.status(), 400);
        assert!(answer.text().await.unwrap().contains("timestamp"));
        broken["timestamp"] = json!("2027-01-15T11:00:00Z");
        broken["header"]["functionRequesterIdentifier"] = json!("another-smdp");
        assert_eq!(send(Some(TOKEN), broken).await.unwrap().status(), 403);
        let deleted = notification(profiles[0].as_str(), 5, "2027-01-15T12:00:00Z");
        assert_eq!(send(Some(TOKEN), deleted).await.unwrap().status(), 204);
        assert_eq!(esim(&app, &msisdn).await["stage"], "not_on_phone");

        // The sale and the identification are in the line's audit chain.
        assert_eq!(app.audit_entries("esim.sell").await.len(), 1);
        assert_eq!(app.audit_entries("line.identify").await.len(), 1);
    }

    async fn a_profile_is_held_until_its_subscriber_is_identified(app: TestApp) {
        let net = network(&app).await;
        let profiles = fill_pools(&app, &net, 2).await;
        let voucher = plan_voucher(&app).await;
        let (s, sold) = app
            .post("/api/v1/esims", json!({
                "brand": "test",
                "customer": customer(),
                "plan": "TEST-ESIM-7D",
                "payment": {"method": "voucher", "voucher_code": voucher},
            }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{sold}");
        assert_eq!(sold["line_state"], "pending_identification");
        let msisdn = sold["esim"]["msisdn"].as_str().unwrap().to_owned();
        worker(&app, &net);
        let e = esim(&app, &msisdn).await;
        assert_eq!(e["stage"], "awaiting_identification", "{e}");
        assert!(e["activation"].is_null(), "the code is not shown before identification: {e}");
        assert_eq!(net.sim.profile(&profiles[0]).unwrap().state, ProfileState::Confirmed);
        assert!(
            net.sim.line(&msisdn).is_none_or(|l| l.bundles.is_empty()),
            "the network hears of the bundle once the line can be used"
        );
        let (s, qr) = app
            .get(&format!("/api/v1/esims/{}/qr.svg", msisdn.replace('+', "%2B")))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{qr}");
        // The order says why it is still syncing.
        let order = format!("/api/v1/orders/{}", sold["order"]["id"]);
        let (_, waiting) = app.get(&order).await;
        assert_eq!(waiting["state"], "syncing", "{waiting}");
        assert_eq!(waiting["network"]["state"], "awaiting_identification", "{waiting}");
        assert_eq!(waiting["network"]["bundles_awaiting_identification"], 1);
        assert_eq!(waiting["network"]["bundles_pending"], 0);
        let (_, before) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        let expiry = |l: &Value| l["expires_at"].as_str().unwrap().parse::<Timestamp>().unwrap();
        let bought_until = expiry(&before);

        // Identified three days later: the seven days paid for start then.
        app.clock.advance(SignedDuration::from_hours(72));
        let (s, line) = app
            .post(&format!("/api/v1/lines/{msisdn}/identification"), json!({
                "method": "passport_at_store", "document_number": "EL1234567",
                "name": "Ann Peeters", "language": "nl",
            }))
            .await;
        assert_eq!(s, StatusCode::OK, "{line}");
        assert_eq!(line["state"], "active");
        let (_, after) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(
            expiry(&after).duration_since(bought_until),
            SignedDuration::from_hours(72),
            "{before} {after}"
        );
        let starts = after["bundles"][0]["starts_at"].as_str().unwrap().parse::<Timestamp>().unwrap();
        assert_eq!(starts, app.now(), "{after}");
        worker(&app, &net);
        // The network was told the bundle's dates as they are now.
        let told = net.sim.line(&msisdn).expect("the line is known to the network");
        assert_eq!(told.bundles.len(), 1, "{told:?}");
        assert_eq!(told.bundles[0].starts_at, starts);
        assert_eq!(told.bundles[0].ends_at, expiry(&after));
        let (_, done) = app.get(&order).await;
        assert_eq!(done["network"]["state"], "confirmed", "{done}");
        assert_eq!(done["network"]["bundles_awaiting_identification"], 0);
        let e = esim(&app, &msisdn).await;
        assert!(e["activation"]["code"].as_str().is_some(), "{e}");
        assert_ne!(net.sim.profile(&profiles[0]).unwrap().state, ProfileState::Confirmed);
        wait_for_stage(&app, &msisdn, "in_use").await;
        assert_eq!(net.sim.profile(&profiles[0]).unwrap().times_allocated, 1);

        // Identified once, the subscriber's next line is identified by the same record.
        let (s, second) = app
            .post("/api/v1/esims", json!({
                "brand": "test", "subscriber_id": sold["subscriber_id"], "plan": "TEST-ESIM-7D",
            }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{second}");
        assert_eq!(second["line_state"], "active");
        let identified = app.audit_entries("line.identify").await;
        assert!(identified.last().unwrap().details.contains("as identified for line:"), "{identified:?}");
    }

    async fn sales_at_once_never_share_a_number_and_stop_when_the_pool_is_empty(app: TestApp) {
        let net = network(&app).await;
        fill_pools(&app, &net, 3).await;
        let app = Arc::new(app);
        let mut tasks = vec![];
        for i in 0..6 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                app.post("/api/v1/esims", json!({
                    "brand": "test",
                    "customer": {"name": format!("Buyer {i}"), "language": "en"},
                    "plan": "TEST-ESIM-7D",
                }))
                .await
            }));
        }
        let mut answers = vec![];
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        let mut numbers: Vec<String> = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .map(|(_, b)| b["esim"]["msisdn"].as_str().unwrap().to_owned())
            .collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 3, "{answers:?}");
        for (s, b) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
            assert_eq!(*s, StatusCode::CONFLICT, "{b}");
            assert!(b["detail"].as_str().unwrap().contains("no numbers left"), "{b}");
        }
        let counts = app.app.pool_counts(app.brand.id).await.unwrap();
        assert_eq!((counts.numbers_free, counts.profiles_free), (0, 0));
        // Unpaid, the profiles are not ordered.
        worker(&app, &net);
        assert!(net.sim.profile(&net.sim.available_profiles()[0]).is_some());
        let e = esim(&app, &numbers[0]).await;
        assert_eq!(e["stage"], "awaiting_payment");
    }

    async fn who_may_sell_a_new_esim(app: TestApp) {
        let net = network(&app).await;
        fill_pools(&app, &net, 3).await;
        let key = |scopes: Vec<Scope>| {
            let app = &app;
            async move {
                app.app
                    .create_api_key("test", "partner", &KeyOwner::Partner { brand: app.brand.id, scopes })
                    .await
                    .unwrap()
                    .1
            }
        };
        let reader = key(vec![Scope::Lines]).await;
        let seller = key(vec![Scope::Orders, Scope::Lines]).await;
        let sale = json!({"customer": customer(), "plan": "TEST-ESIM-7D"});
        let (s, body) = app
            .request_as(Some(&reader), Method::POST, "/api/v1/esims", Some(sale.clone()))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, body) = app
            .request_as(Some(&seller), Method::POST, "/api/v1/esims", Some(sale.clone()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["order"]["channel"], "partner");
        assert!(body["subscriber_id"].is_null(), "partners are not told who: {body}");
        // A partner may not identify, nor sell to a subscriber on record.
        let mut identified = sale.clone();
        identified["identification"] = json!({"method": "eid", "document_number": "591123456789"});
        let (s, body) = app
            .request_as(Some(&seller), Method::POST, "/api/v1/esims", Some(identified))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["field"], "identification");
        // Nobody anonymous; bad input named and nothing taken.
        let (s, _) = app.request_as(None, Method::POST, "/api/v1/esims", Some(sale)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, body) = app
            .post("/api/v1/esims", json!({"brand": "test", "customer": {"name": "X", "language": "xx"}, "plan": "TEST-ESIM-7D"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "customer.language");
        let (s, body) = app
            .post("/api/v1/esims", json!({"brand": "test", "customer": customer(), "plan": "TEST-5GB-30D", "eid": "123"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "eid");
        let counts = app.app.pool_counts(app.brand.id).await.unwrap();
        assert_eq!(counts.numbers_free, 2);
    }

    async fn a_sale_refunded_before_install_gives_its_profile_up(app: TestApp) {
        let net = network(&app).await;
        let profiles = fill_pools(&app, &net, 1).await;
        let voucher = plan_voucher(&app).await;
        // Held (not identified), so that no phone installs it meanwhile.
        let (s, sold) = app
            .post("/api/v1/esims", json!({
                "brand": "test", "customer": customer(), "plan": "TEST-ESIM-7D",
                "payment": {"method": "voucher", "voucher_code": voucher},
            }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{sold}");
        let msisdn = sold["esim"]["msisdn"].as_str().unwrap().to_owned();
        worker(&app, &net);
        assert_eq!(esim(&app, &msisdn).await["stage"], "awaiting_identification");
        let (s, refund) = app
            .post(&format!("/api/v1/orders/{}/refunds", sold["order"]["id"]), json!({
                "amount": {"amount_cents": 500, "currency": "EUR"}, "reason": "changed their mind",
            }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{refund}");
        assert_eq!(esim(&app, &msisdn).await["stage"], "cancelled");
        worker(&app, &net);
        let e = esim(&app, &msisdn).await;
        assert_eq!(e["profile_state"], "cancelled", "{e}");
        assert!(e["activation"].is_null());
        assert_eq!(net.sim.profile(&profiles[0]).unwrap().state, ProfileState::Unavailable);
        // Identified afterwards, the cancelled profile is not released.
        let (s, _) = app
            .post(&format!("/api/v1/lines/{msisdn}/identification"), json!({
                "method": "eid", "document_number": "591123456789", "name": "Ann Peeters", "language": "nl",
            }))
            .await;
        assert_eq!(s, StatusCode::OK);
        worker(&app, &net);
        assert_eq!(esim(&app, &msisdn).await["profile_state"], "cancelled");
    }

    async fn a_subscriber_buys_a_new_esim_on_the_portal_and_installs_it(app: TestApp) {
        use crate::pages::{hidden, Browser};
        let mut app = app;
        let net = network(&app).await;
        fill_pools(&app, &net, 1).await;
        let outbox = Arc::new(crate::support::Outbox::default());
        let with = app.app.clone().with_sms(outbox.clone());
        app.router = simrenew_http::router(simrenew_http::AppState::new(with));
        let (msisdn, _) = app.subscriber_line().await;
        let mut b = Browser::default();
        let (_, page, _) = b.get(&app, "/en/sign-in").await;
        let csrf = hidden(&page, "csrf");
        b.post(&app, "/en/sign-in", &[("csrf", &csrf), ("phone", msisdn.as_str())]).await;
        app.codes_sent().await;
        let code = outbox.last_code(&msisdn);
        let (status, _, _) = b
            .post(&app, "/en/sign-in/code", &[("csrf", &csrf), ("phone", msisdn.as_str()), ("code", &code)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page, _) = b.get(&app, "/en/lines").await;
        assert!(page.contains("href=\"/en/esims/new\""), "{page}");

        let (status, page, _) = b.get(&app, "/en/esims/new").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("TEST-ESIM-7D"), "{page}");
        let csrf = hidden(&page, "csrf");
        let once = hidden(&page, "once");
        let (status, page, _) = b
            .post(&app, "/en/esims/new", &[("csrf", &csrf), ("once", &once), ("plan", "TEST-ESIM-7D"), ("eid", "123")])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("An EID is 32 digits"), "{page}");
        let once = hidden(&page, "once");
        let (status, _, headers) = b
            .post(&app, "/en/esims/new", &[("csrf", &csrf), ("once", &once), ("plan", "TEST-ESIM-7D")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let order = headers[axum::http::header::LOCATION].to_str().unwrap().to_owned();
        assert!(order.starts_with("/en/orders/"), "{order}");
        let (_, page, _) = b.get(&app, &order).await;
        assert!(page.contains("/pay\""), "the order offers payment: {page}");

        let voucher = plan_voucher(&app).await;
        let once = hidden(&page, "once");
        let (status, page, _) = b
            .post(&app, &format!("{order}/pay"), &[("csrf", &csrf), ("once", &once), ("method", "voucher"), ("voucher_code", &voucher)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        worker(&app, &net);
        let esim_page = "/en/esims/%2B32470900000";
        let (status, page, _) = b.get(&app, esim_page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Waiting for identification"), "{page}");
        assert!(!page.contains("class=\"qr\""), "{page}");

        // Identified at a store, the eSIM can be installed.
        let (s, _) = app
            .post("/api/v1/lines/+32470900000/identification", json!({
                "method": "eid", "document_number": "591123456789", "name": "Ann Peeters", "language": "en",
            }))
            .await;
        assert_eq!(s, StatusCode::OK);
        worker(&app, &net);
        let (_, page, _) = b.get(&app, esim_page).await;
        assert!(page.contains("class=\"qr\""), "{page}");
        assert!(page.contains("smdp.netsim.example"), "{page}");
        assert!(page.contains("esimsetup.apple.com"), "{page}");
        let (status, svg, headers) = b.get(&app, &format!("{esim_page}/qr.svg")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "image/svg+xml");
        assert!(svg.contains("<svg"));
        // Another subscriber's eSIM, or a number that is none, is not found.
        let (status, _, _) = b.get(&app, "/en/esims/%2B32470123999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

both! {
    async fn a_sim_card_is_sold_once_and_only_from_the_brands_stock(app: TestApp) {
        // The counter sells physical SIM cards by the ICCID printed on them: only cards of the
        // brand's stock, each once, however many agents try at once.
        let numbers: Vec<Msisdn> = (0..8)
            .map(|i| Msisdn::parse(&format!("+32470{:06}", 950_000 + i)).unwrap())
            .collect();
        let cards: Vec<Iccid> = (0..2)
            .map(|i| Iccid::from_body(&format!("893209999{:09}", 100_000_000 + i)).unwrap())
            .collect();
        let added = app
            .app
            .add_to_pools(app.brand.id, PoolEntries { numbers: &numbers, profiles: &[], sim_cards: &cards })
            .await
            .unwrap();
        assert_eq!((added.numbers, added.sim_cards), (8, 2));
        // A card is in one pool only.
        let again = app
            .app
            .add_to_pools(app.brand.id, PoolEntries { numbers: &[], profiles: &cards[..1], sim_cards: &cards[..1] })
            .await
            .unwrap();
        assert_eq!((again.profiles, again.sim_cards, again.refused.len()), (0, 0, 2), "{again:?}");

        let brand = app.brand.id;
        let sale = move |iccid: &Iccid, i: usize| NewLineSale {
            brand,
            buyer: Buyer::New(Person { name: format!("Buyer {i}"), email: None, language: "nl".into() }),
            plan_code: "TEST-5GB-30D".into(),
            periods: 1,
            channel: simrenew_domain::catalog::Channel::Store,
            promo_code: None,
            card: NewCard::PhysicalSim { iccid: iccid.clone() },
            identification: None,
        };
        let app = Arc::new(app);
        let mut tasks = vec![];
        for i in 0..6 {
            let (app, sale) = (app.clone(), sale(&cards[0], i));
            tasks.push(tokio::spawn(async move { app.app.sell_line("agent", &sale, None).await }));
        }
        let mut sold = vec![];
        for t in tasks {
            match t.await.unwrap() {
                Ok(s) => sold.push(s),
                Err(simrenew_app::AppError::Conflict { field, .. }) => assert_eq!(field, Some("iccid")),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(sold.len(), 1, "one card, one line");
        let line = app.app.line(&sold[0].msisdn).await.unwrap();
        assert_eq!(line.line.kind(), simrenew_domain::catalog::LineKind::PhysicalSim);
        assert_eq!(sold[0].iccid, cards[0]);
        assert_eq!(line.line.stored_state, simrenew_domain::line::LineState::PendingIdentification);
        assert!(app.app.esim_profile(&sold[0].msisdn).await.unwrap().is_none());
        let counts = app.app.pool_counts(app.brand.id).await.unwrap();
        assert_eq!((counts.numbers_free, counts.sim_cards_free), (7, 1));

        // A card the brand does not hold is refused, and takes no number.
        let stranger = Iccid::from_body("893209999000000777").unwrap();
        let refused = app.app.sell_line("agent", &sale(&stranger, 9), None).await.unwrap_err();
        assert!(matches!(refused, simrenew_app::AppError::Conflict { field: Some("iccid"), .. }), "{refused}");
        let counts = app.app.pool_counts(app.brand.id).await.unwrap();
        assert_eq!((counts.numbers_free, counts.sim_cards_free), (7, 1));
    }
}
