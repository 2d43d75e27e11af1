//! Valid instances of messages: random (proptest strategies), canonical (fixed and
//! realistic, for snapshots and as the base of mutants) and boundary cases.
//!
//! Both kinds are built field by field and then *repaired* by the message's rules, so
//! the rules are honoured however a spec combines them: `exactly_one_of` keeps one of
//! its fields, `required_when` adds fields whose condition holds, `only_when` drops
//! fields whose condition does not (or, for a field the caller insists on, makes the
//! condition hold). The mutants reuse the same repair with the broken rule left alone.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use serde_json::{json, Map, Value};
use voicecall_codegen::spec::model::{
    ConditionOp, Field, FieldType, LengthUnit, Message, RuleKind, Scalar,
};
use voicecall_codegen::spec::Spec;

use super::expect::expect;
use super::formats::Formats;
use super::scope::{holds, scalar_eq, scalar_value, scope, sites, Step, MAX_DEPTH};
use super::values::{
    canonical_scalar, enforced_by_format, int_strategy, measure, of_len_near, string_strategy,
    text_kind,
};
use super::Case;

/// A strategy of valid instances of `message`: every length (in its unit), enum,
/// format, range, array bound and rule between fields respected; optional fields
/// present or absent at random; a third of strings and counts on a bound; free text
/// and formats that allow it in multi-byte characters. Used for requests, responses
/// and pushes alike. A message the spec does not have yields `null`, which the oracle
/// reports as an unknown message.
pub fn valid(spec: &Spec, message: &str) -> BoxedStrategy<Value> {
    message_strategy(spec, &Formats::of(spec), message, 0)
}

/// One fixed, realistic instance of `message`: required fields and every optional one
/// (values from the reference's examples where it has them), then repaired by the
/// message's rules; arrays of objects that offer a choice (`exactly_one_of`) hold one
/// item per alternative. Deterministic, so snapshots of it change only with the spec.
/// A message the spec does not have yields `null`.
pub fn canonical(spec: &Spec, message: &str) -> Value {
    canonical_message(spec, &Formats::of(spec), message, 0, 0)
}

/// Valid cases of `operation_id`, in a fixed order: the canonical request, then for
/// every limit a request sitting exactly on it — each string row at its minimum and
/// maximum length (in multi-byte characters where the format allows, so an
/// implementation counting bytes or UTF-16 units rejects it and is caught), each range
/// and array bound. Bounds that the row's format enforces by itself are left out (no
/// 31-character phone number: the format already stops at 31). Empty for an operation
/// the spec does not have.
pub fn valid_cases(spec: &Spec, operation_id: &str) -> Vec<Case> {
    let Some(sc) = scope(spec, operation_id) else {
        return Vec::new();
    };
    let formats = Formats::of(spec);
    let base = canonical(spec, &sc.root.name);
    let mut out = vec![valid_case(
        spec,
        operation_id,
        &sc.root.name,
        "canonical",
        base.clone(),
        "the canonical request",
    )];
    for site in sites(spec, sc.root) {
        for (i, f) in site.msg.fields.iter().enumerate() {
            for (what, value) in boundary_values(spec, &formats, f) {
                let mut v = base.clone();
                let Some(obj) = ensure_site(spec, &formats, sc.root, &mut v, &site.steps) else {
                    continue;
                };
                obj.insert(f.name.clone(), value.clone());
                let mut pins = Pins::new();
                pins.insert(f.name.clone(), Pin::Present);
                repair(site.msg, obj, &mut pins, None, &mut |g| {
                    canonical_field(spec, &formats, g, i, 1)
                });
                reorder(site.msg, obj);
                let id = format!("{}.{}.{what}", site.msg.name, f.name);
                let doc = format!("{} at its {what}: {}", f.name, describe(&value));
                out.push(valid_case(spec, operation_id, &sc.root.name, &id, v, &doc));
            }
        }
    }
    out
}

/// A strategy of valid cases of `operation_id` (random requests from [`valid`]), each
/// expecting acceptance. For an operation the spec does not have, the value is `null`
/// and the expectation is what [`expect`] says of it. Each call copies the spec for the
/// strategy to own; a [`Generator`](super::Generator) shares one copy among all its
/// strategies.
pub fn strategy_valid(spec: &Spec, operation_id: &str) -> BoxedStrategy<Case> {
    super::Generator::new(spec).strategy_valid(operation_id)
}

pub(crate) fn valid_case(
    spec: &Spec,
    op: &str,
    root: &str,
    what: &str,
    value: Value,
    doc: &str,
) -> Case {
    let violations = spec.validate_json(root, &value);
    Case {
        id: format!("{op}/valid/{what}"),
        operation: op.to_string(),
        rule: None,
        also: Vec::new(),
        expect: expect(spec, op, &violations),
        value,
        violations,
        doc: doc.to_string(),
    }
}

/// A short description of a boundary value for a case's doc line.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => measure(s),
        Value::Array(a) => {
            let longest = a
                .iter()
                .filter_map(Value::as_str)
                .max_by_key(|s| s.chars().count());
            match longest {
                Some(s) => format!("{} items, the longest {}", a.len(), measure(s)),
                None => format!("{} items", a.len()),
            }
        }
        other => other.to_string(),
    }
}

/// Values of `f` exactly on each of its limits, named `length.min`, `range.max`…
fn boundary_values(spec: &Spec, formats: &Formats, f: &Field) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    if !f.enum_values.is_empty() {
        return out;
    }
    if let (FieldType::String, Some(l)) = (f.ty, f.length) {
        let kind = text_kind(&f.name);
        let fmt = f.format.as_deref();
        let min_enforced = enforced_by_format(formats, fmt, kind, l, false);
        let max_enforced = enforced_by_format(formats, fmt, kind, l, true);
        if !min_enforced {
            if let Some(s) = of_len_near(formats, fmt, kind, l.unit, l.min, true, 0) {
                out.push(("length.min", Value::String(s)));
            }
        }
        if !max_enforced {
            if let Some(s) = of_len_near(formats, fmt, kind, l.unit, l.max, false, 0) {
                out.push(("length.max", Value::String(s)));
            }
        }
    }
    if let Some(r) = f.range {
        out.push(("range.min", json!(r.min)));
        out.push(("range.max", json!(r.max)));
    }
    if let (FieldType::Array, Some(c), Some(item)) = (f.ty, f.items, &f.item) {
        if item.reference.is_some() {
            // Arrays of objects: the canonical items, repeated up to each bound.
            let pool = canonical_field(spec, formats, f, 0, 1)
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !pool.is_empty() {
                for (what, n) in [("items.min", c.min), ("items.max", c.max)] {
                    let n = n.min(1000) as usize;
                    out.push((
                        what,
                        Value::Array(pool.iter().cycle().take(n).cloned().collect()),
                    ));
                }
            }
        } else {
            let one = |i: usize| {
                let n = item.length.map_or(1, |l| l.max.min(8));
                let unit = item.length.map_or(LengthUnit::Chars, |l| l.unit);
                of_len_near(
                    formats,
                    item.format.as_deref(),
                    text_kind(&f.name),
                    unit,
                    n,
                    false,
                    i as u64,
                )
                .map(Value::String)
                .unwrap_or(Value::Null)
            };
            for (what, n) in [("items.min", c.min), ("items.max", c.max)] {
                out.push((
                    what,
                    Value::Array((0..n.min(1000) as usize).map(one).collect()),
                ));
            }
            if let Some(l) = item.length {
                if let Some(s) = of_len_near(
                    formats,
                    item.format.as_deref(),
                    text_kind(&f.name),
                    l.unit,
                    l.max,
                    false,
                    0,
                ) {
                    out.push(("item.length.max", json!([s])));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Strategies

pub(crate) fn message_strategy(
    spec: &Spec,
    formats: &Formats,
    name: &str,
    depth: usize,
) -> BoxedStrategy<Value> {
    let Some(msg) = spec.message(name) else {
        return Just(Value::Null).boxed();
    };
    if depth > MAX_DEPTH {
        return Just(json!({})).boxed();
    }
    // A field whose message depends on a discriminator: one branch per discriminator
    // value, each with that value and the matching message.
    if let Some(tagged) = msg.fields.iter().find(|f| f.tagged_by.is_some()) {
        let disc = tagged.tagged_by.clone().unwrap_or_default();
        let values: Vec<String> = msg
            .fields
            .iter()
            .find(|f| f.name == disc)
            .map(|f| {
                f.enum_values
                    .iter()
                    .filter_map(|e| match &e.value {
                        Scalar::Str(s) => Some(s.clone()),
                        Scalar::Int(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let branches: Vec<BoxedStrategy<Value>> = values
            .iter()
            .filter_map(|val| {
                let target = spec.tagged(name, &tagged.name, val)?;
                let mut over = BTreeMap::new();
                over.insert(disc.clone(), Just(json!(val)).boxed());
                over.insert(
                    tagged.name.clone(),
                    message_strategy(spec, formats, target, depth + 1),
                );
                Some(object_strategy(spec, formats, msg, over, depth))
            })
            .collect();
        if !branches.is_empty() {
            return Union::new(branches).boxed();
        }
    }
    object_strategy(spec, formats, msg, BTreeMap::new(), depth)
}

/// Objects of `msg`: every field generated, optional ones kept at random, one field
/// of each `exactly_one_of` chosen at random, then repaired by the rules.
fn object_strategy(
    spec: &Spec,
    formats: &Formats,
    msg: &Message,
    mut overrides: BTreeMap<String, BoxedStrategy<Value>>,
    depth: usize,
) -> BoxedStrategy<Value> {
    let fields: Vec<BoxedStrategy<(bool, Value)>> = msg
        .fields
        .iter()
        .map(|f| {
            let forced = overrides.contains_key(&f.name) && f.tagged_by.is_none();
            let value = overrides
                .remove(&f.name)
                .unwrap_or_else(|| field_strategy(spec, formats, f, depth));
            if f.required || forced {
                value.prop_map(|v| (true, v)).boxed()
            } else {
                (any::<bool>(), value).boxed()
            }
        })
        .collect();
    let choices: Vec<BoxedStrategy<usize>> = msg
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::ExactlyOneOf && !r.fields.is_empty())
        .map(|r| (0..r.fields.len()).boxed())
        .collect();
    let msg = msg.clone();
    (fields, choices)
        .prop_map(move |(values, choices)| {
            // The drawn value of every field, present or not (an absent one may be
            // chosen by a rule or supplied by the repair).
            let drawn = |name: &str| {
                msg.fields
                    .iter()
                    .position(|f| f.name == name)
                    .and_then(|i| values.get(i))
                    .map(|(_, v)| v)
            };
            let mut obj = Map::new();
            for (f, (present, v)) in msg.fields.iter().zip(&values) {
                if *present {
                    obj.insert(f.name.clone(), v.clone());
                }
            }
            let rules = msg
                .rules
                .iter()
                .filter(|r| r.kind == RuleKind::ExactlyOneOf && !r.fields.is_empty());
            for (rule, choice) in rules.zip(choices) {
                for (i, f) in rule.fields.iter().enumerate() {
                    match (i == choice, drawn(f)) {
                        (true, Some(v)) => {
                            obj.insert(f.clone(), v.clone());
                        }
                        _ => {
                            obj.remove(f);
                        }
                    }
                }
            }
            repair(&msg, &mut obj, &mut Pins::new(), None, &mut |f| {
                drawn(&f.name).cloned().unwrap_or(Value::Null)
            });
            reorder(&msg, &mut obj);
            Value::Object(obj)
        })
        .boxed()
}

fn field_strategy(spec: &Spec, formats: &Formats, f: &Field, depth: usize) -> BoxedStrategy<Value> {
    if !f.enum_values.is_empty() {
        return select(
            f.enum_values
                .iter()
                .map(|e| scalar_value(&e.value))
                .collect::<Vec<_>>(),
        )
        .boxed();
    }
    match f.ty {
        FieldType::String => string_strategy(formats, &f.name, f.length, f.format.as_deref())
            .prop_map(Value::String)
            .boxed(),
        FieldType::Integer => int_strategy(spec, f).prop_map(Value::from).boxed(),
        FieldType::Object => match f.reference.as_deref() {
            Some(r) => message_strategy(spec, formats, r, depth + 1),
            None => Just(json!({})).boxed(),
        },
        FieldType::Array => {
            let item: BoxedStrategy<Value> = match &f.item {
                Some(i) => match (i.ty, i.reference.as_deref()) {
                    (FieldType::Object, Some(r)) => message_strategy(spec, formats, r, depth + 1),
                    (FieldType::String, _) => {
                        string_strategy(formats, &f.name, i.length, i.format.as_deref())
                            .prop_map(Value::String)
                            .boxed()
                    }
                    (FieldType::Integer, _) => (0i64..100).prop_map(Value::from).boxed(),
                    _ => Just(json!({})).boxed(),
                },
                None => Just(json!("")).boxed(),
            };
            // Bounded so that a malformed spec cannot ask for a billion items.
            let (lo, hi) = f.items.map_or((1, 3), |c| {
                (c.min.min(1000) as usize, c.max.min(1000) as usize)
            });
            let hi = hi.max(lo);
            // A third of the time each bound, else anywhere between.
            (0u8..3, lo..=hi)
                .prop_map(move |(pick, n)| match pick {
                    0 => lo,
                    1 => hi,
                    _ => n,
                })
                .prop_flat_map(move |n| prop::collection::vec(item.clone(), n))
                .prop_map(Value::Array)
                .boxed()
        }
    }
}

// ---------------------------------------------------------------------------------
// Canonical instances

pub(crate) fn canonical_message(
    spec: &Spec,
    formats: &Formats,
    name: &str,
    variant: usize,
    depth: usize,
) -> Value {
    let Some(msg) = spec.message(name) else {
        return Value::Null;
    };
    if depth > MAX_DEPTH {
        return json!({});
    }
    let mut obj = Map::new();
    for (i, f) in msg.fields.iter().enumerate() {
        if f.tagged_by.is_none() {
            obj.insert(f.name.clone(), canonical_field(spec, formats, f, i, depth));
        }
    }
    for f in msg.fields.iter().filter(|f| f.tagged_by.is_some()) {
        let tag = f
            .tagged_by
            .as_deref()
            .and_then(|t| obj.get(t))
            .and_then(Value::as_str)
            .and_then(|t| spec.tagged(name, &f.name, t));
        let v = match tag {
            Some(target) => canonical_message(spec, formats, target, 0, depth + 1),
            None => json!({}),
        };
        obj.insert(f.name.clone(), v);
    }
    for rule in msg
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::ExactlyOneOf && !r.fields.is_empty())
    {
        let keep = variant % rule.fields.len();
        for (i, f) in rule.fields.iter().enumerate() {
            if i != keep {
                obj.remove(f);
            }
        }
    }
    repair(msg, &mut obj, &mut Pins::new(), None, &mut |f| {
        let i = msg
            .fields
            .iter()
            .position(|g| g.name == f.name)
            .unwrap_or(0);
        canonical_field(spec, formats, f, i, depth)
    });
    reorder(msg, &mut obj);
    Value::Object(obj)
}

/// The canonical value of one field (`index` is its position, which numbers phone
/// numbers apart).
pub(crate) fn canonical_field(
    spec: &Spec,
    formats: &Formats,
    f: &Field,
    index: usize,
    depth: usize,
) -> Value {
    match (f.ty, f.reference.as_deref(), f.item.as_ref()) {
        (FieldType::Object, Some(r), _) => canonical_message(spec, formats, r, 0, depth + 1),
        (FieldType::Array, _, Some(item)) if item.reference.is_some() => {
            let r = item.reference.as_deref().unwrap_or_default();
            let choices = spec
                .message(r)
                .and_then(|m| m.rules.iter().find(|x| x.kind == RuleKind::ExactlyOneOf))
                .map_or(1, |x| x.fields.len().max(1));
            let (lo, hi) = f.items.map_or((1, 3), |c| {
                (c.min.min(1000) as usize, c.max.min(1000) as usize)
            });
            let n = choices.max(lo).min(hi.max(lo)).max(1);
            Value::Array(
                (0..n)
                    .map(|v| canonical_message(spec, formats, r, v, depth + 1))
                    .collect(),
            )
        }
        _ => canonical_scalar(spec, formats, f, index),
    }
}

/// Makes sure the object at `steps` below `v` (an instance of `msg`) exists, putting
/// canonical values in place of missing or mistyped parents, and returns it.
pub(crate) fn ensure_site<'v>(
    spec: &Spec,
    formats: &Formats,
    msg: &Message,
    v: &'v mut Value,
    steps: &[Step],
) -> Option<&'v mut Map<String, Value>> {
    let Some((first, rest)) = steps.split_first() else {
        return v.as_object_mut();
    };
    let Step::Field(name) = first else {
        return None;
    };
    let field = msg.fields.iter().find(|f| &f.name == name)?;
    let nested = field
        .reference
        .as_deref()
        .or_else(|| field.item.as_ref().and_then(|i| i.reference.as_deref()))?;
    let next = spec.message(nested)?;
    let obj = v.as_object_mut()?;
    match rest.split_first() {
        Some((Step::Index(i), rest)) => {
            let i = *i;
            let usable = obj
                .get(name)
                .and_then(Value::as_array)
                .is_some_and(|a| a.len() > i);
            if !usable {
                let mut fresh = canonical_field(spec, formats, field, 0, 1);
                if let Some(a) = fresh.as_array_mut() {
                    while a.len() <= i {
                        a.push(canonical_message(spec, formats, nested, a.len(), 1));
                    }
                }
                obj.insert(name.clone(), fresh);
            }
            let item = obj.get_mut(name)?.as_array_mut()?.get_mut(i)?;
            if !item.is_object() {
                *item = canonical_message(spec, formats, nested, i, 1);
            }
            ensure_site(spec, formats, next, item, rest)
        }
        _ => {
            if !obj.get(name).is_some_and(Value::is_object) {
                obj.insert(name.clone(), canonical_message(spec, formats, nested, 0, 1));
            }
            ensure_site(spec, formats, next, obj.get_mut(name)?, rest)
        }
    }
}

// ---------------------------------------------------------------------------------
// Repair by the rules

/// What the caller insists on for a field during repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pin {
    /// Keep it (with its value): make conditions hold rather than remove it.
    Present,
    /// Keep it out.
    Absent,
}

/// Fields the repair must not change, by name.
pub(crate) type Pins = BTreeMap<String, Pin>;

/// Makes `obj` satisfy the rules of `msg` (all but `skip`), changing only fields that
/// are not pinned; `supply` gives a value for a field that has to be added. Conditions
/// on another message are left alone (the oracle cannot see them either). Returns
/// whether every rule now holds.
pub(crate) fn repair(
    msg: &Message,
    obj: &mut Map<String, Value>,
    pins: &mut Pins,
    skip: Option<&str>,
    supply: &mut dyn FnMut(&Field) -> Value,
) -> bool {
    let field = |n: &str| msg.fields.iter().find(|f| f.name == n);
    for _ in 0..(4 * msg.rules.len() + 4) {
        let mut changed = false;
        for rule in &msg.rules {
            if Some(rule.id.as_str()) == skip
                || rule.when.as_ref().is_some_and(|c| c.message.is_some())
            {
                continue;
            }
            match rule.kind {
                RuleKind::ExactlyOneOf => {
                    let present: Vec<&String> = rule
                        .fields
                        .iter()
                        .filter(|f| obj.contains_key(*f))
                        .collect();
                    if present.len() > 1 {
                        let keep = present
                            .iter()
                            .find(|f| pins.get(f.as_str()) == Some(&Pin::Present))
                            .or(present.first())
                            .map(|f| f.to_string())
                            .unwrap_or_default();
                        for f in &rule.fields {
                            if *f != keep
                                && pins.get(f) != Some(&Pin::Present)
                                && obj.remove(f).is_some()
                            {
                                changed = true;
                            }
                        }
                    } else if present.is_empty() {
                        if let Some(f) = rule
                            .fields
                            .iter()
                            .find(|f| pins.get(*f) != Some(&Pin::Absent))
                            .and_then(|f| field(f))
                        {
                            obj.insert(f.name.clone(), supply(f));
                            changed = true;
                        }
                    }
                }
                RuleKind::RequiredWhen => {
                    if rule.when.as_ref().is_some_and(|c| holds(msg, c, obj)) {
                        for f in &rule.fields {
                            if !obj.contains_key(f) && pins.get(f) != Some(&Pin::Absent) {
                                if let Some(fd) = field(f) {
                                    obj.insert(f.clone(), supply(fd));
                                    changed = true;
                                }
                            }
                        }
                    }
                }
                RuleKind::OnlyWhen => {
                    let Some(c) = &rule.when else { continue };
                    if holds(msg, c, obj) {
                        continue;
                    }
                    for f in &rule.fields {
                        if !obj.contains_key(f) {
                            continue;
                        }
                        if pins.get(f) == Some(&Pin::Present) {
                            if establish(msg, c, obj, pins, supply) {
                                changed = true;
                            }
                        } else {
                            obj.remove(f);
                            changed = true;
                        }
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    msg.rules.iter().all(|rule| {
        if Some(rule.id.as_str()) == skip {
            return true;
        }
        let when = |obj: &Map<String, Value>| {
            rule.when
                .as_ref()
                .is_none_or(|c| c.message.is_some() || holds(msg, c, obj))
        };
        match rule.kind {
            RuleKind::ExactlyOneOf => {
                rule.fields.iter().filter(|f| obj.contains_key(*f)).count() == 1
            }
            RuleKind::RequiredWhen => !when(obj) || rule.fields.iter().all(|f| obj.contains_key(f)),
            RuleKind::OnlyWhen => {
                rule.when.as_ref().is_some_and(|c| c.message.is_some())
                    || when(obj)
                    || rule.fields.iter().all(|f| !obj.contains_key(f))
            }
        }
    })
}

/// Makes condition `c` hold by setting its field (which is then pinned present);
/// false when the field is pinned otherwise or no value makes it hold.
pub(crate) fn establish(
    msg: &Message,
    c: &voicecall_codegen::spec::model::Condition,
    obj: &mut Map<String, Value>,
    pins: &mut Pins,
    supply: &mut dyn FnMut(&Field) -> Value,
) -> bool {
    if pins.contains_key(&c.field) {
        return false;
    }
    let Some(f) = msg.fields.iter().find(|f| f.name == c.field) else {
        return false;
    };
    let value = match (c.op, &c.value) {
        (ConditionOp::Present, _) => supply(f),
        (ConditionOp::Equals, Some(want)) => scalar_value(want),
        (ConditionOp::NotEquals, Some(avoid)) => {
            let mut candidates = vec![supply(f)];
            candidates.extend(f.enum_values.iter().map(|e| scalar_value(&e.value)));
            if let Some(r) = f.range {
                candidates.extend([json!(r.max), json!(r.min)]);
            }
            match candidates
                .into_iter()
                .find(|v| !v.is_null() && !scalar_eq(avoid, v))
            {
                Some(v) => v,
                None => return false,
            }
        }
        _ => return false,
    };
    obj.insert(f.name.clone(), value);
    pins.insert(f.name.clone(), Pin::Present);
    true
}

/// Puts the members of `obj` in the order of the message's fields (unknown members
/// last, in their order), so instances read like the reference's tables.
pub(crate) fn reorder(msg: &Message, obj: &mut Map<String, Value>) {
    // Most objects are built in table order already: check before rebuilding.
    let mut fields = msg.fields.iter();
    if obj.keys().all(|k| fields.by_ref().any(|f| &f.name == k)) {
        return;
    }
    let mut old = std::mem::take(obj);
    for f in &msg.fields {
        if let Some(v) = old.remove(&f.name) {
            obj.insert(f.name.clone(), v);
        }
    }
    obj.extend(old);
}
