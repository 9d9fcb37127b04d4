//! The sales writes of one transaction: line and promotion locks, quotes, orders, credit,
//! the renewal's write (one statement on PostgreSQL), bundles, vouchers and line imports.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::json;
use simrenew_app::sales::ports::{
    Catalog, Customer, LockedLine, NewBundle, NewLine, RenewalWrite, SalesTx, BUNDLE_GRANTED,
    ESIM_CANCELLED, ESIM_ORDERED, ESIM_RELEASED,
};
use simrenew_app::{StoreError, StoreResult};
use simrenew_domain::brand::Brand;
use simrenew_domain::catalog::{Channel, Plan};
use simrenew_domain::esim::ProfileOrderState;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::*;
use simrenew_domain::line::Line;
use simrenew_domain::money::{Currency, Money};
use simrenew_domain::order::{LedgerReason, Order, OrderState, StoredQuote};
use simrenew_domain::promotion::{Promotion, PromotionUsage};
use simrenew_domain::quote::Quote;
use simrenew_domain::voucher::{Voucher, VoucherValue};
use tracing::instrument;

use crate::codec::{
    self, get, BRAND_COLUMNS, BRAND_COLUMNS_AS_B, LINE_COLUMNS, ORDER_COLUMNS, PLAN_COLUMNS,
    PROMOTION_COLUMNS,
};
use crate::error::{corrupt, map};
use crate::tx::{Holding, SqlTx};
use crate::Dialect;

/// Whom a promotion use is counted for, as the `promotion_uses.customer` column keeps it.
fn customer_key(c: Customer) -> String {
    match c {
        Customer::Subscriber(id) => format!("subscriber:{id}"),
        Customer::Line(id) => format!("line:{id}"),
    }
}

impl SqlTx {
    async fn promotions_where(
        &mut self,
        clause: &str,
        bind: Vec<i64>,
        customer: Customer,
        lock: bool,
    ) -> StoreResult<Vec<(Promotion, PromotionUsage)>> {
        // Only the promotion rows are locked, not the brand row joined for the currency.
        let for_update = match (lock, self.dialect) {
            (true, Dialect::Postgres) => " FOR UPDATE OF p",
            _ => "",
        };
        let customer_param = bind.len() + 1;
        let sql = format!(
            "SELECT {PROMOTION_COLUMNS}, b.currency AS brand_currency, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM promotion_uses u \
                 WHERE u.promotion_id = p.id) AS overall, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM promotion_uses u \
                 WHERE u.promotion_id = p.id AND u.customer = ${customer_param}) AS by_customer \
             FROM promotions p JOIN brands b ON b.id = p.brand_id \
             WHERE {clause} ORDER BY p.id{for_update}"
        );
        let mut q = sqlx::query(&sql);
        for b in &bind {
            q = q.bind(*b);
        }
        let rows = q
            .bind(customer_key(customer))
            .fetch_all(self.conn())
            .await
            .map_err(map)?;
        rows.iter()
            .map(|row| {
                let currency = Currency::parse(&get::<String>(row, "brand_currency")?)
                    .map_err(|e| corrupt("currency", e))?;
                let usage = PromotionUsage {
                    overall: codec::u32_of(get(row, "overall")?, "overall")?,
                    by_customer: codec::u32_of(get(row, "by_customer")?, "by_customer")?,
                };
                Ok((codec::promotion(row, currency)?, usage))
            })
            .collect()
    }

    /// The line locked, with its brand. With `reserve_order`, on PostgreSQL and in the same
    /// statement: the id of an order to be written by its renewal, reserved from the orders'
    /// sequence, and the head of the line's audit chain locked with the line (held for the
    /// renewal's entry, see `SqlTx::next_in_chain`), when the chain has one.
    async fn line_where(
        &mut self,
        clause: &str,
        bind: LineKey<'_>,
        reserve_order: bool,
    ) -> StoreResult<Option<(LockedLine, Option<OrderId>)>> {
        let lock = match (self.dialect, reserve_order) {
            (Dialect::Sqlite, _) => LineLock::Plain,
            (Dialect::Postgres, false) => LineLock::Line,
            (Dialect::Postgres, true) => LineLock::ToOrder { with_head: true },
        };
        match self.line_locked(clause, &bind, lock).await? {
            // A chain without a head yet (a line's first audited act): the head is made when
            // the renewal's entry is appended.
            None if reserve_order && self.dialect == Dialect::Postgres => {
                self.line_locked(clause, &bind, LineLock::ToOrder { with_head: false })
                    .await
            }
            found => Ok(found),
        }
    }

    async fn line_locked(
        &mut self,
        clause: &str,
        bind: &LineKey<'_>,
        lock: LineLock,
    ) -> StoreResult<Option<(LockedLine, Option<OrderId>)>> {
        const RESERVE: &str = ", nextval(pg_get_serial_sequence('orders', 'id')) AS reserved_order";
        let (reserve, head_columns, head, for_update) = match lock {
            LineLock::Plain => ("", "", "", ""),
            LineLock::Line => ("", "", "", " FOR UPDATE OF l"),
            LineLock::ToOrder { with_head: false } => (RESERVE, "", "", " FOR UPDATE OF l"),
            // The chain `simrenew_app::audit::line_chain` names.
            LineLock::ToOrder { with_head: true } => (
                RESERVE,
                ", h.seq AS head_seq, h.hash AS head_hash",
                " JOIN audit_heads h ON h.chain = 'line:' || l.id",
                " FOR UPDATE OF l, h",
            ),
        };
        let sql = format!(
            "SELECT {LINE_COLUMNS}, {BRAND_COLUMNS_AS_B}{reserve}{head_columns}, \
             EXISTS (SELECT 1 FROM orders o WHERE o.line_id = l.id AND o.paid_at IS NOT NULL) \
             AS renewed_before, \
             CASE WHEN l.state = 'pending_identification' THEN (EXISTS (SELECT 1 FROM \
                 esim_orders e WHERE e.line_id = l.id AND e.state = 'awaiting_payment') \
                 OR (EXISTS (SELECT 1 FROM sim_cards c WHERE c.line_id = l.id) \
                 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.line_id = l.id \
                 AND o.paid_at IS NOT NULL))) \
                 ELSE FALSE END AS sold_with_line \
             FROM lines l JOIN brands b ON b.id = l.brand_id{head} \
             WHERE {clause}{for_update}"
        );
        let q = sqlx::query(&sql);
        let q = match bind {
            LineKey::Msisdn(m) => q.bind(*m),
            LineKey::Id(id) => q.bind(*id),
        };
        let Some(row) = q.fetch_optional(self.conn()).await.map_err(map)? else {
            return Ok(None);
        };
        let reserved = match lock {
            LineLock::ToOrder { .. } => Some(OrderId(get(&row, "reserved_order")?)),
            _ => None,
        };
        let locked = LockedLine {
            line: codec::line(&row)?,
            brand: codec::brand_prefixed(&row, "b_")?,
            renewed_before: codec::bool_of(&row, "renewed_before")?,
            sold_with_line: codec::bool_of(&row, "sold_with_line")?,
        };
        if let LineLock::ToOrder { with_head: true } = lock {
            let chain = simrenew_app::audit::line_chain(locked.line.id);
            self.hold_head(&chain, get(&row, "head_seq")?, get(&row, "head_hash")?);
        }
        Ok(Some((locked, reserved)))
    }

    /// SQLite: the statements one after the other (each is a function call in-process).
    async fn apply_renewal_step_by_step(
        &mut self,
        w: &RenewalWrite,
        now: Timestamp,
    ) -> StoreResult<Vec<BundleId>> {
        // SQLite reserves no order ids (`lock_line_to_order`): its orders are inserted first.
        if w.unwritten_order.is_some() {
            return Err(StoreError::Internal(format!(
                "order {} was to be written by its renewal, which SQLite does not do",
                w.order
            )));
        }
        if let Some(debit) = w.payment.credit_debit {
            self.move_credit_step_by_step(
                w.brand,
                w.line,
                debit.negate(),
                LedgerReason::RenewalPayment,
                Some(w.order),
                None,
                now,
            )
            .await?;
        }
        simrenew_app::audit::AuditTx::append_audit(self, &w.audit, now).await?;
        self.insert_payment(w, now).await?;
        let mut ids = Vec::with_capacity(w.windows.len());
        for (starts_at, ends_at) in &w.windows {
            let id = self
                .insert_bundle(
                    &NewBundle {
                        brand_id: w.brand,
                        line_id: w.line,
                        order_id: Some(w.order),
                        plan_code: w.plan_code.clone(),
                        data_mb: w.data_mb,
                        starts_at: *starts_at,
                        ends_at: *ends_at,
                    },
                    now,
                )
                .await?;
            let payload = json!({
                "msisdn": w.msisdn.as_str(),
                "order_id": w.order.0,
                "bundle_id": id.0,
                "plan": w.plan_code,
                "data_mb": w.data_mb,
                "starts_at": starts_at.to_string(),
                "ends_at": ends_at.to_string(),
            });
            sqlx::query(
                "INSERT INTO outbox (brand_id, line_id, topic, payload, created_at, order_id) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(w.brand.0)
            .bind(w.line.0)
            .bind(BUNDLE_GRANTED)
            .bind(payload.to_string())
            .bind(now.as_second())
            .bind(w.order.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
            ids.push(id);
        }
        sqlx::query("UPDATE lines SET state = $1, expires_at = $2, grace_until = $3 WHERE id = $4")
            .bind(w.state.as_str())
            .bind(w.expires_at.as_second())
            .bind(w.grace_until.as_second())
            .bind(w.line.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
        sqlx::query("UPDATE orders SET state = $1, paid_at = $2 WHERE id = $3")
            .bind(OrderState::Syncing.as_str())
            .bind(now.as_second())
            .bind(w.order.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
        Ok(ids)
    }

    /// Moves credit and writes its ledger entry, in two statements (SQLite).
    #[allow(clippy::too_many_arguments)]
    async fn move_credit_step_by_step(
        &mut self,
        brand: BrandId,
        line: LineId,
        amount: Money,
        reason: LedgerReason,
        order: Option<OrderId>,
        voucher: Option<VoucherId>,
        now: Timestamp,
    ) -> StoreResult<Money> {
        let balance: i64 = sqlx::query_scalar(
            "UPDATE lines SET credit_cents = credit_cents + $1 WHERE id = $2 AND currency = $3 \
             RETURNING credit_cents",
        )
        .bind(amount.cents)
        .bind(line.0)
        .bind(amount.currency.as_str())
        .fetch_optional(self.conn())
        .await
        .map_err(map)?
        .ok_or_else(|| StoreError::Internal(format!("line {line} has another currency")))?;
        sqlx::query(
            "INSERT INTO ledger_entries (brand_id, line_id, amount_cents, balance_after_cents, \
             currency, reason, order_id, voucher_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(brand.0)
        .bind(line.0)
        .bind(amount.cents)
        .bind(balance)
        .bind(amount.currency.as_str())
        .bind(reason.as_str())
        .bind(order.map(|o| o.0))
        .bind(voucher.map(|v| v.0))
        .bind(now.as_second())
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(Money::new(balance, amount.currency))
    }

    async fn insert_payment(&mut self, w: &RenewalWrite, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO payments (brand_id, order_id, line_id, method, amount_cents, currency, \
             voucher_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(w.brand.0)
        .bind(w.order.0)
        .bind(w.line.0)
        .bind(w.payment.method.as_str())
        .bind(w.payment.amount.cents)
        .bind(w.payment.amount.currency.as_str())
        .bind(w.payment.voucher.map(|v| v.0))
        .bind(now.as_second())
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }

    /// PostgreSQL: one statement, so one round trip, whatever the number of periods. The
    /// outbox payload is built by the database with the same fields as on SQLite.
    async fn apply_renewal_in_one_statement(
        &mut self,
        w: &RenewalWrite,
        now: Timestamp,
    ) -> StoreResult<Vec<BundleId>> {
        // $1 brand, $2 line, $3 order, $4 now, $5 msisdn, $6 plan, $7 data_mb, $8 method,
        // $9 amount, $10 currency, $11 voucher, $12 state, $13 expires_at, $14 grace_until,
        // $15 order state, $16 topic, $17 audit chain, $18 actor, $19 action, $20 subject,
        // $21 details, $22 the first entry's previous hash, $23 the credit taken (0: none),
        // $24 its ledger reason, $25 the audit entry's number, $26 its MAC; for an order not
        // written yet, $27 its plan, $28 channel, $29 total, $30 VAT, $31 currency, $32 quote,
        // $33 placed by; then (starts_at, ends_at, starts text, ends text) per window.
        let (fixed, ord) = match w.unwritten_order {
            Some(_) => (
                33,
                "ord AS (INSERT INTO orders (id, brand_id, line_id, plan_id, channel, state, \
                 total_cents, vat_cents, currency, quote, created_at, placed_by, paid_at) \
                 VALUES ($3, $1, $2, $27, $28, $15, $29, $30, $31, $32, $4, $33, $4))",
            ),
            None => (
                26,
                "ord AS (UPDATE orders SET state = $15, paid_at = $4 WHERE id = $3)",
            ),
        };
        let key = self.audit_key.clone();
        let key = crate::audit::key_or_refuse(key.as_ref())?;
        let (seq, prev) = self.next_in_chain(&w.audit.chain).await?;
        let mac = key.entry_mac(&prev, seq, now.as_second(), &w.audit);
        let values = (0..w.windows.len())
            .map(|i| {
                let p = fixed + 4 * i;
                format!(
                    "(${}::BIGINT, ${}::BIGINT, ${}::TEXT, ${}::TEXT)",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "WITH w (starts_at, ends_at, starts_text, ends_text) AS (VALUES {values}), \
             pay AS (INSERT INTO payments (brand_id, order_id, line_id, method, amount_cents, \
                 currency, voucher_id, created_at) VALUES ($1, $3, $2, $8, $9, $10, $11, $4)), \
             bun AS (INSERT INTO bundles (brand_id, line_id, order_id, plan_code, data_mb, \
                 starts_at, ends_at, created_at) \
                 SELECT $1, $2, $3, $6, $7, starts_at, ends_at, $4 FROM w \
                 RETURNING id, starts_at), \
             obx AS (INSERT INTO outbox (brand_id, line_id, topic, payload, created_at, \
                 order_id) \
                 SELECT $1, $2, $16, json_build_object('msisdn', $5::TEXT, 'order_id', \
                     $3::BIGINT, 'bundle_id', bun.id, 'plan', $6::TEXT, 'data_mb', \
                     $7::BIGINT, 'starts_at', w.starts_text, 'ends_at', w.ends_text)::TEXT, $4, \
                     $3::BIGINT \
                 FROM bun JOIN w ON w.starts_at = bun.starts_at), \
             lin AS (UPDATE lines SET state = $12, expires_at = $13, grace_until = $14, \
                 credit_cents = credit_cents - $23 WHERE id = $2 RETURNING credit_cents), \
             led AS (INSERT INTO ledger_entries (brand_id, line_id, amount_cents, \
                 balance_after_cents, currency, reason, order_id, voucher_id, created_at) \
                 SELECT $1, $2, -$23::BIGINT, credit_cents, $10, $24, $3, NULL, $4 FROM lin \
                 WHERE $23::BIGINT <> 0), \
             {ord}, \
             {AUDIT_CTES} \
             SELECT id FROM bun ORDER BY starts_at"
        );
        let data_mb = w
            .data_mb
            .map(|mb| i64::try_from(mb).map_err(|e| corrupt("data_mb", e)))
            .transpose()?;
        let mut q = sqlx::query_scalar::<_, i64>(&sql)
            .bind(w.brand.0)
            .bind(w.line.0)
            .bind(w.order.0)
            .bind(now.as_second())
            .bind(w.msisdn.as_str())
            .bind(w.plan_code.as_str())
            .bind(data_mb)
            .bind(w.payment.method.as_str())
            .bind(w.payment.amount.cents)
            .bind(w.payment.amount.currency.as_str())
            .bind(w.payment.voucher.map(|v| v.0))
            .bind(w.state.as_str())
            .bind(w.expires_at.as_second())
            .bind(w.grace_until.as_second())
            .bind(OrderState::Syncing.as_str())
            .bind(BUNDLE_GRANTED)
            .bind(&w.audit.chain)
            .bind(&w.audit.actor)
            .bind(&w.audit.action)
            .bind(&w.audit.subject)
            .bind(&w.audit.details)
            .bind(&prev)
            .bind(w.payment.credit_debit.map_or(0, |m| m.cents))
            .bind(LedgerReason::RenewalPayment.as_str())
            .bind(seq)
            .bind(&mac);
        if let Some(o) = &w.unwritten_order {
            q = q
                .bind(o.plan.0)
                .bind(o.channel.as_str())
                .bind(o.quote.total.cents)
                .bind(o.quote.vat.cents)
                .bind(o.quote.total.currency.as_str())
                .bind(codec::encode_quote(&o.quote)?)
                .bind(o.placed_by.as_deref());
            self.record_effect(format!("order:{}", w.order));
        }
        for (starts_at, ends_at) in &w.windows {
            q = q
                .bind(starts_at.as_second())
                .bind(ends_at.as_second())
                .bind(starts_at.to_string())
                .bind(ends_at.to_string());
        }
        let ids = q.fetch_all(self.conn()).await.map_err(map)?;
        self.hold_head(&w.audit.chain, seq, mac);
        Ok(ids.into_iter().map(BundleId).collect())
    }
}

/// The audit entry of a renewal on PostgreSQL, as common table expressions of its one
/// statement: the entry (MACed by the application, after `audit::lock_head` locked the chain's
/// head) and the head moved, with $4 the time, $17–$21 the entry, $22 the MAC it follows, $25
/// its number and $26 its MAC.
const AUDIT_CTES: &str =
    "alog AS (INSERT INTO audit_log (chain, seq, at, actor, action, subject, details, \
         prev_hash, hash) VALUES ($17, $25, $4, $18, $19, $20, $21, $22, $26)), \
     amove AS (UPDATE audit_heads SET seq = $25, hash = $26 WHERE chain = $17)";

/// How a line is read in a write transaction.
#[derive(Clone, Copy)]
enum LineLock {
    /// SQLite: its one writer holds the database.
    Plain,
    /// Row-locked until commit (PostgreSQL).
    Line,
    /// Row-locked, with an order id reserved and, `with_head`, the line's audit chain head
    /// locked too (PostgreSQL).
    ToOrder { with_head: bool },
}

/// A line by its number, released numbers aside.
const LINE_BY_NUMBER: &str = "l.msisdn = $1 AND l.number_released_at IS NULL";

enum LineKey<'a> {
    Msisdn(&'a str),
    Id(i64),
}

#[allow(clippy::too_many_arguments)]
#[async_trait]
impl SalesTx for SqlTx {
    async fn brand(&mut self, id: BrandId) -> StoreResult<Brand> {
        let row = sqlx::query(&format!("SELECT {BRAND_COLUMNS} FROM brands WHERE id = $1"))
            .bind(id.0)
            .fetch_one(self.conn())
            .await
            .map_err(map)?;
        codec::brand(&row)
    }

    #[instrument(level = "debug", skip_all, fields(line.msisdn = %msisdn))]
    async fn lock_line(&mut self, msisdn: &Msisdn) -> StoreResult<Option<LockedLine>> {
        let locked = self.line_where(LINE_BY_NUMBER, LineKey::Msisdn(msisdn.as_str()), false);
        Ok(locked.await?.map(|(l, _)| l))
    }

    async fn lock_line_by_id(&mut self, id: LineId) -> StoreResult<Option<LockedLine>> {
        let locked = self.line_where("l.id = $1", LineKey::Id(id.0), false);
        Ok(locked.await?.map(|(l, _)| l))
    }

    async fn lock_line_to_order(
        &mut self,
        msisdn: &Msisdn,
    ) -> StoreResult<Option<(LockedLine, Option<OrderId>)>> {
        self.line_where(LINE_BY_NUMBER, LineKey::Msisdn(msisdn.as_str()), true)
            .await
    }

    async fn catalog(&mut self, brand: BrandId) -> StoreResult<Catalog> {
        let versions = sqlx::query(
            "SELECT id, brand_id, version, effective_from, published_at FROM catalog_versions \
             WHERE brand_id = $1 ORDER BY version",
        )
        .bind(brand.0)
        .fetch_all(self.conn())
        .await
        .map_err(map)?
        .iter()
        .map(codec::catalog_version)
        .collect::<StoreResult<Vec<_>>>()?;
        let plans = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans p WHERE p.brand_id = $1 ORDER BY p.id"
        ))
        .bind(brand.0)
        .fetch_all(self.conn())
        .await
        .map_err(map)?
        .iter()
        .map(codec::plan)
        .collect::<StoreResult<Vec<_>>>()?;
        let promotions = sqlx::query(&format!(
            "SELECT {PROMOTION_COLUMNS}, b.currency AS brand_currency FROM promotions p \
             JOIN brands b ON b.id = p.brand_id WHERE p.brand_id = $1 ORDER BY p.id"
        ))
        .bind(brand.0)
        .fetch_all(self.conn())
        .await
        .map_err(map)?
        .iter()
        .map(|row| {
            let currency = Currency::parse(&get::<String>(row, "brand_currency")?)
                .map_err(|e| crate::error::corrupt("currency", e))?;
            codec::promotion(row, currency)
        })
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(Catalog {
            versions,
            plans,
            promotions,
        })
    }

    async fn plan(&mut self, id: PlanId) -> StoreResult<Plan> {
        let row = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans p WHERE p.id = $1"
        ))
        .bind(id.0)
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        codec::plan(&row)
    }

    async fn promotion_usage(
        &mut self,
        ids: &[PromotionId],
        customer: Customer,
    ) -> StoreResult<Vec<(PromotionId, PromotionUsage)>> {
        let placeholders = (2..ids.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT promotion_id, CAST(COUNT(*) AS BIGINT) AS overall, \
             CAST(SUM(CASE WHEN customer = $1 THEN 1 ELSE 0 END) AS BIGINT) AS by_customer \
             FROM promotion_uses WHERE promotion_id IN ({placeholders}) GROUP BY promotion_id"
        );
        let mut q = sqlx::query(&sql).bind(customer_key(customer));
        for id in ids {
            q = q.bind(id.0);
        }
        let rows = q.fetch_all(self.conn()).await.map_err(map)?;
        rows.iter()
            .map(|row| {
                Ok((
                    PromotionId(get(row, "promotion_id")?),
                    PromotionUsage {
                        overall: codec::u32_of(get(row, "overall")?, "overall")?,
                        by_customer: codec::u32_of(get(row, "by_customer")?, "by_customer")?,
                    },
                ))
            })
            .collect()
    }

    async fn lock_promotions(
        &mut self,
        ids: &[PromotionId],
        customer: Customer,
    ) -> StoreResult<Vec<(Promotion, PromotionUsage)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let placeholders = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.promotions_where(
            // Promotions without limits need no lock: any number of orders may use them.
            &format!(
                "p.id IN ({placeholders}) AND \
                 (p.global_limit IS NOT NULL OR p.per_customer_limit IS NOT NULL)"
            ),
            ids.iter().map(|p| p.0).collect(),
            customer,
            true,
        )
        .await
    }

    async fn record_promotion_use(
        &mut self,
        promotion: PromotionId,
        customer: Customer,
        line: LineId,
        order: OrderId,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO promotion_uses (brand_id, promotion_id, customer, line_id, order_id, \
             created_at) SELECT brand_id, $1, $2, $3, $4, $5 FROM promotions WHERE id = $1",
        )
        .bind(promotion.0)
        .bind(customer_key(customer))
        .bind(line.0)
        .bind(order.0)
        .bind(now.as_second())
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn insert_quote(
        &mut self,
        brand: BrandId,
        line: LineId,
        plan: PlanId,
        channel: Channel,
        quote: &Quote,
        now: Timestamp,
        valid_until: Timestamp,
    ) -> StoreResult<QuoteId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO quotes (brand_id, line_id, plan_id, channel, quote, created_at, \
             valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(brand.0)
        .bind(line.0)
        .bind(plan.0)
        .bind(channel.as_str())
        .bind(codec::encode_quote(quote)?)
        .bind(now.as_second())
        .bind(valid_until.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        Ok(QuoteId(id))
    }

    async fn quote(&mut self, id: QuoteId) -> StoreResult<Option<StoredQuote>> {
        let row = sqlx::query(
            "SELECT id, brand_id, line_id, plan_id, channel, quote, created_at, valid_until \
             FROM quotes WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StoredQuote {
            id,
            brand_id: BrandId(get(&row, "brand_id")?),
            line_id: LineId(get(&row, "line_id")?),
            plan_id: PlanId(get(&row, "plan_id")?),
            channel: Channel::parse(&get::<String>(&row, "channel")?)
                .map_err(|e| corrupt("channel", e))?,
            quote: codec::decode_quote(&get::<String>(&row, "quote")?)?,
            created_at: codec::ts(get(&row, "created_at")?)?,
            valid_until: codec::ts(get(&row, "valid_until")?)?,
        }))
    }

    async fn price_notices(
        &mut self,
        line: LineId,
        plan_code: &str,
    ) -> StoreResult<Vec<simrenew_domain::price_notice::PriceNotice>> {
        notices_of(self, line, plan_code).await
    }

    async fn auto_debits_since(
        &mut self,
        line: LineId,
        since: Timestamp,
    ) -> StoreResult<(simrenew_domain::auto_debit::AutoDebits, Option<i64>)> {
        let row = sqlx::query(
            "SELECT COUNT(o.id) AS n, CAST(COALESCE(SUM(o.total_cents), 0) AS BIGINT) AS spent, \
             (SELECT auto_renew_cap_cents FROM lines WHERE id = $1) AS cap \
             FROM orders o WHERE o.line_id = $1 AND o.channel = $2 \
             AND o.paid_at IS NOT NULL AND o.paid_at >= $3",
        )
        .bind(line.0)
        .bind(Channel::AutoRenew.as_str())
        .bind(since.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        let n: i64 = get(&row, "n")?;
        Ok((
            simrenew_domain::auto_debit::AutoDebits {
                count: u32::try_from(n).unwrap_or(u32::MAX),
                spent_cents: get(&row, "spent")?,
            },
            get(&row, "cap")?,
        ))
    }

    async fn order_of_quote(&mut self, id: QuoteId) -> StoreResult<Option<OrderId>> {
        let order: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE quote_id = $1")
            .bind(id.0)
            .fetch_optional(self.conn())
            .await
            .map_err(map)?;
        Ok(order.map(OrderId))
    }

    async fn insert_order(
        &mut self,
        brand: BrandId,
        line: LineId,
        plan: PlanId,
        channel: Channel,
        quote: &Quote,
        from_quote: Option<QuoteId>,
        placed_by: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<OrderId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO orders (brand_id, line_id, plan_id, channel, state, total_cents, \
             vat_cents, currency, quote, created_at, placed_by, quote_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(brand.0)
        .bind(line.0)
        .bind(plan.0)
        .bind(channel.as_str())
        .bind(OrderState::PendingPayment.as_str())
        .bind(quote.total.cents)
        .bind(quote.vat.cents)
        .bind(quote.total.currency.as_str())
        .bind(codec::encode_quote(quote)?)
        .bind(now.as_second())
        .bind(placed_by)
        .bind(from_quote.map(|q| q.0))
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        self.record_effect(format!("order:{id}"));
        Ok(OrderId(id))
    }

    async fn lock_order(&mut self, id: OrderId) -> StoreResult<Option<Order>> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1{}",
            self.dialect.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.conn())
            .await
            .map_err(map)?;
        row.as_ref().map(codec::order).transpose()
    }

    async fn move_credit(
        &mut self,
        line: &Line,
        amount: Money,
        reason: LedgerReason,
        order: Option<OrderId>,
        voucher: Option<VoucherId>,
        now: Timestamp,
    ) -> StoreResult<Money> {
        let missing = || StoreError::Internal(format!("line {} has another currency", line.id));
        if self.dialect == Dialect::Postgres {
            // One round trip: the balance update feeds the ledger entry.
            let balance: i64 = sqlx::query_scalar(
                "WITH updated AS (UPDATE lines SET credit_cents = credit_cents + $1 \
                 WHERE id = $2 AND currency = $3 RETURNING credit_cents) \
                 INSERT INTO ledger_entries (brand_id, line_id, amount_cents, \
                 balance_after_cents, currency, reason, order_id, voucher_id, created_at) \
                 SELECT $4, $2, $1, credit_cents, $3, $5, $6, $7, $8 FROM updated \
                 RETURNING balance_after_cents",
            )
            .bind(amount.cents)
            .bind(line.id.0)
            .bind(amount.currency.as_str())
            .bind(line.brand_id.0)
            .bind(reason.as_str())
            .bind(order.map(|o| o.0))
            .bind(voucher.map(|v| v.0))
            .bind(now.as_second())
            .fetch_optional(self.conn())
            .await
            .map_err(map)?
            .ok_or_else(missing)?;
            return Ok(Money::new(balance, amount.currency));
        }
        self.move_credit_step_by_step(line.brand_id, line.id, amount, reason, order, voucher, now)
            .await
    }

    async fn apply_renewal(
        &mut self,
        w: &RenewalWrite,
        now: Timestamp,
    ) -> StoreResult<Vec<BundleId>> {
        match self.dialect {
            Dialect::Postgres => self.apply_renewal_in_one_statement(w, now).await,
            Dialect::Sqlite => self.apply_renewal_step_by_step(w, now).await,
        }
    }

    async fn insert_bundle(&mut self, b: &NewBundle, now: Timestamp) -> StoreResult<BundleId> {
        let data_mb = b
            .data_mb
            .map(|mb| i64::try_from(mb).map_err(|e| corrupt("data_mb", e)))
            .transpose()?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bundles (brand_id, line_id, order_id, plan_code, data_mb, starts_at, \
             ends_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(b.brand_id.0)
        .bind(b.line_id.0)
        .bind(b.order_id.map(|o| o.0))
        .bind(&b.plan_code)
        .bind(data_mb)
        .bind(b.starts_at.as_second())
        .bind(b.ends_at.as_second())
        .bind(now.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        Ok(BundleId(id))
    }

    async fn lock_voucher(&mut self, code_hash: &str) -> StoreResult<Option<Voucher>> {
        let sql = format!(
            "SELECT id, brand_id, batch_id, value_cents, currency, plan_code, expires_at, \
             redeemed_line_id, redeemed_at FROM vouchers WHERE code_hash = $1{}",
            self.dialect.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(code_hash)
            .fetch_optional(self.conn())
            .await
            .map_err(map)?;
        row.as_ref().map(codec::voucher).transpose()
    }

    async fn mark_voucher_redeemed(
        &mut self,
        id: VoucherId,
        line: LineId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE vouchers SET redeemed_line_id = $1, redeemed_at = $2 \
             WHERE id = $3 AND redeemed_at IS NULL",
        )
        .bind(line.0)
        .bind(now.as_second())
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(map)?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict {
                constraint: "vouchers_single_redemption".into(),
            });
        }
        Ok(())
    }

    async fn insert_voucher_batch(
        &mut self,
        brand: BrandId,
        name: &str,
        value: &VoucherValue,
        expires_at: Option<Timestamp>,
        code_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<VoucherBatchId> {
        let batch: i64 = sqlx::query_scalar(
            "INSERT INTO voucher_batches (brand_id, name, count, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(brand.0)
        .bind(name)
        .bind(code_hashes.len() as i64)
        .bind(now.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        let (cents, currency, plan) = match value {
            VoucherValue::Credit(m) => (Some(m.cents), Some(m.currency.to_string()), None),
            VoucherValue::Plan(p) => (None, None, Some(p.clone())),
        };
        for hash in code_hashes {
            sqlx::query(
                "INSERT INTO vouchers (brand_id, batch_id, code_hash, value_cents, currency, \
                 plan_code, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(brand.0)
            .bind(batch)
            .bind(hash)
            .bind(cents)
            .bind(currency.clone())
            .bind(plan.clone())
            .bind(expires_at.map(|t| t.as_second()))
            .bind(now.as_second())
            .execute(self.conn())
            .await
            .map_err(map)?;
        }
        Ok(VoucherBatchId(batch))
    }

    async fn existing_line_keys(
        &mut self,
        msisdns: &[String],
        iccids: &[String],
    ) -> StoreResult<Vec<String>> {
        let msisdns: Vec<&str> = msisdns.iter().map(String::as_str).collect();
        let iccids: Vec<&str> = iccids.iter().map(String::as_str).collect();
        let mut found = self.held_by_lines(Holding::Number, &msisdns).await?;
        found.extend(self.held_by_lines(Holding::Card, &iccids).await?);
        Ok(found)
    }

    async fn insert_line(&mut self, l: &NewLine, now: Timestamp) -> StoreResult<LineId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO lines (brand_id, subscriber_id, msisdn, kind, iccid, eid, \
             activation_code, state, expires_at, grace_until, credit_cents, currency, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             RETURNING id",
        )
        .bind(l.brand_id.0)
        .bind(l.subscriber_id.map(|s| s.0))
        .bind(l.msisdn.as_str())
        .bind(l.identity.kind().as_str())
        .bind(l.identity.iccid().map(|i| i.as_str().to_owned()))
        .bind(l.identity.eid().map(|e| e.as_str().to_owned()))
        .bind(l.identity.activation_code().map(|a| a.to_string()))
        .bind(l.state.as_str())
        .bind(l.expires_at.map(|t| t.as_second()))
        .bind(l.grace_until.map(|t| t.as_second()))
        .bind(l.credit.cents)
        .bind(l.credit.currency.as_str())
        .bind(now.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        Ok(LineId(id))
    }

    async fn queue_profile_order(&mut self, line: LineId, now: Timestamp) -> StoreResult<()> {
        let row = sqlx::query(
            "UPDATE esim_orders SET state = $1, updated_at = $2 WHERE line_id = $3 \
             AND state = $4 RETURNING brand_id, order_id, iccid, eid, matching_id, identified",
        )
        .bind(ProfileOrderState::Ordering.as_str())
        .bind(now.as_second())
        .bind(line.0)
        .bind(ProfileOrderState::AwaitingPayment.as_str())
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        let Some(row) = row else {
            return Ok(());
        };
        let order: i64 = get(&row, "order_id")?;
        let payload = serde_json::json!({
            "order_id": order,
            "iccid": get::<String>(&row, "iccid")?,
            "eid": get::<Option<String>>(&row, "eid")?,
            "matching_id": get::<String>(&row, "matching_id")?,
            "release": crate::codec::bool_of(&row, "identified")?,
        });
        self.insert_outbox(
            get(&row, "brand_id")?,
            line,
            ESIM_ORDERED,
            &payload.to_string(),
            Some(order),
            now,
        )
        .await
    }

    async fn profile_identified(&mut self, line: LineId, now: Timestamp) -> StoreResult<()> {
        // Under this row's lock, against the confirmation of the order: whichever commits
        // second sees the other's write, so the release is asked for once.
        let row = sqlx::query(
            "UPDATE esim_orders SET identified = TRUE, updated_at = $1 WHERE line_id = $2 \
             RETURNING state, brand_id, iccid",
        )
        .bind(now.as_second())
        .bind(line.0)
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        let Some(row) = row else {
            return Ok(());
        };
        if get::<String>(&row, "state")? != ProfileOrderState::Held.as_str() {
            return Ok(());
        }
        sqlx::query("UPDATE esim_orders SET state = $1 WHERE line_id = $2")
            .bind(ProfileOrderState::Releasing.as_str())
            .bind(line.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
        let payload = serde_json::json!({ "iccid": get::<String>(&row, "iccid")? });
        self.insert_outbox(
            get(&row, "brand_id")?,
            line,
            ESIM_RELEASED,
            &payload.to_string(),
            None,
            now,
        )
        .await
    }

    async fn profile_refunded(
        &mut self,
        line: LineId,
        order: OrderId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let row = sqlx::query(&format!(
            "UPDATE esim_orders SET state = $1, updated_at = $2 WHERE line_id = $3 \
             AND order_id = $4 AND {CANCELLABLE} RETURNING brand_id, iccid, eid, matching_id"
        ))
        .bind(ProfileOrderState::Cancelling.as_str())
        .bind(now.as_second())
        .bind(line.0)
        .bind(order.0)
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        let Some(row) = row else {
            return Ok(());
        };
        let payload = serde_json::json!({
            "iccid": get::<String>(&row, "iccid")?,
            "eid": get::<Option<String>>(&row, "eid")?,
            "matching_id": get::<String>(&row, "matching_id")?,
        });
        self.insert_outbox(
            get(&row, "brand_id")?,
            line,
            ESIM_CANCELLED,
            &payload.to_string(),
            None,
            now,
        )
        .await
    }
}

/// What a full refund does to a new eSIM's profile, by the store's words.
const CANCELLABLE: &str = "state IN ('ordering', 'held', 'releasing', 'ready') AND \
    (install_state IS NULL OR install_state IN ('eligibility_checked', 'failed', 'deleted'))";

/// A line's notices of rises of a plan's price, with the first time one of each's messages
/// was sent (read in the renewal's transaction).
pub(crate) async fn notices_of(
    tx: &mut SqlTx,
    line: LineId,
    plan_code: &str,
) -> StoreResult<Vec<simrenew_domain::price_notice::PriceNotice>> {
    let rows = sqlx::query(
        "SELECT n.old_price_cents, n.new_price_cents, n.effective_from, l.currency, \
         (SELECT MIN(r.sent_at) FROM reminders r WHERE r.line_id = n.line_id \
          AND r.step = $3 AND r.expires_at = n.effective_from AND r.state = 'sent') AS sent_at \
         FROM price_notices n JOIN lines l ON l.id = n.line_id \
         WHERE n.line_id = $1 AND n.plan_code = $2 ORDER BY n.effective_from, n.id",
    )
    .bind(line.0)
    .bind(plan_code)
    .bind(i64::from(simrenew_domain::reminder::PRICE_NOTICE_STEP))
    .fetch_all(tx.conn())
    .await
    .map_err(map)?;
    rows.iter()
        .map(|r| {
            let currency = Currency::parse(&get::<String>(r, "currency")?)
                .map_err(|e| corrupt("currency", e))?;
            Ok(simrenew_domain::price_notice::PriceNotice {
                old_price: Money::new(get(r, "old_price_cents")?, currency),
                new_price: Money::new(get(r, "new_price_cents")?, currency),
                effective_from: codec::ts(get(r, "effective_from")?)?,
                sent_at: codec::opt_ts(get(r, "sent_at")?)?,
            })
        })
        .collect()
}
