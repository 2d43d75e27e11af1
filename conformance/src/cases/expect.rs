//! The outcome the spec prescribes for a request, from the oracle's violations.
//!
//! The reference lists two codes for a malformed parameter and never says which defect
//! gets which; the spec decides per operation under `rejects` (erratum
//! `parameter-error-codes`): a request that cannot be read as its table's message gets
//! `rejects.request`, a readable request with a value outside its row gets
//! `rejects.value`. A rule between fields that names its own code (`on_violation`) gets
//! that code. Only the spec is consulted — never the implementation under test.

use voicecall_codegen::spec::model::{FieldType, Message, Operation, RuleEffect, RuleKind};
use voicecall_codegen::spec::validate::{Severity, Violation};
use voicecall_codegen::spec::Spec;

use super::scope::{scope, MAX_DEPTH};
use super::Expect;

/// Which of the two defect classes a violation belongs to; `Request` outranks `Value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// A value outside its row (length, range, enum, format, number of items).
    Value,
    /// The request cannot be read as the message (type, required, unknown field, rules).
    Request,
}

/// The outcome the spec prescribes for a request to `operation_id` on which the oracle
/// reported `violations`.
///
/// - No violation of severity error (warnings are rules whose effect is that the
///   platform *ignores* a field): [`Expect::Accepted`].
/// - `length`, `range`, `enum`, `format`, `items`: the operation's `rejects.value`.
/// - `type`, `required`, `unknown_field`, and broken rules between fields
///   (`exactly_one_of`, `required_when`, `only_when` with effect `rejected`):
///   `rejects.request`, or the rule's own `on_violation` code where the spec names one.
/// - Several violations: a `request`-class one wins over any `value`-class one, because
///   the gateway rejects a request it cannot read before the voice service looks at
///   values (the 10100xx codes are the gateway's, the 1020xxx the service's); within a
///   class the first violation in the oracle's (sorted, so deterministic) order decides.
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
    let mut best: Option<(Class, u16, String)> = None;
    for v in violations.iter().filter(|v| v.severity == Severity::Error) {
        let Some((class, status, code)) = classify(op, &reachable, v) else {
            continue;
        };
        if best.as_ref().is_none_or(|(c, _, _)| class > *c) {
            best = Some((class, status, code));
        }
    }
    match best {
        None => Expect::Accepted,
        Some((_, status, code)) => Expect::Rejected { status, code },
    }
}

/// The class and code of one error; `None` for a broken rule whose effect is `ignored`
/// (the oracle reports those as warnings, so this only guards a hand-made violation).
fn classify(op: &Operation, reachable: &[&Message], v: &Violation) -> Option<(Class, u16, String)> {
    let request = || {
        Some((
            Class::Request,
            op.rejects.request.status,
            op.rejects.request.code.clone(),
        ))
    };
    match v.rule.as_str() {
        "length" | "range" | "enum" | "format" | "items" => Some((
            Class::Value,
            op.rejects.value.status,
            op.rejects.value.code.clone(),
        )),
        kind @ ("exactly_one_of" | "required_when" | "only_when") => {
            let rule = reachable.iter().flat_map(|m| m.rules.iter()).find(|r| {
                rule_kind_name(r.kind) == kind && v.detail.starts_with(&format!("{}:", r.id))
            });
            match rule {
                Some(r) if r.effect == RuleEffect::Ignored => None,
                Some(r) => match &r.on_violation {
                    Some(c) => Some((Class::Request, c.status, c.code.clone())),
                    None => request(),
                },
                None => request(),
            }
        }
        _ => request(),
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
