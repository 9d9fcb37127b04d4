//! Telling the network, through the real `simrenew worker` and the network simulator: an order
//! leaves `syncing` when the network confirmed its bundles; a network that does not answer is
//! asked again later; one that refuses leaves a dead letter an admin sees and replays. And the
//! line lifecycle the worker writes when it is due: grace, then lapse (suspended at the
//! network).

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use simrenew_domain::catalog::LineKind;
use simrenew_netsim::{Netsim, NetsimConfig, Operation};
use sqlx::Row;

use crate::support::{both, days, TestApp, AUDIT_KEY};

const SECRET: &str = "the provisioning secret of the tests";

/// A network simulator on a free port of 127.0.0.1, signing with `secret`.
async fn network(app: &TestApp, secret: &str) -> (Netsim, String) {
    let clock = app.clock.clone();
    let now: simrenew_network::Now = Arc::new(move || simrenew_app::Clock::now(clock.as_ref()));
    let sim = Netsim::new(NetsimConfig::new(secret.as_bytes(), now)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = sim.clone();
    tokio::spawn(async move { serving.serve(listener, std::future::pending()).await });
    (sim, base)
}

/// An API key of an administrator of a second brand.
async fn other_brand_admin(app: &TestApp) -> String {
    let other = app
        .db
        .insert_brand(&simrenew_domain::brand::Brand {
            code: "other".into(),
            name: "Other Mobile".into(),
            portal_url: "https://other.example".into(),
            ..app.brand.clone()
        })
        .await
        .unwrap();
    let id = app
        .app
        .create_staff(
            "test",
            &simrenew_app::identity::accounts::NewStaff {
                email: "admin@other.example".into(),
                name: "Other admin".into(),
                role: simrenew_domain::access::Role::BrandAdmin,
                brand: Some(other),
                stores: vec![],
            },
        )
        .await
        .unwrap();
    app.app
        .create_api_key(
            "test",
            "admin@other.example",
            &simrenew_app::identity::api_keys::KeyOwner::Staff(id),
        )
        .await
        .unwrap()
        .1
}

/// Runs the `simrenew` binary on the test's database; (success, stdout, stderr).
/// A worker is told the tests' time (`--now`, forced: this database was not made by `demo`).
fn simrenew(app: &TestApp, args: &[&str], network: &str) -> (bool, String, String) {
    let now = app.now().to_string();
    let mut args = args.to_vec();
    if args[0] == "worker" {
        args.extend(["--now", &now, "--force"]);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .arg("--database-url")
        .arg(&app.cli_url)
        .args(&args)
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
        .env("SIMRENEW_PROVISIONING_URL", network)
        .env("SIMRENEW_PROVISIONING_SECRET", SECRET)
        .env("SIMRENEW_PROVISIONING_TIMEOUT_MS", "2000")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn renew(app: &TestApp, msisdn: &str, periods: u32) -> Value {
    let (s, order) = app
        .post(
            "/api/v1/orders",
            json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "periods": periods, "payment": {"method": "credit"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{order}");
    assert_eq!(order["state"], "syncing");
    order
}

async fn order(app: &TestApp, id: &Value) -> Value {
    let (s, order) = app.get(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{order}");
    order
}

/// The state the database holds for a line (not the one reads compute).
async fn stored_state(app: &TestApp, msisdn: &str) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    let row = sqlx::query(&format!(
        "SELECT state FROM lines WHERE msisdn = '{msisdn}'"
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    row.get::<String, _>("state")
}

both! {
    async fn the_worker_writes_grace_and_lapse_when_due_and_the_network_follows(app: TestApp) {
        let (sim, base) = network(&app, SECRET).await;
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(2))).await.to_string();
        let other = app.line(LineKind::Esim, 50_000, Some(days(30))).await.to_string();

        // Three days on: expired, in grace (seven days), in the database too.
        app.clock.advance(days(3));
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert_eq!(stored_state(&app, &msisdn).await, "grace");
        assert_eq!(stored_state(&app, &other).await, "active");
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["state"], "grace");
        assert!(sim.received().is_empty(), "grace is not the network's business");

        // Grace over: lapsed, and suspended at the network, once.
        app.clock.advance(days(7));
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert_eq!(stored_state(&app, &msisdn).await, "lapsed");
        assert_eq!(sim.received_for(Operation::LineSuspended).len(), 1);
        assert!(sim.line(&msisdn).unwrap().suspended);
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert_eq!(sim.received_for(Operation::LineSuspended).len(), 1);

        // A lapsed line is not renewed; the line renewed in time stays active throughout.
        let (s, refused) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{refused}");
        assert_eq!(stored_state(&app, &msisdn).await, "lapsed");
        assert_eq!(stored_state(&app, &other).await, "active");

        // The brand keeps a lapsed number 90 days: a day short of it, nothing moves.
        app.clock.advance(days(89));
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert!(sim.received_for(Operation::NumberReleased).is_empty());
        let (s, _) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(s, StatusCode::OK);

        // Then the number is released to the network, once, and back in the brand's pool; the
        // line is history, no longer found by the number, and a new line may take it.
        app.clock.advance(days(1));
        let free_before = app.app.pool_counts(app.brand.id).await.unwrap().numbers_free;
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert_eq!(sim.received_for(Operation::NumberReleased).len(), 1);
        assert!(sim.line(&msisdn).unwrap().released);
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert_eq!(sim.received_for(Operation::NumberReleased).len(), 1);
        // The worker ran in a process of its own: what this one keeps of the line is forgotten
        // as a feed between them would have it.
        app.app.forget_everything_here();
        let (s, gone) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{gone}");
        assert_eq!(stored_state(&app, &msisdn).await, "lapsed");
        assert_eq!(app.app.pool_counts(app.brand.id).await.unwrap().numbers_free, free_before + 1);
        let number = simrenew_domain::identifiers::Msisdn::parse(&msisdn).unwrap();
        let row = simrenew_app::sales::ports::NewLine {
            brand_id: app.brand.id,
            subscriber_id: None,
            msisdn: number.clone(),
            identity: simrenew_domain::line::LineIdentity::VirtualSim,
            state: simrenew_domain::line::LineState::Active,
            expires_at: None,
            grace_until: None,
            credit: simrenew_domain::money::Money::eur(0),
        };
        let (imported, rejected) = app.app.import_lines(&[(1, row)], false, |_| {}).await.unwrap();
        assert_eq!((imported, rejected.len()), (1, 0), "{rejected:?}");
        let (s, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!((s, line["state"].as_str()), (StatusCode::OK, Some("active")), "{line}");
        assert_eq!(line["kind"], "virtual_sim");
    }

    async fn an_order_completes_when_the_network_confirmed_every_bundle(app: TestApp) {
        let (sim, base) = network(&app, SECRET).await;
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await.to_string();
        let placed = renew(&app, &msisdn, 2).await;
        let before = order(&app, &placed["id"]).await;
        assert_eq!(before["network"]["state"], "pending", "{before}");
        assert_eq!(before["network"]["bundles_pending"], 2);

        // Told another time, a worker refuses a database not made by `demo` unless forced.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
            .args(["--database-url", &app.cli_url, "worker", "--once", "--now", "2027-01-31T09:00:00+01:00"])
            .env("SIMRENEW_PROVISIONING_URL", &base)
            .env("SIMRENEW_PROVISIONING_SECRET", SECRET)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
        assert!(sim.received().is_empty());

        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        let after = order(&app, &placed["id"]).await;
        assert_eq!(after["state"], "completed", "{after}");
        assert_eq!(after["network"]["state"], "confirmed");
        assert_eq!(after["network"]["bundles_confirmed"], 2);
        let granted = sim.received_for(Operation::BundleGranted);
        assert_eq!(granted.len(), 2);
        assert!(granted.iter().all(|r| r.key.as_deref().unwrap_or_default().starts_with("simrenew-outbox-")));
        assert_eq!(sim.line(&msisdn).unwrap().bundles.len(), 2);

        // What was delivered is not delivered again.
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert_eq!(sim.received_for(Operation::BundleGranted).len(), 2);
    }

    async fn a_silent_network_is_asked_again_and_a_refusal_is_a_dead_letter(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await.to_string();
        let placed = renew(&app, &msisdn, 1).await;

        // Nobody answers: the row waits for its next attempt, the order stays syncing.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &closed);
        assert!(ok, "{err}");
        let waiting = order(&app, &placed["id"]).await;
        assert_eq!(waiting["state"], "syncing");
        assert_eq!(waiting["network"]["state"], "pending");

        // A network that refuses (here: it does not know our signature) leaves a dead letter.
        let (refusing, refusing_base) = network(&app, "another secret, not the platform's").await;
        app.clock.advance(jiff::SignedDuration::from_mins(5));
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &refusing_base);
        assert!(ok, "{err}");
        assert_eq!(refusing.received_for(Operation::BundleGranted).len(), 1);
        let failed = order(&app, &placed["id"]).await;
        assert_eq!(failed["state"], "syncing");
        assert_eq!(failed["network"]["state"], "failed", "{failed}");
        let (ok, listed, err) = simrenew(&app, &["outbox", "dead-letters"], &refusing_base);
        assert!(ok, "{err}");
        assert!(listed.contains(&msisdn) && listed.contains("refused"), "{listed}");
        let id = listed.split('\t').next().unwrap().trim().to_owned();

        // The same over the API, to administrators only; a brand's administrators see and
        // replay their brand's alone.
        let (status, api) = app.get("/api/v1/dead-letters").await;
        assert_eq!(status, StatusCode::OK, "{api}");
        assert_eq!(api["items"][0]["msisdn"], msisdn.as_str(), "{api}");
        assert_eq!(api["items"][0]["brand"], "test");
        assert_eq!(api["items"][0]["topic"], "bundle_granted");
        assert_eq!(api["items"][0]["order_id"], placed["id"]);
        assert!(api["items"][0]["error"].as_str().unwrap().contains("refused"), "{api}");
        let api_id = api["items"][0]["id"].as_i64().unwrap();
        assert_eq!(api_id.to_string(), id);
        let other = other_brand_admin(&app).await;
        let (status, theirs) = app.request_as(Some(&other), Method::GET, "/api/v1/dead-letters", None).await;
        assert_eq!(status, StatusCode::OK, "{theirs}");
        assert_eq!(theirs["items"], json!([]), "another brand's admin sees nothing of ours");
        let replay = format!("/api/v1/dead-letters/{api_id}/replay");
        let (status, _) = app.request_as(Some(&other), Method::POST, &replay, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let partner = app
            .app
            .create_api_key("test", "partner", &simrenew_app::identity::api_keys::KeyOwner::Partner {
                brand: app.brand.id,
                scopes: vec![simrenew_domain::access::Scope::Lines, simrenew_domain::access::Scope::Orders],
            })
            .await
            .unwrap()
            .1;
        let (status, _) = app.request_as(Some(&partner), Method::GET, "/api/v1/dead-letters", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.request_as(Some(&partner), Method::POST, &replay, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.request_as(None, Method::GET, "/api/v1/dead-letters", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, bad) = app.get("/api/v1/dead-letters?limit=0").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

        // Fixed, and replayed: the order completes.
        let (sim, base) = network(&app, SECRET).await;
        let (status, _) = app.request_as(Some(&app.token), Method::POST, &replay, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app.request_as(Some(&app.token), Method::POST, &replay, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "replayed already: no dead letter any more");
        let (ok, out, err) = simrenew(&app, &["outbox", "retry", &id], &base);
        assert!(!ok && err.contains(&id), "the CLI agrees: {out}{err}");
        let (ok, _, err) = simrenew(&app, &["outbox", "retry", "999999"], &base);
        assert!(!ok && err.contains("999999"), "{err}");
        let (ok, _, err) = simrenew(&app, &["worker", "--once"], &base);
        assert!(ok, "{err}");
        assert_eq!(sim.received_for(Operation::BundleGranted).len(), 1);
        let done = order(&app, &placed["id"]).await;
        assert_eq!(done["state"], "completed", "{done}");
        let (_, listed, _) = simrenew(&app, &["outbox", "dead-letters"], &base);
        assert!(listed.contains("no dead letters"), "{listed}");
    }
}
