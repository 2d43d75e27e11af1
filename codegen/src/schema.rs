//! JSON Schema of the spec format itself, for editors (`spec/schema.json`).

use crate::spec::model::SpecFile;

/// `spec/schema.json`: the JSON Schema of one spec file, generated from the serde model
/// so that the editor's view of the format can never drift from the loader's.
pub fn spec_file_schema() -> String {
    let schema = schemars::schema_for!(SpecFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}
