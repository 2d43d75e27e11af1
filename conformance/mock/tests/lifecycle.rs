//! Full call lifecycles of the three services against real receivers on loopback: every
//! status event in the documented order with signed pushes, one CDR per call whose times
//! agree with the events, callStop, recordings, fee retries and batching.

mod common;

use common::*;
use serde_json::{json, Value};
use voicecall::operations::Operation;
use voicecall::receiver::PushKind;
use voicecall_mock::{Outcome, Party, PushKind as MockPushKind, PushState};

/// Every push the receiver got must have passed its signature check and the generated
/// validators with no violation.
/// A callback placed on `server` with its own status and fee receivers: its session id
/// and the status receiver's log.
async fn placed_callback(server: &voicecall_mock::MockServer) -> (String, Log) {
    let (status_url, status_log) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, _) = receiver(PushKind::CallbackFee).await;
    let a = send(
        server,
        Operation::CreateVoiceCallback,
        &callback(&status_url, &fee_url),
    )
    .await;
    let id = a.body["sessionId"].as_str().unwrap().to_string();
    (id, status_log)
}

fn bodies(log: &Log) -> Vec<Value> {
    log.lock()
        .unwrap()
        .iter()
        .map(|r| {
            let r = r
                .as_ref()
                .expect("push refused by the receiver (signature?)");
            let problems = problems(r);
            assert!(problems.is_empty(), "push breaks the spec: {problems:?}");
            r
        })
        .map(|_| Value::Null)
        .collect()
}

fn events(server: &voicecall_mock::MockServer, id: &str) -> Vec<(String, Value)> {
    server
        .mock
        .session(id)
        .unwrap()
        .events
        .into_iter()
        .map(|(_, e, b)| (e.to_string(), serde_json::from_str(&b).unwrap()))
        .collect()
}

fn fee_records(server: &voicecall_mock::MockServer) -> Vec<Value> {
    server
        .mock
        .pushes()
        .into_iter()
        .filter(|p| p.kind == MockPushKind::Fee)
        .flat_map(|p| {
            let v: Value = serde_json::from_str(&p.body).unwrap();
            v["feeLst"].as_array().unwrap().clone()
        })
        .collect()
}

#[tokio::test]
async fn callback_answered_runs_the_documented_sequence() {
    let (status_url, status_log) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, fee_log) = receiver(PushKind::CallbackFee).await;
    let server = start(config()).await;
    let mut body = callback(&status_url, &fee_url);
    body["partyTypeRequiredInDisconnect"] = json!("true");
    body["returnIdlePort"] = json!("true");
    let a = send(&server, Operation::CreateVoiceCallback, &body).await;
    assert_eq!((a.status, a.code.as_deref()), (200, Some("0")), "{a:?}");
    assert!(
        a.body["idlePort"].as_u64().is_some(),
        "returnIdlePort → idlePort: {a:?}"
    );
    let id = a.body["sessionId"].as_str().unwrap().to_string();
    run(&server, 120).await;

    let ev = events(&server, &id);
    let kinds: Vec<&str> = ev.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "callout",
            "alerting",
            "answer",
            "callout",
            "alerting",
            "answer",
            "disconnect"
        ]
    );
    // Leg A: displayNbr calls A; leg B: displayCalleeNbr calls B (§4.4 表4-15).
    assert_eq!(ev[0].1["statusInfo"]["caller"], "+8675528000001");
    assert_eq!(ev[0].1["statusInfo"]["called"], "+8613800000001");
    assert_eq!(ev[3].1["statusInfo"]["caller"], "+8675528000002");
    assert_eq!(ev[3].1["statusInfo"]["called"], "+8613800000002");
    for (_, e) in &ev {
        assert_eq!(e["statusInfo"]["userData"], "order-42");
        assert_eq!(e["statusInfo"]["sessionId"], id.as_str());
    }
    let disc = &ev[6].1["statusInfo"];
    assert_eq!(disc["partyType"], "callee");
    assert_eq!(disc["stateCode"], 0);

    assert_eq!(bodies(&status_log).len(), 7);
    assert_eq!(bodies(&fee_log).len(), 1);
    let cdrs = fee_records(&server);
    assert_eq!(cdrs.len(), 1);
    let c = &cdrs[0];
    assert_eq!(c["serviceType"], "002");
    assert_eq!(c["sessionId"], id.as_str());
    assert_eq!(c["userData"], "order-42");
    // callOutStartTime ≤ alerting ≤ answer ≤ fwdStart ≤ fwdAlerting ≤ fwdAnswer ≤ end.
    let t = |k: &str| {
        c[k].as_str()
            .unwrap_or_else(|| panic!("{k} missing"))
            .to_string()
    };
    let times = [
        "callOutStartTime",
        "callOutAlertingTime",
        "callOutAnswerTime",
        "fwdStartTime",
        "fwdAlertingTime",
        "fwdAnswerTime",
        "callEndTime",
    ]
    .map(t);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // The events carry the same times.
    assert_eq!(ev[0].1["statusInfo"]["timestamp"], times[0].as_str());
    assert_eq!(ev[5].1["statusInfo"]["timestamp"], times[5].as_str());
    assert_eq!(ev[6].1["statusInfo"]["timestamp"], times[6].as_str());
    assert_eq!(server.mock.live_calls(), 0);
    let s = server.mock.push_summary();
    assert_eq!(
        (s.total, s.delivered, s.cdrs, s.cdrs_delivered),
        (8, 8, 1, 1),
        "{s:?}"
    );
}

#[tokio::test]
async fn partytype_only_when_asked() {
    let server = start(config()).await;
    let (id, status_log) = placed_callback(&server).await;
    run(&server, 120).await;
    let ev = events(&server, &id);
    assert!(ev.last().unwrap().1["statusInfo"]
        .get("partyType")
        .is_none());
    bodies(&status_log);
}

#[tokio::test]
async fn failed_legs_carry_the_appendix_codes() {
    let (status_url, status_log) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, fee_log) = receiver(PushKind::CallbackFee).await;
    let server = start(config()).await;
    let cases = [
        ("+8613800000011", Outcome::Busy, 8102, 17, 486),
        ("+8613800000012", Outcome::NoAnswer, 8101, 19, 480),
        ("+8613800000013", Outcome::PoweredOff, 8104, 20, 480),
        ("+8613800000014", Outcome::Unreachable, 8103, 27, 503),
        ("+8613800000015", Outcome::NotExist, 8100, 1, 404),
        ("+8613800000016", Outcome::CallerHangsUpFirst, 8009, 16, 487),
    ];
    let mut ids = Vec::new();
    for (n, o, ..) in cases {
        server.mock.set_outcome(n, o);
        let mut body = callback(&status_url, &fee_url);
        body["calleeNbr"] = json!(n);
        let a = send(&server, Operation::CreateVoiceCallback, &body).await;
        assert_eq!(a.status, 200, "{a:?}");
        ids.push(a.body["sessionId"].as_str().unwrap().to_string());
    }
    run(&server, 300).await;
    let cdrs = fee_records(&server);
    for ((_, o, state, q850, sip), id) in cases.iter().zip(&ids) {
        let ev = events(&server, id);
        let disc = &ev.last().unwrap().1["statusInfo"];
        assert_eq!(disc["stateCode"], *state, "{o:?}");
        let rings = ev.iter().filter(|(e, _)| e == "alerting").count();
        assert_eq!(rings, 1 + usize::from(o.rings()), "{o:?}: {ev:?}");
        let c = cdrs.iter().find(|c| c["sessionId"] == id.as_str()).unwrap();
        assert_eq!(c["fwdUnaswRsn"], *q850, "{o:?} {c}");
        assert_eq!(c["sipStatusCode"], *sip, "{o:?}");
        assert!(c.get("failTime").is_some(), "{o:?}");
        assert!(c.get("fwdAnswerTime").is_none(), "{o:?}");
    }
    bodies(&status_log);
    bodies(&fee_log);
    // A fails: only leg A's events, the caller-side fail point of §7.3.
    server.mock.set_outcome("+8613800000001", Outcome::Busy);
    let a = send(
        &server,
        Operation::CreateVoiceCallback,
        &callback(&status_url, &fee_url),
    )
    .await;
    let id = a.body["sessionId"].as_str().unwrap().to_string();
    run(&server, 300).await;
    let kinds: Vec<String> = events(&server, &id).into_iter().map(|(e, _)| e).collect();
    assert_eq!(kinds, ["callout", "disconnect"]);
    let c = fee_records(&server)
        .into_iter()
        .find(|c| c["sessionId"] == id.as_str())
        .unwrap();
    assert_eq!(
        (c["ulFailReason"].as_i64(), c["callOutUnaswRsn"].as_i64()),
        (Some(8108), Some(17))
    );
}

#[tokio::test]
async fn max_duration_ends_the_call() {
    let (status_url, _) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, _) = receiver(PushKind::CallbackFee).await;
    let server = start(config()).await;
    server
        .mock
        .set_outcome("+8613800000002", Outcome::MaxDuration);
    let mut body = callback(&status_url, &fee_url);
    body["maxDuration"] = json!(2);
    let a = send(&server, Operation::CreateVoiceCallback, &body).await;
    let id = a.body["sessionId"].as_str().unwrap().to_string();
    run(&server, 60).await;
    assert_eq!(server.mock.live_calls(), 1, "still talking after 60 s");
    run(&server, 120).await;
    let ev = events(&server, &id);
    assert_eq!(ev.last().unwrap().1["statusInfo"]["stateCode"], 8010);
}

#[tokio::test]
async fn notification_plays_and_collects_digits() {
    let (status_url, status_log) = receiver(PushKind::NotificationStatus).await;
    let (fee_url, fee_log) = receiver(PushKind::NotificationFee).await;
    let mut cfg = config();
    cfg.digits.insert("+8613800000003".into(), "42".into());
    let server = start(cfg).await;
    let a = send(
        &server,
        Operation::CreateVoiceNotification,
        &notification(&status_url, &fee_url),
    )
    .await;
    assert_eq!((a.status, a.code.as_deref()), (200, Some("0")), "{a:?}");
    let id = a.body["sessionId"].as_str().unwrap().to_string();
    run(&server, 120).await;
    let ev = events(&server, &id);
    let kinds: Vec<&str> = ev.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        kinds,
        ["callout", "alerting", "answer", "collectInfo", "disconnect"]
    );
    assert_eq!(ev[3].1["statusInfo"]["digitInfo"], "42");
    assert_eq!(bodies(&status_log).len(), 5);
    assert_eq!(bodies(&fee_log).len(), 1);
    let c = &fee_records(&server)[0];
    assert_eq!(c["serviceType"], "001");
    assert_eq!(c["ttsPlayTimes"], 1);
}

#[tokio::test]
async fn verification_plays_the_code() {
    let (status_url, status_log) = receiver(PushKind::VerificationStatus).await;
    let (fee_url, fee_log) = receiver(PushKind::VerificationFee).await;
    let server = start(config()).await;
    let a = send(
        &server,
        Operation::CreateVoiceVerificationCode,
        &verification(&status_url, &fee_url),
    )
    .await;
    assert_eq!((a.status, a.code.as_deref()), (200, Some("0")), "{a:?}");
    run(&server, 120).await;
    assert_eq!(bodies(&status_log).len(), 4);
    assert_eq!(bodies(&fee_log).len(), 1);
    let c = &fee_records(&server)[0];
    assert_eq!(
        (c["serviceType"].as_str(), c["ttsPlayTimes"].as_i64()),
        (Some("001"), Some(2))
    );
}

#[tokio::test]
async fn call_stop_ends_a_live_session_once() {
    let (status_url, status_log) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, _) = receiver(PushKind::CallbackFee).await;
    let server = start(config()).await;
    server.mock.set_outcome(
        "+8613800000002",
        Outcome::Answered {
            talk_seconds: Some(600),
            hung_up_by: Party::Callee,
        },
    );
    let a = send(
        &server,
        Operation::CreateVoiceCallback,
        &callback(&status_url, &fee_url),
    )
    .await;
    let id = a.body["sessionId"].as_str().unwrap().to_string();
    run(&server, 30).await;
    let stop = json!({ "sessionid": id, "signal": "call_stop" });
    let a = send(&server, Operation::TerminateCall, &stop).await;
    assert_eq!((a.status, a.code.as_deref()), (200, Some("0")), "{a:?}");
    run(&server, 5).await;
    let ev = events(&server, &id);
    assert_eq!(ev.last().unwrap().0, "disconnect");
    assert_eq!(ev.last().unwrap().1["statusInfo"]["stateCode"], 8017);
    assert_eq!(ev.iter().filter(|(e, _)| e == "disconnect").count(), 1);
    // The plan shown by introspection ends at the stop: no step after it, one End, last.
    let plan = server.mock.session(&id).unwrap().session.plan;
    let (stop_at, last) = plan.steps.last().cloned().unwrap();
    assert_eq!(last, voicecall_mock::session::Step::End, "{:?}", plan.steps);
    assert_eq!(stop_at, plan.end);
    assert!(
        plan.steps.iter().all(|(at, _)| *at <= stop_at),
        "{:?}",
        plan.steps
    );
    assert_eq!(
        plan.steps
            .iter()
            .filter(|(_, s)| *s == voicecall_mock::session::Step::End)
            .count(),
        1
    );
    assert!(
        plan.steps.len() > 1,
        "the steps played before the stop stay: {:?}",
        plan.steps
    );
    // Finished: a second stop, and an unknown session, get 1020152.
    let again = send(&server, Operation::TerminateCall, &stop).await;
    assert_eq!(
        (again.status, again.code.as_deref()),
        (500, Some("1020152"))
    );
    let unknown = send(
        &server,
        Operation::TerminateCall,
        &json!({ "sessionid": "nope", "signal": "call_stop" }),
    )
    .await;
    assert_eq!(unknown.code.as_deref(), Some("1020152"));
    run(&server, 700).await;
    assert_eq!(
        events(&server, &id).len(),
        ev.len(),
        "nothing after the stop"
    );
    assert_eq!(fee_records(&server).len(), 1);
    bodies(&status_log);
}

/// A callStop while A still rings: the plan shown by introspection keeps only what was
/// played (the callout) and ends at the stop, none of the ringing, answers or talk
/// that were to come.
#[tokio::test]
async fn call_stop_while_ringing_trims_the_plan() {
    let server = start(config()).await;
    let (id, _status_log) = placed_callback(&server).await;
    let planned = server.mock.session(&id).unwrap().session.plan.steps.len();
    run(&server, 1).await;
    let stop = json!({ "sessionid": id, "signal": "call_stop" });
    let a = send(&server, Operation::TerminateCall, &stop).await;
    assert_eq!((a.status, a.code.as_deref()), (200, Some("0")), "{a:?}");
    let plan = server.mock.session(&id).unwrap().session.plan;
    let (stop_at, last) = plan.steps.last().cloned().unwrap();
    assert_eq!(last, voicecall_mock::session::Step::End);
    assert_eq!(stop_at, plan.end);
    assert!(
        plan.steps.iter().all(|(at, _)| *at <= stop_at),
        "{:?}",
        plan.steps
    );
    assert!(
        plan.steps.len() < planned,
        "the steps still to come are gone: {planned} planned, {:?} kept",
        plan.steps
    );
}

#[tokio::test]
async fn recorded_calls_can_be_downloaded() {
    let (status_url, _) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, fee_log) = receiver(PushKind::CallbackFee).await;
    let server = start(config()).await;
    let mut body = callback(&status_url, &fee_url);
    body["recordFlag"] = json!("true");
    let a = send(&server, Operation::CreateVoiceCallback, &body).await;
    assert_eq!(a.status, 200, "{a:?}");
    run(&server, 120).await;
    bodies(&fee_log);
    let c = &fee_records(&server)[0];
    assert_eq!(c["recordFlag"], 1);
    let file = c["recordObjectName"].as_str().unwrap();
    let domain = c["recordDomain"].as_str().unwrap();
    let q = format!("fileName={file}&recordDomain={domain}");
    let a = send_as(
        &server,
        &voicecall::auth::Credentials::new(KEY, SECRET),
        Operation::GetRecordingDownloadUrl,
        &q,
    )
    .await;
    assert_eq!(a.status, 301, "{a:?}");
    assert!(a.location.unwrap().contains(file));
    let q = format!("fileName=missing.wav&recordDomain={domain}");
    let a = send_as(
        &server,
        &voicecall::auth::Credentials::new(KEY, SECRET),
        Operation::GetRecordingDownloadUrl,
        &q,
    )
    .await;
    assert_eq!((a.status, a.code.as_deref()), (403, Some("1012007")));
}

#[tokio::test]
async fn fee_pushes_are_retried_until_the_receiver_recovers() {
    let (status_url, _) = receiver(PushKind::CallbackStatus).await;
    // Fails twice (HTTP 500, then a non-zero resultcode), then accepts.
    let (fee_url, got) = scripted_receiver(vec![
        (500, ""),
        (200, r#"{"resultcode":"1","resultdesc":"busy"}"#),
        (200, r#"{"resultcode":"0","resultdesc":"Success"}"#),
    ])
    .await;
    let server = start(config()).await;
    send(
        &server,
        Operation::CreateVoiceCallback,
        &callback(&status_url, &fee_url),
    )
    .await;
    run(&server, 120).await;
    assert_eq!(got.lock().unwrap().len(), 1);
    run(&server, 3600).await;
    assert_eq!(got.lock().unwrap().len(), 2);
    run(&server, 3600).await;
    assert_eq!(got.lock().unwrap().len(), 3);
    run(&server, 5 * 3600).await;
    assert_eq!(got.lock().unwrap().len(), 3, "no push after success");
    let fee = server
        .mock
        .pushes()
        .into_iter()
        .find(|p| p.kind == MockPushKind::Fee)
        .unwrap();
    assert_eq!(fee.state, PushState::Delivered);
    assert_eq!(fee.attempts.len(), 3);
    // Hourly, in virtual time.
    assert_eq!(fee.attempts[1].at - fee.attempts[0].at, 3_600_000);
    let bodies = got.lock().unwrap().clone();
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "the same CDRs each time"
    );
}

#[tokio::test]
async fn a_cdr_nobody_accepts_is_reported_undeliverable_after_six_retries() {
    let (status_url, _) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, got) = scripted_receiver(vec![(503, "")]).await;
    let server = start(config()).await;
    send(
        &server,
        Operation::CreateVoiceCallback,
        &callback(&status_url, &fee_url),
    )
    .await;
    for _ in 0..10 {
        run(&server, 3600).await;
    }
    assert_eq!(got.lock().unwrap().len(), 7, "one push and six retries");
    let s = server.mock.push_summary();
    assert_eq!(
        (s.cdrs, s.cdrs_delivered, s.cdrs_undeliverable),
        (1, 0, 1),
        "{s:?}"
    );
}

#[tokio::test]
async fn cdrs_ending_in_one_second_are_batched_by_fifty() {
    let (fee_url, got) =
        scripted_receiver(vec![(200, r#"{"resultcode":"0","resultdesc":"Success"}"#)]).await;
    let server = start(config()).await;
    for i in 0..60 {
        let mut body = callback("http://127.0.0.1:9/", &fee_url);
        body.as_object_mut().unwrap().remove("statusUrl");
        body["calleeNbr"] = json!(format!("+86139000000{i:02}"));
        let a = send(&server, Operation::CreateVoiceCallback, &body).await;
        assert_eq!(a.status, 200, "{a:?}");
    }
    run(&server, 120).await;
    let sizes: Vec<usize> = got
        .lock()
        .unwrap()
        .iter()
        .map(|b| {
            serde_json::from_str::<Value>(b).unwrap()["feeLst"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    let mut sizes = sizes;
    sizes.sort_unstable();
    assert_eq!(sizes, [10, 50]);
    let s = server.mock.push_summary();
    assert_eq!((s.cdrs, s.cdrs_delivered), (60, 60));
}

/// A session's events are derived from its plan (issue 16: a call without a statusUrl
/// plays only its end). They must be the very bytes its status pushes carry, and a call
/// placed without a statusUrl must show the same events as the same call placed with one
/// — for every service, the collected digits, a busy callee, and a callStop.
#[tokio::test]
async fn events_are_the_bytes_pushed_with_or_without_a_status_url() {
    let (status_url, _) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, _) = receiver(PushKind::CallbackFee).await;
    let server = start(config()).await;
    server.mock.set_outcome("+8613800000002", Outcome::Busy);
    server.mock.set_outcome(
        "+8613800000009",
        Outcome::Answered {
            talk_seconds: Some(600),
            hung_up_by: Party::Callee,
        },
    );
    let mut stopped = callback(&status_url, &fee_url);
    stopped["calleeNbr"] = json!("+8613800000009");
    let bodies = [
        (
            Operation::CreateVoiceCallback,
            callback(&status_url, &fee_url),
        ),
        (Operation::CreateVoiceCallback, stopped),
        (
            Operation::CreateVoiceNotification,
            notification(&status_url, &fee_url),
        ),
        (
            Operation::CreateVoiceVerificationCode,
            verification(&status_url, &fee_url),
        ),
    ];
    // (with statusUrl, without) session ids, per request.
    let mut pairs = Vec::new();
    for (op, body) in &bodies {
        let mut plain = body.clone();
        plain.as_object_mut().unwrap().remove("statusUrl");
        let mut ids = Vec::new();
        for b in [body, &plain] {
            let a = send(&server, *op, b).await;
            assert_eq!((a.status, a.code.as_deref()), (200, Some("0")), "{a:?}");
            ids.push(a.body["sessionId"].as_str().unwrap().to_string());
        }
        pairs.push((ids[0].clone(), ids[1].clone()));
    }
    // Midway: both calls of a pair show the same events so far.
    run(&server, 8).await;
    let same = |with: &str, without: &str| {
        let a = server.mock.session(with).unwrap();
        let b = server.mock.session(without).unwrap();
        assert_eq!(a.played, a.events.len());
        let b_events: Vec<_> = b
            .events
            .iter()
            .map(|(at, e, body)| (*at, *e, body.replace(without, with)))
            .collect();
        let a_events: Vec<_> = a
            .events
            .iter()
            .map(|(at, e, body)| (*at, *e, body.to_string()))
            .collect();
        assert_eq!(a_events, b_events, "with and without a statusUrl");
        a_events.len()
    };
    let midway: Vec<usize> = pairs.iter().map(|(a, b)| same(a, b)).collect();
    assert!(midway.iter().all(|n| *n > 0), "{midway:?}");
    for id in [&pairs[1].0, &pairs[1].1] {
        let stop = json!({ "sessionid": id, "signal": "call_stop" });
        let a = send(&server, Operation::TerminateCall, &stop).await;
        assert_eq!((a.status, a.code.as_deref()), (200, Some("0")), "{a:?}");
    }
    run(&server, 7200).await;
    let pushes = server.mock.pushes();
    for (with, without) in &pairs {
        let n = same(with, without);
        let view = server.mock.session(with).unwrap();
        assert!(view.session.ended);
        assert_eq!(view.events.last().unwrap().1, "disconnect");
        // The pushes of the call with a statusUrl carried exactly the events' bytes.
        let pushed: Vec<(&str, &str)> = pushes
            .iter()
            .filter(|p| p.kind == MockPushKind::Status && p.sessions == [with.clone()])
            .map(|p| (p.event, &*p.body))
            .collect();
        let shown: Vec<(&str, &str)> = view.events.iter().map(|(_, e, b)| (*e, &**b)).collect();
        assert_eq!(pushed, shown);
        assert_eq!(n, shown.len());
        // The call without one pushed no status event.
        assert!(!pushes
            .iter()
            .any(|p| p.kind == MockPushKind::Status && p.sessions == [without.clone()]));
    }
    // The stopped pair ended at the stop with the callStop code.
    let stopped = server.mock.session(&pairs[1].1).unwrap();
    let last: Value = serde_json::from_str(&stopped.events.last().unwrap().2).unwrap();
    assert_eq!(last["statusInfo"]["stateCode"], 8017);
}
