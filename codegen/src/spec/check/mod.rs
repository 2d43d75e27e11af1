//! Semantic checks: what serde cannot see. Duplicate names, dangling references,
//! inconsistent limits, defaults outside their enum, duplicate result-code rows,
//! signing vectors that do not verify, and examples that do not match their message.
//! Each problem is reported at the YAML node it concerns, with a fix.
//!
//! The checks are split by what they look at: [`refs`] (operations, notifications,
//! tables, schemes), [`fields`] (messages, fields and rules), [`fixtures`] (examples)
//! [`signing`] (known-answer vectors), [`codes`] (result-code names), [`errata`]
//! (decisions stated as data) and [`precedence`] (which check comes first).

mod codes;
mod errata;
mod fields;
mod fixtures;
mod precedence;
mod refs;
mod signing;

use std::collections::BTreeMap;

use super::diagnostic::{Located, SpecError, SpecErrors};
use super::load::{SourceFile, Spec};
use super::model::*;
use super::validate::CompiledFormat;

pub(crate) use signing::digest;

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
    /// A problem at the YAML value at `path`.
    fn err(
        &mut self,
        file: usize,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(file, path.into(), false, message.into(), help.into());
    }

    /// A problem at the key of the entry at `path` (the key itself is at fault).
    fn err_key(
        &mut self,
        file: usize,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(file, path.into(), true, message.into(), help.into());
    }

    fn push(&mut self, file: usize, path: String, at_key: bool, message: String, help: String) {
        self.problems.push(Located {
            file,
            path,
            at_key,
            message,
            label: "here".into(),
            help: Some(help),
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
                    // The schemas carry the pattern printed portably: it must print, and
                    // it must judge the examples as the pattern does.
                    for (key, pat) in [("pattern", Some(&x.pattern)), ("decoded_pattern", x.decoded_pattern.as_ref())] {
                        let Some(pat) = pat else { continue };
                        match crate::portable::portable(pat).map(|p| regex::Regex::new(&p.pattern).map(|r| (p, r))) {
                            Ok(Ok((p, printed))) => {
                                let original = regex::Regex::new(pat).ok();
                                for ex in x.examples.iter().chain(&x.counter_examples) {
                                    if key == "pattern" && original.as_ref().is_some_and(|o| o.is_match(ex) != printed.is_match(ex)) {
                                        ctx.err(fi, format!("formats[{i}].{key}"), format!("the portable form {:?} of format {:?} judges {ex:?} otherwise", p.pattern, x.id), "report this: the printer in codegen/src/portable.rs is wrong");
                                    }
                                }
                            }
                            Ok(Err(e)) => ctx.err(fi, format!("formats[{i}].{key}"), format!("the portable form of format {:?} does not compile: {e}", x.id), "simplify the pattern"),
                            Err(e) => ctx.err(fi, format!("formats[{i}].{key}"), format!("format {:?} cannot be written for JSON Schema: it uses {e}", x.id), "use classes and literals of the Basic Multilingual Plane, anchors and repetitions only"),
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
        refs::check_file(&mut ctx, &index, fi, f);
        errata::check_file(&mut ctx, &index, fi, f);
    }
    codes::check(&mut ctx, &files);
    precedence::check(&mut ctx, &index, &files);

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
            fixtures::check_fixture(&mut ctx, &spec, fi, i, fx);
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

/// Whether some result-code table lists the `(status, code)` pair.
fn code_exists(files: &[SourceFile], r: &CodeRef) -> bool {
    files.iter().any(|f| {
        f.content.result_code_tables.iter().any(|t| {
            t.rows
                .iter()
                .any(|row| row.status == r.status && row.code.as_deref() == Some(&r.code))
        })
    })
}

/// Reports every id of `list` that names no erratum; `path` is the owner of the list.
fn errata_exist(ctx: &mut Ctx, ix: &Index, fi: usize, path: &str, list: &[String]) {
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
}
