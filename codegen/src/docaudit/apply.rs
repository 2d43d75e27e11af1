//! `--apply`: placeholder replaced below.
use super::Finding;
use crate::spec::Spec;
use std::collections::BTreeMap;

/// What `--apply` did.
#[derive(Debug, Clone, Default)]
pub struct ApplyOutcome {
    /// New text of every spec file it changed, by name relative to `spec/`.
    pub files: BTreeMap<String, String>,
    /// Findings it applied.
    pub applied: Vec<Finding>,
    /// Findings left for a person, with why.
    pub needs_judgement: Vec<Finding>,
}

/// Applies the mechanical findings.
pub fn apply(_spec: &Spec, findings: &[Finding]) -> ApplyOutcome {
    ApplyOutcome {
        needs_judgement: findings.to_vec(),
        ..Default::default()
    }
}
