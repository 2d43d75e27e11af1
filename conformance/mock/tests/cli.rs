//! The `voicecall-mock` binary as a user runs it (built with the `cli` feature; this
//! test needs it: `cargo test -p voicecall-mock --features cli --test cli`): the clock's
//! precedence, `--bind`'s warning, SIGTERM, and usage lines named as typed. Every server
//! listens on 127.0.0.1 port 0; every wait is bounded.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_voicecall-mock");
const WAIT: Duration = Duration::from_secs(60);

/// Starts the mock on 127.0.0.1:0 with `args`; returns it and its stdout lines up to
/// the control token line (the last of the banner).
fn start(args: &[&str]) -> (Child, Vec<String>) {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .args(args)
        .env_remove("VOICECALL_CLI_NAME")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("voicecall-mock");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut banner = Vec::new();
    loop {
        match rx.recv_timeout(WAIT) {
            Ok(l) => {
                let last = l.starts_with("control token");
                banner.push(l);
                if last {
                    break;
                }
            }
            Err(_) => {
                let _ = child.kill();
                panic!("no banner from the mock: {banner:?}");
            }
        }
    }
    (child, banner)
}

/// Sends SIGTERM and waits (bounded) for the exit; returns the exit status and stderr.
fn terminate(mut child: Child) -> (std::process::ExitStatus, String) {
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    for _ in 0..(WAIT.as_millis() / 50) {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status, err);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the mock did not stop on SIGTERM");
}

fn clock_line(banner: &[String]) -> &str {
    banner
        .iter()
        .find_map(|l| l.strip_prefix("clock: "))
        .expect("clock line")
}

#[test]
fn sigterm_stops_it_cleanly_and_loopback_needs_no_warning() {
    let (child, banner) = start(&[]);
    assert!(
        banner
            .iter()
            .any(|l| l.starts_with("voicecall mock listening on http://127.0.0.1:")),
        "{banner:?}"
    );
    let (status, err) = terminate(child);
    assert!(status.success(), "{status:?} {err}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn the_clock_flag_beats_the_config_which_beats_the_default() {
    let dir = std::env::temp_dir().join(format!("voicecall-mock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let with_clock = dir.join("with-clock.toml");
    let without_clock = dir.join("without-clock.toml");
    let app = "[[apps]]\napp_key = \"k\"\napp_secret = \"s\"\n";
    std::fs::write(&with_clock, format!("{app}\n[clock]\nmode = \"manual\"\n")).unwrap();
    std::fs::write(&without_clock, app).unwrap();
    let with_clock = with_clock.to_str().unwrap();
    let without_clock = without_clock.to_str().unwrap();
    for (args, want) in [
        (vec![], "fast (1000x real time)"),
        (vec!["--config", with_clock], "manual"),
        (
            vec!["--config", with_clock, "--clock", "realtime"],
            "realtime",
        ),
        (vec!["--config", without_clock], "fast (1000x real time)"),
        (vec!["--clock", "manual"], "manual"),
    ] {
        let (child, banner) = start(&args);
        let got = clock_line(&banner).to_string();
        let (status, err) = terminate(child);
        assert_eq!(got, want, "{args:?}");
        assert!(status.success(), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A non-loopback address warns before binding. 192.0.2.1 (TEST-NET-1, RFC 5737) is on
/// no interface here, so nothing is exposed: the bind fails after the warning.
#[test]
fn binding_beyond_loopback_warns_that_the_control_plane_is_exposed() {
    let out = Command::new(BIN)
        .args(["--bind", "192.0.2.1", "--port", "0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: --bind 192.0.2.1: the control plane"),
        "{err}"
    );
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("cannot listen on 192.0.2.1:0"), "{err}");
}

#[test]
fn usage_names_the_command_as_typed() {
    let out = Command::new(BIN)
        .arg("--help")
        .env_remove("VOICECALL_CLI_NAME")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: voicecall-mock"));
    let out = Command::new(BIN)
        .arg("--no-such-flag")
        .env("VOICECALL_CLI_NAME", "cargo xtask mock")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Usage: cargo xtask mock"), "{err}");
    assert_eq!(out.status.code(), Some(2));
}
