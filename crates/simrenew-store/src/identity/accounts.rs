//! Staff, API keys, subscribers (their details, export, erasure and identification) and the
//! counter lookup.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::json;
use simrenew_app::identity::accounts::NewStaff;
use simrenew_app::identity::api_keys::{KeyOwner, StoredApiKey};
use simrenew_app::identity::identification::Person;
use simrenew_app::identity::ports::{IdentityStore, IdentityTx};
use simrenew_app::StoreResult;
use simrenew_domain::access::{AgentStore, LineAccess, Principal, Role, Scope, Serving};
use simrenew_domain::identification::IdentificationMethod;
use simrenew_domain::ids::{ApiKeyId, BrandId, LineId, StaffId, StoreId, SubscriberId};
use simrenew_domain::line::{Line, LineState};

use crate::codec::{self, get, join, words};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

#[async_trait]
impl IdentityStore for Db {
    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<StoredApiKey>> {
        let row = sqlx::query(
            "SELECT id, prefix, secret_hash, name, staff_id, brand_id, scopes, created_at, \
             revoked_at FROM api_keys WHERE prefix = $1",
        )
        .bind(prefix)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        let owner = match (
            get::<Option<i64>>(&row, "staff_id")?,
            get::<Option<i64>>(&row, "brand_id")?,
        ) {
            (Some(staff), None) => KeyOwner::Staff(StaffId(staff)),
            (None, Some(brand)) => KeyOwner::Partner {
                brand: BrandId(brand),
                scopes: words(&get::<String>(&row, "scopes")?, Scope::parse)?,
            },
            _ => return Err(corrupt("api key owner", prefix)),
        };
        Ok(Some(StoredApiKey {
            id: ApiKeyId(get(&row, "id")?),
            prefix: get(&row, "prefix")?,
            secret_hash: get(&row, "secret_hash")?,
            name: get(&row, "name")?,
            owner,
            created_at: codec::ts(get(&row, "created_at")?)?,
            revoked_at: codec::opt_ts(get(&row, "revoked_at")?)?,
        }))
    }

    async fn staff_principal(&self, id: StaffId) -> StoreResult<Option<Principal>> {
        let row =
            sqlx::query("SELECT role, brand_id FROM staff WHERE id = $1 AND disabled_at IS NULL")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        let role = Role::parse(&get::<String>(&row, "role")?).map_err(|e| corrupt("role", e))?;
        let brand = get::<Option<i64>>(&row, "brand_id")?.map(BrandId);
        Ok(Some(match (role, brand) {
            (Role::PlatformAdmin, None) => Principal::PlatformAdmin { staff: id },
            (Role::BrandAdmin, Some(brand)) => Principal::BrandAdmin { staff: id, brand },
            (Role::Agent, Some(brand)) => {
                let stores = sqlx::query(
                    "SELECT s.id, s.capabilities FROM staff_stores ss \
                     JOIN stores s ON s.id = ss.store_id WHERE ss.staff_id = $1 ORDER BY s.id",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await
                .map_err(map)?
                .iter()
                .map(|r| {
                    Ok(AgentStore {
                        id: StoreId(get(r, "id")?),
                        capabilities: words(&get::<String>(r, "capabilities")?, |s| {
                            Ok(s.to_owned())
                        })?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
                Principal::Agent {
                    staff: id,
                    brand,
                    stores,
                    serving: None,
                }
            }
            _ => return Err(corrupt("staff role and brand", id)),
        }))
    }

    async fn staff_by_email(&self, email: &str) -> StoreResult<Option<StaffId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?;
        Ok(id.map(StaffId))
    }

    async fn subscriber_details(&self, id: SubscriberId) -> StoreResult<Option<Person>> {
        let row = sqlx::query(
            "SELECT name, email, language FROM subscribers WHERE id = $1 AND erased_at IS NULL",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Person {
            name: get(&row, "name")?,
            email: get(&row, "email")?,
            language: get(&row, "language")?,
        }))
    }

    async fn subscriber_brand(&self, id: SubscriberId) -> StoreResult<Option<BrandId>> {
        let b: Option<i64> = sqlx::query_scalar("SELECT brand_id FROM subscribers WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?;
        Ok(b.map(BrandId))
    }

    async fn store_brand(&self, store: StoreId) -> StoreResult<Option<BrandId>> {
        let b: Option<i64> = sqlx::query_scalar("SELECT brand_id FROM stores WHERE id = $1")
            .bind(store.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map)?;
        Ok(b.map(BrandId))
    }

    async fn subscriber_export(&self, id: SubscriberId) -> StoreResult<Option<String>> {
        let Some(s) = sqlx::query(
            "SELECT id, brand_id, name, email, language, created_at, erased_at FROM subscribers \
             WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?
        else {
            return Ok(None);
        };
        let rows = |sql: &'static str| {
            let pool = self.pool.clone();
            async move {
                sqlx::query(sql)
                    .bind(id.0)
                    .fetch_all(&pool)
                    .await
                    .map_err(map)
            }
        };
        let lines = rows(
            "SELECT msisdn, kind, iccid, eid, state, expires_at, credit_cents, currency \
             FROM lines WHERE subscriber_id = $1 ORDER BY id",
        )
        .await?;
        let orders = rows(
            "SELECT o.id, l.msisdn, o.channel, o.state, o.total_cents, o.vat_cents, o.currency, \
             o.quote, o.created_at, o.paid_at FROM orders o JOIN lines l ON l.id = o.line_id \
             WHERE l.subscriber_id = $1 ORDER BY o.id",
        )
        .await?;
        let ledger = rows(
            "SELECT e.created_at, l.msisdn, e.amount_cents, e.balance_after_cents, e.currency, \
             e.reason FROM ledger_entries e JOIN lines l ON l.id = e.line_id \
             WHERE l.subscriber_id = $1 ORDER BY e.id",
        )
        .await?;
        let identifications = rows(
            "SELECT method, verifier, verified_at FROM identifications \
             WHERE subscriber_id = $1 ORDER BY id",
        )
        .await?;
        let passkeys = super::passkeys::export(self, id).await?;
        let export = json!({
            "subscriber": {
                "id": get::<i64>(&s, "id")?,
                "name": get::<String>(&s, "name")?,
                "email": get::<Option<String>>(&s, "email")?,
                "language": get::<String>(&s, "language")?,
                "created_at": get::<i64>(&s, "created_at")?,
                "erased_at": get::<Option<i64>>(&s, "erased_at")?,
            },
            "lines": lines.iter().map(|r| Ok(json!({
                "msisdn": get::<String>(r, "msisdn")?,
                "kind": get::<String>(r, "kind")?,
                "iccid": get::<Option<String>>(r, "iccid")?,
                "eid": get::<Option<String>>(r, "eid")?,
                "state": get::<String>(r, "state")?,
                "expires_at": get::<Option<i64>>(r, "expires_at")?,
                "credit_cents": get::<i64>(r, "credit_cents")?,
                "currency": get::<String>(r, "currency")?,
            }))).collect::<StoreResult<Vec<_>>>()?,
            "orders": orders.iter().map(|r| Ok(json!({
                "id": get::<i64>(r, "id")?,
                "msisdn": get::<String>(r, "msisdn")?,
                "channel": get::<String>(r, "channel")?,
                "state": get::<String>(r, "state")?,
                "total_cents": get::<i64>(r, "total_cents")?,
                "vat_cents": get::<i64>(r, "vat_cents")?,
                "currency": get::<String>(r, "currency")?,
                "lines": serde_json::from_str::<serde_json::Value>(&get::<String>(r, "quote")?)
                    .map_err(|e| corrupt("quote", e))?["lines"].clone(),
                "created_at": get::<i64>(r, "created_at")?,
                "paid_at": get::<Option<i64>>(r, "paid_at")?,
            }))).collect::<StoreResult<Vec<_>>>()?,
            "ledger": ledger.iter().map(|r| Ok(json!({
                "at": get::<i64>(r, "created_at")?,
                "msisdn": get::<String>(r, "msisdn")?,
                "amount_cents": get::<i64>(r, "amount_cents")?,
                "balance_after_cents": get::<i64>(r, "balance_after_cents")?,
                "currency": get::<String>(r, "currency")?,
                "reason": get::<String>(r, "reason")?,
            }))).collect::<StoreResult<Vec<_>>>()?,
            "identifications": identifications.iter().map(|r| Ok(json!({
                "method": get::<String>(r, "method")?,
                "verifier": get::<String>(r, "verifier")?,
                "verified_at": get::<i64>(r, "verified_at")?,
            }))).collect::<StoreResult<Vec<_>>>()?,
            "passkeys": passkeys,
        });
        Ok(Some(export.to_string()))
    }

    async fn line_access(&self, msisdn: &str) -> StoreResult<Option<LineAccess>> {
        let row = sqlx::query(
            "SELECT id, brand_id, subscriber_id FROM lines WHERE msisdn = $1 \
             AND number_released_at IS NULL",
        )
        .bind(msisdn)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(LineAccess {
            line: LineId(get(&row, "id")?),
            brand: BrandId(get(&row, "brand_id")?),
            subscriber: get::<Option<i64>>(&row, "subscriber_id")?.map(SubscriberId),
        }))
    }

    async fn counter_customer(
        &self,
        credential_hash: &str,
        since: Timestamp,
    ) -> StoreResult<Option<Serving>> {
        let row = sqlx::query(
            "SELECT line_id, subscriber_id FROM counter_customers \
             WHERE credential_hash = $1 AND since >= $2",
        )
        .bind(credential_hash)
        .bind(since.as_second())
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Serving {
            line: LineId(get(&row, "line_id")?),
            subscriber: get::<Option<i64>>(&row, "subscriber_id")?.map(SubscriberId),
        }))
    }

    async fn set_counter_customer(
        &self,
        credential_hash: &str,
        staff: StaffId,
        serving: Serving,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO counter_customers (credential_hash, staff_id, line_id, subscriber_id, \
             since) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (credential_hash) DO UPDATE SET \
             staff_id = excluded.staff_id, line_id = excluded.line_id, \
             subscriber_id = excluded.subscriber_id, since = excluded.since",
        )
        .bind(credential_hash)
        .bind(staff.0)
        .bind(serving.line.0)
        .bind(serving.subscriber.map(|s| s.0))
        .bind(now.as_second())
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn clear_counter_customer(&self, credential_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM counter_customers WHERE credential_hash = $1")
            .bind(credential_hash)
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }
}

#[async_trait]
impl IdentityTx for SqlTx {
    async fn insert_staff(&mut self, s: &NewStaff, now: Timestamp) -> StoreResult<StaffId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO staff (email, name, role, brand_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&s.email)
        .bind(&s.name)
        .bind(s.role.as_str())
        .bind(s.brand.map(|b| b.0))
        .bind(now.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        for store in &s.stores {
            sqlx::query("INSERT INTO staff_stores (staff_id, store_id) VALUES ($1, $2)")
                .bind(id)
                .bind(store.0)
                .execute(self.conn())
                .await
                .map_err(map)?;
        }
        Ok(StaffId(id))
    }

    async fn insert_api_key(
        &mut self,
        prefix: &str,
        secret_hash: &str,
        name: &str,
        owner: &KeyOwner,
        now: Timestamp,
    ) -> StoreResult<ApiKeyId> {
        let (staff, brand, scopes) = match owner {
            KeyOwner::Staff(s) => (Some(s.0), None, String::new()),
            KeyOwner::Partner { brand, scopes } => (None, Some(brand.0), join(scopes)),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_keys (prefix, secret_hash, name, staff_id, brand_id, scopes, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(prefix)
        .bind(secret_hash)
        .bind(name)
        .bind(staff)
        .bind(brand)
        .bind(scopes)
        .bind(now.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        Ok(ApiKeyId(id))
    }

    async fn erase_subscriber(&mut self, id: SubscriberId, now: Timestamp) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE subscribers SET name = $1, email = NULL, erased_at = $2, \
             calendar_token_hash = NULL WHERE id = $3",
        )
        .bind(format!("erased subscriber {id}"))
        .bind(now.as_second())
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(map)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        // The identification record stays (who verified, how, when); the document hash goes.
        sqlx::query("UPDATE identifications SET document_hash = 'erased' WHERE subscriber_id = $1")
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE subscriber_id = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_second())
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(map)?;
        super::passkeys::erase(self, id).await?;
        // Reminders not sent yet are not sent; those sent stay, so that their codes check.
        sqlx::query("DELETE FROM reminders WHERE subscriber_id = $1 AND state = 'pending'")
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
        Ok(true)
    }

    async fn record_identification(
        &mut self,
        line: &Line,
        person: &Person,
        method: IdentificationMethod,
        verifier: &str,
        document_hash: &str,
        now: Timestamp,
    ) -> StoreResult<SubscriberId> {
        let subscriber = match line.subscriber_id {
            Some(s) => {
                sqlx::query(
                    "UPDATE subscribers SET name = $1, email = $2, language = $3 WHERE id = $4",
                )
                .bind(&person.name)
                .bind(person.email.as_deref())
                .bind(&person.language)
                .bind(s.0)
                .execute(self.conn())
                .await
                .map_err(map)?;
                s
            }
            None => SubscriberId(
                sqlx::query_scalar(
                    "INSERT INTO subscribers (brand_id, name, email, language, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(line.brand_id.0)
                .bind(&person.name)
                .bind(person.email.as_deref())
                .bind(&person.language)
                .bind(now.as_second())
                .fetch_one(self.conn())
                .await
                .map_err(map)?,
            ),
        };
        sqlx::query(
            "INSERT INTO identifications (brand_id, subscriber_id, line_id, method, verifier, \
             verified_at, document_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(line.brand_id.0)
        .bind(subscriber.0)
        .bind(line.id.0)
        .bind(method.as_str())
        .bind(verifier)
        .bind(now.as_second())
        .bind(document_hash)
        .execute(self.conn())
        .await
        .map_err(map)?;
        sqlx::query("UPDATE lines SET state = $1, subscriber_id = $2 WHERE id = $3")
            .bind(LineState::Active.as_str())
            .bind(subscriber.0)
            .bind(line.id.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
        // The time paid for starts now: a line sold before its subscriber was identified could
        // not be used meanwhile, so its bundles and its expiry move on by the time it waited.
        let first: Option<i64> =
            sqlx::query_scalar("SELECT MIN(starts_at) FROM bundles WHERE line_id = $1")
                .bind(line.id.0)
                .fetch_one(self.conn())
                .await
                .map_err(map)?;
        let waited = first.map_or(0, |first| now.as_second() - first);
        if waited > 0 {
            sqlx::query(
                "UPDATE bundles SET starts_at = starts_at + $1, ends_at = ends_at + $1 \
                 WHERE line_id = $2",
            )
            .bind(waited)
            .bind(line.id.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
            sqlx::query(
                "UPDATE lines SET expires_at = expires_at + $1, grace_until = grace_until + $1 \
                 WHERE id = $2",
            )
            .bind(waited)
            .bind(line.id.0)
            .execute(self.conn())
            .await
            .map_err(map)?;
            // The network has not been told of these bundles yet (their outbox rows wait for
            // the identification): it is told their new dates.
            let bundles: Vec<(i64, i64, i64)> =
                sqlx::query_as("SELECT id, starts_at, ends_at FROM bundles WHERE line_id = $1")
                    .bind(line.id.0)
                    .fetch_all(self.conn())
                    .await
                    .map_err(map)?;
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, payload FROM outbox WHERE line_id = $1 AND topic = $2 \
                 AND processed_at IS NULL",
            )
            .bind(line.id.0)
            .bind(simrenew_app::sales::ports::BUNDLE_GRANTED)
            .fetch_all(self.conn())
            .await
            .map_err(map)?;
            for (id, payload) in rows {
                let mut payload: serde_json::Value =
                    serde_json::from_str(&payload).map_err(|e| corrupt("outbox.payload", e))?;
                let Some(&(_, starts_at, ends_at)) = bundles
                    .iter()
                    .find(|b| payload["bundle_id"].as_i64() == Some(b.0))
                else {
                    continue;
                };
                payload["starts_at"] = codec::ts(starts_at)?.to_string().into();
                payload["ends_at"] = codec::ts(ends_at)?.to_string().into();
                sqlx::query("UPDATE outbox SET payload = $1 WHERE id = $2")
                    .bind(payload.to_string())
                    .bind(id)
                    .execute(self.conn())
                    .await
                    .map_err(map)?;
            }
        }
        Ok(subscriber)
    }

    async fn revoke_api_key(&mut self, prefix: &str, now: Timestamp) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE prefix = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_second())
        .bind(prefix)
        .execute(self.conn())
        .await
        .map_err(map)?
        .rows_affected();
        Ok(n == 1)
    }
}
