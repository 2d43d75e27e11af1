//! Reading `spec/`: every `*.yaml` file below it, plus the fixture files they name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::check;
use super::diagnostic::{SpecError, SpecErrors};
use super::model::*;
use super::yaml::{parse_spec_file, SpanIndex};

/// One YAML file as read: its name relative to `spec/`, its text, and what it says.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to `spec/`, with `/` separators.
    pub name: String,
    /// The text.
    pub text: Arc<str>,
    /// The parsed content.
    pub content: SpecFile,
    pub(crate) spans: SpanIndex,
}

/// The whole spec: every file, in path order, and indexes by name. Build it with
/// [`load_dir`] or [`load_sources`]; a `Spec` that exists has passed every check.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The files, sorted by name.
    pub files: Vec<SourceFile>,
    /// Fixture files (verbatim texts and JSON bodies) by their path relative to `spec/`.
    pub aux: BTreeMap<String, String>,
    pub(crate) index: check::Index,
}

/// YAML files of `spec/` (relative to it) that are not spec files: the accept-list of
/// `spec diff`. The loader leaves them out.
pub const NOT_SPEC_FILES: &[&str] = &["diff-accept.yaml"];

/// Loads and checks every `*.yaml` file below `dir` (the `spec/` folder) except
/// [`NOT_SPEC_FILES`].
pub fn load_dir(dir: &Path) -> Result<Spec, SpecErrors> {
    let mut paths = Vec::new();
    collect_yaml(dir, dir, &mut paths).map_err(|e| SpecErrors {
        errors: vec![SpecError::whole_file(
            &dir.display().to_string(),
            format!("cannot read the spec folder: {e}"),
            Some("run from the workspace root, or pass the path of spec/".into()),
        )],
    })?;
    paths.sort();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for rel in paths {
        match std::fs::read_to_string(dir.join(&rel)) {
            Ok(text) => sources.push((rel, text)),
            Err(e) => errors.push(SpecError::whole_file(
                &rel,
                format!("cannot read: {e}"),
                Some("check the file's permissions and that it is UTF-8".into()),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(SpecErrors { errors });
    }
    load_sources(sources, |rel| std::fs::read_to_string(dir.join(rel)).ok())
}

fn collect_yaml(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        if path.is_dir() {
            collect_yaml(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !NOT_SPEC_FILES.contains(&rel.as_str()) {
                out.push(rel);
            }
        }
    }
    Ok(())
}

/// Loads and checks spec files given as `(name, text)`; `read_aux` returns the text
/// of a fixture file named relative to `spec/`. Never panics, whatever the input.
pub fn load_sources(
    sources: Vec<(String, String)>,
    read_aux: impl Fn(&str) -> Option<String>,
) -> Result<Spec, SpecErrors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in sources {
        let text: Arc<str> = Arc::from(text);
        match parse_spec_file(&text) {
            Ok(content) => files.push(SourceFile {
                spans: SpanIndex::build(&text),
                name,
                text,
                content,
            }),
            Err(e) => {
                // serde_yaml appends " at line L column C"; the diagnostic shows that already.
                let message = match e.message.rfind(" at line ") {
                    Some(i) => e.message[..i].to_string(),
                    None => e.message.clone(),
                };
                errors.push(SpecError::new(
                    &name,
                    &text,
                    (e.offset, 1),
                    message.clone(),
                    "here",
                    Some(yaml_help(&message)),
                ))
            }
        }
    }
    if !errors.is_empty() {
        return Err(SpecErrors { errors });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut aux = BTreeMap::new();
    for f in &files {
        for fx in &f.content.fixtures {
            for p in [Some(&fx.verbatim), fx.body.as_ref()].into_iter().flatten() {
                if let Some(text) = read_aux(p) {
                    aux.insert(p.clone(), text);
                }
            }
        }
    }
    check::check(files, aux)
}

/// Advice for serde's messages, which say what is wrong but not what to do.
fn yaml_help(message: &str) -> String {
    if let Some(suggestion) = did_you_mean(message) {
        format!("did you mean `{suggestion}`? The allowed keys are listed in the message and in spec/schema.json")
    } else if message.contains("unknown field") {
        "remove the key or correct its spelling; the allowed keys are listed in the message and in spec/schema.json".into()
    } else if message.contains("missing field") {
        "add the missing key; spec/README.md shows a complete example of each kind of entry".into()
    } else if message.contains("unknown variant") {
        "use one of the values the message lists".into()
    } else if message.contains("invalid type") {
        "give the value the type the message expects (quote numbers that are strings, e.g. code: '1010002')".into()
    } else {
        "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed quote)"
            .into()
    }
}

/// For "unknown field `requird`, expected one of `name`, `required`, …", the closest
/// allowed key (at most two edits away).
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (bad, rest) = rest.split_once('`')?;
    let allowed = rest.split('`').skip(1).step_by(2);
    allowed
        .map(|k| (edit_distance(bad, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.to_string())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_allowed_key() {
        let m = "messages[0]: unknown field `requird`, expected one of `name`, `required`, `type`";
        assert_eq!(did_you_mean(m).as_deref(), Some("required"));
        let far = "unknown field `zzzzzz`, expected one of `name`, `type`";
        assert_eq!(did_you_mean(far), None);
    }

    #[test]
    fn missing_fixture_files_are_reported_not_panicked_on() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/broken/fixture-mismatch.yaml"
        ))
        .unwrap();
        let err = load_sources(vec![("f.yaml".into(), text)], |_| None).unwrap_err();
        assert!(
            err.errors
                .iter()
                .any(|e| e.message.contains("cannot read fixture-mismatch.txt")),
            "{}",
            err.render()
        );
    }
}
