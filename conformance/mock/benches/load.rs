//! Load benchmark of the mock platform (issue 5): requests per second and latency
//! percentiles of the mock's HTTP face, side by side with a bare axum endpoint, in one run.
//!
//! `cargo bench -p voicecall-mock --bench load` (release). Scenarios:
//!
//! - `bare`: the reference, an axum route that only parses the JSON body into
//!   `serde_json::Value` and answers 200 with a small JSON body (no auth, no validation);
//! - `mock_accept`: signed, valid click2Call requests the mock accepts (200, resultcode 0),
//!   with no statusUrl/feeUrl (no pushes), `platform.ports` large and the *manual* clock, so
//!   no call ever progresses: what is measured is the request path alone (route, AK/SK
//!   verification with the replay memory, app policy, JSON, the generated validators, the
//!   call plan, the session stored). Sessions accumulate in memory: the bench reports
//!   the resident memory they add;
//! - `mock_wrong_secret`: signed with the wrong secret, refused at authentication
//!   (401/1010010);
//! - `mock_no_xaksk`: the `X-AKSK` header left out (400).
//!
//! Every scenario sends the same request, signed with a fresh nonce (a run-unique prefix
//! and a counter; the mock refuses replayed nonces) by the driver before each request, so
//! the client's work is the same everywhere; the signing cost is reported separately.
//!
//! Two passes: *saturated* (`VOICECALL_BENCH_CONNECTIONS`, 64, closed loop: req/s is the
//! capacity, latency is mostly queueing: 64 in flight ÷ req/s by Little's law) and *light*
//! (`VOICECALL_BENCH_LIGHT_CONNECTIONS`, 1, for `VOICECALL_BENCH_LIGHT_SECONDS`, 2: the
//! latency of one request with no queue). Then, without HTTP, the steps of an accepted
//! request timed one by one in-process (verify, parse, validate, the whole `Mock::handle`).
//!
//! Fairness: the servers run on a tokio runtime with one worker thread, the driver on
//! another runtime with one worker thread (2 cores, neither pinned). Besides wall-clock
//! req/s, the bench reads the CPU time the server's threads used (schedstat), which the
//! other work on a shared machine disturbs far less than the wall clock.
//!
//! Bounds (environment): `VOICECALL_BENCH_CONNECTIONS` (64), `VOICECALL_BENCH_REQUESTS`
//! (100000, per scenario), `VOICECALL_BENCH_SECONDS` (5, per scenario, whichever first),
//! `VOICECALL_BENCH_WARMUP` (1 s per scenario); non-flag arguments filter scenarios by
//! name. No assertion on timings: this prints figures.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::client::body;
use common::cpu::{cpu_ns, runtime, Tids};
use common::{start_bare, Server};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use voicecall::auth::{new_nonce, sign_request_with, Credentials, Signer};
use voicecall::operations::Operation;
use voicecall_mock::{Mock, MockConfig, MockServer};

const KEY: &str = "benchAppKey";
const SECRET: &str = "benchAppSecret";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Bare,
    MockAccept,
    MockWrongSecret,
    MockNoXaksk,
}

impl Scenario {
    const ALL: [Scenario; 4] = [
        Scenario::Bare,
        Scenario::MockAccept,
        Scenario::MockWrongSecret,
        Scenario::MockNoXaksk,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::Bare => "bare",
            Scenario::MockAccept => "mock_accept",
            Scenario::MockWrongSecret => "mock_wrong_secret",
            Scenario::MockNoXaksk => "mock_no_xaksk",
        }
    }

    fn expected_status(self) -> u16 {
        match self {
            Scenario::Bare | Scenario::MockAccept => 200,
            Scenario::MockWrongSecret => 401,
            Scenario::MockNoXaksk => 400,
        }
    }

    fn secret(self) -> &'static str {
        match self {
            Scenario::MockWrongSecret => "notTheSecret",
            _ => SECRET,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    connections: usize,
    requests: u64,
    seconds: f64,
    warmup: f64,
    /// The light-load pass (latency without queueing): connections and seconds.
    light_connections: usize,
    light_seconds: f64,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        Settings {
            connections: env_or("VOICECALL_BENCH_CONNECTIONS", 64usize).max(1),
            requests: env_or("VOICECALL_BENCH_REQUESTS", 100_000u64).max(1),
            seconds: env_or("VOICECALL_BENCH_SECONDS", 5.0f64),
            warmup: env_or("VOICECALL_BENCH_WARMUP", 1.0f64),
            light_connections: env_or("VOICECALL_BENCH_LIGHT_CONNECTIONS", 1usize),
            light_seconds: env_or("VOICECALL_BENCH_LIGHT_SECONDS", 2.0f64),
        }
    }
}

/// A field of /proc/self/status in KiB (VmRSS, VmHWM).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn start(s: Scenario) -> (Server, SocketAddr) {
    if s == Scenario::Bare {
        return start_bare().await;
    }
    let mut config = MockConfig::single_app(KEY, SECRET);
    config.platform.ports = 1_000_000_000;
    // The manual clock (the default): accepted calls never progress.
    let server = MockServer::start(Mock::new(config), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = server.addr();
    (Server::Mock(server), addr)
}

/// 0: warm-up, 1: measuring, 2: stop.
struct Phase {
    phase: AtomicU8,
    measured: AtomicU64,
    limit: u64,
}

#[derive(Default)]
struct ConnReport {
    hist: Option<Histogram<u64>>,
    done: u64,
    wrong_status: u64,
    first_wrong: Option<String>,
    sign_ns: u128,
    signed: u64,
    last_done: Option<Instant>,
    error: Option<String>,
}

async fn connection(
    s: Scenario,
    addr: SocketAddr,
    conn: usize,
    run_tag: Arc<str>,
    phase: Arc<Phase>,
) -> ConnReport {
    let mut r = ConnReport {
        hist: Some(Histogram::new_with_bounds(1, 60_000_000, 3).unwrap()),
        ..ConnReport::default()
    };
    let stream = match TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => {
            r.error = Some(format!("connect: {e}"));
            return r;
        }
    };
    let _ = stream.set_nodelay(true);
    let (mut sender, driver) =
        match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
            Ok(x) => x,
            Err(e) => {
                r.error = Some(format!("handshake: {e}"));
                return r;
            }
        };
    tokio::spawn(driver);
    let creds = Credentials::new(KEY, s.secret());
    let signer: Signer = creds.signer();
    let body = body();
    let host = addr.to_string();
    let path = Operation::CreateVoiceCallback.wire_path();
    let mut counter: u64 = 0;
    loop {
        let measuring = match phase.phase.load(Ordering::Relaxed) {
            0 => false,
            1 => {
                if phase.measured.fetch_add(1, Ordering::Relaxed) >= phase.limit {
                    break;
                }
                true
            }
            _ => break,
        };
        counter += 1;
        let nonce = format!("{run_tag}C{conn}N{counter}");
        let t_sign = Instant::now();
        let h = sign_request_with(&signer, KEY, Some(&nonce), None);
        let sign = t_sign.elapsed();
        let mut req = hyper::Request::post(path)
            .header("Host", &host)
            .header("Content-Type", "application/json;charset=UTF-8")
            .header("Authorization", h.authorization);
        if s != Scenario::MockNoXaksk {
            req = req.header("X-AKSK", h.x_aksk);
        }
        let req = req.body(Full::new(body.clone())).unwrap();
        let t0 = Instant::now();
        let resp = match sender.send_request(req).await {
            Ok(resp) => resp,
            Err(e) => {
                r.error = Some(format!("request: {e}"));
                break;
            }
        };
        let status = resp.status().as_u16();
        let bytes = match resp.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                r.error = Some(format!("body: {e}"));
                break;
            }
        };
        let done = Instant::now();
        if measuring {
            let us = (done - t0).as_micros().max(1) as u64;
            if let Some(h) = r.hist.as_mut() {
                h.saturating_record(us);
            }
            r.done += 1;
            r.sign_ns += sign.as_nanos();
            r.signed += 1;
            r.last_done = Some(done);
            if status != s.expected_status() {
                r.wrong_status += 1;
                if r.first_wrong.is_none() {
                    r.first_wrong = Some(format!("{status} {}", String::from_utf8_lossy(&bytes)));
                }
            }
        }
    }
    r
}

struct Figures {
    scenario: Scenario,
    done: u64,
    seconds: f64,
    hist: Histogram<u64>,
    server_cpu_ns: u64,
    client_cpu_ns: u64,
    sign_ns_per_req: f64,
    wrong_status: u64,
    first_wrong: Option<String>,
    errors: Vec<String>,
    /// mock_accept: sessions held and the resident memory they added (KiB).
    sessions: Option<(usize, i64)>,
}

fn run_scenario(
    s: Scenario,
    set: Settings,
    server_rt: &Runtime,
    server_tids: &Tids,
    client_rt: &Runtime,
    client_tids: &Tids,
) -> Figures {
    let rss_before = status_kib("VmRSS:") as i64;
    let (server, addr) = server_rt.block_on(start(s));
    let run_tag: Arc<str> = Arc::from(&new_nonce()[..12]);
    let phase = Arc::new(Phase {
        phase: AtomicU8::new(0),
        measured: AtomicU64::new(0),
        limit: set.requests,
    });
    let (reports, start, server_cpu, client_cpu) = client_rt.block_on(async {
        let tasks: Vec<_> = (0..set.connections)
            .map(|c| tokio::spawn(connection(s, addr, c, run_tag.clone(), phase.clone())))
            .collect();
        tokio::time::sleep(Duration::from_secs_f64(set.warmup)).await;
        let server0 = cpu_ns(server_tids);
        let client0 = cpu_ns(client_tids);
        let start = Instant::now();
        phase.phase.store(1, Ordering::SeqCst);
        let deadline = start + Duration::from_secs_f64(set.seconds);
        while Instant::now() < deadline && tasks.iter().any(|t| !t.is_finished()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        phase.phase.store(2, Ordering::SeqCst);
        let mut reports = Vec::new();
        for t in tasks {
            reports.push(t.await.expect("a connection task"));
        }
        let server_cpu = cpu_ns(server_tids) - server0;
        let client_cpu = cpu_ns(client_tids) - client0;
        (reports, start, server_cpu, client_cpu)
    });
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let (mut done, mut wrong, mut sign_ns, mut signed) = (0u64, 0u64, 0u128, 0u64);
    let mut first_wrong = None;
    let mut errors = Vec::new();
    let mut last = start;
    for r in reports {
        if let Some(h) = &r.hist {
            hist.add(h).unwrap();
        }
        done += r.done;
        wrong += r.wrong_status;
        sign_ns += r.sign_ns;
        signed += r.signed;
        if first_wrong.is_none() {
            first_wrong = r.first_wrong;
        }
        if let Some(e) = r.error {
            errors.push(e);
        }
        if let Some(t) = r.last_done {
            last = last.max(t);
        }
    }
    let sessions = match &server {
        Server::Mock(m) if s == Scenario::MockAccept => Some((
            m.mock.live_calls(),
            status_kib("VmRSS:") as i64 - rss_before,
        )),
        _ => None,
    };
    server_rt.block_on(async {
        match server {
            Server::Bare(tx) => {
                let _ = tx.send(());
            }
            Server::Mock(m) => m.shutdown().await,
        }
    });
    Figures {
        scenario: s,
        done,
        seconds: (last - start).as_secs_f64(),
        hist,
        server_cpu_ns: server_cpu,
        client_cpu_ns: client_cpu,
        sign_ns_per_req: sign_ns as f64 / signed.max(1) as f64,
        wrong_status: wrong,
        first_wrong,
        errors,
        sessions,
    }
}

/// The driver's signing cost alone, per request: with the counter nonce the driver uses,
/// and with a fresh CSPRNG nonce (`sign_request(creds, None, None)`).
fn signing_cost() -> (f64, f64) {
    let signer = Credentials::new(KEY, SECRET).signer();
    let n = 50_000u32;
    let t = Instant::now();
    for i in 0..n {
        let nonce = format!("ABCDEF012345C0N{i}");
        std::hint::black_box(sign_request_with(&signer, KEY, Some(&nonce), None));
    }
    let counter = t.elapsed().as_nanos() as f64 / f64::from(n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(sign_request_with(&signer, KEY, None, None));
    }
    let fresh = t.elapsed().as_nanos() as f64 / f64::from(n);
    (counter, fresh)
}

/// Where the mock's time goes without HTTP: the steps of an accepted click2Call timed
/// one by one in this thread, µs per request.
struct Breakdown {
    verify: f64,
    parse: f64,
    validate: f64,
    handle: f64,
}

fn breakdown(server_rt: &Runtime) -> Breakdown {
    use voicecall::auth::{AppSecret, Verifier, VerifierConfig};
    use voicecall_mock::MockRequest;
    let n = 20_000usize;
    let signer = Credentials::new(KEY, SECRET).signer();
    let tag = &new_nonce()[..12];
    let signed: Vec<_> = (0..2 * n)
        .map(|i| sign_request_with(&signer, KEY, Some(&format!("{tag}B{i}")), None))
        .collect();
    let per = |t: Instant| t.elapsed().as_secs_f64() * 1e6 / n as f64;

    let verifier = Verifier::new(VerifierConfig::default()).with_app(KEY, &AppSecret::new(SECRET));
    let t = Instant::now();
    for h in &signed[..n] {
        let now = time::OffsetDateTime::now_utc();
        let v = verifier.verify(Some(&h.authorization), Some(&h.x_aksk), now);
        assert!(v.is_ok(), "{v:?}");
    }
    let verify = per(t);

    let body = body();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(serde_json::from_slice::<Value>(&body).unwrap());
    }
    let parse = per(t);

    let value: Value = serde_json::from_slice(&body).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        let v = voicecall::registry::validate_json("CreateVoiceCallbackRequest", &value);
        assert!(matches!(&v, Some(Ok(x)) if x.is_empty()), "{v:?}");
    }
    let validate = per(t);

    let requests: Vec<MockRequest> = signed[n..]
        .iter()
        .map(|h| MockRequest::signed(Operation::CreateVoiceCallback, h, body.to_vec()))
        .collect();
    let mut config = MockConfig::single_app(KEY, SECRET);
    config.platform.ports = 1_000_000_000;
    let _guard = server_rt.enter();
    let mock = Mock::new(config);
    let peer = std::net::IpAddr::from([127, 0, 0, 1]);
    let t = Instant::now();
    for r in &requests {
        let a = mock.handle(r, peer);
        assert_eq!(a.status, 200, "{a:?}");
    }
    let handle = per(t);
    Breakdown {
        verify,
        parse,
        validate,
        handle,
    }
}

fn ms(us: u64) -> String {
    format!("{:.3}", us as f64 / 1000.0)
}

fn rate(f: &Figures) -> f64 {
    f.done as f64 / f.seconds.max(1e-9)
}

fn cpu_per_req(f: &Figures) -> f64 {
    f.server_cpu_ns as f64 / 1000.0 / f.done.max(1) as f64
}

fn table(title: &str, all: &[Figures]) {
    println!();
    println!("{title}");
    println!();
    println!(
        "| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | server CPU µs/req | driver CPU µs/req (signing) | wrong status |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for f in all {
        let h = &f.hist;
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {:.1} | {:.1} ({:.2}) | {} |",
            f.scenario.name(),
            f.done,
            rate(f),
            ms(h.value_at_quantile(0.50)),
            ms(h.value_at_quantile(0.90)),
            ms(h.value_at_quantile(0.99)),
            ms(h.value_at_quantile(0.999)),
            ms(h.max()),
            cpu_per_req(f),
            f.client_cpu_ns as f64 / 1000.0 / f.done.max(1) as f64,
            f.sign_ns_per_req / 1000.0,
            f.wrong_status,
        );
    }
    println!();
    for f in all {
        if let Some(w) = &f.first_wrong {
            println!("{}: first unexpected answer: {w}", f.scenario.name());
        }
        if !f.errors.is_empty() {
            println!(
                "{}: {} connection(s) failed, first: {}",
                f.scenario.name(),
                f.errors.len(),
                f.errors[0]
            );
        }
        if let Some((n, kib)) = f.sessions {
            println!(
                "{}: {n} sessions held at the end (warm-up included); resident memory grew by {:.1} MiB ({:.0} bytes per session)",
                f.scenario.name(),
                kib as f64 / 1024.0,
                kib as f64 * 1024.0 / n.max(1) as f64
            );
        }
    }
    let find = |s: Scenario| all.iter().find(|f| f.scenario == s);
    if let (Some(b), Some(m)) = (find(Scenario::Bare), find(Scenario::MockAccept)) {
        println!(
            "mock_accept / bare: {:.0} % of the req/s (target ≥ 50 %); {:.0} % by server CPU per request; mock_accept p99 {} ms (target ≤ 2 ms)",
            100.0 * rate(m) / rate(b),
            100.0 * cpu_per_req(b) / cpu_per_req(m),
            ms(m.hist.value_at_quantile(0.99)),
        );
    }
}

fn main() {
    let set = Settings::from_env();
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let scenarios: Vec<Scenario> = Scenario::ALL
        .into_iter()
        .filter(|s| filters.is_empty() || filters.iter().any(|f| s.name().contains(f.as_str())))
        .collect();
    if scenarios.is_empty() {
        return;
    }
    println!(
        "mock load benchmark: per scenario at most {} requests or {} s on {} keep-alive connections after {} s of warm-up, then {} s on {} connection(s)",
        set.requests, set.seconds, set.connections, set.warmup, set.light_seconds, set.light_connections
    );
    let server_tids: Tids = Arc::default();
    let client_tids: Tids = Arc::default();
    let server_rt = runtime("server", None, &server_tids);
    let client_rt = runtime("driver", None, &client_tids);
    let mut loaded = Vec::new();
    for &s in &scenarios {
        loaded.push(run_scenario(
            s,
            set,
            &server_rt,
            &server_tids,
            &client_rt,
            &client_tids,
        ));
    }
    let light_set = Settings {
        connections: set.light_connections.max(1),
        seconds: set.light_seconds,
        warmup: set.warmup.min(0.5),
        ..set
    };
    let mut light = Vec::new();
    for &s in &scenarios {
        light.push(run_scenario(
            s,
            light_set,
            &server_rt,
            &server_tids,
            &client_rt,
            &client_tids,
        ));
    }
    let (sign_counter, sign_fresh) = signing_cost();
    let b = breakdown(&server_rt);
    table(
        &format!("Saturated: {} connections", set.connections),
        &loaded,
    );
    table(
        &format!("Light load: {} connection(s)", light_set.connections),
        &light,
    );
    println!();
    println!(
        "client signing alone: {:.2} µs/request with a counter nonce (used by the driver), {:.2} µs with a fresh CSPRNG nonce",
        sign_counter / 1000.0,
        sign_fresh / 1000.0
    );
    println!(
        "mock without HTTP, µs per accepted click2Call: Mock::handle {:.2} = verify {:.2} (with replay memory) + JSON parse {:.2} + validate {:.2} + the rest {:.2} (policy, plan, session, response)",
        b.handle,
        b.verify,
        b.parse,
        b.validate,
        b.handle - b.verify - b.parse - b.validate
    );
    println!(
        "peak resident memory of the bench process: {:.1} MiB",
        status_kib("VmHWM:") as f64 / 1024.0
    );
}
