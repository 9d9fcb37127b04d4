//! The ports of new eSIM lines: the brand's pools, the profile's order at the SM-DP+ and the
//! install progress it reports.

use async_trait::async_trait;
use jiff::Timestamp;
use simrenew_domain::esim::{EsimStage, InstallState, ProfileOrderState};
use simrenew_domain::identifiers::{ActivationCode, Eid, Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, LineId, OrderId, SubscriberId};

use crate::identity::identification::Person;
use crate::StoreResult;

/// A new eSIM's profile as the platform keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsimProfile {
    pub line: LineId,
    pub brand: BrandId,
    pub msisdn: Msisdn,
    /// The order that sold the line.
    pub order: OrderId,
    pub iccid: Iccid,
    /// The phone's eUICC: given at the sale, or reported by the SM-DP+ once installed.
    pub eid: Option<Eid>,
    pub state: ProfileOrderState,
    /// Known once the SM-DP+ confirmed the order.
    pub activation_code: Option<ActivationCode>,
    pub install: Option<InstallState>,
    /// Why the install failed, as the SM-DP+ said it.
    pub install_detail: Option<String>,
    pub updated_at: Timestamp,
}

impl EsimProfile {
    /// Where it stands, in a person's words.
    pub fn stage(&self) -> EsimStage {
        EsimStage::of(self.state, self.install)
    }

    /// The activation code, once it may be shown (released, not cancelled).
    pub fn downloadable_code(&self) -> Option<&ActivationCode> {
        self.activation_code
            .as_ref()
            .filter(|_| self.stage().shows_activation_code())
    }
}

/// One handleDownloadProgressInfo notification, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallReport {
    pub iccid: Iccid,
    pub eid: Option<Eid>,
    /// The notification point's number.
    pub point: u32,
    /// When the SM-DP+ says it happened.
    pub at: Timestamp,
    /// `None` for a point that changes nothing.
    pub state: Option<InstallState>,
    pub detail: Option<String>,
}

/// What became of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallRecorded {
    /// Kept; the line's install state is the newest notification's. The line's number.
    Recorded(Msisdn),
    /// The same notification came before: nothing changed.
    Repeated,
    /// No eSIM sold here has this ICCID.
    UnknownProfile,
}

/// How many entries of a brand's pools are free.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolCounts {
    pub numbers_free: u64,
    pub profiles_free: u64,
    /// Physical SIM cards in stock, not sold yet.
    pub sim_cards_free: u64,
}

/// The card a new line takes from a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolCard<'a> {
    EsimProfile(&'a Iccid),
    SimCard(&'a Iccid),
}

/// What to add to a brand's pools.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolEntries<'a> {
    pub numbers: &'a [Msisdn],
    /// eSIM profiles, by the ICCIDs the SM-DP+ prepared.
    pub profiles: &'a [Iccid],
    /// Physical SIM cards in the brand's stock, by the ICCIDs printed on them.
    pub sim_cards: &'a [Iccid],
}

/// What an addition to the pools did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolAdded {
    pub numbers: u64,
    pub profiles: u64,
    pub sim_cards: u64,
    /// Entries left out, with the reason (already in a pool, already a line).
    pub refused: Vec<(String, String)>,
}

/// The reads and single writes of new eSIMs (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait EsimStore {
    async fn esim_profile(&self, msisdn: &Msisdn) -> StoreResult<Option<EsimProfile>>;
    /// Keeps a notification once by `(iccid, point, at)` and moves the profile's install state
    /// to the newest notification's, in one transaction.
    async fn record_install(
        &self,
        report: &InstallReport,
        now: Timestamp,
    ) -> StoreResult<InstallRecorded>;
    async fn pool_counts(&self, brand: BrandId) -> StoreResult<PoolCounts>;
    /// Up to `limit` of the brand's SIM cards in stock, not sold, by ICCID.
    async fn sim_cards_in_stock(&self, brand: BrandId, limit: u32) -> StoreResult<Vec<Iccid>>;
    /// Adds numbers, eSIM profiles and SIM cards to a brand's pools, in one transaction; an
    /// entry already in a pool or on a line is refused with the reason and the rest added.
    async fn add_to_pools(
        &self,
        brand: BrandId,
        entries: PoolEntries<'_>,
        now: Timestamp,
    ) -> StoreResult<PoolAdded>;
}

/// The writes of a sale, inside its transaction.
#[async_trait]
pub trait EsimTx {
    /// A free number and a free profile of the brand, locked until the transaction ends (any
    /// number of sales at once each get others: `FOR UPDATE SKIP LOCKED` on PostgreSQL).
    async fn free_number(&mut self, brand: BrandId) -> StoreResult<Option<Msisdn>>;
    async fn free_profile(&mut self, brand: BrandId) -> StoreResult<Option<Iccid>>;
    /// Sets the brand's SIM card `iccid` aside for this sale, before its line is made: a card
    /// in stock and not sold or set aside by another sale, which then waits for this one's
    /// end; `false` when the brand holds no such card free.
    async fn reserve_sim_card(
        &mut self,
        brand: BrandId,
        iccid: &Iccid,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Gives the number, and the card (an eSIM profile, or the SIM card set aside), to the
    /// line.
    async fn take_from_pools(
        &mut self,
        msisdn: &Msisdn,
        card: PoolCard<'_>,
        line: LineId,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The subscriber's latest identification on record (its method, document hash and the
    /// line it was made for), if any.
    async fn identification_on_record(
        &mut self,
        subscriber: SubscriberId,
    ) -> StoreResult<
        Option<(
            simrenew_domain::identification::IdentificationMethod,
            String,
            LineId,
        )>,
    >;
    async fn insert_subscriber(
        &mut self,
        brand: BrandId,
        person: &Person,
        now: Timestamp,
    ) -> StoreResult<SubscriberId>;
    /// The profile's order, `awaiting_payment` until the line's first order is paid.
    #[allow(clippy::too_many_arguments)]
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
    ) -> StoreResult<()>;
}
