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

/// The credit the database holds for a line (the worker is another process: this one's
/// cached reads lag it by up to `LINE_CACHE_TTL`).
async fn credit(app: &crate::support::TestApp, msisdn: &str) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    let row = sqlx::query(&format!(
        "SELECT credit_cents FROM lines WHERE msisdn = '{msisdn}'"
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    row.get::<i64, _>("credit_cents")
}

/// Runs `simrenew worker --once` at the tests' time, without a network.
fn worker(app: &crate::support::TestApp) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .args([
            "--database-url",
            &app.cli_url,
            "worker",
            "--once",
            "--force",
            "--now",
        ])
        .arg(app.now().to_string())
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .env_remove("SIMRENEW_PROVISIONING_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

both! {
    async fn the_worker_renews_a_line_a_day_before_it_expires(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(3))).await.to_string();
        let poor = app.line(LineKind::Esim, 100, Some(days(3))).await.to_string();
        let off = app.line(LineKind::Esim, 5_000, Some(days(3))).await.to_string();
        let uri = |m: &str| format!("/api/v1/lines/{m}/auto-renew");
        let on = json!({"enabled": true, "plan": "TEST-5GB-30D"});
        for m in [&msisdn, &poor] {
            let (s, set, _) = app.request(axum::http::Method::PUT, &uri(m), Some(on.clone()), &[]).await;
            assert_eq!(s, StatusCode::OK, "{set}");
            assert_eq!(set["enabled"], true);
            assert_eq!(set["monthly_auto_debit_limit"], 2);
        }
        // Switching on needs a plan the brand sells; nothing changes otherwise.
        let (s, p, _) = app.request(axum::http::Method::PUT, &uri(&off), Some(json!({"enabled": true})), &[]).await;
        assert_eq!((s, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("plan")), "{p}");
        let (s, p, _) = app.request(axum::http::Method::PUT, &uri(&off), Some(json!({"enabled": true, "plan": "NO-SUCH-PLAN"})), &[]).await;
        assert_eq!((s, p["field"].as_str()), (StatusCode::NOT_FOUND, Some("plan")), "{p}");
        let (_, got) = app.get(&uri(&off)).await;
        assert_eq!(got["enabled"], false);
        assert_eq!(app.audit_entries("auto_renew.on").await.len(), 2);

        // Two days before expiry: not yet.
        app.clock.advance(days(1));
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 0);

        // Within a day of it: renewed from credit, once; the poor line fails and waits.
        app.clock.advance(jiff::SignedDuration::from_hours(30));
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 1);
        assert_eq!(credit(&app, &msisdn).await, 4_000);
        let renewals = app.audit_entries("payment.settle").await;
        assert_eq!(renewals.len(), 1);
        assert_eq!(renewals[0].actor, "system:auto_renew");
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 1, "renewed once");

        // The poor line is tried again after an hour, with credit topped up by then.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        sqlx::query(&format!("UPDATE lines SET credit_cents = 5000 WHERE msisdn = '{poor}'"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 1, "not before its next attempt");
        app.clock.advance(jiff::SignedDuration::from_mins(61));
        worker(&app);
        assert_eq!(app.count(CountedTable::Orders).await, 2);
        assert_eq!(credit(&app, &poor).await, 4_000);
        assert_eq!(credit(&app, &off).await, 5_000, "auto-renew off: not renewed");
    }
}

/// A line of a new subscriber (e-mail on record) expiring in 12 hours, due for automatic
/// renewal, with a saved card of Stripe's test `token`; its number and the card's id.
async fn line_with_card(app: &crate::support::TestApp, token: &str) -> (String, serde_json::Value) {
    let expiry = app
        .now()
        .checked_add(jiff::SignedDuration::from_hours(12))
        .unwrap();
    let (msisdn, _) =
        crate::reminders::subscriber_line(app, Some("emma@mail.example"), "en", expiry).await;
    let msisdn = msisdn.to_string();
    let (s, card) = app
        .post(
            &format!("/api/v1/lines/{msisdn}/saved-payment-methods"),
            json!({"method": "card", "token": token}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{card}");
    (msisdn, card)
}

async fn put_auto_renew(
    app: &crate::support::TestApp,
    msisdn: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let uri = format!("/api/v1/lines/{msisdn}/auto-renew");
    let (s, answer, _) = app
        .request(axum::http::Method::PUT, &uri, Some(body), &[])
        .await;
    (s, answer)
}

both! {
    async fn two_workers_charge_each_saved_card_once(app: TestApp) {
        let (app, mock) = crate::payments::with_providers(app).await;
        let mut lines = vec![];
        for n in 0..3 {
            let (msisdn, card) = line_with_card(&app, &format!("pm_card_visa_{n}")).await;
            let (s, set) = put_auto_renew(&app, &msisdn,
                json!({"enabled": true, "plan": "TEST-5GB-30D", "saved_method_id": card["id"]})).await;
            assert_eq!(s, StatusCode::OK, "{set}");
            assert_eq!(set["saved_method_id"], card["id"]);
            lines.push(msisdn);
        }
        // Two passes side by side: each line is claimed by one of them.
        let (a, b) = tokio::join!(app.app.run_auto_renewals(50), app.app.run_auto_renewals(50));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.renewed + b.renewed, 3, "{a:?} {b:?}");
        assert_eq!(mock.charges(), 3);
        assert_eq!(app.count(CountedTable::Orders).await, 3);
        for m in &lines {
            let (_, got) = app.get(&format!("/api/v1/lines/{m}/auto-renew")).await;
            assert_eq!(got["this_month"]["auto_renewals"], 1, "{got}");
            assert_eq!(got["this_month"]["charged"]["amount_cents"], 1_000, "{got}");
            assert_eq!(got["stopped"], false);
        }
        // Renewed: due no more, however often the worker passes.
        let again = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(again.renewed + again.failed + again.stopped, 0, "{again:?}");
        assert_eq!(mock.charges(), 3);
        mock.assert_requests_valid();
    }
}

both! {
    async fn a_renewal_over_the_subscribers_cap_stops_and_says_so_in_a_message(app: TestApp) {
        let mut app = app;
        let g = crate::reminders::with_gateways(&mut app);
        let (app, mock) = crate::payments::with_providers(app).await;
        let (msisdn, card) = line_with_card(&app, "pm_card_visa").await;
        let on = |cap: i64| json!({"enabled": true, "plan": "TEST-5GB-30D",
            "saved_method_id": card["id"], "monthly_cap": {"amount_cents": cap, "currency": "EUR"}});

        // Settings that cannot hold change nothing.
        for (bad, field) in [
            (json!({"enabled": true, "plan": "TEST-5GB-30D", "monthly_cap": {"amount_cents": 500, "currency": "USD"}}), "monthly_cap.currency"),
            (json!({"enabled": true, "plan": "TEST-5GB-30D", "monthly_cap": {"amount_cents": 0, "currency": "EUR"}}), "monthly_cap"),
            (json!({"enabled": true, "plan": "TEST-5GB-30D", "saved_method_id": 999_999}), "saved_method_id"),
        ] {
            let (s, p) = put_auto_renew(&app, &msisdn, bad).await;
            assert!(s.is_client_error(), "{s}: {p}");
            assert_eq!(p["field"], field, "{p}");
        }
        let (_, got) = app.get(&format!("/api/v1/lines/{msisdn}/auto-renew")).await;
        assert_eq!(got["enabled"], false, "{got}");

        // A cap of 5.00 does not hold a renewal of 10.00: nothing is charged, the renewal stops.
        let (s, set) = put_auto_renew(&app, &msisdn, on(500)).await;
        assert_eq!(s, StatusCode::OK, "{set}");
        assert_eq!(set["monthly_cap"]["amount_cents"], 500);
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!((r.renewed, r.stopped), (0, 1), "{r:?}");
        assert_eq!(mock.charges(), 0);
        assert_eq!(app.count(CountedTable::Orders).await, 0, "refused before any order");
        let (_, got) = app.get(&format!("/api/v1/lines/{msisdn}/auto-renew")).await;
        assert_eq!(got["stopped"], true, "{got}");

        // The subscriber is told once, by e-mail and SMS, that the cap stopped it.
        let step = simrenew_domain::reminder::AutoRenewNotice::SpendCap.step();
        let sent = app.app.run_reminders().await.unwrap();
        assert_eq!(sent.sent, 2, "{sent:?}");
        let mails = g.mail.to("emma@mail.example");
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].1, format!("Test Mobile step {step}"));
        assert_eq!(g.sms.to(&msisdn).len(), 1);
        // A stopped renewal waits for its subscriber: no retry, no second message.
        app.clock.advance(jiff::SignedDuration::from_hours(2));
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(r.stopped + r.renewed + r.failed, 0, "{r:?}");
        app.app.run_reminders().await.unwrap();
        assert_eq!(g.mail.to("emma@mail.example").len(), 1);

        // Raising the cap sets it going again.
        let (s, _) = put_auto_renew(&app, &msisdn, on(2_000)).await;
        assert_eq!(s, StatusCode::OK);
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(r.renewed, 1, "{r:?}");
        assert_eq!(mock.charges(), 1);
        assert_eq!(app.audit_entries("auto_renew.on").await.len(), 2);
    }
}

both! {
    async fn a_card_whose_bank_wants_confirmation_is_not_charged_and_its_holder_is_told(app: TestApp) {
        let mut app = app;
        let g = crate::reminders::with_gateways(&mut app);
        let (app, mock) = crate::payments::with_providers(app).await;
        let (msisdn, card) = line_with_card(&app, "pm_card_authenticationRequired").await;
        let (s, _) = put_auto_renew(&app, &msisdn,
            json!({"enabled": true, "plan": "TEST-5GB-30D", "saved_method_id": card["id"]})).await;
        assert_eq!(s, StatusCode::OK);
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!((r.renewed, r.stopped), (0, 1), "{r:?}");
        assert_eq!(mock.charges(), 0);
        let step = simrenew_domain::reminder::AutoRenewNotice::NeedsAuthentication.step();
        app.app.run_reminders().await.unwrap();
        let mails = g.mail.to("emma@mail.example");
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].1, format!("Test Mobile step {step}"));
        // By hand, the subscriber renews (here from credit topped up by a voucher's worth).
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        sqlx::query(&format!("UPDATE lines SET credit_cents = 1000 WHERE msisdn = '{msisdn}'"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        app.app.forget_everything_here();
        let (s, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn, "plan": "TEST-5GB-30D",
                "payment": {"method": "credit"}}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{order}");

        // Removing the card turns the automatic renewal off: nothing is charged in its place.
        let (s, _, _) = app
            .request(axum::http::Method::DELETE,
                &format!("/api/v1/lines/{msisdn}/saved-payment-methods/{}", card["id"]), None, &[])
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, got) = app.get(&format!("/api/v1/lines/{msisdn}/auto-renew")).await;
        assert_eq!((got["enabled"].clone(), got["saved_method_id"].clone()), (json!(false), json!(null)), "{got}");
    }
}

both! {
    async fn a_line_under_its_threshold_tops_up_its_data_once_per_fall_within_the_cap(app: TestApp) {
        use simrenew_app::network::usage::{UsageRecord, UsageSource};
        use simrenew_app::sales::ports::NewBundle;
        let mut app = app;
        let g = crate::reminders::with_gateways(&mut app);
        let expiry = app.now().checked_add(days(20)).unwrap();
        let (msisdn, _) =
            crate::reminders::subscriber_line(&app, Some("emma@mail.example"), "en", expiry).await;
        let line = app.app.store.line_details(&msisdn, app.now()).await.unwrap().unwrap().line;
        let mut tx = app.app.store.begin().await.unwrap();
        tx.insert_bundle(
            &NewBundle {
                brand_id: app.brand.id,
                line_id: line.id,
                order_id: None,
                plan_code: "TEST-5GB-30D".into(),
                data_mb: Some(5_000),
                starts_at: app.now().checked_sub(days(10)).unwrap(),
                ends_at: expiry,
            },
            app.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
        sqlx::query(&format!("UPDATE lines SET credit_cents = 10000 WHERE id = {}", line.id.0))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        app.app.forget_everything_here();
        let m = msisdn.to_string();

        // What cannot hold is refused, naming the field: not an add-on, a threshold the
        // add-on would not lift the line over.
        for (bad, field) in [
            (json!({"enabled": false, "top_up": {"below_mb": 500, "plan": "TEST-5GB-30D"}}), "top_up.plan"),
            (json!({"enabled": false, "top_up": {"below_mb": 1_000, "plan": "TEST-1GB-ADDON"}}), "top_up.below_mb"),
            (json!({"enabled": false, "top_up": {"below_mb": 0, "plan": "TEST-1GB-ADDON"}}), "top_up.below_mb"),
            (json!({"enabled": false, "top_up": {"below_mb": 500, "plan": "NOPE-1GB"}}), "top_up.plan"),
        ] {
            let (s, p) = put_auto_renew(&app, &m, bad).await;
            assert!(s.is_client_error(), "{s}: {p}");
            assert_eq!(p["field"], field, "{p}");
        }
        // A top-up without renewal at expiry, within a cap of one add-on (4.00) a month.
        let (s, set) = put_auto_renew(&app, &m, json!({"enabled": false,
            "monthly_cap": {"amount_cents": 400, "currency": "EUR"},
            "top_up": {"below_mb": 500, "plan": "TEST-1GB-ADDON"}})).await;
        assert_eq!(s, StatusCode::OK, "{set}");
        assert_eq!(set["top_up"], json!({"below_mb": 500, "plan": "TEST-1GB-ADDON"}), "{set}");
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(r.renewed, 0, "4,999 MB left: not due {r:?}");

        let used = |id: &str, mb: u64| UsageRecord {
            record_id: id.into(),
            msisdn: msisdn.clone(),
            start: app.now().checked_sub(jiff::SignedDuration::from_hours(2)).unwrap(),
            end: app.now().checked_sub(jiff::SignedDuration::from_hours(1)).unwrap(),
            bytes: mb * 1_000_000,
        };
        // 4,600 MB used, 400 left: under 500, due once however often the batch comes.
        app.app.record_usage(&[used("u-1", 4_600)], UsageSource::File).await.unwrap();
        app.app.record_usage(&[used("u-1", 4_600)], UsageSource::File).await.unwrap();
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!((r.renewed, r.topped_up), (1, 1), "{r:?}");
        app.app.forget_everything_here();
        let (_, got) = app.get(&format!("/api/v1/lines/{m}")).await;
        assert_eq!(got["credit"]["amount_cents"], 10_000 - 400, "{got}");
        assert_eq!(got["data_left_mb"], 1_400, "{got}");
        let shown: jiff::Timestamp = got["expires_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(shown, expiry, "an add-on keeps the expiry: {got}");
        let again = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(again.renewed, 0, "topped up once: {again:?}");

        // Usage that stays over the threshold buys nothing; the next fall under it is stopped
        // by the cap: nothing charged, the subscriber told once in a top-up's words.
        app.clock.advance(jiff::SignedDuration::from_hours(3));
        app.app.record_usage(&[used("u-2", 500)], UsageSource::File).await.unwrap();
        assert_eq!(app.app.run_auto_renewals(50).await.unwrap().renewed, 0);
        app.app.record_usage(&[used("u-3", 500)], UsageSource::File).await.unwrap();
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!((r.renewed, r.stopped), (0, 1), "{r:?}");
        app.app.forget_everything_here();
        let (_, got) = app.get(&format!("/api/v1/lines/{m}")).await;
        assert_eq!(got["credit"]["amount_cents"], 10_000 - 400, "{got}");
        app.app.run_reminders().await.unwrap();
        let step = simrenew_domain::reminder::AutoRenewNotice::SpendCap.top_up_step();
        let told = |g: &crate::reminders::Gateways| g.mail.to("emma@mail.example").into_iter()
            .filter(|m| m.1 == format!("Test Mobile step {step}")).count();
        assert_eq!(told(&g), 1, "{:?}", g.mail.to("emma@mail.example"));
        app.app.record_usage(&[used("u-4", 100)], UsageSource::File).await.unwrap();
        let r = app.app.run_auto_renewals(50).await.unwrap();
        assert_eq!(r.renewed + r.stopped + r.failed, 0, "stopped until the next fall: {r:?}");
        app.app.run_reminders().await.unwrap();
        assert_eq!(told(&g), 1, "told once");
        assert_eq!(app.audit_entries("auto_renew.off").await.len(), 1);
    }
}
