//! The case generator of the conformance suite: what to send, and what the spec says
//! must happen.
//!
//! Everything here is derived from `spec/` through `voicecall-codegen`'s loader and its
//! generic checker (the *oracle*, [`Spec::validate_json`]); nothing looks at the
//! implementation under test. The pieces:
//!
//! - [`rules`]: the *rule universe* of an operation — every constraint of its request
//!   body (or query) message that a request can break, recursively into nested messages;
//!   [`unmutatable`] lists the few that no request can break on its own, with the reason.
//! - [`valid`] / [`canonical`] / [`valid_cases`]: requests (and pushes, responses) that
//!   respect every row and rule, as proptest strategies (random, boundary-biased, with
//!   multi-byte text where the format allows) and as fixed, reviewable instances.
//! - [`mutants`] / [`strategy_mutants`]: from a valid base, one case per rule that breaks
//!   exactly that rule, checked against the oracle.
//! - [`Generator`]: the property strategies of a spec's operations sharing one copy of
//!   the spec and the per-spec data (formats with compiled patterns, rule plans).
//! - [`header_cases`]: valid and one-violation cases of the enum rows of the request
//!   header tables (`Content-Type`).
//! - [`precedence_cases`]: two defects in adjacent check stages of the spec's
//!   precedence, expecting the earlier stage's code.
//! - [`expect`]: the outcome the spec prescribes for the violations of a value — the
//!   operation's `rejects` codes, or acceptance when only ignored rules are broken.
//!
//! Values for queries (`GetRecordingDownloadUrl`) are JSON objects of strings; a runner
//! sends each member as a query parameter.
//!
//! [`Spec::validate_json`]: voicecall_codegen::spec::Spec::validate_json

mod expect;
mod formats;
mod generator;
mod headers;
mod instance;
mod mutants;
mod pattern;
mod precedence;
mod rules;
mod scope;
mod union;
mod values;

use serde::Serialize;
use serde_json::Value;
use voicecall_codegen::spec::validate::Violation;

pub use expect::expect;
pub use generator::Generator;
pub use headers::{header_cases, header_rule_ids, HeaderCase};
pub use instance::{canonical, strategy_valid, valid, valid_cases};
pub use mutants::{mutants, strategy_mutants, unmutatable};
pub use precedence::{pair_rule_id, precedence_cases, precedence_rule_ids, StageCase};
pub use rules::rules;
pub use values::{format_strategy, GENERATED_FORMATS};

/// One checkable constraint of an operation's request, named so that a failing case
/// says which row or rule of the reference it exercises.
///
/// The `kind` is the oracle's name for the rule (`Violation::rule`), so a rule and the
/// violations the oracle reports for it can be matched without a translation table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RuleRef {
    /// Stable, human-readable id, unique within the operation, e.g.
    /// `CreateVoiceCallbackRequest.displayNbr.length.max` or
    /// `PlayContentInfo.rule.templateParas-with-templateId`. Case ids and snapshots are
    /// built from it, so it only changes when the spec does.
    pub id: String,
    /// The message (parameter table) that states the constraint.
    pub message: String,
    /// The field it constrains; `None` for message-level rules (unknown fields, the body
    /// not being an object, rules between fields).
    pub field: Option<String>,
    /// The oracle's rule name: `required`, `type`, `length`, `range`, `enum`, `format`,
    /// `items`, `unknown_field`, `exactly_one_of`, `required_when` or `only_when`.
    pub kind: String,
    /// Where the reference states it, as the oracle prints it (`4.2 表4-3 displayNbr`).
    pub doc: String,
    /// The JSON path at which the oracle reports the violation of this rule in the
    /// mutants of this crate (array items at index 0; the unknown field is
    /// `unknownField`), so a runner can compare an implementation's report with it.
    pub path: String,
}

/// What the platform must do with a request, according to the spec alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Expect {
    /// The request is valid (or breaks only rules whose effect is that the platform
    /// ignores a field): the platform accepts it.
    Accepted,
    /// The platform rejects the request with this HTTP status and result code.
    Rejected {
        /// HTTP status.
        status: u16,
        /// Result code (结果码) of the operation's result-code table.
        code: String,
    },
}

/// One request of the suite: a value to send and the outcome the spec prescribes.
///
/// Valid cases have `rule: None` and expect [`Expect::Accepted`]; a mutant names the
/// one rule it breaks, and `violations` is the oracle's full report on `value`, so a
/// runner can show *why* a response is expected without re-running the oracle.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Stable id, unique within the operation: `<operation>/<rule id>` for mutants,
    /// `<operation>/valid/<what>` for valid cases.
    pub id: String,
    /// Operation id the value is sent to.
    pub operation: String,
    /// The rule this case breaks; `None` for a valid case.
    pub rule: Option<RuleRef>,
    /// Rules the construction breaks as well because no value can break `rule` alone
    /// (e.g. a 32-character number is also not a `global_number`). Empty for almost
    /// every case; the expected outcome accounts for them.
    pub also: Vec<RuleRef>,
    /// The request body (or query parameters as a JSON object of strings).
    pub value: Value,
    /// The outcome the spec prescribes (see [`expect`]).
    pub expect: Expect,
    /// The oracle's report on `value` (errors and warnings).
    pub violations: Vec<Violation>,
    /// What was done to the base and which row of the reference it breaks, in one line.
    pub doc: String,
}
