//! What a process keeps in memory (line reads, authenticated keys, line access, catalogs) is
//! forgotten where it was written at once, and in every other process through the
//! [`ForgetFeed`] port, so that several servers and workers on one database behave as one: a
//! renewal or a usage debit through one is read through another at once, a key revoked in
//! one is refused by all. The store's PostgreSQL feed carries the events with
//! `LISTEN`/`NOTIFY`; without a feed (SQLite, one process) the caches' time-to-live bounds
//! what another process (the CLI) may leave stale.

use std::sync::Arc;

use crate::App;

/// What to forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forget {
    /// One line's read, by its E.164 number.
    Line(String),
    /// Every line read (a batch of lifecycle moves, an erasure).
    AllLines,
    /// Every authenticated key (one was revoked).
    Principals,
    /// One line's access facts (its subscriber changed).
    Access(String),
    /// Every brand's catalog and promotions.
    Catalogs,
    /// Which lines a subscriber holds, or their name (a line sold to them, their details
    /// recorded).
    Subscriber(i64),
}

impl Forget {
    /// The event as the feed carries it.
    pub fn encode(&self) -> String {
        match self {
            Forget::Line(m) => format!("line {m}"),
            Forget::AllLines => "lines".to_owned(),
            Forget::Principals => "principals".to_owned(),
            Forget::Access(m) => format!("access {m}"),
            Forget::Catalogs => "catalogs".to_owned(),
            Forget::Subscriber(id) => format!("subscriber {id}"),
        }
    }

    /// An event from the feed; `None` for one this version does not know.
    pub fn decode(text: &str) -> Option<Self> {
        let plain = |m: &str| {
            simrenew_domain::identifiers::Msisdn::parse(m)
                .ok()
                .map(|m| m.as_str().to_owned())
        };
        match text.split_once(' ') {
            Some(("line", m)) => plain(m).map(Forget::Line),
            Some(("access", m)) => plain(m).map(Forget::Access),
            Some(("subscriber", id)) => id.parse().ok().map(Forget::Subscriber),
            None if text == "lines" => Some(Forget::AllLines),
            None if text == "principals" => Some(Forget::Principals),
            None if text == "catalogs" => Some(Forget::Catalogs),
            _ => None,
        }
    }
}

/// Tells the other processes what to forget. Must not wait: it is called after commits, on
/// the request's path.
pub trait ForgetFeed: Send + Sync {
    fn publish(&self, what: &Forget);
    /// Events published and not sent yet.
    fn pending(&self) -> usize {
        0
    }
}

impl App {
    /// Tells the other processes on this database what this one forgets.
    pub fn with_forget_feed(mut self, feed: Arc<dyn ForgetFeed>) -> Self {
        self.forget_feed = Some(feed);
        self
    }

    /// Forgets here and tells the other processes.
    pub(crate) fn forget(&self, what: Forget) {
        self.forget_here(&what);
        if let Some(feed) = &self.forget_feed {
            feed.publish(&what);
        }
    }

    /// Waits (at most `within`) until what this process published has gone out: a command
    /// that exits after its writes calls it last.
    pub async fn forget_sent(&self, within: std::time::Duration) {
        let Some(feed) = &self.forget_feed else {
            return;
        };
        let deadline = std::time::Instant::now() + within;
        while feed.pending() > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Forgets here only: what another process said it changed.
    pub fn forget_here(&self, what: &Forget) {
        match what {
            Forget::Line(m) => {
                self.line_cache.invalidate(m.as_str());
                self.portfolio.lines.invalidate(m.as_str());
            }
            Forget::AllLines => {
                self.line_cache.invalidate_all();
                self.portfolio.lines.invalidate_all();
                self.portfolio.subscribers.invalidate_all();
            }
            Forget::Principals => self.principal_cache.invalidate_all(),
            Forget::Access(m) => {
                self.access_cache.invalidate(m.as_str());
                // The line may have changed hands: which subscriber held it is not kept here.
                self.portfolio.subscribers.invalidate_all();
            }
            Forget::Catalogs => self.catalog_cache.invalidate_all(),
            Forget::Subscriber(id) => self
                .portfolio
                .subscribers
                .invalidate(&simrenew_domain::ids::SubscriberId(*id)),
        }
    }

    /// Forgets everything kept here: the feed was interrupted, and what it carried meanwhile
    /// is lost.
    pub fn forget_everything_here(&self) {
        self.line_cache.invalidate_all();
        self.principal_cache.invalidate_all();
        self.access_cache.invalidate_all();
        self.catalog_cache.invalidate_all();
        self.portfolio.lines.invalidate_all();
        self.portfolio.subscribers.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::Forget;

    #[test]
    fn events_read_back_as_written_and_nothing_else_reads() {
        for e in [
            Forget::Line("+32470123456".into()),
            Forget::AllLines,
            Forget::Principals,
            Forget::Access("+32470123456".into()),
            Forget::Subscriber(42),
            Forget::Catalogs,
        ] {
            assert_eq!(Forget::decode(&e.encode()), Some(e));
        }
        assert_eq!(Forget::decode("line not-a-number"), None);
        assert_eq!(Forget::decode("everything"), None);
    }
}
