//! Use cases of simrenew and the ports they need.
//!
//! A use case takes its inputs already parsed into domain types, reads and writes through the
//! [`Store`] port inside one transaction, and asks the domain for every decision.
//!
//! One module per capability — [`sales`], [`identity`], [`payments`] — each with its use cases
//! (`impl App` blocks) and its own port traits. [`audit`], [`idempotency`], [`sealing`], [`forget`], [`clock`]
//! and [`error`] sit at the ground and import no capability; [`store`] and this file only compose.
//! Capabilities depend on each other one way: `audit ← sales ← {identity, payments}`, and
//! [`maintenance`] (forgetting what is over) above identity, [`network`] (telling the network)
//! above sales, [`automation`] (what runs by itself) above network, and [`notifications`]
//! (reminders and the check of their codes) above identity.
//!
//! **Architecture Invariant:** this crate knows no database, no HTTP and no wire format; it
//! depends on `simrenew-domain` only (and the `metrics` facade, which records nothing until the
//! binary installs an exporter). Time comes from the [`clock::Clock`] port.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod audit;
pub mod automation;
pub mod clock;
pub mod error;
pub mod esims;
pub mod forget;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod maintenance;
pub mod network;
pub mod notifications;
pub mod payments;
pub mod portfolio;
pub mod sales;
pub mod sealing;
pub mod store;

pub use clock::{Clock, ManualClock};
pub use error::{AppError, AppResult, StoreError, StoreResult};
pub use store::{Store, Tx};

use std::sync::Arc;
use std::time::Duration;

use sales::ports::{Catalog, LineDetails};

/// How long a line read may be answered from memory. Writes made through this process evict
/// the line at once; the time-to-live bounds how stale a line changed by another process (the
/// CLI, another server) can be.
pub const LINE_CACHE_TTL: Duration = Duration::from_secs(2);

/// How long a brand's catalog and promotions may be used from memory. Catalog versions are
/// immutable and price changes come with weeks of notice; a version or promotion published
/// by another process is seen by this one within this time.
pub const CATALOG_CACHE_TTL: Duration = Duration::from_secs(30);

/// Everything a use case needs: the store, the clock and the line-read cache.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub(crate) line_cache: moka::sync::Cache<String, Arc<LineDetails>>,
    /// What the "my lines" page shows beside the line reads, kept as long.
    pub(crate) portfolio: portfolio::PortfolioCache,
    pub(crate) catalog_cache: moka::sync::Cache<simrenew_domain::ids::BrandId, Arc<Catalog>>,
    /// Payment providers (Stripe, PayPal), installed once by [`App::install_providers`];
    /// shared by every clone of the `App`.
    pub(crate) providers: Arc<std::sync::OnceLock<payments::providers::Providers>>,
    pub(crate) principal_cache: identity::principals::PrincipalCache,
    /// Brand and subscriber of lines, for access checks: they change only at identification,
    /// so renewals do not evict them.
    pub(crate) access_cache: moka::sync::Cache<String, simrenew_domain::access::LineAccess>,
    /// Where sign-in codes go; `None` turns sign-in by code off.
    pub(crate) sms: Option<Arc<dyn identity::signin::SmsGateway>>,
    /// Where e-mailed sign-in codes go; `None` turns sign-in by e-mail off.
    pub(crate) mail: Option<Arc<dyn identity::signin::MailGateway>>,
    /// Sign-in codes on their way, shared by every clone of the `App`.
    pub(crate) deliveries: Arc<identity::signin::Deliveries>,
    /// The most codes each brand is sent per hour.
    pub(crate) code_ceilings: Arc<identity::signin::CodeCeilings>,
    /// The first wait before a gateway is tried again.
    pub(crate) delivery_backoff: Duration,
    /// The secret of the keyed hash of document numbers; `None` turns identification off.
    pub(crate) document_key: Option<Arc<Vec<u8>>>,
    /// The key of voucher codes' hashes; `None` turns vouchers off.
    pub(crate) voucher_key: Option<sales::vouchers::VoucherKey>,
    /// Seals TOTP seeds; `None` turns enrolment in TOTP off.
    pub(crate) sealing_key: Option<sealing::SealingKey>,
    /// The site passkeys are bound to; `None` turns passkeys off.
    pub(crate) relying_party: Option<Arc<identity::passkeys::RelyingParty>>,
    /// Words reminders; `None` turns reminders off.
    pub(crate) message_texts: Option<Arc<dyn notifications::MessageTexts>>,
    /// Where reminders go when not through the sign-in codes' gateways.
    pub(crate) reminder_mail: Option<Arc<dyn identity::signin::MailGateway>>,
    pub(crate) reminder_sms: Option<Arc<dyn identity::signin::SmsGateway>>,
    /// When this process last planned reminders, shared by every clone of the `App`.
    pub(crate) reminders_planned_at: Arc<std::sync::Mutex<Option<simrenew_domain::Timestamp>>>,
    /// Tells the other processes on the database what this one forgets.
    pub(crate) forget_feed: Option<Arc<dyn forget::ForgetFeed>>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self::with_line_cache(store, clock, LINE_CACHE_TTL)
    }

    /// `ttl` zero turns the line-read cache off.
    pub fn with_line_cache(store: Arc<dyn Store>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        let line_cache = moka::sync::Cache::builder()
            .max_capacity(if ttl.is_zero() { 0 } else { 100_000 })
            .time_to_live(ttl.max(Duration::from_millis(1)))
            .build();
        let catalog_cache = moka::sync::Cache::builder()
            .max_capacity(1_000)
            .time_to_live(CATALOG_CACHE_TTL)
            .build();
        Self {
            store,
            clock,
            line_cache,
            portfolio: portfolio::PortfolioCache::new(ttl),
            catalog_cache,
            providers: Default::default(),
            principal_cache: identity::principals::principal_cache(),
            access_cache: moka::sync::Cache::builder()
                .max_capacity(1_000_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            sms: None,
            mail: None,
            deliveries: Default::default(),
            code_ceilings: Default::default(),
            delivery_backoff: Duration::from_secs(1),
            document_key: None,
            voucher_key: None,
            sealing_key: None,
            relying_party: None,
            message_texts: None,
            reminder_mail: None,
            reminder_sms: None,
            reminders_planned_at: Default::default(),
            forget_feed: None,
        }
    }

    /// Sends sign-in codes through this gateway.
    pub fn with_sms(mut self, gateway: Arc<dyn identity::signin::SmsGateway>) -> Self {
        self.sms = Some(gateway);
        self
    }

    /// Sends e-mailed sign-in codes through this gateway.
    pub fn with_mail(mut self, gateway: Arc<dyn identity::signin::MailGateway>) -> Self {
        self.mail = Some(gateway);
        self
    }

    /// Sends each brand no more sign-in codes an hour than these ceilings.
    pub fn with_code_ceilings(mut self, ceilings: identity::signin::CodeCeilings) -> Self {
        self.code_ceilings = Arc::new(ceilings);
        self
    }

    /// Seals TOTP seeds with this key.
    pub fn with_sealing_key(mut self, key: sealing::SealingKey) -> Self {
        self.sealing_key = Some(key);
        self
    }

    /// Which payment methods each brand offers on each channel, once the payment providers are
    /// installed (installed together with them, so that sales need not know the providers).
    pub(crate) fn payment_policy(&self) -> Option<&simrenew_domain::order::PaymentMethodPolicy> {
        self.providers.get().map(|p| &p.policy)
    }

    /// Whether this process speaks to the payment provider `name`.
    pub(crate) fn provider_installed(&self, name: simrenew_domain::order::ProviderName) -> bool {
        self.providers.get().is_some_and(|p| p.get(name).is_ok())
    }

    /// Forgets what is cached of a line after a write to it.
    pub(crate) fn line_changed(&self, msisdn: &simrenew_domain::identifiers::Msisdn) {
        self.forget(forget::Forget::Line(msisdn.as_str().to_owned()));
    }

    /// Forgets which lines a subscriber holds and their name, after a line was given to them
    /// or their details written.
    pub(crate) fn subscriber_changed(&self, subscriber: simrenew_domain::ids::SubscriberId) {
        self.forget(forget::Forget::Subscriber(subscriber.0));
    }

    /// The clock's time, to the second: what is stored is what is answered.
    pub fn now(&self) -> simrenew_domain::Timestamp {
        let now = self.clock.now();
        simrenew_domain::Timestamp::from_second(now.as_second()).unwrap_or(now)
    }
}
