//! Passkeys and their ceremonies. Credentials and ceremony states are webauthn-rs values kept
//! as JSON; a credential id is kept in hex, unique across all accounts.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::json;
use simrenew_app::identity::passkeys::{
    CeremonyState, NewCeremony, Passkey, PasskeyInfo, PasskeyStore, PasskeyTx, StoredCeremony,
    StoredPasskey,
};
use simrenew_app::StoreResult;
use simrenew_domain::ids::{PasskeyId, SubscriberId};
use sqlx::any::AnyRow;

use crate::codec::{get, opt_ts, ts};
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

/// Ceremonies are kept this long past their end, so that a late answer is told it expired
/// rather than that it never existed.
const KEEP_ENDED_SECONDS: i64 = 24 * 3600;

const PASSKEY_COLUMNS: &str =
    "id, subscriber_id, credential, label, created_at, last_used_at FROM passkeys";

fn passkey(row: &AnyRow) -> StoreResult<StoredPasskey> {
    let credential: String = get(row, "credential")?;
    Ok(StoredPasskey {
        info: PasskeyInfo {
            id: PasskeyId(get(row, "id")?),
            label: get(row, "label")?,
            created_at: ts(get(row, "created_at")?)?,
            last_used_at: opt_ts(get(row, "last_used_at")?)?,
        },
        subscriber: SubscriberId(get(row, "subscriber_id")?),
        passkey: serde_json::from_str(&credential).map_err(|e| corrupt("passkey", e))?,
    })
}

fn encode<T: serde::Serialize>(what: &str, value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| corrupt(what, e))
}

#[async_trait]
impl PasskeyStore for Db {
    async fn insert_ceremony(&self, c: &NewCeremony) -> StoreResult<()> {
        let state = match &c.state {
            CeremonyState::Registration(s) => encode("ceremony state", s)?,
            CeremonyState::SignIn(s) => encode("ceremony state", s)?,
        };
        sqlx::query("DELETE FROM webauthn_challenges WHERE expires_at < $1")
            .bind(c.created_at.as_second() - KEEP_ENDED_SECONDS)
            .execute(&self.pool)
            .await
            .map_err(map)?;
        sqlx::query(
            "INSERT INTO webauthn_challenges (token_hash, subscriber_id, kind, state, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&c.token_hash)
        .bind(c.subscriber.map(|s| s.0))
        .bind(c.state.kind())
        .bind(state)
        .bind(c.created_at.as_second())
        .bind(c.expires_at.as_second())
        .execute(&self.pool)
        .await
        .map_err(map)?;
        Ok(())
    }

    async fn ceremony(&self, token_hash: &str) -> StoreResult<Option<StoredCeremony>> {
        let Some(row) = sqlx::query(
            "SELECT id, subscriber_id, kind, state, expires_at, used_at FROM webauthn_challenges \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?
        else {
            return Ok(None);
        };
        let text: String = get(&row, "state")?;
        let bad = |e| corrupt("ceremony state", e);
        let state = match get::<String>(&row, "kind")?.as_str() {
            "registration" => {
                CeremonyState::Registration(serde_json::from_str(&text).map_err(bad)?)
            }
            "authentication" => CeremonyState::SignIn(serde_json::from_str(&text).map_err(bad)?),
            other => return Err(corrupt("ceremony kind", other)),
        };
        Ok(Some(StoredCeremony {
            id: get(&row, "id")?,
            subscriber: get::<Option<i64>>(&row, "subscriber_id")?.map(SubscriberId),
            state,
            expires_at: ts(get(&row, "expires_at")?)?,
            used: get::<Option<i64>>(&row, "used_at")?.is_some(),
        }))
    }

    async fn use_ceremony(&self, id: i64, now: Timestamp) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE webauthn_challenges SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
        )
        .bind(now.as_second())
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(map)?
        .rows_affected();
        Ok(n == 1)
    }

    async fn passkeys_of(&self, subscriber: SubscriberId) -> StoreResult<Vec<StoredPasskey>> {
        sqlx::query(&format!(
            "SELECT {PASSKEY_COLUMNS} WHERE subscriber_id = $1 ORDER BY id"
        ))
        .bind(subscriber.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(passkey)
        .collect()
    }

    async fn passkey_by_credential(
        &self,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredPasskey>> {
        sqlx::query(&format!(
            "SELECT {PASSKEY_COLUMNS} WHERE credential_id = $1"
        ))
        .bind(hex::encode(credential_id))
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?
        .as_ref()
        .map(passkey)
        .transpose()
    }

    async fn record_passkey_use(
        &self,
        id: PasskeyId,
        passkey: &Passkey,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3")
            .bind(encode("passkey", passkey)?)
            .bind(now.as_second())
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map)?;
        Ok(())
    }
}

#[async_trait]
impl PasskeyTx for SqlTx {
    async fn insert_passkey(
        &mut self,
        subscriber: SubscriberId,
        passkey: &Passkey,
        label: &str,
        now: Timestamp,
    ) -> StoreResult<PasskeyId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO passkeys (subscriber_id, credential_id, credential, label, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(subscriber.0)
        .bind(hex::encode(passkey.cred_id().as_ref()))
        .bind(encode("passkey", passkey)?)
        .bind(label)
        .bind(now.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        Ok(PasskeyId(id))
    }

    async fn delete_passkey(
        &mut self,
        subscriber: SubscriberId,
        id: PasskeyId,
    ) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND subscriber_id = $2")
            .bind(id.0)
            .bind(subscriber.0)
            .execute(self.conn())
            .await
            .map_err(map)?
            .rows_affected();
        Ok(n == 1)
    }
}

/// A subscriber's passkeys for their data export: what they are called, when they were added
/// and used, and their credential ids (the public keys say nothing about the person).
pub(crate) async fn export(db: &Db, subscriber: SubscriberId) -> StoreResult<serde_json::Value> {
    let rows = sqlx::query(
        "SELECT credential_id, label, created_at, last_used_at FROM passkeys \
         WHERE subscriber_id = $1 ORDER BY id",
    )
    .bind(subscriber.0)
    .fetch_all(&db.pool)
    .await
    .map_err(map)?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "credential_id": get::<String>(r, "credential_id")?,
                "label": get::<String>(r, "label")?,
                "created_at": get::<i64>(r, "created_at")?,
                "last_used_at": get::<Option<i64>>(r, "last_used_at")?,
            }))
        })
        .collect::<StoreResult<Vec<_>>>()
        .map(serde_json::Value::Array)
}

/// Forgets a subscriber's passkeys and ceremonies (erasure).
pub(crate) async fn erase(tx: &mut SqlTx, subscriber: SubscriberId) -> StoreResult<()> {
    for sql in [
        "DELETE FROM passkeys WHERE subscriber_id = $1",
        "DELETE FROM webauthn_challenges WHERE subscriber_id = $1",
    ] {
        sqlx::query(sql)
            .bind(subscriber.0)
            .execute(tx.conn())
            .await
            .map_err(map)?;
    }
    Ok(())
}
