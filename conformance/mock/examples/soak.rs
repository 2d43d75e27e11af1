//! Soak of the mock (issue 14, finding 5): places many calls with status and fee
//! pushes and shows that, with the default retention, resident memory stays flat.
//!
//! `cargo run --release -p voicecall-mock --example soak` (`VOICECALL_SOAK_CALLS`,
//! default 500,000; `VOICECALL_SOAK_WAVE`, default 2,000 calls per wave).
//!
//! Method: one process. Calls are judged by `Mock::handle` with freshly signed headers
//! (signature, replay memory, validation and policy as over HTTP, without the client's
//! sockets); every call carries a statusUrl and a feeUrl pointing at a bare axum
//! receiver in the same process (200, `{"resultcode":"0"}`, no checks), so every status
//! event and every CDR batch is really pushed over loopback. The clock is manual: each
//! wave of calls is placed, then virtual time runs 60 s (each call rings, talks 5 s and
//! ends; CDRs are pushed in batches of 50) and `Mock::settle` waits for the pushes.
//! After each tenth of the run it prints VmRSS, and at the end VmHWM (peak), the
//! retained and evicted counts, and checks that the summary is exact: every CDR
//! produced was delivered, nothing pending, sessions total == calls placed.

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;
use voicecall::auth::{sign_request, Credentials};
use voicecall::operations::Operation;
use voicecall_mock::{Mock, MockConfig, MockRequest};

const KEY: &str = "soakAppKey";
const SECRET: &str = "soakAppSecret";

fn kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

async fn receiver() -> String {
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/",
        post(|| async { r#"{"resultcode":"0","resultdesc":"Success"}"# }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

fn main() -> ExitCode {
    voicecall_mock::limit_malloc_arenas();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run())
}

async fn run() -> ExitCode {
    let calls = env("VOICECALL_SOAK_CALLS", 500_000);
    let wave = env("VOICECALL_SOAK_WAVE", 2_000).max(1);
    let rss_start = kib("VmRSS:");
    let status_url = receiver().await;
    let fee_url = receiver().await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut config = MockConfig::single_app(KEY, SECRET);
    config.clock = voicecall_mock::ClockConfig::Manual;
    config.platform.default_talk_seconds = 5;
    let retention = config.retention.clone();
    let mock = Mock::new(config);
    let creds = Credentials::new(KEY, SECRET);
    let body = json!({
        "displayNbr": "+8675528000001", "callerNbr": "+8613800000001",
        "displayCalleeNbr": "+8675528000002", "calleeNbr": "+8613800000002",
        "statusUrl": b64(&status_url), "feeUrl": b64(&fee_url),
    })
    .to_string()
    .into_bytes();
    let peer = IpAddr::V4(Ipv4Addr::LOCALHOST);
    println!(
        "soak: {calls} callbacks in waves of {wave}, retention {} ended sessions / {} push records",
        retention.max_ended_sessions, retention.max_push_records
    );
    println!(
        "{:>9} {:>10} {:>9} {:>10}",
        "calls", "VmRSS MiB", "retained", "elapsed s"
    );
    let started = Instant::now();
    let mut placed = 0usize;
    let mut next_report = calls / 10;
    while placed < calls {
        let n = wave.min(calls - placed);
        for _ in 0..n {
            let h = sign_request(&creds, None, None);
            let req = MockRequest::signed(Operation::CreateVoiceCallback, &h, body.clone());
            let r = mock.handle(&req, peer);
            if r.status != 200 {
                eprintln!("call {placed} refused: {} {:?}", r.status, r.body);
                return ExitCode::FAILURE;
            }
            placed += 1;
        }
        mock.advance(Duration::from_secs(60));
        if !mock.settle(Duration::from_secs(120)).await {
            eprintln!("pushes did not settle after {placed} calls");
            return ExitCode::FAILURE;
        }
        if placed >= next_report || placed == calls {
            let c = mock.session_counts();
            println!(
                "{placed:>9} {:>10.1} {:>9} {:>10.1}",
                kib("VmRSS:") as f64 / 1024.0,
                c.retained,
                started.elapsed().as_secs_f64()
            );
            next_report += calls / 10;
        }
    }
    // The last wave's remaining events and CDR batches, and every fee retry (6, an
    // hour apart): a push that failed (a refused loopback connection) is retried.
    for _ in 0..8 {
        mock.advance(Duration::from_secs(3600));
        mock.settle(Duration::from_secs(120)).await;
    }
    let s = mock.push_summary();
    let c = mock.session_counts();
    let peak = kib("VmHWM:");
    println!(
        "pushes: {} ({} delivered, {} pending, {} failed, {} undeliverable); CDRs {} produced, {} delivered",
        s.total, s.delivered, s.pending, s.failed, s.undeliverable, s.cdrs, s.cdrs_delivered
    );
    println!(
        "sessions: {} placed, {} retained, {} evicted, {} live",
        c.total, c.retained, c.evicted, c.live
    );
    println!(
        "VmRSS at start {:.1} MiB, peak (VmHWM) {:.1} MiB, {:.1} s",
        rss_start as f64 / 1024.0,
        peak as f64 / 1024.0,
        started.elapsed().as_secs_f64()
    );
    if let Some(p) = mock
        .pushes()
        .into_iter()
        .find(|p| p.state == voicecall_mock::PushState::Pending)
    {
        println!(
            "first pending push: {} {}, attempts {:?}",
            p.id, p.event, p.attempts
        );
    }
    let exact = c.total == calls
        && c.live == 0
        && s.pending == 0
        && s.cdrs == calls
        && s.cdrs_delivered == calls
        && c.evicted + c.retained == calls;
    if !exact {
        eprintln!("the summary is not exact");
        return ExitCode::FAILURE;
    }
    if peak > 256 * 1024 {
        eprintln!("peak above 256 MiB");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
