//! A subscriber's personal calendar feed: the expiry (and end of grace) of each of their lines,
//! at an address whose token is the only credential, which they can replace at any time (the
//! old address stops answering at once). Only the token's hash is kept; making a new one is
//! audited on the subscriber's chain.

use async_trait::async_trait;
use simrenew_domain::brand::Brand;
use simrenew_domain::ids::SubscriberId;
use simrenew_domain::line::Line;

use crate::audit::AuditEntry;
use crate::sales::ports::LineFilter;
use crate::{App, AppError, AppResult, StoreResult};

/// What every feed token starts with, so that one pasted elsewhere is recognised.
pub const TOKEN_PREFIX: &str = "cal_";

/// The feed's reads (a supertrait of [`crate::Store`]).
#[async_trait]
pub trait CalendarStore {
    /// The subscriber whose current feed token hashes to `token_hash`, and their language.
    async fn calendar_owner(&self, token_hash: &str)
        -> StoreResult<Option<(SubscriberId, String)>>;
}

/// The feed's write (a supertrait of [`crate::Tx`]).
#[async_trait]
pub trait CalendarTx {
    /// Replaces the subscriber's feed token; false when there is no such subscriber (or they
    /// were erased).
    async fn set_calendar_token(
        &mut self,
        subscriber: SubscriberId,
        token_hash: &str,
    ) -> StoreResult<bool>;
}

/// A feed: the subscriber's brand (its name and zone), language and lines.
#[derive(Debug, Clone)]
pub struct CalendarFeed {
    pub brand: Brand,
    pub language: String,
    pub lines: Vec<Line>,
}

impl App {
    /// Makes the subscriber a new feed address token, replacing the one before; answered
    /// once (only its hash is kept).
    pub async fn new_calendar_token(
        &self,
        actor: &str,
        subscriber: SubscriberId,
    ) -> AppResult<String> {
        let token = format!("{TOKEN_PREFIX}{}", hex::encode(rand::random::<[u8; 24]>()));
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx
            .set_calendar_token(subscriber, &crate::identity::sha256_hex(&token))
            .await?
        {
            return Err(AppError::not_found("subscriber", "id"));
        }
        tx.append_audit(
            &AuditEntry {
                chain: format!("subscriber:{subscriber}"),
                actor: actor.to_owned(),
                action: "calendar.new_link".into(),
                subject: format!("subscriber:{subscriber}"),
                details: String::new(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The feed behind a token, or `None` for a token that is not (or no longer) anyone's.
    pub async fn calendar_feed(&self, token: &str) -> AppResult<Option<CalendarFeed>> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 64 {
            return Ok(None);
        }
        let Some((subscriber, language)) = self
            .store
            .calendar_owner(&crate::identity::sha256_hex(token))
            .await?
        else {
            return Ok(None);
        };
        let Some(brand_id) = self.store.subscriber_brand(subscriber).await? else {
            return Ok(None);
        };
        let Some(brand) = self
            .store
            .brands()
            .await?
            .into_iter()
            .find(|b| b.id == brand_id)
        else {
            return Ok(None);
        };
        let lines = self
            .lines(&LineFilter {
                brand: Some(brand_id),
                subscriber: Some(subscriber),
                kind: None,
                state: None,
                after: None,
                limit: 100,
            })
            .await?;
        Ok(Some(CalendarFeed {
            brand,
            language,
            lines,
        }))
    }
}
