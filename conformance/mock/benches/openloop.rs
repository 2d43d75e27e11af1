//! Open-loop load benchmark of the mock (issue 16): latency at a *fixed offered rate*,
//! measured from each request's scheduled send time, so a stall of the server shows in
//! the latency of every request scheduled during it (no coordinated omission), side by
//! side with a bare axum endpoint in the same run.
//!
//! `cargo bench -p voicecall-mock --bench openloop` (release). Steps:
//!
//! 1. *Saturation*: a closed loop (`VOICECALL_OPENLOOP_CONNECTIONS`, 64 connections, each
//!    sending its next request when the last is answered) against a fresh mock for
//!    `VOICECALL_OPENLOOP_SATURATION_SECONDS` (3): accepted requests per second, an
//!    estimate (the same for the bare endpoint, for reference). Then the mock's
//!    *sustained* rate `X`: the highest open-loop rate at which every request of a
//!    `VOICECALL_OPENLOOP_SEARCH_SECONDS` (5) run is answered 200 with p99 ≤
//!    `VOICECALL_OPENLOOP_SEARCH_P99_MS` (10), by `VOICECALL_OPENLOOP_SEARCH_STEPS` (6)
//!    bisections below the estimate, each step printed. The search runs as long as the
//!    runs it sets the rates of: the mock reaches its steady state (10,000 ended
//!    sessions and 50,000 push records retained, then evicted as fast as they come)
//!    after 50,000–70,000 calls, and 2 s searches at 28,000/s never did, so their `X`
//!    overloaded the mock in the 5 s runs that followed. `VOICECALL_OPENLOOP_X` fixes `X`
//!    instead (no search), so that repeated runs offer the same rates.
//! 2. *Open loop* at 25 %, 50 % and 90 % of `X`: `VOICECALL_OPENLOOP_ROUNDS` (3) rounds
//!    per rate, each a fresh bare endpoint and a fresh mock at the same rate for
//!    `VOICECALL_OPENLOOP_SECONDS` (5) each, back to back, which of the two goes first
//!    alternating from round to round: p50 / p99 / p99.9 / max per run, and the CPU time
//!    the servers' runtime spent per request (schedstat, from the first request due to
//!    the last answer: the mock's request path, the calls' steps and retention, the
//!    HTTP stack and the kernel's socket work on that thread), which the host's stalls do
//!    not move the way they move the tails; then per rate
//!    the rounds pooled, and the mock's p99 over the bare endpoint's p99 *of the same
//!    round* with the median of those ratios. Why rounds: on a shared VM the host takes
//!    the CPU away for 10–90 ms now and then; falling in one 5 s run, it decided that
//!    server's p99 alone (a bare p99 of 48 ms beside a mock's 2.5 ms in the same minute).
//!    Paired, interleaved rounds let such a run show as the outlier it is.
//! 3. With `VOICECALL_OPENLOOP_LONG=1`: one fresh mock at 50 % of `X` (or
//!    `VOICECALL_OPENLOOP_LONG_RATE`) until `VOICECALL_OPENLOOP_LONG_CALLS` (500,000)
//!    requests were sent (at most `VOICECALL_OPENLOOP_LONG_SECONDS`, 900), with the
//!    percentiles per window of 50,000 requests: the tail must not grow with the number
//!    of accepted calls.
//!
//! `VOICECALL_OPENLOOP_CLOCK=manual` (a diagnostic) stops the mock's clock: no call plays
//! a step, so only the request path runs (sessions then accumulate without end).
//!
//! The schedule: request `i` is due at `start + i / rate`. A dispatcher thread (a plain
//! thread, sleeping with the OS's precision, not tokio's 1 ms timer) hands each due time
//! to a queue; one task per connection takes the next due time, signs a fresh request
//! (`sign_request_with`: fresh CSPRNG nonce, current time), sends it and records
//! `answer read − due time` in an HDR histogram (µs). A request that waits for a free
//! connection or a stalled server waits *in its latency*. Requests are the same signed,
//! valid click2Call for both servers (the bare endpoint parses the JSON into a `Value`
//! and answers 200), without statusUrl/feeUrl (no pushes).
//!
//! The mock: one app, `platform.ports` large, the *fast* clock (factor 1000: a call ends
//! tens of real milliseconds after it is accepted) and the default retention, so ended
//! calls leave as in a long-running mock; the replay memory (default 1,000,000 nonces
//! in 15 minutes) holds every request's nonce and is the largest structure that grows.
//!
//! Before any server runs, one thread per core reads the clock in a tight loop for
//! `VOICECALL_OPENLOOP_HICCUP_SECONDS` (5) and prints the gaps (times the thread did not
//! run): the machine's own stalls, a floor under every tail the runs report.
//!
//! Threads: servers on a tokio runtime with one worker, clients on another with one
//! worker, the dispatcher on its own thread, unpinned by default.
//! `VOICECALL_OPENLOOP_PIN=1` pins them (with two cores or more): the server's runtime to
//! the last core, the client's runtime and the dispatcher to the first, so the server
//! never waits for the load generator's time slice. On the project's 2-core VM that made
//! the p99.9 of *both* servers worse (7–10 ms): its first core stalls 4–6 times in 5 s
//! for up to 9 ms (the stall meter above), and a pinned thread cannot move off it.
//! On a shared machine the figures move with the other load; the load average is printed. No assertion on
//! timings: this prints figures. Every loop is bounded by a count and a deadline; the
//! servers bind 127.0.0.1:0.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::client::{
    body, click2call, connect, env_or, loadavg, pin, start_mock, start_mock_with, KEY, SECRET,
};
use common::cpu::{cpu_ns, runtime, Tids};
use common::{start_bare, Server};
use hdrhistogram::Histogram;
use http_body_util::BodyExt;
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, Mutex};
use voicecall::auth::{sign_request_with, Credentials};

/// Requests per window of the long run.
const WINDOW: u64 = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Bare,
    Mock,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Bare => "bare axum",
            Target::Mock => "mock",
        }
    }
}

async fn start(t: Target) -> (Server, SocketAddr) {
    if t == Target::Bare {
        return start_bare().await;
    }
    // `VOICECALL_OPENLOOP_CLOCK=manual`: the mock's clock stands still, so no call plays
    // a step; what remains is the request path alone (a diagnostic: which of the two
    // makes the tail).
    let (server, addr) = match std::env::var("VOICECALL_OPENLOOP_CLOCK").as_deref() {
        Ok("manual") => start_mock_with(voicecall_mock::ClockConfig::Manual).await,
        _ => start_mock().await,
    };
    (Server::Mock(server), addr)
}

async fn stop(s: Server) {
    match s {
        Server::Bare(tx) => {
            let _ = tx.send(());
        }
        Server::Mock(m) => m.shutdown().await,
    }
}

/// One connection's results.
struct ConnReport {
    /// Latency histograms, one per window (a single one outside the long run).
    hists: Vec<Histogram<u64>>,
    done: u64,
    accepted: u64,
    other: u64,
    first_other: Option<String>,
    error: Option<String>,
}

fn hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("histogram bounds")
}

/// What a connection task takes next: the index and due time of a request, from the
/// open-loop dispatcher; or, closed loop, nothing (send at once).
type Due = Option<(u64, Instant)>;

/// The queue of due requests, shared by the connection tasks.
type DueQueue = Arc<Mutex<mpsc::UnboundedReceiver<(u64, Instant)>>>;

/// Sends requests on one keep-alive connection: for each due time received (open loop),
/// or back to back until `stop` (closed loop, `queue` None).
async fn connection(
    addr: SocketAddr,
    queue: Option<DueQueue>,
    windows: usize,
    stop: Arc<AtomicBool>,
    deadline: Instant,
) -> ConnReport {
    let mut r = ConnReport {
        hists: (0..windows.max(1)).map(|_| hist()).collect(),
        done: 0,
        accepted: 0,
        other: 0,
        first_other: None,
        error: None,
    };
    let mut sender = match connect(addr).await {
        Ok(s) => s,
        Err(e) => {
            r.error = Some(e);
            return r;
        }
    };
    let creds = Credentials::new(KEY, SECRET);
    let signer = creds.signer();
    let body = body();
    let host = addr.to_string();
    loop {
        if Instant::now() > deadline {
            break;
        }
        let due: Due = match &queue {
            Some(q) => match q.lock().await.recv().await {
                Some(x) => Some(x),
                None => break,
            },
            None => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                None
            }
        };
        let t0 = Instant::now();
        let h = sign_request_with(&signer, KEY, None, None);
        let req = click2call(&host, &h, &body);
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
        let (index, from) = due.unwrap_or((0, t0));
        let us = done.saturating_duration_since(from).as_micros().max(1) as u64;
        let w = ((index / WINDOW) as usize).min(r.hists.len() - 1);
        r.hists[w].saturating_record(us);
        r.done += 1;
        if status == 200 {
            r.accepted += 1;
        } else {
            r.other += 1;
            if r.first_other.is_none() {
                r.first_other = Some(format!("{status} {}", String::from_utf8_lossy(&bytes)));
            }
        }
    }
    r
}

/// The servers' runtime and its threads, whose CPU time each open-loop run reports.
struct ServerRuntime {
    rt: Runtime,
    tids: Tids,
}

struct Run {
    done: u64,
    accepted: u64,
    other: u64,
    seconds: f64,
    /// CPU time of the server's runtime over the run (open loop only; 0 elsewhere).
    server_cpu_ns: u64,
    hists: Vec<Histogram<u64>>,
    notes: Vec<String>,
}

fn merge(reports: Vec<ConnReport>, seconds: f64) -> Run {
    let windows = reports.iter().map(|r| r.hists.len()).max().unwrap_or(1);
    let mut run = Run {
        done: 0,
        accepted: 0,
        other: 0,
        seconds,
        server_cpu_ns: 0,
        hists: (0..windows).map(|_| hist()).collect(),
        notes: Vec::new(),
    };
    for r in reports {
        run.done += r.done;
        run.accepted += r.accepted;
        run.other += r.other;
        for (w, h) in r.hists.iter().enumerate() {
            run.hists[w].add(h).expect("same bounds");
        }
        if let Some(e) = r.error {
            run.notes.push(e);
        }
        if let Some(o) = r.first_other {
            if run.notes.len() < 3 {
                run.notes.push(format!("not 200: {o}"));
            }
        }
    }
    run
}

/// Closed loop for `seconds`: the saturation rate.
fn saturate(
    t: Target,
    connections: usize,
    seconds: f64,
    srv: &ServerRuntime,
    cli: &Runtime,
) -> Run {
    let (server, addr) = srv.rt.block_on(start(t));
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds + 30.0);
    let run = cli.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|_| tokio::spawn(connection(addr, None, 1, stop.clone(), deadline)))
            .collect();
        let start = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        stop.store(true, Ordering::SeqCst);
        let mut reports = Vec::new();
        for t in tasks {
            reports.push(t.await.expect("a connection task"));
        }
        merge(reports, start.elapsed().as_secs_f64())
    });
    srv.rt.block_on(stop_server(server));
    run
}

async fn stop_server(s: Server) {
    stop(s).await
}

/// The machine's own stalls, before any server runs: one thread per core (pinned when
/// the cores are known) reads the clock in a tight loop for `seconds` and counts the
/// gaps between readings. A gap is time the thread did not run (the host, the kernel);
/// a server on that core would have answered nothing during it, so these set a floor
/// under every tail below. Returns, per thread: gaps over 1 ms, over 4 ms, the longest.
fn hiccups(cores: &[core_affinity::CoreId], seconds: f64) -> Vec<(u32, u32, Duration)> {
    let threads: Vec<_> = (0..cores.len().max(1))
        .map(|i| {
            let core = cores.get(i).copied();
            std::thread::spawn(move || {
                pin(core);
                let end = Instant::now() + Duration::from_secs_f64(seconds);
                let (mut over1, mut over4, mut longest) = (0, 0, Duration::ZERO);
                let mut last = Instant::now();
                while last < end {
                    let now = Instant::now();
                    let gap = now - last;
                    if gap > Duration::from_millis(1) {
                        over1 += 1;
                        if gap > Duration::from_millis(4) {
                            over4 += 1;
                        }
                    }
                    longest = longest.max(gap);
                    last = now;
                }
                (over1, over4, longest)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("a hiccup thread"))
        .collect()
}

/// A run's latencies, all windows together (µs).
fn merged(run: &Run) -> Histogram<u64> {
    let mut all = hist();
    for h in &run.hists {
        all.add(h).expect("same bounds");
    }
    all
}

/// The mock's sustained rate: the highest offered rate at which an open loop of
/// `seconds` gets every request answered 200 with p99 ≤ `p99_limit_ms`, found by
/// bisection between 0 and the closed-loop estimate (`steps` halvings, so to 1/2^steps of
/// it). A closed loop only ever has `connections` requests in flight, so its rate
/// overstates what the mock sustains once requests arrive on their own schedule: at
/// "90 %" of it the open loop overloaded the mock and the latencies were the queue's.
#[allow(clippy::too_many_arguments)]
fn sustained(
    estimate: f64,
    steps: u32,
    seconds: f64,
    p99_limit_ms: f64,
    connections: usize,
    srv: &ServerRuntime,
    cli: &Runtime,
    client_core: Option<core_affinity::CoreId>,
) -> f64 {
    let (mut lo, mut hi) = (0.0, estimate);
    for _ in 0..steps {
        let rate = (lo + hi) / 2.0;
        let total = (rate * seconds) as u64;
        let run = open_loop(
            Target::Mock,
            rate,
            total,
            1,
            connections,
            seconds * 2.0,
            srv,
            cli,
            client_core,
        );
        let p99_ms = merged(&run).value_at_quantile(0.99) as f64 / 1000.0;
        let ok = run.accepted == total && p99_ms <= p99_limit_ms;
        println!(
            "  {rate:.0}/s for {seconds} s: {} of {total} accepted, p99 {p99_ms:.2} ms: {}",
            run.accepted,
            if ok { "sustained" } else { "not sustained" }
        );
        if ok {
            lo = rate;
        } else {
            hi = rate;
        }
    }
    lo
}

/// Open loop: `total` requests at `rate` per second (bounded by `max_seconds`).
#[allow(clippy::too_many_arguments)]
fn open_loop(
    t: Target,
    rate: f64,
    total: u64,
    windows: usize,
    connections: usize,
    max_seconds: f64,
    srv: &ServerRuntime,
    cli: &Runtime,
    client_core: Option<core_affinity::CoreId>,
) -> Run {
    let (server, addr) = srv.rt.block_on(start(t));
    let (tx, rx) = mpsc::unbounded_channel::<(u64, Instant)>();
    let rx = Arc::new(Mutex::new(rx));
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs_f64(max_seconds + 60.0);
    let sent = Arc::new(AtomicU64::new(0));
    let run = cli.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|_| {
                tokio::spawn(connection(
                    addr,
                    Some(rx.clone()),
                    windows,
                    stop.clone(),
                    deadline,
                ))
            })
            .collect();
        // Let the connections open before the clock starts.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let cpu0 = cpu_ns(&srv.tids);
        let start = Instant::now();
        let period = Duration::from_secs_f64(1.0 / rate);
        let last = start + Duration::from_secs_f64(max_seconds);
        let counter = sent.clone();
        let dispatcher = std::thread::spawn(move || {
            pin(client_core);
            for i in 0..total {
                let due = start + period.mul_f64(i as f64);
                if due > last {
                    break;
                }
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                if tx.send((i, due)).is_err() {
                    break;
                }
                counter.store(i + 1, Ordering::Relaxed);
            }
            // Dropping the sender ends the connection tasks once the queue is empty.
        });
        let mut reports = Vec::new();
        for t in tasks {
            reports.push(t.await.expect("a connection task"));
        }
        dispatcher.join().expect("the dispatcher");
        let mut run = merge(reports, start.elapsed().as_secs_f64());
        run.server_cpu_ns = cpu_ns(&srv.tids).saturating_sub(cpu0);
        run
    });
    srv.rt.block_on(stop_server(server));
    run
}

/// Server CPU per request, µs.
fn cpu_us(ns: u64, requests: u64) -> f64 {
    ns as f64 / 1000.0 / requests.max(1) as f64
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

fn row(label: &str, round: usize, t: Target, run: &Run) {
    let all = merged(run);
    println!(
        "| {label} | {round} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {:.1} |",
        t.name(),
        run.done as f64 / run.seconds,
        run.accepted,
        ms(all.value_at_quantile(0.50)),
        ms(all.value_at_quantile(0.99)),
        ms(all.value_at_quantile(0.999)),
        ms(all.max()),
        run.other,
        cpu_us(run.server_cpu_ns, run.done),
    );
    for n in &run.notes {
        eprintln!("  note ({label}, {}): {n}", t.name());
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the arguments.
    let connections = env_or("VOICECALL_OPENLOOP_CONNECTIONS", 64usize).max(1);
    let sat_seconds = env_or("VOICECALL_OPENLOOP_SATURATION_SECONDS", 3.0f64);
    let seconds = env_or("VOICECALL_OPENLOOP_SECONDS", 5.0f64);
    let long = std::env::var("VOICECALL_OPENLOOP_LONG").is_ok_and(|v| v == "1");
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let pinned = std::env::var("VOICECALL_OPENLOOP_PIN").is_ok_and(|v| v == "1");
    let (server_core, client_core) = match (pinned, cores.first(), cores.last()) {
        (true, Some(&first), Some(&last)) if cores.len() >= 2 => (Some(last), Some(first)),
        _ => (None, None),
    };
    match (server_core, client_core) {
        (Some(s), Some(c)) => println!(
            "pinned: server on core {}, client and dispatcher on core {} ({} cores)",
            s.id,
            c.id,
            cores.len()
        ),
        _ => println!(
            "not pinned ({} cores seen; VOICECALL_OPENLOOP_PIN=1 pins)",
            cores.len()
        ),
    }
    let tids = Tids::default();
    let srv = ServerRuntime {
        rt: runtime("server", server_core, &tids),
        tids,
    };
    let cli = runtime("client", client_core, &Tids::default());

    println!("load average at start: {}", loadavg());
    let hiccup_seconds = env_or("VOICECALL_OPENLOOP_HICCUP_SECONDS", 5.0f64);
    for (i, (over1, over4, longest)) in hiccups(&cores, hiccup_seconds).iter().enumerate() {
        println!(
            "machine stalls (a thread reading the clock for {hiccup_seconds} s, core {i}): {over1} gaps > 1 ms, {over4} > 4 ms, longest {:.2} ms",
            longest.as_secs_f64() * 1000.0
        );
    }
    let sat_mock = saturate(Target::Mock, connections, sat_seconds, &srv, &cli);
    let sat_bare = saturate(Target::Bare, connections, sat_seconds, &srv, &cli);
    let measured = sat_mock.accepted as f64 / sat_mock.seconds;
    println!(
        "saturation (closed loop, {connections} connections, {sat_seconds} s): mock {measured:.0} accepted/s, bare {:.0}/s",
        sat_bare.done as f64 / sat_bare.seconds
    );
    // A fixed `X` makes repeated runs offer the same rates: on a shared machine one
    // estimate can be off by 2 × when the other load changes under it.
    let x = match std::env::var("VOICECALL_OPENLOOP_X") {
        Ok(v) => {
            let x: f64 = v
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x > 0.0)
                .expect("VOICECALL_OPENLOOP_X is a rate in requests per second, e.g. 20000");
            println!("X = {x:.0}/s (VOICECALL_OPENLOOP_X), not the estimate above");
            x
        }
        Err(_) => {
            let steps = env_or("VOICECALL_OPENLOOP_SEARCH_STEPS", 6u32);
            let search_seconds = env_or("VOICECALL_OPENLOOP_SEARCH_SECONDS", seconds);
            let limit = env_or("VOICECALL_OPENLOOP_SEARCH_P99_MS", 10.0f64);
            println!(
                "sustained rate (open loop, p99 ≤ {limit} ms, every request 200; bisection below the estimate):"
            );
            let x = sustained(
                measured,
                steps,
                search_seconds,
                limit,
                connections,
                &srv,
                &cli,
                client_core,
            );
            if x > 0.0 {
                println!("X = {x:.0}/s, the mock's sustained rate");
                x
            } else {
                println!(
                    "no rate sustained in {steps} steps: X = the closed-loop estimate, {measured:.0}/s"
                );
                measured
            }
        }
    };
    let rounds = env_or("VOICECALL_OPENLOOP_ROUNDS", 3usize).max(1);
    println!();
    println!("| offered load | round | server | sent/s | accepted | p50 ms | p99 ms | p99.9 ms | max ms | not 200 | server CPU µs/req |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut summary = Vec::new();
    for pct in [25.0, 50.0, 90.0] {
        let rate = x * pct / 100.0;
        let total = (rate * seconds) as u64;
        let label = format!("{pct:.0} % ({rate:.0}/s)");
        let mut pooled = [hist(), hist()];
        // (server CPU ns, requests) of each server over the rounds.
        let mut cpu = [(0u64, 0u64); 2];
        let mut ratios = Vec::new();
        for round in 0..rounds {
            // Bare then mock, then mock then bare, …: neither always runs first, and each
            // pair runs back to back, under the same conditions of a shared machine.
            let order = if round % 2 == 0 {
                [Target::Bare, Target::Mock]
            } else {
                [Target::Mock, Target::Bare]
            };
            let mut p99 = [0u64; 2];
            for t in order {
                let run = open_loop(
                    t,
                    rate,
                    total,
                    1,
                    connections,
                    seconds,
                    &srv,
                    &cli,
                    client_core,
                );
                row(&label, round + 1, t, &run);
                let all = merged(&run);
                let i = usize::from(t == Target::Mock);
                p99[i] = all.value_at_quantile(0.99);
                pooled[i].add(&all).expect("same bounds");
                cpu[i].0 += run.server_cpu_ns;
                cpu[i].1 += run.done;
            }
            ratios.push(p99[1] as f64 / p99[0].max(1) as f64);
        }
        summary.push((label, pooled, ratios, cpu));
    }
    println!();
    println!(
        "Summary: each rate's {rounds} rounds pooled, and the mock's p99 ÷ the bare endpoint's p99 of the same round (the pair ran back to back)"
    );
    println!();
    println!("| offered load | bare p99 | mock p99 | pooled ratio | ratio by round | median ratio | bare p99.9 | mock p99.9 | server CPU µs/req, bare / mock |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (label, pooled, mut ratios, cpu) in summary {
        let q = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q);
        let by_round: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "| {label} | {} | {} | {:.2} × | {} | {:.2} × | {} | {} | {:.1} / {:.1} |",
            ms(q(&pooled[0], 0.99)),
            ms(q(&pooled[1], 0.99)),
            q(&pooled[1], 0.99) as f64 / q(&pooled[0], 0.99).max(1) as f64,
            by_round.join(", "),
            ratios[ratios.len() / 2],
            ms(q(&pooled[0], 0.999)),
            ms(q(&pooled[1], 0.999)),
            cpu_us(cpu[0].0, cpu[0].1),
            cpu_us(cpu[1].0, cpu[1].1),
        );
    }
    println!("load average at end of the rates: {}", loadavg());

    if long {
        let calls = env_or("VOICECALL_OPENLOOP_LONG_CALLS", 500_000u64);
        let rate = env_or("VOICECALL_OPENLOOP_LONG_RATE", x * 0.5);
        let max_seconds = env_or("VOICECALL_OPENLOOP_LONG_SECONDS", 900.0f64);
        let windows = calls.div_ceil(WINDOW) as usize;
        println!();
        println!(
            "long run: {calls} requests at {rate:.0}/s (open loop), mock, per window of {WINDOW}"
        );
        let t0 = Instant::now();
        let run = open_loop(
            Target::Mock,
            rate,
            calls,
            windows,
            connections,
            max_seconds,
            &srv,
            &cli,
            client_core,
        );
        println!(
            "sent {} in {:.1} s, accepted {}, not 200 {}, server CPU {:.1} µs/req, load average {}",
            run.done,
            t0.elapsed().as_secs_f64(),
            run.accepted,
            run.other,
            cpu_us(run.server_cpu_ns, run.done),
            loadavg()
        );
        println!("| requests | p50 ms | p99 ms | p99.9 ms | max ms |");
        println!("|---|---|---|---|---|");
        for (w, h) in run.hists.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            println!(
                "| {}–{} | {} | {} | {} | {} |",
                w as u64 * WINDOW,
                (w as u64 + 1) * WINDOW,
                ms(h.value_at_quantile(0.50)),
                ms(h.value_at_quantile(0.99)),
                ms(h.value_at_quantile(0.999)),
                ms(h.max()),
            );
        }
        for n in &run.notes {
            eprintln!("  note (long): {n}");
        }
    }
}
