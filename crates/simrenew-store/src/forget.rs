//! The forget feed on PostgreSQL (`simrenew_app::forget`): what a process forgets goes out
//! with `NOTIFY` on one channel, each event marked with the schema (so that databases that
//! share a server in schemas keep to themselves) and the process it came from; every process
//! `LISTEN`s and forgets what the others wrote. Publishing never waits: events are queued and
//! sent in batches by a task of their own, on the pool, after the commit they follow. A
//! listener whose connection dropped forgets everything once it is back, as it may have
//! missed events meanwhile.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use simrenew_app::forget::{Forget, ForgetFeed};
use simrenew_app::App;
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use crate::{Db, Dialect};

/// The channel every process listens on.
const CHANNEL: &str = "simrenew_forget";

/// A notification's payload stays under PostgreSQL's 8,000 bytes.
const MAX_PAYLOAD: usize = 7_000;

struct Feed {
    queue: mpsc::UnboundedSender<String>,
    /// Published and not sent yet.
    pending: Arc<AtomicUsize>,
}

impl ForgetFeed for Feed {
    fn publish(&self, what: &Forget) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.queue.send(what.encode()).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }
}

/// Events joined into payloads of at most [`MAX_PAYLOAD`] bytes, one per line.
fn payloads(prefix: &str, events: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let line = format!("{prefix}{e}");
        match out.last_mut() {
            Some(p) if p.len() + 1 + line.len() <= MAX_PAYLOAD => {
                p.push('\n');
                p.push_str(&line);
            }
            _ => out.push(line),
        }
    }
    out
}

impl Db {
    /// On PostgreSQL, starts the feed for `app` and the listener that makes it forget what
    /// other processes wrote; answers `app` with the feed. On SQLite, `app` as it is.
    pub async fn forget_across_processes(&self, app: App) -> Result<App, String> {
        if self.dialect != Dialect::Postgres {
            return Ok(app);
        }
        let schema: String = sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| format!("reading the schema: {e}"))?;
        let origin = format!("{:016x}", rand::random::<u64>());
        let prefix = format!("{schema}|{origin}|");

        let mut listener = PgListener::connect(&self.url)
            .await
            .map_err(|e| format!("listening for other processes' writes: {e}"))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(|e| format!("listening for other processes' writes: {e}"))?;

        let (queue, mut events) = mpsc::unbounded_channel::<String>();
        let pool = self.pool.clone();
        let sent_prefix = prefix.clone();
        let pending = Arc::new(AtomicUsize::new(0));
        let unsent = pending.clone();
        tokio::spawn(async move {
            while let Some(first) = events.recv().await {
                let mut batch = vec![first];
                while let Ok(more) = events.try_recv() {
                    batch.push(more);
                    if batch.len() >= 1_000 {
                        break;
                    }
                }
                let taken = batch.len();
                batch.sort_unstable();
                batch.dedup();
                for payload in payloads(&sent_prefix, &batch) {
                    let sent = sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
                        .bind(CHANNEL)
                        .bind(payload)
                        .execute(&pool)
                        .await;
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, "other processes could not be told what to forget; their caches expire by themselves");
                    }
                }
                unsent.fetch_sub(taken, Ordering::SeqCst);
            }
        });

        let app = app.with_forget_feed(Arc::new(Feed { queue, pending }));
        let hearing = app.clone();
        let own = format!("{schema}|{origin}|");
        let ours = format!("{schema}|");
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        for line in n.payload().lines() {
                            let Some(event) = line.strip_prefix(&ours) else {
                                continue;
                            };
                            if line.starts_with(&own) {
                                continue;
                            }
                            let Some((_, event)) = event.split_once('|') else {
                                continue;
                            };
                            if let Some(what) = Forget::decode(event) {
                                hearing.forget_here(&what);
                            }
                        }
                    }
                    // The connection dropped and is back: what came meanwhile is lost.
                    Ok(None) => hearing.forget_everything_here(),
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for other processes' writes failed; trying again");
                        hearing.forget_everything_here();
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(app)
    }
}

#[cfg(test)]
mod tests {
    use super::payloads;

    #[test]
    fn events_are_packed_under_the_payload_limit() {
        let events: Vec<String> = (0..1_000).map(|i| format!("line +3247{i:07}")).collect();
        let p = payloads("public|0123456789abcdef|", &events);
        assert!(p.len() > 1);
        assert!(p.iter().all(|p| p.len() <= super::MAX_PAYLOAD));
        assert_eq!(p.iter().map(|p| p.lines().count()).sum::<usize>(), 1_000);
    }
}
