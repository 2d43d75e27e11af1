//! Receiving the platform's pushes: a framework-agnostic [`Receiver::handle`] that
//! verifies the push signature (configurable, can be off), parses the body into the
//! generated types, de-duplicates CDRs the platform retries, and returns the reply the
//! reference asks for (200; fee pushes with `{"resultcode":"0","resultdesc":"Success"}`).
//! With the `axum` feature, [`axum_router`] serves it.

mod dedup;

#[cfg(feature = "axum")]
mod axum_handler;

#[cfg(feature = "axum")]
pub use axum_handler::axum_router;

use std::sync::Mutex;

use time::OffsetDateTime;

use crate::auth::{AuthError, PushVerifier};
use crate::callback::{
    fee_notification::CallbackFeeEvent, status_notification::CallbackStatusEvent,
};
use crate::notification::{
    fee_notification::NotificationFeeEvent, status_notification::NotificationStatusEvent,
};
use crate::verification::{
    fee_notification::VerificationFeeEvent, status_notification::VerificationStatusEvent,
};
use crate::Violation;
use dedup::Dedup;

/// What identifies a CDR across retries: sessionId, icid and callEndTime.
type CdrKey = (Option<String>, Option<String>, Option<String>);

/// A fee push of one service: its CDR list.
trait FeeEvent: serde::de::DeserializeOwned {
    type Cdr;
    fn cdrs(&mut self) -> &mut Option<Vec<Self::Cdr>>;
    fn key(cdr: &Self::Cdr) -> CdrKey;
}

macro_rules! fee_event {
    ($($event:ty => $cdr:ty),* $(,)?) => {$(
        impl FeeEvent for $event {
            type Cdr = $cdr;
            fn cdrs(&mut self) -> &mut Option<Vec<$cdr>> {
                &mut self.fee_lst
            }
            fn key(c: &$cdr) -> CdrKey {
                (c.session_id.clone(), c.icid.clone(), c.call_end_time.clone())
            }
        }
    )*};
}

fee_event! {
    CallbackFeeEvent => crate::callback::fee_notification::CallbackFeeInfo,
    NotificationFeeEvent => crate::notification::fee_notification::NotificationFeeInfo,
    VerificationFeeEvent => crate::verification::fee_notification::VerificationFeeInfo,
}

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

/// A parsed push.
#[derive(Debug, Clone, PartialEq)]
pub enum Push {
    /// 4.4.
    CallbackStatus(CallbackStatusEvent),
    /// 4.5.
    CallbackFee(CallbackFeeEvent),
    /// 5.3.
    NotificationStatus(NotificationStatusEvent),
    /// 5.4.
    NotificationFee(NotificationFeeEvent),
    /// 6.3.
    VerificationStatus(VerificationStatusEvent),
    /// 6.4.
    VerificationFee(VerificationFeeEvent),
}

/// What a push delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// The push as parsed (CDRs seen before are removed from fee pushes).
    pub push: Push,
    /// CDRs dropped as retries of ones already received.
    pub duplicates: usize,
    /// What the generated validators found (the push is accepted anyway: a receiver must
    /// not refuse what the platform sends).
    pub violations: Vec<Violation>,
}

/// Why a push was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ReceiveError {
    /// The signature did not verify.
    Signature(AuthError),
    /// The body is not a push of this kind.
    Body(String),
}

/// The HTTP reply to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status: 200 when received (the platform retries anything else).
    pub status: u16,
    /// Body, JSON or empty.
    pub body: String,
}

impl Reply {
    /// Content type of every reply.
    pub const CONTENT_TYPE: &'static str = "application/json;charset=UTF-8";
}

/// Handles pushes of one kind.
#[derive(Debug)]
pub struct Receiver {
    kind: PushKind,
    verifier: Option<PushVerifier>,
    dedup: Mutex<Dedup>,
}

impl Receiver {
    /// A receiver that does not check signatures (add one with [`Receiver::with_signature_check`]).
    pub fn new(kind: PushKind) -> Self {
        Receiver {
            kind,
            verifier: None,
            dedup: Mutex::new(Dedup::new(100_000)),
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

    /// Handles one push: `header` looks a request header up by name (any case), `body`
    /// is the raw body. Returns the reply to send and what was received.
    pub fn handle<'h>(
        &self,
        header: impl Fn(&str) -> Option<&'h str>,
        body: &[u8],
        now: OffsetDateTime,
    ) -> (Reply, Result<Received, ReceiveError>) {
        if let Some(v) = &self.verifier {
            if let Err(e) = v.verify(header("Authorization"), header("X-AKSK"), now) {
                let reply = Reply {
                    status: 401,
                    body: self.error_body("401", "signature does not verify"),
                };
                return (reply, Err(ReceiveError::Signature(e)));
            }
        }
        match self.parse(body) {
            Ok(received) => {
                let body = if self.kind.is_fee() {
                    r#"{"resultcode":"0","resultdesc":"Success"}"#.to_string()
                } else {
                    String::new()
                };
                (Reply { status: 200, body }, Ok(received))
            }
            Err(why) => (
                Reply {
                    status: 400,
                    body: self.error_body("400", "body is not a push of this kind"),
                },
                Err(ReceiveError::Body(why)),
            ),
        }
    }

    fn error_body(&self, code: &str, desc: &str) -> String {
        if self.kind.is_fee() {
            serde_json::json!({ "resultcode": code, "resultdesc": desc }).to_string()
        } else {
            String::new()
        }
    }

    fn parse(&self, body: &[u8]) -> Result<Received, String> {
        use crate::Validate;
        let err = |e: serde_json::Error| e.to_string();
        let mut duplicates = 0;
        let push = match self.kind {
            PushKind::CallbackStatus => {
                Push::CallbackStatus(serde_json::from_slice(body).map_err(err)?)
            }
            PushKind::NotificationStatus => {
                Push::NotificationStatus(serde_json::from_slice(body).map_err(err)?)
            }
            PushKind::VerificationStatus => {
                Push::VerificationStatus(serde_json::from_slice(body).map_err(err)?)
            }
            PushKind::CallbackFee => Push::CallbackFee(self.fee_event(body, &mut duplicates)?),
            PushKind::NotificationFee => {
                Push::NotificationFee(self.fee_event(body, &mut duplicates)?)
            }
            PushKind::VerificationFee => {
                Push::VerificationFee(self.fee_event(body, &mut duplicates)?)
            }
        };
        let violations = match &push {
            Push::CallbackStatus(p) => p.validate(),
            Push::CallbackFee(p) => p.validate(),
            Push::NotificationStatus(p) => p.validate(),
            Push::NotificationFee(p) => p.validate(),
            Push::VerificationStatus(p) => p.validate(),
            Push::VerificationFee(p) => p.validate(),
        };
        Ok(Received {
            push,
            duplicates,
            violations,
        })
    }

    /// Parses a fee push and removes the CDRs already received.
    fn fee_event<E: FeeEvent>(&self, body: &[u8], duplicates: &mut usize) -> Result<E, String> {
        let mut ev: E = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        *duplicates = self.drop_seen(ev.cdrs(), E::key);
        Ok(ev)
    }

    /// Removes CDRs already received (same sessionId, icid and callEndTime); returns how many.
    fn drop_seen<T>(&self, list: &mut Option<Vec<T>>, key: impl Fn(&T) -> CdrKey) -> usize {
        let Some(items) = list else { return 0 };
        let Ok(mut seen) = self.dedup.lock() else {
            return 0;
        };
        let before = items.len();
        items.retain(|c| seen.first_time(key(c)));
        before - items.len()
    }
}
