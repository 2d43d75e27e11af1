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

const BOUNDS: &[usize] = &[
    0, 1, 2, 3, 4, 5, 7, 8, 9, 27, 28, 29, 31, 32, 33, 55, 56, 57, 63, 64, 65, 127, 128, 129, 255,
    256, 257, 511, 512, 513, 1024, 1025,
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9+:./_-]{0,12}",
        "\\+[0-9]{0,33}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
        "[人中{}$a1 ]{0,40}",
        // Lengths at and around every limit of the spec, in ASCII and in 3-byte characters.
        prop::sample::select(BOUNDS).prop_map(|n| "x".repeat(n)),
        prop::sample::select(BOUNDS).prop_map(|n| "汉".repeat(n)),
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

/// JSON pointers of every node, with the node itself, in document order.
fn nodes<'a>(v: &'a Value, here: String, out: &mut Vec<(String, &'a Value)>) {
    out.push((here.clone(), v));
    match v {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| nodes(x, format!("{here}/{i}"), out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            nodes(
                x,
                format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        _ => {}
    }
}

/// Applies each mutation to the n-th node (modulo their number) of the kind it targets.
fn mutate(mut v: Value, ms: &[Mutation]) -> Value {
    for m in ms {
        let mut all = Vec::new();
        nodes(&v, String::new(), &mut all);
        let fits = |x: &Value| match m {
            Mutation::Str(..) => x.is_string(),
            Mutation::Int(..) => x.is_i64() || x.is_u64(),
            Mutation::Resize(..) => x.is_array(),
            Mutation::Remove(..) => x.as_object().is_some_and(|o| !o.is_empty()),
            Mutation::Add(..) => x.is_object(),
        };
        let candidates: Vec<String> = all
            .into_iter()
            .filter(|(_, x)| fits(x))
            .map(|(p, _)| p)
            .collect();
        let n = match m {
            Mutation::Str(n, _)
            | Mutation::Int(n, _)
            | Mutation::Resize(n, _)
            | Mutation::Remove(n, _)
            | Mutation::Add(n, _) => *n,
        };
        let Some(ptr) = candidates.get(n % candidates.len().max(1)) else {
            continue;
        };
        let Some(node) = v.pointer_mut(ptr) else {
            continue;
        };
        match (m, node) {
            (Mutation::Str(_, s), node) => *node = Value::String(s.clone()),
            (Mutation::Int(_, i), node) => *node = Value::from(*i),
            (Mutation::Resize(_, len), Value::Array(a)) => {
                let first = a.first().cloned().unwrap_or(Value::String("x".into()));
                a.resize(*len, first);
            }
            (Mutation::Remove(_, k), Value::Object(o)) => {
                let key = o.keys().nth(k % o.len()).cloned().unwrap_or_default();
                o.remove(&key);
            }
            (Mutation::Add(_, key), Value::Object(o)) => {
                o.insert(key.clone(), Value::from(1));
            }
            _ => {}
        }
    }
    v
}

type Found = BTreeSet<(String, String)>;

/// The generated and the oracle's violations, as (path, rule). A value that does not
/// parse into its strict type is explained by its wire shape alone (presence, JSON
/// types, enums), so then only those rules are compared, and the generated set must
/// still be a subset of the oracle's.
fn both(
    w: &World,
    message: &str,
    value: &Value,
    found: Vec<voicecall::Violation>,
) -> (Found, Found) {
    let got: Found = found
        .into_iter()
        .map(|v| (v.path, v.rule.as_str().to_string()))
        .collect();
    let want: Found = w
        .spec
        .validate_json(message, value)
        .into_iter()
        .map(|v| (v.path, v.rule))
        .collect();
    if voicecall::registry::check_shape_json(message, value).is_empty() {
        return (got, want);
    }
    assert!(
        got.is_subset(&want),
        "{message}: {got:?} not within the oracle's {want:?}: {value}"
    );
    let shape = |s: Found| -> Found {
        s.into_iter()
            .filter(|(_, r)| matches!(r.as_str(), "required" | "type" | "enum"))
            .collect()
    };
    (shape(got), shape(want))
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
            let (got, want) = both(w, message, &value, found);
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

/// Every string leaf of every example at every length that is a limit somewhere in the
/// spec (and one either side), in ASCII and in 3-byte characters; every integer leaf at
/// every range bound. Deterministic, so a single off-by-one in a generated limit fails.
#[test]
fn generated_validators_agree_at_every_boundary() {
    const INTS: &[i64] = &[
        -1, 0, 1, 2, 3, 8, 9, 10, 31, 32, 33, 1439, 1440, 1441, 65534, 65535, 65536,
    ];
    let w = world();
    let mut compared = 0usize;
    for (message, example) in &w.examples {
        let mut all = Vec::new();
        nodes(example, String::new(), &mut all);
        let leaves: Vec<(String, bool)> = all
            .iter()
            .filter(|(_, x)| x.is_string() || x.is_i64())
            .map(|(p, x)| (p.clone(), x.is_string()))
            .collect();
        for (ptr, is_string) in leaves {
            let variants: Vec<Value> = if is_string {
                BOUNDS
                    .iter()
                    .flat_map(|n| [Value::from("7".repeat(*n)), Value::from("汉".repeat(*n))])
                    .collect()
            } else {
                INTS.iter().map(|i| Value::from(*i)).collect()
            };
            for variant in variants {
                let mut value = example.clone();
                if let Some(node) = value.pointer_mut(&ptr) {
                    *node = variant;
                }
                if let Some(Ok(found)) = voicecall::registry::validate_json(message, &value) {
                    let (got, want) = both(w, message, &value, found);
                    assert_eq!(got, want, "{message} with {ptr} changed: {value}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 10_000, "only {compared} values compared");
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("eventType".to_string()),
                    Just("statusInfo".to_string()),
                    Just("feeLst".to_string()),
                    Just("playInfoList".to_string()),
                    "[a-zA-Z]{1,12}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Any JSON at all, as any message: parsing may refuse it, validation never panics.
    #[test]
    fn nothing_panics_on_arbitrary_json(value in arbitrary_json(), which in any::<usize>()) {
        let name = voicecall::registry::MESSAGES[which % voicecall::registry::MESSAGES.len()];
        let _ = voicecall::registry::validate_json(name, &value);
        let _ = world().spec.validate_json(name, &value);
    }
}
