//! The 3-D Secure step of a simulated card payment: what `simrenew demo`'s card provider asks
//! the customer on its own page (approve or decline), so that the whole card flow, a declined
//! payment included, can be walked without a real provider.
//!
//! The provider implements [`CardChallenges`] beside [`crate::providers::PaymentProvider`];
//! the web layer shows the step and passes the customer's answer on.

use simrenew_domain::money::Money;

/// A card payment waiting for the customer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardChallenge {
    /// The provider's reference of the payment.
    pub reference: String,
    pub amount: Money,
    pub description: String,
    /// Where the customer goes back to once they have answered.
    pub return_url: Option<String>,
    /// `Some(true)` approved, `Some(false)` declined, `None` not answered yet.
    pub answer: Option<bool>,
}

/// The simulated bank's side of a card payment.
pub trait CardChallenges: Send + Sync {
    fn challenge(&self, reference: &str) -> Option<CardChallenge>;
    /// Records the customer's answer (the first one counts) and returns the challenge.
    fn answer(&self, reference: &str, approve: bool) -> Option<CardChallenge>;
}
