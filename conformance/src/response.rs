//! Checks of what comes back, beyond the result code: the body of a response against
//! its message (the spec's checker), and the rules that tie a response or push to the
//! request that caused it (`when.message`: idlePort only when returnIdlePort is "true";
//! partyType only when partyTypeRequiredInDisconnect is "true").

use serde_json::{Map, Value};
use voicecall_codegen::spec::model::{ConditionOp, RuleEffect, RuleKind, Scalar};
use voicecall_codegen::spec::validate::Severity;
use voicecall_codegen::spec::Spec;

/// What is wrong with a body: one line per violation, with the row of the reference.
/// Fields in `may_omit` (the response's spec `may_omit`, e.g. a failure's sessionId) may
/// be absent or empty.
pub fn check(
    spec: &Spec,
    message: &str,
    body: &Value,
    request: Option<(&str, &Value)>,
    may_omit: &[String],
) -> Vec<String> {
    let excused = |path: &str, rule: &str| {
        (rule == "required" || rule == "length")
            && may_omit.iter().any(|f| path == format!("$.{f}"))
            && body
                .get(path.trim_start_matches("$."))
                .is_none_or(|v| v.as_str() == Some(""))
    };
    let mut out: Vec<String> = spec
        .validate_json(message, body)
        .into_iter()
        .filter(|v| v.severity == Severity::Error && !excused(&v.path, &v.rule))
        .map(|v| v.to_string())
        .collect();
    if let (Some((req_name, req)), Some(obj)) = (request, body.as_object()) {
        out.extend(context_rules(spec, message, obj, req_name, req));
    }
    out
}

/// The rules of `message` whose condition is on the request `req_name`, checked with the
/// request's values (a field absent from the request takes its default).
pub fn context_rules(
    spec: &Spec,
    message: &str,
    obj: &Map<String, Value>,
    req_name: &str,
    req: &Value,
) -> Vec<String> {
    let (Some(msg), Some(req_msg)) = (spec.message(message), spec.message(req_name)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rule in &msg.rules {
        let Some(c) = rule
            .when
            .as_ref()
            .filter(|c| c.message.as_deref() == Some(req_name))
        else {
            continue;
        };
        if rule.effect == RuleEffect::Ignored {
            continue;
        }
        let default = req_msg
            .fields
            .iter()
            .find(|f| f.name == c.field)
            .and_then(|f| f.default.clone());
        let value = req.get(&c.field).cloned().or_else(|| {
            default.map(|d| match d {
                Scalar::Int(i) => Value::from(i),
                Scalar::Str(s) => Value::String(s),
            })
        });
        let eq = |want: &Scalar, v: &Value| match (want, v) {
            (Scalar::Str(s), Value::String(x)) => s == x,
            (Scalar::Str(s), Value::Bool(b)) => s == &b.to_string(),
            (Scalar::Int(i), v) => v.as_i64() == Some(*i),
            _ => false,
        };
        let holds = match (c.op, &c.value, &value) {
            (ConditionOp::Present, _, v) => v.is_some() && req.get(&c.field).is_some(),
            (ConditionOp::Equals, Some(want), Some(v)) => eq(want, v),
            (ConditionOp::NotEquals, Some(want), Some(v)) => !eq(want, v),
            _ => false,
        };
        let required = rule.kind == RuleKind::RequiredWhen;
        if rule.kind == RuleKind::ExactlyOneOf {
            continue;
        }
        for f in &rule.fields {
            if holds == required && obj.contains_key(f) != required {
                out.push(format!(
                    "$.{f} [{}] {}: {} ({} 表{} {})",
                    if required {
                        "required_when"
                    } else {
                        "only_when"
                    },
                    rule.id,
                    rule.description,
                    rule.doc.section,
                    rule.doc.table.as_deref().unwrap_or(&msg.table),
                    rule.doc.row.as_deref().unwrap_or("")
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn idle_port_only_when_requested() {
        let spec = crate::workspace_spec().unwrap();
        let resp =
            json!({"resultcode": "0", "resultdesc": "Success", "sessionId": "s", "idlePort": 3});
        let asked = json!({"returnIdlePort": "true"});
        let not_asked = json!({});
        let m = "CreateVoiceCallbackResponse";
        let r = "CreateVoiceCallbackRequest";
        assert!(check(&spec, m, &resp, Some((r, &asked)), &[]).is_empty());
        let v = check(&spec, m, &resp, Some((r, &not_asked)), &[]);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].contains("idlePort"), "{v:?}");
        // A failure may leave sessionId out or empty (erratum session-id-empty-on-failure).
        let failure = json!({"resultcode": "1010002", "resultdesc": "Invalid request."});
        assert_eq!(check(&spec, m, &failure, None, &[]).len(), 1);
        assert!(check(&spec, m, &failure, None, &["sessionId".into()]).is_empty());
        let empty = json!({"resultcode": "1010002", "resultdesc": "x", "sessionId": ""});
        // partyType in a disconnect push only when the callback asked for it.
        let info =
            json!({"timestamp": "2019-01-24 03:04:49", "sessionId": "s", "partyType": "callee"});
        let info = info.as_object().unwrap();
        let d = "CallbackDisconnectInfo";
        let unasked = context_rules(&spec, d, info, r, &json!({}));
        assert!(
            unasked.iter().any(|p| p.contains("partyType")),
            "{unasked:?}"
        );
        let asked = json!({"partyTypeRequiredInDisconnect": "true"});
        assert!(context_rules(&spec, d, info, r, &asked).is_empty());
        assert!(check(&spec, m, &empty, None, &["sessionId".into()]).is_empty());
    }
}
