//! The crash test of renewals: 300 renewals with idempotency keys sent concurrently to a real
//! `simrenew serve`, killed twice with SIGKILL while they run. Every client retries its
//! request with the same key until it is answered; in the end every renewal is applied exactly
//! once and every key answers its own order.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use simrenew_domain::catalog::LineKind;
use simrenew_store::CountedTable;
use tokio::sync::RwLock;

use crate::support::{both, days, Served};

const LINES: usize = 100;
const PER_LINE: usize = 3;
const PRICE_CENTS: i64 = 1_000;
const CREDIT_CENTS: i64 = 10_000;

const ENV: [(&str, &str); 1] = [(
    "SIMRENEW_SEALING_KEY",
    "the sealing key of the crash test, 32 bytes",
)];

/// Sends one renewal until it is answered: through connection errors while the server is
/// down and "in progress" while the lease of a killed attempt runs.
async fn renew(base: Arc<RwLock<String>>, token: String, msisdn: String, key: String) -> Value {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let body = json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(Instant::now() < deadline, "{key} was never answered");
        let url = format!("{}/api/v1/orders", base.read().await);
        let sent = http
            .post(url)
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status() == 201 => return r.json().await.unwrap(),
            Ok(r) if r.status() == 409 || r.status() == 503 => {}
            Ok(r) => {
                let status = r.status();
                panic!("{key}: {status} {}", r.text().await.unwrap_or_default());
            }
            Err(_) => {}
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

both! {
    async fn renewals_killed_mid_flight_are_applied_once_each(app: TestApp) {
        let mut lines = vec![];
        for _ in 0..LINES {
            lines.push(app.line(LineKind::Esim, CREDIT_CENTS, Some(days(20))).await.to_string());
        }
        let served = Served::start(&app, &ENV).await;
        let base = Arc::new(RwLock::new(served.base.clone()));
        let mut tasks = vec![];
        for round in 0..PER_LINE {
            for msisdn in &lines {
                let key = format!("renew-{msisdn}-{round}");
                tasks.push(tokio::spawn(renew(base.clone(), app.token.clone(), msisdn.clone(), key)));
            }
        }
        // Two SIGKILLs while the renewals run (a third and two thirds of them applied), each
        // followed by a restart.
        let mut served = Some(served);
        let total = (LINES * PER_LINE) as i64;
        for part in [1, 2] {
            while app.count(CountedTable::Orders).await < total * part / 3 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            drop(served.take());
            eprintln!("killed with {} of {total} orders placed", app.count(CountedTable::Orders).await);
            let next = Served::start(&app, &ENV).await;
            *base.write().await = next.base.clone();
            served = Some(next);
        }
        let mut orders = HashMap::new();
        let mut ids = HashSet::new();
        for t in tasks {
            let order = t.await.unwrap();
            assert_eq!(order["state"], "syncing", "{order}");
            assert!(ids.insert(order["id"].as_i64().unwrap()), "one order answered twice");
            *orders.entry(order["msisdn"].as_str().unwrap().to_owned()).or_insert(0) += 1;
        }
        // Each key answered an order of its own, and no renewal was applied twice.
        assert_eq!(ids.len(), LINES * PER_LINE);
        assert_eq!(app.count(CountedTable::Orders).await, (LINES * PER_LINE) as i64);
        assert_eq!(orders.len(), LINES);
        // Credit and expiry add up: three 30-day periods stacked on the expiry each line had
        // (an hour either way across a change of summer time).
        let before = app.now().checked_add(days(20)).unwrap();
        for msisdn in &lines {
            assert_eq!(orders[msisdn], PER_LINE);
            let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
            assert_eq!(
                line["credit"]["amount_cents"].as_i64().unwrap(),
                CREDIT_CENTS - PRICE_CENTS * PER_LINE as i64,
                "{line}"
            );
            let expires: jiff::Timestamp = line["expires_at"].as_str().unwrap().parse().unwrap();
            let hours = expires.duration_since(before).as_hours();
            let expected = 24 * 30 * PER_LINE as i64;
            assert!((expected - 1..=expected + 1).contains(&hours), "{hours} h: {line}");
        }
        drop(served);
    }
}
