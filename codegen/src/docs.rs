//! Documents rendered from the spec: `spec/ERRATA.md`, the coverage table of
//! `spec/README.md`, and the per-API summary that `cargo xtask spec check` prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::spec::model::*;
use crate::spec::Spec;

/// Numbers of the reference's tables as the spec holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Parameter tables (messages).
    pub parameter_tables: usize,
    /// Rows of the parameter tables (fields).
    pub parameter_rows: usize,
    /// Result-code tables.
    pub result_code_tables: usize,
    /// Result-code rows other than success (200/0 and 301/-).
    pub result_code_failure_rows: usize,
    /// Appendix code tables.
    pub appendix_tables: usize,
    /// Appendix rows.
    pub appendix_rows: usize,
    /// Literal tables (overview, time formats, interface types, revision history).
    pub literal_tables: usize,
    /// Examples.
    pub fixtures: usize,
    /// Errata.
    pub errata: usize,
}

/// Counts what the spec holds, in the units the reference's tables use.
pub fn counts(spec: &Spec) -> Counts {
    let messages: Vec<&Message> = spec.all(|c| &c.messages).collect();
    let rc: Vec<&ResultCodeTable> = spec.all(|c| &c.result_code_tables).collect();
    let ct: Vec<&CodeTable> = spec.all(|c| &c.code_tables).collect();
    Counts {
        parameter_tables: messages.len(),
        parameter_rows: messages.iter().map(|m| m.fields.len()).sum(),
        result_code_tables: rc.len(),
        result_code_failure_rows: rc
            .iter()
            .flat_map(|t| &t.rows)
            .filter(|r| !is_success(r))
            .count(),
        appendix_tables: ct.len(),
        appendix_rows: ct.iter().map(|t| t.rows.len()).sum(),
        literal_tables: spec.all(|c| &c.doc_tables).count(),
        fixtures: spec.all(|c| &c.fixtures).count(),
        errata: spec.all(|c| &c.errata).count(),
    }
}

/// Whether a result-code row is the success row of its table.
pub fn is_success(r: &ResultCodeRow) -> bool {
    r.status < 400
}

/// Sort key of a table number: `"4-12"` → (4, 12); `"8"` → (8, 0).
fn table_key(t: &str) -> (u32, u32) {
    let mut it = t.split('-').map(|p| p.parse::<u32>().unwrap_or(u32::MAX));
    (it.next().unwrap_or(u32::MAX), it.next().unwrap_or(0))
}

/// The coverage table of `spec/README.md`: every table of the reference and where it lives.
pub fn coverage_markdown(spec: &Spec) -> String {
    let mut rows: BTreeMap<(u32, u32, String), [String; 4]> = BTreeMap::new();
    for f in &spec.files {
        let file = format!("[{0}]({0})", f.name);
        for m in &f.content.messages {
            let (a, b) = table_key(&m.table);
            rows.insert(
                (a, b, m.table.clone()),
                [
                    m.title.clone(),
                    format!("message `{}`", m.name),
                    file.clone(),
                    m.fields.len().to_string(),
                ],
            );
        }
        for t in &f.content.result_code_tables {
            let (a, b) = table_key(&t.table);
            let n = t.rows.iter().filter(|r| !is_success(r)).count();
            rows.insert(
                (a, b, t.table.clone()),
                [
                    t.title.clone(),
                    format!("result codes of `{}`", t.operation),
                    file.clone(),
                    format!("{n} + success"),
                ],
            );
        }
        for t in &f.content.doc_tables {
            let (a, b) = table_key(&t.table);
            let kind = match t.kind {
                DocTableKind::ApiOverview => "literal (API overview)",
                DocTableKind::TimeFormats => "literal (time formats)",
                DocTableKind::InterfaceType => "literal (interface type)",
                DocTableKind::RevisionHistory => "literal (revision history)",
            };
            rows.insert(
                (a, b, t.table.clone()),
                [
                    t.title.clone(),
                    kind.into(),
                    file.clone(),
                    t.rows.len().to_string(),
                ],
            );
        }
        for t in &f.content.code_tables {
            let mut it = t.section.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
            let (a, b) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
            rows.insert(
                (a, b, format!("§{}", t.section)),
                [
                    t.title.clone(),
                    format!("code table `{}`", t.id),
                    file.clone(),
                    t.rows.len().to_string(),
                ],
            );
        }
    }
    let mut out = String::from(
        "| Table | Title in the reference | In the spec | File | Rows |\n|---|---|---|---|---|\n",
    );
    for ((_, _, id), [title, what, file, n]) in &rows {
        let id = if id.starts_with('§') || !id.contains('-') {
            format!("§{}", id.trim_start_matches('§'))
        } else {
            format!("表{id}")
        };
        let _ = writeln!(out, "| {id} | {title} | {what} | {file} | {n} |");
    }
    let c = counts(spec);
    let _ = writeln!(
        out,
        "\nTotals: {} parameter tables with {} rows; {} result-code tables with {} non-success rows; {} appendix tables with {} rows; {} literal tables; {} examples; {} errata.",
        c.parameter_tables, c.parameter_rows, c.result_code_tables, c.result_code_failure_rows, c.appendix_tables, c.appendix_rows, c.literal_tables, c.fixtures, c.errata
    );
    out
}

/// `spec/ERRATA.md`, rendered from the `errata:` entries and the places that cite them.
pub fn errata_markdown(spec: &Spec) -> String {
    let citations = citations(spec);
    let mut out = String::from(
        "<!-- Generated by cargo xtask spec gen from spec/*.yaml, do not edit. -->\n\
         # Errata of the Voice Call API reference\n\n\
         Every place where the reference contradicts itself, misspells a name, gives an example that breaks its own table,\n\
         or leaves a question open — with what it literally says, what the vendor SDK says where that helps, and the reading\n\
         this spec follows. Entries are defined in `spec/errata.yaml`; *Cited by* lists the spec entries that link to each.\n\n",
    );
    let errata: Vec<&Erratum> = spec.all(|c| &c.errata).collect();
    let mut by_kind: BTreeMap<ErratumKind, usize> = BTreeMap::new();
    for e in &errata {
        *by_kind.entry(e.kind).or_default() += 1;
    }
    let _ = writeln!(
        out,
        "{} entries: {}.\n",
        errata.len(),
        by_kind
            .iter()
            .map(|(k, n)| format!("{n} {}", kind_name(*k)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push_str("| Id | Kind | Title | Where |\n|---|---|---|---|\n");
    for e in &errata {
        let _ = writeln!(
            out,
            "| [{0}](#{0}) | {1} | {2} | {3} |",
            e.id,
            kind_name(e.kind),
            e.title.replace('|', "\\|"),
            refs(&e.doc).replace('|', "\\|")
        );
    }
    for e in &errata {
        let _ = write!(
            out,
            "\n## {}\n\n**{}** — {}\n\n",
            e.id,
            kind_name(e.kind),
            e.title
        );
        let _ = writeln!(out, "- **Where:** {}", refs(&e.doc));
        out.push_str("- **The reference says:**\n");
        for l in &e.literal {
            let _ = writeln!(out, "  - {}", l.replace('\n', " "));
        }
        if let Some(s) = &e.sdk {
            let _ = writeln!(out, "- **The SDK says:** {s}");
        }
        let _ = writeln!(out, "- **Decision:** {}", e.decision);
        let _ = writeln!(out, "- **Why:** {}", e.why);
        if !e.enforces.is_empty() {
            let checked: Vec<String> = e.enforces.iter().map(enforcement_text).collect();
            let _ = writeln!(out, "- **Checked by `spec check`:** {}", checked.join("; "));
        }
        if let Some(c) = citations.get(&e.id) {
            let _ = writeln!(out, "- **Cited by:** {}", c.join(", "));
        }
    }
    out
}

/// `CallbackFeeInfo.direction: enum 0, 1; range 0..1` for an `enforces:` entry.
fn enforcement_text(en: &Enforcement) -> String {
    let mut parts = Vec::new();
    if let Some(v) = &en.enum_values {
        let v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        parts.push(format!("enum {}", v.join(", ")));
    }
    if let Some(l) = en.length {
        parts.push(format!("length {}-{}", l.min, l.max));
    }
    if let Some(r) = en.range {
        parts.push(format!("range {}..{}", r.min, r.max));
    }
    if let Some(f) = &en.format {
        parts.push(format!("format {f}"));
    }
    if let Some(r) = en.required {
        parts.push(format!("required {r}"));
    }
    format!("{}.{}: {}", en.message, en.field, parts.join(", "))
}

fn kind_name(k: ErratumKind) -> &'static str {
    match k {
        ErratumKind::Contradiction => "contradiction",
        ErratumKind::Typo => "typo",
        ErratumKind::Example => "example",
        ErratumKind::Misplaced => "misplaced",
        ErratumKind::Ambiguity => "ambiguity",
        ErratumKind::Sdk => "sdk",
    }
}

fn refs(doc: &[DocRef]) -> String {
    doc.iter()
        .map(|d| {
            let mut s = d.section.clone();
            if let Some(t) = &d.table {
                let _ = write!(s, " 表{t}");
            }
            if let Some(r) = &d.row {
                let _ = write!(s, " {r}");
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Erratum id → the spec entries whose `errata:` lists cite it.
fn citations(spec: &Spec) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut cite = |ids: &[String], what: String| {
        for id in ids {
            out.entry(id.clone()).or_default().push(what.clone());
        }
    };
    for f in &spec.files {
        let c = &f.content;
        for m in &c.messages {
            cite(&m.errata, format!("`{}`", m.name));
            for fd in &m.fields {
                cite(&fd.errata, format!("`{}.{}`", m.name, fd.name));
            }
            for r in &m.rules {
                cite(&r.errata, format!("rule `{}.{}`", m.name, r.id));
            }
        }
        for o in &c.operations {
            cite(&o.errata, format!("operation `{}`", o.id));
        }
        for n in &c.notifications {
            cite(&n.errata, format!("notification `{}`", n.id));
        }
        for t in &c.result_code_tables {
            for r in &t.rows {
                cite(
                    &r.errata,
                    format!(
                        "表{} {} {}",
                        t.table,
                        r.status,
                        r.code.as_deref().unwrap_or("-")
                    ),
                );
            }
        }
        for t in &c.code_tables {
            for r in &t.rows {
                let code = r
                    .code
                    .map(|c| c.to_string())
                    .or_else(|| r.doc_code.clone())
                    .unwrap_or_default();
                cite(&r.errata, format!("§{} {}", t.section, code));
            }
        }
        for t in &c.doc_tables {
            cite(&t.errata, format!("表{}", t.table));
        }
        for fx in &c.fixtures {
            cite(&fx.errata, format!("example `{}`", fx.id));
        }
        for s in &c.signing_schemes {
            cite(&s.errata, format!("signing scheme `{}`", s.id));
        }
        for fm in &c.formats {
            cite(&fm.errata, format!("format `{}`", fm.id));
        }
        if let Some(p) = &c.precedence {
            cite(&p.errata, "`precedence`".to_string());
        }
    }
    out
}

/// The precedence table of `spec/README.md`: the check stages in order, what each
/// answers, and which requests reach it (`precedence:` of spec/voicecall.yaml).
pub fn precedence_markdown(spec: &Spec) -> String {
    let Some(p) = spec.precedence() else {
        return "No `precedence:` section: the spec does not say which check comes first.\n".into();
    };
    let mut out =
        String::from("| # | Stage | Checks | Answers | Reached by |\n|---|---|---|---|---|\n");
    for (i, s) in p.stages.iter().enumerate() {
        let mut answers: Vec<String> = Vec::new();
        if let Some(r) = s.rejects {
            let class = match r {
                RejectsClass::Request => "request",
                RejectsClass::Value => "value",
            };
            answers.push(format!("the operation's `rejects.{class}`"));
            if !s.rules.is_empty() {
                answers.push(format!("(rules {})", s.rules.join(", ")));
            }
        }
        if !s.codes.is_empty() {
            answers.push(
                s.codes
                    .iter()
                    .map(|c| format!("{}/{}", c.status, c.code))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        let mut reach = match s.reach {
            StageReach::Request => "a request".to_string(),
            StageReach::Provisioning => "a provisioned state (embedded mock)".to_string(),
        };
        for pr in &s.probes {
            let _ = write!(
                reach,
                "; {} with {} {:?} → {}/{}",
                pr.operation, pr.field, pr.value, pr.code.status, pr.code.code
            );
        }
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            i + 1,
            s.id,
            s.description.replace('|', "\\|"),
            answers.join(" "),
            reach
        );
    }
    let errata: Vec<String> = p
        .errata
        .iter()
        .map(|e| format!("[{e}](ERRATA.md#{e})"))
        .collect();
    let _ = writeln!(
        out,
        "\nThe first stage a request fails decides its code; why this order: {}.",
        errata.join(", ")
    );
    out
}

/// The per-API summary printed by `cargo xtask spec check`.
pub fn summary(spec: &Spec) -> String {
    let mut out = String::new();
    let fields = |name: &Option<String>| -> usize {
        name.as_ref()
            .and_then(|n| spec.message(n))
            .map(|m| m.fields.len())
            .unwrap_or(0)
    };
    let rules_of = |name: &Option<String>| -> usize {
        let Some(m) = name.as_ref().and_then(|n| spec.message(n)) else {
            return 0;
        };
        m.rules.len()
            + m.fields
                .iter()
                .filter_map(|f| f.item.as_ref().and_then(|i| i.reference.as_ref()))
                .filter_map(|r| spec.message(r))
                .map(|m| m.rules.len())
                .sum::<usize>()
    };
    out.push_str("Operations (customer → platform)\n");
    let _ = writeln!(
        out,
        "  {:<28} {:<6} {:<42} {:>7} {:>6} {:>5} {:>6} {:>6}",
        "operation", "method", "path", "headers", "params", "body", "rules", "codes"
    );
    for o in spec.all(|c| &c.operations) {
        let codes = spec
            .result_code_table(&o.result_codes)
            .map(|t| t.rows.iter().filter(|r| !is_success(r)).count())
            .unwrap_or(0);
        let params = fields(&o.query) + fields(&o.path_params);
        let _ = writeln!(
            out,
            "  {:<28} {:<6} {:<42} {:>7} {:>6} {:>5} {:>6} {:>6}",
            o.id,
            o.method.as_str(),
            o.path,
            fields(&Some(o.headers.clone())),
            params,
            fields(&o.body),
            rules_of(&o.body),
            codes
        );
    }
    out.push_str("\nNotifications (platform → customer)\n");
    let _ = writeln!(
        out,
        "  {:<32} {:<6} {:<64} {:>6} {:>8}",
        "notification", "kind", "events (fields)", "batch", "retry"
    );
    for n in spec.all(|c| &c.notifications) {
        let events: Vec<String> = n
            .events
            .iter()
            .map(|e| {
                format!(
                    "{}({})",
                    e.event_type,
                    spec.message(&e.message)
                        .map(|m| m.fields.len())
                        .unwrap_or(0)
                )
            })
            .collect();
        let kind = match n.kind {
            NotificationKind::Status => "status",
            NotificationKind::Fee => "fee",
        };
        let batch = n
            .batching
            .as_ref()
            .map(|b| format!("≤{}", b.max_records))
            .unwrap_or_else(|| "-".into());
        let retry = n
            .retry
            .as_ref()
            .map(|r| format!("{}×{}s", r.max_retries, r.interval_seconds))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "  {:<32} {:<6} {:<64} {:>6} {:>8}",
            n.id,
            kind,
            events.join(" "),
            batch,
            retry
        );
    }
    let c = counts(spec);
    let _ = write!(
        out,
        "\nSpec: {} parameter tables / {} rows, {} result-code tables / {} non-success rows, {} appendix tables / {} rows, {} literal tables, {} examples (all checked), {} errata, {} signing schemes.\n",
        c.parameter_tables,
        c.parameter_rows,
        c.result_code_tables,
        c.result_code_failure_rows,
        c.appendix_tables,
        c.appendix_rows,
        c.literal_tables,
        c.fixtures,
        c.errata,
        spec.all(|c| &c.signing_schemes).count()
    );
    out
}
