//! The storage port, split into reads ([`Store`]) and one write transaction ([`Tx`]), each
//! composed of the capabilities' own ports and adding only the way into a transaction and out.
//!
//! A use case opens a [`Tx`], locks the rows it decides on (the line first, always), asks the
//! domain, writes, and commits. Dropping a [`Tx`] without committing rolls it back.
//!
//! This module only composes: a capability names its own ports (and those of the modules
//! below it), never `Store` or `Tx` themselves.

use async_trait::async_trait;

use crate::audit::{AuditStore, AuditTx};
use crate::automation::auto_renew::{AutoRenewStore, AutoRenewTx};
use crate::automation::price_notices::PriceNoticeStore;
use crate::automation::LifecycleStore;
use crate::esims::ports::{EsimStore, EsimTx};
use crate::idempotency::IdempotencyStore;
use crate::identity::passkeys::{PasskeyStore, PasskeyTx};
use crate::identity::ports::{IdentityStore, IdentityTx};
use crate::identity::second_factor::SecondFactorStore;
use crate::identity::signin::SignInStore;
use crate::identity::staff_auth::StaffAuthStore;
use crate::jobs::JobStore;
use crate::maintenance::MaintenanceStore;
use crate::network::usage::UsageStore;
use crate::network::NetworkStore;
use crate::notifications::calendar::{CalendarStore, CalendarTx};
use crate::notifications::ReminderStore;
use crate::payments::ports::{PaymentStore, PaymentTx};
use crate::sales::portal::PortalReads;
use crate::sales::ports::{CatalogTx, SalesStore, SalesTx};
use crate::StoreResult;

/// Reads outside a transaction, and the way into one.
#[async_trait]
pub trait Store:
    AuditStore
    + SalesStore
    + IdentityStore
    + SignInStore
    + StaffAuthStore
    + SecondFactorStore
    + PasskeyStore
    + PaymentStore
    + IdempotencyStore
    + PortalReads
    + MaintenanceStore
    + NetworkStore
    + UsageStore
    + LifecycleStore
    + AutoRenewStore
    + PriceNoticeStore
    + ReminderStore
    + CalendarStore
    + EsimStore
    + JobStore
    + Send
    + Sync
    + 'static
{
    /// Starts a write transaction.
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;
}

/// One write transaction.
#[async_trait]
pub trait Tx:
    AuditTx
    + SalesTx
    + CatalogTx
    + IdentityTx
    + PasskeyTx
    + PaymentTx
    + AutoRenewTx
    + CalendarTx
    + EsimTx
    + Send
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
