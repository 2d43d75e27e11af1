//! The client's tracing: one `voicecall.request` span per attempt with operation,
//! method, HTTP status, result code and latency, and nothing of the credentials or the
//! signature — checked with a capturing subscriber (its own test binary, so no other
//! test shares the process-wide callsite state).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use voicecall::auth::Credentials;
use voicecall::callback::get_recording_download_url::GetRecordingDownloadUrlQuery;
use voicecall::client::{Client, RetryPolicy};

const SECRET: &str = "tracingTestSecret-41d2";

/// Answers 403/1012007 to the first request and a 301 to the others; keeps the
/// digests it was sent.
async fn serve() -> (String, Arc<Mutex<Vec<String>>>) {
    let digests = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = digests.clone();
    let app = Router::new().route(
        "/rest/provision/voice/record/v1.0",
        get(move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let x = headers.get("X-AKSK").and_then(|v| v.to_str().ok()).unwrap_or_default();
                let d = x.split("PasswordDigest=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
                let first = {
                    let mut v = seen.lock().unwrap();
                    v.push(d.to_string());
                    v.len() == 1
                };
                let r: Response = if first {
                    (StatusCode::FORBIDDEN, Json(serde_json::json!({"resultcode": "1012007", "resultdesc": "The record does not exist."}))).into_response()
                } else {
                    (StatusCode::MOVED_PERMANENTLY, [("Location", "https://obs.example/rec/1.wav")]).into_response()
                };
                r
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), digests)
}

/// A subscriber that keeps every span's name and fields, and every event's fields, as text.
#[derive(Default, Clone)]
struct Capture(Arc<Mutex<Vec<Record>>>);

/// A span or event: its id, name (`event` for events) and `(field, value)` pairs.
type Record = (u64, String, Vec<(String, String)>);

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut v = self.0.lock().unwrap();
        let id = v.len() as u64 + 1;
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        v.push((id, attrs.metadata().name().to_string(), fields));
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut v = self.0.lock().unwrap();
        if let Some(entry) = v.iter_mut().find(|e| e.0 == span.into_u64()) {
            values.record(&mut Fields(&mut entry.2));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        let mut v = self.0.lock().unwrap();
        let id = v.len() as u64 + 1;
        v.push((id, "event".into(), fields));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn each_attempt_is_a_span_without_secrets() {
    let capture = Capture::default();
    let _guard = tracing::dispatcher::set_default(&tracing::Dispatch::new(capture.clone()));
    let (base, digests) = serve().await;
    let c = Client::builder(base, Credentials::new("app", SECRET))
        .retry(RetryPolicy::new(2).with_backoff(Duration::ZERO, Duration::ZERO))
        .build()
        .unwrap();
    c.get_recording_download_url(&recording())
        .await
        .unwrap_err();
    c.get_recording_download_url(&recording()).await.unwrap();
    let spans: Vec<_> = capture
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.1 == "voicecall.request")
        .cloned()
        .collect();
    assert_eq!(
        spans.len(),
        2,
        "one span per attempt (1012007 is not retried)"
    );
    let field = |i: usize, k: &str| {
        spans[i]
            .2
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        field(0, "operation").as_deref(),
        Some("GetRecordingDownloadUrl")
    );
    assert_eq!(field(0, "method").as_deref(), Some("GET"));
    assert_eq!(field(0, "http_status").as_deref(), Some("403"));
    assert_eq!(field(0, "result_code").as_deref(), Some("1012007"));
    assert_eq!(field(1, "http_status").as_deref(), Some("301"));
    for (i, span) in spans.iter().enumerate() {
        assert!(
            field(i, "latency_ms").is_some_and(|v| v.parse::<u64>().is_ok()),
            "{span:?}"
        );
    }
    let everything = format!("{:?}", capture.0.lock().unwrap());
    assert!(!everything.contains(SECRET), "the secret is never traced");
    let digests = digests.lock().unwrap().clone();
    assert_eq!(digests.len(), 2);
    for d in digests {
        assert!(!everything.contains(&d), "a digest is never traced");
    }
    assert!(!everything.contains("X-AKSK") && !everything.contains("UsernameToken"));
}

fn recording() -> GetRecordingDownloadUrlQuery {
    GetRecordingDownloadUrlQuery::builder()
        .file_name("1.wav")
        .record_domain("huawei")
        .build()
        .unwrap()
}
