//! `--apply`: the mechanical findings as edits of the spec's YAML text.
//!
//! Every edit is a replacement of a byte range computed from the loader's span index of
//! the *unchanged* text: a scalar value on one line, a `key: value` line inserted after a
//! sibling key, a sequence item inserted after its predecessor or removed with all its
//! lines. Nothing is re-serialised, so untouched lines, comments, quoting and key order
//! stay as they are. Each finding's edits are first tried alone: if the spec no longer
//! loads with them (a removed row that a rule or an example still uses, a new required
//! field that an example lacks…), the finding is left untouched and listed as needing
//! judgement with the loader's first error. The accepted edits are then applied together,
//! bottom-up per file so that the spans of the unchanged text stay valid.

use std::collections::BTreeMap;

use super::reconcile::Target;
use super::Finding;
use crate::spec::{load_sources, SourceFile, Spec};

/// What `--apply` did.
#[derive(Debug, Clone, Default)]
pub struct ApplyOutcome {
    /// New text of every spec file it changed, by name relative to `spec/`.
    pub files: BTreeMap<String, String>,
    /// Findings it applied.
    pub applied: Vec<Finding>,
    /// Findings left for a person (with why, in `judgement`).
    pub needs_judgement: Vec<Finding>,
    /// Set when the accepted edits, applied together, do not load (nothing is written then).
    pub error: Option<String>,
}

/// One replacement in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    file: usize,
    start: usize,
    end: usize,
    text: String,
    /// Position of the finding (edits at the same place apply in reverse, so that the
    /// result is in the findings' order).
    order: usize,
}

/// Tries each mechanical finding alone: one whose edit cannot be made, or after which
/// the spec does not load, becomes a finding that needs judgement (with why). The audit
/// calls this, so that a report never calls mechanical what `--apply` would refuse.
pub fn vet(spec: &Spec, findings: Vec<Finding>) -> Vec<Finding> {
    findings
        .into_iter()
        .enumerate()
        .map(|(order, f)| match trial(spec, &f, order) {
            Ok(_) | Err(None) => f,
            Err(Some(why)) => judged(&f, why),
        })
        .collect()
}

/// The edits of a mechanical finding that loads alone; `Err(None)` for a finding that
/// needs judgement anyway, `Err(Some(why))` for one that cannot be applied.
fn trial(spec: &Spec, f: &Finding, order: usize) -> Result<Vec<Edit>, Option<String>> {
    let Some(target) = &f.target else {
        return Err(None);
    };
    let edits = edits_for(&spec.files, target, order).map_err(Some)?;
    try_load(spec, &edits).map_err(|why| {
        Some(format!(
            "applied alone, the spec would not load ({why}); change it by hand"
        ))
    })?;
    Ok(edits)
}

/// Applies the mechanical findings of an audit of `spec`.
pub fn apply(spec: &Spec, findings: &[Finding]) -> ApplyOutcome {
    let mut out = ApplyOutcome::default();
    let mut accepted: Vec<Edit> = Vec::new();
    for (order, f) in findings.iter().enumerate() {
        match trial(spec, f, order) {
            Ok(edits) => {
                accepted.extend(edits);
                out.applied.push(f.clone());
            }
            Err(None) => out.needs_judgement.push(f.clone()),
            Err(Some(why)) => out.needs_judgement.push(judged(f, why)),
        }
    }
    if accepted.is_empty() {
        return out;
    }
    match try_load(spec, &accepted) {
        Ok(texts) => {
            let touched: std::collections::BTreeSet<usize> =
                accepted.iter().map(|e| e.file).collect();
            for fi in touched {
                out.files
                    .insert(spec.files[fi].name.clone(), texts[fi].1.clone());
            }
        }
        Err(why) => {
            out.error = Some(format!(
                "the mechanical edits load one by one but not together: {why}"
            ));
        }
    }
    out
}

fn judged(f: &Finding, why: String) -> Finding {
    let mut f = f.clone();
    f.judgement = Some(why);
    f.target = None;
    f
}

/// The files' texts with `edits` applied.
fn edited(files: &[SourceFile], edits: &[Edit]) -> Vec<(String, String)> {
    let mut by_file: BTreeMap<usize, Vec<&Edit>> = BTreeMap::new();
    for e in edits {
        by_file.entry(e.file).or_default().push(e);
    }
    files
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let mut text = f.text.to_string();
            if let Some(list) = by_file.get_mut(&fi) {
                list.sort_by_key(|e| std::cmp::Reverse((e.start, e.order)));
                for e in list.iter() {
                    if e.start <= e.end
                        && e.end <= text.len()
                        && text.is_char_boundary(e.start)
                        && text.is_char_boundary(e.end)
                    {
                        text.replace_range(e.start..e.end, &e.text);
                    }
                }
            }
            (f.name.clone(), text)
        })
        .collect()
}

/// Loads the spec with `edits` applied; the edited texts, or the loader's first error.
fn try_load(spec: &Spec, edits: &[Edit]) -> Result<Vec<(String, String)>, String> {
    let texts = edited(&spec.files, edits);
    match load_sources(texts.clone(), |p| spec.aux.get(p).cloned()) {
        Ok(_) => Ok(texts),
        Err(e) => Err(e
            .errors
            .first()
            .map(|e| e.to_string())
            .unwrap_or_else(|| "unknown error".into())),
    }
}

/// Start of the line holding byte `off`.
fn line_start(text: &str, off: usize) -> usize {
    text[..off].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// End of the line holding byte `off`, after its newline.
fn line_end(text: &str, off: usize) -> usize {
    text[off..]
        .find('\n')
        .map(|i| off + i + 1)
        .unwrap_or(text.len())
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// End (after the newline) of the lines that belong to a node starting on the line at
/// `start`: the following lines indented deeper than `col`, blank lines between them
/// included and trailing blank lines excluded.
fn block_end(text: &str, start: usize, col: usize) -> usize {
    let mut end = line_end(text, start);
    let mut pos = end;
    while pos < text.len() {
        let next = line_end(text, pos);
        let line = text[pos..next].trim_end_matches('\n');
        if line.trim().is_empty() {
            pos = next;
            continue;
        }
        if indent(line) <= col {
            break;
        }
        end = next;
        pos = next;
    }
    end
}

/// The column of the `- ` of the sequence item whose first node starts at `off`.
fn dash_col(text: &str, off: usize) -> Result<usize, String> {
    let ls = line_start(text, off);
    let line = &text[ls..line_end(text, ls)];
    let col = indent(line);
    if line[col..].starts_with('-') {
        Ok(col)
    } else {
        Err("the sequence is not a block sequence with one item per `- `".into())
    }
}

fn edits_for(files: &[SourceFile], target: &Target, order: usize) -> Result<Vec<Edit>, String> {
    let edit = |file: usize, start: usize, end: usize, text: String| Edit {
        file,
        start,
        end,
        text,
        order,
    };
    match target {
        Target::Scalar { file, path, value } => {
            let f = &files[*file];
            let (s, len) = f
                .spans
                .get(path)
                .ok_or_else(|| format!("{path} not found"))?;
            if f.text[s..].starts_with(['|', '>']) {
                return Err(format!("{path} is a block scalar; edit it by hand"));
            }
            Ok(vec![edit(*file, s, s + len, value.clone())])
        }
        Target::Set {
            file,
            path,
            sets,
            anchors,
        } => {
            let f = &files[*file];
            let text = &*f.text;
            let mut out = Vec::new();
            for (key, value) in sets {
                let kp = format!("{path}.{key}");
                match f.spans.get_key(&kp) {
                    Some((ks, kl)) => {
                        let ls = line_start(text, ks);
                        let le = line_end(text, ks);
                        let col = ks - ls;
                        if block_end(text, ks, col) != le {
                            return Err(format!(
                                "the value of {kp} spans several lines; edit it by hand"
                            ));
                        }
                        let rest = &text[ks + kl..le];
                        let Some(colon) = rest.find(':') else {
                            return Err(format!("no `:` after {kp}"));
                        };
                        let vstart = ks + kl + colon + 1;
                        let v = text[vstart..le].trim();
                        if v.is_empty() || v.starts_with(['|', '>']) {
                            return Err(format!("the value of {kp} is a block; edit it by hand"));
                        }
                        let vend = if text[..le].ends_with('\n') {
                            le - 1
                        } else {
                            le
                        };
                        match value {
                            Some(v) => out.push(edit(*file, vstart, vend, format!(" {v}"))),
                            None => out.push(edit(*file, ls, le, String::new())),
                        }
                    }
                    None => {
                        let Some(v) = value else { continue };
                        let anchor = anchors
                            .iter()
                            .find_map(|a| f.spans.get_key(&format!("{path}.{a}")))
                            .ok_or_else(|| {
                                format!(
                                    "{path} has none of the keys {anchors:?} to place {key} after"
                                )
                            })?;
                        let (ks, _) = anchor;
                        let col = ks - line_start(text, ks);
                        let at = block_end(text, ks, col);
                        let nl = if text[..at].ends_with('\n') { "" } else { "\n" };
                        out.push(edit(
                            *file,
                            at,
                            at,
                            format!("{nl}{}{key}: {v}\n", " ".repeat(col)),
                        ));
                    }
                }
            }
            Ok(out)
        }
        Target::Insert {
            file,
            seq,
            after,
            item,
        } => {
            let f = &files[*file];
            let text = &*f.text;
            let first = f
                .spans
                .get(&format!("{seq}[0]"))
                .ok_or_else(|| format!("{seq} has no item to place the new one beside"))?;
            let col = dash_col(text, first.0)?;
            let at = match after {
                None => line_start(text, first.0),
                Some(k) => {
                    let (s, _) = f
                        .spans
                        .get(&format!("{seq}[{k}]"))
                        .ok_or_else(|| format!("{seq}[{k}] not found"))?;
                    if dash_col(text, s)? != col {
                        return Err(format!("{seq}[{k}] is not laid out like {seq}[0]"));
                    }
                    block_end(text, s, col)
                }
            };
            let mut lines = String::new();
            if !text[..at].ends_with('\n') && at > 0 {
                lines.push('\n');
            }
            for (i, l) in item.iter().enumerate() {
                let lead = if i == 0 { "- " } else { "  " };
                lines.push_str(&format!("{}{lead}{l}\n", " ".repeat(col)));
            }
            Ok(vec![edit(*file, at, at, lines)])
        }
        Target::Remove { file, path } => {
            let f = &files[*file];
            let text = &*f.text;
            let (s, _) = f
                .spans
                .get(path)
                .ok_or_else(|| format!("{path} not found"))?;
            let col = dash_col(text, s)?;
            Ok(vec![edit(
                *file,
                line_start(text, s),
                block_end(text, s, col),
                String::new(),
            )])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_the_next_sibling_and_keep_their_comments() {
        let text = "fields:\n- name: a\n  # note\n  zh: x\n\n- name: b\nrules: []\n";
        let a = text.find("name: a").unwrap();
        let end = block_end(text, a, 0);
        assert_eq!(
            &text[line_start(text, a)..end],
            "- name: a\n  # note\n  zh: x\n"
        );
        let b = text.find("name: b").unwrap();
        assert_eq!(&text[b..block_end(text, b, 0)], "name: b\n");
    }
}
