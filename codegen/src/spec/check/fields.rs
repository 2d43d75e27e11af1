//! Messages, their fields and rules: types, limits, enums, defaults and references.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{code_exists, errata_exist, Ctx, Index};
use crate::spec::model::*;
use crate::spec::validate::scalar_eq;

pub(super) fn check_message(ctx: &mut Ctx, ix: &Index, fi: usize, i: usize, m: &Message) {
    let p = format!("messages[{i}]");
    let mut names = BTreeMap::new();
    for (j, f) in m.fields.iter().enumerate() {
        let fp = format!("{p}.fields[{j}]");
        if let Some(k) = names.insert(f.name.clone(), j) {
            ctx.err(
                fi,
                format!("{fp}.name"),
                format!(
                    "duplicate field {:?} in {} (first at fields[{k}])",
                    f.name, m.name
                ),
                "each wire name appears once per message",
            );
        }
        check_field(ctx, ix, fi, &fp, m, f);
    }
    let mut rule_ids = BTreeSet::new();
    for (j, r) in m.rules.iter().enumerate() {
        let rp = format!("{p}.rules[{j}]");
        if !rule_ids.insert(r.id.clone()) {
            ctx.err(
                fi,
                format!("{rp}.id"),
                format!("duplicate rule id {:?} in {}", r.id, m.name),
                "give each rule of a message its own id",
            );
        }
        for (k, fname) in r.fields.iter().enumerate() {
            if !names.contains_key(fname) {
                ctx.err(
                    fi,
                    format!("{rp}.fields[{k}]"),
                    format!("{} has no field {fname:?}", m.name),
                    "name a field of this message",
                );
            }
        }
        match (r.kind, &r.when) {
            (RuleKind::ExactlyOneOf, Some(_)) => ctx.err(
                fi,
                format!("{rp}.when"),
                "exactly_one_of takes no condition",
                "remove `when:`",
            ),
            (RuleKind::ExactlyOneOf, None) if r.fields.len() < 2 => ctx.err(
                fi,
                format!("{rp}.fields"),
                "exactly_one_of needs two fields or more",
                "list the alternatives",
            ),
            (RuleKind::RequiredWhen | RuleKind::OnlyWhen, None) => ctx.err(
                fi,
                rp.clone(),
                format!("{:?} needs a `when:` condition", r.kind),
                "add when: {field: …, op: equals, value: …}",
            ),
            (_, Some(c)) => {
                let target = match &c.message {
                    Some(other) => ix
                        .messages
                        .get(other)
                        .map(|&(mf, mi)| ctx.files[mf].content.messages[mi].clone()),
                    None => Some(m.clone()),
                };
                match target {
                    None => ctx.err(
                        fi,
                        format!("{rp}.when.message"),
                        format!("no message {:?}", c.message.as_deref().unwrap_or("")),
                        "name the message that holds the condition's field",
                    ),
                    Some(t) => match t.fields.iter().find(|f| f.name == c.field) {
                        None => ctx.err(
                            fi,
                            format!("{rp}.when.field"),
                            format!("{} has no field {:?}", t.name, c.field),
                            "name a field of the condition's message",
                        ),
                        Some(cf) => {
                            if c.op != ConditionOp::Present {
                                match &c.value {
                                    None => ctx.err(
                                        fi,
                                        format!("{rp}.when"),
                                        "equals/not_equals need a `value`",
                                        "add value: …",
                                    ),
                                    Some(v) if !scalar_fits(cf.ty, v) => ctx.err(
                                        fi,
                                        format!("{rp}.when.value"),
                                        format!(
                                            "{v} is not a {:?} value like field {}",
                                            cf.ty, cf.name
                                        ),
                                        "quote strings, leave integers bare",
                                    ),
                                    _ => {}
                                }
                            }
                        }
                    },
                }
            }
            _ => {}
        }
        if let Some(cr) = &r.on_violation {
            if !code_exists(ctx.files, cr) {
                ctx.err(
                    fi,
                    format!("{rp}.on_violation"),
                    format!(
                        "no result-code table has the row ({}, {})",
                        cr.status, cr.code
                    ),
                    "use a (status, code) pair that a result-code table lists",
                );
            }
        }
        errata_exist(ctx, ix, fi, &rp, &r.errata);
    }
}

fn scalar_fits(ty: FieldType, v: &Scalar) -> bool {
    matches!(
        (ty, v),
        (FieldType::Integer, Scalar::Int(_)) | (FieldType::String, Scalar::Str(_))
    )
}

fn check_field(ctx: &mut Ctx, ix: &Index, fi: usize, fp: &str, m: &Message, f: &Field) {
    let wrong = |ctx: &mut Ctx, key: &str, ty: &str| {
        ctx.err_key(
            fi,
            format!("{fp}.{key}"),
            format!("`{key}` does not apply to a field of type {ty}"),
            format!("remove `{key}` or change `type`"),
        );
    };
    let ty = format!("{:?}", f.ty).to_lowercase();
    if f.length.is_some() && f.ty != FieldType::String {
        wrong(ctx, "length", &ty);
    }
    if f.range.is_some() && f.ty != FieldType::Integer {
        wrong(ctx, "range", &ty);
    }
    if f.format.is_some() && f.ty != FieldType::String {
        wrong(ctx, "format", &ty);
    }
    if (f.items.is_some() || f.item.is_some()) && f.ty != FieldType::Array {
        wrong(ctx, if f.items.is_some() { "items" } else { "item" }, &ty);
    }
    if f.reference.is_some() && f.ty != FieldType::Object {
        wrong(ctx, "ref", &ty);
    }
    if f.ty == FieldType::Array && (f.items.is_none() || f.item.is_none()) {
        ctx.err(
            fi,
            fp,
            format!(
                "array field {:?} needs `items` (count) and `item` (type)",
                f.name
            ),
            "add items: {min: …, max: …} and item: {type: …}",
        );
    }
    if f.ty == FieldType::Object && f.reference.is_none() && f.tagged_by.is_none() {
        ctx.err(
            fi,
            fp,
            format!(
                "object field {:?} needs `ref` (its message) or `tagged_by`",
                f.name
            ),
            "add ref: MessageName",
        );
    }
    if m.location != Location::Body && f.ty != FieldType::String {
        ctx.err(
            fi,
            format!("{fp}.type"),
            format!("{:?} parameters are strings on the wire", m.location),
            "use type: string",
        );
    }
    if let Some(l) = f.length {
        if l.min > l.max {
            ctx.err(
                fi,
                format!("{fp}.length"),
                format!("length min {} > max {}", l.min, l.max),
                "swap min and max, or check the 参数类型 column",
            );
        }
    }
    if let Some(r) = f.range {
        if r.min > r.max {
            ctx.err(
                fi,
                format!("{fp}.range"),
                format!("range min {} > max {}", r.min, r.max),
                "swap min and max",
            );
        }
    }
    if let Some(c) = f.items {
        if c.min > c.max {
            ctx.err(
                fi,
                format!("{fp}.items"),
                format!("items min {} > max {}", c.min, c.max),
                "swap min and max",
            );
        }
    }
    if let Some(item) = &f.item {
        if let Some(l) = item.length {
            if l.min > l.max {
                ctx.err(
                    fi,
                    format!("{fp}.item.length"),
                    format!("length min {} > max {}", l.min, l.max),
                    "swap min and max",
                );
            }
        }
        if let Some(r) = &item.reference {
            if !ix.messages.contains_key(r) {
                ctx.err(
                    fi,
                    format!("{fp}.item.ref"),
                    format!("no message is named {r:?}"),
                    "name the message of one item",
                );
            }
        }
        if let Some(fm) = &item.format {
            if !ix.formats.contains_key(fm) {
                ctx.err(
                    fi,
                    format!("{fp}.item.format"),
                    format!("no format {fm:?}"),
                    "name a format under `formats:` in spec/voicecall.yaml",
                );
            }
        }
        if item.ty == FieldType::Object && item.reference.is_none() {
            ctx.err(
                fi,
                format!("{fp}.item"),
                "object items need `ref`",
                "add ref: MessageName",
            );
        }
    }
    if let Some(r) = &f.reference {
        if !ix.messages.contains_key(r) {
            ctx.err(
                fi,
                format!("{fp}.ref"),
                format!("no message is named {r:?}"),
                "name a message defined under `messages:`",
            );
        }
    }
    if let Some(t) = &f.tagged_by {
        if !m.fields.iter().any(|x| &x.name == t) {
            ctx.err(
                fi,
                format!("{fp}.tagged_by"),
                format!("{} has no field {t:?}", m.name),
                "name the discriminator field",
            );
        } else if !ix.tagged.contains_key(&(m.name.clone(), f.name.clone())) {
            ctx.err(
                fi,
                format!("{fp}.tagged_by"),
                format!(
                    "no notification maps event types of {}.{} to messages",
                    m.name, f.name
                ),
                "list the events under the notification whose body is this message",
            );
        }
    }
    if let Some(fm) = &f.format {
        if !ix.formats.contains_key(fm) {
            ctx.err(
                fi,
                format!("{fp}.format"),
                format!("no format {fm:?}"),
                "name a format under `formats:` in spec/voicecall.yaml",
            );
        }
    }
    if let Some(ct) = &f.code_table {
        if !ix.code_tables.contains_key(ct) {
            ctx.err(
                fi,
                format!("{fp}.code_table"),
                format!("no code table {ct:?}"),
                "use hangup_reasons, q850 or fail_points",
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (k, e) in f.enum_values.iter().enumerate() {
        if !scalar_fits(f.ty, &e.value) {
            ctx.err(
                fi,
                format!("{fp}.enum[{k}].value"),
                format!("enum value {} does not have the field's type {ty}", e.value),
                "quote string values (\"true\", \"001\"), leave integers bare",
            );
        }
        if !seen.insert(e.value.clone()) {
            ctx.err(
                fi,
                format!("{fp}.enum[{k}].value"),
                format!("duplicate enum value {}", e.value),
                "list each value once",
            );
        }
    }
    if let Some(d) = &f.default {
        let dp = format!("{fp}.default");
        if !scalar_fits(f.ty, d) {
            ctx.err(
                fi,
                dp.clone(),
                format!("default {d} does not have the field's type {ty}"),
                "quote string defaults, leave integers bare",
            );
        } else {
            let as_value = match d {
                Scalar::Int(i) => Value::from(*i),
                Scalar::Str(s) => Value::from(s.clone()),
            };
            if !f.enum_values.is_empty()
                && !f.enum_values.iter().any(|e| scalar_eq(&e.value, &as_value))
            {
                ctx.err(
                    fi,
                    dp.clone(),
                    format!("default {d} is not one of the enum values"),
                    "make the default one of the values listed under `enum`, or add it there",
                );
            }
            if let (Some(r), Scalar::Int(i)) = (f.range, d) {
                if *i < r.min || *i > r.max {
                    ctx.err(
                        fi,
                        dp.clone(),
                        format!("default {i} is outside the range {}..={}", r.min, r.max),
                        "fix the default or the range",
                    );
                }
            }
            if f.required {
                ctx.err(
                    fi,
                    dp,
                    "a required field has no default",
                    "remove `default` or make the field optional",
                );
            }
        }
    }
    errata_exist(ctx, ix, fi, fp, &f.errata);
}
