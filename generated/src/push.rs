//! One accessor set for every push: a status event of any service and any event type,
//! or one CDR of a fee push, all answer [`PushFields`]'s `event_type()`,
//! `session_id()`, `timestamp()` and `user_data()` — no per-service `match`.
//!
//! ```
//! use voicecall::callback::status_notification::CallbackStatusEvent;
//! use voicecall::push::PushFields;
//!
//! let push: CallbackStatusEvent = serde_json::from_str(
//!     r#"{"eventType":"answer","statusInfo":{"sessionId":"s-1","timestamp":"2019-01-24 03:04:24","userData":"order-7"}}"#,
//! )?;
//! assert_eq!(push.session_id(), Some("s-1"));
//! assert_eq!(push.user_data(), Some("order-7"));
//! let at = push.timestamp().unwrap();
//! assert_eq!(at.raw(), "2019-01-24 03:04:24");
//! assert_eq!(at.utc(), Some(time::macros::datetime!(2019-01-24 03:04:24 UTC)));
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Times are read as erratum `timestamp-unix-vs-formatted` decides: the string
//! `yyyy-MM-dd HH:mm:ss` in UTC (format `datetime`), not epoch seconds.

use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The fields every push carries, whatever its service and event type.
///
/// Implemented by the status events ([`CallbackStatusEvent`], [`NotificationStatusEvent`],
/// [`VerificationStatusEvent`]), by the CDRs ([`CallbackFeeInfo`], [`NotificationFeeInfo`],
/// [`VerificationFeeInfo`]), and by the receiver's [`StatusEvent`] and [`Cdr`].
///
/// [`CallbackStatusEvent`]: crate::callback::status_notification::CallbackStatusEvent
/// [`NotificationStatusEvent`]: crate::notification::status_notification::NotificationStatusEvent
/// [`VerificationStatusEvent`]: crate::verification::status_notification::VerificationStatusEvent
/// [`CallbackFeeInfo`]: crate::callback::fee_notification::CallbackFeeInfo
/// [`NotificationFeeInfo`]: crate::notification::fee_notification::NotificationFeeInfo
/// [`VerificationFeeInfo`]: crate::verification::fee_notification::VerificationFeeInfo
/// [`StatusEvent`]: crate::receiver::StatusEvent
/// [`Cdr`]: crate::receiver::Cdr
pub trait PushFields {
    /// `eventType` (`callout`, `answer`, …; `fee` for a CDR, the only value the fee
    /// tables list).
    fn event_type(&self) -> &str;

    /// `sessionId`, when the push carries it: it names the call the request created.
    fn session_id(&self) -> Option<&str>;

    /// When it happened: a status event's `timestamp`, a CDR's `callEndTime`; `None`
    /// when absent. Kept raw beside the parsed time, so a malformed value is not lost.
    fn timestamp(&self) -> Option<PushTime>;

    /// `userData` as the request set it (absent from events whose table has no such
    /// row, e.g. 5.3 `collectInfo`).
    fn user_data(&self) -> Option<&str>;
}

/// A push time: the string as sent and, when it has the reference's format, the instant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PushTime {
    raw: String,
    utc: Option<OffsetDateTime>,
}

impl PushTime {
    /// Reads `yyyy-MM-dd HH:mm:ss` as UTC; anything else is kept raw with no instant.
    pub fn parse(raw: &str) -> PushTime {
        let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        PushTime {
            raw: raw.to_string(),
            utc: PrimitiveDateTime::parse(raw, fmt)
                .ok()
                .map(PrimitiveDateTime::assume_utc),
        }
    }

    /// The value as sent.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The instant, when the value has the format `yyyy-MM-dd HH:mm:ss`.
    pub fn utc(&self) -> Option<OffsetDateTime> {
        self.utc
    }

    /// The instant in Beijing time (UTC+8), as the platform's console shows it.
    pub fn beijing(&self) -> Option<OffsetDateTime> {
        let plus8 = UtcOffset::from_hms(8, 0, 0).ok()?;
        self.utc.map(|t| t.to_offset(plus8))
    }
}

/// `value[key]` when `value` is an object with a string there (an unknown event's details).
pub(crate) fn json_str<'a>(value: Option<&'a serde_json::Value>, key: &str) -> Option<&'a str> {
    value?.get(key)?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_and_keep_their_raw_form() {
        let t = PushTime::parse("2019-01-24 03:04:24");
        assert_eq!(
            t.utc(),
            Some(time::macros::datetime!(2019-01-24 03:04:24 UTC))
        );
        assert_eq!(
            t.beijing().map(|b| (b.hour(), b.offset().whole_hours())),
            Some((11, 8))
        );
        for bad in [
            "1548299064",
            "2019-01-24T03:04:24Z",
            "2019-02-30 00:00:00",
            "",
        ] {
            let t = PushTime::parse(bad);
            assert_eq!((t.raw(), t.utc()), (bad, None), "{bad}");
        }
    }
}
