//! The suite end to end: it passes against the embedded mock; against a deliberately
//! broken mock (a proxy in front of a real one that accepts an over-long field, answers a
//! wrong code, or skips authentication) it fails and names the rule; live runs never
//! place a call unless allowed; a customer's receiver is checked push by push.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use voicecall::auth::{sign_request, AppSecret, Credentials, PushVerifier, VerifierConfig};
use voicecall::receiver::{axum_router, Delivery, PushHandler, PushKind, Receiver};
use voicecall_conformance::engine::Options;
use voicecall_conformance::{run, workspace_spec, Choice, Report};
use voicecall_mock::{ClockConfig, Mock, MockConfig, MockServer};

const KEY: &str = "suiteApp";
const SECRET: &str = "suiteSecret";

fn options() -> Options {
    Options {
        property_cases: 4,
        ..Options::default()
    }
}

async fn run_against(choice: Choice) -> Report {
    let spec = workspace_spec().expect("spec loads");
    run(&spec, choice, options(), &|_, _| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_against_the_embedded_mock() {
    let report = run_against(Choice::EmbeddedMock).await;
    assert!(report.passed(), "{}", report.text());
    // Every operation ran, with signing cases, and the coverage is complete.
    for op in voicecall::operations::Operation::ALL {
        let a = &report.coverage.apis[op.name()];
        assert!(a.run > 10 && a.failed == 0, "{op:?}: {a:?}");
        assert_eq!(a.rules_covered + a.rules_listed, a.rules_total, "{op:?}");
        assert_eq!(a.codes_exercised + a.codes_listed, a.codes_total, "{op:?}");
    }
    let junit = report.junit();
    assert!(junit.contains("<testsuite name=\"CreateVoiceCallback\""));
    assert!(!junit.contains("<failure"));
    assert!(report.markdown().contains("| CreateVoiceCallback |"));
}

/// How the proxy breaks the mock.
#[derive(Clone, Copy, Debug)]
enum Defect {
    /// None: a faithful proxy.
    None,
    /// Cuts userData to 256 characters before the mock sees it: an over-long userData is accepted.
    AcceptsOverlongUserData,
    /// Answers 403/1010002 where the mock says 500/1020001.
    WrongCodeForValues,
    /// Re-signs every request correctly: authentication is never checked.
    SkipsAuthentication,
    /// Adds idlePort to every successful answer, asked for or not.
    AlwaysIdlePort,
    /// Rewrites every Content-Type (or its absence) to application/json;charset=UTF-8:
    /// a platform that accepts any media type and charset.
    AcceptsAnyContentType,
}

struct Proxy {
    upstream: String,
    defect: Defect,
    http: reqwest::Client,
}

async fn proxy(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let mut body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default()
        .to_vec();
    let mut headers: HeaderMap = parts.headers.clone();
    headers.remove("host");
    headers.remove("content-length");
    match p.defect {
        Defect::AcceptsOverlongUserData => {
            if let Ok(mut v) = serde_json::from_slice::<Value>(&body) {
                if let Some(u) = v.get("userData").and_then(Value::as_str) {
                    let cut: String = u.chars().take(256).collect();
                    v["userData"] = Value::String(cut);
                    body = v.to_string().into_bytes();
                }
            }
        }
        Defect::SkipsAuthentication => {
            let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
            headers.insert(
                "authorization",
                HeaderValue::from_str(&h.authorization).unwrap(),
            );
            headers.insert("x-aksk", HeaderValue::from_str(&h.x_aksk).unwrap());
        }
        Defect::AcceptsAnyContentType => {
            if parts.method == axum::http::Method::POST {
                headers.insert(
                    "content-type",
                    HeaderValue::from_static("application/json;charset=UTF-8"),
                );
            }
        }
        Defect::WrongCodeForValues | Defect::AlwaysIdlePort | Defect::None => {}
    }
    let url = format!(
        "{}{}",
        p.upstream,
        parts
            .uri
            .path_and_query()
            .map(|x| x.as_str())
            .unwrap_or("/")
    );
    let r = p
        .http
        .request(parts.method.clone(), url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").cloned();
    let mut text = r.text().await.unwrap_or_default();
    let mut status = StatusCode::from_u16(status).unwrap();
    if let Defect::WrongCodeForValues = p.defect {
        if text.contains("\"1020001\"") {
            text = text.replace("\"1020001\"", "\"1010002\"");
            status = StatusCode::FORBIDDEN;
        }
    }
    if let Defect::AlwaysIdlePort = p.defect {
        if let Ok(mut v) = serde_json::from_str::<Value>(&text) {
            if v.get("sessionId").is_some() {
                v["idlePort"] = Value::from(7);
                text = v.to_string();
            }
        }
    }
    let mut resp = (status, Bytes::from(text)).into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    if let Some(l) = location {
        resp.headers_mut().insert("location", l);
    }
    resp
}

/// A real mock behind a proxy with `defect`; returns the proxy URL and the mock.
async fn broken(defect: Defect) -> (String, MockServer) {
    let mut cfg = MockConfig::single_app(KEY, SECRET);
    cfg.clock = ClockConfig::Manual;
    let server = MockServer::start(Mock::new(cfg), "127.0.0.1:0".parse::<SocketAddr>().unwrap())
        .await
        .unwrap();
    let state = Arc::new(Proxy {
        upstream: server.base_url(),
        defect,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            axum::Router::new().fallback(proxy).with_state(state),
        )
        .await
        .unwrap();
    });
    (url, server)
}

fn live(url: String, allow_calls: bool) -> Choice {
    Choice::Live {
        url,
        credentials: Credentials::new(KEY, SECRET),
        allow_calls,
        allowed_callees: if allow_calls {
            vec!["+8613800000002".into()]
        } else {
            Vec::new()
        },
    }
}

fn failed_rules(report: &Report) -> Vec<String> {
    report.failures().filter_map(|f| f.rule.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_that_accepts_an_overlong_field_fails_naming_the_rule() {
    let (url, _mock) = broken(Defect::AcceptsOverlongUserData).await;
    let report = run_against(live(url, true)).await;
    assert!(!report.passed());
    let rules = failed_rules(&report);
    assert!(
        rules
            .iter()
            .any(|r| r == "CreateVoiceCallbackRequest.userData.length.max"),
        "{rules:?}"
    );
    assert!(
        report.text().contains("FAILED CreateVoiceCallback"),
        "{}",
        report.text()
    );
    // Nothing else is blamed: every failure is about userData.
    assert!(rules.iter().all(|r| r.contains("userData")), "{rules:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_that_answers_the_wrong_code_fails_naming_each_value_rule() {
    let (url, _mock) = broken(Defect::WrongCodeForValues).await;
    let report = run_against(live(url, true)).await;
    assert!(!report.passed());
    let rules = failed_rules(&report);
    assert!(
        rules
            .iter()
            .any(|r| r == "CreateVoiceVerificationCodeRequest.verifyCode.length.max"),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r.ends_with(".enum")), "{rules:?}");
    let f = report.failures().next().unwrap();
    assert_eq!(f.expected.code.as_deref(), Some("1020001"));
    assert_eq!(f.actual.code.as_deref(), Some("1010002"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_that_accepts_any_content_type_fails_the_header_rows() {
    let (url, _mock) = broken(Defect::AcceptsAnyContentType).await;
    let report = run_against(live(url, true)).await;
    assert!(!report.passed());
    let rules = failed_rules(&report);
    for op in [
        "CreateVoiceCallback",
        "TerminateCall",
        "CreateVoiceNotification",
        "CreateVoiceVerificationCode",
    ] {
        for kind in ["enum", "required"] {
            let id = format!("{op}RequestHeaders.Content-Type.{kind}");
            assert!(rules.contains(&id), "{id} not reported: {rules:?}");
        }
    }
    // charset=GBK is among the failures, and nothing but the header rows is blamed.
    assert!(report.text().contains("charset=GBK"), "{}", report.text());
    assert!(
        rules.iter().all(|r| r.contains("Content-Type")),
        "{rules:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_that_skips_authentication_fails_every_signing_case() {
    let (url, _mock) = broken(Defect::SkipsAuthentication).await;
    let report = run_against(live(url, true)).await;
    assert!(!report.passed());
    let rules = failed_rules(&report);
    for id in [
        "signing/wrong-secret",
        "signing/stale-created",
        "signing/replayed-nonce",
        "signing/no-x-aksk",
        "signing/authorization-without-realm",
    ] {
        assert!(
            rules.iter().any(|r| r == id),
            "{id} not reported: {rules:?}"
        );
    }
    // The replay command never shows a digest.
    assert!(
        !report.text().contains("PasswordDigest=\"")
            || report.text().contains("PasswordDigest=\"***\"")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_that_sends_idle_port_unasked_fails_on_the_response_rule() {
    let (url, _mock) = broken(Defect::AlwaysIdlePort).await;
    let report = run_against(live(url, true)).await;
    assert!(!report.passed());
    let notes: Vec<String> = report.failures().filter_map(|f| f.note.clone()).collect();
    assert!(!notes.is_empty());
    assert!(
        notes
            .iter()
            .all(|n| n.contains("idlePort-only-when-requested")),
        "{notes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_without_allow_calls_rings_nobody() {
    let (url, mock) = broken(Defect::None).await;
    let report = run_against(live(url, false)).await;
    assert!(mock.mock.sessions().is_empty(), "a call was placed");
    let skipped = report
        .results
        .iter()
        .filter(|r| r.verdict == voicecall_conformance::result::Verdict::Skipped)
        .count();
    assert!(skipped > 0);
    // Every sent request to an operation that places calls dials nobody: its called
    // numbers are +0… (no country code), or the field is the one the case makes invalid.
    for r in report
        .results
        .iter()
        .filter(|r| r.verdict != voicecall_conformance::result::Verdict::Skipped)
    {
        let Some(body) = r
            .request
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
        else {
            continue;
        };
        if let Some(callee) = body.get("calleeNbr").and_then(Value::as_str) {
            // A precedence case names the rules it breaks after its pair
            // (`…/precedence/<first>+<second>/<rule>+<rule>`).
            let targeted = r.rule.as_deref().is_some_and(|x| x.contains("calleeNbr"))
                || (r.id.contains("/precedence/") && r.id.contains(".calleeNbr."));
            assert!(
                callee == "+0000000000" || targeted || r.api == "TerminateCall",
                "{} sent calleeNbr {callee}",
                r.id
            );
        }
    }
    assert!(report.passed(), "{}", report.text());
}

fn verifier(u: &str) -> PushVerifier {
    PushVerifier::new(
        &AppSecret::new(SECRET),
        u.to_string(),
        VerifierConfig::default(),
    )
}

async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    (listener, url)
}

/// The crate's receiver at its own URL, with `handler` as the service.
async fn served<H: PushHandler + 'static>(kind: PushKind, handler: H) -> String {
    let (listener, url) = bind().await;
    let app = axum_router(
        Receiver::new(kind).with_signature_check(verifier(&url)),
        handler,
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    url
}

fn stores(_: Delivery) -> std::future::Ready<Result<(), String>> {
    std::future::ready(Ok(()))
}

const KINDS: [(PushKind, &str); 6] = [
    (PushKind::CallbackStatus, "CallbackStatusNotification"),
    (PushKind::CallbackFee, "CallbackFeeNotification"),
    (
        PushKind::NotificationStatus,
        "NotificationStatusNotification",
    ),
    (PushKind::NotificationFee, "NotificationFeeNotification"),
    (
        PushKind::VerificationStatus,
        "VerificationStatusNotification",
    ),
    (PushKind::VerificationFee, "VerificationFeeNotification"),
];

fn callback_fee(url: String) -> Choice {
    Choice::Receiver {
        urls: vec![("CallbackFeeNotification".into(), url)],
        credentials: Credentials::new(KEY, SECRET),
    }
}

/// The rules (after the notification id) of the failed cases.
fn failed_receiver_rules(report: &Report) -> std::collections::BTreeSet<String> {
    report
        .failures()
        .filter_map(|f| f.rule.as_deref())
        .map(|r| r.split_once('/').map_or(r, |(_, x)| x).to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kits_receivers_one_kind_per_url_pass_in_full() {
    let mut urls = Vec::new();
    for (kind, id) in KINDS {
        urls.push((id.to_string(), served(kind, stores).await));
    }
    let report = run_against(Choice::Receiver {
        urls,
        credentials: Credentials::new(KEY, SECRET),
    })
    .await;
    assert!(report.passed(), "{}", report.text());
    for (_, id) in KINDS {
        let a = &report.coverage.apis[&format!("Receiver:{id}")];
        assert!(a.run > 0 && a.failed == 0, "{id}: {a:?}");
    }
    let rules: Vec<&str> = report
        .results
        .iter()
        .filter_map(|r| r.rule.as_deref())
        .collect();
    for r in voicecall_conformance::receiver::FEE_RULES {
        assert!(
            rules.contains(&format!("VerificationFeeNotification/{r}").as_str()),
            "{r}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_acknowledging_before_storing_fails_the_refusal_rule() {
    // Answers success before anything is checked or stored.
    let (listener, url) = bind().await;
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(|| async { r#"{"resultcode":"0","resultdesc":"Success"}"# }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let report = run_against(callback_fee(url)).await;
    assert_eq!(
        failed_receiver_rules(&report),
        std::collections::BTreeSet::from(["retry-after-refusal".to_string()]),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_refusing_retries_fails_the_retry_rule() {
    // A service that treats a CDR delivered before as an error.
    let url = served(PushKind::CallbackFee, |d: Delivery| {
        let retry = matches!(&d, Delivery::Fee(f) if f.cdrs.iter().any(|c| c.seen_before));
        std::future::ready(if retry { Err("duplicate CDR") } else { Ok(()) })
    })
    .await;
    let report = run_against(callback_fee(url)).await;
    assert!(
        failed_receiver_rules(&report).contains("retry-acknowledged-again"),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_merging_identity_less_cdrs_fails_the_partial_key_rule() {
    // A service whose table is unique on (sessionId, icid, callEndTime): a second,
    // different CDR with the same (absent) ids is a conflict.
    let table: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let url = served(PushKind::CallbackFee, move |d: Delivery| {
        let mut t = table.lock().unwrap();
        let mut result = Ok(());
        if let Delivery::Fee(f) = &d {
            for c in &f.cdrs {
                let v: Value = serde_json::from_str(&c.raw).unwrap_or_default();
                let key = format!("{}|{}|{}", v["sessionId"], v["icid"], v["callEndTime"]);
                match t.get(&key) {
                    Some(raw) if *raw != c.raw => result = Err("unique constraint failed"),
                    _ => {
                        t.insert(key, c.raw.clone());
                    }
                }
            }
        }
        std::future::ready(result)
    })
    .await;
    let report = run_against(callback_fee(url)).await;
    assert!(
        failed_receiver_rules(&report).contains("distinct-cdrs-equal-partial-keys"),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_refusing_a_batch_with_a_mistyped_cdr_fails_that_rule() {
    // The old way: the whole push through the generated type, refused when it fails.
    let url = served(PushKind::CallbackFee, |d: Delivery| {
        let bad = matches!(&d, Delivery::Fee(f) if f.cdrs.iter().any(|c| c.cdr.is_err()));
        std::future::ready(if bad { Err("invalid type") } else { Ok(()) })
    })
    .await;
    let report = run_against(callback_fee(url)).await;
    assert_eq!(
        failed_receiver_rules(&report),
        std::collections::BTreeSet::from(["batch-with-mistyped-cdr".to_string()]),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_endpoint_is_not_judged_by_fee_cases() {
    let status = served(PushKind::CallbackStatus, stores).await;
    let report = run_against(Choice::Receiver {
        urls: vec![("CallbackStatusNotification".into(), status)],
        credentials: Credentials::new(KEY, SECRET),
    })
    .await;
    assert!(report.passed(), "{}", report.text());
    assert!(report
        .results
        .iter()
        .all(|r| r.api == "Receiver:CallbackStatusNotification"));
}

async fn receiver_at(kind_for: fn(&str) -> Option<PushKind>, fail_fees: bool) -> String {
    let (listener, url) = bind().await;
    // One URL takes every push in this test: route by the body's eventType and service
    // through a small dispatcher over the six receivers.
    let receivers: Vec<(PushKind, Receiver)> = KINDS
        .into_iter()
        .map(|(k, _)| (k, Receiver::new(k).with_signature_check(verifier(&url))))
        .collect();
    let receivers = Arc::new(receivers);
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let receivers = receivers.clone();
            async move {
                let text = String::from_utf8_lossy(&body).to_string();
                let Some(kind) = kind_for(&text) else {
                    return (StatusCode::BAD_REQUEST, String::new());
                };
                if fail_fees && kind.is_fee() {
                    return (
                        StatusCode::OK,
                        r#"{"resultcode":"1","resultdesc":"not today"}"#.to_string(),
                    );
                }
                let r = &receivers.iter().find(|(k, _)| *k == kind).unwrap().1;
                let lookup = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
                let (reply, _) = r
                    .handle(lookup, &body, time::OffsetDateTime::now_utc(), &stores)
                    .await;
                (StatusCode::from_u16(reply.status).unwrap(), reply.body)
            }
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    url
}

/// Which receiver a test push belongs to, from its content (the suite sends every
/// service's pushes to one URL).
fn kind_of(body: &str) -> Option<PushKind> {
    let v: Value = serde_json::from_str(body).ok()?;
    let fee = v["eventType"] == "fee";
    let record = if fee {
        v["feeLst"][0].clone()
    } else {
        v["statusInfo"].clone()
    };
    let service = match record.get("serviceType").and_then(Value::as_str) {
        Some("002") => "callback",
        Some(_) => "other",
        None => "status",
    };
    Some(match (fee, service) {
        (true, "callback") => PushKind::CallbackFee,
        (true, _) => PushKind::NotificationFee,
        (false, _) if v["eventType"] == "collectInfo" => PushKind::NotificationStatus,
        (false, _) => PushKind::CallbackStatus,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_is_checked_push_by_push() {
    let url = receiver_at(kind_of, false).await;
    let spec = workspace_spec().unwrap();
    let all =
        |u: &str| voicecall_conformance::receiver::assign(&spec, Some(u), None, None, &[]).unwrap();
    let report = run_against(Choice::Receiver {
        urls: all(&url),
        credentials: Credentials::new(KEY, SECRET),
    })
    .await;
    assert!(report.passed(), "{}", report.text());
    assert!(report
        .coverage
        .apis
        .keys()
        .any(|k| k == "Receiver:CallbackFeeNotification"));

    let bad = receiver_at(kind_of, true).await;
    let report = run_against(Choice::Receiver {
        urls: all(&bad),
        credentials: Credentials::new(KEY, SECRET),
    })
    .await;
    assert!(!report.passed());
    assert!(
        report.failures().all(|f| f.api.contains("Fee")),
        "{}",
        report.text()
    );
    assert!(report
        .failures()
        .any(|f| f.api == "Receiver:VerificationFeeNotification"));
}

// ---- Platforms that break the provisioned and multi-app rules (issue 17, "done when") ----
//
// The embedded mock is the only platform with a second app and a provisioned state, so
// these runs are embedded-mock runs whose every request (the suite's own mock and each
// provisioned scenario's) goes through a proxy (`Options::front`) that rewrites the
// answers of one rule; the real mock stays as it is.

/// What the fronting proxy breaks.
#[derive(Clone, Copy, Debug)]
enum Misrule {
    /// Answers success where the mock refuses a suspended (frozen) app with 403/1010008.
    IgnoresFrozenApp,
    /// Serves a recording to any app that asks for its file: where the mock answers
    /// 403/1012007 to an app for a file another app downloaded (301), it answers that
    /// 301 (with its Location).
    ServesForeignRecording,
}

/// A recording download's query, as its decoded pairs in order.
type Query = Vec<(String, String)>;

struct Fronting {
    misrule: Misrule,
    http: reqwest::Client,
    /// Recordings served: the query → (app key, Location).
    served: Mutex<HashMap<Query, (String, HeaderValue)>>,
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// The app key (`Username`) of an X-AKSK header.
fn username(headers: &HeaderMap) -> String {
    let x = headers
        .get("x-aksk")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    x.split("Username=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_string()
}

fn query_pairs(query: &str) -> Query {
    let mut v: Vec<(String, String)> = reqwest::Url::parse(&format!("http://q/?{query}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Forwards `/__up/<hex of the upstream base>/<path>` to the upstream, answering as the
/// misrule says.
async fn fronting(State(f): State<Arc<Fronting>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default()
        .to_vec();
    let Some((up, tail)) = parts
        .uri
        .path()
        .strip_prefix("/__up/")
        .and_then(|r| r.split_once('/'))
    else {
        return (StatusCode::BAD_GATEWAY, "no upstream in the path").into_response();
    };
    let Some(upstream) = unhex(up) else {
        return (StatusCode::BAD_GATEWAY, "bad upstream").into_response();
    };
    let query = parts.uri.query().unwrap_or("");
    let mut url = format!("{upstream}/{tail}");
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let mut headers: HeaderMap = parts.headers.clone();
    headers.remove("host");
    headers.remove("content-length");
    let app = username(&parts.headers);
    let Ok(r) = f
        .http
        .request(parts.method.clone(), url)
        .headers(headers)
        .body(body)
        .send()
        .await
    else {
        return (StatusCode::BAD_GATEWAY, "upstream unreachable").into_response();
    };
    let mut status = StatusCode::from_u16(r.status().as_u16()).unwrap();
    let mut location = r.headers().get("location").cloned();
    let mut text = r.text().await.unwrap_or_default();
    let code = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("resultcode")?.as_str().map(String::from));
    match f.misrule {
        Misrule::IgnoresFrozenApp => {
            if code.as_deref() == Some("1010008") {
                status = StatusCode::OK;
                text = r#"{"resultcode":"0","resultdesc":"Success"}"#.into();
            }
        }
        Misrule::ServesForeignRecording => {
            if parts.method == axum::http::Method::GET {
                let key = query_pairs(query);
                let mut served = f.served.lock().unwrap();
                if status.as_u16() == 301 {
                    if let Some(l) = &location {
                        served.insert(key, (app, l.clone()));
                    }
                } else if code.as_deref() == Some("1012007") {
                    if let Some((owner, l)) = served.get(&key) {
                        if *owner != app {
                            status = StatusCode::MOVED_PERMANENTLY;
                            location = Some(l.clone());
                            text = String::new();
                        }
                    }
                }
            }
        }
    }
    let mut resp = (status, Bytes::from(text)).into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    if let Some(l) = location {
        resp.headers_mut().insert("location", l);
    }
    resp
}

/// An embedded-mock run whose every platform request goes through a proxy with `misrule`.
async fn run_fronted(misrule: Misrule) -> Report {
    let state = Arc::new(Fronting {
        misrule,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        served: Mutex::new(HashMap::new()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            axum::Router::new().fallback(fronting).with_state(state),
        )
        .await
        .unwrap();
    });
    let front = voicecall_conformance::engine::Front(Arc::new(move |base: &str| {
        format!("{proxy}/__up/{}", hex(base.trim_end_matches('/')))
    }));
    let spec = workspace_spec().expect("spec loads");
    let options = Options {
        front: Some(front),
        ..options()
    };
    run(&spec, Choice::EmbeddedMock, options, &|_, _| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_that_ignores_a_frozen_app_fails_the_frozen_app_scenarios() {
    let report = run_fronted(Misrule::IgnoresFrozenApp).await;
    assert!(!report.passed(), "{}", report.text());
    let failures: Vec<_> = report.failures().collect();
    // Every operation whose table lists 1010008 reports its frozen-app scenario, with
    // the success the platform answered.
    for op in voicecall::operations::Operation::ALL {
        if !op
            .result_codes()
            .contains(&voicecall::codes::ResultCode::AppKeySuspended)
        {
            continue;
        }
        let f = failures
            .iter()
            .find(|f| {
                f.api == op.name()
                    && f.rule
                        .as_deref()
                        .is_some_and(|r| r.starts_with("provisioned/1010008/"))
            })
            .unwrap_or_else(|| panic!("{}: no frozen-app failure\n{}", op.name(), report.text()));
        assert_eq!(f.expected.code.as_deref(), Some("1010008"));
        assert_eq!(
            (f.actual.status, f.actual.code.as_deref()),
            (200, Some("0"))
        );
        assert!(f.doc.contains("app suspended"), "{}", f.doc);
    }
    // Nothing else is blamed: every failure expected the frozen-app code (its own
    // scenarios, and those whose cause is absent from an operation's table and is
    // answered with the nearest code, 1010008 for an app-state cause).
    let rules = failed_rules(&report);
    assert!(
        failures
            .iter()
            .all(|f| f.expected.code.as_deref() == Some("1010008")
                && f.rule
                    .as_deref()
                    .is_some_and(|r| r.starts_with("provisioned/"))),
        "{rules:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_that_serves_another_apps_recording_fails_the_foreign_recording_case() {
    let report = run_fronted(Misrule::ServesForeignRecording).await;
    assert!(!report.passed(), "{}", report.text());
    let rules = failed_rules(&report);
    assert_eq!(rules, ["apps/foreign-recording"], "{}", report.text());
    let f = report.failures().next().unwrap();
    assert_eq!(f.api, "GetRecordingDownloadUrl");
    // App B asked for app A's file and got the 301 A gets.
    assert_eq!(f.expected.code.as_deref(), Some("1012007"));
    assert_eq!(f.actual.status, 301);
    assert!(f.actual.location.is_some());
}
