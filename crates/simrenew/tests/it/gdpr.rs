//! GDPR: export and erasure of a subscriber's data.

use axum::http::{Method, StatusCode};
use serde_json::json;
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_domain::access::Role;
use simrenew_domain::brand::Brand;
use simrenew_domain::ids::BrandId;

use crate::support::{both, TestApp};

async fn staff(app: &TestApp, email: &str, role: Role, brand: BrandId) -> String {
    let id = app
        .app
        .create_staff(
            "test",
            &NewStaff {
                email: email.into(),
                name: email.into(),
                role,
                brand: Some(brand),
                stores: vec![],
            },
        )
        .await
        .unwrap();
    app.app
        .create_api_key("test", email, &KeyOwner::Staff(id))
        .await
        .unwrap()
        .1
}

both! {
    async fn a_subscriber_is_exported_then_erased_keeping_what_billing_needs(app: TestApp) {
        let (msisdn, subscriber) = app.subscriber_line().await;
        let (status, body) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let uri = format!("/api/v1/subscribers/{subscriber}/export");

        let (status, export) = app.get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{export}");
        assert_eq!(export["subscriber"]["name"], "Emma Peeters");
        assert_eq!(export["subscriber"]["email"], "emma@mail.example");
        assert_eq!(export["lines"][0]["msisdn"], msisdn.to_string());
        assert_eq!(export["orders"][0]["total_cents"], 1000);
        assert_eq!(export["orders"][0]["lines"][0]["vat_cents"], 174);
        assert_eq!(export["ledger"][0]["amount_cents"], -1000);

        // Staff of another brand do not even learn the subscriber exists; an agent of the
        // brand is no administrator.
        let other = app
            .db
            .insert_brand(&Brand { code: "other".into(), ..app.brand.clone() })
            .await
            .unwrap();
        let outsider = staff(&app, "admin@other.example", Role::BrandAdmin, other).await;
        let (status, _) = app.request_as(Some(&outsider), Method::GET, &uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.request_as(Some(&outsider), Method::GET, "/api/v1/subscribers/999999/export", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let agent = staff(&app, "agent@test.example", Role::Agent, app.brand.id).await;
        let (status, _) = app.request_as(Some(&agent), Method::GET, &uri, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .request_as(Some(&agent), Method::POST, &format!("/api/v1/subscribers/{subscriber}/erasure"), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let (status, _, _) = app
            .request(Method::POST, &format!("/api/v1/subscribers/{subscriber}/erasure"), None, &[])
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, export) = app.get(&uri).await;
        assert_ne!(export["subscriber"]["name"], "Emma Peeters");
        assert!(export["subscriber"]["email"].is_null());
        assert!(export["subscriber"]["erased_at"].is_i64());
        // What billing law requires stays.
        assert_eq!(export["orders"].as_array().unwrap().len(), 1);
        assert_eq!(export["ledger"].as_array().unwrap().len(), 1);
        assert!(app.app.verify_audit().await.unwrap().problems.is_empty());
    }
}
