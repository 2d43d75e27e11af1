//! `spec diff`: a table of spec edits → the changes expected, each kind in both
//! directions for a request, a response and a push; snapshots of the reports; and
//! properties: reordering is no change, and a random single edit is reported as
//! exactly that edit. Case counts rise with PROPTEST_CASES.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use voicecall_codegen::diff::{self, accept, report, Audience, Change, Semver, Severity};
use voicecall_codegen::spec::{load_sources, Spec};

use Audience::{Callers, Receivers, RustApi};
use Severity::{Breaking, Info, Warning};

/// Every file below spec/, by path relative to it.
fn files() -> &'static BTreeMap<String, String> {
    static FILES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut out = BTreeMap::new();
        let mut todo = vec![root.clone()];
        while let Some(dir) = todo.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else if let Ok(text) = std::fs::read_to_string(&p) {
                    let rel = p
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.insert(rel, text);
                }
            }
        }
        out
    })
}

fn load(files: &BTreeMap<String, String>) -> Result<Spec, String> {
    let sources = files
        .iter()
        .filter(|(p, _)| p.ends_with(".yaml") && p.as_str() != accept::FILE)
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect();
    load_sources(sources, |p| files.get(p).cloned()).map_err(|e| e.render())
}

fn base() -> &'static Spec {
    static BASE: OnceLock<Spec> = OnceLock::new();
    BASE.get_or_init(|| load(files()).expect("the real spec loads"))
}

/// The real spec with each `(file, from, to)` text replacement applied once.
fn edited(edits: &[(&str, &str, &str)]) -> Spec {
    let mut f = files().clone();
    for (file, from, to) in edits {
        let text = f.get_mut(*file).unwrap_or_else(|| panic!("no file {file}"));
        assert_eq!(
            text.matches(from).count(),
            1,
            "{from:?} must occur once in {file}"
        );
        *text = text.replacen(from, to, 1);
    }
    load(&f).unwrap_or_else(|e| panic!("edited spec does not load:\n{e}"))
}

fn summary(changes: &[Change]) -> Vec<(String, Severity, Vec<Audience>)> {
    let mut v: Vec<_> = changes
        .iter()
        .map(|c| (c.id.clone(), c.severity, c.audiences.clone()))
        .collect();
    v.sort();
    v
}

const CB: &str = "callback/4.2-create-voice-callback.yaml";
const ROOT: &str = "voicecall.yaml";
/// The start of 500/1010001's entry under `result_codes:`.
const SYSTEM_ERROR: &str = "- {status: 500, code: '1010001', rust_name: SystemError,";
const ST: &str = "callback/4.4-status-notification.yaml";
const FEE: &str = "callback/4.5-fee-notification.yaml";

/// The `request` and `value` stages of `precedence:`, in the spec's order and swapped.
const PRECEDENCE_REQUEST_VALUE: &str = "  - id: request\n    description: The request can be read as its table's message (Content-Type, JSON syntax, JSON types, required and unknown fields, rules between fields).\n    reach: request\n    rejects: request\n    rules: [type, required, unknown_field, exactly_one_of, required_when, only_when]\n  - id: value\n    description: Every value lies within its row (length, range, enum, format, number of items).\n    reach: request\n    rejects: value\n    rules: [length, range, enum, format, items]\n";
const PRECEDENCE_VALUE_REQUEST: &str = "  - id: value\n    description: Every value lies within its row (length, range, enum, format, number of items).\n    reach: request\n    rejects: value\n    rules: [length, range, enum, format, items]\n  - id: request\n    description: The request can be read as its table's message (Content-Type, JSON syntax, JSON types, required and unknown fields, rules between fields).\n    reach: request\n    rejects: request\n    rules: [type, required, unknown_field, exactly_one_of, required_when, only_when]\n";

/// `(file, from, to)`: one text replacement in a spec file.
type Edit = (&'static str, &'static str, &'static str);

type Expect = &'static [(&'static str, Severity, &'static [Audience])];

/// Each edit and exactly the changes it must produce.
fn table() -> Vec<(&'static str, Vec<Edit>, Expect)> {
    let last_min_voice = "  - name: lastMinVoice\n    type: string\n    required: false\n    doc_type: String(1-128)\n    doc_default: 无\n    length: {min: 1, max: 128, unit: chars}";
    let lmv = |doc: &'static str, len: &'static str| -> &'static str {
        Box::leak(format!("  - name: lastMinVoice\n    type: string\n    required: false\n    doc_type: {doc}\n    doc_default: 无\n    length: {len}").into_boxed_str())
    };
    let session_len = "    doc_type: String(1 -256)\n    doc_default: 无\n    length: {min: 1, max: 256, unit: chars}\n    description: Identifier of the call";
    let session = |max: &'static str| -> &'static str {
        Box::leak(format!("    doc_type: String(1 -256)\n    doc_default: 无\n    length: {{min: 1, max: {max}, unit: chars}}\n    description: Identifier of the call").into_boxed_str())
    };
    let party_type = "    - {value: platform, meaning: the platform released the call}\n";
    let max_duration = "    doc_type: Integer\n    doc_default: '0'\n    default: 0\n    description: Longest allowed call";
    vec![
        // ---- a request (callers send it) ----
        ("request length max lowered", vec![(CB, last_min_voice, lmv("String(1-64)", "{min: 1, max: 64, unit: chars}"))],
            &[("field-length-max:CreateVoiceCallbackRequest.lastMinVoice", Breaking, &[Callers])]),
        ("request length max raised", vec![(CB, last_min_voice, lmv("String(1-512)", "{min: 1, max: 512, unit: chars}"))],
            &[("field-length-max:CreateVoiceCallbackRequest.lastMinVoice", Info, &[])]),
        ("request length min raised", vec![(CB, last_min_voice, lmv("String(2-128)", "{min: 2, max: 128, unit: chars}"))],
            &[("field-length-min:CreateVoiceCallbackRequest.lastMinVoice", Breaking, &[Callers])]),
        ("request length unit chars → bytes", vec![(CB, last_min_voice, lmv("String(1-128)", "{min: 1, max: 128, unit: bytes}"))],
            &[("field-length-unit:CreateVoiceCallbackRequest.lastMinVoice", Breaking, &[Callers])]),
        ("request length limit removed", vec![(CB, last_min_voice, lmv("String", "null"))],
            &[("field-length:CreateVoiceCallbackRequest.lastMinVoice", Info, &[])]),
        ("request doc type alone", vec![(CB, last_min_voice, lmv("String(1~128)", "{min: 1, max: 128, unit: chars}"))],
            &[("field-doc-type:CreateVoiceCallbackRequest.lastMinVoice", Info, &[])]),
        ("request range max lowered", vec![(CB, "    range: {min: 0, max: 1440}", "    range: {min: 0, max: 60}")],
            &[("field-range-max:CreateVoiceCallbackRequest.maxDuration", Breaking, &[Callers])]),
        ("request range max raised", vec![(CB, "    range: {min: 0, max: 1440}", "    range: {min: 0, max: 2880}")],
            &[("field-range-max:CreateVoiceCallbackRequest.maxDuration", Info, &[])]),
        ("request default changed", vec![(CB, max_duration, "    doc_type: Integer\n    doc_default: '0'\n    default: 1\n    description: Longest allowed call")],
            &[("field-default:CreateVoiceCallbackRequest.maxDuration", Warning, &[Callers])]),
        ("request enum value removed", vec![(CB, "    - {value: tob, meaning: play to party B (callee) only}\n", "")],
            &[("field-enum-value-removed:CreateVoiceCallbackRequest.lastMinToUE=tob", Breaking, &[Callers, RustApi])]),
        ("request enum value added", vec![(CB, "    - {value: tob, meaning: play to party B (callee) only}\n", "    - {value: tob, meaning: play to party B (callee) only}\n    - {value: toc, meaning: play to party C}\n")],
            // Loosened on the wire, but a variant added to an exhaustive Rust enum.
            &[("field-enum-value-added:CreateVoiceCallbackRequest.lastMinToUE=toc", Breaking, &[RustApi])]),
        ("request enum meaning changed", vec![(CB, "    - {value: tob, meaning: play to party B (callee) only}\n", "    - {value: tob, meaning: play to the callee only}\n")],
            &[("field-enum-meaning:CreateVoiceCallbackRequest.lastMinToUE=tob", Warning, &[Callers])]),
        ("request field becomes required", vec![(CB, "  - name: userData\n    type: string\n    required: false", "  - name: userData\n    type: string\n    required: true")],
            // new() gains an argument and the field loses its Option.
            &[("field-required:CreateVoiceCallbackRequest.userData", Breaking, &[Callers, RustApi])]),
        ("request field becomes optional", vec![(CB, "  - name: displayNbr\n    type: string\n    required: true", "  - name: displayNbr\n    type: string\n    required: false")],
            // Looser on the wire; new() loses an argument and the field gains an Option.
            &[("field-required:CreateVoiceCallbackRequest.displayNbr", Breaking, &[RustApi])]),
        ("request format removed", vec![(CB, "    length: {min: 1, max: 256, unit: chars}\n    format: user_data\n", "    length: {min: 1, max: 256, unit: chars}\n")],
            &[("field-format:CreateVoiceCallbackRequest.userData", Info, &[])]),
        ("request rule removed", vec![(CB, "  - id: lastMinVoice-needs-maxDuration\n    kind: only_when\n    fields:\n    - lastMinVoice\n    when: {field: maxDuration, op: not_equals, value: 0}\n    effect: ignored\n    description: lastMinVoice takes effect only when maxDuration is not 0.\n    zh: 当maxDuration字段设置为非0时此参数有效。\n    doc: {section: '4.2', table: 4-3, row: lastMinVoice}\n", "")],
            &[("rule-removed:CreateVoiceCallbackRequest#lastMinVoice-needs-maxDuration", Info, &[])]),
        ("request path changed", vec![("callback/4.3-terminate-call.yaml", "  path: /rest/httpsessions/callStop/v2.0", "  path: /rest/httpsessions/callStop/v3.0")],
            &[("operation-path:TerminateCall", Breaking, &[Callers])]),
        // ---- a response (receivers read it) ----
        ("response length max raised", vec![(CB, session_len, session("512"))],
            &[("field-length-max:CreateVoiceCallbackResponse.sessionId", Breaking, &[Receivers])]),
        ("response length max lowered", vec![(CB, session_len, session("128"))],
            &[("field-length-max:CreateVoiceCallbackResponse.sessionId", Info, &[])]),
        ("result code added", vec![(CB, "  - status: 500\n    code: '1010001'\n", "  - status: 500\n    code: '1010099'\n    english: Busy.\n    chinese: 忙。\n    remedy: 稍后重试。\n  - status: 500\n    code: '1010001'\n"), (ROOT, SYSTEM_ERROR, "- {status: 500, code: '1010099', rust_name: PlatformBusy, retryable: true, remedy_en: Try again later.}\n- {status: 500, code: '1010001', rust_name: SystemError,")],
            // `ResultCode` is `#[non_exhaustive]`: a new variant is a minor change.
            &[("code-added:4-5/1010099@500", Breaking, &[Receivers]),
              ("code-entry-added:result_codes/1010099@500", Info, &[])]),
        ("result code status changed", vec![(CB, "  - status: 500\n    code: '1010001'\n", "  - status: 503\n    code: '1010001'\n"), (ROOT, SYSTEM_ERROR, "- {status: 503, code: '1010001', rust_name: SystemUnavailable, retryable: false, remedy_en: Contact the administrator.}\n- {status: 500, code: '1010001', rust_name: SystemError,")],
            // Other tables keep 500/1010001, so its variant stays; 503/1010001 is new.
            &[("code-status:4-5/1010001", Breaking, &[Receivers]),
              ("code-entry-added:result_codes/1010001@503", Info, &[])]),
        ("result code renamed in Rust", vec![(ROOT, "rust_name: RecordNotFound,", "rust_name: RecordMissing,")],
            &[("code-rust-name:result_codes/1012007@403", Breaking, &[RustApi])]),
        ("result code turns retryable", vec![(ROOT, "rust_name: RecordNotFound, retryable: false,", "rust_name: RecordNotFound, retryable: true,")],
            &[("code-retryable:result_codes/1012007@403", Warning, &[Callers])]),
        ("English remedy changed", vec![(ROOT, "remedy_en: 'Check the fileName parameter.'", "remedy_en: 'Check fileName.'")],
            &[("code-remedy-en:result_codes/1012007@403", Info, &[])]),
        ("result code text changed", vec![(CB, "    code: '1010001'\n    english: Internal system error.", "    code: '1010001'\n    english: Internal system failure.")],
            // The Rust variant's name is chosen in `result_codes:`, not taken from the text.
            &[("code-english:4-5/1010001@500", Info, &[])]),
        // ---- a push (receivers read it) ----
        ("push enum value added", vec![(ST, party_type, "    - {value: platform, meaning: the platform released the call}\n    - {value: network, meaning: the network released the call}\n")],
            &[("field-enum-value-added:CallbackDisconnectInfo.partyType=network", Breaking, &[Receivers, RustApi])]),
        ("push enum value removed", vec![(ST, party_type, "")],
            &[("field-enum-value-removed:CallbackDisconnectInfo.partyType=platform", Breaking, &[RustApi])]),
        ("push batch grows", vec![(FEE, "    max_records: 50\n", "    max_records: 100\n")],
            &[("push-batch-max:CallbackFeeNotification", Breaking, &[Receivers])]),
        ("appendix code added", vec![("appendix/7.1-hangup-reasons.yaml", "  - code: 7001\n", "  - code: 7000\n    zh: 新原因\n    english: A new reason\n  - code: 7001\n")],
            &[("appendix-code-added:7.1/7000", Breaking, &[Receivers])]),
        ("appendix text changed", vec![("appendix/7.1-hangup-reasons.yaml", "    english: Call frequency control on the developer\n", "    english: Call frequency limit on the developer\n")],
            &[("appendix-code-text:7.1/7001", Info, &[])]),
        // ---- the rest ----
        ("signing attribute code changed", vec![("signing.yaml", "    - name: Username\n      missing: {status: 400, code: '1023034'}\n      description: The app key (APP_Key).\n    - name: PasswordDigest", "    - name: Username\n      missing: {status: 400, code: '1023035'}\n      description: The app key (APP_Key).\n    - name: PasswordDigest")],
            &[("signing-code:request/x-aksk/Username/missing", Warning, &[Receivers])]),
        ("erratum decision changed", vec![("errata.yaml", "  decision: direction is Integer 0..1 in all three tables;", "  decision: direction is Integer 0..1 in every CDR table;")],
            &[("erratum-decision:direction-enum", Warning, &[Callers, Receivers])]),
        ("push event type added", vec![
            (ST, "  - event_type: alerting\n    field: statusInfo\n    message: CallbackAlertingInfo\n", "  - event_type: alerting\n    field: statusInfo\n    message: CallbackAlertingInfo\n  - event_type: ringback\n    field: statusInfo\n    message: CallbackAlertingInfo\n"),
            (ST, "    - {value: alerting, meaning: ringing event}\n", "    - {value: alerting, meaning: ringing event}\n    - {value: ringback, meaning: ringback event}\n"),
        ], &[
            ("push-event-added:CallbackStatusNotification#ringback", Breaking, &[Receivers]),
            // The event enums are `#[non_exhaustive]`: a new variant is a minor change.
            ("field-enum-value-added:CallbackStatusEvent.eventType=ringback", Breaking, &[Receivers]),
        ]),
        ("request item count max lowered", vec![("notification/5.2-create-voice-notification.yaml", "    doc_type: PlayContentInfo[1-5]\n    doc_default: 无\n    items: {min: 1, max: 5}", "    doc_type: PlayContentInfo[1-4]\n    doc_default: 无\n    items: {min: 1, max: 4}")],
            &[("field-items-max:CreateVoiceNotificationRequest.playInfoList", Breaking, &[Callers])]),
        ("response field changes type", vec![(CB, "  - name: idlePort\n    type: integer", "  - name: idlePort\n    type: string"), (CB, "    range: {min: 0, max: 65535}\n  rules:", "  rules:")],
            &[("field-type:CreateVoiceCallbackResponse.idlePort", Breaking, &[Receivers, RustApi]),
              ("field-range:CreateVoiceCallbackResponse.idlePort", Breaking, &[Receivers])]),
        ("request rule added", vec![(CB, "  rules:\n  - id: lastMinVoice-needs-maxDuration\n", "  rules:\n  - id: preVoice-needs-playPreVoice-x\n    kind: only_when\n    fields:\n    - waitVoice\n    when: {field: maxDuration, op: not_equals, value: 0}\n    effect: rejected\n    description: waitVoice only with maxDuration.\n    zh: 新规则。\n    doc: {section: '4.2', table: 4-3, row: waitVoice}\n  - id: lastMinVoice-needs-maxDuration\n")],
            &[("rule-added:CreateVoiceCallbackRequest#preVoice-needs-playPreVoice-x", Breaking, &[Callers])]),
        ("result code removed", vec![(CB, "  - status: 500\n    code: '1020002'\n    english: Internal error.\n    chinese: 内部错误。\n    remedy: 请联系管理员处理。\n", "")],
            // Nothing breaks: other tables still list 1020002, and variant names are
            // chosen in `result_codes:`, so no other code's variant is renamed.
            &[("code-removed:4-5/1020002@500", Info, &[])]),
        ("doc reference changed", vec![(CB, "- name: CreateVoiceCallbackResponse\n  table: 4-4", "- name: CreateVoiceCallbackResponse\n  table: 4-44")],
            &[("message-table:CreateVoiceCallbackResponse", Info, &[])]),
        ("erratum removed from a row", vec![(CB, "    - {value: toa, meaning: play to party A (caller) only}\n", "    - {value: toa, meaning: play to party A (caller) only}\n")],
            &[]),
        // ---- the precedence of checks (erratum check-precedence) ----
        ("precedence stages reordered", vec![(ROOT, PRECEDENCE_REQUEST_VALUE, PRECEDENCE_VALUE_REQUEST)],
            &[("precedence-order:stages", Breaking, &[Callers])]),
        ("precedence code moved to another stage", vec![(ROOT, "    - {status: 403, code: '1010010'}\n    - {status: 403, code: '1010009'}\n", "    - {status: 403, code: '1010010'}\n"), (ROOT, "    - {status: 403, code: '1020171'}\n", "    - {status: 403, code: '1020171'}\n    - {status: 403, code: '1010009'}\n")],
            &[("precedence-stage-codes:app", Breaking, &[Callers]), ("precedence-stage-codes:rate", Breaking, &[Callers])]),
        ("precedence probe changed", vec![(ROOT, "      value: precedence-no-such-session\n", "      value: precedence-no-session\n")],
            &[("precedence-stage-text:operation", Info, &[])]),
        ("reordering alone", vec![(CB, "    - {value: toa, meaning: play to party A (caller) only}\n    - {value: tob, meaning: play to party B (callee) only}\n", "    - {value: tob, meaning: play to party B (callee) only}\n    - {value: toa, meaning: play to party A (caller) only}\n")],
            &[]),
    ]
}

#[test]
fn each_edit_is_reported_exactly_with_its_severity_and_audiences() {
    let base = base();
    let mut failures = Vec::new();
    for (name, edits, expect) in table() {
        let head = edited(&edits);
        let d = diff::diff(base, &head, "base", "head");
        let got = summary(&d.changes);
        let mut want: Vec<_> = expect
            .iter()
            .map(|(id, s, a)| (id.to_string(), *s, a.to_vec()))
            .collect();
        want.sort();
        if got != want {
            failures.push(format!(
                "{name}:\n  want {want:?}\n  got  {got:?}\n{}",
                report::text(&d)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn removed_and_renamed_fields() {
    let base = base();
    // waitVoice removed from the request.
    let text = &files()[CB];
    let start = text.find("  - name: waitVoice\n").unwrap();
    let rest = &text[start + 1..];
    let len = [rest.find("\n  - name: "), rest.find("\n  rules:")]
        .into_iter()
        .flatten()
        .min()
        .unwrap()
        + 2;
    let block = &text[start..start + len];
    let head = edited(&[(CB, block, "")]);
    let d = diff::diff(base, &head, "base", "head");
    let c = d
        .changes
        .iter()
        .find(|c| c.id == "field-removed:CreateVoiceCallbackRequest.waitVoice")
        .expect("removal reported");
    assert_eq!(
        (c.severity, c.audiences.clone()),
        (Breaking, vec![Callers, RustApi]),
        "{}",
        report::text(&d)
    );
    assert_eq!(d.semver, Semver::Major);
    // Renamed: same type, new name.
    let renamed = block.replacen("name: waitVoice", "name: waitTone", 1);
    let head = edited(&[(CB, block, &renamed)]);
    let d = diff::diff(base, &head, "base", "head");
    let ids: Vec<&str> = d
        .changes
        .iter()
        .map(|c| c.id.as_str())
        .filter(|i| !i.starts_with("rust-api"))
        .collect();
    assert!(
        ids.contains(&"field-renamed:CreateVoiceCallbackRequest.waitVoice"),
        "{ids:?}"
    );
    assert!(
        !ids.iter()
            .any(|i| i.starts_with("field-removed") || i.starts_with("field-added")),
        "{ids:?}"
    );
    let c = d
        .changes
        .iter()
        .find(|c| c.kind == "field-renamed")
        .unwrap();
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (Some("waitVoice"), Some("waitTone"))
    );
    assert_eq!(c.severity, Breaking);
}

#[test]
fn a_new_optional_request_field_is_a_major_rust_change_only() {
    let head = edited(&[(CB, "  - name: userData\n", "  - name: tag\n    type: string\n    required: false\n    doc_type: String(1-8)\n    length: {min: 1, max: 8, unit: chars}\n    description: A tag.\n    zh: 标签。\n  - name: userData\n")]);
    let d = diff::diff(base(), &head, "base", "head");
    let c = d
        .changes
        .iter()
        .find(|c| c.id == "field-added:CreateVoiceCallbackRequest.tag")
        .unwrap();
    assert_eq!((c.severity, c.audiences.clone()), (Breaking, vec![RustApi]));
    assert!(
        c.rust.as_deref().unwrap().contains("with_tag"),
        "{:?}",
        c.rust
    );
    assert_eq!(d.semver, Semver::Major);
}

#[test]
fn the_real_spec_against_itself_is_clean() {
    let d = diff::diff(base(), base(), "HEAD", "working tree");
    assert!(d.changes.is_empty(), "{}", report::text(&d));
    assert_eq!(d.semver, Semver::None);
    assert!(!d.blocks());
}

#[test]
fn accept_list_marks_and_rejects_stale_entries() {
    let head = edited(&[(
        CB,
        "    range: {min: 0, max: 1440}",
        "    range: {min: 0, max: 60}",
    )]);
    let mut d = diff::diff(base(), &head, "base", "head");
    assert!(d.blocks());
    let text = "accept:\n- id: field-range-max:CreateVoiceCallbackRequest.maxDuration\n  reason: the vendor lowered it\n";
    let list = accept::parse("diff-accept.yaml", text).unwrap();
    accept::apply(&list, "diff-accept.yaml", text, &mut d.changes).unwrap();
    assert!(!d.blocks());
    assert!(report::text(&d).contains("accepted: the vendor lowered it"));
    let stale = "accept:\n- id: field-range-max:Nope.x\n  reason: old\n";
    let list = accept::parse("diff-accept.yaml", stale).unwrap();
    let err = accept::apply(&list, "diff-accept.yaml", stale, &mut d.changes).unwrap_err();
    assert_eq!((err[0].line, err[0].column), (2, 7));
    assert!(err[0].message.contains("matches no change"), "{}", err[0]);
    let bad = accept::parse("diff-accept.yaml", "accept:\n- idd: x\n").unwrap_err();
    assert_eq!(bad[0].line, 2, "{}", bad[0]);
    let no_reason =
        accept::parse("diff-accept.yaml", "accept:\n- id: a\n  reason: ' '\n").unwrap_err();
    assert!(no_reason[0].message.contains("no reason"));
}

/// The scenario: tighten a request length, remove a request enum value, add a
/// push enum value and a result code, loosen another length.
fn scenario() -> diff::Diff {
    let head = edited(&[
        (CB, "  - name: lastMinVoice\n    type: string\n    required: false\n    doc_type: String(1-128)\n    doc_default: 无\n    length: {min: 1, max: 128, unit: chars}", "  - name: lastMinVoice\n    type: string\n    required: false\n    doc_type: String(1-64)\n    doc_default: 无\n    length: {min: 1, max: 64, unit: chars}"),
        (CB, "    - {value: tob, meaning: play to party B (callee) only}\n", ""),
        (CB, "  - status: 500\n    code: '1010001'\n", "  - status: 500\n    code: '1010099'\n    english: Busy.\n    chinese: 忙。\n    remedy: 稍后重试。\n  - status: 500\n    code: '1010001'\n"),
        (ROOT, SYSTEM_ERROR, "- {status: 500, code: '1010099', rust_name: PlatformBusy, retryable: true, remedy_en: Try again later.}\n- {status: 500, code: '1010001', rust_name: SystemError,"),
        (CB, "    range: {min: 0, max: 1440}", "    range: {min: 0, max: 2880}"),
        (ST, "    - {value: platform, meaning: the platform released the call}\n", "    - {value: platform, meaning: the platform released the call}\n    - {value: network, meaning: the network released the call}\n"),
    ]);
    diff::diff(base(), &head, "HEAD~1 (0123456789)", "working tree")
}

#[test]
fn reports_read_well() {
    let d = scenario();
    assert!(d.blocks());
    insta::assert_snapshot!("scenario_text", report::text(&d));
    insta::assert_snapshot!("scenario_markdown", report::markdown(&d));
    let json: serde_json::Value = serde_json::from_str(&report::json(&d)).unwrap();
    assert_eq!(json["semver"], "major");
    let first = &json["changes"][0];
    for key in ["id", "kind", "severity", "audiences", "where", "text"] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    // Re-runs produce the same comment.
    assert_eq!(report::markdown(&d), report::markdown(&scenario()));
}

/// Shuffles every list whose order carries no meaning in the spec; with `api_order`,
/// also the two whose order the generated Rust API follows (fields: the arguments of
/// `new()`; result-code rows: which of two equal names gets a suffix).
fn shuffled(spec: &Spec, seed: u64, api_order: bool) -> BTreeMap<String, String> {
    let mut rng = seed | 1;
    let mut next = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n.max(1) as u64) as usize
    };
    fn shuffle<T>(v: &mut [T], next: &mut impl FnMut(usize) -> usize) {
        for i in (1..v.len()).rev() {
            v.swap(i, next(i + 1));
        }
    }
    let mut out = files().clone();
    for f in &spec.files {
        let mut c = f.content.clone();
        shuffle(&mut c.messages, &mut next);
        for m in &mut c.messages {
            if api_order {
                shuffle(&mut m.fields, &mut next);
            }
            shuffle(&mut m.rules, &mut next);
            for fd in &mut m.fields {
                shuffle(&mut fd.enum_values, &mut next);
            }
        }
        if api_order {
            for t in &mut c.result_code_tables {
                shuffle(&mut t.rows, &mut next);
            }
        }
        for t in &mut c.code_tables {
            shuffle(&mut t.rows, &mut next);
        }
        for n in &mut c.notifications {
            shuffle(&mut n.events, &mut next);
        }
        shuffle(&mut c.errata, &mut next);
        shuffle(&mut c.fixtures, &mut next);
        // JSON is YAML: the loader reads it back.
        out.insert(f.name.clone(), serde_json::to_string(&c).unwrap());
    }
    out
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// diff(A, A') is empty when A' is A with its lists reordered and rewritten as JSON.
    #[test]
    fn reordering_is_no_change(seed in any::<u64>()) {
        let spec = base();
        let head = load(&shuffled(spec, seed, false)).map_err(TestCaseError::fail)?;
        let d = diff::diff(spec, &head, "a", "b");
        prop_assert!(d.changes.is_empty(), "{}", report::text(&d));
    }

    /// Reordering fields or result codes changes nothing in the spec, but it does change
    /// the generated API (argument order of `new()`, suffixes of equal code names), and
    /// the diff says so: a caller and a callee swapped in `new()` would compile silently.
    #[test]
    fn reordering_fields_changes_only_what_the_api_orders(seed in any::<u64>()) {
        let spec = base();
        let head = load(&shuffled(spec, seed, true)).map_err(TestCaseError::fail)?;
        let d = diff::diff(spec, &head, "a", "b");
        for c in &d.changes {
            let path = c.id.split_once(':').map(|(_, p)| p).unwrap_or("");
            prop_assert!(
                c.kind.starts_with("rust-api") && (path.ends_with("::new") || path.starts_with("codes::ResultCode::")),
                "{}", report::text(&d)
            );
        }
    }

    /// One random edit of one field is reported as exactly that edit.
    #[test]
    fn a_single_edit_is_reported_alone(pick in any::<prop::sample::Index>(), kind in 0usize..5) {
        let spec = base();
        let fields: Vec<(usize, usize, usize)> = spec.files.iter().enumerate().flat_map(|(fi, f)| {
            f.content.messages.iter().enumerate().flat_map(move |(mi, m)| (0..m.fields.len()).map(move |i| (fi, mi, i)))
        }).collect();
        let (fi, mi, i) = fields[pick.index(fields.len())];
        let mut content = spec.files[fi].content.clone();
        let msg = content.messages[mi].name.clone();
        let field = &mut content.messages[mi].fields[i];
        let name = field.name.clone();
        let id = match kind {
            0 => { field.description.push_str(" (edited)"); format!("field-description:{msg}.{name}") }
            1 => { field.required = !field.required; format!("field-required:{msg}.{name}") }
            2 => match &mut field.length { Some(l) => { l.max += 7; format!("field-length-max:{msg}.{name}") } None => return Ok(()) },
            3 => match &mut field.range { Some(r) => { r.min -= 1; format!("field-range-min:{msg}.{name}") } None => return Ok(()) },
            _ => { field.zh.push('。'); format!("field-zh:{msg}.{name}") }
        };
        let mut f = files().clone();
        f.insert(spec.files[fi].name.clone(), serde_json::to_string(&content).unwrap());
        // An edit that makes an example of the reference invalid does not load: skip it.
        let Ok(head) = load(&f) else { return Ok(()) };
        let d = diff::diff(spec, &head, "a", "b");
        let spec_level: Vec<&str> = d.changes.iter().map(|c| c.id.as_str()).filter(|i| !i.starts_with("rust-api")).collect();
        prop_assert_eq!(spec_level, vec![id.as_str()], "{}", report::text(&d));
    }
}

/// The base is read from git objects: a commit, then an edit in the working tree.
#[test]
fn base_is_read_from_git_objects() {
    use voicecall_codegen::diff::git;
    let dir = std::env::temp_dir().join(format!("spec-diff-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::create_dir_all(&dir).unwrap();
    run(&["init", "-q"]);
    for (rel, text) in files() {
        let p = dir.join("spec").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    run(&["add", "spec"]);
    run(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "spec",
    ]);
    let at = git::read_spec(&dir, "HEAD", "spec").unwrap();
    assert_eq!(&at.files, files(), "every file, byte for byte");
    let from_git = load_sources(at.sources(), |p| at.files.get(p).cloned()).unwrap();
    assert!(diff::diff(&from_git, base(), "HEAD", "tree")
        .changes
        .is_empty());
    // No merge-base with a missing origin/main: HEAD.
    assert_eq!(git::default_base(&dir).unwrap(), "HEAD");
    let err = git::read_spec(&dir, "no-such-rev", "spec").unwrap_err();
    assert!(err.to_string().contains("not a commit"), "{err}");
    let err = git::read_spec(&dir, "HEAD", "nospec").unwrap_err();
    assert!(err.to_string().contains("holds no YAML"), "{err}");
    // A base whose spec does not load is an error of the loader, not a panic.
    std::fs::write(dir.join("spec/voicecall.yaml"), "section: [").unwrap();
    run(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qam",
        "broken",
    ]);
    let at = git::read_spec(&dir, "HEAD", "spec").unwrap();
    assert!(load_sources(at.sources(), |p| at.files.get(p).cloned()).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every value of the spec is compared: changing any one leaf (a string, number or flag)
/// of operations, pushes, signing schemes, messages, code tables, formats, errata and
/// examples gives at least one change — so a field added to the spec model is not
/// silently ignored by the diff. Leaves whose change makes the spec not load are skipped.
#[test]
fn every_leaf_of_the_spec_is_compared() {
    fn leaves(v: &serde_json::Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| {
                let mut p = path.clone();
                p.push(k.clone());
                leaves(x, p, out)
            }),
            serde_json::Value::Array(a) => a.iter().enumerate().take(2).for_each(|(i, x)| {
                let mut p = path.clone();
                p.push(i.to_string());
                leaves(x, p, out)
            }),
            _ => out.push(path),
        }
    }
    fn mutate(v: &mut serde_json::Value, path: &[String]) {
        let mut cur = v;
        for k in path {
            cur = match cur {
                serde_json::Value::Object(m) => m.get_mut(k).unwrap(),
                serde_json::Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
                _ => unreachable!(),
            };
        }
        *cur = match cur.take() {
            serde_json::Value::String(s) => serde_json::Value::String(format!("{s}x")),
            serde_json::Value::Number(n) => serde_json::json!(n.as_i64().map_or(1, |i| i + 1)),
            serde_json::Value::Bool(b) => serde_json::Value::Bool(!b),
            other => other,
        };
    }
    let spec = base();
    let files_to_try = [
        "signing.yaml",
        "callback/4.2-create-voice-callback.yaml",
        "callback/4.5-fee-notification.yaml",
        "appendix/7.1-hangup-reasons.yaml",
        "voicecall.yaml",
        "errata.yaml",
    ];
    let (mut tried, mut silent) = (0, Vec::new());
    for f in spec
        .files
        .iter()
        .filter(|f| files_to_try.contains(&f.name.as_str()))
    {
        let value = serde_json::to_value(&f.content).unwrap();
        let mut paths = Vec::new();
        leaves(&value, Vec::new(), &mut paths);
        for path in paths {
            let mut v = value.clone();
            mutate(&mut v, &path);
            let mut all = files().clone();
            all.insert(f.name.clone(), serde_json::to_string(&v).unwrap());
            let Ok(head) = load(&all) else { continue };
            tried += 1;
            if diff::diff(spec, &head, "a", "b").changes.is_empty() {
                silent.push(format!("{}: {}", f.name, path.join(".")));
            }
        }
    }
    assert!(tried > 200, "only {tried} leaves could be changed");
    assert!(
        silent.is_empty(),
        "changes the diff does not see:\n{}",
        silent.join("\n")
    );
}
