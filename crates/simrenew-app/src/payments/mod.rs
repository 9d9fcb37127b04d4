//! Payments taken outside the credit balance: the provider port (Stripe, PayPal), checkout
//! with a provider or at a store, webhooks, saved payment methods, refunds and reconciliation.
//!
//! Uses sales (an order is settled through the same `pay` as every payment, and a refund
//! shortens the line's time) and the audit log; nothing uses it but the composition.
//! Refunds live here rather than in sales because most of them go back through a provider.

pub mod checkout;
pub mod demo_card;
pub mod ports;
pub mod providers;
pub mod reconcile;
pub mod refunds;
