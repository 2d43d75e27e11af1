//! Conformance suite for the Voice Call API: property-based checks run against the
//! embedded mock (the default), a live endpoint or a customer's notification receiver.
//!
//! Every expected outcome comes from `spec/` (through `voicecall-codegen`'s loader and
//! checker, and the constants generated from it), never from the implementation under
//! test. The pieces, in the order a run uses them:
//!
//! - [`cases`]: the rule universe of each operation, valid instances and mutants that
//!   break exactly one rule, and the outcome the spec prescribes;
//! - [`engine`]: sends the cases of every operation (fixed and property-generated with
//!   a deterministic seed), compares, shrinks failures;
//! - [`signing`]: every header defect with its code, and routing;
//! - [`apps`]: a second app naming the first app's session, recording and template;
//! - [`provisioned`]: the codes of provisioning and load, each on a mock set up for it
//!   (a cause the operation's table lacks: the table's nearest code);
//! - [`edges`]: reading a request at its edges (a fraction for an integer, field order
//!   of two violations, the body size limit, a literal `+`, a wrong method, an extra
//!   Content-Type parameter), each found by a surviving mutant of the mock;
//! - [`injected`]: the injection-only codes, injected into the embedded mock;
//! - [`lifecycle`]: full calls on the embedded mock, every push judged by the spec;
//! - [`receiver`]: signed pushes of every event type to a customer's receiver;
//! - [`response`]: response bodies against their message, and rules tied to the request;
//! - [`coverage`]: rules and codes exercised, against the lists of unreachable ones;
//! - [`report`]: the per-API table, failures with `curl`, Markdown and JUnit, each
//!   naming its rule and table row ([`docref`]);
//! - [`preflight`]: a target's URL checked once before a run;
//! - [`suite`]: a whole run for a [`suite::Choice`] of target.

pub mod apps;
pub mod cases;
pub mod coverage;
pub mod docref;
pub mod edges;
pub mod engine;
pub mod injected;
pub mod lifecycle;
pub mod preflight;
pub mod provisioned;
pub mod receiver;
pub mod report;
pub mod response;
pub mod result;
pub mod signing;
pub mod suite;
pub mod target;

pub use report::Report;
pub use suite::{run, Choice};

/// The message an operation's input is checked against (its body, or the query of the
/// recording download).
pub fn input_message(op: voicecall::operations::Operation) -> &'static str {
    voicecall_mock::handle::input_message(op)
}

/// The spec of this workspace (`spec/` beside this crate).
pub fn workspace_spec() -> Result<voicecall_codegen::spec::Spec, voicecall_codegen::spec::SpecErrors>
{
    voicecall_codegen::spec::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"),
    )
}
