//! The mock judges in the order the spec's precedence records (`precedence:` in
//! spec/voicecall.yaml, erratum `check-precedence`): every pair of adjacent check stages,
//! sent straight to the mock's judge (`Mock::handle`), gets the earlier stage's code,
//! and each stage alone gets its own (so the pair decides something).
//!
//! The pairs a request can reach are the conformance suite's own precedence cases
//! (`cases::precedence_cases`); the pairs with a stage only provisioning reaches (the
//! app's state, request rates) are built here from the mock's config. A stage the spec
//! adds that this file cannot trigger fails the test, naming it.

use std::net::{IpAddr, Ipv4Addr};

use voicecall::auth::{sign_request, Credentials};
use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation;
use voicecall_codegen::spec::model::{CheckStage, StageReach};
use voicecall_codegen::spec::Spec;
use voicecall_conformance::cases::{canonical, mutants, precedence_cases, Expect, StageCase};
use voicecall_conformance::target::{request_for, Request};
use voicecall_conformance::{input_message, workspace_spec};
use voicecall_mock::config::AppState;
use voicecall_mock::{ClockConfig, Mock, MockConfig, MockRequest};

const KEY: &str = "precedenceApp";
const SECRET: &str = "precedenceSecret";
const PEER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// What a stage is made to fail with: a config change, a request change, or both.
#[derive(Clone, Debug, Default)]
struct Trigger {
    state: Option<AppState>,
    max_requests_per_second: Option<u32>,
    max_requests_per_minute: Option<u32>,
    without_x_aksk: bool,
    /// Leave out this required top-level field.
    drop_field: Option<String>,
}

fn mock(t: &[Trigger]) -> Mock {
    let mut cfg = MockConfig::single_app(KEY, SECRET);
    cfg.clock = ClockConfig::Manual;
    for t in t {
        if let Some(s) = t.state {
            cfg.apps[0].state = s;
        }
        if let Some(n) = t.max_requests_per_second {
            cfg.platform.max_requests_per_second = Some(n);
        }
        if let Some(n) = t.max_requests_per_minute {
            cfg.apps[0].max_requests_per_minute = Some(n);
        }
    }
    Mock::new(cfg)
}

fn to_mock(r: &Request, with_x_aksk: bool) -> MockRequest {
    let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
    let mut headers = r.headers.clone();
    headers.push(("Authorization".into(), h.authorization));
    if with_x_aksk {
        headers.push(("X-AKSK".into(), h.x_aksk));
    }
    MockRequest {
        method: r.method.to_string(),
        path: r.path.clone(),
        query: r.query.clone(),
        headers,
        body: r.body.clone().unwrap_or_default().into_bytes(),
    }
}

fn code_of(m: &Mock, req: &MockRequest) -> (u16, Option<String>) {
    let r = m.handle(req, PEER);
    (r.status, r.resultcode())
}

fn spec() -> Spec {
    workspace_spec().expect("the workspace spec loads")
}

fn stages(spec: &Spec) -> Vec<CheckStage> {
    spec.precedence()
        .expect("spec/voicecall.yaml has a precedence: section")
        .stages
        .clone()
}

fn in_stage(stage: &CheckStage, c: C) -> bool {
    stage
        .codes
        .iter()
        .any(|x| x.status == c.http_status() && x.code == c.code())
}

/// A trigger of a provisioning stage on `op`, and the code it gets: the first that the
/// stage lists and the operation's table has.
fn provisioning_trigger(stage: &CheckStage, op: Operation) -> Option<(Trigger, C)> {
    let candidates: Vec<(Trigger, C)> = match stage.id.as_str() {
        "app" => [
            (AppState::Suspended, C::AppKeySuspended),
            (AppState::Unavailable, C::ApplicationUnavailable),
            (AppState::UserInactive, C::AccountNotActive),
            (AppState::TrafficControl, C::TrafficControlled),
            (AppState::Invalid, C::AppKeyInvalid),
        ]
        .into_iter()
        .map(|(s, c)| {
            (
                Trigger {
                    state: Some(s),
                    ..Trigger::default()
                },
                c,
            )
        })
        .collect(),
        "rate" => vec![
            (
                Trigger {
                    max_requests_per_second: Some(0),
                    ..Trigger::default()
                },
                C::PlatformFlowControl,
            ),
            (
                Trigger {
                    max_requests_per_minute: Some(0),
                    ..Trigger::default()
                },
                C::ApiQuotaReached,
            ),
        ],
        other => panic!(
            "stage {other:?} is reached only by provisioning, and this test has no trigger for it: add one"
        ),
    };
    candidates
        .into_iter()
        .find(|(_, c)| in_stage(stage, *c) && op.result_codes().contains(c))
}

/// A trigger of a stage a request reaches, for pairing with a provisioning stage: the
/// X-AKSK header left out, or a required field left out.
fn request_trigger(spec: &Spec, stage: &CheckStage, op: Operation) -> Option<(Trigger, Expect)> {
    let scheme = spec
        .all(|c| &c.signing_schemes)
        .find(|s| s.id == "request")?;
    if let Some(c) = scheme
        .x_aksk
        .missing
        .as_ref()
        .filter(|c| stage.codes.contains(c))
    {
        return Some((
            Trigger {
                without_x_aksk: true,
                ..Trigger::default()
            },
            Expect::Rejected {
                status: c.status,
                code: c.code.clone(),
            },
        ));
    }
    if stage.rules.iter().any(|r| r == "required") {
        let base = canonical(spec, input_message(op));
        let m = mutants(spec, op.name(), &base).into_iter().find(|c| {
            c.rule.as_ref().is_some_and(|r| {
                r.kind == "required"
                    && r.path
                        .strip_prefix("$.")
                        .is_some_and(|f| !f.contains(['.', '[']))
            })
        })?;
        let field = m.rule.as_ref()?.path.strip_prefix("$.")?.to_string();
        return Some((
            Trigger {
                drop_field: Some(field),
                ..Trigger::default()
            },
            m.expect,
        ));
    }
    None
}

fn request(spec: &Spec, op: Operation, triggers: &[Trigger]) -> MockRequest {
    let mut value = canonical(spec, input_message(op));
    for t in triggers {
        if let (Some(f), Some(o)) = (&t.drop_field, value.as_object_mut()) {
            o.remove(f);
        }
    }
    to_mock(
        &request_for(op, &value),
        !triggers.iter().any(|t| t.without_x_aksk),
    )
}

fn want(e: &Expect) -> (u16, Option<String>) {
    match e {
        Expect::Accepted => (200, Some("0".into())),
        Expect::Rejected { status, code } => (*status, Some(code.clone())),
    }
}

fn code(c: C) -> (u16, Option<String>) {
    (c.http_status(), Some(c.code().into()))
}

#[tokio::test]
async fn the_mock_answers_the_earlier_stage_of_every_pair_a_request_reaches() {
    let spec = spec();
    let mut sent = 0;
    let mut failures = Vec::new();
    for op in Operation::ALL.iter().copied() {
        let base = canonical(&spec, input_message(op));
        for StageCase {
            case,
            method,
            without_x_aksk,
        } in precedence_cases(&spec, op.name(), &base, 4)
        {
            let mut r = request_for(op, &case.value);
            if let Some(m) = method {
                r.method = m;
            }
            let got = code_of(&mock(&[]), &to_mock(&r, !without_x_aksk));
            sent += 1;
            if got != want(&case.expect) {
                failures.push(format!(
                    "{}: expected {:?}, the mock answered {got:?} ({}; sent {} {} {:?})",
                    case.id,
                    case.expect,
                    case.doc,
                    r.method,
                    r.path,
                    r.body.as_deref().unwrap_or(&r.query)
                ));
            }
        }
    }
    assert!(sent >= 10, "only {sent} precedence cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn the_mock_answers_the_earlier_stage_of_every_pair_with_a_provisioned_stage() {
    let spec = spec();
    let stages = stages(&spec);
    let mut pairs = 0;
    let mut failures = Vec::new();
    for w in stages.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if a.reach == StageReach::Request && b.reach == StageReach::Request {
            continue; // the suite's own cases, above
        }
        for op in Operation::ALL.iter().copied() {
            let side = |s: &CheckStage| -> Option<(Trigger, (u16, Option<String>))> {
                match s.reach {
                    StageReach::Provisioning => {
                        provisioning_trigger(s, op).map(|(t, c)| (t, code(c)))
                    }
                    StageReach::Request => {
                        request_trigger(&spec, s, op).map(|(t, e)| (t, want(&e)))
                    }
                }
            };
            // A provisioning stage none of whose codes the operation's table lists does
            // not apply to it (表4-30 has no rate-limit code): no pair there.
            let applies = |s: &CheckStage| {
                s.reach == StageReach::Request
                    || s.codes.iter().any(|c| {
                        op.result_codes()
                            .iter()
                            .any(|x| x.http_status() == c.status && x.code() == c.code)
                    })
            };
            if !applies(a) || !applies(b) {
                continue;
            }
            let (Some((ta, ca)), Some((tb, cb))) = (side(a), side(b)) else {
                failures.push(format!(
                    "{}+{} on {}: no trigger for one of the stages",
                    a.id,
                    b.id,
                    op.name()
                ));
                continue;
            };
            if ca == cb {
                continue;
            }
            pairs += 1;
            for (what, triggers, expected) in [
                (format!("{} alone", a.id), vec![ta.clone()], &ca),
                (format!("{} alone", b.id), vec![tb.clone()], &cb),
                (format!("{}+{}", a.id, b.id), vec![ta, tb], &ca),
            ] {
                let got = code_of(&mock(&triggers), &request(&spec, op, &triggers));
                if got != *expected {
                    failures.push(format!(
                        "{what} on {}: expected {expected:?}, the mock answered {got:?}",
                        op.name()
                    ));
                }
            }
        }
    }
    assert!(pairs >= 10, "only {pairs} pairs with a provisioned stage");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_pair_a_request_reaches_has_a_case_on_every_operation_it_applies_to() {
    let spec = spec();
    for op in Operation::ALL.iter().copied() {
        let base = canonical(&spec, input_message(op));
        let ids: std::collections::BTreeSet<String> = precedence_cases(&spec, op.name(), &base, 4)
            .into_iter()
            .filter_map(|c| c.case.rule.map(|r| r.id))
            .collect();
        for want in voicecall_conformance::cases::precedence_rule_ids(&spec, op.name()) {
            assert!(
                ids.contains(&want),
                "{}: no case for {want} (cases: {ids:?})",
                op.name()
            );
        }
    }
    // Every operation has at least route+authentication and authentication+request.
    let ids = voicecall_conformance::cases::precedence_rule_ids(&spec, "TerminateCall");
    assert!(
        ids.contains(&"precedence/route+authentication".to_string()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"precedence/value+operation".to_string()),
        "{ids:?}"
    );
}
