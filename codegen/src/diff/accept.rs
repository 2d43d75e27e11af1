//! `spec/diff-accept.yaml`: breaking changes a PR makes on purpose, each with a reason.
//!
//! ```yaml
//! accept:
//! - id: field-length-max:CreateVoiceCallbackRequest.userData
//!   reason: Version 02 of the reference lowers the limit (表4-3).
//! ```
//!
//! An accepted change still shows in every report, marked accepted, but no longer makes
//! `spec diff` exit 1. An entry that matches no change is an error, so entries do not
//! outlive the change they were written for.

use serde::Deserialize;

use super::change::Change;

/// File name of the accept-list, relative to `spec/`.
pub const FILE: &str = "diff-accept.yaml";

/// The accept-list.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptList {
    /// Entries, each naming one change by id.
    #[serde(default)]
    pub accept: Vec<Entry>,
}

/// One accepted change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The change's id, as `spec diff` prints it.
    pub id: String,
    /// Why the break is acceptable.
    pub reason: String,
}

/// A problem with the accept-list, at a line of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}\n  help: {help}")]
pub struct AcceptError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
}

impl AcceptError {
    /// An error at the first place `needle` stands in `text` (the start when it is absent).
    fn at(file: &str, text: &str, needle: &str, message: String, help: String) -> AcceptError {
        let (line, column) = line_col(text, text.find(needle).unwrap_or(0));
        AcceptError {
            file: file.into(),
            line,
            column,
            message,
            help,
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses the accept-list `text` of file `file`.
pub fn parse(file: &str, text: &str) -> Result<AcceptList, Vec<AcceptError>> {
    let list: AcceptList = crate::spec::parse_yaml(text).map_err(|e| {
        let (line, column) = line_col(text, e.offset);
        let message = match e.message.rfind(" at line ") {
            Some(i) => e.message[..i].to_string(),
            None => e.message.clone(),
        };
        vec![AcceptError {
            file: file.into(),
            line,
            column,
            message,
            help: "the file is `accept:` followed by a list of `- id: …` / `reason: …` entries"
                .into(),
        }]
    })?;
    let mut errors = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in &list.accept {
        if e.reason.trim().is_empty() {
            errors.push(AcceptError::at(
                file,
                text,
                &e.id,
                format!("entry {:?} has no reason", e.id),
                "say why the break is acceptable; reviewers read it in the PR comment".into(),
            ));
        }
        if !seen.insert(e.id.clone()) {
            errors.push(AcceptError::at(
                file,
                text,
                &e.id,
                format!("entry {:?} is listed twice", e.id),
                "remove one of the two".into(),
            ));
        }
    }
    if errors.is_empty() {
        Ok(list)
    } else {
        Err(errors)
    }
}

/// Marks the changes the list accepts; an entry that matches no change is an error.
pub fn apply(
    list: &AcceptList,
    file: &str,
    text: &str,
    changes: &mut [Change],
) -> Result<(), Vec<AcceptError>> {
    let mut errors = Vec::new();
    for e in &list.accept {
        match changes.iter_mut().find(|c| c.id == e.id) {
            Some(c) => c.accepted = Some(e.reason.trim().to_string()),
            None => {
                let near = changes
                    .iter()
                    .filter(|c| c.id.split(':').next() == e.id.split(':').next())
                    .map(|c| c.id.as_str())
                    .take(3)
                    .collect::<Vec<_>>();
                errors.push(AcceptError::at(
                    file,
                    text,
                    &e.id,
                    format!("entry {:?} matches no change of this diff", e.id),
                    if near.is_empty() {
                        "remove the entry: the change it accepted is gone (or was merged)".into()
                    } else {
                        format!("remove the entry, or name one of: {}", near.join(", "))
                    },
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
