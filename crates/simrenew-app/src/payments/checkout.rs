//! Payments taken outside the credit balance: by a provider (Stripe for card and Bancontact,
//! PayPal) or at a store (cash, card terminal), and the provider's webhooks.
//!
//! Exactly once: an order stays `pending_payment` until money is confirmed, synchronously
//! ([`App::confirm_payment`]) or by a webhook ([`App::handle_webhook`]), whichever comes first.
//! Both go through one function that locks the order row and applies the renewal through the
//! same `pay` as every other payment; the second confirmation finds the order `syncing` and
//! the payment `captured`, and changes nothing. Provider calls are never made while a
//! transaction is open.

use std::sync::Arc;

use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::ids::{OrderId, ProviderPaymentId, SavedPaymentMethodId};
use simrenew_domain::money::Money;
use simrenew_domain::order::{
    OrderState, PaymentMethod, ProviderName, ProviderPayment, ProviderPaymentStatus,
    SavedPaymentMethod,
};
use simrenew_domain::provider_ids::{SavableToken, StripePaymentMethodId};

use super::ports::{NewProviderPayment, ProviderPaymentUpdate};
use super::providers::{
    CreatePayment, PaymentProvider, ProviderError, ProviderState, Providers, SaveMethod, SavedRef,
};
use crate::audit::AuditEntry;
use crate::sales::payment::ExternalCapture;
use crate::sales::renewal::{pay, OrderReceipt};
use crate::{App, AppError, AppResult};

/// A customer starts paying an order with a provider.
#[derive(Clone, PartialEq, Eq)]
pub struct StartPayment {
    pub order: OrderId,
    /// `card`, `bancontact` or `paypal`.
    pub method: PaymentMethod,
    pub return_url: Option<String>,
    /// Stripe payment method token (`pm_...`); never card data.
    pub payment_method_token: Option<StripePaymentMethodId>,
    /// Charge a saved payment method of the order's line instead (automatic renewal).
    pub saved_method: Option<SavedPaymentMethodId>,
}

/// A payment an agent took at a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePayment {
    pub order: OrderId,
    /// `cash` or `card_terminal`.
    pub method: PaymentMethod,
    pub store_code: String,
    /// The terminal's transaction reference (card terminal only).
    pub terminal_ref: Option<String>,
    /// What the agent took.
    pub amount: Money,
}

/// What a webhook delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The payment it names was brought up to date.
    Handled(ProviderPaymentId),
    /// Delivered before: nothing done.
    Duplicate,
    /// An event type (or payment) this code does not act on: acknowledged, logged.
    Ignored,
}

/// The idempotency key of one operation on a payment.
/// The audit entry of money a provider captured that paid no renewal (the order went to
/// review): it moved money all the same.
fn capture_for_review(
    payment: &ProviderPayment,
    amount: Money,
    line: simrenew_domain::ids::LineId,
) -> AuditEntry {
    AuditEntry {
        chain: format!("line:{line}"),
        actor: format!("provider:{}", payment.provider),
        action: "payment.capture_for_review".into(),
        subject: format!("payment:{}", payment.id),
        details: format!(
            "order={} amount_cents={} currency={}",
            payment.order_id, amount.cents, amount.currency
        ),
    }
}

pub fn operation_key(payment: &ProviderPayment, operation: &str) -> String {
    format!("{}-{operation}", payment.idempotency_key)
}

impl App {
    /// Installs the payment providers this process speaks to, once (at start-up); false if
    /// some were installed already. Every clone of this `App` sees them.
    pub fn install_providers(&self, providers: Providers) -> bool {
        self.providers.set(providers).is_ok()
    }

    /// The provider that takes `method` here; `None` for credit and vouchers.
    pub fn provider_of(&self, method: PaymentMethod) -> Option<ProviderName> {
        match self.providers.get() {
            Some(p) => p.provider_of(method),
            None => method.provider(),
        }
    }

    pub(crate) fn provider(
        &self,
        name: ProviderName,
    ) -> Result<Arc<dyn PaymentProvider>, ProviderError> {
        match self.providers.get() {
            Some(p) => p.get(name).cloned(),
            None => Err(ProviderError::NotConfigured { provider: name }),
        }
    }

    /// Starts paying an order with a provider: records the payment, asks the provider to
    /// create it, and returns it with where the customer goes next (3-D Secure, the bank,
    /// PayPal approval). If the provider captured it at once, the renewal is applied.
    ///
    /// An earlier attempt for this order whose outcome is unknown (the provider did not
    /// answer) is retried with its own idempotency key instead of creating a second payment.
    pub async fn start_payment(&self, req: &StartPayment) -> AppResult<ProviderPayment> {
        let provider_name = match self.provider_of(req.method) {
            Some(p @ (ProviderName::Stripe | ProviderName::Paypal | ProviderName::Demo)) => p,
            _ => {
                return Err(AppError::conflict(
                    "method",
                    format!("{} is not paid through a provider", req.method),
                ))
            }
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let order = tx
            .lock_order(req.order)
            .await?
            .ok_or(AppError::not_found("order", "order_id"))?;
        if order.state != OrderState::PendingPayment {
            return Err(AppError::conflict(
                "order_id",
                format!("the order is {}, not waiting for payment", order.state),
            ));
        }
        let brand = tx.brand(order.brand_id).await?;
        // Not offered (by the brand, or for want of a configured provider): one answer.
        self.check_method(&brand, order.channel, req.method)?;
        let provider = self.provider(provider_name)?;
        let saved = match req.saved_method {
            None => None,
            Some(id) => {
                let m = self
                    .store
                    .saved_method(id)
                    .await?
                    .filter(|m| m.line_id == order.line_id && m.removed_at.is_none())
                    .ok_or(AppError::not_found(
                        "saved payment method",
                        "saved_method_id",
                    ))?;
                if m.method != req.method {
                    return Err(AppError::conflict(
                        "saved_method_id",
                        format!("the saved method is {}, not {}", m.method, req.method),
                    ));
                }
                Some(SavedRef {
                    customer_ref: m.customer_ref,
                    token_ref: m.token_ref,
                })
            }
        };
        let earlier = self.store.provider_payments_of_order(order.id).await?;
        let payment = match earlier.into_iter().find(|p| {
            p.provider == provider_name
                && p.method == req.method
                && p.status == ProviderPaymentStatus::Created
        }) {
            Some(unknown) => unknown,
            None => {
                tx.insert_provider_payment(
                    &NewProviderPayment {
                        brand: order.brand_id,
                        order: order.id,
                        provider: provider_name,
                        method: req.method,
                        amount: order.quote.total,
                        status: ProviderPaymentStatus::Created,
                        provider_ref: None,
                        store_code: None,
                    },
                    now,
                )
                .await?
            }
        };
        tx.commit().await?;
        let created = provider
            .create(&CreatePayment {
                payment: payment.id,
                order: order.id,
                idempotency_key: operation_key(&payment, "create"),
                method: req.method,
                amount: payment.amount,
                description: format!("order {} {}", order.id, order.quote.plan_code),
                return_url: req.return_url.clone(),
                payment_method_token: req.payment_method_token.clone(),
                saved: saved.clone(),
            })
            .await;
        match created {
            // A saved PayPal method needs no approval: capture at once.
            Ok(state) if saved.is_some() && state.status == ProviderPaymentStatus::Processing => {
                self.settle(payment.id, &state).await?;
                let done = provider
                    .complete(&state.provider_ref, &operation_key(&payment, "complete"))
                    .await?;
                self.settle(payment.id, &done).await
            }
            Ok(state) => self.settle(payment.id, &state).await,
            Err(
                e @ (ProviderError::Refused { .. } | ProviderError::AuthenticationRequired { .. }),
            ) => {
                self.mark_failed(payment.id).await?;
                Err(e.into())
            }
            // The outcome is unknown: the payment stays `created`; a retry, the webhook or
            // reconciliation settles it.
            Err(e) => Err(e.into()),
        }
    }

    /// Confirms a payment the customer has approved (back from 3-D Secure, the bank or
    /// PayPal): asks the provider to finish it and applies the renewal once it is captured.
    pub async fn confirm_payment(&self, id: ProviderPaymentId) -> AppResult<ProviderPayment> {
        let payment = self
            .store
            .provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        if payment.status.is_final() {
            return Ok(payment);
        }
        let provider = self.provider(payment.provider)?;
        let Some(provider_ref) = payment.provider_ref.clone() else {
            return Err(AppError::conflict(
                "payment_id",
                "the provider has not acknowledged this payment yet; try again",
            ));
        };
        let state = provider
            .complete(&provider_ref, &operation_key(&payment, "complete"))
            .await?;
        self.settle(id, &state).await
    }

    /// Asks the provider where a payment stands and records it (applying the renewal if it
    /// was captured): what reconciliation does for one payment.
    pub async fn refresh_payment(&self, id: ProviderPaymentId) -> AppResult<ProviderPayment> {
        let payment = self
            .store
            .provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        let Some(provider_ref) = payment.provider_ref.clone() else {
            return Ok(payment);
        };
        let provider = self.provider(payment.provider)?;
        let state = provider.retrieve(&provider_ref).await?;
        self.settle(id, &state).await
    }

    /// Records a payment an agent took at a store and applies the renewal, in one
    /// transaction. An amount other than the order's is refused and changes nothing (the agent
    /// is there to correct it).
    pub async fn record_store_payment(&self, p: &StorePayment) -> AppResult<OrderReceipt> {
        self.record_store_payment_as("system", p).await
    }

    /// [`App::record_store_payment`] taken by `actor` (the agent), who is named in the audit
    /// entry with the store and terminal reference.
    pub async fn record_store_payment_as(
        &self,
        actor: &str,
        p: &StorePayment,
    ) -> AppResult<OrderReceipt> {
        if !matches!(p.method, PaymentMethod::Cash | PaymentMethod::CardTerminal) {
            return Err(AppError::conflict(
                "method",
                format!("{} is not taken at a store", p.method),
            ));
        }
        if p.method == PaymentMethod::CardTerminal
            && p.terminal_ref.as_deref().is_none_or(str::is_empty)
        {
            return Err(AppError::conflict(
                "terminal_ref",
                "a card terminal payment needs the terminal's reference",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let order = tx
            .lock_order(p.order)
            .await?
            .ok_or(AppError::not_found("order", "order_id"))?;
        let locked = tx
            .lock_line_by_id(order.line_id)
            .await?
            .ok_or(AppError::not_found("line", "order_id"))?;
        let brand = locked.brand.clone();
        self.check_method(&brand, order.channel, p.method)?;
        // Checked before anything is written: the agent is there to correct it.
        if p.amount != order.quote.total {
            return Err(AppError::conflict(
                "amount",
                format!(
                    "the order's total is {}; {} was recorded",
                    order.quote.total, p.amount
                ),
            ));
        }
        let plan = tx.plan(order.plan_id).await?;
        let payment = tx
            .insert_provider_payment(
                &NewProviderPayment {
                    brand: order.brand_id,
                    order: order.id,
                    provider: ProviderName::Store,
                    method: p.method,
                    amount: p.amount,
                    status: ProviderPaymentStatus::Captured,
                    provider_ref: p.terminal_ref.clone(),
                    store_code: Some(p.store_code.clone()),
                },
                now,
            )
            .await?;
        let receipt = pay(
            tx.as_mut(),
            order,
            None,
            locked,
            &brand,
            &plan,
            &ExternalCapture {
                method: p.method,
                amount: p.amount,
            },
            Some(actor),
            now,
        )
        .await?;
        tx.mark_applied(payment.id).await?;
        tx.append_audit(
            &AuditEntry {
                chain: crate::audit::line_chain(receipt.order.line_id),
                actor: actor.to_owned(),
                action: "payment.store".into(),
                subject: format!("payment:{}", payment.id),
                details: format!(
                    "order={} store={} method={} terminal_ref={} amount_cents={} currency={}",
                    receipt.order.id,
                    p.store_code,
                    p.method,
                    p.terminal_ref.as_deref().unwrap_or(""),
                    p.amount.cents,
                    p.amount.currency
                ),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            payment.id = %payment.id,
            order.id = %receipt.order.id,
            store = %p.store_code,
            "store payment recorded"
        );
        self.line_changed(&receipt.msisdn);
        crate::sales::renewal::count_renewal(&receipt);
        Ok(receipt)
    }

    /// Saves a payment method of a line for automatic renewal: the provider keeps the card or
    /// account (a Stripe customer and payment method, a PayPal vault token); we keep its
    /// references and label. Saving the same token again returns the saved method. A new one
    /// is recorded in the line's audit chain with `actor`, in the transaction that saves it.
    pub async fn save_payment_method(
        &self,
        actor: &str,
        msisdn: &Msisdn,
        token: &SavableToken,
    ) -> AppResult<SavedPaymentMethod> {
        let (provider_name, method) = match token {
            SavableToken::StripeCard(_) => (ProviderName::Stripe, PaymentMethod::Card),
            SavableToken::PaypalAccount(_) => (ProviderName::Paypal, PaymentMethod::Paypal),
        };
        let provider = self.provider(provider_name)?;
        let details = self.line(msisdn).await?;
        let line = &details.line;
        let known = self.store.saved_methods_of_line(line.id).await?;
        let customer_ref = known
            .iter()
            .find(|m| m.provider == provider_name)
            .and_then(|m| m.customer_ref.clone());
        // The same line and token always make the same key: a retry saves once.
        let digest = token
            .as_str()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        let saved = provider
            .save_method(&SaveMethod {
                line: line.id,
                customer_ref,
                token: token.clone(),
                idempotency_key: format!("simrenew-save-{}-{digest:016x}", line.id),
            })
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let m = tx
            .insert_saved_method(line.brand_id, line.id, provider_name, method, &saved, now)
            .await?;
        if m.line_id != line.id || m.removed_at.is_some() {
            return Err(AppError::conflict(
                "token",
                "this payment method cannot be saved for this line",
            ));
        }
        if !known.iter().any(|k| k.id == m.id) {
            tx.append_audit(
                &AuditEntry {
                    chain: crate::audit::line_chain(line.id),
                    actor: actor.to_owned(),
                    action: "saved_method.add".into(),
                    subject: format!("saved_method:{}", m.id),
                    details: format!(
                        "provider={} method={} label={}",
                        m.provider, m.method, m.label
                    ),
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(m)
    }

    /// The line's saved payment methods.
    pub async fn saved_payment_methods(
        &self,
        msisdn: &Msisdn,
    ) -> AppResult<Vec<SavedPaymentMethod>> {
        let details = self.line(msisdn).await?;
        Ok(self.store.saved_methods_of_line(details.line.id).await?)
    }

    /// Forgets a saved payment method: removed at the provider first (so that it can never
    /// be charged, even by someone holding the token), then here. If the provider cannot be
    /// reached nothing changes and the removal can be asked again. The removal is recorded in
    /// the line's audit chain with `actor`, in the transaction that removes it.
    pub async fn remove_saved_payment_method(
        &self,
        actor: &str,
        id: SavedPaymentMethodId,
    ) -> AppResult<()> {
        let saved = self
            .store
            .saved_method(id)
            .await?
            .filter(|m| m.removed_at.is_none())
            .ok_or(AppError::not_found("saved payment method", "id"))?;
        self.provider(saved.provider)?
            .forget_method(&saved.token_ref, &format!("simrenew-forget-{}", saved.id))
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.remove_saved_method(id, now).await? {
            // Removed meanwhile, by the same request repeated or another one.
            return Ok(());
        }
        tx.append_audit(
            &AuditEntry {
                chain: crate::audit::line_chain(saved.line_id),
                actor: actor.to_owned(),
                action: "saved_method.remove".into(),
                subject: format!("saved_method:{}", saved.id),
                details: format!(
                    "provider={} method={} label={}",
                    saved.provider, saved.method, saved.label
                ),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Verifies and handles one webhook delivery. A bad signature changes nothing and is an
    /// error; duplicates and event types not acted on are acknowledged.
    pub async fn handle_webhook(
        &self,
        provider: ProviderName,
        headers: &[(String, String)],
        body: &[u8],
    ) -> AppResult<WebhookOutcome> {
        let adapter = self.provider(provider)?;
        let now = self.now();
        let event = adapter.verify_webhook(headers, body, now).await?;
        if self.store.webhook_event_seen(provider, &event.id).await? {
            tracing::info!(%provider, event.id = %event.id, "duplicate webhook event ignored");
            return Ok(WebhookOutcome::Duplicate);
        }
        let outcome = match &event.payment {
            None => {
                tracing::info!(
                    %provider,
                    event.id = %event.id,
                    event.kind = %event.kind,
                    "webhook event type not acted on"
                );
                WebhookOutcome::Ignored
            }
            Some(state) => {
                let by_ref = self
                    .store
                    .provider_payment_by_ref(provider, &state.provider_ref)
                    .await?;
                let ours = match (by_ref, state.our_payment) {
                    (Some(p), _) => Some(p),
                    (None, Some(id)) => self
                        .store
                        .provider_payment(id)
                        .await?
                        .filter(|p| p.provider == provider),
                    (None, None) => None,
                };
                match ours {
                    Some(p) => {
                        let settled = self.settle(p.id, state).await?;
                        // PayPal: the payer approved but may never come back to us; capture
                        // now (the capture carries its idempotency key, so a concurrent
                        // confirmation does not capture twice).
                        if provider == ProviderName::Paypal
                            && settled.status == ProviderPaymentStatus::Processing
                            && settled.capture_ref.is_none()
                        {
                            self.confirm_payment(p.id).await?;
                        }
                        WebhookOutcome::Handled(p.id)
                    }
                    None => {
                        tracing::warn!(
                            %provider,
                            event.id = %event.id,
                            provider.reference = %state.provider_ref,
                            "webhook about a payment we do not know"
                        );
                        WebhookOutcome::Ignored
                    }
                }
            }
        };
        let mut tx = self.store.begin().await?;
        tx.record_webhook_event(provider, &event.id, &event.kind, now)
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records what a provider said about a payment, and applies the order's renewal when the
    /// money is captured and matches the order, exactly once. A state that is not newer than
    /// the recorded one (a duplicate, late or reordered confirmation) changes nothing.
    pub(crate) async fn settle(
        &self,
        id: ProviderPaymentId,
        state: &ProviderState,
    ) -> AppResult<ProviderPayment> {
        let now = self.now();
        let known = self
            .store
            .provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        let mut tx = self.store.begin().await?;
        // The order first, as every payment does: the second of two confirmations waits here
        // and then finds the order paid.
        let order = tx
            .lock_order(known.order_id)
            .await?
            .ok_or(AppError::not_found("order", "order_id"))?;
        let locked = tx
            .lock_line_by_id(order.line_id)
            .await?
            .ok_or(AppError::not_found("line", "order_id"))?;
        let brand = locked.brand.clone();
        let payment = tx
            .lock_provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        if !payment.status.may_become(state.status) {
            tx.commit().await?;
            tracing::debug!(
                payment.id = %id,
                status = %payment.status,
                reported = %state.status,
                "provider state not newer than ours; nothing to do"
            );
            return Ok(payment);
        }
        let update = ProviderPaymentUpdate {
            status: state.status,
            provider_ref: Some(state.provider_ref.clone()),
            next_action_url: state.next_action_url.clone(),
            capture_ref: state.capture_ref.clone(),
        };
        tx.update_provider_payment(id, &update, now).await?;
        let mut applied = None;
        if state.status == ProviderPaymentStatus::Captured {
            if order.state != OrderState::PendingPayment {
                tracing::warn!(
                    payment.id = %id,
                    order.id = %order.id,
                    order.state = %order.state,
                    "money captured for an order no longer waiting for payment"
                );
            } else if state.amount != payment.amount || payment.amount != order.quote.total {
                tx.set_order_state(order.id, OrderState::Review).await?;
                tx.append_audit(
                    &capture_for_review(&payment, state.amount, order.line_id),
                    now,
                )
                .await?;
                tracing::warn!(
                    payment.id = %id,
                    order.id = %order.id,
                    captured = %state.amount,
                    expected = %order.quote.total,
                    "captured amount differs from the order; order flagged for review"
                );
            } else {
                let plan = tx.plan(order.plan_id).await?;
                let capture = ExternalCapture {
                    method: payment.method,
                    amount: state.amount,
                };
                let order_id = order.id;
                let reporter = format!("provider:{}", payment.provider);
                match pay(
                    tx.as_mut(),
                    order,
                    None,
                    locked,
                    &brand,
                    &plan,
                    &capture,
                    Some(&reporter),
                    now,
                )
                .await
                {
                    Ok(receipt) => {
                        tx.mark_applied(id).await?;
                        applied = Some(receipt);
                    }
                    Err(AppError::Store(e)) => return Err(e.into()),
                    Err(refusal) => {
                        // The money is in but the renewal cannot be applied (line no longer
                        // renewable, promotion used up): keep the money's record, flag the
                        // order, and let a person decide (refund or apply by hand).
                        drop(tx);
                        self.flag_for_review(id, order_id, &update, &refusal)
                            .await?;
                        return self.stored_payment(id).await;
                    }
                }
            }
        }
        tx.commit().await?;
        if let Some(receipt) = applied {
            self.line_changed(&receipt.msisdn);
            crate::sales::renewal::count_renewal(&receipt);
        }
        self.stored_payment(id).await
    }

    async fn flag_for_review(
        &self,
        id: ProviderPaymentId,
        order: OrderId,
        update: &ProviderPaymentUpdate,
        why: &AppError,
    ) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let locked = tx
            .lock_order(order)
            .await?
            .ok_or(AppError::not_found("order", "order_id"))?;
        let payment = tx
            .lock_provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))?;
        if payment.status.may_become(update.status) {
            tx.update_provider_payment(id, update, now).await?;
        }
        if locked.state == OrderState::PendingPayment {
            tx.set_order_state(order, OrderState::Review).await?;
        }
        tx.append_audit(
            &capture_for_review(&payment, payment.amount, locked.line_id),
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(
            payment.id = %id,
            order.id = %order,
            reason = %why,
            "money captured but the renewal cannot be applied; order flagged for review"
        );
        Ok(())
    }

    async fn mark_failed(&self, id: ProviderPaymentId) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(p) = tx.lock_provider_payment(id).await? {
            if p.status.may_become(ProviderPaymentStatus::Failed) {
                tx.update_provider_payment(
                    id,
                    &ProviderPaymentUpdate {
                        status: ProviderPaymentStatus::Failed,
                        provider_ref: p.provider_ref.clone(),
                        next_action_url: None,
                        capture_ref: None,
                    },
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn stored_payment(&self, id: ProviderPaymentId) -> AppResult<ProviderPayment> {
        self.store
            .provider_payment(id)
            .await?
            .ok_or(AppError::not_found("payment", "payment_id"))
    }
}
