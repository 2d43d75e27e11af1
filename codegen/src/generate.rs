//! The whole generator: spec → IR → rendered files, as an ordered map of paths
//! (relative to the workspace root) to contents. Pure: writing is the caller's job.

use std::collections::BTreeMap;

use crate::ir;
use crate::render::{self, RenderError};
use crate::spec::Spec;

/// Folder of the generated Rust modules, relative to the workspace root.
pub const GEN_DIR: &str = "generated/src/gen";

/// Every file `cargo xtask codegen` writes, by path relative to the workspace root.
pub fn generate(spec: &Spec) -> Result<BTreeMap<String, String>, RenderError> {
    let ir = ir::build(spec);
    let mut out = BTreeMap::new();
    for (path, text) in render::render_rust(&ir)? {
        out.insert(format!("{GEN_DIR}/{path}"), text);
    }
    Ok(out)
}
