//! Rate limits that hold under concurrency: each request is counted, in one statement that
//! answers the count with it, before the work it guards, so that requests arriving together
//! each see a different count and no more than the limit go ahead.
//!
//! Counts are kept per bucket (`code:+32470…`, `client:192.0.2.1`, …) and fixed window: a
//! window starts at a multiple of its length since the epoch, so every process computes the
//! same one. A request counted but then not to be held against the caller (a sign-in that
//! succeeded) is given back.

use jiff::{SignedDuration, Timestamp};

use crate::{App, AppError, AppResult};

/// A limit: at most `max` requests per `window` in `bucket`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub bucket: String,
    pub max: i64,
    pub window: SignedDuration,
}

impl Limit {
    pub fn new(bucket: impl Into<String>, max: i64, window: SignedDuration) -> Self {
        Self {
            bucket: bucket.into(),
            max,
            window,
        }
    }
}

/// A request counted against a limit, which may be given back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub bucket: String,
    pub window_start: Timestamp,
}

/// The window of length `window` that holds `now`: its start and its end.
pub fn window_of(now: Timestamp, window: SignedDuration) -> AppResult<(Timestamp, Timestamp)> {
    let len = window.as_secs().max(1);
    let start = now.as_second().div_euclid(len) * len;
    let out_of_range = |_| AppError::from(simrenew_domain::DomainError::TimeOutOfRange);
    Ok((
        Timestamp::from_second(start).map_err(out_of_range)?,
        Timestamp::from_second(start + len).map_err(out_of_range)?,
    ))
}

impl App {
    /// Counts this request against `limit`; refuses it (counted all the same) when it is over.
    pub(crate) async fn count_against(&self, limit: &Limit) -> AppResult<Counted> {
        let now = self.now();
        let (start, end) = window_of(now, limit.window)?;
        let n = self
            .store
            .count_in_window(&limit.bucket, start, end)
            .await?;
        if n > limit.max {
            return Err(AppError::RateLimited {
                retry_after_secs: (end.as_second() - now.as_second()).max(1),
            });
        }
        Ok(Counted {
            bucket: limit.bucket.clone(),
            window_start: start,
        })
    }

    /// Gives a counted request back.
    pub(crate) async fn give_back(&self, counted: &Counted) -> AppResult<()> {
        Ok(self
            .store
            .uncount_in_window(&counted.bucket, counted.window_start)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_at_multiples_of_their_length() {
        let now: Timestamp = "2027-01-15T09:14:59Z".parse().unwrap();
        let (start, end) = window_of(now, SignedDuration::from_mins(15)).unwrap();
        assert_eq!(start.to_string(), "2027-01-15T09:00:00Z");
        assert_eq!(end.to_string(), "2027-01-15T09:15:00Z");
        let (start, _) = window_of(
            now.checked_add(SignedDuration::from_secs(1)).unwrap(),
            SignedDuration::from_mins(15),
        )
        .unwrap();
        assert_eq!(start.to_string(), "2027-01-15T09:15:00Z");
    }
}
