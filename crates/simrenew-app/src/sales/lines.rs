//! Looking lines up, listing them and importing them.

use std::sync::Arc;

use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::line::Line;

use super::ports::{LineDetails, LineFilter, NewLine};
use crate::{App, AppError, AppResult, StoreError};

/// The most lines one page holds.
pub const MAX_PAGE: u32 = 500;

/// A row that could not be imported, by its position in the input (1-based, header excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub row: usize,
    pub field: &'static str,
    pub reason: String,
}

impl App {
    /// The line as cached now, if it is: `msisdn` in its canonical E.164 form.
    pub fn cached_line(&self, msisdn: &str) -> Option<Arc<LineDetails>> {
        self.line_cache.get(msisdn)
    }

    /// A line with its brand and bundles, from the cache when it was read in the last
    /// [`crate::LINE_CACHE_TTL`]. Bundles that have ended since are still in the list: callers
    /// judge bundles against `now` (`Bundle::is_current`).
    pub async fn line(&self, msisdn: &Msisdn) -> AppResult<Arc<LineDetails>> {
        if let Some(hit) = self.line_cache.get(msisdn.as_str()) {
            return Ok(hit);
        }
        let details = Arc::new(
            self.store
                .line_details(msisdn, self.now())
                .await?
                .ok_or(AppError::not_found("line", "msisdn"))?,
        );
        self.line_cache
            .insert(msisdn.as_str().to_owned(), details.clone());
        Ok(details)
    }

    pub async fn lines(&self, filter: &LineFilter) -> AppResult<Vec<Line>> {
        let filter = LineFilter {
            limit: filter.limit.clamp(1, MAX_PAGE),
            ..filter.clone()
        };
        Ok(self.store.lines(&filter, self.now()).await?)
    }

    /// Imports lines that parsed, in one transaction. Rows whose MSISDN or ICCID is already
    /// known (or repeated in the input) are rejected; with `skip_bad` the others are imported,
    /// otherwise nothing is.
    pub async fn import_lines(
        &self,
        rows: &[(usize, NewLine)],
        skip_bad: bool,
        mut progress: impl FnMut(usize) + Send,
    ) -> AppResult<(usize, Vec<RejectedRow>)> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut rejected = vec![];
        let mut seen = std::collections::HashSet::new();
        let mut existing = std::collections::HashSet::new();
        for chunk in rows.chunks(500) {
            let msisdns: Vec<String> = chunk.iter().map(|(_, l)| l.msisdn.to_string()).collect();
            let iccids: Vec<String> = chunk
                .iter()
                .filter_map(|(_, l)| l.identity.iccid().map(|i| i.to_string()))
                .collect();
            existing.extend(tx.existing_line_keys(&msisdns, &iccids).await?);
        }
        let mut imported = 0;
        for (row, line) in rows {
            let msisdn = line.msisdn.to_string();
            let iccid = line.identity.iccid().map(|i| i.to_string());
            let msisdn_clash = existing.contains(&msisdn) || !seen.insert(msisdn.clone());
            let clash = if msisdn_clash {
                Some(("msisdn", format!("{msisdn} is already a line")))
            } else {
                iccid
                    .filter(|i| existing.contains(i) || !seen.insert(i.clone()))
                    .map(|iccid| ("iccid", format!("{iccid} is already on a line")))
            };
            if let Some((field, reason)) = clash {
                rejected.push(RejectedRow {
                    row: *row,
                    field,
                    reason,
                });
                continue;
            }
            match tx.insert_line(line, now).await {
                Ok(_) => imported += 1,
                Err(StoreError::Conflict { constraint }) => {
                    return Err(AppError::Conflict {
                        field: Some("msisdn"),
                        message: format!("row {row}: {constraint}"),
                    })
                }
                Err(e) => return Err(e.into()),
            }
            progress(imported);
        }
        if !rejected.is_empty() && !skip_bad {
            return Ok((0, rejected));
        }
        tx.commit().await?;
        let mut holders = std::collections::BTreeSet::new();
        for (_, line) in rows {
            self.line_changed(&line.msisdn);
            holders.extend(line.subscriber_id);
        }
        for subscriber in holders {
            self.subscriber_changed(subscriber);
        }
        Ok((imported, rejected))
    }
}
