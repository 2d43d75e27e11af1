//! The load client's pieces that the open-loop and the versus-Prism benches share: the
//! app, the request body, the mock as they start it, one keep-alive HTTP/1.1 connection
//! and the signed click2Call request sent on it. One definition, so the two benches send
//! the same request the same way.
//!
//! Declared with `#[allow(dead_code)]` in `common/mod.rs`: the `load` bench includes
//! `common` for the bare endpoint alone and uses none of this.

use std::net::SocketAddr;

use axum::body::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use voicecall::auth::SignedHeaders;
use voicecall::operations::Operation;
use voicecall_mock::{ClockConfig, Mock, MockConfig, MockServer};

/// The app the mock serves and the client signs for.
pub const KEY: &str = "benchAppKey";
/// Its secret.
pub const SECRET: &str = "benchAppSecret";

/// A number from the environment, or `default` when unset; a value that does not parse
/// stops the bench with its name.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// The click2Call body every request carries: valid, without statusUrl/feeUrl (so the
/// mock pushes nothing).
pub fn body() -> Bytes {
    Bytes::from(
        json!({
            "displayNbr": "+8675528000001",
            "callerNbr": "+8613800000001",
            "displayCalleeNbr": "+8675528000002",
            "calleeNbr": "+8613800000002",
            "userData": "order-42",
        })
        .to_string(),
    )
}

/// A tokio runtime with one worker thread named `name` (server and client each get one,
/// on a 2-core machine).
pub fn runtime(name: &str) -> Runtime {
    super::cpu::runtime(name, None, &super::cpu::Tids::default())
}

/// Pins the current thread to `core` (nothing when `None`; a refusal by the OS is
/// reported, and the thread runs unpinned).
pub fn pin(core: Option<core_affinity::CoreId>) {
    if let Some(c) = core {
        if !core_affinity::set_for_current(c) {
            eprintln!("could not pin a thread to core {}", c.id);
        }
    }
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`), empty where unreadable.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The mock as a long-running `voicecall-mock` serves: one app, `platform.ports` large
/// (no capacity refusals), the *fast* clock (factor 1000: a call ends tens of real
/// milliseconds after it is accepted) and the default retention; on 127.0.0.1:0.
pub async fn start_mock() -> (MockServer, SocketAddr) {
    start_mock_with(ClockConfig::FAST).await
}

/// The same mock on another clock ([`ClockConfig::Manual`]: no call ever progresses, so
/// only the request path is measured).
pub async fn start_mock_with(clock: ClockConfig) -> (MockServer, SocketAddr) {
    let mut config = MockConfig::single_app(KEY, SECRET);
    config.platform.ports = 1_000_000_000;
    config.clock = clock;
    let server = MockServer::start(Mock::new(config), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = server.addr();
    (server, addr)
}

/// Opens one keep-alive HTTP/1.1 connection (no Nagle delay); its driver runs as a task.
pub async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(driver);
    Ok(sender)
}

/// The click2Call request to `host` carrying `signed`'s two headers and `body`.
pub fn click2call(host: &str, signed: &SignedHeaders, body: &Bytes) -> hyper::Request<Full<Bytes>> {
    hyper::Request::post(Operation::CreateVoiceCallback.wire_path())
        .header("Host", host)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Authorization", signed.authorization.as_str())
        .header("X-AKSK", signed.x_aksk.as_str())
        .body(Full::new(body.clone()))
        .expect("a well-formed request")
}
