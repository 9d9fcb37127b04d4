//! Usage records: a batch kept and debited in one transaction, in a handful of statements
//! whatever its size (see `simrenew_app::network::usage`), with the notices of data used
//! (80 %, 100 % of a bundle) and the data top-ups (lines taken under their threshold) the
//! batch made due.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::network::usage::{
    UsageCommit, UsageOutcome, UsageRecord, UsageSource, UsageStore,
};
use simrenew_app::StoreResult;
use simrenew_domain::bundle::{data_left_bytes, debit, percent_used, Bundle, BYTES_PER_MB};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::reminder::thresholds_crossed;

use crate::codec::{self, get, placeholders, BUNDLE_COLUMNS};
use crate::error::map;
use crate::tx::SqlTx;
use crate::Db;

/// Rows per statement: well under both databases' limits on bound values.
const CHUNK: usize = 500;

/// `UPDATE table SET column = CASE id WHEN .. THEN .. END WHERE id IN (..)`, in chunks.
async fn set_by_id(
    tx: &mut SqlTx,
    table: &str,
    id: &str,
    column: &str,
    values: &[(i64, i64)],
) -> StoreResult<()> {
    for chunk in values.chunks(CHUNK) {
        let cases = (0..chunk.len())
            .map(|i| format!("WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(" ");
        let ids = (0..chunk.len())
            .map(|i| format!("${}", 2 * i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("UPDATE {table} SET {column} = CASE {id} {cases} END WHERE {id} IN ({ids})");
        let mut q = sqlx::query(&sql);
        for (key, value) in chunk {
            q = q.bind(*key);
            q = q.bind(*value);
        }
        q.execute(tx.conn()).await.map_err(map)?;
    }
    Ok(())
}

#[async_trait]
impl UsageStore for Db {
    async fn record_usage(
        &self,
        batch: &[UsageRecord],
        source: UsageSource,
        now: Timestamp,
    ) -> StoreResult<UsageCommit> {
        let mut outcomes: Vec<Option<UsageOutcome>> = vec![None; batch.len()];
        // A record twice in one batch counts once.
        let mut seen = HashSet::new();
        for (i, r) in batch.iter().enumerate() {
            if !seen.insert(r.record_id.as_str()) {
                outcomes[i] = Some(UsageOutcome::Repeat);
            }
        }
        let numbers: Vec<&str> = batch
            .iter()
            .map(|r| r.msisdn.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut tx = self.begin_sql().await?;

        // The lines, locked in id order as every writer locks a line first.
        let mut lines: HashMap<String, (i64, i64, Msisdn)> = HashMap::new();
        // The lines with a data top-up set and not due yet, with their threshold in bytes.
        let mut top_up_below: HashMap<i64, u64> = HashMap::new();
        for chunk in numbers.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, brand_id, msisdn, top_up_plan, top_up_below_mb, top_up_due_at \
                 FROM lines WHERE msisdn IN ({}) ORDER BY id{}",
                placeholders(1, chunk.len()),
                self.dialect.for_update()
            );
            let mut q = sqlx::query(&sql);
            for n in chunk {
                q = q.bind(*n);
            }
            for row in q.fetch_all(tx.conn()).await.map_err(map)? {
                let msisdn: String = get(&row, "msisdn")?;
                let parsed =
                    Msisdn::parse(&msisdn).map_err(|e| crate::error::corrupt("msisdn", e))?;
                let id: i64 = get(&row, "id")?;
                let plan: Option<String> = get(&row, "top_up_plan")?;
                let below: Option<i64> = get(&row, "top_up_below_mb")?;
                let due: Option<i64> = get(&row, "top_up_due_at")?;
                if let (Some(_), Some(below), None) = (plan, below, due) {
                    let mb = u64::try_from(below).unwrap_or(0);
                    top_up_below.insert(id, mb.saturating_mul(BYTES_PER_MB));
                }
                lines.insert(msisdn, (id, get(&row, "brand_id")?, parsed));
            }
        }
        let mut fresh = Vec::new();
        for (i, r) in batch.iter().enumerate() {
            if outcomes[i].is_some() {
                continue;
            }
            match lines.get(r.msisdn.as_str()) {
                Some(line) => fresh.push((i, line.0, line.1)),
                None => {
                    outcomes[i] = Some(UsageOutcome::Refused(format!(
                        "msisdn: no line {}",
                        r.msisdn
                    )))
                }
            }
        }

        // The records kept before: with their lines locked, no other transaction adds one of
        // the same line meanwhile.
        let mut kept_before: HashSet<String> = HashSet::new();
        for chunk in fresh.chunks(CHUNK) {
            let sql = format!(
                "SELECT record_id FROM usage_records WHERE record_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for (i, _, _) in chunk {
                q = q.bind(batch[*i].record_id.as_str());
            }
            kept_before.extend(q.fetch_all(tx.conn()).await.map_err(map)?);
        }
        let new: Vec<(usize, i64, i64)> = fresh
            .iter()
            .filter_map(|(i, line, brand)| {
                if kept_before.contains(&batch[*i].record_id) {
                    outcomes[*i] = Some(UsageOutcome::Repeat);
                    None
                } else {
                    Some((*i, *line, *brand))
                }
            })
            .collect();

        // The bundles of the lines used, in the span of the records.
        let line_ids: Vec<i64> = new
            .iter()
            .map(|(_, l, _)| *l)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let earliest = new
            .iter()
            .map(|(i, _, _)| batch[*i].start.as_second())
            .min()
            .unwrap_or(0);
        let mut bundles: HashMap<i64, Vec<Bundle>> = HashMap::new();
        for chunk in line_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT {BUNDLE_COLUMNS} FROM bundles WHERE line_id IN ({}) AND ends_at > $1 \
                 ORDER BY line_id, ends_at, id{}",
                placeholders(2, chunk.len()),
                self.dialect.for_update()
            );
            let mut q = sqlx::query(&sql).bind(earliest);
            for l in chunk {
                q = q.bind(*l);
            }
            for row in q.fetch_all(tx.conn()).await.map_err(map)? {
                let b = codec::bundle(&row)?;
                bundles.entry(b.line_id.0).or_default().push(b);
            }
        }
        let before: HashMap<i64, u64> = bundles
            .values()
            .flatten()
            .map(|b| (b.id.0, b.data_used_bytes))
            .collect();
        let mut uncovered: HashMap<usize, u64> = HashMap::new();
        for (i, line, _) in &new {
            let r = &batch[*i];
            let d = match bundles.get_mut(line) {
                Some(bs) => debit(bs, r.start, r.end, r.bytes),
                None => simrenew_domain::bundle::Debit {
                    uncovered: r.bytes,
                    ..Default::default()
                },
            };
            uncovered.insert(*i, d.uncovered);
            outcomes[*i] = Some(UsageOutcome::Counted {
                debited: d.taken.iter().map(|(_, n)| n).sum(),
                uncovered: d.uncovered,
            });
        }
        let mut moved = Vec::new();
        let mut lines_changed = HashSet::new();
        let brand_of: HashMap<i64, i64> =
            lines.values().map(|(id, brand, _)| (*id, *brand)).collect();
        let mut notices = Vec::new();
        for b in bundles.values().flatten() {
            let used_before = before.get(&b.id.0).copied().unwrap_or_default();
            if used_before == b.data_used_bytes {
                continue;
            }
            moved.push((b.id.0, i64::try_from(b.data_used_bytes).unwrap_or(i64::MAX)));
            lines_changed.insert(b.line_id.0);
            let was = Bundle {
                data_used_bytes: used_before,
                ..b.clone()
            };
            if let (Some(from), Some(to)) = (percent_used(&was), percent_used(b)) {
                let crossed = thresholds_crossed(from, to);
                for (i, percent) in crossed.iter().enumerate() {
                    // Passed at once with a higher one: recorded, and told no more.
                    let planned = (i + 1 < crossed.len()).then_some(now.as_second());
                    notices.push((b.id.0, b.line_id.0, *percent, b.ends_at, planned));
                }
            }
        }
        set_by_id(&mut tx, "bundles", "id", "data_used_bytes", &moved).await?;
        // A line this batch took from at or over its top-up threshold to under it is due for
        // its top-up, marked in this transaction: a batch counted once marks once.
        let mut top_ups_due = Vec::new();
        for (line, below) in &top_up_below {
            let Some(after) = bundles.get(line) else {
                continue;
            };
            let was: Vec<Bundle> = after
                .iter()
                .map(|b| Bundle {
                    data_used_bytes: before.get(&b.id.0).copied().unwrap_or_default(),
                    ..b.clone()
                })
                .collect();
            if let (Some(left_before), Some(left_after)) =
                (data_left_bytes(&was, now), data_left_bytes(after, now))
            {
                if left_before >= *below && left_after < *below {
                    top_ups_due.push(*line);
                }
            }
        }
        for chunk in top_ups_due.chunks(CHUNK) {
            let sql = format!(
                "UPDATE lines SET top_up_due_at = $1, top_up_attempts = 0, top_up_next_at = NULL \
                 WHERE top_up_due_at IS NULL AND id IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(now.as_second());
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(tx.conn()).await.map_err(map)?;
        }
        // The new records, with what no bundle took.
        let mut inserted = 0;
        for chunk in new.chunks(CHUNK) {
            let rows = (0..chunk.len())
                .map(|i| format!("({})", placeholders(9 * i + 1, 9)))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO usage_records (record_id, brand_id, line_id, started_at, ended_at, \
                 bytes, uncovered, source, received_at) VALUES {rows} \
                 ON CONFLICT (record_id) DO NOTHING"
            );
            let mut q = sqlx::query(&sql);
            for (i, line, brand) in chunk {
                let r = &batch[*i];
                let big = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
                q = q
                    .bind(r.record_id.as_str())
                    .bind(*brand)
                    .bind(*line)
                    .bind(r.start.as_second())
                    .bind(r.end.as_second())
                    .bind(big(r.bytes))
                    .bind(big(uncovered.get(i).copied().unwrap_or_default()))
                    .bind(source.as_str())
                    .bind(now.as_second());
            }
            inserted += q.execute(tx.conn()).await.map_err(map)?.rows_affected();
        }
        if inserted != new.len() as u64 {
            // The same record id came at once for another line: nothing of this batch counts.
            return Err(simrenew_app::StoreError::Unavailable(
                "a usage record id came twice at once; the batch is to be sent again".to_owned(),
            ));
        }
        for (bundle, line, percent, ends_at, planned) in notices {
            sqlx::query(
                "INSERT INTO data_notices (brand_id, line_id, bundle_id, percent, ends_at, \
                 created_at, planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (bundle_id, percent) DO NOTHING",
            )
            .bind(brand_of.get(&line).copied().unwrap_or_default())
            .bind(line)
            .bind(bundle)
            .bind(i64::from(percent))
            .bind(ends_at.as_second())
            .bind(now.as_second())
            .bind(planned)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        }
        tx.commit_sql().await?;
        Ok(UsageCommit {
            outcomes: outcomes
                .into_iter()
                .map(|o| o.unwrap_or(UsageOutcome::Repeat))
                .collect(),
            lines_changed: lines
                .into_values()
                .filter(|(id, _, _)| lines_changed.contains(id))
                .map(|(_, _, m)| m)
                .collect(),
        })
    }
}
