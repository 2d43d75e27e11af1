//! `cargo xtask doc audit DOC [--format text|markdown|json] [--apply]`: reconcile a text of
//! the vendor reference with spec/ and, with `--apply`, make the mechanical changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use voicecall_codegen::docaudit::{self, AuditError, Format};
use voicecall_codegen::spec::load_dir;

#[derive(Subcommand)]
pub enum DocAction {
    /// Compare a text export of the reference with spec/ (exit 0 clean, 1 drift, 2 unreadable or not the reference).
    Audit {
        /// The reference as text (tables as tab-separated rows under `表 N-M` headings).
        doc: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
        /// Make the mechanical changes in spec/ (rows without errata); list the rest as needing judgement.
        #[arg(long)]
        apply: bool,
        /// The spec folder (default: spec/ of this workspace).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutFormat {
    Text,
    Markdown,
    Json,
}

/// Runs a `doc` action; `spec_dir` is the default spec folder.
pub fn run(action: DocAction, spec_dir: &Path) -> ExitCode {
    match action {
        DocAction::Audit {
            doc,
            format,
            apply,
            dir,
        } => {
            let dir = dir.unwrap_or_else(|| spec_dir.to_path_buf());
            match audit(&doc, format, apply, &dir) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn audit(doc: &Path, format: OutFormat, apply: bool, dir: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(doc).with_context(|| format!("cannot read {}", doc.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", doc.display()))?;
    let spec = match load_dir(dir) {
        Ok(s) => s,
        Err(errors) => {
            eprint!("{}", errors.render());
            anyhow::bail!("the spec in {} does not load; fix it first", dir.display());
        }
    };
    let name = doc.display().to_string();
    let report = match docaudit::audit(&name, &text, &spec) {
        Ok(r) => r,
        Err(e @ AuditError::NotTheReference(_)) => return Err(e.into()),
    };
    let format = match format {
        OutFormat::Text => Format::Text,
        OutFormat::Markdown => Format::Markdown,
        OutFormat::Json => Format::Json,
    };
    if !apply {
        print!("{}", docaudit::render(&report, format));
        return Ok(if report.findings.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let outcome = docaudit::apply(&spec, &report.findings);
    if let Some(e) = &outcome.error {
        anyhow::bail!("{e}; nothing was written");
    }
    for (name, text) in &outcome.files {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    eprintln!(
        "applied {} mechanical change(s); {} need judgement{}",
        outcome.applied.len(),
        outcome.needs_judgement.len(),
        if outcome.applied.is_empty() {
            String::new()
        } else {
            "; next: cargo xtask spec gen, cargo xtask codegen".into()
        }
    );
    let left = docaudit::Report {
        doc: report.doc.clone(),
        findings: outcome.needs_judgement.clone(),
    };
    print!("{}", docaudit::render(&left, format));
    Ok(if left.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
