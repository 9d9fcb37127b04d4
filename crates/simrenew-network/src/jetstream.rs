//! Usage records from a NATS JetStream stream: a durable pull consumer that hands the records
//! to the caller in batches and acknowledges each message only after the caller committed it.
//!
//! - A message is one record in the CSV columns without header ([`crate::usage::parse_record`]).
//! - A malformed message goes to the rejects subject (its payload, with the headers
//!   `Simrenew-Reject-Field`, `Simrenew-Reject-Reason`, `Simrenew-Original-Subject` and a
//!   `Nats-Msg-Id` made of the stream and sequence, so a repeat is dropped by JetStream), and
//!   is acknowledged once JetStream has stored the reject. A record the handler refuses (an
//!   unknown line) goes there too, with the handler's reason.
//! - The handler commits a batch or fails. Committed: every message of the batch is
//!   acknowledged. Failed: every message is negatively acknowledged with a delay, and comes
//!   again. A consumer that stops in the middle (killed, dropped) acknowledged nothing of
//!   that batch: JetStream delivers it again after `ack_wait`. The handler must therefore
//!   count a record once by its id (the store's unique key does that).
//! - At most `max_in_flight` messages are delivered and not yet acknowledged
//!   (`max_ack_pending`); a batch is at most `batch_size`.
//! - [`UsageConsumer::run`] stops when `shutdown` completes, between batches: the batch in
//!   hand is finished and acknowledged first.
//!
//! The stream, the rejects stream and the durable consumer are created when missing.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream, AckKind};
use async_trait::async_trait;
use futures_util::StreamExt;

use crate::usage::{parse_record_with, NumberCache, UsageRecord};

#[derive(Debug, Clone)]
pub struct UsageStreamConfig {
    /// `nats://127.0.0.1:4222`.
    pub url: String,
    /// The stream that holds the records, and the subject they are published on.
    pub stream: String,
    pub subject: String,
    /// The durable consumer's name: several workers with the same name share the work.
    pub durable: String,
    /// Where malformed and refused records go, and the stream that keeps them.
    pub rejects_stream: String,
    pub rejects_subject: String,
    /// Records per batch handed to the handler.
    pub batch_size: usize,
    /// Messages delivered and not yet acknowledged, at most.
    pub max_in_flight: i64,
    /// How long JetStream waits for an acknowledgement before it delivers again.
    pub ack_wait: Duration,
    /// How long one pull waits for messages when there are none.
    pub fetch_wait: Duration,
    /// How long a batch the handler failed waits before it comes again.
    pub retry_delay: Duration,
    pub connect_timeout: Duration,
}

impl UsageStreamConfig {
    /// The defaults for a stream and subject: batches of 500, 2,000 in flight, 30 s ack wait.
    pub fn new(url: &str, stream: &str, subject: &str) -> Self {
        Self {
            url: url.to_owned(),
            stream: stream.to_owned(),
            subject: subject.to_owned(),
            durable: format!("{stream}-simrenew"),
            rejects_stream: format!("{stream}-REJECTS"),
            rejects_subject: format!("{subject}.rejects"),
            batch_size: 500,
            max_in_flight: 2_000,
            ack_wait: Duration::from_secs(30),
            fetch_wait: Duration::from_secs(1),
            retry_delay: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// A record of a committed batch that the handler did not take, and why (e.g. no such line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Its index in the batch.
    pub index: usize,
    pub reason: String,
}

/// The handler could not commit the batch; nothing of it counts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HandlerError(pub String);

/// What the caller does with a batch: commit it in one transaction, counting each record once
/// by its id, and say which records it refused.
#[async_trait]
pub trait UsageBatchHandler: Send + Sync {
    async fn commit(&self, batch: &[UsageRecord]) -> Result<Vec<Refusal>, HandlerError>;
}

/// What went wrong with NATS itself.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("cannot connect to NATS at {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("JetStream: {0}")]
    JetStream(String),
}

fn js_err(e: impl std::fmt::Display) -> StreamError {
    StreamError::JetStream(e.to_string())
}

/// Counts of what one consumer did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsumerStats {
    pub batches: u64,
    /// Records in committed batches, refused ones included.
    pub committed: u64,
    pub malformed: u64,
    pub refused: u64,
    /// Batches the handler failed (their messages come again).
    pub failed_batches: u64,
}

/// Whether the NATS server at `url` answers with JetStream on, within `timeout`: what a
/// readiness probe asks.
pub async fn answers(url: &str, timeout: Duration) -> Result<(), String> {
    let probe = async {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(timeout)
            .connect(url)
            .await
            .map_err(|_| "cannot connect".to_owned())?;
        let info = jetstream::new(client.clone())
            .query_account()
            .await
            .map_err(|_| "JetStream does not answer".to_owned());
        let _ = client.drain().await;
        info.map(|_| ())
    };
    tokio::time::timeout(timeout, probe)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} ms", timeout.as_millis())))
}

/// A durable JetStream consumer of usage records.
pub struct UsageConsumer {
    client: async_nats::Client,
    js: jetstream::Context,
    consumer: consumer::PullConsumer,
    config: UsageStreamConfig,
    numbers: std::sync::Mutex<NumberCache>,
}

impl UsageConsumer {
    /// Connects, and creates the streams and the durable consumer when missing.
    pub async fn connect(config: UsageStreamConfig) -> Result<Self, StreamError> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(config.connect_timeout)
            .connect(config.url.as_str())
            .await
            .map_err(|e| StreamError::Connect {
                url: config.url.clone(),
                detail: e.to_string(),
            })?;
        let js = jetstream::new(client.clone());
        let stream = js
            .get_or_create_stream(stream::Config {
                name: config.stream.clone(),
                subjects: vec![config.subject.clone()],
                ..Default::default()
            })
            .await
            .map_err(js_err)?;
        js.get_or_create_stream(stream::Config {
            name: config.rejects_stream.clone(),
            subjects: vec![config.rejects_subject.clone()],
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .map_err(js_err)?;
        let consumer = stream
            .get_or_create_consumer(
                &config.durable,
                consumer::pull::Config {
                    durable_name: Some(config.durable.clone()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: config.ack_wait,
                    max_ack_pending: config.max_in_flight,
                    filter_subject: config.subject.clone(),
                    ..Default::default()
                },
            )
            .await
            .map_err(js_err)?;
        Ok(Self {
            client,
            js,
            consumer,
            config,
            numbers: std::sync::Mutex::new(NumberCache::default()),
        })
    }

    /// Pulls and handles batches until `shutdown` completes; the batch in hand is finished
    /// first. A NATS failure while pulling is logged and pulling resumes after a pause.
    pub async fn run(
        &self,
        handler: &dyn UsageBatchHandler,
        shutdown: impl Future<Output = ()>,
    ) -> ConsumerStats {
        let mut stats = ConsumerStats::default();
        tokio::pin!(shutdown);
        loop {
            let pulled = tokio::select! {
                biased;
                () = &mut shutdown => break,
                pulled = self.pull() => pulled,
            };
            match pulled {
                Ok(messages) if messages.is_empty() => {}
                Ok(messages) => self.handle(messages, handler, &mut stats).await,
                Err(e) => {
                    tracing::warn!(error = %e, "pulling usage records failed; pulling again soon");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(self.config.fetch_wait) => {}
                    }
                }
            }
        }
        stats
    }

    /// Pulls one batch (waiting up to `fetch_wait`) and handles it; for tools and tests.
    pub async fn run_once(
        &self,
        handler: &dyn UsageBatchHandler,
    ) -> Result<ConsumerStats, StreamError> {
        let mut stats = ConsumerStats::default();
        let messages = self.pull().await?;
        if !messages.is_empty() {
            self.handle(messages, handler, &mut stats).await;
        }
        Ok(stats)
    }

    async fn pull(&self) -> Result<Vec<jetstream::Message>, StreamError> {
        let mut batch = self
            .consumer
            .batch()
            .max_messages(self.config.batch_size)
            .expires(self.config.fetch_wait)
            .messages()
            .await
            .map_err(js_err)?;
        let mut messages = Vec::with_capacity(self.config.batch_size);
        while let Some(m) = batch.next().await {
            messages.push(m.map_err(js_err)?);
        }
        Ok(messages)
    }

    async fn handle(
        &self,
        messages: Vec<jetstream::Message>,
        handler: &dyn UsageBatchHandler,
        stats: &mut ConsumerStats,
    ) {
        stats.batches += 1;
        let mut records = Vec::with_capacity(messages.len());
        let mut held = Vec::with_capacity(messages.len());
        let parsed: Vec<_> = {
            let mut numbers = self
                .numbers
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            messages
                .into_iter()
                .map(|m| (parse_record_with(&m.payload, &mut numbers), m))
                .collect()
        };
        for (parsed, m) in parsed {
            match parsed {
                Ok(r) => {
                    records.push(r);
                    held.push(m);
                }
                Err(reject) => {
                    stats.malformed += 1;
                    count("malformed");
                    self.reject(&m, reject.field, &reject.to_string()).await;
                }
            }
        }
        if records.is_empty() {
            return;
        }
        match handler.commit(&records).await {
            Ok(refusals) => {
                stats.committed += records.len() as u64;
                stats.refused += refusals.len() as u64;
                count_n("committed", records.len() - refusals.len());
                let mut refused = vec![None; held.len()];
                for r in refusals {
                    if let Some(slot) = refused.get_mut(r.index) {
                        *slot = Some(r.reason);
                    }
                }
                for (m, refusal) in held.iter().zip(refused) {
                    match refusal {
                        Some(reason) => {
                            count("refused");
                            self.reject(m, "record", &reason).await;
                        }
                        None => ack(m, AckKind::Ack).await,
                    }
                }
                // Send the acknowledgements now rather than with the next batch.
                if let Err(e) = self.client.flush().await {
                    tracing::warn!(error = %e, "flushing acknowledgements failed; JetStream will deliver again");
                }
            }
            Err(e) => {
                stats.failed_batches += 1;
                tracing::warn!(
                    error = %e,
                    records = records.len(),
                    retry_in_ms = self.config.retry_delay.as_millis() as u64,
                    "the usage batch was not committed; it will come again"
                );
                for m in &held {
                    ack(m, AckKind::Nak(Some(self.config.retry_delay))).await;
                }
            }
        }
    }

    /// Publishes `m` to the rejects subject and, once JetStream stored it, acknowledges `m`.
    async fn reject(&self, m: &jetstream::Message, field: &str, reason: &str) {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Simrenew-Reject-Field", field);
        headers.insert("Simrenew-Reject-Reason", one_line(reason).as_str());
        headers.insert("Simrenew-Original-Subject", m.subject.as_str());
        let sequence = m.info().map(|i| i.stream_sequence).unwrap_or_default();
        headers.insert(
            "Nats-Msg-Id",
            format!("{}-{sequence}", self.config.stream).as_str(),
        );
        let stored = match self
            .js
            .publish_with_headers(
                self.config.rejects_subject.clone(),
                headers,
                m.payload.clone(),
            )
            .await
        {
            Ok(ack_future) => ack_future.await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match stored {
            Ok(()) => {
                tracing::info!(field, reason, "usage record rejected");
                ack(m, AckKind::Ack).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "storing a rejected usage record failed; it will come again");
                ack(m, AckKind::Nak(Some(self.config.retry_delay))).await;
            }
        }
    }
}

async fn ack(m: &jetstream::Message, kind: AckKind) {
    if let Err(e) = m.ack_with(kind).await {
        // Not acknowledged means delivered again: nothing is lost, the handler dedupes.
        tracing::warn!(error = %e, "acknowledging a usage message failed");
    }
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(500)
        .collect()
}

fn count(result: &'static str) {
    count_n(result, 1);
}

fn count_n(result: &'static str, n: usize) {
    metrics::counter!("simrenew_usage_records_total", "source" => "jetstream", "result" => result)
        .increment(n as u64);
}
