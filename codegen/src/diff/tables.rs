//! Everything else of the spec: the document, services, formats, result-code tables,
//! appendix tables, literal tables, examples and errata.

use std::collections::BTreeSet;

use super::change::{Audience, Severity, Where};
use super::fields::compare_patterns;
use super::roles::{Dir, Use};
use super::{pair_by, Differ, Draft};
use crate::spec::model::{
    CodeRow, CodeTable, DocTable, Erratum, Fixture, Format, ResultCodeRow, ResultCodeTable, Service,
};

const RECEIVERS: Audience = Audience::Receivers;

fn group(name: &str) -> Where {
    Where {
        operation: Some(name.to_string()),
        ..Where::default()
    }
}

impl Differ<'_> {
    /// A change of text only: `Info`, breaks no one. (Every part of a change is an
    /// argument so that each table reads as one call per compared column.)
    #[allow(clippy::too_many_arguments)]
    fn note(
        &mut self,
        kind: &str,
        loc: &str,
        place: Where,
        doc: &str,
        x: Option<String>,
        y: Option<String>,
        text: String,
    ) {
        if x != y {
            let d = Draft::new(kind, loc, place)
                .doc(doc)
                .values(x, y)
                .text(text);
            self.push(d);
        }
    }

    pub(super) fn document(&mut self) {
        let info = |s: &crate::spec::Spec| s.files.iter().find_map(|f| f.content.document.clone());
        let (a, b) = (info(self.base), info(self.head));
        let show = |d: &Option<crate::spec::model::DocumentInfo>| {
            d.as_ref().map(|d| {
                format!(
                    "{} version {} ({}), from {}; SDK {}",
                    d.title, d.version, d.published, d.source, d.sdk
                )
            })
        };
        self.note(
            "document",
            "document",
            group("document"),
            "",
            show(&a),
            show(&b),
            "edition of the reference (or of the SDK) the spec transcribes changed".into(),
        );
    }

    /// Each file's section and title (what a file transcribes).
    pub(super) fn spec_files(&mut self) {
        let old: Vec<_> = self.base.files.iter().collect();
        let new: Vec<_> = self.head.files.iter().collect();
        let (both, removed, added) = pair_by(&old, &new, |f| f.name.clone());
        let show =
            |f: &crate::spec::SourceFile| format!("{} {}", f.content.section, f.content.title);
        for f in removed {
            self.note(
                "spec-file-removed",
                &f.name,
                group("files"),
                &f.content.section,
                Some(show(f)),
                None,
                format!("spec file {} removed", f.name),
            );
        }
        for f in added {
            self.note(
                "spec-file-added",
                &f.name,
                group("files"),
                &f.content.section,
                None,
                Some(show(f)),
                format!("spec file {} added", f.name),
            );
        }
        for (x, y) in both {
            self.note(
                "spec-file-text",
                &y.name,
                group("files"),
                &y.content.section,
                Some(show(x)),
                Some(show(y)),
                format!("section or title of {} changed", y.name),
            );
        }
    }

    pub(super) fn services(&mut self) {
        let old: Vec<&Service> = self.base.all(|c| &c.services).collect();
        let new: Vec<&Service> = self.head.all(|c| &c.services).collect();
        let (both, removed, added) = pair_by(&old, &new, |s| s.id.clone());
        let show = |s: &Service| format!("{} ({}), chapter {}", s.name, s.zh, s.section);
        let place = |s: &Service| Where {
            service: Some(s.id.clone()),
            ..Where::default()
        };
        for s in removed {
            self.note(
                "service-removed",
                &s.id,
                place(s),
                "2 表2-1",
                Some(show(s)),
                None,
                format!("service `{}` removed", s.id),
            );
        }
        for s in added {
            self.note(
                "service-added",
                &s.id,
                place(s),
                "2 表2-1",
                None,
                Some(show(s)),
                format!("service `{}` added", s.id),
            );
        }
        for (x, y) in both {
            self.note(
                "service-text",
                &y.id,
                place(y),
                "2 表2-1",
                Some(show(x)),
                Some(show(y)),
                format!("name or chapter of service `{}` changed", y.id),
            );
        }
    }

    /// Every use of a message that has a field (or item) with format `id`, in either spec.
    fn format_uses(&self, id: &str) -> Vec<Use> {
        let mut set = BTreeSet::new();
        for spec in [self.base, self.head] {
            for m in spec.all(|c| &c.messages) {
                let uses_it = m.fields.iter().any(|f| {
                    f.format.as_deref() == Some(id)
                        || f.item.as_ref().and_then(|i| i.format.as_deref()) == Some(id)
                });
                if uses_it {
                    set.extend(self.uses_of(&m.name));
                }
            }
        }
        set.into_iter().collect()
    }

    pub(super) fn formats(&mut self) {
        let old: Vec<&Format> = self.base.all(|c| &c.formats).collect();
        let new: Vec<&Format> = self.head.all(|c| &c.formats).collect();
        let (both, removed, added) = pair_by(&old, &new, |f| f.id.clone());
        let place = |f: &Format| Where {
            operation: Some("formats".into()),
            field: None,
            ..group(&format!("format:{}", f.id))
        };
        let doc = |f: &Format| f.doc.first().map(|d| d.to_string()).unwrap_or_default();
        for f in removed {
            self.note(
                "format-removed",
                &f.id,
                place(f),
                &doc(f),
                Some(f.pattern.clone()),
                None,
                format!("format `{}` removed", f.id),
            );
        }
        for f in added {
            self.note(
                "format-added",
                &f.id,
                place(f),
                &doc(f),
                None,
                Some(f.pattern.clone()),
                format!("format `{}` added", f.id),
            );
        }
        for (x, y) in both {
            let wire = |f: &Format| {
                format!(
                    "{}{}",
                    f.pattern,
                    f.decoded_pattern
                        .as_ref()
                        .map(|d| format!(" (decoded: {d})"))
                        .unwrap_or_default()
                )
            };
            if wire(x) != wire(y) || x.encoding != y.encoding {
                let uses = self.format_uses(&y.id);
                let (dir, severity, how) = match compare_patterns(x, y) {
                    Some(Dir::Tighten) => (Dir::Tighten, Severity::Breaking, "narrowed"),
                    Some(Dir::Loosen) => (Dir::Loosen, Severity::Breaking, "widened"),
                    Some(Dir::Either) => (Dir::Either, Severity::Breaking, "changed both ways"),
                    None => (
                        Dir::Either,
                        Severity::Warning,
                        "changed (its examples do not tell wider from narrower)",
                    ),
                };
                let d = Draft::new("format-pattern", &y.id, place(y))
                    .doc(doc(y))
                    .judged(&uses, dir, severity)
                    .values(Some(wire(x)), Some(wire(y)))
                    .text(format!("pattern of format `{}` {how}", y.id));
                self.push(d);
            }
            let text = |f: &Format| {
                format!(
                    "{} | examples: {} | counter-examples: {} | {} | {:?} | {:?}",
                    f.description,
                    f.examples.join(", "),
                    f.counter_examples.join(", "),
                    f.zh,
                    f.doc,
                    f.errata
                )
            };
            self.note(
                "format-text",
                &y.id,
                place(y),
                &doc(y),
                Some(text(x)),
                Some(text(y)),
                format!("description or examples of format `{}` changed", y.id),
            );
        }
    }

    pub(super) fn result_code_tables(&mut self) {
        let old: Vec<&ResultCodeTable> = self.base.all(|c| &c.result_code_tables).collect();
        let new: Vec<&ResultCodeTable> = self.head.all(|c| &c.result_code_tables).collect();
        let (both, removed, added) = pair_by(&old, &new, |t| t.table.clone());
        let place = |spec: &crate::spec::Spec, t: &ResultCodeTable| Where {
            service: spec.operation(&t.operation).map(|o| o.service.clone()),
            operation: Some(t.operation.clone()),
            table: Some(t.table.clone()),
            ..Where::default()
        };
        let doc = |spec: &crate::spec::Spec, t: &ResultCodeTable| {
            format!(
                "{} 表{}",
                spec.operation(&t.operation)
                    .map(|o| o.section.as_str())
                    .unwrap_or(""),
                t.table
            )
        };
        for t in removed {
            let d = Draft::new("code-table-removed", &t.table, place(self.base, t))
                .doc(doc(self.base, t))
                .values(Some(t.title.clone()), None)
                .text(format!("result-code table 表{} removed", t.table));
            self.push(d);
        }
        for t in added {
            let d = Draft::new("code-table-added", &t.table, place(self.head, t))
                .doc(doc(self.head, t))
                .severity(Severity::Breaking, vec![RECEIVERS])
                .values(None, Some(t.title.clone()))
                .text(format!(
                    "result-code table 表{} added with {} rows: receivers must handle its codes",
                    t.table,
                    t.rows.len()
                ));
            self.push(d);
        }
        for (x, y) in both {
            let p = place(self.head, y);
            let dr = doc(self.head, y);
            self.note(
                "code-table-text",
                &y.table,
                p.clone(),
                &dr,
                Some(format!("{} ({})", x.title, x.operation)),
                Some(format!("{} ({})", y.title, y.operation)),
                format!("title or operation of 表{} changed", y.table),
            );
            self.code_rows(x, y, &p, &dr);
        }
    }

    fn code_rows(&mut self, x: &ResultCodeTable, y: &ResultCodeTable, place: &Where, doc: &str) {
        let key = |r: &ResultCodeRow| {
            (
                r.status,
                r.code.clone(),
                if r.code.is_none() {
                    r.english.clone()
                } else {
                    String::new()
                },
            )
        };
        let (both, removed, added) = pair_by(&x.rows, &y.rows, key);
        let code_of = |r: &ResultCodeRow| r.code.clone().unwrap_or_else(|| "-".into());
        let at = |r: &ResultCodeRow| Where {
            code: r.code.clone(),
            ..place.clone()
        };
        let loc = |r: &ResultCodeRow| format!("{}/{}@{}", y.table, code_of(r), r.status);
        // A code that only moved to another HTTP status is one change, not two.
        let mut added: Vec<&ResultCodeRow> = added;
        let mut removed_left = Vec::new();
        for r in removed {
            match added
                .iter()
                .position(|n| n.code.is_some() && n.code == r.code)
            {
                Some(i) => {
                    let n = added.remove(i);
                    let d =
                        Draft::new("code-status", &format!("{}/{}", y.table, code_of(n)), at(n))
                            .doc(format!("{doc} {}", code_of(n)))
                            .severity(Severity::Breaking, vec![RECEIVERS])
                            .values(Some(r.status.to_string()), Some(n.status.to_string()))
                            .text(format!(
                                "HTTP status of {} ({}) changed",
                                code_of(n),
                                n.english
                            ));
                    self.push(d);
                    self.code_row_text(r, n, &loc(n), at(n), doc);
                }
                None => removed_left.push(r),
            }
        }
        for r in removed_left {
            let d = Draft::new("code-removed", &loc(r), at(r))
                .doc(format!("{doc} {}", code_of(r)))
                .values(Some(format!("{} {}", r.status, code_of(r))), None)
                .text(format!(
                    "{} {} ({}) removed: the platform no longer answers it",
                    r.status,
                    code_of(r),
                    r.english
                ));
            self.push(d);
        }
        for n in added {
            let d = Draft::new("code-added", &loc(n), at(n))
                .doc(format!("{doc} {}", code_of(n)))
                .severity(Severity::Breaking, vec![RECEIVERS])
                .values(None, Some(format!("{} {}", n.status, code_of(n))))
                .text(format!(
                    "{} {} ({}) added: receivers must handle a new result code",
                    n.status,
                    code_of(n),
                    n.english
                ));
            self.push(d);
        }
        for (r, n) in both {
            self.code_row_text(r, n, &loc(n), at(n), doc);
        }
    }

    fn code_row_text(
        &mut self,
        r: &ResultCodeRow,
        n: &ResultCodeRow,
        loc: &str,
        place: Where,
        doc: &str,
    ) {
        let doc = format!("{doc} {}", n.code.as_deref().unwrap_or("-"));
        let code = n.code.as_deref().unwrap_or("-");
        for (what, x, y) in [
            ("english", &r.english, &n.english),
            ("chinese", &r.chinese, &n.chinese),
            ("remedy", &r.remedy, &n.remedy),
        ] {
            self.note(
                &format!("code-{what}"),
                loc,
                place.clone(),
                &doc,
                Some(x.clone()),
                Some(y.clone()),
                format!("{what} text of {code} changed"),
            );
        }
        self.note(
            "code-errata",
            loc,
            place,
            &doc,
            Some(r.errata.join(", ")),
            Some(n.errata.join(", ")),
            format!("errata of {code} changed"),
        );
    }

    pub(super) fn code_tables(&mut self) {
        let old: Vec<&CodeTable> = self.base.all(|c| &c.code_tables).collect();
        let new: Vec<&CodeTable> = self.head.all(|c| &c.code_tables).collect();
        let (both, removed, added) = pair_by(&old, &new, |t| t.id.clone());
        let place = |t: &CodeTable| Where {
            operation: Some(format!("appendix:{}", t.id)),
            table: Some(t.section.clone()),
            ..Where::default()
        };
        for t in removed {
            self.note(
                "appendix-removed",
                &t.id,
                place(t),
                &t.section,
                Some(t.title.clone()),
                None,
                format!("appendix table {} removed", t.section),
            );
        }
        for t in added {
            self.note(
                "appendix-added",
                &t.id,
                place(t),
                &t.section,
                None,
                Some(t.title.clone()),
                format!("appendix table {} added", t.section),
            );
        }
        for (x, y) in both {
            let p = place(y);
            self.note(
                "appendix-text",
                &y.id,
                p.clone(),
                &y.section,
                Some(format!("{} | {} | {}", x.section, x.title, x.description)),
                Some(format!("{} | {} | {}", y.section, y.title, y.description)),
                format!("title or description of appendix {} changed", y.section),
            );
            let key = |r: &CodeRow| match (r.code, r.range) {
                (Some(c), _) => c.to_string(),
                (None, Some(rg)) => r
                    .doc_code
                    .clone()
                    .unwrap_or_else(|| format!("{}~{}", rg.min, rg.max)),
                _ => r.doc_code.clone().unwrap_or_default(),
            };
            let bounds = |r: &CodeRow| match (r.code, r.range) {
                (Some(c), _) => (c, c),
                (None, Some(rg)) => (rg.min, rg.max),
                _ => (0, -1),
            };
            let (rows, lost, gained) = pair_by(&x.rows, &y.rows, key);
            let at = |r: &CodeRow| Where {
                code: Some(key(r)),
                ..p.clone()
            };
            let loc = |r: &CodeRow| format!("{}/{}", y.section, key(r));
            let doc = |r: &CodeRow| format!("{} {}", y.section, key(r));
            for r in lost {
                self.note(
                    "appendix-code-removed",
                    &loc(r),
                    at(r),
                    &doc(r),
                    Some(r.zh.clone()),
                    None,
                    format!("code {} ({}) removed: no longer sent", key(r), r.english),
                );
            }
            for n in gained {
                let d = Draft::new("appendix-code-added", &loc(n), at(n))
                    .doc(doc(n))
                    .severity(Severity::Breaking, vec![RECEIVERS])
                    .values(None, Some(n.zh.clone()))
                    .text(format!(
                        "code {} ({}) added: receivers may meet a value they do not know",
                        key(n),
                        n.english
                    ));
                self.push(d);
            }
            for (r, n) in rows {
                let (a, b) = (bounds(r), bounds(n));
                if a != b {
                    let wider = b.0 < a.0 || b.1 > a.1;
                    let (sev, aud) = if wider {
                        (Severity::Breaking, vec![RECEIVERS])
                    } else {
                        (Severity::Info, vec![])
                    };
                    let d = Draft::new("appendix-code-range", &loc(n), at(n))
                        .doc(doc(n))
                        .severity(sev, aud)
                        .values(
                            Some(format!("{}~{}", a.0, a.1)),
                            Some(format!("{}~{}", b.0, b.1)),
                        )
                        .text(format!(
                            "range of {} {}",
                            key(n),
                            if wider { "widened" } else { "narrowed" }
                        ));
                    self.push(d);
                }
                self.note(
                    "appendix-code-text",
                    &loc(n),
                    at(n),
                    &doc(n),
                    Some(format!("{} | {}", r.zh, r.english)),
                    Some(format!("{} | {}", n.zh, n.english)),
                    format!("description of code {} changed", key(n)),
                );
                self.note(
                    "appendix-code-errata",
                    &loc(n),
                    at(n),
                    &doc(n),
                    Some(r.errata.join(", ")),
                    Some(n.errata.join(", ")),
                    format!("errata of code {} changed", key(n)),
                );
            }
        }
    }

    pub(super) fn doc_tables(&mut self) {
        let old: Vec<&DocTable> = self.base.all(|c| &c.doc_tables).collect();
        let new: Vec<&DocTable> = self.head.all(|c| &c.doc_tables).collect();
        let (both, removed, added) = pair_by(&old, &new, |t| t.table.clone());
        let place = |t: &DocTable| Where {
            operation: Some("doc-tables".into()),
            table: Some(t.table.clone()),
            ..Where::default()
        };
        let doc = |t: &DocTable| format!("{} 表{}", t.section, t.table);
        for t in removed {
            self.note(
                "doc-table-removed",
                &t.table,
                place(t),
                &doc(t),
                Some(t.title.clone()),
                None,
                format!("table {} removed", t.table),
            );
        }
        for t in added {
            self.note(
                "doc-table-added",
                &t.table,
                place(t),
                &doc(t),
                None,
                Some(t.title.clone()),
                format!("table {} ({}) added", t.table, t.title),
            );
        }
        for (x, y) in both {
            self.note(
                "doc-table-text",
                &y.table,
                place(y),
                &doc(y),
                Some(format!(
                    "{} {} | {} | {:?}",
                    x.section,
                    x.title,
                    x.columns.join(" | "),
                    x.errata
                )),
                Some(format!(
                    "{} {} | {} | {:?}",
                    y.section,
                    y.title,
                    y.columns.join(" | "),
                    y.errata
                )),
                format!(
                    "section, title, columns or errata of table {} changed",
                    y.table
                ),
            );
            let row = |r: &Vec<String>| r.join(" | ");
            let (_, lost, gained) = pair_by(&x.rows, &y.rows, row);
            for r in lost {
                self.note(
                    "doc-table-row-removed",
                    &format!("{}/{}", y.table, r.first().cloned().unwrap_or_default()),
                    place(y),
                    &doc(y),
                    Some(row(r)),
                    None,
                    format!("row removed from table {}", y.table),
                );
            }
            for r in gained {
                self.note(
                    "doc-table-row-added",
                    &format!("{}/{}", y.table, r.first().cloned().unwrap_or_default()),
                    place(y),
                    &doc(y),
                    None,
                    Some(row(r)),
                    format!("row added to table {} ({})", y.table, y.title),
                );
            }
        }
    }

    pub(super) fn fixtures(&mut self) {
        let old: Vec<&Fixture> = self.base.all(|c| &c.fixtures).collect();
        let new: Vec<&Fixture> = self.head.all(|c| &c.fixtures).collect();
        let (both, removed, added) = pair_by(&old, &new, |f| f.id.clone());
        let place = |f: &Fixture| Where {
            operation: Some(f.of.clone()),
            message: f.message.clone(),
            ..Where::default()
        };
        let doc = |f: &Fixture| format!("{} {}", f.section, f.title);
        for f in removed {
            self.note(
                "example-removed",
                &f.id,
                place(f),
                &doc(f),
                Some(f.id.clone()),
                None,
                format!("example `{}` removed", f.id),
            );
        }
        for f in added {
            self.note(
                "example-added",
                &f.id,
                place(f),
                &doc(f),
                None,
                Some(f.id.clone()),
                format!("example `{}` added", f.id),
            );
        }
        for (x, y) in both {
            let text = |spec: &crate::spec::Spec, f: &Fixture| {
                let body = f
                    .body
                    .as_ref()
                    .and_then(|b| spec.aux.get(b))
                    .cloned()
                    .unwrap_or_default();
                let verbatim = spec.aux.get(&f.verbatim).cloned().unwrap_or_default();
                let meta = serde_json::to_string(&(
                    (&f.section, &f.title),
                    &f.kind,
                    &f.of,
                    &f.message,
                    &f.status,
                    &f.headers,
                    &f.query,
                    &f.expect_violations,
                    &f.errata,
                    &f.repair,
                ))
                .unwrap_or_default();
                format!("{meta}\n{verbatim}\n{body}")
            };
            if text(self.base, x) != text(self.head, y) {
                let d = Draft::new("example-changed", &y.id, place(y))
                    .doc(doc(y))
                    .text(format!(
                        "example `{}` changed (text, body or expected violations)",
                        y.id
                    ));
                self.push(d);
            }
        }
    }

    pub(super) fn errata(&mut self) {
        let old: Vec<&Erratum> = self.base.all(|c| &c.errata).collect();
        let new: Vec<&Erratum> = self.head.all(|c| &c.errata).collect();
        let (both, removed, added) = pair_by(&old, &new, |e| e.id.clone());
        let place = || group("errata");
        let doc = |e: &Erratum| e.doc.first().map(|d| d.to_string()).unwrap_or_default();
        for e in removed {
            self.note(
                "erratum-removed",
                &e.id,
                place(),
                &doc(e),
                Some(e.decision.clone()),
                None,
                format!("erratum `{}` removed: {}", e.id, e.title),
            );
        }
        for e in added {
            self.note(
                "erratum-added",
                &e.id,
                place(),
                &doc(e),
                None,
                Some(e.decision.clone()),
                format!("erratum `{}` added: {}", e.id, e.title),
            );
        }
        for (x, y) in both {
            if x.decision != y.decision {
                let d = Draft::new("erratum-decision", &y.id, place()).doc(doc(y)).values(Some(x.decision.clone()), Some(y.decision.clone())).text(format!("decision of erratum `{}` changed: the spec reads the reference differently", y.id));
                let mut c = d;
                c = c.severity(
                    Severity::Warning,
                    vec![Audience::Callers, Audience::Receivers],
                );
                self.push(c);
            }
            let text = |e: &Erratum| {
                serde_json::to_string(&(&e.kind, &e.title, &e.doc, &e.literal, &e.sdk, &e.why))
                    .unwrap_or_default()
            };
            if text(x) != text(y) {
                let d = Draft::new("erratum-text", &y.id, place())
                    .doc(doc(y))
                    .text(format!(
                        "wording, quotes or evidence of erratum `{}` changed",
                        y.id
                    ));
                self.push(d);
            }
        }
    }
}
