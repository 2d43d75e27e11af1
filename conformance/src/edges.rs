//! Edges of reading a request that the generated cases do not reach, each found by a
//! mutant of the mock that survived the suite (MUTANTS.md, "Survivors"):
//!
//! - **a fraction in an optional integer field** (`"maxDuration": 1.5`): the row's type
//!   is Integer, so the request cannot be read as its message → `rejects.request` (spec,
//!   oracle). A platform that read the fraction as "absent" (as JSON `null` is) would
//!   accept it; the wrong-type cases of the generator only send strings for integers.
//!   Runs on the embedded mock; on a live target it is listed (a platform that wrongly
//!   accepted it would place a call), the same `.type` rules being exercised by the
//!   generated cases there.
//! - **a value-class violation before a request-class one in field order** (an enum
//!   value outside its row, then a later String field given a number): `rejects.request`
//!   wins (spec precedence, [`crate::cases::expect`]). Embedded mock only.
//! - **a wrong method on an operation whose table lacks 1010006** (the recording
//!   download, 表4-30): the mock answers the table's nearest code, 1010002
//!   ([`nearest_in_table`]); the reference gives none (erratum `result-code-coverage`),
//!   so embedded mock only.
//! - **the body size limit** of the embedded mock (`platform.max_body_bytes`, 64 KiB by
//!   default; the reference states no limit for these APIs — the only size it names is
//!   the 12 MB of Huawei Cloud's AK/SK signing, §3.2 约束与限制): a body of exactly the
//!   limit is read (JSON padded with insignificant whitespace, RFC 8259 §2), one byte
//!   more is refused with `rejects.request` (the mock's choice, its README). Embedded
//!   mock only.
//! - **a literal `+` in the recording download's query** (the generated cases
//!   percent-encode every byte): read (as a space), no such recording → 1012007.
//!   Embedded mock only.
//! - **a media-type parameter other than charset** in Content-Type: ignored, the body
//!   read (the mock's reading; erratum `content-type-variants` fixes only the media type
//!   and the charset). Embedded mock only.

use serde_json::{json, Value};
use voicecall::auth::Credentials;
use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation;
use voicecall_codegen::spec::model::FieldType;
use voicecall_codegen::spec::validate::Severity;
use voicecall_codegen::spec::Spec;

use crate::cases::{canonical, expect, Expect};
use crate::provisioned::{nearest_in_table, probe};
use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{request_for, Request, Response, Sender};

/// Why the edges are not sent to a live target.
pub const LIVE_REASON: &str = "checks a choice of the embedded mock where the reference is silent (its body size limit, the code for a cause its table lacks), or would place a call on a live platform that wrongly accepted it";

/// One edge case.
struct Edge {
    op: Operation,
    rule: String,
    doc: String,
    request: Request,
    expected: Expected,
}

/// The number that replaces an integer: a fraction, which no Integer row admits.
const FRACTION: f64 = 1.5;

fn fraction_edges(spec: &Spec, op: Operation, out: &mut Vec<Edge>) {
    let Some(sop) = spec.operation(op.name()) else {
        return;
    };
    let Some(root) = sop.body.as_deref().and_then(|b| spec.message(b)) else {
        return;
    };
    let base = canonical(spec, &root.name);
    // (JSON pointer, message.field) of every optional integer field the canonical request
    // has, at the top level and in the first item of an array of messages.
    let mut targets: Vec<(String, String)> = Vec::new();
    for f in &root.fields {
        match f.ty {
            FieldType::Integer if !f.required && base.get(&f.name).is_some() => {
                targets.push((format!("/{}", f.name), format!("{}.{}", root.name, f.name)))
            }
            FieldType::Array => {
                let Some(m) = f
                    .item
                    .as_ref()
                    .and_then(|i| i.reference.as_deref())
                    .and_then(|r| spec.message(r))
                else {
                    continue;
                };
                let first = format!("/{}/0", f.name);
                for g in &m.fields {
                    let ptr = format!("{first}/{}", g.name);
                    if g.ty == FieldType::Integer && !g.required && base.pointer(&ptr).is_some() {
                        targets.push((ptr, format!("{}.{}", m.name, g.name)));
                    }
                }
            }
            _ => {}
        }
    }
    for (ptr, name) in targets {
        let mut v = base.clone();
        if let Some(slot) = v.pointer_mut(&ptr) {
            *slot = json!(FRACTION);
        }
        let violations = spec.validate_json(&root.name, &v);
        let Expect::Rejected { status, code } = expect(spec, op.name(), &violations) else {
            continue;
        };
        out.push(Edge {
            op,
            rule: format!("edge/integer-fraction/{name}"),
            doc: format!(
                "{name} = {FRACTION}: a number that is not an Integer (the row's type) must be refused, not read as absent ({})",
                violations
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            request: request_for(op, &v),
            expected: Expected {
                status,
                code: Some(code),
            },
        });
    }
}

/// A value outside an enum row, in a field the message lists *before* a field of the
/// wrong JSON type: the request cannot be read, so `rejects.request` wins (the
/// precedence of [`crate::cases::expect`], erratum `parameter-error-codes`) although the
/// value-class violation comes first in field order. The generated precedence cases
/// leave out a required field, which every message lists first; this is the order in
/// which a platform that keeps the first violation it meets answers the wrong code.
fn order_edges(spec: &Spec, op: Operation, out: &mut Vec<Edge>) {
    let Some(root) = spec
        .operation(op.name())
        .and_then(|o| o.body.as_deref())
        .and_then(|b| spec.message(b))
    else {
        return;
    };
    let base = canonical(spec, &root.name);
    for (i, f) in root.fields.iter().enumerate() {
        if f.ty != FieldType::String || f.enum_values.is_empty() || base.get(&f.name).is_none() {
            continue;
        }
        let Some(g) = root.fields[i + 1..]
            .iter()
            .rev()
            .find(|g| g.ty == FieldType::String && base.get(&g.name).is_some())
        else {
            continue;
        };
        let mut v = base.clone();
        v[&f.name] = json!("zz");
        v[&g.name] = json!(1);
        let violations = spec.validate_json(&root.name, &v);
        let errors: Vec<&str> = violations
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .map(|x| x.rule.as_str())
            .collect();
        if errors.len() != 2 || !errors.contains(&"enum") || !errors.contains(&"type") {
            continue;
        }
        let Expect::Rejected { status, code } = expect(spec, op.name(), &violations) else {
            continue;
        };
        out.push(Edge {
            op,
            rule: "edge/order.enum-then-type".into(),
            doc: format!(
                "{}.{} = \"zz\" (outside its enum) and the later {} = 1 (not a String): the unreadable request wins whatever the field order",
                root.name, f.name, g.name
            ),
            request: request_for(op, &v),
            expected: Expected {
                status,
                code: Some(code),
            },
        });
        return;
    }
}

fn edges(spec: &Spec, max_body: usize) -> Vec<Edge> {
    let mut out = Vec::new();
    for op in Operation::ALL.iter().copied() {
        fraction_edges(spec, op, &mut out);
        order_edges(spec, op, &mut out);
        // Wrong method where the table lacks 1010006 (where it has it, the routing case
        // of `signing` expects 1010006 on every target).
        if !op.result_codes().contains(&C::InvalidRestApi) {
            let answer = nearest_in_table(op, C::InvalidRestApi);
            let method = if op.method() == "GET" { "POST" } else { "GET" };
            out.push(Edge {
                op,
                rule: "edge/wrong-method".into(),
                doc: format!(
                    "{method} on {}: the table lacks 1010006, the mock answers its nearest code {} (conformance/mock/README.md)",
                    op.wire_path(),
                    answer.code()
                ),
                request: Request {
                    method,
                    body: None,
                    headers: Vec::new(),
                    ..request_for(op, &probe(op))
                },
                expected: expected(answer),
            });
        }
    }
    // The body size limit, on callStop (no call is placed): its probe names no live
    // session, so a body that is read gets 1020152.
    let op = Operation::TerminateCall;
    let body = probe(op).to_string();
    let rejects = spec.operation(op.name()).map(|o| o.rejects.request.clone());
    for (what, len, want) in [
        (
            "exactly platform.max_body_bytes: read (the probe's own answer, no such session)",
            max_body,
            Some(expected(C::InvalidSessionId)),
        ),
        (
            "one byte over platform.max_body_bytes: refused as an unreadable request (rejects.request)",
            max_body + 1,
            rejects.map(|r| Expected {
                status: r.status,
                code: Some(r.code),
            }),
        ),
    ] {
        let Some(want) = want else { continue };
        let mut padded = body.clone();
        padded.push_str(&" ".repeat(len.saturating_sub(body.len())));
        let mut request = request_for(op, &Value::Null);
        request.body = Some(padded);
        out.push(Edge {
            op,
            rule: format!(
                "edge/body-size.{}",
                if len > max_body { "over" } else { "max" }
            ),
            doc: format!("a {len}-byte body (JSON and trailing spaces), {what}"),
            request,
            expected: want,
        });
    }
    // A literal `+` in the download's query: a space in a form-encoded query (the
    // reading the mock and browsers share); either way no recording has that name, so
    // the answer is 1012007 — what matters is that the `+` is read at all.
    let dl = Operation::GetRecordingDownloadUrl;
    let mut request = request_for(dl, &probe(dl));
    request.query = "fileName=edge+none+1.wav&recordDomain=record.example.com".into();
    out.push(Edge {
        op: dl,
        rule: "edge/query.plus".into(),
        doc:
            "fileName=edge+none+1.wav (a literal + in the query): read, no such recording → 1012007"
                .into(),
        request,
        expected: expected(C::RecordNotFound),
    });
    // Length is counted after decoding (表4-26 fileName String(1-128), erratum
    // `length-unit`: characters of the value): 60 percent-escaped characters and a `+`
    // are 181 bytes on the wire but 61 characters, inside the row, so the request is read
    // (no such recording → 1012007). A platform that counted the encoded query, or
    // decoded `+` or `%XX` into more than one character, would answer 1010002.
    let mut request = request_for(dl, &probe(dl));
    request.query = format!(
        "fileName={}+&recordDomain=record.example.com",
        "%41".repeat(60)
    );
    out.push(Edge {
        op: dl,
        rule: "edge/query.length-after-decoding".into(),
        doc: "fileName of 60 %41 escapes then + (181 bytes encoded, 61 characters decoded): inside String(1-128), read, no such recording → 1012007".into(),
        request,
        expected: expected(C::RecordNotFound),
    });
    // A media-type parameter other than charset: the mock reads the body (erratum
    // `content-type-variants` fixes the media type and the charset only; other
    // parameters are the mock's reading of RFC 9110 §8.3.1, which leaves their meaning
    // to the media type, and application/json defines none).
    let mut request = request_for(op, &probe(op));
    request.headers = vec![(
        "Content-Type".into(),
        "application/json;charset=UTF-8;version=1".into(),
    )];
    out.push(Edge {
        op,
        rule: "edge/content-type.other-parameter".into(),
        doc: "Content-Type application/json;charset=UTF-8;version=1: a parameter other than charset is ignored, the body read (the probe's own answer, no such session)".into(),
        request,
        expected: expected(C::InvalidSessionId),
    });
    out
}

fn expected(code: C) -> Expected {
    Expected {
        status: code.http_status(),
        code: Some(code.code().into()),
    }
}

fn result(e: &Edge) -> CaseResult {
    CaseResult {
        api: e.op.name().into(),
        id: format!("{}/{}", e.op.name(), e.rule),
        rule: Some(e.rule.clone()),
        doc: e.doc.clone(),
        expected: e.expected.clone(),
        actual: Response::default(),
        verdict: Verdict::Failed,
        note: None,
        request: e.request.clone(),
    }
}

/// The rule ids of `op`'s edges, for coverage (the body size does not matter).
pub fn rule_ids(spec: &Spec, op: Operation) -> Vec<String> {
    edges(spec, 0)
        .into_iter()
        .filter(|e| e.op == op)
        .map(|e| e.rule)
        .collect()
}

/// The edges listed as skipped (live targets).
pub fn skipped(spec: &Spec) -> Vec<CaseResult> {
    edges(spec, 0)
        .iter()
        .map(|e| CaseResult {
            verdict: Verdict::Skipped,
            note: Some(LIVE_REASON.into()),
            ..result(e)
        })
        .collect()
}

/// Sends every edge to the embedded mock at `base`, whose body limit is `max_body`.
pub async fn run(
    spec: &Spec,
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    max_body: usize,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for e in edges(spec, max_body) {
        let mut r = result(&e);
        let actual = sender.send(base, creds, &e.request).await;
        if e.expected.matches(&actual) {
            r.verdict = Verdict::Passed;
        }
        r.actual = actual;
        out.push(r);
    }
    out
}
