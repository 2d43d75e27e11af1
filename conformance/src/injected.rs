//! Injected faults: the result codes whose cause lies inside the platform (internal
//! errors, timeouts of network elements, security control of unpublished criteria,
//! [`coverage::NOT_FROM_REQUESTS`]), produced on the embedded mock through its control
//! API ([`Mock::inject`]) and checked to come back exactly as asked.
//!
//! No request can cause these codes, so they stay listed as not reachable in the
//! operations' coverage; what these scenarios check is the mock's fault injection
//! itself — the tool a client's error handling is tested with. For every code an
//! operation's table lists (and with the HTTP status that table gives it), on a mock of
//! its own:
//!
//! 1. the operation's plain request (`provisioned::probe`) gets its own answer (the
//!    baseline);
//! 2. with a fault injected for *another* operation and one for zero requests of this
//!    one, the request still gets the baseline (an injection is for its operation and
//!    its count only);
//! 3. with the fault injected for the next 2 requests of the operation, both get the
//!    code, and the third the baseline again (the count is kept and runs out).
//!
//! A live target cannot be told to fail: the scenarios are listed as skipped there.
//!
//! [`coverage::NOT_FROM_REQUESTS`]: crate::coverage::NOT_FROM_REQUESTS

use std::net::SocketAddr;

use voicecall::auth::{new_nonce, Credentials};
use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation;
use voicecall_mock::{ClockConfig, Mock, MockConfig, MockServer};

use crate::coverage::NOT_FROM_REQUESTS;
use crate::provisioned::probe;
use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{request_for, Response, Sender};

/// The API the scenarios are reported under. Not an operation's: the codes stay listed
/// as not reachable from requests in the operations' coverage.
pub const API: &str = "Injected";

/// Why a live target is not run.
pub const LIVE_REASON: &str = "a fault inside the platform cannot be caused by a request; only the embedded mock can be told to fail (Mock::inject, POST /_mock/inject)";

const APP: &str = "injectedApp";

/// The (operation, code) pairs: every injection-only code each operation's table lists.
fn pairs() -> Vec<(Operation, C)> {
    let mut out = Vec::new();
    for op in Operation::ALL.iter().copied() {
        for (code, _) in NOT_FROM_REQUESTS {
            if op.result_codes().contains(code) {
                out.push((op, *code));
            }
        }
    }
    out
}

fn rule_id(op: Operation, code: C) -> String {
    format!("injected/{}/{}", op.name(), code.code())
}

/// The rule ids of the scenarios, for coverage.
pub fn rule_ids() -> Vec<String> {
    pairs().into_iter().map(|(o, c)| rule_id(o, c)).collect()
}

fn doc(op: Operation, code: C) -> String {
    format!(
        "{} {} injected for the next 2 requests of {} comes back twice, then the baseline; an injection for another operation or for 0 requests changes nothing",
        code.http_status(),
        code.code(),
        op.name()
    )
}

fn result(op: Operation, code: C) -> CaseResult {
    CaseResult {
        api: API.into(),
        id: format!("{API}/{}", rule_id(op, code)),
        rule: Some(rule_id(op, code)),
        doc: doc(op, code),
        expected: Expected {
            status: code.http_status(),
            code: Some(code.code().into()),
        },
        actual: Response::default(),
        verdict: Verdict::Failed,
        note: None,
        request: request_for(op, &probe(op)),
    }
}

/// The scenarios listed as skipped (live targets).
pub fn skipped() -> Vec<CaseResult> {
    pairs()
        .into_iter()
        .map(|(op, code)| CaseResult {
            verdict: Verdict::Skipped,
            note: Some(LIVE_REASON.into()),
            ..result(op, code)
        })
        .collect()
}

/// Runs every scenario, each on a mock of its own.
pub async fn run(sender: &Sender) -> Vec<CaseResult> {
    let mut tasks = Vec::new();
    for (op, code) in pairs() {
        let sender = sender.clone();
        tasks.push(tokio::spawn(
            async move { run_one(&sender, op, code).await },
        ));
    }
    let mut out = Vec::new();
    for t in tasks {
        if let Ok(r) = t.await {
            out.push(r);
        }
    }
    out
}

/// An injection: the operation (None: any) and how many requests.
type Inject = (Option<Operation>, u32);

/// `(status, resultcode)` of an answer.
type Answer = (u16, Option<String>);

/// `(status, code)` of an answer, or None when there was none.
fn answer(r: &Response) -> Option<Answer> {
    r.error.is_none().then(|| (r.status, r.code.clone()))
}

async fn run_one(sender: &Sender, op: Operation, code: C) -> CaseResult {
    let mut out = result(op, code);
    let secret = new_nonce();
    let creds = Credentials::new(APP, secret.clone());
    let mut config = MockConfig::single_app(APP, secret);
    config.clock = ClockConfig::Manual;
    let server =
        match MockServer::start(Mock::new(config), SocketAddr::from(([127, 0, 0, 1], 0))).await {
            Ok(s) => s,
            Err(e) => {
                out.note = Some(format!("could not start the scenario's mock: {e}"));
                return out;
            }
        };
    let base = server.base_url();
    let req = request_for(op, &probe(op));
    let injected = Some((code.http_status(), Some(code.code().to_string())));
    let other = Operation::ALL
        .iter()
        .copied()
        .find(|o| *o != op)
        .unwrap_or(op);
    let baseline = sender.send(&base, &creds, &req).await;
    let want_base = answer(&baseline);
    let mut failure = None;
    if want_base.is_none() || want_base == injected {
        failure = Some(format!(
            "the baseline request got {} {:?}",
            baseline.status, baseline.code
        ));
    }
    // (what, the injection made before the request, the answer wanted) per step.
    let steps: [(&str, Option<Inject>, &Option<Answer>); 4] = [
        (
            "after injecting for another operation and for 0 requests of this one",
            None,
            &want_base,
        ),
        (
            "first of 2 injected requests",
            Some((Some(op), 2)),
            &injected,
        ),
        ("second of 2 injected requests", None, &injected),
        ("after the 2 injected requests", None, &want_base),
    ];
    if failure.is_none() {
        server.mock.inject(Some(other), code, 1);
        server.mock.inject(Some(op), code, 0);
    }
    for (what, inject, want) in steps {
        if failure.is_some() {
            break;
        }
        if let Some((o, n)) = inject {
            server.mock.inject(o, code, n);
        }
        let r = sender.send(&base, &creds, &req).await;
        if answer(&r) != *want {
            failure = Some(format!("{what}: got {:?}, expected {want:?}", answer(&r)));
            out.actual = r;
        } else if want == &injected {
            out.actual = r;
        }
    }
    server.shutdown().await;
    match failure {
        None => out.verdict = Verdict::Passed,
        Some(f) => out.note = Some(f),
    }
    out
}
