//! Spec loader and code generator for the Huawei Cloud Voice Call API.
//!
//! `spec/*.yaml` → [`spec::load_dir`] (model, semantic checks, examples verified)
//! → documents rendered from it ([`docs`], [`schema`]). The Rust generator of the
//! codegen issue will hang off the same loaded [`spec::Spec`].

pub mod base64_pattern;
pub mod diff;
pub mod docaudit;
pub mod docs;
pub mod ensure;
pub mod generate;
mod ir;
pub mod portable;
pub mod render;
pub mod schema;
pub mod schemas;
pub mod spec;

use std::path::{Path, PathBuf};

use ensure::{ensure_file_contents, splice, Stale};

/// The command that regenerates the files [`write_spec_docs`] owns.
pub const SPEC_GEN_COMMAND: &str = "cargo xtask spec gen";

/// Writes (or, with `check`, verifies) the documents derived from the spec:
/// `spec/schema.json`, `spec/ERRATA.md` and the coverage and precedence tables in
/// `spec/README.md`.
/// Returns the files it changed; in check mode, every stale file.
pub fn write_spec_docs(
    spec_dir: &Path,
    spec: &spec::Spec,
    check: bool,
) -> Result<Vec<PathBuf>, Vec<Stale>> {
    let mut changed = Vec::new();
    let mut stale = Vec::new();
    let readme_path = spec_dir.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap_or_default();
    let readme = splice(&readme, "coverage", &docs::coverage_markdown(spec)).unwrap_or(readme);
    let readme = splice(&readme, "precedence", &docs::precedence_markdown(spec)).unwrap_or(readme);
    let outputs = [
        (spec_dir.join("schema.json"), schema::spec_file_schema()),
        (spec_dir.join("ERRATA.md"), docs::errata_markdown(spec)),
        (readme_path, readme),
    ];
    for (path, text) in outputs {
        match ensure_file_contents(&path, &text, check, SPEC_GEN_COMMAND) {
            Ok(true) => changed.push(path),
            Ok(false) => {}
            Err(e) => stale.push(e),
        }
    }
    if stale.is_empty() {
        Ok(changed)
    } else {
        Err(stale)
    }
}

/// The command that regenerates `generated/`.
pub const CODEGEN_COMMAND: &str = "cargo xtask codegen";

/// Writes (or, with `check`, verifies) every file the generator produces under `root`
/// (the workspace root). In check mode, also reports generated files the spec no longer
/// produces. Returns the files written.
pub fn write_generated(
    root: &Path,
    spec: &spec::Spec,
    check: bool,
) -> Result<Vec<String>, Vec<String>> {
    let files = generate::generate(spec).map_err(|e| vec![e.to_string()])?;
    let mut changed = Vec::new();
    let mut problems = Vec::new();
    for (rel, text) in &files {
        match ensure_file_contents(&root.join(rel), text, check, CODEGEN_COMMAND) {
            Ok(true) => changed.push(rel.clone()),
            Ok(false) => {}
            Err(e) => problems.push(e.to_string()),
        }
    }
    let owned = [generate::GEN_DIR, "generated/schema", "generated/tests/gen"];
    let existing = owned.iter().flat_map(|dir| {
        list_files(&root.join(dir))
            .into_iter()
            .map(move |rel| format!("{dir}/{rel}"))
    });
    // Snapshot files next to the generated tests are written by insta, not by the generator.
    for rel in existing
        .filter(|r| !r.contains("/snapshots/"))
        .collect::<Vec<_>>()
    {
        if !files.contains_key(&rel) {
            if check {
                problems.push(format!(
                    "{rel} is not produced by the spec any more; run `{CODEGEN_COMMAND}`"
                ));
            } else if std::fs::remove_file(root.join(&rel)).is_ok() {
                changed.push(format!("{rel} (removed)"));
            }
        }
    }
    if problems.is_empty() {
        Ok(changed)
    } else {
        Err(problems)
    }
}

/// Files below `dir`, relative to it, with `/` separators.
fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}
