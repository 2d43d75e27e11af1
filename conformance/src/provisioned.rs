//! Provisioned scenarios: the result codes whose cause is the app's provisioning or the
//! platform's load (app state and rights, the sender's IP, request rates, numbers,
//! lists, time windows, call frequency, risk control, capacity), each produced on the
//! embedded mock by setting that state up first.
//!
//! Every scenario runs on a mock of its own, started from a [`MockConfig`] that holds
//! the state (one app, plus a second one where the cause is another app's number) and
//! driven through the mock's control API ([`Mock::set_outcome`], [`Mock::advance`]) where
//! the state is history (earlier calls, their outcomes). It sends the requests that
//! build the state (each must succeed), then the request under test, and expects the
//! code the operation's table gives the cause (a cause the table lacks: the table's
//! nearest code, [`nearest_in_table`]). A few scenarios check the other side of a
//! limit: met exactly, or its window over, the request is accepted. Restoring is dropping that mock: the
//! suite's own mock never sees the state, so no other case depends on the order.
//!
//! A live target cannot be provisioned by a conformance run (nor should its quotas be
//! exhausted): the scenarios are listed as skipped with the reason, and their codes are
//! listed as not reachable there ([`live_reasons`]).

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};
use voicecall::auth::{new_nonce, Credentials};
use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation;
use voicecall_mock::config::{AppState, FrequencyLimits, NumberConfig, NumberState, RiskLimits};
use voicecall_mock::{AppConfig, ClockConfig, Mock, MockConfig, MockServer, Outcome};

use crate::engine::{fronted, Front};
use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{request_for, Response, Sender};

/// Why a live target is not provisioned.
pub const LIVE_REASON: &str = "needs the app, its numbers or lists provisioned, or a quota, rate or port pool exhausted: done on the embedded mock by a provisioned scenario (conformance/src/provisioned.rs); a conformance run must not change a live platform's provisioning";

/// The scenario's app key.
const APP: &str = "provisionedApp";
/// A second app, owner of [`OTHER_NUMBER`].
const OTHER_APP: &str = "provisionedOtherApp";
/// Display numbers of the scenarios.
const DISPLAY: &str = "+8675528000101";
const DISPLAY_CALLEE: &str = "+8675528000102";
const OTHER_NUMBER: &str = "+8675528000103";
const UNPROVISIONED: &str = "+8675528000104";
const CALLER: &str = "+8613800000101";
const CALLEE: &str = "+8613800000102";
/// Outside the apps' home country (+86).
const FOREIGN: &str = "+442071234567";

/// How a scenario changes the config.
type Setup = Box<dyn Fn(&mut MockConfig) + Send + Sync>;

/// One thing a scenario does before the request under test.
enum Prep {
    /// Send this request of the scenario's operation; it must be accepted.
    Send(Value),
    /// Script the outcome of calls to a number.
    Outcome(&'static str, Outcome),
    /// Run the mock's clock forward (calls end, their results count).
    Advance(u64),
    /// Run the mock's clock forward by this many milliseconds.
    AdvanceMillis(u64),
    /// Run the mock's clock forward to half past this hour of Beijing time (UTC+8, the
    /// time `apps.black_hours` is read in), so a window's edges are tested exactly.
    BeijingHour(u8),
}

/// A provisioned scenario.
struct Scenario {
    /// The cause's code.
    code: C,
    /// The code answered: `code` when the operation's table lists it, else the nearest
    /// code of the table ([`nearest_in_table`]).
    answer: C,
    op: Operation,
    what: &'static str,
    setup: Setup,
    prep: Vec<Prep>,
    body: Value,
    /// Serve on the IPv6 loopback (the request then does not come over IPv4).
    ipv6: bool,
}

/// A valid request of a call-placing `op` with these numbers.
fn call(op: Operation, display: &str, caller: &str, callee: &str) -> Value {
    match op {
        Operation::CreateVoiceCallback => json!({
            "displayNbr": display, "callerNbr": caller,
            "displayCalleeNbr": DISPLAY_CALLEE, "calleeNbr": callee,
        }),
        Operation::CreateVoiceNotification => json!({
            "displayNbr": display, "calleeNbr": callee,
            "playInfoList": [{ "notifyVoice": "welcome.wav" }],
        }),
        _ => json!({
            "displayNbr": display, "calleeNbr": callee,
            "languageType": 2, "preTone": "pretone.wav", "verifyCode": "1234",
        }),
    }
}

/// The plain request of `op`: a call, or a callStop / download that reaches the
/// operation's own checks.
pub(crate) fn probe(op: Operation) -> Value {
    match op {
        Operation::TerminateCall => {
            json!({ "sessionid": "provisioned-none", "signal": "call_stop" })
        }
        Operation::GetRecordingDownloadUrl => {
            json!({ "fileName": "provisioned-none.wav", "recordDomain": "record.example.com" })
        }
        _ => call(op, DISPLAY, CALLER, CALLEE),
    }
}

/// The service of `op` as the mock's config names it in `apps.services` (the `service:`
/// of the operation's spec file). Written here rather than asked of the mock, so a mock
/// that names its services otherwise fails the scenarios instead of agreeing with itself.
fn service_name(op: Operation) -> &'static str {
    match op {
        Operation::CreateVoiceNotification => "notification",
        Operation::CreateVoiceVerificationCode => "verification",
        _ => "callback",
    }
}

/// Voice ports one call of `op` holds on the embedded mock: a callback has two legs (the
/// platform calls A, then B: §4.1), each on a port; the other calls one
/// (conformance/mock/README.md, "ports"). Written here, not asked of the mock, for the
/// reason of [`service_name`].
fn ports_of(op: Operation) -> u32 {
    if op == Operation::CreateVoiceCallback {
        2
    } else {
        1
    }
}

fn app(c: &mut MockConfig) -> &mut AppConfig {
    &mut c.apps[0]
}

fn number(n: &str, state: NumberState, max_calls: Option<u32>) -> NumberConfig {
    NumberConfig {
        number: n.into(),
        state,
        max_calls,
    }
}

fn own_numbers(c: &mut MockConfig, state: NumberState, max_calls: Option<u32>) {
    app(c).display_numbers = Some(vec![
        number(DISPLAY, state, max_calls),
        number(DISPLAY_CALLEE, NumberState::Active, None),
    ]);
}

/// Every scenario of `op` (those whose code `op`'s table lists).
fn scenarios(op: Operation) -> Vec<Scenario> {
    let mut out: Vec<Scenario> = Vec::new();
    let add = |out: &mut Vec<Scenario>,
               code: C,
               what: &'static str,
               setup: Setup,
               prep: Vec<Prep>,
               body: Value| {
        out.push(Scenario {
            code,
            answer: code,
            op,
            what,
            setup,
            prep,
            body,
            ipv6: false,
        })
    };
    // The app: state, rights, origin, request rates (every operation).
    let states = [
        (AppState::Suspended, C::AppKeySuspended, "app suspended"),
        (
            AppState::Unavailable,
            C::ApplicationUnavailable,
            "app unavailable",
        ),
        (AppState::Test, C::CommercialAddressNotAllowed, "a test app"),
        (
            AppState::UserInactive,
            C::AccountNotActive,
            "the app's user not activated",
        ),
        (
            AppState::TrafficControl,
            C::TrafficControlled,
            "app under traffic control",
        ),
        (
            AppState::Invalid,
            C::AppKeyInvalid,
            "app invalid on the voice service",
        ),
    ];
    for (state, code, what) in states {
        add(
            &mut out,
            code,
            what,
            Box::new(move |c| app(c).state = state),
            Vec::new(),
            probe(op),
        );
    }
    let other_service = if service_name(op) == "callback" {
        "notification"
    } else {
        "callback"
    };
    if op.places_call() {
        add(
            &mut out,
            C::Success,
            "the app has the right to this API's service (and no other): accepted",
            Box::new(move |c| app(c).services = Some(vec![service_name(op).into()])),
            Vec::new(),
            probe(op),
        );
    }
    add(
        &mut out,
        C::ApiNotAllowedForAppKey,
        "the app has no right to this API's service",
        Box::new(move |c| app(c).services = Some(vec![other_service.into()])),
        Vec::new(),
        probe(op),
    );
    add(
        &mut out,
        C::ClientIpNotWhitelisted,
        "the sender's IP not in the app's IP whitelist",
        Box::new(|c| app(c).ip_whitelist = Some(vec!["192.0.2.1".into()])),
        Vec::new(),
        probe(op),
    );
    add(
        &mut out,
        C::ClientIpBlacklisted,
        "the sender's IP blacklisted",
        Box::new(|c| app(c).ip_blacklist = vec!["127.0.0.1".into()]),
        Vec::new(),
        probe(op),
    );
    add(
        &mut out,
        C::ClientIpRegionRestricted,
        "the sender's IP in a restricted area",
        Box::new(|c| app(c).ip_restricted = vec!["127.0.0.1".into()]),
        Vec::new(),
        probe(op),
    );
    let plain = probe(op);
    // Rate limits: one request passes, the next is over. A placing operation sends a
    // call first (accepted); the others send the probe once (answered with its own
    // refusal, which counts as a request all the same: Prep::Send(Null)).
    let rate_prep = || {
        if op.places_call() {
            vec![Prep::Send(call(
                op,
                DISPLAY,
                "+8613800000111",
                "+8613800000112",
            ))]
        } else {
            vec![Prep::Send(Value::Null)]
        }
    };
    add(
        &mut out,
        C::ApiQuotaReached,
        "the app's requests per minute used up (limit 1, one request sent before)",
        Box::new(|c| app(c).max_requests_per_minute = Some(1)),
        rate_prep(),
        plain.clone(),
    );
    add(
        &mut out,
        C::PlatformFlowControl,
        "the platform's requests per second used up (limit 1, one request sent before)",
        Box::new(|c| c.platform.max_requests_per_second = Some(1)),
        rate_prep(),
        plain.clone(),
    );
    // The windows of the rate limits (the mock's clock starts at 0 ms): a request in the
    // same second (minute) is still over, one in the next is not.
    if op.places_call() {
        let advanced = |by: Prep| {
            let mut p = rate_prep();
            p.push(by);
            p
        };
        add(
            &mut out,
            C::PlatformFlowControl,
            "the platform's requests per second used up, 500 ms later: still the same second",
            Box::new(|c| c.platform.max_requests_per_second = Some(1)),
            advanced(Prep::AdvanceMillis(500)),
            plain.clone(),
        );
        add(
            &mut out,
            C::Success,
            "the platform's requests per second used up, 1 s later: a new second, accepted",
            Box::new(|c| c.platform.max_requests_per_second = Some(1)),
            advanced(Prep::AdvanceMillis(1000)),
            plain.clone(),
        );
        add(
            &mut out,
            C::ApiQuotaReached,
            "the app's requests per minute used up, 30 s later: still the same minute",
            Box::new(|c| app(c).max_requests_per_minute = Some(1)),
            advanced(Prep::Advance(30)),
            plain.clone(),
        );
        add(
            &mut out,
            C::Success,
            "the app's requests per minute used up, 60 s later: a new minute, accepted",
            Box::new(|c| app(c).max_requests_per_minute = Some(1)),
            advanced(Prep::Advance(60)),
            plain.clone(),
        );
    }
    if op == Operation::GetRecordingDownloadUrl {
        add(
            &mut out,
            C::RecordingNotEnabled,
            "recording not enabled for the app",
            Box::new(|c| app(c).recording = false),
            Vec::new(),
            probe(op),
        );
    }
    if !op.places_call() {
        out.push(ipv4_scenario(op));
        return within_table(op, out);
    }
    // Numbers.
    let body = call(op, DISPLAY, CALLER, CALLEE);
    add(
        &mut out,
        C::InvalidDisplayNumber,
        "displayNbr provisioned for no app",
        Box::new(|c| own_numbers(c, NumberState::Active, None)),
        Vec::new(),
        call(op, UNPROVISIONED, CALLER, CALLEE),
    );
    add(
        &mut out,
        C::NumberNotBound,
        "displayNbr bound to another app",
        Box::new(|c| {
            own_numbers(c, NumberState::Active, None);
            let mut other = AppConfig::new(OTHER_APP, new_nonce());
            other.display_numbers = Some(vec![number(OTHER_NUMBER, NumberState::Active, None)]);
            c.apps.push(other);
        }),
        Vec::new(),
        call(op, OTHER_NUMBER, CALLER, CALLEE),
    );
    add(
        &mut out,
        C::ServiceNumberNotApplied,
        "the app has no display number",
        Box::new(|c| app(c).display_numbers = Some(Vec::new())),
        Vec::new(),
        body.clone(),
    );
    add(
        &mut out,
        C::ServiceNumberSuspended,
        "displayNbr suspended",
        Box::new(|c| own_numbers(c, NumberState::Suspended, None)),
        Vec::new(),
        body.clone(),
    );
    add(
        &mut out,
        C::BindNumInvalid,
        "displayNbr invalid",
        Box::new(|c| own_numbers(c, NumberState::Invalid, None)),
        Vec::new(),
        body.clone(),
    );
    // Lists, regions, time.
    add(
        &mut out,
        C::CalleeBlacklisted,
        "calleeNbr blacklisted",
        Box::new(|c| app(c).callee_blacklist = vec![CALLEE.into()]),
        Vec::new(),
        body.clone(),
    );
    add(
        &mut out,
        C::CalleeNotWhitelisted,
        "calleeNbr not in the app's callee whitelist",
        Box::new(|c| app(c).callee_whitelist = Some(vec!["+8613800000199".into()])),
        Vec::new(),
        body.clone(),
    );
    add(
        &mut out,
        C::InternationalCallInForbidden,
        "displayNbr outside the home country, international call-in off",
        Box::new(|c| app(c).international_callin = false),
        Vec::new(),
        call(op, FOREIGN, CALLER, CALLEE),
    );
    add(
        &mut out,
        C::InternationalCallOutForbidden,
        "calleeNbr outside the home country, international call-out off",
        Box::new(|c| app(c).international_callout = false),
        Vec::new(),
        call(op, DISPLAY, CALLER, FOREIGN),
    );
    add(
        &mut out,
        C::SubEnterpriseSuspended,
        "the sub-enterprise suspended",
        Box::new(|c| app(c).sub_enterprise_suspended = true),
        Vec::new(),
        body.clone(),
    );
    add(
        &mut out,
        C::CallTimeRestricted,
        "the current Beijing hour inside the app's black hours",
        // Filled in when the mock's clock is known (see `black_hours`).
        Box::new(|_| {}),
        Vec::new(),
        body.clone(),
    );
    // The edges of a black-hours window that wraps midnight, [22, 2): 22:30 and 23:30
    // and 01:30 are inside, 02:30 is not (the end hour is excluded); a window that does
    // not wrap, [11, 13), leaves 10:30 outside.
    let wrapped = || Box::new(|c: &mut MockConfig| app(c).black_hours = Some((22, 2)));
    for (hour, code, what) in [
        (
            22,
            C::CallTimeRestricted,
            "22:30 Beijing time, black hours [22, 2) (its first hour)",
        ),
        (
            23,
            C::CallTimeRestricted,
            "23:30 Beijing time, black hours [22, 2) (before midnight)",
        ),
        (
            1,
            C::CallTimeRestricted,
            "01:30 Beijing time, black hours [22, 2) (after midnight)",
        ),
        (
            2,
            C::Success,
            "02:30 Beijing time, black hours [22, 2) (its end hour is outside): accepted",
        ),
    ] {
        add(
            &mut out,
            code,
            what,
            wrapped(),
            vec![Prep::BeijingHour(hour)],
            body.clone(),
        );
    }
    add(
        &mut out,
        C::Success,
        "10:30 Beijing time, black hours [11, 13): accepted",
        Box::new(|c| app(c).black_hours = Some((11, 13))),
        vec![Prep::BeijingHour(10)],
        body.clone(),
    );
    // Frequency: one call in the window, the next with the same number is over.
    let again = |caller: &str, callee: &str| vec![Prep::Send(call(op, DISPLAY, caller, callee))];
    let window = |per_caller, per_callee, per_display| FrequencyLimits {
        window_seconds: 600,
        per_caller,
        per_callee,
        per_display_number: per_display,
    };
    if op == Operation::CreateVoiceCallback {
        let w = window(Some(1), None, None);
        add(
            &mut out,
            C::CallerFrequencyLimited,
            "callerNbr called once in the window (limit 1)",
            Box::new(move |c| app(c).frequency = Some(w.clone())),
            again(CALLER, "+8613800000121"),
            call(op, DISPLAY, CALLER, "+8613800000122"),
        );
    }
    if op == Operation::CreateVoiceCallback {
        let w = window(Some(1), None, None);
        add(
            &mut out,
            C::Success,
            "another callerNbr called once in the window (limit 1 per caller): accepted",
            Box::new(move |c| app(c).frequency = Some(w.clone())),
            again("+8613800000123", "+8613800000124"),
            call(op, DISPLAY, CALLER, "+8613800000125"),
        );
    } else {
        let w = window(Some(1), None, None);
        add(
            &mut out,
            C::Success,
            "a limit per callerNbr, one call in the window, a request without callerNbr: accepted",
            Box::new(move |c| app(c).frequency = Some(w.clone())),
            again(CALLER, "+8613800000126"),
            call(op, DISPLAY, CALLER, "+8613800000127"),
        );
    }
    let w = window(None, Some(2), None);
    add(
        &mut out,
        C::CalleeFrequencyLimited,
        "calleeNbr called twice in the window (limit 2)",
        Box::new(move |c| app(c).frequency = Some(w.clone())),
        vec![
            Prep::Send(call(op, DISPLAY, "+8613800000133", CALLEE)),
            Prep::Send(call(op, DISPLAY, "+8613800000134", CALLEE)),
        ],
        call(op, DISPLAY, "+8613800000135", CALLEE),
    );
    let w = window(None, Some(1), None);
    add(
        &mut out,
        C::CalleeFrequencyLimited,
        "calleeNbr called once in the window (limit 1)",
        Box::new(move |c| app(c).frequency = Some(w.clone())),
        again("+8613800000131", CALLEE),
        call(op, DISPLAY, "+8613800000132", CALLEE),
    );
    let w = window(None, None, Some(1));
    add(
        &mut out,
        C::ServiceNumberFrequencyLimited,
        "displayNbr presented once in the window (limit 1)",
        Box::new(move |c| app(c).frequency = Some(w.clone())),
        again("+8613800000141", "+8613800000142"),
        call(op, DISPLAY, "+8613800000143", "+8613800000144"),
    );
    // Risk: the last call to the callee went unanswered, or was answered briefly.
    add(
        &mut out,
        C::AbnormalCompletionRate,
        "the last call to calleeNbr was not answered (minimum completion rate 100 %)",
        Box::new(|c| {
            app(c).risk = Some(RiskLimits {
                calls: 1,
                min_completion_rate: Some(1.0),
                min_average_talk_seconds: None,
            })
        }),
        vec![
            Prep::Outcome(CALLEE, Outcome::NoAnswer),
            Prep::Send(body.clone()),
            Prep::Advance(3600),
        ],
        body.clone(),
    );
    add(
        &mut out,
        C::AbnormalCallDuration,
        "the last call to calleeNbr talked 1 s (minimum average 30 s)",
        Box::new(|c| {
            app(c).risk = Some(RiskLimits {
                calls: 1,
                min_completion_rate: None,
                min_average_talk_seconds: Some(30),
            })
        }),
        vec![
            Prep::Outcome(
                CALLEE,
                Outcome::Answered {
                    talk_seconds: Some(1),
                    hung_up_by: Default::default(),
                },
            ),
            Prep::Send(body.clone()),
            Prep::Advance(3600),
        ],
        body.clone(),
    );
    // The risk rules judge the last `calls` calls once there are that many: one
    // unanswered call of a window of 2 is not judged yet, two are.
    let risk2 = || {
        Box::new(|c: &mut MockConfig| {
            app(c).risk = Some(RiskLimits {
                calls: 2,
                min_completion_rate: Some(1.0),
                min_average_talk_seconds: None,
            })
        })
    };
    let unanswered = || {
        vec![
            Prep::Outcome(CALLEE, Outcome::NoAnswer),
            Prep::Send(body.clone()),
            Prep::Advance(3600),
        ]
    };
    add(
        &mut out,
        C::Success,
        "1 unanswered call to calleeNbr, completion judged over the last 2 calls: not judged yet, accepted",
        risk2(),
        unanswered(),
        body.clone(),
    );
    add(
        &mut out,
        C::AbnormalCompletionRate,
        "the last 2 calls to calleeNbr were not answered (minimum completion rate 100 % over 2 calls)",
        risk2(),
        {
            let mut twice = unanswered();
            twice.extend(unanswered());
            twice
        },
        body.clone(),
    );
    // Over 2 calls (each answered and talking that many seconds, or not answered): the
    // share and the average are judged against the limit exactly. Talks of 1 s: no
    // call's play (the mock's own model of durations, not the reference's) cuts them.
    let judged = |first: Option<u32>, second: Option<u32>| {
        let mut prep = Vec::new();
        for talk in [first, second] {
            let outcome = match talk {
                Some(s) => Outcome::Answered {
                    talk_seconds: Some(s),
                    hung_up_by: Default::default(),
                },
                None => Outcome::NoAnswer,
            };
            prep.push(Prep::Outcome(CALLEE, outcome));
            prep.push(Prep::Send(body.clone()));
            prep.push(Prep::Advance(3600));
        }
        prep
    };
    let risk = |rate: Option<f64>, talk: Option<u64>| {
        Box::new(move |c: &mut MockConfig| {
            app(c).risk = Some(RiskLimits {
                calls: 2,
                min_completion_rate: rate,
                min_average_talk_seconds: talk,
            })
        })
    };
    add(
        &mut out,
        C::Success,
        "1 of the last 2 calls to calleeNbr answered, minimum completion rate 50 %: accepted",
        risk(Some(0.5), None),
        judged(Some(1), None),
        body.clone(),
    );
    add(
        &mut out,
        C::AbnormalCompletionRate,
        "1 of the last 2 calls to calleeNbr answered, minimum completion rate 75 %",
        risk(Some(0.75), None),
        judged(Some(1), None),
        body.clone(),
    );
    add(
        &mut out,
        C::Success,
        "the last 2 calls to calleeNbr talked 1 s each, minimum average 1 s: accepted",
        risk(None, Some(1)),
        judged(Some(1), Some(1)),
        body.clone(),
    );
    add(
        &mut out,
        C::AbnormalCallDuration,
        "the last 2 calls to calleeNbr talked 1 s each, minimum average 2 s",
        risk(None, Some(2)),
        judged(Some(1), Some(1)),
        body.clone(),
    );
    // Capacity: one live call fills each limit.
    let one_call = || {
        vec![Prep::Send(call(
            op,
            DISPLAY,
            "+8613800000151",
            "+8613800000152",
        ))]
    };
    add(
        &mut out,
        C::SpCallLimitReached,
        "the SP has 1 live call (limit 1)",
        Box::new(|c| c.platform.sp_max_calls = Some(1)),
        one_call(),
        body.clone(),
    );
    add(
        &mut out,
        C::AppCallLimitReached,
        "the app has 1 live call (limit 1)",
        Box::new(|c| app(c).max_calls = Some(1)),
        one_call(),
        body.clone(),
    );
    add(
        &mut out,
        C::DisplayNumberCallLimitReached,
        "displayNbr presents 1 live call (limit 1)",
        Box::new(|c| own_numbers(c, NumberState::Active, Some(1))),
        one_call(),
        body.clone(),
    );
    let need = ports_of(op);
    add(
        &mut out,
        C::CallPortLimitReached,
        "the app's ports in use by 1 live call (the app has as many as one call needs)",
        Box::new(move |c| app(c).max_ports = Some(need)),
        one_call(),
        body.clone(),
    );
    add(
        &mut out,
        C::InsufficientVoicePorts,
        "the platform's ports in use by 1 live call (it has as many as one call needs)",
        Box::new(move |c| c.platform.ports = need),
        one_call(),
        body.clone(),
    );
    if op == Operation::CreateVoiceCallback {
        add(
            &mut out,
            C::InvalidCallerNumber,
            "callerNbr without a country code (+0…; the mock's reading, coverage.rs)",
            Box::new(|_| {}),
            Vec::new(),
            call(op, DISPLAY, "+0123456789", CALLEE),
        );
        add(
            &mut out,
            C::CallerBlacklisted,
            "callerNbr blacklisted",
            Box::new(|c| app(c).caller_blacklist = vec![CALLER.into()]),
            Vec::new(),
            body.clone(),
        );
        let mut recorded = body.clone();
        recorded["recordFlag"] = json!("true");
        add(
            &mut out,
            C::RecordingNotEnabled,
            "recordFlag true, recording not enabled for the app",
            Box::new(|c| app(c).recording = false),
            Vec::new(),
            recorded,
        );
    }
    if op == Operation::CreateVoiceNotification {
        let mut v = body.clone();
        v["playInfoList"] =
            json!([{ "templateId": "provisionedTemplate", "templateParas": ["123"] }]);
        add(
            &mut out,
            C::TemplateParasMismatch,
            "templateParas[0] longer than the template's variable (at most 2 characters)",
            Box::new(|c| {
                app(c)
                    .templates
                    .insert("provisionedTemplate".into(), vec![2]);
            }),
            Vec::new(),
            v,
        );
        let mut v = body.clone();
        v["playInfoList"] =
            json!([{ "templateId": "provisionedTemplate", "templateParas": ["12"] }]);
        add(
            &mut out,
            C::Success,
            "templateParas[0] exactly as long as the template's variable (2 characters): accepted",
            Box::new(|c| {
                app(c)
                    .templates
                    .insert("provisionedTemplate".into(), vec![2]);
            }),
            Vec::new(),
            v,
        );
        let mut v = body.clone();
        v["playInfoList"] =
            json!([{ "templateId": "provisionedTemplate", "templateParas": ["1"] }]);
        add(
            &mut out,
            C::TemplateParasMismatch,
            "templateParas has 1 value, the template 2 variables",
            Box::new(|c| {
                app(c)
                    .templates
                    .insert("provisionedTemplate".into(), vec![2, 2]);
            }),
            Vec::new(),
            v,
        );
    }
    out.push(ipv4_scenario(op));
    // The same app over IPv4: accepted (the requirement is met, not a refusal of all).
    out.push(Scenario {
        code: C::Success,
        answer: C::Success,
        what: "an app that needs the sender's IPv4 address, the request over IPv4: accepted",
        ipv6: false,
        ..ipv4_scenario(op)
    });
    within_table(op, out)
}

/// The code the embedded mock answers on `op` for a cause whose code is `code`: the code
/// itself when `op`'s table lists it; otherwise the table's nearest code, 1010008 (app
/// key state) for a cause in the app's state (1010007, 1011006, 1010021, 1020150), else
/// 1010002 — or 1010002 when the table lacks 1010008.
///
/// The reference gives no code for a cause its operation's table omits (erratum
/// `result-code-coverage`: a live platform may answer another table's code); this is
/// the mock's documented choice (conformance/mock/README.md, "How a request is
/// judged"), so the scenarios that rely on it run on the embedded mock only.
pub fn nearest_in_table(op: Operation, code: C) -> C {
    if op.result_codes().contains(&code) {
        return code;
    }
    let state = matches!(
        code,
        C::AccountNotActive | C::TrafficControlled | C::ApplicationUnavailable | C::AppKeyInvalid
    );
    if state && op.result_codes().contains(&C::AppKeySuspended) {
        C::AppKeySuspended
    } else {
        C::InvalidRequest
    }
}

/// The scenarios with the code `op` answers for each: a cause whose code `op`'s table
/// lacks is answered with the table's nearest code ([`nearest_in_table`]), so the
/// scenario checks that the mock keeps to its table (1010007 on a callStop gets
/// 1010008, 1010040 gets 1010002).
fn within_table(op: Operation, out: Vec<Scenario>) -> Vec<Scenario> {
    out.into_iter()
        .map(|mut s| {
            s.answer = nearest_in_table(op, s.code);
            s
        })
        .collect()
}

fn ipv4_scenario(op: Operation) -> Scenario {
    Scenario {
        code: C::Ipv4AddressMissing,
        answer: C::Ipv4AddressMissing,
        op,
        what: "the request comes over IPv6 to an app that needs the sender's IPv4 address",
        setup: Box::new(|c| app(c).require_ipv4 = true),
        prep: Vec::new(),
        body: probe(op),
        ipv6: true,
    }
}

/// The codes the scenarios exercise on `op`, with the reason a live target lists them.
pub fn live_reasons(op: Operation) -> Vec<(String, &'static str)> {
    // A scenario answered with the table's nearest code, or accepted (a limit met
    // exactly), expects a code requests reach on a live target too: only the causes'
    // own codes are unreachable there.
    let mut codes: Vec<String> = scenarios(op)
        .iter()
        .filter(|s| s.answer == s.code && s.code != C::Success)
        .map(|s| format!("{} {}", s.code.http_status(), s.code.code()))
        .collect();
    codes.sort();
    codes.dedup();
    codes.into_iter().map(|c| (c, LIVE_REASON)).collect()
}

/// The rule ids of `op`'s scenarios (`provisioned/<code>/<n>`, and
/// `provisioned/idlePort` for the operations that report idle ports), for coverage.
pub fn rule_ids(op: Operation) -> Vec<String> {
    let mut ids: Vec<String> = scenarios(op)
        .iter()
        .enumerate()
        .map(|(i, s)| rule_id(s, i))
        .collect();
    if op.places_call() {
        ids.push(IDLE_RULE.into());
    }
    ids
}

const IDLE_RULE: &str = "provisioned/idlePort";
/// The ports of the idle-port scenario's platform.
const IDLE_PORTS: u32 = 10;

fn idle_doc(op: Operation) -> String {
    let need = ports_of(op);
    format!(
        "idlePort with returnIdlePort \"true\" on a platform of {IDLE_PORTS} free ports: {} after the first call, {} after the second (each takes {need}; the mock counts the call just placed)",
        IDLE_PORTS - need,
        IDLE_PORTS - 2 * need
    )
}

/// Two calls asking for idlePort on a mock with [`IDLE_PORTS`] ports: the values must be
/// the ports left free (the range 0–65535 of the row is checked on every answer by the
/// response checks; here the value itself).
async fn idle_port(sender: &Sender, op: Operation, front: Option<&Front>) -> CaseResult {
    let secret = new_nonce();
    let creds = Credentials::new(APP, secret.clone());
    let mut config = MockConfig::single_app(APP, secret);
    config.clock = ClockConfig::Manual;
    config.platform.ports = IDLE_PORTS;
    let need = ports_of(op);
    let mut result = CaseResult {
        api: op.name().into(),
        id: format!("{}/{IDLE_RULE}", op.name()),
        rule: Some(IDLE_RULE.into()),
        doc: idle_doc(op),
        expected: Expected {
            status: 200,
            code: Some("0".into()),
        },
        actual: Response::default(),
        verdict: Verdict::Failed,
        note: None,
        request: request_for(op, &json!({})),
    };
    let server =
        match MockServer::start(Mock::new(config), SocketAddr::from(([127, 0, 0, 1], 0))).await {
            Ok(s) => s,
            Err(e) => {
                result.note = Some(format!("could not start the scenario's mock: {e}"));
                return result;
            }
        };
    let base = fronted(front, server.base_url());
    let calls = [
        ("+8613800000161", IDLE_PORTS - need),
        ("+8613800000162", IDLE_PORTS - 2 * need),
    ];
    result.verdict = Verdict::Passed;
    for (callee, want) in calls {
        let mut body = call(op, DISPLAY, CALLER, callee);
        body["returnIdlePort"] = json!("true");
        let req = request_for(op, &body);
        let r = sender.send(&base, &creds, &req).await;
        let got = serde_json::from_str::<Value>(&r.body)
            .ok()
            .and_then(|v| v.get("idlePort").cloned());
        result.request = req;
        let ok = result.expected.matches(&r) && got == Some(json!(want));
        result.actual = r;
        if !ok {
            result.verdict = Verdict::Failed;
            result.note = Some(format!("idlePort {got:?}, expected {want}"));
            break;
        }
    }
    server.shutdown().await;
    result
}

fn rule_id(s: &Scenario, i: usize) -> String {
    format!("provisioned/{}/{i}", s.code.code())
}

fn expected(code: C) -> Expected {
    Expected {
        status: code.http_status(),
        code: Some(code.code().into()),
    }
}

/// The scenarios listed as skipped (live targets).
pub fn skipped() -> Vec<CaseResult> {
    let mut out = Vec::new();
    for op in Operation::ALL.iter().copied() {
        for (i, s) in scenarios(op).into_iter().enumerate() {
            out.push(CaseResult {
                api: op.name().into(),
                id: format!("{}/{}", op.name(), rule_id(&s, i)),
                rule: Some(rule_id(&s, i)),
                doc: s.what.into(),
                expected: expected(s.answer),
                actual: Response::default(),
                verdict: Verdict::Skipped,
                note: Some(LIVE_REASON.into()),
                request: request_for(op, &s.body),
            });
        }
        if op.places_call() {
            out.push(CaseResult {
                api: op.name().into(),
                id: format!("{}/{IDLE_RULE}", op.name()),
                rule: Some(IDLE_RULE.into()),
                doc: idle_doc(op),
                expected: Expected {
                    status: 200,
                    code: Some("0".into()),
                },
                actual: Response::default(),
                verdict: Verdict::Skipped,
                note: Some("the platform's free ports are not known on a live target; idlePort is checked against its row (0–65535) on every answer".into()),
                request: request_for(op, &json!({})),
            });
        }
    }
    out
}

/// Runs every scenario, each on a mock of its own (reached through `front` when given:
/// a test's proxy, see [`crate::engine::Front`]).
pub async fn run(sender: &Sender, front: Option<&Front>) -> Vec<CaseResult> {
    let mut tasks = Vec::new();
    for op in Operation::ALL.iter().copied() {
        for (i, s) in scenarios(op).into_iter().enumerate() {
            let sender = sender.clone();
            let front = front.cloned();
            tasks.push(tokio::spawn(async move {
                run_one(&sender, s, i, front.as_ref()).await
            }));
        }
        if op.places_call() {
            let sender = sender.clone();
            let front = front.cloned();
            tasks.push(tokio::spawn(async move {
                idle_port(&sender, op, front.as_ref()).await
            }));
        }
    }
    let mut out = Vec::new();
    for t in tasks {
        if let Ok(r) = t.await {
            out.push(r);
        }
    }
    out
}

async fn run_one(sender: &Sender, s: Scenario, i: usize, front: Option<&Front>) -> CaseResult {
    let secret = new_nonce();
    let creds = Credentials::new(APP, secret.clone());
    let mut config = MockConfig::single_app(APP, secret);
    config.clock = ClockConfig::Manual;
    (s.setup)(&mut config);
    let op = s.op;
    let final_req = request_for(op, &s.body);
    let mut result = CaseResult {
        api: op.name().into(),
        id: format!("{}/{}", op.name(), rule_id(&s, i)),
        rule: Some(rule_id(&s, i)),
        doc: if s.answer == s.code {
            format!(
                "{} → {} {} (table of {})",
                s.what,
                s.code.http_status(),
                s.code.code(),
                op.name()
            )
        } else {
            format!(
                "{} → {} {}: the cause's code {} is not in the table of {}, the mock answers the table's nearest (conformance/mock/README.md)",
                s.what,
                s.answer.http_status(),
                s.answer.code(),
                s.code.code(),
                op.name()
            )
        },
        expected: expected(s.answer),
        actual: Response::default(),
        verdict: Verdict::Failed,
        note: None,
        request: final_req.clone(),
    };
    if s.code == C::CallTimeRestricted && config.apps[0].black_hours.is_none() {
        let clock = voicecall_mock::clock::Clock::new(ClockConfig::Manual);
        let hour = ((clock.wall(clock.now()).hour() as u32 + 8) % 24) as u8;
        // Two hours from the current one: the run cannot leave them.
        config.apps[0].black_hours = Some((hour, (hour + 2) % 24));
    }
    let ip: std::net::IpAddr = if s.ipv6 {
        std::net::Ipv6Addr::LOCALHOST.into()
    } else {
        std::net::Ipv4Addr::LOCALHOST.into()
    };
    let server = match MockServer::start(Mock::new(config), SocketAddr::new(ip, 0)).await {
        Ok(s) => s,
        Err(e) => {
            result.note = Some(format!("could not start the scenario's mock: {e}"));
            return result;
        }
    };
    let base = fronted(front, server.base_url());
    for p in &s.prep {
        match p {
            Prep::Outcome(n, o) => server.mock.set_outcome(*n, *o),
            Prep::AdvanceMillis(ms) => {
                server.mock.advance(Duration::from_millis(*ms));
                server.mock.settle(Duration::from_secs(10)).await;
            }
            Prep::BeijingHour(hour) => {
                let clock = server.mock.clock();
                let beijing = clock.wall(clock.now()) + Duration::from_secs(8 * 3600);
                let (h, m, sec) = beijing.to_hms();
                let into_day = u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(sec);
                let target = u64::from(*hour) * 3600 + 1800;
                let by = (target + 86_400 - into_day) % 86_400;
                server.mock.advance(Duration::from_secs(by));
                server.mock.settle(Duration::from_secs(10)).await;
            }
            Prep::Advance(secs) => {
                server.mock.advance(Duration::from_secs(*secs));
                server.mock.settle(Duration::from_secs(10)).await;
            }
            Prep::Send(v) => {
                // Null: the probe itself, whose answer is its own refusal.
                let req = request_for(op, if v.is_null() { &s.body } else { v });
                let r = sender.send(&base, &creds, &req).await;
                let accepted =
                    r.error.is_none() && (r.status == 200 && r.code.as_deref() == Some("0"));
                let counted =
                    v.is_null() && r.error.is_none() && r.code.as_deref() != Some(s.answer.code());
                if !(accepted || counted) {
                    result.note = Some(format!(
                        "the request that sets the state up was not accepted: {} {}",
                        r.status,
                        r.code.clone().unwrap_or_default()
                    ));
                    result.actual = r;
                    result.request = req;
                    server.shutdown().await;
                    return result;
                }
            }
        }
    }
    let r = sender.send(&base, &creds, &final_req).await;
    if result.expected.matches(&r) {
        result.verdict = Verdict::Passed;
    }
    result.actual = r;
    server.shutdown().await;
    result
}
