//! `spec diff`: what a change to `spec/` breaks, and for whom.
//!
//! Two loaded specs (the base, read from git, and the head, the working tree) are
//! compared item by item, keyed by identity (message and field names, result codes,
//! event types, errata ids…), so reordering alone is no change. Each difference is a
//! [`Change`] judged by direction (`roles`): a request that gets stricter breaks the
//! code that sends it, a response or push that gets looser breaks the code that reads
//! it. The public API of the generated crate is compared on the IR codegen renders
//! (`api`), which gives the semver bump. [`accept`] lets a PR accept a breaking
//! change by id; [`report`] prints text, Markdown or JSON.

pub mod accept;
mod api;
mod change;
mod codes;
mod fields;
pub mod git;
mod precedence;
pub mod report;
mod roles;
mod surface;
mod tables;

use std::collections::{BTreeMap, BTreeSet};

pub use change::{Audience, Change, Semver, Severity, Where};
use roles::{judge, Dir, Use};

use crate::spec::model::Scalar;
use crate::spec::Spec;

/// The comparison of two specs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Diff {
    /// What the base is (a git revision).
    pub base: String,
    /// What the head is (the working tree).
    pub head: String,
    /// The bump the `voicecall` crate needs.
    pub semver: Semver,
    /// Every change, breaking first, in a stable order.
    pub changes: Vec<Change>,
}

impl Diff {
    /// Whether something breaking is not accepted (`spec diff` exits 1).
    pub fn blocks(&self) -> bool {
        self.changes.iter().any(Change::blocks)
    }
}

/// Compares `base` with `head`. `base_name` and `head_name` say what they are.
pub fn diff(base: &Spec, head: &Spec, base_name: &str, head_name: &str) -> Diff {
    let mut d = Differ {
        base,
        head,
        base_uses: roles::uses(base),
        head_uses: roles::uses(head),
        out: Vec::new(),
    };
    d.document();
    d.spec_files();
    d.services();
    d.formats();
    d.messages();
    d.operations();
    d.notifications();
    d.result_code_tables();
    d.result_code_entries();
    d.code_tables();
    d.signing_schemes();
    d.doc_tables();
    d.fixtures();
    d.errata();
    d.precedence();
    let mut changes = d.out;
    fold_doc_types(&mut changes);
    api::merge(&mut changes, api::diff(base, head));
    changes.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    changes.dedup_by(|a, b| a.id == b.id);
    let semver = changes
        .iter()
        .map(|c| c.semver)
        .max()
        .unwrap_or(Semver::None);
    Diff {
        base: base_name.to_string(),
        head: head_name.to_string(),
        semver,
        changes,
    }
}

/// A changed 参数类型 column says again what a change of the limit it determines says;
/// it is reported alone only when nothing else changed in the field.
fn fold_doc_types(changes: &mut Vec<Change>) {
    let semantic: BTreeSet<(Option<String>, Option<String>)> = changes
        .iter()
        .filter(|c| {
            c.place.field.is_some() && c.kind != "field-doc-type" && c.severity != Severity::Info
                || [
                    "field-length",
                    "field-range",
                    "field-items",
                    "field-enum",
                    "field-type",
                    "field-item",
                ]
                .iter()
                .any(|k| c.kind.starts_with(k))
        })
        .map(|c| (c.place.message.clone(), c.place.field.clone()))
        .collect();
    changes.retain(|c| {
        c.kind != "field-doc-type"
            || !semantic.contains(&(c.place.message.clone(), c.place.field.clone()))
    });
}

/// Report order: severity, then service → operation/push → message → field, then id.
fn order_key(c: &Change) -> (Severity, &Where, &str) {
    (c.severity, &c.place, &c.id)
}

/// Holds both specs and collects changes.
pub(crate) struct Differ<'a> {
    pub(crate) base: &'a Spec,
    pub(crate) head: &'a Spec,
    base_uses: BTreeMap<String, Vec<Use>>,
    head_uses: BTreeMap<String, Vec<Use>>,
    out: Vec<Change>,
}

impl Differ<'_> {
    fn push(&mut self, d: Draft) {
        self.out.push(d.build());
    }

    /// The uses of a message in either spec (a change can break users of the old or the new).
    fn uses_of(&self, msg: &str) -> Vec<Use> {
        let set: BTreeSet<Use> = [&self.base_uses, &self.head_uses]
            .iter()
            .flat_map(|m| m.get(msg).into_iter().flatten().cloned())
            .collect();
        set.into_iter().collect()
    }

    /// Where a message is: its first use's service and owner, and its table.
    fn msg_place(&self, msg: &str, table: &str) -> Where {
        let first = self.uses_of(msg).into_iter().next();
        Where {
            service: first.as_ref().map(|u| u.service.clone()),
            operation: first.map(|u| u.owner),
            message: Some(msg.to_string()),
            table: Some(table.to_string()),
            ..Where::default()
        }
    }

    /// `4.2 表4-3`: the section of the file that defines `msg` (head first) and its table.
    fn msg_doc(&self, msg: &str, table: &str) -> String {
        let section = self
            .head
            .section_of_message(msg)
            .or_else(|| self.base.section_of_message(msg))
            .unwrap_or("");
        format!("{section} 表{table}")
    }
}

/// A change being built.
pub(crate) struct Draft {
    change: Change,
    why: Option<&'static str>,
}

impl Draft {
    /// An `Info` change of `kind` at `locator` (`Message.field`, `4-5/1010002@403`…).
    pub(crate) fn new(kind: &str, locator: &str, place: Where) -> Draft {
        Draft {
            change: Change {
                id: format!("{kind}:{locator}"),
                kind: kind.to_string(),
                severity: Severity::Info,
                audiences: Vec::new(),
                place,
                before: None,
                after: None,
                doc: None,
                text: String::new(),
                rust: None,
                semver: Semver::Patch,
                accepted: None,
            },
            why: None,
        }
    }

    pub(crate) fn doc(mut self, doc: impl AsRef<str>) -> Draft {
        let d = doc.as_ref().trim();
        self.change.doc = (!d.is_empty()).then(|| d.to_string());
        self
    }

    pub(crate) fn values(mut self, before: Option<String>, after: Option<String>) -> Draft {
        self.change.before = before;
        self.change.after = after;
        self
    }

    /// Severity and audiences from the direction of the change and the message's uses.
    pub(crate) fn judged(mut self, uses: &[Use], dir: Dir, severity: Severity) -> Draft {
        let (s, a, why) = judge(uses, dir, severity);
        self.change.severity = s;
        self.change.audiences = a;
        self.why = why;
        self
    }

    /// Severity for the given audiences (`Info` when there are none).
    pub(crate) fn severity(mut self, severity: Severity, audiences: Vec<Audience>) -> Draft {
        self.change.severity = if audiences.is_empty() {
            Severity::Info
        } else {
            severity
        };
        self.change.audiences = Vec::new();
        self.change.add_audiences(audiences);
        self
    }

    pub(crate) fn text(mut self, text: impl Into<String>) -> Draft {
        self.change.text = text.into();
        self
    }

    fn build(mut self) -> Change {
        if let Some(why) = self.why {
            self.change.text = format!("{} ({why})", self.change.text);
        }
        self.change
    }
}

/// Items of two lists matched by key: `(pairs, only in old, only in new)`, each in list order.
pub(crate) fn pair_by<'x, T, K: Ord>(
    old: &'x [T],
    new: &'x [T],
    key: impl Fn(&T) -> K,
) -> (Vec<(&'x T, &'x T)>, Vec<&'x T>, Vec<&'x T>) {
    let new_by: BTreeMap<K, &T> = new.iter().rev().map(|x| (key(x), x)).collect();
    let old_keys: BTreeSet<K> = old.iter().map(&key).collect();
    let mut both = Vec::new();
    let mut removed = Vec::new();
    let mut seen = BTreeSet::new();
    for x in old {
        let k = key(x);
        match new_by.get(&k) {
            Some(y) if !seen.contains(&k) => {
                both.push((x, *y));
                seen.insert(k);
            }
            Some(_) => {}
            None => removed.push(x),
        }
    }
    let added = new.iter().filter(|y| !old_keys.contains(&key(y))).collect();
    (both, removed, added)
}

/// A scalar as the spec shows it (strings quoted).
pub(crate) fn show(v: &Scalar) -> String {
    v.to_string()
}
