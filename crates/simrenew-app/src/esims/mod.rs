//! New lines: a sale takes a number from the brand's pool, and for an eSIM a profile from
//! the brand's pool of profiles (a physical SIM card is the one the store hands over, by its
//! ICCID), creates the line (for a subscriber on record or a new one, identified at the sale,
//! by the record of an earlier line, or later) and its first order, and pays it when a
//! payment is given — one transaction. When that order is
//! paid (then, or later by any path a renewal is paid by), the profile is ordered from the
//! SM-DP+ through the outbox (`esim_ordered`: ES2+ downloadOrder and confirmOrder, released
//! at once for an identified subscriber); identification releases a held profile
//! (`esim_released`). The activation code is kept when the SM-DP+ confirms, in the
//! transaction that records the confirmation; the install's progress comes back through
//! handleDownloadProgressInfo ([`App::record_install`]).
//!
//! May use: `identity` (identification at the sale), `network` (the topics), `sales` and the
//! ground.

pub mod ports;

use rand::Rng;
use simrenew_domain::catalog::Channel;
use simrenew_domain::identification::{DocumentNumber, IdentificationMethod};
use simrenew_domain::identifiers::{Eid, Iccid, Msisdn};
use simrenew_domain::ids::{BrandId, SubscriberId};
use simrenew_domain::line::{LineIdentity, LineState};
use simrenew_domain::money::Money;
use simrenew_domain::order::{Order, OrderState};
use simrenew_domain::promotion::PromoCode;

use self::ports::{
    EsimProfile, InstallRecorded, InstallReport, PoolAdded, PoolCard, PoolCounts, PoolEntries,
};
use crate::audit::AuditEntry;
use crate::identity::identification::Person;
use crate::sales::payment::PaymentInstruction;
use crate::sales::ports::NewLine;
use crate::sales::renewal::{count_renewal, pay, price, OrderReceipt, PurchaseRequest};
use crate::{App, AppError, AppResult};

/// Who the new line is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Buyer {
    /// A subscriber on record with the brand.
    Existing(SubscriberId),
    /// Someone new: their details.
    New(Person),
}

/// The card of a new line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewCard {
    /// An eSIM, its profile taken from the brand's pool; with the phone's EID when the buyer
    /// gave it (the profile is then bound to that phone).
    Esim { eid: Option<Eid> },
    /// A physical SIM card handed over at a store, by the ICCID printed on it.
    PhysicalSim { iccid: Iccid },
}

impl NewCard {
    pub fn kind(&self) -> simrenew_domain::catalog::LineKind {
        match self {
            NewCard::Esim { .. } => simrenew_domain::catalog::LineKind::Esim,
            NewCard::PhysicalSim { .. } => simrenew_domain::catalog::LineKind::PhysicalSim,
        }
    }
}

/// A new line to sell: an eSIM, or a physical SIM card at a store.
#[derive(Debug, Clone)]
pub struct NewLineSale {
    pub brand: BrandId,
    pub buyer: Buyer,
    pub plan_code: String,
    pub periods: u32,
    pub channel: Channel,
    pub promo_code: Option<PromoCode>,
    pub card: NewCard,
    /// The identification made at the sale (by staff who may identify); without it the line
    /// waits for identification and its profile is downloadable only after it.
    pub identification: Option<(IdentificationMethod, DocumentNumber)>,
}

/// A sold line.
#[derive(Debug, Clone)]
pub struct LineSale {
    pub msisdn: Msisdn,
    pub iccid: Iccid,
    pub subscriber: Option<SubscriberId>,
    pub state: LineState,
    pub order: OrderReceipt,
}

/// A matching id of 20 random characters of `0-9 A-Z` in four groups: the part of the
/// activation code that cannot be guessed, chosen once per line and kept, so that a repeated
/// confirmOrder asks for the same one.
fn new_matching_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    let mut id = String::with_capacity(23);
    for i in 0..20 {
        if i > 0 && i % 5 == 0 {
            id.push('-');
        }
        id.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
    }
    id
}

impl App {
    /// Sells a new line: its number from the brand's pool (and an eSIM's profile from its
    /// pool of profiles), the subscriber, the identification when made, the first order, and
    /// its payment when given, in one transaction. `actor` is the principal's label.
    pub async fn sell_line(
        &self,
        actor: &str,
        sale: &NewLineSale,
        payment: Option<&PaymentInstruction>,
    ) -> AppResult<LineSale> {
        if let Buyer::New(person) = &sale.buyer {
            crate::identity::identification::check_person(person)?;
        }
        let identification = match &sale.identification {
            Some((method, document)) => Some((*method, self.document_hash(document)?)),
            None => None,
        };
        let existing_person = match &sale.buyer {
            Buyer::Existing(id) => {
                if self.store.subscriber_brand(*id).await? != Some(sale.brand) {
                    return Err(AppError::not_found("subscriber", "subscriber_id"));
                }
                Some(
                    self.store
                        .subscriber_details(*id)
                        .await?
                        .ok_or(AppError::not_found("subscriber", "subscriber_id"))?,
                )
            }
            Buyer::New(_) => None,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let brand = tx.brand(sale.brand).await?;
        let msisdn = tx.free_number(brand.id).await?.ok_or_else(|| {
            AppError::conflict(
                "brand",
                format!(
                    "{} has no numbers left for new lines; an administrator adds some with \
                     `simrenew pool add`",
                    brand.name
                ),
            )
        })?;
        let (iccid, identity) = match &sale.card {
            NewCard::Esim { eid } => {
                let iccid = tx.free_profile(brand.id).await?.ok_or_else(|| {
                    AppError::conflict(
                        "brand",
                        format!(
                            "{} has no eSIM profiles left; an administrator adds some with \
                             `simrenew pool add`",
                            brand.name
                        ),
                    )
                })?;
                let identity = LineIdentity::Esim {
                    iccid: iccid.clone(),
                    eid: eid.clone(),
                    activation_code: None,
                };
                (iccid, identity)
            }
            NewCard::PhysicalSim { iccid } => {
                if !tx.reserve_sim_card(brand.id, iccid, now).await? {
                    return Err(AppError::conflict(
                        "iccid",
                        format!(
                            "the SIM card {iccid} is not in {}'s stock, or was sold already",
                            brand.name
                        ),
                    ));
                }
                let identity = LineIdentity::PhysicalSim {
                    iccid: iccid.clone(),
                };
                (iccid.clone(), identity)
            }
        };
        let esim = matches!(sale.card, NewCard::Esim { .. });
        let subscriber = match (&sale.buyer, &identification) {
            (Buyer::Existing(id), _) => Some(*id),
            // Identification creates the subscriber from the details it confirms.
            (Buyer::New(_), Some(_)) => None,
            (Buyer::New(person), None) => Some(tx.insert_subscriber(brand.id, person, now).await?),
        };
        let line_id = tx
            .insert_line(
                &NewLine {
                    brand_id: brand.id,
                    subscriber_id: subscriber,
                    msisdn: msisdn.clone(),
                    identity,
                    // Identification (now, or later) activates it.
                    state: LineState::PendingIdentification,
                    expires_at: None,
                    grace_until: None,
                    credit: Money::zero(brand.currency),
                },
                now,
            )
            .await?;
        let card = if esim {
            PoolCard::EsimProfile(&iccid)
        } else {
            PoolCard::SimCard(&iccid)
        };
        tx.take_from_pools(&msisdn, card, line_id, now).await?;
        let chain = format!("line:{line_id}");
        let mut subscriber = subscriber;
        // A subscriber identified before (for another line) is identified for this one too: the
        // same person, the same document, named with the line it was checked for.
        let mut verifier = actor.to_owned();
        let identification = match (identification, &sale.buyer) {
            (Some(i), _) => Some(i),
            (None, Buyer::Existing(id)) => match tx.identification_on_record(*id).await? {
                Some((method, hash, line)) => {
                    verifier = format!("{actor}, as identified for line:{line}");
                    Some((method, hash))
                }
                None => None,
            },
            (None, Buyer::New(_)) => None,
        };
        if let Some((method, hash)) = &identification {
            let line = tx
                .lock_line_by_id(line_id)
                .await?
                .ok_or(AppError::not_found("line", "msisdn"))?
                .line;
            let person = match (&sale.buyer, &existing_person) {
                (Buyer::New(p), _) | (Buyer::Existing(_), Some(p)) => p.clone(),
                (Buyer::Existing(_), None) => {
                    return Err(AppError::not_found("subscriber", "subscriber_id"))
                }
            };
            subscriber = Some(
                tx.record_identification(&line, &person, *method, &verifier, hash, now)
                    .await?,
            );
            tx.append_audit(
                &AuditEntry {
                    chain: chain.clone(),
                    actor: actor.to_owned(),
                    action: "line.identify".into(),
                    subject: chain.clone(),
                    details: format!("method={method} verifier={verifier}"),
                },
                now,
            )
            .await?;
        }
        let mut locked = tx
            .lock_line_by_id(line_id)
            .await?
            .ok_or(AppError::not_found("line", "msisdn"))?;
        // This transaction made the line: its first plan is bought with it, identified or not.
        locked.sold_with_line = locked.line.stored_state == LineState::PendingIdentification;
        let request = PurchaseRequest {
            msisdn: msisdn.clone(),
            plan_code: sale.plan_code.clone(),
            periods: sale.periods,
            channel: sale.channel,
            promo_code: sale.promo_code.clone(),
        };
        let (plan, q) = price(self, tx.as_mut(), &locked, &request, now).await?;
        let order_id = tx
            .insert_order(
                brand.id,
                line_id,
                plan.id,
                sale.channel,
                &q,
                None,
                Some(actor),
                now,
            )
            .await?;
        if let NewCard::Esim { eid } = &sale.card {
            tx.insert_profile_order(
                line_id,
                brand.id,
                order_id,
                &iccid,
                eid.as_ref(),
                &new_matching_id(),
                identification.is_some(),
                now,
            )
            .await?;
        }
        tx.append_audit(
            &AuditEntry {
                chain: chain.clone(),
                actor: actor.to_owned(),
                action: if esim { "esim.sell" } else { "sim.sell" }.into(),
                subject: chain.clone(),
                details: format!(
                    "order={order_id} plan={} iccid={iccid} identified={}",
                    plan.code,
                    identification.is_some()
                ),
            },
            now,
        )
        .await?;
        let order = Order {
            id: order_id,
            brand_id: brand.id,
            line_id,
            plan_id: plan.id,
            channel: sale.channel,
            state: OrderState::PendingPayment,
            quote: q,
            created_at: now,
            paid_at: None,
            placed_by: Some(actor.to_owned()),
        };
        let receipt = match payment {
            Some(p) => {
                self.check_method(&brand, sale.channel, p.method())?;
                let step = self.payment_step(p)?;
                pay(
                    tx.as_mut(),
                    order,
                    None,
                    locked,
                    &brand,
                    &plan,
                    step.as_ref(),
                    Some(actor),
                    now,
                )
                .await?
            }
            None => OrderReceipt {
                order,
                msisdn: msisdn.clone(),
                time_zone: brand.time_zone.clone(),
                settlement: None,
                renewal: None,
            },
        };
        let state = if identification.is_some() {
            LineState::Active
        } else {
            LineState::PendingIdentification
        };
        tx.commit().await?;
        self.line_changed(&msisdn);
        // A new line: its subscriber, new or not, holds one more.
        self.forget(crate::forget::Forget::Access(msisdn.as_str().to_owned()));
        count_renewal(&receipt);
        tracing::info!(line.id = %line_id, %iccid, esim, "line sold");
        Ok(LineSale {
            msisdn,
            iccid,
            subscriber,
            state,
            order: receipt,
        })
    }

    /// The eSIM profile of a line sold here, if any.
    pub async fn esim_profile(&self, msisdn: &Msisdn) -> AppResult<Option<EsimProfile>> {
        Ok(self.store.esim_profile(msisdn).await?)
    }

    /// Records what the SM-DP+ tells of a profile's install.
    pub async fn record_install(&self, report: &InstallReport) -> AppResult<InstallRecorded> {
        let recorded = self.store.record_install(report, self.now()).await?;
        if let InstallRecorded::Recorded(msisdn) = &recorded {
            self.line_changed(msisdn);
        }
        Ok(recorded)
    }

    pub async fn pool_counts(&self, brand: BrandId) -> AppResult<PoolCounts> {
        Ok(self.store.pool_counts(brand).await?)
    }

    /// Adds numbers, eSIM profiles and SIM cards to a brand's pools.
    pub async fn add_to_pools(
        &self,
        brand: BrandId,
        entries: PoolEntries<'_>,
    ) -> AppResult<PoolAdded> {
        Ok(self.store.add_to_pools(brand, entries, self.now()).await?)
    }
}
