//! The `voicecall-conformance` command never prints the app secret (issue 14): a run
//! against a receiver that accepts connections and closes them unanswered (it passes
//! the upfront reachability check, then every case fails at once, so every failure,
//! replay command and report is written) with a sentinel secret, from the flag and from
//! the environment; stdout, stderr and the JUnit and Markdown reports are searched.

use std::process::Command;

const SENTINEL: &str = "SENTINEL-SECRET-c0f7";

#[test]
fn the_conformance_command_never_prints_the_secret() {
    let dir = std::env::temp_dir().join(format!("vc-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (junit, markdown) = (dir.join("r.xml"), dir.join("r.md"));
    // Accepts and drops every connection; the thread ends with the test process.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/push", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            drop(conn);
        }
    });
    for from_env in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_voicecall-conformance"));
        cmd.args(["--receiver", &url, "--app-key", "k"])
            .args(["--cases", "1", "--junit"])
            .arg(&junit)
            .arg("--markdown")
            .arg(&markdown);
        if from_env {
            cmd.env("VOICECALL_APP_SECRET", SENTINEL);
        } else {
            cmd.args(["--app-secret", SENTINEL]);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "nothing answers there: {stdout}{stderr}"
        );
        assert!(
            stdout.contains("FAIL") || stdout.contains("fail"),
            "{stdout}"
        );
        let reports = [
            std::fs::read_to_string(&junit).unwrap_or_default(),
            std::fs::read_to_string(&markdown).unwrap_or_default(),
        ];
        assert!(!reports[0].is_empty() && !reports[1].is_empty());
        for text in [&*stdout, &*stderr, &reports[0], &reports[1]] {
            assert!(!text.contains(SENTINEL), "the secret is printed:\n{text}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
