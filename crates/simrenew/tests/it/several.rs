//! Several processes on one database behave as one: a renewal through one server, or usage
//! counted by another process, is read through the other server at once, though each keeps
//! its line reads in memory. On PostgreSQL the processes tell each other what to forget
//! (`LISTEN`/`NOTIFY`); on SQLite, one process in practice, a read is stale for the cache's
//! life at most.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use simrenew_domain::catalog::LineKind;
use simrenew_store::Dialect;

use crate::support::{both, days, Served, TestApp, AUDIT_KEY};

async fn line_via(http: &reqwest::Client, served: &Served, token: &str, msisdn: &str) -> Value {
    http.get(format!("{}/api/v1/lines/{msisdn}", served.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// How long until `served` shows `field` of the line as `want`, polling (at most 5 s).
async fn seen_after(
    http: &reqwest::Client,
    served: &Served,
    token: &str,
    msisdn: &str,
    want: impl Fn(&Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let line = line_via(http, served, token, msisdn).await;
        if want(&line) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "never seen: {line}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Within what time another process's write must be read: at once with the feed (give or
/// take the notification's trip), within the cache's life without.
fn bound(app: &TestApp) -> Duration {
    match app.db.dialect() {
        Dialect::Postgres => Duration::from_millis(500),
        Dialect::Sqlite => simrenew_app::LINE_CACHE_TTL + Duration::from_millis(500),
    }
}

both! {
    async fn a_renewal_through_one_server_is_read_through_the_other_at_once(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await.to_string();
        let one = Served::start(&app, &[]).await;
        let other = Served::start(&app, &[]).await;
        let http = reqwest::Client::new();
        // The other server has the line in memory.
        let before = line_via(&http, &other, &app.token, &msisdn).await;
        let expiry = before["expires_at"].clone();

        let order = http
            .post(format!("{}/api/v1/orders", one.base))
            .bearer_auth(&app.token)
            .json(&json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(order.status(), 201, "{}", order.text().await.unwrap());
        let took = seen_after(&http, &other, &app.token, &msisdn, |l| l["expires_at"] != expiry).await;
        assert!(took < bound(&app), "the other server showed the old expiry for {took:?}");
    }

    async fn usage_imported_by_the_command_line_is_read_through_a_server_at_once(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(10))).await.to_string();
        let served = Served::start(&app, &[]).await;
        let http = reqwest::Client::new();
        let before = line_via(&http, &served, &app.token, &msisdn).await;
        assert_eq!(before["bundles"][0]["data_used_bytes"], 0, "{before}");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("usage.csv");
        let (t1, t2) = (app.now().checked_sub(days(1)).unwrap(), app.now());
        std::fs::write(&file, format!("record_id,msisdn,start,end,bytes\nx-1,{msisdn},{t1},{t2},1000\n")).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
            .args(["--database-url", &app.cli_url, "import", "usage"])
            .arg(&file)
            .env("SIMRENEW_LOG", "warn")
            .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let took = seen_after(&http, &served, &app.token, &msisdn, |l| l["bundles"][0]["data_used_bytes"] == 1_000).await;
        assert!(took < bound(&app), "the server showed the old data left for {took:?}");
    }
}

both! {
    async fn a_key_revoked_from_the_command_line_is_refused_by_a_running_server_at_once(app: TestApp) {
        let token = app
            .app
            .create_api_key(
                "test",
                "partner",
                &simrenew_app::identity::api_keys::KeyOwner::Partner {
                    brand: app.brand.id,
                    scopes: vec![simrenew_domain::access::Scope::Catalog],
                },
            )
            .await
            .unwrap()
            .1;
        let prefix = token.split('_').nth(1).unwrap().to_owned();
        let served = Served::start(&app, &[]).await;
        let http = reqwest::Client::new();
        let plans = || {
            http.get(format!("{}/api/v1/plans?brand=test", served.base))
                .bearer_auth(&token)
                .send()
        };
        // The server knows the key now.
        assert_eq!(plans().await.unwrap().status(), 200);

        let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
            .args(["--database-url", &app.cli_url, "api-keys", "revoke", &prefix])
            .env("SIMRENEW_LOG", "warn")
            .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let started = Instant::now();
        while plans().await.unwrap().status() != 401 {
            assert!(started.elapsed() < Duration::from_secs(15), "the revoked key is still taken");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let bound = match app.db.dialect() {
            Dialect::Postgres => Duration::from_millis(500),
            Dialect::Sqlite => simrenew_app::identity::principals::PRINCIPAL_CACHE_TTL + Duration::from_millis(500),
        };
        assert!(started.elapsed() < bound, "the revoked key was taken for {:?}", started.elapsed());
    }
}
