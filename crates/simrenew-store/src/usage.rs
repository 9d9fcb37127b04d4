//! Usage records: a batch kept and debited in one transaction, in a handful of statements
//! whatever its size (see `simrenew_app::network::usage`), with the notices of data used
//! (80 %, 100 % of a bundle) and the data top-ups (lines taken under their threshold) the
//! batch made due.
//!
//! Both databases run the same steps and share the rules ([`Batch`]): the lines locked, the
//! records kept before looked up, the bundles read and debited with the domain's
//! [`debit`], then the new records, the bundles, the top-ups and the notices written. On
//! PostgreSQL the statements take arrays and the new records go in by binary `COPY`, on a
//! connection of [`Db::copy_pool`] (sqlx's `Any` driver has no `COPY`); a batch there is
//! [`POSTGRES_BATCH`] records, copied first as if none was kept before, and looked up only
//! when the primary key finds one that was, and [`POSTGRES_LANES`] batches of different
//! lines may be counted side by side. SQLite, which has no `COPY`, binds lists of values.
//! Either way a batch's records are kept in a batch of their own (`usage_batches`: where
//! they came from and when), which keeps each record's row narrow.

// A batch hashes each of its records' ids and numbers a few times: foldhash's maps, seeded per
// process, do that several times faster than the standard SipHash.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::network::usage::{
    UsageCommit, UsageOutcome, UsageRecord, UsageSource, UsageStore, BATCH,
};
use simrenew_app::{StoreError, StoreResult};
use simrenew_domain::bundle::{data_left_bytes, debit, percent_used, Bundle, BYTES_PER_MB};
use simrenew_domain::catalog::DataAllowance;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{BundleId, LineId, OrderId};
use simrenew_domain::reminder::thresholds_crossed;
use sqlx::Row;

use crate::codec::{self, get, placeholders, BUNDLE_COLUMNS};
use crate::db::Dialect;
use crate::error::{corrupt, map};
use crate::tx::SqlTx;
use crate::Db;

/// Rows per statement on SQLite: well under its limit on bound values.
const CHUNK: usize = 500;

/// Records per transaction on PostgreSQL, at most: a `COPY` and a few statements on arrays,
/// the statements' cost the same for a batch of any size (they touch each line and bundle of
/// the batch once), the `COPY`'s by record. A file's lanes start with smaller batches, grow
/// to this and shrink again near the file's end. On 1,000,000 records over 1,004 lines,
/// batches of 80,000 spent 12 % of their time outside the `COPY`, against 23 % for batches
/// of 20,000; 160,000 and 250,000 were no faster again. The lines stay locked well under a
/// second.
pub const POSTGRES_BATCH: usize = 80_000;

/// Batches counted at once on PostgreSQL, by callers that have many (a file).
pub const POSTGRES_LANES: usize = 2;

/// A line a batch names.
struct LineRow {
    id: i64,
    brand_id: i64,
    msisdn: String,
    /// The data top-up threshold in bytes, when one is set and not due yet.
    top_up_below: Option<u64>,
}

impl LineRow {
    fn new(
        id: i64,
        brand_id: i64,
        msisdn: String,
        top_up_plan: Option<String>,
        below_mb: Option<i64>,
        due_at: Option<i64>,
    ) -> StoreResult<Self> {
        let top_up_below = match (top_up_plan, below_mb, due_at) {
            (Some(_), Some(below), None) => Some(
                u64::try_from(below)
                    .unwrap_or(0)
                    .saturating_mul(BYTES_PER_MB),
            ),
            _ => None,
        };
        Ok(LineRow {
            id,
            brand_id,
            msisdn,
            top_up_below,
        })
    }
}

/// A record to keep: its index in the batch, its line, and the bytes no bundle covered.
struct NewRecord {
    index: usize,
    line_id: i64,
    uncovered: u64,
}

/// A notice of data used that a batch made due.
struct Notice {
    bundle_id: i64,
    line_id: i64,
    brand_id: i64,
    percent: u8,
    ends_at: i64,
    /// Passed at once with a higher one: recorded as planned, and told no more.
    planned_at: Option<i64>,
}

/// What a batch writes, worked out from what it read.
#[derive(Default)]
struct Writes {
    records: Vec<NewRecord>,
    /// Bundles moved: id and data used after.
    bundles: Vec<(i64, i64)>,
    top_ups_due: Vec<i64>,
    notices: Vec<Notice>,
    lines_changed: HashSet<i64>,
}

/// One batch through the steps both databases share.
struct Batch<'a> {
    records: &'a [UsageRecord],
    outcomes: Vec<Option<UsageOutcome>>,
    lines: HashMap<String, LineRow>,
    /// The batch's numbers, each once, as the records carry them.
    numbers: HashMap<&'a str, &'a Msisdn>,
}

fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl<'a> Batch<'a> {
    /// A record twice in one batch counts once.
    fn new(records: &'a [UsageRecord]) -> Self {
        let mut outcomes = vec![None; records.len()];
        let mut seen = HashSet::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            if !seen.insert(r.record_id.as_str()) {
                outcomes[i] = Some(UsageOutcome::Repeat);
            }
        }
        let mut numbers = HashMap::new();
        for r in records {
            numbers.entry(r.msisdn.as_str()).or_insert(&r.msisdn);
        }
        Batch {
            records,
            outcomes,
            lines: HashMap::new(),
            numbers,
        }
    }

    /// The numbers the batch names, each once.
    fn numbers(&self) -> Vec<&'a str> {
        self.numbers.keys().copied().collect()
    }

    /// With the lines read: refuses the records of numbers no line has, and gives the indexes
    /// of the others still open.
    fn with_lines(&mut self, lines: Vec<LineRow>) -> Vec<usize> {
        self.lines = lines.into_iter().map(|l| (l.msisdn.clone(), l)).collect();
        let mut fresh = Vec::new();
        for (i, r) in self.records.iter().enumerate() {
            if self.outcomes[i].is_some() {
                continue;
            }
            if self.lines.contains_key(r.msisdn.as_str()) {
                fresh.push(i);
            } else {
                self.outcomes[i] = Some(UsageOutcome::Refused(format!(
                    "msisdn: no line {}",
                    r.msisdn
                )));
            }
        }
        fresh
    }

    /// With the records kept before among `fresh` known: the new ones, their lines (each
    /// once) and the earliest start among them.
    fn new_records(
        &mut self,
        fresh: &[usize],
        kept_before: &HashSet<String>,
    ) -> (Vec<usize>, Vec<i64>, i64) {
        let mut new = Vec::with_capacity(fresh.len());
        let mut lines = HashSet::new();
        let mut earliest = i64::MAX;
        for &i in fresh {
            let r = &self.records[i];
            if kept_before.contains(&r.record_id) {
                self.outcomes[i] = Some(UsageOutcome::Repeat);
                continue;
            }
            new.push(i);
            if let Some(line) = self.lines.get(r.msisdn.as_str()) {
                lines.insert(line.id);
            }
            earliest = earliest.min(r.start.as_second());
        }
        let earliest = if new.is_empty() { 0 } else { earliest };
        (new, lines.into_iter().collect(), earliest)
    }

    /// Debits the bundles (each line's in order of expiry, as read) record by record, in the
    /// batch's order, and works out what is to be written.
    fn debit(
        &mut self,
        new: &[usize],
        mut bundles: HashMap<i64, Vec<Bundle>>,
        now: Timestamp,
    ) -> Writes {
        let before: HashMap<i64, u64> = bundles
            .values()
            .flatten()
            .map(|b| (b.id.0, b.data_used_bytes))
            .collect();
        let mut writes = Writes {
            records: Vec::with_capacity(new.len()),
            ..Default::default()
        };
        for &i in new {
            let r = &self.records[i];
            let Some(line) = self.lines.get(r.msisdn.as_str()) else {
                continue;
            };
            let d = match bundles.get_mut(&line.id) {
                Some(bs) => debit(bs, r.start, r.end, r.bytes),
                None => simrenew_domain::bundle::Debit {
                    uncovered: r.bytes,
                    ..Default::default()
                },
            };
            writes.records.push(NewRecord {
                index: i,
                line_id: line.id,
                uncovered: d.uncovered,
            });
            self.outcomes[i] = Some(UsageOutcome::Counted {
                debited: d.taken.iter().map(|(_, n)| n).sum(),
                uncovered: d.uncovered,
            });
        }
        let brand_of: HashMap<i64, i64> = self.lines.values().map(|l| (l.id, l.brand_id)).collect();
        for b in bundles.values().flatten() {
            let used_before = before.get(&b.id.0).copied().unwrap_or_default();
            if used_before == b.data_used_bytes {
                continue;
            }
            writes.bundles.push((b.id.0, big(b.data_used_bytes)));
            writes.lines_changed.insert(b.line_id.0);
            let was = Bundle {
                data_used_bytes: used_before,
                ..b.clone()
            };
            if let (Some(from), Some(to)) = (percent_used(&was), percent_used(b)) {
                let crossed = thresholds_crossed(from, to);
                for (i, percent) in crossed.iter().enumerate() {
                    writes.notices.push(Notice {
                        bundle_id: b.id.0,
                        line_id: b.line_id.0,
                        brand_id: brand_of.get(&b.line_id.0).copied().unwrap_or_default(),
                        percent: *percent,
                        ends_at: b.ends_at.as_second(),
                        planned_at: (i + 1 < crossed.len()).then_some(now.as_second()),
                    });
                }
            }
        }
        // A line this batch took from at or over its top-up threshold to under it is due for
        // its top-up, marked in this transaction: a batch counted once marks once.
        for line in self.lines.values() {
            let (Some(below), Some(after)) = (line.top_up_below, bundles.get(&line.id)) else {
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
                if left_before >= below && left_after < below {
                    writes.top_ups_due.push(line.id);
                }
            }
        }
        writes
    }

    fn commit(self, writes: &Writes) -> UsageCommit {
        UsageCommit {
            outcomes: self
                .outcomes
                .into_iter()
                .map(|o| o.unwrap_or(UsageOutcome::Repeat))
                .collect(),
            lines_changed: self
                .lines
                .into_values()
                .filter(|l| writes.lines_changed.contains(&l.id))
                .filter_map(|l| self.numbers.get(l.msisdn.as_str()).map(|m| (*m).clone()))
                .collect(),
        }
    }
}

/// The same record id came at once for another line: nothing of this batch counts.
fn came_twice() -> StoreError {
    StoreError::Unavailable(
        "a usage record id came twice at once; the batch is to be sent again".to_owned(),
    )
}

#[async_trait]
impl UsageStore for Db {
    fn usage_batch(&self) -> usize {
        match self.dialect {
            Dialect::Postgres => POSTGRES_BATCH,
            Dialect::Sqlite => BATCH,
        }
    }

    /// PostgreSQL writes two batches of different lines side by side (each `COPY` keeps one
    /// backend busy, most of it on the records' primary key); SQLite has one writer.
    fn usage_lanes(&self) -> usize {
        match self.dialect {
            Dialect::Postgres => POSTGRES_LANES,
            Dialect::Sqlite => 1,
        }
    }

    async fn record_usage(
        &self,
        batch: &[UsageRecord],
        source: UsageSource,
        now: Timestamp,
    ) -> StoreResult<UsageCommit> {
        match self.dialect {
            Dialect::Postgres => self.record_usage_postgres(batch, source, now).await,
            Dialect::Sqlite => self.record_usage_sqlite(batch, source, now).await,
        }
    }
}

/// `UPDATE table SET column = CASE id WHEN .. THEN .. END WHERE id IN (..)`, in chunks.
async fn set_by_id(
    tx: &mut SqlTx,
    table: &str,
    id: &str,
    column: &str,
    values: &[(i64, i64)],
) -> StoreResult<()> {
    for chunk in values.chunks(CHUNK) {
        let (cases, ids) = codec::case_by_id(1, chunk.len());
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

impl Db {
    async fn record_usage_sqlite(
        &self,
        records: &[UsageRecord],
        source: UsageSource,
        now: Timestamp,
    ) -> StoreResult<UsageCommit> {
        let mut batch = Batch::new(records);
        let numbers = batch.numbers();
        let mut tx = self.begin_sql().await?;

        // The lines, locked in id order as every writer locks a line first.
        let mut lines = Vec::new();
        for chunk in numbers.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, brand_id, msisdn, top_up_plan, top_up_below_mb, top_up_due_at \
                 FROM lines WHERE msisdn IN ({}) AND number_released_at IS NULL ORDER BY id{}",
                placeholders(1, chunk.len()),
                self.dialect.for_update()
            );
            let mut q = sqlx::query(&sql);
            for n in chunk {
                q = q.bind(*n);
            }
            for row in q.fetch_all(tx.conn()).await.map_err(map)? {
                lines.push(LineRow::new(
                    get(&row, "id")?,
                    get(&row, "brand_id")?,
                    get::<String>(&row, "msisdn")?,
                    get(&row, "top_up_plan")?,
                    get(&row, "top_up_below_mb")?,
                    get(&row, "top_up_due_at")?,
                )?);
            }
        }
        let fresh = batch.with_lines(lines);

        // The records kept before: with their lines locked, no other transaction adds one of
        // the same line meanwhile.
        let mut kept_before: HashSet<String> = HashSet::new();
        for chunk in fresh.chunks(CHUNK) {
            let sql = format!(
                "SELECT record_id FROM usage_records WHERE record_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for i in chunk {
                q = q.bind(records[*i].record_id.as_str());
            }
            kept_before.extend(q.fetch_all(tx.conn()).await.map_err(map)?);
        }
        let (new, line_ids, earliest) = batch.new_records(&fresh, &kept_before);

        // The bundles of the lines used, in the span of the records: read, not locked, as
        // every writer of a bundle holds its line first.
        let mut bundles: HashMap<i64, Vec<Bundle>> = HashMap::new();
        for chunk in line_ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT {BUNDLE_COLUMNS} FROM bundles WHERE line_id IN ({}) AND ends_at > $1 \
                 ORDER BY line_id, ends_at, id",
                placeholders(2, chunk.len()),
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
        let writes = batch.debit(&new, bundles, now);

        set_by_id(&mut tx, "bundles", "id", "data_used_bytes", &writes.bundles).await?;
        for chunk in writes.top_ups_due.chunks(CHUNK) {
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
        // The new records, with what no bundle took, in their batch.
        let mut inserted = 0;
        if !writes.records.is_empty() {
            let batch_id: i64 = sqlx::query_scalar(
                "INSERT INTO usage_batches (source, received_at, records) VALUES ($1, $2, $3) \
                 RETURNING id",
            )
            .bind(source.as_str())
            .bind(now.as_second())
            .bind(writes.records.len() as i64)
            .fetch_one(tx.conn())
            .await
            .map_err(map)?;
            for chunk in writes.records.chunks(CHUNK) {
                let rows = (0..chunk.len())
                    .map(|i| format!("({})", placeholders(7 * i + 1, 7)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO usage_records (record_id, line_id, batch_id, started_at, \
                     ended_at, bytes, uncovered) VALUES {rows} ON CONFLICT (record_id) DO NOTHING"
                );
                let mut q = sqlx::query(&sql);
                for n in chunk {
                    let r = &records[n.index];
                    q = q
                        .bind(r.record_id.as_str())
                        .bind(n.line_id)
                        .bind(batch_id)
                        .bind(r.start.as_second())
                        .bind(r.end.as_second())
                        .bind(big(r.bytes))
                        .bind(big(n.uncovered));
                }
                inserted += q.execute(tx.conn()).await.map_err(map)?.rows_affected();
            }
        }
        if inserted != writes.records.len() as u64 {
            return Err(came_twice());
        }
        for n in &writes.notices {
            sqlx::query(
                "INSERT INTO data_notices (brand_id, line_id, bundle_id, percent, ends_at, \
                 created_at, planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (bundle_id, percent) DO NOTHING",
            )
            .bind(n.brand_id)
            .bind(n.line_id)
            .bind(n.bundle_id)
            .bind(i64::from(n.percent))
            .bind(n.ends_at)
            .bind(now.as_second())
            .bind(n.planned_at)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        }
        tx.commit_sql().await?;
        Ok(batch.commit(&writes))
    }

    /// The same steps as on SQLite, in the same few statements whatever the batch's size, the
    /// new records by `COPY`.
    async fn record_usage_postgres(
        &self,
        records: &[UsageRecord],
        source: UsageSource,
        now: Timestamp,
    ) -> StoreResult<UsageCommit> {
        let mut batch = Batch::new(records);
        let numbers = batch.numbers();
        let mut tx = self.copy_pool()?.begin().await.map_err(map)?;

        // The lines, locked in id order as every writer locks a line first.
        let rows = sqlx::query(
            "SELECT id, brand_id, msisdn, top_up_plan, top_up_below_mb, top_up_due_at \
             FROM lines WHERE msisdn = ANY($1) AND number_released_at IS NULL \
             ORDER BY id FOR UPDATE",
        )
        .bind(&numbers)
        .fetch_all(&mut *tx)
        .await
        .map_err(map)?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let col = |e: sqlx::Error| corrupt("line", e);
            lines.push(LineRow::new(
                row.try_get("id").map_err(col)?,
                row.try_get("brand_id").map_err(col)?,
                row.try_get("msisdn").map_err(col)?,
                row.try_get("top_up_plan").map_err(col)?,
                row.try_get("top_up_below_mb").map_err(col)?,
                row.try_get("top_up_due_at").map_err(col)?,
            )?);
        }
        let fresh = batch.with_lines(lines);

        // The bundles of the lines used, in the span of the records: read, not locked, as
        // every writer of a bundle holds its line first (a sale, a refund, an identification).
        let (_, line_ids, earliest) = batch.new_records(&fresh, &HashSet::new());
        let mut bundles: HashMap<i64, Vec<Bundle>> = HashMap::new();
        if !line_ids.is_empty() {
            let rows = sqlx::query(&format!(
                "SELECT {BUNDLE_COLUMNS} FROM bundles WHERE line_id = ANY($1) AND ends_at > $2 \
                 ORDER BY line_id, ends_at, id"
            ))
            .bind(&line_ids)
            .bind(earliest)
            .fetch_all(&mut *tx)
            .await
            .map_err(map)?;
            for row in rows {
                let b = bundle(&row)?;
                bundles.entry(b.line_id.0).or_default().push(b);
            }
        }

        // The records first, as if none was kept before (a new file, a new stream batch): the
        // primary key finds a repeat as it copies. When one is found, the records kept before
        // are looked up (with their lines locked, no other transaction adds one of the same
        // line meanwhile) and the batch debited and copied again without them. A record id
        // another transaction kept meanwhile for another line fails the second `COPY`, and the
        // batch with it.
        sqlx::query("SAVEPOINT usage_records")
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        let mut writes = batch.debit(&fresh, bundles.clone(), now);
        match copy_records(&mut tx, records, &writes.records, source, now).await {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => {
                sqlx::query("ROLLBACK TO SAVEPOINT usage_records")
                    .execute(&mut *tx)
                    .await
                    .map_err(map)?;
                let ids: Vec<&str> = fresh
                    .iter()
                    .map(|i| records[*i].record_id.as_str())
                    .collect();
                let kept_before: HashSet<String> = sqlx::query_scalar::<_, String>(
                    "SELECT record_id FROM usage_records WHERE record_id = ANY($1)",
                )
                .bind(&ids)
                .fetch_all(&mut *tx)
                .await
                .map_err(map)?
                .into_iter()
                .collect();
                let (new, _, _) = batch.new_records(&fresh, &kept_before);
                writes = batch.debit(&new, bundles, now);
                copy_records(&mut tx, records, &writes.records, source, now)
                    .await
                    .map_err(|e| match e {
                        StoreError::Conflict { .. } => came_twice(),
                        other => other,
                    })?;
            }
            Err(e) => return Err(e),
        }

        if !writes.bundles.is_empty() {
            let (ids, used): (Vec<i64>, Vec<i64>) = writes.bundles.iter().copied().unzip();
            sqlx::query(
                "UPDATE bundles SET data_used_bytes = moved.used \
                 FROM UNNEST($1::BIGINT[], $2::BIGINT[]) AS moved (id, used) \
                 WHERE bundles.id = moved.id",
            )
            .bind(&ids)
            .bind(&used)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        if !writes.top_ups_due.is_empty() {
            sqlx::query(
                "UPDATE lines SET top_up_due_at = $1, top_up_attempts = 0, top_up_next_at = NULL \
                 WHERE top_up_due_at IS NULL AND id = ANY($2)",
            )
            .bind(now.as_second())
            .bind(&writes.top_ups_due)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        if !writes.notices.is_empty() {
            let mut cols: [Vec<i64>; 5] = Default::default();
            let mut planned: Vec<Option<i64>> = Vec::with_capacity(writes.notices.len());
            for n in &writes.notices {
                cols[0].push(n.brand_id);
                cols[1].push(n.line_id);
                cols[2].push(n.bundle_id);
                cols[3].push(i64::from(n.percent));
                cols[4].push(n.ends_at);
                planned.push(n.planned_at);
            }
            sqlx::query(
                "INSERT INTO data_notices (brand_id, line_id, bundle_id, percent, ends_at, \
                 created_at, planned_at) \
                 SELECT n.brand_id, n.line_id, n.bundle_id, n.percent, n.ends_at, $6, n.planned_at \
                 FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], \
                 $5::BIGINT[], $7::BIGINT[]) \
                 AS n (brand_id, line_id, bundle_id, percent, ends_at, planned_at) \
                 ON CONFLICT (bundle_id, percent) DO NOTHING",
            )
            .bind(&cols[0])
            .bind(&cols[1])
            .bind(&cols[2])
            .bind(&cols[3])
            .bind(&cols[4])
            .bind(now.as_second())
            .bind(&planned)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        tx.commit().await.map_err(map)?;
        Ok(batch.commit(&writes))
    }
}

/// `COPY`s `records` (the new ones of `batch`) into `usage_records` in a new batch, with what
/// no bundle took: `Conflict` when one of them was kept before.
async fn copy_records(
    conn: &mut sqlx::PgConnection,
    batch: &[UsageRecord],
    records: &[NewRecord],
    source: UsageSource,
    now: Timestamp,
) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let batch_id: i64 = sqlx::query_scalar(
        "INSERT INTO usage_batches (source, received_at, records) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(source.as_str())
    .bind(now.as_second())
    .bind(records.len() as i64)
    .fetch_one(&mut *conn)
    .await
    .map_err(map)?;
    let mut copy = conn
        .copy_in_raw(
            "COPY usage_records (record_id, line_id, batch_id, started_at, ended_at, bytes, \
             uncovered) FROM STDIN (FORMAT binary)",
        )
        .await
        .map_err(map)?;
    let mut rows = Vec::with_capacity(COPY_BUFFER + 256);
    rows.extend_from_slice(COPY_HEADER);
    for n in records {
        let r = &batch[n.index];
        let id = r.record_id.as_bytes();
        rows.extend_from_slice(&COPY_FIELDS.to_be_bytes());
        rows.extend_from_slice(&(id.len() as i32).to_be_bytes());
        rows.extend_from_slice(id);
        let values = [
            n.line_id,
            batch_id,
            r.start.as_second(),
            r.end.as_second(),
            big(r.bytes),
            big(n.uncovered),
        ];
        for value in values {
            rows.extend_from_slice(&8i32.to_be_bytes());
            rows.extend_from_slice(&value.to_be_bytes());
        }
        if rows.len() >= COPY_BUFFER {
            let full = std::mem::replace(&mut rows, Vec::with_capacity(COPY_BUFFER + 256));
            if let Err(e) = copy.send(full).await {
                // The server refused a row already (a record kept before): it says which.
                return match copy.abort("refused").await {
                    Err(refused) => Err(map(refused)),
                    Ok(()) => Err(map(e)),
                };
            }
        }
    }
    rows.extend_from_slice(&(-1i16).to_be_bytes());
    copy.send(rows).await.map_err(map)?;
    let copied = copy.finish().await.map_err(map)?;
    if copied == records.len() as u64 {
        Ok(())
    } else {
        Err(came_twice())
    }
}

/// Bytes of `COPY` rows sent at a time.
const COPY_BUFFER: usize = 1 << 20;

/// The start of `COPY`'s binary format: its signature, no flags, no header extension. Each row
/// follows as its number of fields, then each field's length and bytes (a `BIGINT` as 8 bytes,
/// big-endian); a field count of -1 ends the data. Numbers need no text and ids no escaping.
const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Fields of a `usage_records` row as copied.
const COPY_FIELDS: i16 = 7;

/// [`codec::bundle`] from a row of the `COPY` connection.
fn bundle(row: &sqlx::postgres::PgRow) -> StoreResult<Bundle> {
    let col = |name: &'static str| move |e: sqlx::Error| corrupt(name, e);
    let data = match row
        .try_get::<Option<i64>, _>("data_mb")
        .map_err(col("data_mb"))?
    {
        Some(mb) => DataAllowance::Megabytes(u64::try_from(mb).map_err(|e| corrupt("data_mb", e))?),
        None => DataAllowance::Unlimited,
    };
    Ok(Bundle {
        id: BundleId(row.try_get("id").map_err(col("id"))?),
        line_id: LineId(row.try_get("line_id").map_err(col("line_id"))?),
        order_id: row
            .try_get::<Option<i64>, _>("order_id")
            .map_err(col("order_id"))?
            .map(OrderId),
        plan_code: row.try_get("plan_code").map_err(col("plan_code"))?,
        data,
        data_used_bytes: u64::try_from(
            row.try_get::<i64, _>("data_used_bytes")
                .map_err(col("data_used_bytes"))?,
        )
        .map_err(|e| corrupt("data_used_bytes", e))?,
        starts_at: codec::ts(row.try_get("starts_at").map_err(col("starts_at"))?)?,
        ends_at: codec::ts(row.try_get("ends_at").map_err(col("ends_at"))?)?,
    })
}
