//! The HTTP face of the mock (axum on tokio): every path goes to [`Mock::handle`],
//! except the reserved prefix `/_mock/`, which serves introspection and control to
//! tests (unsigned: the mock listens on loopback).

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use voicecall::codes::ResultCode;
use voicecall::operations::Operation;

use crate::handle::{MockRequest, MockResponse};
use crate::mock::Mock;
use crate::outcome::Outcome;

/// Reserved path prefix of introspection and control.
pub const CONTROL_PREFIX: &str = "/_mock/";

/// A running mock server.
#[derive(Debug)]
pub struct MockServer {
    /// The mock (introspection, control).
    pub mock: Mock,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a mock on `addr` (use `127.0.0.1:0` in tests).
    pub async fn start(mock: Mock, addr: SocketAddr) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(mock.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(MockServer {
            mock,
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
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

/// The router: everything to one handler, which routes as the platform does (so an
/// unknown path gets the table's 1010006, not axum's 404).
pub fn router(mock: Mock) -> Router {
    Router::new().fallback(any).with_state(mock)
}

async fn any(
    State(mock): State<Mock>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    // Read one byte more than allowed, so an over-long body is seen and refused with
    // the table's code instead of being cut.
    let limit = mock.config().platform.max_body_bytes.saturating_add(1);
    let body = match to_bytes(body, limit).await {
        Ok(b) => b.to_vec(),
        Err(_) => vec![0; limit],
    };
    if let Some(rest) = path.strip_prefix(CONTROL_PREFIX) {
        return control(&mock, parts.method.as_str(), rest, &body).await;
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

async fn control(mock: &Mock, method: &str, rest: &str, body: &[u8]) -> Response {
    let bad = |m: String| json_response(StatusCode::BAD_REQUEST, json!({ "error": m }));
    match (method, rest) {
        ("GET", "sessions") => json_response(StatusCode::OK, json!(mock.sessions())),
        ("GET", "pushes") => json_response(StatusCode::OK, json!(mock.pushes())),
        ("GET", "summary") => json_response(
            StatusCode::OK,
            json!({ "pushes": mock.push_summary(), "live_calls": mock.live_calls(), "virtual_ms": mock.clock().now() }),
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
                mock.set_outcome(o.number, o.outcome);
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
