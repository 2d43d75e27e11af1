//! Shared test harness: a mock on 127.0.0.1:0 with a manual clock, real receivers (the
//! `voicecall::receiver` router, checking push signatures) for status and fee pushes,
//! and a signed raw HTTP sender.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use base64::Engine as _;
use serde_json::{json, Value};
use voicecall::auth::{sign_request, AppSecret, Credentials, PushVerifier, VerifierConfig};
use voicecall::operations::Operation;
use voicecall::receiver::{Delivery, PushKind, ReceiveError, Receiver};
use voicecall_mock::{Mock, MockConfig, MockServer};

pub const KEY: &str = "testAppKey";
pub const SECRET: &str = "testSecret";

/// What a receiver got: each push delivered to the handler, or why it was refused.
pub type Log = Arc<Mutex<Vec<Result<Delivery, ReceiveError>>>>;

/// A receiver on loopback (the crate's `Receiver`, checking push signatures, with a
/// handler that keeps every delivery); returns its URL and log.
pub async fn receiver(kind: PushKind) -> (String, Log) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let rx = Arc::new(Receiver::new(kind).with_signature_check(verifier(&url)));
    let l = log.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (rx, l) = (rx.clone(), l.clone());
            async move {
                let lookup = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
                let keep = |d: Delivery| {
                    l.lock().unwrap().push(Ok(d));
                    std::future::ready(Ok::<(), String>(()))
                };
                let (reply, outcome) = rx
                    .handle(lookup, &body, time::OffsetDateTime::now_utc(), &keep)
                    .await;
                if let Err(e) = outcome {
                    l.lock().unwrap().push(Err(e));
                }
                (
                    axum::http::StatusCode::from_u16(reply.status).unwrap(),
                    reply.body,
                )
            }
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, log)
}

/// The push verifier for a receiver at `url`.
pub fn verifier(url: &str) -> PushVerifier {
    PushVerifier::new(&AppSecret::new(SECRET), url, VerifierConfig::default())
}

/// Everything the validators found in a delivery, and every value that did not parse.
pub fn problems(d: &Delivery) -> Vec<String> {
    match d {
        Delivery::Status(s) => s
            .violations
            .iter()
            .map(ToString::to_string)
            .chain(s.event.as_ref().err().cloned())
            .collect(),
        Delivery::Fee(f) => f
            .violations
            .iter()
            .map(ToString::to_string)
            .chain(f.envelope_error.clone())
            .chain(f.cdrs.iter().flat_map(|c| {
                c.violations
                    .iter()
                    .map(ToString::to_string)
                    .chain(c.cdr.as_ref().err().cloned())
                    .collect::<Vec<_>>()
            }))
            .collect(),
    }
}

/// A server answering every POST with `replies[i]` (then the last one): for receivers
/// that fail first and recover.
pub async fn scripted_receiver(
    replies: Vec<(u16, &'static str)>,
) -> (String, Arc<Mutex<Vec<String>>>) {
    use axum::http::StatusCode;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
    let b = bodies.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |body: String| {
            let b = b.clone();
            let replies = replies.clone();
            async move {
                let mut got = b.lock().unwrap();
                got.push(body);
                let (s, text) = replies[(got.len() - 1).min(replies.len() - 1)];
                (StatusCode::from_u16(s).unwrap(), text)
            }
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, bodies)
}

pub fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

pub async fn start(config: MockConfig) -> MockServer {
    MockServer::start(
        Mock::new(config),
        "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
    )
    .await
    .unwrap()
}

pub fn config() -> MockConfig {
    MockConfig::single_app(KEY, SECRET)
}

/// The answer to a request: status, resultcode, body, Location.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub code: Option<String>,
    pub body: Value,
    pub location: Option<String>,
    pub reason: Option<String>,
}

/// Sends `body` to `op` signed with `creds`.
pub async fn send_as(
    server: &MockServer,
    creds: &Credentials,
    op: Operation,
    body: &str,
) -> Answer {
    let h = sign_request(creds, None, None);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}{}", server.base_url(), op.wire_path());
    let req = if op == Operation::GetRecordingDownloadUrl {
        http.get(format!("{url}?{body}"))
    } else {
        http.post(url)
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(body.to_string())
    };
    let r = req
        .header("Authorization", h.authorization)
        .header("X-AKSK", h.x_aksk)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    answer(r).await
}

pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let reason = r
        .headers()
        .get("x-mock-reason")
        .map(|v| voicecall_mock::reason::decode(v.to_str().unwrap()));
    let text = r.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let code = body
        .get("resultcode")
        .and_then(Value::as_str)
        .map(String::from);
    Answer {
        status,
        code,
        body,
        location,
        reason,
    }
}

pub async fn send(server: &MockServer, op: Operation, body: &Value) -> Answer {
    send_as(
        server,
        &Credentials::new(KEY, SECRET),
        op,
        &body.to_string(),
    )
    .await
}

pub fn callback(status_url: &str, fee_url: &str) -> Value {
    json!({
        "displayNbr": "+8675528000001",
        "callerNbr": "+8613800000001",
        "displayCalleeNbr": "+8675528000002",
        "calleeNbr": "+8613800000002",
        "statusUrl": b64(status_url),
        "feeUrl": b64(fee_url),
        "userData": "order-42",
    })
}

pub fn notification(status_url: &str, fee_url: &str) -> Value {
    json!({
        "displayNbr": "+8675528000001",
        "calleeNbr": "+8613800000003",
        "playInfoList": [
            { "templateId": "tpl1", "templateParas": ["3", "Mock"] },
            { "notifyVoice": "welcome.wav", "collectInd": 2 }
        ],
        "statusUrl": b64(status_url),
        "feeUrl": b64(fee_url),
        "userData": "n-1",
    })
}

pub fn verification(status_url: &str, fee_url: &str) -> Value {
    json!({
        "displayNbr": "+8675528000001",
        "calleeNbr": "+8613800000004",
        "languageType": 2,
        "preTone": "pretone.wav",
        "verifyCode": "1234",
        "times": 2,
        "statusUrl": b64(status_url),
        "feeUrl": b64(fee_url),
    })
}

/// Lets the manual clock run `secs` and waits for the pushes.
pub async fn run(server: &MockServer, secs: u64) {
    assert!(server.mock.advance(Duration::from_secs(secs)));
    assert!(
        server.mock.settle(Duration::from_secs(10)).await,
        "pushes did not settle"
    );
}
