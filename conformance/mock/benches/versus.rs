//! The mock vs Prism (issue 12 item 5): requests per second of the embedded mock and of
//! Prism 5.16.0 (`prism mock generated/openapi.yaml`, the README's recipe) answering the
//! *same* signed click2Call request, side by side, in interleaved runs.
//!
//! `cargo bench -p voicecall-mock --bench versus` (release). Needs Node.js: the pinned
//! Prism is installed by `conformance/prism/run.sh --install` into
//! `target/node/prism-5.16.0/` on first use (npm); without `node` or `npm` the bench
//! prints why and measures nothing (it is not part of CI).
//!
//! Two requests, each the same bytes to both servers (`common::client::click2call`, the
//! open-loop bench's request):
//!
//! - *accepted*: every request signed with a fresh Nonce and the current Created
//!   (`sign_request_with`), which the mock accepts (200, resultcode 0) after the whole
//!   request path (route, AK/SK with the replay memory, policy, JSON, validators, the
//!   session stored and its call played on the fast clock);
//! - *replay*: one request signed once, sent once before the clock starts (both servers
//!   accept it), then re-sent unchanged (same Nonce and Created) by every connection:
//!   the mock refuses each as a replay. Prism checks only that the security headers are
//!   present, so it answers them as it answers the first; the answers are counted by
//!   status and the first body of each status printed, so a server answering 4xx/5xx is
//!   never counted as having served the call.
//!
//! Closed loop: `VOICECALL_VERSUS_CONNECTIONS` (`16,64`) keep-alive HTTP/1.1 connections,
//! each sending its next request when the last is answered, for
//! `VOICECALL_VERSUS_WARMUP` seconds (1, not counted: Node's JIT warms up) then
//! `VOICECALL_VERSUS_SECONDS` (5) counted; at most `VOICECALL_VERSUS_MAX_REQUESTS`
//! (1,000,000) per connection and measurement. Counted: requests sent and answered inside the
//! window; latency from the request's send to its answer read, HDR histogram in µs.
//!
//! `VOICECALL_VERSUS_RUNS` (3) runs; in each, for every connection count and request,
//! a fresh mock and the run's Prism one after the other (the order alternates between
//! runs), so each ratio compares two servers measured under the same machine load. The
//! load average is printed beside every row; the summary gives per request and
//! connection count the min / median req/s of each server and of the per-run ratio.
//!
//! Besides the wall clock, each row gives the CPU time per counted request of the server
//! (the mock's runtime threads, named "server"; every thread of the Prism process) and
//! of the client (`schedstat`), and the summary the ratio by server CPU: on a shared
//! machine the scheduler's share sets a single-threaded server's req/s as much as its
//! code does, and a process that never sleeps, with more threads (Node's), keeps more
//! of it.
//!
//! The mock runs on the fast clock (`voicecall-mock`'s default: each accepted call is
//! played to its end, its status events and CDR produced, tens of real ms later);
//! `VOICECALL_VERSUS_MOCK_CLOCK=manual` measures the request path alone (no call ever
//! progresses, as the `load` bench's `mock_accept`).
//!
//! Fairness on a 2-core machine: the mock runs on a tokio runtime with one worker
//! thread, Prism in its own Node process (one JavaScript thread; V8's helper threads
//! besides); the client on another runtime with one worker thread, in this process for
//! both. Prism runs as the recipe runs it (log level info), its output drained by a
//! thread of this process; `VOICECALL_VERSUS_PRISM_ARGS` adds arguments (e.g.
//! `-v silent`). No assertion on timings: this prints figures. Every loop is bounded by
//! a count and a deadline; the mock binds 127.0.0.1:0, Prism a free loopback port; Prism
//! is killed when the bench ends, also on a panic.

// The bare endpoint of `common` is the other benches' reference, not used here.
#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use common::client::{
    body, click2call, connect, env_or, loadavg, runtime, start_mock_with, KEY, SECRET,
};
use hdrhistogram::Histogram;
use http_body_util::BodyExt;
use tokio::runtime::Runtime;
use voicecall::auth::{sign_request_with, Credentials, SignedHeaders};
use voicecall_mock::ClockConfig;

/// The Prism release `conformance/prism/run.sh` pins.
const PRISM_VERSION: &str = "5.16.0";
/// How long Prism may take to say it listens.
const PRISM_START: Duration = Duration::from_secs(90);
/// Most bytes of an answer's body kept to show what a server answered.
const SHOWN_BODY: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Mock,
    Prism,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Mock => "mock",
            Target::Prism => "Prism",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A fresh Nonce per request.
    Accepted,
    /// One signed request re-sent unchanged.
    Replay,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Accepted => "accepted (fresh nonce)",
            Kind::Replay => "replay (same nonce)",
        }
    }
}

/// The bench's bounds, from the environment.
struct Settings {
    connections: Vec<usize>,
    warmup: Duration,
    seconds: f64,
    max_requests: u64,
    runs: usize,
    prism_args: Vec<String>,
    clock: ClockConfig,
}

impl Settings {
    fn from_env() -> Settings {
        let connections = std::env::var("VOICECALL_VERSUS_CONNECTIONS")
            .unwrap_or_else(|_| "16,64".into())
            .split(',')
            .map(|c| {
                c.trim()
                    .parse::<usize>()
                    .unwrap_or_else(|_| panic!("VOICECALL_VERSUS_CONNECTIONS: {c:?}"))
                    .clamp(1, 1024)
            })
            .collect();
        Settings {
            connections,
            warmup: Duration::from_secs_f64(env_or("VOICECALL_VERSUS_WARMUP", 1.0f64).max(0.0)),
            seconds: env_or("VOICECALL_VERSUS_SECONDS", 5.0f64).max(0.1),
            max_requests: env_or("VOICECALL_VERSUS_MAX_REQUESTS", 1_000_000u64).max(1),
            runs: env_or("VOICECALL_VERSUS_RUNS", 3usize).max(1),
            prism_args: std::env::var("VOICECALL_VERSUS_PRISM_ARGS")
                .unwrap_or_default()
                .split_whitespace()
                .map(String::from)
                .collect(),
            clock: match std::env::var("VOICECALL_VERSUS_MOCK_CLOCK").as_deref() {
                Err(_) | Ok("fast") => ClockConfig::FAST,
                Ok("manual") => ClockConfig::Manual,
                Ok(other) => panic!("VOICECALL_VERSUS_MOCK_CLOCK={other:?}: fast or manual"),
            },
        }
    }
}

/// The repository's root (this crate is `conformance/mock`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether `program --version` runs.
fn answers_version(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The pinned Prism, installed by `conformance/prism/run.sh --install` when npm is
/// there; `Err` says why the bench cannot run it.
fn prism_bin() -> Result<PathBuf, String> {
    if !answers_version("node") {
        return Err("`node` is not on PATH: Prism needs Node.js (install it, then rerun)".into());
    }
    let bin = root().join(format!(
        "target/node/prism-{PRISM_VERSION}/node_modules/.bin/prism"
    ));
    if answers_version("npm") {
        let script = root().join("conformance/prism/run.sh");
        let ok = Command::new(&script)
            .arg("--install")
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!("{} --install failed", script.display()));
        }
    } else if !bin.exists() {
        return Err(format!(
            "`npm` is not on PATH and {} is not installed (conformance/prism/run.sh --install installs it)",
            bin.display()
        ));
    }
    Ok(bin)
}

/// A running Prism, killed when dropped (so also when the bench panics).
struct Prism {
    child: Child,
    addr: SocketAddr,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(d) = self.drain.take() {
            let _ = d.join();
        }
    }
}

/// A loopback port free a moment ago (Prism takes no port 0).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts Prism on a free port and waits until it prints "Prism is listening"; its
/// output is read to the end by a thread (kept only until then, to show on failure).
fn start_prism(bin: &Path, extra: &[String]) -> Result<Prism, String> {
    let port = free_port();
    let mut child = Command::new(bin)
        .current_dir(root())
        .args(["mock", "generated/openapi.yaml", "-h", "127.0.0.1", "-p"])
        .arg(port.to_string())
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", bin.display()))?;
    let (tx, rx) = mpsc::channel::<Result<(), String>>();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let errors = Arc::new(Mutex::new(String::new()));
    let kept = errors.clone();
    let err_drain = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
            if kept.len() < 4000 {
                kept.push_str(&line);
                kept.push('\n');
            }
        }
    });
    let drain = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut seen = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Err(seen));
                    break;
                }
                Ok(_) if line.contains("Prism is listening") => {
                    let _ = tx.send(Ok(()));
                    let _ = std::io::copy(&mut reader, &mut std::io::sink());
                    break;
                }
                Ok(_) => {
                    if seen.len() < 4000 {
                        seen.push_str(&line);
                    }
                }
            }
        }
        let _ = err_drain.join();
    });
    let prism = Prism {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        drain: Some(drain),
    };
    let why = match rx.recv_timeout(PRISM_START) {
        Ok(Ok(())) => return Ok(prism),
        Ok(Err(seen)) => format!("Prism closed its output before listening:\n{seen}"),
        Err(_) => format!(
            "Prism did not say it listens within {} s",
            PRISM_START.as_secs()
        ),
    };
    drop(prism); // killed, its output read to the end
    let errors = errors.lock().unwrap_or_else(|e| e.into_inner());
    Err(format!("{why}\n{errors}"))
}

/// What one connection counted inside the window.
struct ConnReport {
    hist: Histogram<u64>,
    /// Per status: how many, and the first body seen.
    statuses: BTreeMap<u16, (u64, String)>,
    counted: u64,
    bounded: bool,
    errors: Vec<String>,
}

fn hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")
}

fn shown(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut end = s.len().min(SHOWN_BODY);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// When a run counts: requests sent at or after `from` and answered by `to`.
#[derive(Clone, Copy)]
struct Window {
    from: Instant,
    to: Instant,
}

/// One keep-alive connection in a closed loop until `stop` (or its count, or
/// `deadline`): each request signed afresh, or `fixed` re-sent. A broken connection is
/// reopened (at most 10 times), the error kept.
async fn connection(
    addr: SocketAddr,
    fixed: Option<Arc<SignedHeaders>>,
    window: Window,
    stop: Arc<AtomicBool>,
    max_requests: u64,
    deadline: Instant,
) -> ConnReport {
    let mut r = ConnReport {
        hist: hist(),
        statuses: BTreeMap::new(),
        counted: 0,
        bounded: false,
        errors: Vec::new(),
    };
    let signer = Credentials::new(KEY, SECRET).signer();
    let body = body();
    let host = addr.to_string();
    let mut sent = 0u64;
    let mut reconnects = 0;
    'connections: while reconnects <= 10 {
        let mut sender = match connect(addr).await {
            Ok(s) => s,
            Err(e) => {
                r.errors.push(e);
                reconnects += 1;
                continue;
            }
        };
        loop {
            if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                break 'connections;
            }
            if sent >= max_requests {
                r.bounded = true;
                break 'connections;
            }
            sent += 1;
            let t0 = Instant::now();
            let req = match &fixed {
                Some(h) => click2call(&host, h, &body),
                None => click2call(&host, &sign_request_with(&signer, KEY, None, None), &body),
            };
            let answer = match sender.send_request(req).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    resp.into_body()
                        .collect()
                        .await
                        .map(|b| (status, b.to_bytes()))
                        .map_err(|e| format!("body: {e}"))
                }
                Err(e) => Err(format!("request: {e}")),
            };
            let (status, bytes) = match answer {
                Ok(a) => a,
                Err(e) => {
                    r.errors.push(e);
                    reconnects += 1;
                    continue 'connections;
                }
            };
            let t1 = Instant::now();
            if t0 >= window.from && t1 <= window.to {
                r.hist
                    .saturating_record(t1.duration_since(t0).as_micros().max(1) as u64);
                r.counted += 1;
                let e = r
                    .statuses
                    .entry(status)
                    .or_insert_with(|| (0, shown(&bytes)));
                e.0 += 1;
            }
        }
    }
    r
}

/// CPU time, nanoseconds, of the threads under `/proc/<pid>/task` (the first field of
/// each `schedstat`), only those named `comm` when given; 0 where unreadable.
fn cpu_ns(pid: &str, comm: Option<&str>) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|t| {
            comm.is_none_or(|c| {
                std::fs::read_to_string(t.path().join("comm")).is_ok_and(|n| n.trim_end() == c)
            })
        })
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Whose CPU time a measurement reads: the mock's runtime threads (named "server", in
/// this process) or every thread of the Prism process.
#[derive(Clone)]
struct CpuOf {
    pid: String,
    comm: Option<&'static str>,
}

impl CpuOf {
    fn mock() -> CpuOf {
        CpuOf {
            pid: "self".into(),
            comm: Some("server"),
        }
    }

    fn prism(p: &Prism) -> CpuOf {
        CpuOf {
            pid: p.child.id().to_string(),
            comm: None,
        }
    }

    fn ns(&self) -> u64 {
        cpu_ns(&self.pid, self.comm)
    }
}

/// One measurement's figures.
struct Figures {
    rate: f64,
    /// The server's CPU time per counted request, µs.
    cpu_us: f64,
    /// The client's (this process's "client" threads), µs per counted request.
    client_us: f64,
    hist: Histogram<u64>,
    statuses: BTreeMap<u16, (u64, String)>,
    bounded: bool,
    errors: Vec<String>,
    load: String,
}

impl Figures {
    /// Requests per second answered with 200 (what "served" means here).
    fn ok_rate(&self, seconds: f64) -> f64 {
        self.statuses.get(&200).map_or(0, |s| s.0) as f64 / seconds
    }

    /// Requests per CPU-second of the server.
    fn per_cpu_second(&self) -> f64 {
        1e6 / self.cpu_us
    }
}

/// Sends the first of a replayed request once (it is new then) on its own connection.
async fn send_once(addr: SocketAddr, signed: &SignedHeaders) -> Result<(u16, String), String> {
    let mut sender = connect(addr).await?;
    let resp = sender
        .send_request(click2call(&addr.to_string(), signed, &body()))
        .await
        .map_err(|e| format!("request: {e}"))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    Ok((status, shown(&bytes)))
}

/// A closed loop of `connections` against `addr` for the warm-up then the counted
/// window.
fn measure(
    addr: SocketAddr,
    cpu: &CpuOf,
    kind: Kind,
    connections: usize,
    s: &Settings,
    cli: &Runtime,
) -> Figures {
    cli.block_on(async {
        let fixed = match kind {
            Kind::Accepted => None,
            Kind::Replay => {
                let signer = Credentials::new(KEY, SECRET).signer();
                let signed = sign_request_with(&signer, KEY, None, None);
                match send_once(addr, &signed).await {
                    Ok((status, first)) if status != 200 => {
                        eprintln!(
                            "  the replayed request's first sending was answered {status} {first}"
                        );
                    }
                    Ok(_) => {}
                    Err(e) => eprintln!("  the replayed request's first sending failed: {e}"),
                }
                Some(Arc::new(signed))
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let window = Window {
            from: start + s.warmup,
            to: start + s.warmup + Duration::from_secs_f64(s.seconds),
        };
        let deadline = window.to + Duration::from_secs(30);
        let tasks: Vec<_> = (0..connections)
            .map(|_| {
                tokio::spawn(connection(
                    addr,
                    fixed.clone(),
                    window,
                    stop.clone(),
                    s.max_requests,
                    deadline,
                ))
            })
            .collect();
        tokio::time::sleep_until(window.from.into()).await;
        let client = CpuOf {
            pid: "self".into(),
            comm: Some("client"),
        };
        let (cpu_from, client_from) = (cpu.ns(), client.ns());
        tokio::time::sleep_until(window.to.into()).await;
        let (cpu_to, client_to) = (cpu.ns(), client.ns());
        stop.store(true, Ordering::SeqCst);
        let load = loadavg();
        let mut f = Figures {
            rate: 0.0,
            cpu_us: 0.0,
            client_us: 0.0,
            hist: hist(),
            statuses: BTreeMap::new(),
            bounded: false,
            errors: Vec::new(),
            load,
        };
        let mut counted = 0;
        for t in tasks {
            let r = t.await.expect("a connection task");
            counted += r.counted;
            f.hist.add(&r.hist).expect("same bounds");
            for (status, (n, first)) in r.statuses {
                f.statuses.entry(status).or_insert((0, first)).0 += n;
            }
            f.bounded |= r.bounded;
            if f.errors.len() < 3 {
                f.errors.extend(r.errors.into_iter().take(3));
            }
        }
        f.rate = counted as f64 / s.seconds;
        f.cpu_us = cpu_to.saturating_sub(cpu_from) as f64 / 1000.0 / counted.max(1) as f64;
        f.client_us = client_to.saturating_sub(client_from) as f64 / 1000.0 / counted.max(1) as f64;
        f
    })
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

fn statuses(f: &Figures) -> String {
    f.statuses
        .iter()
        .map(|(status, (n, _))| format!("{status} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the arguments.
    let s = Settings::from_env();
    let bin = match prism_bin() {
        Ok(b) => b,
        Err(why) => {
            println!("versus: skipped, Prism cannot run here: {why}");
            return;
        }
    };
    let srv = runtime("server");
    let cli = runtime("client");
    println!(
        "mock ({:?} clock) vs Prism {PRISM_VERSION}: closed loop, {:?} connections, {:.1} s warm-up + {} s counted, {} runs; load average at start {}",
        s.clock,
        s.connections,
        s.warmup.as_secs_f64(),
        s.seconds,
        s.runs,
        loadavg()
    );
    println!();
    println!("| run | connections | request | server | req/s | answers (status ×count) | p50 ms | p99 ms | server CPU µs/req | client CPU µs/req | load average |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    // (connections, kind, target) → per run figures.
    let mut all: BTreeMap<(usize, Kind), Vec<(Figures, Figures)>> = BTreeMap::new();
    let mut first_answers: BTreeMap<(Kind, &str, u16), String> = BTreeMap::new();
    for run in 1..=s.runs {
        let prism = match start_prism(&bin, &s.prism_args) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("versus: run {run}: {e}");
                std::process::exit(1);
            }
        };
        let order = if run % 2 == 1 {
            [Target::Mock, Target::Prism]
        } else {
            [Target::Prism, Target::Mock]
        };
        for &connections in &s.connections {
            for kind in [Kind::Accepted, Kind::Replay] {
                let mut pair: Vec<(Target, Figures)> = Vec::new();
                for t in order {
                    let f = match t {
                        Target::Mock => {
                            let (server, addr) = srv.block_on(start_mock_with(s.clock));
                            let f = measure(addr, &CpuOf::mock(), kind, connections, &s, &cli);
                            srv.block_on(server.shutdown());
                            f
                        }
                        Target::Prism => measure(
                            prism.addr,
                            &CpuOf::prism(&prism),
                            kind,
                            connections,
                            &s,
                            &cli,
                        ),
                    };
                    println!(
                        "| {run} | {connections} | {} | {} | {:.0} | {} | {} | {} | {:.1} | {:.1} | {} |",
                        kind.name(),
                        t.name(),
                        f.rate,
                        statuses(&f),
                        ms(f.hist.value_at_quantile(0.50)),
                        ms(f.hist.value_at_quantile(0.99)),
                        f.cpu_us,
                        f.client_us,
                        f.load,
                    );
                    for e in &f.errors {
                        eprintln!(
                            "  note (run {run}, {connections}, {}, {}): {e}",
                            kind.name(),
                            t.name()
                        );
                    }
                    if f.bounded {
                        eprintln!(
                            "  note (run {run}, {connections}, {}, {}): a connection reached VOICECALL_VERSUS_MAX_REQUESTS before the window closed",
                            kind.name(),
                            t.name()
                        );
                    }
                    for (status, (_, first)) in &f.statuses {
                        first_answers
                            .entry((kind, t.name(), *status))
                            .or_insert_with(|| first.clone());
                    }
                    pair.push((t, f));
                }
                let mock = pair
                    .iter()
                    .position(|(t, _)| *t == Target::Mock)
                    .expect("mock measured");
                let (_, m) = pair.swap_remove(mock);
                let (_, p) = pair.pop().expect("Prism measured");
                all.entry((connections, kind)).or_default().push((m, p));
            }
        }
        drop(prism);
    }
    println!();
    println!("What each answered (first body per status):");
    for ((kind, server, status), first) in &first_answers {
        println!("- {} / {server}: {status} {first}", kind.name());
    }
    println!();
    println!("| request | connections | mock req/s min / median | Prism req/s min / median | mock ÷ Prism per run | min / median | mock 200/s ÷ Prism 200/s min / median | by server CPU (Prism µs/req ÷ mock µs/req) min / median |");
    println!("|---|---|---|---|---|---|---|---|");
    for ((connections, kind), runs) in &all {
        let mock: Vec<f64> = runs.iter().map(|(m, _)| m.rate).collect();
        let prism: Vec<f64> = runs.iter().map(|(_, p)| p.rate).collect();
        let ratios: Vec<f64> = runs.iter().map(|(m, p)| m.rate / p.rate).collect();
        let cpu_ratios: Vec<f64> = runs
            .iter()
            .map(|(m, p)| m.per_cpu_second() / p.per_cpu_second())
            .collect();
        let ok_ratios: Vec<f64> = runs
            .iter()
            .map(|(m, p)| m.ok_rate(s.seconds) / p.ok_rate(s.seconds))
            .collect();
        println!(
            "| {} | {connections} | {:.0} / {:.0} | {:.0} / {:.0} | {} | {:.2} / {:.2} × | {:.2} / {:.2} × | {:.2} / {:.2} × |",
            kind.name(),
            min(&mock),
            median(mock.clone()),
            min(&prism),
            median(prism.clone()),
            ratios.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>().join(" / "),
            min(&ratios),
            median(ratios.clone()),
            min(&ok_ratios),
            median(ok_ratios.clone()),
            min(&cpu_ratios),
            median(cpu_ratios.clone()),
        );
    }
    println!("load average at end: {}", loadavg());
}
