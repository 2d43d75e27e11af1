//! Errata whose decision is stated as data (`enforces:`): each named field must have the
//! limits the erratum decides, so the YAML cannot silently contradict its own errata.

use super::{Ctx, Index};
use crate::spec::load::SourceFile;
use crate::spec::model::*;

pub(super) fn check_file(ctx: &mut Ctx, ix: &Index, fi: usize, f: &SourceFile) {
    for (i, e) in f.content.errata.iter().enumerate() {
        for (j, en) in e.enforces.iter().enumerate() {
            let path = format!("errata[{i}].enforces[{j}]");
            let Some(&(mf, mi)) = ix.messages.get(&en.message) else {
                ctx.err(
                    fi,
                    format!("{path}.message"),
                    format!("no message is named {:?}", en.message),
                    "name a message defined under `messages:` in some spec file",
                );
                continue;
            };
            let msg = &ctx.files[mf].content.messages[mi];
            let Some(field) = msg.fields.iter().find(|x| x.name == en.field) else {
                ctx.err(
                    fi,
                    format!("{path}.field"),
                    format!("message {} has no field {:?}", en.message, en.field),
                    "use the field's wire name",
                );
                continue;
            };
            for problem in contradictions(en, field) {
                ctx.err(
                    fi,
                    path.clone(),
                    format!(
                        "erratum {:?} decides that {}.{} {problem}",
                        e.id, en.message, en.field
                    ),
                    format!(
                        "make the field in {} follow the decision, or change the erratum's decision and `enforces:` together",
                        ctx.files[mf].name
                    ),
                );
            }
        }
    }
}

/// Every way `field` contradicts `en`, as "has X, but the YAML says Y".
pub(crate) fn contradictions(en: &Enforcement, field: &Field) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(want) = &en.enum_values {
        let mut want: Vec<&Scalar> = want.iter().collect();
        let mut have: Vec<&Scalar> = field.enum_values.iter().map(|v| &v.value).collect();
        want.sort();
        have.sort();
        if want != have {
            out.push(format!(
                "lists the values {}, but the YAML lists {}",
                list(&want),
                list(&have)
            ));
        }
    }
    if let Some(want) = en.length {
        match field.length {
            Some(l) if l.min == want.min && l.max == want.max => {}
            Some(l) => out.push(format!(
                "has length {}-{}, but the YAML says {}-{}",
                want.min, want.max, l.min, l.max
            )),
            None => out.push(format!(
                "has length {}-{}, but the YAML gives no length",
                want.min, want.max
            )),
        }
    }
    if let Some(want) = en.range {
        match field.range {
            Some(r) if r == want => {}
            Some(r) => out.push(format!(
                "has range {}..{}, but the YAML says {}..{}",
                want.min, want.max, r.min, r.max
            )),
            None => out.push(format!(
                "has range {}..{}, but the YAML gives no range",
                want.min, want.max
            )),
        }
    }
    if let Some(want) = &en.format {
        if field.format.as_deref() != Some(want) {
            out.push(format!(
                "has format {want:?}, but the YAML says {}",
                field
                    .format
                    .as_deref()
                    .map(|f| format!("{f:?}"))
                    .unwrap_or_else(|| "none".into())
            ));
        }
    }
    if let Some(want) = en.required {
        if field.required != want {
            out.push(format!(
                "is required: {want}, but the YAML says required: {}",
                field.required
            ));
        }
    }
    out
}

fn list(v: &[&Scalar]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
