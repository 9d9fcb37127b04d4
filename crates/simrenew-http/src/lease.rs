//! The heartbeat of an idempotent attempt, shared by the API's `Idempotency-Key` layer and the
//! pages' one-time form tokens.

use simrenew_app::idempotency::{Attempt, HEARTBEAT};
use simrenew_app::App;

/// Renews an attempt's lease while its request runs; stops when dropped (the request ended,
/// or its client went away and the request with it).
pub(crate) struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    pub(crate) fn start(app: &App, attempt: &Attempt) -> Self {
        let app = app.clone();
        let attempt = attempt.clone();
        Heartbeat(tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = app.idempotency_heartbeat(&attempt).await {
                    tracing::warn!(error = %e, "an idempotency lease could not be renewed");
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}
