//! The receiver as an axum router: `POST /` on whatever path it is nested under.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::{ReceiveError, Received, Receiver, Reply};

type Callback = dyn Fn(Result<Received, ReceiveError>) + Send + Sync;

struct AppState {
    receiver: Receiver,
    on_push: Box<Callback>,
}

/// A router that answers pushes at `/` with `receiver` and passes each outcome
/// (received push or refusal) to `on_push`.
pub fn axum_router(
    receiver: Receiver,
    on_push: impl Fn(Result<Received, ReceiveError>) + Send + Sync + 'static,
) -> Router {
    let state = Arc::new(AppState {
        receiver,
        on_push: Box::new(on_push),
    });
    Router::new().route("/", post(handle)).with_state(state)
}

async fn handle(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    // The signing headers are read as bytes (non-ASCII kept, invalid UTF-8 as U+FFFD),
    // so a malformed attribute is named instead of the header seeming absent.
    let lossy = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
    };
    let (authorization, x_aksk) = (lossy("authorization"), lossy("x-aksk"));
    let lookup = |name: &str| {
        if name.eq_ignore_ascii_case("authorization") {
            authorization.as_deref()
        } else if name.eq_ignore_ascii_case("x-aksk") {
            x_aksk.as_deref()
        } else {
            headers.get(name).and_then(|v| v.to_str().ok())
        }
    };
    let (reply, outcome) = state
        .receiver
        .handle(lookup, &body, time::OffsetDateTime::now_utc());
    (state.on_push)(outcome);
    into_response(reply)
}

fn into_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, Reply::CONTENT_TYPE)],
        reply.body,
    )
        .into_response()
}
