//! The audit log: the chained record of every act that moves money, time, access or catalog,
//! its port, the signed checkpoints of its chains, and their verification.
//!
//! Every capability records its acts here, inside the transaction of the act; this module
//! therefore imports none of them (it sits at the ground, like `clock` and `error`).
//!
//! Each entry's `hash` is an HMAC-SHA256 under the audit key ([`AuditKey`], kept outside the
//! database) over the entry, its place in its chain and the previous entry's MAC: someone who
//! can write the database but lacks the key cannot edit, insert, renumber or recompute an
//! entry. Deleting the newest entries of a chain (and moving its head back) or a whole chain
//! leaves a consistent chain behind; [`App::checkpoint_audit`] records every chain's head in a
//! checkpoint MACed under the same key, and [`App::verify_audit`] checks that every chain
//! still holds what each checkpoint saw. What was written after the newest checkpoint can still
//! be removed unseen, and so can the newest checkpoints themselves: `verify` prints the newest
//! one, to compare with the copy `serve` logs when it writes it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult, StoreError, StoreResult};

/// The audit chain of a line's money movements and of what changes its time or identity.
pub fn line_chain(line: simrenew_domain::ids::LineId) -> String {
    format!("line:{line}")
}

/// One entry of the audit log, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The chain it joins: `line:ID` for a line's money movements, `admin` for staff actions.
    pub chain: String,
    /// A principal's label (`staff:3`), or `cli` for the operator's command line.
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: String,
}

/// A chained entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub chain: String,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    fn entry(&self) -> AuditEntry {
        AuditEntry {
            chain: self.chain.clone(),
            actor: self.actor.clone(),
            action: self.action.clone(),
            subject: self.subject.clone(),
            details: self.details.clone(),
        }
    }
}

/// A chain's last entry: its number and MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub chain: String,
    pub seq: i64,
    pub mac: String,
}

/// A checkpoint as stored: the heads of the chains that moved since the previous checkpoint,
/// linked to that checkpoint and MACed under the audit key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpoint {
    pub seq: i64,
    pub at: i64,
    pub prev_mac: String,
    pub mac: String,
    /// Sorted by chain.
    pub heads: Vec<ChainHead>,
}

/// The MAC of the chain before its first entry, and of the checkpoints before the first.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key of the audit log's MACs: at least 32 bytes, from `SIMRENEW_AUDIT_KEY` (or
/// `_FILE`), never stored in the database. `Debug` does not show it.
#[derive(Clone)]
pub struct AuditKey(Arc<[u8]>);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(***)")
    }
}

/// A key shorter than 32 bytes.
#[derive(Debug, thiserror::Error)]
#[error("the audit key must be at least 32 bytes")]
pub struct ShortAuditKey;

impl AuditKey {
    pub fn new(material: &[u8]) -> Result<Self, ShortAuditKey> {
        if material.len() < 32 {
            return Err(ShortAuditKey);
        }
        Ok(Self(material.into()))
    }

    fn mac(&self, tag: &str, fields: &[&[u8]]) -> String {
        // HMAC takes keys of any length.
        #[allow(clippy::expect_used)]
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        // Each field is preceded by its length, so that no two entries read alike.
        for f in std::iter::once(tag.as_bytes()).chain(fields.iter().copied()) {
            mac.update(&(f.len() as u64).to_be_bytes());
            mac.update(f);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// An entry's MAC: over the chain, the entry's number and time, its four fields and the
    /// previous entry's MAC. The one definition; every store calls it.
    pub fn entry_mac(&self, prev: &str, seq: i64, at: i64, e: &AuditEntry) -> String {
        self.mac(
            "simrenew audit entry v1",
            &[
                e.chain.as_bytes(),
                &seq.to_be_bytes(),
                &at.to_be_bytes(),
                e.actor.as_bytes(),
                e.action.as_bytes(),
                e.subject.as_bytes(),
                e.details.as_bytes(),
                prev.as_bytes(),
            ],
        )
    }

    /// A checkpoint's MAC: over its number, time, the previous checkpoint's MAC and the heads
    /// (in chain order).
    pub fn checkpoint_mac(&self, seq: i64, at: i64, prev: &str, heads: &[ChainHead]) -> String {
        let mut fields: Vec<Vec<u8>> = vec![
            seq.to_be_bytes().to_vec(),
            at.to_be_bytes().to_vec(),
            prev.as_bytes().to_vec(),
            (heads.len() as u64).to_be_bytes().to_vec(),
        ];
        for h in heads {
            fields.push(h.chain.as_bytes().to_vec());
            fields.push(h.seq.to_be_bytes().to_vec());
            fields.push(h.mac.as_bytes().to_vec());
        }
        let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        self.mac("simrenew audit checkpoint v1", &refs)
    }
}

/// The hash entries had before the log was keyed: SHA-256 of
/// `prev|seq|at|actor|action|subject|details`, hex. Anyone can compute it, so an entry
/// carrying it proves nothing; `verify` names such entries and `audit rekey` keys them.
pub fn unkeyed_hash(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> String {
    let text = format!(
        "{prev}|{seq}|{at}|{}|{}|{}|{}",
        e.actor, e.action, e.subject, e.details
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What `audit verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: usize,
    pub chains: usize,
    pub checkpoints: usize,
    /// The newest checkpoint: compare it with a copy kept outside the database.
    pub newest_checkpoint: Option<AuditCheckpoint>,
    /// One line per problem, each starting with the chain (`chain line:7: ...`) or the
    /// checkpoint at fault.
    pub problems: Vec<String>,
}

/// What `audit rekey` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RekeyReport {
    /// Entries whose MAC was computed anew.
    pub entries: usize,
    pub chains: usize,
}

/// The audit reads outside a transaction (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait AuditStore {
    /// Every audit entry in chain and sequence order, and each chain's recorded head.
    async fn audit_log(&self) -> StoreResult<(Vec<AuditRecord>, Vec<(String, i64, String)>)>;
    /// Every checkpoint, in order.
    async fn audit_checkpoints(&self) -> StoreResult<Vec<AuditCheckpoint>>;
    /// The key entries are MACed with; `None` when none was configured (then nothing can be
    /// audited, so nothing audited happens).
    fn audit_key(&self) -> Option<AuditKey>;
}

/// The audit writes of one transaction (a supertrait of [`crate::Tx`]).
#[async_trait]
pub trait AuditTx: Send {
    /// Appends an entry to its chain, linked to the chain's previous entry and MACed under the
    /// store's audit key; fails (and so does the act) without a key.
    async fn append_audit(&mut self, entry: &AuditEntry, now: Timestamp) -> StoreResult<()>;
    /// The newest checkpoint's number and MAC, locked until commit.
    async fn lock_last_checkpoint(&mut self) -> StoreResult<Option<(i64, String)>>;
    /// The heads of the chains that moved since the checkpoints last recorded them.
    async fn heads_to_checkpoint(&mut self) -> StoreResult<Vec<ChainHead>>;
    async fn insert_checkpoint(&mut self, checkpoint: &AuditCheckpoint) -> StoreResult<()>;
    /// Every entry, in chain and sequence order, with the chains locked (for `rekey`).
    async fn lock_audit_log(&mut self) -> StoreResult<Vec<AuditRecord>>;
    /// Replaces an entry's link and MAC (for `rekey`).
    async fn rewrite_audit_entry(&mut self, id: i64, prev: &str, mac: &str) -> StoreResult<()>;
    async fn set_audit_head(&mut self, head: &ChainHead) -> StoreResult<()>;
}

/// Why nothing audited can happen without the key.
pub const NO_AUDIT_KEY: &str =
    "SIMRENEW_AUDIT_KEY(_FILE) is not set: the audit log cannot be written or checked";

fn no_key() -> AppError {
    AppError::Store(StoreError::Unavailable(NO_AUDIT_KEY.into()))
}

/// How an entry stands against its predecessor.
enum Mark {
    Keyed,
    Unkeyed,
    Altered,
}

fn mark(key: &AuditKey, r: &AuditRecord) -> Mark {
    let e = r.entry();
    if key.entry_mac(&r.prev_hash, r.seq, r.at, &e) == r.hash {
        Mark::Keyed
    } else if unkeyed_hash(&r.prev_hash, r.seq, r.at, &e) == r.hash {
        Mark::Unkeyed
    } else {
        Mark::Altered
    }
}

impl App {
    fn audit_key(&self) -> AppResult<AuditKey> {
        self.store.audit_key().ok_or_else(no_key)
    }

    /// Checks every chain of the audit log entry by entry (MAC, link to the previous entry,
    /// gapless numbers, the head at its end) and every checkpoint (its MAC, its link to the
    /// previous one, and that each chain it saw still exists with the same MAC at the number
    /// it saw).
    pub async fn verify_audit(&self) -> AppResult<AuditReport> {
        let key = self.audit_key()?;
        let (records, heads) = self.store.audit_log().await?;
        let checkpoints = self.store.audit_checkpoints().await?;
        let mut report = AuditReport {
            entries: records.len(),
            chains: heads.len(),
            checkpoints: checkpoints.len(),
            newest_checkpoint: checkpoints.last().cloned(),
            problems: vec![],
        };
        // (chain, seq) → MAC, to check the checkpoints against.
        let mut macs: HashMap<(&str, i64), &str> = HashMap::with_capacity(records.len());
        let mut lengths: HashMap<&str, i64> = HashMap::new();
        let mut i = 0;
        while i < records.len() {
            let chain = records[i].chain.as_str();
            let mut prev = GENESIS;
            let mut expected_seq = 1;
            let mut unkeyed = 0;
            let mut keyed_seen = false;
            while i < records.len() && records[i].chain == chain {
                let r = &records[i];
                if r.seq != expected_seq {
                    report.problems.push(format!(
                        "chain {chain}: entry {} is number {}, expected {expected_seq} (entries deleted)",
                        r.id, r.seq
                    ));
                }
                if r.prev_hash != prev {
                    report.problems.push(format!(
                        "chain {chain}: entry {} does not follow the previous entry",
                        r.id
                    ));
                }
                match mark(&key, r) {
                    Mark::Keyed => keyed_seen = true,
                    // Unkeyed entries may only come before the first keyed one.
                    Mark::Unkeyed if !keyed_seen => unkeyed += 1,
                    Mark::Unkeyed | Mark::Altered => report.problems.push(format!(
                        "chain {chain}: entry {} (number {}) was altered: its MAC does not match",
                        r.id, r.seq
                    )),
                }
                macs.insert((chain, r.seq), r.hash.as_str());
                prev = &r.hash;
                expected_seq = r.seq + 1;
                i += 1;
            }
            if unkeyed > 0 {
                report.problems.push(format!(
                    "chain {chain}: {unkeyed} entries were written before the log was keyed \
                     (their unkeyed hashes can be recomputed by anyone); check them and key \
                     them with `simrenew audit rekey`"
                ));
            }
            lengths.insert(chain, expected_seq - 1);
            match heads.iter().find(|(c, _, _)| c == chain) {
                Some((_, seq, hash)) if *seq == expected_seq - 1 && hash == prev => {}
                Some((_, seq, _)) => report.problems.push(format!(
                    "chain {chain}: ends at entry number {}, its head says {seq} (entries deleted)",
                    expected_seq - 1
                )),
                None => report
                    .problems
                    .push(format!("chain {chain}: has no recorded head")),
            }
        }
        for (chain, seq, _) in &heads {
            if *seq > 0 && !lengths.contains_key(chain.as_str()) {
                report.problems.push(format!(
                    "chain {chain}: its head says {seq} entries, none are left"
                ));
            }
        }

        let mut prev = GENESIS;
        for (n, cp) in checkpoints.iter().enumerate() {
            let expected = n as i64 + 1;
            if cp.seq != expected {
                report.problems.push(format!(
                    "checkpoint {}: expected number {expected} (checkpoints deleted)",
                    cp.seq
                ));
            }
            if cp.prev_mac != prev {
                report.problems.push(format!(
                    "checkpoint {}: does not follow the previous checkpoint",
                    cp.seq
                ));
            }
            if key.checkpoint_mac(cp.seq, cp.at, &cp.prev_mac, &cp.heads) != cp.mac {
                report.problems.push(format!(
                    "checkpoint {}: was altered: its MAC does not match",
                    cp.seq
                ));
            }
            prev = &cp.mac;
            for h in &cp.heads {
                let chain = h.chain.as_str();
                match (lengths.get(chain), macs.get(&(chain, h.seq))) {
                    (None, _) => report.problems.push(format!(
                        "chain {chain}: checkpoint {} saw {} entries, the chain is gone (chain dropped)",
                        cp.seq, h.seq
                    )),
                    (Some(len), None) => report.problems.push(format!(
                        "chain {chain}: checkpoint {} saw {} entries, {len} are left (entries deleted)",
                        cp.seq, h.seq
                    )),
                    (Some(_), Some(mac)) if *mac != h.mac => report.problems.push(format!(
                        "chain {chain}: entry number {} differs from what checkpoint {} saw (rewritten)",
                        h.seq, cp.seq
                    )),
                    _ => {}
                }
            }
        }
        Ok(report)
    }

    /// Records the heads of every chain that moved since the last checkpoint, MACed under the
    /// audit key and linked to the previous checkpoint. `serve` calls it on a schedule.
    pub async fn checkpoint_audit(&self) -> AppResult<AuditCheckpoint> {
        let key = self.audit_key()?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (seq, prev) = match tx.lock_last_checkpoint().await? {
            Some((seq, mac)) => (seq + 1, mac),
            None => (1, GENESIS.to_owned()),
        };
        let mut heads = tx.heads_to_checkpoint().await?;
        heads.sort_by(|a, b| a.chain.cmp(&b.chain));
        let at = now.as_second();
        let checkpoint = AuditCheckpoint {
            seq,
            at,
            mac: key.checkpoint_mac(seq, at, &prev, &heads),
            prev_mac: prev,
            heads,
        };
        tx.insert_checkpoint(&checkpoint).await?;
        tx.commit().await?;
        Ok(checkpoint)
    }

    /// Keys the entries written before the log was keyed: checks every chain first (links,
    /// numbers, and each entry's unkeyed hash or MAC) and refuses if anything is wrong, then
    /// computes every entry's MAC anew in chains that hold unkeyed entries, moves their heads,
    /// records the act in the `admin` chain and writes a checkpoint. Run it once, after
    /// upgrading, with the key `serve` will use; what it keys is as trustworthy as the unkeyed
    /// chain was at that moment.
    pub async fn rekey_audit(&self, actor: &str) -> AppResult<RekeyReport> {
        let key = self.audit_key()?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let records = tx.lock_audit_log().await?;
        let mut problems = vec![];
        let mut todo: Vec<&[AuditRecord]> = vec![];
        for chain in records.chunk_by(|a, b| a.chain == b.chain) {
            let name = &chain[0].chain;
            let mut prev = GENESIS;
            let mut unkeyed = false;
            for (n, r) in chain.iter().enumerate() {
                if r.seq != n as i64 + 1 || r.prev_hash != prev {
                    problems.push(format!("chain {name}: entry {} is out of place", r.id));
                }
                match mark(&key, r) {
                    Mark::Keyed => {}
                    Mark::Unkeyed => unkeyed = true,
                    Mark::Altered => {
                        problems.push(format!("chain {name}: entry {} was altered", r.id))
                    }
                }
                prev = &r.hash;
            }
            if unkeyed {
                todo.push(chain);
            }
        }
        if !problems.is_empty() {
            return Err(AppError::conflict(
                "audit",
                format!(
                    "the audit log is damaged, nothing was keyed: {}",
                    problems.join("; ")
                ),
            ));
        }
        let mut report = RekeyReport::default();
        for chain in todo {
            let mut prev = GENESIS.to_owned();
            for r in chain {
                let mac = key.entry_mac(&prev, r.seq, r.at, &r.entry());
                tx.rewrite_audit_entry(r.id, &prev, &mac).await?;
                prev = mac;
                report.entries += 1;
            }
            tx.set_audit_head(&ChainHead {
                chain: chain[0].chain.clone(),
                seq: chain.len() as i64,
                mac: prev,
            })
            .await?;
            report.chains += 1;
        }
        tx.append_audit(
            &AuditEntry {
                chain: "admin".into(),
                actor: actor.into(),
                action: "audit.rekey".into(),
                subject: "audit".into(),
                details: format!("entries={} chains={}", report.entries, report.chains),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.checkpoint_audit().await?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(details: &str) -> AuditEntry {
        AuditEntry {
            chain: "line:1".into(),
            actor: "staff:1".into(),
            action: "payment.refund".into(),
            subject: "order:2".into(),
            details: details.into(),
        }
    }

    #[test]
    fn the_mac_depends_on_the_key_and_on_every_field() {
        let k = AuditKey::new(&[7; 32]).unwrap();
        let other = AuditKey::new(&[8; 32]).unwrap();
        let e = entry("amount_cents=100");
        let mac = k.entry_mac(GENESIS, 1, 10, &e);
        assert_ne!(mac, other.entry_mac(GENESIS, 1, 10, &e));
        assert_ne!(mac, k.entry_mac(GENESIS, 2, 10, &e));
        assert_ne!(mac, k.entry_mac(GENESIS, 1, 11, &e));
        assert_ne!(mac, k.entry_mac(GENESIS, 1, 10, &entry("amount_cents=1")));
        let mut moved = e.clone();
        moved.chain = "line:2".into();
        assert_ne!(mac, k.entry_mac(GENESIS, 1, 10, &moved));
        // Text shifted from one field to the next reads differently.
        let mut a = e.clone();
        a.actor = "staff:1|payment".into();
        a.action = ".refund".into();
        let mut b = e;
        b.actor = "staff:1".into();
        b.action = "|payment.refund".into();
        assert_ne!(
            k.entry_mac(GENESIS, 1, 10, &a),
            k.entry_mac(GENESIS, 1, 10, &b)
        );
    }

    #[test]
    fn short_keys_are_refused_and_never_shown() {
        assert!(AuditKey::new(&[1; 31]).is_err());
        let k = AuditKey::new(b"a key that is at least thirty-two bytes").unwrap();
        assert_eq!(format!("{k:?}"), "AuditKey(***)");
    }
}
