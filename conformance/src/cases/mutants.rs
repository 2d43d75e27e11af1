//! Mutants: from a valid request, one case per rule of the universe that breaks that
//! rule and nothing else.
//!
//! Each mutant is built on a clone of the base: the context the rule needs is added
//! first (to break `templateParas`' length the item needs a `templateId`, which in turn
//! excludes `notifyVoice`), the field is set to a breaking value — one past a limit in
//! the row's own unit (multi-byte characters where the format allows), a value outside
//! the enum, a counter-example of the format, a wrong JSON type as clients get it wrong
//! (`true` for `"true"`, `"60"` for `60`), an absent required field, an unknown member —
//! and the other rules are repaired around it. Every mutant is then checked against the
//! oracle: it is kept only if the oracle reports exactly the targeted rule (and the
//! rules listed in `also`, where no value can break the rule alone), so a construction
//! that goes wrong for some base drops a case instead of mislabelling one; the tests
//! check that no rule loses its case.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Map, Value};
use voicecall_codegen::spec::model::{
    Condition, ConditionOp, Field, FieldType, Item, Length, Message, RuleKind,
};
use voicecall_codegen::spec::Spec;

use super::expect::expect;
use super::formats::{len_in, Formats};
use super::instance::{
    canonical_field, canonical_message, ensure_site, establish, reorder, repair, Pin, Pins,
};
use super::rules::{planned, unknown_name, Planned, Target};
use super::scope::{holds, scalar_value, scope, Scope};
use super::values::{look_alike, measure, of_len_near, text_kind};
use super::{Case, RuleRef};

/// Most items a mutant puts in an array to break a bound (a bound beyond it is not
/// worth a request the size of it; only a malformed spec has one).
const MAX_ARRAY_MUTANT: u64 = 1000;

/// Rules of [`rules`](super::rules) that no request can break on its own, each with the
/// reason; [`mutants`] never has a case for them. For the current spec: the length of an
/// enumerated value (the oracle judges it by membership, so an over-long value is an
/// `enum` violation) and JSON types of query parameters (a query string carries only
/// strings). Empty for an operation the spec does not have.
pub fn unmutatable(spec: &Spec, operation_id: &str) -> Vec<(RuleRef, &'static str)> {
    let Some(sc) = scope(spec, operation_id) else {
        return Vec::new();
    };
    planned(spec, operation_id)
        .into_iter()
        .filter_map(|p| {
            let msg = p.message(spec)?;
            static_reason(sc.query, msg, &p).map(|why| (p.rule, why))
        })
        .collect()
}

/// Why a planned rule (of message `msg`; `query` when the request travels in the query
/// string) cannot be broken by any request, if it cannot.
fn static_reason(query: bool, msg: &Message, p: &Planned) -> Option<&'static str> {
    let field = |n: &str| msg.fields.iter().find(|f| f.name == n);
    match &p.target {
        Target::RootType | Target::Type(_) | Target::ItemType(_) if query => {
            Some("query parameters are strings on the wire: no other JSON type can be sent")
        }
        Target::LengthMin(n) | Target::LengthMax(n) | Target::RangeMin(n) | Target::RangeMax(n) | Target::Format(n)
            if field(n).is_some_and(|f| !f.enum_values.is_empty()) =>
        {
            Some("the value is enumerated: the oracle checks membership only, so any value outside this limit is an `enum` violation")
        }
        Target::Rule(id) => {
            let rule = msg.rules.iter().find(|r| &r.id == id)?;
            if rule.when.as_ref().is_some_and(|c| c.message.is_some()) {
                Some("the condition is on another message, which the request does not carry")
            } else if rule.kind != RuleKind::ExactlyOneOf && rule.when.is_none() {
                Some("the rule has no condition to break")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// One case per rule of [`rules`](super::rules) that can be broken from `base` (a valid
/// request of `operation_id`; anything that is not an object is replaced by the
/// canonical request), in the order of the rules, each breaking exactly that rule (plus
/// the rules in its `also`, where no value breaks it alone) as the oracle confirms.
/// Ids are `<operation>/<rule id>`, so they are unique and stable. Empty for an
/// operation the spec does not have.
pub fn mutants(spec: &Spec, operation_id: &str, base: &Value) -> Vec<Case> {
    match Mutator::new(spec, Formats::of(spec), operation_id) {
        Some(m) => m.all(spec, base),
        None => Vec::new(),
    }
}

/// A strategy of mutants over many bases: a valid request from [`valid`](super::valid), then one of
/// its mutants chosen by index, so property runs explore rules × bases. An operation
/// without mutants (or unknown to the spec) yields its valid cases instead.
///
/// The rule is drawn first and only its mutant is built (and checked by the oracle,
/// once); when this base cannot give that one, the next rule in order that it can give
/// is taken. Each call copies the spec for the strategy to own; a
/// [`Generator`](super::Generator) shares one copy among all its strategies.
pub fn strategy_mutants(spec: &Spec, operation_id: &str) -> BoxedStrategy<Case> {
    super::Generator::new(spec).strategy_mutants(operation_id)
}

/// The mutants of one operation, prepared once: every planned rule (the constructions
/// name their siblings in `also` from these), which of them a request can break, and
/// the spec's formats. It borrows nothing, so a strategy keeps it beside its own copy
/// of the spec; every method takes that spec (the one it was made from).
pub(crate) struct Mutator {
    op: String,
    formats: Formats,
    plans: Vec<Planned>,
    /// Indices into `plans` of the rules a request can break.
    mutable: Vec<usize>,
}

impl Mutator {
    /// The mutator of `operation_id`; `None` for an operation the spec does not have
    /// (or whose request message it does not have).
    pub(crate) fn new(spec: &Spec, formats: Formats, operation_id: &str) -> Option<Mutator> {
        let sc = scope(spec, operation_id)?;
        let plans = planned(spec, operation_id);
        let mutable = plans
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.message(spec)
                    .is_some_and(|msg| static_reason(sc.query, msg, p).is_none())
            })
            .map(|(i, _)| i)
            .collect();
        Some(Mutator {
            op: operation_id.to_string(),
            formats,
            plans,
            mutable,
        })
    }

    /// `base` if it is an object, else the canonical request.
    fn base(&self, spec: &Spec, sc: &Scope<'_>, base: &Value) -> Value {
        if base.is_object() {
            base.clone()
        } else {
            canonical_message(spec, &self.formats, &sc.root.name, 0, 0)
        }
    }

    /// Every mutant of `base`, in the order of the rules (see [`mutants`]).
    pub(crate) fn all(&self, spec: &Spec, base: &Value) -> Vec<Case> {
        let Some(sc) = scope(spec, &self.op) else {
            return Vec::new();
        };
        let base = self.base(spec, &sc, base);
        self.mutable
            .iter()
            .filter_map(|&i| self.build(spec, &sc, &self.plans[i], &base))
            .collect()
    }

    /// Whether `base` has at least one mutant (stops at the first).
    pub(crate) fn any(&self, spec: &Spec, base: &Value) -> bool {
        let Some(sc) = scope(spec, &self.op) else {
            return false;
        };
        let base = self.base(spec, &sc, base);
        self.mutable
            .iter()
            .any(|&i| self.build(spec, &sc, &self.plans[i], &base).is_some())
    }

    /// The mutant of the rule `ix` picks among the breakable ones, or when `base`
    /// cannot give it, of the next rule (in rule order, wrapping around) that it can
    /// give; `None` when it gives none. Only the returned case is checked by the oracle
    /// — besides the constructions this base could not confirm.
    pub(crate) fn one(&self, spec: &Spec, base: &Value, ix: Index) -> Option<Case> {
        let sc = scope(spec, &self.op)?;
        let n = self.mutable.len();
        if n == 0 {
            return None;
        }
        let base = self.base(spec, &sc, base);
        let start = ix.index(n);
        (0..n).find_map(|k| {
            let i = *self.mutable.get((start + k) % n)?;
            self.build(spec, &sc, self.plans.get(i)?, &base)
        })
    }

    /// Builds the mutant of one planned rule, or `None` when this base cannot give one
    /// that the oracle confirms.
    fn build(&self, spec: &Spec, sc: &Scope<'_>, p: &Planned, base: &Value) -> Option<Case> {
        build(spec, &self.formats, sc, &self.plans, p, base)
    }
}

/// Builds the mutant of one planned rule, or `None` when this base cannot give one
/// that the oracle confirms.
fn build(
    spec: &Spec,
    formats: &Formats,
    sc: &Scope<'_>,
    plans: &[Planned],
    p: &Planned,
    base: &Value,
) -> Option<Case> {
    let msg = p.message(spec)?;
    let mut v = base.clone();
    let mut also: Vec<RuleRef> = Vec::new();
    let sibling = |suffix: &str| {
        let id = format!("{}.{suffix}", msg.name);
        plans
            .iter()
            .find(|q| q.rule.id == id)
            .map(|q| q.rule.clone())
    };
    let what: String;
    if p.target == Target::RootType {
        v = Value::Array(vec![v]);
        what = "the body is a JSON array holding the request, not an object".into();
    } else {
        let obj = ensure_site(spec, formats, sc.root, &mut v, &p.steps)?;
        let mut pins = Pins::new();
        let mut skip: Option<&str> = None;
        let field = |n: &str| msg.fields.iter().find(|f| f.name == n);
        let mut supply = |f: &Field| {
            let i = msg
                .fields
                .iter()
                .position(|g| g.name == f.name)
                .unwrap_or(0);
            canonical_field(spec, formats, f, i, 1)
        };
        match &p.target {
            Target::RootType => return None,
            Target::Unknown => {
                let name = unknown_name(msg);
                obj.insert(name.clone(), json!("1"));
                what = format!("an extra member {name:?}");
            }
            Target::Required(n) => {
                obj.remove(n);
                pins.insert(n.clone(), Pin::Absent);
                what = format!("{n} left out");
            }
            Target::Type(n) => {
                let f = field(n)?;
                let current = obj.get(n).cloned().unwrap_or_else(|| supply(f));
                let wrong = wrong_type(f.ty, &current);
                what = format!("{n} sent as {}: {}", json_kind(&wrong), short(&wrong));
                obj.insert(n.clone(), wrong);
                pins.insert(n.clone(), Pin::Present);
            }
            Target::LengthMin(n) | Target::LengthMax(n) => {
                let f = field(n)?;
                let max = matches!(p.target, Target::LengthMax(_));
                let (s, broke_format) =
                    off_length(formats, &f.name, f.length?, f.format.as_deref(), max)?;
                if broke_format {
                    also.push(sibling(&format!("{n}.format"))?);
                }
                what = format!("{n} {}", length_note(&s, f.length?));
                obj.insert(n.clone(), Value::String(s));
                pins.insert(n.clone(), Pin::Present);
            }
            Target::RangeMin(n) | Target::RangeMax(n) => {
                let r = field(n)?.range?;
                let i = if matches!(p.target, Target::RangeMax(_)) {
                    r.max.checked_add(1)?
                } else {
                    r.min.checked_sub(1)?
                };
                what = format!("{n} = {i}, outside {}..={}", r.min, r.max);
                obj.insert(n.clone(), json!(i));
                pins.insert(n.clone(), Pin::Present);
            }
            Target::Enum(n) => {
                let f = field(n)?;
                let out = outside_enum(f)?;
                what = format!("{n} = {out}, not an enumerated value");
                obj.insert(n.clone(), out);
                pins.insert(n.clone(), Pin::Present);
            }
            Target::Format(n) => {
                let f = field(n)?;
                let bad = counter_example(formats, f.format.as_deref()?, f.length)?;
                what = format!(
                    "{n} = {bad:?}, not {}",
                    f.format.as_deref().unwrap_or_default()
                );
                obj.insert(n.clone(), Value::String(bad));
                pins.insert(n.clone(), Pin::Present);
            }
            Target::ItemsMin(n) | Target::ItemsMax(n) => {
                let f = field(n)?;
                let c = f.items?;
                let want = if matches!(p.target, Target::ItemsMax(_)) {
                    c.max.checked_add(1).filter(|m| *m <= MAX_ARRAY_MUTANT)?
                } else {
                    c.min.checked_sub(1).filter(|m| *m <= MAX_ARRAY_MUTANT)?
                };
                let pool = items_of(obj, f, &mut supply);
                if pool.is_empty() && want > 0 {
                    return None;
                }
                let items: Vec<Value> = pool.iter().cycle().take(want as usize).cloned().collect();
                what = format!("{n} with {want} items, allowed {}..={}", c.min, c.max);
                obj.insert(n.clone(), Value::Array(items));
                pins.insert(n.clone(), Pin::Present);
            }
            Target::ItemType(n)
            | Target::ItemLengthMin(n)
            | Target::ItemLengthMax(n)
            | Target::ItemFormat(n) => {
                let f = field(n)?;
                let item = f.item.as_ref()?;
                let mut items = items_of(obj, f, &mut supply);
                let first = items.first().cloned()?;
                let (bad, note) =
                    bad_item(formats, f, item, &first, &p.target, &sibling, &mut also)?;
                what = format!("{n}[0] {note}");
                if let Some(slot) = items.first_mut() {
                    *slot = bad;
                }
                obj.insert(n.clone(), Value::Array(items));
                pins.insert(n.clone(), Pin::Present);
            }
            Target::Rule(id) => {
                let rule = msg.rules.iter().find(|r| &r.id == id)?;
                skip = Some(id.as_str());
                match rule.kind {
                    RuleKind::ExactlyOneOf => {
                        for f in &rule.fields {
                            if !obj.contains_key(f) {
                                obj.insert(f.clone(), supply(field(f)?));
                            }
                            pins.insert(f.clone(), Pin::Present);
                        }
                        what = match rule.fields.as_slice() {
                            [a, b] => format!("both {a} and {b} present"),
                            all => format!("all of {} present", all.join(", ")),
                        };
                    }
                    RuleKind::RequiredWhen => {
                        let c = rule.when.as_ref()?;
                        make_hold(msg, c, obj, &mut pins, &mut supply)?;
                        for f in &rule.fields {
                            obj.remove(f);
                            pins.insert(f.clone(), Pin::Absent);
                        }
                        what = format!(
                            "{} left out while {} holds",
                            rule.fields.join(", "),
                            condition_text(c)
                        );
                    }
                    RuleKind::OnlyWhen => {
                        let c = rule.when.as_ref()?;
                        for f in &rule.fields {
                            if !obj.contains_key(f) {
                                obj.insert(f.clone(), supply(field(f)?));
                            }
                            pins.insert(f.clone(), Pin::Present);
                        }
                        break_condition(msg, c, obj, &mut pins)?;
                        what = format!(
                            "{} sent while {} does not hold",
                            rule.fields.join(", "),
                            condition_text(c)
                        );
                    }
                }
            }
        }
        if !repair(msg, obj, &mut pins, skip, &mut supply) {
            return None;
        }
        reorder(msg, obj);
    }
    confirm(spec, sc, msg, p, v, also, what)
}

/// Checks the mutant against the oracle and makes the case: the oracle must report
/// exactly the targeted rule's violations (and those of `also`), nothing else.
fn confirm(
    spec: &Spec,
    sc: &Scope<'_>,
    msg: &Message,
    p: &Planned,
    value: Value,
    also: Vec<RuleRef>,
    what: String,
) -> Option<Case> {
    let violations = spec.validate_json(&sc.root.name, &value);
    let mut want: Vec<(String, String)> = expected_paths(msg, p)
        .into_iter()
        .map(|path| (path, p.rule.kind.clone()))
        .chain(also.iter().map(|a| (a.path.clone(), a.kind.clone())))
        .collect();
    want.sort();
    want.dedup();
    let mut got: Vec<(String, String)> = violations
        .iter()
        .map(|v| (v.path.clone(), v.rule.clone()))
        .collect();
    got.sort();
    got.dedup();
    if got != want {
        return None;
    }
    let also_note = if also.is_empty() {
        String::new()
    } else {
        let ids: Vec<&str> = also.iter().map(|a| a.id.as_str()).collect();
        format!("; unavoidably also breaks {}", ids.join(", "))
    };
    Some(Case {
        id: format!("{}/{}", sc.op.id, p.rule.id),
        operation: sc.op.id.clone(),
        doc: format!("{what}: breaks {} ({}){also_note}", p.rule.id, p.rule.doc),
        expect: expect(spec, &sc.op.id, &violations),
        rule: Some(p.rule.clone()),
        also,
        value,
        violations,
    })
}

/// Paths at which the oracle reports the planned rule (one per field of a rule between
/// fields that names several).
fn expected_paths(msg: &Message, p: &Planned) -> Vec<String> {
    if let Target::Rule(id) = &p.target {
        if let Some(r) = msg.rules.iter().find(|r| &r.id == id) {
            if r.kind != RuleKind::ExactlyOneOf && !r.fields.is_empty() {
                return r.fields.iter().map(|f| format!("{}.{f}", p.path)).collect();
            }
        }
    }
    vec![p.rule.path.clone()]
}

/// A string one past the row's limit (`max` true: longer than the maximum; else
/// shorter than the minimum), keeping the format if any value of that length has it;
/// the flag says the format is broken too.
fn off_length(
    formats: &Formats,
    name: &str,
    l: Length,
    format: Option<&str>,
    max: bool,
) -> Option<(String, bool)> {
    let kind = text_kind(name);
    let n = if max {
        l.max.checked_add(1)?
    } else {
        l.min.checked_sub(1)?
    };
    if let Some(s) = of_len_near(formats, format, kind, l.unit, n, max, 0) {
        return Some((s, false));
    }
    let s = look_alike(format, kind, l.unit, n);
    let broke = format.is_some_and(|f| !formats.ok(f, &s));
    Some((s, broke))
}

fn length_note(s: &str, l: Length) -> String {
    let unit = match l.unit {
        voicecall_codegen::spec::model::LengthUnit::Chars => "characters",
        voicecall_codegen::spec::model::LengthUnit::Bytes => "bytes",
    };
    format!(
        "{} {unit} long ({}), allowed {}..={}",
        len_in(s, l.unit),
        measure(s),
        l.min,
        l.max
    )
}

/// A value of another JSON type, as clients get it wrong: a boolean for `"true"`, a
/// number for a numeric string, a numeric string for a number, the single item for an
/// array, the JSON text for an object.
fn wrong_type(ty: FieldType, current: &Value) -> Value {
    match ty {
        FieldType::String => match current.as_str() {
            Some("true") => json!(true),
            Some("false") => json!(false),
            Some(s) => s.parse::<i64>().map(Value::from).unwrap_or(json!(1)),
            None => json!(1),
        },
        FieldType::Integer => Value::String(current.to_string()),
        FieldType::Array => match current.as_array().and_then(|a| a.first()) {
            Some(first) => first.clone(),
            None => json!({}),
        },
        FieldType::Object => Value::String(current.to_string()),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value for a doc line, cut short.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// A value of the field's type outside its enum: a case variant of an enumerated
/// string (catching case-insensitive matching), else a suffixed one; for integers one
/// past the largest.
fn outside_enum(f: &Field) -> Option<Value> {
    let values: Vec<Value> = f
        .enum_values
        .iter()
        .map(|e| scalar_value(&e.value))
        .collect();
    let taken = |v: &Value| values.contains(v);
    let candidates: Vec<Value> = match f.ty {
        FieldType::Integer => {
            let hi = values.iter().filter_map(Value::as_i64).max().unwrap_or(0);
            let lo = values.iter().filter_map(Value::as_i64).min().unwrap_or(0);
            [hi.checked_add(1), lo.checked_sub(1)]
                .into_iter()
                .flatten()
                .map(Value::from)
                .collect()
        }
        _ => values
            .iter()
            .filter_map(Value::as_str)
            .flat_map(|s| [s.to_uppercase(), format!("{s}_x"), format!("{s}1")])
            .chain(["unknown".to_string()])
            .map(Value::String)
            .collect(),
    };
    candidates.into_iter().find(|c| !taken(c))
}

/// A counter-example of the format (the spec's own, first one within the row's length),
/// else a look-alike of the right length that does not have the format.
fn counter_example(formats: &Formats, format: &str, length: Option<Length>) -> Option<String> {
    let within = |s: &str| length.is_none_or(|l| (l.min..=l.max).contains(&len_in(s, l.unit)));
    let def = formats.get(format)?;
    def.counter_examples
        .iter()
        .find(|c| within(c) && !formats.ok(format, c))
        .cloned()
        .or_else(|| {
            ["{x}", "$", "a b", "x"]
                .iter()
                .map(|s| s.to_string())
                .find(|c| within(c) && !formats.ok(format, c))
        })
}

/// The items of array field `f` in `obj`, or its canonical items.
fn items_of(
    obj: &Map<String, Value>,
    f: &Field,
    supply: &mut dyn FnMut(&Field) -> Value,
) -> Vec<Value> {
    match obj.get(&f.name).and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a.clone(),
        _ => supply(f).as_array().cloned().unwrap_or_default(),
    }
}

/// A bad first item for an item-level target, with a note for the doc line.
#[allow(clippy::too_many_arguments)]
fn bad_item(
    formats: &Formats,
    f: &Field,
    item: &Item,
    first: &Value,
    target: &Target,
    sibling: &dyn Fn(&str) -> Option<RuleRef>,
    also: &mut Vec<RuleRef>,
) -> Option<(Value, String)> {
    match target {
        Target::ItemType(_) => {
            let bad = wrong_type(item.ty, first);
            let note = format!("sent as {}: {}", json_kind(&bad), short(&bad));
            Some((bad, note))
        }
        Target::ItemLengthMin(_) | Target::ItemLengthMax(_) => {
            let l = item.length?;
            let max = matches!(target, Target::ItemLengthMax(_));
            let (s, broke) = off_length(formats, &f.name, l, item.format.as_deref(), max)?;
            if broke {
                also.push(sibling(&format!("{}.item.format", f.name))?);
            }
            let note = length_note(&s, l);
            Some((Value::String(s), note))
        }
        Target::ItemFormat(_) => {
            let fmt = item.format.as_deref()?;
            let bad = counter_example(formats, fmt, item.length)?;
            let note = format!("= {bad:?}, not {fmt}");
            Some((Value::String(bad), note))
        }
        _ => None,
    }
}

/// Makes condition `c` hold, keeping the field's value if it already does; the field
/// is pinned either way so the repair cannot undo it.
fn make_hold(
    msg: &Message,
    c: &Condition,
    obj: &mut Map<String, Value>,
    pins: &mut Pins,
    supply: &mut dyn FnMut(&Field) -> Value,
) -> Option<()> {
    if holds(msg, c, obj) {
        let pin = if obj.contains_key(&c.field) {
            Pin::Present
        } else {
            Pin::Absent
        };
        pins.insert(c.field.clone(), pin);
        return Some(());
    }
    establish(msg, c, obj, pins, supply).then_some(())
}

/// Makes condition `c` fail — by leaving its field out when its default already fails
/// it, else by a valid value that does — and pins the field.
fn break_condition(
    msg: &Message,
    c: &Condition,
    obj: &mut Map<String, Value>,
    pins: &mut Pins,
) -> Option<()> {
    if pins.contains_key(&c.field) {
        return None;
    }
    let f = msg.fields.iter().find(|f| f.name == c.field)?;
    let default = f.default.as_ref().map(scalar_value);
    let mut without = obj.clone();
    without.remove(&c.field);
    if !holds(msg, c, &without) {
        obj.remove(&c.field);
        pins.insert(c.field.clone(), Pin::Absent);
        return Some(());
    }
    let mut candidates: Vec<Value> = f
        .enum_values
        .iter()
        .map(|e| scalar_value(&e.value))
        .collect();
    if let Some(r) = f.range {
        candidates.extend([json!(r.min), json!(r.max)]);
    }
    if let (ConditionOp::NotEquals, Some(want)) = (c.op, &c.value) {
        candidates.insert(0, scalar_value(want));
    }
    candidates.extend(default);
    for cand in candidates {
        let mut trial = obj.clone();
        trial.insert(c.field.clone(), cand.clone());
        if !holds(msg, c, &trial) {
            obj.insert(c.field.clone(), cand);
            pins.insert(c.field.clone(), Pin::Present);
            return Some(());
        }
    }
    None
}

/// A condition in words, for doc lines.
fn condition_text(c: &Condition) -> String {
    match (c.op, &c.value) {
        (ConditionOp::Present, _) => format!("`{} present`", c.field),
        (ConditionOp::Equals, Some(v)) => format!("`{} = {v}`", c.field),
        (ConditionOp::NotEquals, Some(v)) => format!("`{} ≠ {v}`", c.field),
        _ => format!("`{}`", c.field),
    }
}
