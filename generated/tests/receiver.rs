//! The push receiver: every push of the reference's examples is received and answered
//! as the doc asks; signatures are checked when configured; retried CDRs are dropped;
//! the axum router serves the same on 127.0.0.1.

use std::time::Duration;

use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use voicecall::auth::{
    parse_created, sign_push, Credentials, PushVariant, PushVerifier, VerifierConfig,
};
use voicecall::receiver::{axum_router, Push, PushKind, ReceiveError, Receiver};

const STATUS: &str = include_str!("../../spec/fixtures/4.4/callback-status-disconnect.json");
const COLLECT: &str = include_str!("../../spec/fixtures/5.3/notification-status-collectinfo.json");
const FEE: &str = include_str!("../../spec/fixtures/4.5/callback-fee.json");
const VERIFY_FEE: &str = include_str!("../../spec/fixtures/6.4/verification-fee.json");

fn no_headers(_: &str) -> Option<&'static str> {
    None
}

fn now() -> OffsetDateTime {
    parse_created("2019-01-24T03:05:00Z").unwrap()
}

#[test]
fn replies_as_the_reference_asks() {
    let (reply, got) =
        Receiver::new(PushKind::CallbackStatus).handle(no_headers, STATUS.as_bytes(), now());
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    assert!(
        matches!(got.unwrap().push, Push::CallbackStatus(ev) if ev.event_type() == "disconnect")
    );

    let (reply, got) =
        Receiver::new(PushKind::NotificationStatus).handle(no_headers, COLLECT.as_bytes(), now());
    assert_eq!(reply.status, 200);
    assert!(
        matches!(got.unwrap().push, Push::NotificationStatus(ev) if ev.event_type() == "collectInfo")
    );

    let (reply, got) =
        Receiver::new(PushKind::CallbackFee).handle(no_headers, FEE.as_bytes(), now());
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, r#"{"resultcode":"0","resultdesc":"Success"}"#)
    );
    let got = got.unwrap();
    // Received anyway; what the example breaks (masked numbers, fwdlUnaswRsn) is reported.
    assert!(got
        .violations
        .iter()
        .any(|v| v.path == "$.feeLst[0].fwdlUnaswRsn"));

    let (reply, _) =
        Receiver::new(PushKind::VerificationFee).handle(no_headers, VERIFY_FEE.as_bytes(), now());
    assert_eq!(reply.status, 200);
}

#[test]
fn refuses_bodies_of_another_kind() {
    let (reply, got) = Receiver::new(PushKind::CallbackFee).handle(no_headers, b"{not json", now());
    assert_eq!(reply.status, 400);
    assert!(matches!(got, Err(ReceiveError::Body(_))));
    assert!(
        reply.body.contains(r#""resultcode":"400""#),
        "a non-zero resultcode tells the platform it failed: {}",
        reply.body
    );
}

#[test]
fn retried_cdrs_are_dropped_but_still_acknowledged() {
    let rx = Receiver::new(PushKind::CallbackFee);
    let (_, first) = rx.handle(no_headers, FEE.as_bytes(), now());
    assert_eq!(first.unwrap().duplicates, 0);
    let (reply, again) = rx.handle(no_headers, FEE.as_bytes(), now());
    assert_eq!(
        reply.status, 200,
        "a retry is acknowledged, or the platform retries again"
    );
    let again = again.unwrap();
    assert_eq!(again.duplicates, 1);
    assert!(matches!(again.push, Push::CallbackFee(ev) if ev.fee_lst.as_deref() == Some(&[][..])));
}

#[test]
fn checks_signatures_when_configured() {
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
    assert_eq!(rx.handle(headers, FEE.as_bytes(), now()).0.status, 200);
    let (reply, got) = rx.handle(no_headers, FEE.as_bytes(), now());
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
    assert_eq!(rx.handle(forged, FEE.as_bytes(), now()).0.status, 401);
}

#[tokio::test]
async fn axum_router_serves_pushes_on_loopback() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum_router(Receiver::new(PushKind::CallbackFee), move |outcome| {
        let _ = tx.send(outcome.is_ok());
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{FEE}",
        FEE.len()
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#"{"resultcode":"0","resultdesc":"Success"}"#),
        "{response}"
    );
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap(),
        Some(true)
    );
    server.abort();
}

/// Every push example of the reference, each to the receiver of its kind: every event
/// type of the three services is received and answered 200.
#[test]
fn every_event_type_of_every_service_is_received() {
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
        let (reply, got) = Receiver::new(*kind).handle(no_headers, body.as_bytes(), now());
        assert_eq!(reply.status, 200, "{kind:?}");
        let got = got.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        let unknown_event = got.violations.iter().any(|v| v.path == "$.eventType");
        assert!(
            !unknown_event,
            "{kind:?}: the event type is one of the service's"
        );
    }
}
