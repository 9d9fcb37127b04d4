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

both! {
    async fn a_price_rise_reaches_automatic_renewals_30_days_after_its_notice(app: TestApp) {
        use serde_json::json;
        let mut app = app;
        let g = crate::reminders::with_gateways(&mut app);
        let expiry = app.now().checked_add(days(10)).unwrap();
        let (msisdn, _) =
            crate::reminders::subscriber_line(&app, Some("emma@mail.example"), "en", expiry).await;
        let (manual, _) =
            crate::reminders::subscriber_line(&app, Some("jan@mail.example"), "nl", expiry).await;
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        sqlx::query("UPDATE lines SET credit_cents = 10000")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        app.app.forget_everything_here();
        let (s, _, _) = app
            .request(axum::http::Method::PUT, &format!("/api/v1/lines/{msisdn}/auto-renew"),
                Some(json!({"enabled": true, "plan": "TEST-5GB-30D"})), &[])
            .await;
        assert_eq!(s, StatusCode::OK);

        // Publishing refuses what cannot hold, naming the field, and changes nothing.
        let plan = |cents: i64, currency: &str| json!({"code": "TEST-5GB-30D", "name": "Test 5 GB",
            "data_mb": 5000, "validity_unit": "days", "validity_count": 30,
            "price": {"amount_cents": cents, "currency": currency},
            "line_kinds": ["physical_sim", "esim", "virtual_sim"],
            "channels": ["portal", "store", "partner", "auto_renew"]});
        let from = app.now().checked_add(days(2)).unwrap().to_string();
        let uri = "/api/v1/brands/test/catalog-versions";
        for (body, field) in [
            (json!({"effective_from": "2020-01-01T00:00:00Z", "plans": [plan(1500, "EUR")]}), "effective_from"),
            (json!({"effective_from": from, "plans": [plan(1500, "USD")]}), "plans"),
            (json!({"effective_from": from, "plans": [plan(1500, "EUR"), plan(1600, "EUR")]}), "plans"),
            (json!({"effective_from": from, "plans": [plan(-1, "EUR")]}), "plans[0].price"),
        ] {
            let (s, p) = app.post(uri, body).await;
            assert_eq!((s, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{p}");
        }
        let (s, _) = app.post("/api/v1/brands/nope/catalog-versions", json!({"effective_from": from, "plans": [plan(1500, "EUR")]})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(app.audit_entries("catalog.publish").await.is_empty());

        // A rise from 10.00 to 15.00 in two days.
        let (s, v) = app.post(uri, json!({"effective_from": from, "plans": [plan(1500, "EUR")]})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["version"], 3);
        assert_eq!(app.audit_entries("catalog.publish").await.len(), 1);

        // The worker takes every version not noticed yet (the fixture's two and this one) and
        // records a notice for the auto-renewing line only (of this rise, and of the fixture's
        // later one), and sends it.
        let noticed = app.app.run_price_notices().await.unwrap();
        assert_eq!((noticed.versions, noticed.notices), (3, 2), "{noticed:?}");
        let again = app.app.run_price_notices().await.unwrap();
        assert_eq!(again.versions, 0, "noticed once");
        app.app.run_reminders().await.unwrap();
        let step = simrenew_domain::reminder::PRICE_NOTICE_STEP;
        let mails = g.mail.to("emma@mail.example");
        assert!(!mails.is_empty() && mails.iter().all(|m| m.1 == format!("Test Mobile step {step}")), "{mails:?}");
        assert!(g.mail.to("jan@mail.example").is_empty(), "no notice without auto-renew");

        // Administrators list the versions, the upcoming one noticed; the line shows its
        // notice with the message that gave it, the line without auto-renew none.
        let (s, versions) = app.get(uri).await;
        assert_eq!(s, StatusCode::OK, "{versions}");
        let items = versions["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{versions}");
        assert_eq!((items[0]["version"].as_u64(), items[0]["status"].as_str()), (Some(3), Some("upcoming")), "{versions}");
        assert!(items[0]["noticed_at"].is_string(), "{versions}");
        assert_eq!(items[0]["plans"][0]["price"]["amount_cents"], 1500, "{versions}");
        assert_eq!(items.iter().filter(|v| v["status"] == "in_force").count(), 1, "{versions}");
        let (s, notices) = app.get(&format!("/api/v1/lines/{msisdn}/price-notices")).await;
        assert_eq!(s, StatusCode::OK, "{notices}");
        let rise = notices["items"].as_array().unwrap().iter()
            .find(|n| n["catalog_version"] == 3).unwrap_or_else(|| panic!("{notices}"));
        assert_eq!((rise["old_price"]["amount_cents"].as_i64(), rise["new_price"]["amount_cents"].as_i64()), (Some(1000), Some(1500)), "{rise}");
        assert!(rise["sent_at"].is_string() && rise["binds_from"].is_string(), "{rise}");
        let messages = rise["messages"].as_array().unwrap();
        assert!(messages.iter().any(|m| m["channel"] == "email" && m["state"] == "sent"), "{rise}");
        let (_, none) = app.get(&format!("/api/v1/lines/{manual}/price-notices")).await;
        assert_eq!(none["items"], json!([]), "{none}");
        let (s, _) = app.request_as(None, axum::http::Method::GET, uri, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // Nine days on, the new price is in force: a person pays it, the automatic renewal
        // keeps 10.00 and says why.
        app.clock.advance(days(9) + jiff::SignedDuration::from_hours(1));
        let (_, by_hand) = app.post("/api/v1/quotes", json!({"msisdn": manual.to_string(), "plan": "TEST-5GB-30D"})).await;
        assert_eq!(by_hand["total"]["amount_cents"], 1500, "{by_hand}");
        let (_, auto) = app.post("/api/v1/quotes", json!({"msisdn": msisdn.to_string(), "plan": "TEST-5GB-30D", "channel": "auto_renew"})).await;
        assert_eq!(auto["total"]["amount_cents"], 1000, "{auto}");
        assert_eq!(auto["price_kept"]["list_price"]["amount_cents"], 1500, "{auto}");
        assert!(auto["price_kept"]["until"].is_string(), "{auto}");
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(r.renewed, 1, "{r:?}");
        app.app.forget_everything_here();
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 9_000, "{line}");

        // Thirty days after the notice the rise binds: the next automatic renewal pays 15.00.
        app.clock.advance(days(30));
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(r.renewed, 1, "{r:?}");
        app.app.forget_everything_here();
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        assert_eq!(line["credit"]["amount_cents"], 7_500, "{line}");
    }
}

both! {
    async fn administrators_create_change_and_end_promotions_and_quotes_follow(app: TestApp) {
        use serde_json::json;
        let msisdn = app.line(simrenew_domain::catalog::LineKind::Esim, 0, Some(days(10))).await.to_string();
        let quote = |promo: Option<&str>| {
            let mut body = json!({"msisdn": msisdn, "plan": "TEST-5GB-30D"});
            if let Some(p) = promo {
                body["promo_code"] = json!(p);
            }
            body
        };
        let (_, plain) = app.post("/api/v1/quotes", quote(None)).await;
        let plain_total = plain["total"]["amount_cents"].as_i64().unwrap();

        let uri = "/api/v1/brands/test/promotions";
        let half = json!({"name": "Half off", "code": "HALFOFF", "rule": {"kind": "percent_off", "percent_bp": 5000}});
        for (body, field) in [
            (json!({"name": "x", "rule": {"kind": "percent_off", "percent_bp": 0}}), "rule"),
            (json!({"name": "x", "rule": {"kind": "amount_off", "amount": {"amount_cents": 100, "currency": "USD"}}}), "rule"),
            (json!({"name": "x", "rule": {"kind": "gift"}}), "rule.kind"),
            (json!({"name": "x", "rule": {"kind": "percent_off", "percent_bp": 10}, "valid_from": "2027-02-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"}), "valid_until"),
        ] {
            let (s, p) = app.post(uri, body).await;
            assert_eq!((s, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{p}");
        }
        let (s, _) = app.request_as(None, axum::http::Method::POST, uri, Some(half.clone())).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(app.audit_entries("promotion.create").await.is_empty());

        let (s, created) = app.post(uri, half).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().unwrap();
        let listed = |list: &serde_json::Value| list["items"].as_array().unwrap().iter()
            .find(|p| p["id"] == id).cloned().unwrap_or_else(|| panic!("{list}"));
        let (s, list) = app.get(uri).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let p = listed(&list);
        assert_eq!((p["code"].as_str(), p["status"].as_str(), p["uses"].as_u64()), (Some("HALFOFF"), Some("running"), Some(0)), "{p}");
        assert_eq!((p["rule"]["kind"].as_str(), p["rule"]["percent_bp"].as_u64()), (Some("percent_off"), Some(5000)), "{p}");
        let (_, with) = app.post("/api/v1/quotes", quote(Some("HALFOFF"))).await;
        let with_total = with["total"]["amount_cents"].as_i64().unwrap();
        assert!(with_total < plain_total, "{with}");
        assert!(with["promotions"].as_array().unwrap().iter().any(|p| p["code"] == "HALFOFF"), "{with}");

        // A change takes effect at once; an end in the past is refused.
        let (s, _, _) = app.request(axum::http::Method::PATCH, &format!("/api/v1/promotions/{id}"),
            Some(json!({"name": "Half off, spring"})), &[]).await;
        assert_eq!(s, StatusCode::OK);
        let (s, p, _) = app.request(axum::http::Method::PATCH, &format!("/api/v1/promotions/{id}"),
            Some(json!({"valid_until": "2020-01-01T00:00:00Z"})), &[]).await;
        assert_eq!((s, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("valid_until")), "{p}");
        let (s, _, _) = app.request(axum::http::Method::PATCH, "/api/v1/promotions/999999",
            Some(json!({"name": "nope"})), &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Ended: the code applies no more.
        let (s, p) = app.post(&format!("/api/v1/promotions/{id}/end"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        app.clock.advance(jiff::SignedDuration::from_secs(1));
        let (s, p) = app.post("/api/v1/quotes", quote(Some("HALFOFF"))).await;
        assert_eq!((s, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("promo_code")), "{p}");
        let (_, list) = app.get(uri).await;
        let p = listed(&list);
        assert_eq!((p["name"].as_str(), p["status"].as_str()), (Some("Half off, spring"), Some("ended")), "{p}");
        assert_eq!(app.audit_entries("promotion.create").await.len(), 1);
        assert_eq!(app.audit_entries("promotion.change").await.len(), 1);
        assert_eq!(app.audit_entries("promotion.end").await.len(), 1);
    }
}
