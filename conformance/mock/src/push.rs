//! Push delivery: status events in order per session, fee CDR batches with retries, each
//! attempt signed with the push scheme and recorded for introspection.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use voicecall::auth::{sign_push, Credentials, PushVariant};

use crate::clock::VTime;

/// What a push carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushKind {
    /// A status event (callout, alerting, answer, collectInfo, disconnect).
    Status,
    /// A batch of CDRs.
    Fee,
}

/// Where a push stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushState {
    /// Waiting for its (next) attempt.
    Pending,
    /// Accepted by the receiver.
    Delivered,
    /// A status push the receiver refused (status pushes are not retried, §4.4).
    Failed,
    /// A fee push refused after every retry (§4.5: the platform then writes a file and
    /// support pushes it by hand).
    Undeliverable,
}

/// One attempt.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// Virtual time of the attempt.
    pub at: VTime,
    /// HTTP status, when the receiver answered.
    pub status: Option<u16>,
    /// resultcode of a fee reply, when the body had one.
    pub resultcode: Option<String>,
    /// Transport error, when there was no answer.
    pub error: Option<String>,
    /// Whether the attempt counts as delivered.
    pub ok: bool,
}

/// A push and its attempts.
#[derive(Debug, Clone, Serialize)]
pub struct PushRecord {
    /// Index in the push log.
    pub id: usize,
    /// Status or fee.
    pub kind: PushKind,
    /// eventType (`callout`…, or `fee`).
    pub event: &'static str,
    /// Sessions concerned (one for status; each CDR's for fee).
    pub sessions: Vec<String>,
    /// Plain URL it goes to.
    pub url: String,
    /// The JSON body as sent (the bytes the session's event log shows for it).
    pub body: std::sync::Arc<str>,
    /// Where it stands.
    pub state: PushState,
    /// Attempts so far.
    pub attempts: Vec<Attempt>,
    /// App whose credentials sign it (kept here, since its sessions may leave first).
    #[serde(skip)]
    pub app_key: String,
}

impl Attempt {
    /// The record of an attempt made at virtual time `at` that ended with `out`.
    pub(crate) fn of(at: VTime, out: Outcome, kind: PushKind) -> Attempt {
        let ok = out.ok(kind);
        Attempt {
            at,
            status: out.status,
            resultcode: out.resultcode,
            error: out.error,
            ok,
        }
    }
}

/// The result of one HTTP attempt.
pub(crate) struct Outcome {
    pub status: Option<u16>,
    pub resultcode: Option<String>,
    pub error: Option<String>,
}

/// Sends one push, signed for `url` with the app's secret (Created from the real clock,
/// which the receiver compares with its own).
pub(crate) async fn send(
    http: &reqwest::Client,
    creds: &Credentials,
    url: &str,
    body: &str,
    timeout: Duration,
) -> Outcome {
    let h = sign_push(creds, url, PushVariant::CURRENT, None, None);
    let res = http
        .post(url)
        .timeout(timeout)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Authorization", h.authorization)
        .header("X-AKSK", h.x_aksk)
        .body(body.to_string())
        .send()
        .await;
    match res {
        Err(e) => Outcome {
            status: None,
            resultcode: None,
            error: Some(without_url(&e)),
        },
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            let resultcode = serde_json::from_str::<Value>(&text).ok().and_then(|v| {
                v.get("resultcode")
                    .and_then(Value::as_str)
                    .map(String::from)
            });
            Outcome {
                status: Some(status),
                resultcode,
                error: None,
            }
        }
    }
}

/// A transport error's text (reqwest's includes the URL, which is fine: no secret there).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else {
        e.to_string()
    }
}

impl Outcome {
    /// §4.4: a status push succeeds on HTTP 200. §4.5: a fee push succeeds on HTTP 200
    /// and, when the body carries resultcode, resultcode "0".
    pub(crate) fn ok(&self, kind: PushKind) -> bool {
        match kind {
            PushKind::Status => self.status == Some(200),
            PushKind::Fee => {
                self.status == Some(200) && self.resultcode.as_deref().is_none_or(|c| c == "0")
            }
        }
    }
}
