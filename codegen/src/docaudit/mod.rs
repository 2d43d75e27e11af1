//! Doc audit: reconcile a text of the vendor reference with `spec/`, and apply the
//! mechanical differences.
//!
//! - [`extract()`] reads every table and example of the text (it knows nothing of the spec);
//! - [`reconcile()`] compares them with the spec's literal fields by table number and row
//!   name, and says which differences an erratum explains and which need judgement;
//! - [`apply()`] edits the spec's YAML text for the mechanical findings, line by line,
//!   keeping order, comments and style of everything it does not touch;
//! - [`report`](mod@report) prints findings as text, Markdown or JSON.
//!
//! # Normalisation of texts
//!
//! Descriptions (`zh`), result-code texts, appendix descriptions and literal table cells
//! are compared after [`normalize`]: HTML tags removed, the entities `&lt; &gt; &amp;
//! &quot; &nbsp;` decoded, list bullets (`• ● ○ ■ □ ▪ ◆`) removed, full-width ASCII
//! forms (U+FF01–U+FF5E: `（），：；` and full-width digits and letters) and curly quotes
//! mapped to their ASCII forms, and white space removed — except that a run of white
//! space between two ASCII letters or digits counts as one space. So `<p>a</p> <p>b</p>`
//! equals `a b`'s markup-free transcription and `String(1 -128)` equals `String(1-128)`,
//! but `1 28` never equals `128`: no normalisation joins or changes a number or a word.

pub mod apply;
pub mod extract;
pub mod reconcile;
pub mod report;

use serde::Serialize;

pub use apply::{apply, ApplyOutcome};
pub use extract::{extract, Extracted};
pub use reconcile::reconcile;
pub use report::{render, Format};

use crate::spec::Spec;

/// What kind of difference a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A table of the text has no counterpart in the spec.
    TableAdded,
    /// A table of the spec is not in the text.
    TableRemoved,
    /// A table's title or column headings differ.
    TableChanged,
    /// A row of the text is not in the spec's table.
    RowAdded,
    /// A row of the spec's table is not in the text.
    RowRemoved,
    /// A cell of a row differs.
    RowChanged,
    /// A new entry of the revision history.
    RevisionAdded,
    /// An example of the text matches no fixture.
    ExampleAdded,
    /// A fixture's verbatim text is not in the text any more (changed or removed).
    ExampleChanged,
}

impl FindingKind {
    /// The kind as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::TableAdded => "table_added",
            FindingKind::TableRemoved => "table_removed",
            FindingKind::TableChanged => "table_changed",
            FindingKind::RowAdded => "row_added",
            FindingKind::RowRemoved => "row_removed",
            FindingKind::RowChanged => "row_changed",
            FindingKind::RevisionAdded => "revision_added",
            FindingKind::ExampleAdded => "example_added",
            FindingKind::ExampleChanged => "example_changed",
        }
    }
}

/// One difference between the text and the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Kind of difference.
    pub kind: FindingKind,
    /// The text's table number (`4-3`, `5-7`), or section for the appendix (`7.1`),
    /// the revision history (`8`) and examples (`4.2`).
    pub table: String,
    /// Parameter name or result code as the text writes it (stray spaces removed), the
    /// first cell of a literal row, or the fixture id of an example; empty for a table.
    pub name: String,
    /// The column that differs (`doc_type`, `required`, `english`…), for changed rows.
    pub column: Option<String>,
    /// The text's value.
    pub doc: Option<String>,
    /// The spec's value.
    pub spec: Option<String>,
    /// Line in the text (of the row; of the table heading for a removed row).
    pub line: usize,
    /// One sentence for a human.
    pub text: String,
    /// Why a person must decide (the row carries errata, the change is in prose…);
    /// `None` when `--apply` can make the change mechanically.
    pub judgement: Option<String>,
    /// Where the change goes in the spec (for [`apply`]).
    #[serde(skip)]
    pub(crate) target: Option<reconcile::Target>,
}

/// The result of an audit.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The text's path or name, as given.
    pub doc: String,
    /// Every finding, in the text's order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Findings that `--apply` would change.
    pub fn mechanical(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.judgement.is_none())
    }

    /// Findings a person must decide.
    pub fn needs_judgement(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.judgement.is_some())
    }
}

/// Why a text cannot be audited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The text has none of the reference's parameter or result-code tables.
    #[error("{0} does not look like the Voice Call API reference: it has no parameter table (表 N-M with a 参数名称 header) or no result-code table (响应码 header)")]
    NotTheReference(String),
}

/// Audits `text` (named `doc` in the report) against `spec`.
pub fn audit(doc: &str, text: &str, spec: &Spec) -> Result<Report, AuditError> {
    let x = extract(text);
    if !x.looks_like_reference() {
        return Err(AuditError::NotTheReference(doc.to_string()));
    }
    Ok(Report {
        doc: doc.to_string(),
        findings: apply::vet(spec, reconcile(&x, spec)),
    })
}

/// `s` with HTML tags replaced by a space; a lone `<` is text, not a tag, and then the
/// text is kept as printed.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut plain = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if in_tag => {}
            _ => plain.push(c),
        }
    }
    if in_tag {
        return s.to_string();
    }
    plain
}

/// The comparison form of a text; see the module documentation.
pub fn normalize(s: &str) -> String {
    let plain = strip_tags(s)
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let mapped = plain.chars().filter_map(|c| match c {
        '•' | '●' | '○' | '■' | '□' | '▪' | '◆' => None,
        '\u{3000}' => Some(' '),
        '“' | '”' => Some('"'),
        '‘' | '’' => Some('\''),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        c => Some(c),
    });
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in mapped {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space
            && c.is_ascii_alphanumeric()
            && out
                .chars()
                .last()
                .is_some_and(|p| p.is_ascii_alphanumeric())
        {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalisation_drops_markup_and_spacing_but_never_joins_numbers() {
        assert_eq!(
            normalize("<p>取值范围：0~1440分钟</p> <ul style=\"x\">• 0：不限</ul>"),
            normalize("取值范围:0~1440分钟 0: 不限")
        );
        assert_eq!(normalize("String(1 -128)"), normalize("String(1-128)"));
        assert_eq!(normalize("（枚举）"), "(枚举)");
        assert_ne!(normalize("String(1-28)"), normalize("String(1-128)"));
        assert_ne!(normalize("1 28"), normalize("128"));
        assert_ne!(normalize("max 8位"), normalize("max 9位"));
        assert_eq!(normalize("a < b"), "a<b");
    }
}
