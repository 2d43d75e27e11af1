//! What one difference between two specs is: where it is, how bad, and for whom.

use std::collections::BTreeSet;

use serde::Serialize;

/// How bad a change is for the audiences it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Code written against the base spec stops working (a request is refused, a value
    /// is not understood, the crate does not compile).
    Breaking,
    /// Code keeps working but may behave differently (a default, a meaning, a reading).
    Warning,
    /// Nothing written against the base breaks (text, a loosened request, a tightened response).
    Info,
}

impl Severity {
    /// Lower-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Who is hurt by a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// Code that sends requests to the platform.
    Callers,
    /// Code that reads responses and pushes (and answers pushes).
    Receivers,
    /// Users of the public API of the generated `voicecall` crate.
    RustApi,
}

impl Audience {
    /// Every audience, in report order.
    pub const ALL: [Audience; 3] = [Audience::Callers, Audience::Receivers, Audience::RustApi];

    /// Name as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Callers => "callers",
            Audience::Receivers => "receivers",
            Audience::RustApi => "rust-api",
        }
    }
}

/// The version bump the `voicecall` crate needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Semver {
    /// Nothing changed.
    #[default]
    None,
    /// Behaviour or documentation changed; the API is the same.
    Patch,
    /// Items were added; nothing that compiled stops compiling.
    Minor,
    /// Something that compiled against the old crate may not compile against the new one.
    Major,
}

impl Semver {
    /// Lower-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::None => "none",
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

/// Where a change is, naming wire fields and result codes exactly as the spec does.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Where {
    /// Service id (`callback`, `notification`, `verification`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Operation or notification id, or the spec-wide group (`signing:request`, `errata`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Message (parameter table) name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Wire name of the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Table number of the reference (`4-3`, `7.1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Result code, or appendix code, as the spec writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// One semantic difference between the base spec and the head spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Stable identifier (`kind:place`), what `spec/diff-accept.yaml` names.
    pub id: String,
    /// What changed (`field-length-max`, `code-added`, `rust-api-field-removed`…).
    pub kind: String,
    /// How bad it is for `audiences`.
    pub severity: Severity,
    /// Who it breaks (empty when it breaks no one).
    pub audiences: Vec<Audience>,
    /// Where it is.
    #[serde(rename = "where")]
    pub place: Where,
    /// The value in the base spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The value in the head spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Section, table and row of the reference (`4.2 表4-3 userData`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// One line for a person.
    pub text: String,
    /// What it does to the public API of the generated `voicecall` crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rust: Option<String>,
    /// The bump of the `voicecall` crate this change forces on its own.
    #[serde(skip_serializing_if = "is_none_bump")]
    pub semver: Semver,
    /// Why a breaking change is accepted, from `spec/diff-accept.yaml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

fn is_none_bump(s: &Semver) -> bool {
    *s == Semver::None
}

impl Change {
    /// A breaking change nobody accepted: what makes `spec diff` exit 1.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Breaking && self.accepted.is_none()
    }

    /// Adds audiences, keeping them sorted and unique.
    pub(crate) fn add_audiences(&mut self, more: impl IntoIterator<Item = Audience>) {
        let set: BTreeSet<Audience> = self.audiences.iter().copied().chain(more).collect();
        self.audiences = set.into_iter().collect();
    }
}
