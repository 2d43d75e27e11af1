//! Which calls the client resends by itself, how often, and how long it waits.
//!
//! An operation the spec marks `places_call` (click2Call, voice notification, voice
//! verification code) is **never** resent: a request that timed out may already have
//! rung the phone, and a second one rings it again. Of the others, only reads are
//! resent (the recording download, a GET): a resent callStop after a lost reply turns
//! its success into 1020152 (invalid sessionid). [`retry_allowed`] is that rule.
//!
//! A read is resent after a connection failure or timeout, or an answer whose result
//! code the reference says to try again later ([`crate::codes::ResultCode::is_retryable`]),
//! at most [`RetryPolicy::max_retries`] times, waiting `initial_backoff`, then twice
//! that, … up to `max_backoff`. Every attempt is signed afresh (new Nonce and Created).

use std::time::Duration;

use crate::operations::Operation;

/// Most retries a policy allows, whatever it is asked.
pub const MAX_RETRIES: u32 = 10;

/// How the client resends safe operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Two retries, 200 ms then 400 ms apart (at most 2 s).
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// Never resend.
    pub const fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        }
    }

    /// Up to `max_retries` retries (at most [`MAX_RETRIES`]) with the default backoff.
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries: max_retries.min(MAX_RETRIES),
            ..RetryPolicy::default()
        }
    }

    /// Waits `initial` before the first retry, doubling up to `max`.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Most retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (1-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(16);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Retries allowed for `op`: none for an operation that is not [`retry_allowed`].
    pub fn retries_for(&self, op: Operation) -> u32 {
        if retry_allowed(op) {
            self.max_retries
        } else {
            0
        }
    }
}

/// Whether the client may resend `op` at all: only reads that place no call.
pub const fn retry_allowed(op: Operation) -> bool {
    !op.places_call() && matches!(op.method().as_bytes(), b"GET")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::new(5)
            .with_backoff(Duration::from_millis(100), Duration::from_millis(350));
        let waits: Vec<u128> = (1..=4).map(|r| p.backoff(r).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }

    #[test]
    fn retries_are_bounded() {
        assert_eq!(RetryPolicy::new(u32::MAX).max_retries(), MAX_RETRIES);
        assert_eq!(RetryPolicy::none().max_retries(), 0);
    }

    #[test]
    fn no_operation_that_places_a_call_is_retried() {
        let ops = Operation::ALL;
        let mut allowed = Vec::new();
        for &op in ops {
            if op.places_call() {
                assert!(!retry_allowed(op), "{op:?}");
                assert_eq!(RetryPolicy::new(10).retries_for(op), 0, "{op:?}");
            }
            if retry_allowed(op) {
                allowed.push(op);
            }
        }
        assert_eq!(allowed, [Operation::GetRecordingDownloadUrl]);
        assert_eq!(
            ops.iter().filter(|o| o.places_call()).count(),
            3,
            "the spec marks three operations as placing calls"
        );
    }
}
