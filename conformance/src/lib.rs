//! Conformance suite for the Voice Call API: property-based checks run against the
//! embedded mock, a live endpoint or a customer's notification receiver.
//!
//! Empty until the conformance issue lands; its checks will be driven by `spec/`.
