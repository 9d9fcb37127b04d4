//! A served process bounds what a connection may hold: slow or unfinished headers and bodies
//! and idle kept-alive connections are timed out, and connections are capped.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{both, Served};

/// Waits (at most `within`) for the server to close `socket`; how long that took, if it did.
/// Whatever the server answered before closing is returned too.
async fn closed_within(socket: &mut TcpStream, within: Duration) -> Option<(Duration, String)> {
    let started = Instant::now();
    let mut got = vec![];
    let mut buf = [0u8; 4096];
    loop {
        let left = within.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, socket.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Some((
                    started.elapsed(),
                    String::from_utf8_lossy(&got).into_owned(),
                ))
            }
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

async fn connect(served: &Served) -> TcpStream {
    TcpStream::connect(("127.0.0.1", served.port))
        .await
        .unwrap()
}

both! {
    async fn slow_headers_bodies_and_idle_connections_are_closed(app: TestApp) {
        let served = Served::start(&app, &[
            ("SIMRENEW_HTTP_HEADER_TIMEOUT_MS", "1000"),
            ("SIMRENEW_HTTP_BODY_TIMEOUT_MS", "1000"),
        ]).await;
        let limit = Duration::from_secs(4);

        // Half a header.
        let mut s = connect(&served).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n").await.unwrap();
        let (took, _) = closed_within(&mut s, limit).await.expect("half a header kept the connection open");
        assert!(took >= Duration::from_millis(800), "closed after {took:?}");

        // Nothing at all.
        let mut s = connect(&served).await;
        assert!(closed_within(&mut s, limit).await.is_some(), "a silent connection stayed open");

        // A body that never ends.
        let mut s = connect(&served).await;
        s.write_all(b"POST /api/v1/auth/codes HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"phone\":").await.unwrap();
        let (_, answer) = closed_within(&mut s, limit).await.expect("an unfinished body kept the connection open");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

        // A kept-alive connection left idle after its answer.
        let mut s = connect(&served).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(limit, s.read(&mut buf)).await.unwrap().unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
        assert!(closed_within(&mut s, limit).await.is_some(), "an idle kept-alive connection stayed open");
    }

    async fn connections_are_capped(app: TestApp) {
        let served = Served::start(&app, &[
            ("SIMRENEW_HTTP_MAX_CONNECTIONS", "20"),
            ("SIMRENEW_HTTP_HEADER_TIMEOUT_MS", "30000"),
        ]).await;
        let mut sockets = vec![];
        for _ in 0..40 {
            sockets.push(connect(&served).await);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut open = vec![];
        for mut s in sockets {
            if closed_within(&mut s, Duration::from_millis(300)).await.is_none() {
                open.push(s);
            }
        }
        assert!(open.len() <= 20, "{} connections stayed open", open.len());
        assert!(open.len() >= 15, "only {} connections were kept", open.len());
        // A connection let go makes room for the next one.
        open.truncate(open.len() - 5);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let r = reqwest::get(format!("{}/healthz", served.base)).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
}
