//! A measurement, not a check: records per second through `UsageConsumer` with a handler that
//! commits nothing, beside a bare consumer on the same kind of stream that only acknowledges,
//! on the NATS JetStream server at `SIMRENEW_TEST_NATS_URL` (default `nats://127.0.0.1:4222`).
//!
//! `cargo run --release -p simrenew-network --example jetstream_rate` (bench/README.md).

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

async fn nats() -> jetstream::Context {
    let client = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(2))
        .connect(nats_url())
        .await
        .unwrap_or_else(|e| panic!("no NATS at {}: {e}", nats_url()));
    jetstream::new(client)
}

/// Streams and subjects of this run's own.
fn config(name: &str) -> UsageStreamConfig {
    let id = std::process::id();
    let mut c = UsageStreamConfig::new(
        &nats_url(),
        &format!("USAGE_{name}_{id}"),
        &format!("usage.{name}.{id}"),
    );
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

#[tokio::main]
async fn main() {
    use futures_util::StreamExt;
    const N: usize = 20_000;
    let js = nats().await;
    struct Nothing;
    #[async_trait]
    impl UsageBatchHandler for Nothing {
        async fn commit(&self, _: &[UsageRecord]) -> Result<Vec<Refusal>, HandlerError> {
            Ok(vec![])
        }
    }
    let fill = |c: UsageStreamConfig| {
        let js = js.clone();
        async move {
            // Acknowledgements awaited 500 at a time: the client bounds those in flight.
            for chunk in (0..N).collect::<Vec<_>>().chunks(500) {
                let mut acks = Vec::with_capacity(chunk.len());
                for i in chunk {
                    acks.push(
                        js.publish(c.subject.clone(), record(*i).into())
                            .await
                            .unwrap(),
                    );
                }
                for a in acks {
                    a.await.unwrap();
                }
            }
        }
    };

    let mut ours = config("rate_ours");
    ours.batch_size = 500;
    ours.max_in_flight = 2_000;
    let consumer = UsageConsumer::connect(ours.clone()).await.unwrap();
    fill(ours.clone()).await;
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < N as u64 {
        done += consumer.run_once(&Nothing).await.unwrap().committed;
    }
    let ours_rate = N as f64 / started.elapsed().as_secs_f64();

    let bare = config("rate_bare");
    UsageConsumer::connect(bare.clone()).await.unwrap();
    fill(bare.clone()).await;
    let stream = js.get_stream(&bare.stream).await.unwrap();
    let plain: jetstream::consumer::PullConsumer =
        stream.get_consumer(&bare.durable).await.unwrap();
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < N {
        let mut batch = plain
            .batch()
            .max_messages(500)
            .expires(Duration::from_millis(200))
            .messages()
            .await
            .unwrap();
        while let Some(m) = batch.next().await {
            m.unwrap().ack().await.unwrap();
            done += 1;
        }
    }
    let bare_rate = N as f64 / started.elapsed().as_secs_f64();
    println!(
        "UsageConsumer: {ours_rate:.0} records/s; bare ack-only consumer: {bare_rate:.0} records/s; ratio {:.2}",
        ours_rate / bare_rate
    );
    cleanup(&js, &ours).await;
    cleanup(&js, &bare).await;
}
