//! Messages (parameter tables), their fields and their rules.

use std::collections::BTreeMap;

use super::change::{Severity, Where};
use super::roles::{Dir, Flow, Use};
use super::{pair_by, show, Differ, Draft};
use crate::spec::model::{Field, FieldType, Format, LengthUnit, Location, Message, Rule, Scalar};

/// The place, doc reference and uses of one field, for every change found in it.
struct FieldCtx {
    place: Where,
    doc: String,
    uses: Vec<Use>,
    locator: String,
}

impl FieldCtx {
    fn draft(&self, kind: &str) -> Draft {
        Draft::new(kind, &self.locator, self.place.clone()).doc(&self.doc)
    }

    /// A change moving `dir`, judged by the field's uses.
    fn directed(&self, kind: &str, dir: Dir, text: String) -> Draft {
        self.draft(kind)
            .judged(&self.uses, dir, Severity::Breaking)
            .text(text)
    }
}

impl Differ<'_> {
    pub(super) fn messages(&mut self) {
        let old: Vec<&Message> = self.base.all(|c| &c.messages).collect();
        let new: Vec<&Message> = self.head.all(|c| &c.messages).collect();
        let (both, removed, added) = pair_by(&old, &new, |m| m.name.clone());
        for m in removed {
            let uses = self.uses_of(&m.name);
            let place = self.msg_place(&m.name, &m.table);
            let doc = self.msg_doc(&m.name, &m.table);
            let d = Draft::new("message-removed", &m.name, place)
                .doc(doc)
                .judged(&uses, Dir::Either, Severity::Breaking)
                .values(Some(m.name.clone()), None)
                .text(format!("message `{}` (表{}) removed", m.name, m.table));
            self.push(d);
        }
        for m in added {
            let place = self.msg_place(&m.name, &m.table);
            let doc = self.msg_doc(&m.name, &m.table);
            let d = Draft::new("message-added", &m.name, place)
                .doc(doc)
                .values(None, Some(m.name.clone()))
                .text(format!(
                    "message `{}` (表{} {}) added with {} field(s)",
                    m.name,
                    m.table,
                    m.title,
                    m.fields.len()
                ));
            self.push(d);
        }
        for (a, b) in both {
            self.message(a, b);
        }
    }

    fn message(&mut self, a: &Message, b: &Message) {
        let uses = self.uses_of(&b.name);
        let place = self.msg_place(&b.name, &b.table);
        let doc = self.msg_doc(&b.name, &b.table);
        let draft = |kind: &str| Draft::new(kind, &b.name, place.clone()).doc(doc.clone());
        if a.table != b.table {
            let d = draft("message-table")
                .values(Some(a.table.clone()), Some(b.table.clone()))
                .text(format!(
                    "doc reference of `{}`: 表{} → 表{}",
                    b.name, a.table, b.table
                ));
            self.push(d);
        }
        if a.title != b.title {
            let d = draft("message-title")
                .values(Some(a.title.clone()), Some(b.title.clone()))
                .text(format!("table title of `{}` changed", b.name));
            self.push(d);
        }
        if a.location != b.location {
            let d = draft("message-location")
                .judged(&uses, Dir::Either, Severity::Breaking)
                .values(Some(location(a.location)), Some(location(b.location)))
                .text(format!(
                    "`{}` moves from the {} to the {}",
                    b.name,
                    location(a.location),
                    location(b.location)
                ));
            self.push(d);
        }
        if a.errata != b.errata {
            let d = draft("message-errata")
                .values(Some(a.errata.join(", ")), Some(b.errata.join(", ")))
                .text(format!("errata of `{}` changed", b.name));
            self.push(d);
        }
        self.fields(a, b, &uses, &place, &doc);
        self.rules(a, b, &uses, &place, &doc);
    }

    fn field_ctx(&self, msg: &Message, f: &Field, uses: &[Use], place: &Where) -> FieldCtx {
        let row = f.doc_name.as_deref().unwrap_or(&f.name);
        FieldCtx {
            place: Where {
                field: Some(f.name.clone()),
                ..place.clone()
            },
            doc: format!("{} {row}", self.msg_doc(&msg.name, &msg.table)),
            uses: uses.to_vec(),
            locator: format!("{}.{}", msg.name, f.name),
        }
    }

    fn fields(&mut self, a: &Message, b: &Message, uses: &[Use], place: &Where, doc: &str) {
        let (both, removed, added) = pair_by(&a.fields, &b.fields, |f| f.name.clone());
        // A field removed and another of the same shape added in one message: a rename?
        let mut added: Vec<&Field> = added;
        let mut removed_left = Vec::new();
        for r in removed {
            match added.iter().position(|n| same_shape(r, n)) {
                Some(i) => {
                    let n = added.remove(i);
                    let ctx = self.field_ctx(b, n, uses, place);
                    let d = Draft::new(
                        "field-renamed",
                        &format!("{}.{}", b.name, r.name),
                        ctx.place.clone(),
                    )
                    .doc(&ctx.doc)
                    .judged(uses, Dir::Either, Severity::Breaking)
                    .values(Some(r.name.clone()), Some(n.name.clone()))
                    .text(format!(
                        "`{}` removed and `{}` of the same type added: possibly renamed",
                        r.name, n.name
                    ));
                    self.push(d);
                    self.field(b, r, n, &ctx);
                }
                None => removed_left.push(r),
            }
        }
        for r in removed_left {
            let ctx = self.field_ctx(a, r, uses, place);
            // Senders of the field are now refused (unknown field); readers lose it,
            // which breaks them when it was always there.
            let mut hit = Vec::new();
            let mut severity = Severity::Info;
            for u in uses {
                let s = match u.flow {
                    Flow::Sent => Severity::Breaking,
                    Flow::Received if r.required => Severity::Breaking,
                    Flow::Received => Severity::Warning,
                };
                severity = severity.min(s);
                hit.push(u.audience);
            }
            let d = ctx
                .draft("field-removed")
                .severity(severity, hit)
                .values(Some(r.name.clone()), None)
                .text(format!(
                    "{} field `{}` ({}) removed",
                    if r.required { "required" } else { "optional" },
                    r.name,
                    r.doc_type
                ));
            self.push(d);
        }
        for n in added {
            let ctx = self.field_ctx(b, n, uses, place);
            let mut hit = Vec::new();
            let mut severity = Severity::Info;
            for u in uses {
                let s = match u.flow {
                    Flow::Sent if n.required => Severity::Breaking,
                    Flow::Sent => continue,
                    // Readers built on the base see an unknown field.
                    Flow::Received => Severity::Warning,
                };
                severity = severity.min(s);
                hit.push(u.audience);
            }
            let d = ctx
                .draft("field-added")
                .severity(severity, hit)
                .values(None, Some(n.name.clone()))
                .text(format!(
                    "{} field `{}` ({}) added",
                    if n.required { "required" } else { "optional" },
                    n.name,
                    n.doc_type
                ));
            self.push(d);
        }
        let _ = doc;
        for (x, y) in both {
            let ctx = self.field_ctx(b, y, uses, place);
            self.field(b, x, y, &ctx);
        }
    }

    /// Every attribute of one field.
    fn field(&mut self, msg: &Message, a: &Field, b: &Field, ctx: &FieldCtx) {
        let name = &b.name;
        if a.ty != b.ty {
            let d = ctx
                .directed(
                    "field-type",
                    Dir::Either,
                    format!("`{name}` changes JSON type"),
                )
                .values(Some(ty(a.ty)), Some(ty(b.ty)));
            self.push(d);
        }
        if a.required != b.required {
            let (dir, text) = if b.required {
                (Dir::Tighten, format!("`{name}` becomes required"))
            } else {
                (
                    Dir::Loosen,
                    format!("`{name}` becomes optional (no longer always present)"),
                )
            };
            let d = ctx
                .directed("field-required", dir, text)
                .values(Some(a.required.to_string()), Some(b.required.to_string()));
            self.push(d);
        }
        let len = |f: &Field| {
            f.length
                .map(|l| (l.min as i128, l.max as i128, Some(l.unit)))
        };
        self.bounds(ctx, "length", "field-length", len(a), len(b));
        let range = |f: &Field| f.range.map(|r| (r.min as i128, r.max as i128, None));
        self.bounds(ctx, "range", "field-range", range(a), range(b));
        let items = |f: &Field| f.items.map(|c| (c.min as i128, c.max as i128, None));
        self.bounds(ctx, "item count", "field-items", items(a), items(b));
        self.item(ctx, a, b);
        self.enums(ctx, a, b);
        self.format_change(ctx, "field-format", &a.format, &b.format);
        if a.default != b.default {
            let d = ctx
                .draft("field-default")
                .judged(&ctx.uses, Dir::Either, Severity::Warning)
                .values(a.default.as_ref().map(show), b.default.as_ref().map(show))
                .text(format!(
                    "default of `{name}` changes: an absent `{name}` now means something else"
                ));
            self.push(d);
        }
        if a.reference != b.reference || a.tagged_by != b.tagged_by {
            let d = ctx
                .directed(
                    "field-ref",
                    Dir::Either,
                    format!("`{name}` now holds another message"),
                )
                .values(
                    a.reference.clone().or(a.tagged_by.clone()),
                    b.reference.clone().or(b.tagged_by.clone()),
                );
            self.push(d);
        }
        if a.code_table != b.code_table {
            let d = ctx
                .draft("field-code-table")
                .judged(&ctx.uses, Dir::Either, Severity::Warning)
                .values(a.code_table.clone(), b.code_table.clone())
                .text(format!(
                    "`{name}` takes its codes from another appendix table"
                ));
            self.push(d);
        }
        let texts: [(&str, &str, Option<&String>, Option<&String>); 4] = [
            (
                "field-doc-type",
                "参数类型 as printed",
                Some(&a.doc_type),
                Some(&b.doc_type),
            ),
            (
                "field-doc-default",
                "默认值 as printed",
                a.doc_default.as_ref(),
                b.doc_default.as_ref(),
            ),
            (
                "field-doc-name",
                "name as printed",
                a.doc_name.as_ref(),
                b.doc_name.as_ref(),
            ),
            (
                "field-description",
                "description",
                Some(&a.description),
                Some(&b.description),
            ),
        ];
        for (kind, what, x, y) in texts {
            if x != y {
                let d = ctx
                    .draft(kind)
                    .values(x.cloned(), y.cloned())
                    .text(format!("{what} of `{name}` changed"));
                self.push(d);
            }
        }
        if a.zh != b.zh {
            let d = ctx
                .draft("field-zh")
                .values(Some(a.zh.clone()), Some(b.zh.clone()))
                .text(format!(
                    "the reference's description (说明) of `{name}` changed"
                ));
            self.push(d);
        }
        if a.errata != b.errata {
            let d = ctx
                .draft("field-errata")
                .values(Some(a.errata.join(", ")), Some(b.errata.join(", ")))
                .text(format!("errata of `{name}` changed"));
            self.push(d);
        }
        let _ = msg;
    }

    /// The item type of an array: its JSON type, message, length and format.
    fn item(&mut self, ctx: &FieldCtx, a: &Field, b: &Field) {
        let (x, y) = (a.item.as_ref(), b.item.as_ref());
        let shape = |i: Option<&crate::spec::model::Item>| {
            i.map(|i| {
                format!(
                    "{}{}",
                    ty(i.ty),
                    i.reference
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default()
                )
            })
        };
        if shape(x) != shape(y) {
            let d = ctx
                .directed(
                    "field-item-type",
                    Dir::Either,
                    format!("items of `{}` change type", b.name),
                )
                .values(shape(x), shape(y));
            self.push(d);
        }
        let len = |i: Option<&crate::spec::model::Item>| {
            i.and_then(|i| i.length)
                .map(|l| (l.min as i128, l.max as i128, Some(l.unit)))
        };
        self.bounds(ctx, "item length", "field-item-length", len(x), len(y));
        let (fx, fy) = (
            x.and_then(|i| i.format.clone()),
            y.and_then(|i| i.format.clone()),
        );
        self.format_change(ctx, "field-item-format", &fx, &fy);
    }

    /// A min/max bound (length, range, item count) with an optional unit.
    fn bounds(
        &mut self,
        ctx: &FieldCtx,
        what: &str,
        kind: &str,
        a: Option<(i128, i128, Option<LengthUnit>)>,
        b: Option<(i128, i128, Option<LengthUnit>)>,
    ) {
        let name = &ctx.place.field.clone().unwrap_or_default();
        let fmt = |v: (i128, i128, Option<LengthUnit>)| {
            format!(
                "{}..={}{}",
                v.0,
                v.1,
                v.2.map(unit).map(|u| format!(" {u}")).unwrap_or_default()
            )
        };
        match (a, b) {
            (None, None) => {}
            (None, Some(y)) => {
                let d = ctx
                    .directed(kind, Dir::Tighten, format!("`{name}` gets a {what} limit"))
                    .values(None, Some(fmt(y)));
                self.push(d);
            }
            (Some(x), None) => {
                let d = ctx
                    .directed(
                        kind,
                        Dir::Loosen,
                        format!("`{name}` loses its {what} limit"),
                    )
                    .values(Some(fmt(x)), None);
                self.push(d);
            }
            (Some(x), Some(y)) => {
                let u =
                    x.2.or(y.2)
                        .map(unit)
                        .map(|u| format!(" {u}"))
                        .unwrap_or_default();
                if x.1 != y.1 {
                    let dir = if y.1 < x.1 { Dir::Tighten } else { Dir::Loosen };
                    let verb = if y.1 < x.1 { "lowered" } else { "raised" };
                    let d = ctx
                        .directed(
                            &format!("{kind}-max"),
                            dir,
                            format!("{what} max of `{name}` {verb}"),
                        )
                        .values(Some(format!("{}{u}", x.1)), Some(format!("{}{u}", y.1)));
                    self.push(d);
                }
                if x.0 != y.0 {
                    let dir = if y.0 > x.0 { Dir::Tighten } else { Dir::Loosen };
                    let verb = if y.0 > x.0 { "raised" } else { "lowered" };
                    let d = ctx
                        .directed(
                            &format!("{kind}-min"),
                            dir,
                            format!("{what} min of `{name}` {verb}"),
                        )
                        .values(Some(format!("{}{u}", x.0)), Some(format!("{}{u}", y.0)));
                    self.push(d);
                }
                if let (Some(ux), Some(uy)) = (x.2, y.2) {
                    if ux != uy {
                        // The same number of bytes allows fewer multi-byte characters.
                        let dir = if uy == LengthUnit::Bytes {
                            Dir::Tighten
                        } else {
                            Dir::Loosen
                        };
                        let d = ctx
                            .directed(
                                &format!("{kind}-unit"),
                                dir,
                                format!(
                                    "{what} of `{name}` counted in {} instead of {}",
                                    unit(uy),
                                    unit(ux)
                                ),
                            )
                            .values(Some(unit(ux).into()), Some(unit(uy).into()));
                        self.push(d);
                    }
                }
            }
        }
    }

    fn enums(&mut self, ctx: &FieldCtx, a: &Field, b: &Field) {
        let name = ctx.place.field.clone().unwrap_or_default();
        let list = |f: &Field| {
            f.enum_values
                .iter()
                .map(|e| show(&e.value))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (a.enum_values.is_empty(), b.enum_values.is_empty()) {
            (true, true) => return,
            (true, false) => {
                let d = ctx
                    .directed(
                        "field-enum",
                        Dir::Tighten,
                        format!("`{name}` becomes an enumeration"),
                    )
                    .values(None, Some(list(b)));
                self.push(d);
                return;
            }
            (false, true) => {
                let d = ctx
                    .directed(
                        "field-enum",
                        Dir::Loosen,
                        format!("`{name}` is no longer an enumeration"),
                    )
                    .values(Some(list(a)), None);
                self.push(d);
                return;
            }
            (false, false) => {}
        }
        let (both, removed, added) = pair_by(&a.enum_values, &b.enum_values, |e| e.value.clone());
        for r in removed {
            let d = Draft::new(
                "field-enum-value-removed",
                &format!("{}={}", ctx.locator, plain(&r.value)),
                ctx.place.clone(),
            )
            .doc(&ctx.doc)
            .judged(&ctx.uses, Dir::Tighten, Severity::Breaking)
            .values(Some(show(&r.value)), None)
            .text(format!(
                "value {} ({}) of `{name}` removed",
                show(&r.value),
                r.meaning
            ));
            self.push(d);
        }
        for n in added {
            let d = Draft::new(
                "field-enum-value-added",
                &format!("{}={}", ctx.locator, plain(&n.value)),
                ctx.place.clone(),
            )
            .doc(&ctx.doc)
            .judged(&ctx.uses, Dir::Loosen, Severity::Breaking)
            .values(None, Some(show(&n.value)))
            .text(format!(
                "value {} ({}) of `{name}` added",
                show(&n.value),
                n.meaning
            ));
            self.push(d);
        }
        for (x, y) in both {
            if x.meaning != y.meaning {
                let d = Draft::new(
                    "field-enum-meaning",
                    &format!("{}={}", ctx.locator, plain(&y.value)),
                    ctx.place.clone(),
                )
                .doc(&ctx.doc)
                .judged(&ctx.uses, Dir::Either, Severity::Warning)
                .values(Some(x.meaning.clone()), Some(y.meaning.clone()))
                .text(format!(
                    "meaning of value {} of `{name}` changed",
                    show(&y.value)
                ));
                self.push(d);
            }
        }
    }

    /// A field's (or its items') format: added, removed, or another one.
    fn format_change(
        &mut self,
        ctx: &FieldCtx,
        kind: &str,
        a: &Option<String>,
        b: &Option<String>,
    ) {
        let name = ctx.place.field.clone().unwrap_or_default();
        let (dir, severity, text) = match (a, b) {
            (x, y) if x == y => return,
            (None, Some(y)) => (
                Dir::Tighten,
                Severity::Breaking,
                format!("`{name}` must now have format `{y}`"),
            ),
            (Some(x), None) => (
                Dir::Loosen,
                Severity::Breaking,
                format!("`{name}` no longer needs format `{x}`"),
            ),
            (Some(x), Some(y)) => {
                let fa = self.base.all(|c| &c.formats).find(|f| &f.id == x);
                let fb = self.head.all(|c| &c.formats).find(|f| &f.id == y);
                match fa.zip(fb).map(|(fa, fb)| compare_patterns(fa, fb)) {
                    Some(Some(Dir::Tighten)) => (Dir::Tighten, Severity::Breaking, format!("format of `{name}` narrowed: `{x}` → `{y}`")),
                    Some(Some(Dir::Loosen)) => (Dir::Loosen, Severity::Breaking, format!("format of `{name}` widened: `{x}` → `{y}`")),
                    Some(Some(Dir::Either)) => (Dir::Either, Severity::Breaking, format!("format of `{name}` changed both ways: `{x}` → `{y}`")),
                    _ => (Dir::Either, Severity::Warning, format!("format of `{name}` changed: `{x}` → `{y}` (their examples do not tell wider from narrower)")),
                }
            }
            _ => return,
        };
        let d = ctx
            .draft(kind)
            .judged(&ctx.uses, dir, severity)
            .values(a.clone(), b.clone())
            .text(text);
        self.push(d);
    }

    fn rules(&mut self, a: &Message, b: &Message, uses: &[Use], place: &Where, doc: &str) {
        let (both, removed, added) = pair_by(&a.rules, &b.rules, |r| r.id.clone());
        let draft = |kind: &str, r: &Rule| {
            Draft::new(kind, &format!("{}#{}", b.name, r.id), place.clone()).doc(rule_doc(doc, r))
        };
        for r in removed {
            let d = draft("rule-removed", r)
                .judged(uses, Dir::Loosen, Severity::Breaking)
                .values(Some(r.description.clone()), None)
                .text(format!("rule `{}` removed: {}", r.id, r.description));
            self.push(d);
        }
        for n in added {
            let d = draft("rule-added", n)
                .judged(uses, Dir::Tighten, Severity::Breaking)
                .values(None, Some(n.description.clone()))
                .text(format!("rule `{}` added: {}", n.id, n.description));
            self.push(d);
        }
        for (x, y) in both {
            if logic(x) != logic(y) {
                let d = draft("rule-changed", y)
                    .judged(uses, Dir::Either, Severity::Warning)
                    .values(Some(logic(x)), Some(logic(y)))
                    .text(format!("rule `{}` changed: {}", y.id, y.description));
                self.push(d);
            }
            if x.description != y.description
                || x.zh != y.zh
                || x.doc != y.doc
                || x.errata != y.errata
            {
                let d = draft("rule-text", y)
                    .values(Some(x.description.clone()), Some(y.description.clone()))
                    .text(format!(
                        "wording, doc reference or errata of rule `{}` changed",
                        y.id
                    ));
                self.push(d);
            }
        }
    }
}

/// Same JSON type, message and item type: a removed and an added field that may be one renamed.
fn same_shape(a: &Field, b: &Field) -> bool {
    a.ty == b.ty
        && a.reference == b.reference
        && a.item.as_ref().map(|i| (i.ty, i.reference.clone()))
            == b.item.as_ref().map(|i| (i.ty, i.reference.clone()))
}

/// What a rule does, in one comparable line.
fn logic(r: &Rule) -> String {
    let when = r
        .when
        .as_ref()
        .map(|c| {
            format!(
                " when {}{} {:?}{}",
                c.message
                    .as_deref()
                    .map(|m| format!("{m}."))
                    .unwrap_or_default(),
                c.field,
                c.op,
                c.value
                    .as_ref()
                    .map(|v| format!(" {}", show(v)))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let code = r
        .on_violation
        .as_ref()
        .map(|c| format!(" → {}/{}", c.status, c.code))
        .unwrap_or_default();
    format!(
        "{:?} [{}]{when}: {:?}{code}",
        r.kind,
        r.fields.join(", "),
        r.effect
    )
}

fn rule_doc(doc: &str, r: &Rule) -> String {
    if r.doc.table.is_some() {
        r.doc.to_string()
    } else {
        doc.to_string()
    }
}

/// Whether `b`'s patterns allow fewer (`Tighten`), more (`Loosen`) or different
/// (`Either`) values than `a`'s, judged on both formats' examples and counter-examples;
/// `None` when no sample tells them apart.
pub(super) fn compare_patterns(a: &Format, b: &Format) -> Option<Dir> {
    let (Ok(ra), Ok(rb)) = (regex::Regex::new(&a.pattern), regex::Regex::new(&b.pattern)) else {
        return Some(Dir::Either);
    };
    let samples: BTreeMap<&str, ()> = [a, b]
        .iter()
        .flat_map(|f| f.examples.iter().chain(&f.counter_examples))
        .map(|s| (s.as_str(), ()))
        .collect();
    let (mut lost, mut gained) = (false, false);
    for s in samples.keys() {
        match (ra.is_match(s), rb.is_match(s)) {
            (true, false) => lost = true,
            (false, true) => gained = true,
            _ => {}
        }
    }
    match (lost, gained) {
        (true, true) => Some(Dir::Either),
        (true, false) => Some(Dir::Tighten),
        (false, true) => Some(Dir::Loosen),
        (false, false) => None,
    }
}

fn ty(t: FieldType) -> String {
    match t {
        FieldType::String => "string",
        FieldType::Integer => "integer",
        FieldType::Object => "object",
        FieldType::Array => "array",
    }
    .into()
}

fn unit(u: LengthUnit) -> &'static str {
    match u {
        LengthUnit::Chars => "chars",
        LengthUnit::Bytes => "bytes",
    }
}

fn location(l: Location) -> String {
    match l {
        Location::Header => "headers",
        Location::Query => "query",
        Location::Path => "path",
        Location::Body => "body",
    }
    .into()
}

/// A scalar without quotes, for change ids.
fn plain(v: &Scalar) -> String {
    match v {
        Scalar::Int(i) => i.to_string(),
        Scalar::Str(s) => s.clone(),
    }
}
