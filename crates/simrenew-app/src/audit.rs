//! The audit log: the hash-chained record of every staff action and money movement, its port,
//! and the verification of its chains.
//!
//! Every capability records its acts here, inside the transaction of the act; this module
//! therefore imports none of them (it sits at the ground, like `clock` and `error`).

use async_trait::async_trait;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::{App, AppResult, StoreResult};

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

/// The hash of the chain before its first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of `prev|seq|at|actor|action|subject|details`, hex: the one definition of an
/// entry's hash, which the PostgreSQL store computes in SQL the same way.
pub fn audit_hash(prev: &str, seq: i64, at: i64, e: &AuditEntry) -> String {
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
    /// One line per problem: the chain, the entry and what is wrong with it.
    pub problems: Vec<String>,
}

/// The audit reads outside a transaction (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait AuditStore {
    /// Every audit entry in chain and sequence order, and each chain's recorded head.
    async fn audit_log(&self) -> StoreResult<(Vec<AuditRecord>, Vec<(String, i64, String)>)>;
}

/// The audit writes of one transaction (a supertrait of [`crate::Tx`]).
#[async_trait]
pub trait AuditTx: Send {
    /// Appends an entry to its chain, linked to the chain's previous entry.
    async fn append_audit(&mut self, entry: &AuditEntry, now: Timestamp) -> StoreResult<()>;
}

impl App {
    /// Checks every chain of the audit log: each entry's hash, its link to the previous one,
    /// gapless sequence numbers, and that the chain still ends where its head says.
    pub async fn verify_audit(&self) -> AppResult<AuditReport> {
        let (records, heads) = self.store.audit_log().await?;
        let mut report = AuditReport {
            entries: records.len(),
            chains: heads.len(),
            problems: vec![],
        };
        let mut i = 0;
        while i < records.len() {
            let chain = records[i].chain.clone();
            let mut prev = GENESIS.to_owned();
            let mut expected_seq = 1;
            while i < records.len() && records[i].chain == chain {
                let r = &records[i];
                let entry = AuditEntry {
                    chain: r.chain.clone(),
                    actor: r.actor.clone(),
                    action: r.action.clone(),
                    subject: r.subject.clone(),
                    details: r.details.clone(),
                };
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
                if audit_hash(&r.prev_hash, r.seq, r.at, &entry) != r.hash {
                    report
                        .problems
                        .push(format!("chain {chain}: entry {} was altered", r.id));
                }
                prev = r.hash.clone();
                expected_seq = r.seq + 1;
                i += 1;
            }
            match heads.iter().find(|(c, _, _)| *c == chain) {
                Some((_, seq, hash)) if *seq == expected_seq - 1 && *hash == prev => {}
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
            if !records.iter().any(|r| r.chain == *chain) {
                report.problems.push(format!(
                    "chain {chain}: its head says {seq} entries, none are left"
                ));
            }
        }
        Ok(report)
    }
}
