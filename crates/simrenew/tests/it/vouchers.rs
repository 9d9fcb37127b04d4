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
