//! Writing generated files, or checking that they are current.

use std::path::Path;

/// A generated file that differs from what the generator produces.
#[derive(Debug, thiserror::Error)]
#[error("{path} is stale; run `{command}` and commit the result")]
pub struct Stale {
    /// The file, as given.
    pub path: String,
    /// The command that regenerates it.
    pub command: String,
}

/// Makes `path` contain `contents`. With `check`, only compares and reports a stale
/// file with the exact command to run; without it, writes the file when it differs.
pub fn ensure_file_contents(
    path: &Path,
    contents: &str,
    check: bool,
    command: &str,
) -> Result<bool, Stale> {
    let current = std::fs::read_to_string(path).ok();
    if current.as_deref() == Some(contents) {
        return Ok(false);
    }
    let stale = Stale {
        path: path.display().to_string(),
        command: command.to_string(),
    };
    if check {
        return Err(stale);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|_| stale_clone(&stale))?;
    }
    std::fs::write(path, contents).map_err(|_| stale)?;
    Ok(true)
}

fn stale_clone(s: &Stale) -> Stale {
    Stale {
        path: s.path.clone(),
        command: s.command.clone(),
    }
}

/// Replaces the text between `<!-- {name}:start -->` and `<!-- {name}:end -->` in `doc`.
/// Returns `None` when the markers are missing.
pub fn splice(doc: &str, name: &str, body: &str) -> Option<String> {
    let start = format!("<!-- {name}:start -->");
    let end = format!("<!-- {name}:end -->");
    let s = doc.find(&start)? + start.len();
    let e = doc[s..].find(&end)? + s;
    Some(format!("{}\n{}{}", &doc[..s], body, &doc[e..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_between_markers_only() {
        let doc = "a\n<!-- x:start -->\nold\n<!-- x:end -->\nb\n";
        assert_eq!(
            splice(doc, "x", "new\n").unwrap(),
            "a\n<!-- x:start -->\nnew\n<!-- x:end -->\nb\n"
        );
        assert_eq!(splice(doc, "y", "new\n"), None);
    }

    #[test]
    fn check_mode_reports_the_command_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("ensure-{}", std::process::id()));
        let path = dir.join("f.txt");
        let err = ensure_file_contents(&path, "x", true, "cargo xtask spec gen").unwrap_err();
        assert!(
            err.to_string().contains("run `cargo xtask spec gen`"),
            "{err}"
        );
        assert!(!path.exists());
        assert!(ensure_file_contents(&path, "x", false, "c").unwrap());
        assert!(!ensure_file_contents(&path, "x", true, "c").unwrap());
        let _ = std::fs::remove_dir_all(dir);
    }
}
