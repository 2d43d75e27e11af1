//! The public API of the generated `voicecall` crate, read off the IR that codegen
//! renders, and what a spec change does to it (the semver bump).
//!
//! Every item the templates emit from the IR is listed with its signature: types,
//! their public fields and variants, constructors and setters, result codes,
//! operations and client methods. Messages and value enums are exhaustive (every field
//! public), so a field or variant added to an existing one is a major change, as
//! cargo-semver-checks would rule; `ResultCode` and the push event enums are
//! `#[non_exhaustive]`, so a variant added to them is minor, as is a new type or
//! method. A test checks this list, exhaustiveness included, against the checked-in
//! generated code.

use std::collections::BTreeMap;

use super::change::{Audience, Change, Semver, Severity, Where};
use crate::ir::{self, Ir};
use crate::spec::Spec;

/// What in the spec an item comes from, to attach its change to the spec change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) message: Option<String>,
    pub(crate) field: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) operation: Option<String>,
}

/// One public item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// What it is (`struct`, `field`, `variant`, `fn`…).
    pub(crate) what: &'static str,
    /// Its type or signature; a change is a major change.
    pub(crate) sig: String,
    /// Whether adding it to its (exhaustive) parent breaks users: fields and variants.
    pub(crate) in_exhaustive: bool,
    pub(crate) origin: Origin,
}

/// Every public item generated from `spec`, by path (`callback::create_voice_callback::X.field`).
pub(crate) fn surface(spec: &Spec) -> BTreeMap<String, Item> {
    surface_of(&ir::build(spec))
}

fn surface_of(ir: &Ir) -> BTreeMap<String, Item> {
    let mut out = BTreeMap::new();
    let mut put =
        |path: String, what: &'static str, sig: String, in_exhaustive: bool, origin: Origin| {
            out.insert(
                path,
                Item {
                    what,
                    sig,
                    in_exhaustive,
                    origin,
                },
            );
        };
    let field_origin = |msg: &str, wire: &str| Origin {
        message: Some(msg.to_string()),
        field: Some(wire.to_string()),
        ..Origin::default()
    };
    for s in &ir.services {
        for m in &s.modules {
            let prefix = format!("{}::{}", s.ident, m.ident);
            // The field an enum was made for: its type names the enum.
            let enum_origin = |name: &str| {
                m.structs
                    .iter()
                    .flat_map(|st| st.fields.iter().map(move |f| (st, f)))
                    .find(|(_, f)| f.ty == name || f.ty == format!("Vec<{name}>"))
                    .map(|(st, f)| field_origin(&st.name, &f.wire))
                    .unwrap_or_default()
            };
            for e in &m.enums {
                let o = enum_origin(&e.name);
                let path = format!("{prefix}::{}", e.name);
                put(path.clone(), "enum", String::new(), false, o.clone());
                if e.single {
                    put(
                        format!("{path}::default"),
                        "fn",
                        format!("fn() -> Self ({})", e.variants[0].ident),
                        false,
                        o.clone(),
                    );
                }
                for v in &e.variants {
                    put(
                        format!("{path}::{}", v.ident),
                        "variant",
                        String::new(),
                        true,
                        o.clone(),
                    );
                }
                if !e.strict {
                    let inner = if e.int { "(i64)" } else { "(String)" };
                    put(
                        format!("{path}::Unknown"),
                        "variant",
                        inner.into(),
                        true,
                        o.clone(),
                    );
                }
            }
            for st in &m.structs {
                let path = format!("{prefix}::{}", st.name);
                let msg = Origin {
                    message: Some(st.name.clone()),
                    ..Origin::default()
                };
                put(path.clone(), "struct", String::new(), false, msg.clone());
                for f in &st.fields {
                    let ty = if f.optional {
                        format!("Option<{}>", f.ty)
                    } else {
                        f.ty.clone()
                    };
                    let o = field_origin(&st.name, &f.wire);
                    put(format!("{path}.{}", f.ident), "field", ty, true, o.clone());
                    if st.strict && f.optional {
                        put(
                            format!("{path}::with_{}", unraw(&f.ident)),
                            "fn",
                            format!("fn(self, {}) -> Self", f.param),
                            false,
                            o.clone(),
                        );
                    }
                    if st.has_builder && !f.fixed {
                        put(
                            format!("{path}Builder::{}", unraw(&f.ident)),
                            "fn",
                            format!("fn(self, {}) -> Self", f.param),
                            false,
                            o.clone(),
                        );
                    }
                    if f.base64 {
                        put(
                            format!("{path}::{}_plain", unraw(&f.ident)),
                            "fn",
                            "fn(&self) -> Option<String>".into(),
                            false,
                            o.clone(),
                        );
                    }
                }
                if st.keeps_unknown {
                    put(
                        format!("{path}.extra"),
                        "field",
                        "BTreeMap<String, Value>".into(),
                        true,
                        msg.clone(),
                    );
                }
                if st.has_builder {
                    put(
                        format!("{path}::builder"),
                        "fn",
                        format!("fn() -> {}Builder", st.name),
                        false,
                        msg.clone(),
                    );
                    put(
                        format!("{path}Builder"),
                        "struct",
                        String::new(),
                        false,
                        msg.clone(),
                    );
                    put(
                        format!("{path}Builder::build"),
                        "fn",
                        format!("fn(self) -> Result<{}, MissingFields>", st.name),
                        false,
                        msg.clone(),
                    );
                }
                if let Some(nf) = &st.new_field {
                    let param = st
                        .fields
                        .iter()
                        .find(|f| f.ident == nf.ident)
                        .map(|f| f.param.clone())
                        .unwrap_or_default();
                    put(
                        format!("{path}::new"),
                        "fn",
                        format!("fn({param}) -> Self"),
                        false,
                        msg.clone(),
                    );
                }
                if st.cdr.is_some() {
                    put(
                        format!("{path}::impl PushFields"),
                        "impl",
                        String::new(),
                        false,
                        msg.clone(),
                    );
                }
                for d in &st.defaults {
                    let wire = st
                        .fields
                        .iter()
                        .find(|f| f.ident == d.ident)
                        .map(|f| f.wire.clone())
                        .unwrap_or_default();
                    put(
                        format!("{path}::{}_or_default", unraw(&d.ident)),
                        "fn",
                        format!("fn(&self) -> {}", d.ty),
                        false,
                        field_origin(&st.name, &wire),
                    );
                }
            }
            for t in &m.tagged {
                let path = format!("{prefix}::{}", t.name);
                let o = Origin {
                    message: Some(t.name.clone()),
                    ..Origin::default()
                };
                put(path.clone(), "struct", String::new(), false, o.clone());
                put(
                    format!("{path}.event"),
                    "field",
                    format!("{}Kind", t.name),
                    true,
                    o.clone(),
                );
                put(
                    format!("{path}.extra"),
                    "field",
                    "BTreeMap<String, Value>".into(),
                    true,
                    o.clone(),
                );
                put(
                    format!("{path}::impl PushFields"),
                    "impl",
                    String::new(),
                    false,
                    o.clone(),
                );
                let kind = format!("{path}Kind");
                put(kind.clone(), "enum", String::new(), false, o.clone());
                for v in &t.variants {
                    put(
                        format!("{kind}::{}", v.ident),
                        "variant",
                        format!("(Option<{}>)", v.ty),
                        // The event enums are `#[non_exhaustive]`.
                        false,
                        o.clone(),
                    );
                }
                put(
                    format!("{kind}::Unknown"),
                    "variant",
                    format!(
                        "{{ event_type: String, {}: Option<Value> }}",
                        t.content_ident
                    ),
                    // The event enums are `#[non_exhaustive]`.
                    false,
                    o.clone(),
                );
            }
        }
    }
    put(
        "codes::ResultCode".into(),
        "enum",
        String::new(),
        false,
        Origin::default(),
    );
    put(
        "operations::Operation".into(),
        "enum",
        String::new(),
        false,
        Origin::default(),
    );
    for c in &ir.result_codes {
        let o = Origin {
            code: Some(c.code.clone()),
            ..Origin::default()
        };
        put(
            format!("codes::ResultCode::{}", c.ident),
            "variant",
            format!("{} {}", c.status, c.code),
            // `ResultCode` is `#[non_exhaustive]`: a new code is a minor change.
            false,
            o,
        );
    }
    for op in &ir.operations {
        let o = Origin {
            operation: Some(op.id.clone()),
            ..Origin::default()
        };
        put(
            format!("operations::Operation::{}", op.ident),
            "variant",
            String::new(),
            true,
            o.clone(),
        );
        if let (true, Some(req), Some(resp)) =
            (op.method == "POST", &op.request_ty, &op.response_ty)
        {
            put(
                format!("client::Client::{}", op.fn_name),
                "fn",
                format!("async fn(&self, &{req}) -> Result<{resp}, ClientError>"),
                false,
                o,
            );
        }
    }
    for f in &ir.formats {
        put(
            format!("formats::{}", f.ident),
            "static",
            "Format".into(),
            false,
            Origin::default(),
        );
    }
    for t in &ir.code_tables {
        put(
            format!("appendix::{}", t.ident),
            "mod",
            String::new(),
            false,
            Origin::default(),
        );
    }
    for s in &ir.schemes {
        put(
            format!("signing::{}", s.ident),
            "static",
            "Scheme".into(),
            false,
            Origin::default(),
        );
    }
    out
}

fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// One difference of the public API.
#[derive(Debug, Clone)]
pub(crate) struct ApiChange {
    pub(crate) path: String,
    pub(crate) kind: &'static str,
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
    pub(crate) semver: Semver,
    pub(crate) origin: Origin,
    pub(crate) text: String,
}

/// The API differences between the crate generated from `base` and from `head`.
pub(crate) fn diff(base: &Spec, head: &Spec) -> Vec<ApiChange> {
    compare(&surface(base), &surface(head))
}

fn compare(a: &BTreeMap<String, Item>, b: &BTreeMap<String, Item>) -> Vec<ApiChange> {
    let mut out = Vec::new();
    let shown = |path: &str, i: &Item| {
        if i.sig.is_empty() {
            format!("{} `{path}`", i.what)
        } else {
            format!("{} `{path}`: {}", i.what, i.sig)
        }
    };
    for (path, x) in a {
        match b.get(path) {
            None => out.push(ApiChange {
                path: path.clone(),
                kind: "rust-api-removed",
                before: Some(x.sig.clone()),
                after: None,
                semver: Semver::Major,
                origin: x.origin.clone(),
                text: format!("{} removed", shown(path, x)),
            }),
            Some(y) if y.sig != x.sig || y.what != x.what => out.push(ApiChange {
                path: path.clone(),
                kind: "rust-api-changed",
                before: Some(x.sig.clone()),
                after: Some(y.sig.clone()),
                semver: Semver::Major,
                origin: y.origin.clone(),
                text: format!("{} `{path}` changes: {} → {}", y.what, x.sig, y.sig),
            }),
            Some(_) => {}
        }
    }
    for (path, y) in b {
        if a.contains_key(path) {
            continue;
        }
        // A field or variant of a type that already existed breaks struct literals and
        // exhaustive matches; an item of a new type, or a new type or method, does not.
        let parent = path
            .rsplit_once(['.', ':'])
            .map(|(p, _)| p.trim_end_matches(':'));
        let parent_existed = parent.is_some_and(|p| a.contains_key(p));
        let semver = if y.in_exhaustive && parent_existed {
            Semver::Major
        } else {
            Semver::Minor
        };
        let why = if semver == Semver::Major {
            " to an exhaustive type (breaks struct literals or exhaustive matches)"
        } else {
            ""
        };
        out.push(ApiChange {
            path: path.clone(),
            kind: "rust-api-added",
            before: None,
            after: Some(y.sig.clone()),
            semver,
            origin: y.origin.clone(),
            text: format!("{} added{why}", shown(path, y)),
        });
    }
    out
}

/// Attaches each API change to the spec change it comes from (same message and field,
/// result code or operation); the rest become changes of their own.
pub(crate) fn merge(changes: &mut Vec<Change>, api: Vec<ApiChange>) {
    let mut own = Vec::new();
    for a in api {
        let o = &a.origin;
        let matches = |c: &Change| {
            let p = &c.place;
            if o.field.is_some() {
                p.message == o.message && p.field == o.field
            } else if o.code.is_some() {
                p.code == o.code && c.kind.starts_with("code-")
            } else if o.message.is_some() {
                p.message == o.message && p.field.is_none()
            } else if o.operation.is_some() {
                p.operation == o.operation
                    && p.message.is_none()
                    && c.kind.starts_with("operation-")
            } else {
                false
            }
        };
        // The most severe matching change carries it; an item of a whole message (its
        // constructor) goes to the message's own change, else to any change in the message.
        let loose =
            |c: &Change| o.field.is_none() && o.message.is_some() && c.place.message == o.message;
        let best = |pred: &dyn Fn(&Change) -> bool, changes: &[Change]| {
            changes
                .iter()
                .enumerate()
                .filter(|(_, c)| pred(c))
                .min_by_key(|(_, c)| c.severity)
                .map(|(i, _)| i)
        };
        let target = best(&matches, changes)
            .or_else(|| best(&loose, changes))
            .map(|i| &mut changes[i]);
        match target {
            Some(c) => attach(c, &a),
            None => own.push(a),
        }
    }
    for a in own {
        let o = &a.origin;
        let mut c = Change {
            id: format!("{}:{}", a.kind, a.path),
            kind: a.kind.to_string(),
            severity: Severity::Info,
            audiences: Vec::new(),
            place: Where {
                operation: o.operation.clone().or_else(|| Some("rust-api".into())),
                message: o.message.clone(),
                field: o.field.clone(),
                code: o.code.clone(),
                ..Where::default()
            },
            before: a.before.clone().filter(|s| !s.is_empty()),
            after: a.after.clone().filter(|s| !s.is_empty()),
            doc: None,
            text: String::new(),
            rust: None,
            semver: Semver::None,
            accepted: None,
        };
        attach(&mut c, &a);
        c.text = a.text.clone();
        c.rust = None;
        changes.push(c);
    }
}

fn attach(c: &mut Change, a: &ApiChange) {
    let line = format!("{} ({})", a.text, a.semver.as_str());
    c.rust = Some(match c.rust.take() {
        Some(r) => format!("{r}; {line}"),
        None => line,
    });
    c.semver = c.semver.max(a.semver);
    if a.semver == Semver::Major {
        c.severity = Severity::Breaking;
        c.add_audiences([Audience::RustApi]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field and variant listed here is in the checked-in generated code, and
    /// every public field and variant there is listed: the surface is what codegen emits.
    #[test]
    fn surface_matches_the_generated_code() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let spec = crate::spec::load_dir(&root.join("spec")).expect("spec loads");
        let listed = surface(&spec);
        let mut found = std::collections::BTreeSet::new();
        let gen = root.join("generated/src/gen");
        for s in ["callback", "notification", "verification"] {
            for entry in std::fs::read_dir(gen.join(s)).unwrap() {
                let path = entry.unwrap().path();
                let stem = path.file_stem().unwrap().to_string_lossy().to_string();
                if stem == "mod" {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let file = syn::parse_file(&text).unwrap();
                for item in file.items {
                    match item {
                        syn::Item::Struct(st) if matches!(st.vis, syn::Visibility::Public(_)) => {
                            assert!(
                                !st.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")),
                                "api.rs assumes exhaustive structs; {} is not",
                                st.ident
                            );
                            let p = format!("{s}::{stem}::{}", st.ident);
                            found.insert(p.clone());
                            for f in st
                                .fields
                                .iter()
                                .filter(|f| matches!(f.vis, syn::Visibility::Public(_)))
                            {
                                found.insert(format!("{p}.{}", f.ident.as_ref().unwrap()));
                            }
                        }
                        syn::Item::Enum(e) if matches!(e.vis, syn::Visibility::Public(_)) => {
                            let open = e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
                            let p = format!("{s}::{stem}::{}", e.ident);
                            found.insert(p.clone());
                            for v in &e.variants {
                                let vp = format!("{p}::{}", v.ident);
                                if let Some(item) = listed.get(&vp) {
                                    assert_eq!(
                                        item.in_exhaustive, !open,
                                        "api.rs says {vp} is in an exhaustive enum: {}, the code: {}",
                                        item.in_exhaustive, !open
                                    );
                                }
                                found.insert(vp);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        // `ResultCode`: every variant listed, none as in an exhaustive enum if the enum
        // is `#[non_exhaustive]`.
        let codes =
            syn::parse_file(&std::fs::read_to_string(gen.join("codes.rs")).unwrap()).unwrap();
        for item in codes.items {
            if let syn::Item::Enum(e) = item {
                if e.ident != "ResultCode" {
                    continue;
                }
                let open = e.attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
                for v in &e.variants {
                    let vp = format!("codes::ResultCode::{}", v.ident);
                    let item = listed
                        .get(&vp)
                        .unwrap_or_else(|| panic!("{vp} not in the surface"));
                    assert_eq!(item.in_exhaustive, !open, "{vp}");
                }
                assert_eq!(
                    e.variants.len(),
                    listed
                        .keys()
                        .filter(|p| p.starts_with("codes::ResultCode::"))
                        .count()
                );
            }
        }
        let listed_types: std::collections::BTreeSet<String> = listed
            .iter()
            .filter(|(_, i)| matches!(i.what, "struct" | "enum" | "field" | "variant"))
            .map(|(p, _)| p.clone())
            .filter(|p| {
                p.contains("::") && !p.starts_with("codes::") && !p.starts_with("operations::")
            })
            .collect();
        let missing: Vec<_> = found.difference(&listed_types).collect();
        let extra: Vec<_> = listed_types.difference(&found).collect();
        assert!(
            missing.is_empty(),
            "generated but not in the surface: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "in the surface but not generated: {extra:?}"
        );
        assert!(listed_types.len() > 300, "{}", listed_types.len());
    }
}
