//! What a case expected, what came back, and whether they agree.

use serde::Serialize;

use crate::target::{Request, Response};

/// The answer the spec prescribes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expected {
    /// HTTP status.
    pub status: u16,
    /// `resultcode`, when the answer has a body that carries one (`None`: no body, or
    /// any body, e.g. a receiver's status reply).
    pub code: Option<String>,
}

impl Expected {
    /// Whether `r` is this answer.
    pub fn matches(&self, r: &Response) -> bool {
        r.error.is_none()
            && r.status == self.status
            && self
                .code
                .as_ref()
                .is_none_or(|c| r.code.as_deref() == Some(c.as_str()))
    }
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(c) => write!(f, "{} {}", self.status, c),
            None => write!(f, "{}", self.status),
        }
    }
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The answer is the expected one.
    Passed,
    /// It is not.
    Failed,
    /// Not sent (e.g. it would place a call on a live endpoint).
    Skipped,
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The API (operation id, `Signing`, or `Receiver:<notification>`).
    pub api: String,
    /// Case id.
    pub id: String,
    /// Rule exercised (the rule universe's id), if any.
    pub rule: Option<String>,
    /// Row of the reference.
    pub doc: String,
    /// Expected answer.
    pub expected: Expected,
    /// What came back.
    pub actual: Response,
    /// The verdict.
    pub verdict: Verdict,
    /// Why skipped, or how the failure was shrunk.
    pub note: Option<String>,
    /// The request (for the curl command).
    pub request: Request,
}

impl CaseResult {
    /// `status code` of the answer, or the transport error.
    pub fn actual_text(&self) -> String {
        match (&self.actual.error, &self.actual.code) {
            (Some(e), _) => format!("no answer: {e}"),
            (None, Some(c)) => format!("{} {c}", self.actual.status),
            (None, None) => format!("{}", self.actual.status),
        }
    }
}
