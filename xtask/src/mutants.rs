//! `cargo xtask mutants [--file F…] [--shard k/n] [--in-place] [--iterate] [--list]`: mutation
//! testing with cargo-mutants (pinned, installed under `target/tools/`), in three groups,
//! each judged by its own tests:
//!
//! - the mock's judging (`conformance/mock/src/handle.rs`, `policy.rs`, `session.rs`),
//!   judged by the conformance suite against the embedded mock
//!   (`voicecall-conformance`, test `suite::the_suite_passes_against_the_embedded_mock`,
//!   fixed seed);
//! - the mock's own writing that no conformance case reads byte for byte (`json.rs`,
//!   `clock.rs`, and the event log `Session::events`), judged by the mock's unit tests
//!   and its lifecycle tests;
//! - `generated/src/auth/`, judged by the `voicecall` crate's unit tests and its signing,
//!   replay and push-mismatch tests.
//!
//! A run is bounded: every mutant's test has a timeout (`--timeout`, default 120 s), so a
//! mutant that loops is counted as a timeout, never waited for. It is not part of CI;
//! MUTANTS.md records the last result and what each survivor means.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use clap::Args;

/// The pinned cargo-mutants.
pub const VERSION: &str = "27.0.0";

/// The mock's files judged by the conformance suite.
const MOCK_FILES: &[&str] = &[
    "conformance/mock/src/handle.rs",
    "conformance/mock/src/policy.rs",
    "conformance/mock/src/session.rs",
];

/// The mock's files (or, with [`OWN_EXAMINED`], functions) judged by its own tests.
const OWN_FILES: &[&str] = &[
    "conformance/mock/src/json.rs",
    "conformance/mock/src/clock.rs",
    "conformance/mock/src/session.rs",
];

/// What of [`OWN_FILES`] the own group mutates (cargo-mutants `--re`, matched against
/// the mutant's name, which starts with its file): all of `json.rs` and `clock.rs`, and
/// of `session.rs` only the event log and the collected digits, whose other functions
/// the mock group judges.
const OWN_EXAMINED: &[&str] = &[
    r"^conformance/mock/src/json\.rs:",
    r"^conformance/mock/src/clock\.rs:",
    r"Session::events",
    r"Session::digits",
];

/// The auth files judged by the `voicecall` tests.
const AUTH_DIR: &str = "generated/src/auth/";

/// Arguments of `cargo xtask mutants`.
#[derive(Args, Debug)]
pub struct MutantsArgs {
    /// Mutate only these files (paths from the workspace root); default: every file of
    /// both groups.
    #[arg(long = "file")]
    files: Vec<String>,
    /// Run one shard of the mutants, k/n (0-based k), e.g. 0/8.
    #[arg(long)]
    shard: Option<String>,
    /// Seconds a mutant's tests may take before it counts as a timeout.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Mutate the working tree itself instead of a copy (faster: reuses target/; do not
    /// edit the tree while it runs). Files are restored afterwards.
    #[arg(long)]
    in_place: bool,
    /// Only list the mutants.
    #[arg(long)]
    list: bool,
    /// Test again only the mutants not caught by the previous run into the same output
    /// directory (cargo-mutants `--iterate`): after a new test or case, confirms which
    /// survivors it kills without re-running the caught ones.
    #[arg(long)]
    iterate: bool,
    /// Where cargo-mutants writes its results (default `target/mutants/<group>`).
    #[arg(long)]
    output: Option<PathBuf>,
}

/// A group: files and how their mutants are judged.
struct Group {
    name: &'static str,
    package: &'static str,
    files: Vec<String>,
    test_package: &'static str,
    /// The test targets that judge (`--lib`, `--test NAME`): given to every cargo call
    /// of cargo-mutants (`--cargo-arg`), so a mutant's build compiles only these, not
    /// every test, bench and example of the package.
    targets: &'static [&'static str],
    /// What is passed to those tests (a name filter).
    test_args: &'static [&'static str],
    /// Only mutants whose names match one of these (cargo-mutants `--re`); empty: all.
    examine_re: &'static [&'static str],
    /// Mutants not counted (cargo-mutants `--exclude-re`, matched against the mutant's
    /// name): code that is not the platform's judging, so no conformance case can or
    /// should catch them. Each entry says why (MOCK_EXCLUDED).
    exclude_re: &'static [&'static str],
}

/// Mutants of the mock group that are not platform judging:
///
/// - `MockResponse::resultcode`: an accessor reading the result code back out of an
///   answer's body, used only by the mock's own tests (conformance/mock/tests); the
///   answer on the wire is built by `MockResponse::reject` / `ok`, so a conformance run
///   cannot observe it. Judged by the mock's tests.
///
/// - `Plan::drop_steps_after`: trims the plan that introspection (`Mock::session`,
///   `/_mock/sessions`) shows after a callStop, and with it the events introspection
///   derives from the plan; the call's pushes end at the stop whatever it keeps, so no
///   request to the platform API can observe it. Judged by the mock's test
///   `call_stop_ends_a_live_session_once`.
///
/// - `Session::events`: the event log introspection shows, derived from the plan; the
///   pushes are written by `Mock::emit`, so no request can observe it. Judged by the own
///   group (the mock's tests compare it with the pushed bytes).
///
/// - `Session::digits`: the digits a collectInfo event reports are the mock's model of
///   what the callee keyed (configured per number, else 1s); 表5-15 says only
///   String(1-64), "the digits the user entered", so a conformance case cannot know
///   them. Judged by the own group (`notification_plays_and_collects_digits` configures
///   "42" and reads it back).
const MOCK_EXCLUDED: &[&str] = &[
    r"MockResponse::resultcode",
    r"Plan::drop_steps_after",
    r"Session::events",
    r"Session::digits",
];

fn groups(root: &Path, chosen: &[String]) -> Result<Vec<Group>> {
    let mut auth_files: Vec<String> = std::fs::read_dir(root.join(AUTH_DIR))
        .with_context(|| format!("reading {AUTH_DIR}"))?
        .filter_map(|e| e.ok())
        .map(|e| format!("{AUTH_DIR}{}", e.file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".rs"))
        .collect();
    auth_files.sort();
    let pick = |all: Vec<String>| -> Vec<String> {
        if chosen.is_empty() {
            all
        } else {
            all.into_iter().filter(|f| chosen.contains(f)).collect()
        }
    };
    for f in chosen {
        let known = MOCK_FILES.contains(&f.as_str())
            || OWN_FILES.contains(&f.as_str())
            || auth_files.contains(f);
        if !known {
            bail!(
                "{f} is in no group: the mock's {}, its own {} or {AUTH_DIR}*.rs",
                MOCK_FILES.join(", "),
                OWN_FILES.join(", ")
            );
        }
    }
    let out = vec![
        Group {
            name: "mock",
            package: "voicecall-mock",
            files: pick(MOCK_FILES.iter().map(|s| s.to_string()).collect()),
            test_package: "voicecall-conformance",
            targets: &["--test", "suite"],
            test_args: &["the_suite_passes_against_the_embedded_mock"],
            examine_re: &[],
            exclude_re: MOCK_EXCLUDED,
        },
        Group {
            name: "mock-own",
            package: "voicecall-mock",
            files: pick(OWN_FILES.iter().map(|s| s.to_string()).collect()),
            test_package: "voicecall-mock",
            targets: &["--lib", "--test", "lifecycle"],
            test_args: &[],
            examine_re: OWN_EXAMINED,
            exclude_re: &[],
        },
        Group {
            name: "auth",
            package: "voicecall",
            files: pick(auth_files),
            test_package: "voicecall",
            targets: &[
                "--lib",
                "--test",
                "signing",
                "--test",
                "replay",
                "--test",
                "push_mismatch",
            ],
            test_args: &[],
            examine_re: &[],
            exclude_re: &[],
        },
    ];
    Ok(out.into_iter().filter(|g| !g.files.is_empty()).collect())
}

/// The pinned cargo-mutants, installed under target/tools/ when missing.
fn tool(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target/tools/cargo-mutants");
    let bin = dir.join("bin/cargo-mutants");
    // A cargo subcommand: its own name comes first, as cargo would pass it.
    let installed = Command::new(&bin)
        .args(["mutants", "--version"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string());
    if installed.as_deref().is_some_and(|v| v.contains(VERSION)) {
        return Ok(bin);
    }
    eprintln!("installing cargo-mutants {VERSION} into {}", dir.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .args([
            "install",
            "cargo-mutants",
            "--locked",
            "--version",
            VERSION,
            "--root",
        ])
        .arg(&dir)
        .status()
        .context("running cargo install")?
        .success();
    if !ok {
        bail!("cargo install cargo-mutants {VERSION} failed");
    }
    Ok(bin)
}

/// Runs the groups; exit 0 when every run finished (survivors are reported, not fatal:
/// MUTANTS.md explains them), 1 otherwise.
pub fn run(root: &Path, args: MutantsArgs) -> Result<ExitCode> {
    if let Some(s) = &args.shard {
        let ok = s
            .split_once('/')
            .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)))
            .is_some_and(|(k, n)| n > 0 && k < n);
        if !ok {
            bail!("--shard takes k/n with 0 <= k < n, e.g. 0/8 (got {s})");
        }
    }
    // Arguments first: a misspelt file is refused before anything is installed.
    let groups = groups(root, &args.files)?;
    let bin = tool(root)?;
    let mut failed = false;
    for g in groups {
        // The baseline: cargo-mutants 27.0.0 runs its own baseline with the mutated
        // package's tests, ignoring --test-package, so it is run here instead (the judging
        // tests must pass on the unmutated tree) and cargo-mutants skips its own.
        if !args.list {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            eprintln!("mutants: baseline of group {}", g.name);
            let ok = Command::new(cargo)
                .current_dir(root)
                .args(["test", "--package", g.test_package])
                .args(g.targets)
                .args(g.test_args)
                .status()
                .context("running the baseline tests")?
                .success();
            if !ok {
                bail!("the tests of group {} fail on the unmutated tree", g.name);
            }
        }
        let mut cmd = Command::new(&bin);
        cmd.arg("mutants")
            .current_dir(root)
            .args(["--package", g.package])
            .args(["--test-package", g.test_package])
            .args(["--timeout", &args.timeout.to_string()])
            .args(["--build-timeout", "900"])
            .args(["--baseline", "skip"])
            .arg("--no-shuffle");
        for f in &g.files {
            cmd.args(["--file", f]);
        }
        for t in g.targets {
            cmd.arg(format!("--cargo-arg={t}"));
        }
        for re in g.examine_re {
            cmd.args(["--re", re]);
        }
        for re in g.exclude_re {
            cmd.args(["--exclude-re", re]);
        }
        if let Some(s) = &args.shard {
            cmd.args(["--shard", s]);
        }
        if args.in_place {
            cmd.arg("--in-place");
        }
        if args.iterate {
            cmd.arg("--iterate");
        }
        if args.list {
            cmd.arg("--list");
        } else {
            let out = args
                .output
                .clone()
                .unwrap_or_else(|| root.join("target/mutants"))
                .join(g.name);
            std::fs::create_dir_all(&out).ok();
            cmd.arg("--output").arg(out);
        }
        cmd.arg("--").args(g.test_args);
        eprintln!("mutants: group {} ({} files)", g.name, g.files.len());
        let status = cmd.status().context("running cargo-mutants")?;
        // cargo-mutants: 0 all caught, 2 some missed, 3 some timed out; others are errors.
        match status.code() {
            Some(0) | Some(2) | Some(3) => {}
            other => {
                eprintln!("mutants: group {} ended with {other:?}", g.name);
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
