//! Project tasks: `cargo xtask conformance` (the main job), `cargo xtask mock`,
//! `cargo xtask codegen [--check]`, `cargo xtask spec check|gen|diff` (diff in `spec_diff.rs`),
//! `cargo xtask auth`, `cargo xtask doc audit DOC [--apply]` (in `doc.rs`),
//! `cargo xtask mutants [--file F…] [--shard k/n]` (in `mutants.rs`).
//!
//! Commands that need the generated crate build its binaries with cargo (progress
//! shown) and then run them, so xtask itself never depends on generated code (codegen
//! must run even when generated/ is broken).

mod doc;
mod mutants;
mod spec_diff;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use voicecall_codegen::spec::load_dir;
use voicecall_codegen::{codegen, docs, write_spec_docs, CodegenError};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Tasks of the Voice Call bindings workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the `voicecall` crate (generated/) from spec/.
    Codegen {
        /// Do not write: fail, naming the stale files, when generated/ differs from what the spec produces.
        #[arg(long)]
        check: bool,
    },
    /// Sign or verify AK/SK headers (for debugging auth by hand); `cargo xtask auth --help`.
    ///
    /// Runs the `voicecall-auth` binary of the generated crate, so that xtask itself never
    /// depends on generated code (codegen must run even when generated/ is broken).
    #[command(disable_help_flag = true)]
    Auth {
        /// Arguments of `voicecall-auth` (sign | verify …).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the mock platform (127.0.0.1 unless --bind) until Ctrl-C or SIGTERM; `cargo xtask mock --help`.
    #[command(disable_help_flag = true)]
    Mock {
        /// Arguments of `voicecall-mock` (--bind ADDR --port N --app-key K --app-secret S --config FILE --clock fast|realtime|manual).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the conformance suite (default: against the embedded mock); `cargo xtask conformance --help`.
    #[command(disable_help_flag = true)]
    Conformance {
        /// Arguments of `voicecall-conformance` (--target URL, --receiver URL, --receiver-status/--receiver-fee URL, --junit FILE, --markdown FILE…).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Work on spec/.
    Spec {
        #[command(subcommand)]
        action: SpecAction,
        /// The spec folder (default: spec/ of this workspace).
        #[arg(long, global = true)]
        dir: Option<PathBuf>,
        /// Print each error on one line (file:line:column: message) instead of a source excerpt.
        #[arg(long, global = true)]
        plain: bool,
    },
    /// Mutation testing (cargo-mutants, pinned) of the mock's judging against the conformance suite and of generated/src/auth against its tests; see MUTANTS.md.
    Mutants(mutants::MutantsArgs),
    /// Reconcile a new text of the vendor reference with spec/; `cargo xtask doc audit --help`.
    Doc {
        #[command(subcommand)]
        action: doc::DocAction,
    },
}

#[derive(Subcommand)]
enum SpecAction {
    /// Load and check every spec file, verify the derived documents are current, print a per-API summary.
    Check,
    /// Regenerate spec/schema.json, spec/ERRATA.md and the coverage table of spec/README.md.
    Gen,
    /// What the working tree's spec/ changes against a git revision: each change with its
    /// severity, the audiences it breaks and the semver bump of the generated crate.
    /// Exit 0: nothing breaking left unaccepted; 1: something is; 2: an error.
    Diff {
        /// The base revision (default: the merge-base of HEAD with origin/main, else HEAD).
        base: Option<String>,
        /// Report format: text (terminal), markdown (PR comment) or json.
        #[arg(long, value_enum, default_value = "text")]
        format: spec_diff::Format,
        /// Write the report to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// A binary of the workspace that an xtask command runs.
struct Bin {
    /// Its package.
    package: &'static str,
    /// Its name.
    bin: &'static str,
    /// The xtask subcommand, as the user typed it (`cargo xtask mock`): its usage lines
    /// say this, through `VOICECALL_CLI_NAME`.
    command: &'static str,
}

const AUTH: Bin = Bin {
    package: "voicecall",
    bin: "voicecall-auth",
    command: "cargo xtask auth",
};
const MOCK: Bin = Bin {
    package: "voicecall-mock",
    bin: "voicecall-mock",
    command: "cargo xtask mock",
};
const CONFORMANCE: Bin = Bin {
    package: "voicecall-conformance",
    bin: "voicecall-conformance",
    command: "cargo xtask conformance",
};

impl Bin {
    /// `cargo build` of the binary (its `cli` feature), not quiet: a first build takes
    /// minutes, and cargo's own progress shows it is working.
    fn build_args(&self) -> Vec<&'static str> {
        vec![
            "build",
            "--package",
            self.package,
            "--features",
            "cli",
            "--bin",
            self.bin,
        ]
    }

    /// Where `cargo build` puts the binary (the dev profile, no `--target`).
    fn path(&self, target_dir: &std::path::Path) -> PathBuf {
        target_dir
            .join("debug")
            .join(format!("{}{}", self.bin, std::env::consts::EXE_SUFFIX))
    }
}

/// The workspace's target directory: `CARGO_TARGET_DIR`, else target/ of the root.
fn target_dir(root: &std::path::Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => root.join(d),
        None => root.join("target"),
    }
}

/// Builds `bin` (with visible progress, after saying what is being built) and runs it
/// with `args` from the workspace root. On Unix the binary replaces this process, so
/// signals (Ctrl-C, SIGTERM) and the exit code are the binary's own.
fn run_bin(bin: &Bin, args: &[String]) -> ExitCode {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!(
        "{}: building {} (cargo {})",
        bin.command,
        bin.bin,
        bin.build_args().join(" ")
    );
    match std::process::Command::new(&cargo)
        .args(bin.build_args())
        .current_dir(&root)
        .status()
    {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("error: building {} failed ({s})", bin.bin);
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: cannot run {cargo}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let path = bin.path(&target_dir(&root));
    let mut cmd = std::process::Command::new(&path);
    cmd.args(args)
        .env("VOICECALL_CLI_NAME", bin.command)
        .current_dir(&root);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = cmd.exec();
        eprintln!("error: cannot run {}: {e}", path.display());
        ExitCode::FAILURE
    }
    #[cfg(not(unix))]
    match cmd.status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: cannot run {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Auth { args } => run_bin(&AUTH, &args),
        Command::Mock { args } => run_bin(&MOCK, &args),
        Command::Conformance { args } => run_bin(&CONFORMANCE, &args),
        Command::Mutants(args) => match mutants::run(&workspace_root(), args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
        Command::Doc { action } => doc::run(action, &workspace_root().join("spec")),
        Command::Codegen { check } => {
            let root = workspace_root();
            // The generation record and format cache live with the build (see
            // voicecall_codegen::cache): `cargo clean` drops them with it.
            let cache_dir = target_dir(&root).join("codegen-cache");
            match codegen(&root, Some(&cache_dir), check) {
                Ok(run) => {
                    for p in &run.changed {
                        println!("wrote {p}");
                    }
                    if run.changed.is_empty() {
                        println!("generated/ is current");
                    }
                    ExitCode::SUCCESS
                }
                Err(CodegenError::Spec(errors)) => {
                    eprint!("{}", errors.render());
                    ExitCode::FAILURE
                }
                Err(CodegenError::Problems(problems)) => {
                    for p in problems {
                        eprintln!("error: {p}");
                    }
                    ExitCode::FAILURE
                }
            }
        }
        Command::Spec {
            action:
                SpecAction::Diff {
                    base,
                    format,
                    output,
                },
            dir,
            ..
        } => {
            let root = workspace_root();
            let dir = dir.unwrap_or_else(|| root.join("spec"));
            spec_diff::run(&root, &dir, base, format, output.as_deref())
        }
        Command::Spec { action, dir, plain } => {
            let dir = dir.unwrap_or_else(|| workspace_root().join("spec"));
            let spec = match load_dir(&dir) {
                Ok(s) => s,
                Err(errors) => {
                    if plain {
                        for e in &errors.errors {
                            eprintln!("{e}");
                        }
                    } else {
                        eprint!("{}", errors.render());
                    }
                    eprintln!(
                        "error: {} problem(s) in {}",
                        errors.errors.len(),
                        dir.display()
                    );
                    return ExitCode::FAILURE;
                }
            };
            match action {
                SpecAction::Check => match write_spec_docs(&dir, &spec, true) {
                    Ok(_) => {
                        print!("{}", docs::summary(&spec));
                        println!("spec check: ok");
                        ExitCode::SUCCESS
                    }
                    Err(stale) => {
                        for s in stale {
                            eprintln!("error: {s}");
                        }
                        ExitCode::FAILURE
                    }
                },
                // Loads two specs of its own (base from git, head from `dir`): above.
                SpecAction::Diff { .. } => ExitCode::from(2),
                SpecAction::Gen => match write_spec_docs(&dir, &spec, false) {
                    Ok(changed) => {
                        for p in &changed {
                            println!("wrote {}", p.display());
                        }
                        if changed.is_empty() {
                            println!("spec documents already current");
                        }
                        ExitCode::SUCCESS
                    }
                    Err(stale) => {
                        for s in stale {
                            eprintln!("error: could not write {}", s.path);
                        }
                        ExitCode::FAILURE
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binaries xtask runs are built with their `cli` feature (not a default one),
    /// named as the user typed the command, and looked for where cargo puts them.
    #[test]
    fn bins_are_built_with_their_cli_feature_and_named_as_typed() {
        for (bin, sub) in [
            (&AUTH, "auth"),
            (&MOCK, "mock"),
            (&CONFORMANCE, "conformance"),
        ] {
            let args = bin.build_args();
            assert_eq!(args[0], "build");
            assert!(
                args.windows(2).any(|w| w == ["--features", "cli"]),
                "{args:?}"
            );
            assert!(args.windows(2).any(|w| w == ["--bin", bin.bin]), "{args:?}");
            assert!(!args.contains(&"--quiet"), "{args:?}");
            assert_eq!(bin.command, format!("cargo xtask {sub}"));
            let p = bin.path(std::path::Path::new("/t"));
            assert!(p.starts_with("/t/debug") && p.to_string_lossy().contains(bin.bin));
        }
        // Each binary's manifest declares the bin behind the `cli` feature.
        for (dir, bin) in [
            ("generated", &AUTH),
            ("conformance/mock", &MOCK),
            ("conformance", &CONFORMANCE),
        ] {
            let manifest = std::fs::read_to_string(workspace_root().join(dir).join("Cargo.toml"))
                .expect("manifest");
            let stanza = format!("name = \"{}\"\nrequired-features = [\"cli\"]", bin.bin);
            assert!(manifest.contains(&stanza), "{dir}: {stanza}");
            assert!(manifest.contains(&format!("name = \"{}\"", bin.package)));
        }
    }
}
