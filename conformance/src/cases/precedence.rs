//! Cases that break two rules at once, of the two defect classes of erratum
//! `parameter-error-codes`: a value outside its row (`rejects.value`) and a required
//! field left out (`rejects.request`). The precedence the spec records — a request that
//! cannot be read is refused as such before any value is judged ([`super::expect`]) —
//! decides the expected code, so a platform that judges values first (or answers the
//! first violation it meets in field order) fails them.
//!
//! Precedence across stages is exercised elsewhere: every signing case of
//! [`crate::signing`] sends a defective header with an unreadable body (`{}`) and expects
//! the signing code, and the provisioned scenarios send an app-state defect with a
//! body that is otherwise valid.

use serde_json::Value;
use voicecall_codegen::spec::validate::Severity;
use voicecall_codegen::spec::Spec;

use super::{expect, mutants, Case, Expect};

const VALUE_KINDS: &[&str] = &["length", "range", "enum", "format"];

/// The top-level field a rule's path names (`$.displayNbr` → `displayNbr`).
fn top_field(path: &str) -> Option<&str> {
    let f = path.strip_prefix("$.")?;
    (!f.contains(['.', '['])).then_some(f)
}

/// Two-violation cases of `operation_id` on top of `base` (its canonical request), at most
/// `limit` of them: each value-class mutant of a top-level field with a different
/// required top-level field left out.
pub fn precedence_cases(
    spec: &Spec,
    operation_id: &str,
    message: &str,
    base: &Value,
    limit: usize,
) -> Vec<Case> {
    let all = mutants(spec, operation_id, base);
    let required: Vec<&Case> = all
        .iter()
        .filter(|c| c.rule.as_ref().is_some_and(|r| r.kind == "required"))
        .filter(|c| c.rule.as_ref().and_then(|r| top_field(&r.path)).is_some())
        .collect();
    let mut out = Vec::new();
    for v in all.iter().filter(|c| {
        c.also.is_empty()
            && c.rule
                .as_ref()
                .is_some_and(|r| VALUE_KINDS.contains(&r.kind.as_str()))
    }) {
        if out.len() >= limit {
            break;
        }
        let Some(vr) = v.rule.as_ref() else { continue };
        let Some(vf) = top_field(&vr.path) else {
            continue;
        };
        let Some(missing) = required.iter().find(|r| {
            r.rule
                .as_ref()
                .and_then(|x| top_field(&x.path))
                .is_some_and(|f| f != vf)
        }) else {
            continue;
        };
        let Some(mr) = missing.rule.as_ref() else {
            continue;
        };
        let Some(mf) = top_field(&mr.path) else {
            continue;
        };
        let mut value = v.value.clone();
        if let Some(o) = value.as_object_mut() {
            o.remove(mf);
        }
        let violations = spec.validate_json(message, &value);
        let errors: Vec<_> = violations
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .collect();
        // Exactly the two rules, one of each class, or no case.
        if errors.len() != 2
            || !errors.iter().any(|x| x.rule == "required")
            || !errors
                .iter()
                .any(|x| VALUE_KINDS.contains(&x.rule.as_str()))
        {
            continue;
        }
        let expected = expect(spec, operation_id, &violations);
        let alone = expect(spec, operation_id, &v.violations);
        if expected == alone || expected == Expect::Accepted {
            continue; // the classes share a code here: nothing to decide
        }
        out.push(Case {
            id: format!("{operation_id}/precedence/{}+{}", vr.id, mr.id),
            operation: operation_id.to_string(),
            rule: Some(vr.clone()),
            also: vec![mr.clone()],
            value,
            expect: expected,
            violations,
            doc: format!(
                "two defects: {} ({}) and {} left out ({}); the unreadable request is refused \
                 as such before values are judged (erratum parameter-error-codes)",
                vr.id, vr.doc, mf, mr.doc
            ),
        });
    }
    out
}
