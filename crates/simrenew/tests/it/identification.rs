//! Identification before activation (the Belgian prepaid rule).

use axum::http::{Method, StatusCode};
use serde_json::json;
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_domain::access::Role;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::line::LineState;
use simrenew_store::NewStore;

use crate::support::{both, TestApp};

async fn agent(app: &TestApp, email: &str, capabilities: &[&str]) -> String {
    let store = app
        .db
        .insert_store(&NewStore {
            brand_id: app.brand.id,
            code: email.into(),
            name: email.into(),
            address: "Meir 1, 2000 Antwerpen".into(),
            opening_hours: "Mon–Sat 10:00–18:00".into(),
            capabilities: capabilities.iter().map(|c| (*c).to_owned()).collect(),
        })
        .await
        .unwrap();
    let id = app
        .app
        .create_staff(
            "test",
            &NewStaff {
                email: email.into(),
                name: email.into(),
                role: Role::Agent,
                brand: Some(app.brand.id),
                stores: vec![store],
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

fn identity() -> serde_json::Value {
    json!({
        "method": "passport_at_store",
        "document_number": "EM 123-456-789",
        "name": "Wei Chen",
        "email": "wei@mail.example",
        "language": "zh",
    })
}

both! {
    async fn a_line_is_activated_by_identification_only(app: TestApp) {
        let line = app
            .line_in_state(LineKind::PhysicalSim, 5_000, None, LineState::PendingIdentification)
            .await
            .to_string();
        let uri = format!("/api/v1/lines/{line}/identification");
        let renew = json!({"msisdn": line, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}});
        let (status, body) = app.post("/api/v1/orders", renew.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // An agent at a store that does not identify may not; one at a store that does may.
        let kiosk = agent(&app, "kiosk@test.example", &["renews_cash"]).await;
        app.look_up(&kiosk, &line).await;
        let (status, body) = app.request_as(Some(&kiosk), Method::POST, &uri, Some(identity())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let counter = agent(&app, "counter@test.example", &["renews_cash", "identifies"]).await;
        app.look_up(&counter, &line).await;

        for (field, value) in [
            ("method", json!("fingerprint")),
            ("document_number", json!("12")),
            ("language", json!("tlh")),
            ("name", json!(" ")),
            ("email", json!("not-an-address")),
        ] {
            let mut body = identity();
            body[field] = value;
            let (status, problem) = app.request_as(Some(&counter), Method::POST, &uri, Some(body)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {problem}");
            assert_eq!(problem["field"], field);
        }

        let (status, body) = app.request_as(Some(&counter), Method::POST, &uri, Some(identity())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "active");
        let (status, body) = app.request_as(Some(&counter), Method::POST, &uri, Some(identity())).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // Now the line can be renewed.
        let (status, body) = app.post("/api/v1/orders", renew).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        // The document number is nowhere in the database, only its keyed hash.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        let (hash, verifier): (String, String) =
            sqlx::query_as("SELECT document_hash, verifier FROM identifications")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(!hash.contains("123456789"));
        assert_eq!(hash.len(), 64);
        assert!(verifier.starts_with("staff:"));
        pool.close().await;
        assert!(app.app.verify_audit().await.unwrap().problems.is_empty());
    }
}
