//! The generated types as a user meets them: constructors that need the required fields,
//! defaults as methods, strict requests, lenient pushes, and validation in the doc's units.

use voicecall::callback::create_voice_callback::{CreateVoiceCallbackRequest, LastMinToUe};
use voicecall::callback::fee_notification::{CallbackFeeEvent, Direction, EventType};
use voicecall::callback::status_notification::{CallbackStatusEvent, CallbackStatusEventKind};
use voicecall::notification::create_voice_notification::{
    CreateVoiceNotificationRequest, PlayContentInfo,
};
use voicecall::{Rule, Severity, Validate};

fn callback() -> CreateVoiceCallbackRequest {
    CreateVoiceCallbackRequest::new(
        "+8675528000001",
        "+8613800000001",
        "+8675528000001",
        "+8613800000002",
    )
}

#[test]
fn requests_are_built_from_their_required_fields_and_omit_absent_options() {
    let req = callback()
        .with_max_duration(30)
        .with_last_min_to_ue(LastMinToUe::Toa);
    assert!(req.validate().is_empty());
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"displayNbr": "+8675528000001", "callerNbr": "+8613800000001", "displayCalleeNbr": "+8675528000001", "calleeNbr": "+8613800000002", "maxDuration": 30, "lastMinToUE": "toa"})
    );
    // Defaults are methods; they are never injected into the wire.
    let bare = callback();
    assert_eq!(bare.max_duration_or_default(), 0);
    assert_eq!(bare.last_min_to_ue_or_default(), LastMinToUe::Both);
    assert!(!serde_json::to_string(&bare)
        .unwrap()
        .contains("maxDuration"));
}

#[test]
fn requests_reject_values_the_reference_does_not_list() {
    let err = serde_json::from_str::<CreateVoiceCallbackRequest>(
        r#"{"displayNbr":"+8675528000001","callerNbr":"+8613800000001","displayCalleeNbr":"+8675528000001","calleeNbr":"+8613800000002","lastMinToUE":"everyone"}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown variant `everyone`"),
        "{err}"
    );
}

#[test]
fn pushes_keep_values_and_fields_the_reference_does_not_list() {
    let ev: CallbackStatusEvent =
        serde_json::from_str(r#"{"eventType":"ringback","statusInfo":{"x":1},"traceId":"t"}"#)
            .unwrap();
    assert_eq!(ev.event_type(), "ringback");
    assert!(matches!(ev.event, CallbackStatusEventKind::Unknown { .. }));
    let rules: Vec<(String, Rule)> = ev
        .validate()
        .into_iter()
        .map(|v| (v.path, v.rule))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("$.eventType".to_string(), Rule::Enum),
            ("$.traceId".to_string(), Rule::UnknownField)
        ]
    );
    assert_eq!(
        serde_json::to_string(&ev).unwrap(),
        r#"{"eventType":"ringback","statusInfo":{"x":1},"traceId":"t"}"#
    );

    let fee: CallbackFeeEvent =
        serde_json::from_str(r#"{"eventType":"fee","feeLst":[{"direction":7}]}"#).unwrap();
    assert_eq!(fee.event_type, Some(EventType::Fee));
    let cdr = &fee.fee_lst.as_ref().unwrap()[0];
    assert_eq!(cdr.direction, Some(Direction::Unknown(7)));
    let rules: Vec<(String, Rule)> = fee
        .validate()
        .into_iter()
        .map(|v| (v.path, v.rule))
        .collect();
    assert!(rules.contains(&("$.feeLst[0].direction".to_string(), Rule::Enum)));
    assert!(rules.contains(&("$.feeLst[0].spId".to_string(), Rule::Required)));
}

#[test]
fn lengths_are_counted_in_characters_and_rules_are_checked() {
    let paras = |s: &str| {
        PlayContentInfo::default()
            .with_template_id("t")
            .with_template_paras(vec![s.to_string()])
    };
    assert!(
        paras(&"人".repeat(32)).validate().is_empty(),
        "32 characters (96 bytes) fit String(1-32)"
    );
    let long = paras(&"人".repeat(33)).validate();
    assert_eq!(long.len(), 1);
    assert_eq!(
        (long[0].path.as_str(), long[0].rule, long[0].doc),
        (
            "$.templateParas[0]",
            Rule::Length,
            "5.2 表5-5 templateParas"
        )
    );

    let both = PlayContentInfo::default()
        .with_notify_voice("a.wav")
        .with_template_id("t")
        .with_template_paras(vec!["1".to_string()]);
    let req = CreateVoiceNotificationRequest::new(
        "+8675528000001",
        "+8613800000002",
        vec![both, PlayContentInfo::default().with_template_id("t")],
    );
    let found: Vec<(String, Rule, Severity)> = req
        .validate()
        .into_iter()
        .map(|v| (v.path, v.rule, v.severity))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "$.playInfoList[0]".to_string(),
                Rule::ExactlyOneOf,
                Severity::Error
            ),
            (
                "$.playInfoList[1].templateParas".to_string(),
                Rule::RequiredWhen,
                Severity::Error
            ),
        ]
    );
    let six = CreateVoiceNotificationRequest::new(
        "+8675528000001",
        "+8613800000002",
        vec![PlayContentInfo::default().with_notify_voice("a.wav"); 6],
    );
    assert_eq!(six.validate()[0].rule, Rule::Items);
}
