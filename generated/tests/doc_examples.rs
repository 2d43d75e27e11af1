//! Protocol tests generated from the spec's examples: every example of the reference
//! parses into its type, validates with exactly the violations its fixture lists, and
//! serialises back to the same JSON (`gen/doc_examples.rs`, written by `cargo xtask codegen`).

// Formatted by prettyplease when generated; rustfmt keeps off.
#[rustfmt::skip]
#[path = "gen/doc_examples.rs"]
mod doc_examples;
