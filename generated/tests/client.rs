//! The typed client against a local server on 127.0.0.1 that verifies each request's
//! signature as the platform would and answers as the reference's tables say.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use voicecall::auth::{AppSecret, Credentials, Verifier, VerifierConfig};
use voicecall::callback::create_voice_callback::CreateVoiceCallbackRequest;
use voicecall::callback::get_recording_download_url::GetRecordingDownloadUrlQuery;
use voicecall::callback::terminate_call::TerminateCallRequest;
use voicecall::client::{Client, ClientError};
use voicecall::codes::ResultCode;
use voicecall::notification::create_voice_notification::{
    CreateVoiceNotificationRequest, PlayContentInfo,
};
use voicecall::verification::create_voice_verification_code::CreateVoiceVerificationCodeRequest;
use voicecall::Rule;

struct Platform {
    verifier: Verifier,
    requests: AtomicUsize,
}

fn auth(p: &Platform, headers: &HeaderMap) -> Result<(), Box<Response>> {
    p.requests.fetch_add(1, Ordering::SeqCst);
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    p.verifier
        .verify(
            h("Authorization"),
            h("X-AKSK"),
            time::OffsetDateTime::now_utc(),
        )
        .map(|_| ())
        .map_err(|e| {
            let c = e.code.unwrap();
            let body = Json(serde_json::json!({"resultcode": c.code(), "resultdesc": c.english()}));
            Box::new((StatusCode::from_u16(c.http_status()).unwrap(), body).into_response())
        })
}

fn ok(extra: serde_json::Value) -> Response {
    let mut body = serde_json::json!({"resultcode": "0", "resultdesc": "Success"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    Json(body).into_response()
}

async fn click2call(
    State(p): State<Arc<Platform>>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Response {
    if let Err(r) = auth(&p, &headers) {
        return *r;
    }
    match body["userData"].as_str() {
        Some("flow") => (StatusCode::FORBIDDEN, Json(serde_json::json!({"resultcode": "1010010", "resultdesc": "The flow control upper limit is reached on the platform."}))).into_response(),
        _ => {
            assert!(body["statusUrl"].as_str().is_some_and(|u| !u.contains("://")), "statusUrl goes Base64-encoded");
            ok(serde_json::json!({"sessionId": "1202_566_0_20161228102743@callenabler.home1.com"}))
        }
    }
}

async fn slow(State(p): State<Arc<Platform>>, headers: HeaderMap) -> Response {
    if let Err(r) = auth(&p, &headers) {
        return *r;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    ok(serde_json::json!({"sessionId": "late"}))
}

async fn simple(State(p): State<Arc<Platform>>, headers: HeaderMap) -> Response {
    match auth(&p, &headers) {
        Err(r) => *r,
        Ok(()) => ok(serde_json::json!({"sessionId": "s"})),
    }
}

async fn record(
    State(p): State<Arc<Platform>>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(r) = auth(&p, &headers) {
        return *r;
    }
    if q.get("fileName").map(String::as_str) == Some("missing.wav") {
        return (StatusCode::FORBIDDEN, Json(serde_json::json!({"resultcode": "1012007", "resultdesc": "The record does not exist."}))).into_response();
    }
    (
        StatusCode::MOVED_PERMANENTLY,
        [("Location", "https://obs.example/rec/1.wav?sig=x")],
    )
        .into_response()
}

async fn start(secret: &str) -> (String, Arc<Platform>) {
    let platform = Arc::new(Platform {
        verifier: Verifier::new(VerifierConfig::default()).with_app("app", &AppSecret::new(secret)),
        requests: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/rest/httpsessions/click2Call/v2.0", post(click2call))
        .route("/rest/httpsessions/callStop/v2.0", post(simple))
        .route("/rest/httpsessions/callnotify/v2.0", post(slow))
        .route("/rest/httpsessions/callVerify/v1.0", post(simple))
        .route("/rest/provision/voice/record/v1.0", get(record))
        .with_state(platform.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), platform)
}

fn callback() -> CreateVoiceCallbackRequest {
    CreateVoiceCallbackRequest::builder()
        .display_nbr("+8675528000001")
        .caller_nbr("+8613800000001")
        .display_callee_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .status_url("https://customer.example/status")
        .build()
        .unwrap()
}

fn recording(file: &str) -> GetRecordingDownloadUrlQuery {
    GetRecordingDownloadUrlQuery::builder()
        .file_name(file)
        .record_domain("huawei")
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_operation_round_trips_signed() {
    let (base, platform) = start("testSecret").await;
    let client = Client::builder(base, Credentials::new("app", "testSecret"))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let r = client.create_voice_callback(&callback()).await.unwrap();
    assert_eq!(
        r.session_id.as_deref(),
        Some("1202_566_0_20161228102743@callenabler.home1.com")
    );
    client
        .terminate_call(&TerminateCallRequest::new("s"))
        .await
        .unwrap();
    let v = CreateVoiceVerificationCodeRequest::builder()
        .display_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .pre_tone("pre.wav")
        .verify_code("123456")
        .build()
        .unwrap();
    client.create_voice_verification_code(&v).await.unwrap();
    let location = client
        .get_recording_download_url(&recording("1.wav"))
        .await
        .unwrap();
    assert_eq!(
        location, "https://obs.example/rec/1.wav?sig=x",
        "the 301 is not followed"
    );
    assert_eq!(platform.requests.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn failures_carry_the_tables_code_and_remedy() {
    let (base, _) = start("testSecret").await;
    let wrong = Client::builder(base.clone(), Credentials::new("app", "wrongSecret"))
        .build()
        .unwrap();
    match wrong.create_voice_callback(&callback()).await.unwrap_err() {
        ClientError::Platform {
            status,
            code,
            remedy,
            ..
        } => {
            assert_eq!((status, code), (401, ResultCode::lookup(401, "1010010")));
            assert_eq!(remedy, Some("请检查PasswordDigest字段填写是否正确。"));
        }
        other => panic!("{other}"),
    }
    let client = Client::builder(base, Credentials::new("app", "testSecret"))
        .build()
        .unwrap();
    match client
        .create_voice_callback(&callback().with_user_data("flow"))
        .await
        .unwrap_err()
    {
        ClientError::Platform {
            status,
            code,
            remedy,
            ..
        } => {
            assert_eq!(
                (status, code),
                (403, ResultCode::lookup(403, "1010010")),
                "1010010 under 403 is flow control"
            );
            assert_eq!(remedy, Some("请稍等一分钟后再试。"));
        }
        other => panic!("{other}"),
    }
    match client
        .get_recording_download_url(&recording("missing.wav"))
        .await
        .unwrap_err()
    {
        ClientError::Platform { code, .. } => assert_eq!(code.map(|c| c.code()), Some("1012007")),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn invalid_requests_are_not_sent() {
    let (base, platform) = start("testSecret").await;
    let client = Client::builder(base, Credentials::new("app", "testSecret"))
        .build()
        .unwrap();
    let bad = CreateVoiceNotificationRequest::builder()
        .display_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .play_info_list([PlayContentInfo::default().with_template_id("t")])
        .build()
        .unwrap();
    match client.create_voice_notification(&bad).await.unwrap_err() {
        ClientError::Invalid(v) => assert_eq!(v[0].rule, Rule::RequiredWhen),
        other => panic!("{other}"),
    }
    assert_eq!(platform.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_call_placing_request_is_never_retried() {
    let (base, platform) = start("testSecret").await;
    let client = Client::builder(base, Credentials::new("app", "testSecret"))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let req = CreateVoiceNotificationRequest::builder()
        .display_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .play_info_list([PlayContentInfo::default().with_notify_voice("a.wav")])
        .build()
        .unwrap();
    match client.create_voice_notification(&req).await.unwrap_err() {
        ClientError::Transport { source, .. } => assert!(source.is_timeout()),
        other => panic!("{other}"),
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        platform.requests.load(Ordering::SeqCst),
        1,
        "a timed-out notification is not sent again"
    );
}
