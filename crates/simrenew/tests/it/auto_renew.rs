//! The brand's monthly auto-debit limit: automatic charges per line per calendar month of the
//! brand's zone, counted where the order is paid, under the line's lock.

use axum::http::StatusCode;
use serde_json::json;
use simrenew_domain::catalog::LineKind;
use simrenew_store::CountedTable;

use crate::support::{both, days};

both! {
    async fn concurrent_automatic_renewals_stop_at_the_monthly_limit(app: TestApp) {
        // The fixture brand allows 2 automatic charges a month.
        let msisdn = app.line(LineKind::Esim, 50_000, Some(days(10))).await.to_string();
        let body = json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "channel": "auto_renew", "payment": {"method": "credit"}});
        let app = std::sync::Arc::new(app);
        let mut tasks = vec![];
        for _ in 0..6 {
            let (app, body) = (app.clone(), body.clone());
            tasks.push(tokio::spawn(async move { app.post("/api/v1/orders", body).await }));
        }
        let mut paid = 0;
        for t in tasks {
            let (s, answer) = t.await.unwrap();
            match s {
                StatusCode::CREATED => paid += 1,
                StatusCode::CONFLICT => {
                    assert_eq!(answer["field"], "channel", "{answer}");
                    assert!(answer["detail"].as_str().unwrap().contains("by hand"), "{answer}");
                }
                other => panic!("{other}: {answer}"),
            }
        }
        assert_eq!(paid, 2);
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 50_000 - 2 * 1_000);

        // By hand it renews; the limit is for automatic charges only.
        let by_hand = json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let (s, answer) = app.post("/api/v1/orders", by_hand).await;
        assert_eq!(s, StatusCode::CREATED, "{answer}");

        // Next month (in Brussels) the count starts again.
        app.clock.advance(days(17));
        let (s, answer) = app.post("/api/v1/orders", body).await;
        assert_eq!(s, StatusCode::CREATED, "{answer}");
        assert_eq!(app.count(CountedTable::Orders).await, 4);
    }
}
