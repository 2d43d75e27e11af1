//! The real spec: it loads, it holds every table of the reference, its derived documents
//! are current, and the generic checker counts lengths in the unit the spec says.

use std::path::PathBuf;

use serde_json::json;
use voicecall_codegen::docs::{counts, Counts};
use voicecall_codegen::spec::validate::Severity;
use voicecall_codegen::spec::{load_dir, Spec};

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn spec() -> Spec {
    match load_dir(&spec_dir()) {
        Ok(s) => s,
        Err(e) => panic!("spec/ does not load:\n{}", e.render()),
    }
}

#[test]
fn spec_loads_and_every_example_matches_its_message() {
    // load_dir checks every fixture against its message and its expected violations.
    let s = spec();
    assert!(s.all(|c| &c.fixtures).count() >= 33);
}

#[test]
fn spec_holds_every_table_of_the_reference() {
    let c = counts(&spec());
    // The reference: 49 parameter tables with 266 rows, 5 result-code tables with 241
    // non-success rows, 3 appendix tables with 200 rows (29 + 70 + 101), 18 numbered
    // literal tables (2-1, eleven time-format and six interface-type tables) plus ch. 8.
    let want = Counts {
        parameter_tables: 49,
        parameter_rows: 266,
        result_code_tables: 5,
        result_code_failure_rows: 241,
        appendix_tables: 3,
        appendix_rows: 200,
        literal_tables: 19,
        fixtures: c.fixtures,
        errata: c.errata,
    };
    assert_eq!(c, want);
    assert_eq!(
        c.fixtures, 33,
        "every example of the reference is a fixture"
    );
}

#[test]
fn derived_documents_are_current() {
    let s = spec();
    if let Err(stale) = voicecall_codegen::write_spec_docs(&spec_dir(), &s, true) {
        let list: Vec<String> = stale.iter().map(|e| e.to_string()).collect();
        panic!("{}", list.join("\n"));
    }
}

#[test]
fn every_operation_and_notification_of_the_reference_is_present() {
    let s = spec();
    for (op, method, path, codes) in [
        (
            "CreateVoiceCallback",
            "POST",
            "/rest/httpsessions/click2Call/v2.0",
            "4-5",
        ),
        (
            "TerminateCall",
            "POST",
            "/rest/httpsessions/callStop/v2.0",
            "4-10",
        ),
        (
            "GetRecordingDownloadUrl",
            "GET",
            "/rest/provision/voice/record/v1.0",
            "4-30",
        ),
        (
            "CreateVoiceNotification",
            "POST",
            "/rest/httpsessions/callnotify/{version}",
            "5-7",
        ),
        (
            "CreateVoiceVerificationCode",
            "POST",
            "/rest/httpsessions/callVerify/v1.0",
            "6-5",
        ),
    ] {
        let o = s.operation(op).unwrap_or_else(|| panic!("{op} missing"));
        assert_eq!(
            (o.method.as_str(), o.path.as_str(), o.result_codes.as_str()),
            (method, path, codes)
        );
    }
    assert_eq!(
        s.operation("GetRecordingDownloadUrl")
            .unwrap()
            .success
            .status,
        Some(301)
    );
    for (n, events) in [
        (
            "CallbackStatusNotification",
            vec!["callout", "alerting", "answer", "disconnect"],
        ),
        (
            "NotificationStatusNotification",
            vec!["callout", "alerting", "answer", "collectInfo", "disconnect"],
        ),
        (
            "VerificationStatusNotification",
            vec!["callout", "alerting", "answer", "disconnect"],
        ),
        ("CallbackFeeNotification", vec!["fee"]),
        ("NotificationFeeNotification", vec!["fee"]),
        ("VerificationFeeNotification", vec!["fee"]),
    ] {
        let got: Vec<&str> = s
            .notification(n)
            .unwrap()
            .events
            .iter()
            .map(|e| e.event_type.as_str())
            .collect();
        assert_eq!(got, events, "{n}");
    }
    let fee = s.notification("CallbackFeeNotification").unwrap();
    assert_eq!(fee.batching.as_ref().unwrap().max_records, 50);
    let retry = fee.retry.as_ref().unwrap();
    assert_eq!((retry.max_retries, retry.interval_seconds), (6, 3600));
}

#[test]
fn code_1010010_is_listed_under_two_statuses() {
    let s = spec();
    let t = s.result_code_table("4-5").unwrap();
    let rows: Vec<(u16, &str)> = t
        .rows
        .iter()
        .filter(|r| r.code.as_deref() == Some("1010010"))
        .map(|r| (r.status, r.english.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (401, "Invalid digest."),
            (
                403,
                "The flow control upper limit is reached on the platform."
            )
        ]
    );
}

fn rules(s: &Spec, msg: &str, v: serde_json::Value) -> Vec<(String, String, Severity)> {
    s.validate_json(msg, &v)
        .into_iter()
        .map(|v| (v.path, v.rule, v.severity))
        .collect()
}

#[test]
fn lengths_count_characters_not_bytes() {
    let s = spec();
    // templateParas items are String(1-32): 32 Chinese characters (96 UTF-8 bytes) fit…
    let ok = "人".repeat(32);
    let item = json!({"templateId": "t", "templateParas": [ok]});
    assert_eq!(rules(&s, "PlayContentInfo", item), vec![]);
    // …and 33 do not.
    let long = "人".repeat(33);
    let item = json!({"templateId": "t", "templateParas": [long]});
    assert_eq!(
        rules(&s, "PlayContentInfo", item),
        vec![(
            "$.templateParas[0]".into(),
            "length".into(),
            Severity::Error
        )]
    );
}

#[test]
fn url_limits_count_bytes_of_the_base64_wire_value() {
    let s = spec();
    let base = json!({"displayNbr": "+8675528000001", "calleeNbr": "+8613800000002", "playInfoList": [{"notifyVoice": "a.wav"}]});
    let with_url = |u: &str| {
        let mut v = base.clone();
        v["statusUrl"] = json!(u);
        v
    };
    // 96 bytes of URL encode to exactly 128 Base64 bytes; 97 bytes encode to 132.
    use base64::Engine as _;
    let enc = |n: usize| {
        base64::engine::general_purpose::STANDARD.encode(format!("https://{}", "a".repeat(n - 8)))
    };
    assert_eq!(
        rules(&s, "CreateVoiceNotificationRequest", with_url(&enc(96))),
        vec![]
    );
    assert_eq!(
        rules(&s, "CreateVoiceNotificationRequest", with_url(&enc(97))),
        vec![("$.statusUrl".into(), "length".into(), Severity::Error)]
    );
    // A plain URL is not Base64; a Base64 URL with a '?' breaks the character set.
    let plain = rules(
        &s,
        "CreateVoiceNotificationRequest",
        with_url("https://example.com/status"),
    );
    assert_eq!(
        plain,
        vec![("$.statusUrl".into(), "format".into(), Severity::Error)]
    );
    let query = base64::engine::general_purpose::STANDARD.encode("https://example.com/s?x=1");
    assert_eq!(
        rules(&s, "CreateVoiceNotificationRequest", with_url(&query)),
        vec![("$.statusUrl".into(), "format".into(), Severity::Error)]
    );
}

#[test]
fn conditional_rules_of_play_content_info() {
    let s = spec();
    let both = json!({"notifyVoice": "a.wav", "templateId": "t", "templateParas": ["1"]});
    assert_eq!(
        rules(&s, "PlayContentInfo", both),
        vec![("$".into(), "exactly_one_of".into(), Severity::Error)]
    );
    let neither = json!({"collectInd": 1});
    assert_eq!(
        rules(&s, "PlayContentInfo", neither),
        vec![("$".into(), "exactly_one_of".into(), Severity::Error)]
    );
    let no_paras = json!({"templateId": "t"});
    assert_eq!(
        rules(&s, "PlayContentInfo", no_paras),
        vec![(
            "$.templateParas".into(),
            "required_when".into(),
            Severity::Error
        )]
    );
    // replayAfterCollection without digit collection (collectInd defaults to 0) is ignored.
    let ignored = json!({"notifyVoice": "a.wav", "replayAfterCollection": "true", "collectContentTriggerReplaying": "1"});
    assert_eq!(
        rules(&s, "PlayContentInfo", ignored),
        vec![(
            "$.replayAfterCollection".into(),
            "only_when".into(),
            Severity::Warning
        )]
    );
    let fine = json!({"notifyVoice": "a.wav", "collectInd": 2, "replayAfterCollection": "true", "collectContentTriggerReplaying": "1"});
    assert_eq!(rules(&s, "PlayContentInfo", fine), vec![]);
    let too_many = json!({"notifyVoice": "a.wav", "collectInd": 33});
    assert_eq!(
        rules(&s, "PlayContentInfo", too_many),
        vec![("$.collectInd".into(), "range".into(), Severity::Error)]
    );
}

#[test]
fn callback_request_rules_enums_and_formats() {
    let s = spec();
    let base = json!({"displayNbr": "+8675528000001", "callerNbr": "+8613800000001", "displayCalleeNbr": "+8675528000001", "calleeNbr": "+8613800000002"});
    assert_eq!(
        rules(&s, "CreateVoiceCallbackRequest", base.clone()),
        vec![]
    );
    let mut v = base.clone();
    v["lastMinVoice"] = json!("last.wav");
    v["lastMinToUE"] = json!("everyone");
    v["maxDuration"] = json!(1441);
    v["userData"] = json!("客户{1}");
    v["callerNbr"] = json!("13800000001");
    let got = rules(&s, "CreateVoiceCallbackRequest", v);
    assert_eq!(
        got,
        vec![
            ("$.callerNbr".into(), "format".into(), Severity::Error),
            ("$.lastMinToUE".into(), "enum".into(), Severity::Error),
            ("$.maxDuration".into(), "range".into(), Severity::Error),
            ("$.userData".into(), "format".into(), Severity::Error),
        ]
    );
    // lastMinVoice with maxDuration absent (default 0) has no effect: a warning.
    let mut v = base;
    v["lastMinVoice"] = json!("last.wav");
    assert_eq!(
        rules(&s, "CreateVoiceCallbackRequest", v),
        vec![(
            "$.lastMinVoice".into(),
            "only_when".into(),
            Severity::Warning
        )]
    );
}

#[test]
fn status_events_are_checked_against_the_table_of_their_event_type() {
    let s = spec();
    let digits_on_answer = json!({"eventType": "answer", "statusInfo": {"timestamp": "2019-01-24 02:49:12", "sessionId": "s", "digitInfo": "12"}});
    assert_eq!(
        rules(&s, "NotificationStatusEvent", digits_on_answer),
        vec![(
            "$.statusInfo.digitInfo".into(),
            "unknown_field".into(),
            Severity::Error
        )]
    );
    let collect = json!({"eventType": "collectInfo", "statusInfo": {"timestamp": "2019-01-24 02:49:12", "sessionId": "s", "digitInfo": "12"}});
    assert_eq!(rules(&s, "NotificationStatusEvent", collect), vec![]);
    // The callback service has no collectInfo event.
    let collect = json!({"eventType": "collectInfo", "statusInfo": {"timestamp": "2019-01-24 02:49:12", "sessionId": "s"}});
    assert_eq!(
        rules(&s, "CallbackStatusEvent", collect),
        vec![("$.eventType".into(), "enum".into(), Severity::Error)]
    );
}

#[test]
fn fee_batches_hold_one_to_fifty_records() {
    let s = spec();
    let cdr = json!({"direction": 0, "spId": "sp", "appKey": "k", "bindNum": "+8675528000001", "sessionId": "s", "callerNum": "+8675528000001", "calleeNum": "+8613800000002"});
    let batch = |n: usize| json!({"eventType": "fee", "feeLst": vec![cdr.clone(); n]});
    assert_eq!(rules(&s, "CallbackFeeEvent", batch(50)), vec![]);
    assert_eq!(
        rules(&s, "CallbackFeeEvent", batch(51)),
        vec![("$.feeLst".into(), "items".into(), Severity::Error)]
    );
    assert_eq!(
        rules(&s, "CallbackFeeEvent", batch(0)),
        vec![("$.feeLst".into(), "items".into(), Severity::Error)]
    );
}

#[test]
fn every_spec_file_points_editors_at_the_schema() {
    let s = spec();
    for f in &s.files {
        let depth = f.name.matches('/').count();
        let want = format!(
            "# yaml-language-server: $schema={}schema.json",
            "../".repeat(depth)
        );
        assert_eq!(f.text.lines().next(), Some(want.as_str()), "{}", f.name);
    }
}

/// The spec's files as `(name, text)` and a reader of its fixture files.
fn sources() -> Vec<(String, String)> {
    let s = spec();
    s.files
        .iter()
        .map(|f| (f.name.clone(), f.text.to_string()))
        .collect()
}

#[test]
fn an_erratum_decision_contradicted_by_the_yaml_fails_the_check() {
    // The YAML of 4-23 before the fix: direction listed only value 0 although erratum
    // direction-enum decides 0..1 in all three CDR tables.
    let s = spec();
    let mut files = sources();
    let (_, text) = files
        .iter_mut()
        .find(|(n, _)| n == "callback/4.5-fee-notification.yaml")
        .expect("4.5 file");
    let old = text.replacen(
        "    - {value: 0, meaning: outbound call (call-out)}\n    - {value: 1, meaning: callback}\n",
        "    - {value: 0, meaning: outbound call (call-out)}\n",
        1,
    );
    assert_ne!(&old, text, "the direction enum of 4-23 lists 0 and 1");
    *text = old;
    let err = voicecall_codegen::spec::load_sources(files, |p| s.aux.get(p).cloned())
        .expect_err("the old direction YAML contradicts direction-enum");
    let all = err
        .errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(err.errors.len(), 1, "{all}");
    assert!(
        all.contains("erratum \"direction-enum\" decides that CallbackFeeInfo.direction lists the values 0, 1, but the YAML lists 0"),
        "{all}"
    );
}

#[test]
fn enforced_lengths_and_formats_are_checked_too() {
    let s = spec();
    let mut files = sources();
    let (_, text) = files
        .iter_mut()
        .find(|(n, _)| n == "verification/6.2-create-voice-verification-code.yaml")
        .expect("6.2 file");
    let changed = text.replacen(
        "    length: {min: 2, max: 8, unit: chars}\n    format: digits\n",
        "    length: {min: 1, max: 8, unit: chars}\n",
        1,
    );
    assert_ne!(&changed, text);
    *text = changed;
    let err = voicecall_codegen::spec::load_sources(files, |p| s.aux.get(p).cloned())
        .expect_err("verifyCode contradicts verify-code-length-and-digits");
    let all: Vec<String> = err.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        all.iter()
            .any(|e| e.contains("has length 2-8, but the YAML says 1-8")),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|e| e.contains("has format \"digits\", but the YAML says none")),
        "{all:?}"
    );
}
