//! Issue 14 (hardening) over loopback: replay protection under load, one parse for one
//! body, malformed header bytes, resource bounds and the control plane.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use voicecall::auth::{sign_request, Credentials, SignedHeaders};
use voicecall::operations::Operation;

fn callback_without_pushes() -> serde_json::Value {
    json!({
        "displayNbr": "+8675528000001",
        "callerNbr": "+8613800000001",
        "displayCalleeNbr": "+8675528000002",
        "calleeNbr": "+8613800000002",
    })
}

/// Sends `body` to the callback operation with the given signed headers.
async fn send_signed(
    http: &reqwest::Client,
    server: &voicecall_mock::MockServer,
    h: &SignedHeaders,
    body: &str,
) -> Answer {
    let url = format!(
        "{}{}",
        server.base_url(),
        Operation::CreateVoiceCallback.wire_path()
    );
    let r = http
        .post(url)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Authorization", &h.authorization)
        .header("X-AKSK", &h.x_aksk)
        .body(body.to_string())
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    answer(r).await
}

/// Finding 1 over HTTP: R → 200; R → 401; N fresh signed requests through a replay
/// memory of N/2 nonces; R again → refused. N = 2,000 by default, 200,000 with
/// `VOICECALL_STRESS=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_after_a_flood_of_fresh_requests_is_refused() {
    let n: usize = if std::env::var_os("VOICECALL_STRESS").is_some() {
        200_000
    } else {
        2_000
    };
    let mut cfg = config();
    cfg.platform.replay_capacity = n / 2;
    let server = start(cfg).await;
    let creds = Credentials::new(KEY, SECRET);
    let http = reqwest::Client::new();
    let body = callback_without_pushes().to_string();
    let r = sign_request(&creds, None, None);
    let first = send_signed(&http, &server, &r, &body).await;
    assert_eq!((first.status, first.code.as_deref()), (200, Some("0")));
    let again = send_signed(&http, &server, &r, &body).await;
    assert_eq!(
        (again.status, again.code.as_deref()),
        (401, Some("1010010"))
    );
    // The flood: signed requests with fresh nonces and an unreadable body (judged after
    // the signature, so each nonce is remembered, and no call is placed); once the
    // memory is full they get the flow-control row instead.
    let tasks = 8;
    let mut joins = Vec::new();
    for t in 0..tasks {
        let http = http.clone();
        let base = server.base_url();
        let creds = creds.clone();
        joins.push(tokio::spawn(async move {
            let url = format!("{base}{}", Operation::CreateVoiceCallback.wire_path());
            let (mut unreadable, mut full) = (0usize, 0usize);
            for _ in (t..n).step_by(tasks) {
                let h = sign_request(&creds, None, None);
                let r = http
                    .post(&url)
                    .header("Content-Type", "application/json;charset=UTF-8")
                    .header("Authorization", &h.authorization)
                    .header("X-AKSK", &h.x_aksk)
                    .body("{")
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await
                    .unwrap();
                let a = answer(r).await;
                match (a.status, a.code.as_deref()) {
                    (403, Some("1010002")) => unreadable += 1,
                    (403, Some("1010010")) => full += 1,
                    other => panic!("unexpected answer to a fresh request: {other:?}"),
                }
            }
            (unreadable, full)
        }));
    }
    let (mut unreadable, mut full) = (0, 0);
    for j in joins {
        let (u, f) = j.await.unwrap();
        unreadable += u;
        full += f;
    }
    assert_eq!(unreadable, n / 2 - 1, "R holds one place in the memory");
    assert_eq!(full, n - unreadable);
    let last = send_signed(&http, &server, &r, &body).await;
    assert_eq!(
        (last.status, last.code.as_deref()),
        (401, Some("1010010")),
        "the replay after {n} fresh requests: {:?}",
        last.reason
    );
    assert_eq!(server.mock.sessions().len(), 1, "one call placed, not two");
    server.shutdown().await;
}

/// A full replay memory refuses new requests with the flow-control row, 403/1010010,
/// and never lets the replay through.
#[tokio::test]
async fn a_full_replay_memory_answers_flow_control() {
    let mut cfg = config();
    cfg.platform.replay_capacity = 3;
    let server = start(cfg).await;
    let creds = Credentials::new(KEY, SECRET);
    let http = reqwest::Client::new();
    let body = callback_without_pushes().to_string();
    let r = sign_request(&creds, None, None);
    assert_eq!(send_signed(&http, &server, &r, &body).await.status, 200);
    for _ in 0..2 {
        let h = sign_request(&creds, None, None);
        assert_eq!(send_signed(&http, &server, &h, "{").await.status, 403);
    }
    let h = sign_request(&creds, None, None);
    let full = send_signed(&http, &server, &h, &body).await;
    assert_eq!((full.status, full.code.as_deref()), (403, Some("1010010")));
    let replay = send_signed(&http, &server, &r, &body).await;
    assert_eq!(
        (replay.status, replay.code.as_deref()),
        (401, Some("1010010"))
    );
    assert_eq!(server.mock.sessions().len(), 1);
    server.shutdown().await;
}

/// Sends raw bytes as a header value (reqwest allows obs-text, bytes ≥ 0x80).
async fn send_raw_headers(
    server: &voicecall_mock::MockServer,
    authorization: &[u8],
    x_aksk: &[u8],
) -> Answer {
    let url = format!(
        "{}{}",
        server.base_url(),
        Operation::CreateVoiceCallback.wire_path()
    );
    let r = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header(
            "Authorization",
            reqwest::header::HeaderValue::from_bytes(authorization).unwrap(),
        )
        .header(
            "X-AKSK",
            reqwest::header::HeaderValue::from_bytes(x_aksk).unwrap(),
        )
        .body(callback_without_pushes().to_string())
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    answer(r).await
}

/// Finding 7: a header with non-ASCII bytes is read as bytes and judged attribute by
/// attribute; the answer names the malformed attribute, not an absent header.
#[tokio::test]
async fn non_ascii_bytes_in_signing_headers_name_the_attribute() {
    let server = start(config()).await;
    let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
    let (auth, x) = (h.authorization.as_str(), h.x_aksk.as_str());
    // (what, Authorization, X-AKSK, expected code)
    let cases: Vec<(&str, String, String, &str)> = vec![
        (
            "Cyrillic а in the name Username",
            auth.into(),
            x.replacen("Username=", "Usernаme=", 1),
            "1023034",
        ),
        (
            "fullwidth ＝ after Nonce",
            auth.into(),
            x.replacen("Nonce=", "Nonce＝", 1),
            "1023035",
        ),
        (
            "Cyrillic а inside the Nonce value",
            auth.into(),
            x.replacen("Nonce=\"", "Nonce=\"а", 1),
            "1023035",
        ),
        (
            "fullwidth ＝ after realm",
            auth.replacen("realm=", "realm＝", 1),
            x.into(),
            "1023007",
        ),
        (
            "Cyrillic а in the realm value",
            auth.replacen("SDP", "SDа", 1),
            x.into(),
            "1023009",
        ),
    ];
    for (what, a, x, code) in cases {
        let got = send_raw_headers(&server, a.as_bytes(), x.as_bytes()).await;
        assert_eq!(got.code.as_deref(), Some(code), "{what}: {:?}", got.reason);
    }
    // Bytes that are not UTF-8 at all (obs-text) are read too.
    let mut bad = x.replacen("Nonce=\"", "Nonce=\"\u{1}", 1).into_bytes();
    let at = bad.iter().position(|&b| b == 1).unwrap();
    bad[at] = 0xE0;
    let got = send_raw_headers(&server, auth.as_bytes(), &bad).await;
    assert_eq!(got.code.as_deref(), Some("1023035"), "{:?}", got.reason);
    server.shutdown().await;
}

/// Finding 6: one parse for one body — duplicate keys are refused (403/1010002, the
/// spec's code for an unreadable request) in either order, at any depth.
#[tokio::test]
async fn duplicate_json_keys_are_refused_as_unreadable() {
    let server = start(config()).await;
    let long = "1".repeat(40);
    let bodies = [
        format!(
            r#"{{"displayNbr":"+8675528000001","callerNbr":"+8613800000001","displayCalleeNbr":"+8675528000002","calleeNbr":"+{long}","calleeNbr":"+8613800000002"}}"#
        ),
        format!(
            r#"{{"displayNbr":"+8675528000001","callerNbr":"+8613800000001","displayCalleeNbr":"+8675528000002","calleeNbr":"+8613800000002","calleeNbr":"+{long}"}}"#
        ),
        r#"{"displayNbr":"+8675528000001","callerNbr":"+8613800000001","displayCalleeNbr":"+8675528000002","calleeNbr":"+8613800000002","userData":"a","userData":"a"}"#.to_string(),
    ];
    for body in &bodies {
        let got = send_as(
            &server,
            &Credentials::new(KEY, SECRET),
            Operation::CreateVoiceCallback,
            body,
        )
        .await;
        assert_eq!(
            (got.status, got.code.as_deref()),
            (403, Some("1010002")),
            "{body}: {:?}",
            got.reason
        );
    }
    let nested = r#"{"displayNbr":"+8675528000001","calleeNbr":"+8613800000003","playInfoList":[{"notifyVoice":"a.wav","notifyVoice":"b.wav"}]}"#;
    let got = send_as(
        &server,
        &Credentials::new(KEY, SECRET),
        Operation::CreateVoiceNotification,
        nested,
    )
    .await;
    assert_eq!((got.status, got.code.as_deref()), (403, Some("1010002")));
    let query = send_as(
        &server,
        &Credentials::new(KEY, SECRET),
        Operation::GetRecordingDownloadUrl,
        "fileName=a.wav&recordDomain=d&fileName=b.wav",
    )
    .await;
    assert_eq!(
        (query.status, query.code.as_deref()),
        (403, Some("1010002"))
    );
    assert!(server.mock.sessions().is_empty(), "no call placed");
    server.shutdown().await;
}

const SENTINEL: &str = "SENTINEL-SECRET-a9d3";

/// Finding 9: no `Debug` of a config or state type prints the secret.
#[tokio::test]
async fn debug_of_config_and_state_never_shows_the_secret() {
    let single = voicecall_mock::MockConfig::single_app(KEY, SENTINEL);
    let from_toml = voicecall_mock::MockConfig::from_toml(&format!(
        "[[apps]]\napp_key = \"k\"\napp_secret = \"{SENTINEL}\"\n"
    ))
    .unwrap();
    let mut shown = vec![
        format!("{single:?}"),
        format!("{single:#?}"),
        format!("{from_toml:?}"),
        format!("{:?}", single.apps[0]),
    ];
    let server = start(single).await;
    shown.push(format!("{:?}", server.mock));
    shown.push(format!("{server:?}"));
    shown.push(format!("{:?}", server.mock.config()));
    for s in &shown {
        assert!(!s.contains(SENTINEL), "{s}");
    }
    assert!(
        shown[0].contains("***"),
        "the secret is redacted, not dropped"
    );
    server.shutdown().await;
}

/// The `voicecall-mock` command never prints the secret (flag or environment). It runs
/// the binary, which is built only with the `cli` feature (`--all-features`).
#[cfg(feature = "cli")]
#[test]
fn the_mock_command_never_prints_the_secret() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_voicecall-mock"))
        .args(["--port", "0", "--app-key", "k", "--app-secret", SENTINEL])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The banner is three lines (bounded: the reader ends if the process dies).
    for _ in 0..3 {
        match lines.next() {
            Some(Ok(l)) => {
                out.push_str(&l);
                out.push('\n');
            }
            _ => break,
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(out.contains("listening on http://127.0.0.1:"), "{out}{err}");
    assert!(
        !out.contains(SENTINEL) && !err.contains(SENTINEL),
        "{out}{err}"
    );
    let help = Command::new(env!("CARGO_BIN_EXE_voicecall-mock"))
        .arg("--help")
        .env("VOICECALL_APP_SECRET", SENTINEL)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(!text.contains(SENTINEL), "{text}");
}

/// A control request: method, path, headers.
async fn control(
    server: &voicecall_mock::MockServer,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> reqwest::Response {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}/_mock/{path}", server.base_url()))
        .body(body.to_string())
        .timeout(Duration::from_secs(10));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap()
}

/// Finding 4: a page on another site cannot drive the control plane — a cross-site
/// `POST /_mock/inject` (text/plain, foreign Origin), a rebound Host, or a request
/// without the run's token is refused and changes nothing.
#[tokio::test]
async fn the_control_plane_refuses_foreign_pages_and_wants_the_token() {
    let server = start(config()).await;
    let token = server.control_token().to_string();
    let inject = r#"{"status":500,"code":"1010001","count":1}"#;
    let refused = [
        vec![
            ("Content-Type", "text/plain"),
            ("Origin", "http://evil.example"),
        ],
        vec![
            ("Content-Type", "text/plain"),
            ("Origin", "http://evil.example"),
            ("X-Mock-Token", token.as_str()),
        ],
        vec![
            ("Content-Type", "application/json"),
            ("Origin", "http://evil.example"),
            ("X-Mock-Token", token.as_str()),
        ],
        vec![
            ("Content-Type", "application/json"),
            ("Host", "evil.example"),
            ("X-Mock-Token", token.as_str()),
        ],
        vec![
            ("Content-Type", "text/plain"),
            ("X-Mock-Token", token.as_str()),
        ],
        vec![("Content-Type", "application/json")],
        vec![
            ("Content-Type", "application/json"),
            ("X-Mock-Token", "0123456789abcdef0123456789abcdef"),
        ],
    ];
    for headers in &refused {
        let r = control(&server, reqwest::Method::POST, "inject", headers, inject).await;
        assert!(
            [401, 403, 415].contains(&r.status().as_u16()),
            "{headers:?}: {}",
            r.status()
        );
    }
    let r = control(&server, reqwest::Method::GET, "sessions", &[], "").await;
    assert_eq!(r.status(), 401, "listing without the token");
    let a = send(
        &server,
        Operation::CreateVoiceCallback,
        &callback_without_pushes(),
    )
    .await;
    assert_eq!(a.status, 200, "no refused injection took effect");
    let ok = [
        ("Content-Type", "application/json"),
        ("X-Mock-Token", token.as_str()),
    ];
    let r = control(&server, reqwest::Method::POST, "inject", &ok, inject).await;
    assert_eq!(r.status(), 200);
    let a = send(
        &server,
        Operation::CreateVoiceCallback,
        &callback_without_pushes(),
    )
    .await;
    assert_eq!(
        a.code.as_deref(),
        Some("1010001"),
        "the token's injection did"
    );
    let same_origin = [
        ("Content-Type", "application/json"),
        ("X-Mock-Token", token.as_str()),
        ("Origin", &format!("http://{}", server.addr())),
    ];
    let r = control(
        &server,
        reqwest::Method::POST,
        "inject",
        &same_origin,
        inject,
    )
    .await;
    assert_eq!(r.status(), 200);
    server.shutdown().await;
}

/// Finding 4: what `/_mock/outcomes` stores is bounded, and listings come in pages.
#[tokio::test]
async fn control_inputs_are_bounded_and_listings_paginate() {
    let mut cfg = config();
    cfg.server.max_scripted_outcomes = 2;
    cfg.server.control_token = Some("t0ken".into());
    let server = start(cfg).await;
    let h = [
        ("Content-Type", "application/json"),
        ("X-Mock-Token", "t0ken"),
    ];
    let outcome = |n: &str| format!(r#"{{"number":"{n}","outcome":"busy"}}"#);
    let post = |body: String| {
        let server = &server;
        async move {
            control(server, reqwest::Method::POST, "outcomes", &h, &body)
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(post(outcome(&"1".repeat(60_000))).await, 400, "long number");
    assert_eq!(post(outcome("+8613800000009")).await, 200);
    assert_eq!(post(outcome("+8613800000008")).await, 200);
    assert_eq!(post(outcome("+8613800000007")).await, 400, "table full");
    assert_eq!(
        post(outcome("+8613800000008")).await,
        200,
        "a scripted one changes"
    );
    for _ in 0..5 {
        let a = send(
            &server,
            Operation::CreateVoiceCallback,
            &callback_without_pushes(),
        )
        .await;
        assert_eq!(a.status, 200);
    }
    let mut seen = Vec::new();
    let mut path = "sessions?limit=2".to_string();
    for _ in 0..10 {
        let r = control(&server, reqwest::Method::GET, &path, &h[1..], "").await;
        assert_eq!(r.status(), 200);
        let next = r
            .headers()
            .get("x-mock-next")
            .map(|v| v.to_str().unwrap().to_string());
        let page: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        let page = page.as_array().unwrap().clone();
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|s| s["id"].as_str().unwrap().to_string()));
        match next {
            Some(n) => path = format!("sessions?limit=2&after={n}"),
            None => break,
        }
    }
    let all: Vec<String> = server
        .mock
        .sessions()
        .iter()
        .map(|s| s.session.id.clone())
        .collect();
    assert_eq!(seen, all, "the pages, in order, are every session once");
    server.shutdown().await;
}

/// Finding 3: connections that trickle their headers, or send nothing, are closed by
/// the header-read timeout, and a legitimate request is served while they try, with a
/// cap on connections well below their number. Bounded: each bad connection writes at
/// most 150 bytes, 100 ms apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_and_idle_connections_are_closed_and_requests_still_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut cfg = config();
    cfg.server.max_connections = 8;
    cfg.server.header_read_timeout_seconds = 1;
    cfg.server.body_read_timeout_seconds = 1;
    let server = start(cfg).await;
    let addr = server.addr();
    let mut bad = Vec::new();
    for i in 0..24 {
        bad.push(tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            if i % 2 == 0 {
                // Trickles a header that never ends.
                if s.write_all(b"GET /_mock/summary HTTP/1.1\r\nX-Slow: ")
                    .await
                    .is_err()
                {
                    return true;
                }
                for _ in 0..150 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if s.write_all(b"a").await.is_err() {
                        return true;
                    }
                }
                false
            } else {
                // Sends nothing; the server's close shows as end of stream.
                let mut b = [0u8; 64];
                matches!(
                    tokio::time::timeout(Duration::from_secs(15), s.read(&mut b)).await,
                    Ok(Ok(0)) | Ok(Err(_))
                )
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let a = send(
        &server,
        Operation::CreateVoiceCallback,
        &callback_without_pushes(),
    )
    .await;
    assert_eq!(a.status, 200, "served while the bad connections try");
    for b in bad {
        assert!(b.await.unwrap(), "the server closed the bad connection");
    }
    // A body that never arrives: 408, then closed.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
            Operation::CreateVoiceCallback.wire_path()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), s.read_to_end(&mut got)).await;
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    server.shutdown().await;
}

/// Places `calls` callbacks with status and fee pushes to real receivers, runs the
/// manual clock past their ends and the fee pushes, and returns the summary.
async fn run_calls(
    mut cfg: voicecall_mock::MockConfig,
    calls: usize,
) -> (voicecall_mock::MockServer, voicecall_mock::PushSummary) {
    use voicecall::receiver::PushKind;
    cfg.clock = voicecall_mock::ClockConfig::Manual;
    let server = start(cfg).await;
    let (status_url, _) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, _) = receiver(PushKind::CallbackFee).await;
    for _ in 0..calls {
        let a = send(
            &server,
            Operation::CreateVoiceCallback,
            &callback(&status_url, &fee_url),
        )
        .await;
        assert_eq!(a.status, 200, "{:?}", a.reason);
    }
    for _ in 0..4 {
        run(&server, 600).await;
    }
    let summary = server.mock.push_summary();
    (server, summary)
}

/// Finding 5: ended sessions, their events and finished push records are evicted by
/// count (and age), and the summary stays exact: the same run with and without
/// retention gives the same counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_bounds_the_state_and_keeps_the_summary_exact() {
    let calls = 12;
    let (full, expected) = run_calls(config(), calls).await;
    assert_eq!(full.mock.sessions().len(), calls);
    let mut cfg = config();
    cfg.retention.max_ended_sessions = 3;
    cfg.retention.max_push_records = 5;
    let (kept, got) = run_calls(cfg, calls).await;
    assert_eq!(got, expected, "the summary counts evicted pushes too");
    assert!(got.total > 5 && got.pending == 0, "{got:?}");
    assert!(kept.mock.sessions().len() <= 3);
    assert!(kept.mock.pushes().len() <= 5);
    let counts = kept.mock.session_counts();
    assert_eq!(
        (counts.total, counts.live, counts.evicted + counts.retained),
        (calls, 0, calls)
    );
    assert!(counts.evicted >= calls - 3);
    full.shutdown().await;
    kept.shutdown().await;
}
