//! The `result_codes:` entries of spec/voicecall.yaml: a code's Rust name, English
//! remedy and retryability. A renamed variant is a breaking Rust-API change (the
//! surface diff attaches it here, by the code); a code turning retryable or not
//! changes what callers may do after it, so it is a warning for them.

use super::change::{Audience, Severity, Where};
use super::{pair_by, Differ, Draft};
use crate::spec::model::ResultCodeEntry;

fn place(e: &ResultCodeEntry) -> Where {
    Where {
        operation: Some("result-codes".into()),
        code: Some(e.code.clone()),
        ..Where::default()
    }
}

impl Differ<'_> {
    pub(super) fn result_code_entries(&mut self) {
        let old: Vec<&ResultCodeEntry> = self.base.all(|c| &c.result_codes).collect();
        let new: Vec<&ResultCodeEntry> = self.head.all(|c| &c.result_codes).collect();
        let (both, removed, added) = pair_by(&old, &new, |e| (e.status, e.code.clone()));
        let loc = |e: &ResultCodeEntry| format!("result_codes/{}@{}", e.code, e.status);
        for e in removed {
            let d = Draft::new("code-entry-removed", &loc(e), place(e))
                .values(Some(e.rust_name.clone()), None)
                .text(format!(
                    "{}/{} (`{}`) no longer named",
                    e.status, e.code, e.rust_name
                ));
            self.push(d);
        }
        for e in added {
            let d = Draft::new("code-entry-added", &loc(e), place(e))
                .values(None, Some(e.rust_name.clone()))
                .text(format!("{}/{} named `{}`", e.status, e.code, e.rust_name));
            self.push(d);
        }
        for (x, y) in both {
            if x.rust_name != y.rust_name {
                let d = Draft::new("code-rust-name", &loc(y), place(y))
                    .severity(Severity::Breaking, vec![Audience::RustApi])
                    .values(Some(x.rust_name.clone()), Some(y.rust_name.clone()))
                    .text(format!(
                        "`ResultCode::{}` renamed `{}` ({}/{})",
                        x.rust_name, y.rust_name, y.status, y.code
                    ));
                self.push(d);
            }
            if x.retryable != y.retryable {
                let d = Draft::new("code-retryable", &loc(y), place(y))
                    .severity(Severity::Warning, vec![Audience::Callers])
                    .values(Some(x.retryable.to_string()), Some(y.retryable.to_string()))
                    .text(format!(
                        "{}/{} is {} retryable (`ResultCode::is_retryable`)",
                        y.status,
                        y.code,
                        if y.retryable { "now" } else { "no longer" }
                    ));
                self.push(d);
            }
            if x.remedy_en != y.remedy_en {
                let d = Draft::new("code-remedy-en", &loc(y), place(y))
                    .values(Some(x.remedy_en.clone()), Some(y.remedy_en.clone()))
                    .text(format!("English remedy of {}/{} changed", y.status, y.code));
                self.push(d);
            }
        }
    }
}
