//! Scale check of the mock (issue 5): 10,000 concurrent callbacks held with their status
//! and fee pushes delivered to real receivers on loopback, then ended; no push may be
//! lost, and the peak resident memory is printed against the 128 MiB target.
//!
//! `cargo run --release -p voicecall-mock --example scale`
//!
//! Method: one process holds the mock and the driver; the two receivers
//! (`voicecall::receiver`, checking every push signature and validating every body) run in
//! a second process (this program again, with `--receivers`), so the memory figures are
//! the mock's (plus a small HTTP client). The clock is manual,
//! so the run is deterministic: calls are placed over HTTP, signed, in waves of
//! `VOICECALL_SCALE_WAVE` (100) per 100 ms of virtual time, and the clock then moves in
//! 100 ms steps, each followed by `Mock::settle`, so about one wave's events are pushed at
//! a time (the mock itself puts no bound on concurrent pushes). Every call is answered
//! and talks for an hour, so all of them are live together; then the clock runs past
//! their ends and the CDR batches. Checks: every push delivered, CDRs produced ==
//! delivered == calls, and the receivers saw the same. Peak memory is the process's
//! VmHWM; a counting allocator also gives the heap bytes live (`VOICECALL_SCALE_SIZES=1`
//! lists them by block size). `VOICECALL_SCALE_CALLS` (10000) changes the count;
//! the whole run must finish within 120 s of real time or it fails.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;
use voicecall::auth::{sign_request, AppSecret, Credentials, PushVerifier, VerifierConfig};
use voicecall::operations::Operation;
use voicecall::receiver::{Delivery, PushKind, Receiver};
use voicecall_mock::{Mock, MockConfig, MockServer};

const KEY: &str = "scaleAppKey";
const SECRET: &str = "scaleAppSecret";
const TALK_SECONDS: u32 = 3600;
/// Virtual time of one clock step.
const STEP: Duration = Duration::from_millis(100);
const LIMIT: Duration = Duration::from_secs(120);

/// The system allocator, counting the bytes live on the heap (and, by size, the blocks
/// live, for `VOICECALL_SCALE_SIZES=1`), so the figures separate what the program holds
/// from what the allocator keeps.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Live blocks and bytes per size, in 16-byte classes up to 64 KiB (the last class:
/// larger).
static BY_SIZE: [AtomicUsize; 4097] = [const { AtomicUsize::new(0) }; 4097];
static BYTES_BY_SIZE: [AtomicUsize; 4097] = [const { AtomicUsize::new(0) }; 4097];

fn class(size: usize) -> usize {
    (size.div_ceil(16)).min(4096)
}

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { std::alloc::System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
            BY_SIZE[class(l.size())].fetch_add(1, Ordering::Relaxed);
            BYTES_BY_SIZE[class(l.size())].fetch_add(l.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        BY_SIZE[class(l.size())].fetch_sub(1, Ordering::Relaxed);
        BYTES_BY_SIZE[class(l.size())].fetch_sub(l.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, new: usize) -> *mut u8 {
        let q = unsafe { std::alloc::System.realloc(p, l, new) };
        if !q.is_null() {
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
            let now = LIVE.fetch_add(new, Ordering::Relaxed) + new;
            PEAK.fetch_max(now, Ordering::Relaxed);
            BY_SIZE[class(l.size())].fetch_sub(1, Ordering::Relaxed);
            BYTES_BY_SIZE[class(l.size())].fetch_sub(l.size(), Ordering::Relaxed);
            BY_SIZE[class(new)].fetch_add(1, Ordering::Relaxed);
            BYTES_BY_SIZE[class(new)].fetch_add(new, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn heap() -> u64 {
    (LIVE.load(Ordering::Relaxed) / 1024) as u64
}

/// The size classes holding the most live bytes: (class, blocks, bytes).
fn top_sizes(n: usize) -> Vec<(usize, usize, usize)> {
    let mut v: Vec<(usize, usize, usize)> = (0..BY_SIZE.len())
        .map(|i| {
            (
                i * 16,
                BY_SIZE[i].load(Ordering::Relaxed),
                BYTES_BY_SIZE[i].load(Ordering::Relaxed),
            )
        })
        .filter(|(_, c, _)| *c > 0)
        .collect();
    v.sort_by_key(|(_, _, b)| std::cmp::Reverse(*b));
    v.truncate(n);
    v
}

/// What a receiver counted.
#[derive(Default)]
struct Counts {
    pushes: AtomicUsize,
    cdrs: AtomicUsize,
    refused: AtomicUsize,
    violations: AtomicUsize,
}

async fn receiver(kind: PushKind) -> (String, Arc<Counts>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    let verifier = PushVerifier::new(
        &AppSecret::new(SECRET),
        url.clone(),
        VerifierConfig::default(),
    );
    // The framework-agnostic receiver behind a plain route, to count refusals too.
    let rx = Arc::new(Receiver::new(kind).with_signature_check(verifier));
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (rx, c) = (rx.clone(), c.clone());
                async move {
                    let lookup = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
                    let count = |d: Delivery| {
                        c.pushes.fetch_add(1, Ordering::Relaxed);
                        match &d {
                            Delivery::Status(s) => {
                                let bad = s.violations.len() + usize::from(s.event.is_err());
                                c.violations.fetch_add(bad, Ordering::Relaxed);
                            }
                            Delivery::Fee(f) => {
                                let bad = f.violations.len()
                                    + f.cdrs
                                        .iter()
                                        .map(|x| x.violations.len() + usize::from(x.cdr.is_err()))
                                        .sum::<usize>();
                                c.violations.fetch_add(bad, Ordering::Relaxed);
                                c.cdrs.fetch_add(f.cdrs.len(), Ordering::Relaxed);
                            }
                        }
                        std::future::ready(Ok::<(), std::convert::Infallible>(()))
                    };
                    let (reply, outcome) = rx
                        .handle(lookup, &body, time::OffsetDateTime::now_utc(), &count)
                        .await;
                    if outcome.is_err() {
                        c.refused.fetch_add(1, Ordering::Relaxed);
                    }
                    (
                        axum::http::StatusCode::from_u16(reply.status)
                            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                        reply.body,
                    )
                }
            },
        ),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, counts)
}

const RECEIVERS_ARG: &str = "--receivers";

/// The receivers' process: prints its two URLs, then answers each `count` line on stdin
/// with its counts and peak memory; ends at end of input.
async fn receivers_process() -> ExitCode {
    use std::io::{BufRead, Write};
    let (status_url, status) = receiver(PushKind::CallbackStatus).await;
    let (fee_url, fee) = receiver(PushKind::CallbackFee).await;
    println!("{status_url} {fee_url}");
    let _ = std::io::stdout().flush();
    let lines = tokio::task::spawn_blocking(move || {
        for line in std::io::stdin().lock().lines() {
            if line.map_or(true, |l| l.trim() != "count") {
                break;
            }
            let l = |a: &AtomicUsize| a.load(Ordering::Relaxed);
            println!(
                "{} {} {} {} {} {}",
                l(&status.pushes),
                l(&fee.pushes),
                l(&fee.cdrs),
                l(&status.refused) + l(&fee.refused),
                l(&status.violations) + l(&fee.violations),
                kib("VmHWM:")
            );
            let _ = std::io::stdout().flush();
        }
    });
    let _ = lines.await;
    ExitCode::SUCCESS
}

/// The receivers' process, seen from the mock's.
struct Receivers {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

/// What the receivers counted.
struct Received {
    status_pushes: usize,
    fee_pushes: usize,
    fee_cdrs: usize,
    refused: usize,
    violations: usize,
    hwm_kib: u64,
}

impl Receivers {
    fn start() -> Result<(Receivers, String, String), String> {
        use std::io::BufRead;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = std::process::Command::new(exe)
            .arg(RECEIVERS_ARG)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the receivers' process: {e}"))?;
        let input = child.stdin.take().ok_or("no stdin")?;
        let mut output = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        output
            .read_line(&mut line)
            .map_err(|e| format!("the receivers' process: {e}"))?;
        let mut urls = line.split_whitespace().map(String::from);
        let (Some(status), Some(fee)) = (urls.next(), urls.next()) else {
            return Err(format!("the receivers' process printed {line:?}"));
        };
        Ok((
            Receivers {
                child,
                input,
                output,
            },
            status,
            fee,
        ))
    }

    fn count(&mut self) -> Result<Received, String> {
        use std::io::{BufRead, Write};
        writeln!(self.input, "count").map_err(|e| e.to_string())?;
        self.input.flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        self.output
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let v: Vec<u64> = line
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [a, b, c, d, e, f] = v[..] else {
            return Err(format!("the receivers' process answered {line:?}"));
        };
        Ok(Received {
            status_pushes: a as usize,
            fee_pushes: b as usize,
            fee_cdrs: c as usize,
            refused: d as usize,
            violations: e as usize,
            hwm_kib: f,
        })
    }
}

impl Drop for Receivers {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn mib(k: u64) -> String {
    format!("{:.1} MiB", k as f64 / 1024.0)
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
        })
        .unwrap_or(default)
}

/// Places `n` callbacks over HTTP, 32 at a time; returns how many were accepted.
async fn place(base: &str, body: &str, n: usize) -> Result<usize, String> {
    let http = reqwest::Client::new();
    let url = format!("{base}{}", Operation::CreateVoiceCallback.wire_path());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..32.min(n) {
        let (http, url, next, body) = (http.clone(), url.clone(), next.clone(), body.to_string());
        tasks.spawn(async move {
            let creds = Credentials::new(KEY, SECRET);
            let mut ok = 0;
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let h = sign_request(&creds, None, None);
                let r = http
                    .post(&url)
                    .header("Content-Type", "application/json;charset=UTF-8")
                    .header("Authorization", h.authorization)
                    .header("X-AKSK", h.x_aksk)
                    .body(body.clone())
                    .send()
                    .await
                    .map_err(|e| format!("click2Call failed: {e}"))?;
                let status = r.status().as_u16();
                let text = r.text().await.unwrap_or_default();
                if status != 200 {
                    return Err(format!("click2Call answered {status}: {text}"));
                }
                ok += 1;
            }
            Ok::<usize, String>(ok)
        });
    }
    let mut ok = 0;
    while let Some(r) = tasks.join_next().await {
        ok += r.map_err(|e| e.to_string())??;
    }
    Ok(ok)
}

struct Run {
    mock: Mock,
    deadline: Instant,
}

impl Run {
    /// Moves the clock `steps` steps, letting the pushes of each settle.
    async fn steps(&self, steps: u64) -> Result<(), String> {
        for _ in 0..steps {
            self.mock.advance(STEP);
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.mock.settle(left).await {
                return Err(format!(
                    "the mock did not settle within {} s of real time (virtual time {} ms; {:?})",
                    LIMIT.as_secs(),
                    self.mock.clock().now(),
                    self.mock.push_summary()
                ));
            }
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    // Before the runtime's threads allocate: glibc fixes its arena limit at the first
    // contention (see `voicecall_mock::limit_malloc_arenas`).
    voicecall_mock::limit_malloc_arenas();
    tokio::runtime::Runtime::new()
        .expect("tokio runtime")
        .block_on(async_main())
}

async fn async_main() -> ExitCode {
    if std::env::args().any(|a| a == RECEIVERS_ARG) {
        return receivers_process().await;
    }
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scale check FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let calls = env_or("VOICECALL_SCALE_CALLS", 10_000).max(1);
    let wave = env_or("VOICECALL_SCALE_WAVE", 100).max(1);
    let started = Instant::now();
    let rss_start = kib("VmRSS:");
    let (mut receivers, status_url, fee_url) = Receivers::start()?;
    let mut config = MockConfig::single_app(KEY, SECRET);
    config.platform.default_talk_seconds = TALK_SECONDS;
    config.platform.ports = 10 * calls as u32 + 1000;
    let server = MockServer::start(
        Mock::new(config),
        "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let run = Run {
        mock: server.mock.clone(),
        deadline: started + LIMIT,
    };
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let body = json!({
        "displayNbr": "+8675528000001",
        "callerNbr": "+8613800000001",
        "displayCalleeNbr": "+8675528000002",
        "calleeNbr": "+8613800000002",
        "statusUrl": b64(&status_url),
        "feeUrl": b64(&fee_url),
        "userData": "scale",
    })
    .to_string();
    let rss_ready = kib("VmRSS:");

    // Place the calls, one wave per step.
    let mut placed = 0;
    while placed < calls {
        let n = wave.min(calls - placed);
        placed += place(&server.base_url(), &body, n).await?;
        run.steps(1).await?;
    }
    let t_placed = started.elapsed();
    // Every call answered (both legs: 11 s after its acceptance).
    run.steps(12_000 / STEP.as_millis() as u64).await?;
    let live = run.mock.live_calls();
    let held = run.mock.push_summary();
    let rss_held = kib("VmRSS:");
    let t_held = started.elapsed();
    if live != calls {
        return Err(format!(
            "{live} calls live after the answers, expected {calls}"
        ));
    }
    let heap_held = heap();
    println!(
        "{calls} calls placed in {:.1} s (real), all answered and live: {} status pushes delivered so far, RSS {}, heap {}",
        t_placed.as_secs_f64(),
        held.delivered,
        mib(rss_held),
        mib(heap_held)
    );
    if std::env::var_os("VOICECALL_SCALE_SIZES").is_some() {
        println!("live heap blocks by size class, calls held (≤ bytes: blocks, total):");
        for (size, count, bytes) in top_sizes(20) {
            let size = if size >= 65536 {
                "larger".to_string()
            } else {
                size.to_string()
            };
            println!(
                "  {size:>6}: {count:>7} blocks, {}",
                mib((bytes / 1024) as u64)
            );
        }
        println!(
            "  (size_of: PushRecord {}, Attempt {}, Session {})",
            std::mem::size_of::<voicecall_mock::PushRecord>(),
            std::mem::size_of::<voicecall_mock::push::Attempt>(),
            std::mem::size_of::<voicecall_mock::session::Session>(),
        );
    }

    // Jump to just before the first end, then step through the ends and the CDR batches.
    let now = run.mock.clock().now();
    let first_end_ms = u64::from(TALK_SECONDS) * 1000;
    run.mock
        .advance(Duration::from_millis(first_end_ms.saturating_sub(now)));
    let virtual_wave_span = (calls.div_ceil(wave) as u64 + 1) * STEP.as_millis() as u64;
    run.steps((virtual_wave_span + 15_000) / STEP.as_millis() as u64)
        .await?;
    let t_ended = started.elapsed();
    let s = run.mock.push_summary();
    let live_after = run.mock.live_calls();
    let hwm = kib("VmHWM:");
    let rss_end = kib("VmRSS:");
    let (heap_end, heap_peak) = (heap(), (PEAK.load(Ordering::Relaxed) / 1024) as u64);

    let got = tokio::task::block_in_place(|| receivers.count())?;
    let Received {
        status_pushes,
        fee_pushes,
        fee_cdrs,
        refused,
        violations,
        hwm_kib: receivers_hwm,
    } = got;
    println!("all ended at {:.1} s (real): {s:?}", t_ended.as_secs_f64());
    println!(
        "receivers (own process, peak {}): {status_pushes} status pushes, {fee_pushes} fee pushes carrying {fee_cdrs} CDRs, {refused} refused, {violations} spec violations",
        mib(receivers_hwm)
    );
    println!(
        "memory of the mock's process (mock + driver): RSS {} at start, {} with the mock ready, {} with {calls} calls held, {} at the end; peak (VmHWM) {} — target ≤ 128 MiB: {}",
        mib(rss_start),
        mib(rss_ready),
        mib(rss_held),
        mib(rss_end),
        mib(hwm),
        if hwm <= 128 * 1024 { "met" } else { "NOT met" }
    );
    println!(
        "heap (live bytes the program holds): {} with the calls held, {} at the end, peak {}",
        mib(heap_held),
        mib(heap_end),
        mib(heap_peak)
    );
    println!(
        "time: {:.1} s in all (placing {:.1} s, answers {:.1} s, ends and CDRs {:.1} s)",
        t_ended.as_secs_f64(),
        t_placed.as_secs_f64(),
        (t_held - t_placed).as_secs_f64(),
        (t_ended - t_held).as_secs_f64()
    );

    // What the mock holds (this clones its logs, so it comes after the peak is read).
    let pushes = run.mock.pushes();
    let push_bytes: usize = pushes
        .iter()
        .map(|p| {
            p.body.len()
                + p.url.len()
                + p.event.len()
                + p.sessions.iter().map(String::len).sum::<usize>()
        })
        .sum();
    let sessions = run.mock.sessions();
    let event_count: usize = sessions.iter().map(|s| s.events.len()).sum();
    let event_bytes: usize = sessions
        .iter()
        .flat_map(|s| &s.events)
        .map(|(_, e, b)| e.len() + b.len())
        .sum();
    println!(
        "held by the mock at the end: {} sessions, {} pushes ({:.1} MiB of bodies, URLs and ids, plus {} attempts), {event_count} events ({:.1} MiB of bodies)",
        sessions.len(),
        pushes.len(),
        push_bytes as f64 / 1048576.0,
        pushes.iter().map(|p| p.attempts.len()).sum::<usize>(),
        event_bytes as f64 / 1048576.0,
    );

    let mut wrong = Vec::new();
    if live_after != 0 {
        wrong.push(format!("{live_after} calls still live"));
    }
    if s.delivered != s.total || s.pending + s.failed + s.undeliverable != 0 {
        wrong.push(format!("not every push delivered: {s:?}"));
    }
    if s.cdrs != calls || s.cdrs_delivered != calls {
        wrong.push(format!(
            "CDRs: {} produced, {} delivered, expected {calls}",
            s.cdrs, s.cdrs_delivered
        ));
    }
    let status_expected = 7 * calls;
    let status_logged = pushes
        .iter()
        .filter(|p| p.kind == voicecall_mock::PushKind::Status)
        .count();
    if status_logged != status_expected || status_pushes != status_expected {
        wrong.push(format!(
            "status pushes: the mock logged {status_logged}, the receiver got {status_pushes}, expected {status_expected}"
        ));
    }
    if fee_pushes != s.total - status_logged {
        wrong.push(format!(
            "fee pushes: the mock logged {}, the receiver got {fee_pushes}",
            s.total - status_logged
        ));
    }
    if fee_cdrs != calls || refused != 0 || violations != 0 {
        wrong.push(format!(
            "the receivers got {fee_cdrs} CDRs (expected {calls}), refused {refused}, found {violations} violations"
        ));
    }
    server.shutdown().await;
    if wrong.is_empty() {
        println!(
            "no push lost: {} pushes, {calls} CDRs, all delivered",
            s.total
        );
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}
