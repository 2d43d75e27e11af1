//! Examples: the JSON body says what the verbatim text says, and breaks exactly the
//! rules the fixture expects.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Ctx;
use crate::spec::load::Spec;
use crate::spec::model::*;
use crate::spec::validate::Severity;

pub(super) fn check_fixture(ctx: &mut Ctx, spec: &Spec, fi: usize, i: usize, fx: &Fixture) {
    let p = format!("fixtures[{i}]");
    let Some(verbatim) = spec.aux.get(&fx.verbatim) else {
        ctx.err(
            fi,
            format!("{p}.verbatim"),
            format!("cannot read {}", fx.verbatim),
            "save the example's text under spec/ at this path",
        );
        return;
    };
    let mut found = Vec::new();
    if let Some(body_path) = &fx.body {
        let Some(body) = spec.aux.get(body_path) else {
            ctx.err(
                fi,
                format!("{p}.body"),
                format!("cannot read {body_path}"),
                "save the example's JSON body under spec/ at this path",
            );
            return;
        };
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => {
                ctx.err(
                    fi,
                    format!("{p}.body"),
                    format!("{body_path} is not JSON: {e}"),
                    "repair the JSON (and record what was repaired in an erratum)",
                );
                return;
            }
        };
        if fx.repair == Repair::LineBreaks {
            let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let from_brace = verbatim.find('{').map(|k| &verbatim[k..]).unwrap_or("");
            let pretty_compact = squash(&value.to_string());
            if squash(from_brace) != pretty_compact {
                ctx.err(fi, format!("{p}.body"), format!("{body_path} differs from the verbatim example beyond line breaks"), "make the JSON say exactly what the example says, or mark it `repair: reconstructed` with an erratum");
            }
        }
        match &fx.message {
            Some(m) => found.extend(
                spec.validate_json(m, &value)
                    .into_iter()
                    .map(|v| (v.path, v.rule, v.severity, v.detail)),
            ),
            None => ctx.err(
                fi,
                format!("{p}.message"),
                "a fixture with a body needs `message`",
                "name the message the body is an instance of",
            ),
        }
    }
    if !fx.headers.is_empty() {
        if let Some(hm) = fixture_header_message(spec, fx) {
            let hs: Vec<(String, String)> = fx
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            found.extend(
                spec.validate_headers(&hm, &hs)
                    .into_iter()
                    .map(|v| (v.path, v.rule, v.severity, v.detail)),
            );
        }
    }
    if !fx.query.is_empty() {
        match spec.operation(&fx.of).and_then(|o| o.query.clone()) {
            Some(qm) => {
                let obj: serde_json::Map<String, Value> = fx
                    .query
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                let mut vs = spec.validate_json(&qm, &Value::Object(obj));
                for v in &mut vs {
                    v.path = v.path.replacen("$.", "query:", 1);
                }
                found.extend(
                    vs.into_iter()
                        .map(|v| (v.path, v.rule, v.severity, v.detail)),
                );
            }
            None => ctx.err(
                fi,
                format!("{p}.query"),
                format!("{} has no query parameters", fx.of),
                "remove `query` or attach the example to the right operation",
            ),
        }
    }
    let got: BTreeSet<ExpectedViolation> = found
        .iter()
        .filter(|v| v.2 == Severity::Error || v.2 == Severity::Warning)
        .map(|v| ExpectedViolation {
            path: v.0.clone(),
            rule: v.1.clone(),
        })
        .collect();
    let want: BTreeSet<ExpectedViolation> = fx.expect_violations.iter().cloned().collect();
    for extra in got.difference(&want) {
        let detail = found
            .iter()
            .find(|v| v.0 == extra.path && v.1 == extra.rule)
            .map(|v| v.3.clone())
            .unwrap_or_default();
        ctx.err(fi, format!("{p}.id"), format!("example {} breaks a rule the fixture does not expect: {} [{}] {detail}", fx.id, extra.path, extra.rule), format!("if the example really breaks it, add `- {{path: '{}', rule: {}}}` under expect_violations with the erratum that explains it", extra.path, extra.rule));
    }
    for missing in want.difference(&got) {
        ctx.err(
            fi,
            format!("{p}.expect_violations"),
            format!(
                "example {} is expected to break {} [{}] but does not",
                fx.id, missing.path, missing.rule
            ),
            "remove the stale expectation",
        );
    }
}

/// The header message that applies to a fixture: the request headers of its operation
/// or the push headers of its notification (responses and replies are not checked).
fn fixture_header_message(spec: &Spec, fx: &Fixture) -> Option<String> {
    match fx.kind {
        FixtureKind::Request => spec.operation(&fx.of).map(|o| o.headers.clone()),
        FixtureKind::Push => spec.notification(&fx.of).map(|n| n.headers.clone()),
        FixtureKind::Response => spec
            .operation(&fx.of)
            .and_then(|o| o.success.headers.clone()),
        FixtureKind::Reply => None,
    }
}
