//! Call lifecycles on the embedded mock, judged by the spec: one call per service with
//! its status and fee URLs pointing at a receiver in this process, the mock's clock run
//! to the end, then every push checked — signed for its URL (push scheme), each body
//! valid for its notification message (the spec's checker), the rules tied to the
//! request (partyType only when asked), the event types the notification lists, callout
//! first and disconnect last, and exactly one CDR per call.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{json, Value};
use voicecall::auth::{Credentials, PushVerifier, VerifierConfig};
use voicecall::operations::Operation;
use voicecall_codegen::spec::model::NotificationKind;
use voicecall_codegen::spec::Spec;
use voicecall_mock::Mock;

use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{request_for, Request, Response, Sender};

type Got = Arc<Mutex<Vec<(Option<String>, Option<String>, String)>>>;

/// A receiver on 127.0.0.1 that records (Authorization, X-AKSK, body) and answers as the
/// reference asks; returns its URL and what it got.
async fn recorder(fee: bool) -> Option<(String, Got)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
    let url = format!("http://{}/", listener.local_addr().ok()?);
    let got: Got = Arc::default();
    let g = got.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let g = g.clone();
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(String::from)
                };
                if let Ok(mut v) = g.lock() {
                    v.push((
                        h("authorization"),
                        h("x-aksk"),
                        String::from_utf8_lossy(&body).to_string(),
                    ));
                }
                if fee {
                    r#"{"resultcode":"0","resultdesc":"Success"}"#.to_string()
                } else {
                    String::new()
                }
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Some((url, got))
}

fn b64(s: &str) -> String {
    voicecall::runtime::encode_base64(s)
}

/// The request placing one call of `op`, with push URLs.
fn call(op: Operation, status: &str, fee: &str) -> Value {
    let urls = json!({ "statusUrl": b64(status), "feeUrl": b64(fee), "userData": "lifecycle" });
    let mut v = match op {
        Operation::CreateVoiceCallback => json!({
            "displayNbr": "+8675528000001", "callerNbr": "+8613800000001",
            "displayCalleeNbr": "+8675528000002", "calleeNbr": "+8613800000002",
            "partyTypeRequiredInDisconnect": "true", "recordFlag": "true",
        }),
        Operation::CreateVoiceNotification => json!({
            "displayNbr": "+8675528000001", "calleeNbr": "+8613800000003",
            "playInfoList": [
                { "templateId": "lifecycleTemplate", "templateParas": ["1"] },
                { "templateId": "lifecycleTemplate", "templateParas": ["2"] },
                { "notifyVoice": "welcome.wav", "collectInd": 1 },
            ],
        }),
        _ => json!({
            "displayNbr": "+8675528000001", "calleeNbr": "+8613800000004",
            "languageType": 2, "preTone": "pretone.wav", "verifyCode": "1234", "times": 2,
        }),
    };
    if let (Some(o), Some(u)) = (v.as_object_mut(), urls.as_object()) {
        o.extend(u.clone());
    }
    v
}

/// How many times an answered call of `op` placed with `body` uses TTS, when the
/// reference ties it to the request: `ttsPlayTimes` is "应用TTS功能时，使用TTS的总次数"
/// (表5-21, 表6-18). A notification plays each `playInfoList` item once (no
/// `replayAfterCollection`), and of those only a `templateId` item is rendered by TTS
/// (`notifyVoice` is an uploaded Wave file, 表5-5); a verification plays its code
/// `times` times (表6-3; absent: 3). None where nothing is stated: a callback (表4-23
/// calls the field reserved), `times` 0 (an endless loop), an item replayed after
/// collection.
fn tts_plays(op: Operation, body: &Value) -> Option<u64> {
    match op {
        Operation::CreateVoiceNotification => {
            let items = body.get("playInfoList")?.as_array()?;
            let replayed = items
                .iter()
                .any(|i| i.get("replayAfterCollection").and_then(Value::as_str) == Some("true"));
            (!replayed).then(|| {
                items
                    .iter()
                    .filter(|i| i.get("templateId").is_some())
                    .count() as u64
            })
        }
        Operation::CreateVoiceVerificationCode => match body.get("times").map(Value::as_u64) {
            None => Some(3),
            Some(Some(0)) | Some(None) => None,
            Some(Some(k)) => Some(k),
        },
        _ => None,
    }
}

/// The CDR `info` of an answered call must report the TTS plays its request asks for
/// ([`tts_plays`]); an unanswered call plays nothing, so only answered CDRs
/// (`callOutAnswerTime` present) are held to it, and an absent `ttsPlayTimes` (an
/// optional row) is not judged.
fn tts_problem(
    op: Operation,
    body: &Value,
    info: &serde_json::Map<String, Value>,
) -> Option<String> {
    let want = tts_plays(op, body)?;
    info.get("callOutAnswerTime")?;
    let got = info.get("ttsPlayTimes")?;
    (got.as_u64() != Some(want)).then(|| {
        format!("ttsPlayTimes {got} in the CDR of an answered call that plays TTS {want} times")
    })
}

/// Runs the lifecycle checks against the embedded mock at `base`.
pub async fn run(
    spec: &Spec,
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    mock: &Mock,
    secret: &str,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for op in [
        Operation::CreateVoiceCallback,
        Operation::CreateVoiceNotification,
        Operation::CreateVoiceVerificationCode,
    ] {
        let service = spec
            .operation(op.name())
            .map(|o| o.service.clone())
            .unwrap_or_default();
        let (Some((status_url, status_got)), Some((fee_url, fee_got))) =
            (recorder(false).await, recorder(true).await)
        else {
            continue;
        };
        let call_body = call(op, &status_url, &fee_url);
        let req = request_for(op, &call_body);
        let r = sender.send(base, creds, &req).await;
        mock.advance(Duration::from_secs(3 * 3600));
        mock.settle(Duration::from_secs(10)).await;
        let request_message = spec
            .operation(op.name())
            .and_then(|o| o.body.clone())
            .unwrap_or_default();
        for n in spec
            .all(|c| &c.notifications)
            .filter(|n| n.service == service)
        {
            let (url, got) = match n.kind {
                NotificationKind::Status => (&status_url, &status_got),
                NotificationKind::Fee => (&fee_url, &fee_got),
            };
            let pushes = got.lock().map(|g| g.clone()).unwrap_or_default();
            let mut problems = Vec::new();
            if r.status != 200 {
                problems.push(format!("the call was refused: {} {:?}", r.status, r.code));
            }
            let verifier = PushVerifier::new(
                &voicecall::auth::AppSecret::new(secret),
                url.clone(),
                VerifierConfig::default(),
            );
            let mut types = Vec::new();
            let mut cdrs = 0;
            for (auth, x, body) in &pushes {
                if let Err(e) = verifier.verify(
                    auth.as_deref(),
                    x.as_deref(),
                    time::OffsetDateTime::now_utc(),
                ) {
                    problems.push(format!("push signature refused: {e}"));
                }
                let Ok(v) = serde_json::from_str::<Value>(body) else {
                    problems.push(format!("push body is not JSON: {body}"));
                    continue;
                };
                let event = v
                    .get("eventType")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if !n.events.iter().any(|e| e.event_type == event) {
                    problems.push(format!("eventType {event:?} is not one {} lists", n.id));
                }
                for p in crate::response::check(spec, &n.body, &v, None, &[]) {
                    problems.push(format!("{event}: {p}"));
                }
                // Rules of the event's info message tied to the request (partyType).
                if let Some(ev) = n.events.iter().find(|e| e.event_type == event) {
                    let infos: Vec<Value> = match v.get(&ev.field) {
                        Some(Value::Array(a)) => a.clone(),
                        Some(o) => vec![o.clone()],
                        None => Vec::new(),
                    };
                    if n.kind == NotificationKind::Fee {
                        cdrs += infos.len();
                    }
                    for info in infos.iter().filter_map(Value::as_object) {
                        if n.kind == NotificationKind::Fee {
                            problems.extend(tts_problem(op, &call_body, info));
                        }
                        for p in crate::response::context_rules(
                            spec,
                            &ev.message,
                            info,
                            &request_message,
                            &call_body,
                        ) {
                            problems.push(format!("{event}: {p}"));
                        }
                    }
                }
                types.push(event);
            }
            match n.kind {
                NotificationKind::Status => {
                    if types.first().map(String::as_str) != Some("callout")
                        || types.last().map(String::as_str) != Some("disconnect")
                    {
                        problems.push(format!(
                            "events {types:?}: the first must be callout and the last disconnect"
                        ));
                    }
                }
                NotificationKind::Fee => {
                    if cdrs != 1 {
                        problems.push(format!("{cdrs} CDRs for one call"));
                    }
                }
            }
            let verdict = if problems.is_empty() {
                Verdict::Passed
            } else {
                Verdict::Failed
            };
            out.push(CaseResult {
                api: "Lifecycle".into(),
                id: format!("lifecycle/{}", n.id),
                rule: Some(format!("lifecycle/{}", n.id)),
                doc: format!("{} {} pushes of one {} call", n.section, n.id, op.name()),
                expected: Expected {
                    status: 200,
                    code: None,
                },
                actual: Response {
                    status: if problems.is_empty() { 200 } else { 0 },
                    error: (!problems.is_empty()).then(|| problems.join("; ")),
                    body: format!("{} pushes: {types:?}", pushes.len()),
                    ..Response::default()
                },
                verdict,
                note: None,
                request: Request { ..req.clone() },
            });
        }
    }
    out
}

/// The lifecycle rule ids: one per notification.
pub fn rule_ids(spec: &Spec) -> Vec<String> {
    spec.all(|c| &c.notifications)
        .map(|n| format!("lifecycle/{}", n.id))
        .collect()
}
