//! Invariants of the case generator, checked against the spec's own checker (the
//! oracle): valid instances are valid, every rule has a mutant, each mutant breaks
//! exactly its rule, expectations follow the operation's `rejects`.
//!
//! Property runs use `PROPTEST_CASES` (default 32); `PROPTEST_CASES=10000 cargo test`
//! for a long run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use regex::Regex;
use serde_json::{json, Value};
use voicecall_codegen::spec::model::{Encoding, Location};
use voicecall_codegen::spec::validate::{Severity, Violation};
use voicecall_codegen::spec::{load_dir, Spec};
use voicecall_conformance::cases::{
    canonical, expect, format_strategy, mutants, rules, strategy_mutants, strategy_valid,
    unmutatable, valid, valid_cases, Case, Expect, Generator, GENERATED_FORMATS,
};

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec")))
            .unwrap_or_else(|e| panic!("{}", e.render()))
    })
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    Config {
        failure_persistence: None,
        ..Config::with_cases(cases)
    }
}

fn run<S: Strategy>(what: &str, s: S, f: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(config());
    if let Err(e) = runner.run(&s, f) {
        panic!("{what}: {e}");
    }
}

fn operations() -> Vec<String> {
    spec()
        .all(|f| &f.operations)
        .map(|o| o.id.clone())
        .collect()
}

/// Every message that is a JSON body, query or path (header tables are signing's).
fn json_messages() -> Vec<String> {
    spec()
        .all(|f| &f.messages)
        .filter(|m| m.location != Location::Header)
        .map(|m| m.name.clone())
        .collect()
}

fn show(vs: &[Violation]) -> String {
    vs.iter().map(|v| format!("\n  {v}")).collect()
}

/// The format check of the oracle, written again from the spec's text so the test
/// does not trust the generator's own check.
fn has_format(spec: &Spec, id: &str, s: &str) -> bool {
    let f = spec
        .all(|f| &f.formats)
        .find(|f| f.id == id)
        .expect("format");
    if !Regex::new(&f.pattern).unwrap().is_match(s) {
        return false;
    }
    match (&f.encoding, &f.decoded_pattern) {
        (Some(Encoding::Base64), Some(p)) => base64::engine::general_purpose::STANDARD
            .decode(s)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .is_some_and(|d| Regex::new(p).unwrap().is_match(&d)),
        _ => true,
    }
}

#[test]
fn every_format_of_the_spec_has_a_generator_whose_values_have_the_format() {
    let spec = spec();
    let ids: BTreeSet<&str> = spec.all(|f| &f.formats).map(|f| f.id.as_str()).collect();
    let generated: BTreeSet<&str> = GENERATED_FORMATS.iter().copied().collect();
    assert_eq!(
        ids, generated,
        "formats of the spec vs formats with a generator"
    );
    for id in ids {
        let s = format_strategy(spec, id).unwrap_or_else(|| panic!("no generator for {id}"));
        run(id, s, |v| {
            prop_assert!(has_format(spec, id, &v), "{id}: {v:?}");
            Ok(())
        });
    }
    assert!(format_strategy(spec, "no_such_format").is_none());
}

/// The same values through the oracle itself: put into every body field that has the
/// format, the oracle finds no `format` violation (lengths aside: the format generator
/// knows no row).
#[test]
fn generated_format_values_pass_the_oracle_in_every_field_with_the_format() {
    let spec = spec();
    for msg in spec
        .all(|f| &f.messages)
        .filter(|m| m.location == Location::Body)
    {
        let base = canonical(spec, &msg.name);
        for f in msg.fields.iter().filter(|f| f.enum_values.is_empty()) {
            let Some(id) = f.format.as_deref() else {
                continue;
            };
            let s = format_strategy(spec, id).unwrap();
            run(&format!("{}.{}", msg.name, f.name), s, |v| {
                let mut x = base.clone();
                x[f.name.as_str()] = Value::String(v.clone());
                let vs = spec.validate_json(&msg.name, &x);
                prop_assert!(!vs.iter().any(|v| v.rule == "format"), "{v:?}{}", show(&vs));
                Ok(())
            });
        }
    }
}

#[test]
fn generated_instances_of_every_message_pass_the_oracle_without_any_violation() {
    let spec = spec();
    for name in json_messages() {
        run(&name, valid(spec, &name), |v| {
            let vs = spec.validate_json(&name, &v);
            prop_assert!(vs.is_empty(), "{name}: {v:#}{}", show(&vs));
            Ok(())
        });
    }
}

#[test]
fn canonical_instances_pass_the_oracle_and_are_deterministic() {
    let spec = spec();
    for name in json_messages() {
        let v = canonical(spec, &name);
        let vs = spec.validate_json(&name, &v);
        assert!(vs.is_empty(), "{name}: {v:#}{}", show(&vs));
        assert_eq!(v, canonical(spec, &name));
    }
    assert_eq!(canonical(spec, "NoSuchMessage"), Value::Null);
}

#[test]
fn requests_are_realistic() {
    let spec = spec();
    let numbers = Regex::new(r"^\+[1-9][0-9]{7,14}$").unwrap();
    for op in operations() {
        let Some(body) = spec.operation(&op).and_then(|o| o.body.clone()) else {
            continue;
        };
        run(&op, valid(spec, &body), |v| {
            for (k, x) in v.as_object().unwrap() {
                if k.ends_with("Nbr") {
                    let s = x.as_str().unwrap();
                    prop_assert!(numbers.is_match(s), "{k}: {s} is not an E.164 number");
                }
                if k.ends_with("Url") {
                    let url = base64::engine::general_purpose::STANDARD
                        .decode(x.as_str().unwrap())
                        .unwrap();
                    let url = String::from_utf8(url).unwrap();
                    prop_assert!(
                        url.starts_with("https://") || url.starts_with("http://"),
                        "{k}: {url}"
                    );
                }
            }
            Ok(())
        });
    }
}

#[test]
fn valid_cases_sit_on_every_limit_and_are_accepted() {
    let spec = spec();
    let mut multibyte_at_max = 0;
    for op in operations() {
        let cases = valid_cases(spec, &op);
        assert!(cases.len() > 1, "{op}: only {} valid cases", cases.len());
        let ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), cases.len(), "{op}: duplicate valid case ids");
        for c in &cases {
            assert!(
                c.violations.is_empty(),
                "{}: {:#}{}",
                c.id,
                c.value,
                show(&c.violations)
            );
            assert_eq!(c.expect, Expect::Accepted, "{}", c.id);
            assert!(c.rule.is_none());
            if c.id.ends_with("length.max")
                && c.value.to_string().chars().any(|ch| ch.len_utf8() > 1)
            {
                multibyte_at_max += 1;
            }
        }
        assert_eq!(
            cases,
            valid_cases(spec, &op),
            "{op}: valid cases are not deterministic"
        );
    }
    assert!(
        multibyte_at_max >= 5,
        "only {multibyte_at_max} maximum-length cases use multi-byte text"
    );
    run(
        "strategy_valid",
        strategy_valid(spec, "CreateVoiceNotification"),
        |c| {
            prop_assert_eq!(c.expect, Expect::Accepted, "{:#}", c.value);
            Ok(())
        },
    );
}

/// The rules the oracle cannot see broken alone, with the reason: exactly these.
#[test]
fn unmutatable_rules_are_exactly_the_expected_ones() {
    let spec = spec();
    let got: BTreeMap<String, Vec<String>> = operations()
        .into_iter()
        .map(|op| {
            let ids = unmutatable(spec, &op)
                .into_iter()
                .map(|(r, _)| r.id)
                .collect();
            (op, ids)
        })
        .collect();
    let want: BTreeMap<String, Vec<String>> = [
        ("CreateVoiceCallback", vec![]),
        ("CreateVoiceNotification", vec![]),
        ("CreateVoiceVerificationCode", vec![]),
        (
            "GetRecordingDownloadUrl",
            vec![
                "GetRecordingDownloadUrlQuery.fileName.type",
                "GetRecordingDownloadUrlQuery.recordDomain.type",
            ],
        ),
        (
            "TerminateCall",
            vec![
                "TerminateCallRequest.signal.length.min",
                "TerminateCallRequest.signal.length.max",
            ],
        ),
    ]
    .into_iter()
    .map(|(op, ids)| (op.to_string(), ids.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(got, want);
    for op in operations() {
        for (r, why) in unmutatable(spec, &op) {
            assert!(!why.is_empty(), "{}", r.id);
        }
    }
}

#[test]
fn every_rule_has_exactly_one_mutant_from_the_canonical_request_unless_unmutatable() {
    let spec = spec();
    for op in operations() {
        let all = rules(spec, &op);
        assert!(!all.is_empty(), "{op} has no rules");
        let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{op}: duplicate rule ids");
        let root = spec
            .operation(&op)
            .and_then(|o| o.body.clone().or(o.query.clone()))
            .unwrap();
        let ms = mutants(spec, &op, &canonical(spec, &root));
        let covered: Vec<&str> = ms
            .iter()
            .map(|c| c.rule.as_ref().unwrap().id.as_str())
            .collect();
        let skipped: BTreeSet<String> = unmutatable(spec, &op)
            .into_iter()
            .map(|(r, _)| r.id)
            .collect();
        let expected: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !skipped.contains(*id))
            .collect();
        assert_eq!(
            covered, expected,
            "{op}: mutants (in rule order) vs mutable rules"
        );
    }
}

/// Checks a mutant against the oracle independently of the generator's own check.
fn check_mutant(spec: &Spec, c: &Case) -> Result<(), TestCaseError> {
    let op = spec.operation(&c.operation).unwrap();
    let root = op.body.clone().or(op.query.clone()).unwrap();
    let rule = c.rule.as_ref().unwrap();
    let vs = spec.validate_json(&root, &c.value);
    prop_assert_eq!(&vs, &c.violations);
    let mut want: BTreeSet<(String, String)> = BTreeSet::new();
    want.insert((rule.path.clone(), rule.kind.clone()));
    for a in &c.also {
        want.insert((a.path.clone(), a.kind.clone()));
    }
    let got: BTreeSet<(String, String)> = vs
        .iter()
        .map(|v| (v.path.clone(), v.rule.clone()))
        .collect();
    // Rules between several fields report one violation per field, all of the rule's kind.
    let got_kinds: BTreeSet<&str> = vs.iter().map(|v| v.rule.as_str()).collect();
    prop_assert!(
        got == want || (got.is_superset(&want) && got_kinds.len() == 1 && c.also.is_empty()),
        "{}: {:#}{}",
        c.id,
        c.value,
        show(&vs)
    );
    if c.rule.as_ref().unwrap().kind == "only_when" {
        let rule_def = spec
            .message(&rule.message)
            .and_then(|m| {
                m.rules
                    .iter()
                    .find(|r| rule.id.ends_with(&format!("rule.{}", r.id)))
            })
            .unwrap();
        let ignored = rule_def.effect == voicecall_codegen::spec::model::RuleEffect::Ignored;
        prop_assert_eq!(
            ignored,
            vs.iter().all(|v| v.severity == Severity::Warning),
            "{}",
            c.id
        );
    }
    // The expected outcome follows the operation's `rejects` by the rule's class.
    let value_class = ["length", "range", "enum", "format", "items"].contains(&rule.kind.as_str());
    let errors = vs.iter().any(|v| v.severity == Severity::Error);
    let want_expect = if !errors {
        Expect::Accepted
    } else if value_class {
        Expect::Rejected {
            status: op.rejects.value.status,
            code: op.rejects.value.code.clone(),
        }
    } else {
        let own = spec
            .message(&rule.message)
            .and_then(|m| {
                m.rules
                    .iter()
                    .find(|r| rule.id == format!("{}.rule.{}", m.name, r.id))
            })
            .and_then(|r| r.on_violation.clone())
            .unwrap_or_else(|| op.rejects.request.clone());
        Expect::Rejected {
            status: own.status,
            code: own.code,
        }
    };
    prop_assert_eq!(&c.expect, &want_expect, "{}", c.id);
    Ok(())
}

#[test]
fn mutants_of_the_canonical_request_break_exactly_their_rule() {
    let spec = spec();
    for op in operations() {
        let root = spec
            .operation(&op)
            .and_then(|o| o.body.clone().or(o.query.clone()))
            .unwrap();
        for c in mutants(spec, &op, &canonical(spec, &root)) {
            if let Err(e) = check_mutant(spec, &c) {
                panic!("{e}");
            }
        }
    }
}

#[test]
fn mutants_of_generated_requests_break_exactly_their_rule_and_cover_every_rule() {
    let spec = spec();
    for op in operations() {
        let root = spec
            .operation(&op)
            .and_then(|o| o.body.clone().or(o.query.clone()))
            .unwrap();
        let want: Vec<String> = mutants(spec, &op, &canonical(spec, &root))
            .into_iter()
            .map(|c| c.id)
            .collect();
        run(&op, valid(spec, &root), |base| {
            let ms = mutants(spec, &op, &base);
            let ids: Vec<String> = ms.iter().map(|c| c.id.clone()).collect();
            prop_assert_eq!(&ids, &want, "base {:#}", base);
            for c in &ms {
                check_mutant(spec, c)?;
            }
            Ok(())
        });
        run(&op, strategy_mutants(spec, &op), |c| check_mutant(spec, &c));
    }
}

/// A `Generator`'s strategies are the free functions' strategies with one shared copy
/// of the spec: the same seed draws the same cases, and its mutants pass the same checks.
#[test]
fn a_generator_draws_what_the_free_functions_draw() {
    let spec = spec();
    let generator = Generator::new(spec);
    let seeded =
        || TestRunner::new_with_rng(config(), TestRng::from_seed(RngAlgorithm::ChaCha, &[9; 32]));
    for op in operations() {
        for (shared, own) in [
            (generator.strategy_valid(&op), strategy_valid(spec, &op)),
            (generator.strategy_mutants(&op), strategy_mutants(spec, &op)),
        ] {
            let (mut a, mut b) = (seeded(), seeded());
            for _ in 0..16 {
                let x = shared.new_tree(&mut a).unwrap().current();
                let y = own.new_tree(&mut b).unwrap().current();
                assert_eq!(x, y, "{op}");
            }
        }
        run(&op, generator.strategy_mutants(&op), |c| {
            check_mutant(spec, &c)
        });
    }
}

#[test]
fn mutant_ids_are_unique_stable_and_named_after_their_rule() {
    let spec = spec();
    for op in operations() {
        let root = spec
            .operation(&op)
            .and_then(|o| o.body.clone().or(o.query.clone()))
            .unwrap();
        let base = canonical(spec, &root);
        let a = mutants(spec, &op, &base);
        let b = mutants(spec, &op, &base);
        assert_eq!(a, b, "{op}: mutants are not deterministic");
        let ids: BTreeSet<&str> = a.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), a.len(), "{op}: duplicate mutant ids");
        for c in &a {
            assert_eq!(c.id, format!("{op}/{}", c.rule.as_ref().unwrap().id));
            assert!(!c.doc.is_empty());
        }
    }
}

#[test]
fn chars_limits_are_broken_with_multibyte_text_somewhere() {
    let spec = spec();
    let mut multibyte = 0;
    for op in operations() {
        let root = spec
            .operation(&op)
            .and_then(|o| o.body.clone().or(o.query.clone()))
            .unwrap();
        for c in mutants(spec, &op, &canonical(spec, &root)) {
            let r = c.rule.as_ref().unwrap();
            if r.id.ends_with("length.max") && c.doc.contains("characters long") {
                let found = c.value.to_string();
                if found.chars().any(|ch| ch.len_utf8() > 1 && ch != '…') {
                    multibyte += 1;
                }
            }
        }
    }
    assert!(
        multibyte >= 5,
        "only {multibyte} over-long mutants use multi-byte text"
    );
}

#[test]
fn a_base64_url_limit_counts_the_encoded_bytes() {
    let spec = spec();
    let c = mutants(
        spec,
        "CreateVoiceCallback",
        &canonical(spec, "CreateVoiceCallbackRequest"),
    )
    .into_iter()
    .find(|c| c.id.ends_with("statusUrl.length.max"))
    .unwrap();
    let s = c.value["statusUrl"].as_str().unwrap();
    assert!(s.len() > 128 && s.len() <= 132, "{}", s.len());
    assert!(has_format(spec, "base64_url", s));
    assert!(c.also.is_empty());
}

#[test]
fn expect_follows_the_rejects_of_the_operation() {
    let spec = spec();
    let v = |path: &str, rule: &str, detail: &str, severity| Violation {
        path: path.into(),
        rule: rule.into(),
        detail: detail.into(),
        doc: String::new(),
        severity,
    };
    let value = v("$.displayNbr", "length", "", Severity::Error);
    let request = v("$.x", "unknown_field", "", Severity::Error);
    let warn = v(
        "$.preVoice",
        "only_when",
        "preVoice-needs-playPreVoice: …",
        Severity::Warning,
    );
    let op = "CreateVoiceCallback";
    let rejected = |s: u16, c: &str| Expect::Rejected {
        status: s,
        code: c.into(),
    };
    assert_eq!(expect(spec, op, &[]), Expect::Accepted);
    assert_eq!(
        expect(spec, op, std::slice::from_ref(&warn)),
        Expect::Accepted
    );
    assert_eq!(
        expect(spec, op, std::slice::from_ref(&value)),
        rejected(500, "1020001")
    );
    assert_eq!(
        expect(spec, op, std::slice::from_ref(&request)),
        rejected(403, "1010002")
    );
    assert_eq!(
        expect(spec, op, &[value.clone(), request.clone(), warn]),
        rejected(403, "1010002")
    );
    assert_eq!(
        expect(spec, "GetRecordingDownloadUrl", &[value]),
        rejected(403, "1010002")
    );
    let own = v(
        "$.playInfoList[0].templateParas",
        "required_when",
        "templateParas-with-templateId: …",
        Severity::Error,
    );
    assert_eq!(
        expect(spec, "CreateVoiceNotification", &[own]),
        rejected(403, "1010002")
    );
    assert_eq!(expect(spec, "NoSuchOperation", &[]), rejected(404, ""));
}

#[test]
fn unknown_names_give_empty_results_not_panics() {
    let spec = spec();
    assert!(rules(spec, "NoSuchOperation").is_empty());
    assert!(mutants(spec, "NoSuchOperation", &json!({})).is_empty());
    assert!(unmutatable(spec, "NoSuchOperation").is_empty());
    assert!(valid_cases(spec, "NoSuchOperation").is_empty());
    // A base that is not an object is replaced by the canonical request.
    let from_null = mutants(spec, "TerminateCall", &Value::Null);
    let from_canonical = mutants(
        spec,
        "TerminateCall",
        &canonical(spec, "TerminateCallRequest"),
    );
    assert_eq!(from_null, from_canonical);
}
