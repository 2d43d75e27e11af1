//! Who writes and who reads each message: the direction that decides whether a
//! tightening or a loosening breaks someone.
//!
//! A message the customer *sends* (request headers, parameters and bodies, and the reply
//! to a push) breaks its producer when it gets stricter; a message the customer
//! *receives* (responses, push headers, bodies and events) breaks its reader when it
//! gets looser. Nested messages inherit the direction of the message that refers to them.

use std::collections::{BTreeMap, BTreeSet};

use super::change::{Audience, Severity};
use crate::spec::Spec;

/// Whether the customer's code writes or reads a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Flow {
    /// The customer's code produces it (and the platform judges it).
    Sent,
    /// The platform produces it and the customer's code reads it.
    Received,
}

/// One use of a message: by which operation or push, in which direction, by whom.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Use {
    /// Service id.
    pub(crate) service: String,
    /// Operation or notification id.
    pub(crate) owner: String,
    pub(crate) flow: Flow,
    /// Who writes (`Sent`) or reads (`Received`) it.
    pub(crate) audience: Audience,
}

/// Every message's uses, sorted; messages nothing refers to have none.
pub(crate) fn uses(spec: &Spec) -> BTreeMap<String, Vec<Use>> {
    let mut roots: Vec<(String, Use)> = Vec::new();
    for o in spec.all(|c| &c.operations) {
        let u = |flow, audience| Use {
            service: o.service.clone(),
            owner: o.id.clone(),
            flow,
            audience,
        };
        let sent = [&Some(o.headers.clone()), &o.path_params, &o.query, &o.body];
        for m in sent.into_iter().flatten() {
            roots.push((m.clone(), u(Flow::Sent, Audience::Callers)));
        }
        for r in [&o.success, &o.failure] {
            for m in [&r.headers, &r.body].into_iter().flatten() {
                roots.push((m.clone(), u(Flow::Received, Audience::Receivers)));
            }
        }
    }
    for n in spec.all(|c| &c.notifications) {
        let u = |flow| Use {
            service: n.service.clone(),
            owner: n.id.clone(),
            flow,
            audience: Audience::Receivers,
        };
        let received = [&n.headers, &n.body]
            .into_iter()
            .chain(n.events.iter().map(|e| &e.message));
        for m in received {
            roots.push((m.clone(), u(Flow::Received)));
        }
        if let Some(b) = &n.reply.body {
            roots.push((b.clone(), u(Flow::Sent)));
        }
    }
    let mut out: BTreeMap<String, BTreeSet<Use>> = BTreeMap::new();
    let mut todo = roots;
    while let Some((name, u)) = todo.pop() {
        if !out.entry(name.clone()).or_default().insert(u.clone()) {
            continue;
        }
        if let Some(msg) = spec.message(&name) {
            for f in &msg.fields {
                let nested = f
                    .reference
                    .iter()
                    .chain(f.item.as_ref().and_then(|i| i.reference.as_ref()));
                for r in nested {
                    todo.push((r.clone(), u.clone()));
                }
            }
        }
    }
    out.into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect()
}

/// Which way a change moves what a message allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// Fewer values allowed: breaks the producers of sent messages.
    Tighten,
    /// More values allowed: breaks the readers of received messages.
    Loosen,
    /// Incompatible both ways (a type change): breaks everyone who uses the message.
    Either,
}

/// The severity and audiences of a change moving `dir` in a message with `uses`;
/// `severity` is what the hit audiences get. A change that hits no one is `Info` with
/// a note saying why it breaks no one.
pub(crate) fn judge(
    uses: &[Use],
    dir: Dir,
    severity: Severity,
) -> (Severity, Vec<Audience>, Option<&'static str>) {
    let hit: BTreeSet<Audience> = uses
        .iter()
        .filter(|u| match dir {
            Dir::Either => true,
            Dir::Tighten => u.flow == Flow::Sent,
            Dir::Loosen => u.flow == Flow::Received,
        })
        .map(|u| u.audience)
        .collect();
    if !hit.is_empty() {
        return (severity, hit.into_iter().collect(), None);
    }
    let why = match dir {
        Dir::Tighten if !uses.is_empty() => {
            Some("tightens only what the platform sends: breaks no one")
        }
        Dir::Loosen if !uses.is_empty() => Some("loosens only what customers send: breaks no one"),
        _ => Some("no operation or push uses this message: breaks no one"),
    };
    (Severity::Info, Vec::new(), why)
}
