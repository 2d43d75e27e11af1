//! The mock's state and its scheduler: sessions, the queue of timed steps, pushes and
//! their attempts. [`Mock`] is the Rust API (tests drive it directly); the HTTP server
//! in [`crate::server`] is a thin layer over it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Notify, Semaphore};
use voicecall::auth::{Credentials, Verifier, VerifierConfig};
use voicecall::codes::ResultCode;
use voicecall::operations::Operation;

use crate::cdr::Cdr;
use crate::clock::{secs, Clock, VTime};
use crate::config::{ClockConfig, MockConfig, RetentionConfig};
use crate::outcome::Outcome;
use crate::policy::Usage;
use crate::push::{self, Attempt, PushKind, PushRecord, PushState};
use crate::session::{Session, Step};
use crate::store::ShardedMap;

/// Most pushes in flight at once.
const MAX_PUSHES_IN_FLIGHT: usize = 256;
/// Most idle connections kept per receiver host.
const MAX_IDLE_PER_HOST: usize = 8;

/// How long the running clock's task plays due steps before it lets the requests waiting
/// on the same thread through (see [`Mock::run_due_within`]).
const PLAY_SLICE: Duration = Duration::from_micros(200);

/// An event of a session: virtual time, eventType, body (the bytes its push carries).
pub type Event = (VTime, &'static str, Arc<str>);

/// A timed action of the scheduler.
#[derive(Debug, Clone)]
enum Action {
    /// Play step `index` of a session's plan.
    Step { session: Arc<str>, index: usize },
    /// Push the CDRs of calls that ended in one second (boxed: the queue's entries stay
    /// small, and a flush is rare next to steps).
    FeeFlush { key: Box<BatchKey> },
    /// Try a fee push again.
    FeeRetry { push: usize },
}

/// An action in the queue: due at `at`, and among actions due together, in the order
/// they were queued (`order`, unique). Ordered by those two alone.
#[derive(Debug)]
struct Due {
    at: VTime,
    order: u64,
    action: Action,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

/// CDRs of one app to one URL with one callEndTime share a push (§4.5: at most 50).
type BatchKey = (String, String, String);

/// A fault to inject: the next `count` requests (of `operation`, or any) answer `code`.
#[derive(Debug, Clone, Serialize)]
pub struct Injection {
    /// Operation concerned (None: any).
    pub operation: Option<&'static str>,
    /// Result code answered.
    #[serde(serialize_with = "code_text")]
    pub code: ResultCode,
    /// Requests left.
    pub count: u32,
}

fn code_text<S: serde::Serializer>(c: &ResultCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.code())
}

/// Mutable state, under one lock (no await while it is held).
#[derive(Default)]
pub(crate) struct State {
    // Maps that grow with the calls are sharded (`store.rs`): their growth never moves
    // every entry while the lock is held. Ordered data lives in B-trees, which grow a
    // node at a time.
    /// Boxed: a session is ≈ 0.5 KB, and a table of them inline moved every byte on
    /// insertion and growth, with a cache miss per line (issue 16's profile: the insertion
    /// was 6 % of the server's time).
    pub(crate) sessions: ShardedMap<Arc<str>, Box<Session>>,
    /// Session ids by acceptance number: the listing order. A B-tree, so evicting a
    /// session is O(log n) and no compaction pass ever runs.
    pub(crate) order: BTreeMap<u64, Arc<str>>,
    /// Timed actions, earliest first. Each entry holds its action: a map beside the heap
    /// (the action by its number) cost an insertion and a removal per step, with a cache
    /// miss each (issue 16).
    queue: BinaryHeap<Reverse<Due>>,
    /// Push records retained, by id.
    pub(crate) pushes: BTreeMap<usize, PushRecord>,
    /// The id the next push record gets.
    next_push: usize,
    /// Ended sessions, in the order they ended, with the virtual time they ended.
    ended: VecDeque<(VTime, Arc<str>)>,
    /// Push records evicted, counted as the summary counts them.
    evicted_pushes: PushSummary,
    /// Sessions evicted.
    evicted_sessions: usize,
    /// Sessions ever accepted.
    total_sessions: usize,
    /// Steps the scheduler played (a call without a statusUrl plays only its end).
    pub(crate) steps_played: u64,
    /// Status pushes waiting per session; an entry exists only while its drain task runs.
    status_queues: ShardedMap<Arc<str>, VecDeque<usize>>,
    /// CDRs waiting for their batch's push: the session and the record's JSON text.
    batches: BTreeMap<BatchKey, Vec<(Arc<str>, String)>>,
    pub(crate) usage: Usage,
    pub(crate) outcomes: HashMap<String, Outcome>,
    pub(crate) injections: Vec<Injection>,
    /// Recordings: (fileName, recordDomain) → app key.
    pub(crate) recordings: ShardedMap<(String, String), String>,
    /// Rewrites each CDR before it is batched (`Mock::rewrite_cdrs`).
    cdr_rewrite: Option<Arc<CdrRewrite>>,
}

impl State {
    /// The id the next push record gets.
    fn next_push_id(&mut self) -> usize {
        let id = self.next_push;
        self.next_push += 1;
        id
    }

    fn push(&self, id: usize) -> Option<&PushRecord> {
        self.pushes.get(&id)
    }

    fn push_mut(&mut self, id: usize) -> Option<&mut PushRecord> {
        self.pushes.get_mut(&id)
    }

    fn add_push(&mut self, p: PushRecord) {
        self.pushes.insert(p.id, p);
    }

    /// Applies the retention policy at virtual time `now`: ended sessions beyond the
    /// count or age leave with their events and recording; finished push records beyond
    /// the count leave from the front (a pending one stops the sweep until it finishes).
    fn retain(&mut self, r: &RetentionConfig, record_domain: &str, now: VTime) {
        let max_age = r.max_age_seconds.map(|s| s.saturating_mul(1000));
        while let Some((ended_at, _)) = self.ended.front() {
            let too_many = self.ended.len() > r.max_ended_sessions;
            let too_old = max_age.is_some_and(|a| now.saturating_sub(*ended_at) > a);
            if !(too_many || too_old) {
                break;
            }
            let Some((_, id)) = self.ended.pop_front() else {
                break;
            };
            if let Some(s) = self.sessions.remove(&id) {
                self.order.remove(&s.seq);
                if let Some(file) = s.recording {
                    self.recordings.remove(&(file, record_domain.to_string()));
                }
            }
            self.evicted_sessions += 1;
        }
        let over = self.pushes.len().saturating_sub(r.max_push_records);
        if over > 0 {
            // The oldest finished ones; pending pushes (a fee push waiting for its
            // retry) stay, and are passed over.
            let victims: Vec<usize> = self
                .pushes
                .iter()
                .filter(|(_, p)| p.state != PushState::Pending)
                .map(|(id, _)| *id)
                .take(over)
                .collect();
            for id in victims {
                if let Some(p) = self.pushes.remove(&id) {
                    self.evicted_pushes.count(&p);
                }
            }
        }
    }
}

impl PushSummary {
    /// Adds a push record to the counts.
    fn count(&mut self, p: &PushRecord) {
        self.total += 1;
        match p.state {
            PushState::Delivered => self.delivered += 1,
            PushState::Pending => self.pending += 1,
            PushState::Failed => self.failed += 1,
            PushState::Undeliverable => self.undeliverable += 1,
        }
        if p.kind == PushKind::Fee {
            let n = p.sessions.len();
            self.cdrs += n;
            match p.state {
                PushState::Delivered => self.cdrs_delivered += n,
                PushState::Undeliverable => self.cdrs_undeliverable += n,
                _ => {}
            }
        }
    }
}

/// A fee push body, `{"eventType":"fee","feeLst":[…]}`, around CDRs already written as
/// JSON text (the bytes `serde_json` prints for the same `Value`).
fn fee_body<'a>(records: impl IntoIterator<Item = &'a str>) -> String {
    let mut body = String::from(r#"{"eventType":"fee","feeLst":["#);
    for (i, r) in records.into_iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(r);
    }
    body.push_str("]}");
    body
}

/// How many sessions the mock has seen, holds and has let go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SessionCounts {
    /// Sessions ever accepted.
    pub total: usize,
    /// Live calls.
    pub live: usize,
    /// Sessions held (live and ended).
    pub retained: usize,
    /// Ended sessions evicted by the retention policy.
    pub evicted: usize,
}

/// A test's rewrite of the CDRs the mock produces.
type CdrRewrite = dyn Fn(&mut serde_json::Value) + Send + Sync;

pub(crate) struct Inner {
    pub(crate) config: MockConfig,
    pub(crate) clock: Clock,
    pub(crate) verifier: Verifier,
    pub(crate) creds: HashMap<String, Credentials>,
    http: reqwest::Client,
    state: Mutex<State>,
    wake: Notify,
    idle: Notify,
    inflight: AtomicUsize,
    /// Bounds the pushes in flight (and so the connections held open).
    pushing: Semaphore,
    seq: AtomicU64,
}

/// The mock platform (cheap to clone; clones share state).
#[derive(Clone)]
pub struct Mock {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Mock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mock")
            .field("apps", &self.inner.config.apps.len())
            .field("clock", &self.inner.config.clock)
            .finish_non_exhaustive()
    }
}

/// A session as introspection shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    /// The session.
    #[serde(flatten)]
    pub session: Session,
    /// Steps of the plan played by the view's virtual time (the number of events).
    pub played: usize,
    /// Events produced so far: (virtual ms, eventType, body), derived from the plan
    /// ([`Session::events`]).
    pub events: Vec<Event>,
}

/// Counts of push outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PushSummary {
    /// Pushes in the log.
    pub total: usize,
    /// Delivered.
    pub delivered: usize,
    /// Waiting for an attempt.
    pub pending: usize,
    /// Status pushes refused.
    pub failed: usize,
    /// Fee pushes given up after every retry, or with nowhere to go.
    pub undeliverable: usize,
    /// CDRs produced.
    pub cdrs: usize,
    /// CDRs in delivered fee pushes.
    pub cdrs_delivered: usize,
    /// CDRs in undeliverable fee pushes.
    pub cdrs_undeliverable: usize,
}

impl Mock {
    /// A mock with this provisioning. Needs a tokio runtime (for pushes and, unless the
    /// clock is manual, the scheduler).
    pub fn new(config: MockConfig) -> Self {
        let mut verifier = Verifier::new(VerifierConfig {
            replay_capacity: config.platform.replay_capacity,
            ..VerifierConfig::default()
        });
        let mut creds = HashMap::new();
        for app in &config.apps {
            verifier = verifier.with_app(app.app_key.clone(), &app.app_secret);
            creds.insert(
                app.app_key.clone(),
                Credentials {
                    app_key: app.app_key.clone(),
                    app_secret: app.app_secret.clone(),
                },
            );
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(MAX_IDLE_PER_HOST)
            .build()
            .unwrap_or_default();
        let state = State {
            outcomes: config
                .outcomes
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            ..State::default()
        };
        let mock = Mock {
            inner: Arc::new(Inner {
                clock: Clock::new(config.clock),
                config,
                verifier,
                creds,
                http,
                state: Mutex::new(state),
                wake: Notify::new(),
                idle: Notify::new(),
                inflight: AtomicUsize::new(0),
                pushing: Semaphore::new(MAX_PUSHES_IN_FLIGHT),
                seq: AtomicU64::new(1),
            }),
        };
        if mock.inner.config.clock != ClockConfig::Manual {
            let weak = Arc::downgrade(&mock.inner);
            tokio::spawn(async move {
                loop {
                    let Some(inner) = weak.upgrade() else { return };
                    let m = Mock { inner };
                    let more = m.run_due_within(Some(PLAY_SLICE));
                    if more {
                        // Requests waiting on this thread go first; the rest plays next.
                        drop(m);
                        tokio::task::yield_now().await;
                        continue;
                    }
                    let wait = m
                        .next_due()
                        .and_then(|t| m.inner.clock.real_wait(t))
                        .unwrap_or(Duration::from_millis(200));
                    let woken = m.inner.clone();
                    drop(m);
                    tokio::select! {
                        _ = tokio::time::sleep(wait.min(Duration::from_millis(200))) => {}
                        _ = woken.wake.notified() => {}
                    }
                }
            });
        }
        mock
    }

    /// The provisioning.
    pub fn config(&self) -> &MockConfig {
        &self.inner.config
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn next_seq(&self) -> u64 {
        self.inner.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Queues `action` at `at`, waking the running clock's task only when it becomes the
    /// earliest action: the task sleeps until the earliest one, so a later one is reached
    /// anyway (two wake-ups per call were ≈ 7 % of an accepted call's CPU in issue 12's
    /// Prism comparison).
    fn schedule(&self, st: &mut State, at: VTime, action: Action) {
        let order = self.next_seq();
        st.queue.push(Reverse(Due { at, order, action }));
        if st
            .queue
            .peek()
            .is_some_and(|Reverse(d)| (d.at, d.order) == (at, order))
        {
            self.inner.wake.notify_one();
        }
    }

    fn next_due(&self) -> Option<VTime> {
        self.state().queue.peek().map(|Reverse(d)| d.at)
    }

    /// Scripts the outcome of calls to `number` from now on.
    pub fn set_outcome(&self, number: impl Into<String>, outcome: Outcome) {
        self.state().outcomes.insert(number.into(), outcome);
    }

    /// Rewrites every CDR produced from now on before it is batched and pushed: a test
    /// double's way of sending CDRs the reference's tables would not produce (a value of
    /// the wrong JSON type, no identifying fields), to check that receivers keep them.
    pub fn rewrite_cdrs(&self, rewrite: impl Fn(&mut serde_json::Value) + Send + Sync + 'static) {
        self.state().cdr_rewrite = Some(Arc::new(rewrite));
    }

    /// Makes the next `count` authenticated requests (of `operation`, or any) answer `code`:
    /// for the codes whose cause is inside the platform (internal errors, timeouts,
    /// security control of unknown cause).
    pub fn inject(&self, operation: Option<Operation>, code: ResultCode, count: u32) {
        self.state().injections.push(Injection {
            operation: operation.map(Operation::name),
            code,
            count,
        });
    }

    /// Moves a manual clock forward and plays everything that became due. Returns false
    /// for a clock that runs by itself.
    pub fn advance(&self, by: Duration) -> bool {
        if !self.inner.clock.advance(by) {
            return false;
        }
        self.run_due();
        true
    }

    /// Waits until no push is in flight (and, for a running clock, nothing is queued),
    /// at most `limit` of real time. Returns whether it settled.
    pub async fn settle(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let queued =
                self.inner.config.clock != ClockConfig::Manual && self.next_due().is_some();
            if self.inner.inflight.load(Ordering::SeqCst) == 0 && !queued {
                return true;
            }
            let notified = self.inner.idle.notified();
            if tokio::time::timeout_at(deadline, async {
                tokio::select! {
                    _ = notified => {}
                    _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                }
            })
            .await
            .is_err()
            {
                return false;
            }
        }
    }

    /// Plays every action due by now, in time order.
    pub(crate) fn run_due(&self) {
        self.run_due_within(None);
    }

    /// Plays actions due by now, in time order, for at most `budget` of real time (checked
    /// after each action; `None`: until none is due). Returns whether some were left due.
    ///
    /// Why a budget: the running clock's task shares the server's thread with the
    /// requests, and at thousands of calls per second hundreds of steps can fall due
    /// together; played in one go they held every request waiting behind them for
    /// milliseconds (issue 16's open-loop tail).
    fn run_due_within(&self, budget: Option<Duration>) -> bool {
        let start = std::time::Instant::now();
        loop {
            let now = self.inner.clock.now();
            let due = {
                let mut st = self.state();
                match st.queue.peek() {
                    Some(Reverse(d)) if d.at <= now => {}
                    _ => return false,
                }
                st.queue.pop()
            };
            if let Some(Reverse(d)) = due {
                self.play(d.at, d.action);
            }
            if budget.is_some_and(|b| start.elapsed() >= b) {
                let now = self.inner.clock.now();
                return self
                    .state()
                    .queue
                    .peek()
                    .is_some_and(|Reverse(d)| d.at <= now);
            }
        }
    }

    fn play(&self, at: VTime, action: Action) {
        match action {
            Action::Step { session, index } => self.play_step(&session, index, at),
            Action::FeeFlush { key } => self.flush_fees(*key, at),
            Action::FeeRetry { push } => self.attempt_fee(push),
        }
    }

    /// Accepts a session: stores it and schedules its plan.
    ///
    /// A call with a statusUrl plays every step, each pushing its event; one without
    /// plays only its end (the CDR, the ports released): before the end such a call
    /// changes nothing but its events, and those are derived from the plan when someone
    /// looks ([`Session::events`]).
    pub(crate) fn start_session(&self, st: &mut State, mut session: Session) {
        let id: Arc<str> = Arc::from(session.id.as_str());
        session.seq = st.total_sessions as u64;
        // Only the first step to play is queued; each step queues the next when it plays.
        let first = match session.request.status_url {
            Some(_) => 0,
            None => session.plan.steps.len().saturating_sub(1),
        };
        if let Some((at, _)) = session.plan.steps.get(first) {
            self.schedule(
                st,
                *at,
                Action::Step {
                    session: id.clone(),
                    index: first,
                },
            );
        }
        st.order.insert(session.seq, id.clone());
        st.sessions.insert(id, Box::new(session));
        st.total_sessions += 1;
    }

    fn play_step(&self, id: &Arc<str>, index: usize, at: VTime) {
        let mut st = self.state();
        let Some(s) = st.sessions.get(id) else { return };
        if s.ended {
            return;
        }
        let Some((_, step)) = s.plan.steps.get(index).cloned() else {
            return;
        };
        let next = s.plan.steps.get(index + 1).map(|(at, _)| *at);
        st.steps_played += 1;
        if let Some(next) = next {
            self.schedule(
                &mut st,
                next,
                Action::Step {
                    session: id.clone(),
                    index: index + 1,
                },
            );
        }
        self.emit(&mut st, id, &step, at);
    }

    /// Pushes the status event of `step` when the call has a statusUrl (and, for the
    /// end, produces the CDR). The event log is not written here: it is derived from the
    /// plan ([`Session::events`]), in the same bytes.
    pub(crate) fn emit(&self, st: &mut State, id: &Arc<str>, step: &Step, at: VTime) {
        let Some(s) = st.sessions.get(id) else {
            return;
        };
        // The body, and copies of the URL and the app, only for a push (most calls in a
        // load have none).
        let push = s.request.status_url.as_ref().map(|url| {
            let (event, body) = s.event(step, at, &self.inner.clock, &self.inner.config.digits);
            (
                event,
                Arc::<str>::from(body),
                url.clone(),
                s.app_key.clone(),
            )
        });
        if let Some((event, body, url, app_key)) = push {
            let push_id = st.next_push_id();
            st.add_push(PushRecord {
                app_key: app_key.clone(),
                id: push_id,
                kind: PushKind::Status,
                event,
                sessions: vec![id.to_string()],
                url,
                body,
                state: PushState::Pending,
                attempts: Vec::with_capacity(1),
            });
            self.inner.inflight.fetch_add(1, Ordering::SeqCst);
            match st.status_queues.get_mut(id) {
                Some(q) => q.push_back(push_id),
                None => {
                    st.status_queues
                        .insert(id.clone(), VecDeque::from([push_id]));
                    self.spawn_status_drain(app_key, id.clone());
                }
            }
        }
        if *step == Step::End {
            self.end_session(st, id, at);
        }
    }

    fn end_session(&self, st: &mut State, id: &Arc<str>, at: VTime) {
        let icid = format!("MOCK-{}", self.next_seq());
        let cfg = &self.inner.config.platform;
        let rewrite = st.cdr_rewrite.clone();
        // The session's fields are read in place while the usage counters, recordings and
        // the ended list change beside it (disjoint fields: no copy of the request).
        let State {
            sessions,
            usage,
            recordings,
            ended,
            ..
        } = st;
        let Some(s) = sessions.get_mut(id) else {
            return;
        };
        s.ended = true;
        if s.request.record && s.plan.legs.fwd_answer.is_some() {
            s.recording = Some(format!("{}.wav", icid.to_lowercase()));
        }
        let cdr = Cdr::of(
            s,
            &self.inner.clock,
            &icid,
            &cfg.record_domain,
            &cfg.host_name,
        );
        // The JSON text of the record, as the fee push will carry it.
        let record = match rewrite {
            Some(rewrite) => {
                let mut v = cdr.to_value();
                rewrite(&mut v);
                serde_json::to_string(&v).unwrap_or_default()
            }
            None => cdr.to_json(),
        };
        let answered = s.plan.legs.out_answer.is_some()
            && (s.request.service != crate::session::Service::Callback
                || s.plan.legs.fwd_answer.is_some());
        let talk_from = s
            .plan
            .legs
            .fwd_answer
            .or(s.plan.legs.out_answer)
            .unwrap_or(at);
        let talk = (at.saturating_sub(talk_from)) / 1000;
        let app = s.app_key.clone();
        let fee_url = s.request.fee_url.clone();
        if let Some(file) = s.recording.clone() {
            recordings.insert((file, cfg.record_domain.clone()), app.clone());
        }
        let risk = self
            .inner
            .config
            .app(&s.app_key)
            .is_some_and(|a| a.risk.is_some());
        usage.release(&s.app_key, &s.sp_id, &s.request, (answered, talk), risk);
        ended.push_back((at, id.clone()));
        match fee_url {
            Some(url) => {
                let key = (app, url, self.inner.clock.stamp(at));
                let batch = st.batches.entry(key.clone()).or_default();
                batch.push((id.clone(), record));
                if batch.len() == 1 {
                    let due = at - at % 1000 + secs(self.inner.config.platform.fee_delay_seconds);
                    self.schedule(st, due.max(at), Action::FeeFlush { key: Box::new(key) });
                }
            }
            None => {
                let push_id = st.next_push_id();
                st.add_push(PushRecord {
                    app_key: app.clone(),
                    id: push_id,
                    kind: PushKind::Fee,
                    event: "fee",
                    sessions: vec![id.to_string()],
                    url: String::new(),
                    body: Arc::from(fee_body([record.as_str()])),
                    state: PushState::Undeliverable,
                    attempts: vec![Attempt {
                        at,
                        status: None,
                        resultcode: None,
                        error: Some(
                            "no feeUrl in the request and none configured for the app".into(),
                        ),
                        ok: false,
                    }],
                });
            }
        }
        self.sweep(st, at);
    }

    /// Applies the retention policy (after a session ends or a push finishes).
    fn sweep(&self, st: &mut State, now: VTime) {
        st.retain(
            &self.inner.config.retention,
            &self.inner.config.platform.record_domain,
            now,
        );
    }

    fn flush_fees(&self, key: BatchKey, _at: VTime) {
        let mut ids = Vec::new();
        {
            let mut st = self.state();
            let Some(batch) = st.batches.remove(&key) else {
                return;
            };
            for chunk in batch.chunks(50) {
                let push_id = st.next_push_id();
                st.add_push(PushRecord {
                    app_key: key.0.clone(),
                    id: push_id,
                    kind: PushKind::Fee,
                    event: "fee",
                    sessions: chunk.iter().map(|(s, _)| s.to_string()).collect(),
                    url: key.1.clone(),
                    body: Arc::from(fee_body(chunk.iter().map(|(_, r)| r.as_str()))),
                    state: PushState::Pending,
                    attempts: Vec::with_capacity(1),
                });
                ids.push(push_id);
            }
        }
        for id in ids {
            self.attempt_fee(id);
        }
    }

    fn attempt_fee(&self, push_id: usize) {
        let (url, body, app) = {
            let st = self.state();
            let Some(p) = st.push(push_id) else {
                return;
            };
            (p.url.clone(), p.body.clone(), Some(p.app_key.clone()))
        };
        let Some(creds) = app.and_then(|a| self.inner.creds.get(&a).cloned()) else {
            return;
        };
        self.inner.inflight.fetch_add(1, Ordering::SeqCst);
        let me = self.clone();
        tokio::spawn(async move {
            let out = me.deliver(&creds, &url, &body).await;

            {
                let now = me.inner.clock.now();
                let mut st = me.state();
                let retries = me.inner.config.platform.fee_max_retries as usize;
                let interval = me.inner.config.platform.fee_retry_interval().as_millis() as u64;
                let again = {
                    let Some(p) = st.push_mut(push_id) else {
                        return;
                    };
                    let attempt = Attempt::of(now, out, PushKind::Fee);
                    let ok = attempt.ok;
                    p.attempts.push(attempt);
                    p.state = if ok {
                        PushState::Delivered
                    } else if p.attempts.len() > retries {
                        PushState::Undeliverable
                    } else {
                        PushState::Pending
                    };
                    p.state == PushState::Pending
                };
                if again {
                    me.schedule(&mut st, now + interval, Action::FeeRetry { push: push_id });
                } else {
                    me.sweep(&mut st, now);
                }
            }
            me.done_one();
        });
    }

    /// Delivers a session's status pushes one at a time, in order, while any wait; the
    /// task ends when the queue is empty (a later push starts a new one).
    fn spawn_status_drain(&self, app_key: String, session: Arc<str>) {
        let me = self.clone();
        let Some(creds) = self.inner.creds.get(&app_key).cloned() else {
            return;
        };
        tokio::spawn(async move {
            loop {
                let next = {
                    let st = me.state();
                    st.status_queues
                        .get(&session)
                        .and_then(|q| q.front().copied())
                        .and_then(|id| st.push(id).map(|p| (id, p.url.clone(), p.body.clone())))
                };
                let Some((push_id, url, body)) = next else {
                    me.state().status_queues.remove(&session);
                    return;
                };
                let out = me.deliver(&creds, &url, &body).await;
                let more = {
                    let now = me.inner.clock.now();
                    let mut st = me.state();
                    if let Some(p) = st.push_mut(push_id) {
                        let attempt = Attempt::of(now, out, PushKind::Status);
                        let ok = attempt.ok;
                        p.attempts.push(attempt);
                        p.state = if ok {
                            PushState::Delivered
                        } else {
                            PushState::Failed
                        };
                    }
                    me.sweep(&mut st, now);
                    let q = st.status_queues.get_mut(&session);
                    let more = q.map(|q| {
                        q.pop_front();
                        !q.is_empty()
                    });
                    if more != Some(true) {
                        st.status_queues.remove(&session);
                    }
                    more == Some(true)
                };
                me.done_one();
                if !more {
                    return;
                }
            }
        });
    }

    /// One push attempt, within the bound on pushes in flight.
    async fn deliver(&self, creds: &Credentials, url: &str, body: &str) -> push::Outcome {
        let _permit = self.inner.pushing.acquire().await.ok();
        let timeout = Duration::from_secs(self.inner.config.platform.push_timeout_seconds);
        push::send(&self.inner.http, creds, url, body, timeout).await
    }

    fn done_one(&self) {
        self.inner.inflight.fetch_sub(1, Ordering::SeqCst);
        self.inner.idle.notify_waiters();
        self.inner.wake.notify_one();
    }

    /// Ends a live session now (callStop). False when it is unknown, another app's, or over.
    pub(crate) fn stop(&self, app_key: &str, session_id: &str) -> bool {
        let now = self.inner.clock.now();
        let mut st = self.state();
        let Some((id, s)) = st
            .sessions
            .get_key_value(session_id)
            .map(|(k, v)| (k.clone(), v))
        else {
            return false;
        };
        if s.ended || s.app_key != app_key || s.accepted_at > now {
            return false;
        }
        let Some(s) = st.sessions.get_mut(&id) else {
            return false;
        };
        s.plan.stop_at(now);
        self.emit(&mut st, &id, &Step::End, now);
        true
    }

    // ----- introspection -----

    /// The views of copies of sessions, their events written after the state's lock was
    /// released (a page of them is thousands of bodies; requests do not wait for them).
    fn views(&self, sessions: Vec<Session>) -> Vec<SessionView> {
        let now = self.inner.clock.now();
        sessions
            .into_iter()
            .map(|session| {
                let events = session.events(now, &self.inner.clock, &self.inner.config.digits);
                SessionView {
                    played: events.len(),
                    events,
                    session,
                }
            })
            .collect()
    }

    /// Every session, oldest first, with its events.
    pub fn sessions(&self) -> Vec<SessionView> {
        let copies = {
            let st = self.state();
            st.order
                .values()
                .filter_map(|id| st.sessions.get(id).map(|s| Session::clone(s)))
                .collect()
        };
        self.views(copies)
    }

    /// One session.
    pub fn session(&self, id: &str) -> Option<SessionView> {
        let copy = self.state().sessions.get(id).map(|s| Session::clone(s))?;
        self.views(vec![copy]).pop()
    }

    /// At most `limit` sessions after the one with id `after` (from the first without
    /// it), in the order they were placed, and the cursor of the next page if more
    /// follow. Only the page is copied under the lock.
    pub fn sessions_page(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> (Vec<SessionView>, Option<String>) {
        let st = self.state();
        let start = match after {
            None => 0,
            // The cursor's acceptance number; an unknown cursor gives an empty page.
            Some(a) => match st.sessions.get(a) {
                Some(s) => s.seq.saturating_add(1),
                None => u64::MAX,
            },
        };
        let mut rest = st.order.range(start..);
        let copies: Vec<Session> = rest
            .by_ref()
            .take(limit)
            .filter_map(|(_, id)| st.sessions.get(id).map(|s| Session::clone(s)))
            .collect();
        let next = match (rest.next(), copies.last()) {
            (Some(_), Some(last)) => Some(last.id.clone()),
            _ => None,
        };
        drop(st);
        (self.views(copies), next)
    }

    /// At most `limit` pushes with an id above `after`, and the id to continue after if
    /// more follow. Only the page is copied under the lock.
    pub fn pushes_page(
        &self,
        after: Option<usize>,
        limit: usize,
    ) -> (Vec<PushRecord>, Option<usize>) {
        let st = self.state();
        let first = after.map_or(0, |a| a.saturating_add(1));
        let mut rest = st.pushes.range(first..);
        let items: Vec<PushRecord> = rest.by_ref().take(limit).map(|(_, p)| p.clone()).collect();
        let next = match (rest.next(), items.last()) {
            (Some(_), Some(last)) => Some(last.id),
            _ => None,
        };
        (items, next)
    }

    /// Scripts `number` unless `max` numbers are scripted already (a number scripted
    /// before may always be changed); false when refused.
    pub fn try_set_outcome(&self, number: String, outcome: Outcome, max: usize) -> bool {
        let mut st = self.state();
        if st.outcomes.len() >= max && !st.outcomes.contains_key(&number) {
            return false;
        }
        st.outcomes.insert(number, outcome);
        true
    }

    /// Every push and its attempts.
    pub fn pushes(&self) -> Vec<PushRecord> {
        self.state().pushes.values().cloned().collect()
    }

    /// Counts of push outcomes, and of CDRs by fate.
    pub fn push_summary(&self) -> PushSummary {
        let st = self.state();
        let mut s = st.evicted_pushes;
        for p in st.pushes.values() {
            s.count(p);
        }
        s.cdrs += st.batches.values().map(Vec::len).sum::<usize>();
        s
    }

    /// Sessions accepted, live, held and evicted.
    pub fn session_counts(&self) -> SessionCounts {
        let st = self.state();
        SessionCounts {
            total: st.total_sessions,
            live: st.sessions.values().filter(|s| !s.ended).count(),
            retained: st.sessions.len(),
            evicted: st.evicted_sessions,
        }
    }

    /// Live calls now.
    pub fn live_calls(&self) -> usize {
        self.state().sessions.values().filter(|s| !s.ended).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handle::MockRequest;
    use voicecall::auth::sign_request;

    /// A click2Call of app "K" (secret "S"), freshly signed, judged by `mock`.
    fn place_callback(mock: &Mock) -> crate::handle::MockResponse {
        let h = sign_request(&Credentials::new("K", "S"), None, None);
        let body = serde_json::json!({
            "displayNbr": "+8675528000001",
            "callerNbr": "+8613800000001",
            "displayCalleeNbr": "+8675528000002",
            "calleeNbr": "+8613800000002",
        });
        let req = MockRequest::signed(Operation::CreateVoiceCallback, &h, body.to_string());
        mock.handle(&req, std::net::IpAddr::from([127, 0, 0, 1]))
    }

    /// Accepting calls never grows the session store by moving it whole: after 6,000
    /// accepted calls (manual clock: all live, none evicted), no insertion moved more than
    /// a shard's worth; one map would have moved 3,584 sessions at the 3,585th call, under
    /// the lock every request waits for (issue 16). Counted, never timed.
    #[test]
    fn accepting_calls_moves_a_shard_at_most() {
        const N: usize = 6_000;
        let mut config = MockConfig::single_app("K", "S");
        config.platform.ports = 1_000_000;
        let mock = Mock::new(config);
        for i in 0..N {
            let r = place_callback(&mock);
            assert_eq!(r.status, 200, "call {i}: {:?} {:?}", r.body, r.headers);
        }
        let st = mock.state();
        assert_eq!(st.sessions.len(), N);
        assert_eq!(st.order.len(), N);
        let g = st.sessions.growth();
        assert!(g.total >= N / 2, "growth was counted: {g:?}");
        assert!(g.max < N / 16, "one insertion moved {} sessions", g.max);
    }

    /// The running clock's task plays due steps in slices and hands the thread back to
    /// the requests between them: with no time budget left, a slice plays exactly one
    /// step and says more are due, until none is; every step is played once, in order,
    /// as `run_due` would. Counted, never timed (a zero budget is always spent).
    #[test]
    fn due_steps_play_in_slices_that_hand_the_thread_back() {
        const CALLS: usize = 20;
        let mut config = MockConfig::single_app("K", "S");
        config.platform.ports = 1_000;
        let mock = Mock::new(config);
        for _ in 0..CALLS {
            assert_eq!(place_callback(&mock).status, 200);
        }
        // Every call's end falls due at once (the manual clock moves without playing
        // anything).
        assert!(mock.clock().advance(Duration::from_secs(3600)));
        let mut slices = 0;
        while mock.run_due_within(Some(Duration::ZERO)) {
            slices += 1;
            assert!(slices <= 10_000, "the slices never end");
        }
        let played = mock.state().steps_played as usize;
        // One step a slice; the last slice found nothing more due.
        assert_eq!(slices + 1, played, "one step per slice");
        // Without a statusUrl a call plays its end alone.
        assert_eq!(played, CALLS);
        assert!(mock.state().sessions.values().all(|s| s.ended));
        // Nothing was left due.
        assert!(!mock.run_due_within(None));
    }

    /// `POST /_mock/advance` takes any number of seconds: virtual time stops at
    /// `MAX_VTIME` (≈ 35,700 years), a call live when it jumps there plays to its end,
    /// and a call placed there is still accepted, its id stamped with the last second of
    /// the year 9999 (it stays live: its steps lie past the end of time). Nothing
    /// overflows or panics.
    #[test]
    fn the_end_of_virtual_time_stops_nothing_but_the_clock() {
        let mock = Mock::new(MockConfig::single_app("K", "S"));
        assert_eq!(place_callback(&mock).status, 200);
        assert!(mock.advance(Duration::MAX));
        assert_eq!(mock.live_calls(), 0);
        assert!(mock.sessions()[0].session.ended);
        assert_eq!(mock.push_summary().cdrs_undeliverable, 1);
        let r = place_callback(&mock);
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r.body.unwrap().contains("_0_99991231235959@"));
        assert!(mock.advance(Duration::from_secs(u64::MAX)));
        assert_eq!(mock.clock().now(), crate::clock::MAX_VTIME);
        assert_eq!(mock.live_calls(), 1);
    }

    /// The history of finished calls feeds the risk check alone: kept for an app with
    /// risk limits, not for one without (where it grew with every distinct callee).
    #[test]
    fn call_results_are_kept_only_for_apps_with_risk_limits() {
        for risk in [false, true] {
            let mut config = MockConfig::single_app("K", "S");
            if risk {
                config.apps[0].risk = Some(crate::config::RiskLimits {
                    calls: 3,
                    min_completion_rate: Some(0.1),
                    min_average_talk_seconds: None,
                });
            }
            let mock = Mock::new(config);
            assert_eq!(place_callback(&mock).status, 200);
            assert!(mock.advance(Duration::from_secs(3600)));
            assert_eq!(mock.live_calls(), 0);
            assert_eq!(
                mock.state().usage.results.len(),
                usize::from(risk),
                "risk {risk}"
            );
        }
    }

    /// A call without a statusUrl plays no step before its end, yet shows the events of
    /// the steps its virtual time has reached, the end only once it is played.
    #[test]
    fn events_without_a_status_url_follow_the_clock_not_the_scheduler() {
        let mock = Mock::new(MockConfig::single_app("K", "S"));
        let r = place_callback(&mock);
        assert_eq!(r.status, 200);
        let body: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        let id = body["sessionId"].as_str().unwrap().to_string();
        let view = mock.session(&id).unwrap();
        assert_eq!((view.played, view.events.len()), (0, 0));
        let steps = view.session.plan.steps.clone();
        assert!(steps.len() >= 3, "{steps:?}");
        // Up to the step before the end: each step's event appears at its time.
        let (before_end, _) = steps[steps.len() - 2];
        assert!(mock.advance(Duration::from_millis(before_end)));
        let view = mock.session(&id).unwrap();
        let kinds: Vec<&str> = view.events.iter().map(|(_, e, _)| *e).collect();
        assert_eq!(view.events.len(), steps.len() - 1, "{kinds:?}");
        assert!(!kinds.contains(&"disconnect"));
        assert!(view
            .events
            .iter()
            .zip(&steps)
            .all(|((a, ..), (b, _))| a == b));
        assert_eq!(
            mock.state().steps_played,
            0,
            "nothing played before the end"
        );
        let (end, _) = steps[steps.len() - 1];
        assert!(mock.advance(Duration::from_millis(end - before_end)));
        let view = mock.session(&id).unwrap();
        assert!(view.session.ended);
        assert_eq!(view.events.len(), steps.len());
        assert_eq!(view.events.last().unwrap().1, "disconnect");
        assert_eq!(mock.state().steps_played, 1, "the end alone");
    }
}
