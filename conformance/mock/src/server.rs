//! The HTTP face of the mock (axum on tokio): every path goes to [`Mock::handle`],
//! except the reserved prefix `/_mock/`, which serves introspection and control to
//! tests (unsigned: the mock listens on loopback).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use voicecall::codes::ResultCode;
use voicecall::operations::Operation;

use crate::config::ServerConfig;
use crate::handle::{MockRequest, MockResponse};
use crate::mock::Mock;
use crate::outcome::Outcome;

/// Reserved path prefix of introspection and control.
pub const CONTROL_PREFIX: &str = "/_mock/";

/// A running mock server (`Debug` does not show the control token).
pub struct MockServer {
    /// The mock (introspection, control).
    pub mock: Mock,
    addr: SocketAddr,
    token: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a mock on `addr` (use `127.0.0.1:0` in tests), with the resource bounds
    /// and control token of `mock.config().server`.
    pub async fn start(mock: Mock, addr: SocketAddr) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let limits = mock.config().server.clone();
        let token = limits.control_token.clone().unwrap_or_else(random_token);
        let guard = Arc::new(ControlGuard {
            token: token.clone(),
            addr,
        });
        let (tx, rx) = oneshot::channel::<()>();
        let app = Router::new()
            .fallback(any)
            .layer(axum::Extension(guard))
            .with_state(mock.clone());
        let task = tokio::spawn(serve(listener, app, limits, rx));
        Ok(MockServer {
            mock,
            addr,
            token,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The token `/_mock/*` requests must carry in the `X-Mock-Token` header (the Rust
    /// API on [`Mock`] needs none).
    pub fn control_token(&self) -> &str {
        &self.token
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in progress finish, and waits (at most 5 s).
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("mock", &self.mock)
            .field("addr", &self.addr)
            .field("token", &"***")
            .finish_non_exhaustive()
    }
}

/// A fresh random control token: 32 hex digits.
fn random_token() -> String {
    let mut b = [0u8; 16];
    // Without randomness the token is still per-run (time and address), never fixed.
    if getrandom::fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        b.copy_from_slice(&t.to_le_bytes());
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The accept loop: at most `max_connections` open (the next accept waits for a free
/// place), each served by hyper's HTTP/1 with its header-read timeout, which also
/// bounds idle keep-alive connections; on shutdown, connections finish their request
/// (at most 5 s).
async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerConfig,
    mut stop: oneshot::Receiver<()>,
) {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let places = Arc::new(Semaphore::new(max));
    let header_timeout = Duration::from_secs(limits.header_read_timeout_seconds.max(1));
    let (closing_tx, closing) = tokio::sync::watch::channel(false);
    loop {
        let place = tokio::select! {
            p = places.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                // Out of descriptors or a reset before accept: try again shortly.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let app = app.clone();
        let mut closing = closing.clone();
        tokio::spawn(async move {
            let _place = place;
            let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                let mut app = app.clone();
                async move { tower_service::Service::call(&mut app, req).await }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), svc);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = closing.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(5), conn).await;
                }
            }
        });
    }
    let _ = closing_tx.send(true);
    // Every place back: every connection closed (or 5 s passed).
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        places.acquire_many(u32::try_from(max).unwrap_or(u32::MAX)),
    )
    .await;
}

/// Who may use `/_mock/*`: requests to this address (Host, and Origin when sent, name
/// it, 127.0.0.1, localhost or [::1] with its port), carrying the run's token.
#[derive(Debug)]
struct ControlGuard {
    token: String,
    addr: SocketAddr,
}

impl ControlGuard {
    fn host_ok(&self, host: &str) -> bool {
        let port = self.addr.port();
        let own = self.addr.to_string();
        host == own
            || [
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
            ]
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Why a control request is refused, if it is.
    fn refuse(&self, parts: &axum::http::request::Parts) -> Option<(StatusCode, &'static str)> {
        let h = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
        if !h("host").is_some_and(|host| self.host_ok(host)) {
            return Some((
                StatusCode::FORBIDDEN,
                "the Host header does not name this mock (127.0.0.1, localhost or [::1] with its port)",
            ));
        }
        if let Some(origin) = parts.headers.get("origin") {
            let ok = origin
                .to_str()
                .ok()
                .and_then(|o| o.strip_prefix("http://"))
                .is_some_and(|host| self.host_ok(host));
            if !ok {
                return Some((StatusCode::FORBIDDEN, "a request from a foreign Origin"));
            }
        }
        if parts.method == axum::http::Method::POST {
            let json = h("content-type").is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
            if !json {
                return Some((
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "control requests are application/json",
                ));
            }
        }
        let token = parts.headers.get("x-mock-token").map(|v| v.as_bytes());
        let matches = token.is_some_and(|t| {
            t.len() == self.token.len()
                && t.iter()
                    .zip(self.token.as_bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        if !matches {
            return Some((
                StatusCode::UNAUTHORIZED,
                "control requests carry the run's token in X-Mock-Token (printed at start)",
            ));
        }
        None
    }
}

async fn any(
    State(mock): State<Mock>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Extension(guard): axum::Extension<Arc<ControlGuard>>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let control_path = path.strip_prefix(CONTROL_PREFIX).map(str::to_string);
    if control_path.is_some() {
        // Refused before the body is read.
        if let Some((status, why)) = guard.refuse(&parts) {
            return json_response(status, json!({ "error": why }));
        }
    }
    // Read one byte more than allowed, so an over-long body is seen and refused with
    // the table's code instead of being cut; a body that does not arrive in time gets
    // 408 and the connection is closed.
    let limit = mock.config().platform.max_body_bytes.saturating_add(1);
    let wait = Duration::from_secs(mock.config().server.body_read_timeout_seconds.max(1));
    let body = match tokio::time::timeout(wait, to_bytes(body, limit)).await {
        Ok(Ok(b)) => b.to_vec(),
        Ok(Err(_)) => vec![0; limit],
        Err(_) => {
            let mut r = json_response(
                StatusCode::REQUEST_TIMEOUT,
                json!({ "error": "the body did not arrive in time" }),
            );
            r.headers_mut()
                .insert("Connection", HeaderValue::from_static("close"));
            return r;
        }
    };
    if let Some(rest) = control_path {
        return control(
            &mock,
            parts.method.as_str(),
            &rest,
            parts.uri.query(),
            &body,
        )
        .await;
    }
    // Header values are read as bytes: a value with non-ASCII bytes (which `to_str`
    // refuses) is kept, UTF-8 read as such and anything else as U+FFFD, so the verifier
    // judges it attribute by attribute instead of seeing an absent header.
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let r = MockRequest {
        method: parts.method.as_str().to_string(),
        path,
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body,
    };
    to_response(mock.handle(&r, peer.ip()))
}

fn to_response(r: MockResponse) -> Response {
    let mut resp = match r.body {
        Some(b) => {
            let mut resp = Response::new(Body::from(b));
            resp.headers_mut().insert(
                "Content-Type",
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            resp
        }
        None => Response::new(Body::empty()),
    };
    *resp.status_mut() =
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in r.headers {
        if let (Ok(k), Ok(v)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

fn json_response(status: StatusCode, v: Value) -> Response {
    let mut resp = (status, v.to_string()).into_response();
    resp.headers_mut()
        .insert("Content-Type", HeaderValue::from_static("application/json"));
    resp
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

#[derive(Deserialize)]
struct SetOutcome {
    number: String,
    outcome: Outcome,
}

#[derive(Deserialize)]
struct Inject {
    #[serde(default)]
    operation: Option<String>,
    status: u16,
    code: String,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `?after=&limit=` of a listing: the cursor (the last item of the previous page) and
/// the page size (default and most: [`PAGE_LIMIT`]).
fn page_query(query: Option<&str>) -> (Option<String>, usize) {
    let mut after = None;
    let mut limit = PAGE_LIMIT;
    for pair in query.unwrap_or("").split('&') {
        match pair.split_once('=') {
            Some(("after", v)) if !v.is_empty() => after = Some(v.to_string()),
            Some(("limit", v)) => {
                limit = v
                    .parse::<usize>()
                    .unwrap_or(PAGE_LIMIT)
                    .clamp(1, PAGE_LIMIT)
            }
            _ => {}
        }
    }
    (after, limit)
}

/// Most items of one listing page.
pub const PAGE_LIMIT: usize = 1000;

/// A page as JSON: the items, and `X-Mock-Next` (the cursor of the next page) when more
/// follow.
fn page_response<T: serde::Serialize>(items: &[T], next: Option<String>) -> Response {
    let mut r = match serde_json::to_vec(items) {
        Ok(b) => {
            let mut r = Response::new(Body::from(b));
            r.headers_mut()
                .insert("Content-Type", HeaderValue::from_static("application/json"));
            r
        }
        Err(e) => {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": e.to_string() }),
            )
        }
    };
    if let Some(v) = next.and_then(|n| HeaderValue::from_str(&n).ok()) {
        r.headers_mut().insert("X-Mock-Next", v);
    }
    r
}

async fn control(
    mock: &Mock,
    method: &str,
    rest: &str,
    query: Option<&str>,
    body: &[u8],
) -> Response {
    let bad = |m: String| json_response(StatusCode::BAD_REQUEST, json!({ "error": m }));
    match (method, rest) {
        ("GET", "sessions") => {
            let (after, limit) = page_query(query);
            let (items, next) = mock.sessions_page(after.as_deref(), limit);
            page_response(&items, next)
        }
        ("GET", "pushes") => {
            let (after, limit) = page_query(query);
            let after = match after.map(|a| a.parse::<usize>()) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => return bad("after is a push id (a number)".into()),
            };
            let (items, next) = mock.pushes_page(after, limit);
            page_response(&items, next.map(|n| n.to_string()))
        }
        ("GET", "summary") => json_response(
            StatusCode::OK,
            json!({ "pushes": mock.push_summary(), "sessions": mock.session_counts(), "live_calls": mock.live_calls(), "virtual_ms": mock.clock().now() }),
        ),
        ("GET", r) if r.starts_with("sessions/") => match mock.session(&r["sessions/".len()..]) {
            Some(s) => json_response(StatusCode::OK, json!(s)),
            None => json_response(StatusCode::NOT_FOUND, json!({ "error": "no such session" })),
        },
        ("POST", "advance") => match serde_json::from_slice::<Advance>(body) {
            Ok(a) => {
                if mock.advance(Duration::from_secs(a.seconds)) {
                    mock.settle(Duration::from_secs(10)).await;
                    json_response(StatusCode::OK, json!({ "virtual_ms": mock.clock().now() }))
                } else {
                    bad("the clock is not manual".into())
                }
            }
            Err(e) => bad(format!("expected {{\"seconds\": N}}: {e}")),
        },
        ("POST", "outcomes") => match serde_json::from_slice::<SetOutcome>(body) {
            Ok(o) => {
                if o.number.chars().count() > 32 {
                    return bad("a number has at most 32 characters".into());
                }
                let max = mock.config().server.max_scripted_outcomes;
                if !mock.try_set_outcome(o.number, o.outcome, max) {
                    return bad(format!(
                        "{max} numbers are scripted already (config server.max_scripted_outcomes)"
                    ));
                }
                json_response(StatusCode::OK, json!({}))
            }
            Err(e) => bad(format!(
                "expected {{\"number\": \"+86…\", \"outcome\": \"busy\"}}: {e}"
            )),
        },
        ("POST", "inject") => match serde_json::from_slice::<Inject>(body) {
            Ok(i) => {
                let Some(code) = ResultCode::lookup(i.status, &i.code) else {
                    return bad(format!(
                        "no result-code table lists ({}, {})",
                        i.status, i.code
                    ));
                };
                let op = match i.operation.as_deref() {
                    None => None,
                    Some(name) => match Operation::ALL.iter().find(|o| o.name() == name) {
                        Some(o) => Some(*o),
                        None => return bad(format!("no operation {name:?}")),
                    },
                };
                mock.inject(op, code, i.count);
                json_response(StatusCode::OK, json!({}))
            }
            Err(e) => bad(format!(
                "expected {{\"status\": 500, \"code\": \"1010001\", \"count\": 1}}: {e}"
            )),
        },
        _ => json_response(
            StatusCode::NOT_FOUND,
            json!({ "error": "control endpoints: GET sessions, sessions/{id}, pushes, summary; POST advance, outcomes, inject" }),
        ),
    }
}
