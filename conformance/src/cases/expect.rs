//! The outcome the spec prescribes for a request, from the oracle's violations.
//!
//! The reference lists two codes for a malformed parameter and never says which defect
//! gets which; the spec decides per operation under `rejects` (erratum
//! `parameter-error-codes`): a request that cannot be read as its table's message gets
//! `rejects.request`, a readable request with a value outside its row gets
//! `rejects.value`. A rule between fields that names its own code (`on_violation`) gets
//! that code. Which class a checker rule is in, and which class wins when a request has
//! both, is the spec's precedence data (`precedence:` in spec/voicecall.yaml). Only the
//! spec is consulted — never the implementation under test.

use voicecall_codegen::spec::model::{
    FieldType, Message, Operation, RejectsClass, RuleEffect, RuleKind,
};
use voicecall_codegen::spec::validate::{Severity, Violation};
use voicecall_codegen::spec::Spec;

use super::scope::{scope, MAX_DEPTH};
use super::Expect;

/// The stage of the spec's precedence (`precedence:`, erratum `check-precedence`) that
/// judges the checker rule `rule`: its position (first checked first) and the operation's
/// `rejects` code it answers. A rule no stage names ranks after every stage and gets
/// `rejects.request` (a spec without a precedence section).
pub(crate) fn stage_of(spec: &Spec, rule: &str) -> (usize, RejectsClass) {
    spec.precedence()
        .and_then(|p| {
            p.stages.iter().enumerate().find_map(|(i, s)| {
                s.rules
                    .iter()
                    .any(|r| r == rule)
                    .then_some((i, s.rejects.unwrap_or(RejectsClass::Request)))
            })
        })
        .unwrap_or((usize::MAX, RejectsClass::Request))
}

/// The outcome the spec prescribes for a request to `operation_id` on which the oracle
/// reported `violations`.
///
/// - No violation of severity error (warnings are rules whose effect is that the
///   platform *ignores* a field): [`Expect::Accepted`].
/// - Each error is judged by the stage of the spec's precedence whose `rules` name it:
///   with the data of spec/voicecall.yaml, `type`, `required`, `unknown_field` and broken
///   rules between fields (`exactly_one_of`, `required_when`, `only_when` with effect
///   `rejected`) by stage `request` (`rejects.request`, or the rule's own `on_violation`
///   code where the spec names one), `length`, `range`, `enum`, `format`, `items` by
///   stage `value` (`rejects.value`).
/// - Several violations: the one whose stage comes first wins (erratum
///   `check-precedence`: a request that cannot be read is refused as such before its
///   values are judged); within a stage the first violation in the oracle's (sorted, so
///   deterministic) order decides.
///
/// An operation the spec does not have cannot be routed: `Rejected { status: 404 }`
/// with an empty code, whatever the violations.
pub fn expect(spec: &Spec, operation_id: &str, violations: &[Violation]) -> Expect {
    let Some(op) = spec.operation(operation_id) else {
        return Expect::Rejected {
            status: 404,
            code: String::new(),
        };
    };
    let reachable = scope(spec, operation_id)
        .map(|s| reachable_messages(spec, s.root))
        .unwrap_or_default();
    let mut best: Option<(usize, u16, String)> = None;
    for v in violations.iter().filter(|v| v.severity == Severity::Error) {
        let Some((rank, status, code)) = classify(spec, op, &reachable, v) else {
            continue;
        };
        if best.as_ref().is_none_or(|(r, _, _)| rank < *r) {
            best = Some((rank, status, code));
        }
    }
    match best {
        None => Expect::Accepted,
        Some((_, status, code)) => Expect::Rejected { status, code },
    }
}

/// The stage rank and code of one error; `None` for a broken rule whose effect is
/// `ignored` (the oracle reports those as warnings, so this only guards a hand-made
/// violation).
fn classify(
    spec: &Spec,
    op: &Operation,
    reachable: &[&Message],
    v: &Violation,
) -> Option<(usize, u16, String)> {
    let (rank, class) = stage_of(spec, &v.rule);
    let rejects = match class {
        RejectsClass::Request => &op.rejects.request,
        RejectsClass::Value => &op.rejects.value,
    };
    let plain = Some((rank, rejects.status, rejects.code.clone()));
    match v.rule.as_str() {
        kind @ ("exactly_one_of" | "required_when" | "only_when") => {
            let rule = reachable.iter().flat_map(|m| m.rules.iter()).find(|r| {
                rule_kind_name(r.kind) == kind && v.detail.starts_with(&format!("{}:", r.id))
            });
            match rule {
                Some(r) if r.effect == RuleEffect::Ignored => None,
                Some(r) => match &r.on_violation {
                    Some(c) => Some((rank, c.status, c.code.clone())),
                    None => plain,
                },
                None => plain,
            }
        }
        _ => plain,
    }
}

/// The oracle's name of a rule kind.
pub(crate) fn rule_kind_name(k: RuleKind) -> &'static str {
    match k {
        RuleKind::ExactlyOneOf => "exactly_one_of",
        RuleKind::RequiredWhen => "required_when",
        RuleKind::OnlyWhen => "only_when",
    }
}

/// `root` and every message nested in it, each once.
fn reachable_messages<'a>(spec: &'a Spec, root: &'a Message) -> Vec<&'a Message> {
    let mut out: Vec<&Message> = vec![root];
    let mut i = 0;
    while let Some(m) = out.get(i).copied() {
        if out.len() > MAX_DEPTH * 8 {
            break;
        }
        let refs: Vec<&str> = m
            .fields
            .iter()
            .filter_map(|f| match f.ty {
                FieldType::Object => f.reference.as_deref(),
                FieldType::Array => f.item.as_ref().and_then(|it| it.reference.as_deref()),
                _ => None,
            })
            .collect();
        for r in refs {
            if let Some(m) = spec.message(r) {
                if !out.iter().any(|o| o.name == m.name) {
                    out.push(m);
                }
            }
        }
        i += 1;
    }
    out
}
