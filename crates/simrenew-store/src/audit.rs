//! The audit log: entries chained per chain, and each chain's head.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::audit::{audit_hash, AuditEntry, AuditRecord, AuditStore, AuditTx, GENESIS};
use simrenew_app::StoreResult;
use sqlx::Row;

use crate::codec::get;
use crate::error::map;
use crate::tx::SqlTx;
use crate::{Db, Dialect};

#[async_trait]
impl AuditStore for Db {
    async fn audit_log(&self) -> StoreResult<(Vec<AuditRecord>, Vec<(String, i64, String)>)> {
        let records = sqlx::query(
            "SELECT id, chain, seq, at, actor, action, subject, details, prev_hash, hash \
             FROM audit_log ORDER BY chain, seq, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(|r| {
            Ok(AuditRecord {
                id: get(r, "id")?,
                chain: get(r, "chain")?,
                seq: get(r, "seq")?,
                at: get(r, "at")?,
                actor: get(r, "actor")?,
                action: get(r, "action")?,
                subject: get(r, "subject")?,
                details: get(r, "details")?,
                prev_hash: get(r, "prev_hash")?,
                hash: get(r, "hash")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let heads = sqlx::query("SELECT chain, seq, hash FROM audit_heads ORDER BY chain")
            .fetch_all(&self.pool)
            .await
            .map_err(map)?
            .iter()
            .map(|r| Ok((get(r, "chain")?, get(r, "seq")?, get(r, "hash")?)))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((records, heads))
    }
}

#[async_trait]
impl AuditTx for SqlTx {
    async fn append_audit(&mut self, e: &AuditEntry, now: Timestamp) -> StoreResult<()> {
        let at = now.as_second();
        if self.dialect == Dialect::Postgres {
            // One statement: lock the chain's head, chain the entry to it (the hash computed
            // by the database exactly as `audit_hash` does), move the head.
            sqlx::query(
                "WITH head AS (SELECT seq, hash FROM audit_heads WHERE chain = $1 FOR UPDATE), \
                 cur AS (SELECT COALESCE((SELECT seq FROM head), 0) + 1 AS seq, \
                     COALESCE((SELECT hash FROM head), $7) AS prev), \
                 ins AS (INSERT INTO audit_log (chain, seq, at, actor, action, subject, details, \
                     prev_hash, hash) SELECT $1, seq, $2, $3, $4, $5, $6, prev, \
                     encode(sha256(convert_to(prev || '|' || seq || '|' || $2::BIGINT || '|' || \
                     $3::TEXT || '|' || $4::TEXT || '|' || $5::TEXT || '|' || $6::TEXT, \
                     'UTF8')), 'hex') FROM cur RETURNING seq, hash) \
                 INSERT INTO audit_heads (chain, seq, hash) SELECT $1, seq, hash FROM ins \
                 ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            )
            .bind(&e.chain)
            .bind(at)
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.subject)
            .bind(&e.details)
            .bind(GENESIS)
            .execute(self.conn())
            .await
            .map_err(map)?;
            return Ok(());
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE chain = $1")
            .bind(&e.chain)
            .fetch_optional(self.conn())
            .await
            .map_err(map)?;
        let (seq, prev) = match head {
            Some(r) => (
                r.try_get::<i64, _>("seq").map_err(map)? + 1,
                get::<String>(&r, "hash")?,
            ),
            None => (1, GENESIS.to_owned()),
        };
        let hash = audit_hash(&prev, seq, at, e);
        sqlx::query(
            "INSERT INTO audit_log (chain, seq, at, actor, action, subject, details, prev_hash, \
             hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&e.chain)
        .bind(seq)
        .bind(at)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.subject)
        .bind(&e.details)
        .bind(&prev)
        .bind(&hash)
        .execute(self.conn())
        .await
        .map_err(map)?;
        sqlx::query(
            "INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, $2, $3) \
             ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .bind(&e.chain)
        .bind(seq)
        .bind(&hash)
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }
}
