//! The audit log: entries chained per chain and MACed under the audit key, each chain's head,
//! and the checkpoints of the heads.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::audit::{
    AuditCheckpoint, AuditEntry, AuditKey, AuditRecord, AuditStore, AuditTx, ChainHead, GENESIS,
    NO_AUDIT_KEY,
};
use simrenew_app::{StoreError, StoreResult};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::codec::get;
use crate::error::map;
use crate::tx::{HeldHead, SqlTx};
use crate::{Db, Dialect};

const RECORD_COLUMNS: &str = "id, chain, seq, at, actor, action, subject, details, prev_hash, hash";

fn record(r: &AnyRow) -> StoreResult<AuditRecord> {
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
}

pub(crate) fn key_or_refuse(key: Option<&AuditKey>) -> StoreResult<&AuditKey> {
    key.ok_or_else(|| StoreError::Unavailable(NO_AUDIT_KEY.into()))
}

/// Locks the chain's head (making it, at number 0, for a new chain) and answers the next
/// entry's number and the MAC it follows. One statement on both databases: on PostgreSQL the
/// upsert waits for, and then sees, a head another transaction is moving.
pub(crate) async fn lock_head(conn: &mut AnyConnection, chain: &str) -> StoreResult<(i64, String)> {
    let row = sqlx::query(
        "INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, $2) \
         ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain RETURNING seq, hash",
    )
    .bind(chain)
    .bind(GENESIS)
    .fetch_one(conn)
    .await
    .map_err(map)?;
    Ok((
        row.try_get::<i64, _>("seq").map_err(map)? + 1,
        get(&row, "hash")?,
    ))
}

impl SqlTx {
    /// The next entry's number in `chain` and the MAC it follows: from the head this
    /// transaction holds when it is that chain's, else by [`lock_head`].
    pub(crate) async fn next_in_chain(&mut self, chain: &str) -> StoreResult<(i64, String)> {
        match self.held_head.take() {
            Some(h) if h.chain == chain => Ok((h.seq + 1, h.hash)),
            _ => lock_head(self.conn(), chain).await,
        }
    }

    /// The head of `chain` as this transaction holds it locked: its last entry `seq`, whose
    /// MAC is `hash`.
    pub(crate) fn hold_head(&mut self, chain: &str, seq: i64, hash: String) {
        self.held_head = Some(HeldHead {
            chain: chain.to_owned(),
            seq,
            hash,
        });
    }
}

/// Appends `e` to its chain inside the caller's transaction: the head locked, the entry MACed
/// under `key` and inserted, the head moved.
pub(crate) async fn append(
    tx: &mut SqlTx,
    key: Option<&AuditKey>,
    e: &AuditEntry,
    now: Timestamp,
) -> StoreResult<()> {
    let key = key_or_refuse(key)?;
    let at = now.as_second();
    let (seq, prev) = tx.next_in_chain(&e.chain).await?;
    let mac = key.entry_mac(&prev, seq, at, e);
    let conn = tx.conn();
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
    .bind(&mac)
    .execute(&mut *conn)
    .await
    .map_err(map)?;
    sqlx::query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE chain = $1")
        .bind(&e.chain)
        .bind(seq)
        .bind(&mac)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
    tx.hold_head(&e.chain, seq, mac);
    Ok(())
}

#[async_trait]
impl AuditStore for Db {
    async fn audit_log(&self) -> StoreResult<(Vec<AuditRecord>, Vec<(String, i64, String)>)> {
        let records = sqlx::query(&format!(
            "SELECT {RECORD_COLUMNS} FROM audit_log ORDER BY chain, seq, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?
        .iter()
        .map(record)
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

    async fn audit_checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>> {
        let mut checkpoints =
            sqlx::query("SELECT seq, at, prev_mac, mac FROM audit_checkpoints ORDER BY seq")
                .fetch_all(&self.pool)
                .await
                .map_err(map)?
                .iter()
                .map(|r| {
                    Ok(AuditCheckpoint {
                        seq: get(r, "seq")?,
                        at: get(r, "at")?,
                        prev_mac: get(r, "prev_mac")?,
                        mac: get(r, "mac")?,
                        heads: vec![],
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
        let heads = sqlx::query(
            "SELECT checkpoint_seq, chain, seq, mac FROM audit_checkpoint_heads \
             ORDER BY checkpoint_seq, chain",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        for r in &heads {
            let at: i64 = get(r, "checkpoint_seq")?;
            let head = ChainHead {
                chain: get(r, "chain")?,
                seq: get(r, "seq")?,
                mac: get(r, "mac")?,
            };
            // A head whose checkpoint is gone has nothing to be checked against: the gap in
            // the checkpoints' numbers shows.
            if let Ok(i) = checkpoints.binary_search_by_key(&at, |c| c.seq) {
                checkpoints[i].heads.push(head);
            }
        }
        Ok(checkpoints)
    }

    fn audit_key(&self) -> Option<AuditKey> {
        self.audit_key.clone()
    }
}

#[async_trait]
impl AuditTx for SqlTx {
    async fn append_audit(&mut self, e: &AuditEntry, now: Timestamp) -> StoreResult<()> {
        let key = self.audit_key.clone();
        append(self, key.as_ref(), e, now).await?;
        self.record_effect(e.subject.clone());
        Ok(())
    }

    async fn lock_last_checkpoint(&mut self) -> StoreResult<Option<(i64, String)>> {
        let lock = if self.dialect == Dialect::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let row = sqlx::query(&format!(
            "SELECT seq, mac FROM audit_checkpoints ORDER BY seq DESC LIMIT 1{lock}"
        ))
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        row.map(|r| Ok((get(&r, "seq")?, get(&r, "mac")?)))
            .transpose()
    }

    async fn heads_to_checkpoint(&mut self) -> StoreResult<Vec<ChainHead>> {
        sqlx::query(
            "SELECT h.chain, h.seq, h.hash FROM audit_heads h WHERE h.seq > COALESCE(\
             (SELECT MAX(c.seq) FROM audit_checkpoint_heads c WHERE c.chain = h.chain), 0) \
             ORDER BY h.chain",
        )
        .fetch_all(self.conn())
        .await
        .map_err(map)?
        .iter()
        .map(|r| {
            Ok(ChainHead {
                chain: get(r, "chain")?,
                seq: get(r, "seq")?,
                mac: get(r, "hash")?,
            })
        })
        .collect()
    }

    async fn insert_checkpoint(&mut self, c: &AuditCheckpoint) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_checkpoints (seq, at, prev_mac, mac) VALUES ($1, $2, $3, $4)",
        )
        .bind(c.seq)
        .bind(c.at)
        .bind(&c.prev_mac)
        .bind(&c.mac)
        .execute(self.conn())
        .await
        .map_err(map)?;
        for h in &c.heads {
            sqlx::query(
                "INSERT INTO audit_checkpoint_heads (checkpoint_seq, chain, seq, mac) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(c.seq)
            .bind(&h.chain)
            .bind(h.seq)
            .bind(&h.mac)
            .execute(self.conn())
            .await
            .map_err(map)?;
        }
        Ok(())
    }

    async fn lock_audit_log(&mut self) -> StoreResult<Vec<AuditRecord>> {
        if self.dialect == Dialect::Postgres {
            // No entry is appended meanwhile (appends lock their head row first).
            sqlx::query("LOCK TABLE audit_heads IN EXCLUSIVE MODE")
                .execute(self.conn())
                .await
                .map_err(map)?;
        }
        sqlx::query(&format!(
            "SELECT {RECORD_COLUMNS} FROM audit_log ORDER BY chain, seq, id"
        ))
        .fetch_all(self.conn())
        .await
        .map_err(map)?
        .iter()
        .map(record)
        .collect()
    }

    async fn rewrite_audit_entry(&mut self, id: i64, prev: &str, mac: &str) -> StoreResult<()> {
        sqlx::query("UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1")
            .bind(id)
            .bind(prev)
            .bind(mac)
            .execute(self.conn())
            .await
            .map_err(map)?;
        Ok(())
    }

    async fn set_audit_head(&mut self, h: &ChainHead) -> StoreResult<()> {
        sqlx::query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE chain = $1")
            .bind(&h.chain)
            .bind(h.seq)
            .bind(&h.mac)
            .execute(self.conn())
            .await
            .map_err(map)?;
        Ok(())
    }
}
