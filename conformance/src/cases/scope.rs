//! What part of the spec an operation's cases cover, and how to reach it in a value.
//!
//! An operation's request is one message (its body, or its query for a GET); messages
//! nested in it (objects and array items with `ref`) are *sites*, each reached from the
//! root by a list of steps. Rules, instances and mutants all walk the same sites, so a
//! rule id, the path where a mutant breaks it and the path the oracle reports agree.

use serde_json::{Map, Value};
use voicecall_codegen::spec::model::{
    Condition, ConditionOp, FieldType, Message, Operation, Scalar,
};
use voicecall_codegen::spec::Spec;

/// Nested messages deeper than this are not followed (the spec has depth 2; the bound
/// only keeps a malformed spec with a reference cycle from recursing forever).
pub(crate) const MAX_DEPTH: usize = 8;

/// The operation and the message its request carries.
pub(crate) struct Scope<'a> {
    /// The operation.
    pub op: &'a Operation,
    /// Its body message, or its query message when it has no body.
    pub root: &'a Message,
    /// Whether `root` travels in the query string (every value is a string there).
    pub query: bool,
}

/// The request message of `operation_id`, if the spec has the operation and it carries one.
pub(crate) fn scope<'a>(spec: &'a Spec, operation_id: &str) -> Option<Scope<'a>> {
    let op = spec.operation(operation_id)?;
    if let Some(body) = op.body.as_deref() {
        return Some(Scope {
            op,
            root: spec.message(body)?,
            query: false,
        });
    }
    let query = op.query.as_deref()?;
    Some(Scope {
        op,
        root: spec.message(query)?,
        query: true,
    })
}

/// One step from an object to a nested object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The member with this name (an object field, or an array field when followed by `Index`).
    Field(String),
    /// The array item at this index.
    Index(usize),
}

/// An object of the request described by one message, and how to reach it.
#[derive(Debug, Clone)]
pub(crate) struct Site<'a> {
    /// The message describing the object.
    pub msg: &'a Message,
    /// Steps from the root to the object.
    pub steps: Vec<Step>,
    /// The JSON path of the object as the oracle prints it (`$`, `$.playInfoList[0]`).
    pub path: String,
}

/// Every site under `root`, root first, then depth-first in field order. Array items
/// are reached at index 0; fields whose message depends on a discriminator
/// (`tagged_by`) are not followed (no request has one).
pub(crate) fn sites<'a>(spec: &'a Spec, root: &'a Message) -> Vec<Site<'a>> {
    let mut out = Vec::new();
    collect(
        spec,
        Site {
            msg: root,
            steps: Vec::new(),
            path: "$".into(),
        },
        0,
        &mut out,
    );
    out
}

fn collect<'a>(spec: &'a Spec, site: Site<'a>, depth: usize, out: &mut Vec<Site<'a>>) {
    if depth > MAX_DEPTH {
        return;
    }
    let msg = site.msg;
    let (steps, path) = (site.steps.clone(), site.path.clone());
    out.push(site);
    for f in &msg.fields {
        if f.tagged_by.is_some() {
            continue;
        }
        let nested = match f.ty {
            FieldType::Object => f.reference.as_deref().map(|r| (r, false)),
            FieldType::Array => f
                .item
                .as_ref()
                .and_then(|i| i.reference.as_deref())
                .map(|r| (r, true)),
            _ => None,
        };
        let Some((r, indexed)) = nested else { continue };
        let Some(m) = spec.message(r) else { continue };
        let mut s = steps.clone();
        s.push(Step::Field(f.name.clone()));
        let mut p = format!("{path}.{}", f.name);
        if indexed {
            s.push(Step::Index(0));
            p.push_str("[0]");
        }
        collect(
            spec,
            Site {
                msg: m,
                steps: s,
                path: p,
            },
            depth + 1,
            out,
        );
    }
}

/// Where the reference states a field, exactly as the oracle prints it.
pub(crate) fn field_doc(spec: &Spec, msg: &Message, field: &str) -> String {
    let section = spec.section_of_message(&msg.name).unwrap_or("?");
    let name = msg
        .fields
        .iter()
        .find(|f| f.name == field)
        .and_then(|f| f.doc_name.as_deref())
        .unwrap_or(field);
    format!("{section} 表{} {name}", msg.table)
}

/// Where the reference states a message (its table), as the oracle prints it.
pub(crate) fn message_doc(spec: &Spec, msg: &Message) -> String {
    let section = spec.section_of_message(&msg.name).unwrap_or("?");
    format!("{section} 表{}", msg.table)
}

/// Where the reference states a rule between fields, as the oracle prints it.
pub(crate) fn rule_doc(msg: &Message, rule: &voicecall_codegen::spec::model::Rule) -> String {
    format!(
        "{} 表{} {}",
        rule.doc.section,
        rule.doc.table.as_deref().unwrap_or(&msg.table),
        rule.doc.row.as_deref().unwrap_or("")
    )
    .trim_end()
    .to_string()
}

/// Whether a condition on this message holds for `obj`: an absent field takes its
/// default, as the oracle reads it. Conditions on another message (`message:`) are
/// never evaluated here (the oracle cannot see the originating request either).
pub(crate) fn holds(msg: &Message, c: &Condition, obj: &Map<String, Value>) -> bool {
    let equal = |want: &Scalar| match obj.get(&c.field) {
        Some(v) => Some(scalar_eq(want, v)),
        None => msg
            .fields
            .iter()
            .find(|f| f.name == c.field)
            .and_then(|f| f.default.as_ref())
            .map(|d| scalar_eq(want, &scalar_value(d))),
    };
    match (c.op, &c.value) {
        (ConditionOp::Present, _) => obj.contains_key(&c.field),
        (ConditionOp::Equals, Some(want)) => equal(want) == Some(true),
        (ConditionOp::NotEquals, Some(want)) => equal(want) == Some(false),
        _ => false,
    }
}

/// Whether a JSON value is the scalar (same type and value).
pub(crate) fn scalar_eq(s: &Scalar, v: &Value) -> bool {
    match (s, v) {
        (Scalar::Int(i), Value::Number(n)) => n.as_i64() == Some(*i),
        (Scalar::Str(a), Value::String(b)) => a == b,
        _ => false,
    }
}

/// The scalar as a JSON value.
pub(crate) fn scalar_value(s: &Scalar) -> Value {
    match s {
        Scalar::Int(i) => Value::from(*i),
        Scalar::Str(s) => Value::from(s.clone()),
    }
}
