//! Cases for the rows of an operation's request-header table that carry an enum: the
//! `Content-Type` row of 表4-1, 4-6, 5-2 and 6-1 (fixed to `application/json;charset=UTF-8`).
//! The `Authorization` and `X-AKSK` rows (formats `authorization_aksk`, `x_aksk`) are
//! exercised by [`crate::signing`] from the spec's signing scheme.
//!
//! What the spec prescribes, row by row:
//! - the enum value itself, and the spellings the errata `content-type-variants`
//!   (case, white space around `;`) and `sdk-content-type` (no charset parameter) decide
//!   are the same media type: accepted;
//! - any other media type, another charset, or no `Content-Type` at all: the body cannot
//!   be read as the table's message, so the operation's `rejects.request` code (erratum
//!   `content-type-refused`).
//!
//! `GetRecordingDownloadUrl` (表4-26) sends no body; erratum `content-type-on-get` keeps
//! the row required for senders but no body is read, so a receiver has nothing to judge
//! it by: no case is made for it.

use serde_json::Value;
use voicecall_codegen::spec::model::{Method, Scalar};
use voicecall_codegen::spec::Spec;

use super::{Case, Expect, RuleRef};

/// A case of the header table: the body is the operation's canonical request, the
/// `Content-Type` sent is `content_type` (`None`: the header is left out).
#[derive(Debug, Clone)]
pub struct HeaderCase {
    /// The case (value: the canonical body; rule: the header row broken, if any).
    pub case: Case,
    /// The `Content-Type` value sent.
    pub content_type: Option<String>,
}

/// Spellings of a media type that are not the enum value byte for byte yet name it
/// (erratum `content-type-variants`: case-insensitive, white space around `;`;
/// erratum `sdk-content-type`: without the charset parameter).
fn same_type_spellings(value: &str) -> Vec<(String, &'static str)> {
    let mut out = vec![(value.to_string(), "the enum value")];
    if let Some((ty, param)) = value.split_once(';') {
        out.push((
            format!("{ty}; {param}"),
            "a space after ';' (content-type-variants)",
        ));
        out.push((
            value.to_ascii_lowercase(),
            "in lower case (content-type-variants)",
        ));
        out.push((ty.to_string(), "without the charset (sdk-content-type)"));
    }
    out
}

/// Values that break the row: another media type, another charset, nothing.
fn breaking(value: &str) -> Vec<(Option<String>, &'static str, &'static str)> {
    let ty = value.split_once(';').map_or(value, |(t, _)| t);
    vec![
        (None, "required", "the header left out"),
        (
            Some("text/plain;charset=UTF-8".into()),
            "enum",
            "another media type (text/plain)",
        ),
        (
            Some("application/x-www-form-urlencoded".into()),
            "enum",
            "a form, not JSON",
        ),
        (
            Some(format!("{ty};charset=GBK")),
            "enum",
            "the JSON media type in another charset (GBK)",
        ),
        (
            Some(format!("{ty};charset=ISO-8859-1")),
            "enum",
            "the JSON media type in another charset (ISO-8859-1)",
        ),
    ]
}

/// The id of the header rule `kind` of `field` in `message`.
fn rule_ref(message: &str, field: &str, kind: &str, doc: &str) -> RuleRef {
    RuleRef {
        id: format!("{message}.{field}.{kind}"),
        message: message.to_string(),
        field: Some(field.to_string()),
        kind: kind.to_string(),
        doc: doc.to_string(),
        path: format!("header:{field}"),
    }
}

/// The header cases of `operation_id` on top of `base` (its canonical request).
pub fn header_cases(spec: &Spec, operation_id: &str, base: &Value) -> Vec<HeaderCase> {
    let Some(op) = spec.operation(operation_id) else {
        return Vec::new();
    };
    if op.method != Method::Post || op.body.is_none() {
        return Vec::new();
    }
    let Some(message) = spec.message(&op.headers) else {
        return Vec::new();
    };
    let refused = Expect::Rejected {
        status: op.rejects.request.status,
        code: op.rejects.request.code.clone(),
    };
    let mut out = Vec::new();
    for field in &message.fields {
        let values: Vec<&str> = field
            .enum_values
            .iter()
            .filter_map(|e| match &e.value {
                Scalar::Str(s) => Some(s.as_str()),
                Scalar::Int(_) => None,
            })
            .collect();
        if values.is_empty() || !field.name.eq_ignore_ascii_case("Content-Type") {
            continue;
        }
        let doc = format!("{} 表{} {}", op.section, message.table, field.name);
        for (i, v) in values.iter().enumerate() {
            for (j, (spelling, what)) in same_type_spellings(v).into_iter().enumerate() {
                out.push(HeaderCase {
                    case: Case {
                        id: format!("{operation_id}/valid/header.{}.{i}.{j}", field.name),
                        operation: operation_id.to_string(),
                        rule: None,
                        also: Vec::new(),
                        value: base.clone(),
                        expect: Expect::Accepted,
                        violations: Vec::new(),
                        doc: format!("{}: {spelling:?}, {what} ({doc})", field.name),
                    },
                    content_type: Some(spelling),
                });
            }
        }
        let Some(first) = values.first() else {
            continue;
        };
        for (j, (sent, kind, what)) in breaking(first).into_iter().enumerate() {
            let rule = rule_ref(&message.name, &field.name, kind, &doc);
            out.push(HeaderCase {
                case: Case {
                    id: format!("{operation_id}/{}#{j}", rule.id),
                    operation: operation_id.to_string(),
                    rule: Some(rule),
                    also: Vec::new(),
                    value: base.clone(),
                    expect: refused.clone(),
                    violations: Vec::new(),
                    doc: format!(
                        "{}: {}, {what}; the body cannot be read as its message \
                         (rejects.request, erratum content-type-refused; {doc})",
                        field.name,
                        sent.as_deref()
                            .map_or("absent".into(), |s| format!("{s:?}")),
                    ),
                },
                content_type: sent,
            });
        }
    }
    out
}

/// The ids of the header rules of `operation_id` the cases above exercise, for coverage.
pub fn header_rule_ids(spec: &Spec, operation_id: &str) -> Vec<String> {
    let mut ids: Vec<String> = header_cases(spec, operation_id, &Value::Null)
        .into_iter()
        .filter_map(|c| c.case.rule.map(|r| r.id))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_post_operation_has_content_type_cases() {
        let spec = crate::workspace_spec().expect("spec loads");
        for op in voicecall::operations::Operation::ALL {
            let op = spec.operation(op.name()).expect("operation in spec");
            let cases = header_cases(&spec, &op.id, &Value::Null);
            if op.method == Method::Get {
                assert!(cases.is_empty(), "{}", op.id);
                continue;
            }
            assert!(
                cases.iter().any(|c| c.content_type.as_deref()
                    == Some("application/json;charset=GBK")
                    && c.case.expect != Expect::Accepted),
                "{}",
                op.id
            );
            assert!(cases
                .iter()
                .any(|c| c.content_type.is_none() && c.case.expect != Expect::Accepted));
            assert!(cases
                .iter()
                .any(|c| c.content_type.as_deref() == Some("application/json")
                    && c.case.expect == Expect::Accepted));
            assert_eq!(header_rule_ids(&spec, &op.id).len(), 2, "{}", op.id);
        }
    }
}
