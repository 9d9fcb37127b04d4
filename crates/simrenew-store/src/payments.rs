//! Provider payments, webhook events and refunds.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::payments::ports::{
    NewProviderPayment, NewRefund, PaymentStore, PaymentTx, ProviderPaymentUpdate,
};
use simrenew_app::payments::providers::SavedToken;
use simrenew_app::StoreResult;
use simrenew_domain::bundle::Bundle;
use simrenew_domain::ids::{
    BrandId, BundleId, LineId, OrderId, ProviderPaymentId, SavedPaymentMethodId, StoreId,
};
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::order::{
    OrderState, PaymentMethod, ProviderName, ProviderPayment, ProviderPaymentStatus,
    SavedPaymentMethod,
};
use sqlx::any::AnyRow;

use crate::codec::{self, get, ts, BUNDLE_COLUMNS};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

const COLUMNS: &str = "id, brand_id, order_id, provider, method, provider_ref, idempotency_key, \
     amount_cents, currency, status, next_action_url, capture_ref, refunded_cents, store_code, \
     created_at, updated_at, applied";

fn payment(row: &AnyRow) -> StoreResult<ProviderPayment> {
    let currency =
        Currency::parse(&get::<String>(row, "currency")?).map_err(|e| corrupt("currency", e))?;
    Ok(ProviderPayment {
        id: ProviderPaymentId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        order_id: OrderId(get(row, "order_id")?),
        provider: ProviderName::parse(&get::<String>(row, "provider")?)
            .map_err(|e| corrupt("provider", e))?,
        method: PaymentMethod::parse(&get::<String>(row, "method")?)
            .map_err(|e| corrupt("method", e))?,
        provider_ref: get(row, "provider_ref")?,
        idempotency_key: get(row, "idempotency_key")?,
        amount: Money::new(get(row, "amount_cents")?, currency),
        status: ProviderPaymentStatus::parse(&get::<String>(row, "status")?)
            .map_err(|e| corrupt("status", e))?,
        next_action_url: get(row, "next_action_url")?,
        capture_ref: get(row, "capture_ref")?,
        refunded: Money::new(get(row, "refunded_cents")?, currency),
        store_code: get(row, "store_code")?,
        applied: codec::bool_of(row, "applied")?,
        created_at: ts(get(row, "created_at")?)?,
        updated_at: ts(get(row, "updated_at")?)?,
    })
}

const SAVED_COLUMNS: &str = "id, brand_id, line_id, provider, method, customer_ref, token_ref, \
     label, created_at, removed_at";

fn saved(row: &AnyRow) -> StoreResult<SavedPaymentMethod> {
    Ok(SavedPaymentMethod {
        id: SavedPaymentMethodId(get(row, "id")?),
        brand_id: BrandId(get(row, "brand_id")?),
        line_id: LineId(get(row, "line_id")?),
        provider: ProviderName::parse(&get::<String>(row, "provider")?)
            .map_err(|e| corrupt("provider", e))?,
        method: PaymentMethod::parse(&get::<String>(row, "method")?)
            .map_err(|e| corrupt("method", e))?,
        customer_ref: get(row, "customer_ref")?,
        token_ref: get(row, "token_ref")?,
        label: get(row, "label")?,
        created_at: ts(get(row, "created_at")?)?,
        removed_at: get::<Option<i64>>(row, "removed_at")?.map(ts).transpose()?,
    })
}

/// The idempotency key of a payment: derived from our id, so that every retry of a call about
/// it carries the same key.
fn idempotency_key(id: i64) -> String {
    format!("simrenew-pay-{id}")
}

#[async_trait]
impl PaymentTx for SqlTx {
    async fn insert_provider_payment(
        &mut self,
        new: &NewProviderPayment,
        now: Timestamp,
    ) -> StoreResult<ProviderPayment> {
        // The key is unique: insert with a placeholder only this transaction can see, then
        // derive the key from the id.
        let placeholder = format!("pending-{}-{}", new.order, now.as_nanosecond());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO provider_payments (brand_id, order_id, provider, method, provider_ref, \
             idempotency_key, amount_cents, currency, status, store_code, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(new.brand.0)
        .bind(new.order.0)
        .bind(new.provider.as_str())
        .bind(new.method.as_str())
        .bind(new.provider_ref.clone())
        .bind(placeholder)
        .bind(new.amount.cents)
        .bind(new.amount.currency.as_str())
        .bind(new.status.as_str())
        .bind(new.store_code.clone())
        .bind(now.as_second())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map)?;
        let row = sqlx::query(&format!(
            "UPDATE provider_payments SET idempotency_key = $1 WHERE id = $2 RETURNING {COLUMNS}"
        ))
        .bind(idempotency_key(id))
        .bind(id)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map)?;
        payment(&row)
    }

    async fn lock_provider_payment(
        &mut self,
        id: ProviderPaymentId,
    ) -> StoreResult<Option<ProviderPayment>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM provider_payments WHERE id = $1{}",
            self.dialect.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(map)?;
        row.as_ref().map(payment).transpose()
    }

    async fn update_provider_payment(
        &mut self,
        id: ProviderPaymentId,
        u: &ProviderPaymentUpdate,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE provider_payments SET status = $1, \
             provider_ref = COALESCE($2, provider_ref), next_action_url = $3, \
             capture_ref = COALESCE($4, capture_ref), updated_at = $5 WHERE id = $6",
        )
        .bind(u.status.as_str())
        .bind(u.provider_ref.clone())
        .bind(u.next_action_url.clone())
        .bind(u.capture_ref.clone())
        .bind(now.as_second())
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn mark_applied(&mut self, id: ProviderPaymentId) -> StoreResult<()> {
        sqlx::query("UPDATE provider_payments SET applied = TRUE WHERE id = $1")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn set_order_state(&mut self, order: OrderId, state: OrderState) -> StoreResult<()> {
        sqlx::query("UPDATE orders SET state = $1 WHERE id = $2")
            .bind(state.as_str())
            .bind(order.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn record_webhook_event(
        &mut self,
        provider: ProviderName,
        event_id: &str,
        event_type: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO webhook_events (provider, event_id, event_type, received_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (provider, event_id) DO NOTHING",
        )
        .bind(provider.as_str())
        .bind(event_id)
        .bind(event_type)
        .bind(now.as_second())
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_refund(
        &mut self,
        new: &NewRefund,
        now: Timestamp,
    ) -> StoreResult<(i64, String)> {
        let placeholder = format!("pending-{}-{}", new.payment, now.as_nanosecond());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO refunds (brand_id, provider_payment_id, order_id, amount_cents, \
             currency, idempotency_key, status, reason, created_at, requested_by) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9) RETURNING id",
        )
        .bind(new.brand.0)
        .bind(new.payment.0)
        .bind(new.order.0)
        .bind(new.amount.cents)
        .bind(new.amount.currency.as_str())
        .bind(placeholder)
        .bind(new.reason.as_str())
        .bind(now.as_second())
        .bind(new.requested_by.as_str())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map)?;
        let key = format!("simrenew-refund-{id}");
        sqlx::query("UPDATE refunds SET idempotency_key = $1 WHERE id = $2")
            .bind(key.as_str())
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(map)?;
        Ok((id, key))
    }

    async fn finish_refund(
        &mut self,
        id: i64,
        provider_ref: Option<&str>,
        status: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE refunds SET provider_ref = $1, status = $2 WHERE id = $3")
            .bind(provider_ref)
            .bind(status)
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn add_refunded(
        &mut self,
        payment: ProviderPaymentId,
        amount: Money,
        status: ProviderPaymentStatus,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE provider_payments SET refunded_cents = refunded_cents + $1, status = $2 \
             WHERE id = $3",
        )
        .bind(amount.cents)
        .bind(status.as_str())
        .bind(payment.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn pending_refund(
        &mut self,
        payment: ProviderPaymentId,
        amount: Money,
    ) -> StoreResult<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT id, idempotency_key FROM refunds WHERE provider_payment_id = $1 \
             AND amount_cents = $2 AND status = 'pending' ORDER BY id LIMIT 1",
        )
        .bind(payment.0)
        .bind(amount.cents)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(map)?;
        row.map(|r| Ok((get(&r, "id")?, get(&r, "idempotency_key")?)))
            .transpose()
    }

    async fn line_bundles(&mut self, line: LineId, now: Timestamp) -> StoreResult<Vec<Bundle>> {
        let rows = sqlx::query(&format!(
            "SELECT {BUNDLE_COLUMNS} FROM bundles WHERE line_id = $1 AND ends_at > $2 \
             ORDER BY starts_at, id"
        ))
        .bind(line.0)
        .bind(now.as_second())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(map)?;
        rows.iter().map(codec::bundle).collect()
    }

    async fn reshape_bundle(
        &mut self,
        id: BundleId,
        window: Option<(Timestamp, Timestamp)>,
    ) -> StoreResult<()> {
        let q = match window {
            Some((starts_at, ends_at)) => {
                sqlx::query("UPDATE bundles SET starts_at = $1, ends_at = $2 WHERE id = $3")
                    .bind(starts_at.as_second())
                    .bind(ends_at.as_second())
                    .bind(id.0)
            }
            None => sqlx::query("DELETE FROM bundles WHERE id = $1").bind(id.0),
        };
        q.execute(&mut *self.tx).await.map_err(map)?;
        Ok(())
    }

    async fn set_bundle_allowance(
        &mut self,
        id: BundleId,
        data: simrenew_domain::catalog::DataAllowance,
    ) -> StoreResult<()> {
        let mb = data
            .megabytes()
            .map(|mb| i64::try_from(mb).map_err(|_| corrupt("data_mb", mb)))
            .transpose()?;
        sqlx::query("UPDATE bundles SET data_mb = $1 WHERE id = $2")
            .bind(mb)
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn set_line_expiry(
        &mut self,
        line: LineId,
        expires_at: Option<Timestamp>,
        grace_until: Option<Timestamp>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE lines SET expires_at = $1, grace_until = $2 WHERE id = $3")
            .bind(expires_at.map(|t| t.as_second()))
            .bind(grace_until.map(|t| t.as_second()))
            .bind(line.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn insert_payment_row(
        &mut self,
        brand: BrandId,
        order: OrderId,
        line: LineId,
        method: PaymentMethod,
        amount: Money,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO payments (brand_id, order_id, line_id, method, amount_cents, currency, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(brand.0)
        .bind(order.0)
        .bind(line.0)
        .bind(method.as_str())
        .bind(amount.cents)
        .bind(amount.currency.as_str())
        .bind(now.as_second())
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn insert_outbox(
        &mut self,
        brand: BrandId,
        line: LineId,
        topic: &str,
        payload: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO outbox (brand_id, line_id, topic, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(brand.0)
        .bind(line.0)
        .bind(topic)
        .bind(payload)
        .bind(now.as_second())
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn insert_saved_method(
        &mut self,
        brand: BrandId,
        line: LineId,
        provider: ProviderName,
        method: PaymentMethod,
        token: &SavedToken,
        now: Timestamp,
    ) -> StoreResult<SavedPaymentMethod> {
        sqlx::query(
            "INSERT INTO saved_payment_methods (brand_id, line_id, provider, method, \
             customer_ref, token_ref, label, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (provider, token_ref) DO NOTHING",
        )
        .bind(brand.0)
        .bind(line.0)
        .bind(provider.as_str())
        .bind(method.as_str())
        .bind(token.customer_ref.clone())
        .bind(token.token_ref.as_str())
        .bind(token.label.as_str())
        .bind(now.as_second())
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        let row = sqlx::query(&format!(
            "SELECT {SAVED_COLUMNS} FROM saved_payment_methods \
             WHERE provider = $1 AND token_ref = $2"
        ))
        .bind(provider.as_str())
        .bind(token.token_ref.as_str())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map)?;
        saved(&row)
    }

    async fn remove_saved_method(
        &mut self,
        id: SavedPaymentMethodId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE saved_payment_methods SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL",
        )
        .bind(now.as_second())
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        // An automatic renewal or top-up that charged it stops with it: nothing is charged to a
        // method its holder removed, and nothing else is charged in its place.
        sqlx::query(
            "UPDATE lines SET auto_renew = FALSE, auto_renew_method_id = NULL, \
             top_up_plan = NULL, top_up_below_mb = NULL, top_up_due_at = NULL \
             WHERE auto_renew_method_id = $1",
        )
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map)?;
        Ok(done.rows_affected() > 0)
    }
}

#[async_trait]
impl PaymentStore for Db {
    async fn provider_payment(
        &self,
        id: ProviderPaymentId,
    ) -> StoreResult<Option<ProviderPayment>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM provider_payments WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        row.as_ref().map(payment).transpose()
    }

    async fn provider_payment_by_ref(
        &self,
        provider: ProviderName,
        provider_ref: &str,
    ) -> StoreResult<Option<ProviderPayment>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM provider_payments WHERE provider = $1 AND provider_ref = $2"
        ))
        .bind(provider.as_str())
        .bind(provider_ref)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        row.as_ref().map(payment).transpose()
    }

    async fn provider_payments_of_order(
        &self,
        order: OrderId,
    ) -> StoreResult<Vec<ProviderPayment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM provider_payments WHERE order_id = $1 ORDER BY id"
        ))
        .bind(order.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter().map(payment).collect()
    }

    async fn provider_payments_created(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<ProviderPayment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM provider_payments WHERE created_at >= $1 AND created_at < $2 \
             ORDER BY id"
        ))
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter().map(payment).collect()
    }

    async fn webhook_event_seen(
        &self,
        provider: ProviderName,
        event_id: &str,
    ) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_events \
             WHERE provider = $1 AND event_id = $2",
        )
        .bind(provider.as_str())
        .bind(event_id)
        .fetch_one(&self.pool)
        .await
        .map_err(map)?;
        Ok(n > 0)
    }

    async fn saved_method(
        &self,
        id: SavedPaymentMethodId,
    ) -> StoreResult<Option<SavedPaymentMethod>> {
        let row = sqlx::query(&format!(
            "SELECT {SAVED_COLUMNS} FROM saved_payment_methods WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        row.as_ref().map(saved).transpose()
    }

    async fn store_id(&self, brand: BrandId, code: &str) -> StoreResult<Option<StoreId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM stores WHERE brand_id = $1 AND code = $2")
                .bind(brand.0)
                .bind(code)
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
        Ok(id.map(StoreId))
    }

    async fn saved_methods_of_line(&self, line: LineId) -> StoreResult<Vec<SavedPaymentMethod>> {
        let rows = sqlx::query(&format!(
            "SELECT {SAVED_COLUMNS} FROM saved_payment_methods \
             WHERE line_id = $1 AND removed_at IS NULL ORDER BY id"
        ))
        .bind(line.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        rows.iter().map(saved).collect()
    }
}
