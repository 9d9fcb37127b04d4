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
