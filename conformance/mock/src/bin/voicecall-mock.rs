//! `voicecall-mock`: the mock platform for humans (`cargo xtask mock`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use voicecall_mock::{ClockConfig, Mock, MockConfig, MockServer};

/// Runs the Voice Call mock platform on loopback until Ctrl-C.
#[derive(Parser)]
#[command(name = "voicecall-mock")]
struct Args {
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
    #[arg(long, default_value = "fast")]
    clock: String,
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

async fn run() {
    let args = Args::parse();
    let mut config = match &args.config {
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", path.display());
                    std::process::exit(2);
                }
            };
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
    config.clock = match args.clock.as_str() {
        "fast" => ClockConfig::FAST,
        "realtime" => ClockConfig::Realtime,
        "manual" => ClockConfig::Manual,
        other => {
            eprintln!("error: --clock {other:?}: use fast, realtime or manual");
            std::process::exit(2);
        }
    };
    if let Some(t) = args.control_token.clone() {
        config.server.control_token = Some(t);
    }
    if let Some(n) = args.max_connections {
        config.server.max_connections = n;
    }
    let apps: Vec<String> = config.apps.iter().map(|a| a.app_key.clone()).collect();
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let server = match MockServer::start(Mock::new(config), addr).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("voicecall mock listening on {}", server.base_url());
    println!("apps: {}", apps.join(", "));
    println!(
        "introspection: {}/_mock/sessions, /_mock/pushes, /_mock/summary",
        server.base_url()
    );
    println!(
        "control token (send as X-Mock-Token): {}",
        server.control_token()
    );
    let _ = tokio::signal::ctrl_c().await;
    println!("shutting down");
    server.shutdown().await;
}
