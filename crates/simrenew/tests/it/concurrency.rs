use axum::http::StatusCode;
use serde_json::json;
use simrenew_domain::catalog::LineKind;
use simrenew_store::CountedTable;

use crate::support::{both, days};

both! {
    /// 50 renewals of one line at once: each is applied exactly once, one after the other,
    /// and the final expiry is exactly 50 × 30 days after the first one's start.
    async fn fifty_concurrent_renewals_of_one_line(app: TestApp) {
        let msisdn = app.line(LineKind::PhysicalSim, 50 * 1_000, Some(days(10))).await;
        let app = std::sync::Arc::new(app);
        let mut tasks = vec![];
        for _ in 0..50 {
            let app = app.clone();
            let body = json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
            tasks.push(tokio::spawn(async move { app.post("/api/v1/orders", body).await }));
        }
        for t in tasks {
            let (status, body) = t.await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        let expected = app
            .now()
            .to_zoned(app.brand.time_zone.clone())
            .checked_add(jiff::Span::new().days(10 + 50 * 30))
            .unwrap();
        let expected = expected.timestamp().display_with_offset(expected.offset()).to_string();
        assert_eq!(line["expires_at"], expected);
        assert_eq!(line["credit"]["amount_cents"], 0);
        assert_eq!(app.count(CountedTable::Orders).await, 50);
        assert_eq!(app.count(CountedTable::LedgerEntries).await, 50);
        // 50 new bundles plus the fixture's.
        assert_eq!(app.count(CountedTable::Bundles).await, 51);

        // The bundles form one unbroken queue.
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        let bundles = line["bundles"].as_array().unwrap();
        for pair in bundles.windows(2) {
            assert_eq!(pair[0]["ends_at"], pair[1]["starts_at"]);
        }
        // Each renewal's entry follows the one before in the line's audit chain, though each
        // renewal read the chain's head with the line, while others held both.
        let report = app.app.verify_audit().await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);

        // One more renewal fails for want of credit.
        let body = json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        assert_eq!(app.post("/api/v1/orders", body).await.0, StatusCode::PAYMENT_REQUIRED);
    }
}
