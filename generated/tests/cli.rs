//! The `voicecall-auth` binary as a user runs it (needs the `cli` feature:
//! `cargo test -p voicecall --features cli --test cli`): the app key comes from
//! `VOICECALL_APP_KEY` like the secret from `VOICECALL_APP_SECRET`, and usage lines name
//! the command as typed.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_voicecall-auth");

#[test]
fn sign_takes_the_app_key_from_the_environment() {
    let out = Command::new(BIN)
        .args(["sign", "--nonce", "66C92B11FF8A425FB8D4CCFE0ED9ED1F"])
        .args(["--created", "2018-02-12T15:30:20Z"])
        .env("VOICECALL_APP_KEY", "envAppKey")
        .env("VOICECALL_APP_SECRET", "testSecret")
        .env_remove("VOICECALL_CLI_NAME")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Username=\"envAppKey\""), "{text}");
    // The digest depends on nonce and created only: the reference's known answer.
    assert!(
        text.contains("PasswordDigest=\"NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=\""),
        "{text}"
    );
    assert!(!text.contains("testSecret"));
    // An explicit --app-key beats the environment.
    let out = Command::new(BIN)
        .args(["sign", "--app-key", "flagKey"])
        .env("VOICECALL_APP_KEY", "envAppKey")
        .env("VOICECALL_APP_SECRET", "testSecret")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Username=\"flagKey\""));
}

#[test]
fn usage_names_the_command_as_typed() {
    for (name, want) in [
        (None, "Usage: voicecall-auth sign"),
        (Some("cargo xtask auth"), "Usage: cargo xtask auth sign"),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.args(["sign"])
            .env_remove("VOICECALL_APP_KEY")
            .env_remove("VOICECALL_APP_SECRET")
            .env_remove("VOICECALL_CLI_NAME");
        if let Some(n) = name {
            cmd.env("VOICECALL_CLI_NAME", n);
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "{err}");
        assert!(err.contains("--app-key"), "{err}");
    }
}
