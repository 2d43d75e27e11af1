//! The container recipe (Dockerfile, docker/build.sh). No Docker engine runs here, so
//! the image itself is not built; what it ships is: the Dockerfile's build stage runs
//! docker/build.sh, and the second test runs that same script (behind
//! `VOICECALL_CONTAINER_BUILD=1`: a release build takes minutes; .ci/run sets it) and
//! then the binaries it produced.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Dockerfile's instructions, continuation lines joined, comments dropped.
fn instructions(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in dockerfile.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && cur.is_empty()) {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(part) => cur.push_str(part),
            None => {
                cur.push_str(t);
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    out
}

/// The stages: (name, instructions after its FROM, base image).
fn stages(dockerfile: &str) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
    for i in instructions(dockerfile) {
        if let Some(from) = i.strip_prefix("FROM ") {
            let parts: Vec<&str> = from.split_whitespace().collect();
            let name = match parts.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => name.to_string(),
                _ => String::new(),
            };
            out.push((name, parts[0].to_string(), Vec::new()));
        } else if let Some(last) = out.last_mut() {
            last.2.push(i);
        }
    }
    out
}

/// The shape the README documents and docker/build.sh serves: a build stage that runs
/// the shared script, and `mock` / `conformance` runtime stages on a distroless base
/// that copy exactly the binaries the script writes (and, for the runner, the spec).
#[test]
fn the_dockerfile_ships_what_the_shared_script_builds() {
    let stages = stages(&read("Dockerfile"));
    let names: Vec<&str> = stages.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["build", "mock", "conformance"], "{stages:?}");
    let (_, builder, build) = &stages[0];
    let rust_version = read("Cargo.toml")
        .lines()
        .find_map(|l| {
            l.strip_prefix("rust-version = ")
                .map(|v| v.trim_matches('"').to_string())
        })
        .expect("workspace rust-version");
    let image_version = builder
        .strip_prefix("rust:")
        .and_then(|t| t.split('-').next())
        .expect("the build stage is an official rust image");
    let parse = |v: &str| -> Vec<u32> { v.split('.').map(|p| p.parse().unwrap()).collect() };
    assert!(
        parse(image_version) >= parse(&rust_version),
        "{builder} is older than rust-version {rust_version}"
    );
    let out_dir = build
        .iter()
        .find_map(|i| i.strip_prefix("RUN sh docker/build.sh "))
        .expect("the build stage runs docker/build.sh")
        .trim()
        .to_string();
    let script = read("docker/build.sh");
    for (stage, bin) in [
        (&stages[1], "voicecall-mock"),
        (&stages[2], "voicecall-conformance"),
    ] {
        assert!(stage.1.starts_with("gcr.io/distroless/"), "{stage:?}");
        let copy = format!("COPY --from=build {out_dir}/{bin} /usr/local/bin/{bin}");
        assert!(
            stage.2.contains(&copy),
            "{}: wants {copy:?} in {:?}",
            stage.0,
            stage.2
        );
        let entry = format!("ENTRYPOINT [\"/usr/local/bin/{bin}\"");
        assert!(stage.2.iter().any(|i| i.starts_with(&entry)), "{stage:?}");
        assert!(
            script.contains(&format!("--bin {bin}")),
            "the script builds {bin}"
        );
        assert!(
            script.contains(&format!("{bin}/cli")),
            "with its cli feature"
        );
    }
    // The runner reads its expectations from the spec shipped beside it.
    let runner = &stages[2].2;
    assert!(
        runner.contains(&"COPY spec /spec".to_string()),
        "{runner:?}"
    );
    assert!(
        runner.contains(&"ENV VOICECALL_SPEC_DIR=/spec".to_string()),
        "{runner:?}"
    );
    // The mock listens beyond loopback inside the container, on purpose.
    assert!(stages[1]
        .2
        .iter()
        .any(|i| i.contains("\"--bind\", \"0.0.0.0\"")));
}

/// Runs docker/build.sh as the Dockerfile does (its own output folder under target/),
/// then the binaries: both answer --help, and the runner refuses a bad target upfront
/// with one line.
#[test]
fn the_shared_script_builds_working_binaries() {
    if std::env::var_os("VOICECALL_CONTAINER_BUILD").is_none() {
        eprintln!("skipped: set VOICECALL_CONTAINER_BUILD=1 to run the container build (minutes)");
        return;
    }
    let out = root().join("target/container-out");
    let status = Command::new("sh")
        .args(["docker/build.sh"])
        .arg(&out)
        .current_dir(root())
        .status()
        .expect("sh");
    assert!(status.success(), "docker/build.sh failed");
    for bin in ["voicecall-mock", "voicecall-conformance"] {
        let o = Command::new(out.join(bin)).arg("--help").output().unwrap();
        assert!(o.status.success(), "{bin} --help");
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage:"));
    }
    let o = Command::new(out.join("voicecall-conformance"))
        .args(["--target", "ftp://x", "--app-key", "k", "--app-secret", "s"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("scheme must be http or https"), "{err}");
}
