//! Spec loader and code generator for the Huawei Cloud Voice Call API.
//!
//! `spec/*.yaml` → [`spec::load_dir`] (model, semantic checks, examples verified)
//! → documents rendered from it ([`docs`], [`schema`]). The Rust generator of the
//! codegen issue will hang off the same loaded [`spec::Spec`].

pub mod base64_pattern;
pub mod cache;
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

/// Folders (relative to the workspace root) whose every file the generator owns: a
/// file there that the spec does not produce is reported by `--check` and removed
/// otherwise. Snapshot files insta writes beside the generated tests are left out.
pub const OWNED_DIRS: &[&str] = &[generate::GEN_DIR, "generated/schema", "generated/tests/gen"];

/// Writes (or, with `check`, verifies) every file the generator produces under `root`
/// (the workspace root). In check mode, also reports generated files the spec no longer
/// produces. Returns the files written.
pub fn write_generated(
    root: &Path,
    spec: &spec::Spec,
    check: bool,
) -> Result<Vec<String>, Vec<String>> {
    let files = generate::generate(spec).map_err(|e| vec![e.to_string()])?;
    write_files(root, &files, check)
}

/// What [`codegen`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodegenRun {
    /// The files written or removed (none in check mode).
    pub changed: Vec<String>,
    /// True when the generation record showed `generated/` current without loading or
    /// rendering anything (see [`cache`]).
    pub from_record: bool,
}

/// Why [`codegen`] failed.
#[derive(Debug)]
pub enum CodegenError {
    /// `spec/` does not load.
    Spec(spec::SpecErrors),
    /// A template failed, or (check mode) files are stale, or a file cannot be written.
    Problems(Vec<String>),
}

/// `cargo xtask codegen [--check]`: [`write_generated`] for the spec in `root/spec`,
/// with the caches of [`cache`] in `cache_dir` when one is given. When the generation
/// record shows `generated/` current (same inputs, same generator, every file as
/// generated), nothing is loaded or rendered; otherwise the full run happens, with
/// prettyplease's output reused for rendered texts it has formatted before, and a
/// successful run is recorded.
pub fn codegen(
    root: &Path,
    cache_dir: Option<&Path>,
    check: bool,
) -> Result<CodegenRun, CodegenError> {
    let spec_dir = root.join("spec");
    if let Some(dir) = cache_dir {
        if cache::Record::load(dir).is_some_and(|r| r.matches_disk(root, &spec_dir, OWNED_DIRS)) {
            return Ok(CodegenRun {
                changed: Vec::new(),
                from_record: true,
            });
        }
    }
    let digest_before = cache_dir.and_then(|_| cache::InputKey::spec_dir_digest(&spec_dir));
    let spec = spec::load_dir(&spec_dir).map_err(CodegenError::Spec)?;
    let format_cache = cache_dir.and_then(|d| cache::FormatCache::new(d.join("fmt")));
    let files = generate::generate_with(&spec, format_cache.as_ref())
        .map_err(|e| CodegenError::Problems(vec![e.to_string()]))?;
    if let Some(c) = &format_cache {
        c.prune();
    }
    let changed = write_files(root, &files, check).map_err(CodegenError::Problems)?;
    // Recorded only when spec/ did not change while this run read it.
    if let (Some(dir), Some(before)) = (cache_dir, digest_before) {
        if cache::InputKey::spec_dir_digest(&spec_dir).as_ref() == Some(&before) {
            let aux = spec.aux.iter().map(|(p, t)| (p.as_str(), t.as_bytes()));
            if let Some(key) = cache::InputKey::new(&before, aux) {
                cache::Record {
                    key,
                    aux: spec.aux.keys().cloned().collect(),
                    files: files
                        .iter()
                        .map(|(p, t)| (p.clone(), cache::sha256_hex(t.as_bytes())))
                        .collect(),
                }
                .store(dir);
            }
        }
    }
    Ok(CodegenRun {
        changed,
        from_record: false,
    })
}

/// Makes the files under `root` what `files` says (or, with `check`, reports each one
/// that is not, and each file in [`OWNED_DIRS`] that `files` does not hold).
fn write_files(
    root: &Path,
    files: &std::collections::BTreeMap<String, String>,
    check: bool,
) -> Result<Vec<String>, Vec<String>> {
    let mut changed = Vec::new();
    let mut problems = Vec::new();
    for (rel, text) in files {
        match ensure_file_contents(&root.join(rel), text, check, CODEGEN_COMMAND) {
            Ok(true) => changed.push(rel.clone()),
            Ok(false) => {}
            Err(e) => problems.push(e.to_string()),
        }
    }
    for rel in cache::owned_files(root, OWNED_DIRS) {
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
