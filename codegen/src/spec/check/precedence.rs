//! The `precedence:` section (erratum `check-precedence`): which check comes first when
//! a request breaks several rules. The conformance suite derives the code it expects for
//! a request with two defects from it, so every part must mean something: stage ids
//! unique, codes that some table lists and that belong to one stage, the checker's rule
//! names each judged by exactly one stage, probes that name a real operation, field and
//! code.

use std::collections::BTreeMap;

use super::{code_exists, errata_exist, Ctx, Index};
use crate::spec::load::SourceFile;
use crate::spec::model::*;

/// The rule names of the generic checker (`Violation::rule`) that can refuse a request.
pub(crate) const CHECKER_RULES: &[&str] = &[
    "type",
    "required",
    "unknown_field",
    "exactly_one_of",
    "required_when",
    "only_when",
    "length",
    "range",
    "enum",
    "format",
    "items",
];

pub(super) fn check(ctx: &mut Ctx, ix: &Index, files: &[SourceFile]) {
    let mut first: Option<usize> = None;
    for (fi, f) in files.iter().enumerate() {
        let Some(p) = &f.content.precedence else {
            continue;
        };
        if let Some(other) = first {
            ctx.err_key(
                fi,
                "precedence",
                format!(
                    "a second `precedence:` section (the first is in {})",
                    files[other].name
                ),
                "keep one `precedence:` section, in spec/voicecall.yaml",
            );
            continue;
        }
        first = Some(fi);
        check_one(ctx, ix, files, fi, p);
    }
}

fn check_one(ctx: &mut Ctx, ix: &Index, files: &[SourceFile], fi: usize, p: &Precedence) {
    if p.stages.is_empty() {
        ctx.err(
            fi,
            "precedence.stages",
            "the precedence has no stage",
            "list the stages a request meets, first checked first",
        );
    }
    if p.errata.is_empty() {
        ctx.err(
            fi,
            "precedence.errata",
            "the precedence names no erratum",
            "name the erratum that records the choice (the reference is silent on precedence)",
        );
    }
    errata_exist(ctx, ix, fi, "precedence", &p.errata);
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut codes: BTreeMap<(u16, &str), &str> = BTreeMap::new();
    let mut rules: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, s) in p.stages.iter().enumerate() {
        let at = format!("precedence.stages[{i}]");
        if let Some(j) = ids.insert(&s.id, i) {
            ctx.err(
                fi,
                format!("{at}.id"),
                format!("duplicate stage {:?} (also stage {j})", s.id),
                "give each stage its own id",
            );
        }
        if s.rejects.is_none() && s.codes.is_empty() {
            ctx.err_key(
                fi,
                at.clone(),
                format!("stage {:?} answers no code", s.id),
                "give the stage `codes:` (the result codes it answers) or `rejects: request | value`",
            );
        }
        if s.rejects.is_none() && !s.rules.is_empty() {
            ctx.err(
                fi,
                format!("{at}.rules"),
                format!(
                    "stage {:?} judges checker rules but names no `rejects` code",
                    s.id
                ),
                "add `rejects: request` or `rejects: value`, or move the rules to the stage that has it",
            );
        }
        for (k, c) in s.codes.iter().enumerate() {
            let cp = format!("{at}.codes[{k}]");
            if !code_exists(files, c) {
                ctx.err(
                    fi,
                    cp.clone(),
                    format!("no result-code table lists {}/{}", c.status, c.code),
                    "use a (status, code) pair of a result-code table",
                );
            }
            if let Some(other) = codes.insert((c.status, &c.code), &s.id) {
                ctx.err(
                    fi,
                    cp,
                    format!("{}/{} is also a code of stage {other:?}", c.status, c.code),
                    "a code belongs to the one stage whose check answers it",
                );
            }
        }
        for (k, r) in s.rules.iter().enumerate() {
            let rp = format!("{at}.rules[{k}]");
            if !CHECKER_RULES.contains(&r.as_str()) {
                ctx.err(
                    fi,
                    rp,
                    format!("{r:?} is not a rule name of the checker"),
                    format!("use one of: {}", CHECKER_RULES.join(", ")),
                );
            } else if let Some(other) = rules.insert(r, &s.id) {
                ctx.err(
                    fi,
                    rp,
                    format!("rule {r:?} is also judged by stage {other:?}"),
                    "a checker rule belongs to one stage",
                );
            }
        }
        for (k, pr) in s.probes.iter().enumerate() {
            probe(ctx, ix, files, fi, &format!("{at}.probes[{k}]"), s, pr);
        }
    }
    if !p.stages.is_empty() {
        let missing: Vec<&str> = CHECKER_RULES
            .iter()
            .copied()
            .filter(|r| !rules.contains_key(r))
            .collect();
        if !missing.is_empty() {
            ctx.err(
                fi,
                "precedence.stages",
                format!("no stage judges the checker rule(s) {}", missing.join(", ")),
                "list each under `rules:` of the stage that judges it",
            );
        }
    }
}

fn probe(
    ctx: &mut Ctx,
    ix: &Index,
    files: &[SourceFile],
    fi: usize,
    at: &str,
    s: &CheckStage,
    pr: &StageProbe,
) {
    let Some(&(of, oi)) = ix.operations.get(&pr.operation) else {
        ctx.err(
            fi,
            format!("{at}.operation"),
            format!("no operation has id {:?}", pr.operation),
            "name an operation defined under `operations:`",
        );
        return;
    };
    let op = &files[of].content.operations[oi];
    let input = op.body.as_ref().or(op.query.as_ref());
    let has_field = input
        .and_then(|m| ix.messages.get(m))
        .map(|&(mf, mi)| &files[mf].content.messages[mi])
        .is_some_and(|m| m.fields.iter().any(|f| f.name == pr.field));
    if !has_field {
        ctx.err(
            fi,
            format!("{at}.field"),
            format!(
                "the request of {} has no top-level field {:?}",
                op.id, pr.field
            ),
            "name a field of the operation's body (or query) message",
        );
    }
    if !s.codes.contains(&pr.code) {
        ctx.err(
            fi,
            format!("{at}.code"),
            format!(
                "{}/{} is not a code of stage {:?}",
                pr.code.status, pr.code.code, s.id
            ),
            "use one of the stage's `codes:`",
        );
    }
    let listed = ix
        .result_code_tables
        .get(&op.result_codes)
        .map(|&(tf, ti)| &files[tf].content.result_code_tables[ti])
        .is_some_and(|t| {
            t.rows.iter().any(|r| {
                r.status == pr.code.status && r.code.as_deref() == Some(pr.code.code.as_str())
            })
        });
    if !listed {
        ctx.err(
            fi,
            format!("{at}.code"),
            format!(
                "table {} of {} does not list {}/{}",
                op.result_codes, op.id, pr.code.status, pr.code.code
            ),
            "use a code of the operation's own result-code table",
        );
    }
}
