//! The API's contract, checked from outside with standard tools from PyPI, installed by
//! `.ci/run` into a virtual environment at `target/pyenv` (or the one `SIMRENEW_PYENV` names):
//! `openapi-spec-validator` on the served document, and schemathesis driving a demo server
//! through the document, links and all. Without them the tests are skipped with a notice,
//! except in CI (`CI` set), where they fail.

use std::path::PathBuf;
use std::process::Command;

use axum::http::StatusCode;

use crate::support::{Backend, TestApp};

/// The virtual environment's `bin` directory, if it has `tool`; else `None` after a notice
/// (a failure in CI).
pub fn python_tool(tool: &str) -> Option<PathBuf> {
    let env = std::env::var("SIMRENEW_PYENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pyenv"));
    let bin = env.join("bin");
    if bin.join(tool).exists() {
        return Some(bin);
    }
    if std::env::var("CI").is_ok() {
        panic!(
            "{tool} is not installed in {} (.ci/run installs it)",
            env.display()
        );
    }
    eprintln!(
        "{tool} is not installed in {}: test skipped (.ci/run installs it)",
        env.display()
    );
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_document_is_valid_openapi() {
    let Some(bin) = python_tool("openapi-spec-validator") else {
        return;
    };
    let app = TestApp::new(Backend::Sqlite).await;
    let (status, doc) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let out = Command::new(bin.join("openapi-spec-validator"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the served document is not valid OpenAPI:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A demo server on a fresh database in a temporary directory, stopped when dropped.
struct Demo {
    child: std::process::Child,
    base: String,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn demo() -> Demo {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_simrenew"))
        .args(["--database-url", "sqlite:demo.db", "demo", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(dir.path())
        .env("SIMRENEW_LOG", "error")
        .env_remove("SIMRENEW_AUDIT_KEY")
        .env_remove("SIMRENEW_DATABASE_URL")
        .env_remove("SIMRENEW_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Stopped when dropped, whatever happens next.
    let mut demo = Demo {
        child,
        base: format!("http://127.0.0.1:{port}"),
        token: String::new(),
        _dir: dir,
    };
    // The demo prints its admin's API key on the line after this one; the rest of its output
    // is read to the end, so that it never writes into a closed pipe.
    let stdout = demo.child.stdout.take().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        let mut lines = BufReader::new(stdout).lines();
        while let Some(Ok(line)) = lines.next() {
            if line.starts_with("API key of the platform admin") {
                if let (Some(tx), Some(Ok(key))) = (tx.take(), lines.next()) {
                    let _ = tx.send(key.trim().to_owned());
                }
            }
        }
    });
    demo.token = tokio::time::timeout(std::time::Duration::from_secs(120), rx)
        .await
        .expect("the demo printed no API key within 120 s")
        .expect("the demo printed no API key");
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if http
            .get(format!("{}/healthz", demo.base))
            .send()
            .await
            .is_ok()
        {
            return demo;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the demo did not answer within 60 s");
}

/// schemathesis drives the demo as its platform admin, first operation by operation (the
/// document's examples, then fuzzed inputs) and then through the document's links (a quote to
/// its order, an order to its payment and refund, ...), each for at most two minutes of its
/// own, so that a slow machine shortens a phase and never skips one: no answer may be a server
/// error or break the document (status, content type, headers, body schema), and what needs
/// authentication refuses a request without it.
///
/// Left out of `--checks all`, each a matter of how strictly inputs are read rather than of
/// the contract a client relies on: `negative_data_rejection` (the API reads numbers as people
/// write them, `+32 470 12 34 56` or `0032…`, where the document gives the canonical E.164
/// form, so accepting more than the pattern is by design) and `positive_data_acceptance`
/// (a schema-valid request may still be refused for what no schema states: an
/// `Idempotency-Key` used with another body, a voucher code's check character, one of two
/// fields that exclude each other).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_that_breaks_the_document() {
    let Some(bin) = python_tool("schemathesis") else {
        return;
    };
    let demo = demo().await;
    let operations = schemathesis(&bin, &demo, "examples,fuzzing").await;
    assert!(operations.contains("Fuzzing"), "{operations}");
    let links = schemathesis(&bin, &demo, "stateful").await;
    // The stateful phase ran, following links.
    assert!(links.contains("Stateful"), "{links}");
}

/// One bounded schemathesis run of `phases` against the demo; its report when it found nothing.
async fn schemathesis(bin: &std::path::Path, demo: &Demo, phases: &str) -> String {
    let report = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(bin.join("schemathesis"))
        .arg("run")
        .arg(format!("{}/api/v1/openapi.json", demo.base))
        .args(["--header", &format!("Authorization: Bearer {}", demo.token)])
        .args(["--checks", "all"])
        .args([
            "--exclude-checks",
            "negative_data_rejection,positive_data_acceptance",
        ])
        .args(["--phases", phases])
        // One worker: Debian's Python 3.11 builds ASTs with a recursion counter that two
        // threads can upset (CPython gh-106905), which Hypothesis's own reporting then trips on.
        .args([
            "--max-time",
            "120",
            "--max-examples",
            "25",
            "--workers",
            "1",
        ])
        .args(["--request-timeout", "10", "--seed", "20261201"])
        .args(["--output-truncate", "true"])
        .current_dir(report.path())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(240), out)
        .await
        .unwrap_or_else(|_| panic!("schemathesis ({phases}) ran longer than 4 minutes"))
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "schemathesis ({phases}) found problems:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}
