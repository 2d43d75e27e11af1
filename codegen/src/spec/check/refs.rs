//! References between entries: operations, notifications, result-code and appendix
//! tables, signing schemes, formats, literal tables and fixtures' owners.

use std::collections::{BTreeMap, BTreeSet};

use super::{code_exists, errata_exist, Ctx, Index};
use crate::spec::load::SourceFile;
use crate::spec::model::*;

pub(super) fn check_file(ctx: &mut Ctx, ix: &Index, fi: usize, f: &SourceFile) {
    let c = &f.content;
    let has_msg = |n: &str| ix.messages.contains_key(n);
    let need_msg = |ctx: &mut Ctx, path: String, n: &str| {
        if !has_msg(n) {
            ctx.err(fi, path, format!("no message is named {n:?}"), "name a message defined under `messages:` in some spec file (names are case-sensitive)");
        }
    };
    let errata_ok =
        |ctx: &mut Ctx, path: String, list: &[String]| errata_exist(ctx, ix, fi, &path, list);

    for (i, op) in c.operations.iter().enumerate() {
        let p = format!("operations[{i}]");
        if !ix.services.contains_key(&op.service) {
            ctx.err(
                fi,
                format!("{p}.service"),
                format!("no service {:?}", op.service),
                "use a service id listed under `services:` in spec/voicecall.yaml",
            );
        }
        if !ix.schemes.contains_key(&op.signing) {
            ctx.err(
                fi,
                format!("{p}.signing"),
                format!("no signing scheme {:?}", op.signing),
                "use `request` or `push` (spec/signing.yaml)",
            );
        }
        need_msg(ctx, format!("{p}.headers"), &op.headers);
        for (k, m) in [
            ("path_params", &op.path_params),
            ("query", &op.query),
            ("body", &op.body),
        ] {
            if let Some(m) = m {
                need_msg(ctx, format!("{p}.{k}"), m);
            }
        }
        for (k, r) in [("success", &op.success), ("failure", &op.failure)] {
            for (kk, m) in [("headers", &r.headers), ("body", &r.body)] {
                if let Some(m) = m {
                    need_msg(ctx, format!("{p}.{k}.{kk}"), m);
                }
            }
        }
        if op.success.status.is_none() {
            ctx.err(
                fi,
                format!("{p}.success"),
                "the success response has no status",
                "add `status:` (200, or 301 for the recording download)",
            );
        }
        match ix.result_code_tables.get(&op.result_codes) {
            None => ctx.err(
                fi,
                format!("{p}.result_codes"),
                format!("no result-code table {:?}", op.result_codes),
                "name a table under `result_code_tables:` by its number, e.g. \"4-5\"",
            ),
            Some(&(tf, ti)) => {
                let t = &ctx.files[tf].content.result_code_tables[ti];
                for (which, cr) in [
                    ("request", &op.rejects.request),
                    ("value", &op.rejects.value),
                ] {
                    let listed = t.rows.iter().any(|r| {
                        r.status == cr.status && r.code.as_deref() == Some(cr.code.as_str())
                    });
                    if !listed {
                        let msg = format!(
                            "table {} has no row ({}, {}) for rejects.{which}",
                            t.table, cr.status, cr.code
                        );
                        ctx.err(
                            fi,
                            format!("{p}.rejects.{which}"),
                            msg,
                            "use a (status, code) pair of the operation's own result-code table, e.g. {status: 403, code: '1010002'}",
                        );
                    }
                }
                if t.operation != op.id {
                    let msg = format!(
                        "table {} belongs to operation {:?}, not {:?}",
                        t.table, t.operation, op.id
                    );
                    ctx.err(
                        fi,
                        format!("{p}.result_codes"),
                        msg,
                        "point each operation at its own result-code table",
                    );
                }
            }
        }
        // Fields a response may omit exist in its body message, with known errata.
        for (which, r) in [("success", &op.success), ("failure", &op.failure)] {
            if r.may_omit.is_empty() {
                continue;
            }
            let fields: Vec<String> = r
                .body
                .as_ref()
                .and_then(|b| ix.messages.get(b))
                .map(|&(mf, mi)| {
                    ctx.files[mf].content.messages[mi]
                        .fields
                        .iter()
                        .map(|f| f.name.clone())
                        .collect()
                })
                .unwrap_or_default();
            for f in &r.may_omit {
                if !fields.contains(f) {
                    let msg = format!(
                        "{which}.may_omit names {f:?}, which the body message does not have"
                    );
                    ctx.err(
                        fi,
                        format!("{p}.{which}.may_omit"),
                        msg,
                        "name a field of the response's body message",
                    );
                }
            }
            if r.errata.is_empty() {
                ctx.err(
                    fi,
                    format!("{p}.{which}.may_omit"),
                    "may_omit needs the erratum that explains it",
                    "add `errata: [id]` beside may_omit",
                );
            }
            errata_exist(ctx, ix, fi, &format!("{p}.{which}"), &r.errata);
        }
        // Path parameters appear in the path.
        if let Some(pp) = &op.path_params {
            if let Some(&(mf, mi)) = ix.messages.get(pp) {
                for fld in &ctx.files[mf].content.messages[mi].fields {
                    if !op.path.contains(&format!("{{{}}}", fld.name)) {
                        let msg = format!(
                            "path parameter {:?} does not appear in path {:?}",
                            fld.name, op.path
                        );
                        ctx.err(
                            fi,
                            format!("{p}.path"),
                            msg,
                            "write the parameter in the path as {name}",
                        );
                    }
                }
            }
        }
        errata_ok(ctx, p, &op.errata);
    }

    for (i, n) in c.notifications.iter().enumerate() {
        let p = format!("notifications[{i}]");
        if !ix.services.contains_key(&n.service) {
            ctx.err(
                fi,
                format!("{p}.service"),
                format!("no service {:?}", n.service),
                "use a service id listed under `services:`",
            );
        }
        if !ix.operations.contains_key(&n.origin) {
            ctx.err(
                fi,
                format!("{p}.origin"),
                format!("no operation {:?}", n.origin),
                "name the operation whose calls produce this push",
            );
        }
        if !ix.schemes.contains_key(&n.signing) {
            ctx.err(
                fi,
                format!("{p}.signing"),
                format!("no signing scheme {:?}", n.signing),
                "use `push` (spec/signing.yaml)",
            );
        }
        need_msg(ctx, format!("{p}.headers"), &n.headers);
        need_msg(ctx, format!("{p}.body"), &n.body);
        if let Some(b) = &n.reply.body {
            need_msg(ctx, format!("{p}.reply.body"), b);
        }
        if let Some(&(mf, mi)) = ix.messages.get(&n.body) {
            let body = &ctx.files[mf].content.messages[mi].clone();
            match body.fields.iter().find(|f| f.name == n.discriminator) {
                None => ctx.err(
                    fi,
                    format!("{p}.discriminator"),
                    format!("message {} has no field {:?}", body.name, n.discriminator),
                    "name the body field that holds the event type",
                ),
                Some(d) => {
                    let listed: BTreeSet<String> =
                        n.events.iter().map(|e| e.event_type.clone()).collect();
                    let allowed: BTreeSet<String> = d
                        .enum_values
                        .iter()
                        .filter_map(|e| match &e.value {
                            Scalar::Str(s) => Some(s.clone()),
                            Scalar::Int(_) => None,
                        })
                        .collect();
                    if listed != allowed {
                        ctx.err(
                            fi,
                            format!("{p}.events"),
                            format!(
                                "events {listed:?} differ from the values of {}.{}: {allowed:?}",
                                body.name, n.discriminator
                            ),
                            "list exactly one event per value of the discriminator's enum",
                        );
                    }
                }
            }
            for (j, ev) in n.events.iter().enumerate() {
                need_msg(ctx, format!("{p}.events[{j}].message"), &ev.message);
                match body.fields.iter().find(|f| f.name == ev.field) {
                    None => ctx.err(
                        fi,
                        format!("{p}.events[{j}].field"),
                        format!("message {} has no field {:?}", body.name, ev.field),
                        "name the body field that carries the event's details",
                    ),
                    Some(fd) => {
                        let item_ref = fd.item.as_ref().and_then(|it| it.reference.as_deref());
                        if fd.tagged_by.is_none()
                            && item_ref != Some(ev.message.as_str())
                            && fd.reference.as_deref() != Some(ev.message.as_str())
                        {
                            let msg = format!(
                                "field {} refers to {:?}, not to the event's message {:?}",
                                fd.name,
                                item_ref.or(fd.reference.as_deref()),
                                ev.message
                            );
                            ctx.err(fi, format!("{p}.events[{j}].message"), msg, "make the field's ref (or item.ref) and the event's message agree, or tag the field with `tagged_by`");
                        }
                    }
                }
            }
            if let Some(b) = &n.batching {
                let item = n
                    .events
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default();
                let has_key = ix
                    .messages
                    .get(&item)
                    .map(|&(mf, mi)| {
                        ctx.files[mf].content.messages[mi]
                            .fields
                            .iter()
                            .any(|f| f.name == b.merge_key)
                    })
                    .unwrap_or(true);
                if !has_key {
                    ctx.err(
                        fi,
                        format!("{p}.batching.merge_key"),
                        format!("{item} has no field {:?}", b.merge_key),
                        "name a field of the batched records",
                    );
                }
            }
        }
        errata_ok(ctx, p, &n.errata);
    }

    for (i, m) in c.messages.iter().enumerate() {
        super::fields::check_message(ctx, ix, fi, i, m);
        errata_ok(ctx, format!("messages[{i}]"), &m.errata);
    }

    for (i, t) in c.result_code_tables.iter().enumerate() {
        let p = format!("result_code_tables[{i}]");
        if !ix.operations.contains_key(&t.operation) {
            ctx.err(
                fi,
                format!("{p}.operation"),
                format!("no operation {:?}", t.operation),
                "name the operation this table belongs to",
            );
        }
        let mut seen: BTreeMap<(u16, Option<String>), usize> = BTreeMap::new();
        for (j, r) in t.rows.iter().enumerate() {
            let rp = format!("{p}.rows[{j}]");
            if let Some(k) = seen.insert((r.status, r.code.clone()), j) {
                ctx.err(fi, rp.clone(), format!("duplicate row ({}, {}) in table {} (first at row {k})", r.status, r.code.as_deref().unwrap_or("-"), t.table), "a (status, code) pair appears once per table; merge the rows or correct the code");
            }
            if !(100..600).contains(&r.status) {
                ctx.err(
                    fi,
                    format!("{rp}.status"),
                    format!("{} is not an HTTP status", r.status),
                    "use the 响应码 column (200, 301, 400, 401, 403, 500)",
                );
            }
            if let Some(code) = &r.code {
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                    ctx.err(
                        fi,
                        format!("{rp}.code"),
                        format!("result code {code:?} is not a number"),
                        "result codes are digit strings; omit `code` where the table prints `-`",
                    );
                }
            }
            errata_ok(ctx, rp, &r.errata);
        }
    }

    for (i, t) in c.code_tables.iter().enumerate() {
        let p = format!("code_tables[{i}]");
        let mut seen = BTreeMap::new();
        for (j, r) in t.rows.iter().enumerate() {
            let rp = format!("{p}.rows[{j}]");
            match (r.code, r.range) {
                (Some(code), None) => {
                    if let Some(k) = seen.insert(code, j) {
                        ctx.err(
                            fi,
                            rp.clone(),
                            format!("duplicate code {code} in {} (first at row {k})", t.id),
                            "each code appears once per table",
                        );
                    }
                }
                (None, Some(range)) => {
                    if range.min > range.max {
                        ctx.err(
                            fi,
                            format!("{rp}.range"),
                            format!("range {}..{} is empty (min > max)", range.min, range.max),
                            "swap min and max",
                        );
                    }
                    if r.doc_code.is_none() {
                        ctx.err(
                            fi,
                            rp.clone(),
                            "a range row needs `doc_code`, the code column as printed",
                            "add doc_code: '400~699' (or as the table prints it)",
                        );
                    }
                }
                _ => ctx.err(
                    fi,
                    rp.clone(),
                    "a code row has exactly one of `code` and `range`",
                    "write `code: 7001`, or `range: {min: 400, max: 699}` with doc_code",
                ),
            }
            errata_ok(ctx, rp, &r.errata);
        }
    }

    for (i, s) in c.signing_schemes.iter().enumerate() {
        let p = format!("signing_schemes[{i}]");
        let mut refs: Vec<(String, &CodeRef)> = Vec::new();
        let a = &s.authorization;
        refs.extend(
            a.missing
                .iter()
                .map(|r| (format!("{p}.authorization.missing"), r)),
        );
        for (j, at) in a.attributes.iter().enumerate() {
            refs.extend(
                at.missing
                    .iter()
                    .map(|r| (format!("{p}.authorization.attributes[{j}].missing"), r)),
            );
            refs.extend(
                at.wrong
                    .iter()
                    .map(|r| (format!("{p}.authorization.attributes[{j}].wrong"), r)),
            );
        }
        let x = &s.x_aksk;
        refs.extend(x.missing.iter().map(|r| (format!("{p}.x_aksk.missing"), r)));
        refs.extend(
            x.token_missing
                .iter()
                .map(|r| (format!("{p}.x_aksk.token_missing"), r)),
        );
        for (j, at) in x.attributes.iter().enumerate() {
            refs.extend(
                at.missing
                    .iter()
                    .map(|r| (format!("{p}.x_aksk.attributes[{j}].missing"), r)),
            );
            if let Some(fmt) = &at.format {
                if !ix.formats.contains_key(fmt) {
                    ctx.err(
                        fi,
                        format!("{p}.x_aksk.attributes[{j}].format"),
                        format!("no format {fmt:?}"),
                        "name a format under `formats:` in spec/voicecall.yaml",
                    );
                }
            }
        }
        refs.extend(
            s.invalid_digest
                .iter()
                .map(|r| (format!("{p}.invalid_digest"), r)),
        );
        refs.extend(
            s.stale_created
                .iter()
                .map(|r| (format!("{p}.stale_created"), r)),
        );
        refs.extend(
            s.unknown_app_key
                .iter()
                .map(|r| (format!("{p}.unknown_app_key"), r)),
        );
        refs.extend(
            s.replayed_nonce
                .iter()
                .map(|r| (format!("{p}.replayed_nonce"), r)),
        );
        refs.extend(
            s.replay_memory_full
                .iter()
                .map(|r| (format!("{p}.replay_memory_full"), r)),
        );
        for (j, at) in x.attributes.iter().enumerate() {
            refs.extend(
                at.malformed
                    .iter()
                    .map(|r| (format!("{p}.x_aksk.attributes[{j}].malformed"), r)),
            );
        }
        for (path, r) in refs {
            if !code_exists(ctx.files, r) {
                ctx.err(
                    fi,
                    path,
                    format!(
                        "no result-code table has the row ({}, {})",
                        r.status, r.code
                    ),
                    "use a (status, code) pair that a result-code table lists",
                );
            }
        }
        errata_ok(ctx, p, &s.errata);
    }

    for (i, fm) in c.formats.iter().enumerate() {
        errata_ok(ctx, format!("formats[{i}]"), &fm.errata);
    }
    for (i, t) in c.doc_tables.iter().enumerate() {
        for (j, row) in t.rows.iter().enumerate() {
            if row.len() != t.columns.len() {
                let msg = format!(
                    "row has {} cells but the table has {} columns",
                    row.len(),
                    t.columns.len()
                );
                ctx.err(
                    fi,
                    format!("doc_tables[{i}].rows[{j}]"),
                    msg,
                    "give every row one cell per column (use '' for an empty cell)",
                );
            }
        }
        errata_ok(ctx, format!("doc_tables[{i}]"), &t.errata);
    }
    for (i, fx) in c.fixtures.iter().enumerate() {
        let p = format!("fixtures[{i}]");
        if !ix.operations.contains_key(&fx.of) && !ix.notifications.contains_key(&fx.of) {
            ctx.err(
                fi,
                format!("{p}.of"),
                format!("no operation or notification {:?}", fx.of),
                "name the operation or notification the example belongs to",
            );
        }
        if let Some(m) = &fx.message {
            need_msg(ctx, format!("{p}.message"), m);
        }
        if fx.repair == Repair::Reconstructed && fx.errata.is_empty() {
            ctx.err(
                fi,
                format!("{p}.repair"),
                "a reconstructed body needs an erratum saying what was garbled",
                "add `errata: [E…]` naming the erratum that records the original text",
            );
        }
        errata_ok(ctx, p, &fx.errata);
    }
}
