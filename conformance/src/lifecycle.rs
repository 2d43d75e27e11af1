//! Call lifecycles on the embedded mock, judged by the spec: one call per service with
//! its status and fee URLs pointing at a receiver in this process, the mock's clock run
//! to the end, then every push checked — signed for its URL (push scheme), each body
//! valid for its notification message (the spec's checker), the rules tied to the
//! request (partyType only when asked), the event types the notification lists, callout
//! first and disconnect last, and exactly one CDR per call; the CDR's TTS plays, the
//! order of its moments, a collecting notification's collectInfo and a callback
//! disconnect's numbers against the request.
//!
//! [`relations`] then places calls of their own with scripted outcomes (maxDuration,
//! callStop, who hangs up) and checks what the reference ties to them in the pushes. Only
//! relations the reference states are checked: how long a play lasts is the mock's own
//! model (MUTANTS.md, the `call_request` and `plan` rows) and is never judged.

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
                if op == Operation::CreateVoiceCallback {
                    problems.extend(disconnect_problem(&call_body, &v));
                }
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
                            problems.extend(order_problem(info));
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
                    if let Some(p) = collect_problem(&call_body, &types) {
                        problems.push(p);
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
        .chain(RELATION_IDS.iter().map(|id| format!("lifecycle/{id}")))
        .collect()
}

/// Seconds of a push time stamp (`yyyy-MM-dd HH:mm:ss` UTC, every CDR time field).
fn stamp_secs(v: Option<&Value>) -> Option<i64> {
    voicecall::PushTime::parse(v?.as_str()?)
        .utc()
        .map(|t| t.unix_timestamp())
}

/// The CDR time fields of the fee tables (表4-23): each, when present, is a moment of the
/// call, so none is after `callEndTime`.
const CDR_TIMES: [&str; 6] = [
    "callOutStartTime",
    "callOutAlertingTime",
    "callOutAnswerTime",
    "fwdStartTime",
    "fwdAlertingTime",
    "fwdAnswerTime",
];

/// What one callback of a relation case produced.
struct Placed {
    problems: Vec<String>,
    req: Request,
    /// The request's body.
    body: Value,
    /// sessionId of the answer (表4-4).
    session: Option<String>,
    statuses: Got,
    fees: Got,
}

/// Places a call of `op` with push URLs pointing at fresh receivers; `extra` adds to or
/// overrides the lifecycle's request of `op`.
async fn place(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    op: Operation,
    extra: Value,
) -> Placed {
    let mut out = Placed {
        problems: Vec::new(),
        req: request_for(op, &json!({})),
        body: Value::Null,
        session: None,
        statuses: Got::default(),
        fees: Got::default(),
    };
    let (Some((status_url, statuses)), Some((fee_url, fees))) =
        (recorder(false).await, recorder(true).await)
    else {
        out.problems
            .push("could not start the push receivers".into());
        return out;
    };
    let mut body = call(op, &status_url, &fee_url);
    if let (Some(o), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    out.req = request_for(op, &body);
    out.body = body;
    let r = sender.send(base, creds, &out.req).await;
    if r.status != 200 || r.code.as_deref() != Some("0") {
        out.problems
            .push(format!("the call was refused: {} {:?}", r.status, r.code));
    }
    out.session = serde_json::from_str::<Value>(&r.body)
        .ok()
        .and_then(|v| v.get("sessionId")?.as_str().map(String::from));
    out.statuses = statuses;
    out.fees = fees;
    out
}

/// The bodies of the pushes a receiver got.
fn bodies(got: &Got) -> Vec<Value> {
    got.lock()
        .map(|g| {
            g.iter()
                .filter_map(|(_, _, b)| serde_json::from_str(b).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The one CDR (`feeLst` item) among fee pushes, or a problem.
fn only_cdr(fees: &Got) -> Result<Value, String> {
    let cdrs: Vec<Value> = bodies(fees)
        .iter()
        .filter_map(|b| b.get("feeLst").and_then(Value::as_array).cloned())
        .flatten()
        .collect();
    match cdrs.as_slice() {
        [one] => match one.as_object().and_then(order_problem) {
            Some(p) => Err(p),
            None => Ok(one.clone()),
        },
        _ => Err(format!("{} CDRs for one call", cdrs.len())),
    }
}

fn relation_result(id: &str, doc: String, req: Request, problems: Vec<String>) -> CaseResult {
    CaseResult {
        api: "Lifecycle".into(),
        id: format!("lifecycle/{id}"),
        rule: Some(format!("lifecycle/{id}")),
        doc,
        expected: Expected {
            status: 200,
            code: None,
        },
        actual: Response {
            status: if problems.is_empty() { 200 } else { 0 },
            error: (!problems.is_empty()).then(|| problems.join("; ")),
            ..Response::default()
        },
        verdict: if problems.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed
        },
        note: None,
        request: req,
    }
}

/// The ids of [`relations`].
const RELATION_IDS: [&str; 8] = [
    "maxDuration/1",
    "maxDuration/0",
    "callStop/answered",
    "notification/callee-hangs-up",
    "callback/caller-hangs-up-first",
    "callback/caller-hangs-up",
    "callback/party-type-not-asked",
    "verification/ends-after-play",
];

/// Callee numbers of the relation cases (their outcomes are scripted).
const LONG_TALKER: &str = "+8613800000011";
const LONG_TALKER_UNLIMITED: &str = "+8613800000012";

/// Relations between a callback's request and its CDR that the reference states, each
/// on a call of its own (embedded mock: outcomes scripted, clock run by the case):
///
/// - `maxDuration` (表4-3): "通话时间从被叫接通的时刻开始计算 … 当通话时长达到此配置值，
///   系统主动结束通话": B talking 120 s with `maxDuration` 1 ends 60 s after
///   `fwdAnswerTime`; with 0 ("系统不主动结束通话，由主被叫双方结束通话") it ends when the
///   parties do, 120 s after.
/// - callStop (§4.3) once A has answered: the CDR keeps `callOutAnswerTime` (the answer
///   event was pushed) and reports no moment after `callEndTime`.
pub async fn relations(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    mock: &Mock,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for (id, minutes, callee, want) in [
        (RELATION_IDS[0], 1u64, LONG_TALKER, 60i64),
        (RELATION_IDS[1], 0, LONG_TALKER_UNLIMITED, 120),
    ] {
        mock.set_outcome(
            callee,
            voicecall_mock::Outcome::Answered {
                talk_seconds: Some(120),
                hung_up_by: Default::default(),
            },
        );
        let mut p = place(
            sender,
            base,
            creds,
            Operation::CreateVoiceCallback,
            json!({ "calleeNbr": callee, "maxDuration": minutes }),
        )
        .await;
        mock.advance(Duration::from_secs(3 * 3600));
        mock.settle(Duration::from_secs(10)).await;
        match only_cdr(&p.fees) {
            Ok(cdr) => {
                let answer = stamp_secs(cdr.get("fwdAnswerTime"));
                let end = stamp_secs(cdr.get("callEndTime"));
                match (answer, end) {
                    (Some(a), Some(e)) if e - a == want => {}
                    (Some(a), Some(e)) => p.problems.push(format!(
                        "callEndTime is {} s after fwdAnswerTime, expected {want} s (B talks 120 s, maxDuration {minutes})",
                        e - a
                    )),
                    _ => p.problems.push(format!(
                        "the CDR of an answered callback lacks fwdAnswerTime or callEndTime: {cdr}"
                    )),
                }
            }
            Err(e) => p.problems.push(e),
        }
        out.push(relation_result(
            id,
            format!("表4-3 maxDuration {minutes}: B talks 120 s, the call ends {want} s after B answered (CDR fwdAnswerTime → callEndTime)"),
            p.req,
            p.problems,
        ));
    }
    out.push(stopped_after_answer(sender, base, creds, mock).await);
    out.push(talk_relation(sender, base, creds, mock, &TALK_RELATIONS[0]).await);
    out.push(caller_hangs_up_first(sender, base, creds, mock).await);
    out.push(caller_hangs_up(sender, base, creds, mock).await);
    out.push(party_type_not_asked(sender, base, creds, mock).await);
    out.push(talk_relation(sender, base, creds, mock, &TALK_RELATIONS[1]).await);
    out
}

/// A callback with `partyTypeRequiredInDisconnect` "false": no status push carries
/// `partyType` (表4-18: "…设置为“true”时才会携带").
async fn party_type_not_asked(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    mock: &Mock,
) -> CaseResult {
    let mut p = place(
        sender,
        base,
        creds,
        Operation::CreateVoiceCallback,
        json!({ "calleeNbr": "+8613800000017", "partyTypeRequiredInDisconnect": "false" }),
    )
    .await;
    mock.advance(Duration::from_secs(3 * 3600));
    mock.settle(Duration::from_secs(10)).await;
    let statuses = bodies(&p.statuses);
    if statuses.last().and_then(|b| b.get("eventType")?.as_str()) != Some("disconnect") {
        p.problems.push(format!(
            "the call's last status push is not a disconnect: {statuses:?}"
        ));
    }
    for b in &statuses {
        if b.get("statusInfo")
            .and_then(|i| i.get("partyType"))
            .is_some()
        {
            p.problems.push(format!(
                "partyType sent though partyTypeRequiredInDisconnect is false: {b}"
            ));
        }
    }
    relation_result(
        RELATION_IDS[6],
        "表4-18 partyType: a callback with partyTypeRequiredInDisconnect false gets no partyType in its disconnect".into(),
        p.req,
        p.problems,
    )
}

/// A call whose scripted callee answers and would hang up after `talk` seconds, and
/// what its CDR must then say of `callEndTime − callOutAnswerTime`.
struct TalkRelation {
    id: &'static str,
    op: Operation,
    callee: &'static str,
    talk: u32,
    /// Whether the CDR's seconds from answer to end are right.
    holds: fn(i64) -> bool,
    /// What the reference requires, for the failure message.
    requires: &'static str,
    doc: &'static str,
}

/// The relations of a callee's talk time to the call's end:
///
/// - a notification whose callee hangs up 1 s after answering, while the first item
///   plays: the call ends then (表5-21; assumes only that the item plays longer than 1 s);
/// - a verification code whose callee would stay 600 s: the platform ends the call once
///   the code has played (表6-3 postOne: "如果不携带该参数，系统将在语音验证码播放完毕后
///   结束通话"; assumes only that playing a 4-digit code twice takes less than 600 s).
const TALK_RELATIONS: [TalkRelation; 2] = [
    TalkRelation {
        id: RELATION_IDS[3],
        op: Operation::CreateVoiceNotification,
        callee: "+8613800000014",
        talk: 1,
        holds: |s| s == 1,
        requires: "the callee hung up 1 s after answering",
        doc: "表5-21: a notification's callee hangs up 1 s after answering; the CDR's callEndTime is 1 s after callOutAnswerTime",
    },
    TalkRelation {
        id: RELATION_IDS[7],
        op: Operation::CreateVoiceVerificationCode,
        callee: "+8613800000018",
        talk: 600,
        holds: |s| (0..600).contains(&s),
        requires: "the platform ends a verification call once the code has played, before a callee who stays 600 s",
        doc: "表6-3 postOne: without postOne the platform ends a verification call once the code has played; a callee who would stay 600 s does not keep it up (CDR callEndTime − callOutAnswerTime < 600 s)",
    },
];

/// Places the call of `r`, runs the mock's clock until it has ended and its CDR was
/// pushed, and checks the CDR's answer-to-end seconds.
async fn talk_relation(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    mock: &Mock,
    r: &TalkRelation,
) -> CaseResult {
    mock.set_outcome(
        r.callee,
        voicecall_mock::Outcome::Answered {
            talk_seconds: Some(r.talk),
            hung_up_by: voicecall_mock::Party::Callee,
        },
    );
    let mut p = place(sender, base, creds, r.op, json!({ "calleeNbr": r.callee })).await;
    mock.advance(Duration::from_secs(3 * 3600));
    mock.settle(Duration::from_secs(10)).await;
    match only_cdr(&p.fees) {
        Ok(cdr) => match (
            stamp_secs(cdr.get("callOutAnswerTime")),
            stamp_secs(cdr.get("callEndTime")),
        ) {
            (Some(a), Some(e)) if (r.holds)(e - a) => {}
            (a, e) => p.problems.push(format!(
                "{}: callOutAnswerTime {a:?}, callEndTime {e:?} (s): {cdr}",
                r.requires
            )),
        },
        Err(e) => p.problems.push(e),
    }
    relation_result(r.id, r.doc.into(), p.req, p.problems)
}

/// A callback in which A hangs up while B rings: the CDR's moments keep the order of
/// the call (§4.1; [`order_problem`]).
async fn caller_hangs_up_first(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    mock: &Mock,
) -> CaseResult {
    let callee = "+8613800000015";
    mock.set_outcome(callee, voicecall_mock::Outcome::CallerHangsUpFirst);
    let mut p = place(
        sender,
        base,
        creds,
        Operation::CreateVoiceCallback,
        json!({ "calleeNbr": callee }),
    )
    .await;
    mock.advance(Duration::from_secs(3 * 3600));
    mock.settle(Duration::from_secs(10)).await;
    for b in &bodies(&p.statuses) {
        p.problems.extend(disconnect_problem(&p.body, b));
    }
    match only_cdr(&p.fees) {
        Ok(cdr) => {
            if cdr.get("fwdAlertingTime").is_none() {
                p.problems.push(format!(
                    "B rang (A hung up while it did), but the CDR has no fwdAlertingTime: {cdr}"
                ));
            }
        }
        Err(e) => p.problems.push(e),
    }
    relation_result(
        RELATION_IDS[4],
        "§4.1/表4-23: A hangs up while B rings; the CDR has fwdAlertingTime, its moments keep the call's order, disconnect names A (表4-18)".into(),
        p.req,
        p.problems,
    )
}

/// A callback's disconnect event that says who hung up (`partyType`, asked for with
/// `partyTypeRequiredInDisconnect`) names the numbers 表4-18 gives for that party: A
/// first → `caller` displayNbr, `called` A (callerNbr); B first → `caller`
/// displayCalleeNbr, `called` B (calleeNbr). `platform` is not tied to numbers.
fn disconnect_problem(request: &Value, event: &Value) -> Option<String> {
    if event.get("eventType").and_then(Value::as_str) != Some("disconnect") {
        return None;
    }
    let info = event.get("statusInfo")?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    let (caller, called) = match info.get("partyType").and_then(Value::as_str)? {
        "caller" => (text(request, "displayNbr"), text(request, "callerNbr")),
        "callee" => (
            text(request, "displayCalleeNbr"),
            text(request, "calleeNbr"),
        ),
        _ => return None,
    };
    let got = (text(info, "caller"), text(info, "called"));
    (got != (caller.clone(), called.clone())).then(|| {
        format!(
            "disconnect {info}: caller/called {got:?}, 表4-18 gives {:?} for that partyType",
            (caller, called)
        )
    })
}

/// A callback in which A hangs up after talking to B for 5 s: the disconnect event
/// names A's numbers ([`disconnect_problem`]).
async fn caller_hangs_up(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    mock: &Mock,
) -> CaseResult {
    let callee = "+8613800000016";
    mock.set_outcome(
        callee,
        voicecall_mock::Outcome::Answered {
            talk_seconds: Some(5),
            hung_up_by: voicecall_mock::Party::Caller,
        },
    );
    let mut p = place(
        sender,
        base,
        creds,
        Operation::CreateVoiceCallback,
        json!({ "calleeNbr": callee }),
    )
    .await;
    mock.advance(Duration::from_secs(3 * 3600));
    mock.settle(Duration::from_secs(10)).await;
    let statuses = bodies(&p.statuses);
    let parties: Vec<&str> = statuses
        .iter()
        .filter_map(|b| b.get("statusInfo")?.get("partyType")?.as_str())
        .collect();
    if parties != ["caller"] {
        p.problems.push(format!(
            "A hung up: one disconnect with partyType caller expected, got {parties:?}"
        ));
    }
    for b in &statuses {
        p.problems.extend(disconnect_problem(&p.body, b));
    }
    relation_result(
        RELATION_IDS[5],
        "表4-18: A hangs up after talking to B; disconnect has partyType caller, caller displayNbr, called A".into(),
        p.req,
        p.problems,
    )
}

/// The moments of a CDR in the order a call has them (§4.1 体验描述: A is called,
/// rings, answers, then B; 表4-23 names them): each present one is not before the
/// previous present one, and none is after `callEndTime`.
fn order_problem(cdr: &serde_json::Map<String, Value>) -> Option<String> {
    let mut last: Option<(&str, i64)> = None;
    for k in CDR_TIMES.iter().copied().chain(["callEndTime"]) {
        let Some(t) = stamp_secs(cdr.get(k)) else {
            continue;
        };
        if let Some((prev, at)) = last {
            if t < at {
                return Some(format!("{k} is before {prev} in the CDR {cdr:?}"));
            }
        }
        last = Some((k, t));
    }
    None
}

/// A notification with an item that collects digits (`collectInd` > 0, 表5-5:
/// "系统会将用户输入的号码通过语音通知呼叫状态通知API发送给SP"), once answered, pushes a
/// `collectInfo` event (表5-15, 放音收号结果事件) between its answer and its disconnect.
fn collect_problem(body: &Value, types: &[String]) -> Option<String> {
    let collects = body
        .get("playInfoList")?
        .as_array()?
        .iter()
        .any(|i| i.get("collectInd").and_then(Value::as_u64).unwrap_or(0) > 0);
    let answer = types.iter().position(|t| t == "answer")?;
    if !collects {
        return None;
    }
    let ok = types
        .iter()
        .position(|t| t == "collectInfo")
        .is_some_and(|c| c > answer && types.last().map(String::as_str) == Some("disconnect"));
    (!ok).then(|| {
        format!("events {types:?}: an answered notification that collects digits pushes collectInfo after answer, before disconnect")
    })
}

/// A callback stopped (callStop, §4.3) at the moment A's answer event is pushed.
async fn stopped_after_answer(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    mock: &Mock,
) -> CaseResult {
    let mut p = place(
        sender,
        base,
        creds,
        Operation::CreateVoiceCallback,
        json!({ "calleeNbr": "+8613800000013" }),
    )
    .await;
    let answered = |got: &Got| {
        bodies(got)
            .iter()
            .any(|b| b.get("eventType").and_then(Value::as_str) == Some("answer"))
    };
    // One virtual second at a time until the answer is pushed (bounded: 10 min).
    for _ in 0..600 {
        if answered(&p.statuses) {
            break;
        }
        mock.advance(Duration::from_secs(1));
        mock.settle(Duration::from_secs(10)).await;
    }
    let session = p.session.clone();
    match (answered(&p.statuses), session) {
        (true, Some(id)) => {
            let stop = request_for(
                Operation::TerminateCall,
                &json!({ "sessionid": id, "signal": "call_stop" }),
            );
            let r = sender.send(base, creds, &stop).await;
            if r.status != 200 || r.code.as_deref() != Some("0") {
                p.problems
                    .push(format!("callStop was refused: {} {:?}", r.status, r.code));
            }
        }
        (answered, id) => p.problems.push(format!(
            "no answer event with a sessionId was pushed (answer: {answered}, sessionId: {id:?})"
        )),
    }
    mock.advance(Duration::from_secs(3 * 3600));
    mock.settle(Duration::from_secs(10)).await;
    match only_cdr(&p.fees) {
        Ok(cdr) => {
            let end = stamp_secs(cdr.get("callEndTime"));
            if cdr.get("callOutAnswerTime").is_none() {
                p.problems.push(format!(
                    "A's answer event was pushed before callStop, but the CDR has no callOutAnswerTime: {cdr}"
                ));
            }
            for k in CDR_TIMES {
                if let (Some(t), Some(e)) = (stamp_secs(cdr.get(k)), end) {
                    if t > e {
                        p.problems.push(format!("{k} is after callEndTime: {cdr}"));
                    }
                }
            }
            if end.is_none() {
                p.problems
                    .push(format!("the CDR has no callEndTime: {cdr}"));
            }
            // The call ended when it was stopped: the disconnect event (the last one)
            // and the CDR's callEndTime name the same moment, the stop's.
            let statuses = bodies(&p.statuses);
            let disconnect = statuses
                .last()
                .filter(|b| b.get("eventType").and_then(Value::as_str) == Some("disconnect"))
                .and_then(|b| stamp_secs(b.get("statusInfo")?.get("timestamp")));
            let answer = statuses
                .iter()
                .find(|b| b.get("eventType").and_then(Value::as_str) == Some("answer"))
                .and_then(|b| stamp_secs(b.get("statusInfo")?.get("timestamp")));
            if disconnect.is_none() || disconnect != end || end != answer {
                p.problems.push(format!(
                    "stopped at the answer ({answer:?}): the last event's disconnect time {disconnect:?} and the CDR's callEndTime {end:?} must be that moment"
                ));
            }
        }
        Err(e) => p.problems.push(e),
    }
    relation_result(
        RELATION_IDS[2],
        "§4.3 callStop once A answered (表4-23): the CDR keeps callOutAnswerTime and no time after callEndTime; disconnect (last) and callEndTime are the stop's moment".into(),
        p.req,
        p.problems,
    )
}
