//! Usage records into the application: `simrenew import usage FILE.csv`, and the worker's
//! durable JetStream consumer (`SIMRENEW_NATS_URL`). Both read with `simrenew-network`'s
//! parsers and count with `App::record_usage`, which keeps each record once by its id.

use std::collections::VecDeque;
use std::fs::File;
use std::hash::BuildHasher as _;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use anyhow::Context;
use async_trait::async_trait;
use simrenew_app::network::usage::{UsageOutcome, UsageRecord, UsageReport, UsageSource};
use simrenew_app::App;
use simrenew_network::jetstream::{
    HandlerError, Refusal, UsageBatchHandler, UsageConsumer, UsageStreamConfig,
};
use simrenew_network::usage::{self as records, UsageLine, UsageReader};
use tokio::sync::oneshot;

fn into_app(r: records::UsageRecord) -> UsageRecord {
    UsageRecord {
        record_id: r.record_id.into_string(),
        msisdn: r.msisdn,
        start: r.start,
        end: r.end,
        bytes: r.bytes,
    }
}

/// Where the rejects of `file` go unless told: `FILE.rejects.csv` beside it.
pub fn default_rejects(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "usage".to_owned());
    file.with_file_name(format!("{stem}.rejects.csv"))
}

/// The rejects file: every line that was not counted, with where and why, in the file's
/// order.
struct Rejects {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    count: u64,
    /// Lines not counted and not yet written: written in order once no batch still being read
    /// or counted holds a line before them.
    pending: Vec<Rejected>,
}

struct Rejected {
    line: u64,
    record_id: String,
    field: String,
    reason: String,
    raw: String,
}

impl Rejects {
    fn create(path: PathBuf) -> anyhow::Result<Self> {
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer.write_record(["line", "record_id", "field", "reason", "record"])?;
        Ok(Self {
            path,
            writer,
            count: 0,
            pending: Vec::new(),
        })
    }

    fn push(&mut self, line: u64, record_id: &str, field: &str, reason: &str, raw: &str) {
        self.count += 1;
        self.pending.push(Rejected {
            line,
            record_id: record_id.to_owned(),
            field: field.to_owned(),
            reason: reason.to_owned(),
            raw: raw.to_owned(),
        });
    }

    /// Writes the lines not counted before line `before`.
    fn write_before(&mut self, before: u64) -> anyhow::Result<()> {
        if !self.pending.iter().any(|r| r.line < before) {
            return Ok(());
        }
        self.pending.sort_by_key(|r| r.line);
        let later = self.pending.partition_point(|r| r.line < before);
        for r in self.pending.drain(..later) {
            self.writer
                .write_record([
                    r.line.to_string().as_str(),
                    &r.record_id,
                    &r.field,
                    &r.reason,
                    &r.raw,
                ])
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        Ok(())
    }
}

/// Splits a refusal's reason (`field: why`) into its field and reason.
fn field_of(reason: &str) -> (&str, &str) {
    match reason.split_once(": ") {
        Some((field, why)) if !field.contains(' ') => (field, why),
        _ => ("record", reason),
    }
}

/// `simrenew import usage FILE.csv [--rejects REJECTS.csv]`: counts the good records, each
/// once however often the file is imported, and writes every other line to the rejects file.
///
/// The records are read while those before are being counted, in as many lanes as the store
/// counts batches at once ([`App::usage_lanes`]): a line's records all go to one lane (by its
/// number), so that each line's are counted in the file's order and two lanes never wait for
/// each other's lines.
pub async fn import(app: &App, file: &Path, rejects: Option<&Path>) -> anyhow::Result<()> {
    let input = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let file_bytes = input.metadata().map_or(0, |m| m.len());
    let mut reader = UsageReader::new(BufReader::new(input))
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let rejects_path = rejects.map_or_else(|| default_rejects(file), Path::to_path_buf);
    let mut rejected = Rejects::create(rejects_path)?;
    let mut report = UsageReport::default();
    let most = app.usage_batch();
    let first = (most / FIRST_SHARE).max(FIRST_LEAST).min(most);
    let mut lanes: Vec<Lane> = (0..app.usage_lanes())
        .map(|_| Lane {
            filling: Batch::with_capacity(first),
            size: first,
            counting: VecDeque::with_capacity(IN_FLIGHT),
        })
        .collect();
    let lane_of = foldhash::fast::FixedState::with_seed(0);
    let mut read = 0u64;
    while let Some(next) = reader.next() {
        read += 1;
        let next = match next {
            Ok(next) => next,
            Err(e) => {
                // What was sent is counted (or not) whole before the error is told.
                for lane in &mut lanes {
                    while let Some(c) = lane.counting.pop_front() {
                        c.settle(&mut report, &mut rejected).await?;
                    }
                }
                rejected.write_before(u64::MAX)?;
                rejected.writer.flush()?;
                return Err(anyhow::anyhow!("{}: {e}", file.display()));
            }
        };
        let r = match next {
            UsageLine::Record(r) => r,
            UsageLine::Reject(r) => {
                rejected.push(
                    r.line,
                    r.record_id.as_deref().unwrap_or(""),
                    r.field,
                    &r.reason,
                    &r.raw,
                );
                continue;
            }
        };
        let n = (lane_of.hash_one(r.msisdn.as_str()) % lanes.len() as u64) as usize;
        let lane = &mut lanes[n];
        let batch = &mut lane.filling;
        let from = batch.raw.len();
        reader.push_last_raw(&mut batch.raw);
        batch
            .lines
            .push((reader.last_line(), from..batch.raw.len()));
        batch.records.push(into_app(r));
        if batch.records.len() == lane.size {
            // Each lane's share of what is left, estimated from the bytes a record took so
            // far: near the end of the file the batches shrink again, so that the lanes end
            // together rather than one counting a large last batch alone.
            let left = file_bytes.saturating_sub(reader.bytes_read());
            let share = left.saturating_mul(read) / reader.bytes_read().max(1) / lanes.len() as u64;
            let lane = &mut lanes[n];
            lane.size = (lane.size * 2)
                .min(most)
                .min((share / 2).max(first as u64) as usize);
            let full = std::mem::replace(&mut lane.filling, Batch::with_capacity(lane.size));
            lane.send(app, full, &mut report, &mut rejected).await?;
            let before = lanes
                .iter()
                .filter_map(Lane::first_line)
                .min()
                .unwrap_or(reader.last_line() + 1);
            rejected.write_before(before)?;
        }
    }
    for lane in &mut lanes {
        let last = std::mem::replace(&mut lane.filling, Batch::with_capacity(0));
        lane.send(app, last, &mut report, &mut rejected).await?;
    }
    for lane in &mut lanes {
        while let Some(c) = lane.counting.pop_front() {
            c.settle(&mut report, &mut rejected).await?;
        }
    }
    rejected.write_before(u64::MAX)?;
    rejected.writer.flush()?;
    println!(
        "{}: {} records counted ({} bytes from bundles, {} beyond them), {} counted before, {} rejected",
        file.display(),
        report.counted,
        report.debited_bytes,
        report.uncovered_bytes,
        report.repeats,
        rejected.count
    );
    if rejected.count > 0 {
        eprintln!(
            "{} lines were not counted; each is in {} with the reason",
            rejected.count,
            rejected.path.display()
        );
    }
    Ok(())
}

/// Batches a lane has sent and not settled: one being counted, the next waiting for it, so
/// that the next starts the moment the one before commits rather than when the file's reader
/// gets back to this lane.
const IN_FLIGHT: usize = 2;

/// A lane's first batch is this share of the most a transaction takes ([`App::usage_batch`]),
/// and each next one twice the one before up to that most: the lanes start counting soon
/// after the file is opened, and then pay each batch's lines and bundles rarely.
const FIRST_SHARE: usize = 16;

/// Records of a lane's first batch, at least.
const FIRST_LEAST: usize = 500;

/// A lane of the import: the batch being read, and those before it sent, oldest first.
struct Lane {
    filling: Batch,
    /// Records the batch being read takes.
    size: usize,
    counting: VecDeque<Counting>,
}

impl Lane {
    /// Sends `batch` to be counted after those sent before, settling the oldest first when
    /// [`IN_FLIGHT`] are out.
    async fn send(
        &mut self,
        app: &App,
        batch: Batch,
        report: &mut UsageReport,
        rejected: &mut Rejects,
    ) -> anyhow::Result<()> {
        if self.counting.len() >= IN_FLIGHT {
            if let Some(oldest) = self.counting.pop_front() {
                oldest.settle(report, rejected).await?;
            }
        }
        let after = self.counting.back_mut().and_then(|c| c.done.take());
        self.counting.push_back(Counting::start(app, batch, after));
        Ok(())
    }

    /// The first line of the file this lane has not counted yet.
    fn first_line(&self) -> Option<u64> {
        let counting = self.counting.front().and_then(|c| c.lines.first());
        counting
            .or_else(|| self.filling.lines.first())
            .map(|(line, _)| *line)
    }
}

/// Records read and not yet sent, with the line each began on and where its text is in
/// `raw` (the batch's lines one after the other: one buffer rather than a string each).
struct Batch {
    records: Vec<UsageRecord>,
    lines: Vec<(u64, std::ops::Range<usize>)>,
    raw: String,
}

impl Batch {
    fn with_capacity(n: usize) -> Self {
        Self {
            records: Vec::with_capacity(n),
            lines: Vec::with_capacity(n),
            raw: String::with_capacity(n * 80),
        }
    }
}

/// A batch sent, and what became of each of its records (or why it could not be counted).
type Counted = (Vec<UsageRecord>, Result<Vec<UsageOutcome>, String>);

/// A batch being counted.
struct Counting {
    task: tokio::task::JoinHandle<Counted>,
    lines: Vec<(u64, std::ops::Range<usize>)>,
    raw: String,
    /// Told whether the batch was counted once it is over, for the lane's next batch to wait
    /// on.
    done: Option<oneshot::Receiver<bool>>,
}

impl Counting {
    /// Counts `batch` once `after` (the lane's batch before) is counted: a lane's batches
    /// share lines, whose records are counted in the file's order.
    fn start(app: &App, batch: Batch, after: Option<oneshot::Receiver<bool>>) -> Self {
        let app = app.clone();
        let records = batch.records;
        let (counted, done) = oneshot::channel();
        let task = tokio::spawn(async move {
            if let Some(after) = after {
                // A lane stops at its first batch not counted.
                if after.await != Ok(true) {
                    let stopped = "not sent: the batch before it was not counted".to_owned();
                    return (records, Err(stopped));
                }
            }
            let outcomes = if records.is_empty() {
                Ok(Vec::new())
            } else {
                app.record_usage(&records, UsageSource::File)
                    .await
                    .map_err(|e| e.to_string())
            };
            let _ = counted.send(outcomes.is_ok());
            (records, outcomes)
        });
        Self {
            task,
            lines: batch.lines,
            raw: batch.raw,
            done: Some(done),
        }
    }

    /// Waits for the batch and holds its rejects to be written in the file's order.
    async fn settle(self, report: &mut UsageReport, rejected: &mut Rejects) -> anyhow::Result<()> {
        let (records, outcomes) = self.task.await.context("counting usage")?;
        let outcomes = outcomes.map_err(|e| anyhow::anyhow!("counting usage: {e}"))?;
        report.add(&outcomes);
        for ((r, (line, raw)), outcome) in records.iter().zip(&self.lines).zip(&outcomes) {
            if let UsageOutcome::Refused(reason) = outcome {
                let (field, why) = field_of(reason);
                rejected.push(*line, &r.record_id, field, why, &self.raw[raw.clone()]);
            }
        }
        Ok(())
    }
}

/// The worker's side of the stream: a batch counted in one transaction, its refusals named.
pub struct StreamHandler {
    pub app: App,
}

#[async_trait]
impl UsageBatchHandler for StreamHandler {
    async fn commit(&self, batch: &[records::UsageRecord]) -> Result<Vec<Refusal>, HandlerError> {
        let records: Vec<UsageRecord> = batch.iter().cloned().map(into_app).collect();
        let outcomes = self
            .app
            .record_usage(&records, UsageSource::Stream)
            .await
            .map_err(|e| HandlerError(e.to_string()))?;
        Ok(outcomes
            .into_iter()
            .enumerate()
            .filter_map(|(index, o)| match o {
                UsageOutcome::Refused(reason) => Some(Refusal { index, reason }),
                _ => None,
            })
            .collect())
    }
}

/// The stream from `SIMRENEW_NATS_URL`, `SIMRENEW_USAGE_STREAM` (`USAGE`) and
/// `SIMRENEW_USAGE_SUBJECT` (`usage.records`); `None` without a URL.
pub fn stream_config() -> Option<UsageStreamConfig> {
    let url = std::env::var("SIMRENEW_NATS_URL").ok()?;
    let stream = std::env::var("SIMRENEW_USAGE_STREAM").unwrap_or_else(|_| "USAGE".to_owned());
    let subject =
        std::env::var("SIMRENEW_USAGE_SUBJECT").unwrap_or_else(|_| "usage.records".to_owned());
    Some(UsageStreamConfig::new(&url, &stream, &subject))
}

/// How long a worker waits before it tries NATS again.
const RECONNECT: std::time::Duration = std::time::Duration::from_secs(5);

/// Consumes the usage stream: until stopped, or with `once` until a pull finds nothing. A
/// NATS that does not answer is an error with `once`; otherwise the worker goes on with the
/// rest of its work and tries again every few seconds (`/readyz` says so meanwhile).
pub async fn consume(app: App, config: UsageStreamConfig, once: bool) -> anyhow::Result<()> {
    let consumer = loop {
        match UsageConsumer::connect(config.clone()).await {
            Ok(consumer) => break consumer,
            Err(e) if once => {
                return Err(e)
                    .with_context(|| format!("usage stream {} on {}", config.stream, config.url))
            }
            Err(e) => {
                tracing::warn!(error = %e, stream = %config.stream, "the usage stream is not reachable; trying again");
                tokio::time::sleep(RECONNECT).await;
            }
        }
    };
    tracing::info!(stream = %config.stream, subject = %config.subject, "counting usage from JetStream");
    let handler = StreamHandler { app };
    if once {
        loop {
            let stats = consumer.run_once(&handler).await?;
            if stats.batches == 0 {
                return Ok(());
            }
        }
    }
    let stats = consumer.run(&handler, std::future::pending()).await;
    tracing::info!(?stats, "usage stream stopped");
    Ok(())
}
