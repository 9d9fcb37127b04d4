//! Scopes and personal data: saved payment methods belong to the subscriber (and to staff of
//! their brand acting for them), each role sees only the personal data it needs, brand-bound
//! staff read only their brand, and the sales channel follows from who is calling.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::KeyOwner;
use simrenew_domain::access::{Role, Scope};
use simrenew_domain::brand::Brand;
use simrenew_domain::ids::{BrandId, StoreId};
use simrenew_domain::money::Money;
use simrenew_domain::voucher::VoucherValue;
use simrenew_store::NewStore;

use crate::payments::with_providers;
use crate::support::{both, TestApp};

async fn partner(app: &TestApp, brand: BrandId, scopes: Vec<Scope>) -> String {
    app.app
        .create_api_key("test", "partner", &KeyOwner::Partner { brand, scopes })
        .await
        .unwrap()
        .1
}

async fn staff(
    app: &TestApp,
    email: &str,
    role: Role,
    brand: BrandId,
    stores: Vec<StoreId>,
) -> String {
    let id = app
        .app
        .create_staff(
            "test",
            &NewStaff {
                email: email.into(),
                name: email.into(),
                role,
                brand: Some(brand),
                stores,
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

async fn counter(app: &TestApp) -> StoreId {
    app.db
        .insert_store(&NewStore {
            brand_id: app.brand.id,
            code: "counter".into(),
            name: "Counter".into(),
            address: "Rue Neuve 1, 1000 Bruxelles".into(),
            opening_hours: "Mon-Sat 10:00-18:00".into(),
            capabilities: vec!["renews_cash".into()],
        })
        .await
        .unwrap()
}

async fn other_brand(app: &TestApp) -> BrandId {
    app.db
        .insert_brand(&Brand {
            code: "other".into(),
            name: "Other Mobile".into(),
            portal_url: "https://other.example".into(),
            quiet_hours: Default::default(),
            ..app.brand.clone()
        })
        .await
        .unwrap()
}

both! {
    async fn saved_payment_methods_belong_to_the_subscriber(app: TestApp) {
        let (mut app, mock) = with_providers(app).await;
        let (msisdn, _) = app.subscriber_line().await;
        let msisdn = msisdn.to_string();
        let line_id = app.app.store.line_access(&msisdn).await.unwrap().unwrap().line;
        let uri = format!("/api/v1/lines/{msisdn}/saved-payment-methods");
        let reader = partner(&app, app.brand.id, vec![Scope::Lines]).await;
        let seller = partner(&app, app.brand.id, vec![Scope::Lines, Scope::Orders, Scope::Catalog, Scope::Vouchers]).await;
        let blind = partner(&app, app.brand.id, vec![Scope::Orders]).await;
        let store = counter(&app).await;
        let agent = staff(&app, "agent@brand.example", Role::Agent, app.brand.id, vec![store]).await;

        // Staff of the brand acting for the subscriber save a card.
        let (status, card) = app.post(&uri, json!({"method": "card", "token": "pm_card_visa"})).await;
        assert_eq!(status, StatusCode::CREATED, "{card}");
        let card_uri = format!("{uri}/{}", card["id"]);
        let before = mock.requests().len();

        // Partners neither list, add, remove nor pay with them, whatever their scopes: those
        // who may see the line are refused, those who may not are told it does not exist.
        for (key, want) in [(&reader, 403), (&seller, 403), (&blind, 404)] {
            let (status, body) = app.request_as(Some(key), Method::GET, &uri, None).await;
            assert_eq!(status.as_u16(), want, "{body}");
            let (status, body) = app
                .request_as(Some(key), Method::POST, &uri, Some(json!({"method": "card", "token": "pm_card_mastercard"})))
                .await;
            assert_eq!(status.as_u16(), want, "{body}");
            let (status, body) = app.request_as(Some(key), Method::DELETE, &card_uri, None).await;
            assert_eq!(status.as_u16(), want, "{body}");
        }
        let (status, order) = app
            .request_as(Some(&seller), Method::POST, "/api/v1/orders", Some(json!({"msisdn": msisdn, "plan": "TEST-5GB-30D"})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let (status, body) = app
            .request_as(Some(&seller), Method::POST, &format!("/api/v1/orders/{}/provider-payments", order["id"]),
                Some(json!({"method": "card", "saved_method_id": card["id"]})))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(mock.requests().len(), before, "a partner's request reached the provider");
        assert_eq!(mock.charges(), 0);
        let (_, list) = app.get(&uri).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");

        // The subscriber handles their own; another subscriber is told there is no such line.
        let (theirs, _) = app.subscriber_line().await;
        let me = app.signed_in(&msisdn.parse().unwrap()).await;
        let (status, list) = app.as_subscriber(&me, Method::GET, &uri, None).await;
        assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{list}");
        let stranger = app.signed_in(&theirs).await;
        let (status, body) = app.as_subscriber(&stranger, Method::GET, &uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

        // An agent only for the customer looked up at the counter.
        let (status, _) = app.request_as(Some(&agent), Method::GET, &uri, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        app.look_up(&agent, &msisdn).await;
        let (status, list) = app.request_as(Some(&agent), Method::GET, &uri, None).await;
        assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{list}");

        // Every change is audited on the line's chain, with its actor.
        let (status, _) = app.request_as(Some(&agent), Method::DELETE, &card_uri, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (entries, _) = app.app.store.audit_log().await.unwrap();
        let chain = format!("line:{line_id}");
        let acts: Vec<(&str, &str)> = entries
            .iter()
            .filter(|e| e.chain == chain && e.action.starts_with("saved_method."))
            .map(|e| (e.action.as_str(), e.actor.as_str()))
            .collect();
        assert_eq!(acts.len(), 2, "{acts:?}");
        assert_eq!(acts[0].0, "saved_method.add");
        assert!(acts[0].1.starts_with("staff:"), "{acts:?}");
        assert_eq!(acts[1].0, "saved_method.remove");
        assert!(acts[1].1.starts_with("staff:") && acts[1].1 != acts[0].1, "{acts:?}");
    }

    async fn a_partner_gets_no_personal_data_of_the_subscriber(app: TestApp) {
        let (msisdn, _) = app.subscriber_line().await;
        let msisdn = msisdn.to_string();
        let seller = partner(&app, app.brand.id, vec![Scope::Lines, Scope::Orders, Scope::Vouchers]).await;
        let personal = |v: &Value| {
            let text = v.to_string();
            text.contains("Emma") || text.contains("emma@mail.example")
        };
        let (status, quote) = app
            .request_as(Some(&seller), Method::POST, "/api/v1/quotes", Some(json!({"msisdn": msisdn, "plan": "TEST-5GB-30D"})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{quote}");
        assert!(!personal(&quote), "{quote}");
        assert!(quote["subscriber"].is_null(), "{quote}");
        let (status, order) = app
            .request_as(Some(&seller), Method::POST, "/api/v1/orders", Some(json!({"quote_id": quote["id"], "payment": {"method": "credit"}})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        assert!(!personal(&order), "{order}");
        let (_, order) = app.request_as(Some(&seller), Method::GET, &format!("/api/v1/orders/{}", order["id"]), None).await;
        assert!(!personal(&order), "{order}");
        let (_, line) = app.request_as(Some(&seller), Method::GET, &format!("/api/v1/lines/{msisdn}"), None).await;
        assert!(!personal(&line), "{line}");
        // Nor an eSIM's activation code, with which anyone could download the profile.
        let esim = simrenew_domain::identifiers::Msisdn::parse("+32470555001").unwrap();
        let mut tx = app.app.store.begin().await.unwrap();
        tx.insert_line(
            &simrenew_app::sales::ports::NewLine {
                brand_id: app.brand.id,
                subscriber_id: None,
                msisdn: esim.clone(),
                identity: simrenew_domain::line::LineIdentity::Esim {
                    iccid: simrenew_domain::identifiers::Iccid::from_body("893200100000000555").unwrap(),
                    eid: None,
                    activation_code: Some(
                        simrenew_domain::identifiers::ActivationCode::parse("LPA:1$smdp.example.com$MATCH-555").unwrap(),
                    ),
                },
                state: simrenew_domain::line::LineState::Active,
                expires_at: None,
                grace_until: None,
                credit: Money::eur(0),
            },
            app.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let uri = format!("/api/v1/lines/{esim}");
        let (_, line) = app.get(&uri).await;
        assert_eq!(line["activation_code"], "LPA:1$smdp.example.com$MATCH-555", "{line}");
        for _ in 0..2 {
            let (status, line) = app.request_as(Some(&seller), Method::GET, &uri, None).await;
            assert_eq!(status, StatusCode::OK, "{line}");
            assert!(line["activation_code"].is_null(), "{line}");
        }
        let (_, page) = app.request_as(Some(&seller), Method::GET, "/api/v1/lines", None).await;
        assert!(page["items"].as_array().unwrap().iter().all(|l| l["activation_code"].is_null()), "{page}");

        // The brand's staff still see whom they sell to.
        let (_, quote) = app.post("/api/v1/quotes", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D"})).await;
        assert_eq!(quote["subscriber"]["name"], "Emma Peeters", "{quote}");
    }

    async fn brand_staff_read_only_their_brand(app: TestApp) {
        let other = other_brand(&app).await;
        let admin = staff(&app, "admin@other.example", Role::BrandAdmin, other, vec![]).await;
        let own = staff(&app, "admin@brand.example", Role::BrandAdmin, app.brand.id, vec![]).await;
        for uri in ["/api/v1/plans?brand=test", "/api/v1/payment-methods?brand=test&channel=portal"] {
            let (status, body) = app.request_as(Some(&admin), Method::GET, uri, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
            let (status, body) = app.request_as(Some(&own), Method::GET, uri, None).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        }
        let (status, plans) = app.request_as(Some(&admin), Method::GET, "/api/v1/plans", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(plans["items"].as_array().unwrap().iter().all(|p| p["brand"] == "other"), "{plans}");
        let (_, plans) = app.get("/api/v1/plans").await;
        assert!(plans["items"].as_array().unwrap().iter().any(|p| p["brand"] == "test"), "{plans}");
    }

    async fn the_sales_channel_follows_from_the_caller(app: TestApp) {
        let mut app = app;
        let (msisdn, _) = app.subscriber_line().await;
        let session = app.signed_in(&msisdn).await;
        let msisdn = msisdn.to_string();
        let voucher = |app: &TestApp| {
            let app = app.app.clone();
            async move {
                let (_, codes) = app
                    .generate_vouchers("test", "channels", 1, &VoucherValue::Credit(Money::eur(100)), None)
                    .await
                    .unwrap();
                codes[0].to_string()
            }
        };
        for channel in ["partner", "store", "auto_renew"] {
            let code = voucher(&app).await;
            let (status, body) = app
                .as_subscriber(&session, Method::POST, "/api/v1/voucher-redemptions",
                    Some(json!({"code": code, "msisdn": msisdn, "channel": channel})))
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{channel}: {body}");
            assert_eq!(body["field"], "channel", "{body}");
            let (status, body) = app
                .as_subscriber(&session, Method::POST, "/api/v1/orders",
                    Some(json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "channel": channel})))
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{channel}: {body}");
            assert_eq!(body["field"], "channel", "{body}");
        }
        // Without a channel, or with their own, subscribers redeem through the portal.
        for channel in [None, Some("portal")] {
            let code = voucher(&app).await;
            let mut body = json!({"code": code, "msisdn": msisdn});
            if let Some(c) = channel {
                body["channel"] = json!(c);
            }
            let (status, body) = app
                .as_subscriber(&session, Method::POST, "/api/v1/voucher-redemptions", Some(body))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        // A partner redeems through the partner channel, whatever it asks.
        let seller = partner(&app, app.brand.id, vec![Scope::Lines, Scope::Vouchers]).await;
        let code = voucher(&app).await;
        let (status, body) = app
            .request_as(Some(&seller), Method::POST, "/api/v1/voucher-redemptions",
                Some(json!({"code": code, "msisdn": msisdn, "channel": "store"})))
            .await;
        assert_eq!((status, &body["field"]), (StatusCode::FORBIDDEN, &json!("channel")), "{body}");
    }
}
