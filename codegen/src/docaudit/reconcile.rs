//! Reconciliation: the extracted tables against the spec's literal fields, by table number
//! and row name.
//!
//! Compared: a parameter row's 是否必选 (`required`), 参数类型 (`doc_type`), 默认值
//! (`doc_default`) and 说明 (`zh`), and — where the row carries no erratum — the limits its
//! type determines (`String(1-128)` → `length`, `Integer(0-1)` → `range`, `X[1-5]` →
//! `items`); a result-code row's status and its English, Chinese and remedy texts; an
//! appendix row's description; every cell of the literal tables and of the revision
//! history; every fixture's verbatim text. A row that carries errata may differ from the
//! text in the limits the spec reads from its type — the erratum explains that; its
//! literal columns (including 是否必选) must still match, and any change to them needs
//! judgement. A result-code row whose errata quote it as printed is explained as a whole.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use super::extract::{Extracted, ParamRow};
use super::{normalize, Finding, FindingKind};
use crate::spec::model::*;
use crate::spec::Spec;

/// Where a mechanical change goes in the spec's YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Set (or, with `None`, remove) keys of the mapping at `path`; an absent key is
    /// inserted after the first of `anchors` present.
    Set {
        file: usize,
        path: String,
        sets: Vec<(String, Option<String>)>,
        anchors: Vec<String>,
    },
    /// Replace the scalar at `path` with `value` (YAML text).
    Scalar {
        file: usize,
        path: String,
        value: String,
    },
    /// Insert an item (lines without the leading `- ` and indentation) into the block
    /// sequence at `seq`, after item `after` (`None`: before the first item).
    Insert {
        file: usize,
        seq: String,
        after: Option<usize>,
        item: Vec<String>,
    },
    /// Remove the item at `path` of a block sequence.
    Remove { file: usize, path: String },
}

/// A limit a type column determines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// `String(a-b)`.
    Str(Option<(u64, u64)>),
    /// `Integer(a-b)`.
    Int(Option<(i64, i64)>),
    /// `X[a-b]`: an array of `X`.
    Array(u64, u64),
    /// `String（枚举）`: the values are in the prose.
    Enum,
    /// Anything else (a message name such as `CallStatusInfo`).
    Other,
}

fn type_re() -> &'static [Regex; 4] {
    static R: OnceLock<[Regex; 4]> = OnceLock::new();
    R.get_or_init(|| {
        [
            Regex::new(r"^(?i:string)\s*\(\s*(\d+)\s*-\s*(\d+)\s*\)$").expect("valid"),
            Regex::new(r"^(?i:integer|int)\s*\(\s*(-?\d+)\s*-\s*(-?\d+)\s*\)$").expect("valid"),
            Regex::new(r"^\w+\s*\[\s*(\d+)\s*-\s*(\d+)\s*\]$").expect("valid"),
            Regex::new(r"^(?i:string)\s*\(\s*枚举\s*\)$").expect("valid"),
        ]
    })
}

/// What a 参数类型 cell determines.
pub(crate) fn read_type(ty: &str) -> Reading {
    let t = normalize(ty);
    let [s, i, a, e] = type_re();
    let num = |c: &regex::Captures, k: usize| c[k].parse::<i64>().ok();
    if let Some(c) = s.captures(&t) {
        return match (num(&c, 1), num(&c, 2)) {
            (Some(a), Some(b)) if a >= 0 && b >= 0 => Reading::Str(Some((a as u64, b as u64))),
            _ => Reading::Other,
        };
    }
    if let Some(c) = i.captures(&t) {
        return match (num(&c, 1), num(&c, 2)) {
            (Some(a), Some(b)) => Reading::Int(Some((a, b))),
            _ => Reading::Other,
        };
    }
    if let Some(c) = a.captures(&t) {
        return match (num(&c, 1), num(&c, 2)) {
            (Some(a), Some(b)) if a >= 0 && b >= 0 => Reading::Array(a as u64, b as u64),
            _ => Reading::Other,
        };
    }
    if e.is_match(&t) {
        return Reading::Enum;
    }
    match t.to_ascii_lowercase().as_str() {
        "string" => Reading::Str(None),
        "integer" | "int" => Reading::Int(None),
        _ => Reading::Other,
    }
}

/// A YAML scalar for `s`: plain when that is safe, single-quoted otherwise.
pub(crate) fn yaml_str(s: &str) -> String {
    let plain_safe = !s.is_empty()
        && s.trim() == s
        && !s.contains([
            ':', '#', '[', ']', '{', '}', ',', '\'', '"', '\n', '\t', '&', '*', '!', '|', '>', '%',
            '@', '`',
        ])
        && !s.starts_with(['-', '?'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~" | "y" | "n"
        )
        && s.parse::<f64>().is_err()
        && !s.chars().next().is_some_and(|c| c.is_ascii_digit());
    if plain_safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\n', " ").replace('\'', "''"))
    }
}

/// `是` → true, `否` → false.
fn read_required(s: &str) -> Option<bool> {
    match s.trim() {
        "是" => Some(true),
        "否" => Some(false),
        _ => None,
    }
}

/// Markers a 默认值 cell uses for "no default".
fn is_no_default(s: &str) -> bool {
    matches!(s.trim(), "" | "无" | "NA" | "-" | "不涉及")
}

/// The text of a description without markup, white space collapsed (what `zh` holds).
pub(crate) fn plain_text(s: &str) -> String {
    super::strip_tags(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

struct Ctx<'a> {
    x: &'a Extracted,
    spec: &'a Spec,
    out: Vec<Finding>,
}

#[allow(clippy::too_many_arguments)]
fn finding(
    kind: FindingKind,
    table: &str,
    name: &str,
    column: Option<&str>,
    doc: Option<String>,
    spec: Option<String>,
    line: usize,
    text: String,
    judgement: Option<String>,
    target: Option<Target>,
) -> Finding {
    // A finding that needs judgement is never edited: it carries no target.
    let judgement = match (&target, judgement) {
        (None, None) => Some("no mechanical edit for this kind of change".to_string()),
        (_, j) => j,
    };
    Finding {
        kind,
        table: table.to_string(),
        name: name.to_string(),
        column: column.map(str::to_string),
        doc,
        spec,
        line,
        text,
        target: if judgement.is_some() { None } else { target },
        judgement,
    }
}

/// The line of the heading of `section` in the text (0 when absent).
fn section_line(x: &Extracted, section: &str) -> usize {
    x.sections
        .iter()
        .find(|(s, _)| s == section)
        .map(|(_, l)| *l)
        .unwrap_or(0)
}

/// Compares the extracted text with the spec; findings in the text's order.
pub fn reconcile(x: &Extracted, spec: &Spec) -> Vec<Finding> {
    let mut ctx = Ctx {
        x,
        spec,
        out: Vec::new(),
    };
    let mut messages = BTreeMap::new();
    let mut rc_tables = BTreeMap::new();
    let mut doc_tables = BTreeMap::new();
    let mut code_tables = BTreeMap::new();
    for (fi, f) in spec.files.iter().enumerate() {
        for (i, m) in f.content.messages.iter().enumerate() {
            messages.insert(m.table.clone(), (fi, i));
        }
        for (i, t) in f.content.result_code_tables.iter().enumerate() {
            rc_tables.insert(t.table.clone(), (fi, i));
        }
        for (i, t) in f.content.doc_tables.iter().enumerate() {
            doc_tables.insert(t.table.clone(), (fi, i));
        }
        for (i, t) in f.content.code_tables.iter().enumerate() {
            code_tables.insert(t.section.clone(), (fi, i));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in &x.param_tables {
        seen.insert(t.table.clone());
        match messages.get(&t.table) {
            Some(&(fi, mi)) => params(&mut ctx, t, fi, mi),
            None => table_added(&mut ctx, &t.table, &t.title, t.line, "parameter"),
        }
    }
    for t in &x.code_tables {
        seen.insert(t.table.clone());
        match rc_tables.get(&t.table) {
            Some(&(fi, ti)) => codes(&mut ctx, t, fi, ti),
            None => table_added(&mut ctx, &t.table, &t.title, t.line, "result-code"),
        }
    }
    for t in x.literal_tables.iter().chain(x.revisions.iter()) {
        seen.insert(t.table.clone());
        match doc_tables.get(&t.table) {
            Some(&(fi, ti)) => literal(&mut ctx, t, fi, ti),
            None => table_added(&mut ctx, &t.table, &t.title, t.line, "literal"),
        }
    }
    for t in &x.appendix {
        seen.insert(t.section.clone());
        match code_tables.get(&t.section) {
            Some(&(fi, ti)) => appendix(&mut ctx, t, fi, ti),
            None => table_added(&mut ctx, &t.section, &t.title, t.line, "appendix"),
        }
    }
    let files = &spec.files;
    let spec_tables = messages
        .iter()
        .map(|(t, &(fi, i))| (t, &files[fi].content.messages[i].title))
        .chain(
            rc_tables
                .iter()
                .map(|(t, &(fi, i))| (t, &files[fi].content.result_code_tables[i].title)),
        )
        .chain(
            doc_tables
                .iter()
                .map(|(t, &(fi, i))| (t, &files[fi].content.doc_tables[i].title)),
        )
        .chain(
            code_tables
                .iter()
                .map(|(t, &(fi, i))| (t, &files[fi].content.code_tables[i].title)),
        );
    let mut removed = Vec::new();
    for (t, title) in spec_tables {
        if !seen.contains(t) {
            let section = t.split(['-', '.']).next().unwrap_or_default().to_string();
            removed.push(finding(
                FindingKind::TableRemoved,
                t,
                "",
                None,
                None,
                Some(title.clone()),
                section_line(x, &section),
                format!("table {t} ({title}) of the spec is not in the text"),
                Some("a removed table changes the API; remove or keep it by hand".into()),
                None,
            ));
        }
    }
    ctx.out.extend(removed);
    examples(&mut ctx);
    ctx.out.sort_by_key(|f| f.line);
    ctx.out
}

fn table_added(ctx: &mut Ctx, table: &str, title: &str, line: usize, what: &str) {
    ctx.out.push(finding(
        FindingKind::TableAdded,
        table,
        "",
        None,
        Some(title.to_string()),
        None,
        line,
        format!("the text has a {what} table {table} ({title}) that the spec does not"),
        Some("a new table needs a message, operation or notification written by hand".into()),
        None,
    ));
}

/// Matches rows by key in order: each text row takes the first unmatched spec row with
/// its key. Returns, per text row, the spec index; and the spec rows left over.
fn match_rows(doc_keys: &[String], spec_keys: &[String]) -> (Vec<Option<usize>>, Vec<usize>) {
    let mut used = vec![false; spec_keys.len()];
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, k) in spec_keys.iter().enumerate() {
        by_key.entry(k.as_str()).or_default().push(i);
    }
    let matched = doc_keys
        .iter()
        .map(|k| {
            let cand = by_key.get(k.as_str())?;
            let i = cand.iter().copied().find(|&i| !used[i])?;
            used[i] = true;
            Some(i)
        })
        .collect();
    let left = (0..spec_keys.len()).filter(|&i| !used[i]).collect();
    (matched, left)
}

/// For each text row, the spec index after which a new row goes: the match of the
/// nearest earlier matched row (`None`: before the first).
fn insert_points(matched: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut last = None;
    matched
        .iter()
        .map(|m| {
            let here = last;
            if m.is_some() {
                last = *m;
            }
            here
        })
        .collect()
}

fn title_check(
    ctx: &mut Ctx,
    table: &str,
    doc_title: &str,
    spec_title: &str,
    line: usize,
    target: Option<(usize, String)>,
) {
    if normalize(doc_title) != normalize(spec_title) {
        let target = target.map(|(file, path)| Target::Set {
            file,
            path,
            sets: vec![("title".into(), Some(yaml_str(doc_title)))],
            anchors: vec![],
        });
        ctx.out.push(finding(
            FindingKind::TableChanged,
            table,
            "",
            Some("title"),
            Some(doc_title.to_string()),
            Some(spec_title.to_string()),
            line,
            format!(
                "table {table} is titled {doc_title:?} in the text, {spec_title:?} in the spec"
            ),
            None,
            target,
        ));
    }
}

fn params(ctx: &mut Ctx, t: &super::extract::ParamTable, fi: usize, mi: usize) {
    let msg: &Message = &ctx.spec.files[fi].content.messages[mi];
    let mpath = format!("messages[{mi}]");
    title_check(
        ctx,
        &t.table,
        &t.title,
        &msg.title,
        t.line,
        Some((fi, mpath.clone())),
    );
    let doc_keys: Vec<String> = t.rows.iter().map(ParamRow::clean_name).collect();
    let spec_keys: Vec<String> = msg
        .fields
        .iter()
        .map(|f| f.doc_name.clone().unwrap_or_else(|| f.name.clone()))
        .collect();
    let (matched, left) = match_rows(&doc_keys, &spec_keys);
    let points = insert_points(&matched);
    for (k, row) in t.rows.iter().enumerate() {
        let name = &doc_keys[k];
        match matched[k] {
            Some(i) => {
                let path = format!("{mpath}.fields[{i}]");
                param_row(ctx, t, row, name, &msg.fields[i], fi, path);
            }
            None => {
                let (item, why) = new_field(ctx.spec, t, row, name);
                let target = item.map(|item| Target::Insert {
                    file: fi,
                    seq: format!("{mpath}.fields"),
                    after: points[k],
                    item,
                });
                ctx.out.push(finding(
                    FindingKind::RowAdded,
                    &t.table,
                    name,
                    None,
                    Some(format!(
                        "{} | {} | {}",
                        row.required,
                        row.ty,
                        row.default.as_deref().unwrap_or("")
                    )),
                    None,
                    row.line,
                    format!(
                        "table {} has a row {name} ({}) that message {} does not",
                        t.table, row.ty, msg.name
                    ),
                    why,
                    target,
                ));
            }
        }
    }
    for i in left {
        let f = &msg.fields[i];
        let name = f.doc_name.as_deref().unwrap_or(&f.name);
        let judgement = (!f.errata.is_empty()).then(|| {
            format!(
                "the row carries errata ({}); decide whether they still apply",
                f.errata.join(", ")
            )
        });
        ctx.out.push(finding(
            FindingKind::RowRemoved,
            &t.table,
            name,
            None,
            None,
            Some(f.doc_type.clone()),
            t.line,
            format!(
                "row {name} of message {} is not in table {} of the text",
                msg.name, t.table
            ),
            judgement,
            Some(Target::Remove {
                file: fi,
                path: format!("{mpath}.fields[{i}]"),
            }),
        ));
    }
}

/// Limits a field has, as a reading comparable with [`read_type`].
fn field_reading(f: &Field) -> Reading {
    match f.ty {
        FieldType::String => Reading::Str(f.length.map(|l| (l.min, l.max))),
        FieldType::Integer => Reading::Int(f.range.map(|r| (r.min, r.max))),
        FieldType::Array => f
            .items
            .map(|c| Reading::Array(c.min, c.max))
            .unwrap_or(Reading::Other),
        FieldType::Object => Reading::Other,
    }
}

/// The YAML keys that make `f` follow `reading` (None when the reading does not fit its type).
fn limit_sets(f: &Field, reading: Reading) -> Option<Vec<(String, Option<String>)>> {
    match (f.ty, reading) {
        (FieldType::String, Reading::Str(Some((a, b)))) => {
            let unit = match f.length.map(|l| l.unit) {
                Some(LengthUnit::Bytes) => "bytes",
                _ => "chars",
            };
            Some(vec![(
                "length".into(),
                Some(format!("{{min: {a}, max: {b}, unit: {unit}}}")),
            )])
        }
        (FieldType::String, Reading::Str(None)) => Some(vec![("length".into(), None)]),
        (FieldType::Integer, Reading::Int(Some((a, b)))) => Some(vec![(
            "range".into(),
            Some(format!("{{min: {a}, max: {b}}}")),
        )]),
        (FieldType::Integer, Reading::Int(None)) => Some(vec![("range".into(), None)]),
        (FieldType::Array, Reading::Array(a, b)) => Some(vec![(
            "items".into(),
            Some(format!("{{min: {a}, max: {b}}}")),
        )]),
        _ => None,
    }
}

const LIMIT_ANCHORS: [&str; 3] = ["default", "doc_default", "doc_type"];

fn param_row(
    ctx: &mut Ctx,
    t: &super::extract::ParamTable,
    row: &ParamRow,
    name: &str,
    f: &Field,
    fi: usize,
    path: String,
) {
    let errata = (!f.errata.is_empty()).then(|| {
        format!(
            "the row carries errata ({}): the spec's reading may differ from the text on purpose; decide by hand",
            f.errata.join(", ")
        )
    });
    let table = t.table.as_str();
    let changed = |column: &str,
                   doc: String,
                   spec: String,
                   text: String,
                   judgement: Option<String>,
                   sets: Option<Vec<(String, Option<String>)>>,
                   anchors: &[&str]| {
        let target = sets.map(|sets| Target::Set {
            file: fi,
            path: path.clone(),
            sets,
            anchors: anchors.iter().map(|a| a.to_string()).collect(),
        });
        finding(
            FindingKind::RowChanged,
            table,
            name,
            Some(column),
            Some(doc),
            Some(spec),
            row.line,
            text,
            judgement,
            target,
        )
    };
    // 是否必选
    let want = read_required(&row.required);
    if want != Some(f.required) {
        let spec_v = if f.required { "是" } else { "否" };
        let judgement = match want {
            None => Some(format!(
                "the required column reads {:?}, neither 是 nor 否",
                row.required
            )),
            Some(_) => errata.clone(),
        };
        let sets = want.map(|w| vec![("required".to_string(), Some(w.to_string()))]);
        ctx.out.push(changed(
            "required",
            row.required.clone(),
            spec_v.into(),
            format!(
                "{name} in table {table} is {} in the text, {spec_v} in the spec",
                row.required
            ),
            judgement,
            sets,
            &[],
        ));
    }
    // 参数类型
    let doc_reading = read_type(&row.ty);
    if normalize(&row.ty) != normalize(&f.doc_type) {
        let sets = limit_sets(f, doc_reading).map(|mut s| {
            s.insert(0, ("doc_type".to_string(), Some(yaml_str(&row.ty))));
            s
        });
        let judgement = errata.clone().or_else(|| {
            sets.is_none().then(|| {
                format!(
                    "the new type {:?} does not read as a limit of a {:?} field; change the field by hand",
                    row.ty, f.ty
                )
            })
        });
        ctx.out.push(changed(
            "doc_type",
            row.ty.clone(),
            f.doc_type.clone(),
            format!(
                "{name} in table {table} has type {:?} in the text, {:?} in the spec",
                row.ty, f.doc_type
            ),
            judgement,
            sets,
            &LIMIT_ANCHORS,
        ));
    } else if f.errata.is_empty()
        && matches!(
            doc_reading,
            Reading::Str(Some(_)) | Reading::Int(Some(_)) | Reading::Array(..)
        )
    {
        // (A type without limits leaves them to the prose, which needs a person.)
        // The limits the type determines, where no erratum chose otherwise.
        let have = field_reading(f);
        if have != doc_reading {
            if let Some(sets) = limit_sets(f, doc_reading) {
                let column = sets[0].0.clone();
                ctx.out.push(changed(
                    &column,
                    row.ty.clone(),
                    format!("{have:?}"),
                    format!("{name} in table {table} is {:?} but the spec's {column} says otherwise, with no erratum", row.ty),
                    None,
                    Some(sets),
                    &LIMIT_ANCHORS,
                ));
            }
        }
    }
    // 默认值
    if let Some(d) = &row.default {
        let spec_d = f.doc_default.clone().unwrap_or_default();
        if normalize(d) != normalize(&spec_d) {
            let value = default_value(f, d);
            let judgement = errata.clone().or_else(|| {
                value.is_none().then(|| {
                    format!(
                        "the default {d:?} does not read unambiguously as a value of this field"
                    )
                })
            });
            let sets = value.map(|v| {
                vec![
                    ("doc_default".to_string(), Some(yaml_str(d))),
                    ("default".to_string(), v),
                ]
            });
            ctx.out.push(changed(
                "doc_default",
                d.clone(),
                spec_d.clone(),
                format!(
                    "{name} in table {table} has default {d:?} in the text, {spec_d:?} in the spec"
                ),
                judgement,
                sets,
                &["doc_default", "doc_type"],
            ));
        }
    }
    // 说明
    if normalize(&row.description) != normalize(&f.zh) {
        ctx.out.push(changed(
            "zh",
            plain_text(&row.description),
            f.zh.clone(),
            format!("the description of {name} in table {table} differs"),
            Some("a changed description may state a new rule or limit; read it and edit zh and the field by hand".into()),
            None,
            &[],
        ));
    }
}

/// The `default:` a 默认值 cell determines for `f`: `Some(None)` for no default,
/// `Some(Some(yaml))` for a value, `None` when it needs judgement.
fn default_value(f: &Field, d: &str) -> Option<Option<String>> {
    if is_no_default(d) {
        return Some(None);
    }
    // Only where the spec already follows its 默认值 column, so that the new value is read the same way.
    let follows = f.default.is_some() || f.doc_default.as_deref().is_none_or(is_no_default);
    if !follows {
        return None;
    }
    match f.ty {
        FieldType::Integer => d.trim().parse::<i64>().ok().map(|n| Some(n.to_string())),
        FieldType::String => {
            let in_enum = f.enum_values.is_empty()
                || f.enum_values
                    .iter()
                    .any(|v| v.value == Scalar::Str(d.trim().to_string()));
            in_enum.then(|| Some(format!("'{}'", d.trim().replace('\'', "''"))))
        }
        _ => None,
    }
}

/// The YAML item of a new field, or why it needs judgement.
fn new_field(
    spec: &Spec,
    t: &super::extract::ParamTable,
    row: &ParamRow,
    name: &str,
) -> (Option<Vec<String>>, Option<String>) {
    let Some(required) = read_required(&row.required) else {
        return (
            None,
            Some(format!("the required column reads {:?}", row.required)),
        );
    };
    let mut lines = vec![format!("name: {}", yaml_str(name))];
    let mut limits = Vec::new();
    let ty = match read_type(&row.ty) {
        Reading::Str(l) => {
            if let Some((a, b)) = l {
                limits.push(format!("length: {{min: {a}, max: {b}, unit: chars}}"));
            }
            "string"
        }
        Reading::Int(r) => {
            if let Some((a, b)) = r {
                limits.push(format!("range: {{min: {a}, max: {b}}}"));
            }
            "integer"
        }
        Reading::Array(a, b) => {
            let base = normalize(&row.ty);
            let base = base.split('[').next().unwrap_or_default().trim().to_string();
            limits.push(format!("items: {{min: {a}, max: {b}}}"));
            if base.eq_ignore_ascii_case("string") {
                limits.push("item: {type: string}".into());
            } else if spec.message(&base).is_some() {
                limits.push(format!("item: {{type: object, ref: {base}}}"));
            } else {
                return (None, Some(format!("the item type {base:?} names no message of the spec")));
            }
            "array"
        }
        Reading::Enum => {
            return (None, Some("an enumerated type: its values are in the prose; add the field and its enum by hand".into()))
        }
        Reading::Other => {
            let base = normalize(&row.ty);
            if spec.message(&base).is_some() {
                limits.push(format!("ref: {base}"));
                "object"
            } else {
                return (None, Some(format!("the type {:?} has no mechanical reading", row.ty)));
            }
        }
    };
    lines.push(format!("type: {ty}"));
    lines.push(format!("required: {required}"));
    lines.push(format!("doc_type: {}", yaml_str(&row.ty)));
    if let Some(d) = &row.default {
        lines.push(format!("doc_default: {}", yaml_str(d)));
        if !is_no_default(d) {
            return (
                None,
                Some(format!(
                    "the new row has a default {d:?}; decide how the platform applies it"
                )),
            );
        }
    }
    lines.extend(limits);
    lines.push(format!(
        "description: {}",
        yaml_str(&format!(
            "{name}, added from table {} of the reference (the reference's words are in zh).",
            t.table
        ))
    ));
    lines.push(format!("zh: {}", yaml_str(&plain_text(&row.description))));
    (Some(lines), None)
}

fn codes(ctx: &mut Ctx, t: &super::extract::CodeTable, fi: usize, ti: usize) {
    let table: &ResultCodeTable = &ctx.spec.files[fi].content.result_code_tables[ti];
    let tpath = format!("result_code_tables[{ti}]");
    title_check(
        ctx,
        &t.table,
        &t.title,
        &table.title,
        t.line,
        Some((fi, tpath.clone())),
    );
    let doc_keys: Vec<String> = t.rows.iter().map(|r| r.clean_code()).collect();
    let spec_keys: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.code.clone().unwrap_or_else(|| "-".into()))
        .collect();
    let (matched, left) = match_rows(&doc_keys, &spec_keys);
    let points = insert_points(&matched);
    for (k, row) in t.rows.iter().enumerate() {
        let code = &doc_keys[k];
        let Some(i) = matched[k] else {
            let status = row.status.trim().parse::<u16>().ok();
            let target = status.map(|s| Target::Insert {
                file: fi,
                seq: format!("{tpath}.rows"),
                after: points[k],
                item: vec![
                    format!("status: {s}"),
                    format!("code: '{code}'"),
                    format!("english: {}", yaml_str(&row.english)),
                    format!("chinese: {}", yaml_str(&row.chinese)),
                    format!("remedy: {}", yaml_str(&row.remedy)),
                ],
            });
            ctx.out.push(finding(
                FindingKind::RowAdded,
                &t.table,
                code,
                None,
                Some(format!("{} | {code} | {}", row.status, row.english)),
                None,
                row.line,
                format!(
                    "table {} has a result code {code} ({}) that the spec does not",
                    t.table, row.english
                ),
                status
                    .is_none()
                    .then(|| format!("the status {:?} is not a number", row.status)),
                target,
            ));
            continue;
        };
        let s = &table.rows[i];
        let path = format!("{tpath}.rows[{i}]");
        let errata = (!s.errata.is_empty()).then(|| {
            format!(
                "the row carries errata ({}); decide by hand",
                s.errata.join(", ")
            )
        });
        // An erratum that quotes this row as printed explains every difference of it.
        if quoted_by_errata(ctx.spec, &s.errata, &row.printed) {
            continue;
        }
        let spec_status = s.status.to_string();
        let cols: [(&str, &str, &str); 4] = [
            ("status", &row.status, &spec_status),
            ("english", &row.english, &s.english),
            ("chinese", &row.chinese, &s.chinese),
            ("remedy", &row.remedy, &s.remedy),
        ];
        for (col, d, sp) in cols {
            if normalize(dash_empty(d)) == normalize(sp) {
                continue;
            }
            let value = if col == "status" {
                d.trim().parse::<u16>().ok().map(|n| n.to_string())
            } else {
                Some(yaml_str(d))
            };
            let judgement = errata
                .clone()
                .or_else(|| value.is_none().then(|| format!("{d:?} is not a status")));
            let target = value.map(|v| Target::Set {
                file: fi,
                path: path.clone(),
                sets: vec![(col.to_string(), Some(v))],
                anchors: vec!["remedy".into()],
            });
            ctx.out.push(finding(
                FindingKind::RowChanged,
                &t.table,
                code,
                Some(col),
                Some(d.to_string()),
                Some(sp.to_string()),
                row.line,
                format!("result code {code} of table {} has {col} {d:?} in the text, {sp:?} in the spec", t.table),
                judgement,
                target,
            ));
        }
    }
    for i in left {
        let s = &table.rows[i];
        let code = s.code.clone().unwrap_or_else(|| "-".into());
        ctx.out.push(finding(
            FindingKind::RowRemoved,
            &t.table,
            &code,
            None,
            None,
            Some(s.english.clone()),
            t.line,
            format!(
                "result code {code} ({}) of the spec is not in table {} of the text",
                s.english, t.table
            ),
            (!s.errata.is_empty())
                .then(|| format!("the row carries errata ({})", s.errata.join(", "))),
            Some(Target::Remove {
                file: fi,
                path: format!("{tpath}.rows[{i}]"),
            }),
        ));
    }
}

fn appendix(ctx: &mut Ctx, t: &super::extract::AppendixTable, fi: usize, ti: usize) {
    let table: &CodeTable = &ctx.spec.files[fi].content.code_tables[ti];
    let tpath = format!("code_tables[{ti}]");
    title_check(
        ctx,
        &t.section,
        &t.title,
        &table.title,
        t.line,
        Some((fi, tpath.clone())),
    );
    let doc_keys: Vec<String> = t
        .rows
        .iter()
        .map(|r| r.code.split_whitespace().collect())
        .collect();
    let spec_keys: Vec<String> = table
        .rows
        .iter()
        .map(|r| match (&r.code, &r.doc_code) {
            (_, Some(d)) => d.split_whitespace().collect(),
            (Some(c), None) => c.to_string(),
            (None, None) => String::new(),
        })
        .collect();
    let (matched, left) = match_rows(&doc_keys, &spec_keys);
    for (k, row) in t.rows.iter().enumerate() {
        let code = &doc_keys[k];
        match matched[k] {
            Some(i) => {
                let s = &table.rows[i];
                if normalize(&row.description) != normalize(&s.zh) {
                    ctx.out.push(finding(
                        FindingKind::RowChanged,
                        &t.section,
                        code,
                        Some("zh"),
                        Some(plain_text(&row.description)),
                        Some(s.zh.clone()),
                        row.line,
                        format!("the description of code {code} in §{} differs", t.section),
                        Some("a changed description changes the code's meaning: update zh and english by hand".into()),
                        None,
                    ));
                }
            }
            None => ctx.out.push(finding(
                FindingKind::RowAdded,
                &t.section,
                code,
                None,
                Some(plain_text(&row.description)),
                None,
                row.line,
                format!("§{} has a code {code} that the spec does not", t.section),
                Some(
                    "a new appendix code needs its English description; add the row by hand".into(),
                ),
                None,
            )),
        }
    }
    for i in left {
        let s = &table.rows[i];
        let code = spec_keys[i].clone();
        ctx.out.push(finding(
            FindingKind::RowRemoved,
            &t.section,
            &code,
            None,
            None,
            Some(s.zh.clone()),
            t.line,
            format!(
                "code {code} of the spec is not in §{} of the text",
                t.section
            ),
            (!s.errata.is_empty())
                .then(|| format!("the row carries errata ({})", s.errata.join(", "))),
            Some(Target::Remove {
                file: fi,
                path: format!("{tpath}.rows[{i}]"),
            }),
        ));
    }
}

fn literal(ctx: &mut Ctx, t: &super::extract::LiteralTable, fi: usize, ti: usize) {
    let table: &DocTable = &ctx.spec.files[fi].content.doc_tables[ti];
    let tpath = format!("doc_tables[{ti}]");
    title_check(
        ctx,
        &t.table,
        &t.title,
        &table.title,
        t.line,
        Some((fi, tpath.clone())),
    );
    if !t.columns.is_empty() {
        let d = t.columns.join(" | ");
        let s = table.columns.join(" | ");
        if normalize(&d) != normalize(&s) {
            ctx.out.push(finding(
                FindingKind::TableChanged,
                &t.table,
                "",
                Some("columns"),
                Some(d),
                Some(s),
                t.line,
                format!("the column headings of table {} differ", t.table),
                Some("changed column headings: check what the columns now mean".into()),
                None,
            ));
        }
    }
    let revision = table.kind == DocTableKind::RevisionHistory;
    let first = |r: &[String]| r.first().cloned().unwrap_or_default();
    // The revision history is matched by whole entries (new ones come first); other
    // literal tables row by row, in order.
    if revision {
        let doc_keys: Vec<String> = t
            .rows
            .iter()
            .map(|(r, _)| normalize(&r.join("\t")))
            .collect();
        let spec_keys: Vec<String> = table
            .rows
            .iter()
            .map(|r| normalize(&r.join("\t")))
            .collect();
        let (matched, left) = match_rows(&doc_keys, &spec_keys);
        let points = insert_points(&matched);
        for (k, (row, line)) in t.rows.iter().enumerate() {
            if matched[k].is_some() {
                continue;
            }
            let item = vec![format!(
                "[{}]",
                row.iter()
                    .map(|c| yaml_str(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )];
            ctx.out.push(finding(
                FindingKind::RevisionAdded,
                &t.table,
                &first(row),
                None,
                Some(row.join(" | ")),
                None,
                *line,
                format!(
                    "revision history entry {:?} is not in the spec",
                    row.join(" | ")
                ),
                None,
                Some(Target::Insert {
                    file: fi,
                    seq: format!("{tpath}.rows"),
                    after: points[k],
                    item,
                }),
            ));
        }
        for i in left {
            ctx.out.push(finding(
                FindingKind::RowRemoved,
                &t.table,
                &first(&table.rows[i]),
                None,
                None,
                Some(table.rows[i].join(" | ")),
                t.line,
                "a revision history entry of the spec is not in the text".into(),
                Some("the text dropped a revision entry; keep or remove it by hand".into()),
                None,
            ));
        }
        return;
    }
    let n = t.rows.len().max(table.rows.len());
    for k in 0..n {
        match (t.rows.get(k), table.rows.get(k)) {
            (Some((row, line)), Some(srow)) => {
                let cells = row.len().max(srow.len());
                for c in 0..cells {
                    let d = row.get(c).cloned().unwrap_or_default();
                    let s = srow.get(c).cloned().unwrap_or_default();
                    if normalize(&d) == normalize(&s) {
                        continue;
                    }
                    let target = (c < srow.len()).then(|| Target::Scalar {
                        file: fi,
                        path: format!("{tpath}.rows[{k}][{c}]"),
                        value: yaml_str(&d),
                    });
                    ctx.out.push(finding(
                        FindingKind::RowChanged,
                        &t.table,
                        &first(row),
                        Some(&format!("cell {}", c + 1)),
                        Some(d.clone()),
                        Some(s.clone()),
                        *line,
                        format!(
                            "cell {} of row {} of table {} differs",
                            c + 1,
                            k + 1,
                            t.table
                        ),
                        None,
                        target,
                    ));
                }
            }
            (Some((row, line)), None) => ctx.out.push(finding(
                FindingKind::RowAdded,
                &t.table,
                &first(row),
                None,
                Some(row.join(" | ")),
                None,
                *line,
                format!("table {} has an extra row", t.table),
                Some("add the row to the literal table by hand".into()),
                None,
            )),
            (None, Some(srow)) => ctx.out.push(finding(
                FindingKind::RowRemoved,
                &t.table,
                &first(srow),
                None,
                None,
                Some(srow.join(" | ")),
                t.line,
                format!("a row of table {} is not in the text", t.table),
                Some("remove the row from the literal table by hand".into()),
                None,
            )),
            (None, None) => {}
        }
    }
}

/// A result-code cell that prints `-` is empty in the spec.
fn dash_empty(s: &str) -> &str {
    if s.trim() == "-" {
        ""
    } else {
        s
    }
}

/// Whether one of `errata` quotes `cells` (the non-empty ones, in order) in its `literal:`.
fn quoted_by_errata(spec: &Spec, errata: &[String], cells: &[String]) -> bool {
    let printed: Vec<String> = cells
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| normalize(c))
        .collect();
    if printed.is_empty() {
        return false;
    }
    let printed = printed.join("|");
    errata
        .iter()
        .filter_map(|id| spec.erratum(id))
        .flat_map(|e| &e.literal)
        .any(|l| normalize(l).contains(&printed))
}

/// Chapter of a section number (`4.2` → 4).
fn chapter(section: &str) -> u32 {
    section
        .split('.')
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn examples(ctx: &mut Ctx) {
    let x = ctx.x;
    // The text's lines without blank lines and fences, with their line numbers.
    let stream: Vec<(usize, &str)> = x
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with("```"))
        .collect();
    // Line ranges of sections.
    let range = |section: &str| -> (usize, usize) {
        let Some(k) = x.sections.iter().position(|(s, _)| s == section) else {
            return (0, 0);
        };
        let start = x.sections[k].1;
        let end = x.sections.get(k + 1).map(|s| s.1).unwrap_or(usize::MAX);
        (start, end)
    };
    let mut covered: Vec<(usize, usize)> = Vec::new();
    let mut missing = Vec::new();
    for f in ctx.spec.all(|c| &c.fixtures) {
        let Some(text) = ctx.spec.aux.get(&f.verbatim) else {
            continue;
        };
        let want: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let (lo, hi) = range(&f.section);
        let found = if want.is_empty() {
            None
        } else {
            stream.windows(want.len()).find(|w| {
                w[0].0 > lo
                    && w[w.len() - 1].0 < hi
                    && w.iter().zip(&want).all(|((_, a), b)| a == b)
            })
        };
        match found {
            Some(w) => covered.push((w[0].0, w[w.len() - 1].0)),
            None => missing.push(f),
        }
    }
    let is_covered = |e: &super::extract::Example| {
        let end = e.line + e.text.lines().count() + 1;
        covered.iter().any(|&(a, b)| a <= end && e.line <= b)
    };
    let mut uncovered: Vec<&super::extract::Example> = x
        .examples
        .iter()
        .filter(|e| chapter(&e.section) >= 4 && !e.text.trim().is_empty() && !is_covered(e))
        .collect();
    for f in missing {
        // The fixture's example as the text now has it: the uncovered examples of its
        // section that share most of their lines with the fixture.
        let want: std::collections::BTreeSet<&str> = ctx
            .spec
            .aux
            .get(&f.verbatim)
            .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
            .unwrap_or_default();
        let (claimed, rest): (Vec<_>, Vec<_>) = uncovered.into_iter().partition(|e| {
            let lines: Vec<&str> = e
                .text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let shared = lines.iter().filter(|l| want.contains(*l)).count();
            e.section == f.section && !lines.is_empty() && shared * 2 >= lines.len()
        });
        uncovered = rest;
        let (line, doc) = match claimed.first() {
            Some(e) => (
                e.line,
                Some(
                    claimed
                        .iter()
                        .map(|e| e.text.as_str())
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                ),
            ),
            None => (section_line(x, &f.section), None),
        };
        ctx.out.push(finding(
            FindingKind::ExampleChanged,
            &f.section,
            &f.id,
            None,
            doc,
            Some(f.verbatim.clone()),
            line,
            format!(
                "the example {} ({}) of §{} is not in the text as the fixture has it",
                f.id, f.title, f.section
            ),
            Some(
                "update the fixture's verbatim text, its JSON body and expected violations by hand"
                    .into(),
            ),
            None,
        ));
    }
    for e in uncovered {
        ctx.out.push(finding(
            FindingKind::ExampleAdded,
            &e.section,
            "",
            None,
            Some(e.text.clone()),
            None,
            e.line,
            format!("an example of §{} matches no fixture", e.section),
            Some("add a fixture (verbatim text and JSON body) by hand".into()),
            None,
        ));
    }
}
