//! `voicecall-mock`: the mock platform for humans (`cargo xtask mock`).
//!
//! Precedence of the clock: an explicit `--clock` beats `[clock]` of `--config`, which
//! beats the default (fast). The control plane (`/_mock/*`) answers anyone who can reach
//! the port and knows the token, so binding anything but loopback prints a warning.
//! Ctrl-C and SIGTERM (what `docker stop` and service managers send) both shut down
//! cleanly: pending pushes are abandoned, the listener is closed, the exit code is 0.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser};
use voicecall_mock::{ClockConfig, Mock, MockConfig, MockServer};

/// Runs the Voice Call mock platform (on 127.0.0.1 unless --bind says otherwise) until
/// Ctrl-C or SIGTERM.
#[derive(Parser)]
#[command(name = "voicecall-mock")]
struct Args {
    /// Address to listen on. Anything but loopback exposes the control plane
    /// (`/_mock/*`, guarded only by the token) to the network: a warning is printed.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 10443)]
    port: u16,
    /// App key of the single app (without --config).
    #[arg(long, env = "VOICECALL_APP_KEY", default_value = "mockAppKey")]
    app_key: String,
    /// App secret of the single app (without --config). Never printed.
    #[arg(
        long,
        env = "VOICECALL_APP_SECRET",
        default_value = "mockAppSecret",
        hide_env_values = true
    )]
    app_secret: String,
    /// TOML file with apps, numbers, rights, quotas and scripted outcomes (see the README).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Clock: fast (1000× real time), realtime or manual (moves on POST /_mock/advance).
    /// Given, it beats `[clock]` of --config; absent, that table applies, else fast.
    #[arg(long)]
    clock: Option<String>,
    /// Token /_mock/* requests must carry in X-Mock-Token (default: random per run,
    /// printed at start).
    #[arg(long, env = "VOICECALL_MOCK_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// Most connections open at once (default: config server.max_connections, 512).
    #[arg(long)]
    max_connections: Option<usize>,
}

fn main() {
    // Before any thread allocates: glibc fixes its arena limit at the first contention.
    voicecall_mock::limit_malloc_arenas();
    match tokio::runtime::Runtime::new() {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("error: cannot start the tokio runtime: {e}");
            std::process::exit(1);
        }
    }
}

/// The arguments, with usage lines naming the command as the user typed it
/// (`VOICECALL_CLI_NAME`, set by `cargo xtask mock`).
fn parse_args() -> Args {
    let mut cmd = Args::command();
    if let Ok(name) = std::env::var("VOICECALL_CLI_NAME") {
        cmd = cmd.bin_name(name);
    }
    Args::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit())
}

/// Whether the config file's text has a `[clock]` table (then it beats the default).
fn config_sets_clock(text: &str) -> bool {
    text.parse::<toml::Table>()
        .map(|t| t.contains_key("clock"))
        .unwrap_or(false)
}

/// Ctrl-C and SIGTERM, watched from the moment this is made (before the banner is
/// printed, so a supervisor that signals as soon as it sees the banner is heard).
struct Shutdown {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Shutdown {
    fn watch() -> Shutdown {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Shutdown {
                    signals: Some((int, term)),
                },
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!(
                        "warning: cannot watch SIGTERM ({e}); only Ctrl-C stops the mock cleanly"
                    );
                    Shutdown { signals: None }
                }
            }
        }
        #[cfg(not(unix))]
        Shutdown {}
    }

    /// Resolves when one arrives.
    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn run() {
    let args = parse_args();
    let shutdown = Shutdown::watch();
    let mut clock_from_config = false;
    let mut config = match &args.config {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", path.display());
                    std::process::exit(2);
                }
            };
            clock_from_config = config_sets_clock(&text);
            match MockConfig::from_toml(&text) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {}: {e}", path.display());
                    std::process::exit(2);
                }
            }
        }
        None => MockConfig::single_app(args.app_key.clone(), args.app_secret.clone()),
    };
    config.clock = match args.clock.as_deref() {
        Some("fast") => ClockConfig::FAST,
        Some("realtime") => ClockConfig::Realtime,
        Some("manual") => ClockConfig::Manual,
        Some(other) => {
            eprintln!("error: --clock {other:?}: use fast, realtime or manual");
            std::process::exit(2);
        }
        None if clock_from_config => config.clock,
        None => ClockConfig::FAST,
    };
    if let Some(t) = args.control_token.clone() {
        config.server.control_token = Some(t);
    }
    if let Some(n) = args.max_connections {
        config.server.max_connections = n;
    }
    let apps: Vec<String> = config.apps.iter().map(|a| a.app_key.clone()).collect();
    let config_clock = config.clock;
    let addr = SocketAddr::new(args.bind, args.port);
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: --bind {}: the control plane (/_mock/*: sessions, pushes, advance, outcomes, inject) \
             is exposed to every host that can reach this address; only the X-Mock-Token guards it",
            args.bind
        );
    }
    let server = match MockServer::start(Mock::new(config), addr).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("voicecall mock listening on {}", server.base_url());
    println!("apps: {}", apps.join(", "));
    println!("clock: {}", clock_name(&config_clock));
    println!(
        "introspection: {}/_mock/sessions, /_mock/pushes, /_mock/summary",
        server.base_url()
    );
    println!(
        "control token (send as X-Mock-Token): {}",
        server.control_token()
    );
    let _ = std::io::Write::flush(&mut std::io::stdout());
    shutdown.wait().await;
    println!("shutting down");
    server.shutdown().await;
}

/// The clock's name as `--clock` spells it (printed at start, so the precedence shows).
fn clock_name(c: &ClockConfig) -> String {
    match c {
        ClockConfig::Fast { factor } => format!("fast ({factor}x real time)"),
        ClockConfig::Realtime => "realtime".into(),
        ClockConfig::Manual => "manual".into(),
    }
}
