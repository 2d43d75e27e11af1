//! The push receiver: every push of the reference's examples is delivered and answered
//! as the doc asks, but only once the service's handler succeeded; retries are delivered
//! again with their idempotency key and `seen_before`; a malformed CDR or status push
//! reaches the handler with the reason and never sinks the others; signatures are checked
//! when configured; the axum router serves the same on 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use voicecall::auth::{
    parse_created, sign_push, Credentials, PushVariant, PushVerifier, VerifierConfig,
};
use voicecall::receiver::{
    axum_router, canonical_json, Cdr, CdrDelivery, Delivery, IdempotencyKey, MemoryStore, PushKind,
    ReceiveError, Receiver, StatusEvent,
};

const STATUS: &str = include_str!("../../spec/fixtures/4.4/callback-status-disconnect.json");
const COLLECT: &str = include_str!("../../spec/fixtures/5.3/notification-status-collectinfo.json");
const FEE: &str = include_str!("../../spec/fixtures/4.5/callback-fee.json");
const VERIFY_FEE: &str = include_str!("../../spec/fixtures/6.4/verification-fee.json");
const SUCCESS: &str = r#"{"resultcode":"0","resultdesc":"Success"}"#;

fn no_headers(_: &str) -> Option<&'static str> {
    None
}

fn now() -> OffsetDateTime {
    parse_created("2019-01-24T03:05:00Z").unwrap()
}

/// A handler that keeps everything delivered to it and succeeds.
#[derive(Clone, Default)]
struct Keep(Arc<Mutex<Vec<Delivery>>>);

impl Keep {
    fn handler(&self) -> impl Fn(Delivery) -> std::future::Ready<Result<(), String>> + Send + Sync {
        let log = self.0.clone();
        move |d| {
            log.lock().unwrap().push(d);
            std::future::ready(Ok(()))
        }
    }
    fn cdrs(&self) -> Vec<CdrDelivery> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .flat_map(|d| match d {
                Delivery::Fee(f) => f.cdrs.clone(),
                Delivery::Status(_) => Vec::new(),
            })
            .collect()
    }
    fn take(&self) -> Vec<Delivery> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn fee_of(cdrs: &[Value]) -> String {
    json!({ "eventType": "fee", "feeLst": cdrs }).to_string()
}

#[tokio::test]
async fn replies_as_the_reference_asks_after_the_handler_succeeded() {
    let keep = Keep::default();
    let h = keep.handler();
    let (reply, got) = Receiver::new(PushKind::CallbackStatus)
        .handle(no_headers, STATUS.as_bytes(), now(), &h)
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    got.unwrap();
    let (reply, _) = Receiver::new(PushKind::NotificationStatus)
        .handle(no_headers, COLLECT.as_bytes(), now(), &h)
        .await;
    assert_eq!(reply.status, 200);
    let (reply, got) = Receiver::new(PushKind::CallbackFee)
        .handle(no_headers, FEE.as_bytes(), now(), &h)
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, SUCCESS));
    assert_eq!(got.unwrap().cdrs, 1);
    let (reply, _) = Receiver::new(PushKind::VerificationFee)
        .handle(no_headers, VERIFY_FEE.as_bytes(), now(), &h)
        .await;
    assert_eq!(reply.status, 200);

    let got = keep.take();
    assert!(
        matches!(&got[0], Delivery::Status(s) if matches!(&s.event, Ok(StatusEvent::Callback(e)) if e.event_type() == "disconnect"))
    );
    assert!(
        matches!(&got[1], Delivery::Status(s) if s.event.as_ref().unwrap().event_type() == "collectInfo")
    );
    let Delivery::Fee(fee) = &got[2] else {
        panic!("{:?}", got[2])
    };
    assert_eq!(fee.event_type.as_deref(), Some("fee"));
    assert!(fee.envelope_error.is_none());
    let c = &fee.cdrs[0];
    assert!(!c.seen_before);
    assert!(matches!(&c.cdr, Ok(Cdr::Callback(_))));
    // Delivered anyway; what the example breaks (masked numbers, fwdlUnaswRsn) is reported.
    assert!(c
        .violations
        .iter()
        .any(|v| v.path == "$.feeLst[0].fwdlUnaswRsn"));
}

#[tokio::test]
async fn a_failing_handler_gets_no_success_and_the_retry_again() {
    let rx = Receiver::new(PushKind::CallbackFee);
    let calls = AtomicUsize::new(0);
    let seen = Mutex::new(Vec::new());
    let flaky = |d: Delivery| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        if let Delivery::Fee(f) = &d {
            seen.lock()
                .unwrap()
                .extend(f.cdrs.iter().map(|c| (n, c.key.clone(), c.seen_before)));
        }
        std::future::ready(if n < 2 { Err("database down") } else { Ok(()) })
    };
    for _ in 0..2 {
        let (reply, got) = rx.handle(no_headers, FEE.as_bytes(), now(), &flaky).await;
        assert_eq!(reply.status, 500);
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_ne!(
            body["resultcode"], "0",
            "the platform must retry: {}",
            reply.body
        );
        assert!(matches!(got, Err(ReceiveError::Handler(e)) if e == "database down"));
    }
    let (reply, got) = rx.handle(no_headers, FEE.as_bytes(), now(), &flaky).await;
    assert_eq!((reply.status, reply.body.as_str()), (200, SUCCESS));
    assert_eq!(got.unwrap().seen_before, 0);
    // The success reply was lost: the platform retries; delivered again, marked seen.
    let (reply, got) = rx.handle(no_headers, FEE.as_bytes(), now(), &flaky).await;
    assert_eq!(reply.status, 200, "a retry is acknowledged again");
    assert_eq!(got.unwrap().seen_before, 1);
    let seen = seen.into_inner().unwrap();
    let flags: Vec<(usize, bool)> = seen.iter().map(|(n, _, s)| (*n, *s)).collect();
    assert_eq!(flags, [(0, false), (1, false), (2, false), (3, true)]);
    assert!(
        seen.iter().all(|(_, k, _)| *k == seen[0].1),
        "one key across retries"
    );
}

#[tokio::test]
async fn refuses_a_fee_body_without_a_list_of_cdrs() {
    let keep = Keep::default();
    for body in [
        &b"{not json"[..],
        b"[1]",
        br#"{"eventType":"fee","feeLst":"x"}"#,
    ] {
        let (reply, got) = Receiver::new(PushKind::CallbackFee)
            .handle(no_headers, body, now(), &keep.handler())
            .await;
        assert_eq!(reply.status, 400);
        assert!(matches!(got, Err(ReceiveError::Body(_))));
        assert!(
            reply.body.contains(r#""resultcode":"400""#),
            "{}",
            reply.body
        );
    }
    assert!(keep.take().is_empty());
}

#[tokio::test]
async fn one_mistyped_cdr_is_delivered_raw_beside_the_others() {
    let base: Value = serde_json::from_str::<Value>(FEE).unwrap()["feeLst"][0].clone();
    let mut cdrs: Vec<Value> = (0..50)
        .map(|i| {
            let mut c = base.clone();
            c["sessionId"] = json!(format!("s-{i}"));
            c
        })
        .collect();
    cdrs[7]["sipStatusCode"] = json!("486");
    let mut body = fee_of(&cdrs);
    // A duplicated key in another CDR: the generated type refuses it, the batch does not.
    body = body.replacen(
        r#""sessionId":"s-9""#,
        r#""sessionId":"s-9","sessionId":"s-9b""#,
        1,
    );
    let keep = Keep::default();
    let (reply, got) = Receiver::new(PushKind::CallbackFee)
        .handle(no_headers, body.as_bytes(), now(), &keep.handler())
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (200, SUCCESS));
    assert_eq!(got.unwrap().unparsed, 2);
    let got = keep.cdrs();
    assert_eq!(got.len(), 50);
    for (i, c) in got.iter().enumerate() {
        match i {
            7 => {
                let e = c.cdr.as_ref().unwrap_err();
                assert!(e.contains("invalid type"), "{e}");
                assert_eq!(serde_json::from_str::<Value>(&c.raw).unwrap(), cdrs[7]);
            }
            9 => assert!(
                c.cdr.as_ref().unwrap_err().contains("duplicate"),
                "{:?}",
                c.cdr
            ),
            _ => assert_eq!(
                c.cdr.as_ref().unwrap().session_id(),
                Some(format!("s-{i}").as_str())
            ),
        }
    }
    let keys: std::collections::HashSet<_> = got.iter().map(|c| &c.key).collect();
    assert_eq!(keys.len(), 50);
}

#[test]
fn keys_identify_cdrs_and_never_merge_different_ones() {
    let with_ids = r#"{"sessionId":"s1","callEndTime":"2019-01-24 03:04:56","icid":"i1","x":1}"#;
    let same_ids = r#"{"x":2,"icid":"i1","callEndTime":"2019-01-24 03:04:56","sessionId":"s1"}"#;
    assert_eq!(
        IdempotencyKey::of_cdr("callback", with_ids),
        IdempotencyKey::of_cdr("callback", same_ids)
    );
    assert_ne!(
        IdempotencyKey::of_cdr("callback", with_ids),
        IdempotencyKey::of_cdr("notification", with_ids)
    );
    // Equal partial keys (same callEndTime, no sessionId): content decides.
    let a = r#"{"callEndTime":"2019-01-24 03:04:56","calleeNum":"+8613800000001"}"#;
    let b = r#"{"callEndTime":"2019-01-24 03:04:56","calleeNum":"+8613800000002"}"#;
    let a_again =
        "{ \"calleeNum\": \"+8613800000001\",\n \"callEndTime\": \"2019-01-24 03:04:56\" }";
    let ka = IdempotencyKey::of_cdr("callback", a);
    assert_ne!(ka, IdempotencyKey::of_cdr("callback", b));
    assert_eq!(ka, IdempotencyKey::of_cdr("callback", a_again));
    assert!(ka.as_str().starts_with("callback:sha256:"), "{ka}");
    // Duplicated keys are content too.
    assert_ne!(
        canonical_json(r#"{"a":1,"a":2}"#),
        canonical_json(r#"{"a":2}"#)
    );
    assert_eq!(
        canonical_json(r#"{"b":[1, {"d":1,"c":2}],"a":null}"#).unwrap(),
        r#"{"a":null,"b":[1,{"c":2,"d":1}]}"#
    );
}

#[tokio::test]
async fn identity_less_cdrs_are_both_delivered_as_new() {
    let cdrs = [
        json!({ "callEndTime": "2019-01-24 03:04:56", "calleeNum": "+8613800000001" }),
        json!({ "callEndTime": "2019-01-24 03:04:56", "calleeNum": "+8613800000002" }),
    ];
    let rx = Receiver::new(PushKind::CallbackFee);
    let keep = Keep::default();
    for c in &cdrs {
        let (reply, got) = rx
            .handle(
                no_headers,
                fee_of(std::slice::from_ref(c)).as_bytes(),
                now(),
                &keep.handler(),
            )
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(got.unwrap().seen_before, 0, "{c}");
    }
    assert_eq!(keep.cdrs().len(), 2);
}

#[tokio::test]
async fn status_pushes_reach_the_handler_with_the_reason() {
    let keep = Keep::default();
    let rx = Receiver::new(PushKind::CallbackStatus);
    let mut mistyped: Value = serde_json::from_str(STATUS).unwrap();
    mistyped["statusInfo"]["stateCode"] = json!("zero");
    let unknown = json!({ "eventType": "transfer", "statusInfo": { "sessionId": "s" } });
    for body in [mistyped.to_string(), unknown.to_string()] {
        let (reply, got) = rx
            .handle(no_headers, body.as_bytes(), now(), &keep.handler())
            .await;
        assert_eq!(reply.status, 200);
        got.unwrap();
    }
    let got = keep.take();
    let Delivery::Status(s) = &got[0] else {
        panic!()
    };
    assert!(
        s.event.as_ref().unwrap_err().contains("invalid type"),
        "{:?}",
        s.event
    );
    assert_eq!(serde_json::from_str::<Value>(&s.raw).unwrap(), mistyped);
    let Delivery::Status(s) = &got[1] else {
        panic!()
    };
    assert_eq!(s.event.as_ref().unwrap().event_type(), "transfer");
    assert!(
        s.violations.iter().any(|v| v.path == "$.eventType"),
        "{:?}",
        s.violations
    );
}

#[tokio::test]
async fn a_full_memory_store_refuses_rather_than_forgets() {
    let rx = Receiver::new(PushKind::CallbackFee).with_store(MemoryStore::new(2));
    let keep = Keep::default();
    let push = |i: usize| {
        fee_of(&[json!({ "sessionId": format!("s{i}"), "callEndTime": "2019-01-24 03:04:56" })])
    };
    for i in 0..2 {
        let (reply, _) = rx
            .handle(no_headers, push(i).as_bytes(), now(), &keep.handler())
            .await;
        assert_eq!(reply.status, 200);
    }
    let (reply, got) = rx
        .handle(no_headers, push(2).as_bytes(), now(), &keep.handler())
        .await;
    assert_eq!(reply.status, 503);
    assert!(matches!(got, Err(ReceiveError::Store(_))));
    assert_eq!(
        keep.cdrs().len(),
        2,
        "the handler never saw the refused push"
    );
    // A key already held is still answered (its retry must be acknowledged).
    let (reply, got) = rx
        .handle(no_headers, push(0).as_bytes(), now(), &keep.handler())
        .await;
    assert_eq!((reply.status, got.unwrap().seen_before), (200, 1));
    // Past the retry horizon the old keys may go: the push is taken.
    let later = now() + time::Duration::hours(8);
    let (reply, _) = rx
        .handle(no_headers, push(2).as_bytes(), later, &keep.handler())
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(rx.store().len(), 1);
}

#[tokio::test]
async fn checks_signatures_when_configured() {
    let creds = Credentials::new("app", "testSecret");
    let url = "https://customer.example/fee";
    let config = VerifierConfig {
        reject_replays: false,
        ..VerifierConfig::default()
    };
    let rx = Receiver::new(PushKind::CallbackFee).with_signature_check(PushVerifier::new(
        &creds.app_secret,
        url,
        config,
    ));
    let keep = Keep::default();
    let h = sign_push(
        &creds,
        url,
        PushVariant::CURRENT,
        None,
        Some("2019-01-24T03:04:50Z"),
    );
    let headers = |name: &str| match name {
        "Authorization" => Some(h.authorization.as_str()),
        "X-AKSK" => Some(h.x_aksk.as_str()),
        _ => None,
    };
    let (reply, _) = rx
        .handle(headers, FEE.as_bytes(), now(), &keep.handler())
        .await;
    assert_eq!(reply.status, 200);
    let (reply, got) = rx
        .handle(no_headers, FEE.as_bytes(), now(), &keep.handler())
        .await;
    assert_eq!(reply.status, 401);
    assert!(matches!(got, Err(ReceiveError::Signature(_))));
    let other = sign_push(
        &Credentials::new("app", "otherSecret"),
        url,
        PushVariant::CURRENT,
        None,
        Some("2019-01-24T03:04:50Z"),
    );
    let forged = |name: &str| match name {
        "Authorization" => Some(other.authorization.as_str()),
        "X-AKSK" => Some(other.x_aksk.as_str()),
        _ => None,
    };
    let (reply, _) = rx
        .handle(forged, FEE.as_bytes(), now(), &keep.handler())
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        keep.cdrs().len(),
        1,
        "refused pushes never reach the handler"
    );
}

async fn post(addr: std::net::SocketAddr, body: &str) -> String {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    response
}

#[tokio::test]
async fn axum_router_acknowledges_only_what_the_handler_stored() {
    let fail = Arc::new(AtomicUsize::new(1));
    let stored = Arc::new(AtomicUsize::new(0));
    let (f, s) = (fail.clone(), stored.clone());
    let app = axum_router(Receiver::new(PushKind::CallbackFee), move |d: Delivery| {
        let (f, s) = (f.clone(), s.clone());
        async move {
            tokio::task::yield_now().await;
            if f.load(Ordering::SeqCst) > 0 {
                f.fetch_sub(1, Ordering::SeqCst);
                return Err("database down".to_string());
            }
            if let Delivery::Fee(p) = d {
                s.fetch_add(p.cdrs.len(), Ordering::SeqCst);
            }
            Ok(())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let response = post(addr, FEE).await;
    assert!(response.starts_with("HTTP/1.1 500"), "{response}");
    assert!(!response.contains(r#""resultcode":"0""#), "{response}");
    assert_eq!(stored.load(Ordering::SeqCst), 0);
    let response = post(addr, FEE).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(SUCCESS), "{response}");
    assert_eq!(stored.load(Ordering::SeqCst), 1);
    server.abort();
}

/// Every push example of the reference, each to the receiver of its kind: every event
/// type of the three services is delivered parsed and answered 200.
#[tokio::test]
async fn every_event_type_of_every_service_is_received() {
    let cases: &[(PushKind, &str)] = &[
        (
            PushKind::CallbackStatus,
            include_str!("../../spec/fixtures/4.4/callback-status-callout.json"),
        ),
        (
            PushKind::CallbackStatus,
            include_str!("../../spec/fixtures/4.4/callback-status-alerting.json"),
        ),
        (
            PushKind::CallbackStatus,
            include_str!("../../spec/fixtures/4.4/callback-status-answer.json"),
        ),
        (
            PushKind::CallbackStatus,
            include_str!("../../spec/fixtures/4.4/callback-status-disconnect.json"),
        ),
        (
            PushKind::CallbackFee,
            include_str!("../../spec/fixtures/4.5/callback-fee.json"),
        ),
        (
            PushKind::NotificationStatus,
            include_str!("../../spec/fixtures/5.3/notification-status-callout.json"),
        ),
        (
            PushKind::NotificationStatus,
            include_str!("../../spec/fixtures/5.3/notification-status-alerting.json"),
        ),
        (
            PushKind::NotificationStatus,
            include_str!("../../spec/fixtures/5.3/notification-status-answer.json"),
        ),
        (
            PushKind::NotificationStatus,
            include_str!("../../spec/fixtures/5.3/notification-status-collectinfo.json"),
        ),
        (
            PushKind::NotificationStatus,
            include_str!("../../spec/fixtures/5.3/notification-status-disconnect.json"),
        ),
        (
            PushKind::NotificationFee,
            include_str!("../../spec/fixtures/5.4/notification-fee.json"),
        ),
        (
            PushKind::VerificationStatus,
            include_str!("../../spec/fixtures/6.3/verification-status-callout.json"),
        ),
        (
            PushKind::VerificationStatus,
            include_str!("../../spec/fixtures/6.3/verification-status-alerting.json"),
        ),
        (
            PushKind::VerificationStatus,
            include_str!("../../spec/fixtures/6.3/verification-status-answer.json"),
        ),
        (
            PushKind::VerificationStatus,
            include_str!("../../spec/fixtures/6.3/verification-status-disconnect.json"),
        ),
        (
            PushKind::VerificationFee,
            include_str!("../../spec/fixtures/6.4/verification-fee.json"),
        ),
    ];
    for (kind, body) in cases {
        let keep = Keep::default();
        let (reply, got) = Receiver::new(*kind)
            .handle(no_headers, body.as_bytes(), now(), &keep.handler())
            .await;
        assert_eq!(reply.status, 200, "{kind:?}");
        got.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        match &keep.take()[0] {
            Delivery::Status(s) => {
                assert!(s.event.is_ok(), "{kind:?}: {:?}", s.event);
                assert!(
                    !s.violations.iter().any(|v| v.path == "$.eventType"),
                    "{kind:?}"
                );
            }
            Delivery::Fee(f) => {
                assert!(!f.cdrs.is_empty(), "{kind:?}");
                assert!(f.cdrs.iter().all(|c| c.cdr.is_ok()), "{kind:?}");
            }
        }
    }
}
