//! The rule universe of an operation: every constraint its request can break.
//!
//! Walks the request message and the messages nested in it (objects, array items) and
//! lists, per site, the body-type rule (root only), the unknown-field rule, each
//! field's rows — `required`, `type`, `length.min` (when above 0), `length.max`,
//! `range.min`/`range.max`, `enum`, `format`, `items.min` (when above 0) /`items.max`,
//! and for arrays their item type, length and format — and each rule between fields.
//! Header messages are not in scope: signing has its own tests.

use voicecall_codegen::spec::model::{FieldType, Message, RuleKind};
use voicecall_codegen::spec::Spec;

use super::scope::{field_doc, message_doc, rule_doc, scope, sites, Site, Step};
use super::RuleRef;

/// What a rule constrains, precisely enough to build a value that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// The body is an object (root only).
    RootType,
    /// No member outside the table.
    Unknown,
    /// A required field is present.
    Required(String),
    /// A field has its JSON type.
    Type(String),
    /// A string field is at least `min` long.
    LengthMin(String),
    /// A string field is at most `max` long.
    LengthMax(String),
    /// An integer is at least `min`.
    RangeMin(String),
    /// An integer is at most `max`.
    RangeMax(String),
    /// A value is one of the enumerated ones.
    Enum(String),
    /// A string has its format.
    Format(String),
    /// An array has at least `min` items.
    ItemsMin(String),
    /// An array has at most `max` items.
    ItemsMax(String),
    /// Each array item has the item type.
    ItemType(String),
    /// Each string item is at least `min` long.
    ItemLengthMin(String),
    /// Each string item is at most `max` long.
    ItemLengthMax(String),
    /// Each string item has the item format.
    ItemFormat(String),
    /// A rule between fields, by id.
    Rule(String),
}

/// A rule of the universe with the site it lives on and what to break. Owned (the
/// site's message by name), so an operation's plans can be computed once and kept in
/// the `'static` closure of a strategy beside the spec they came from.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub rule: RuleRef,
    /// The message of the site (the object the rule constrains).
    pub msg: String,
    /// Steps from the root to the site.
    pub steps: Vec<Step>,
    /// The JSON path of the site as the oracle prints it.
    pub path: String,
    pub target: Target,
}

impl Planned {
    /// The message of the site, in `spec` (the spec the plan was made from).
    pub(crate) fn message<'s>(&self, spec: &'s Spec) -> Option<&'s Message> {
        spec.message(&self.msg)
    }
}

/// The name of the member no table has, chosen per message so it never collides.
pub(crate) fn unknown_name(msg: &Message) -> String {
    let mut name = "unknownField".to_string();
    while msg.fields.iter().any(|f| f.name == name) {
        name.push('_');
    }
    name
}

/// Every checkable constraint of the request of `operation_id` (its body message, or
/// its query message for a GET), recursively into nested messages, in a fixed order:
/// site by site (the root first), per site the message-level rules, then each field's
/// rows in table order, then the rules between fields. Constraints that no value can
/// break (a minimum length of 0) are left out; those that no *request* can break alone
/// are listed, with the reason, by [`unmutatable`](super::unmutatable). Empty for an
/// operation the spec does not have.
pub fn rules(spec: &Spec, operation_id: &str) -> Vec<RuleRef> {
    planned(spec, operation_id)
        .into_iter()
        .map(|p| p.rule)
        .collect()
}

/// [`rules`] with the site and target of each.
pub(crate) fn planned(spec: &Spec, operation_id: &str) -> Vec<Planned> {
    let Some(sc) = scope(spec, operation_id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for site in sites(spec, sc.root) {
        let msg = site.msg;
        let m = &msg.name;
        let mut push = |suffix: String,
                        field: Option<&str>,
                        kind: &str,
                        doc: String,
                        path: String,
                        target: Target| {
            out.push(Planned {
                rule: RuleRef {
                    id: format!("{m}.{suffix}"),
                    message: m.clone(),
                    field: field.map(String::from),
                    kind: kind.into(),
                    doc,
                    path,
                },
                msg: m.clone(),
                steps: site.steps.clone(),
                path: site.path.clone(),
                target,
            })
        };
        if site.steps.is_empty() && !sc.query {
            push(
                "type".into(),
                None,
                "type",
                message_doc(spec, msg),
                site.path.clone(),
                Target::RootType,
            );
        }
        push(
            "unknown_field".into(),
            None,
            "unknown_field",
            message_doc(spec, msg),
            format!("{}.{}", site.path, unknown_name(msg)),
            Target::Unknown,
        );
        for f in &msg.fields {
            let n = f.name.as_str();
            let doc = field_doc(spec, msg, n);
            let at = format!("{}.{n}", site.path);
            let item_at = format!("{at}[0]");
            let mut row = |suffix: &str, kind: &str, path: &str, target: Target| {
                push(
                    format!("{n}.{suffix}"),
                    Some(n),
                    kind,
                    doc.clone(),
                    path.to_string(),
                    target,
                )
            };
            if f.required {
                row("required", "required", &at, Target::Required(n.into()));
            }
            row("type", "type", &at, Target::Type(n.into()));
            if let Some(l) = f.length {
                if l.min > 0 {
                    row("length.min", "length", &at, Target::LengthMin(n.into()));
                }
                row("length.max", "length", &at, Target::LengthMax(n.into()));
            }
            if let Some(r) = f.range {
                if r.min > i64::MIN {
                    row("range.min", "range", &at, Target::RangeMin(n.into()));
                }
                if r.max < i64::MAX {
                    row("range.max", "range", &at, Target::RangeMax(n.into()));
                }
            }
            if !f.enum_values.is_empty() {
                row("enum", "enum", &at, Target::Enum(n.into()));
            }
            if f.format.is_some() {
                row("format", "format", &at, Target::Format(n.into()));
            }
            if f.ty == FieldType::Array {
                if let Some(c) = f.items {
                    if c.min > 0 {
                        row("items.min", "items", &at, Target::ItemsMin(n.into()));
                    }
                    row("items.max", "items", &at, Target::ItemsMax(n.into()));
                }
                if let Some(item) = &f.item {
                    row("item.type", "type", &item_at, Target::ItemType(n.into()));
                    if let Some(l) = item.length {
                        if l.min > 0 {
                            row(
                                "item.length.min",
                                "length",
                                &item_at,
                                Target::ItemLengthMin(n.into()),
                            );
                        }
                        row(
                            "item.length.max",
                            "length",
                            &item_at,
                            Target::ItemLengthMax(n.into()),
                        );
                    }
                    if item.format.is_some() {
                        row(
                            "item.format",
                            "format",
                            &item_at,
                            Target::ItemFormat(n.into()),
                        );
                    }
                }
            }
        }
        for r in &msg.rules {
            let (kind, path) = match r.kind {
                RuleKind::ExactlyOneOf => ("exactly_one_of", site.path.clone()),
                RuleKind::RequiredWhen => ("required_when", first_field_path(&site, &r.fields)),
                RuleKind::OnlyWhen => ("only_when", first_field_path(&site, &r.fields)),
            };
            push(
                format!("rule.{}", r.id),
                None,
                kind,
                rule_doc(msg, r),
                path,
                Target::Rule(r.id.clone()),
            );
        }
    }
    out
}

fn first_field_path(site: &Site<'_>, fields: &[String]) -> String {
    match fields.first() {
        Some(f) => format!("{}.{f}", site.path),
        None => site.path.clone(),
    }
}
