//! Two apps on one platform: what one app made (a session, a recording, a template) is
//! refused to another (spec erratum `foreign-app-resources`). The embedded mock runs
//! with app A (the suite's app) and app B; each case sends B's request naming A's
//! resource and expects the code the erratum gives, then checks that A still has it
//! (A stops its session, downloads its recording, uses its template), so a platform
//! that refused everything would fail too.
//!
//! A live target has one app (the suite is given one key): the cases are listed as
//! skipped, with the reason.

use serde_json::{json, Value};
use voicecall::auth::Credentials;
use voicecall::codes::ResultCode;
use voicecall::operations::Operation;
use voicecall_codegen::spec::Spec;

use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{request_for, Request, Response, Sender};

/// The template the embedded mock provisions for app A: id and the longest value of
/// each variable.
pub const TEMPLATE_A: (&str, &[usize]) = ("conformanceTemplateA", &[8]);

/// The second app of the embedded mock.
pub const APP_B: &str = "conformanceAppB";

/// What app A owns on the embedded mock, for the cases to name.
#[derive(Debug, Clone)]
pub struct Owned {
    /// A's recording: (fileName, recordDomain).
    pub recording: Option<(String, String)>,
}

struct Step {
    creds: Credentials,
    req: Request,
    expected: Expected,
    what: String,
}

fn expected(code: ResultCode) -> Expected {
    Expected {
        status: code.http_status(),
        code: Some(code.code().into()),
    }
}

fn success() -> Expected {
    Expected {
        status: 200,
        code: Some("0".into()),
    }
}

/// The rule ids (one per resource kind) of `op`.
pub fn rule_ids(op: Operation) -> Vec<String> {
    match op {
        Operation::TerminateCall => vec!["apps/foreign-session".into()],
        Operation::GetRecordingDownloadUrl => vec!["apps/foreign-recording".into()],
        Operation::CreateVoiceNotification => vec!["apps/foreign-template".into()],
        _ => Vec::new(),
    }
}

fn doc_of(rule: &str) -> &'static str {
    match rule {
        "apps/foreign-session" => "app B stops app A's live session: 1020152 as for no session (表4-10; erratum foreign-app-resources); then A stops it",
        "apps/foreign-recording" => "app B downloads app A's recording: 1012007 as for no recording (表4-30; erratum foreign-app-resources); then A downloads it (301)",
        _ => "app B plays app A's template: rejects.value (表5-7 1020001; erratum foreign-app-resources); then A plays it",
    }
}

fn op_of(rule: &str) -> Operation {
    match rule {
        "apps/foreign-session" => Operation::TerminateCall,
        "apps/foreign-recording" => Operation::GetRecordingDownloadUrl,
        _ => Operation::CreateVoiceNotification,
    }
}

/// The cases skipped on a target with one app.
pub fn skipped() -> Vec<CaseResult> {
    Operation::ALL
        .iter()
        .flat_map(|op| rule_ids(*op))
        .map(|rule| {
            let op = op_of(&rule);
            CaseResult {
                api: op.name().into(),
                id: format!("{}/{rule}", op.name()),
                rule: Some(rule.clone()),
                doc: doc_of(&rule).into(),
                expected: success(),
                actual: Response::default(),
                verdict: Verdict::Skipped,
                note: Some(
                    "needs a second app on the platform: only the embedded mock has one".into(),
                ),
                request: request_for(op, &json!({})),
            }
        })
        .collect()
}

/// Runs the cases against the embedded mock at `base`: `a` is the suite's app, `b` the
/// second app.
pub async fn run(
    spec: &Spec,
    sender: &Sender,
    base: &str,
    a: &Credentials,
    b: &Credentials,
    owned: &Owned,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    // A's live session.
    let callback = json!({
        "displayNbr": "+8675528000001", "callerNbr": "+8613800000011",
        "displayCalleeNbr": "+8675528000002", "calleeNbr": "+8613800000012",
    });
    let placed = sender
        .send(
            base,
            a,
            &request_for(Operation::CreateVoiceCallback, &callback),
        )
        .await;
    let session = serde_json::from_str::<Value>(&placed.body)
        .ok()
        .and_then(|v| v.get("sessionId")?.as_str().map(String::from));
    let stop = |id: &str| {
        request_for(
            Operation::TerminateCall,
            &json!({ "sessionid": id, "signal": "call_stop" }),
        )
    };
    let session_steps = session.as_deref().map(|id| {
        vec![
            Step {
                creds: b.clone(),
                req: stop(id),
                expected: expected(ResultCode::InvalidSessionId),
                what: "B's callStop".into(),
            },
            Step {
                creds: a.clone(),
                req: stop(id),
                expected: success(),
                what: "A's callStop after it".into(),
            },
        ]
    });
    out.push(
        judge(
            sender,
            base,
            "apps/foreign-session",
            session_steps,
            "app A could not place the call",
        )
        .await,
    );
    let recording_steps = owned.recording.as_ref().map(|(file, domain)| {
        let q = request_for(
            Operation::GetRecordingDownloadUrl,
            &json!({ "fileName": file, "recordDomain": domain }),
        );
        vec![
            Step {
                creds: b.clone(),
                req: q.clone(),
                expected: expected(ResultCode::RecordNotFound),
                what: "B's download".into(),
            },
            Step {
                creds: a.clone(),
                req: q,
                expected: Expected {
                    status: 301,
                    code: None,
                },
                what: "A's download after it".into(),
            },
        ]
    });
    out.push(
        judge(
            sender,
            base,
            "apps/foreign-recording",
            recording_steps,
            "app A has no recording",
        )
        .await,
    );
    let value = spec
        .operation(Operation::CreateVoiceNotification.name())
        .map(|o| (o.rejects.value.status, o.rejects.value.code.clone()));
    let template_steps = value.map(|(status, code)| {
        let body = json!({
            "displayNbr": "+8675528000001", "calleeNbr": "+8613800000013",
            "playInfoList": [{ "templateId": TEMPLATE_A.0, "templateParas": ["1"] }],
        });
        let req = request_for(Operation::CreateVoiceNotification, &body);
        vec![
            Step {
                creds: b.clone(),
                req: req.clone(),
                expected: Expected {
                    status,
                    code: Some(code),
                },
                what: "B's notification".into(),
            },
            Step {
                creds: a.clone(),
                req,
                expected: success(),
                what: "A's notification after it".into(),
            },
        ]
    });
    out.push(
        judge(
            sender,
            base,
            "apps/foreign-template",
            template_steps,
            "the spec has no CreateVoiceNotification",
        )
        .await,
    );
    out
}

/// Sends the steps in order; the case passes when every answer is the expected one, and
/// reports the first that is not.
async fn judge(
    sender: &Sender,
    base: &str,
    rule: &str,
    steps: Option<Vec<Step>>,
    missing: &str,
) -> CaseResult {
    let op = op_of(rule);
    let mut result = CaseResult {
        api: op.name().into(),
        id: format!("{}/{rule}", op.name()),
        rule: Some(rule.into()),
        doc: doc_of(rule).into(),
        expected: success(),
        actual: Response::default(),
        verdict: Verdict::Failed,
        note: Some(missing.into()),
        request: request_for(op, &json!({})),
    };
    let Some(steps) = steps else {
        return result;
    };
    result.note = None;
    result.verdict = Verdict::Passed;
    for (i, s) in steps.into_iter().enumerate() {
        let r = sender.send(base, &s.creds, &s.req).await;
        let ok = s.expected.matches(&r);
        if i == 0 || !ok {
            result.expected = s.expected.clone();
            result.actual = r;
            result.request = s.req.clone();
        }
        if !ok {
            result.verdict = Verdict::Failed;
            result.note = Some(format!("{} got a different answer", s.what));
            break;
        }
    }
    result
}
