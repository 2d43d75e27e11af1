//! The `result_codes:` entries (erratum `result-code-english-remedy`): one per (HTTP
//! status, result code) pair of the result-code tables, each with a Rust name that is a
//! valid, unique UpperCamelCase identifier — codegen names `ResultCode` variants after
//! it, so a bad or duplicate name would only surface as a compile error far away.
//! A spec without any entry is an edition from before them and loads (its variants are
//! named from the English text, as they were then).

use std::collections::{BTreeMap, BTreeSet};

use super::Ctx;
use crate::spec::load::SourceFile;

/// Why `name` cannot be a variant name, if it cannot.
pub(crate) fn bad_rust_name(name: &str) -> Option<&'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => Some("it is empty"),
        Some(c) if !c.is_ascii_uppercase() => Some("it does not start with an ASCII capital"),
        _ if !name.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Some("it has a character other than ASCII letters and digits")
        }
        // `Self` is the one keyword in UpperCamelCase; the rest of the reserved words are
        // lower case and fail the first test.
        _ if name == "Self" => Some("it is a Rust keyword"),
        // Two capitals in a row beyond an initialism of two read as SHOUTING and trip
        // clippy's `upper_case_acronyms` (e.g. `HTTPHeader`; write `HttpHeader`).
        _ if name
            .as_bytes()
            .windows(3)
            .any(|w| w.iter().all(u8::is_ascii_uppercase)) =>
        {
            Some("it has three capitals in a row (write acronyms as words: `Http`, not `HTTP`)")
        }
        _ => None,
    }
}

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    let mut names: BTreeMap<&str, (u16, &str)> = BTreeMap::new();
    let mut pairs: BTreeMap<(u16, &str), ()> = BTreeMap::new();
    let mut listed: BTreeSet<(u16, &str)> = BTreeSet::new();
    for f in files {
        for t in &f.content.result_code_tables {
            for r in &t.rows {
                if let Some(code) = &r.code {
                    listed.insert((r.status, code.as_str()));
                }
            }
        }
    }
    let mut any = None;
    for (fi, f) in files.iter().enumerate() {
        for (i, e) in f.content.result_codes.iter().enumerate() {
            let p = format!("result_codes[{i}]");
            any.get_or_insert(fi);
            if let Some(why) = bad_rust_name(&e.rust_name) {
                ctx.err(
                    fi,
                    format!("{p}.rust_name"),
                    format!("{:?} cannot name a Rust enum variant: {why}", e.rust_name),
                    "use UpperCamelCase ASCII letters and digits, e.g. `RecordNotFound`",
                );
            }
            if let Some((s, c)) = names.insert(&e.rust_name, (e.status, &e.code)) {
                ctx.err(
                    fi,
                    format!("{p}.rust_name"),
                    format!("the name {:?} is also that of {s}/{c}", e.rust_name),
                    "every result code needs a name of its own",
                );
            }
            if pairs.insert((e.status, &e.code), ()).is_some() {
                ctx.err(
                    fi,
                    p.clone(),
                    format!("{}/{} has two entries", e.status, e.code),
                    "keep one entry per (status, code) pair",
                );
            }
            if !listed.contains(&(e.status, e.code.as_str())) {
                ctx.err(
                    fi,
                    p,
                    format!("no result-code table lists {}/{}", e.status, e.code),
                    "remove the entry, or correct its status or code",
                );
            }
        }
    }
    let missing: Vec<String> = listed
        .iter()
        .filter(|k| !pairs.contains_key(*k))
        .map(|(s, c)| format!("{s}/{c}"))
        .collect();
    // A spec with no entries at all is an edition from before them (the base of a
    // `spec diff`); codegen then names variants as it did then. Once there is one entry,
    // every listed pair needs one.
    if !missing.is_empty() && any.is_some() {
        ctx.err(
            any.unwrap_or(0),
            "result_codes",
            format!(
                "result codes without an entry under `result_codes:`: {}",
                missing.join(", ")
            ),
            "add `{status, code, rust_name, remedy_en, retryable}` for each (spec/voicecall.yaml)",
        );
    }
}
