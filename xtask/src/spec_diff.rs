//! `cargo xtask spec diff [BASE]`: what the working tree's spec/ changes against BASE.
//! Exit 0: nothing breaking left unaccepted; 1: something is; 2: an error.

use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;
use voicecall_codegen::diff::{self, accept, git, report};
use voicecall_codegen::spec::{load_dir, load_sources};

/// Report format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// For a terminal.
    Text,
    /// For a PR comment.
    Markdown,
    /// For tools.
    Json,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Runs the diff of `spec_dir` (inside the repository at `root`) against `base`.
pub fn run(
    root: &Path,
    spec_dir: &Path,
    base: Option<String>,
    format: Format,
    output: Option<&Path>,
) -> ExitCode {
    let base = match base {
        Some(b) => b,
        None => match git::default_base(root) {
            Ok(b) => b,
            Err(e) => return fail(e),
        },
    };
    let rel = spec_dir
        .strip_prefix(root)
        .unwrap_or(Path::new("spec"))
        .to_string_lossy()
        .replace('\\', "/");
    let old = match git::read_spec(root, &base, &rel) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    // Both specs load at once: on two cores the diff costs one load.
    let (base_spec, head_spec) = std::thread::scope(|s| {
        let b = s.spawn(|| load_sources(old.sources(), |p| old.files.get(p).cloned()));
        let h = load_dir(spec_dir);
        (b.join(), h)
    });
    let base_spec = match base_spec {
        Ok(Ok(s)) => s,
        Ok(Err(errors)) => {
            eprint!("{}", errors.render());
            return fail(format!(
                "spec/ at {base} does not load ({} problem(s) above); diff against a base whose spec loads",
                errors.errors.len()
            ));
        }
        Err(_) => return fail("loading the base spec panicked"),
    };
    let head_spec = match head_spec {
        Ok(s) => s,
        Err(errors) => {
            eprint!("{}", errors.render());
            return fail(format!(
                "the working tree's spec/ does not load ({} problem(s) above); fix it first (`cargo xtask spec check`)",
                errors.errors.len()
            ));
        }
    };
    let short = &old.commit[..old.commit.len().min(10)];
    let base_name = if base.starts_with(short) || old.commit == base {
        short.to_string()
    } else {
        format!("{base} ({short})")
    };
    let mut d = diff::diff(&base_spec, &head_spec, &base_name, "working tree");
    let accept_path = spec_dir.join(accept::FILE);
    if let Ok(text) = std::fs::read_to_string(&accept_path) {
        let file = format!("{rel}/{}", accept::FILE);
        let applied = accept::parse(&file, &text)
            .and_then(|list| accept::apply(&list, &file, &text, &mut d.changes));
        if let Err(errors) = applied {
            for e in errors {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    }
    let text = match format {
        Format::Text => report::text(&d),
        Format::Markdown => report::markdown(&d),
        Format::Json => report::json(&d),
    };
    match output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                return fail(format!("cannot write {}: {e}", p.display()));
            }
            eprintln!("wrote {}", p.display());
        }
        None => print!("{text}"),
    }
    if d.blocks() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
