//! Reports: text for a terminal, Markdown for a pull request, JSON for tools.

use std::fmt::Write as _;

use super::{Finding, Report};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per finding.
    Text,
    /// A table per kind of change, for a pull request.
    Markdown,
    /// `{"doc": …, "findings": [{"kind", "table", "name", "column", "doc", "spec", "line", "text", "judgement"}]}`.
    Json,
}

fn clip(s: &str, n: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= n {
        one
    } else {
        let mut t: String = one.chars().take(n).collect();
        t.push('…');
        t
    }
}

fn where_(f: &Finding) -> String {
    let mut s = format!("{}:{}", f.table, f.name);
    if let Some(c) = &f.column {
        let _ = write!(s, ".{c}");
    }
    s
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(report)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
                + "\n"
        }
        Format::Text => {
            let mut out = String::new();
            for f in &report.findings {
                let _ = writeln!(
                    out,
                    "{}:{}: {} {}: {}",
                    report.doc,
                    f.line,
                    f.kind.as_str(),
                    where_(f),
                    f.text
                );
                if f.doc.is_some() || f.spec.is_some() {
                    let _ = writeln!(
                        out,
                        "    doc:  {}\n    spec: {}",
                        clip(f.doc.as_deref().unwrap_or("—"), 160),
                        clip(f.spec.as_deref().unwrap_or("—"), 160)
                    );
                }
                if let Some(j) = &f.judgement {
                    let _ = writeln!(out, "    needs judgement: {j}");
                }
            }
            let mech = report.mechanical().count();
            let judge = report.needs_judgement().count();
            let _ = writeln!(
                out,
                "{}: {} finding(s): {mech} mechanical (cargo xtask doc audit --apply), {judge} needing judgement",
                report.doc,
                report.findings.len()
            );
            out
        }
        Format::Markdown => {
            let mut out = format!("## Doc audit of `{}`\n\n", report.doc);
            if report.findings.is_empty() {
                out.push_str("No differences: the spec transcribes this text.\n");
                return out;
            }
            let _ = writeln!(
                out,
                "{} finding(s): {} mechanical, {} needing judgement.\n",
                report.findings.len(),
                report.mechanical().count(),
                report.needs_judgement().count()
            );
            for (title, judged) in [("Mechanical", false), ("Needs judgement", true)] {
                let list: Vec<&Finding> = report
                    .findings
                    .iter()
                    .filter(|f| f.judgement.is_some() == judged)
                    .collect();
                if list.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "### {title}\n");
                out.push_str("| Line | Kind | Table | Name | Column | Doc | Spec | Note |\n|---|---|---|---|---|---|---|---|\n");
                for f in list {
                    let cell = |s: &str| clip(s, 80).replace('|', "\\|");
                    let note = f.judgement.as_deref().unwrap_or(&f.text);
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} | {} | {} |",
                        f.line,
                        f.kind.as_str(),
                        f.table,
                        cell(&f.name),
                        f.column.as_deref().unwrap_or(""),
                        cell(f.doc.as_deref().unwrap_or("")),
                        cell(f.spec.as_deref().unwrap_or("")),
                        cell(note)
                    );
                }
                out.push('\n');
            }
            out
        }
    }
}
