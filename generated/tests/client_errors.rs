//! The client's errors, accessors, retry policy and tracing, against a local server on
//! 127.0.0.1:0 that verifies every attempt's signature (replays refused, so a resent
//! request must be signed afresh) and answers what each test scripts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use voicecall::auth::{AppSecret, Credentials, Verifier, VerifierConfig};
use voicecall::callback::create_voice_callback::CreateVoiceCallbackRequest;
use voicecall::callback::get_recording_download_url::GetRecordingDownloadUrlQuery;
use voicecall::callback::terminate_call::TerminateCallRequest;
use voicecall::client::{Client, ClientError, RetryPolicy};
use voicecall::codes::{tables, ResultCode};
use voicecall::notification::create_voice_notification::{
    CreateVoiceNotificationRequest, PlayContentInfo,
};
use voicecall::operations::Operation;
use voicecall::verification::create_voice_verification_code::CreateVoiceVerificationCodeRequest;

const SECRET: &str = "clientTestSecret-93be";

/// What the server answers: per path, the first `fail_first` attempts get `failure`,
/// the rest succeed.
struct Script {
    verifier: Verifier,
    failure: (u16, &'static str),
    fail_first: usize,
    hits: Mutex<HashMap<String, usize>>,
    digests: Mutex<Vec<String>>,
    refused_signatures: AtomicUsize,
}

async fn answer(State(s): State<Arc<Script>>, uri: Uri, headers: HeaderMap) -> Response {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    if let Some(x) = h("X-AKSK") {
        if let Some(i) = x.find("PasswordDigest=\"") {
            let d = &x[i + 16..];
            s.digests
                .lock()
                .unwrap()
                .push(d[..d.find('"').unwrap()].to_string());
        }
    }
    if let Err(e) = s.verifier.verify(
        h("Authorization"),
        h("X-AKSK"),
        time::OffsetDateTime::now_utc(),
    ) {
        s.refused_signatures.fetch_add(1, Ordering::SeqCst);
        let c = e.code.unwrap();
        return (
            StatusCode::from_u16(c.http_status()).unwrap(),
            Json(serde_json::json!({"resultcode": c.code(), "resultdesc": c.english()})),
        )
            .into_response();
    }
    let n = {
        let mut hits = s.hits.lock().unwrap();
        let n = hits.entry(uri.path().to_string()).or_default();
        *n += 1;
        *n
    };
    if n <= s.fail_first {
        let (status, code) = s.failure;
        let desc = ResultCode::lookup(status, code)
            .map(|c| c.english())
            .unwrap_or("unlisted");
        return (
            StatusCode::from_u16(status).unwrap(),
            Json(serde_json::json!({"resultcode": code, "resultdesc": desc})),
        )
            .into_response();
    }
    if uri.path().contains("/record/") {
        return (
            StatusCode::MOVED_PERMANENTLY,
            [("Location", "https://obs.example/rec/1.wav")],
        )
            .into_response();
    }
    Json(serde_json::json!({"resultcode": "0", "resultdesc": "Success", "sessionId": "s-1"}))
        .into_response()
}

async fn serve(failure: (u16, &'static str), fail_first: usize) -> (String, Arc<Script>) {
    let script = Arc::new(Script {
        verifier: Verifier::new(VerifierConfig::default()).with_app("app", &AppSecret::new(SECRET)),
        failure,
        fail_first,
        hits: Mutex::new(HashMap::new()),
        digests: Mutex::new(Vec::new()),
        refused_signatures: AtomicUsize::new(0),
    });
    let app = Router::new()
        .fallback(any(answer))
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), script)
}

fn hits(s: &Script, op: Operation) -> usize {
    s.hits
        .lock()
        .unwrap()
        .get(op.wire_path())
        .copied()
        .unwrap_or(0)
}

fn client(base: &str, retry: RetryPolicy) -> Client {
    Client::builder(base, Credentials::new("app", SECRET))
        .retry(retry)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Generous retries without waiting: no test measures time.
fn eager(n: u32) -> RetryPolicy {
    RetryPolicy::new(n).with_backoff(Duration::ZERO, Duration::ZERO)
}

fn callback() -> CreateVoiceCallbackRequest {
    CreateVoiceCallbackRequest::builder()
        .display_nbr("+8675528000001")
        .caller_nbr("+8613800000001")
        .display_callee_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .build()
        .unwrap()
}

fn query() -> GetRecordingDownloadUrlQuery {
    GetRecordingDownloadUrlQuery::builder()
        .file_name("1.wav")
        .record_domain("huawei")
        .build()
        .unwrap()
}

/// Every operation, called once; the errors in operation order.
async fn call_all(c: &Client) -> Vec<(Operation, Result<(), ClientError>)> {
    let notify = CreateVoiceNotificationRequest::builder()
        .display_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .play_info_list([PlayContentInfo::default().with_notify_voice("a.wav")])
        .build()
        .unwrap();
    let verify = CreateVoiceVerificationCodeRequest::builder()
        .display_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .pre_tone("pre.wav")
        .verify_code("123456")
        .build()
        .unwrap();
    vec![
        (
            Operation::CreateVoiceCallback,
            c.create_voice_callback(&callback()).await.map(drop),
        ),
        (
            Operation::TerminateCall,
            c.terminate_call(&TerminateCallRequest::new("s-1"))
                .await
                .map(drop),
        ),
        (
            Operation::GetRecordingDownloadUrl,
            c.get_recording_download_url(&query()).await.map(drop),
        ),
        (
            Operation::CreateVoiceNotification,
            c.create_voice_notification(&notify).await.map(drop),
        ),
        (
            Operation::CreateVoiceVerificationCode,
            c.create_voice_verification_code(&verify).await.map(drop),
        ),
    ]
}

#[tokio::test]
async fn operations_that_place_calls_are_never_resent() {
    // 500/1023002 "Response timeout": the reference says to send again; the client
    // does so only for the read.
    let (base, s) = serve((500, "1023002"), 2).await;
    let c = client(&base, eager(5));
    for (op, got) in call_all(&c).await {
        if op == Operation::GetRecordingDownloadUrl {
            assert!(got.is_ok(), "{op:?} resent until it succeeded: {got:?}");
            assert_eq!(hits(&s, op), 3, "{op:?}");
            continue;
        }
        let e = got.expect_err("the first attempt fails");
        assert_eq!(hits(&s, op), 1, "{op:?} was sent once only");
        assert_eq!(e.result_code(), Some(ResultCode::ResponseTimeout));
        assert!(e.is_retryable(), "trying later may help");
        assert_eq!(e.operation(), Some(op));
        if op.places_call() {
            assert!(!voicecall::client::retry_allowed(op));
        }
    }
    assert_eq!(
        s.refused_signatures.load(Ordering::SeqCst),
        0,
        "each attempt signed afresh"
    );
}

#[tokio::test]
async fn retries_are_bounded_by_the_policy() {
    let (base, s) = serve((403, "1010010"), usize::MAX).await;
    let e = client(&base, eager(2))
        .get_recording_download_url(&query())
        .await
        .unwrap_err();
    assert_eq!(
        hits(&s, Operation::GetRecordingDownloadUrl),
        3,
        "1 attempt + 2 retries"
    );
    assert_eq!(e.result_code(), Some(ResultCode::PlatformFlowControl));
    let (base, s) = serve((403, "1010010"), usize::MAX).await;
    client(&base, RetryPolicy::none())
        .get_recording_download_url(&query())
        .await
        .unwrap_err();
    assert_eq!(hits(&s, Operation::GetRecordingDownloadUrl), 1);
}

#[tokio::test]
async fn a_failure_that_trying_again_cannot_cure_is_not_resent() {
    let (base, s) = serve((403, "1012007"), usize::MAX).await;
    let e = client(&base, eager(5))
        .get_recording_download_url(&query())
        .await
        .unwrap_err();
    assert_eq!(hits(&s, Operation::GetRecordingDownloadUrl), 1);
    assert_eq!(e.result_code(), Some(ResultCode::RecordNotFound));
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn accessors_and_display_of_a_platform_failure() {
    let (base, _) = serve((403, "1010009"), usize::MAX).await;
    let e = client(&base, RetryPolicy::none())
        .create_voice_callback(&callback())
        .await
        .unwrap_err();
    assert_eq!(e.result_code(), Some(ResultCode::ApiQuotaReached));
    assert_eq!(e.http_status(), Some(403));
    assert!(e.is_retryable());
    let r = e.remedy().expect("a listed code has a remedy");
    let row = tables::TABLE_4_5
        .iter()
        .find(|r| r.code == Some("1010009"))
        .unwrap();
    assert_eq!(r.chinese, row.remedy, "the operation table's own text");
    assert_eq!(r.english, ResultCode::ApiQuotaReached.remedy_english());
    assert!(r.english.contains("Wait a minute"), "{}", r.english);
    let shown = e.to_string();
    assert!(
        shown.contains("1010009") && shown.contains(r.english) && shown.contains(r.chinese),
        "{shown}"
    );
    // A code the tables do not list: no code, no remedy, not retryable.
    let (base, _) = serve((403, "1999999"), usize::MAX).await;
    let e = client(&base, RetryPolicy::none())
        .create_voice_callback(&callback())
        .await
        .unwrap_err();
    assert_eq!(
        (
            e.result_code(),
            e.http_status(),
            e.remedy(),
            e.is_retryable()
        ),
        (None, Some(403), None, false)
    );
}

#[tokio::test]
async fn a_transport_error_keeps_its_cause() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client(&format!("http://127.0.0.1:{port}"), RetryPolicy::none());
    let e = c.get_recording_download_url(&query()).await.unwrap_err();
    assert!(e.is_retryable(), "a refused connection may succeed later");
    assert_eq!(
        (e.result_code(), e.http_status(), e.remedy()),
        (None, None, None)
    );
    let ClientError::Transport { source, .. } = &e else {
        panic!("{e}")
    };
    assert!(source.is_connect());
    // The deepest cause (the OS's "connection refused") is in the message.
    let mut deepest: &dyn std::error::Error = source;
    while let Some(next) = deepest.source() {
        deepest = next;
    }
    let shown = e.to_string();
    assert!(
        shown.contains(&deepest.to_string()),
        "{shown} lacks {deepest}"
    );
    assert!(std::error::Error::source(&e).is_some());
}

#[test]
fn result_codes_display_and_retryability() {
    assert_eq!(
        ResultCode::RecordNotFound.to_string(),
        "403/1012007 The record does not exist."
    );
    assert_eq!(
        ResultCode::lookup(401, "1010010"),
        Some(ResultCode::InvalidDigest)
    );
    let retryable: Vec<&str> = ResultCode::ALL
        .iter()
        .filter(|c| c.is_retryable())
        .map(|c| c.code())
        .collect();
    assert_eq!(
        retryable,
        ["1010009", "1010010", "1020165", "1020176", "1020154", "1023002", "1011006"]
    );
    for c in ResultCode::ALL {
        assert!(!c.remedy_english().is_empty(), "{c}");
    }
}

#[test]
fn building_refuses_a_base_url_that_is_not_http() {
    for bad in ["ftp://x", "rtccall.example:443", "https://"] {
        let e = Client::builder(bad, Credentials::new("app", SECRET))
            .build()
            .unwrap_err();
        assert!(matches!(e, ClientError::Build { .. }), "{bad}: {e}");
        assert!(e.to_string().contains(bad), "{e}");
        assert!(!e.to_string().contains(SECRET));
    }
}
