//! Cases that break two rules at once, one in each of two adjacent check stages of the
//! spec's precedence (`precedence:` in spec/voicecall.yaml, erratum `check-precedence`):
//! the earlier stage decides the code, so a platform that judges in another order (or
//! answers the first defect it meets in field order) fails them.
//!
//! Everything that decides a case comes from the spec: the order of the stages, which
//! of them a request can reach (`reach: request`), which checker rules a stage judges
//! (`rules`, with the operation's `rejects` code through [`super::expect`]), the codes
//! of the route stage, the signing scheme's code for a missing `X-AKSK` (which must be
//! one of the authentication stage's codes), and the probes of a stage (a field set to
//! a value that names nothing, with its code). What is fixed here is only *how* a
//! request is made to fail a stage of each kind — [`Break`] — and a stage the spec adds
//! that none of them fits yields no case, which the coverage reports (its pair id,
//! [`precedence_rule_ids`], stays unexercised) and a test of this crate catches.
//!
//! One pair of adjacent stages gives a case per operation where both stages apply to the
//! operation and answer different codes for it (the recording download answers
//! 403/1010002 for both classes of parameter defect: nothing to decide there). The
//! stages only provisioning reaches (the app, rates) are paired on the embedded mock by
//! the mock's own precedence test (`conformance/tests/precedence.rs`).

use serde_json::Value;
use voicecall_codegen::spec::model::{CheckStage, CodeRef, Method, StageProbe, StageReach};
use voicecall_codegen::spec::validate::Severity;
use voicecall_codegen::spec::Spec;

use super::{expect, mutants, Case, Expect, RuleRef};

/// How a request is made to fail one stage.
#[derive(Debug, Clone)]
enum Break<'a> {
    /// Sent with another method than the operation's (stage answering a route code).
    Method(&'static str, CodeRef),
    /// Sent without the `X-AKSK` header (the stage holding the signing scheme's
    /// "X-AKSK missing" code).
    NoXAksk(CodeRef),
    /// A body (or query) defect the oracle reports under one of the stage's `rules`.
    Rules(&'a CheckStage),
    /// A field set to a value that names nothing (one of the stage's `probes`).
    Probe(&'a StageProbe),
}

/// A precedence case: the body (or query) and expected outcome, and what else to do to
/// the request.
#[derive(Debug, Clone)]
pub struct StageCase {
    /// The case; its `rule` is `precedence/<first>+<second>`, `also` the rules its
    /// value breaks.
    pub case: Case,
    /// The method to send with instead of the operation's.
    pub method: Option<&'static str>,
    /// Leave the `X-AKSK` header out (the `Authorization` header stays correct).
    pub without_x_aksk: bool,
}

/// The id of the rule a pair of stages is exercised under: `precedence/<first>+<second>`.
pub fn pair_rule_id(first: &str, second: &str) -> String {
    format!("precedence/{first}+{second}")
}

/// The spec's stages a request alone can reach, in order.
fn reachable(spec: &Spec) -> Vec<&CheckStage> {
    spec.precedence()
        .map(|p| {
            p.stages
                .iter()
                .filter(|s| s.reach == StageReach::Request)
                .collect()
        })
        .unwrap_or_default()
}

/// How `stage` is failed on `operation_id`, if the operation has it and some way fits.
fn how<'a>(spec: &'a Spec, operation_id: &str, stage: &'a CheckStage) -> Option<Break<'a>> {
    let op = spec.operation(operation_id)?;
    let listed = |c: &CodeRef| {
        spec.result_code_table(&op.result_codes).is_some_and(|t| {
            t.rows
                .iter()
                .any(|r| r.status == c.status && r.code.as_deref() == Some(c.code.as_str()))
        })
    };
    if stage.rejects.is_some() && !stage.rules.is_empty() {
        return Some(Break::Rules(stage));
    }
    if let Some(p) = stage.probes.iter().find(|p| p.operation == operation_id) {
        return Some(Break::Probe(p));
    }
    let scheme = spec
        .all(|c| &c.signing_schemes)
        .find(|s| s.id == op.signing)?;
    if let Some(c) = scheme
        .x_aksk
        .missing
        .as_ref()
        .filter(|c| stage.codes.contains(c) && listed(c))
    {
        return Some(Break::NoXAksk(c.clone()));
    }
    // A route stage: its code is the 表's answer to a method the path does not take.
    // (表4-5 1010006: 检查请求方法填写是否正确, "check the request method").
    let route = spec
        .all(|c| &c.result_code_tables)
        .flat_map(|t| &t.rows)
        .any(|r| {
            r.remedy.contains("请求方法")
                && stage
                    .codes
                    .iter()
                    .any(|c| r.code.as_deref() == Some(c.code.as_str()))
        });
    if route {
        let other = match op.method {
            Method::Get => "POST",
            _ => "GET",
        };
        if let Some(c) = stage.codes.iter().find(|c| listed(c)) {
            return Some(Break::Method(other, c.clone()));
        }
    }
    None
}

/// The code `b` alone gets on `operation_id`, for the breaks whose code is fixed.
fn fixed_code(b: &Break) -> Option<Expect> {
    let c = match b {
        Break::Method(_, c) | Break::NoXAksk(c) => c,
        Break::Probe(p) => &p.code,
        Break::Rules(_) => return None,
    };
    Some(Expect::Rejected {
        status: c.status,
        code: c.code.clone(),
    })
}

/// The top-level field a rule's path names (`$.displayNbr` → `displayNbr`).
fn top_field(path: &str) -> Option<&str> {
    let f = path.strip_prefix("$.")?;
    (!f.contains(['.', '['])).then_some(f)
}

/// A body change that fails a [`Break::Rules`] or [`Break::Probe`] stage: the top-level
/// field it touches, its new value (`None`: left out) and the rules it breaks.
#[derive(Debug, Clone)]
struct Change {
    field: String,
    value: Option<Value>,
    rules: Vec<RuleRef>,
    /// The code the change alone gets.
    alone: Expect,
    what: String,
}

fn changes(spec: &Spec, operation_id: &str, base: &Value, b: &Break, all: &[Case]) -> Vec<Change> {
    if !base.is_object() {
        return Vec::new(); // a change is a top-level member of the body (or query)
    }
    match b {
        Break::Probe(p) => vec![Change {
            field: p.field.clone(),
            value: Some(Value::String(p.value.clone())),
            rules: Vec::new(),
            alone: fixed_code(b).unwrap_or(Expect::Accepted),
            what: format!("{} {:?} names nothing", p.field, p.value),
        }],
        Break::Rules(stage) => all
            .iter()
            .filter(|c| c.also.is_empty())
            .filter_map(|c| {
                let r = c.rule.as_ref()?;
                if !stage.rules.contains(&r.kind) {
                    return None;
                }
                let f = top_field(&r.path)?;
                Some(Change {
                    field: f.to_string(),
                    value: c.value.get(f).cloned(),
                    rules: vec![r.clone()],
                    alone: expect(spec, operation_id, &c.violations),
                    what: format!("{} ({})", r.id, r.doc),
                })
            })
            .filter(|c| c.alone != Expect::Accepted)
            .collect(),
        Break::Method(..) | Break::NoXAksk(_) => Vec::new(),
    }
}

fn apply(value: &mut Value, c: &Change) {
    if let Some(o) = value.as_object_mut() {
        match &c.value {
            Some(v) => {
                o.insert(c.field.clone(), v.clone());
            }
            None => {
                o.remove(&c.field);
            }
        }
    }
}

/// The ids (`precedence/<first>+<second>`) of the pairs of adjacent stages a request can
/// reach that `operation_id` has and that answer it different codes — what the
/// coverage of the operation requires [`precedence_cases`] to exercise. Empty without a
/// `precedence:` section.
pub fn precedence_rule_ids(spec: &Spec, operation_id: &str) -> Vec<String> {
    let Some(op) = spec.operation(operation_id) else {
        return Vec::new();
    };
    let stages = reachable(spec);
    let mut out = Vec::new();
    for w in stages.windows(2) {
        let (a, b) = (w[0], w[1]);
        // A stage applies to the operation when it judges the parameter tables, or
        // when it has a probe for it (a stage with probes) and a code its table lists.
        let listed = |c: &CodeRef| {
            spec.result_code_table(&op.result_codes).is_some_and(|t| {
                t.rows
                    .iter()
                    .any(|r| r.status == c.status && r.code.as_deref() == Some(c.code.as_str()))
            })
        };
        let applies = |s: &CheckStage| {
            s.rejects.is_some()
                || ((s.probes.is_empty() || s.probes.iter().any(|p| p.operation == op.id))
                    && s.codes.iter().any(listed))
        };
        if !applies(a) || !applies(b) {
            continue;
        }
        let code = |s: &CheckStage| match s.rejects {
            Some(voicecall_codegen::spec::model::RejectsClass::Request) => {
                Some(op.rejects.request.clone())
            }
            Some(voicecall_codegen::spec::model::RejectsClass::Value) => {
                Some(op.rejects.value.clone())
            }
            None => None,
        };
        if let (Some(x), Some(y)) = (code(a), code(b)) {
            if x == y {
                continue; // one code for both: nothing to decide
            }
        }
        out.push(pair_rule_id(&a.id, &b.id));
    }
    out
}

/// Two-defect cases of `operation_id` on top of `base` (its canonical request): for each
/// pair of adjacent stages a request can reach, requests failing both, at most `limit`
/// per pair, each expecting the earlier stage's code.
pub fn precedence_cases(
    spec: &Spec,
    operation_id: &str,
    base: &Value,
    limit: usize,
) -> Vec<StageCase> {
    let Some(message) = super::scope::scope(spec, operation_id).map(|s| s.root.name.clone()) else {
        return Vec::new();
    };
    let all = mutants(spec, operation_id, base);
    let wanted = precedence_rule_ids(spec, operation_id);
    let stages = reachable(spec);
    let mut out = Vec::new();
    for w in stages.windows(2) {
        let (a, b) = (w[0], w[1]);
        let id = pair_rule_id(&a.id, &b.id);
        if !wanted.contains(&id) {
            continue;
        }
        let (Some(ha), Some(hb)) = (how(spec, operation_id, a), how(spec, operation_id, b)) else {
            continue;
        };
        let ca = changes(spec, operation_id, base, &ha, &all);
        let cb = changes(spec, operation_id, base, &hb, &all);
        // Each side: its body change (none for a header or method break).
        let side = |h: &Break, c: &[Change]| -> Vec<Option<Change>> {
            match h {
                Break::Method(..) | Break::NoXAksk(_) => vec![None],
                _ => c.iter().cloned().map(Some).collect(),
            }
        };
        let mut made = 0;
        'pairs: for x in side(&ha, &ca) {
            for y in side(&hb, &cb) {
                if made >= limit {
                    break 'pairs;
                }
                if let (Some(x), Some(y)) = (&x, &y) {
                    if x.field == y.field {
                        continue;
                    }
                }
                let mut value = base.clone();
                for c in [&y, &x].into_iter().flatten() {
                    apply(&mut value, c);
                }
                let violations = spec.validate_json(&message, &value);
                let errors: Vec<_> = violations
                    .iter()
                    .filter(|v| v.severity == Severity::Error)
                    .collect();
                // The body breaks exactly the rules of the changes, one error each.
                let rules: Vec<&RuleRef> = [&x, &y]
                    .into_iter()
                    .flatten()
                    .flat_map(|c| &c.rules)
                    .collect();
                if errors.len() != rules.len()
                    || !rules
                        .iter()
                        .all(|r| errors.iter().any(|e| e.rule == r.kind))
                {
                    continue;
                }
                let of = |h: &Break, c: &Option<Change>| {
                    fixed_code(h).or_else(|| c.as_ref().map(|c| c.alone.clone()))
                };
                let (Some(first), Some(second)) = (of(&ha, &x), of(&hb, &y)) else {
                    continue;
                };
                if first == second {
                    continue;
                }
                // Where the first is a body defect, the oracle must agree with the order.
                if matches!(ha, Break::Rules(_)) && expect(spec, operation_id, &violations) != first
                {
                    continue;
                }
                let describe = |h: &Break, c: &Option<Change>| match (h, c) {
                    (Break::Method(m, _), _) => format!("sent with method {m}"),
                    (Break::NoXAksk(_), _) => "the X-AKSK header left out".to_string(),
                    (_, Some(c)) => c.what.clone(),
                    (_, None) => String::new(),
                };
                let detail: Vec<String> = [&x, &y]
                    .into_iter()
                    .flatten()
                    .map(|c| c.rules.first().map_or(c.field.clone(), |r| r.id.clone()))
                    .collect();
                let case_id = if detail.is_empty() {
                    format!("{operation_id}/{id}")
                } else {
                    format!("{operation_id}/{id}/{}", detail.join("+"))
                };
                out.push(StageCase {
                    case: Case {
                        id: case_id,
                        operation: operation_id.to_string(),
                        rule: Some(RuleRef {
                            id: id.clone(),
                            message: message.clone(),
                            field: None,
                            kind: "precedence".into(),
                            doc: "erratum check-precedence".into(),
                            path: "$".into(),
                        }),
                        also: rules.into_iter().cloned().collect(),
                        value,
                        expect: first,
                        violations,
                        doc: format!(
                            "two defects: {} (stage {}) and {} (stage {}); stage {} is checked first (precedence, erratum check-precedence)",
                            describe(&ha, &x),
                            a.id,
                            describe(&hb, &y),
                            b.id,
                            a.id
                        ),
                    },
                    method: match &ha {
                        Break::Method(m, _) => Some(*m),
                        _ => match &hb {
                            Break::Method(m, _) => Some(*m),
                            _ => None,
                        },
                    },
                    without_x_aksk: matches!(ha, Break::NoXAksk(_))
                        || matches!(hb, Break::NoXAksk(_)),
                });
                made += 1;
            }
        }
    }
    out
}
