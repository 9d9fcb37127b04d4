//! The browser tests (`e2e/`, Playwright driving Debian's Chromium) against the real
//! `simrenew` binary: every flow of the portal and the counter console, in two languages, at
//! phone and desktop widths, with axe on every page. They run on the demo's SQLite database
//! (the binary's own), so they are not instantiated for both databases.
//!
//! Outside CI, a machine without `e2e/node_modules` (`npm ci` in `e2e/`) or without Chromium
//! skips them with a notice; in CI (`CI` set) that is a failure.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
/// The whole suite takes a few minutes on two cores; past this it is stuck.
const LIMIT: Duration = Duration::from_secs(30 * 60);

#[test]
fn portal_and_counter_in_a_real_browser() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e");
    let runner = e2e.join("node_modules/.bin/playwright");
    let chromium = std::env::var("SIMRENEW_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    let missing = [
        (!runner.exists()).then_some("e2e/node_modules (run `npm ci` in e2e/)"),
        (!Path::new(&chromium).exists()).then_some("Chromium (apt-get install chromium)"),
    ];
    let missing: Vec<&str> = missing.into_iter().flatten().collect();
    if !missing.is_empty() {
        assert!(
            std::env::var("CI").is_err(),
            "the browser tests need {}",
            missing.join(" and ")
        );
        eprintln!(
            "browser tests skipped: {} missing (CI runs them)",
            missing.join(" and ")
        );
        return;
    }
    let log = std::env::temp_dir().join(format!("simrenew-e2e-{}.log", std::process::id()));
    let out = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(&runner)
        .arg("test")
        .current_dir(&e2e)
        .env("SIMRENEW_BIN", env!("CARGO_BIN_EXE_simrenew"))
        .env("SIMRENEW_CHROMIUM", &chromium)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env_remove("SIMRENEW_SCREENSHOTS")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("starting Playwright");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the browser tests ran past {LIMIT:?}:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(status.success(), "browser tests failed:\n{output}");
    eprintln!(
        "{}",
        output.lines().rev().take(3).collect::<Vec<_>>().join("\n")
    );
}
