//! Errors of the spec loader: each names the file, line and column, says what is
//! wrong and how to fix it, and renders with miette as a labelled source excerpt.

use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};

/// One problem in one spec file.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{file}:{line}:{column}: {message}")]
pub struct SpecError {
    /// File, relative to `spec/`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
    #[source_code]
    pub(crate) source_code: NamedSource<Arc<str>>,
    #[label("{label}")]
    pub(crate) span: SourceSpan,
    pub(crate) label: String,
}

impl SpecError {
    /// Builds an error at byte `offset..offset+len` of `text`.
    pub(crate) fn new(
        file: &str,
        text: &Arc<str>,
        (offset, len): (usize, usize),
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> SpecError {
        let offset = offset.min(text.len());
        let (line, column) = line_col(text, offset);
        SpecError {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            help,
            source_code: NamedSource::new(file, Arc::clone(text)),
            span: (offset, len.min(text.len() - offset)).into(),
            label: label.into(),
        }
    }

    /// An error about a file as a whole (unreadable, missing).
    pub(crate) fn whole_file(file: &str, message: impl Into<String>, help: Option<String>) -> Self {
        SpecError::new(file, &Arc::from(""), (0, 0), message, "here", help)
    }

    /// The error drawn as miette draws it, without colours (stable for snapshots and CI logs).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
        if handler.render_report(&mut out, self).is_err() {
            out = self.to_string();
        }
        out
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Every problem the loader found, sorted by file and position.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("the spec has {} error(s)", errors.len())]
pub struct SpecErrors {
    /// The problems.
    #[related]
    pub errors: Vec<SpecError>,
}

impl SpecErrors {
    /// All errors drawn one after the other.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for e in &self.errors {
            out.push_str(&e.render());
            out.push('\n');
        }
        out
    }
}

/// A semantic problem before it is given a position: the file index, the path of the
/// offending YAML node, and the words.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub(crate) file: usize,
    pub(crate) path: String,
    /// Point at the key of the entry rather than its value (for duplicates, unknown names).
    pub(crate) at_key: bool,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) help: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_count_characters() {
        let text = "a: 中文\nb: x\n";
        assert_eq!(super::line_col(text, 0), (1, 1));
        assert_eq!(super::line_col(text, text.find('文').unwrap()), (1, 5));
        assert_eq!(super::line_col(text, text.find('x').unwrap()), (2, 4));
    }
}
