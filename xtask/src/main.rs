//! Project tasks: `cargo xtask conformance` (the main job), `cargo xtask mock`,
//! `cargo xtask codegen [--check]`, `cargo xtask spec check|gen|diff` (diff in `spec_diff.rs`),
//! `cargo xtask auth`, `cargo xtask doc audit DOC [--apply]` (in `doc.rs`),
//! `cargo xtask mutants [--file F…] [--shard k/n]` (in `mutants.rs`).
//!
//! Commands that need the generated crate run its binaries through cargo, so xtask
//! itself never depends on generated code (codegen must run even when generated/ is
//! broken).

mod doc;
mod mutants;
mod spec_diff;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use voicecall_codegen::spec::load_dir;
use voicecall_codegen::{docs, write_generated, write_spec_docs};

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
    /// Run the mock platform on 127.0.0.1 until Ctrl-C; `cargo xtask mock --help`.
    #[command(disable_help_flag = true)]
    Mock {
        /// Arguments of `voicecall-mock` (--port N --app-key K --app-secret S --config FILE --clock fast|realtime|manual).
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

/// `cargo run` of a binary of the workspace with `args`, from the workspace root.
fn run_bin(package: &str, bin: &str, features: &str, args: &[String]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--package",
            package,
            "--features",
            features,
            "--bin",
            bin,
            "--",
        ])
        .args(args)
        .current_dir(workspace_root())
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Auth { args } => run_bin("voicecall", "voicecall-auth", "cli", &args),
        Command::Mock { args } => run_bin("voicecall-mock", "voicecall-mock", "cli", &args),
        Command::Conformance { args } => run_bin(
            "voicecall-conformance",
            "voicecall-conformance",
            "cli",
            &args,
        ),
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
            let spec = match load_dir(&root.join("spec")) {
                Ok(s) => s,
                Err(errors) => {
                    eprint!("{}", errors.render());
                    return ExitCode::FAILURE;
                }
            };
            match write_generated(&root, &spec, check) {
                Ok(changed) => {
                    for p in &changed {
                        println!("wrote {p}");
                    }
                    if changed.is_empty() {
                        println!("generated/ is current");
                    }
                    ExitCode::SUCCESS
                }
                Err(problems) => {
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
