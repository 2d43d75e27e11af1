//! Hand-written runtime that the generated code calls: violations and JSON paths,
//! the primitive checks, format matchers and the serde helpers of lenient enums.
//! Nothing here knows the API; everything API-specific is generated from `spec/`.

mod build;
mod check;
mod encoded;
pub mod flag;
mod format;
mod key;
mod path;
pub mod shape;
mod violation;

pub use build::MissingFields;
pub use check::{check_items, check_length, check_range, LengthUnit};
pub use encoded::{check_encoded_format, check_encoded_length};
pub use format::{Encoding, Format};
pub use key::Key;
pub use path::Path;
pub use violation::{Rule, Severity, Violation};

/// Standard Base64 of `plain` (for fields whose wire value is Base64, e.g. statusUrl).
pub fn encode_base64(plain: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(plain)
}

/// The text a Base64 value encodes, if it is Base64 of UTF-8 text.
pub fn decode_base64(wire: &str) -> Option<String> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(wire)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

/// A message that can check itself against the reference's rules.
pub trait Validate {
    /// Appends every violation found under `path` to `out`.
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>);

    /// Every violation of the value, in field order. Never panics.
    fn validate(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        self.validate_at(&Path::root(), &mut out);
        out
    }

    /// Whether the value has no error (warnings are allowed).
    fn is_valid(&self) -> bool {
        self.validate()
            .iter()
            .all(|v| v.severity == Severity::Warning)
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate_at(&self, path: &Path<'_>, out: &mut Vec<Violation>) {
        (**self).validate_at(path, out)
    }
}
