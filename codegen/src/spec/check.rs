//! Semantic checks: what serde cannot see. Duplicate names, dangling references,
//! inconsistent limits, defaults outside their enum, duplicate result-code rows,
//! signing vectors that do not verify, and examples that do not match their message.
//! Each problem is reported at the YAML node it concerns, with a fix.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::diagnostic::{Located, SpecError, SpecErrors};
use super::load::{SourceFile, Spec};
use super::model::*;
use super::validate::{scalar_eq, CompiledFormat, Severity};

/// Where each named thing is: `(file index, position in its list)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) messages: BTreeMap<String, (usize, usize)>,
    pub(crate) operations: BTreeMap<String, (usize, usize)>,
    pub(crate) notifications: BTreeMap<String, (usize, usize)>,
    pub(crate) schemes: BTreeMap<String, (usize, usize)>,
    pub(crate) code_tables: BTreeMap<String, (usize, usize)>,
    pub(crate) result_code_tables: BTreeMap<String, (usize, usize)>,
    pub(crate) errata: BTreeMap<String, (usize, usize)>,
    pub(crate) services: BTreeMap<String, (usize, usize)>,
    pub(crate) formats: BTreeMap<String, CompiledFormat>,
    /// (body message, field) → event type → message of the details.
    pub(crate) tagged: BTreeMap<(String, String), BTreeMap<String, String>>,
}

struct Ctx<'a> {
    files: &'a [SourceFile],
    problems: Vec<Located>,
}

impl Ctx<'_> {
    fn err(
        &mut self,
        file: usize,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.problems.push(Located {
            file,
            path: path.into(),
            at_key: false,
            message: message.into(),
            label: "here".into(),
            help: Some(help.into()),
        });
    }

    fn err_key(
        &mut self,
        file: usize,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.problems.push(Located {
            file,
            path: path.into(),
            at_key: true,
            message: message.into(),
            label: "here".into(),
            help: Some(help.into()),
        });
    }
}

/// Registers `name` in `map`, reporting a duplicate at `path`.
fn register(
    ctx: &mut Ctx,
    map: &mut BTreeMap<String, (usize, usize)>,
    what: &str,
    name: &str,
    at: (usize, usize),
    path: String,
) {
    if let Some(&(f, _)) = map.get(name) {
        let other = ctx.files[f].name.clone();
        ctx.err(
            at.0,
            path,
            format!("duplicate {what} {name:?} (also defined in {other})"),
            format!("give this {what} another name or remove one of the two"),
        );
    } else {
        map.insert(name.to_string(), at);
    }
}

pub(crate) fn check(
    files: Vec<SourceFile>,
    aux: BTreeMap<String, String>,
) -> Result<Spec, SpecErrors> {
    let mut ctx = Ctx {
        files: &files,
        problems: Vec::new(),
    };
    let mut index = Index::default();

    // 1. Names.
    for (fi, f) in files.iter().enumerate() {
        let c = &f.content;
        for (i, x) in c.messages.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.messages,
                "message",
                &x.name,
                (fi, i),
                format!("messages[{i}].name"),
            );
        }
        for (i, x) in c.operations.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.operations,
                "operation",
                &x.id,
                (fi, i),
                format!("operations[{i}].id"),
            );
        }
        for (i, x) in c.notifications.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.notifications,
                "notification",
                &x.id,
                (fi, i),
                format!("notifications[{i}].id"),
            );
        }
        for (i, x) in c.signing_schemes.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.schemes,
                "signing scheme",
                &x.id,
                (fi, i),
                format!("signing_schemes[{i}].id"),
            );
        }
        for (i, x) in c.code_tables.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.code_tables,
                "code table",
                &x.id,
                (fi, i),
                format!("code_tables[{i}].id"),
            );
        }
        for (i, x) in c.result_code_tables.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.result_code_tables,
                "result-code table",
                &x.table,
                (fi, i),
                format!("result_code_tables[{i}].table"),
            );
        }
        for (i, x) in c.errata.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.errata,
                "erratum",
                &x.id,
                (fi, i),
                format!("errata[{i}].id"),
            );
        }
        for (i, x) in c.services.iter().enumerate() {
            register(
                &mut ctx,
                &mut index.services,
                "service",
                &x.id,
                (fi, i),
                format!("services[{i}].id"),
            );
        }
        let mut fmt_seen = BTreeMap::new();
        for (i, x) in c.formats.iter().enumerate() {
            register(
                &mut ctx,
                &mut fmt_seen,
                "format",
                &x.id,
                (fi, i),
                format!("formats[{i}].id"),
            );
            match CompiledFormat::compile(x) {
                Ok(cf) => {
                    for (j, ex) in x.examples.iter().enumerate() {
                        if let Err(why) = cf.check(ex) {
                            ctx.err(fi, format!("formats[{i}].examples[{j}]"), format!("example {ex:?} of format {:?} is rejected: it {why}", x.id), "fix the pattern or the example");
                        }
                    }
                    for (j, ex) in x.counter_examples.iter().enumerate() {
                        if cf.check(ex).is_ok() {
                            ctx.err(fi, format!("formats[{i}].counter_examples[{j}]"), format!("counter-example {ex:?} of format {:?} is accepted", x.id), "tighten the pattern or remove the counter-example");
                        }
                    }
                    if index.formats.insert(x.id.clone(), cf).is_some() {
                        ctx.err(fi, format!("formats[{i}].id"), format!("duplicate format {:?}", x.id), "give this format another name");
                    }
                }
                Err(e) => ctx.err(fi, format!("formats[{i}]"), format!("format {:?} has an invalid regular expression: {e}", x.id), "write the pattern in the subset of regex syntax that Rust's regex crate and ECMAScript share"),
            }
        }
    }
    let mut tables_seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        for (i, m) in f.content.messages.iter().enumerate() {
            register(
                &mut ctx,
                &mut tables_seen,
                "doc table",
                &m.table,
                (fi, i),
                format!("messages[{i}].table"),
            );
        }
        for (i, t) in f.content.doc_tables.iter().enumerate() {
            register(
                &mut ctx,
                &mut tables_seen,
                "doc table",
                &t.table,
                (fi, i),
                format!("doc_tables[{i}].table"),
            );
        }
    }

    // Tagged fields (statusInfo by eventType) from the notifications.
    for f in &files {
        for n in &f.content.notifications {
            if let Some(&(mf, mi)) = index.messages.get(&n.body) {
                let body = &files[mf].content.messages[mi];
                for ev in &n.events {
                    let tagged = body
                        .fields
                        .iter()
                        .any(|fd| fd.name == ev.field && fd.tagged_by.is_some());
                    if tagged {
                        index
                            .tagged
                            .entry((n.body.clone(), ev.field.clone()))
                            .or_default()
                            .insert(ev.event_type.clone(), ev.message.clone());
                    }
                }
            }
        }
    }

    // 2. References and consistency.
    for (fi, f) in files.iter().enumerate() {
        check_file(&mut ctx, &index, fi, f);
    }

    let spec_errors = |ctx: Ctx| sorted(ctx.problems.iter().map(|p| locate(&files, p)).collect());
    if !ctx.problems.is_empty() {
        return Err(spec_errors(ctx));
    }
    drop(ctx);
    let spec = Spec { files, aux, index };

    // 3. Things that need the assembled spec: fixtures and signing vectors.
    let mut ctx = Ctx {
        files: &spec.files,
        problems: Vec::new(),
    };
    for (fi, f) in spec.files.iter().enumerate() {
        for (i, fx) in f.content.fixtures.iter().enumerate() {
            check_fixture(&mut ctx, &spec, fi, i, fx);
        }
        for (i, s) in f.content.signing_schemes.iter().enumerate() {
            for (j, v) in s.vectors.iter().enumerate() {
                if let Some(got) = digest(&s.digest, v) {
                    if got != v.digest {
                        ctx.err(fi, format!("signing_schemes[{i}].vectors[{j}].digest"), "this digest does not verify with the scheme's algorithm, parts and separator", "recompute the digest, or fix the scheme's digest description");
                    }
                }
            }
        }
    }
    if !ctx.problems.is_empty() {
        return Err(sorted(
            ctx.problems
                .iter()
                .map(|p| locate(&spec.files, p))
                .collect(),
        ));
    }
    Ok(spec)
}

/// Computes a digest as the scheme describes it (`None` if the vector lacks a part).
pub(crate) fn digest(d: &DigestSpec, v: &SigningVector) -> Option<String> {
    let part = |p: DigestPart| -> Option<&str> {
        match p {
            DigestPart::AppSecret => Some(&v.app_secret),
            DigestPart::Nonce => Some(&v.nonce),
            DigestPart::Created => Some(&v.created),
            DigestPart::Url => v.url.as_deref(),
        }
    };
    let key = part(d.key)?;
    let parts: Option<Vec<&str>> = d.parts.iter().map(|p| part(*p)).collect();
    let message = parts?.join(&d.separator);
    let MacAlgorithm::HmacSha256 = d.algorithm;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(message.as_bytes());
    let Encoding::Base64 = d.encoding;
    Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

fn sorted(mut errors: Vec<SpecError>) -> SpecErrors {
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    SpecErrors { errors }
}

fn locate(files: &[SourceFile], p: &Located) -> SpecError {
    let f = &files[p.file];
    let span = if p.at_key {
        f.spans.find_key(&p.path)
    } else {
        f.spans.find(&p.path)
    };
    SpecError::new(
        &f.name,
        &f.text,
        span,
        p.message.clone(),
        p.label.clone(),
        p.help.clone(),
    )
}

fn check_file(ctx: &mut Ctx, ix: &Index, fi: usize, f: &SourceFile) {
    let c = &f.content;
    let has_msg = |n: &str| ix.messages.contains_key(n);
    let need_msg = |ctx: &mut Ctx, path: String, n: &str| {
        if !has_msg(n) {
            ctx.err(fi, path, format!("no message is named {n:?}"), "name a message defined under `messages:` in some spec file (names are case-sensitive)");
        }
    };
    let errata_ok = |ctx: &mut Ctx, path: String, list: &[String]| {
        for (k, e) in list.iter().enumerate() {
            if !ix.errata.contains_key(e) {
                ctx.err(
                    fi,
                    format!("{path}.errata[{k}]"),
                    format!("no erratum has id {e:?}"),
                    "add the erratum to spec/errata.yaml or correct the id",
                );
            }
        }
    };

    for (i, op) in c.operations.iter().enumerate() {
        let p = format!("operations[{i}]");
        if !ix.services.contains_key(&op.service) {
            ctx.err(
                fi,
                format!("{p}.service"),
                format!("no service {:?}", op.service),
                "use a service id listed under `services:` in spec/voicecall.yaml",
            );
        }
        if !ix.schemes.contains_key(&op.signing) {
            ctx.err(
                fi,
                format!("{p}.signing"),
                format!("no signing scheme {:?}", op.signing),
                "use `request` or `push` (spec/signing.yaml)",
            );
        }
        need_msg(ctx, format!("{p}.headers"), &op.headers);
        for (k, m) in [
            ("path_params", &op.path_params),
            ("query", &op.query),
            ("body", &op.body),
        ] {
            if let Some(m) = m {
                need_msg(ctx, format!("{p}.{k}"), m);
            }
        }
        for (k, r) in [("success", &op.success), ("failure", &op.failure)] {
            for (kk, m) in [("headers", &r.headers), ("body", &r.body)] {
                if let Some(m) = m {
                    need_msg(ctx, format!("{p}.{k}.{kk}"), m);
                }
            }
        }
        if op.success.status.is_none() {
            ctx.err(
                fi,
                format!("{p}.success"),
                "the success response has no status",
                "add `status:` (200, or 301 for the recording download)",
            );
        }
        match ix.result_code_tables.get(&op.result_codes) {
            None => ctx.err(
                fi,
                format!("{p}.result_codes"),
                format!("no result-code table {:?}", op.result_codes),
                "name a table under `result_code_tables:` by its number, e.g. \"4-5\"",
            ),
            Some(&(tf, ti)) => {
                let t = &ctx.files[tf].content.result_code_tables[ti];
                if t.operation != op.id {
                    let msg = format!(
                        "table {} belongs to operation {:?}, not {:?}",
                        t.table, t.operation, op.id
                    );
                    ctx.err(
                        fi,
                        format!("{p}.result_codes"),
                        msg,
                        "point each operation at its own result-code table",
                    );
                }
            }
        }
        // Path parameters appear in the path.
        if let Some(pp) = &op.path_params {
            if let Some(&(mf, mi)) = ix.messages.get(pp) {
                for fld in &ctx.files[mf].content.messages[mi].fields {
                    if !op.path.contains(&format!("{{{}}}", fld.name)) {
                        let msg = format!(
                            "path parameter {:?} does not appear in path {:?}",
                            fld.name, op.path
                        );
                        ctx.err(
                            fi,
                            format!("{p}.path"),
                            msg,
                            "write the parameter in the path as {name}",
                        );
                    }
                }
            }
        }
        errata_ok(ctx, p, &op.errata);
    }

    for (i, n) in c.notifications.iter().enumerate() {
        let p = format!("notifications[{i}]");
        if !ix.services.contains_key(&n.service) {
            ctx.err(
                fi,
                format!("{p}.service"),
                format!("no service {:?}", n.service),
                "use a service id listed under `services:`",
            );
        }
        if !ix.operations.contains_key(&n.origin) {
            ctx.err(
                fi,
                format!("{p}.origin"),
                format!("no operation {:?}", n.origin),
                "name the operation whose calls produce this push",
            );
        }
        if !ix.schemes.contains_key(&n.signing) {
            ctx.err(
                fi,
                format!("{p}.signing"),
                format!("no signing scheme {:?}", n.signing),
                "use `push` (spec/signing.yaml)",
            );
        }
        need_msg(ctx, format!("{p}.headers"), &n.headers);
        need_msg(ctx, format!("{p}.body"), &n.body);
        if let Some(b) = &n.reply.body {
            need_msg(ctx, format!("{p}.reply.body"), b);
        }
        if let Some(&(mf, mi)) = ix.messages.get(&n.body) {
            let body = &ctx.files[mf].content.messages[mi].clone();
            match body.fields.iter().find(|f| f.name == n.discriminator) {
                None => ctx.err(
                    fi,
                    format!("{p}.discriminator"),
                    format!("message {} has no field {:?}", body.name, n.discriminator),
                    "name the body field that holds the event type",
                ),
                Some(d) => {
                    let listed: BTreeSet<String> =
                        n.events.iter().map(|e| e.event_type.clone()).collect();
                    let allowed: BTreeSet<String> = d
                        .enum_values
                        .iter()
                        .filter_map(|e| match &e.value {
                            Scalar::Str(s) => Some(s.clone()),
                            Scalar::Int(_) => None,
                        })
                        .collect();
                    if listed != allowed {
                        ctx.err(
                            fi,
                            format!("{p}.events"),
                            format!(
                                "events {listed:?} differ from the values of {}.{}: {allowed:?}",
                                body.name, n.discriminator
                            ),
                            "list exactly one event per value of the discriminator's enum",
                        );
                    }
                }
            }
            for (j, ev) in n.events.iter().enumerate() {
                need_msg(ctx, format!("{p}.events[{j}].message"), &ev.message);
                match body.fields.iter().find(|f| f.name == ev.field) {
                    None => ctx.err(
                        fi,
                        format!("{p}.events[{j}].field"),
                        format!("message {} has no field {:?}", body.name, ev.field),
                        "name the body field that carries the event's details",
                    ),
                    Some(fd) => {
                        let item_ref = fd.item.as_ref().and_then(|it| it.reference.as_deref());
                        if fd.tagged_by.is_none()
                            && item_ref != Some(ev.message.as_str())
                            && fd.reference.as_deref() != Some(ev.message.as_str())
                        {
                            let msg = format!(
                                "field {} refers to {:?}, not to the event's message {:?}",
                                fd.name,
                                item_ref.or(fd.reference.as_deref()),
                                ev.message
                            );
                            ctx.err(fi, format!("{p}.events[{j}].message"), msg, "make the field's ref (or item.ref) and the event's message agree, or tag the field with `tagged_by`");
                        }
                    }
                }
            }
            if let Some(b) = &n.batching {
                let item = n
                    .events
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default();
                let has_key = ix
                    .messages
                    .get(&item)
                    .map(|&(mf, mi)| {
                        ctx.files[mf].content.messages[mi]
                            .fields
                            .iter()
                            .any(|f| f.name == b.merge_key)
                    })
                    .unwrap_or(true);
                if !has_key {
                    ctx.err(
                        fi,
                        format!("{p}.batching.merge_key"),
                        format!("{item} has no field {:?}", b.merge_key),
                        "name a field of the batched records",
                    );
                }
            }
        }
        errata_ok(ctx, p, &n.errata);
    }

    for (i, m) in c.messages.iter().enumerate() {
        check_message(ctx, ix, fi, i, m);
        errata_ok(ctx, format!("messages[{i}]"), &m.errata);
    }

    for (i, t) in c.result_code_tables.iter().enumerate() {
        let p = format!("result_code_tables[{i}]");
        if !ix.operations.contains_key(&t.operation) {
            ctx.err(
                fi,
                format!("{p}.operation"),
                format!("no operation {:?}", t.operation),
                "name the operation this table belongs to",
            );
        }
        let mut seen: BTreeMap<(u16, Option<String>), usize> = BTreeMap::new();
        for (j, r) in t.rows.iter().enumerate() {
            let rp = format!("{p}.rows[{j}]");
            if let Some(k) = seen.insert((r.status, r.code.clone()), j) {
                ctx.err(fi, rp.clone(), format!("duplicate row ({}, {}) in table {} (first at row {k})", r.status, r.code.as_deref().unwrap_or("-"), t.table), "a (status, code) pair appears once per table; merge the rows or correct the code");
            }
            if !(100..600).contains(&r.status) {
                ctx.err(
                    fi,
                    format!("{rp}.status"),
                    format!("{} is not an HTTP status", r.status),
                    "use the 响应码 column (200, 301, 400, 401, 403, 500)",
                );
            }
            if let Some(code) = &r.code {
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                    ctx.err(
                        fi,
                        format!("{rp}.code"),
                        format!("result code {code:?} is not a number"),
                        "result codes are digit strings; omit `code` where the table prints `-`",
                    );
                }
            }
            errata_ok(ctx, rp, &r.errata);
        }
    }

    for (i, t) in c.code_tables.iter().enumerate() {
        let p = format!("code_tables[{i}]");
        let mut seen = BTreeMap::new();
        for (j, r) in t.rows.iter().enumerate() {
            let rp = format!("{p}.rows[{j}]");
            match (r.code, r.range) {
                (Some(code), None) => {
                    if let Some(k) = seen.insert(code, j) {
                        ctx.err(
                            fi,
                            rp.clone(),
                            format!("duplicate code {code} in {} (first at row {k})", t.id),
                            "each code appears once per table",
                        );
                    }
                }
                (None, Some(range)) => {
                    if range.min > range.max {
                        ctx.err(
                            fi,
                            format!("{rp}.range"),
                            format!("range {}..{} is empty (min > max)", range.min, range.max),
                            "swap min and max",
                        );
                    }
                    if r.doc_code.is_none() {
                        ctx.err(
                            fi,
                            rp.clone(),
                            "a range row needs `doc_code`, the code column as printed",
                            "add doc_code: '400~699' (or as the table prints it)",
                        );
                    }
                }
                _ => ctx.err(
                    fi,
                    rp.clone(),
                    "a code row has exactly one of `code` and `range`",
                    "write `code: 7001`, or `range: {min: 400, max: 699}` with doc_code",
                ),
            }
            errata_ok(ctx, rp, &r.errata);
        }
    }

    for (i, s) in c.signing_schemes.iter().enumerate() {
        let p = format!("signing_schemes[{i}]");
        let mut refs: Vec<(String, &CodeRef)> = Vec::new();
        let a = &s.authorization;
        refs.extend(
            a.missing
                .iter()
                .map(|r| (format!("{p}.authorization.missing"), r)),
        );
        for (j, at) in a.attributes.iter().enumerate() {
            refs.extend(
                at.missing
                    .iter()
                    .map(|r| (format!("{p}.authorization.attributes[{j}].missing"), r)),
            );
            refs.extend(
                at.wrong
                    .iter()
                    .map(|r| (format!("{p}.authorization.attributes[{j}].wrong"), r)),
            );
        }
        let x = &s.x_aksk;
        refs.extend(x.missing.iter().map(|r| (format!("{p}.x_aksk.missing"), r)));
        refs.extend(
            x.token_missing
                .iter()
                .map(|r| (format!("{p}.x_aksk.token_missing"), r)),
        );
        for (j, at) in x.attributes.iter().enumerate() {
            refs.extend(
                at.missing
                    .iter()
                    .map(|r| (format!("{p}.x_aksk.attributes[{j}].missing"), r)),
            );
            if let Some(fmt) = &at.format {
                if !ix.formats.contains_key(fmt) {
                    ctx.err(
                        fi,
                        format!("{p}.x_aksk.attributes[{j}].format"),
                        format!("no format {fmt:?}"),
                        "name a format under `formats:` in spec/voicecall.yaml",
                    );
                }
            }
        }
        refs.extend(
            s.invalid_digest
                .iter()
                .map(|r| (format!("{p}.invalid_digest"), r)),
        );
        refs.extend(
            s.stale_created
                .iter()
                .map(|r| (format!("{p}.stale_created"), r)),
        );
        for (path, r) in refs {
            let found = ctx.files.iter().any(|f| {
                f.content.result_code_tables.iter().any(|t| {
                    t.rows
                        .iter()
                        .any(|row| row.status == r.status && row.code.as_deref() == Some(&r.code))
                })
            });
            if !found {
                ctx.err(
                    fi,
                    path,
                    format!(
                        "no result-code table has the row ({}, {})",
                        r.status, r.code
                    ),
                    "use a (status, code) pair that a result-code table lists",
                );
            }
        }
        errata_ok(ctx, p, &s.errata);
    }

    for (i, fm) in c.formats.iter().enumerate() {
        errata_ok(ctx, format!("formats[{i}]"), &fm.errata);
    }
    for (i, t) in c.doc_tables.iter().enumerate() {
        for (j, row) in t.rows.iter().enumerate() {
            if row.len() != t.columns.len() {
                let msg = format!(
                    "row has {} cells but the table has {} columns",
                    row.len(),
                    t.columns.len()
                );
                ctx.err(
                    fi,
                    format!("doc_tables[{i}].rows[{j}]"),
                    msg,
                    "give every row one cell per column (use '' for an empty cell)",
                );
            }
        }
        errata_ok(ctx, format!("doc_tables[{i}]"), &t.errata);
    }
    for (i, fx) in c.fixtures.iter().enumerate() {
        let p = format!("fixtures[{i}]");
        if !ix.operations.contains_key(&fx.of) && !ix.notifications.contains_key(&fx.of) {
            ctx.err(
                fi,
                format!("{p}.of"),
                format!("no operation or notification {:?}", fx.of),
                "name the operation or notification the example belongs to",
            );
        }
        if let Some(m) = &fx.message {
            need_msg(ctx, format!("{p}.message"), m);
        }
        if fx.repair == Repair::Reconstructed && fx.errata.is_empty() {
            ctx.err(
                fi,
                format!("{p}.repair"),
                "a reconstructed body needs an erratum saying what was garbled",
                "add `errata: [E…]` naming the erratum that records the original text",
            );
        }
        errata_ok(ctx, p, &fx.errata);
    }
}

fn check_message(ctx: &mut Ctx, ix: &Index, fi: usize, i: usize, m: &Message) {
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
            let found = ctx.files.iter().any(|f| {
                f.content.result_code_tables.iter().any(|t| {
                    t.rows
                        .iter()
                        .any(|row| row.status == cr.status && row.code.as_deref() == Some(&cr.code))
                })
            });
            if !found {
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
        let errs: Vec<String> = r
            .errata
            .iter()
            .filter(|e| !ix.errata.contains_key(*e))
            .cloned()
            .collect();
        for e in errs {
            ctx.err(
                fi,
                format!("{rp}.errata"),
                format!("no erratum has id {e:?}"),
                "add the erratum or correct the id",
            );
        }
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
    for (k, e) in f.errata.iter().enumerate() {
        if !ix.errata.contains_key(e) {
            ctx.err(
                fi,
                format!("{fp}.errata[{k}]"),
                format!("no erratum has id {e:?}"),
                "add the erratum to spec/errata.yaml or correct the id",
            );
        }
    }
}

fn check_fixture(ctx: &mut Ctx, spec: &Spec, fi: usize, i: usize, fx: &Fixture) {
    let p = format!("fixtures[{i}]");
    let Some(verbatim) = spec.aux.get(&fx.verbatim) else {
        ctx.err(
            fi,
            format!("{p}.verbatim"),
            format!("cannot read {}", fx.verbatim),
            "save the example's text under spec/ at this path",
        );
        return;
    };
    let mut found = Vec::new();
    if let Some(body_path) = &fx.body {
        let Some(body) = spec.aux.get(body_path) else {
            ctx.err(
                fi,
                format!("{p}.body"),
                format!("cannot read {body_path}"),
                "save the example's JSON body under spec/ at this path",
            );
            return;
        };
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => {
                ctx.err(
                    fi,
                    format!("{p}.body"),
                    format!("{body_path} is not JSON: {e}"),
                    "repair the JSON (and record what was repaired in an erratum)",
                );
                return;
            }
        };
        if fx.repair == Repair::LineBreaks {
            let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let from_brace = verbatim.find('{').map(|k| &verbatim[k..]).unwrap_or("");
            let pretty_compact = squash(&value.to_string());
            if squash(from_brace) != pretty_compact {
                ctx.err(fi, format!("{p}.body"), format!("{body_path} differs from the verbatim example beyond line breaks"), "make the JSON say exactly what the example says, or mark it `repair: reconstructed` with an erratum");
            }
        }
        match &fx.message {
            Some(m) => found.extend(
                spec.validate_json(m, &value)
                    .into_iter()
                    .map(|v| (v.path, v.rule, v.severity, v.detail)),
            ),
            None => ctx.err(
                fi,
                format!("{p}.message"),
                "a fixture with a body needs `message`",
                "name the message the body is an instance of",
            ),
        }
    }
    if !fx.headers.is_empty() {
        if let Some(hm) = fixture_header_message(spec, fx) {
            let hs: Vec<(String, String)> = fx
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            found.extend(
                spec.validate_headers(&hm, &hs)
                    .into_iter()
                    .map(|v| (v.path, v.rule, v.severity, v.detail)),
            );
        }
    }
    if !fx.query.is_empty() {
        match spec.operation(&fx.of).and_then(|o| o.query.clone()) {
            Some(qm) => {
                let obj: serde_json::Map<String, Value> = fx
                    .query
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                let mut vs = spec.validate_json(&qm, &Value::Object(obj));
                for v in &mut vs {
                    v.path = v.path.replacen("$.", "query:", 1);
                }
                found.extend(
                    vs.into_iter()
                        .map(|v| (v.path, v.rule, v.severity, v.detail)),
                );
            }
            None => ctx.err(
                fi,
                format!("{p}.query"),
                format!("{} has no query parameters", fx.of),
                "remove `query` or attach the example to the right operation",
            ),
        }
    }
    let got: BTreeSet<ExpectedViolation> = found
        .iter()
        .filter(|v| v.2 == Severity::Error || v.2 == Severity::Warning)
        .map(|v| ExpectedViolation {
            path: v.0.clone(),
            rule: v.1.clone(),
        })
        .collect();
    let want: BTreeSet<ExpectedViolation> = fx.expect_violations.iter().cloned().collect();
    for extra in got.difference(&want) {
        let detail = found
            .iter()
            .find(|v| v.0 == extra.path && v.1 == extra.rule)
            .map(|v| v.3.clone())
            .unwrap_or_default();
        ctx.err(fi, format!("{p}.id"), format!("example {} breaks a rule the fixture does not expect: {} [{}] {detail}", fx.id, extra.path, extra.rule), format!("if the example really breaks it, add `- {{path: '{}', rule: {}}}` under expect_violations with the erratum that explains it", extra.path, extra.rule));
    }
    for missing in want.difference(&got) {
        ctx.err(
            fi,
            format!("{p}.expect_violations"),
            format!(
                "example {} is expected to break {} [{}] but does not",
                fx.id, missing.path, missing.rule
            ),
            "remove the stale expectation",
        );
    }
}

/// The header message that applies to a fixture: the request headers of its operation
/// or the push headers of its notification (responses and replies are not checked).
fn fixture_header_message(spec: &Spec, fx: &Fixture) -> Option<String> {
    match fx.kind {
        FixtureKind::Request => spec.operation(&fx.of).map(|o| o.headers.clone()),
        FixtureKind::Push => spec.notification(&fx.of).map(|n| n.headers.clone()),
        FixtureKind::Response => spec
            .operation(&fx.of)
            .and_then(|o| o.success.headers.clone()),
        FixtureKind::Reply => None,
    }
}
