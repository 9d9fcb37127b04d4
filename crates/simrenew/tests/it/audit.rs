//! The audit log: staff actions and money movements are chained, and `simrenew audit verify`
//! finds an edited or deleted entry.

use std::process::Command;

use serde_json::json;
use simrenew_domain::catalog::LineKind;

use crate::support::{both, days, TestApp};

fn verify(app: &TestApp) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .args(["--database-url", &app.cli_url, "audit", "verify"])
        .env("SIMRENEW_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs SQL behind the application's back, as someone tampering with the database would.
async fn tamper(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

async fn activity(app: &TestApp) -> String {
    let msisdn = app
        .line(LineKind::Esim, 10_000, Some(days(5)))
        .await
        .to_string();
    for _ in 0..3 {
        let (status, body) = app
            .post(
                "/api/v1/orders",
                json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}),
            )
            .await;
        assert_eq!(status.as_u16(), 201, "{body}");
    }
    msisdn
}

both! {
    async fn money_movements_and_staff_actions_are_chained(app: TestApp) {
        activity(&app).await;
        let report = app.app.verify_audit().await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        // staff.create + api_key.create by the fixture, and three settled payments.
        assert_eq!(report.entries, 5);
        assert_eq!(report.chains, 2);
        let (ok, out, err) = verify(&app);
        assert!(ok, "{out}{err}");
        assert!(out.contains("intact: 5 entries in 2 chains"), "{out}");
    }

    async fn an_edited_entry_is_found(app: TestApp) {
        activity(&app).await;
        tamper(&app, "UPDATE audit_log SET details = 'method=credit amount_cents=1 currency=EUR' WHERE seq = 2 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("was altered"), "{err}");
    }

    async fn a_deleted_entry_is_found(app: TestApp) {
        activity(&app).await;
        tamper(&app, "DELETE FROM audit_log WHERE seq = 2 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("entries deleted") || err.contains("does not follow"), "{err}");
    }

    async fn a_deleted_last_entry_is_found(app: TestApp) {
        activity(&app).await;
        tamper(&app, "DELETE FROM audit_log WHERE seq = 3 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("its head says 3"), "{err}");
    }

    async fn a_recomputed_forgery_is_found_at_the_next_entry(app: TestApp) {
        // Editing an entry and fixing its own hash still breaks the link from the next one.
        activity(&app).await;
        tamper(&app, "UPDATE audit_log SET hash = '1111111111111111111111111111111111111111111111111111111111111111' WHERE seq = 1 AND chain LIKE 'line:%'").await;
        let (ok, _, err) = verify(&app);
        assert!(!ok);
        assert!(err.contains("does not follow"), "{err}");
    }
}

/// Runs `simrenew audit SUBCOMMAND` with the test's audit key.
fn audit_cmd(app: &TestApp, sub: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .args(["--database-url", &app.cli_url, "audit", sub])
        .env("SIMRENEW_LOG", "warn")
        .env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn query_rows(app: &TestApp, sql: &str) -> Vec<sqlx::any::AnyRow> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.cli_url).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

/// The chain of the line the activity renewed (`line:ID`).
async fn line_chain(app: &TestApp) -> String {
    use sqlx::Row;
    let rows = query_rows(
        app,
        "SELECT chain FROM audit_heads WHERE chain LIKE 'line:%'",
    )
    .await;
    rows[0].get::<String, _>("chain")
}

both! {
    async fn the_newest_entries_deleted_and_the_head_moved_back_are_found(app: TestApp) {
        // An informed tamperer removes the last renewal and makes the head agree.
        activity(&app).await;
        let (ok, out, err) = audit_cmd(&app, "checkpoint");
        assert!(ok, "{out}{err}");
        let chain = line_chain(&app).await;
        tamper(&app, &format!("DELETE FROM audit_log WHERE chain = '{chain}' AND seq = 3")).await;
        tamper(&app, &format!(
            "UPDATE audit_heads SET seq = 2, hash = (SELECT hash FROM audit_log \
             WHERE chain = '{chain}' AND seq = 2) WHERE chain = '{chain}'"
        )).await;
        let (ok, out, err) = audit_cmd(&app, "verify");
        assert!(!ok, "{out}{err}");
        assert!(err.contains(&format!("chain {chain}:")), "{err}");
        assert!(err.contains("checkpoint"), "{err}");
    }

    async fn a_dropped_chain_is_found(app: TestApp) {
        activity(&app).await;
        let (ok, out, err) = audit_cmd(&app, "checkpoint");
        assert!(ok, "{out}{err}");
        let chain = line_chain(&app).await;
        tamper(&app, &format!("DELETE FROM audit_log WHERE chain = '{chain}'")).await;
        tamper(&app, &format!("DELETE FROM audit_heads WHERE chain = '{chain}'")).await;
        let (ok, out, err) = audit_cmd(&app, "verify");
        assert!(!ok, "{out}{err}");
        assert!(err.contains(&format!("chain {chain}:")), "{err}");
    }

    async fn recomputed_unkeyed_hashes_are_found(app: TestApp) {
        // The tamperer edits an amount and recomputes every hash after it, and the head, with
        // the published (unkeyed) formula: only a MAC under a key they lack stops this.
        activity(&app).await;
        let chain = line_chain(&app).await;
        rehash_unkeyed(&app, &chain, Some((2, "method=credit amount_cents=1 currency=EUR"))).await;
        let (ok, out, err) = audit_cmd(&app, "verify");
        assert!(!ok, "{out}{err}");
        assert!(err.contains(&format!("chain {chain}:")), "{err}");
    }

    async fn entries_written_before_keying_are_named_until_rekeyed(app: TestApp) {
        // A database from before the key: every chain carries unkeyed hashes.
        activity(&app).await;
        let chain = line_chain(&app).await;
        rehash_unkeyed(&app, &chain, None).await;
        rehash_unkeyed(&app, "admin", None).await;
        let (ok, _, err) = audit_cmd(&app, "verify");
        assert!(!ok);
        assert!(err.contains(&format!("chain {chain}: 3 entries were written before the log was keyed")), "{err}");
        assert!(err.contains("chain admin: 2 entries were written before"), "{err}");
        let (ok, out, err) = audit_cmd(&app, "rekey");
        assert!(ok, "{out}{err}");
        assert!(out.contains("5 entries in 2 chains"), "{out}");
        let (ok, out, err) = audit_cmd(&app, "verify");
        assert!(ok, "{out}{err}");
        // The rekey itself is recorded, and a checkpoint written after it.
        assert!(out.contains("intact: 6 entries in 2 chains"), "{out}");
        assert!(out.contains("newest checkpoint: 1 of 1"), "{out}");
    }

    async fn a_damaged_log_is_not_rekeyed(app: TestApp) {
        activity(&app).await;
        let chain = line_chain(&app).await;
        rehash_unkeyed(&app, &chain, None).await;
        tamper(&app, &format!("UPDATE audit_log SET details = 'x' WHERE chain = '{chain}' AND seq = 1")).await;
        let (ok, _, err) = audit_cmd(&app, "rekey");
        assert!(!ok);
        assert!(err.contains("nothing was keyed") && err.contains(&chain), "{err}");
    }

    async fn an_act_without_the_audit_key_changes_nothing(app: TestApp) {
        let out = Command::new(env!("CARGO_BIN_EXE_simrenew"))
            .args(["--database-url", &app.cli_url, "api-keys", "create", "--staff", "admin@test.example", "--name", "x"])
            .env("SIMRENEW_LOG", "warn")
            .env_remove("SIMRENEW_AUDIT_KEY")
            .env_remove("SIMRENEW_AUDIT_KEY_FILE")
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("SIMRENEW_AUDIT_KEY"));
        let report = app.app.verify_audit().await.unwrap();
        assert_eq!(report.entries, 2, "{:?}", report);
    }

    async fn an_altered_checkpoint_is_found(app: TestApp) {
        activity(&app).await;
        assert!(audit_cmd(&app, "checkpoint").0);
        let chain = line_chain(&app).await;
        // Moving the checkpoint back to make the cut consistent breaks its MAC.
        tamper(&app, &format!("UPDATE audit_checkpoint_heads SET seq = 2 WHERE chain = '{chain}'")).await;
        let (ok, _, err) = audit_cmd(&app, "verify");
        assert!(!ok);
        assert!(err.contains("checkpoint 1: was altered"), "{err}");
    }
}

/// Rewrites `chain` with the unkeyed hashes the log had before it was keyed, as that version
/// wrote them or as a tamperer would (replacing entry `edit.0`'s details by `edit.1`).
async fn rehash_unkeyed(app: &TestApp, chain: &str, edit: Option<(i64, &str)>) {
    use sqlx::Row;
    let rows = query_rows(
        app,
        &format!(
            "SELECT id, seq, at, actor, action, subject, details FROM audit_log \
         WHERE chain = '{chain}' ORDER BY seq"
        ),
    )
    .await;
    let mut prev = simrenew_app::audit::GENESIS.to_owned();
    for r in &rows {
        let seq: i64 = r.get("seq");
        let details: String = match edit {
            Some((n, d)) if n == seq => d.into(),
            _ => r.get("details"),
        };
        let entry = simrenew_app::audit::AuditEntry {
            chain: chain.to_owned(),
            actor: r.get("actor"),
            action: r.get("action"),
            subject: r.get("subject"),
            details: details.clone(),
        };
        let hash = forged_hash(&prev, seq, r.get("at"), &entry);
        let id: i64 = r.get("id");
        tamper(
            app,
            &format!(
            "UPDATE audit_log SET details = '{details}', prev_hash = '{prev}', hash = '{hash}' \
             WHERE id = {id}"
        ),
        )
        .await;
        prev = hash;
    }
    tamper(
        app,
        &format!("UPDATE audit_heads SET hash = '{prev}' WHERE chain = '{chain}'"),
    )
    .await;
}

/// The unkeyed SHA-256 chain hash anyone can compute: `prev|seq|at|actor|action|subject|details`.
fn forged_hash(prev: &str, seq: i64, at: i64, e: &simrenew_app::audit::AuditEntry) -> String {
    simrenew_app::audit::unkeyed_hash(prev, seq, at, e)
}

both! {
    async fn serve_checkpoints_the_log_and_refuses_to_run_without_its_key(app: TestApp) {
        use std::process::Stdio;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let serve = |key: bool| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_simrenew"));
            cmd.args(["--database-url", &app.cli_url, "serve", "--listen", &format!("127.0.0.1:{port}")])
                .env("SIMRENEW_LOG", "warn")
                .env_remove("SIMRENEW_AUDIT_KEY")
                .env_remove("SIMRENEW_AUDIT_KEY_FILE")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            if key {
                cmd.env("SIMRENEW_AUDIT_KEY", crate::support::AUDIT_KEY);
            }
            cmd
        };
        let out = serve(false).output().unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("SIMRENEW_AUDIT_KEY"));

        activity(&app).await;
        let mut child = serve(true).spawn().unwrap();
        let mut written = false;
        for _ in 0..300 {
            if !query_rows(&app, "SELECT seq FROM audit_checkpoints").await.is_empty() {
                written = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(written, "serve wrote no checkpoint within 30 s");
        let report = app.app.verify_audit().await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let newest = report.newest_checkpoint.unwrap();
        assert!(newest.heads.iter().any(|h| h.chain.starts_with("line:") && h.seq == 3), "{newest:?}");
    }
}
