//! Strategies of one spec's operations that share what they are made from.
//!
//! A proptest strategy is `'static`: its closures own the spec they check values
//! against. Copying a whole [`Spec`] (every file, its YAML text index, fixtures) costs
//! more than drawing dozens of cases, so a [`Generator`] copies it once and hands that
//! copy — and the spec's formats with their patterns compiled once — to every strategy
//! it makes. Per operation, the rule universe and which rules a request can break are
//! computed when the strategy is made, not per drawn value.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::Index;
use voicecall_codegen::spec::Spec;

use super::formats::Formats;
use super::instance::{canonical_message, message_strategy, valid_case};
use super::mutants::Mutator;
use super::scope::scope;
use super::Case;

/// Makes the property strategies of a spec's operations, sharing one copy of the spec
/// among all of them (cheap to clone).
///
/// [`strategy_valid`](super::strategy_valid) and
/// [`strategy_mutants`](super::strategy_mutants) are the same strategies, each with a
/// copy of its own.
#[derive(Debug, Clone)]
pub struct Generator {
    spec: Arc<Spec>,
    formats: Formats,
}

impl Generator {
    /// A generator over a copy of `spec` (made here, once).
    pub fn new(spec: &Spec) -> Generator {
        Generator::shared(Arc::new(spec.clone()))
    }

    /// A generator over a spec the caller already shares.
    pub fn shared(spec: Arc<Spec>) -> Generator {
        let formats = Formats::of(&spec);
        Generator { spec, formats }
    }

    /// The spec the strategies check their values against.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Valid cases of `operation_id`: random requests (see [`valid`](super::valid)),
    /// each with the oracle's report and the outcome it implies (acceptance). For an
    /// operation the spec does not have, the value is `null` and the expectation is
    /// what [`expect`](super::expect) says of it.
    pub fn strategy_valid(&self, operation_id: &str) -> BoxedStrategy<Case> {
        let root = scope(&self.spec, operation_id)
            .map(|s| s.root.name.clone())
            .unwrap_or_default();
        let spec = self.spec.clone();
        let op = operation_id.to_string();
        message_strategy(&self.spec, &self.formats, &root, 0)
            .prop_map(move |v| {
                valid_case(
                    &spec,
                    &op,
                    &root,
                    "generated",
                    v,
                    "a generated valid request",
                )
            })
            .boxed()
    }

    /// Mutants of `operation_id` over many bases: a valid request, then the mutant of a
    /// rule drawn among those a request can break (the next rule this base can give
    /// when it cannot give that one). Only that mutant is built and checked by the
    /// oracle. An operation without mutants (or unknown to the spec) yields its valid
    /// cases instead. See [`mutants`](super::mutants).
    pub fn strategy_mutants(&self, operation_id: &str) -> BoxedStrategy<Case> {
        let spec = &*self.spec;
        let Some(sc) = scope(spec, operation_id) else {
            return self.strategy_valid(operation_id);
        };
        let Some(mutator) = Mutator::new(spec, self.formats.clone(), operation_id) else {
            return self.strategy_valid(operation_id);
        };
        let root = sc.root.name.clone();
        let canonical = canonical_message(spec, &self.formats, &root, 0, 0);
        if !mutator.any(spec, &canonical) {
            return self.strategy_valid(operation_id);
        }
        let owned = self.spec.clone();
        (
            message_strategy(spec, &self.formats, &root, 0),
            any::<Index>(),
        )
            .prop_filter_map("a base without mutants", move |(base, ix)| {
                mutator.one(&owned, &base, ix)
            })
            .boxed()
    }
}
