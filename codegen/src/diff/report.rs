//! The three reports of `spec diff`: text for a terminal, Markdown for a PR comment,
//! JSON for tools. Each is a pure function of the [`Diff`], so re-runs print the same.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::change::{Audience, Change, Severity};
use super::Diff;

/// `service › operation › message` of a change (the report's grouping).
fn group(c: &Change) -> (String, String, String) {
    let p = &c.place;
    (
        p.service.clone().unwrap_or_else(|| "spec-wide".into()),
        p.operation.clone().unwrap_or_default(),
        p.message
            .clone()
            .or_else(|| p.table.as_ref().map(|t| format!("表{t}")))
            .unwrap_or_default(),
    )
}

fn counts(d: &Diff) -> (usize, usize, usize, usize) {
    let n = |s| d.changes.iter().filter(|c| c.severity == s).count();
    let accepted = d.changes.iter().filter(|c| c.accepted.is_some()).count();
    (
        n(Severity::Breaking),
        n(Severity::Warning),
        n(Severity::Info),
        accepted,
    )
}

fn headline(d: &Diff) -> String {
    let (b, w, i, a) = counts(d);
    let accepted = if a > 0 {
        format!(" ({a} accepted)")
    } else {
        String::new()
    };
    format!("{b} breaking{accepted}, {w} warning(s), {i} info")
}

fn bump(d: &Diff) -> String {
    match d.semver {
        super::Semver::None => "the `voicecall` crate is unchanged".into(),
        s => format!("the `voicecall` crate needs a {} version bump", s.as_str()),
    }
}

fn audiences(c: &Change) -> String {
    c.audiences
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line of text, at most `max` characters, for values that may be long or multi-line.
fn clip(s: &str, max: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        format!("{}…", one.chars().take(max).collect::<String>())
    } else {
        one
    }
}

fn values(c: &Change, max: usize) -> String {
    match (&c.before, &c.after) {
        (None, None) => String::new(),
        (Some(b), None) => format!("{} → (none)", clip(b, max)),
        (None, Some(a)) => format!("(none) → {}", clip(a, max)),
        (Some(b), Some(a)) => {
            let (b, a) = around_difference(b, a, max);
            format!("{} → {}", clip(&b, max), clip(&a, max))
        }
    }
}

/// Two long texts that share a long beginning, each cut to start shortly before the
/// first difference, so the clipped values show what changed.
fn around_difference(b: &str, a: &str, max: usize) -> (String, String) {
    let (b1, a1): (Vec<char>, Vec<char>) = (
        b.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .collect(),
        a.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .collect(),
    );
    let common = b1.iter().zip(&a1).take_while(|(x, y)| x == y).count();
    if common + 10 < max {
        return (b.to_string(), a.to_string());
    }
    let from = common.saturating_sub(10);
    let cut = |v: &[char]| format!("…{}", v[from.min(v.len())..].iter().collect::<String>());
    (cut(&b1), cut(&a1))
}

/// Text for a terminal: grouped by service → operation/push → message, one line a change.
pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "spec diff: {} → {}", d.base, d.head);
    if d.changes.is_empty() {
        let _ = writeln!(out, "no changes");
        return out;
    }
    let _ = writeln!(out, "{}; {}", headline(d), bump(d));
    let mut groups: BTreeMap<(String, String, String), Vec<&Change>> = BTreeMap::new();
    for c in &d.changes {
        groups.entry(group(c)).or_default().push(c);
    }
    let (mut last_service, mut last_op) = (String::new(), String::new());
    for ((service, op, msg), list) in groups {
        if service != last_service {
            let _ = writeln!(out, "\n{service}");
            last_service = service;
            last_op.clear();
        }
        if op != last_op && !op.is_empty() {
            let _ = writeln!(out, "  {op}");
            last_op = op.clone();
        }
        let indent = if msg.is_empty() {
            "    "
        } else {
            let _ = writeln!(out, "    {msg}");
            "      "
        };
        for c in list {
            let sev = match c.severity {
                Severity::Breaking => "BREAKING",
                Severity::Warning => "WARNING ",
                Severity::Info => "info    ",
            };
            let who = if c.audiences.is_empty() {
                String::new()
            } else {
                format!(" [{}]", audiences(c))
            };
            let vals = values(c, 60);
            let vals = if vals.is_empty() {
                String::new()
            } else {
                format!(": {vals}")
            };
            let doc = c
                .doc
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let acc = c
                .accepted
                .as_ref()
                .map(|r| format!(" — accepted: {r}"))
                .unwrap_or_default();
            let _ = writeln!(out, "{indent}{sev}{who} {}{vals}{doc}{acc}", c.text);
            if let Some(r) = &c.rust {
                let _ = writeln!(out, "{indent}         Rust: {r}");
            }
            let _ = writeln!(out, "{indent}         id {}", c.id);
        }
    }
    out
}

/// Markdown for a PR comment: a summary table, then the changes by severity (breaking
/// first), grouped by service › operation/push › message, long lists collapsed.
pub fn markdown(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Spec diff: `{}` → {}\n", d.base, d.head);
    if d.changes.is_empty() {
        let _ = writeln!(out, "No semantic change to `spec/`.");
        return out;
    }
    let (b, w, i, a) = counts(d);
    let blocking = d.changes.iter().filter(|c| c.blocks()).count();
    let verdict = if blocking > 0 {
        format!("❌ **{blocking} breaking change(s) not accepted**")
    } else if b > 0 {
        format!("✅ **every breaking change is accepted** ({a} accepted)")
    } else {
        "✅ **nothing breaking**".into()
    };
    let _ = writeln!(
        out,
        "{verdict} · {b} breaking · {w} warning(s) · {i} info · `voicecall` semver: **{}**\n",
        d.semver.as_str()
    );
    let _ = writeln!(out, "| audience | breaking | warning |\n|---|---:|---:|");
    for aud in Audience::ALL {
        let n = |s| {
            d.changes
                .iter()
                .filter(|c| c.severity == s && c.audiences.contains(&aud))
                .count()
        };
        let who = match aud {
            Audience::Callers => "callers (send requests)",
            Audience::Receivers => "receivers (read responses and pushes)",
            Audience::RustApi => "rust-api (the `voicecall` crate)",
        };
        let _ = writeln!(
            out,
            "| {who} | {} | {} |",
            n(Severity::Breaking),
            n(Severity::Warning)
        );
    }
    if blocking > 0 {
        let _ = writeln!(out, "\nTo make a breaking change on purpose, add its id and a reason to `spec/diff-accept.yaml`.");
    }
    out.push('\n');
    for (sev, title) in [
        (Severity::Breaking, "Breaking"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Info (breaks no one)"),
    ] {
        let list: Vec<&Change> = d.changes.iter().filter(|c| c.severity == sev).collect();
        if list.is_empty() {
            continue;
        }
        let collapse = sev == Severity::Info || list.len() > 15;
        if collapse {
            let _ = writeln!(
                out,
                "<details><summary><b>{title} ({})</b></summary>\n",
                list.len()
            );
        } else {
            let _ = writeln!(out, "### {title} ({})\n", list.len());
        }
        let mut groups: BTreeMap<(String, String, String), Vec<&Change>> = BTreeMap::new();
        for c in list {
            groups.entry(group(c)).or_default().push(c);
        }
        for ((service, op, msg), list) in groups {
            let path: Vec<String> = [service, op, msg]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            let _ = writeln!(out, "**{}**\n", md(&path.join(" › ")));
            for c in list {
                let who = if c.audiences.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", audiences(c))
                };
                let vals = values(c, 80);
                let vals = if vals.is_empty() {
                    String::new()
                } else {
                    format!(": {}", code(&vals))
                };
                let doc = c
                    .doc
                    .as_ref()
                    .map(|d| format!(" · {}", md(d)))
                    .unwrap_or_default();
                let acc = c
                    .accepted
                    .as_ref()
                    .map(|r| format!(" · ✅ accepted: {}", md(r)))
                    .unwrap_or_default();
                let rust = c
                    .rust
                    .as_ref()
                    .map(|r| format!("<br>Rust: {}", md(r)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "- {}{vals}{who}{doc}{acc} <sub>`{}`</sub>{rust}",
                    md(&c.text),
                    c.id.replace('`', "'")
                );
            }
            out.push('\n');
        }
        if collapse {
            let _ = writeln!(out, "</details>\n");
        }
    }
    out
}

/// JSON for tools: `{"base", "head", "semver", "changes": […]}`.
pub fn json(d: &Diff) -> String {
    let mut s =
        serde_json::to_string_pretty(d).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Text safe in Markdown: no HTML, no table or emphasis surprises.
fn md(s: &str) -> String {
    s.replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

/// An inline code span that holds any text (longer fences around backticks).
fn code(s: &str) -> String {
    let s = s.replace('|', "¦");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}
