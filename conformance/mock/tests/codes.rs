//! Every result code of the five tables, produced by the mock for its own cause — or,
//! for the few whose cause lies inside the platform, listed with the reason and produced
//! by fault injection. A code added to a table without a scenario fails this test.

mod common;

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv6Addr};

use common::*;
use serde_json::{json, Value};
use voicecall::auth::{format_created, sign_request, Credentials};
use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation as Op;
use voicecall_mock::config::{
    AppConfig, AppState, FrequencyLimits, NumberConfig, NumberState, RiskLimits,
};
use voicecall_mock::{Mock, MockConfig, MockRequest, Outcome, Party};

/// Codes whose cause is inside the platform (internal errors, timeouts towards other
/// network elements, security control of unstated cause): the mock produces them only
/// when told to (`Mock::inject`, `POST /_mock/inject`).
const INJECTED_ONLY: &[(C, &str)] = &[
    (C::SystemError, "internal fault of the platform"),
    (C::InternalError, "internal fault of the voice service"),
    (C::AuthInternalError, "internal fault of the gateway"),
    (
        C::ResponseTimeout,
        "a network element behind the gateway did not answer",
    ),
    (
        C::SouthboundElementError,
        "a southbound network element failed",
    ),
    (
        C::IpBlockedAfterAuthFailures,
        "the authentication back end is unavailable",
    ),
    (
        C::SecurityControlUnknown,
        "security control of unknown cause (erratum: 1013100 is 'unknown error')",
    ),
    (
        C::AbnormalCallBehaviour,
        "security control judging call behaviour, criteria unpublished",
    ),
];

fn every_code() -> BTreeSet<C> {
    Op::ALL
        .iter()
        .flat_map(|o| o.result_codes().iter().copied())
        .collect()
}

fn cfg(edit: impl FnOnce(&mut AppConfig)) -> MockConfig {
    let mut c = config();
    edit(&mut c.apps[0]);
    c
}

fn numbers(list: &[(&str, NumberState)]) -> Option<Vec<NumberConfig>> {
    Some(
        list.iter()
            .map(|(n, s)| NumberConfig {
                number: n.to_string(),
                state: *s,
                max_calls: None,
            })
            .collect(),
    )
}

fn cb() -> Value {
    let mut v = callback("http://127.0.0.1:9/s", "http://127.0.0.1:9/f");
    // No pushes in these tests.
    v.as_object_mut().unwrap().remove("statusUrl");
    v.as_object_mut().unwrap().remove("feeUrl");
    v
}

async fn call_with(c: MockConfig, body: Value) -> Answer {
    let server = start(c).await;
    send(&server, Op::CreateVoiceCallback, &body).await
}

async fn call(c: MockConfig) -> Answer {
    call_with(c, cb()).await
}

/// A request with these raw auth headers.
async fn with_headers(authorization: Option<&str>, x_aksk: Option<String>) -> Answer {
    let server = start(config()).await;
    let http = reqwest::Client::new();
    let mut r = http
        .post(format!(
            "{}{}",
            server.base_url(),
            Op::CreateVoiceCallback.wire_path()
        ))
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(cb().to_string());
    if let Some(a) = authorization {
        r = r.header("Authorization", a);
    }
    if let Some(x) = x_aksk {
        r = r.header("X-AKSK", x);
    }
    answer(r.send().await.unwrap()).await
}

const AUTH: &str = r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#;

fn x_aksk(drop: &str) -> String {
    let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
    let attrs = h.x_aksk.strip_prefix("UsernameToken ").unwrap().to_string();
    match drop {
        "" => h.x_aksk,
        "UsernameToken" => attrs,
        attr => {
            let kept: Vec<&str> = attrs
                .split(',')
                .filter(|p| !p.starts_with(&format!("{attr}=")))
                .collect();
            format!("UsernameToken {}", kept.join(","))
        }
    }
}

/// Produces `code` for its cause; None for the injected-only codes.
async fn provoke(code: C) -> Option<(Op, Answer)> {
    use C::*;
    let op = Op::CreateVoiceCallback;
    let a = match code {
        Success => call(config()).await,
        AuthorizationMissing => with_headers(None, Some(x_aksk(""))).await,
        RealmMissing => with_headers(Some(r#"AKSK profile="UsernameToken",type="Appkey""#), Some(x_aksk(""))).await,
        ProfileMissing => with_headers(Some(r#"AKSK realm="SDP",type="Appkey""#), Some(x_aksk(""))).await,
        RealmNotSdp => with_headers(Some(r#"AKSK realm="XYZ",profile="UsernameToken",type="Appkey""#), Some(x_aksk(""))).await,
        ProfileNotUsernameToken => with_headers(Some(r#"AKSK realm="SDP",profile="Other",type="Appkey""#), Some(x_aksk(""))).await,
        TypeNotAppkey => with_headers(Some(r#"AKSK realm="SDP",profile="UsernameToken",type="Other""#), Some(x_aksk(""))).await,
        TypeMissing => with_headers(Some(r#"AKSK realm="SDP",profile="UsernameToken""#), Some(x_aksk(""))).await,
        XAkskMissing => with_headers(Some(AUTH), None).await,
        UsernameMissing => with_headers(Some(AUTH), Some(x_aksk("Username"))).await,
        NonceMissing => with_headers(Some(AUTH), Some(x_aksk("Nonce"))).await,
        CreatedMissing => with_headers(Some(AUTH), Some(x_aksk("Created"))).await,
        PasswordDigestMissing => with_headers(Some(AUTH), Some(x_aksk("PasswordDigest"))).await,
        UsernameTokenMissing => with_headers(Some(AUTH), Some(x_aksk("UsernameToken"))).await,
        InvalidDigest => {
            let server = start(config()).await;
            send_as(&server, &Credentials::new(KEY, "wrongSecret"), op, &cb().to_string()).await
        }
        CreatedOutOfWindow => {
            let stale = format_created(time::OffsetDateTime::now_utc() - time::Duration::hours(2));
            let h = sign_request(&Credentials::new(KEY, SECRET), None, Some(&stale));
            with_headers(Some(AUTH), Some(h.x_aksk)).await
        }
        InvalidAppKey => {
            let server = start(config()).await;
            send_as(&server, &Credentials::new("unknownKey", SECRET), op, &cb().to_string()).await
        }
        InvalidRequest => {
            let server = start(config()).await;
            send_as(&server, &Credentials::new(KEY, SECRET), op, "{not json").await
        }
        InvalidRestApi => {
            let server = start(config()).await;
            let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
            let r = reqwest::Client::new()
                .get(format!("{}{}", server.base_url(), op.wire_path()))
                .header("Authorization", h.authorization)
                .header("X-AKSK", h.x_aksk)
                .send()
                .await
                .unwrap();
            answer(r).await
        }
        ParameterError => {
            let mut b = cb();
            b["calleeNbr"] = json!(format!("+86{}", "1".repeat(40)));
            call_with(config(), b).await
        }
        AppKeySuspended => call(cfg(|a| a.state = AppState::Suspended)).await,
        ApplicationUnavailable => call(cfg(|a| a.state = AppState::Unavailable)).await,
        CommercialAddressNotAllowed => call(cfg(|a| a.state = AppState::Test)).await,
        AccountNotActive => return Some(record(cfg(|a| a.state = AppState::UserInactive)).await),
        TrafficControlled => return Some(record(cfg(|a| a.state = AppState::TrafficControl)).await),
        AppKeyInvalid => call(cfg(|a| a.state = AppState::Invalid)).await,
        ApiNotAllowedForAppKey => call(cfg(|a| a.services = Some(vec!["notification".into()]))).await,
        ApiQuotaReached => twice(cfg(|a| a.max_requests_per_minute = Some(1)), cb(), cb()).await,
        PlatformFlowControl => {
            let mut c = config();
            c.platform.max_requests_per_second = Some(1);
            twice(c, cb(), cb()).await
        }
        InvalidDisplayNumber => call(cfg(|a| a.display_numbers = numbers(&[("+8675500000000", NumberState::Active)]))).await,
        NumberNotBound => {
            let mut c = cfg(|a| a.display_numbers = numbers(&[("+8675528000002", NumberState::Active)]));
            let mut other = AppConfig::new("otherApp", "otherSecret");
            other.display_numbers = numbers(&[("+8675528000001", NumberState::Active)]);
            c.apps.push(other);
            call(c).await
        }
        ServiceNumberNotApplied => call(cfg(|a| a.display_numbers = Some(Vec::new()))).await,
        ServiceNumberSuspended => call(cfg(|a| a.display_numbers = numbers(&[("+8675528000001", NumberState::Suspended), ("+8675528000002", NumberState::Active)]))).await,
        BindNumInvalid => call(cfg(|a| a.display_numbers = numbers(&[("+8675528000001", NumberState::Invalid), ("+8675528000002", NumberState::Active)]))).await,
        InvalidCallerNumber => {
            let mut b = cb();
            b["callerNbr"] = json!("+0123456789");
            call_with(config(), b).await
        }
        RecordingNotEnabled => {
            let mut b = cb();
            b["recordFlag"] = json!("true");
            call_with(cfg(|a| a.recording = false), b).await
        }
        SpCallLimitReached => {
            let mut c = config();
            c.platform.sp_max_calls = Some(1);
            twice(c, cb(), cb()).await
        }
        AppCallLimitReached => twice(cfg(|a| a.max_calls = Some(1)), cb(), cb()).await,
        DisplayNumberCallLimitReached => {
            let c = cfg(|a| {
                a.display_numbers = Some(vec![
                    NumberConfig { number: "+8675528000001".into(), state: NumberState::Active, max_calls: Some(1) },
                    NumberConfig { number: "+8675528000002".into(), state: NumberState::Active, max_calls: None },
                ])
            });
            twice(c, cb(), cb()).await
        }
        CallPortLimitReached => call(cfg(|a| a.max_ports = Some(1))).await,
        InsufficientVoicePorts => {
            let mut c = config();
            c.platform.ports = 3;
            twice(c, cb(), cb()).await
        }
        CalleeBlacklisted => call(cfg(|a| a.callee_blacklist = vec!["+8613800000002".into()])).await,
        CallerBlacklisted => call(cfg(|a| a.caller_blacklist = vec!["+8613800000001".into()])).await,
        CalleeNotWhitelisted => call(cfg(|a| a.callee_whitelist = Some(vec!["+8613900000000".into()]))).await,
        InternationalCallInForbidden => {
            let mut b = cb();
            b["displayNbr"] = json!("+12025550100");
            call_with(cfg(|a| a.international_callin = false), b).await
        }
        InternationalCallOutForbidden => {
            let mut b = cb();
            b["calleeNbr"] = json!("+12025550100");
            call_with(cfg(|a| a.international_callout = false), b).await
        }
        SubEnterpriseSuspended => call(cfg(|a| a.sub_enterprise_suspended = true)).await,
        CallTimeRestricted => call(cfg(|a| a.black_hours = Some((0, 24)))).await,
        CallerFrequencyLimited => twice(cfg(|a| a.frequency = Some(freq(Some(1), None, None))), cb(), cb()).await,
        CalleeFrequencyLimited => twice(cfg(|a| a.frequency = Some(freq(None, Some(1), None))), cb(), cb()).await,
        ServiceNumberFrequencyLimited => twice(cfg(|a| a.frequency = Some(freq(None, None, Some(1)))), cb(), cb()).await,
        AbnormalCompletionRate => {
            let mut c = cfg(|a| a.risk = Some(RiskLimits { calls: 1, min_completion_rate: Some(0.5), min_average_talk_seconds: None }));
            c.outcomes.insert("+8613800000002".into(), Outcome::Busy);
            after_one_call(c).await
        }
        AbnormalCallDuration => {
            let mut c = cfg(|a| a.risk = Some(RiskLimits { calls: 1, min_completion_rate: None, min_average_talk_seconds: Some(10) }));
            c.outcomes.insert("+8613800000002".into(), Outcome::Answered { talk_seconds: Some(3), hung_up_by: Party::Caller });
            after_one_call(c).await
        }
        ClientIpNotWhitelisted => call(cfg(|a| a.ip_whitelist = Some(vec!["10.1.2.3".into()]))).await,
        ClientIpBlacklisted => call(cfg(|a| a.ip_blacklist = vec!["127.0.0.1".into()])).await,
        ClientIpRegionRestricted => call(cfg(|a| a.ip_restricted = vec!["127.0.0.1".into()])).await,
        Ipv4AddressMissing => {
            // A request over IPv6 (through the Rust API: CI machines may lack ::1).
            let mock = Mock::new(cfg(|a| a.require_ipv4 = true));
            let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
            let r = mock.handle(
                &MockRequest {
                    method: "POST".into(),
                    path: op.wire_path().into(),
                    query: String::new(),
                    headers: vec![
                        ("Content-Type".into(), "application/json;charset=UTF-8".into()),
                        ("Authorization".into(), h.authorization),
                        ("X-AKSK".into(), h.x_aksk),
                    ],
                    body: cb().to_string().into_bytes(),
                },
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            );
            Answer { status: r.status, code: r.resultcode(), body: Value::Null, location: None, reason: None }
        }
        TemplateParasMismatch => {
            let server = start(cfg(|a| {
                a.templates.insert("tpl1".into(), vec![1, 10]);
            }))
            .await;
            let mut b = notification("http://127.0.0.1:9/", "http://127.0.0.1:9/");
            b["playInfoList"][0]["templateParas"] = json!(["123", "Mock"]);
            return Some((Op::CreateVoiceNotification, send(&server, Op::CreateVoiceNotification, &b).await));
        }
        InvalidSessionId => {
            let server = start(config()).await;
            let a = send(&server, Op::TerminateCall, &json!({ "sessionid": "1201_1_0_x@mock", "signal": "call_stop" })).await;
            return Some((Op::TerminateCall, a));
        }
        RecordNotFound => {
            let server = start(config()).await;
            let a = send_as(&server, &Credentials::new(KEY, SECRET), Op::GetRecordingDownloadUrl, "fileName=a.wav&recordDomain=record.example.com").await;
            return Some((Op::GetRecordingDownloadUrl, a));
        }
        c if INJECTED_ONLY.iter().any(|(x, _)| *x == c) => return None,
        other => panic!("no scenario for {other:?} ({} {}): add one, or list it in INJECTED_ONLY with the reason", other.http_status(), other.code()),
    };
    Some((op, a))
}

/// A recording download (表4-30 has the user-state codes).
async fn record(c: MockConfig) -> (Op, Answer) {
    let server = start(c).await;
    let q = "fileName=a.wav&recordDomain=record.example.com";
    (
        Op::GetRecordingDownloadUrl,
        send_as(
            &server,
            &Credentials::new(KEY, SECRET),
            Op::GetRecordingDownloadUrl,
            q,
        )
        .await,
    )
}

fn freq(
    per_caller: Option<u32>,
    per_callee: Option<u32>,
    per_display_number: Option<u32>,
) -> FrequencyLimits {
    FrequencyLimits {
        window_seconds: 3600,
        per_caller,
        per_callee,
        per_display_number,
    }
}

/// The answer to the second of two requests.
async fn twice(c: MockConfig, first: Value, second: Value) -> Answer {
    let server = start(c).await;
    let a = send(&server, Op::CreateVoiceCallback, &first).await;
    assert_eq!(a.status, 200, "first request: {a:?}");
    send(&server, Op::CreateVoiceCallback, &second).await
}

/// The answer to a call placed after one finished call to the same callee.
async fn after_one_call(c: MockConfig) -> Answer {
    let server = start(c).await;
    let a = send(&server, Op::CreateVoiceCallback, &cb()).await;
    assert_eq!(a.status, 200, "first request: {a:?}");
    run(&server, 600).await;
    send(&server, Op::CreateVoiceCallback, &cb()).await
}

#[tokio::test]
async fn every_code_of_the_tables_is_produced_for_its_cause() {
    let mut produced = Vec::new();
    for code in every_code() {
        let Some((op, a)) = provoke(code).await else {
            continue;
        };
        assert_eq!(
            (
                a.status,
                a.code
                    .as_deref()
                    .unwrap_or(if a.status == 301 { "-" } else { "?" })
            ),
            (
                code.http_status(),
                if code == C::Success { "0" } else { code.code() }
            ),
            "{code:?}: {a:?}"
        );
        assert!(
            op.result_codes().contains(&code),
            "{code:?} is not in the table of {op:?}"
        );
        produced.push(code);
    }
    let injected: BTreeSet<C> = INJECTED_ONLY.iter().map(|(c, _)| *c).collect();
    let all = every_code();
    assert_eq!(
        produced.len() + injected.len(),
        all.len(),
        "every code is produced or listed"
    );
    assert!(injected.is_subset(&all));
    println!(
        "{} of {} codes produced for their cause; {} by injection",
        produced.len(),
        all.len(),
        injected.len()
    );
}

#[tokio::test]
async fn causes_without_a_row_in_the_operations_table_get_its_nearest_code() {
    // 1010007 is only in 表4-30; a callback of an inactive user gets 1010008.
    let a = call(cfg(|a| a.state = AppState::UserInactive)).await;
    assert_eq!(
        (a.status, a.code.as_deref()),
        (403, Some("1010008")),
        "{a:?}"
    );
    assert!(a.reason.unwrap().contains("not in the table"));
    // 1012012 is in 表4-30 too: downloading without recording rights.
    let (_, a) = record(cfg(|a| a.recording = false)).await;
    assert_eq!(a.code.as_deref(), Some("1012012"));
}

#[tokio::test]
async fn injected_codes_come_back_once() {
    let server = start(config()).await;
    for (code, _) in INJECTED_ONLY {
        server.mock.inject(Some(Op::CreateVoiceCallback), *code, 1);
        let a = send(&server, Op::CreateVoiceCallback, &cb()).await;
        assert_eq!(
            (a.status, a.code.as_deref()),
            (code.http_status(), Some(code.code()))
        );
        let b = send(&server, Op::CreateVoiceCallback, &cb()).await;
        assert_eq!(b.status, 200, "an injection answers once");
    }
    // Over HTTP too.
    let r = reqwest::Client::new()
        .post(format!("{}/_mock/inject", server.base_url()))
        .header("X-Mock-Token", server.control_token())
        .header("Content-Type", "application/json")
        .body(r#"{"operation":"CreateVoiceCallback","status":500,"code":"1023002"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let a = send(&server, Op::CreateVoiceCallback, &cb()).await;
    assert_eq!(a.code.as_deref(), Some("1023002"));
}

#[tokio::test]
async fn value_and_shape_defects_get_the_spec_rejects_codes() {
    let server = start(config()).await;
    // Missing required field: request class (403/1010002).
    let mut b = cb();
    b.as_object_mut().unwrap().remove("calleeNbr");
    let a = send(&server, Op::CreateVoiceCallback, &b).await;
    assert_eq!(
        (a.status, a.code.as_deref()),
        (403, Some("1010002")),
        "{a:?}"
    );
    assert!(a.reason.unwrap().contains("calleeNbr"));
    // Wrong enum value: value class (500/1020001).
    let mut b = cb();
    b["lastMinToUE"] = json!("nobody");
    let a = send(&server, Op::CreateVoiceCallback, &b).await;
    assert_eq!(
        (a.status, a.code.as_deref()),
        (500, Some("1020001")),
        "{a:?}"
    );
    // Both: the request class wins.
    b.as_object_mut().unwrap().remove("calleeNbr");
    let a = send(&server, Op::CreateVoiceCallback, &b).await;
    assert_eq!(a.code.as_deref(), Some("1010002"));
    // Wrong content type, oversized body.
    let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
    let r = reqwest::Client::new()
        .post(format!(
            "{}{}",
            server.base_url(),
            Op::CreateVoiceCallback.wire_path()
        ))
        .header("Content-Type", "text/plain")
        .header("Authorization", h.authorization)
        .header("X-AKSK", h.x_aksk)
        .body(cb().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer(r).await.code.as_deref(), Some("1010002"));
    let mut b = cb();
    b["userData"] = json!("x".repeat(100_000));
    let a = send(&server, Op::CreateVoiceCallback, &b).await;
    assert_eq!(a.code.as_deref(), Some("1010002"));
    assert!(a.reason.unwrap().contains("max_body_bytes"));
    // Characters, not bytes: 256 three-byte characters of userData are accepted
    // (userData forbids Han script, so use another multi-byte script).
    let mut b = cb();
    b["userData"] = json!("ü".repeat(256));
    assert_eq!(send(&server, Op::CreateVoiceCallback, &b).await.status, 200);
    b["userData"] = json!("ü".repeat(257));
    assert_eq!(
        send(&server, Op::CreateVoiceCallback, &b)
            .await
            .code
            .as_deref(),
        Some("1020001")
    );
}

#[tokio::test]
async fn unknown_paths_and_control_endpoints() {
    let server = start(config()).await;
    let r = reqwest::Client::new()
        .post(format!("{}/rest/nothing", server.base_url()))
        .send()
        .await
        .unwrap();
    let a = answer(r).await;
    assert_eq!((a.status, a.code.as_deref()), (403, Some("1010006")));
    send(&server, Op::CreateVoiceCallback, &cb()).await;
    let s: Value = reqwest::Client::new()
        .get(format!("{}/_mock/sessions", server.base_url()))
        .header("X-Mock-Token", server.control_token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(s.as_array().unwrap().len(), 1);
    let r = reqwest::Client::new()
        .post(format!("{}/_mock/advance", server.base_url()))
        .header("X-Mock-Token", server.control_token())
        .header("Content-Type", "application/json")
        .body(r#"{"seconds":600}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let s: Value = reqwest::Client::new()
        .get(format!("{}/_mock/summary", server.base_url()))
        .header("X-Mock-Token", server.control_token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(s["live_calls"], 0, "{s}");
}
