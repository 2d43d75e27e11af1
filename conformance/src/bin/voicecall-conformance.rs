//! `voicecall-conformance` (`cargo xtask conformance`): runs the suite against the
//! embedded mock (default), a live endpoint (`--target`), or a customer's receiver
//! (`--receiver`, or per kind `--receiver-status` / `--receiver-fee` /
//! `--receiver-for NOTIFICATION=URL`), prints the per-API report, writes JUnit / Markdown, and exits non-zero
//! when a case fails or coverage is incomplete.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use voicecall::auth::Credentials;
use voicecall_conformance::engine::Options;
use voicecall_conformance::preflight;
use voicecall_conformance::{run, workspace_spec, Choice};

/// Conformance of a Voice Call endpoint with the reference (spec/).
#[derive(Parser)]
#[command(name = "voicecall-conformance")]
struct Args {
    /// A platform to check (e.g. https://rtccall.cn-north-1.myhuaweicloud.cn:443). Without
    /// it (and without --receiver), the embedded mock is started and checked.
    #[arg(long, conflicts_with = "receiver")]
    target: Option<String>,
    /// A customer's notification receiver taking every push, e.g. http://127.0.0.1:8080/push.
    #[arg(long)]
    receiver: Option<String>,
    /// The receiver of status pushes (every service), overriding --receiver.
    #[arg(long, conflicts_with = "target")]
    receiver_status: Option<String>,
    /// The receiver of fee pushes (CDRs, every service), overriding --receiver.
    #[arg(long, conflicts_with = "target")]
    receiver_fee: Option<String>,
    /// The receiver of one notification, NOTIFICATION=URL (e.g.
    /// CallbackFeeNotification=http://127.0.0.1:8080/fee); repeat per split service.
    /// Notifications left without a URL are not checked.
    #[arg(long, value_parser = parse_pair, conflicts_with = "target")]
    receiver_for: Vec<(String, String)>,
    /// App key for --target / --receiver.
    #[arg(long, env = "VOICECALL_APP_KEY")]
    app_key: Option<String>,
    /// App secret for --target / --receiver (never printed).
    #[arg(long, env = "VOICECALL_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// Live targets: also run the cases that place calls (only to --allow-callee numbers).
    #[arg(long, requires = "allow_callee")]
    allow_calls: bool,
    /// A number calls may ring (repeat for several).
    #[arg(long)]
    allow_callee: Vec<String>,
    /// Property-generated cases per operation, valid and mutant each (default 64, or PROPTEST_CASES).
    #[arg(long)]
    cases: Option<u32>,
    /// Seed of the generated cases (the same seed sends the same requests).
    #[arg(long, value_parser = parse_seed)]
    seed: Option<u64>,
    /// Write a JUnit XML report here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write a Markdown report here.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// The spec folder the expectations come from (default: spec/ of the workspace this
    /// binary was built in; the container image sets it).
    #[arg(long, env = "VOICECALL_SPEC_DIR")]
    spec: Option<PathBuf>,
    /// Seconds the upfront check of each URL may take to resolve and connect.
    #[arg(long, default_value_t = 10)]
    connect_timeout: u64,
}

/// The arguments, with usage lines naming the command as the user typed it
/// (`VOICECALL_CLI_NAME`, set by `cargo xtask conformance`).
fn parse_args() -> Args {
    let mut cmd = Args::command();
    if let Ok(name) = std::env::var("VOICECALL_CLI_NAME") {
        cmd = cmd.bin_name(name);
    }
    Args::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit())
}

/// Every URL the run will send to, with the option it came from.
fn urls(args: &Args) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = Vec::new();
    for (flag, url) in [
        ("--target", &args.target),
        ("--receiver", &args.receiver),
        ("--receiver-status", &args.receiver_status),
        ("--receiver-fee", &args.receiver_fee),
    ] {
        if let Some(u) = url {
            out.push((flag.to_string(), u));
        }
    }
    for (n, u) in &args.receiver_for {
        out.push((format!("--receiver-for {n}="), u));
    }
    out
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .ok_or_else(|| "expected NOTIFICATION=URL".to_string())
}

fn parse_seed(s: &str) -> Result<u64, String> {
    let t = s.trim_start_matches("0x");
    u64::from_str_radix(t, if s.starts_with("0x") { 16 } else { 10 }).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = parse_args();
    // Each URL once, before anything runs: one clear error instead of every case
    // failing with the same transport error.
    let timeout = std::time::Duration::from_secs(args.connect_timeout.max(1));
    for (flag, url) in urls(&args) {
        if let Err(e) = preflight::check(flag.trim_end_matches('='), url, timeout).await {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let loaded = match &args.spec {
        Some(dir) => voicecall_codegen::spec::load_dir(dir),
        None => workspace_spec(),
    };
    let spec = match loaded {
        Ok(s) => s,
        Err(e) => {
            eprint!("{}", e.render());
            if args.spec.is_none() {
                eprintln!("hint: the spec is read from spec/ of the workspace this binary was built in; pass --spec DIR (or VOICECALL_SPEC_DIR) to read another");
            }
            return ExitCode::from(2);
        }
    };
    let credentials = || -> Option<Credentials> {
        Some(Credentials::new(
            args.app_key.clone()?,
            args.app_secret.clone()?,
        ))
    };
    let any_receiver = args.receiver.is_some()
        || args.receiver_status.is_some()
        || args.receiver_fee.is_some()
        || !args.receiver_for.is_empty();
    let choice = match (&args.target, any_receiver) {
        (Some(url), _) => match credentials() {
            Some(c) => Choice::Live {
                url: url.clone(),
                credentials: c,
                allow_calls: args.allow_calls,
                allowed_callees: args.allow_callee.clone(),
            },
            None => {
                eprintln!("error: --target needs --app-key and --app-secret (or VOICECALL_APP_KEY / VOICECALL_APP_SECRET)");
                return ExitCode::from(2);
            }
        },
        (None, true) => match credentials() {
            Some(c) => match voicecall_conformance::receiver::assign(
                &spec,
                args.receiver.as_deref(),
                args.receiver_status.as_deref(),
                args.receiver_fee.as_deref(),
                &args.receiver_for,
            ) {
                Ok(urls) => Choice::Receiver {
                    urls,
                    credentials: c,
                },
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            },
            None => {
                eprintln!("error: --receiver needs --app-key and --app-secret to sign the pushes");
                return ExitCode::from(2);
            }
        },
        (None, false) => Choice::EmbeddedMock,
    };
    let mut options = Options::default();
    if let Some(n) = args.cases {
        options.property_cases = n;
    }
    if let Some(s) = args.seed {
        options.seed = s;
    }
    eprintln!(
        "running the conformance suite against {} ({} generated cases per operation, seed {:#x})",
        match (&args.target, any_receiver) {
            (Some(url), _) => url.clone(),
            (None, true) => "the receiver(s) given".into(),
            (None, false) => "the embedded mock".into(),
        },
        options.property_cases,
        options.seed
    );
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} cases {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = run(&spec, choice, options, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await;
    bar.finish_and_clear();
    print!("{}", report.text());
    for (path, text) in [
        (&args.junit, report.junit()),
        (&args.markdown, report.markdown()),
    ] {
        if let Some(p) = path {
            if let Err(e) = std::fs::write(p, text) {
                eprintln!("error: cannot write {}: {e}", p.display());
                return ExitCode::from(2);
            }
        }
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
