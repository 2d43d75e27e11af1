//! Wire-shape checks: presence, JSON type and enumerated values of each field, and fields
//! the table does not define, read from
//! the generated [`crate::registry::SHAPES`] tables. They explain a value that does not
//! parse into its generated type (strict types refuse a missing required field or an
//! unlisted enum value at parse time), so every defect still comes back as a
//! [`Violation`] with its path, rule and row of the reference.

use serde_json::Value;

use super::{Path, Rule, Severity, Violation};

/// JSON type of a field or array item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// An object.
    Object,
    /// An array.
    Array,
}

impl JsonType {
    fn admits(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Integer => v.is_i64() || v.is_u64(),
            JsonType::Object => v.is_object(),
            JsonType::Array => v.is_array(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Object => "an object",
            JsonType::Array => "an array",
        }
    }
}

/// A field's wire shape.
#[derive(Debug, Clone, Copy)]
pub struct ShapeField {
    /// Wire name.
    pub name: &'static str,
    /// JSON type.
    pub json: JsonType,
    /// Whether it must be present.
    pub required: bool,
    /// Row of the reference.
    pub doc: &'static str,
    /// Allowed strings (empty: any).
    pub enum_str: &'static [&'static str],
    /// Allowed integers (empty: any).
    pub enum_int: &'static [i64],
    /// Message of the object, or of each object item.
    pub object: Option<&'static str>,
    /// JSON type of each array item.
    pub item: Option<JsonType>,
}

/// A message's wire shape.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Spec name.
    pub name: &'static str,
    /// Its fields.
    pub fields: &'static [ShapeField],
}

fn push(out: &mut Vec<Violation>, path: String, rule: Rule, detail: String, doc: &'static str) {
    out.push(Violation {
        path,
        rule,
        detail,
        doc,
        severity: Severity::Error,
    });
}

/// Checks `value` against the shape of message `name` (unknown names: nothing).
pub fn check_shape(
    shapes: &[Shape],
    name: &str,
    value: &Value,
    path: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    let Some(shape) = shapes.iter().find(|s| s.name == name) else {
        return;
    };
    let Some(obj) = value.as_object() else {
        push(
            out,
            path.to_string(),
            Rule::Type,
            format!("{name} must be an object"),
            shape.fields.first().map_or("", |f| f.doc),
        );
        return;
    };
    // A field the table does not define, as `validate()` reports it from `extra`: a
    // value that fails to parse for another reason must not hide it (an unknown field
    // makes the request unreadable, which outranks a value outside its row; erratum
    // check-precedence).
    for key in obj.keys() {
        if !shape.fields.iter().any(|f| f.name == key) {
            push(
                out,
                path.key(key).to_string(),
                Rule::UnknownField,
                format!("{name} has no field {key:?}"),
                shape.fields.first().map_or("", |f| f.doc),
            );
        }
    }
    for f in shape.fields {
        let here = path.key(f.name);
        let Some(v) = obj.get(f.name).filter(|v| !v.is_null()) else {
            if f.required {
                push(
                    out,
                    here.to_string(),
                    Rule::Required,
                    format!("{} is required", f.name),
                    f.doc,
                );
            }
            continue;
        };
        if !f.json.admits(v) {
            push(
                out,
                here.to_string(),
                Rule::Type,
                format!("must be {}", f.json.name()),
                f.doc,
            );
            continue;
        }
        if !f.enum_str.is_empty() && v.as_str().is_some_and(|s| !f.enum_str.contains(&s)) {
            push(
                out,
                here.to_string(),
                Rule::Enum,
                format!("must be one of {:?}", f.enum_str),
                f.doc,
            );
        }
        if !f.enum_int.is_empty() && v.as_i64().is_some_and(|i| !f.enum_int.contains(&i)) {
            push(
                out,
                here.to_string(),
                Rule::Enum,
                format!("must be one of {:?}", f.enum_int),
                f.doc,
            );
        }
        match (f.json, v) {
            (JsonType::Object, _) => {
                if let Some(m) = f.object {
                    check_shape(shapes, m, v, &here, out);
                }
            }
            (JsonType::Array, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let at = here.index(i);
                    match (f.item, f.object) {
                        (Some(JsonType::Object), Some(m)) => check_shape(shapes, m, item, &at, out),
                        (Some(t), _) if !t.admits(item) => push(
                            out,
                            at.to_string(),
                            Rule::Type,
                            format!("each item must be {}", t.name()),
                            f.doc,
                        ),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}
