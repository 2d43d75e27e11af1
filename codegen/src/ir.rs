//! The intermediate representation between the spec and the templates.
//!
//! Everything the templates print is decided here: module layout, Rust names, types,
//! which checks each field gets (with its doc reference), and the Rust expressions of
//! rule conditions. Templates only print; nothing here formats Rust beyond small
//! expressions, and every collection is ordered so the output is deterministic.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde::Serialize;

use crate::spec::model::{
    self as m, FieldType, LengthUnit, Location, RuleEffect, RuleKind, Scalar,
};
use crate::spec::Spec;

/// The whole generated crate.
#[derive(Debug, Serialize)]
pub(crate) struct Ir {
    /// Service folders (`callback`, …) with their modules.
    pub(crate) services: Vec<ServiceIr>,
    pub(crate) formats: Vec<FormatIr>,
    pub(crate) result_codes: Vec<ResultCodeIr>,
    pub(crate) result_tables: Vec<ResultTableIr>,
    pub(crate) operations: Vec<OperationIr>,
    pub(crate) code_tables: Vec<CodeTableIr>,
    pub(crate) fixtures: Vec<FixtureIr>,
    /// Every message: (name, Rust path), for the registry.
    pub(crate) messages: Vec<(String, String)>,
    /// Every message's wire shape (presence, JSON types, enums), for explaining a value
    /// that does not parse into its type.
    pub(crate) shapes: Vec<ShapeIr>,
    pub(crate) schemes: Vec<SchemeIr>,
    pub(crate) document: String,
}

/// The wire shape of a message: what `runtime::shape` checks before typed parsing.
#[derive(Debug, Serialize)]
pub(crate) struct ShapeIr {
    pub(crate) name: String,
    pub(crate) fields: Vec<ShapeFieldIr>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ShapeFieldIr {
    pub(crate) wire: String,
    /// `String`, `Integer`, `Object` or `Array` (`runtime::JsonType` variants).
    pub(crate) json: &'static str,
    pub(crate) required: bool,
    pub(crate) doc_ref: String,
    pub(crate) enum_str: Vec<String>,
    pub(crate) enum_int: Vec<i64>,
    /// Message of an object, or of each object item of an array.
    pub(crate) object: Option<String>,
    /// JSON type of each array item.
    pub(crate) item: Option<&'static str>,
}

/// A signing scheme as constants for the hand-written signer and verifier.
#[derive(Debug, Serialize)]
pub(crate) struct SchemeIr {
    pub(crate) ident: String,
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) doc_ref: String,
    pub(crate) authorization_scheme: String,
    pub(crate) authorization_literal: String,
    pub(crate) authorization_missing: String,
    pub(crate) authorization_attributes: Vec<AttributeIr>,
    pub(crate) token: String,
    pub(crate) x_aksk_literal: String,
    pub(crate) x_aksk_missing: String,
    pub(crate) token_missing: String,
    pub(crate) x_aksk_attributes: Vec<AttributeIr>,
    pub(crate) digest_literal: String,
    pub(crate) parts: Vec<String>,
    pub(crate) separator: String,
    pub(crate) invalid_digest: String,
    pub(crate) stale_created: String,
    pub(crate) unknown_app_key: String,
    pub(crate) replayed_nonce: String,
    pub(crate) replay_memory_full: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct AttributeIr {
    pub(crate) name: String,
    /// `Some("…")` or `None`, as Rust.
    pub(crate) value: String,
    pub(crate) missing: String,
    pub(crate) wrong: String,
    pub(crate) malformed: String,
}

/// A doc example turned into a generated test.
#[derive(Debug, Serialize)]
pub(crate) struct FixtureIr {
    pub(crate) test: String,
    pub(crate) id: String,
    pub(crate) body: String,
    pub(crate) ty: String,
    pub(crate) violations: Vec<(String, String)>,
    pub(crate) errata: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct ServiceIr {
    pub(crate) ident: String,
    pub(crate) doc: String,
    pub(crate) modules: Vec<ModuleIr>,
}

/// One generated file: the messages of one section of the reference.
#[derive(Debug, Serialize)]
pub(crate) struct ModuleIr {
    pub(crate) ident: String,
    pub(crate) section: String,
    pub(crate) title: String,
    pub(crate) spec_file: String,
    pub(crate) doc: Vec<String>,
    pub(crate) structs: Vec<StructIr>,
    pub(crate) tagged: Vec<TaggedIr>,
    pub(crate) enums: Vec<EnumIr>,
}

#[derive(Debug, Serialize)]
pub(crate) struct StructIr {
    pub(crate) name: String,
    pub(crate) doc: Vec<String>,
    /// Outbound messages (what the customer sends) are strict: required fields are not
    /// `Option`, enums reject unknown values. Inbound ones keep everything.
    pub(crate) strict: bool,
    /// Strict messages with a required field the caller must give get `builder()`
    /// (named setters, so two numbers cannot be swapped silently); the others `Default`.
    pub(crate) has_builder: bool,
    /// The one required field of a strict message that has exactly one, which
    /// `new(value)` takes (one argument cannot be swapped with another).
    pub(crate) new_field: Option<FieldRef>,
    pub(crate) keeps_unknown: bool,
    pub(crate) fields: Vec<FieldIr>,
    pub(crate) required: Vec<FieldRef>,
    pub(crate) rules: Vec<RuleIr>,
    pub(crate) defaults: Vec<DefaultIr>,
    /// `header` or `query` for parameter messages (paths render `header:Name`).
    pub(crate) prefix: Option<String>,
    /// Set when the message is the CDR of a fee push.
    pub(crate) cdr: Option<CdrIr>,
}

#[derive(Debug, Serialize, Clone)]
pub(crate) struct FieldRef {
    pub(crate) ident: String,
    pub(crate) wire: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct FieldIr {
    pub(crate) wire: String,
    pub(crate) ident: String,
    pub(crate) doc: Vec<String>,
    /// Rust type without `Option`.
    pub(crate) ty: String,
    pub(crate) optional: bool,
    pub(crate) required: bool,
    /// `"4.2 表4-3 displayNbr"`.
    pub(crate) doc_ref: String,
    pub(crate) checks: Vec<CheckIr>,
    pub(crate) item_checks: Vec<CheckIr>,
    pub(crate) is_vec: bool,
    /// The wire value is Base64 of a plain value (format with `encoding`).
    pub(crate) base64: bool,
    /// A yes/no flag: a strict enum of exactly `"true"` and `"false"`, typed `bool` and
    /// sent as the string the reference lists (serde helper `runtime::flag`).
    pub(crate) flag: bool,
    /// A required field with a one-value enum: filled with that value, never asked for.
    pub(crate) fixed: bool,
    /// Parameter type of the setters (`impl Into<String>`, `bool`, `impl AsRef<str>` for
    /// a Base64 URL, `impl IntoIterator<Item = impl Into<T>>` for a list).
    pub(crate) param: String,
    /// Expression turning the setter's `value` into the field's type.
    pub(crate) convert: String,
    /// Type read from the wire by the field-by-field deserialiser, and the expression
    /// (`.map(…)`) turning an `Option` of it into the field's `Option`.
    pub(crate) de_ty: String,
    pub(crate) de_map: String,
}

/// One check of a value; `kind` selects the template branch.
#[derive(Debug, Serialize, Clone)]
pub(crate) struct CheckIr {
    pub(crate) kind: &'static str,
    pub(crate) min: String,
    pub(crate) max: String,
    pub(crate) unit: &'static str,
    pub(crate) format: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct RuleIr {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) fields: Vec<FieldRef>,
    /// Rust boolean expression over `self`, when the rule has a condition.
    pub(crate) condition: Option<String>,
    /// The same condition, negated.
    pub(crate) negated: Option<String>,
    pub(crate) severity: &'static str,
    pub(crate) doc_ref: String,
    pub(crate) description: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct DefaultIr {
    pub(crate) ident: String,
    pub(crate) ty: String,
    pub(crate) value: String,
    pub(crate) copy: bool,
    pub(crate) doc: String,
}

#[derive(Debug, Serialize, Clone)]
pub(crate) struct EnumIr {
    pub(crate) name: String,
    pub(crate) doc: Vec<String>,
    pub(crate) strict: bool,
    pub(crate) int: bool,
    pub(crate) variants: Vec<VariantIr>,
    /// A strict enum with one value: `Default` is that value, so callers never pass it.
    pub(crate) single: bool,
}

#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub(crate) struct VariantIr {
    pub(crate) ident: String,
    /// Wire value as a Rust literal (`"toa"` or `2`).
    pub(crate) literal: String,
    pub(crate) meaning: String,
}

/// A push body whose details depend on `eventType`.
#[derive(Debug, Serialize)]
pub(crate) struct TaggedIr {
    pub(crate) name: String,
    pub(crate) doc: Vec<String>,
    pub(crate) tag: String,
    pub(crate) content: String,
    pub(crate) content_ident: String,
    pub(crate) variants: Vec<TaggedVariantIr>,
    pub(crate) doc_ref: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct TaggedVariantIr {
    pub(crate) ident: String,
    pub(crate) event: String,
    pub(crate) ty: String,
    pub(crate) doc: String,
    /// The shared push fields of the event's details message.
    pub(crate) push: PushFieldsIr,
}

/// Where the fields every push shares sit in one details message (status info or CDR),
/// for `crate::push::PushFields`: Rust idents, `None` when the table has no such row.
#[derive(Debug, Serialize, Clone, Default)]
pub(crate) struct PushFieldsIr {
    pub(crate) session_id: Option<String>,
    /// `timestamp` in a status event; `callEndTime` in a CDR (it has no `timestamp`).
    pub(crate) timestamp: Option<String>,
    pub(crate) timestamp_wire: Option<String>,
    pub(crate) user_data: Option<String>,
}

/// A CDR message (an item of a fee push's list), with its push's only event type.
#[derive(Debug, Serialize)]
pub(crate) struct CdrIr {
    pub(crate) event_type: String,
    pub(crate) section: String,
    pub(crate) fields: PushFieldsIr,
}

/// The shared push fields of `msg`, by wire name. A status event's time is its
/// `timestamp` row; a CDR has none and gives the end of the call (`callEndTime`), the
/// one time every CDR table has.
fn push_fields(msg: &m::Message) -> PushFieldsIr {
    let find = |wire: &str| {
        msg.fields
            .iter()
            .find(|f| f.name == wire && f.ty == FieldType::String)
            .map(|f| f.name.clone())
    };
    let timestamp_wire = find("timestamp").or_else(|| find("callEndTime"));
    PushFieldsIr {
        session_id: find("sessionId").map(|w| field_ident(&w)),
        timestamp: timestamp_wire.as_deref().map(field_ident),
        timestamp_wire,
        user_data: find("userData").map(|w| field_ident(&w)),
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct FormatIr {
    pub(crate) ident: String,
    pub(crate) id: String,
    pub(crate) pattern: String,
    pub(crate) decoded_pattern: Option<String>,
    pub(crate) description: String,
    pub(crate) doc_ref: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct ResultCodeIr {
    pub(crate) ident: String,
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) english: String,
    pub(crate) chinese: String,
    pub(crate) remedy: String,
    /// English remedy (spec/voicecall.yaml `result_codes:`).
    pub(crate) remedy_en: String,
    /// The remedy is to try again later.
    pub(crate) retryable: bool,
    pub(crate) tables: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ResultTableIr {
    pub(crate) ident: String,
    pub(crate) table: String,
    pub(crate) operation: String,
    pub(crate) rows: Vec<ResultRowIr>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ResultRowIr {
    pub(crate) status: u16,
    pub(crate) code: Option<String>,
    pub(crate) variant: Option<String>,
    pub(crate) english: String,
    pub(crate) chinese: String,
    pub(crate) remedy: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct OperationIr {
    pub(crate) ident: String,
    pub(crate) id: String,
    pub(crate) method: String,
    pub(crate) path: String,
    /// The path with each path parameter replaced by its only value, when it has one.
    pub(crate) wire_path: String,
    pub(crate) section: String,
    pub(crate) description: String,
    pub(crate) places_call: bool,
    pub(crate) success_status: u16,
    pub(crate) table_ident: String,
    pub(crate) codes: Vec<String>,
    /// `ResultCode` idents of `rejects.request` and `rejects.value`.
    pub(crate) reject_request: String,
    pub(crate) reject_value: String,
    /// Rust method name of the client (`create_voice_callback`).
    pub(crate) fn_name: String,
    /// Request body and success body types, for the generated client method of a POST
    /// with a JSON body (other shapes, like the 301 of 4.6, are written by hand).
    pub(crate) request_ty: Option<String>,
    pub(crate) response_ty: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CodeTableIr {
    pub(crate) ident: String,
    pub(crate) section: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) rows: Vec<CodeRowIr>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CodeRowIr {
    pub(crate) min: i64,
    pub(crate) max: i64,
    pub(crate) doc_code: String,
    pub(crate) zh: String,
    pub(crate) english: String,
}

/// Rust path of the module generated for a spec file, e.g.
/// `callback/4.2-create-voice-callback.yaml` → (`callback`, `create_voice_callback`).
pub(crate) fn module_of(file: &str) -> Option<(String, String)> {
    let (service, rest) = file.split_once('/')?;
    let stem = rest.strip_suffix(".yaml")?;
    let name = stem.split_once('-').map(|(_, n)| n).unwrap_or(stem);
    Some((service.to_string(), name.to_snake_case()))
}

/// A yes/no flag: a string enum of exactly the values `"true"` and `"false"`.
fn is_flag(f: &m::Field) -> bool {
    let mut values: Vec<&Scalar> = f.enum_values.iter().map(|e| &e.value).collect();
    values.sort_by_key(|v| v.to_string());
    f.ty == FieldType::String
        && values == [&Scalar::Str("false".into()), &Scalar::Str("true".into())]
}

/// Rust identifier of a wire name (`lastMinToUE` → `last_min_to_ue`, `X-AKSK` → `x_aksk`).
pub(crate) fn field_ident(wire: &str) -> String {
    let s = wire.replace('-', "_").to_snake_case();
    match s.as_str() {
        "type" | "ref" | "self" | "match" | "mod" | "use" | "fn" => format!("r#{s}"),
        _ => s,
    }
}

/// Rust variant name of an enum value: from the value when it starts with a letter,
/// from its meaning otherwise (`0` "not recorded" → `NotRecorded`).
fn variant_ident(value: &Scalar, meaning: &str) -> String {
    let from = |s: &str| -> String {
        let mut out = String::new();
        for part in s
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
        {
            if out.ends_with(|c: char| c.is_ascii_digit())
                && part.starts_with(|c: char| c.is_ascii_digit())
            {
                out.push('_');
            }
            out.push_str(&part.to_upper_camel_case());
        }
        out
    };
    match value {
        Scalar::Str(s) if s.starts_with(|c: char| c.is_ascii_alphabetic()) => from(s),
        _ => {
            let words: Vec<&str> = meaning
                .split(['(', ',', ';'])
                .next()
                .unwrap_or("")
                .split_whitespace()
                .take(3)
                .collect();
            let id = from(&words.join(" "));
            if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
                format!("Value{}", from(&value.to_string()))
            } else {
                id
            }
        }
    }
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

fn scalar_literal(s: &Scalar) -> String {
    match s {
        Scalar::Int(i) => i.to_string(),
        Scalar::Str(s) => rust_str(s),
    }
}

/// Splits text into doc-comment lines of at most ~90 characters.
fn doc_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split(' ') {
            if !line.is_empty() && line.chars().count() + word.chars().count() > 90 {
                out.push(escape_block_start(std::mem::take(&mut line)));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(escape_block_start(line));
    }
    out
}

/// Keeps a wrapped line from starting a Markdown block (list item, heading, quote).
fn escape_block_start(line: String) -> String {
    let t = line.trim_start();
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    let numbered = digits > 0 && matches!(t[digits..].chars().next(), Some('.') | Some(')'));
    if t.starts_with("- ")
        || t.starts_with("+ ")
        || t.starts_with("* ")
        || t.starts_with('#')
        || t.starts_with('>')
        || numbered
    {
        format!("\\{t}")
    } else {
        line
    }
}

/// Builds the IR of the whole crate from a checked spec.
pub(crate) fn build(spec: &Spec) -> Ir {
    let outbound = outbound_messages(spec);
    let mut services: BTreeMap<String, Vec<ModuleIr>> = BTreeMap::new();
    // Message name → Rust path, for references across modules.
    let mut paths: BTreeMap<String, (String, String)> = BTreeMap::new();
    for f in &spec.files {
        if let Some(p) = module_of(&f.name) {
            for msg in &f.content.messages {
                paths.insert(msg.name.clone(), p.clone());
            }
        }
    }
    for f in &spec.files {
        let Some((service, module)) = module_of(&f.name) else {
            continue;
        };
        if f.content.messages.is_empty() {
            continue;
        }
        let mut b = ModuleBuilder {
            spec,
            outbound: &outbound,
            paths: &paths,
            here: (service.clone(), module.clone()),
            section: f.content.section.clone(),
            enums: BTreeMap::new(),
        };
        let mut structs = Vec::new();
        let mut tagged = Vec::new();
        for msg in &f.content.messages {
            if msg.fields.iter().any(|fd| fd.tagged_by.is_some()) {
                tagged.push(b.tagged(msg));
            } else {
                structs.push(b.message(msg));
            }
        }
        let mut doc = vec![format!("{} {}", f.content.section, f.content.title)];
        for o in &f.content.operations {
            doc.push(String::new());
            doc.push(format!(
                "Operation `{}`: `{} {}`. {}",
                o.id,
                o.method.as_str(),
                o.path,
                o.description
            ));
        }
        for n in &f.content.notifications {
            doc.push(String::new());
            doc.push(format!(
                "Notification `{}` ({} push to `{}`). {}",
                n.id,
                if n.kind == m::NotificationKind::Fee {
                    "fee"
                } else {
                    "status"
                },
                n.target,
                n.description
            ));
        }
        services.entry(service).or_default().push(ModuleIr {
            ident: module,
            section: f.content.section.clone(),
            title: f.content.title.clone(),
            spec_file: format!("spec/{}", f.name),
            doc,
            structs,
            tagged,
            enums: b.enums.into_values().collect(),
        });
    }
    let services = services
        .into_iter()
        .map(|(ident, modules)| {
            let s = spec.all(|c| &c.services).find(|s| s.id == ident);
            let doc = s
                .map(|s| {
                    format!(
                        "{} ({}), chapter {} of the reference.",
                        s.name, s.zh, s.section
                    )
                })
                .unwrap_or_default();
            ServiceIr {
                ident,
                doc,
                modules,
            }
        })
        .collect();
    let (result_codes, result_tables) = result_codes(spec);
    let operations = spec
        .all(|c| &c.operations)
        .map(|o| {
            let table = spec.result_code_table(&o.result_codes);
            let codes = table
                .map(|t| {
                    let mut seen = BTreeSet::new();
                    t.rows
                        .iter()
                        .filter_map(|r| {
                            r.code
                                .as_ref()
                                .map(|c| code_ident(&result_codes, r.status, c))
                        })
                        .filter(|c| seen.insert(c.clone()))
                        .collect()
                })
                .unwrap_or_default();
            OperationIr {
                ident: o.id.clone(),
                id: o.id.clone(),
                method: o.method.as_str().to_string(),
                path: o.path.clone(),
                wire_path: o
                    .path_params
                    .as_ref()
                    .and_then(|pp| spec.message(pp))
                    .map(|pm| {
                        pm.fields.iter().fold(o.path.clone(), |p, f| {
                            match f.enum_values.as_slice() {
                                [only] => p.replace(
                                    &format!("{{{}}}", f.name),
                                    &only.value.to_string().replace('"', ""),
                                ),
                                _ => p,
                            }
                        })
                    })
                    .unwrap_or_else(|| o.path.clone()),
                section: o.section.clone(),
                description: o.description.clone(),
                places_call: o.places_call,
                success_status: o.success.status.unwrap_or(200),
                table_ident: format!("TABLE_{}", o.result_codes.replace('-', "_")),
                codes,
                reject_request: code_ident(
                    &result_codes,
                    o.rejects.request.status,
                    &o.rejects.request.code,
                ),
                reject_value: code_ident(
                    &result_codes,
                    o.rejects.value.status,
                    &o.rejects.value.code,
                ),
                fn_name: o.id.to_snake_case(),
                request_ty: o
                    .body
                    .as_ref()
                    .and_then(|b| paths.get(b).map(|(s, m)| format!("crate::{s}::{m}::{b}"))),
                response_ty: o
                    .success
                    .body
                    .as_ref()
                    .and_then(|b| paths.get(b).map(|(s, m)| format!("crate::{s}::{m}::{b}"))),
            }
        })
        .collect();
    let formats = spec
        .all(|c| &c.formats)
        .map(|f| FormatIr {
            ident: f.id.to_uppercase(),
            id: f.id.clone(),
            pattern: f.pattern.clone(),
            decoded_pattern: f.decoded_pattern.clone(),
            description: f.description.clone(),
            doc_ref: f
                .doc
                .iter()
                .map(|d| {
                    format!(
                        "{} 表{} {}",
                        d.section,
                        d.table.as_deref().unwrap_or(""),
                        d.row.as_deref().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    let code_tables = spec
        .all(|c| &c.code_tables)
        .map(|t| CodeTableIr {
            ident: t.id.clone(),
            section: t.section.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    let (min, max) = match (r.code, r.range) {
                        (Some(c), _) => (c, c),
                        (None, Some(rg)) => (rg.min, rg.max),
                        (None, None) => (0, -1),
                    };
                    CodeRowIr {
                        min,
                        max,
                        doc_code: r.doc_code.clone().unwrap_or_else(|| min.to_string()),
                        zh: r.zh.clone(),
                        english: r.english.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let code = |r: &Option<m::CodeRef>| match r {
        Some(r) => format!(
            "Some(ResultCode::{})",
            code_ident(&result_codes, r.status, &r.code)
        ),
        None => "None".to_string(),
    };
    let attrs = |list: &[m::HeaderAttribute]| -> Vec<AttributeIr> {
        list.iter()
            .map(|a| AttributeIr {
                name: a.name.clone(),
                value: a
                    .value
                    .as_ref()
                    .map(|v| format!("Some({})", rust_str(v)))
                    .unwrap_or_else(|| "None".into()),
                missing: code(&a.missing),
                wrong: code(&a.wrong),
                malformed: code(&a.malformed),
            })
            .collect()
    };
    let schemes = spec
        .all(|c| &c.signing_schemes)
        .map(|s| SchemeIr {
            ident: s.id.to_uppercase(),
            id: s.id.clone(),
            description: s.description.clone(),
            doc_ref: s
                .doc
                .iter()
                .map(|d| format!("{} 表{}", d.section, d.table.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(", "),
            authorization_scheme: s.authorization.scheme.clone(),
            authorization_literal: s.authorization.literal.clone(),
            authorization_missing: code(&s.authorization.missing),
            authorization_attributes: attrs(&s.authorization.attributes),
            token: s.x_aksk.token.clone(),
            x_aksk_literal: s.x_aksk.literal.clone(),
            x_aksk_missing: code(&s.x_aksk.missing),
            token_missing: code(&s.x_aksk.token_missing),
            x_aksk_attributes: attrs(&s.x_aksk.attributes),
            digest_literal: s.digest.literal.clone(),
            parts: s
                .digest
                .parts
                .iter()
                .map(|p| match p {
                    m::DigestPart::AppSecret => "AppSecret",
                    m::DigestPart::Nonce => "Nonce",
                    m::DigestPart::Created => "Created",
                    m::DigestPart::Url => "Url",
                })
                .map(String::from)
                .collect(),
            separator: s.digest.separator.clone(),
            invalid_digest: code(&s.invalid_digest),
            stale_created: code(&s.stale_created),
            unknown_app_key: code(&s.unknown_app_key),
            replayed_nonce: code(&s.replayed_nonce),
            replay_memory_full: code(&s.replay_memory_full),
        })
        .collect();
    let messages = spec
        .all(|c| &c.messages)
        .filter_map(|msg| {
            paths
                .get(&msg.name)
                .map(|(s, m)| (msg.name.clone(), format!("crate::{s}::{m}::{}", msg.name)))
        })
        .collect();
    let json_type = |t: FieldType| match t {
        FieldType::String => "String",
        FieldType::Integer => "Integer",
        FieldType::Object => "Object",
        FieldType::Array => "Array",
    };
    let shapes = spec
        .all(|c| &c.messages)
        .map(|msg| ShapeIr {
            name: msg.name.clone(),
            fields: msg
                .fields
                .iter()
                .map(|f| ShapeFieldIr {
                    wire: f.name.clone(),
                    json: json_type(f.ty),
                    required: f.required,
                    doc_ref: format!(
                        "{} 表{} {}",
                        spec.section_of_message(&msg.name).unwrap_or(""),
                        msg.table,
                        f.doc_name.as_deref().unwrap_or(&f.name)
                    ),
                    enum_str: f
                        .enum_values
                        .iter()
                        .filter_map(|e| match &e.value {
                            m::Scalar::Str(s) => Some(s.clone()),
                            m::Scalar::Int(_) => None,
                        })
                        .collect(),
                    enum_int: f
                        .enum_values
                        .iter()
                        .filter_map(|e| match &e.value {
                            m::Scalar::Int(i) => Some(*i),
                            m::Scalar::Str(_) => None,
                        })
                        .collect(),
                    object: f
                        .reference
                        .clone()
                        .or_else(|| f.item.as_ref().and_then(|i| i.reference.clone())),
                    item: f.item.as_ref().map(|i| json_type(i.ty)),
                })
                .collect(),
        })
        .collect();
    let fixtures = spec
        .all(|c| &c.fixtures)
        .filter_map(|fx| {
            let (body, message) = (fx.body.as_ref()?, fx.message.as_ref()?);
            let (service, module) = paths.get(message)?;
            Some(FixtureIr {
                test: fx.id.to_snake_case(),
                id: fx.id.clone(),
                body: format!("../../../spec/{body}"),
                ty: format!("voicecall::{service}::{module}::{message}"),
                violations: fx
                    .expect_violations
                    .iter()
                    .map(|v| (v.path.clone(), v.rule.clone()))
                    .filter(|(p, _)| p.starts_with('$'))
                    .collect(),
                errata: fx.errata.join(", "),
            })
        })
        .collect();
    let document = spec
        .files
        .iter()
        .find_map(|f| f.content.document.as_ref())
        .map(|d| format!("{} (version {}, {})", d.title, d.version, d.published))
        .unwrap_or_default();
    Ir {
        services,
        formats,
        result_codes,
        result_tables,
        operations,
        code_tables,
        fixtures,
        messages,
        shapes,
        schemes,
        document,
    }
}

/// Messages the customer sends: operation headers, parameters and bodies, and what they refer to.
pub(crate) fn outbound_messages(spec: &Spec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for o in spec.all(|c| &c.operations) {
        todo.push(o.headers.clone());
        todo.extend(o.path_params.iter().cloned());
        todo.extend(o.query.iter().cloned());
        todo.extend(o.body.iter().cloned());
    }
    while let Some(n) = todo.pop() {
        if !out.insert(n.clone()) {
            continue;
        }
        if let Some(msg) = spec.message(&n) {
            for f in &msg.fields {
                todo.extend(f.reference.iter().cloned());
                todo.extend(f.item.as_ref().and_then(|i| i.reference.clone()));
            }
        }
    }
    out
}

struct ModuleBuilder<'a> {
    spec: &'a Spec,
    outbound: &'a BTreeSet<String>,
    paths: &'a BTreeMap<String, (String, String)>,
    here: (String, String),
    section: String,
    enums: BTreeMap<String, EnumIr>,
}

impl ModuleBuilder<'_> {
    fn type_path(&self, message: &str) -> String {
        match self.paths.get(message) {
            Some(p) if *p != self.here => format!("crate::{}::{}::{message}", p.0, p.1),
            _ => message.to_string(),
        }
    }

    fn doc_ref(&self, msg: &m::Message, row: &str) -> String {
        format!("{} 表{} {row}", self.section, msg.table)
    }

    /// Registers the enum of a field and returns its Rust name.
    fn enum_of(&mut self, msg: &m::Message, f: &m::Field, strict: bool) -> String {
        let variants: Vec<VariantIr> = f
            .enum_values
            .iter()
            .map(|e| VariantIr {
                ident: variant_ident(&e.value, &e.meaning),
                literal: scalar_literal(&e.value),
                meaning: e.meaning.clone(),
            })
            .collect();
        let base = f.name.replace('-', "_").to_upper_camel_case();
        let mut name = base.clone();
        if let Some(existing) = self.enums.get(&name) {
            if existing.variants != variants || existing.strict != strict {
                name = format!("{}{base}", msg.name);
            }
        }
        let mut doc = doc_lines(&f.description);
        doc.push(String::new());
        doc.push(format!(
            "Values of `{}` ({}).",
            f.name,
            self.doc_ref(msg, f.doc_name.as_deref().unwrap_or(&f.name))
        ));
        if !strict {
            doc.push("Values the reference does not list are kept in `Unknown`, so a new platform value never breaks a receiver.".into());
        }
        self.enums.entry(name.clone()).or_insert(EnumIr {
            name: name.clone(),
            doc,
            strict,
            int: f.ty == FieldType::Integer,
            single: strict && variants.len() == 1,
            variants,
        });
        name
    }

    fn field(&mut self, msg: &m::Message, f: &m::Field, strict: bool) -> FieldIr {
        let doc_ref = self.doc_ref(msg, f.doc_name.as_deref().unwrap_or(&f.name));
        let mut checks = Vec::new();
        let mut item_checks = Vec::new();
        let none = || CheckIr {
            kind: "",
            min: String::new(),
            max: String::new(),
            unit: "",
            format: String::new(),
        };
        let length = |l: &m::Length| CheckIr {
            kind: "length",
            min: l.min.to_string(),
            max: l.max.to_string(),
            unit: if l.unit == LengthUnit::Bytes {
                "Bytes"
            } else {
                "Chars"
            },
            ..none()
        };
        let flag = strict && is_flag(f);
        let ty = match f.ty {
            FieldType::String if flag => "bool".into(),
            FieldType::String if !f.enum_values.is_empty() => {
                if !strict {
                    checks.push(CheckIr {
                        kind: "enum",
                        ..none()
                    });
                }
                self.enum_of(msg, f, strict)
            }
            FieldType::String => "String".into(),
            FieldType::Integer if !f.enum_values.is_empty() => {
                if !strict {
                    checks.push(CheckIr {
                        kind: "enum",
                        ..none()
                    });
                }
                self.enum_of(msg, f, strict)
            }
            FieldType::Integer => "i64".into(),
            FieldType::Object => {
                checks.push(CheckIr {
                    kind: "nested",
                    ..none()
                });
                self.type_path(f.reference.as_deref().unwrap_or("serde_json::Value"))
            }
            FieldType::Array => {
                let item = f.item.as_ref();
                if let Some(c) = f.items {
                    checks.push(CheckIr {
                        kind: "items",
                        min: c.min.to_string(),
                        max: c.max.to_string(),
                        ..none()
                    });
                }
                let inner = match item.map(|i| (i.ty, i.reference.as_deref())) {
                    Some((FieldType::Object, Some(r))) => {
                        item_checks.push(CheckIr {
                            kind: "nested",
                            ..none()
                        });
                        self.type_path(r)
                    }
                    Some((FieldType::Integer, _)) => "i64".into(),
                    _ => "String".into(),
                };
                if let Some(l) = item.and_then(|i| i.length) {
                    item_checks.push(length(&l));
                }
                if let Some(fm) = item.and_then(|i| i.format.as_ref()) {
                    item_checks.push(CheckIr {
                        kind: "format",
                        format: fm.to_uppercase(),
                        ..none()
                    });
                }
                format!("Vec<{inner}>")
            }
        };
        // An enumerated value is checked by membership, which implies its length and range.
        if f.enum_values.is_empty() {
            if let Some(l) = &f.length {
                checks.push(length(l));
            }
            if let Some(r) = f.range {
                checks.push(CheckIr {
                    kind: "range",
                    min: r.min.to_string(),
                    max: r.max.to_string(),
                    ..none()
                });
            }
            if let Some(fm) = &f.format {
                checks.push(CheckIr {
                    kind: "format",
                    format: fm.to_uppercase(),
                    ..none()
                });
            }
        }
        let mut doc = doc_lines(&f.description);
        doc.push(String::new());
        let mut facts = vec![format!("Wire name `{}`", f.name)];
        if let Some(dn) = &f.doc_name {
            facts.push(format!("printed `{dn}` in the table"));
        }
        facts.push(if f.required {
            "required".into()
        } else {
            "optional".into()
        });
        facts.push(format!("参数类型 `{}`", f.doc_type));
        if let Some(l) = &f.length {
            facts.push(format!(
                "length {}..={} {}",
                l.min,
                l.max,
                if l.unit == LengthUnit::Bytes {
                    "bytes"
                } else {
                    "characters"
                }
            ));
        }
        if let Some(r) = f.range {
            facts.push(format!("range {}..={}", r.min, r.max));
        }
        if let Some(c) = f.items {
            facts.push(format!("{}..={} items", c.min, c.max));
        }
        if let Some(fm) = &f.format {
            facts.push(format!("format `{fm}`"));
        }
        if let Some(d) = &f.default {
            facts.push(format!("default {d}"));
        }
        if let Some(ct) = &f.code_table {
            facts.push(format!("codes in `crate::appendix::{ct}`"));
        }
        doc.push(format!("{}.", facts.join("; ")));
        doc.push(String::new());
        // Escaped so that rustdoc reads brackets and angle brackets of the reference as text.
        let zh =
            f.zh.replace('\n', " ")
                .replace('[', "\\[")
                .replace(']', "\\]")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
        doc.extend(doc_lines(&format!("说明: {zh}")));
        doc.push(String::new());
        let mut reference = format!("Reference: {doc_ref}");
        if !f.errata.is_empty() {
            reference.push_str(&format!("; errata: {}", f.errata.join(", ")));
        }
        doc.push(reference);
        let is_vec = f.ty == FieldType::Array;
        let base64 = f
            .format
            .as_ref()
            .and_then(|id| self.spec.all(|c| &c.formats).find(|x| &x.id == id))
            .is_some_and(|x| x.encoding.is_some());
        let (param, convert) = if flag {
            ("bool".to_string(), "value".to_string())
        } else if base64 {
            (
                "impl AsRef<str>".to_string(),
                "runtime::encode_base64(value.as_ref())".to_string(),
            )
        } else if let Some(item) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
            (
                format!("impl IntoIterator<Item = impl Into<{item}>>"),
                "value.into_iter().map(Into::into).collect()".to_string(),
            )
        } else {
            (format!("impl Into<{ty}>"), "value.into()".to_string())
        };
        let (de_ty, de_map) = if flag {
            (
                "runtime::flag::Flag".to_string(),
                ".map(bool::from)".to_string(),
            )
        } else {
            (ty.clone(), String::new())
        };
        // A Base64 value is checked as such, with messages about the plain value.
        if base64 {
            for c in &mut checks {
                c.kind = match c.kind {
                    "length" => "encoded_length",
                    "format" => "encoded_format",
                    k => k,
                };
            }
        }
        FieldIr {
            wire: f.name.clone(),
            ident: field_ident(&f.name),
            doc,
            optional: !(strict && f.required),
            required: f.required,
            doc_ref,
            checks,
            item_checks,
            is_vec,
            base64,
            flag,
            fixed: strict && f.required && f.enum_values.len() == 1,
            param,
            convert,
            de_ty,
            de_map,
            ty,
        }
    }

    fn message(&mut self, msg: &m::Message) -> StructIr {
        let strict = self.outbound.contains(&msg.name);
        let fields: Vec<FieldIr> = msg
            .fields
            .iter()
            .map(|f| self.field(msg, f, strict))
            .collect();
        let by_wire: BTreeMap<&str, &FieldIr> =
            fields.iter().map(|f| (f.wire.as_str(), f)).collect();
        let fref = |w: &str| FieldRef {
            ident: field_ident(w),
            wire: w.to_string(),
        };
        let rules = msg
            .rules
            .iter()
            .filter(|r| r.when.as_ref().is_none_or(|c| c.message.is_none()))
            .map(|r| RuleIr {
                id: r.id.clone(),
                kind: match r.kind {
                    RuleKind::ExactlyOneOf => "exactly_one_of",
                    RuleKind::RequiredWhen => "required_when",
                    RuleKind::OnlyWhen => "only_when",
                },
                fields: r.fields.iter().map(|w| fref(w)).collect(),
                condition: r.when.as_ref().map(|c| condition(msg, c, &by_wire, false)),
                negated: r.when.as_ref().map(|c| condition(msg, c, &by_wire, true)),
                severity: if r.effect == RuleEffect::Ignored {
                    "Warning"
                } else {
                    "Error"
                },
                doc_ref: format!(
                    "{} 表{} {}",
                    r.doc.section,
                    r.doc.table.as_deref().unwrap_or(&msg.table),
                    r.doc.row.as_deref().unwrap_or("")
                )
                .trim_end()
                .to_string(),
                description: r.description.clone(),
            })
            .collect();
        let defaults = msg
            .fields
            .iter()
            .zip(&fields)
            .filter_map(|(f, fi)| {
                let d = f.default.as_ref()?;
                let value = if fi.flag {
                    (d == &Scalar::Str("true".into())).to_string()
                } else if f.enum_values.is_empty() {
                    scalar_literal(d)
                } else {
                    let v = f.enum_values.iter().find(|e| &e.value == d)?;
                    format!("{}::{}", fi.ty, variant_ident(&v.value, &v.meaning))
                };
                Some(DefaultIr {
                    ident: fi.ident.clone(),
                    ty: fi.ty.clone(),
                    value,
                    copy: fi.flag || (f.enum_values.is_empty() && f.ty == FieldType::Integer),
                    doc: format!(
                        "`{}`, or the reference's default {d} when absent ({}).",
                        f.name, fi.doc_ref
                    ),
                })
            })
            .collect();
        let required = if strict {
            Vec::new()
        } else {
            msg.fields
                .iter()
                .filter(|f| f.required)
                .map(|f| fref(&f.name))
                .collect()
        };
        let prefix = match msg.location {
            Location::Header => Some("header".to_string()),
            Location::Query => Some("query".to_string()),
            Location::Path => Some("path".to_string()),
            Location::Body => None,
        };
        let mut doc = vec![format!("{} — 表{} {}.", msg.name, msg.table, msg.title)];
        doc.push(String::new());
        doc.push(format!(
            "Section {} of the reference; {} message, {}.",
            self.section,
            if strict {
                "outbound (strict)"
            } else {
                "inbound (lenient)"
            },
            match msg.location {
                Location::Header => "HTTP headers",
                Location::Query => "query parameters",
                Location::Path => "path parameters",
                Location::Body => "JSON body",
            }
        ));
        if !strict && msg.location == Location::Body {
            doc.push("Every field is optional so that any payload parses; `validate()` reports missing required fields and unknown fields (kept in `extra`).".into());
        } else if msg.location == Location::Body {
            doc.push("Fields the table does not define are kept in `extra` and reported by `validate()`.".into());
        }
        for r in &msg.rules {
            if r.when.as_ref().is_some_and(|c| c.message.is_some()) {
                doc.push(String::new());
                doc.push(format!("Rule `{}` depends on another message and is checked by the mock and the conformance suite: {}", r.id, r.description));
            }
        }
        let cdr = self
            .spec
            .all(|c| &c.notifications)
            .filter(|n| n.kind == m::NotificationKind::Fee)
            .flat_map(|n| n.events.iter().map(move |e| (n, e)))
            .find(|(_, e)| e.message == msg.name)
            .map(|(n, e)| CdrIr {
                event_type: e.event_type.clone(),
                section: n.section.clone(),
                fields: push_fields(msg),
            });
        let asked: Vec<&FieldIr> = fields.iter().filter(|f| !f.optional && !f.fixed).collect();
        let has_builder = strict && !asked.is_empty();
        let new_field = match asked.as_slice() {
            [one] if strict => Some(fref(&one.wire)),
            _ => None,
        };
        StructIr {
            name: msg.name.clone(),
            doc,
            strict,
            has_builder,
            new_field,
            cdr,
            keeps_unknown: matches!(msg.location, Location::Body | Location::Query),
            fields,
            required,
            rules,
            defaults,
            prefix,
        }
    }

    fn tagged(&mut self, msg: &m::Message) -> TaggedIr {
        let content = msg
            .fields
            .iter()
            .find(|f| f.tagged_by.is_some())
            .expect("caller checked");
        let tag = content.tagged_by.clone().unwrap_or_default();
        let mut variants = Vec::new();
        if let Some(tag_field) = msg.fields.iter().find(|f| f.name == tag) {
            for e in &tag_field.enum_values {
                let Scalar::Str(ev) = &e.value else { continue };
                if let Some(target) = self.spec.tagged(&msg.name, &content.name, ev) {
                    variants.push(TaggedVariantIr {
                        ident: ev.to_upper_camel_case(),
                        event: ev.clone(),
                        ty: self.type_path(target),
                        doc: format!("`{ev}`: {}.", e.meaning),
                        push: self
                            .spec
                            .message(target)
                            .map(push_fields)
                            .unwrap_or_default(),
                    });
                }
            }
        }
        let doc = vec![
            format!("{} — 表{} {}: the push body, tagged by `{tag}`.", msg.name, msg.table, msg.title),
            String::new(),
            format!("`{}` is optional in the table, hence `Option` in each event. An event type the reference does not list is kept in `Unknown`; unknown body fields in `extra`.", content.name),
        ];
        TaggedIr {
            name: msg.name.clone(),
            doc,
            tag,
            content: content.name.clone(),
            content_ident: field_ident(&content.name),
            variants,
            doc_ref: self.doc_ref(msg, "eventType"),
        }
    }
}

/// Rust boolean expression of a condition on `self`; absent fields take their default.
fn condition(
    msg: &m::Message,
    c: &m::Condition,
    fields: &BTreeMap<&str, &FieldIr>,
    negate: bool,
) -> String {
    let Some(f) = fields.get(c.field.as_str()) else {
        return "false".into();
    };
    let spec_field = msg.fields.iter().find(|x| x.name == c.field);
    let access = if f.optional {
        format!("self.{}", f.ident)
    } else {
        format!("Some(&self.{})", f.ident)
    };
    let access = if f.optional {
        format!("{access}.as_ref()")
    } else {
        access
    };
    match c.op {
        m::ConditionOp::Present => {
            format!("{access}.{}()", if negate { "is_none" } else { "is_some" })
        }
        m::ConditionOp::Equals | m::ConditionOp::NotEquals => {
            let value = c.value.clone().unwrap_or(Scalar::Int(0));
            let default = spec_field.and_then(|sf| sf.default.clone());
            let is_enum = spec_field.is_some_and(|sf| !sf.enum_values.is_empty());
            let (project, lit, dflt) = match (&value, is_enum) {
                (Scalar::Str(s), true) if f.flag => (
                    ".map(|v| runtime::flag::wire(*v))".to_string(),
                    rust_str(s),
                    default.map(|d| scalar_literal(&d)),
                ),
                (Scalar::Str(s), true) => (
                    ".map(|v| v.as_str())".to_string(),
                    rust_str(s),
                    default.map(|d| scalar_literal(&d)),
                ),
                (Scalar::Int(i), true) => (
                    ".map(|v| v.as_i64())".to_string(),
                    i.to_string(),
                    default.map(|d| scalar_literal(&d)),
                ),
                (Scalar::Str(s), false) => (
                    ".map(|v| v.as_str())".to_string(),
                    rust_str(s),
                    default.map(|d| scalar_literal(&d)),
                ),
                (Scalar::Int(i), false) => (
                    ".copied()".to_string(),
                    i.to_string(),
                    default.map(|d| scalar_literal(&d)),
                ),
            };
            let op = if (c.op == m::ConditionOp::Equals) != negate {
                "=="
            } else {
                "!="
            };
            match dflt {
                Some(d) => format!("{access}{project}.unwrap_or({d}) {op} {lit}"),
                None => format!("{access}{project}.is_some_and(|v| v {op} {lit})"),
            }
        }
    }
}

fn code_ident(codes: &[ResultCodeIr], status: u16, code: &str) -> String {
    codes
        .iter()
        .find(|c| c.status == status && c.code == code)
        .map(|c| c.ident.clone())
        .unwrap_or_default()
}

/// The variant name of a spec edition without `result_codes:` entries: the English
/// text without filler words, at most six words, made unique with the code and status.
/// Kept so that `spec diff` against such an edition reports the renames truly.
fn legacy_ident(english: &str, code: &str, status: u16, codes: &[ResultCodeIr]) -> String {
    const FILLER: &[&str] = &[
        "the", "a", "an", "is", "are", "of", "on", "in", "to", "be", "must", "for",
    ];
    let first_line = english.lines().next().unwrap_or("");
    let words: Vec<&str> = first_line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !FILLER.contains(&w.to_ascii_lowercase().as_str()))
        .take(6)
        .collect();
    let mut ident = words.join(" ").to_upper_camel_case();
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident = format!("Code{code}");
    }
    let used = |i: &str| codes.iter().any(|c| c.ident == i);
    if used(&ident) {
        ident = format!("{ident}{code}");
    }
    if used(&ident) {
        ident = format!("{ident}Status{status}");
    }
    ident
}

/// One `ResultCode` variant per distinct (status, code) of the five tables, named by its
/// `result_codes:` entry; texts come from the first table that lists the pair.
fn result_codes(spec: &Spec) -> (Vec<ResultCodeIr>, Vec<ResultTableIr>) {
    let mut codes: Vec<ResultCodeIr> = Vec::new();
    let mut tables = Vec::new();
    for t in spec.all(|c| &c.result_code_tables) {
        let mut rows = Vec::new();
        for r in &t.rows {
            let variant = r.code.as_ref().map(|code| {
                if let Some(c) = codes
                    .iter_mut()
                    .find(|c| c.status == r.status && &c.code == code)
                {
                    c.tables.push(t.table.clone());
                    return c.ident.clone();
                }
                // The name chosen in spec/voicecall.yaml (the loader checked that every
                // pair has one, valid and unique).
                let entry = spec
                    .all(|c| &c.result_codes)
                    .find(|e| e.status == r.status && &e.code == code);
                let ident = match entry {
                    Some(e) => e.rust_name.clone(),
                    // A spec without `result_codes:` (an edition before them, read as
                    // the base of `spec diff`): the names the generator gave then.
                    None => legacy_ident(&r.english, code, r.status, &codes),
                };
                codes.push(ResultCodeIr {
                    ident: ident.clone(),
                    status: r.status,
                    code: code.clone(),
                    english: r.english.clone(),
                    chinese: r.chinese.clone(),
                    remedy: r.remedy.clone(),
                    remedy_en: entry.map(|e| e.remedy_en.clone()).unwrap_or_default(),
                    retryable: entry.is_some_and(|e| e.retryable),
                    tables: vec![t.table.clone()],
                });
                ident
            });
            rows.push(ResultRowIr {
                status: r.status,
                code: r.code.clone(),
                variant,
                english: r.english.clone(),
                chinese: r.chinese.clone(),
                remedy: r.remedy.clone(),
            });
        }
        tables.push(ResultTableIr {
            ident: format!("TABLE_{}", t.table.replace('-', "_")),
            table: t.table.clone(),
            operation: t.operation.clone(),
            rows,
        });
    }
    (codes, tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field_ident("lastMinToUE"), "last_min_to_ue");
        assert_eq!(field_ident("X-AKSK"), "x_aksk");
        assert_eq!(field_ident("dynIVRStartTime"), "dyn_ivr_start_time");
        assert_eq!(variant_ident(&Scalar::Str("v2.0".into()), ""), "V2_0");
        assert_eq!(
            variant_ident(&Scalar::Str("application/json;charset=UTF-8".into()), ""),
            "ApplicationJsonCharsetUtf8"
        );
        assert_eq!(
            variant_ident(&Scalar::Int(0), "not recorded"),
            "NotRecorded"
        );
        assert_eq!(
            variant_ident(&Scalar::Str("001".into()), "voice notification"),
            "VoiceNotification"
        );
        assert_eq!(variant_ident(&Scalar::Int(7), ""), "Value7");
        assert_eq!(
            module_of("callback/4.2-create-voice-callback.yaml"),
            Some(("callback".into(), "create_voice_callback".into()))
        );
    }
}
