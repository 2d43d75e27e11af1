//! Runs the cases of every operation against a platform target: the spec's valid and
//! mutant cases ([`crate::cases`]), fixed and property-generated with a deterministic
//! seed, sent concurrently, compared with the answer the spec prescribes, and each
//! failing generated case shrunk.

use std::collections::BTreeMap;
use std::time::Duration;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use voicecall::auth::Credentials;
use voicecall::codes::ResultCode;
use voicecall::operations::Operation;
use voicecall_codegen::spec::Spec;
use voicecall_mock::Mock;

use crate::cases::{self, Case, Expect};
use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{request_for, Request, Response, Sender, Target};

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Property-generated cases per operation, valid and mutant each (`PROPTEST_CASES`).
    pub property_cases: u32,
    /// Seed of the property cases: the same seed sends the same requests.
    pub seed: u64,
    /// Requests in flight.
    pub concurrency: usize,
    /// Shrinking steps per failing generated case.
    pub shrink_steps: u32,
    /// For tests of the suite itself: where requests meant for a platform the run starts
    /// (the embedded mock, the provisioned scenarios' mocks) go instead. `None`: to it.
    pub front: Option<Front>,
}

/// Maps the base URL of a platform the run starts to the URL requests are sent to: a
/// test's proxy in front of it, which may answer otherwise (a deliberately broken
/// platform, to show that the suite fails it).
#[derive(Clone)]
pub struct Front(pub std::sync::Arc<dyn Fn(&str) -> String + Send + Sync>);

impl Front {
    /// The URL to send requests meant for `base` to.
    pub fn url(&self, base: &str) -> String {
        (self.0)(base)
    }
}

impl std::fmt::Debug for Front {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Front(..)")
    }
}

/// `base`, or where `front` sends requests meant for it.
pub fn fronted(front: Option<&Front>, base: String) -> String {
    match front {
        Some(f) => f.url(&base),
        None => base,
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            property_cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(64),
            seed: 0x5EED_0F5B_EC00,
            concurrency: 16,
            shrink_steps: 64,
            front: None,
        }
    }
}

/// A number that rings no phone: `+0…` has no country code (E.164 country codes never
/// start with 0). Live runs without `--allow-calls` put it in every called-number field.
pub const NO_PHONE: &str = "+0000000000";

/// Called-number fields of each operation's request.
fn called_fields(op: Operation) -> &'static [&'static str] {
    match op {
        Operation::CreateVoiceCallback => &["callerNbr", "calleeNbr"],
        Operation::CreateVoiceNotification | Operation::CreateVoiceVerificationCode => {
            &["calleeNbr"]
        }
        _ => &[],
    }
}

/// Whether `case` breaks a rule of top-level field `field` (its value must then stay as
/// the mutant made it; it cannot ring anyone, being invalid).
fn targets(case: &Case, field: &str) -> bool {
    case.rule
        .iter()
        .chain(&case.also)
        .any(|r| r.field.as_deref() == Some(field) && r.path.starts_with(&format!("$.{field}")))
}

/// The spec's expectation as an answer: acceptance is the operation's success status
/// (with resultcode 0 when it has a body).
pub fn expected(op: Operation, e: &Expect) -> Expected {
    match e {
        Expect::Accepted => Expected {
            status: op.success_status(),
            code: (op.success_status() == 200).then(|| "0".to_string()),
        },
        Expect::Rejected { status, code } => Expected {
            status: *status,
            code: Some(code.clone()),
        },
    }
}

/// A valid request sent with its first member twice (same value), so a reader that
/// keeps the last key would accept it: the spec expects it refused as an unreadable
/// request, with the code of an unknown field (the same class of defect: the body
/// cannot be read as the message). The repetition is made on the wire by
/// [`repeat_first_member`], since a JSON `Value` cannot hold it.
fn duplicate_key_case(op: Operation, base: &Value, mutants: &[Case]) -> Option<Case> {
    let unreadable = mutants.iter().find(|c| {
        c.rule
            .as_ref()
            .is_some_and(|r| r.kind == "unknown_field" && !r.path.contains('['))
    })?;
    let first = base.as_object()?.keys().next()?.clone();
    Some(Case {
        id: format!("{}/body.duplicate_key", op.name()),
        operation: op.name().to_string(),
        rule: None,
        also: Vec::new(),
        value: base.clone(),
        expect: unreadable.expect.clone(),
        violations: Vec::new(),
        doc: format!(
            "the canonical request with its member {first:?} sent twice (same value); \
             one body must have one reading, so it is unreadable ({})",
            unreadable.rule.as_ref().map_or("", |r| r.doc.as_str())
        ),
    })
}

/// Repeats the first member of a request: the first key of its JSON body, or the first
/// parameter of its query.
fn repeat_first_member(r: &mut Request) {
    if let Some(body) = r.body.as_mut() {
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(body) {
            if let Some((k, v)) = m.iter().next() {
                let first = format!("{}:{}", Value::String(k.clone()), v);
                if let Some(rest) = body.strip_prefix('{') {
                    *body = format!("{{{first},{rest}");
                }
            }
        }
    } else if let Some(first) = r.query.split('&').next().map(str::to_string) {
        if !first.is_empty() {
            r.query = format!("{first}&{}", r.query);
        }
    }
}

/// The headers of a 301 (表4-28): `Location` is sent with it (成功响应时返回, erratum
/// `recording-301-location`), within its row's length, and is an absolute http(s) URL
/// (录音文件下载地址: the client fetches it).
fn check_location(
    spec: &Spec,
    op: &voicecall_codegen::spec::model::Operation,
    r: &Response,
) -> Vec<String> {
    let Some(message) = op.success.headers.as_deref() else {
        return Vec::new();
    };
    let mut headers = serde_json::Map::new();
    match &r.location {
        None => return vec!["the 301 has no Location (表4-28: 成功响应时返回)".into()],
        Some(l) => {
            headers.insert("Location".into(), json!(l));
            if !(l.starts_with("https://") || l.starts_with("http://")) || l.len() < 9 {
                return vec![format!("Location {l:?} is not an absolute http(s) URL")];
            }
        }
    }
    spec.validate_json(message, &Value::Object(headers))
        .into_iter()
        .filter(|v| v.severity == voicecall_codegen::spec::validate::Severity::Error)
        .map(|v| v.to_string())
        .collect()
}

/// The bytes of a percent-encoded component (as [`crate::target::encode`] writes it).
fn percent_decoded(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%')
            .then(|| b.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(x) => {
                out.push(x);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    out
}

/// Sends `content_type` as the request's Content-Type (`None`: leaves the header out).
fn set_content_type(r: &mut Request, content_type: Option<&str>) {
    r.headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("Content-Type"));
    if let Some(v) = content_type {
        r.headers.push(("Content-Type".into(), v.to_string()));
    }
}

/// The proptest value tree of a generated case, kept for shrinking.
type Tree = Box<dyn ValueTree<Value = Case>>;

/// A prepared case: what to send, what to expect, or why not.
struct Prepared {
    case: Case,
    request: Option<Request>,
    expected: Expected,
    note: Option<String>,
    /// Needs a live session substituted for `sessionid` (embedded / calls allowed).
    needs_session: bool,
}

/// The platform run.
pub struct PlatformRun<'a> {
    spec: &'a Spec,
    base: String,
    creds: Credentials,
    embedded: Option<Mock>,
    allow_calls: bool,
    allowed: Vec<String>,
    sender: Sender,
    options: Options,
    recording: Option<(String, String)>,
    /// Time spent generating the cases (spec-driven strategies and the oracle).
    pub generation: Duration,
    /// Time spent sending them and judging the answers (before shrinking).
    pub sending: Duration,
    /// What shrinking the failures cost (cases, requests, time).
    pub shrinking: crate::report::Shrinking,
}

impl<'a> PlatformRun<'a> {
    /// A run against `target` (a platform); `mock` is the embedded mock behind it, if any.
    pub fn new(
        spec: &'a Spec,
        target: &Target,
        mock: Option<Mock>,
        options: Options,
    ) -> Option<Self> {
        let Target::Platform {
            base_url,
            credentials,
            embedded,
            allow_calls,
            allowed_callees,
        } = target
        else {
            return None;
        };
        Some(PlatformRun {
            spec,
            base: base_url.trim_end_matches('/').to_string(),
            creds: credentials.clone(),
            embedded: mock.filter(|_| *embedded),
            allow_calls: *embedded || *allow_calls,
            allowed: allowed_callees.clone(),
            sender: Sender::new(),
            options,
            recording: None,
            generation: Duration::ZERO,
            sending: Duration::ZERO,
            shrinking: Default::default(),
        })
    }

    /// The recording the run made on the embedded mock: (fileName, recordDomain).
    pub fn recording(&self) -> Option<&(String, String)> {
        self.recording.as_ref()
    }

    /// Every case of every operation; `progress(done, total)` after each batch.
    pub async fn run(&mut self, progress: &(dyn Fn(usize, usize) + Sync)) -> Vec<CaseResult> {
        self.recording = self.make_recording().await;
        let generating = std::time::Instant::now();
        let mut all: Vec<(Operation, Prepared, Option<Tree>)> = Vec::new();
        // One generator for the run: its strategies share one copy of the spec.
        let generator = cases::Generator::new(self.spec);
        for (i, op) in Operation::ALL.iter().copied().enumerate() {
            let id = op.name();
            let base = cases::canonical(self.spec, crate::input_message(op));
            let mut fixed = cases::valid_cases(self.spec, id);
            fixed.extend(cases::mutants(self.spec, id, &base));
            let duplicate = duplicate_key_case(op, &base, &fixed);
            for c in fixed {
                all.push((op, self.prepare(op, c), None));
            }
            for h in cases::header_cases(self.spec, id, &base) {
                let mut p = self.prepare(op, h.case);
                if let Some(r) = p.request.as_mut() {
                    set_content_type(r, h.content_type.as_deref());
                }
                all.push((op, p, None));
            }
            for sc in cases::precedence_cases(self.spec, id, &base, 4) {
                let mut p = self.prepare(op, sc.case);
                if let Some(r) = p.request.as_mut() {
                    if let Some(m) = sc.method {
                        r.method = m;
                    }
                    if sc.without_x_aksk {
                        let h = voicecall::auth::sign_request(&self.creds, None, None);
                        r.signing = crate::target::Signing::Raw {
                            authorization: Some(h.authorization),
                            x_aksk: None,
                        };
                    }
                }
                all.push((op, p, None));
            }
            if op == Operation::GetRecordingDownloadUrl && self.recording.is_some() {
                all.push((op, self.percent_encoded_query(op, &base), None));
            }
            if let Some(c) = duplicate {
                let mut p = self.prepare(op, c);
                if let Some(r) = p.request.as_mut() {
                    repeat_first_member(r);
                }
                all.push((op, p, None));
            }
            let mut runner = self.runner(i as u64);
            for strategy in [generator.strategy_valid(id), generator.strategy_mutants(id)] {
                for _ in 0..self.options.property_cases {
                    let Ok(tree) = strategy.new_tree(&mut runner) else {
                        continue;
                    };
                    let mut c = tree.current();
                    c.id = format!("{}#{}", c.id, all.len());
                    all.push((op, self.prepare(op, c), Some(tree)));
                }
            }
        }
        let total = all.len();
        self.generation = generating.elapsed();
        let sending = std::time::Instant::now();
        let mut results: Vec<CaseResult> = Vec::with_capacity(total);
        let mut trees = Vec::new();
        // Every case is spawned at once; a semaphore keeps `concurrency` in flight, and
        // the results are taken back in case order so reports are deterministic.
        let permits =
            std::sync::Arc::new(tokio::sync::Semaphore::new(self.options.concurrency.max(1)));
        let handles: Vec<_> = all
            .iter()
            .map(|(op, p, _)| self.spawn_case(*op, p, permits.clone()))
            .collect();
        for ((op, p, tree), h) in all.iter_mut().zip(handles) {
            let (request, actual) = match h {
                Some(h) => h.await.unwrap_or_default(),
                None => (None, Response::default()),
            };
            let mut verdict = match &request {
                None => Verdict::Skipped,
                Some(_) if p.expected.matches(&actual) => Verdict::Passed,
                Some(_) => Verdict::Failed,
            };
            let mut note = p.note.clone();
            if verdict == Verdict::Passed {
                let problems = self.check_body(*op, request.as_ref(), &actual);
                if !problems.is_empty() {
                    verdict = Verdict::Failed;
                    note = Some(format!(
                        "the answer's body breaks its table: {}",
                        problems.join("; ")
                    ));
                }
            }
            if verdict == Verdict::Failed {
                if let Some(t) = tree.take() {
                    trees.push((results.len(), *op, t));
                }
            }
            results.push(CaseResult {
                api: op.name().to_string(),
                id: p.case.id.clone(),
                rule: p.case.rule.as_ref().map(|r| r.id.clone()),
                doc: p.case.doc.clone(),
                expected: p.expected.clone(),
                actual,
                verdict,
                note,
                request: request
                    .or_else(|| p.request.clone())
                    .unwrap_or_else(|| request_for(*op, &p.case.value)),
            });
            if results.len() % 64 == 0 || results.len() == total {
                progress(results.len(), total);
            }
        }
        self.sending = sending.elapsed();
        let shrinking = std::time::Instant::now();
        self.shrinking.cases = trees.len();
        for (index, op, tree) in trees {
            self.shrinking.requests += self.shrink(&mut results[index], op, tree).await;
        }
        self.shrinking.elapsed = shrinking.elapsed();
        results
    }

    /// The recording download with every byte of every name and value of its query
    /// percent-encoded (unreserved characters too, lower-case hex): RFC 3986 §2.1, §2.3
    /// make it the same query, so the platform must find the recording (301) — a server
    /// that compared the raw text would not.
    fn percent_encoded_query(&self, op: Operation, base: &Value) -> Prepared {
        let case = Case {
            id: format!("{}/valid/query.percent-encoded", op.name()),
            operation: op.name().into(),
            rule: None,
            also: Vec::new(),
            value: base.clone(),
            expect: Expect::Accepted,
            violations: Vec::new(),
            doc: "the recording's query with every byte percent-encoded (lower-case hex), \
                  the same query by RFC 3986 §2.1/§2.3 (4.6 表4-25)"
                .into(),
        };
        let mut p = self.prepare(op, case);
        if let Some(r) = p.request.as_mut() {
            r.query = r
                .query
                .split('&')
                .map(|pair| {
                    pair.split('=')
                        .map(|part| {
                            let raw = percent_decoded(part);
                            raw.iter().map(|b| format!("%{b:02x}")).collect::<String>()
                        })
                        .collect::<Vec<_>>()
                        .join("=")
                })
                .collect::<Vec<_>>()
                .join("&");
        }
        p
    }

    /// What the body of an expected answer breaks: the operation's success or failure
    /// message (spec `success.body` / `failure.body`), and the rules tied to the request.
    fn check_body(&self, op: Operation, request: Option<&Request>, r: &Response) -> Vec<String> {
        let Some(spec_op) = self.spec.operation(op.name()) else {
            return Vec::new();
        };
        if r.status == 301 {
            return check_location(self.spec, spec_op, r);
        }
        let Ok(body) = serde_json::from_str::<Value>(&r.body) else {
            return Vec::new();
        };
        let success = r.status == op.success_status();
        let response = if success {
            &spec_op.success
        } else {
            &spec_op.failure
        };
        let Some(message) = &response.body else {
            return Vec::new();
        };
        let req_value = request
            .and_then(|q| q.body.as_deref())
            .and_then(|b| serde_json::from_str::<Value>(b).ok());
        let req_msg = spec_op.body.as_deref();
        let context = match (req_msg, &req_value) {
            (Some(m), Some(v)) if success => Some((m, v)),
            _ => None,
        };
        crate::response::check(self.spec, message, &body, context, &response.may_omit)
    }

    fn runner(&self, salt: u64) -> TestRunner {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&self.options.seed.to_le_bytes());
        seed[8..16].copy_from_slice(&salt.to_le_bytes());
        TestRunner::new_with_rng(
            Config {
                cases: self.options.property_cases,
                ..Config::default()
            },
            TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
        )
    }

    /// What to send for a case, and what to expect, given the target's safety rules.
    fn prepare(&self, op: Operation, case: Case) -> Prepared {
        let mut value = case.value.clone();
        let mut expected = expected(op, &case.expect);
        let mut note = None;
        let mut needs_session = false;
        let accepted = case.expect == Expect::Accepted;
        if op.places_call() {
            if !self.allow_calls {
                if accepted {
                    return Prepared {
                        request: None,
                        expected,
                        note: Some("would place a call: live runs need --allow-calls".into()),
                        case,
                        needs_session,
                    };
                }
                for f in called_fields(op) {
                    if value.get(*f).is_some_and(Value::is_string) && !targets(&case, f) {
                        value[*f] = json!(NO_PHONE);
                    }
                }
            } else if self.embedded.is_none() {
                if self.allowed.is_empty() {
                    return Prepared {
                        request: None,
                        expected,
                        note: Some("no --allow-callee numbers given".into()),
                        case,
                        needs_session,
                    };
                }
                for (i, f) in called_fields(op).iter().enumerate() {
                    if value.get(*f).is_some_and(Value::is_string) && !targets(&case, f) {
                        value[*f] = json!(self.allowed[i % self.allowed.len()]);
                    }
                }
            }
        }
        if accepted && op == Operation::TerminateCall {
            if self.allow_calls && (self.embedded.is_some() || !self.allowed.is_empty()) {
                needs_session = true;
            } else {
                let code = ResultCode::InvalidSessionId;
                expected = Expected {
                    status: code.http_status(),
                    code: Some(code.code().into()),
                };
                note = Some(
                    "no live session on this target: expects 1020152 for an unknown sessionid"
                        .into(),
                );
            }
        }
        if accepted && op == Operation::GetRecordingDownloadUrl {
            match &self.recording {
                Some((file, domain)) => {
                    value["fileName"] = json!(file);
                    value["recordDomain"] = json!(domain);
                }
                None => {
                    let code = ResultCode::RecordNotFound;
                    expected = Expected {
                        status: code.http_status(),
                        code: Some(code.code().into()),
                    };
                    note = Some(
                        "no recording on this target: expects 1012007 for an unknown file".into(),
                    );
                }
            }
        }
        Prepared {
            request: Some(request_for(op, &value)),
            expected,
            note,
            case,
            needs_session,
        }
    }

    fn spawn_case(
        &self,
        op: Operation,
        p: &Prepared,
        permits: std::sync::Arc<tokio::sync::Semaphore>,
    ) -> Option<tokio::task::JoinHandle<(Option<Request>, Response)>> {
        let mut req = p.request.clone()?;
        let sender = self.sender.clone();
        let base = self.base.clone();
        let creds = self.creds.clone();
        let needs_session = p.needs_session;
        let value = p.case.value.clone();
        let callee = self.allowed.first().cloned();
        Some(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            if needs_session {
                match live_session(&sender, &base, &creds, callee.as_deref()).await {
                    Some(id) => {
                        let mut v = value;
                        v["sessionid"] = json!(id);
                        // The case's headers stay as prepared (header cases vary them).
                        let headers = std::mem::take(&mut req.headers);
                        req = request_for(op, &v);
                        req.headers = headers;
                    }
                    None => {
                        return (
                            Some(req),
                            Response {
                                error: Some("could not place the call the case needs".into()),
                                ..Response::default()
                            },
                        )
                    }
                }
            }
            let r = sender.send(&base, &creds, &req).await;
            (Some(req), r)
        }))
    }

    /// A finished, recorded call on the embedded mock: its (fileName, recordDomain).
    async fn make_recording(&self) -> Option<(String, String)> {
        let mock = self.embedded.as_ref()?;
        let body = json!({
            "displayNbr": "+8675528000001", "callerNbr": "+8613800000001",
            "displayCalleeNbr": "+8675528000002", "calleeNbr": "+8613800000002",
            "recordFlag": "true",
        });
        let r = self
            .sender
            .send(
                &self.base,
                &self.creds,
                &request_for(Operation::CreateVoiceCallback, &body),
            )
            .await;
        let id: Value = serde_json::from_str(&r.body).ok()?;
        let id = id.get("sessionId")?.as_str()?.to_string();
        mock.advance(Duration::from_secs(3600));
        mock.settle(Duration::from_secs(10)).await;
        let file = mock.session(&id)?.session.recording?;
        Some((file, mock.config().platform.record_domain.clone()))
    }

    /// Shrinks a failing generated case: simplest value that still fails. Returns the
    /// requests it sent.
    async fn shrink(&self, result: &mut CaseResult, op: Operation, mut tree: Tree) -> u64 {
        let mut sent = 0;
        let mut steps = 0;
        let mut best: Option<(Case, Request, Response, Expected)> = None;
        while steps < self.options.shrink_steps && tree.simplify() {
            steps += 1;
            loop {
                let p = self.prepare(op, tree.current());
                let Some(req) = p.request.clone() else { break };
                if p.needs_session {
                    break;
                }
                let r = self.sender.send(&self.base, &self.creds, &req).await;
                sent += 1;
                if p.expected.matches(&r) {
                    // Passes: this simplification went too far.
                    if !tree.complicate() {
                        break;
                    }
                    steps += 1;
                    if steps >= self.options.shrink_steps {
                        break;
                    }
                } else {
                    best = Some((p.case, req, r, p.expected));
                    break;
                }
            }
        }
        if let Some((case, req, r, expected)) = best {
            result.note = Some(format!("shrunk in {steps} steps from {}", result.id));
            result.rule = case.rule.as_ref().map(|r| r.id.clone());
            result.doc = case.doc;
            result.expected = expected;
            result.actual = r;
            result.request = req;
        }
        sent
    }
}

/// Places a callback (to `callee`, or the mock's default numbers) and returns its
/// sessionId, for the cases that need a live session.
async fn live_session(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    callee: Option<&str>,
) -> Option<String> {
    let body = json!({
        "displayNbr": "+8675528000001", "callerNbr": callee.unwrap_or("+8613800000001"),
        "displayCalleeNbr": "+8675528000002", "calleeNbr": callee.unwrap_or("+8613800000002"),
    });
    let r = sender
        .send(
            base,
            creds,
            &request_for(Operation::CreateVoiceCallback, &body),
        )
        .await;
    let v: Value = serde_json::from_str(&r.body).ok()?;
    v.get("sessionId")?.as_str().map(String::from)
}

/// Counts per API, for the report.
pub fn by_api(results: &[CaseResult]) -> BTreeMap<&str, Vec<&CaseResult>> {
    let mut m: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        m.entry(r.api.as_str()).or_default().push(r);
    }
    m
}
