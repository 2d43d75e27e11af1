//! Checks a customer's notification receiver: generated, signed status and fee pushes of
//! every event type of every service, and the replies the reference requires (§4.4: HTTP
//! 200; §4.5: HTTP 200 and, with a body, resultcode "0"), including a fee push sent
//! twice, as the platform does when it retries.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use voicecall::auth::Credentials;
use voicecall_codegen::spec::model::NotificationKind;
use voicecall_codegen::spec::Spec;

use crate::cases;
use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{Request, Sender, Signing};

/// One push to send.
pub struct Push {
    /// `<notification id>/<event type>/<what>`.
    pub id: String,
    /// Notification id.
    pub notification: String,
    /// Row of the reference.
    pub doc: String,
    /// Body.
    pub body: Value,
    /// Expected reply.
    pub expected: Expected,
    /// Send it twice and judge the second reply (a fee retry).
    pub twice: bool,
}

/// The pushes of every notification: for each event type the canonical body, then
/// `generated` random valid ones.
pub fn pushes(spec: &Spec, generated: u32, seed: u64) -> Vec<Push> {
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
            out.push(Push {
                id: format!("{}/{}/canonical", n.id, ev.event_type),
                notification: n.id.clone(),
                doc: doc.clone(),
                body: info(cases::canonical(spec, &ev.message)),
                expected: expected.clone(),
                twice: fee,
            });
            let strategy = cases::valid(spec, &ev.message);
            for i in 0..generated {
                let Ok(tree) = strategy.new_tree(&mut runner) else {
                    continue;
                };
                out.push(Push {
                    id: format!("{}/{}/generated-{i}", n.id, ev.event_type),
                    notification: n.id.clone(),
                    doc: doc.clone(),
                    body: info(tree.current()),
                    expected: expected.clone(),
                    twice: false,
                });
            }
        }
    }
    out
}

/// Sends every push to the receiver at `url`, signed with `creds`' secret for that URL.
pub async fn run(
    sender: &Sender,
    spec: &Spec,
    url: &str,
    creds: &Credentials,
    generated: u32,
    seed: u64,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for p in pushes(spec, generated, seed) {
        let req = Request {
            method: "POST",
            path: String::new(),
            query: String::new(),
            headers: vec![(
                "Content-Type".into(),
                "application/json;charset=UTF-8".into(),
            )],
            body: Some(p.body.to_string()),
            signing: Signing::Push,
        };
        let mut r = sender.send(url, creds, &req).await;
        if p.twice && p.expected.matches(&r) {
            r = sender.send(url, creds, &req).await;
        }
        let verdict = if p.expected.matches(&r) {
            Verdict::Passed
        } else {
            Verdict::Failed
        };
        out.push(CaseResult {
            api: format!("Receiver:{}", p.notification),
            rule: Some(
                p.id.rsplit_once('/')
                    .map_or(p.id.clone(), |(a, _)| a.to_string()),
            ),
            id: p.id,
            doc: p.doc,
            expected: p.expected,
            actual: r,
            verdict,
            note: p
                .twice
                .then(|| "sent twice: a retried CDR must be answered the same".into()),
            request: req,
        });
    }
    out
}

/// The rule ids a receiver run covers: each event type of each notification.
pub fn rule_ids(spec: &Spec) -> Vec<String> {
    spec.all(|c| &c.notifications)
        .flat_map(|n| {
            n.events
                .iter()
                .map(move |e| format!("{}/{}", n.id, e.event_type))
        })
        .collect()
}
