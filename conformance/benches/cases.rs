//! Throughput of the conformance suite (issue: ≥ 5,000 cases/s against the embedded
//! mock), side by side in one run:
//!
//! - `generation/free_functions`: drawing `CASES` property cases per operation, valid
//!   and mutant, exactly as the engine does today (`cases::strategy_valid` /
//!   `cases::strategy_mutants`, one seeded runner per operation);
//! - `generation/generator`: the same draws from one `cases::Generator` (one copy of
//!   the spec shared by every strategy);
//! - `suite/overall`: the whole default run against the embedded mock
//!   (`voicecall_conformance::run(&spec, Choice::EmbeddedMock, …)`), timed by the
//!   report's own elapsed time (the time its `cases/s` line divides by) per case;
//! - `suite/sending`: the same runs, timed by the report's sending phase alone
//!   (`report.phases.1`) per case sent.
//!
//! Throughputs are in cases (criterion's `elem/s`). After criterion, a summary prints
//! the median of the suite runs' own figures (generation and sending phases, overall)
//! against the 5,000 cases/s target.
//!
//! `cargo bench -p voicecall-conformance --bench cases` (release). Bounded: about 3 s
//! of measurement per row (`CASES`, default 64, from `VOICECALL_BENCH_CASES`). With
//! `VOICECALL_BENCH_DRAW` set, draws once instead (see [`draw_once`]).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use voicecall::operations::Operation;
use voicecall_codegen::spec::Spec;
use voicecall_conformance::cases::{self, Case, Generator};
use voicecall_conformance::engine::Options;
use voicecall_conformance::{run, workspace_spec, Choice, Report};

fn property_cases() -> u32 {
    std::env::var("VOICECALL_BENCH_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

/// One seeded runner per operation, as the engine makes them.
fn runner(seed: u64, salt: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Draws `n` valid and `n` mutant cases per operation from the strategies `make` gives;
/// returns how many were drawn.
fn draw(n: u32, make: &dyn Fn(&str) -> [BoxedStrategy<Case>; 2]) -> usize {
    let mut drawn = 0;
    for (i, op) in Operation::ALL.iter().enumerate() {
        let mut runner = runner(Options::default().seed, i as u64);
        for strategy in make(op.name()) {
            for _ in 0..n {
                if let Ok(tree) = strategy.new_tree(&mut runner) {
                    std::hint::black_box(tree.current());
                    drawn += 1;
                }
            }
        }
    }
    drawn
}

fn generation(c: &mut Criterion, spec: &Spec) {
    let n = property_cases();
    let total = (Operation::ALL.len() * 2) as u64 * u64::from(n);
    let mut g = c.benchmark_group("generation");
    g.throughput(Throughput::Elements(total))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function(BenchmarkId::new("free_functions", n), |b| {
        b.iter(|| {
            draw(n, &|op| {
                [
                    cases::strategy_valid(spec, op),
                    cases::strategy_mutants(spec, op),
                ]
            })
        })
    });
    g.bench_function(BenchmarkId::new("generator", n), |b| {
        b.iter(|| {
            let generator = Generator::new(spec);
            draw(n, &|op| {
                [generator.strategy_valid(op), generator.strategy_mutants(op)]
            })
        })
    });
    g.finish();
}

/// What one suite run measured.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// The report's own time of the whole run (what its `cases/s` line divides by).
    elapsed: Duration,
    /// The report's `cases/s`.
    rate: f64,
    wall: Duration,
    generation: Duration,
    sending: Duration,
    cases: usize,
    /// Cases the sending phase sent (the report's own count: not skipped, not signing).
    sent: usize,
}

static RUNS: Mutex<Vec<Run>> = Mutex::new(Vec::new());

fn suite_once(rt: &tokio::runtime::Runtime, spec: &Spec) -> Run {
    let options = Options {
        property_cases: property_cases(),
        ..Options::default()
    };
    let started = Instant::now();
    let report: Report = rt.block_on(run(spec, Choice::EmbeddedMock, options, &|_, _| {}));
    let wall = started.elapsed();
    assert_eq!(report.failures().count(), 0, "{}", report.text());
    let (generation, sending) = report.phases.unwrap_or_default();
    let sent = report
        .results
        .iter()
        .filter(|r| {
            r.verdict != voicecall_conformance::result::Verdict::Skipped
                && !r.id.starts_with("signing/")
        })
        .count();
    let r = Run {
        elapsed: report.elapsed,
        rate: report.rate(),
        wall,
        generation,
        sending,
        cases: report.results.len(),
        sent,
    };
    if let Ok(mut runs) = RUNS.lock() {
        runs.push(r);
    }
    r
}

fn suite(c: &mut Criterion, spec: &Spec) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let first = suite_once(&rt, spec);
    let mut g = c.benchmark_group("suite");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(first.cases as u64));
    g.bench_function("overall", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| suite_once(&rt, spec).elapsed).sum())
    });
    g.throughput(Throughput::Elements(first.sent as u64));
    g.bench_function("sending", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| suite_once(&rt, spec).sending).sum())
    });
    g.finish();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn summary() {
    let runs = RUNS.lock().map(|r| r.clone()).unwrap_or_default();
    let Some(first) = runs.first() else { return };
    let per = |f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    let overall = per(&|r| r.rate);
    let sending = per(&|r| r.sent as f64 / r.sending.as_secs_f64());
    println!(
        "\nsuite against the embedded mock, median of {} runs: {} cases ({} sent by the engine), \
         generation {:.1} ms, sending {:.1} ms, whole run {:.1} ms (report) / {:.1} ms (wall)",
        runs.len(),
        first.cases,
        first.sent,
        per(&|r| r.generation.as_secs_f64() * 1e3),
        per(&|r| r.sending.as_secs_f64() * 1e3),
        per(&|r| r.elapsed.as_secs_f64() * 1e3),
        per(&|r| r.wall.as_secs_f64() * 1e3),
    );
    let verdict = |x: f64| if x >= 5000.0 { "meets" } else { "below" };
    println!(
        "overall {overall:.0} cases/s ({} 5,000); sending alone {sending:.0} cases/s ({} 5,000)",
        verdict(overall),
        verdict(sending)
    );
}

fn benches(c: &mut Criterion) {
    let spec = workspace_spec().unwrap_or_else(|e| panic!("{}", e.render()));
    generation(c, &spec);
    suite(c, &spec);
}

criterion_group!(conformance, benches);

/// `VOICECALL_BENCH_DRAW=none|free|generator`: draw the property cases once (or, for
/// `none`, only load the spec) and exit, without criterion — for instruction counts
/// under `valgrind --tool=callgrind`: (count of a mode − count of `none`) ÷ cases.
fn draw_once(mode: &str) {
    let spec = workspace_spec().unwrap_or_else(|e| panic!("{}", e.render()));
    let n = property_cases();
    let drawn = match mode {
        "free" => draw(n, &|op| {
            [
                cases::strategy_valid(&spec, op),
                cases::strategy_mutants(&spec, op),
            ]
        }),
        "generator" => {
            let generator = Generator::new(&spec);
            draw(n, &|op| {
                [generator.strategy_valid(op), generator.strategy_mutants(op)]
            })
        }
        _ => 0,
    };
    println!("{mode}: drew {drawn} cases");
}

fn main() {
    if let Ok(mode) = std::env::var("VOICECALL_BENCH_DRAW") {
        draw_once(&mode);
        return;
    }
    conformance();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
