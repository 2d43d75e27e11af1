//! JSON Schema (draft 2020-12) of every message, and the OpenAPI 3.1 document, built
//! from the spec. Limits become `minLength`/`maxLength`/`minimum`/`maximum`/`minItems`/
//! `maxItems`, formats become `pattern`s, enumerations `enum`s; rules that JSON Schema
//! can express (`oneOf`, `if`/`then`) are expressed, the others are listed under
//! `x-rules`; every property carries its doc reference in `x-doc`.

use std::collections::BTreeMap;

use schemars::Schema;
use serde_json::{json, Map, Value};

use crate::spec::model::*;
use crate::spec::Spec;

/// Where `$ref`s point: `#/$defs/` in standalone schemas, `#/components/schemas/` in OpenAPI.
#[derive(Clone, Copy)]
enum Refs {
    Defs,
    Components,
}

impl Refs {
    fn to(self, name: &str) -> Value {
        match self {
            Refs::Defs => json!({ "$ref": format!("#/$defs/{name}") }),
            Refs::Components => json!({ "$ref": format!("#/components/schemas/{name}") }),
        }
    }
}

fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Int(i) => json!(i),
        Scalar::Str(s) => json!(s),
    }
}

/// Erratum `integer-wire-form`: JSON Schema's `integer` admits `5.0`, the platform
/// (as the spec reads it) does not; no keyword sees how a number is written.
const INTEGER_NOTE: &str = "Integer (erratum integer-wire-form): written as an integer literal; 5.0 or 5e0 is the wrong JSON type and refused (403/1010002), although JSON Schema's `type: integer` admits it.";

/// Erratum `null-as-absent`: an optional body field given as `null` reads as absent (the
/// generated validators and serde's `Option` do so), so its schema admits `null`.
const NULL_NOTE: &str = "null reads as absent (erratum null-as-absent).";

fn nullable(mut v: Value) -> Value {
    let Some(o) = v.as_object_mut() else {
        return v;
    };
    if let Some(r) = o.remove("$ref") {
        o.insert("anyOf".into(), json!([{ "$ref": r }, { "type": "null" }]));
    } else if let Some(Value::String(t)) = o.get("type").cloned() {
        o.insert("type".into(), json!([t, "null"]));
        if let Some(Value::Array(e)) = o.get_mut("enum") {
            e.push(Value::Null);
        }
    } else {
        return v;
    }
    if let Some(Value::String(d)) = o.get_mut("description") {
        d.push_str("\n\n");
        d.push_str(NULL_NOTE);
    }
    if let Some(Value::Array(e)) = o.get_mut("x-errata") {
        e.push(json!("null-as-absent"));
    } else {
        o.insert("x-errata".into(), json!(["null-as-absent"]));
    }
    v
}

/// "Each of `fields` is present": given and not null, since null reads as absent
/// (`required` alone counts a null property as present).
fn present(fields: &[String]) -> Value {
    let not_null: Map<String, Value> = fields
        .iter()
        .map(|f| (f.clone(), json!({ "not": { "type": "null" } })))
        .collect();
    json!({ "required": fields, "properties": not_null })
}

fn integer(o: &mut Map<String, Value>) {
    o.insert("type".into(), json!("integer"));
    o.insert("x-integer-form".into(), json!("literal"));
}

struct Builder<'a> {
    spec: &'a Spec,
    formats: BTreeMap<&'a str, &'a Format>,
    refs: Refs,
    /// Messages the customer sends (requests and what they refer to): the platform
    /// refuses fields they do not define (403/1010002, erratum `parameter-error-codes`).
    outbound: std::collections::BTreeSet<String>,
}

impl<'a> Builder<'a> {
    fn new(spec: &'a Spec, refs: Refs) -> Self {
        let formats = spec
            .all(|c| &c.formats)
            .map(|f| (f.id.as_str(), f))
            .collect();
        Builder {
            spec,
            formats,
            refs,
            outbound: crate::ir::outbound_messages(spec),
        }
    }

    fn string(&self, length: Option<Length>, format: Option<&str>, o: &mut Map<String, Value>) {
        o.insert("type".into(), json!("string"));
        if let Some(l) = length {
            o.insert("minLength".into(), json!(l.min));
            o.insert("maxLength".into(), json!(l.max));
            if l.unit == LengthUnit::Bytes {
                o.insert("x-length-unit".into(), json!("bytes"));
            }
        }
        if let Some(f) = format.and_then(|f| self.formats.get(f)) {
            // The loader has checked that every format prints portably.
            let printed = crate::portable::portable(&f.pattern).ok();
            let pattern = printed
                .as_ref()
                .map_or(f.pattern.as_str(), |p| p.pattern.as_str());
            o.insert("pattern".into(), json!(pattern));
            o.insert("x-format".into(), json!(f.id));
            if printed.is_some_and(|p| p.lossy) {
                o.insert("x-pattern".into(), json!(f.pattern));
                o.insert(
                    "x-pattern-note".into(),
                    json!("`pattern` is `x-pattern` with explicit code-point ranges, so that tools without Unicode regex support compile it; it cannot exclude characters above U+FFFF, which `x-pattern` (what the generated validators check) does"),
                );
            }
            if let Some(d) = &f.decoded_pattern {
                self.encoded(f, d, o);
            }
        }
    }

    /// A Base64 format: the wire pattern made exact where the decoded pattern is one
    /// character class (see `base64_pattern`), and the decoded value described by
    /// `contentEncoding`/`contentMediaType`/`contentSchema`, which JSON Schema defines
    /// as annotations: `x-content-rule` names the rule a validator must apply.
    fn encoded(&self, f: &Format, decoded: &str, o: &mut Map<String, Value>) {
        let d = crate::portable::portable(decoded).map_or(decoded.to_string(), |p| p.pattern);
        if let Some(set) = crate::base64_pattern::decoded_alphabet(decoded) {
            o.insert("pattern".into(), json!(crate::base64_pattern::exact(&set)));
            o.insert("x-pattern".into(), json!(f.pattern));
            o.insert(
                "x-pattern-note".into(),
                json!(format!("`pattern` admits exactly the canonical padded Base64 (RFC 4648 §4) of a non-empty value matching `{d}`, which is what the generated validator checks; `x-pattern` is the spec's looser wire pattern")),
            );
        }
        o.insert("contentEncoding".into(), json!("base64"));
        o.insert("contentMediaType".into(), json!("text/plain"));
        o.insert(
            "contentSchema".into(),
            json!({ "type": "string", "minLength": 1, "pattern": d }),
        );
        o.insert("x-decoded-pattern".into(), json!(d));
        o.insert(
            "x-content-rule".into(),
            json!({
                "format": f.id,
                "rule": format!("The value is standard Base64 with padding; it decodes to UTF-8 text matching `{d}` (contentSchema); a length limit counts the Base64 wire value."),
                "errata": f.errata,
            }),
        );
    }

    fn field(&self, section: &str, msg: &Message, f: &Field) -> Value {
        let mut o = Map::new();
        match f.ty {
            FieldType::String => self.string(f.length, f.format.as_deref(), &mut o),
            FieldType::Integer => {
                integer(&mut o);
                if let Some(r) = f.range {
                    o.insert("minimum".into(), json!(r.min));
                    o.insert("maximum".into(), json!(r.max));
                }
            }
            FieldType::Object => {
                if let Some(r) = &f.reference {
                    o.extend(self.refs.to(r).as_object().cloned().unwrap_or_default());
                } else {
                    o.insert("type".into(), json!("object"));
                }
            }
            FieldType::Array => {
                o.insert("type".into(), json!("array"));
                if let Some(c) = f.items {
                    o.insert("minItems".into(), json!(c.min));
                    o.insert("maxItems".into(), json!(c.max));
                }
                if let Some(item) = &f.item {
                    let mut it = Map::new();
                    match (item.ty, &item.reference) {
                        (FieldType::Object, Some(r)) => {
                            it.extend(self.refs.to(r).as_object().cloned().unwrap_or_default())
                        }
                        (FieldType::Integer, _) => integer(&mut it),
                        _ => self.string(item.length, item.format.as_deref(), &mut it),
                    }
                    o.insert("items".into(), Value::Object(it));
                }
            }
        }
        if !f.enum_values.is_empty() {
            o.insert(
                "enum".into(),
                Value::Array(f.enum_values.iter().map(|e| scalar(&e.value)).collect()),
            );
            o.insert(
                "x-enum-meanings".into(),
                Value::Array(f.enum_values.iter().map(|e| json!(e.meaning)).collect()),
            );
        }
        if let Some(d) = &f.default {
            o.insert("default".into(), scalar(d));
        }
        let note = if f.ty == FieldType::Integer {
            format!("\n\n{INTEGER_NOTE}")
        } else {
            String::new()
        };
        o.insert(
            "description".into(),
            json!(format!("{}\n\n{}{note}", f.description, f.zh)),
        );
        o.insert(
            "x-doc".into(),
            json!(format!(
                "{section} 表{} {}",
                msg.table,
                f.doc_name.as_deref().unwrap_or(&f.name)
            )),
        );
        if let Some(ct) = &f.code_table {
            o.insert("x-code-table".into(), json!(ct));
        }
        let mut errata = f.errata.clone();
        if f.ty == FieldType::Integer {
            errata.push("integer-wire-form".into());
        }
        if !errata.is_empty() {
            o.insert("x-errata".into(), json!(errata));
        }
        Value::Object(o)
    }

    /// A property of a message: its field, admitting `null` when it is an optional
    /// field of a body (see `nullable`).
    fn property(&self, section: &str, msg: &Message, f: &Field) -> Value {
        let v = self.field(section, msg, f);
        if f.required || msg.location != Location::Body {
            v
        } else {
            nullable(v)
        }
    }

    /// Schema of a failure body: the body message without the fields a failure may
    /// leave out among its required ones, its `resultcode` limited to the codes of this
    /// HTTP status in the operation's table.
    fn failure(&self, msg: &Message, may_omit: &[String], codes: &[String]) -> Value {
        let mut schema = self.message(msg);
        if let Some(o) = schema.as_object_mut() {
            o.insert("title".into(), json!(format!("{} (failure)", msg.name)));
            if let Some(Value::Array(req)) = o.get_mut("required") {
                req.retain(|r| !may_omit.iter().any(|m| r == m));
            }
            if let Some(rc) = o
                .get_mut("properties")
                .and_then(|p| p.get_mut("resultcode"))
                .and_then(Value::as_object_mut)
            {
                let mut codes = codes.to_vec();
                codes.sort();
                codes.dedup();
                rc.insert("enum".into(), json!(codes));
            }
        }
        schema
    }

    /// Schema of one message (without `$schema`/`$defs`).
    fn message(&self, msg: &Message) -> Value {
        let section = self.spec.section_of_message(&msg.name).unwrap_or("");
        let mut o = Map::new();
        o.insert("title".into(), json!(msg.name));
        o.insert(
            "description".into(),
            json!(format!("表{} {} (§{section})", msg.table, msg.title)),
        );
        if let Some(tagged) = msg.fields.iter().find(|f| f.tagged_by.is_some()) {
            return self.tagged(msg, tagged, o);
        }
        o.insert("type".into(), json!("object"));
        let props: Map<String, Value> = msg
            .fields
            .iter()
            .map(|f| (f.name.clone(), self.property(section, msg, f)))
            .collect();
        o.insert("properties".into(), Value::Object(props));
        let required: Vec<&str> = msg
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.as_str())
            .collect();
        if !required.is_empty() {
            o.insert("required".into(), json!(required));
        }
        // Requests are strict (unknown fields refused); what the platform sends is not,
        // so a receiver built on these schemas survives a new field.
        if self.outbound.contains(&msg.name)
            && matches!(msg.location, Location::Body | Location::Query)
        {
            o.insert("additionalProperties".into(), json!(false));
        }
        let mut one_of = Vec::new();
        let mut dependent = Vec::new();
        let mut notes = Vec::new();
        for r in &msg.rules {
            match (r.kind, &r.when) {
                (RuleKind::ExactlyOneOf, _) => {
                    for f in &r.fields {
                        let others: Vec<Value> = r
                            .fields
                            .iter()
                            .filter(|o| *o != f)
                            .map(|o| present(std::slice::from_ref(o)))
                            .collect();
                        let mut branch = present(std::slice::from_ref(f));
                        if let Some(b) = branch.as_object_mut() {
                            b.insert("not".into(), json!({ "anyOf": others }));
                        }
                        one_of.push(branch);
                    }
                }
                (RuleKind::RequiredWhen, Some(c))
                    if c.op == ConditionOp::Present && c.message.is_none() =>
                {
                    dependent.push(json!({
                        "if": present(std::slice::from_ref(&c.field)),
                        "then": present(&r.fields),
                    }));
                }
                _ => {}
            }
            notes.push(json!({ "id": r.id, "kind": format!("{:?}", r.kind), "fields": r.fields, "description": r.description, "doc": format!("{} 表{} {}", r.doc.section, r.doc.table.as_deref().unwrap_or(&msg.table), r.doc.row.as_deref().unwrap_or("")).trim_end() }));
        }
        if !one_of.is_empty() {
            o.insert("oneOf".into(), Value::Array(one_of));
        }
        if !dependent.is_empty() {
            o.insert("allOf".into(), Value::Array(dependent));
        }
        if !notes.is_empty() {
            o.insert("x-rules".into(), Value::Array(notes));
        }
        Value::Object(o)
    }

    fn tagged(&self, msg: &Message, content: &Field, mut o: Map<String, Value>) -> Value {
        let tag = content.tagged_by.clone().unwrap_or_default();
        let tag_field = msg.fields.iter().find(|f| f.name == tag);
        let mut variants = Vec::new();
        for e in tag_field.map(|f| f.enum_values.as_slice()).unwrap_or(&[]) {
            let Scalar::Str(ev) = &e.value else { continue };
            let Some(target) = self.spec.tagged(&msg.name, &content.name, ev) else {
                continue;
            };
            variants.push(json!({
                "properties": { tag.clone(): { "const": ev }, content.name.clone(): self.refs.to(target) },
                "required": [tag],
            }));
        }
        o.insert("type".into(), json!("object"));
        let section = self.spec.section_of_message(&msg.name).unwrap_or("");
        let props: Map<String, Value> = msg
            .fields
            .iter()
            .map(|f| {
                let mut v = self.property(section, msg, f);
                if f.tagged_by.is_some() {
                    if let Some(m) = v.as_object_mut() {
                        let ty = if f.required {
                            json!("object")
                        } else {
                            json!(["object", "null"])
                        };
                        m.insert("type".into(), ty);
                    }
                }
                (f.name.clone(), v)
            })
            .collect();
        o.insert("properties".into(), Value::Object(props));
        o.insert("required".into(), json!([tag]));
        o.insert("oneOf".into(), Value::Array(variants));
        Value::Object(o)
    }

    /// Names of the messages `name` refers to, transitively, in a stable order.
    fn closure(&self, name: &str, out: &mut Vec<String>) {
        let Some(msg) = self.spec.message(name) else {
            return;
        };
        let mut refs: Vec<String> = Vec::new();
        for f in &msg.fields {
            refs.extend(f.reference.clone());
            refs.extend(f.item.as_ref().and_then(|i| i.reference.clone()));
        }
        for n in self
            .spec
            .all(|c| &c.notifications)
            .filter(|n| n.body == name)
        {
            refs.extend(n.events.iter().map(|e| e.message.clone()));
        }
        for r in refs {
            if !out.contains(&r) {
                out.push(r.clone());
                self.closure(&r, out);
            }
        }
    }
}

/// The request header table of an operation or push, under `x-headers`: OpenAPI ignores
/// header parameters named Content-Type or Authorization, and X-AKSK is the security
/// scheme, yet each row (its fixed value, format and doc reference) belongs in the document.
fn header_table(b: &Builder, message: &str) -> Value {
    let Some(m) = b.spec.message(message) else {
        return json!([]);
    };
    let section = b.spec.section_of_message(&m.name).unwrap_or("");
    Value::Array(m.fields.iter().map(|f| json!({ "name": f.name, "required": f.required, "description": f.description, "schema": b.field(section, m, f) })).collect())
}

/// `generated/schema/<Message>.json` for every message: path → text.
pub fn message_schemas(spec: &Spec) -> BTreeMap<String, String> {
    let b = Builder::new(spec, Refs::Defs);
    let mut out = BTreeMap::new();
    for msg in spec.all(|c| &c.messages) {
        let mut schema = b.message(msg);
        let mut deps = Vec::new();
        b.closure(&msg.name, &mut deps);
        if let Some(o) = schema.as_object_mut() {
            let mut full = Map::new();
            full.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
            full.insert(
                "$id".into(),
                json!(format!("urn:voicecall:schema:{}", msg.name)),
            );
            full.extend(std::mem::take(o));
            if !deps.is_empty() {
                let defs: Map<String, Value> = deps
                    .iter()
                    .filter_map(|d| spec.message(d).map(|m| (d.clone(), b.message(m))))
                    .collect();
                full.insert("$defs".into(), Value::Object(defs));
            }
            schema = Value::Object(full);
        }
        let schema = Schema::try_from(schema).expect("an object is a schema");
        let mut text = serde_json::to_string_pretty(&schema).expect("serialises");
        text.push('\n');
        out.insert(format!("generated/schema/{}.json", msg.name), text);
    }
    out
}

/// The OpenAPI 3.1 document: operations, push notifications under `webhooks`, result
/// codes under `x-result-codes`, appendix tables under `x-code-tables`.
pub fn openapi(spec: &Spec) -> Value {
    let b = Builder::new(spec, Refs::Components);
    let doc = spec.files.iter().find_map(|f| f.content.document.as_ref());
    let mut paths = Map::new();
    // `<Body>Failure<status>`: what a failure of that status carries (see `Builder::failure`).
    let mut failures = Map::new();
    for op in spec.all(|c| &c.operations) {
        let mut parameters = Vec::new();
        for (loc, msg) in [("path", &op.path_params), ("query", &op.query)] {
            if let Some(m) = msg.as_ref().and_then(|m| spec.message(m)) {
                let section = spec.section_of_message(&m.name).unwrap_or("");
                for f in &m.fields {
                    let mut p = json!({ "name": f.name, "in": loc, "required": f.required || loc == "path", "description": f.description, "schema": b.field(section, m, f) });
                    let examples = parameter_examples(spec, &op.id, &f.name);
                    if let (Some(o), false) = (p.as_object_mut(), examples.is_empty()) {
                        o.insert("examples".into(), Value::Object(examples));
                    }
                    parameters.push(p);
                }
            }
        }
        let table = spec.result_code_table(&op.result_codes);
        let rows: Vec<&ResultCodeRow> = table.map(|t| t.rows.iter().collect()).unwrap_or_default();
        let mut responses = Map::new();
        let success_status = op.success.status.unwrap_or(200);
        let mut success = Map::new();
        success.insert(
            "description".into(),
            json!(format!(
                "Success ({}).",
                if success_status == 301 {
                    "301 with the download address in Location"
                } else {
                    "resultcode 0"
                }
            )),
        );
        if let Some(body) = &op.success.body {
            success.insert(
                "content".into(),
                json!({ "application/json": media(b.refs.to(body), fixture_examples(spec, &op.id, FixtureKind::Response, Some(success_status))) }),
            );
        }
        if let Some(h) = op.success.headers.as_ref().and_then(|h| spec.message(h)) {
            let section = spec.section_of_message(&h.name).unwrap_or("");
            let headers: Map<String, Value> = h
                .fields
                .iter()
                .map(|f| {
                    let mut header = json!({ "description": f.description, "required": f.required, "schema": b.field(section, h, f) });
                    let examples = header_examples(spec, &op.id, success_status, &f.name);
                    if let (Some(o), false) = (header.as_object_mut(), examples.is_empty()) {
                        o.insert("examples".into(), Value::Object(examples));
                    }
                    (f.name.clone(), header)
                })
                .collect();
            success.insert("headers".into(), Value::Object(headers));
        }
        responses.insert(success_status.to_string(), Value::Object(success));
        let mut statuses: Vec<u16> = rows
            .iter()
            .map(|r| r.status)
            .filter(|s| *s >= 400)
            .collect();
        statuses.dedup();
        for status in statuses {
            let codes: Vec<String> = rows
                .iter()
                .filter(|r| r.status == status)
                .filter_map(|r| r.code.clone())
                .collect();
            let mut resp = Map::new();
            resp.insert(
                "description".into(),
                json!(format!("Failure; resultcode one of {}.", codes.join(", "))),
            );
            if let Some(m) = op.failure.body.as_ref().and_then(|body| spec.message(body)) {
                let name = format!("{}Failure{status}", m.name);
                let mut schema = b.failure(m, &op.failure.may_omit, &codes);
                // Generators name models after `title`, which must differ per status.
                schema["title"] = json!(name);
                failures.insert(name.clone(), schema);
                let examples: Map<String, Value> = rows
                    .iter()
                    .filter(|r| r.status == status)
                    .filter_map(|r| {
                        let code = r.code.as_ref()?;
                        Some((
                            code.clone(),
                            json!({
                                "summary": format!("{code} {} (表{} row {code})", r.english, op.result_codes),
                                "value": { "resultcode": code, "resultdesc": r.english },
                            }),
                        ))
                    })
                    .collect();
                resp.insert(
                    "content".into(),
                    json!({ "application/json": media(b.refs.to(&name), examples) }),
                );
            }
            responses.insert(status.to_string(), Value::Object(resp));
        }
        let mut operation = Map::new();
        operation.insert("operationId".into(), json!(op.id));
        operation.insert("summary".into(), json!(op.title));
        operation.insert(
            "description".into(),
            json!(format!(
                "{} (§{} of the reference.)",
                op.description, op.section
            )),
        );
        operation.insert("tags".into(), json!([op.service]));
        operation.insert("security".into(), requirement("request"));
        if !parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(body) = &op.body {
            operation.insert("requestBody".into(), json!({ "required": true, "content": { "application/json": media(b.refs.to(body), fixture_examples(spec, &op.id, FixtureKind::Request, None)) } }));
        }
        operation.insert("responses".into(), Value::Object(responses));
        operation.insert("x-headers".into(), header_table(&b, &op.headers));
        operation.insert("x-places-call".into(), json!(op.places_call));
        if let Some(sdk) = &op.sdk_name {
            operation.insert("x-sdk-name".into(), json!(sdk));
        }
        let result_codes: Vec<Value> = rows
            .iter()
            .map(|r| json!({ "status": r.status, "code": r.code, "english": r.english, "chinese": r.chinese, "remedy": r.remedy }))
            .collect();
        operation.insert(
            "x-result-codes".into(),
            json!({ "table": op.result_codes, "rows": result_codes }),
        );
        operation.insert(
            "x-rejects".into(),
            json!({
                "request": { "status": op.rejects.request.status, "code": op.rejects.request.code },
                "value": { "status": op.rejects.value.status, "code": op.rejects.value.code },
            }),
        );
        let method = op.method.as_str().to_lowercase();
        paths
            .entry(op.path.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|p| p.insert(method, Value::Object(operation)));
    }
    let mut webhooks = Map::new();
    for n in spec.all(|c| &c.notifications) {
        let mut responses = Map::new();
        let mut ok = Map::new();
        ok.insert("description".into(), json!(n.reply.success_when));
        if let Some(body) = &n.reply.body {
            ok.insert(
                "content".into(),
                json!({ "application/json": media(b.refs.to(body), fixture_examples(spec, &n.id, FixtureKind::Reply, Some(n.reply.status))) }),
            );
        }
        responses.insert(n.reply.status.to_string(), Value::Object(ok));
        let mut post = Map::new();
        post.insert("operationId".into(), json!(n.id));
        post.insert("summary".into(), json!(n.title));
        post.insert(
            "description".into(),
            json!(format!(
                "{} Sent by POST to the customer's `{}` (§{}).",
                n.description, n.target, n.section
            )),
        );
        post.insert("tags".into(), json!([n.service]));
        post.insert("security".into(), requirement("push"));
        post.insert("requestBody".into(), json!({ "required": true, "content": { "application/json": media(b.refs.to(&n.body), fixture_examples(spec, &n.id, FixtureKind::Push, None)) } }));
        post.insert("responses".into(), Value::Object(responses));
        post.insert("x-headers".into(), header_table(&b, &n.headers));
        if let Some(bt) = &n.batching {
            post.insert(
                "x-batching".into(),
                json!({ "max_records": bt.max_records, "merge_key": bt.merge_key }),
            );
        }
        if let Some(r) = &n.retry {
            post.insert(
                "x-retry".into(),
                json!({ "max_retries": r.max_retries, "interval_seconds": r.interval_seconds }),
            );
        }
        webhooks.insert(n.id.clone(), json!({ "post": post }));
    }
    let mut schemas: Map<String, Value> = spec
        .all(|c| &c.messages)
        .filter(|m| m.location == Location::Body)
        .map(|m| (m.name.clone(), b.message(m)))
        .collect();
    schemas.extend(failures);
    let code_tables: Map<String, Value> = spec
        .all(|c| &c.code_tables)
        .map(|t| {
            let rows: Vec<Value> = t
                .rows
                .iter()
                .map(|r| match (r.code, r.range) {
                    (Some(c), _) => json!({ "code": c, "zh": r.zh, "english": r.english }),
                    (None, Some(rg)) => json!({ "range": [rg.min, rg.max], "doc_code": r.doc_code, "zh": r.zh, "english": r.english }),
                    _ => json!({ "zh": r.zh, "english": r.english }),
                })
                .collect();
            (t.id.clone(), json!({ "section": t.section, "title": t.title, "description": t.description, "rows": rows }))
        })
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Huawei Cloud Voice Call (语音通话) API",
            "version": doc.map(|d| format!("{} ({})", d.version, d.published)).unwrap_or_default(),
            "description": format!("Generated by `cargo xtask codegen` from spec/, a transcription of {}. Do not edit.", doc.map(|d| d.title.as_str()).unwrap_or("the reference")),
        },
        "servers": [{ "url": "https://rtccall.cn-north-1.myhuaweicloud.cn:443", "description": "APP接入地址 (example from §4.1; each app has its own)" }],
        "tags": spec.all(|c| &c.services).map(|s| json!({ "name": s.id, "description": format!("{} ({})", s.name, s.zh) })).collect::<Vec<_>>(),
        "paths": paths,
        "webhooks": webhooks,
        "components": {
            "schemas": schemas,
            "securitySchemes": security_schemes(spec),
        },
        "x-code-tables": code_tables,
    })
}

/// Security-scheme names of a signing scheme: its `X-AKSK` header and its `Authorization`
/// header. The request scheme keeps the name `aksk` it always had.
fn scheme_names(id: &str) -> [String; 2] {
    let base = if id == "request" {
        "aksk".to_string()
    } else {
        format!("aksk_{id}")
    };
    [base.clone(), format!("{base}_authorization")]
}

/// One requirement with both headers of a signing scheme (both must be sent).
fn requirement(id: &str) -> Value {
    let [x_aksk, authorization] = scheme_names(id);
    json!([{ x_aksk: [], authorization: [] }])
}

/// Two `apiKey` header schemes per signing scheme of `spec/signing.yaml` (`Authorization`
/// and `X-AKSK`). OpenAPI has no scheme for a per-request HMAC, so each description says
/// how to compute the headers, and `x-signing` points to the known-answer vectors.
fn security_schemes(spec: &Spec) -> Value {
    let mut out = Map::new();
    for s in spec.all(|c| &c.signing_schemes) {
        let how = format!(
            "{} Signed per request, not a bearer token: every request carries a fresh Nonce and its Created time. Send `{}: {}` and `{}: {}`. Digest: {} Test vectors: spec/signing.yaml, signing scheme `{}`, `vectors` (also under `x-signing`).",
            s.description,
            s.authorization.header,
            s.authorization.literal,
            s.x_aksk.header,
            s.x_aksk.literal,
            s.digest.literal,
            s.id
        );
        let vectors: Vec<Value> = s
            .vectors
            .iter()
            .map(|v| json!({ "app_secret": v.app_secret, "nonce": v.nonce, "created": v.created, "url": v.url, "digest": v.digest, "source": v.source }))
            .collect();
        let signing = json!({
            "scheme": s.id,
            "definition": "spec/signing.yaml",
            "vectors": format!("spec/signing.yaml#/signing_schemes/{}/vectors", s.id),
            "algorithm": s.digest.algorithm,
            "test_vectors": vectors,
        });
        let [x_aksk, authorization] = scheme_names(&s.id);
        out.insert(x_aksk, json!({ "type": "apiKey", "in": "header", "name": s.x_aksk.header, "description": how, "x-signing": signing }));
        out.insert(authorization, json!({ "type": "apiKey", "in": "header", "name": s.authorization.header, "description": how, "x-signing": signing }));
    }
    Value::Object(out)
}

/// A media type object: the schema and, when there are any, its examples.
fn media(schema: Value, examples: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("schema".into(), schema);
    if !examples.is_empty() {
        m.insert("examples".into(), Value::Object(examples));
    }
    Value::Object(m)
}

/// Fixtures of one kind of an operation or notification (and of one HTTP status, for
/// responses and replies; a fixture without a status is a 200).
fn fixtures<'a>(
    spec: &'a Spec,
    of: &'a str,
    kind: FixtureKind,
    status: Option<u16>,
) -> impl Iterator<Item = &'a Fixture> + 'a {
    spec.all(|c| &c.fixtures).filter(move |fx| {
        fx.of == of && fx.kind == kind && status.is_none_or(|s| fx.status.unwrap_or(200) == s)
    })
}

/// Summary and description of a fixture as an OpenAPI Example Object (without `value`).
fn example_object(fx: &Fixture) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert(
        "summary".into(),
        json!(format!("{} (§{}, {})", fx.title, fx.section, fx.verbatim)),
    );
    let mut notes = Vec::new();
    if !fx.expect_violations.is_empty() {
        let broken: Vec<String> = fx
            .expect_violations
            .iter()
            .map(|v| format!("{} ({})", v.path, v.rule))
            .collect();
        notes.push(format!(
            "As the reference prints it, this example breaks its own table at {}; a request like it is refused.",
            broken.join(", ")
        ));
    }
    if !fx.errata.is_empty() {
        notes.push(format!("Errata: {}.", fx.errata.join(", ")));
    }
    if !notes.is_empty() {
        o.insert("description".into(), json!(notes.join(" ")));
    }
    o
}

/// The reference's examples of a body (from `spec/fixtures`), keyed by fixture id.
fn fixture_examples(
    spec: &Spec,
    of: &str,
    kind: FixtureKind,
    status: Option<u16>,
) -> Map<String, Value> {
    fixtures(spec, of, kind, status)
        .filter_map(|fx| {
            let text = spec.aux.get(fx.body.as_ref()?)?;
            let value: Value = serde_json::from_str(text).ok()?;
            let mut o = example_object(fx);
            o.insert("value".into(), value);
            Some((fx.id.clone(), Value::Object(o)))
        })
        .collect()
}

/// The reference's examples of one query parameter of an operation.
fn parameter_examples(spec: &Spec, op: &str, name: &str) -> Map<String, Value> {
    fixtures(spec, op, FixtureKind::Request, None)
        .filter_map(|fx| {
            let value = fx.query.get(name)?;
            let mut o = example_object(fx);
            o.insert("value".into(), json!(value));
            Some((fx.id.clone(), Value::Object(o)))
        })
        .collect()
}

/// The reference's examples of one response header (names compared without case).
fn header_examples(spec: &Spec, op: &str, status: u16, name: &str) -> Map<String, Value> {
    fixtures(spec, op, FixtureKind::Response, Some(status))
        .filter_map(|fx| {
            let (_, value) = fx
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))?;
            let mut o = example_object(fx);
            o.insert("value".into(), json!(value));
            Some((fx.id.clone(), Value::Object(o)))
        })
        .collect()
}
