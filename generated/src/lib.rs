//! Rust bindings of the Huawei Cloud Voice Call (语音通话) API.
//!
//! This crate will hold the code that `cargo xtask codegen` generates from `spec/`
//! (types, validators, code tables). It is empty until the codegen issue lands: the
//! spec and its loader come first, so nothing here is written by hand.
