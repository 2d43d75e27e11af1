//! A refused request: the result code of the tables (which fixes the HTTP status) and,
//! for humans, why. The reason goes out in the `X-Mock-Reason` header, never in the
//! body, whose `resultdesc` is the table's own English text as the platform sends it.

use voicecall::codes::ResultCode;

/// Why the mock refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Result code (and through it the HTTP status).
    pub code: ResultCode,
    /// What was wrong, where the reference says so.
    pub reason: String,
}

impl Reject {
    /// A refusal with `code` because of `reason`.
    pub fn new(code: ResultCode, reason: impl Into<String>) -> Self {
        Reject {
            code,
            reason: reason.into(),
        }
    }
}

/// Shorthand: `Err(Reject)`.
pub fn refuse<T>(code: ResultCode, reason: impl Into<String>) -> Result<T, Reject> {
    Err(Reject::new(code, reason))
}
