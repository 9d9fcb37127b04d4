use axum::http::StatusCode;
use serde_json::json;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::money::Money;
use simrenew_domain::voucher::VoucherValue;
use simrenew_store::CountedTable;

use crate::support::{both, days};

both! {
    async fn a_credit_voucher_is_redeemed_once(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(5))).await;
        let (_, codes) = app
            .app
            .generate_vouchers("test", "shop", 3, &VoucherValue::Credit(Money::eur(1_500)), None)
            .await
            .unwrap();
        assert_eq!(codes.len(), 3);
        let code = codes[0].to_string().to_lowercase();
        let (status, body) = app
            .post("/api/v1/voucher-redemptions", json!({"code": code, "msisdn": msisdn.to_string()}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["kind"], "credit");
        assert_eq!(body["balance"]["amount_cents"], 1500);
        // The batch and the redemption are audited, each naming its actor.
        let batch = app.audit_entries("voucher_batch.create").await;
        assert_eq!(batch.len(), 1, "{batch:?}");
        assert_eq!(batch[0].actor, "cli");
        assert!(batch[0].details.contains("count=3"), "{batch:?}");
        let redeemed = app.audit_entries("credit.voucher").await;
        assert_eq!(redeemed.len(), 1, "{redeemed:?}");
        assert!(redeemed[0].actor.starts_with("staff:"), "{redeemed:?}");

        let (status, body) = app
            .post("/api/v1/voucher-redemptions", json!({"code": code, "msisdn": msisdn.to_string()}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["field"], "voucher_code");

        // A typo is told apart from an unknown code.
        let mut typo = codes[1].as_str().to_owned();
        let last = typo.pop().unwrap();
        typo.push(if last == '2' { '3' } else { '2' });
        let (status, body) = app
            .post("/api/v1/voucher-redemptions", json!({"code": typo, "msisdn": msisdn.to_string()}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "voucher_code");
        let ledger = app.count(CountedTable::LedgerEntries).await;
        assert_eq!(ledger, 1);
    }

    async fn a_plan_voucher_pays_its_plan(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(5))).await;
        let (_, codes) = app
            .app
            .generate_vouchers("test", "shop", 1, &VoucherValue::Plan("TEST-5GB-30D".into()), None)
            .await
            .unwrap();
        let (status, body) = app
            .post("/api/v1/voucher-redemptions", json!({"code": codes[0].to_string(), "msisdn": msisdn.to_string()}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["kind"], "plan");
        assert_eq!(body["order"]["payment"]["method"], "voucher");
        assert_eq!(body["order"]["renewal"]["expires_at"], "2027-02-19T10:00:00+01:00");
        // The voucher pays for its plan only, and only once.
        let (status, body) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-20GB-1M", "payment": {"method": "voucher", "voucher_code": codes[0].to_string()}}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(app.count(CountedTable::Orders).await, 1);
    }

    async fn a_credit_voucher_can_pay_an_order(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(5))).await;
        let (_, codes) = app
            .app
            .generate_vouchers("test", "shop", 1, &VoucherValue::Credit(Money::eur(2_500)), None)
            .await
            .unwrap();
        let (status, order) = app
            .post("/api/v1/orders", json!({"msisdn": msisdn.to_string(), "plan": "TEST-20GB-1M", "payment": {"method": "voucher", "voucher_code": codes[0].to_string()}}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let (_, line) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
        // 25.00 topped up, 20.00 paid.
        assert_eq!(line["credit"]["amount_cents"], 500);
    }
}

use crate::support::VOUCHER_KEY;

fn simrenew(
    app: &crate::support::TestApp,
    args: &[&str],
    key: Option<&str>,
) -> (bool, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"));
    cmd.arg("--database-url")
        .arg(&app.cli_url)
        .args(args)
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .env_remove("SIMRENEW_VOUCHER_KEY")
        .env_remove("SIMRENEW_VOUCHER_KEY_FILE");
    if let Some(k) = key {
        cmd.env("SIMRENEW_VOUCHER_KEY", k);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn pool(app: &crate::support::TestApp) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(&app.cli_url).await.unwrap()
}

both! {
    async fn voucher_codes_are_not_kept_in_clear(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(5))).await;
        let (_, codes) = app
            .app
            .generate_vouchers("test", "shop", 5, &VoucherValue::Credit(Money::eur(500)), None)
            .await
            .unwrap();
        let db = pool(&app).await;
        let rows: Vec<Option<String>> = sqlx::query_scalar("SELECT code FROM vouchers").fetch_all(&db).await.unwrap();
        db.close().await;
        assert_eq!(rows.len(), 5);
        for code in &codes {
            assert!(!rows.contains(&Some(code.as_str().to_owned())), "{code} is kept in clear");
        }
        // It is found by its hash all the same.
        let (status, body) = app
            .post("/api/v1/voucher-redemptions", json!({"code": codes[0].to_string(), "msisdn": msisdn.to_string()}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn a_voucher_cannot_be_generated_already_expired(app: TestApp) {
        for expires in [app.now(), app.now().checked_sub(days(1)).unwrap()] {
            let refused = app
                .app
                .generate_vouchers("test", "shop", 1, &VoucherValue::Credit(Money::eur(500)), Some(expires))
                .await;
            match refused {
                Err(simrenew_app::AppError::Conflict { field, .. }) => assert_eq!(field, Some("expires_at")),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(app.count(CountedTable::Vouchers).await, 0);
    }

    async fn a_batch_is_written_once_to_a_csv_file(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(5))).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("batch.csv");
        let path = file.to_str().unwrap();
        let generate = ["vouchers", "generate", "--brand", "test", "--count", "3", "--credit-cents", "500", "--name", "shop", "--out", path];
        let (ok, _, err) = simrenew(&app, &generate, None);
        assert!(!ok && err.contains("SIMRENEW_VOUCHER_KEY"), "{err}");
        let (ok, out, err) = simrenew(&app, &generate, Some(VOUCHER_KEY));
        assert!(ok, "{err}");
        let csv = std::fs::read_to_string(&file).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), "code,brand,batch,credit_cents,currency,plan,expires_at");
        let codes: Vec<String> = lines.map(|l| l.split(',').next().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 3);
        for c in &codes {
            assert!(!out.contains(c.as_str()) && !err.contains(c.as_str()), "a code was shown beside the file");
        }
        // Never over a file that exists: the batch is shown once.
        let (ok, _, err) = simrenew(&app, &generate, Some(VOUCHER_KEY));
        assert!(!ok && err.contains("--out"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), csv);
        assert_eq!(app.count(CountedTable::Vouchers).await, 3);
        let mut without_out = generate.to_vec();
        without_out.truncate(without_out.len() - 2);
        let (ok, _, err) = simrenew(&app, &without_out, Some(VOUCHER_KEY));
        assert!(!ok && err.contains("--out"), "{err}");
        let past = dir.path().join("past.csv");
        let (ok, _, err) = simrenew(&app, &["vouchers", "generate", "--brand", "test", "--count", "1", "--credit-cents", "500",
            "--expires", "2020-01-01T00:00:00Z", "--out", past.to_str().unwrap()], Some(VOUCHER_KEY));
        assert!(!ok && err.contains("--expires"), "{err}");
        assert!(!past.exists());
        // A code of the file is redeemed by the server, which holds the same key.
        let (status, body) = app
            .post("/api/v1/voucher-redemptions", json!({"code": codes[1], "msisdn": msisdn.to_string()}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn codes_kept_in_clear_by_an_older_version_are_hashed(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 0, Some(days(5))).await;
        let db = pool(&app).await;
        let code = simrenew_domain::voucher::VoucherCode::from_random([9; 15]);
        let brand = app.brand.id.0;
        let batch: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO voucher_batches (brand_id, name, count, created_at) VALUES ({brand}, 'old', 1, 0) RETURNING id"
        ))
        .fetch_one(&db)
        .await
        .unwrap();
        sqlx::query(&format!(
            "INSERT INTO vouchers (brand_id, batch_id, code, value_cents, currency, created_at) \
             VALUES ({brand}, {batch}, '{}', 700, 'EUR', 0)", code.as_str()
        ))
        .execute(&db)
        .await
        .unwrap();
        let (ok, _, err) = simrenew(&app, &["migrate"], Some(VOUCHER_KEY));
        assert!(ok, "{err}");
        let kept: Option<String> = sqlx::query_scalar("SELECT code FROM vouchers").fetch_one(&db).await.unwrap();
        db.close().await;
        assert_eq!(kept, None);
        let (status, body) = app
            .post("/api/v1/voucher-redemptions", json!({"code": code.to_string(), "msisdn": msisdn.to_string()}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["added"]["amount_cents"], 700);
    }
}
