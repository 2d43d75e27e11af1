//! Spec loader and code generator for the Huawei Cloud Voice Call API.
//!
//! `spec/*.yaml` → [`spec::load_dir`] (model, semantic checks, examples verified)
//! → documents rendered from it ([`docs`], [`schema`]). The Rust generator of the
//! codegen issue will hang off the same loaded [`spec::Spec`].

pub mod docs;
pub mod ensure;
pub mod schema;
pub mod spec;

use std::path::{Path, PathBuf};

use ensure::{ensure_file_contents, splice, Stale};

/// The command that regenerates the files [`write_spec_docs`] owns.
pub const SPEC_GEN_COMMAND: &str = "cargo xtask spec gen";

/// Writes (or, with `check`, verifies) the documents derived from the spec:
/// `spec/schema.json`, `spec/ERRATA.md` and the coverage table in `spec/README.md`.
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
