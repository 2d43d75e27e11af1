//! The generated types as a user meets them: builders with named setters that say which
//! required fields are missing, flags as `bool`, URLs given as URLs, defaults as
//! methods, strict requests, lenient pushes, and validation in the doc's units.

use voicecall::callback::create_voice_callback::{CreateVoiceCallbackRequest, LastMinToUe};
use voicecall::callback::fee_notification::{CallbackFeeEvent, Direction, EventType};
use voicecall::callback::status_notification::{CallbackStatusEvent, CallbackStatusEventKind};
use voicecall::callback::terminate_call::{Signal, TerminateCallRequest};
use voicecall::notification::create_voice_notification::{
    CreateVoiceNotificationRequest, PlayContentInfo,
};
use voicecall::verification::create_voice_verification_code::{
    CreateVoiceVerificationCodeRequest, LanguageType,
};
use voicecall::{Rule, Severity, Validate};

fn callback() -> CreateVoiceCallbackRequest {
    CreateVoiceCallbackRequest::builder()
        .display_nbr("+8675528000001")
        .caller_nbr("+8613800000001")
        .display_callee_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .build()
        .unwrap()
}

#[test]
fn a_builder_names_every_field_and_says_which_required_ones_are_missing() {
    let err = CreateVoiceCallbackRequest::builder()
        .caller_nbr("+8613800000001")
        .callee_nbr("+8613800000002")
        .build()
        .unwrap_err();
    assert_eq!(err.fields, ["displayNbr", "displayCalleeNbr"]);
    assert_eq!(
        err.to_string(),
        "CreateVoiceCallbackRequest: required fields never set: displayNbr, displayCalleeNbr"
    );
    // Optional fields can be set on the builder too, in any order.
    let req = CreateVoiceCallbackRequest::builder()
        .callee_nbr("+8613800000002")
        .record_flag(true)
        .display_callee_nbr("+8675528000001")
        .caller_nbr("+8613800000001")
        .display_nbr("+8675528000001")
        .build()
        .unwrap();
    assert_eq!(req.callee_nbr, "+8613800000002");
    assert_eq!(req.caller_nbr, "+8613800000001");
    assert_eq!(req.record_flag, Some(true));
}

#[test]
fn one_value_enums_are_filled_in() {
    let stop = TerminateCallRequest::new("session-1");
    assert_eq!(stop.signal, Signal::CallStop);
    assert_eq!(
        serde_json::to_value(&stop).unwrap(),
        serde_json::json!({"sessionid": "session-1", "signal": "call_stop"})
    );
    let code = CreateVoiceVerificationCodeRequest::builder()
        .display_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .pre_tone("pre.wav")
        .verify_code("123456")
        .build()
        .unwrap();
    assert_eq!(code.language_type, LanguageType::Chinese);
    assert_eq!(serde_json::to_value(&code).unwrap()["languageType"], 2);
}

#[test]
fn flags_are_bools_sent_as_the_strings_of_the_reference() {
    let req = callback().with_record_flag(true).with_play_pre_voice(false);
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(json["recordFlag"], "true");
    assert_eq!(json["playPreVoice"], "false");
    let back: CreateVoiceCallbackRequest = serde_json::from_value(json).unwrap();
    assert_eq!(
        (back.record_flag, back.play_pre_voice),
        (Some(true), Some(false))
    );
    assert!(!callback().record_flag_or_default());
    let mut bad = serde_json::to_value(callback()).unwrap();
    bad["recordFlag"] = serde_json::json!(true);
    assert!(serde_json::from_value::<CreateVoiceCallbackRequest>(bad.clone()).is_err());
    bad["recordFlag"] = serde_json::json!("yes");
    let err = serde_json::from_value::<CreateVoiceCallbackRequest>(bad).unwrap_err();
    assert!(err.to_string().contains("unknown variant `yes`"), "{err}");
    // A rule conditioned on a flag reads the bool: recordHintTone only when recordFlag is true.
    let hint = callback().with_record_hint_tone("hint.wav");
    let with_flag = hint.clone().with_record_flag(true);
    assert!(
        with_flag.validate().is_empty(),
        "{:?}",
        with_flag.validate()
    );
    let without: Vec<(String, Rule, Severity)> = hint
        .validate()
        .into_iter()
        .map(|v| (v.path, v.rule, v.severity))
        .collect();
    assert_eq!(
        without,
        [(
            "$.recordHintTone".to_string(),
            Rule::OnlyWhen,
            Severity::Warning
        )]
    );
}

#[test]
fn urls_are_given_as_urls_and_errors_speak_of_them() {
    let req = callback().with_status_url("https://customer.example/status");
    assert_eq!(
        req.status_url.as_deref(),
        Some("aHR0cHM6Ly9jdXN0b21lci5leGFtcGxlL3N0YXR1cw==")
    );
    assert_eq!(
        req.status_url_plain().as_deref(),
        Some("https://customer.example/status")
    );
    assert!(req.validate().is_empty());

    let long = format!("https://customer.example/{}", "s".repeat(72));
    assert_eq!(long.len(), 97);
    let v = callback().with_status_url(&long).validate();
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0].path.as_str(), v[0].rule),
        ("$.statusUrl", Rule::Length)
    );
    assert_eq!(
        v[0].detail,
        "URL is 97 bytes (132 bytes once Base64-encoded); the limit is 1..=128 bytes of \
         Base64, so a URL of at most 96 bytes"
    );

    let v = callback()
        .with_fee_url("https://customer.example/fee?x=1")
        .validate();
    assert_eq!((v[0].path.as_str(), v[0].rule), ("$.feeUrl", Rule::Format));
    assert!(
        v[0].detail
            .starts_with("URL \"https://customer.example/fee?x=1\" has '?' at byte 28"),
        "{}",
        v[0].detail
    );
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
            .with_template_paras([s])
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
        .with_template_paras(["1"]);
    let req = notification([both, PlayContentInfo::default().with_template_id("t")]);
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
    let six = notification(vec![
        PlayContentInfo::default().with_notify_voice("a.wav");
        6
    ]);
    assert_eq!(six.validate()[0].rule, Rule::Items);
}

fn notification(
    plays: impl IntoIterator<Item = PlayContentInfo>,
) -> CreateVoiceNotificationRequest {
    CreateVoiceNotificationRequest::builder()
        .display_nbr("+8675528000001")
        .callee_nbr("+8613800000002")
        .play_info_list(plays)
        .build()
        .unwrap()
}
