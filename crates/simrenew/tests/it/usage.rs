//! Usage the network reports, through the real binary: `simrenew import usage FILE.csv` and
//! the worker's JetStream consumer on the real NATS server. Each record debits its line's
//! bundles once, however often it comes; what cannot be counted is rejected with the reason.

use std::process::Command;

use axum::http::StatusCode;
use serde_json::Value;
use simrenew_app::sales::ports::NewBundle;
use simrenew_domain::catalog::LineKind;
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::Timestamp;

use crate::support::{both, days, TestApp, AUDIT_KEY};

fn simrenew(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let now = app.now().to_string();
    let mut args = args.to_vec();
    if args[0] == "worker" {
        args.extend(["--now", &now, "--force"]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .arg("--database-url")
        .arg(&app.cli_url)
        .args(&args)
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn at(app: &TestApp, hours_ago: i64) -> Timestamp {
    app.now()
        .checked_sub(jiff::SignedDuration::from_hours(hours_ago))
        .unwrap()
}

async fn line_json(app: &TestApp, msisdn: &Msisdn) -> Value {
    let (status, body) = app.get(&format!("/api/v1/lines/{msisdn}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A line whose current bundle (5,000 MB) began ten days ago, with a second one queued after.
async fn line_with_two_bundles(app: &TestApp) -> Msisdn {
    let msisdn = app.line(LineKind::Esim, 0, Some(days(20))).await;
    let line = app
        .app
        .store
        .line_details(&msisdn, app.now())
        .await
        .unwrap()
        .unwrap()
        .line;
    let end = line.expires_at.unwrap();
    let mut tx = app.app.store.begin().await.unwrap();
    tx.insert_bundle(
        &NewBundle {
            brand_id: app.brand.id,
            line_id: line.id,
            order_id: None,
            plan_code: "TEST-1GB-30D".into(),
            data_mb: Some(1_000),
            starts_at: end,
            ends_at: end.checked_add(days(30)).unwrap(),
        },
        app.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    msisdn
}

both! {
    async fn a_usage_file_debits_once_and_rejects_what_it_cannot_count(app: TestApp) {
        let msisdn = line_with_two_bundles(&app).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cdr-2027-01-15.csv");
        let (t1, t2, t3) = (at(&app, 3), at(&app, 2), at(&app, 1));
        let long_ago = at(&app, 24 * 40);
        std::fs::write(
            &file,
            format!(
                "record_id,msisdn,start,end,bytes\n\
                 cdr-1,{msisdn},{t1},{t2},1500000000\n\
                 cdr-2,+32479999999,{t1},{t2},10\n\
                 cdr-3,{msisdn},{t2},{t3},1.5\n\
                 cdr-1,{msisdn},{t1},{t2},1500000000\n\
                 \n\
                 cdr-4,{msisdn},{t2},{t3},123\n\
                 cdr-5,{msisdn},{long_ago},{long_ago},77\n"
            ),
        )
        .unwrap();
        let (ok, out, err) = simrenew(&app, &["import", "usage", file.to_str().unwrap()], &[]);
        assert!(ok, "{out}{err}");
        assert!(out.contains("3 records counted"), "{out}");
        assert!(out.contains("1 counted before"), "the repeat in the file: {out}");
        assert!(out.contains("2 rejected"), "{out}");
        assert!(err.contains("cdr-2027-01-15.rejects.csv"), "{err}");

        let line = line_json(&app, &msisdn).await;
        assert_eq!(line["data_left_bytes"], 5_000_000_000u64 - 1_500_000_123, "{line}");
        assert_eq!(line["data_left_mb"], 3_499, "rounded down: {line}");
        assert_eq!(line["bundles"][0]["data_used_bytes"], 1_500_000_123u64);
        assert_eq!(line["bundles"][1]["data_used_bytes"], 0, "the queued bundle is untouched");
        assert_eq!(line["bundles"][1]["data_left_mb"], 1_000);
        let (ok, shown, _) = simrenew(&app, &["lines", "show", msisdn.as_str()], &[]);
        assert!(ok && shown.contains("3499 of 5000 MB left"), "{shown}");

        // Every line not counted is in the rejects file, with its line, field and reason.
        let rejects = std::fs::read_to_string(dir.path().join("cdr-2027-01-15.rejects.csv")).unwrap();
        let rows: Vec<&str> = rejects.lines().collect();
        assert_eq!(rows[0], "line,record_id,field,reason,record");
        assert_eq!(rows.len(), 3, "{rejects}");
        assert!(rows[1].starts_with("3,cdr-2,msisdn,no line +32479999999,"), "{rejects}");
        assert!(rows[2].starts_with("4,cdr-3,bytes,"), "{rejects}");

        // The same file again counts nothing twice.
        let (ok, out, err) = simrenew(&app, &["import", "usage", file.to_str().unwrap()], &[]);
        assert!(ok, "{out}{err}");
        assert!(out.contains("0 records counted"), "{out}");
        assert!(out.contains("4 counted before"), "{out}");
        let again = line_json(&app, &msisdn).await;
        assert_eq!(again["data_left_bytes"], line["data_left_bytes"]);

        // The record from before any bundle ran is kept as uncovered.
        let uncovered = scalar(&app, "SELECT uncovered FROM usage_records WHERE record_id = 'cdr-5'").await;
        assert_eq!(uncovered, 77);
    }

    async fn a_file_that_breaks_off_stops_with_its_line_and_counts_nothing_after(app: TestApp) {
        let msisdn = line_with_two_bundles(&app).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("broken.csv");
        let (t1, t2) = (at(&app, 3), at(&app, 2));
        let mut text = format!(
            "record_id,msisdn,start,end,bytes\n\
             cdr-1,{msisdn},{t1},{t2},100\n\
             cdr-2,{msisdn},{t1},{t2},1.5\n"
        )
        .into_bytes();
        // Line 4 is not UTF-8: the file cannot be read on from there.
        text.extend_from_slice(b"cdr-3,\xff\xfe,x,y,1\n");
        text.extend_from_slice(format!("cdr-4,{msisdn},{t1},{t2},100\n").as_bytes());
        std::fs::write(&file, text).unwrap();
        let (ok, out, err) = simrenew(&app, &["import", "usage", file.to_str().unwrap()], &[]);
        assert!(!ok, "{out}{err}");
        assert!(err.contains("broken.csv") && err.contains("line 4"), "{err}");
        // Nothing of the file was sent before it broke off, and nothing after it is counted;
        // the line refused before is written.
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM usage_records").await, 0);
        let rejects = std::fs::read_to_string(dir.path().join("broken.rejects.csv")).unwrap();
        assert!(rejects.lines().any(|l| l.starts_with("3,cdr-2,bytes,")), "{rejects}");
        assert!(!rejects.contains("cdr-4"), "{rejects}");
    }

    async fn a_bundle_is_debited_down_to_zero_and_an_unlimited_one_counts_without_debit(app: TestApp) {
        let small = app.line(LineKind::PhysicalSim, 0, Some(days(20))).await;
        let unlimited = app.line(LineKind::VirtualSim, 0, None).await;
        let line = app.app.store.line_details(&unlimited, app.now()).await.unwrap().unwrap().line;
        let mut tx = app.app.store.begin().await.unwrap();
        tx.insert_bundle(
            &NewBundle {
                brand_id: app.brand.id,
                line_id: line.id,
                order_id: None,
                plan_code: "TEST-UNLIMITED-30D".into(),
                data_mb: None,
                starts_at: at(&app, 24),
                ends_at: app.now().checked_add(days(29)).unwrap(),
            },
            app.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("usage.csv");
        let (t1, t2) = (at(&app, 2), at(&app, 1));
        std::fs::write(
            &file,
            format!(
                "msisdn,record_id,bytes,start,end\n\
                 {small},a-1,4000000000,{t1},{t2}\n\
                 {small},a-2,4000000000,{t1},{t2}\n\
                 {unlimited},a-3,9000000000,{t1},{t2}\n"
            ),
        )
        .unwrap();
        let (ok, out, err) = simrenew(&app, &["import", "usage", file.to_str().unwrap()], &[]);
        assert!(ok, "{out}{err}");
        assert!(out.contains("3 records counted (5000000000 bytes from bundles, 3000000000 beyond them)"), "{out}");
        let small = line_json(&app, &small).await;
        assert_eq!(small["data_left_bytes"], 0, "{small}");
        assert_eq!(small["data_left_mb"], 0);
        let unlimited = line_json(&app, &unlimited).await;
        assert!(unlimited["data_left_bytes"].is_null(), "{unlimited}");
        assert_eq!(unlimited["bundles"][0]["data_used_bytes"], 0);
        let counted = scalar(&app, "SELECT COUNT(*) FROM usage_records").await;
        assert_eq!(counted, 3, "an unlimited bundle's usage is counted");
    }

    async fn two_imports_of_one_file_at_once_count_each_record_once(app: TestApp) {
        let lines = [
            app.line(LineKind::Esim, 0, Some(days(20))).await,
            app.line(LineKind::Esim, 0, Some(days(20))).await,
        ];
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("usage.csv");
        let (t1, t2) = (at(&app, 2), at(&app, 1));
        let mut text = "record_id,msisdn,start,end,bytes\n".to_owned();
        for i in 0..3_000 {
            text.push_str(&format!("r-{i},{},{t1},{t2},1000\n", lines[i % 2]));
        }
        std::fs::write(&file, text).unwrap();
        let path = file.to_str().unwrap().to_owned();
        let runs: Vec<_> = (0..2)
            .map(|n| {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_simrenew"));
                cmd.arg("--database-url")
                    .arg(&app.cli_url)
                    .args(["import", "usage", &path, "--rejects"])
                    .arg(dir.path().join(format!("rejects-{n}.csv")))
                    .env("SIMRENEW_LOG", "warn")
                    .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
                    .stdout(std::process::Stdio::null());
                cmd.spawn().unwrap()
            })
            .collect();
        for mut run in runs {
            assert!(run.wait().unwrap().success());
        }
        for msisdn in &lines {
            let line = line_json(&app, msisdn).await;
            assert_eq!(line["bundles"][0]["data_used_bytes"], 1_500 * 1_000, "{line}");
        }
    }

    async fn the_worker_counts_usage_from_jetstream_once_and_rejects_the_rest(app: TestApp) {
        let Some(js) = nats().await else { return };
        let msisdn = app.line(LineKind::Esim, 0, Some(days(20))).await;
        let id = uuid_like();
        let stream = format!("USAGE-{id}");
        let subject = format!("usage.{id}");
        let (t1, t2) = (at(&app, 2), at(&app, 1));
        for payload in [
            format!("s-1,{msisdn},{t1},{t2},2000000"),
            format!("s-2,{msisdn},{t1},{t2},3000000"),
            format!("s-1,{msisdn},{t1},{t2},2000000"),
            format!("s-3,+32479999998,{t1},{t2},5"),
            "not a record".to_owned(),
        ] {
            publish(&js, &stream, &subject, payload).await;
        }
        let env = [
            ("SIMRENEW_NATS_URL", nats_url()),
            ("SIMRENEW_USAGE_STREAM", stream.clone()),
            ("SIMRENEW_USAGE_SUBJECT", subject.clone()),
        ];
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (ok, out, err) = simrenew(&app, &["worker", "--once"], &env);
        assert!(ok, "{out}{err}");
        let line = line_json(&app, &msisdn).await;
        assert_eq!(line["bundles"][0]["data_used_bytes"], 5_000_000, "{line}");

        // Sent again (the network repeats itself): counted before, nothing moves.
        publish(&js, &stream, &subject, format!("s-2,{msisdn},{t1},{t2},3000000")).await;
        let (ok, out, err) = simrenew(&app, &["worker", "--once"], &env);
        assert!(ok, "{out}{err}");
        let line = line_json(&app, &msisdn).await;
        assert_eq!(line["bundles"][0]["data_used_bytes"], 5_000_000, "{line}");

        // The unknown number and the malformed message are in the rejects stream, and every
        // message was acknowledged.
        let mut rejects = js.get_stream(format!("{stream}-REJECTS")).await.unwrap();
        assert_eq!(rejects.info().await.unwrap().state.messages, 2);
        let mut consumer = js
            .get_stream(&stream)
            .await
            .unwrap()
            .get_consumer::<async_nats::jetstream::consumer::pull::Config>(&format!("{stream}-simrenew"))
            .await
            .unwrap();
        let info = consumer.info().await.unwrap();
        assert_eq!((info.num_pending, info.num_ack_pending), (0, 0), "{info:?}");
        let _ = js.delete_stream(&stream).await;
        let _ = js.delete_stream(format!("{stream}-REJECTS")).await;
    }

    async fn a_file_of_many_batches_counts_in_lanes_and_rejects_in_the_files_order(app: TestApp) {
        use simrenew_store::{POSTGRES_BATCH, POSTGRES_LANES};
        let mut lines = Vec::new();
        for _ in 0..6 {
            lines.push(app.line(LineKind::Esim, 0, Some(days(20))).await);
        }
        let (t1, t2) = (at(&app, 2), at(&app, 1));
        // More records than the lanes' first batches (a sixteenth of the most) take, so that
        // batches of every lane, growing and shrinking, are counted side by side; a malformed
        // line and one of an unknown number now and then.
        let records = POSTGRES_BATCH * POSTGRES_LANES * 5 / 16;
        let mut text = "record_id,msisdn,start,end,bytes\n".to_owned();
        let mut rejected_lines = Vec::new();
        let mut used = vec![0u64; lines.len()];
        for i in 0..records {
            let file_line = i as u64 + 2;
            if i % 4_999 == 17 {
                text.push_str(&format!("m-{i},{},{t1},{t2},lots\n", lines[0]));
                rejected_lines.push(file_line);
            } else if i % 7_001 == 3 {
                text.push_str(&format!("u-{i},+32479999999,{t1},{t2},1\n"));
                rejected_lines.push(file_line);
            } else {
                let n = (i * 7) % lines.len();
                let bytes = 1_000 + (i as u64 % 97);
                used[n] += bytes;
                text.push_str(&format!("r-{i},{},{t1},{t2},{bytes}\n", lines[n]));
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("usage.csv");
        std::fs::write(&file, text).unwrap();
        let (ok, out, err) = simrenew(&app, &["import", "usage", file.to_str().unwrap()], &[]);
        assert!(ok, "{out}{err}");
        let counted = records - rejected_lines.len();
        assert!(out.contains(&format!("{counted} records counted")), "{out}");
        assert!(out.contains(&format!("{} rejected", rejected_lines.len())), "{out}");
        for (msisdn, used) in lines.iter().zip(&used) {
            let line = line_json(&app, msisdn).await;
            assert_eq!(line["bundles"][0]["data_used_bytes"], *used, "{line}");
        }
        let rejects = std::fs::read_to_string(dir.path().join("usage.rejects.csv")).unwrap();
        let written: Vec<u64> = rejects
            .lines()
            .skip(1)
            .map(|row| row.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(written, rejected_lines, "every reject once, in the file's order");
    }

    async fn a_batch_larger_than_a_transaction_of_either_database_counts_the_same(app: TestApp) {
        use simrenew_app::network::usage::{UsageOutcome, UsageRecord, UsageReport, UsageSource, BATCH};
        let (a, b) = (
            app.line(LineKind::Esim, 0, Some(days(20))).await,
            app.line(LineKind::Esim, 0, Some(days(20))).await,
        );
        // Line a buys a data top-up under 1,000 MB left.
        sqlx_exec(&app, &format!(
            "UPDATE lines SET top_up_plan = 'TEST-1GB-ADDON', top_up_below_mb = 1000 WHERE msisdn = '{a}'"
        )).await;
        let unknown = Msisdn::parse("+32479999999").unwrap();
        let (t1, t2) = (at(&app, 2), at(&app, 1));
        let record = |id: String, msisdn: &Msisdn, bytes: u64| UsageRecord {
            record_id: id,
            msisdn: msisdn.clone(),
            start: t1,
            end: t2,
            bytes,
        };
        app.app
            .record_usage(&[record("pre-1".into(), &a, 100_000_000)], UsageSource::File)
            .await
            .unwrap();

        // Line b's 6,000 MB first (past 80 % and 100 % of its 5,000 MB at once, within the
        // first transaction of either database), each of its first 200 records twice; then
        // line a's 4,200 MB (past 80 % and under its top-up threshold), a record kept before,
        // 300 of a number no line has and one that ends before it starts.
        let mut batch = Vec::new();
        for i in 0..2_400 {
            batch.push(record(format!("b-{i}"), &b, 2_500_000));
            if i < 200 {
                batch.push(record(format!("b-{i}"), &b, 2_500_000));
            }
        }
        for i in 0..3_000 {
            batch.push(record(format!("a-{i}"), &a, 1_400_000));
            if i % 10 == 0 {
                batch.push(record(format!("x-{i}"), &unknown, 10));
            }
        }
        batch.push(record("pre-1".into(), &a, 100_000_000));
        batch.push(UsageRecord { end: t1, start: t2, ..record("bad-1".into(), &a, 1) });
        assert!(batch.len() > BATCH, "more than SQLite's transaction takes");

        let outcomes = app.app.record_usage(&batch, UsageSource::File).await.unwrap();
        let mut report = UsageReport::default();
        report.add(&outcomes);
        assert_eq!(
            (report.counted, report.repeats, report.refused),
            (5_400, 201, 301),
            "{report:?}"
        );
        assert_eq!((report.debited_bytes, report.uncovered_bytes), (9_200_000_000, 1_000_000_000));
        assert_eq!(outcomes[0], UsageOutcome::Counted { debited: 2_500_000, uncovered: 0 });
        assert_eq!(outcomes[1], UsageOutcome::Repeat);
        assert_eq!(outcomes[2_600], UsageOutcome::Counted { debited: 1_400_000, uncovered: 0 });
        assert_eq!(outcomes[2_601], UsageOutcome::Refused("msisdn: no line +32479999999".into()));
        assert_eq!(outcomes[batch.len() - 2], UsageOutcome::Repeat);
        assert!(matches!(&outcomes[batch.len() - 1], UsageOutcome::Refused(r) if r.starts_with("end:")));

        counted_once(&app, &a, &b).await;

        // The same batch again changes nothing.
        let again = app.app.record_usage(&batch, UsageSource::Stream).await.unwrap();
        let mut report = UsageReport::default();
        report.add(&again);
        assert_eq!((report.counted, report.repeats, report.refused), (0, 5_601, 301), "{report:?}");
        counted_once(&app, &a, &b).await;
    }
}

/// What [`a_batch_larger_than_a_transaction_of_either_database_counts_the_same`] leaves, read
/// from the database and through the API (whose line cache the batch made forget).
async fn counted_once(app: &TestApp, a: &Msisdn, b: &Msisdn) {
    let line_a = line_json(app, a).await;
    let line_b = line_json(app, b).await;
    assert_eq!(
        line_a["bundles"][0]["data_used_bytes"], 4_300_000_000u64,
        "{line_a}"
    );
    assert_eq!(
        line_b["bundles"][0]["data_used_bytes"], 5_000_000_000u64,
        "{line_b}"
    );
    let notices = |m: &Msisdn, percent: u8, planned: &str| {
        format!(
            "SELECT COUNT(*) FROM data_notices n JOIN lines l ON l.id = n.line_id \
             WHERE l.msisdn = '{m}' AND n.percent = {percent} AND n.planned_at IS {planned}"
        )
    };
    // Past 80 % and 100 % at once: the 100 % is told, the 80 % only recorded.
    assert_eq!(scalar(app, &notices(b, 80, "NOT NULL")).await, 1);
    assert_eq!(scalar(app, &notices(b, 100, "NULL")).await, 1);
    assert_eq!(scalar(app, &notices(a, 80, "NULL")).await, 1);
    assert_eq!(scalar(app, "SELECT COUNT(*) FROM data_notices").await, 3);
    assert_eq!(
        scalar(app, "SELECT COUNT(*) FROM usage_records").await,
        5_401
    );
    let uncovered = "SELECT CAST(SUM(uncovered) AS BIGINT) FROM usage_records";
    assert_eq!(scalar(app, uncovered).await, 1_000_000_000);
    let due = "SELECT COUNT(*) FROM lines WHERE top_up_due_at IS NOT NULL";
    assert_eq!(
        scalar(app, &format!("{due} AND msisdn = '{a}'")).await,
        1,
        "under its threshold"
    );
    assert_eq!(scalar(app, due).await, 1);
}

/// Runs one statement on the database, as an operator would.
async fn sqlx_exec(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

/// One number the database holds (not what reads compute).
async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

fn nats_url() -> String {
    std::env::var("SIMRENEW_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// The real NATS server, or `None` outside CI when none answers (CI starts one).
async fn nats() -> Option<async_nats::jetstream::Context> {
    match async_nats::ConnectOptions::new()
        .connection_timeout(std::time::Duration::from_secs(3))
        .connect(nats_url())
        .await
    {
        Ok(client) => Some(async_nats::jetstream::new(client)),
        Err(e) if std::env::var("CI").is_err() => {
            eprintln!(
                "skipped: no NATS at {} ({e}); .ci/run starts one",
                nats_url()
            );
            None
        }
        Err(e) => panic!("no NATS at {}: {e}", nats_url()),
    }
}

async fn publish(
    js: &async_nats::jetstream::Context,
    stream: &str,
    subject: &str,
    payload: String,
) {
    js.get_or_create_stream(async_nats::jetstream::stream::Config {
        name: stream.to_owned(),
        subjects: vec![subject.to_owned()],
        ..Default::default()
    })
    .await
    .unwrap();
    js.publish(subject.to_owned(), payload.into())
        .await
        .unwrap()
        .await
        .unwrap();
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}
