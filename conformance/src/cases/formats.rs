//! Local checks of single values against a row: format, length, enum, range.
//!
//! The oracle checks whole messages and its compiled formats are private to the spec
//! crate, while the generators need to ask "does this one value fit this row?" (to pick
//! a hint, to find a string of a given length that keeps its format). This module
//! answers that with the same semantics as the oracle — enumerated rows are checked by
//! membership only, lengths in the row's unit, formats on the wire and decoded value.
//! Every value it approves is also checked by the oracle in the tests.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use regex::Regex;
use serde_json::Value;
use voicecall_codegen::spec::model::{
    Count, Encoding, EnumValue, Field, FieldType, Format, Item, Length, LengthUnit, Range,
};
use voicecall_codegen::spec::Spec;

use super::scope::scalar_eq;

/// Compiled regular expressions by pattern text. Patterns come from the spec, so the
/// cache is keyed by the text (not by spec), and compiling `\p{Script=Han}` in a debug
/// build once instead of per case keeps the tests fast. Handed out behind an `Arc`:
/// cloning a `Regex` itself would give each clone a fresh pool of search caches, built
/// again on its first match.
fn regex(pattern: &str) -> Option<Arc<Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Regex>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = match cache.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    map.entry(pattern.to_string())
        .or_insert_with(|| Regex::new(pattern).ok().map(Arc::new))
        .clone()
}

/// One format of the spec with its patterns compiled (`None`: the pattern does not
/// compile, and the format accepts nothing).
#[derive(Debug)]
struct Compiled {
    def: Format,
    pattern: Option<Arc<Regex>>,
    decoded: Option<Arc<Regex>>,
}

/// The spec's formats by id with their compiled patterns, cheap to clone into the
/// `'static` closures of strategies (cloning a whole `Spec` per strategy would copy
/// every YAML text).
#[derive(Debug, Clone)]
pub(crate) struct Formats(Arc<BTreeMap<String, Compiled>>);

impl Formats {
    /// The formats of `spec`.
    pub(crate) fn of(spec: &Spec) -> Formats {
        Formats(Arc::new(
            spec.all(|f| &f.formats)
                .map(|f| {
                    let compiled = Compiled {
                        pattern: regex(&f.pattern),
                        decoded: f.decoded_pattern.as_deref().and_then(regex),
                        def: f.clone(),
                    };
                    (f.id.clone(), compiled)
                })
                .collect(),
        ))
    }

    /// The format with id `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&Format> {
        self.0.get(id).map(|c| &c.def)
    }

    /// Whether `value` has format `id` (wire pattern, then the decoded pattern for
    /// encoded formats), as the oracle decides. An unknown format id or a pattern that
    /// does not compile accepts nothing.
    pub(crate) fn ok(&self, id: &str, value: &str) -> bool {
        let Some(c) = self.0.get(id) else {
            return false;
        };
        let Some(p) = &c.pattern else {
            return false;
        };
        if !p.is_match(value) {
            return false;
        }
        match (&c.def.encoding, &c.def.decoded_pattern) {
            (Some(Encoding::Base64), Some(_)) => {
                let Some(d) = &c.decoded else { return false };
                base64::engine::general_purpose::STANDARD
                    .decode(value)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .is_some_and(|s| d.is_match(&s))
            }
            (None, None) => true,
            _ => false,
        }
    }
}

/// Length of `s` in `unit`.
pub(crate) fn len_in(s: &str, unit: LengthUnit) -> u64 {
    match unit {
        LengthUnit::Chars => s.chars().count() as u64,
        LengthUnit::Bytes => s.len() as u64,
    }
}

/// The constraints of one value: a field's row or an array's item type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape<'a> {
    pub ty: FieldType,
    pub length: Option<Length>,
    pub format: Option<&'a str>,
    pub range: Option<Range>,
    pub enum_values: &'a [EnumValue],
    pub items: Option<Count>,
    pub item: Option<&'a Item>,
}

impl<'a> Shape<'a> {
    /// The row of a field.
    pub(crate) fn of_field(f: &'a Field) -> Shape<'a> {
        Shape {
            ty: f.ty,
            length: f.length,
            format: f.format.as_deref(),
            range: f.range,
            enum_values: &f.enum_values,
            items: f.items,
            item: f.item.as_ref(),
        }
    }

    /// The item type of an array.
    pub(crate) fn of_item(i: &'a Item) -> Shape<'a> {
        Shape {
            ty: i.ty,
            length: i.length,
            format: i.format.as_deref(),
            range: None,
            enum_values: &[],
            items: None,
            item: None,
        }
    }
}

/// Whether `v` fits `shape` as the oracle would judge it (objects are not looked into:
/// their messages are built and checked separately).
pub(crate) fn fits(formats: &Formats, shape: Shape<'_>, v: &Value) -> bool {
    let typed = match shape.ty {
        FieldType::String => v.is_string(),
        FieldType::Integer => v.is_i64() || v.is_u64(),
        FieldType::Object => v.is_object(),
        FieldType::Array => v.is_array(),
    };
    if !typed {
        return false;
    }
    if !shape.enum_values.is_empty() {
        return shape.enum_values.iter().any(|e| scalar_eq(&e.value, v));
    }
    if let (Some(r), Some(i)) = (shape.range, v.as_i64()) {
        if i < r.min || i > r.max {
            return false;
        }
    }
    if let Some(s) = v.as_str() {
        if let Some(l) = shape.length {
            let n = len_in(s, l.unit);
            if n < l.min || n > l.max {
                return false;
            }
        }
        if let Some(f) = shape.format {
            if !formats.ok(f, s) {
                return false;
            }
        }
    }
    if let Some(items) = v.as_array() {
        if let Some(c) = shape.items {
            let n = items.len() as u64;
            if n < c.min || n > c.max {
                return false;
            }
        }
        if let Some(item) = shape.item {
            return items
                .iter()
                .all(|it| fits(formats, Shape::of_item(item), it));
        }
    }
    true
}
