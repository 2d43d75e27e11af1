//! The spec: model, loader, semantic checks and a generic checker of values.
//!
//! `load_dir("spec")` reads every YAML file, deserialises it into [`model::SpecFile`],
//! checks references and limits, verifies the examples against their messages, and
//! returns a [`Spec`] or [`SpecErrors`] that point at file, line and column.

mod check;
pub mod diagnostic;
mod load;
pub mod model;
mod query;
pub mod validate;
mod yaml;

pub use diagnostic::{SpecError, SpecErrors};
pub use load::{load_dir, load_sources, SourceFile, Spec, NOT_SPEC_FILES};
pub(crate) use yaml::parse_yaml;
pub(crate) use yaml::to_yaml;
