use axum::http::StatusCode;

use crate::support::both;

both! {
    async fn the_served_document_describes_every_route(app: TestApp) {
        let (status, doc) = app.get("/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
        let paths = doc["paths"].as_object().unwrap();
        for (path, method) in [
            ("/api/v1/brands", "get"),
            ("/api/v1/plans", "get"),
            ("/api/v1/lines", "get"),
            ("/api/v1/lines/{msisdn}", "get"),
            ("/api/v1/quotes", "post"),
            ("/api/v1/orders", "post"),
            ("/api/v1/orders/{id}", "get"),
            ("/api/v1/orders/{id}/payment", "post"),
            ("/api/v1/voucher-redemptions", "post"),
            ("/api/v1/auth/codes", "post"),
            ("/api/v1/auth/sessions", "post"),
            ("/api/v1/auth/sessions/current", "delete"),
            ("/api/v1/auth/sessions/sign-out-everywhere", "post"),
            ("/api/v1/orders/{id}/provider-payments", "post"),
            ("/api/v1/orders/{id}/store-payments", "post"),
            ("/api/v1/payments/{id}", "get"),
            ("/api/v1/payments/{id}/confirmation", "post"),
            ("/api/v1/payments/{id}/refunds", "post"),
            ("/api/v1/orders/{id}/refunds", "post"),
            ("/api/v1/payment-methods", "get"),
            ("/api/v1/lines/{msisdn}/saved-payment-methods", "post"),
            ("/api/v1/lines/{msisdn}/saved-payment-methods", "get"),
            ("/api/v1/lines/{msisdn}/saved-payment-methods/{id}", "delete"),
            ("/api/v1/webhooks/stripe", "post"),
            ("/api/v1/webhooks/paypal", "post"),
        ] {
            let op = &paths[path][method];
            assert!(op.is_object(), "{method} {path} missing from the document");
            assert!(op["responses"]["4XX"].is_object(), "{method} {path} has no problem response");
        }
        // Every documented operation has its problem answers.
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                assert!(op["responses"]["4XX"].is_object(), "{method} {path} has no problem response");
            }
        }
        assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        // Every route in the document answers (not 404 for an unknown route).
        let (status, _) = app.get("/api/v1/brands").await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app.get("/api/v1/nothing-here").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["status"], 404);
    }
}
