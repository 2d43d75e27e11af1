//! Checks a customer's notification receivers: generated, signed status and fee pushes of
//! every event type of every service, and the replies the reference requires (§4.4: HTTP
//! 200; §4.5: HTTP 200 and, with a body, resultcode "0"), each kind sent to its own URL
//! (a service gives statusUrl and feeUrl per request, so real receivers split them).
//!
//! For fee pushes, cases from the retry rules (4.5 注意事项: the platform re-pushes until
//! it gets success, 6 times an hour apart; errata `retry-merge-statements`,
//! `fee-batch-with-malformed-cdr`):
//! - `retry-after-refusal`: a push the receiver must refuse (signed with another secret:
//!   it cannot be stored as the platform's) is not acknowledged, and its retry, signed,
//!   is. A receiver that acknowledges before checking and storing fails it.
//! - `retry-acknowledged-again`: the same push twice; the second is acknowledged too. A
//!   receiver that refuses retries fails it.
//! - `distinct-cdrs-equal-partial-keys`: two different CDRs without sessionId and icid and
//!   with one callEndTime, one push each; both acknowledged. A receiver that keys CDRs by
//!   those fields and refuses the second as a conflict fails it.
//! - `batch-with-mistyped-cdr`: a batch with one CDR holding a value of the wrong JSON
//!   type is acknowledged.
//!
//! Replies alone cannot show a receiver that acknowledges and then silently drops a
//! CDR; these cases catch the receivers that say what they did.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use voicecall::auth::Credentials;
use voicecall_codegen::spec::model::NotificationKind;
use voicecall_codegen::spec::Spec;

use crate::cases;
use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{Request, Response, Sender, Signing};

/// The retry rules checked on every fee receiver.
pub const FEE_RULES: [&str; 4] = [
    "retry-after-refusal",
    "retry-acknowledged-again",
    "distinct-cdrs-equal-partial-keys",
    "batch-with-mistyped-cdr",
];

/// One send of a case.
pub struct Step {
    /// Body.
    pub body: Value,
    /// Signed with another app secret: must not be acknowledged.
    pub forged: bool,
}

/// One push case (one or more sends).
pub struct Push {
    /// `<notification id>/<event type or rule>/<what>`.
    pub id: String,
    /// Notification id.
    pub notification: String,
    /// Rule id, `<notification id>/<event type or rule>`.
    pub rule: String,
    /// Row of the reference.
    pub doc: String,
    /// The sends, in order; each not forged must be acknowledged.
    pub steps: Vec<Step>,
    /// Expected reply (acknowledgement).
    pub expected: Expected,
    /// What the case checks, for the report.
    pub note: Option<String>,
}

fn once(body: Value) -> Vec<Step> {
    vec![Step {
        body,
        forged: false,
    }]
}

/// The pushes of every notification: for each event type the canonical body, then
/// `generated` random valid ones; for fee notifications the retry rules' cases.
/// `run_id` makes the retry cases' CDRs new to a receiver that remembers earlier runs.
pub fn pushes(spec: &Spec, generated: u32, seed: u64, run_id: &str) -> Vec<Push> {
    let mut out = Vec::new();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    for n in spec.all(|c| &c.notifications) {
        let Some(msg) = spec.message(&n.body) else {
            continue;
        };
        let fee = n.kind == NotificationKind::Fee;
        let expected = Expected {
            status: n.reply.status,
            code: (fee && n.reply.body.is_some()).then(|| "0".to_string()),
        };
        let doc = format!("{} 表{} ({})", n.section, msg.table, n.reply.success_when);
        for ev in &n.events {
            let info = |v: Value| -> Value {
                if fee {
                    json!({ "eventType": ev.event_type, ev.field.clone(): [v] })
                } else {
                    json!({ "eventType": ev.event_type, ev.field.clone(): v })
                }
            };
            let rule = format!("{}/{}", n.id, ev.event_type);
            out.push(Push {
                id: format!("{rule}/canonical"),
                notification: n.id.clone(),
                rule: rule.clone(),
                doc: doc.clone(),
                steps: once(info(cases::canonical(spec, &ev.message))),
                expected: expected.clone(),
                note: None,
            });
            let strategy = cases::valid(spec, &ev.message);
            for i in 0..generated {
                let Ok(tree) = strategy.new_tree(&mut runner) else {
                    continue;
                };
                out.push(Push {
                    id: format!("{rule}/generated-{i}"),
                    notification: n.id.clone(),
                    rule: rule.clone(),
                    doc: doc.clone(),
                    steps: once(info(tree.current())),
                    expected: expected.clone(),
                    note: None,
                });
            }
            if !fee {
                continue;
            }
            let cdr = |tag: &str| -> Value {
                let mut c = cases::canonical(spec, &ev.message);
                if let Some(m) = c.as_object_mut() {
                    for k in ["sessionId", "icid"] {
                        if let Some(Value::String(s)) = m.get_mut(k) {
                            *s = format!("{s}-{run_id}-{tag}");
                        }
                    }
                }
                c
            };
            let batch =
                |cdrs: Vec<Value>| json!({ "eventType": ev.event_type, ev.field.clone(): cdrs });
            let retry_doc = format!(
                "{} 注意事项 (平台最多重推6次，每次时间间隔1小时; errata retry-merge-statements)",
                n.section
            );
            let mut case = |r: &str, steps: Vec<Step>, note: &str, doc: &str| {
                out.push(Push {
                    id: format!("{}/{r}/1", n.id),
                    notification: n.id.clone(),
                    rule: format!("{}/{r}", n.id),
                    doc: doc.to_string(),
                    steps,
                    expected: expected.clone(),
                    note: Some(note.to_string()),
                });
            };
            let refused = batch(vec![cdr("refused")]);
            case(
                FEE_RULES[0],
                vec![
                    Step {
                        body: refused.clone(),
                        forged: true,
                    },
                    Step {
                        body: refused,
                        forged: false,
                    },
                ],
                "a push signed with another secret must not be acknowledged (the platform would forget it unstored); its signed retry must be",
                &retry_doc,
            );
            let again = batch(vec![cdr("again")]);
            case(
                FEE_RULES[1],
                vec![
                    Step {
                        body: again.clone(),
                        forged: false,
                    },
                    Step {
                        body: again,
                        forged: false,
                    },
                ],
                "sent twice: a retried CDR must be acknowledged again",
                &retry_doc,
            );
            let (a, b) = partial_key_twins(cdr("twin"));
            case(
                FEE_RULES[2],
                vec![
                    Step {
                        body: batch(vec![a]),
                        forged: false,
                    },
                    Step {
                        body: batch(vec![b]),
                        forged: false,
                    },
                ],
                "two different CDRs without sessionId and icid, one callEndTime: both must be acknowledged",
                &retry_doc,
            );
            let mistyped = batch(vec![cdr("b1"), mistype(cdr("b2")), cdr("b3")]);
            case(
                FEE_RULES[3],
                once(mistyped),
                "a batch with one CDR holding a value of the wrong JSON type must be acknowledged",
                &format!(
                    "{} 表{} feeLst (errata fee-batch-with-malformed-cdr)",
                    n.section, msg.table
                ),
            );
        }
    }
    out
}

/// Two CDRs equal in sessionId, icid (both absent) and callEndTime, different otherwise.
fn partial_key_twins(mut c: Value) -> (Value, Value) {
    if let Some(m) = c.as_object_mut() {
        m.remove("sessionId");
        m.remove("icid");
        m.entry("callEndTime")
            .or_insert_with(|| json!("2019-01-24 03:04:56"));
    }
    let mut d = c.clone();
    if let Some(m) = d.as_object_mut() {
        differ(m);
    }
    (c, d)
}

fn differ(m: &mut Map<String, Value>) {
    const KEEP: [&str; 3] = ["callEndTime", "serviceType", "eventType"];
    if let Some(v) = m
        .iter_mut()
        .find(|(k, v)| !KEEP.contains(&k.as_str()) && v.is_u64())
        .map(|(_, v)| v)
    {
        *v = json!(v.as_u64().unwrap_or(0) + 1);
    } else if let Some(Value::String(s)) = m
        .iter_mut()
        .find(|(k, v)| !KEEP.contains(&k.as_str()) && v.is_string())
        .map(|(_, v)| v)
    {
        s.push('2');
    } else {
        m.insert("conformanceTwin".into(), json!(2));
    }
}

/// The CDR with one value of the wrong JSON type: a number written as a string (as in
/// `"sipStatusCode":"486"`), or else a string written as a number.
fn mistype(mut c: Value) -> Value {
    if let Some(m) = c.as_object_mut() {
        if let Some(v) = m.values_mut().find(|v| v.is_number()) {
            *v = json!(v.to_string());
        } else if let Some((_, v)) = m
            .iter_mut()
            .find(|(k, v)| k.as_str() != "serviceType" && v.is_string())
        {
            *v = json!(1);
        }
    }
    c
}

/// Where each kind of push goes: notification id → receiver URL.
pub type Urls = Vec<(String, String)>;

/// Assigns receiver URLs: `per` (notification id = URL) first, then `status` / `fee`
/// for every status / fee notification, then `all`. Notifications left without a URL
/// are not checked.
pub fn assign(
    spec: &Spec,
    all: Option<&str>,
    status: Option<&str>,
    fee: Option<&str>,
    per: &[(String, String)],
) -> Result<Urls, String> {
    let ids: Vec<(String, bool)> = spec
        .all(|c| &c.notifications)
        .map(|n| (n.id.clone(), n.kind == NotificationKind::Fee))
        .collect();
    for (id, _) in per {
        if !ids.iter().any(|(i, _)| i == id) {
            let known: Vec<&str> = ids.iter().map(|(i, _)| i.as_str()).collect();
            return Err(format!("no notification {id}; known: {}", known.join(", ")));
        }
    }
    let out: Urls = ids
        .into_iter()
        .filter_map(|(id, is_fee)| {
            let url = per
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, u)| u.as_str())
                .or(if is_fee { fee } else { status })
                .or(all)?;
            Some((id, url.to_string()))
        })
        .collect();
    if out.is_empty() {
        return Err("no receiver URL given".into());
    }
    Ok(out)
}

/// Sends every push to the receiver of its kind in `urls`, signed with `creds`' secret
/// for that URL.
pub async fn run(
    sender: &Sender,
    spec: &Spec,
    urls: &Urls,
    creds: &Credentials,
    generated: u32,
    seed: u64,
) -> Vec<CaseResult> {
    let run_id = voicecall::auth::new_nonce();
    let run_id = &run_id[..run_id.len().min(12)];
    let forger = Credentials::new(creds.app_key.clone(), format!("not-{run_id}"));
    let mut out = Vec::new();
    for p in pushes(spec, generated, seed, run_id) {
        let Some((_, url)) = urls.iter().find(|(n, _)| *n == p.notification) else {
            continue;
        };
        let mut verdict = Verdict::Passed;
        let mut actual = Response::default();
        let mut request = None;
        let mut note = p.note.clone();
        for (i, step) in p.steps.iter().enumerate() {
            let req = Request {
                method: "POST",
                path: String::new(),
                query: String::new(),
                headers: vec![(
                    "Content-Type".into(),
                    "application/json;charset=UTF-8".into(),
                )],
                body: Some(step.body.to_string()),
                signing: Signing::Push,
            };
            let r = sender
                .send(url, if step.forged { &forger } else { creds }, &req)
                .await;
            let acknowledged = p.expected.matches(&r);
            let ok = acknowledged != step.forged;
            actual = r;
            request = Some(req);
            if !ok {
                verdict = Verdict::Failed;
                let what = if step.forged {
                    "acknowledged a push signed with another secret"
                } else {
                    "did not acknowledge"
                };
                note = Some(format!(
                    "send {} of {}: {what}; {}",
                    i + 1,
                    p.steps.len(),
                    p.note.as_deref().unwrap_or("")
                ));
                break;
            }
        }
        let Some(request) = request else { continue };
        out.push(CaseResult {
            api: format!("Receiver:{}", p.notification),
            rule: Some(p.rule),
            id: p.id,
            doc: p.doc,
            expected: p.expected,
            actual,
            verdict,
            note,
            request,
        });
    }
    out
}

/// The rule ids a receiver run covers: each event type of each notification with a URL,
/// and the retry rules of each fee notification.
pub fn rule_ids(spec: &Spec, urls: &Urls) -> Vec<String> {
    spec.all(|c| &c.notifications)
        .filter(|n| urls.iter().any(|(id, _)| *id == n.id))
        .flat_map(|n| {
            let fee = n.kind == NotificationKind::Fee;
            n.events
                .iter()
                .map(move |e| format!("{}/{}", n.id, e.event_type))
                .chain(
                    FEE_RULES
                        .iter()
                        .filter(move |_| fee)
                        .map(move |r| format!("{}/{r}", n.id)),
                )
        })
        .collect()
}
