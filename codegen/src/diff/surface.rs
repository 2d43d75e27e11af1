//! Operations, notifications (pushes) and signing schemes.

use super::change::{Audience, Severity, Where};
use super::{pair_by, Differ, Draft};
use crate::spec::model::{
    CodeRef, HeaderAttribute, Notification, Operation, ResponseSpec, SigningScheme,
};

const CALLERS: Audience = Audience::Callers;
const RECEIVERS: Audience = Audience::Receivers;

fn code(c: &Option<CodeRef>) -> Option<String> {
    c.as_ref().map(|c| format!("{}/{}", c.status, c.code))
}

impl Differ<'_> {
    pub(super) fn operations(&mut self) {
        let old: Vec<&Operation> = self.base.all(|c| &c.operations).collect();
        let new: Vec<&Operation> = self.head.all(|c| &c.operations).collect();
        let (both, removed, added) = pair_by(&old, &new, |o| o.id.clone());
        let place = |o: &Operation| Where {
            service: Some(o.service.clone()),
            operation: Some(o.id.clone()),
            ..Where::default()
        };
        for o in removed {
            let d = Draft::new("operation-removed", &o.id, place(o))
                .doc(&o.section)
                .severity(Severity::Breaking, vec![CALLERS])
                .values(Some(format!("{} {}", o.method.as_str(), o.path)), None)
                .text(format!("operation `{}` removed", o.id));
            self.push(d);
        }
        for o in added {
            let d = Draft::new("operation-added", &o.id, place(o))
                .doc(&o.section)
                .values(None, Some(format!("{} {}", o.method.as_str(), o.path)))
                .text(format!("operation `{}` added: {}", o.id, o.description));
            self.push(d);
        }
        for (a, b) in both {
            let p = place(b);
            let doc = b.section.clone();
            let mut emit = |kind: &str,
                            loc: &str,
                            sev: Severity,
                            aud: Vec<Audience>,
                            x: Option<String>,
                            y: Option<String>,
                            text: String| {
                if x != y {
                    let d = Draft::new(kind, loc, p.clone())
                        .doc(&doc)
                        .severity(sev, aud)
                        .values(x, y)
                        .text(text);
                    self.out.push(d.build());
                }
            };
            let id = &b.id;
            let s = |x: &str| Some(x.to_string());
            emit(
                "operation-method",
                id,
                Severity::Breaking,
                vec![CALLERS],
                s(a.method.as_str()),
                s(b.method.as_str()),
                format!("method of `{id}` changed"),
            );
            emit(
                "operation-path",
                id,
                Severity::Breaking,
                vec![CALLERS],
                s(&a.path),
                s(&b.path),
                format!("path of `{id}` changed"),
            );
            emit(
                "operation-signing",
                id,
                Severity::Breaking,
                vec![CALLERS],
                s(&a.signing),
                s(&b.signing),
                format!("`{id}` is signed with another scheme"),
            );
            for (what, x, y) in [
                ("headers", Some(&a.headers), Some(&b.headers)),
                (
                    "path parameters",
                    a.path_params.as_ref(),
                    b.path_params.as_ref(),
                ),
                ("query", a.query.as_ref(), b.query.as_ref()),
                ("body", a.body.as_ref(), b.body.as_ref()),
            ] {
                emit(
                    "operation-request",
                    &format!("{id}/{what}"),
                    Severity::Breaking,
                    vec![CALLERS],
                    x.cloned(),
                    y.cloned(),
                    format!("request {what} of `{id}` now use another message"),
                );
            }
            emit(
                "operation-places-call",
                id,
                Severity::Warning,
                vec![CALLERS],
                s(&a.places_call.to_string()),
                s(&b.places_call.to_string()),
                format!("whether `{id}` rings a phone changed (live conformance safety)"),
            );
            emit(
                "operation-result-codes",
                id,
                Severity::Warning,
                vec![RECEIVERS],
                s(&a.result_codes),
                s(&b.result_codes),
                format!("`{id}` answers from another result-code table"),
            );
            emit(
                "operation-rejects",
                &format!("{id}/request"),
                Severity::Warning,
                vec![RECEIVERS],
                s(&format!(
                    "{}/{}",
                    a.rejects.request.status, a.rejects.request.code
                )),
                s(&format!(
                    "{}/{}",
                    b.rejects.request.status, b.rejects.request.code
                )),
                format!("code of an unreadable request to `{id}` changed"),
            );
            emit(
                "operation-rejects",
                &format!("{id}/value"),
                Severity::Warning,
                vec![RECEIVERS],
                s(&format!(
                    "{}/{}",
                    a.rejects.value.status, a.rejects.value.code
                )),
                s(&format!(
                    "{}/{}",
                    b.rejects.value.status, b.rejects.value.code
                )),
                format!("code of a value outside its row in `{id}` changed"),
            );
            for (what, x, y) in [
                ("success", &a.success, &b.success),
                ("failure", &a.failure, &b.failure),
            ] {
                response(&mut emit, id, what, x, y);
            }
            let texts = [
                ("description", &a.description, &b.description),
                ("title", &a.title, &b.title),
                ("section", &a.section, &b.section),
            ];
            for (what, x, y) in texts {
                emit(
                    "operation-text",
                    &format!("{id}/{what}"),
                    Severity::Info,
                    vec![],
                    s(x),
                    s(y),
                    format!("title, description or section of `{id}` changed"),
                );
            }
            emit(
                "operation-sdk-name",
                id,
                Severity::Info,
                vec![],
                a.sdk_name.clone(),
                b.sdk_name.clone(),
                format!("SDK name of `{id}` changed"),
            );
            emit(
                "operation-errata",
                id,
                Severity::Info,
                vec![],
                s(&a.errata.join(", ")),
                s(&b.errata.join(", ")),
                format!("errata of `{id}` changed"),
            );
        }
    }

    pub(super) fn notifications(&mut self) {
        let old: Vec<&Notification> = self.base.all(|c| &c.notifications).collect();
        let new: Vec<&Notification> = self.head.all(|c| &c.notifications).collect();
        let (both, removed, added) = pair_by(&old, &new, |n| n.id.clone());
        let place = |n: &Notification| Where {
            service: Some(n.service.clone()),
            operation: Some(n.id.clone()),
            ..Where::default()
        };
        for n in removed {
            let d = Draft::new("push-removed", &n.id, place(n))
                .doc(&n.section)
                .severity(Severity::Breaking, vec![RECEIVERS])
                .values(Some(n.id.clone()), None)
                .text(format!(
                    "push `{}` removed: receivers no longer get it",
                    n.id
                ));
            self.push(d);
        }
        for n in added {
            let d = Draft::new("push-added", &n.id, place(n))
                .doc(&n.section)
                .severity(Severity::Warning, vec![RECEIVERS])
                .values(None, Some(n.id.clone()))
                .text(format!("push `{}` added: {}", n.id, n.description));
            self.push(d);
        }
        for (a, b) in both {
            let p = place(b);
            let doc = format!("{} 表{}", b.section, b.interface_table);
            let id = b.id.clone();
            let mut emit = |kind: &str,
                            loc: &str,
                            sev: Severity,
                            aud: Vec<Audience>,
                            x: Option<String>,
                            y: Option<String>,
                            text: String| {
                if x != y {
                    let d = Draft::new(kind, loc, p.clone())
                        .doc(&doc)
                        .severity(sev, aud)
                        .values(x, y)
                        .text(text);
                    self.out.push(d.build());
                }
            };
            let s = |x: &str| Some(x.to_string());
            let br = Severity::Breaking;
            emit(
                "push-kind",
                &id,
                br,
                vec![RECEIVERS],
                s(&format!("{:?}", a.kind)),
                s(&format!("{:?}", b.kind)),
                format!("`{id}` changes kind"),
            );
            emit(
                "push-method",
                &id,
                br,
                vec![RECEIVERS],
                s(a.method.as_str()),
                s(b.method.as_str()),
                format!("`{id}` is sent with another method"),
            );
            emit(
                "push-target",
                &id,
                br,
                vec![CALLERS, RECEIVERS],
                s(&a.target),
                s(&b.target),
                format!("the request field naming the URL of `{id}` changed"),
            );
            emit(
                "push-origin",
                &id,
                Severity::Warning,
                vec![RECEIVERS],
                s(&a.origin),
                s(&b.origin),
                format!("the operation whose calls produce `{id}` changed"),
            );
            emit(
                "push-signing",
                &id,
                br,
                vec![RECEIVERS],
                s(&a.signing),
                s(&b.signing),
                format!("`{id}` is signed with another scheme"),
            );
            emit(
                "push-headers",
                &id,
                br,
                vec![RECEIVERS],
                s(&a.headers),
                s(&b.headers),
                format!("headers of `{id}` use another message"),
            );
            emit(
                "push-body",
                &id,
                br,
                vec![RECEIVERS],
                s(&a.body),
                s(&b.body),
                format!("body of `{id}` uses another message"),
            );
            emit(
                "push-discriminator",
                &id,
                br,
                vec![RECEIVERS],
                s(&a.discriminator),
                s(&b.discriminator),
                format!("the field telling events of `{id}` apart changed"),
            );
            let (_, lost, gained) = pair_by(&a.protocols, &b.protocols, |p| p.clone());
            for p in gained {
                emit(
                    "push-protocol-added",
                    &format!("{id}/{p}"),
                    br,
                    vec![RECEIVERS],
                    None,
                    Some(p.clone()),
                    format!("`{id}` may now arrive over {p}"),
                );
            }
            for p in lost {
                emit(
                    "push-protocol-removed",
                    &format!("{id}/{p}"),
                    Severity::Info,
                    vec![],
                    Some(p.clone()),
                    None,
                    format!("`{id}` no longer arrives over {p}"),
                );
            }
            let (pairs, lost, gained) = pair_by(&a.events, &b.events, |e| e.event_type.clone());
            for e in gained {
                emit(
                    "push-event-added",
                    &format!("{id}#{}", e.event_type),
                    br,
                    vec![RECEIVERS],
                    None,
                    Some(e.event_type.clone()),
                    format!(
                        "event type `{}` added to `{id}` ({})",
                        e.event_type, e.message
                    ),
                );
            }
            for e in lost {
                emit(
                    "push-event-removed",
                    &format!("{id}#{}", e.event_type),
                    Severity::Warning,
                    vec![RECEIVERS],
                    Some(e.event_type.clone()),
                    None,
                    format!("event type `{}` no longer sent by `{id}`", e.event_type),
                );
            }
            for (x, y) in pairs {
                emit(
                    "push-event-message",
                    &format!("{id}#{}", y.event_type),
                    br,
                    vec![RECEIVERS],
                    s(&format!("{}.{}", x.field, x.message)),
                    s(&format!("{}.{}", y.field, y.message)),
                    format!(
                        "details of event `{}` use another field or message",
                        y.event_type
                    ),
                );
            }
            emit(
                "push-reply-status",
                &id,
                br,
                vec![RECEIVERS],
                s(&a.reply.status.to_string()),
                s(&b.reply.status.to_string()),
                format!("receivers of `{id}` must answer another status"),
            );
            emit(
                "push-reply-body",
                &id,
                br,
                vec![RECEIVERS],
                a.reply.body.clone(),
                b.reply.body.clone(),
                format!("the reply body to `{id}` uses another message"),
            );
            emit(
                "push-reply-text",
                &id,
                Severity::Info,
                vec![],
                s(&format!("{} / {}", a.reply.success_when, a.reply.zh)),
                s(&format!("{} / {}", b.reply.success_when, b.reply.zh)),
                format!("how the platform judges replies to `{id}` is worded differently"),
            );
            let batch = |n: &Notification| n.batching.as_ref().map(|b| b.max_records);
            let (x, y) = (batch(a), batch(b));
            if x != y {
                let (sev, aud) = match (x, y) {
                    (Some(x), Some(y)) if y < x => (Severity::Info, vec![]),
                    (Some(_), None) => (Severity::Info, vec![]),
                    _ => (br, vec![RECEIVERS]),
                };
                emit(
                    "push-batch-max",
                    &id,
                    sev,
                    aud,
                    x.map(|v| v.to_string()),
                    y.map(|v| v.to_string()),
                    format!("most CDRs in one `{id}` push changed"),
                );
            }
            let merge = |n: &Notification| {
                n.batching
                    .as_ref()
                    .map(|b| format!("{} / {}", b.merge_key, b.zh))
            };
            emit(
                "push-batch-text",
                &id,
                Severity::Info,
                vec![],
                merge(a),
                merge(b),
                format!("how `{id}` merges records changed"),
            );
            let retries = |n: &Notification| n.retry.as_ref().map(|r| r.max_retries);
            let (x, y) = (retries(a), retries(b));
            if x != y {
                let fewer = x.unwrap_or(0) > y.unwrap_or(0);
                let (sev, aud) = if fewer {
                    (Severity::Warning, vec![RECEIVERS])
                } else {
                    (Severity::Info, vec![])
                };
                emit(
                    "push-retries",
                    &id,
                    sev,
                    aud,
                    x.map(|v| v.to_string()),
                    y.map(|v| v.to_string()),
                    format!("retries of a failed `{id}` changed"),
                );
            }
            let retry = |n: &Notification| {
                n.retry.as_ref().map(|r| {
                    format!(
                        "every {} s; then {} / {}",
                        r.interval_seconds, r.after_last, r.zh
                    )
                })
            };
            emit(
                "push-retry-text",
                &id,
                Severity::Info,
                vec![],
                retry(a),
                retry(b),
                format!("retry interval or wording of `{id}` changed"),
            );
            let texts = [
                ("description", &a.description, &b.description),
                ("title", &a.title, &b.title),
                ("section", &a.section, &b.section),
                ("interface-table", &a.interface_table, &b.interface_table),
            ];
            for (what, x, y) in texts {
                emit(
                    "push-text",
                    &format!("{id}/{what}"),
                    Severity::Info,
                    vec![],
                    s(x),
                    s(y),
                    format!("title, description or doc reference of `{id}` changed"),
                );
            }
            emit(
                "push-errata",
                &id,
                Severity::Info,
                vec![],
                s(&a.errata.join(", ")),
                s(&b.errata.join(", ")),
                format!("errata of `{id}` changed"),
            );
        }
    }

    pub(super) fn signing_schemes(&mut self) {
        let old: Vec<&SigningScheme> = self.base.all(|c| &c.signing_schemes).collect();
        let new: Vec<&SigningScheme> = self.head.all(|c| &c.signing_schemes).collect();
        let (both, removed, added) = pair_by(&old, &new, |s| s.id.clone());
        // Who computes the digest: callers sign requests, receivers verify pushes.
        let signer = |s: &SigningScheme| if s.id == "push" { RECEIVERS } else { CALLERS };
        let place = |s: &SigningScheme| Where {
            operation: Some(format!("signing:{}", s.id)),
            ..Where::default()
        };
        let doc = |s: &SigningScheme| {
            s.doc
                .first()
                .map(|d| format!("{} 表{}", d.section, d.table.as_deref().unwrap_or("")))
                .unwrap_or_default()
        };
        for s in removed {
            let d = Draft::new("signing-removed", &s.id, place(s))
                .doc(doc(s))
                .severity(Severity::Breaking, vec![signer(s)])
                .values(Some(s.id.clone()), None)
                .text(format!("signing scheme `{}` removed", s.id));
            self.push(d);
        }
        for s in added {
            let d = Draft::new("signing-added", &s.id, place(s))
                .doc(doc(s))
                .values(None, Some(s.id.clone()))
                .text(format!("signing scheme `{}` added", s.id));
            self.push(d);
        }
        for (a, b) in both {
            let p = place(b);
            let dr = doc(b);
            let who = signer(b);
            let id = b.id.clone();
            let mut emit = |kind: &str,
                            loc: &str,
                            sev: Severity,
                            aud: Vec<Audience>,
                            x: Option<String>,
                            y: Option<String>,
                            text: String| {
                if x != y {
                    let d = Draft::new(kind, &format!("{id}/{loc}"), p.clone())
                        .doc(&dr)
                        .severity(sev, aud)
                        .values(x, y)
                        .text(text);
                    self.out.push(d.build());
                }
            };
            let s = |x: &str| Some(x.to_string());
            let br = Severity::Breaking;
            let wire = [
                (
                    "authorization",
                    &a.authorization.header,
                    &b.authorization.header,
                    "name of the Authorization header",
                ),
                (
                    "authorization-scheme",
                    &a.authorization.scheme,
                    &b.authorization.scheme,
                    "auth scheme token",
                ),
                (
                    "authorization-literal",
                    &a.authorization.literal,
                    &b.authorization.literal,
                    "Authorization value as printed",
                ),
                (
                    "x-aksk",
                    &a.x_aksk.header,
                    &b.x_aksk.header,
                    "name of the X-AKSK header",
                ),
                (
                    "x-aksk-token",
                    &a.x_aksk.token,
                    &b.x_aksk.token,
                    "X-AKSK token",
                ),
                (
                    "x-aksk-literal",
                    &a.x_aksk.literal,
                    &b.x_aksk.literal,
                    "X-AKSK template as printed",
                ),
                (
                    "digest-literal",
                    &a.digest.literal,
                    &b.digest.literal,
                    "digest formula as printed",
                ),
                (
                    "digest-separator",
                    &a.digest.separator,
                    &b.digest.separator,
                    "separator between digest parts",
                ),
            ];
            for (loc, x, y, what) in wire {
                let literal = loc.ends_with("literal");
                let (sev, aud) = if literal {
                    (Severity::Info, vec![])
                } else {
                    (br, vec![who])
                };
                emit(
                    "signing-wire",
                    loc,
                    sev,
                    aud,
                    s(x),
                    s(y),
                    format!("{what} of scheme `{id}` changed"),
                );
            }
            let dig = |x: &SigningScheme| {
                format!(
                    "{:?}({:?}, {:?}) as {:?}",
                    x.digest.algorithm, x.digest.key, x.digest.parts, x.digest.encoding
                )
            };
            emit(
                "signing-digest",
                "digest",
                br,
                vec![who],
                s(&dig(a)),
                s(&dig(b)),
                format!("how the digest of scheme `{id}` is computed changed"),
            );
            for (list, x, y) in [
                (
                    "authorization",
                    &a.authorization.attributes,
                    &b.authorization.attributes,
                ),
                ("x-aksk", &a.x_aksk.attributes, &b.x_aksk.attributes),
            ] {
                let (pairs, lost, gained) = pair_by(x, y, |h: &HeaderAttribute| h.name.clone());
                for h in lost {
                    emit(
                        "signing-attribute-removed",
                        &format!("{list}/{}", h.name),
                        br,
                        vec![who],
                        s(&h.name),
                        None,
                        format!("attribute `{}` of the {list} header removed", h.name),
                    );
                }
                for h in gained {
                    emit(
                        "signing-attribute-added",
                        &format!("{list}/{}", h.name),
                        br,
                        vec![who],
                        None,
                        s(&h.name),
                        format!("attribute `{}` of the {list} header added", h.name),
                    );
                }
                for (h, k) in pairs {
                    let loc = format!("{list}/{}", k.name);
                    emit(
                        "signing-attribute-value",
                        &loc,
                        br,
                        vec![who],
                        h.value.clone(),
                        k.value.clone(),
                        format!("fixed value of `{}` changed", k.name),
                    );
                    emit(
                        "signing-attribute-format",
                        &loc,
                        br,
                        vec![who],
                        h.format.clone(),
                        k.format.clone(),
                        format!("format of `{}` changed", k.name),
                    );
                    for (what, x, y) in [
                        ("missing", &h.missing, &k.missing),
                        ("wrong", &h.wrong, &k.wrong),
                        ("malformed", &h.malformed, &k.malformed),
                    ] {
                        emit(
                            "signing-code",
                            &format!("{loc}/{what}"),
                            Severity::Warning,
                            vec![RECEIVERS],
                            code(x),
                            code(y),
                            format!("code for a {what} `{}` changed", k.name),
                        );
                    }
                    emit(
                        "signing-text",
                        &loc,
                        Severity::Info,
                        vec![],
                        s(&h.description),
                        s(&k.description),
                        format!("description of `{}` changed", k.name),
                    );
                }
            }
            let codes = [
                (
                    "authorization-missing",
                    &a.authorization.missing,
                    &b.authorization.missing,
                ),
                ("x-aksk-missing", &a.x_aksk.missing, &b.x_aksk.missing),
                (
                    "token-missing",
                    &a.x_aksk.token_missing,
                    &b.x_aksk.token_missing,
                ),
                ("invalid-digest", &a.invalid_digest, &b.invalid_digest),
                ("stale-created", &a.stale_created, &b.stale_created),
                ("unknown-app-key", &a.unknown_app_key, &b.unknown_app_key),
                ("replayed-nonce", &a.replayed_nonce, &b.replayed_nonce),
                (
                    "replay-memory-full",
                    &a.replay_memory_full,
                    &b.replay_memory_full,
                ),
            ];
            for (loc, x, y) in codes {
                emit(
                    "signing-code",
                    loc,
                    Severity::Warning,
                    vec![RECEIVERS],
                    code(x),
                    code(y),
                    format!("result code for `{loc}` under scheme `{id}` changed"),
                );
            }
            let vectors = |x: &SigningScheme| {
                x.vectors
                    .iter()
                    .map(|v| format!("{}:{}", v.source, v.digest))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            emit(
                "signing-vectors",
                "vectors",
                Severity::Info,
                vec![],
                s(&vectors(a)),
                s(&vectors(b)),
                format!("known-answer vectors of scheme `{id}` changed"),
            );
            emit(
                "signing-text",
                "description",
                Severity::Info,
                vec![],
                s(&a.description),
                s(&b.description),
                format!("description of scheme `{id}` changed"),
            );
            emit(
                "signing-doc",
                "doc",
                Severity::Info,
                vec![],
                s(&format!("{:?}", a.doc)),
                s(&format!("{:?}", b.doc)),
                format!("doc references of scheme `{id}` changed"),
            );
            emit(
                "signing-errata",
                "errata",
                Severity::Info,
                vec![],
                s(&a.errata.join(", ")),
                s(&b.errata.join(", ")),
                format!("errata of scheme `{id}` changed"),
            );
        }
    }
}

/// A success or failure response of an operation.
fn response(
    emit: &mut impl FnMut(&str, &str, Severity, Vec<Audience>, Option<String>, Option<String>, String),
    id: &str,
    what: &str,
    a: &ResponseSpec,
    b: &ResponseSpec,
) {
    let br = Severity::Breaking;
    emit(
        "operation-response-status",
        &format!("{id}/{what}"),
        br,
        vec![RECEIVERS],
        a.status.map(|s| s.to_string()),
        b.status.map(|s| s.to_string()),
        format!("{what} status of `{id}` changed"),
    );
    emit(
        "operation-response",
        &format!("{id}/{what}/headers"),
        br,
        vec![RECEIVERS],
        a.headers.clone(),
        b.headers.clone(),
        format!("{what} headers of `{id}` use another message"),
    );
    emit(
        "operation-response",
        &format!("{id}/{what}/body"),
        br,
        vec![RECEIVERS],
        a.body.clone(),
        b.body.clone(),
        format!("{what} body of `{id}` uses another message"),
    );
    emit(
        "operation-content-type",
        &format!("{id}/{what}"),
        br,
        vec![RECEIVERS],
        a.content_type.clone(),
        b.content_type.clone(),
        format!("{what} Content-Type of `{id}` changed"),
    );
    let (_, kept, omitted) = pair_by(&a.may_omit, &b.may_omit, |f| f.clone());
    for f in omitted {
        emit(
            "operation-may-omit",
            &format!("{id}/{what}/{f}"),
            br,
            vec![RECEIVERS],
            None,
            Some(f.clone()),
            format!("a {what} of `{id}` may now leave out `{f}`"),
        );
    }
    for f in kept {
        emit(
            "operation-may-omit",
            &format!("{id}/{what}/{f}"),
            Severity::Info,
            vec![],
            Some(f.clone()),
            None,
            format!("a {what} of `{id}` now always carries `{f}`"),
        );
    }
}
