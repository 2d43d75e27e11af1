//! Reading `spec/` as it is at a git revision, from git's objects: no checkout, no
//! temporary worktree, nothing left behind.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Why the base could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// git could not be started.
    #[error("cannot run git: {0}")]
    Spawn(#[from] std::io::Error),
    /// The revision names no commit.
    #[error("{rev:?} is not a commit of this repository ({detail})")]
    UnknownRev { rev: String, detail: String },
    /// A git command failed.
    #[error("`git {command}` failed: {detail}")]
    Failed { command: String, detail: String },
    /// The folder holds no spec files at that revision.
    #[error("{dir}/ holds no YAML files at {rev}")]
    NoSpec { dir: String, rev: String },
}

/// The files of a spec folder at one commit.
#[derive(Debug, Clone)]
pub struct SpecAtRev {
    /// The full commit id.
    pub commit: String,
    /// Every file below the folder, by path relative to it.
    pub files: BTreeMap<String, String>,
}

impl SpecAtRev {
    /// The spec files (`*.yaml`, except the files beside the spec), for `load_sources`.
    pub fn sources(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter(|(p, _)| {
                p.ends_with(".yaml") && !crate::spec::NOT_SPEC_FILES.contains(&p.as_str())
            })
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect()
    }
}

fn git(repo: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
    } else {
        Err(GitError::Failed {
            command: args.join(" "),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The full id of the commit `rev` names.
pub fn resolve(repo: &Path, rev: &str) -> Result<String, GitError> {
    git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|e| GitError::UnknownRev {
        rev: rev.to_string(),
        detail: match e {
            GitError::Failed { detail, .. } if !detail.is_empty() => detail,
            _ => "check the name with `git log --oneline`".into(),
        },
    })
}

/// The default base: the merge-base of HEAD with `origin/main` when that ref exists,
/// else HEAD.
pub fn default_base(repo: &Path) -> Result<String, GitError> {
    if resolve(repo, "origin/main").is_ok() {
        if let Ok(base) = git(repo, &["merge-base", "HEAD", "origin/main"]) {
            return Ok(base);
        }
    }
    Ok("HEAD".into())
}

/// Every file below `dir` (relative to the repository root) at `rev`.
pub fn read_spec(repo: &Path, rev: &str, dir: &str) -> Result<SpecAtRev, GitError> {
    let commit = resolve(repo, rev)?;
    let dir = dir.trim_end_matches('/');
    let listing = git(
        repo,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--name-only",
            &commit,
            "--",
            &format!("{dir}/"),
        ],
    )?;
    let paths: Vec<&str> = listing.split('\0').filter(|p| !p.is_empty()).collect();
    if !paths.iter().any(|p| p.ends_with(".yaml")) {
        return Err(GitError::NoSpec {
            dir: dir.into(),
            rev: rev.into(),
        });
    }
    // One `git cat-file --batch` for every file: `<id> blob <size>\n<bytes>\n` each.
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or_else(|| GitError::Failed {
        command: "cat-file --batch".into(),
        detail: "no stdin".into(),
    })?;
    let request: String = paths.iter().map(|p| format!("{commit}:{p}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().ok_or_else(|| GitError::Failed {
        command: "cat-file --batch".into(),
        detail: "no stdout".into(),
    })?);
    let mut files = BTreeMap::new();
    for p in &paths {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let size: usize = match header.split_whitespace().collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size.parse().unwrap_or(0),
            _ => {
                return Err(GitError::Failed {
                    command: "cat-file --batch".into(),
                    detail: format!("unexpected answer for {p}: {}", header.trim()),
                })
            }
        };
        let mut bytes = vec![0; size + 1];
        reader.read_exact(&mut bytes)?;
        bytes.pop();
        let rel = p.strip_prefix(&format!("{dir}/")).unwrap_or(p);
        files.insert(
            rel.to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        );
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(SpecAtRev { commit, files })
}
