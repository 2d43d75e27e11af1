//! One accessor set across every push: status events of the three services (every
//! event type, and one the reference does not list) and the CDRs of the three fee
//! pushes answer `PushFields` the same way.

use voicecall::callback::fee_notification::CallbackFeeEvent;
use voicecall::callback::status_notification::CallbackStatusEvent;
use voicecall::notification::fee_notification::NotificationFeeEvent;
use voicecall::notification::status_notification::NotificationStatusEvent;
use voicecall::verification::fee_notification::VerificationFeeEvent;
use voicecall::verification::status_notification::VerificationStatusEvent;
use voicecall::PushFields;

const INFO: &str = r#"{"sessionId":"s-1","timestamp":"2019-01-24 03:04:24","userData":"order-7","caller":"+8613800000001","called":"+8613800000002"}"#;

fn status<T: serde::de::DeserializeOwned + PushFields>(event: &str) -> T {
    serde_json::from_str(&format!(r#"{{"eventType":"{event}","statusInfo":{INFO}}}"#)).unwrap()
}

fn assert_fields(p: &dyn PushFields, event: &str, user_data: Option<&str>) {
    assert_eq!(p.event_type(), event);
    assert_eq!(p.session_id(), Some("s-1"), "{event}");
    assert_eq!(p.user_data(), user_data, "{event}");
    let t = p.timestamp().unwrap();
    assert_eq!(t.raw(), "2019-01-24 03:04:24");
    assert_eq!(
        t.utc(),
        Some(time::macros::datetime!(2019-01-24 03:04:24 UTC))
    );
}

#[test]
fn every_status_event_answers_the_same_accessors() {
    for e in ["callout", "alerting", "answer", "disconnect"] {
        assert_fields(&status::<CallbackStatusEvent>(e), e, Some("order-7"));
        assert_fields(&status::<NotificationStatusEvent>(e), e, Some("order-7"));
        assert_fields(&status::<VerificationStatusEvent>(e), e, Some("order-7"));
    }
    // 5.3 collectInfo has no userData row: the value is not read even if sent.
    let collect: NotificationStatusEvent = status("collectInfo");
    assert_eq!(collect.event_type(), "collectInfo");
    assert_eq!(collect.session_id(), Some("s-1"));
    assert_eq!(collect.user_data(), None);
    // An event type the reference does not list: read from its details as received.
    assert_fields(
        &status::<CallbackStatusEvent>("ringback"),
        "ringback",
        Some("order-7"),
    );
}

#[test]
fn absent_details_and_odd_times_are_none_or_kept_raw() {
    let bare: CallbackStatusEvent = serde_json::from_str(r#"{"eventType":"answer"}"#).unwrap();
    assert_eq!((bare.session_id(), bare.user_data()), (None, None));
    assert!(bare.timestamp().is_none());
    let odd: CallbackStatusEvent =
        serde_json::from_str(r#"{"eventType":"answer","statusInfo":{"timestamp":"1548299064"}}"#)
            .unwrap();
    let t = odd.timestamp().unwrap();
    assert_eq!((t.raw(), t.utc()), ("1548299064", None));
}

#[test]
fn every_cdr_answers_the_same_accessors() {
    let body = r#"{"eventType":"fee","feeLst":[{"sessionId":"s-1","callEndTime":"2019-01-24 03:04:24","userData":"order-7"}]}"#;
    let cb: CallbackFeeEvent = serde_json::from_str(body).unwrap();
    let nt: NotificationFeeEvent = serde_json::from_str(body).unwrap();
    let vf: VerificationFeeEvent = serde_json::from_str(body).unwrap();
    assert_fields(&cb.fee_lst.unwrap()[0], "fee", Some("order-7"));
    assert_fields(&nt.fee_lst.unwrap()[0], "fee", Some("order-7"));
    assert_fields(&vf.fee_lst.unwrap()[0], "fee", Some("order-7"));
}
