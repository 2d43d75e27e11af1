//! The `precedence:` section: which check comes first when a request breaks several
//! rules. Whoever handles a refusal by its code relies on which code wins, so a change
//! of the order, of the stage a code or checker rule belongs to, or of a stage's
//! `rejects` class changes the code a request with two defects gets: breaking for
//! callers. Descriptions, reach, probes and the errata list are information.

use std::collections::BTreeSet;

use super::change::{Audience, Severity, Where};
use super::{pair_by, Differ, Draft};
use crate::spec::model::{CheckStage, Precedence};

fn place() -> Where {
    Where {
        operation: Some("precedence".into()),
        ..Where::default()
    }
}

const DOC: &str = "erratum check-precedence";

fn codes(s: &CheckStage) -> BTreeSet<String> {
    s.codes
        .iter()
        .map(|c| format!("{}/{}", c.status, c.code))
        .collect()
}

fn join<'a>(v: impl IntoIterator<Item = &'a String>) -> String {
    v.into_iter().cloned().collect::<Vec<_>>().join(", ")
}

impl Differ<'_> {
    pub(super) fn precedence(&mut self) {
        let empty = Precedence {
            stages: Vec::new(),
            errata: Vec::new(),
        };
        let old = self.base.precedence().unwrap_or(&empty).clone();
        let new = self.head.precedence().unwrap_or(&empty).clone();
        let (both, removed, added) = pair_by(&old.stages, &new.stages, |s| s.id.clone());
        for s in removed {
            let d = Draft::new("precedence-stage-removed", &s.id, place())
                .doc(DOC)
                .severity(Severity::Breaking, vec![Audience::Callers])
                .values(Some(s.description.clone()), None)
                .text(format!(
                    "check stage `{}` removed: requests it refused now get a later stage's code",
                    s.id
                ));
            self.push(d);
        }
        for s in added {
            let d = Draft::new("precedence-stage-added", &s.id, place())
                .doc(DOC)
                .severity(Severity::Breaking, vec![Audience::Callers])
                .values(None, Some(s.description.clone()))
                .text(format!(
                    "check stage `{}` added: requests it refuses no longer get a later stage's code",
                    s.id
                ));
            self.push(d);
        }
        // The order of the stages both have.
        let common: BTreeSet<&str> = both.iter().map(|(x, _)| x.id.as_str()).collect();
        let order = |p: &Precedence| -> Vec<String> {
            p.stages
                .iter()
                .filter(|s| common.contains(s.id.as_str()))
                .map(|s| s.id.clone())
                .collect()
        };
        let (a, b) = (order(&old), order(&new));
        if a != b {
            let d = Draft::new("precedence-order", "stages", place())
                .doc(DOC)
                .severity(Severity::Breaking, vec![Audience::Callers])
                .values(Some(a.join(" → ")), Some(b.join(" → ")))
                .text("the check stages are reordered: a request with defects in two of them gets the other stage's code");
            self.push(d);
        }
        for (x, y) in both {
            self.stage(x, y);
        }
        if old.errata != new.errata {
            let d = Draft::new("precedence-errata", "errata", place())
                .doc(DOC)
                .values(Some(join(&old.errata)), Some(join(&new.errata)))
                .text("the errata cited by the precedence changed");
            self.push(d);
        }
    }

    fn stage(&mut self, x: &CheckStage, y: &CheckStage) {
        let id = &y.id;
        let breaking = |kind: &str, before: String, after: String, text: String| {
            Draft::new(kind, id, place())
                .doc(DOC)
                .severity(Severity::Breaking, vec![Audience::Callers])
                .values(Some(before), Some(after))
                .text(text)
        };
        if x.rejects != y.rejects {
            let d = breaking(
                "precedence-stage-rejects",
                format!("{:?}", x.rejects),
                format!("{:?}", y.rejects),
                format!("stage `{id}` answers another `rejects` code"),
            );
            self.push(d);
        }
        let (xr, yr): (BTreeSet<&String>, BTreeSet<&String>) =
            (x.rules.iter().collect(), y.rules.iter().collect());
        if xr != yr {
            let d = breaking(
                "precedence-stage-rules",
                join(x.rules.iter()),
                join(y.rules.iter()),
                format!("stage `{id}` judges other checker rules: they now rank elsewhere"),
            );
            self.push(d);
        }
        let (xc, yc) = (codes(x), codes(y));
        if xc != yc {
            let d = breaking(
                "precedence-stage-codes",
                join(&xc),
                join(&yc),
                format!("stage `{id}` answers other codes: they now rank elsewhere"),
            );
            self.push(d);
        }
        let text = |s: &CheckStage| {
            serde_json::to_string(&(&s.description, &s.reach, &s.probes)).unwrap_or_default()
        };
        if text(x) != text(y) {
            let d = Draft::new("precedence-stage-text", id, place())
                .doc(DOC)
                .values(Some(text(x)), Some(text(y)))
                .text(format!(
                    "description, reach or probes of check stage `{id}` changed"
                ));
            self.push(d);
        }
    }
}
