//! Receiving the platform's pushes without losing one.
//!
//! [`Receiver::handle`] (framework-agnostic, async) verifies the push signature
//! (configurable, can be off), splits the body into what it delivers ([`Delivery`]:
//! a status event, or a fee push's CDRs each parsed on its own), hands it to the
//! service's async [`PushHandler`], and replies success — 200, and for fee pushes
//! `{"resultcode":"0","resultdesc":"Success"}` — only after the handler succeeded.
//! Otherwise it replies a failure, on which the platform retries a fee push (6 times,
//! an hour apart; status pushes are not retried, §4.4).
//!
//! Delivery is at least once. Each CDR comes with its [`IdempotencyKey`] and
//! `seen_before` from the receiver's [`CdrStore`]; CDRs are marked delivered only after
//! the handler succeeded, so a retry after a failure is delivered again, never dropped.
//! Store CDRs under their key (a unique column) to make a retry harmless.
//!
//! With the `axum` feature, [`axum_router`] serves a receiver.

mod delivery;
mod store;

#[cfg(feature = "axum")]
mod axum_handler;

#[cfg(feature = "axum")]
pub use axum_handler::axum_router;
pub use delivery::{Cdr, CdrDelivery, Delivery, FeePush, StatusEvent, StatusPush};
pub use store::{canonical_json, CdrStore, IdempotencyKey, MemoryStore, StoreError, RETRY_HORIZON};

use std::fmt;
use std::future::Future;

use time::OffsetDateTime;

use crate::auth::{AuthError, PushVerifier};

/// Which push a receiver URL takes (each service sends status and fee pushes to the
/// URLs given in its request, so one URL serves one kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushKind {
    /// 4.4 语音回呼呼叫状态通知.
    CallbackStatus,
    /// 4.5 语音回呼话单通知.
    CallbackFee,
    /// 5.3 语音通知呼叫状态通知.
    NotificationStatus,
    /// 5.4 语音通知话单通知.
    NotificationFee,
    /// 6.3 语音验证码呼叫状态通知.
    VerificationStatus,
    /// 6.4 语音验证码话单通知.
    VerificationFee,
}

impl PushKind {
    /// Whether pushes of this kind carry CDRs (and expect a resultcode reply).
    pub fn is_fee(self) -> bool {
        matches!(
            self,
            PushKind::CallbackFee | PushKind::NotificationFee | PushKind::VerificationFee
        )
    }
}

/// The service's code: takes what a push delivers, stores it, and says whether it did.
///
/// Any `Fn(Delivery) -> impl Future<Output = Result<(), E>>` (`E: Display`) is one.
/// Return `Ok` only once what matters is committed: the success reply tells the platform
/// it may forget the push.
pub trait PushHandler: Send + Sync {
    /// Why the handler failed.
    type Error: fmt::Display;

    /// Handles one push.
    fn deliver(&self, delivery: Delivery) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

impl<F, Fut, E> PushHandler for F
where
    F: Fn(Delivery) -> Fut + Send + Sync,
    Fut: Future<Output = Result<(), E>> + Send,
    E: fmt::Display,
{
    type Error = E;

    fn deliver(&self, delivery: Delivery) -> impl Future<Output = Result<(), E>> + Send {
        self(delivery)
    }
}

/// What a push came to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Handled {
    /// CDRs delivered to the handler (0 for a status push).
    pub cdrs: usize,
    /// Of those, the ones the store had seen delivered.
    pub seen_before: usize,
    /// Of those, the ones that did not parse into their generated type.
    pub unparsed: usize,
    /// Whether a status push did not parse into its generated type.
    pub status_unparsed: bool,
}

/// Why a push was not acknowledged. `#[non_exhaustive]`: new failure kinds may come.
/// Displays as `what: why`; [`std::error::Error::source`] is the signature's or the
/// store's error.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReceiveError {
    /// The signature did not verify (401).
    Signature(AuthError),
    /// The body of a fee push has no list of CDRs to read (400).
    Body(String),
    /// The store failed before the handler ran (503); nothing was delivered.
    Store(StoreError),
    /// The handler failed (500).
    Handler(String),
    /// The handler succeeded but marking the CDRs delivered failed (500); the retry
    /// delivers them again with `seen_before` false.
    Mark(StoreError),
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiveError::Signature(e) => write!(f, "signature: {e}"),
            ReceiveError::Body(e) => write!(f, "body: {e}"),
            ReceiveError::Store(e) => write!(f, "store: {e}"),
            ReceiveError::Handler(e) => write!(f, "handler: {e}"),
            ReceiveError::Mark(e) => write!(f, "marking delivered: {e}"),
        }
    }
}

impl std::error::Error for ReceiveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReceiveError::Signature(e) => Some(e),
            ReceiveError::Store(e) | ReceiveError::Mark(e) => Some(e),
            ReceiveError::Body(_) | ReceiveError::Handler(_) => None,
        }
    }
}

/// The HTTP reply to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status: 200 when handled (the platform retries a fee push on anything else).
    pub status: u16,
    /// Body, JSON or empty.
    pub body: String,
}

impl Reply {
    /// Content type of every reply.
    pub const CONTENT_TYPE: &'static str = "application/json;charset=UTF-8";
}

/// Handles pushes of one kind, remembering delivered CDRs in `S`.
pub struct Receiver<S = MemoryStore> {
    kind: PushKind,
    verifier: Option<PushVerifier>,
    store: S,
}

impl<S> fmt::Debug for Receiver<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("kind", &self.kind)
            .field("signature_check", &self.verifier.is_some())
            .finish_non_exhaustive()
    }
}

impl Receiver<MemoryStore> {
    /// A receiver with the default [`MemoryStore`], not checking signatures (add a check
    /// with [`Receiver::with_signature_check`]).
    pub fn new(kind: PushKind) -> Self {
        Receiver {
            kind,
            verifier: None,
            store: MemoryStore::default(),
        }
    }
}

impl<S: CdrStore> Receiver<S> {
    /// Remembers delivered CDRs in `store` instead.
    pub fn with_store<T: CdrStore>(self, store: T) -> Receiver<T> {
        Receiver {
            kind: self.kind,
            verifier: self.verifier,
            store,
        }
    }

    /// Checks every push's signature with `verifier`.
    pub fn with_signature_check(mut self, verifier: PushVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The kind of push this receiver takes.
    pub fn kind(&self) -> PushKind {
        self.kind
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Handles one push: `header` looks a request header up by name (any case), `body`
    /// is the raw body, `handler` the service's code. Returns the reply to send (success
    /// only when the handler succeeded and its CDRs were marked delivered) and what
    /// happened.
    pub async fn handle<'h, H: PushHandler>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now: OffsetDateTime,
        handler: &H,
    ) -> (Reply, Result<Handled, ReceiveError>) {
        if let Some(v) = &self.verifier {
            if let Err(e) = v.verify(header("Authorization"), header("X-AKSK"), now) {
                return self.fail(401, "signature does not verify", ReceiveError::Signature(e));
            }
        }
        drop(header);
        if !self.kind.is_fee() {
            let push = delivery::status(self.kind, body);
            let handled = Handled {
                status_unparsed: push.event.is_err(),
                ..Handled::default()
            };
            return match handler.deliver(Delivery::Status(push)).await {
                Ok(()) => (self.success(), Ok(handled)),
                Err(e) => self.fail(
                    500,
                    "the service could not handle the push",
                    ReceiveError::Handler(e.to_string()),
                ),
            };
        }
        let mut push = match delivery::fee(self.kind, body) {
            Ok(p) => p,
            Err(why) => {
                return self.fail(400, "body is not a fee push", ReceiveError::Body(why));
            }
        };
        let keys: Vec<IdempotencyKey> = push.cdrs.iter().map(|c| c.key.clone()).collect();
        let seen = match self.store.delivered(&keys, now).await {
            Ok(seen) if seen.len() == keys.len() => seen,
            Ok(seen) => {
                let e = StoreError::new(format!(
                    "store answered {} flags for {} keys",
                    seen.len(),
                    keys.len()
                ));
                return self.fail(503, "store unavailable", ReceiveError::Store(e));
            }
            Err(e) => return self.fail(503, "store unavailable", ReceiveError::Store(e)),
        };
        for (c, s) in push.cdrs.iter_mut().zip(&seen) {
            c.seen_before = *s;
        }
        let handled = Handled {
            cdrs: push.cdrs.len(),
            seen_before: seen.iter().filter(|s| **s).count(),
            unparsed: push.cdrs.iter().filter(|c| c.cdr.is_err()).count(),
            status_unparsed: false,
        };
        if let Err(e) = handler.deliver(Delivery::Fee(push)).await {
            return self.fail(
                500,
                "the service could not store the CDRs",
                ReceiveError::Handler(e.to_string()),
            );
        }
        if let Err(e) = self.store.mark_delivered(&keys, now).await {
            return self.fail(
                500,
                "could not mark the CDRs delivered",
                ReceiveError::Mark(e),
            );
        }
        (self.success(), Ok(handled))
    }

    fn success(&self) -> Reply {
        let body = if self.kind.is_fee() {
            r#"{"resultcode":"0","resultdesc":"Success"}"#.to_string()
        } else {
            String::new()
        };
        Reply { status: 200, body }
    }

    fn fail(
        &self,
        status: u16,
        desc: &str,
        e: ReceiveError,
    ) -> (Reply, Result<Handled, ReceiveError>) {
        let body = if self.kind.is_fee() {
            serde_json::json!({ "resultcode": status.to_string(), "resultdesc": desc }).to_string()
        } else {
            String::new()
        };
        (Reply { status, body }, Err(e))
    }
}
