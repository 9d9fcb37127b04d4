//! The JetStream usage consumer against the real NATS server (`SIMRENEW_TEST_NATS_URL`,
//! default `nats://127.0.0.1:4222`, started by `.ci/run`). Each test makes its own streams and
//! deletes them. Outside CI, a missing server skips these tests with a message.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use async_trait::async_trait;
use simrenew_network::jetstream::{
    HandlerError, Refusal, UsageBatchHandler, UsageConsumer, UsageStreamConfig,
};
use simrenew_network::usage::UsageRecord;

fn nats_url() -> String {
    std::env::var("SIMRENEW_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// The JetStream context, or `None` (skip) when no server answers outside CI.
async fn nats() -> Option<jetstream::Context> {
    match async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(2))
        .connect(nats_url())
        .await
    {
        Ok(client) => Some(jetstream::new(client)),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!(
                "skipped: no NATS at {} ({e}); .ci/run starts one",
                nats_url()
            );
            None
        }
        Err(e) => panic!("no NATS at {}: {e}", nats_url()),
    }
}

/// Names of this test's own streams and subjects.
fn config(test: &str) -> UsageStreamConfig {
    let mut h = RandomState::new().build_hasher();
    h.write(test.as_bytes());
    let id = format!("{}_{:x}", std::process::id(), h.finish() & 0xffff_ffff);
    let stream = format!("USAGE_{test}_{id}");
    let mut c = UsageStreamConfig::new(&nats_url(), &stream, &format!("usage.{test}.{id}"));
    c.batch_size = 50;
    c.max_in_flight = 100;
    c.ack_wait = Duration::from_secs(30);
    c.fetch_wait = Duration::from_millis(200);
    c.retry_delay = Duration::from_millis(100);
    c
}

async fn cleanup(js: &jetstream::Context, c: &UsageStreamConfig) {
    let _ = js.delete_stream(&c.stream).await;
    let _ = js.delete_stream(&c.rejects_stream).await;
}

fn record(i: usize) -> String {
    format!(
        "cdr-{i},+32470100000,2027-03-01T10:00:00Z,2027-03-01T10:01:00Z,{}",
        1000 + i
    )
}

async fn publish(js: &jetstream::Context, c: &UsageStreamConfig, payloads: &[String]) {
    for p in payloads {
        js.publish(c.subject.clone(), p.clone().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

/// Keeps what it committed; fails the first `fail_first` batches; refuses one record id.
#[derive(Default)]
struct Recorder {
    committed: Mutex<Vec<UsageRecord>>,
    attempts: AtomicUsize,
    fail_first: usize,
    refuse: Option<&'static str>,
    largest_batch: AtomicUsize,
}

#[async_trait]
impl UsageBatchHandler for Recorder {
    async fn commit(&self, batch: &[UsageRecord]) -> Result<Vec<Refusal>, HandlerError> {
        self.largest_batch.fetch_max(batch.len(), Ordering::SeqCst);
        if self.attempts.fetch_add(1, Ordering::SeqCst) < self.fail_first {
            return Err(HandlerError("the database is away".into()));
        }
        let mut committed = self.committed.lock().unwrap();
        let mut refusals = vec![];
        for (index, r) in batch.iter().enumerate() {
            if Some(r.record_id.as_str()) == self.refuse {
                refusals.push(Refusal {
                    index,
                    reason: "no line +32470100000 at this operator".into(),
                });
            } else if !committed.iter().any(|c| c.record_id == r.record_id) {
                committed.push(r.clone());
            }
        }
        Ok(refusals)
    }
}

impl Recorder {
    fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .committed
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.record_id.as_str().to_owned())
            .collect();
        ids.sort();
        ids
    }
}

/// Runs `consumer` until `done` holds (at most 10 s), then stops it; its stats.
async fn run_until(
    consumer: &UsageConsumer,
    handler: &Recorder,
    done: impl Fn(&Recorder) -> bool,
) -> simrenew_network::jetstream::ConsumerStats {
    let stop = async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(handler) {
            assert!(tokio::time::Instant::now() < deadline, "timed out");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    consumer.run(handler, stop).await
}

async fn consumer_info(
    js: &jetstream::Context,
    c: &UsageStreamConfig,
) -> jetstream::consumer::Info {
    let stream = js.get_stream(&c.stream).await.unwrap();
    stream.consumer_info(&c.durable).await.unwrap()
}

#[tokio::test]
async fn records_are_committed_then_acknowledged_and_malformed_ones_rejected() {
    let Some(js) = nats().await else { return };
    let c = config("commit");
    let consumer = UsageConsumer::connect(c.clone()).await.unwrap();
    let mut payloads: Vec<String> = (0..10).map(record).collect();
    payloads.insert(
        3,
        "cdr-x,not a number,2027-03-01T10:00:00Z,2027-03-01T10:01:00Z,1".into(),
    );
    payloads.push("just garbage".into());
    publish(&js, &c, &payloads).await;

    let handler = Recorder::default();
    let stats = run_until(&consumer, &handler, |h| h.ids().len() == 10).await;
    assert_eq!(stats.committed, 10);
    // The malformed ones were handled in the same pass or the next; wait for the acks.
    let mut info = consumer_info(&js, &c).await;
    for _ in 0..50 {
        if info.num_ack_pending == 0 && info.num_pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        info = consumer_info(&js, &c).await;
    }
    assert_eq!((info.num_ack_pending, info.num_pending), (0, 0));
    assert_eq!(handler.committed.lock().unwrap()[0].bytes, 1000);

    let rejects = js.get_stream(&c.rejects_stream).await.unwrap();
    let first = rejects.get_raw_message(1).await.unwrap();
    assert_eq!(
        first.headers.get("Simrenew-Reject-Field").unwrap().as_str(),
        "msisdn"
    );
    assert!(first.payload.starts_with(b"cdr-x,"));
    let second = rejects.get_raw_message(2).await.unwrap();
    assert_eq!(
        second
            .headers
            .get("Simrenew-Reject-Field")
            .unwrap()
            .as_str(),
        "record"
    );
    assert!(second
        .headers
        .get("Simrenew-Reject-Reason")
        .unwrap()
        .as_str()
        .contains("5 expected"));
    assert_eq!(
        second
            .headers
            .get("Simrenew-Original-Subject")
            .unwrap()
            .as_str(),
        c.subject
    );
    cleanup(&js, &c).await;
}

/// Acknowledged only after the commit: a failed commit leaves the messages, which come again.
#[tokio::test]
async fn a_handler_error_leaves_the_batch_for_redelivery() {
    let Some(js) = nats().await else { return };
    let c = config("redeliver");
    let consumer = UsageConsumer::connect(c.clone()).await.unwrap();
    publish(&js, &c, &(0..5).map(record).collect::<Vec<_>>()).await;
    let handler = Recorder {
        fail_first: 2,
        ..Recorder::default()
    };
    let stats = run_until(&consumer, &handler, |h| h.ids().len() == 5).await;
    assert_eq!(stats.failed_batches, 2);
    assert!(handler.attempts.load(Ordering::SeqCst) >= 3);
    assert_eq!(handler.ids().len(), 5);
    cleanup(&js, &c).await;
}

/// A worker that stops in the middle of a batch acknowledged nothing of it: the next one gets
/// it after `ack_wait`.
#[tokio::test]
async fn a_batch_in_hand_when_the_consumer_is_dropped_is_delivered_again() {
    let Some(js) = nats().await else { return };
    let mut c = config("dropped");
    c.ack_wait = Duration::from_secs(1);

    struct Stuck(Arc<AtomicBool>);
    #[async_trait]
    impl UsageBatchHandler for Stuck {
        async fn commit(&self, _: &[UsageRecord]) -> Result<Vec<Refusal>, HandlerError> {
            self.0.store(true, Ordering::SeqCst);
            std::future::pending().await
        }
    }
    let entered = Arc::new(AtomicBool::new(false));
    let first = UsageConsumer::connect(c.clone()).await.unwrap();
    publish(&js, &c, &(0..4).map(record).collect::<Vec<_>>()).await;
    let stuck = Stuck(entered.clone());
    let task = tokio::spawn(async move {
        first.run(&stuck, std::future::pending()).await;
    });
    for _ in 0..250 {
        if entered.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        entered.load(Ordering::SeqCst),
        "the first worker got the batch"
    );
    task.abort();
    let _ = task.await;

    let second = UsageConsumer::connect(c.clone()).await.unwrap();
    let handler = Recorder::default();
    run_until(&second, &handler, |h| h.ids().len() == 4).await;
    assert_eq!(handler.ids(), ["cdr-0", "cdr-1", "cdr-2", "cdr-3"]);
    cleanup(&js, &c).await;
}

/// What the handler refuses (an unknown line) goes to the rejects subject with its reason;
/// batches never exceed the bound; a stop lets the batch in hand finish and be acknowledged.
#[tokio::test]
async fn refusals_bounds_and_a_graceful_stop() {
    let Some(js) = nats().await else { return };
    let mut c = config("bounds");
    c.batch_size = 5;
    c.max_in_flight = 5;
    let consumer = UsageConsumer::connect(c.clone()).await.unwrap();
    publish(&js, &c, &(0..23).map(record).collect::<Vec<_>>()).await;
    let handler = Recorder {
        refuse: Some("cdr-7"),
        ..Recorder::default()
    };
    let stats = run_until(&consumer, &handler, |h| h.ids().len() == 22).await;
    assert!(handler.largest_batch.load(Ordering::SeqCst) <= 5);
    assert!(stats.batches >= 5);
    assert_eq!(stats.refused, 1);
    let refused = js
        .get_stream(&c.rejects_stream)
        .await
        .unwrap()
        .get_raw_message(1)
        .await
        .unwrap();
    assert!(refused.payload.starts_with(b"cdr-7,"));
    assert!(refused
        .headers
        .get("Simrenew-Reject-Reason")
        .unwrap()
        .as_str()
        .contains("no line"));

    // A stop asked for while a batch is being committed: that batch is finished and
    // acknowledged before `run` returns.
    publish(&js, &c, &(100..103).map(record).collect::<Vec<_>>()).await;
    struct Slow(Recorder, Arc<AtomicBool>);
    #[async_trait]
    impl UsageBatchHandler for Slow {
        async fn commit(&self, batch: &[UsageRecord]) -> Result<Vec<Refusal>, HandlerError> {
            self.1.store(true, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.0.commit(batch).await
        }
    }
    let started = Arc::new(AtomicBool::new(false));
    let slow = Slow(Recorder::default(), started.clone());
    let stop = async {
        while !started.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), consumer.run(&slow, stop))
        .await
        .unwrap();
    assert_eq!(slow.0.ids().len(), 3);
    assert_eq!(consumer_info(&js, &c).await.num_ack_pending, 0);
    cleanup(&js, &c).await;
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_an_error() {
    let mut c = config("absent");
    c.url = "nats://127.0.0.1:1".into();
    c.connect_timeout = Duration::from_millis(500);
    assert!(UsageConsumer::connect(c).await.is_err());
}
