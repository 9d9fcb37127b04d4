//! New eSIM lines: the brands' pools of numbers and profiles, a sale's writes, the profile's
//! order as read, and the install progress the SM-DP+ reports (migration 0074).

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_app::esims::ports::{
    EsimProfile, EsimStore, EsimTx, InstallRecorded, InstallReport, PoolAdded, PoolCard,
    PoolCounts, PoolEntries,
};
use simrenew_app::identity::identification::Person;
use simrenew_app::StoreResult;
use simrenew_domain::esim::{InstallState, ProfileOrderState};
use simrenew_domain::identifiers::{ActivationCode, Eid, Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, OrderId, SubscriberId};

use crate::codec::{get, ts};
use crate::error::{corrupt, map};
use crate::tx::{Holding, SqlTx};
use crate::{Db, Dialect};

fn skip_locked(dialect: Dialect) -> &'static str {
    dialect.skip_locked()
}

#[async_trait]
impl EsimStore for Db {
    async fn esim_profile(&self, msisdn: &Msisdn) -> StoreResult<Option<EsimProfile>> {
        let row = sqlx::query(
            "SELECT e.line_id, e.brand_id, e.order_id, e.iccid, COALESCE(l.eid, e.eid) AS eid, \
             e.state, l.activation_code, e.install_state, e.install_detail, e.updated_at, \
             l.msisdn FROM esim_orders e JOIN lines l ON l.id = e.line_id WHERE l.msisdn = $1 \
             AND l.number_released_at IS NULL",
        )
        .bind(msisdn.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(map)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let eid: Option<String> = get(&row, "eid")?;
        let code: Option<String> = get(&row, "activation_code")?;
        let install: Option<String> = get(&row, "install_state")?;
        Ok(Some(EsimProfile {
            line: LineId(get(&row, "line_id")?),
            brand: BrandId(get(&row, "brand_id")?),
            msisdn: Msisdn::parse(&get::<String>(&row, "msisdn")?)
                .map_err(|e| corrupt("msisdn", e))?,
            order: OrderId(get(&row, "order_id")?),
            iccid: Iccid::parse(&get::<String>(&row, "iccid")?).map_err(|e| corrupt("iccid", e))?,
            eid: eid
                .map(|e| Eid::parse(&e).map_err(|e| corrupt("eid", e)))
                .transpose()?,
            state: ProfileOrderState::parse(&get::<String>(&row, "state")?)
                .map_err(|e| corrupt("esim_orders.state", e))?,
            activation_code: code
                .map(|c| ActivationCode::parse(&c).map_err(|e| corrupt("activation_code", e)))
                .transpose()?,
            install: install
                .map(|i| InstallState::parse(&i).map_err(|e| corrupt("install_state", e)))
                .transpose()?,
            install_detail: get(&row, "install_detail")?,
            updated_at: ts(get(&row, "updated_at")?)?,
        }))
    }

    async fn record_install(
        &self,
        report: &InstallReport,
        now: Timestamp,
    ) -> StoreResult<InstallRecorded> {
        let mut tx = self.begin_sql().await?;
        let lock = self.dialect.for_update();
        let row = sqlx::query(&format!(
            "SELECT line_id, (SELECT msisdn FROM lines WHERE id = line_id) AS msisdn \
             FROM esim_orders WHERE iccid = $1{lock}"
        ))
        .bind(report.iccid.as_str())
        .fetch_optional(tx.conn())
        .await
        .map_err(map)?;
        let Some(row) = row else {
            return Ok(InstallRecorded::UnknownProfile);
        };
        let line: i64 = get(&row, "line_id")?;
        let msisdn = Msisdn::parse(&get::<String>(&row, "msisdn")?)
            .map_err(|e| corrupt("lines.msisdn", e))?;
        let progress = report.state.map_or("unknown", |s| s.as_str());
        let kept = sqlx::query(
            "INSERT INTO esim_notifications (iccid, point, at, progress, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(report.iccid.as_str())
        .bind(i64::from(report.point))
        .bind(report.at.as_second())
        .bind(progress)
        .bind(now.as_second())
        .execute(tx.conn())
        .await
        .map_err(map)?
        .rows_affected();
        if kept == 0 {
            return Ok(InstallRecorded::Repeated);
        }
        if let Some(state) = report.state {
            // The newest notification wins, by its time and then its point: one that arrives
            // late changes the history, not the state.
            sqlx::query(
                "UPDATE esim_orders SET install_state = $1, install_detail = $2, \
                 install_at = $3, install_point = $4, updated_at = $5 WHERE line_id = $6 \
                 AND (install_at IS NULL OR install_at < $3 \
                      OR (install_at = $3 AND install_point <= $4))",
            )
            .bind(state.as_str())
            .bind(report.detail.as_deref())
            .bind(report.at.as_second())
            .bind(i64::from(report.point))
            .bind(now.as_second())
            .bind(line)
            .execute(tx.conn())
            .await
            .map_err(map)?;
        }
        if let Some(eid) = &report.eid {
            sqlx::query("UPDATE lines SET eid = $1 WHERE id = $2 AND eid IS NULL")
                .bind(eid.as_str())
                .bind(line)
                .execute(tx.conn())
                .await
                .map_err(map)?;
        }
        tx.commit_sql().await?;
        Ok(InstallRecorded::Recorded(msisdn))
    }

    async fn sim_cards_in_stock(&self, brand: BrandId, limit: u32) -> StoreResult<Vec<Iccid>> {
        let iccids: Vec<String> = sqlx::query_scalar(
            "SELECT iccid FROM sim_cards WHERE brand_id = $1 AND line_id IS NULL \
             ORDER BY iccid LIMIT $2",
        )
        .bind(brand.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map)?;
        iccids
            .iter()
            .map(|i| Iccid::parse(i).map_err(|e| corrupt("sim_cards.iccid", e)))
            .collect()
    }

    async fn pool_counts(&self, brand: BrandId) -> StoreResult<PoolCounts> {
        let count = |table: &str| {
            format!("SELECT COUNT(*) FROM {table} WHERE brand_id = $1 AND line_id IS NULL")
        };
        let numbers: i64 = sqlx::query_scalar(&count("number_pool"))
            .bind(brand.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map)?;
        let profiles: i64 = sqlx::query_scalar(&count("esim_profiles"))
            .bind(brand.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map)?;
        let sim_cards: i64 = sqlx::query_scalar(&count("sim_cards"))
            .bind(brand.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map)?;
        Ok(PoolCounts {
            numbers_free: u64::try_from(numbers).unwrap_or(0),
            profiles_free: u64::try_from(profiles).unwrap_or(0),
            sim_cards_free: u64::try_from(sim_cards).unwrap_or(0),
        })
    }

    async fn add_to_pools(
        &self,
        brand: BrandId,
        entries: PoolEntries<'_>,
        now: Timestamp,
    ) -> StoreResult<PoolAdded> {
        let mut tx = self.begin_sql().await?;
        let mut added = PoolAdded::default();
        let numbers: Vec<&str> = entries.numbers.iter().map(Msisdn::as_str).collect();
        let profiles: Vec<&str> = entries.profiles.iter().map(Iccid::as_str).collect();
        let sim_cards: Vec<&str> = entries.sim_cards.iter().map(Iccid::as_str).collect();
        for (table, column, key, entries) in [
            ("number_pool", "msisdn", Holding::Number, &numbers),
            ("esim_profiles", "iccid", Holding::Card, &profiles),
            ("sim_cards", "iccid", Holding::Card, &sim_cards),
        ] {
            for chunk in entries.chunks(500) {
                let taken: std::collections::HashSet<String> =
                    tx.held_by_lines(key, chunk).await?.into_iter().collect();
                for entry in chunk {
                    if taken.contains(*entry) {
                        added
                            .refused
                            .push(((*entry).to_owned(), "already a line's".to_owned()));
                        continue;
                    }
                    // One card is an eSIM profile or a SIM card, not both.
                    let other = match table {
                        "esim_profiles" => Some("sim_cards"),
                        "sim_cards" => Some("esim_profiles"),
                        _ => None,
                    };
                    if let Some(other) = other {
                        let there: Option<i64> =
                            sqlx::query_scalar(&format!("SELECT 1 FROM {other} WHERE iccid = $1"))
                                .bind(*entry)
                                .fetch_optional(tx.conn())
                                .await
                                .map_err(map)?;
                        if there.is_some() {
                            added
                                .refused
                                .push(((*entry).to_owned(), "already in a pool".to_owned()));
                            continue;
                        }
                    }
                    let n = sqlx::query(&format!(
                        "INSERT INTO {table} ({column}, brand_id, added_at) VALUES ($1, $2, $3) \
                         ON CONFLICT DO NOTHING"
                    ))
                    .bind(*entry)
                    .bind(brand.0)
                    .bind(now.as_second())
                    .execute(tx.conn())
                    .await
                    .map_err(map)?
                    .rows_affected();
                    match (n, table) {
                        (0, _) => added
                            .refused
                            .push(((*entry).to_owned(), "already in a pool".to_owned())),
                        (_, "number_pool") => added.numbers += 1,
                        (_, "sim_cards") => added.sim_cards += 1,
                        _ => added.profiles += 1,
                    }
                }
            }
        }
        tx.commit_sql().await?;
        Ok(added)
    }
}

#[async_trait]
impl EsimTx for SqlTx {
    async fn free_number(&mut self, brand: BrandId) -> StoreResult<Option<Msisdn>> {
        let lock = skip_locked(self.dialect);
        let m: Option<String> = sqlx::query_scalar(&format!(
            "SELECT msisdn FROM number_pool WHERE brand_id = $1 AND line_id IS NULL \
             ORDER BY msisdn LIMIT 1{lock}"
        ))
        .bind(brand.0)
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        m.map(|m| Msisdn::parse(&m).map_err(|e| corrupt("number_pool.msisdn", e)))
            .transpose()
    }

    async fn free_profile(&mut self, brand: BrandId) -> StoreResult<Option<Iccid>> {
        let lock = skip_locked(self.dialect);
        let i: Option<String> = sqlx::query_scalar(&format!(
            "SELECT iccid FROM esim_profiles WHERE brand_id = $1 AND line_id IS NULL \
             ORDER BY iccid LIMIT 1{lock}"
        ))
        .bind(brand.0)
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        i.map(|i| Iccid::parse(&i).map_err(|e| corrupt("esim_profiles.iccid", e)))
            .transpose()
    }

    async fn reserve_sim_card(
        &mut self,
        brand: BrandId,
        iccid: &Iccid,
        now: Timestamp,
    ) -> StoreResult<bool> {
        // A sale at the same time waits for this row; once this one commits the card has its
        // line, and the other finds none free.
        let n = sqlx::query(
            "UPDATE sim_cards SET taken_at = $1 \
             WHERE iccid = $2 AND brand_id = $3 AND line_id IS NULL",
        )
        .bind(now.as_second())
        .bind(iccid.as_str())
        .bind(brand.0)
        .execute(self.conn())
        .await
        .map_err(map)?
        .rows_affected();
        Ok(n == 1)
    }

    async fn take_from_pools(
        &mut self,
        msisdn: &Msisdn,
        card: PoolCard<'_>,
        line: LineId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let card = match card {
            PoolCard::EsimProfile(iccid) => ("esim_profiles", "iccid", iccid.as_str()),
            PoolCard::SimCard(iccid) => ("sim_cards", "iccid", iccid.as_str()),
        };
        for (table, column, value) in [("number_pool", "msisdn", msisdn.as_str()), card] {
            let n = sqlx::query(&format!(
                "UPDATE {table} SET line_id = $1, taken_at = $2 WHERE {column} = $3 \
                 AND line_id IS NULL"
            ))
            .bind(line.0)
            .bind(now.as_second())
            .bind(value)
            .execute(self.conn())
            .await
            .map_err(map)?
            .rows_affected();
            if n != 1 {
                return Err(simrenew_app::StoreError::Conflict {
                    constraint: format!("{table}_free"),
                });
            }
        }
        Ok(())
    }

    async fn identification_on_record(
        &mut self,
        subscriber: SubscriberId,
    ) -> StoreResult<
        Option<(
            simrenew_domain::identification::IdentificationMethod,
            String,
            LineId,
        )>,
    > {
        let row = sqlx::query(
            "SELECT method, document_hash, line_id FROM identifications \
             WHERE subscriber_id = $1 ORDER BY verified_at DESC, id DESC LIMIT 1",
        )
        .bind(subscriber.0)
        .fetch_optional(self.conn())
        .await
        .map_err(map)?;
        row.map(|r| {
            Ok((
                simrenew_domain::identification::IdentificationMethod::parse(&get::<String>(
                    &r, "method",
                )?)
                .map_err(|e| corrupt("identifications.method", e))?,
                get(&r, "document_hash")?,
                LineId(get(&r, "line_id")?),
            ))
        })
        .transpose()
    }

    async fn insert_subscriber(
        &mut self,
        brand: BrandId,
        person: &Person,
        now: Timestamp,
    ) -> StoreResult<SubscriberId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO subscribers (brand_id, name, email, language, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(brand.0)
        .bind(&person.name)
        .bind(person.email.as_deref())
        .bind(&person.language)
        .bind(now.as_second())
        .fetch_one(self.conn())
        .await
        .map_err(map)?;
        Ok(SubscriberId(id))
    }

    async fn insert_profile_order(
        &mut self,
        line: LineId,
        brand: BrandId,
        order: OrderId,
        iccid: &Iccid,
        eid: Option<&Eid>,
        matching_id: &str,
        identified: bool,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO esim_orders (line_id, brand_id, order_id, iccid, eid, matching_id, \
             state, identified, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(line.0)
        .bind(brand.0)
        .bind(order.0)
        .bind(iccid.as_str())
        .bind(eid.map(Eid::as_str))
        .bind(matching_id)
        .bind(ProfileOrderState::AwaitingPayment.as_str())
        .bind(identified)
        .bind(now.as_second())
        .execute(self.conn())
        .await
        .map_err(map)?;
        Ok(())
    }
}
