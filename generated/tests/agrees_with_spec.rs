//! The generated validators agree with the spec's generic checker (the oracle that
//! interprets `spec/` directly) on every value the generated types can parse. Inputs
//! are the reference's examples, mutated at random: strings of any length (ASCII and
//! multi-byte), integers around every bound, arrays grown and shrunk, fields removed
//! and unknown ones added. Validation never panics. More cases: PROPTEST_CASES=N.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;
use voicecall_codegen::spec::{load_dir, Spec};

struct World {
    spec: Spec,
    examples: Vec<(String, Value)>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = load_dir(&dir).unwrap_or_else(|e| panic!("{}", e.render()));
        let examples = spec
            .all(|c| &c.fixtures)
            .filter_map(|f| {
                let body = spec.aux.get(f.body.as_ref()?)?;
                Some((f.message.clone()?, serde_json::from_str(body).ok()?))
            })
            .collect();
        World { spec, examples }
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the n-th string leaf.
    Str(usize, String),
    /// Replace the n-th integer leaf.
    Int(usize, i64),
    /// Resize the n-th array to `len` items (cloning its first item).
    Resize(usize, usize),
    /// Remove the k-th key of the n-th object.
    Remove(usize, usize),
    /// Add a key to the n-th object.
    Add(usize, String),
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9+:./_-]{0,12}",
        "\\+[0-9]{0,33}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
        "[人中{}$a1 ]{0,40}",
        (1usize..300).prop_map(|n| "x".repeat(n)),
        (1usize..140).prop_map(|n| "汉".repeat(n)),
        prop_oneof![
            Just("true"),
            Just("false"),
            Just("toa"),
            Just("both"),
            Just("callout"),
            Just("disconnect"),
            Just("fee"),
            Just("001"),
            Just("aHR0cHM6Ly9hLmIvYw==")
        ]
        .prop_map(String::from),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), text()).prop_map(|(n, s)| Mutation::Str(n, s)),
        (
            any::<usize>(),
            prop_oneof![
                -3i64..5,
                28i64..36,
                1435i64..1445,
                65530i64..65540,
                any::<i64>()
            ]
        )
            .prop_map(|(n, i)| Mutation::Int(n, i)),
        (
            any::<usize>(),
            prop_oneof![0usize..3, 4usize..12, 48usize..53]
        )
            .prop_map(|(n, l)| Mutation::Resize(n, l)),
        (any::<usize>(), any::<usize>()).prop_map(|(n, k)| Mutation::Remove(n, k)),
        (any::<usize>(), "[a-z]{1,8}").prop_map(|(n, k)| Mutation::Add(n, k)),
    ]
}

/// Visits every node, counting nodes of the kind the mutation targets.
fn apply(v: &mut Value, m: &Mutation, seen: &mut usize) -> bool {
    let target = |seen: &mut usize, n: usize| {
        let hit = *seen == n;
        *seen += 1;
        hit
    };
    match (v, m) {
        (Value::String(s), Mutation::Str(n, new)) => {
            if target(seen, *n) {
                *s = new.clone();
                return true;
            }
        }
        (Value::Number(x), Mutation::Int(n, new)) => {
            if target(seen, *n) {
                *x = (*new).into();
                return true;
            }
        }
        (Value::Array(a), m) => {
            if let Mutation::Resize(n, len) = m {
                if target(seen, *n) {
                    let first = a.first().cloned().unwrap_or(Value::String("x".into()));
                    a.resize(*len, first);
                    return true;
                }
            }
            for item in a.iter_mut() {
                if apply(item, m, seen) {
                    return true;
                }
            }
        }
        (Value::Object(o), m) => {
            match m {
                Mutation::Remove(n, k) if !o.is_empty() => {
                    if target(seen, *n) {
                        let key = o.keys().nth(k % o.len()).cloned().unwrap_or_default();
                        o.remove(&key);
                        return true;
                    }
                }
                Mutation::Add(n, key) => {
                    if target(seen, *n) {
                        o.insert(key.clone(), Value::from(1));
                        return true;
                    }
                }
                _ => {}
            }
            for (_, item) in o.iter_mut() {
                if apply(item, m, seen) {
                    return true;
                }
            }
        }
        _ => {}
    }
    false
}

fn mutate(mut v: Value, ms: &[Mutation]) -> Value {
    for m in ms {
        // Indices wrap around the number of candidate nodes.
        let mut count = 0;
        let probe = match m {
            Mutation::Str(_, s) => Mutation::Str(usize::MAX, s.clone()),
            Mutation::Int(_, i) => Mutation::Int(usize::MAX, *i),
            Mutation::Resize(_, l) => Mutation::Resize(usize::MAX, *l),
            Mutation::Remove(_, k) => Mutation::Remove(usize::MAX, *k),
            Mutation::Add(_, k) => Mutation::Add(usize::MAX, k.clone()),
        };
        apply(&mut v.clone(), &probe, &mut count);
        if count == 0 {
            continue;
        }
        let pick = |n: usize| n % count;
        let m = match m {
            Mutation::Str(n, s) => Mutation::Str(pick(*n), s.clone()),
            Mutation::Int(n, i) => Mutation::Int(pick(*n), *i),
            Mutation::Resize(n, l) => Mutation::Resize(pick(*n), *l),
            Mutation::Remove(n, k) => Mutation::Remove(pick(*n), *k),
            Mutation::Add(n, k) => Mutation::Add(pick(*n), k.clone()),
        };
        apply(&mut v, &m, &mut 0);
    }
    v
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn generated_validators_agree_with_the_spec(which in any::<usize>(), ms in proptest::collection::vec(mutation(), 1..5)) {
        let w = world();
        let (message, example) = &w.examples[which % w.examples.len()];
        let value = mutate(example.clone(), &ms);
        let generated = voicecall::registry::validate_json(message, &value).expect("every message is registered");
        if let Ok(found) = generated {
            let got: BTreeSet<(String, String)> = found.into_iter().map(|v| (v.path, v.rule.as_str().to_string())).collect();
            let want: BTreeSet<(String, String)> = w.spec.validate_json(message, &value).into_iter().map(|v| (v.path, v.rule)).collect();
            prop_assert_eq!(got, want, "{} {}", message, value);
        }
    }
}

#[test]
fn every_message_of_the_spec_is_registered() {
    let w = world();
    let names: BTreeSet<&str> = w
        .spec
        .all(|c| &c.messages)
        .map(|m| m.name.as_str())
        .collect();
    let registered: BTreeSet<&str> = voicecall::registry::MESSAGES.iter().copied().collect();
    assert_eq!(names, registered);
}
