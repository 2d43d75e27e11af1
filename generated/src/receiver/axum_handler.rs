//! The receiver as an axum router: `POST /` on whatever path it is nested under.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::{CdrStore, PushHandler, Receiver, Reply};

struct AppState<S, H> {
    receiver: Receiver<S>,
    handler: H,
}

/// A router that answers pushes at `/` with `receiver`, handing what each delivers to
/// `handler` and acknowledging only when it succeeded (see [`Receiver::handle`]).
///
/// Nest it under the path of the URL given as `feeUrl` (or `statusUrl`) in requests:
///
/// ```
/// use voicecall::auth::{AppSecret, PushVerifier, VerifierConfig};
/// use voicecall::receiver::{axum_router, Delivery, PushKind, Receiver};
/// use voicecall::PushFields;
///
/// let url = "https://example.com/voice/fee";
/// let receiver = Receiver::new(PushKind::CallbackFee).with_signature_check(
///     PushVerifier::new(&AppSecret::new("appSecret"), url, VerifierConfig::default()),
/// );
/// let handler = |delivery: Delivery| async move {
///     if let Delivery::Fee(push) = delivery {
///         for cdr in push.cdrs {
///             // Store under cdr.key (a unique column) before returning Ok: the
///             // platform retries what was not acknowledged.
///             let session = cdr.cdr.as_ref().ok().and_then(|c| c.session_id());
///             println!("{} {session:?} seen before: {}", cdr.key, cdr.seen_before);
///         }
///     }
///     Ok::<(), std::convert::Infallible>(())
/// };
/// let app: axum::Router = axum::Router::new().nest_service("/voice/fee", axum_router(receiver, handler));
/// # drop(app);
/// ```
pub fn axum_router<S, H>(receiver: Receiver<S>, handler: H) -> Router
where
    S: CdrStore + 'static,
    H: PushHandler + 'static,
{
    let state = Arc::new(AppState { receiver, handler });
    Router::new()
        .route("/", post(handle::<S, H>))
        .with_state(state)
}

async fn handle<S, H>(
    State(state): State<Arc<AppState<S, H>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response
where
    S: CdrStore + 'static,
    H: PushHandler + 'static,
{
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
    let (reply, _) = state
        .receiver
        .handle(
            lookup,
            &body,
            time::OffsetDateTime::now_utc(),
            &state.handler,
        )
        .await;
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
