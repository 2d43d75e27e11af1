//! Conformance suite for the Voice Call API: property-based checks run against the
//! embedded mock, a live endpoint or a customer's notification receiver.
//!
//! Every expected outcome comes from `spec/` (through `voicecall-codegen`'s loader and
//! checker), never from the implementation under test.

pub mod cases;
