//! Notices of price changes. A worker pass takes each catalog version not noticed yet, finds
//! the lines renewing automatically a plan whose price it raises (against the version in force
//! just before it comes into force), and records for each a price notice with its messages, and
//! the version noticed, in one transaction: a notice is planned once however many workers run
//! and whenever one dies. The messages are reminders ([`PRICE_NOTICE_STEP`], expiry the new
//! price's first day); sending them starts the line's 30 days (`simrenew_domain::price_notice`),
//! and until the rise binds, `sales::renewal` prices the line's automatic renewals at the price
//! it had. A price that falls needs no notice.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{BrandId, CatalogVersionId, LineId, SubscriberId};
use simrenew_domain::price_notice::PriceNotice;
use simrenew_domain::reminder::PRICE_NOTICE_STEP;

use crate::notifications::{MessageChannel, NewReminder, ReminderState};
use crate::{App, AppResult, StoreResult};

/// A catalog version whose rises are not recorded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionToNotice {
    pub id: CatalogVersionId,
    pub brand: BrandId,
    pub effective_from: Timestamp,
    /// The version in force just before it comes into force (published before it).
    pub previous: Option<CatalogVersionId>,
}

/// A plan's price rising for a line that renews it automatically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRise {
    pub line: LineId,
    pub subscriber: Option<SubscriberId>,
    pub has_email: bool,
    pub plan_code: String,
    pub old_price_cents: i64,
    pub new_price_cents: i64,
}

/// A line's notice of a price rise, as its subscriber and its brand's staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePriceNotice {
    pub plan_code: String,
    /// The number of the catalog version that raises the price.
    pub version: u32,
    /// The prices, when the new one comes into force and when the first message went out.
    pub notice: PriceNotice,
    pub recorded_at: Timestamp,
    /// The notice's messages: the record of how and when it was given.
    pub messages: Vec<NoticeMessage>,
}

/// One message of a price notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeMessage {
    /// The reminder's id: the message's reference in the reminders an admin lists.
    pub id: i64,
    pub channel: MessageChannel,
    pub state: ReminderState,
    pub sent_at: Option<Timestamp>,
}

/// The notices' reads and writes (a supertrait of [`crate::Store`]); each call is one
/// transaction.
#[async_trait]
pub trait PriceNoticeStore {
    async fn versions_to_notice(&self, limit: u32) -> StoreResult<Vec<VersionToNotice>>;
    /// The lines of the version's brand renewing automatically a plan whose price in it is
    /// higher than in `previous`.
    async fn price_rises(&self, version: &VersionToNotice) -> StoreResult<Vec<PriceRise>>;
    /// Records the notices and their messages and marks the version noticed, in one
    /// transaction; how many notices were new.
    async fn record_price_notices(
        &self,
        version: &VersionToNotice,
        rises: &[PriceRise],
        messages: &[NewReminder],
        now: Timestamp,
    ) -> StoreResult<u32>;
    /// The line's price notices, the latest version first, with their messages.
    async fn line_price_notices(&self, line: LineId) -> StoreResult<Vec<LinePriceNotice>>;
}

/// What a pass of notices did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriceNoticeReport {
    pub versions: u32,
    pub notices: u32,
}

impl App {
    /// The price notices of the line with this number, the latest first; "not found" when
    /// there is no such line. The caller has checked who may see them.
    pub async fn price_notices_of(&self, msisdn: &Msisdn) -> AppResult<Vec<LinePriceNotice>> {
        let line = self.line(msisdn).await?;
        Ok(self.store.line_price_notices(line.line.id).await?)
    }

    /// Records the notices of the versions published since the last pass.
    pub async fn run_price_notices(&self) -> AppResult<PriceNoticeReport> {
        let now = self.now();
        let mut report = PriceNoticeReport::default();
        let texts = self.message_texts.is_some();
        let versions = self.store.versions_to_notice(20).await?;
        if versions.is_empty() {
            return Ok(report);
        }
        let brands = self.store.brands().await?;
        for version in versions {
            let rises = self.store.price_rises(&version).await?;
            let brand = brands.iter().find(|b| b.id == version.brand);
            let mut messages = Vec::new();
            if let (Some(brand), true) = (brand, texts) {
                for r in &rises {
                    let Some(subscriber) = r.subscriber else {
                        continue;
                    };
                    messages.extend(self.reminder_rows(
                        brand,
                        r.line,
                        subscriber,
                        r.has_email,
                        version.effective_from,
                        PRICE_NOTICE_STEP,
                        now,
                    ));
                }
            }
            report.notices += self
                .store
                .record_price_notices(&version, &rises, &messages, now)
                .await?;
            report.versions += 1;
        }
        Ok(report)
    }
}
