//! The `voicecall-conformance` binary as a user runs it (needs the `cli` feature:
//! `cargo test -p voicecall-conformance --features cli --test cli`): a bad target is
//! refused once, upfront; usage lines name the command as typed; against a broken
//! target every failure names its rule and table row, and the summary says what
//! shrinking cost. Servers listen on 127.0.0.1 port 0.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_voicecall-conformance");

fn conformance(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("VOICECALL_CLI_NAME")
        .env_remove("VOICECALL_APP_KEY")
        .env_remove("VOICECALL_APP_SECRET")
        .output()
        .expect("voicecall-conformance")
}

#[test]
fn a_target_with_another_scheme_gets_one_error_before_the_run() {
    let out = conformance(&["--target", "ftp://x", "--app-key", "k", "--app-secret", "s"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err.trim_end(),
        "error: --target \"ftp://x\": the scheme must be http or https, not \"ftp\""
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unreachable_target_or_receiver_gets_one_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/push");
    for flag in ["--target", "--receiver"] {
        let out = conformance(&[flag, &url, "--app-key", "k", "--app-secret", "s"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!(
                "{flag} \"{url}\": nothing answers at 127.0.0.1:{port}"
            )),
            "{err}"
        );
    }
}

#[test]
fn usage_names_the_command_as_typed() {
    let out = Command::new(BIN)
        .arg("--no-such-flag")
        .env("VOICECALL_CLI_NAME", "cargo xtask conformance")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Usage: cargo xtask conformance"), "{err}");
}

/// A target that answers every request with success: every refusal case fails. Each
/// failure block names a rule and, where a code was expected, the table row; signing
/// failures point to spec/signing.yaml; the summary counts the shrinking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_name_rule_and_row_and_the_summary_counts_shrinking() {
    let app = axum::Router::new().fallback(|| async {
        (
            [("content-type", "application/json;charset=UTF-8")],
            r#"{"resultcode":"0","resultdesc":"Success"}"#,
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let out = tokio::task::spawn_blocking(move || {
        conformance(&[
            "--target",
            &base,
            "--app-key",
            "k",
            "--app-secret",
            "s",
            "--cases",
            "2",
            "--seed",
            "7",
        ])
    })
    .await
    .unwrap();
    server.abort();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let blocks: Vec<&str> = text.split("\nFAILED ").skip(1).collect();
    assert!(blocks.len() > 10, "{text}");
    let mut signing = 0;
    for b in &blocks {
        let head = b.lines().next().unwrap_or_default();
        assert!(b.contains("\n  rule:     "), "no rule: {head}\n{b}");
        if head.contains(" / signing/") {
            signing += 1;
            assert!(b.contains("\n  spec:     spec/signing.yaml"), "{b}");
        }
        if !b.contains("expected: 200") {
            assert!(b.contains("\n  row:      表"), "no row: {b}");
        }
    }
    assert!(signing > 0, "{text}");
    assert!(
        text.contains("shrinking ") && text.contains(" more requests"),
        "{text}"
    );
}
