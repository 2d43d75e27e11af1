//! Reviewable snapshots of what the suite sends and what the spec says of it: one
//! canonical instance per JSON message, every example of the reference with the
//! oracle's verdict, and the catalogue of cases per operation. A change of `spec/`
//! shows up here as a snapshot diff to review with it.
//!
//! Accept new or changed snapshots after reading them: `INSTA_UPDATE=always cargo test
//! -p voicecall-conformance --test payloads`, then review `git diff tests/snapshots`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;
use voicecall_codegen::spec::model::Location;
use voicecall_codegen::spec::validate::{Severity, Violation};
use voicecall_codegen::spec::{load_dir, Spec};
use voicecall_conformance::cases::{
    canonical, expect, mutants, rules, unmutatable, valid_cases, Case, Expect,
};

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec")))
            .unwrap_or_else(|e| panic!("{}", e.render()))
    })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("<{e}>"))
}

fn verdict(vs: &[Violation]) -> String {
    if vs.is_empty() {
        return "oracle: no violation\n".into();
    }
    let mut s = "oracle:\n".to_string();
    for v in vs {
        let sev = match v.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            s,
            "  {sev} {} [{}] {} ({})",
            v.path, v.rule, v.detail, v.doc
        );
    }
    s
}

fn show_expect(e: &Expect) -> String {
    match e {
        Expect::Accepted => "accepted".into(),
        Expect::Rejected { status, code } => format!("rejected {status}/{code}"),
    }
}

/// Every message of the generated registry that is a JSON body, query or path.
fn json_messages(spec: &Spec) -> Vec<String> {
    voicecall::registry::MESSAGES
        .iter()
        .filter(|m| {
            spec.message(m)
                .is_some_and(|m| m.location != Location::Header)
        })
        .map(|m| m.to_string())
        .collect()
}

#[test]
fn the_registry_and_the_spec_have_the_same_messages() {
    let spec = spec();
    let mut from_spec: Vec<&str> = spec.all(|f| &f.messages).map(|m| m.name.as_str()).collect();
    let mut from_registry: Vec<&str> = voicecall::registry::MESSAGES.to_vec();
    from_spec.sort_unstable();
    from_registry.sort_unstable();
    assert_eq!(from_spec, from_registry);
}

#[test]
fn canonical_instance_of_every_message() {
    let spec = spec();
    for name in json_messages(spec) {
        let msg = spec.message(&name).unwrap();
        let section = spec.section_of_message(&name).unwrap_or("?");
        let v = canonical(spec, &name);
        let text = format!(
            "{name}: {section} 表{} {} ({:?})\n{}\n{}",
            msg.table,
            msg.title,
            msg.location,
            pretty(&v),
            verdict(&spec.validate_json(&name, &v))
        );
        insta::assert_snapshot!(format!("canonical-{name}"), text);
    }
}

#[test]
fn every_example_of_the_reference_with_the_oracles_verdict() {
    let spec = spec();
    for fx in spec.all(|f| &f.fixtures) {
        let mut text = format!(
            "{}: {} {} — {:?} of {}\n",
            fx.id, fx.section, fx.title, fx.kind, fx.of
        );
        if let Some(status) = fx.status {
            let _ = writeln!(text, "status: {status}");
        }
        for (k, v) in &fx.headers {
            let _ = writeln!(text, "header {k}: {v}");
        }
        for (k, v) in &fx.query {
            let _ = writeln!(text, "query {k}={v}");
        }
        let body = fx.body.as_ref().and_then(|p| spec.aux.get(p));
        match (body, &fx.message) {
            (Some(json), Some(message)) => {
                let v: Value = serde_json::from_str(json).unwrap_or(Value::Null);
                let vs = spec.validate_json(message, &v);
                let _ = writeln!(text, "message: {message}\n{}", pretty(&v));
                text.push_str(&verdict(&vs));
                if spec.operation(&fx.of).is_some()
                    && fx.kind == voicecall_codegen::spec::model::FixtureKind::Request
                {
                    let _ = writeln!(text, "expect: {}", show_expect(&expect(spec, &fx.of, &vs)));
                }
            }
            _ => {
                let verbatim = spec
                    .aux
                    .get(&fx.verbatim)
                    .map_or("<missing>", String::as_str);
                let _ = writeln!(text, "verbatim:\n{}", verbatim.trim_end());
                if !fx.query.is_empty() {
                    let q = Value::Object(
                        fx.query
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                            .collect(),
                    );
                    if let Some(query) = spec.operation(&fx.of).and_then(|o| o.query.clone()) {
                        let vs = spec.validate_json(&query, &q);
                        text.push_str(&verdict(&vs));
                        let _ =
                            writeln!(text, "expect: {}", show_expect(&expect(spec, &fx.of, &vs)));
                    }
                }
            }
        }
        if !fx.errata.is_empty() {
            let _ = writeln!(text, "errata: {}", fx.errata.join(", "));
        }
        insta::assert_snapshot!(format!("example-{}", fx.id), text);
    }
}

fn case_line(c: &Case) -> String {
    format!("{:<14} {}\n    {}\n", show_expect(&c.expect), c.id, c.doc)
}

#[test]
fn catalogue_of_cases_per_operation() {
    let spec = spec();
    for op in spec.all(|f| &f.operations) {
        let root = op.body.clone().or(op.query.clone()).unwrap_or_default();
        let all = rules(spec, &op.id);
        let ms = mutants(spec, &op.id, &canonical(spec, &root));
        let valid = valid_cases(spec, &op.id);
        let mut text = format!(
            "{}: {} rules, {} mutants, {} valid cases; rejects: request {}/{}, value {}/{}\n\nrules:\n",
            op.id,
            all.len(),
            ms.len(),
            valid.len(),
            op.rejects.request.status,
            op.rejects.request.code,
            op.rejects.value.status,
            op.rejects.value.code
        );
        for r in &all {
            let _ = writeln!(text, "  {} [{}] at {} ({})", r.id, r.kind, r.path, r.doc);
        }
        text.push_str("\nunmutatable:\n");
        for (r, why) in unmutatable(spec, &op.id) {
            let _ = writeln!(text, "  {}: {why}", r.id);
        }
        text.push_str("\nmutants:\n");
        for c in &ms {
            text.push_str(&case_line(c));
        }
        text.push_str("\nvalid cases:\n");
        for c in &valid {
            text.push_str(&case_line(c));
        }
        insta::assert_snapshot!(format!("cases-{}", op.id), text);
    }
}
