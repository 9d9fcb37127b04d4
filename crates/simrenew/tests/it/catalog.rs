use axum::http::StatusCode;

use crate::support::{both, days};

both! {
    async fn plans_on_sale_follow_the_catalog_version_in_force(app: TestApp) {
        let (status, body) = app.get("/api/v1/plans?brand=test").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 6);
        let five = items.iter().find(|p| p["code"] == "TEST-5GB-30D").unwrap();
        assert_eq!(five["price"]["amount_cents"], 1000);
        assert_eq!(five["validity_unit"], "days");

        // Once the new version's effective_from has passed, only its plans are on sale.
        app.clock.advance(days(61));
        let (_, body) = app.get("/api/v1/plans?brand=test").await;
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["price"]["amount_cents"], 1200);
    }

    async fn plans_filter_by_kind_and_channel(app: TestApp) {
        let (_, body) = app.get("/api/v1/plans?kind=physical_sim").await;
        assert!(body["items"].as_array().unwrap().iter().all(|p| p["code"] != "TEST-ESIM-7D"));
        let (_, body) = app.get("/api/v1/plans?channel=partner").await;
        assert!(body["items"].as_array().unwrap().iter().all(|p| p["code"] != "TEST-STORE-7D"));
        let (status, body) = app.get("/api/v1/plans?kind=pigeon").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "kind");
        let (_, brands) = app.get("/api/v1/brands").await;
        assert_eq!(brands["items"][0]["code"], "test");
        assert_eq!(brands["items"][0]["time_zone"], "Europe/Brussels");
    }
}
