//! A generic checker of JSON values and headers against a message of the spec.
//!
//! It interprets the spec directly (no generated code), so it serves as the oracle
//! that says what the reference allows: fixtures are checked with it now, and the
//! generated validators and the conformance suite are compared with it later.

use std::fmt;

use base64::Engine as _;
use regex::Regex;
use serde_json::Value;

use super::load::Spec;
use super::model::*;

/// How serious a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The reference forbids it: the platform rejects it (or never sends it).
    Error,
    /// Allowed but pointless: the platform ignores the field.
    Warning,
}

/// One rule a value breaks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON path (`$.playInfoList[0].templateId`) or `header:Name`.
    pub path: String,
    /// Rule broken: `type`, `required`, `unknown_field`, `length`, `range`, `enum`,
    /// `format`, `items`, or the kind of a message rule (`exactly_one_of`,
    /// `required_when`, `only_when`).
    pub rule: String,
    /// What the limit is and what was found.
    pub detail: String,
    /// Where the reference states the rule (`4.2 表4-3 displayNbr`).
    pub doc: String,
    /// Error or warning.
    pub severity: Severity,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {} ({})",
            self.path, self.rule, self.detail, self.doc
        )
    }
}

/// A format with its regular expressions compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledFormat {
    pub(crate) pattern: Regex,
    pub(crate) decoded: Option<(Encoding, Regex)>,
}

impl CompiledFormat {
    pub(crate) fn compile(f: &Format) -> Result<CompiledFormat, String> {
        let pattern = Regex::new(&f.pattern).map_err(|e| format!("pattern: {e}"))?;
        let decoded = match (&f.encoding, &f.decoded_pattern) {
            (Some(enc), Some(p)) => Some((
                *enc,
                Regex::new(p).map_err(|e| format!("decoded_pattern: {e}"))?,
            )),
            (None, None) => None,
            _ => return Err("encoding and decoded_pattern go together".into()),
        };
        Ok(CompiledFormat { pattern, decoded })
    }

    /// Whether `value` has the format; on failure, why not.
    pub(crate) fn check(&self, value: &str) -> Result<(), String> {
        if !self.pattern.is_match(value) {
            return Err(format!("does not match /{}/", self.pattern.as_str()));
        }
        if let Some((Encoding::Base64, inner)) = &self.decoded {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(value)
                .map_err(|e| format!("is not Base64: {e}"))?;
            let text =
                String::from_utf8(bytes).map_err(|_| "decodes to bytes that are not UTF-8")?;
            if !inner.is_match(&text) {
                return Err(format!(
                    "decodes to a value that does not match /{}/",
                    inner.as_str()
                ));
            }
        }
        Ok(())
    }
}

impl Spec {
    /// Checks a JSON value against message `name`; an unknown message yields one violation.
    pub fn validate_json(&self, name: &str, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check_object(name, value, "$", &mut out);
        out.sort();
        out
    }

    /// Checks HTTP headers against header message `name`. Header names are compared
    /// case-insensitively and media types loosely (RFC 9110), as any HTTP stack does;
    /// headers the table does not list (Content-Length, Host…) are allowed.
    pub fn validate_headers(&self, name: &str, headers: &[(String, String)]) -> Vec<Violation> {
        let mut out = Vec::new();
        let Some(msg) = self.message(name) else {
            out.push(unknown_message(name, "header:"));
            return out;
        };
        for field in &msg.fields {
            let path = format!("header:{}", field.name);
            let found = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&field.name));
            match found {
                None if field.required => out.push(self.violation(
                    msg,
                    field,
                    &path,
                    "required",
                    "required header is absent".into(),
                    Severity::Error,
                )),
                None => {}
                Some((_, v)) if field.name.eq_ignore_ascii_case("content-type") => {
                    let norm = |s: &str| s.replace([' ', '\t'], "").to_ascii_lowercase();
                    let ok = field.enum_values.is_empty()
                        || field.enum_values.iter().any(|e| match &e.value {
                            Scalar::Str(s) => norm(s) == norm(v),
                            Scalar::Int(_) => false,
                        });
                    if !ok {
                        out.push(self.violation(
                            msg,
                            field,
                            &path,
                            "enum",
                            format!("{v:?} is not {}", enum_list(field)),
                            Severity::Error,
                        ));
                    }
                }
                Some((_, v)) => {
                    self.check_value(msg, field, &Value::String(v.clone()), &path, &mut out)
                }
            }
        }
        out.sort();
        out
    }

    fn check_object(&self, name: &str, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let Some(msg) = self.message(name) else {
            out.push(unknown_message(name, path));
            return;
        };
        let Some(obj) = value.as_object() else {
            out.push(Violation {
                path: path.into(),
                rule: "type".into(),
                detail: format!("expected an object ({name}), found {}", kind(value)),
                doc: self.doc_of(msg, None),
                severity: Severity::Error,
            });
            return;
        };
        for field in &msg.fields {
            let fpath = format!("{path}.{}", field.name);
            match obj.get(&field.name) {
                None if field.required => out.push(self.violation(
                    msg,
                    field,
                    &fpath,
                    "required",
                    "required field is absent".into(),
                    Severity::Error,
                )),
                None => {}
                Some(v) => {
                    if let Some(tag) = &field.tagged_by {
                        match obj
                            .get(tag)
                            .and_then(Value::as_str)
                            .and_then(|t| self.tagged(name, &field.name, t))
                        {
                            Some(target) => self.check_object(target, v, &fpath, out),
                            None => self.check_value(msg, field, v, &fpath, out),
                        }
                    } else {
                        self.check_value(msg, field, v, &fpath, out)
                    }
                }
            }
        }
        for key in obj.keys() {
            if !msg.fields.iter().any(|f| &f.name == key) {
                out.push(Violation {
                    path: format!("{path}.{key}"),
                    rule: "unknown_field".into(),
                    detail: format!("{name} (表{}) has no field {key:?}", msg.table),
                    doc: self.doc_of(msg, None),
                    severity: Severity::Error,
                });
            }
        }
        for rule in &msg.rules {
            self.check_rule(msg, rule, obj, path, out);
        }
    }

    fn check_value(
        &self,
        msg: &Message,
        field: &Field,
        v: &Value,
        path: &str,
        out: &mut Vec<Violation>,
    ) {
        let before = out.len();
        // An enumerated value is checked by membership, which implies its length,
        // format and range; checking both would report one defect twice.
        let enumerated = !field.enum_values.is_empty();
        let (length, format) = if enumerated {
            (None, None)
        } else {
            (field.length, field.format.as_deref())
        };
        self.check_typed(
            msg,
            field,
            field.ty,
            length,
            format,
            field.reference.as_deref(),
            v,
            path,
            out,
        );
        if out.len() > before {
            return;
        }
        if let (Some(r), Some(i), false) = (field.range, v.as_i64(), enumerated) {
            if i < r.min || i > r.max {
                out.push(self.violation(
                    msg,
                    field,
                    path,
                    "range",
                    format!("{i} is outside {}..={}", r.min, r.max),
                    Severity::Error,
                ));
            }
        }
        if !field.enum_values.is_empty()
            && !field.enum_values.iter().any(|e| scalar_eq(&e.value, v))
        {
            out.push(self.violation(
                msg,
                field,
                path,
                "enum",
                format!("{v} is not {}", enum_list(field)),
                Severity::Error,
            ));
        }
        if let (Some(c), Some(items)) = (field.items, v.as_array()) {
            let n = items.len() as u64;
            if n < c.min || n > c.max {
                out.push(self.violation(
                    msg,
                    field,
                    path,
                    "items",
                    format!("{n} items, allowed {}..={}", c.min, c.max),
                    Severity::Error,
                ));
            }
            if let Some(item) = &field.item {
                for (i, it) in items.iter().enumerate() {
                    self.check_typed(
                        msg,
                        field,
                        item.ty,
                        item.length,
                        item.format.as_deref(),
                        item.reference.as_deref(),
                        it,
                        &format!("{path}[{i}]"),
                        out,
                    );
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_typed(
        &self,
        msg: &Message,
        field: &Field,
        ty: FieldType,
        length: Option<Length>,
        format: Option<&str>,
        reference: Option<&str>,
        v: &Value,
        path: &str,
        out: &mut Vec<Violation>,
    ) {
        let ok = match ty {
            FieldType::String => v.is_string(),
            FieldType::Integer => v.is_i64() || v.is_u64(),
            FieldType::Object => v.is_object(),
            FieldType::Array => v.is_array(),
        };
        if !ok {
            out.push(self.violation(
                msg,
                field,
                path,
                "type",
                format!("expected {ty:?}, found {}", kind(v)).to_lowercase(),
                Severity::Error,
            ));
            return;
        }
        if let (FieldType::Object, Some(r)) = (ty, reference) {
            self.check_object(r, v, path, out);
        }
        let Some(s) = v.as_str() else { return };
        if let Some(l) = length {
            let n = match l.unit {
                LengthUnit::Chars => s.chars().count() as u64,
                LengthUnit::Bytes => s.len() as u64,
            };
            if n < l.min || n > l.max {
                let unit = match l.unit {
                    LengthUnit::Chars => "characters",
                    LengthUnit::Bytes => "bytes",
                };
                out.push(self.violation(
                    msg,
                    field,
                    path,
                    "length",
                    format!("{n} {unit}, allowed {}..={}", l.min, l.max),
                    Severity::Error,
                ));
            }
        }
        if let Some(f) = format.and_then(|f| self.index.formats.get(f).map(|c| (f, c))) {
            if let Err(why) = f.1.check(s) {
                out.push(self.violation(
                    msg,
                    field,
                    path,
                    "format",
                    format!("{:?} is not {}: it {why}", s, f.0),
                    Severity::Error,
                ));
            }
        }
    }

    fn check_rule(
        &self,
        msg: &Message,
        rule: &Rule,
        obj: &serde_json::Map<String, Value>,
        path: &str,
        out: &mut Vec<Violation>,
    ) {
        let doc = format!(
            "{} 表{} {}",
            rule.doc.section,
            rule.doc.table.as_deref().unwrap_or(&msg.table),
            rule.doc.row.as_deref().unwrap_or("")
        );
        let doc = doc.trim_end().to_string();
        let severity = match rule.effect {
            RuleEffect::Ignored => Severity::Warning,
            RuleEffect::Rejected | RuleEffect::NeverSent => Severity::Error,
        };
        let holds = match &rule.when {
            Some(c) if c.message.is_some() => return, // needs the originating request
            Some(c) => self.condition(msg, c, obj),
            None => true,
        };
        let kind = match rule.kind {
            RuleKind::ExactlyOneOf => "exactly_one_of",
            RuleKind::RequiredWhen => "required_when",
            RuleKind::OnlyWhen => "only_when",
        };
        match rule.kind {
            RuleKind::ExactlyOneOf => {
                let present: Vec<&str> = rule
                    .fields
                    .iter()
                    .filter(|f| obj.contains_key(*f))
                    .map(String::as_str)
                    .collect();
                if present.len() != 1 {
                    out.push(Violation {
                        path: path.into(),
                        rule: kind.into(),
                        detail: format!(
                            "{}: exactly one of {:?} must be present, found {:?}",
                            rule.id, rule.fields, present
                        ),
                        doc,
                        severity,
                    });
                }
            }
            RuleKind::RequiredWhen | RuleKind::OnlyWhen => {
                // required_when is broken by an absent field while the condition holds,
                // only_when by a present field while it does not.
                let required = rule.kind == RuleKind::RequiredWhen;
                for f in &rule.fields {
                    if holds == required && obj.contains_key(f) != required {
                        out.push(Violation {
                            path: format!("{path}.{f}"),
                            rule: kind.into(),
                            detail: format!("{}: {}", rule.id, rule.description),
                            doc: doc.clone(),
                            severity,
                        });
                    }
                }
            }
        }
    }

    /// Evaluates a condition on this message; an absent field takes its default.
    fn condition(
        &self,
        msg: &Message,
        c: &Condition,
        obj: &serde_json::Map<String, Value>,
    ) -> bool {
        let default = msg
            .fields
            .iter()
            .find(|f| f.name == c.field)
            .and_then(|f| f.default.as_ref());
        let value = obj
            .get(&c.field)
            .cloned()
            .or_else(|| default.map(scalar_to_value));
        match c.op {
            ConditionOp::Present => obj.contains_key(&c.field),
            ConditionOp::Equals => match (&value, &c.value) {
                (Some(v), Some(want)) => scalar_eq(want, v),
                _ => false,
            },
            ConditionOp::NotEquals => match (&value, &c.value) {
                (Some(v), Some(want)) => !scalar_eq(want, v),
                (None, Some(_)) => false,
                _ => false,
            },
        }
    }

    fn violation(
        &self,
        msg: &Message,
        field: &Field,
        path: &str,
        rule: &str,
        detail: String,
        severity: Severity,
    ) -> Violation {
        Violation {
            path: path.into(),
            rule: rule.into(),
            detail,
            doc: self.doc_of(msg, Some(field)),
            severity,
        }
    }

    fn doc_of(&self, msg: &Message, field: Option<&Field>) -> String {
        let section = self.section_of_message(&msg.name).unwrap_or("?");
        match field {
            Some(f) => format!(
                "{section} 表{} {}",
                msg.table,
                f.doc_name.as_deref().unwrap_or(&f.name)
            ),
            None => format!("{section} 表{}", msg.table),
        }
    }
}

fn unknown_message(name: &str, path: &str) -> Violation {
    Violation {
        path: path.into(),
        rule: "message".into(),
        detail: format!("the spec has no message {name:?}"),
        doc: String::new(),
        severity: Severity::Error,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn scalar_eq(s: &Scalar, v: &Value) -> bool {
    match (s, v) {
        (Scalar::Int(i), Value::Number(n)) => n.as_i64() == Some(*i),
        (Scalar::Str(a), Value::String(b)) => a == b,
        _ => false,
    }
}

fn scalar_to_value(s: &Scalar) -> Value {
    match s {
        Scalar::Int(i) => Value::from(*i),
        Scalar::Str(s) => Value::from(s.clone()),
    }
}

fn enum_list(field: &Field) -> String {
    let vals: Vec<String> = field
        .enum_values
        .iter()
        .map(|e| e.value.to_string())
        .collect();
    format!("one of {}", vals.join(", "))
}
