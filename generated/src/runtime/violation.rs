//! What a validator reports.

use std::fmt;

/// The kind of rule a value breaks; the names match the spec's generic checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A value has the wrong JSON type (a number for a string, an object for an array…).
    Type,
    /// A required field is absent.
    Required,
    /// A string is shorter or longer than allowed.
    Length,
    /// An integer is outside its range.
    Range,
    /// An array has too few or too many items.
    Items,
    /// A value is not one of the enumerated values.
    Enum,
    /// A string does not have its format.
    Format,
    /// A field the table does not define.
    UnknownField,
    /// Not exactly one of a set of fields is present.
    ExactlyOneOf,
    /// A field required by a condition is absent.
    RequiredWhen,
    /// A field is present although its condition does not hold.
    OnlyWhen,
}

impl Rule {
    /// The rule's name as the spec writes it (`unknown_field`, `exactly_one_of`…).
    pub const fn as_str(self) -> &'static str {
        match self {
            Rule::Type => "type",
            Rule::Required => "required",
            Rule::Length => "length",
            Rule::Range => "range",
            Rule::Items => "items",
            Rule::Enum => "enum",
            Rule::Format => "format",
            Rule::UnknownField => "unknown_field",
            Rule::ExactlyOneOf => "exactly_one_of",
            Rule::RequiredWhen => "required_when",
            Rule::OnlyWhen => "only_when",
        }
    }
}

/// How serious a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The reference forbids it: the platform rejects it (or never sends it).
    Error,
    /// Allowed but pointless: the platform ignores the field.
    Warning,
}

/// One rule a value breaks, with where, what the limit is, and where the reference says so.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Violation {
    /// JSON path of the value (`$.feeLst[3].callEndTime`), or `header:Name`.
    pub path: String,
    /// The rule broken.
    pub rule: Rule,
    /// The limit and what was found, e.g. `length 1..=32 characters, found 33`.
    pub detail: String,
    /// Where the reference states the rule, e.g. `5.2 表5-5 templateParas`.
    pub doc: &'static str,
    /// Error or warning.
    pub severity: Severity,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {} ({})",
            self.path,
            self.rule.as_str(),
            self.detail,
            self.doc
        )
    }
}

/// A violation is the error of a value that breaks a rule; it has no underlying cause.
impl std::error::Error for Violation {}
