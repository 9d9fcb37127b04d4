//! What operators watch, from the real binary: `--metrics-listen` serves the Prometheus text
//! and `/readyz`, which names what does not answer.

use serde_json::{json, Value};
use simrenew_domain::catalog::LineKind;

use crate::support::{both, days, Served, AUDIT_KEY};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Waits (at most 15 s) until `url` answers.
async fn answered(url: &str) -> (u16, String) {
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(url).await {
            return (r.status().as_u16(), r.text().await.unwrap());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{url} never answered");
}

both! {
    async fn metrics_count_requests_by_route_and_renewals_by_channel(app: TestApp) {
        let msisdn = app.line(LineKind::Esim, 5_000, Some(days(10))).await.to_string();
        let port = free_port().to_string();
        let listen = format!("127.0.0.1:{port}");
        let served = Served::start(&app, &[("SIMRENEW_METRICS_LISTEN", &listen)]).await;
        let http = reqwest::Client::new();
        let line = http
            .get(format!("{}/api/v1/lines/{msisdn}", served.base))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        assert_eq!(line.status(), 200);
        let order = http
            .post(format!("{}/api/v1/orders", served.base))
            .bearer_auth(&app.token)
            .json(&json!({"msisdn": msisdn, "plan": "TEST-5GB-30D", "payment": {"method": "credit"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(order.status(), 201, "{}", order.text().await.unwrap());
        let probe = http
            .get(format!("{}/wp-admin/a-random-probe-8d2f", served.base))
            .send()
            .await
            .unwrap();
        assert_eq!(probe.status(), 404);

        let (status, text) = answered(&format!("http://{listen}/metrics")).await;
        assert_eq!(status, 200);
        let has = |line: &str| text.lines().any(|l| l.starts_with(line));
        assert!(
            has(r#"simrenew_http_requests_total{route="/api/v1/lines/{msisdn}",method="GET",status="200"} 1"#),
            "{text}"
        );
        assert!(has(r#"simrenew_http_requests_total{route="unmatched",method="GET",status="404"} 1"#), "{text}");
        assert!(!text.contains("wp-admin"), "a raw path is no label: {text}");
        assert!(has(r#"simrenew_renewals_total{channel="portal",method="credit"} 1"#), "{text}");
        assert!(has("simrenew_outbox_backlog 1"), "the order's bundle waits for the network: {text}");
        assert!(has("# TYPE simrenew_http_request_duration_seconds summary"), "{text}");

        // No network configured: ready, and saying so.
        let (status, body) = get(&format!("http://{listen}/readyz")).await;
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["checks"]["database"]["status"], "ok");
        assert_eq!(body["checks"]["network"]["status"], "not configured");
        assert_eq!(body["checks"]["smdp"]["status"], "not configured");
    }

    async fn readyz_names_what_does_not_answer(app: TestApp) {
        // A provisioning API, an SM-DP+ and a NATS that hang up at once: a port this test holds, so that
        // no other test's server can take it meanwhile.
        let refuser = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = refuser.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for conn in refuser.incoming() {
                drop(conn);
            }
        });
        let listen = format!("127.0.0.1:{}", free_port());
        let mut worker = std::process::Command::new(env!("CARGO_BIN_EXE_simrenew"))
            .args(["--database-url", &app.cli_url, "worker", "--metrics-listen", &listen])
            .env("SIMRENEW_LOG", "error")
            .env("SIMRENEW_AUDIT_KEY", AUDIT_KEY)
            .env("SIMRENEW_PROVISIONING_URL", format!("http://{dead}"))
            .env("SIMRENEW_PROVISIONING_SECRET", "a secret of sixteen bytes or more")
            .env("SIMRENEW_NATS_URL", format!("nats://{dead}"))
            .env("SIMRENEW_SMDP_URL", format!("http://{dead}"))
            .env("SIMRENEW_SMDP_ADDRESS", "smdp.test.example")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (status, body) = answered(&format!("http://{listen}/readyz")).await;
        let _ = worker.kill();
        let _ = worker.wait();
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["status"], "not ready");
        assert_eq!(body["checks"]["database"]["status"], "ok", "{body}");
        assert_eq!(body["checks"]["network"]["status"], "failing", "{body}");
        assert_eq!(body["checks"]["nats"]["status"], "failing", "{body}");
        assert_eq!(body["checks"]["smdp"]["status"], "failing", "{body}");
        assert!(!body.to_string().contains(&dead), "no address is told: {body}");
    }
}
