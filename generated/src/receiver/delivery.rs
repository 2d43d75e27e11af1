//! What a push delivers to the service: status events and CDRs, each parsed on its own
//! so that one malformed value never hides the others.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::store::IdempotencyKey;
use super::PushKind;
use crate::callback::{
    fee_notification::CallbackFeeInfo, status_notification::CallbackStatusEvent,
};
use crate::notification::{
    fee_notification::NotificationFeeInfo, status_notification::NotificationStatusEvent,
};
use crate::push::{PushFields, PushTime};
use crate::runtime::Path;
use crate::verification::{
    fee_notification::VerificationFeeInfo, status_notification::VerificationStatusEvent,
};
use crate::{Validate, Violation};

/// One push, handed to the service's handler.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// A status event (§4.4, §5.3, §6.3).
    Status(StatusPush),
    /// A batch of CDRs (§4.5, §5.4, §6.4).
    Fee(FeePush),
}

/// A status push.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusPush {
    /// Which push.
    pub kind: PushKind,
    /// The body as received (lossy UTF-8).
    pub raw: String,
    /// The event, or why it does not parse into its generated type (not JSON, a field of
    /// the wrong JSON type, a duplicated key). An unknown event type parses (kept in the
    /// generated `Unknown` variant) and is reported in `violations`.
    pub event: Result<StatusEvent, String>,
    /// What the generated validators found (the push is delivered anyway).
    pub violations: Vec<Violation>,
}

/// A parsed status event.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusEvent {
    /// 4.4.
    Callback(CallbackStatusEvent),
    /// 5.3.
    Notification(NotificationStatusEvent),
    /// 6.3.
    Verification(VerificationStatusEvent),
}

impl StatusEvent {
    /// The `eventType` value.
    pub fn event_type(&self) -> &str {
        match self {
            StatusEvent::Callback(e) => e.event_type(),
            StatusEvent::Notification(e) => e.event_type(),
            StatusEvent::Verification(e) => e.event_type(),
        }
    }
}

/// A fee push: its CDRs, each with its idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct FeePush {
    /// Which push.
    pub kind: PushKind,
    /// The `eventType` as sent.
    pub event_type: Option<String>,
    /// Why the push's fields other than `feeLst` do not parse (its CDRs are delivered
    /// anyway).
    pub envelope_error: Option<String>,
    /// What the validators found in the fields other than `feeLst`.
    pub violations: Vec<Violation>,
    /// The CDRs, in the order of `feeLst`.
    pub cdrs: Vec<CdrDelivery>,
}

/// One CDR of a fee push.
#[derive(Debug, Clone, PartialEq)]
pub struct CdrDelivery {
    /// What identifies it across the platform's retries; store it with the CDR (as a
    /// unique key) to make storing idempotent.
    pub key: IdempotencyKey,
    /// Whether the receiver's store saw it delivered before (a retry whose success reply
    /// was lost). False does not prove it is new: a process that died after the handler
    /// committed and before the store was marked sees it again as not seen.
    pub seen_before: bool,
    /// Its JSON as received.
    pub raw: String,
    /// The CDR, or why it does not parse into its generated type.
    pub cdr: Result<Cdr, String>,
    /// What the validators found (path `$.feeLst[i]…`).
    pub violations: Vec<Violation>,
}

/// A parsed CDR.
#[derive(Debug, Clone, PartialEq)]
pub enum Cdr {
    /// 4.5 表4-23.
    Callback(CallbackFeeInfo),
    /// 5.4.
    Notification(NotificationFeeInfo),
    /// 6.4.
    Verification(VerificationFeeInfo),
}

impl Cdr {
    /// sessionId, when present.
    pub fn session_id(&self) -> Option<&str> {
        match self {
            Cdr::Callback(c) => c.session_id.as_deref(),
            Cdr::Notification(c) => c.session_id.as_deref(),
            Cdr::Verification(c) => c.session_id.as_deref(),
        }
    }
}

impl PushFields for StatusEvent {
    fn event_type(&self) -> &str {
        StatusEvent::event_type(self)
    }

    fn session_id(&self) -> Option<&str> {
        match self {
            StatusEvent::Callback(e) => e.session_id(),
            StatusEvent::Notification(e) => e.session_id(),
            StatusEvent::Verification(e) => e.session_id(),
        }
    }

    fn timestamp(&self) -> Option<PushTime> {
        match self {
            StatusEvent::Callback(e) => e.timestamp(),
            StatusEvent::Notification(e) => e.timestamp(),
            StatusEvent::Verification(e) => e.timestamp(),
        }
    }

    fn user_data(&self) -> Option<&str> {
        match self {
            StatusEvent::Callback(e) => e.user_data(),
            StatusEvent::Notification(e) => e.user_data(),
            StatusEvent::Verification(e) => e.user_data(),
        }
    }
}

impl PushFields for Cdr {
    fn event_type(&self) -> &str {
        match self {
            Cdr::Callback(c) => c.event_type(),
            Cdr::Notification(c) => c.event_type(),
            Cdr::Verification(c) => c.event_type(),
        }
    }

    fn session_id(&self) -> Option<&str> {
        Cdr::session_id(self)
    }

    fn timestamp(&self) -> Option<PushTime> {
        match self {
            Cdr::Callback(c) => c.timestamp(),
            Cdr::Notification(c) => c.timestamp(),
            Cdr::Verification(c) => c.timestamp(),
        }
    }

    fn user_data(&self) -> Option<&str> {
        match self {
            Cdr::Callback(c) => c.user_data(),
            Cdr::Notification(c) => c.user_data(),
            Cdr::Verification(c) => c.user_data(),
        }
    }
}

impl PushKind {
    /// The service's name, as used in idempotency keys.
    pub fn service(self) -> &'static str {
        match self {
            PushKind::CallbackStatus | PushKind::CallbackFee => "callback",
            PushKind::NotificationStatus | PushKind::NotificationFee => "notification",
            PushKind::VerificationStatus | PushKind::VerificationFee => "verification",
        }
    }
}

pub(crate) fn status(kind: PushKind, body: &[u8]) -> StatusPush {
    fn parse<T: serde::de::DeserializeOwned + Validate>(
        body: &[u8],
        wrap: fn(T) -> StatusEvent,
    ) -> (Result<StatusEvent, String>, Vec<Violation>) {
        match serde_json::from_slice::<T>(body) {
            Ok(ev) => {
                let v = ev.validate();
                (Ok(wrap(ev)), v)
            }
            Err(e) => (Err(e.to_string()), Vec::new()),
        }
    }
    let (event, violations) = match kind {
        PushKind::CallbackStatus => parse(body, StatusEvent::Callback),
        PushKind::NotificationStatus => parse(body, StatusEvent::Notification),
        _ => parse(body, StatusEvent::Verification),
    };
    StatusPush {
        kind,
        raw: String::from_utf8_lossy(body).into_owned(),
        event,
        violations,
    }
}

/// The members of a JSON object, duplicated keys kept.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push(entry);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Splits a fee push into its CDRs. Fails only when there is no list of CDRs to read:
/// the body is not a JSON object, or `feeLst` is not an array (or appears twice).
pub(crate) fn fee(kind: PushKind, body: &[u8]) -> Result<FeePush, String> {
    let Members(members) = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let mut list: Option<&RawValue> = None;
    let mut rest = Vec::new();
    for (k, v) in &members {
        if k == "feeLst" {
            if list.is_some() {
                return Err("feeLst appears twice".into());
            }
            list = Some(v);
        } else {
            rest.push((k, v));
        }
    }
    let items: Vec<Box<RawValue>> = match list {
        None => Vec::new(),
        Some(raw) if raw.get() == "null" => Vec::new(),
        Some(raw) => {
            serde_json::from_str(raw.get()).map_err(|e| format!("feeLst is not an array: {e}"))?
        }
    };
    // The envelope without feeLst, through the generated type (duplicate keys refused).
    let mut envelope = String::from("{");
    for (i, (k, v)) in rest.iter().enumerate() {
        if i > 0 {
            envelope.push(',');
        }
        envelope.push_str(&serde_json::Value::from(k.as_str()).to_string());
        envelope.push(':');
        envelope.push_str(v.get());
    }
    envelope.push('}');
    let (event_type, envelope_error, violations) = match kind {
        PushKind::CallbackFee => {
            envelope_of::<crate::callback::fee_notification::CallbackFeeEvent>(&envelope)
        }
        PushKind::NotificationFee => {
            envelope_of::<crate::notification::fee_notification::NotificationFeeEvent>(&envelope)
        }
        _ => envelope_of::<crate::verification::fee_notification::VerificationFeeEvent>(&envelope),
    };
    let root = Path::root();
    let fee_lst = root.key("feeLst");
    let cdrs = items
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let path = fee_lst.index(i);
            let mut violations = Vec::new();
            let raw = raw.get();
            let cdr = match kind {
                PushKind::CallbackFee => parse_cdr(raw, &path, &mut violations, Cdr::Callback),
                PushKind::NotificationFee => {
                    parse_cdr(raw, &path, &mut violations, Cdr::Notification)
                }
                _ => parse_cdr(raw, &path, &mut violations, Cdr::Verification),
            };
            CdrDelivery {
                key: IdempotencyKey::of_cdr(kind.service(), raw),
                seen_before: false,
                raw: raw.to_string(),
                cdr,
                violations,
            }
        })
        .collect();
    Ok(FeePush {
        kind,
        event_type,
        envelope_error,
        violations,
        cdrs,
    })
}

fn parse_cdr<T: serde::de::DeserializeOwned + Validate>(
    raw: &str,
    path: &Path<'_>,
    out: &mut Vec<Violation>,
    wrap: fn(T) -> Cdr,
) -> Result<Cdr, String> {
    let cdr: T = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    cdr.validate_at(path, out);
    Ok(wrap(cdr))
}

fn envelope_of<T: serde::de::DeserializeOwned + Validate>(
    envelope: &str,
) -> (Option<String>, Option<String>, Vec<Violation>) {
    let event_type = serde_json::from_str::<serde_json::Value>(envelope)
        .ok()
        .and_then(|v| {
            v.get("eventType")
                .and_then(|t| t.as_str())
                .map(String::from)
        });
    match serde_json::from_str::<T>(envelope) {
        Ok(ev) => {
            // feeLst was taken out: what concerns it is checked per CDR.
            let mut v = ev.validate();
            v.retain(|v| !v.path.starts_with("$.feeLst"));
            (event_type, None, v)
        }
        Err(e) => (event_type, Some(e.to_string()), Vec::new()),
    }
}
