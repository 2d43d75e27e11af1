//! What the mock's load benches share: the bare axum endpoint they measure the mock
//! against (same route, JSON parsed, a small JSON answer) and the server handle; and, in
//! [`client`], the load client's request and connection; in [`cpu`], the CPU time a
//! server's runtime spends.

/// Not every bench uses every piece (`load` only the request body).
#[allow(dead_code)]
pub mod client;
#[allow(dead_code)]
pub mod cpu;

use std::net::SocketAddr;

use axum::body::Bytes;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use voicecall::operations::Operation;
use voicecall_mock::MockServer;

/// A server under test: the bare endpoint (stopped through its channel) or the mock.
pub enum Server {
    Bare(tokio::sync::oneshot::Sender<()>),
    Mock(MockServer),
}

/// The reference endpoint: parse the JSON, answer 200 with a small JSON body.
async fn bare_handler(body: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) => {
            let n = v.as_object().map_or(0, |o| o.len());
            (
                [("Content-Type", "application/json;charset=UTF-8")],
                json!({ "resultcode": "0", "resultdesc": "Success", "fields": n }).to_string(),
            )
                .into_response()
        }
        Err(_) => axum::http::StatusCode::BAD_REQUEST.into_response(),
    }
}

/// Starts the bare endpoint on 127.0.0.1:0 at click2Call's path.
pub async fn start_bare() -> (Server, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        Operation::CreateVoiceCallback.wire_path(),
        axum::routing::post(bare_handler),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    (Server::Bare(tx), addr)
}
