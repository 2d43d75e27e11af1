//! The only place that knows which YAML library parses the spec.
//!
//! `serde_yaml` is archived upstream; a maintained fork (serde_yml, serde_norway…)
//! with the same API replaces it by changing the `use` line below. Locations of
//! nodes, which serde does not expose, come from `yaml-rust2`'s event parser so that
//! semantic errors can point at a line and column too.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_yaml as yaml;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::model::SpecFile;

/// A YAML syntax or shape error at a byte offset of the source.
#[derive(Debug, Clone)]
pub(crate) struct YamlError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// Deserialises one spec file.
pub(crate) fn parse_spec_file(text: &str) -> Result<SpecFile, YamlError> {
    yaml::from_str(text).map_err(|e| YamlError {
        offset: e.location().map(|l| l.index()).unwrap_or(0),
        message: e.to_string(),
    })
}

/// Deserialises any YAML document (the files beside the spec, such as `diff-accept.yaml`).
pub(crate) fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    yaml::from_str(text).map_err(|e| YamlError {
        offset: e.location().map(|l| l.index()).unwrap_or(0),
        message: e.to_string(),
    })
}

/// A JSON value written as YAML (for `generated/openapi.yaml`).
///
/// The emitter writes YAML 1.2, where `2019-01-24 03:04:24` is a string; PyYAML (which
/// openapi-spec-validator, Schemathesis and openapi-python-client read it with) follows
/// YAML 1.1 and reads it as a timestamp. Such plain scalars are quoted.
pub(crate) fn to_yaml(value: &serde_json::Value) -> String {
    let text = yaml::to_string(value).expect("a JSON value is representable in YAML");
    quote_timestamps(&text)
}

/// Quotes plain scalar values that YAML 1.1 reads as timestamps, outside block scalars.
fn quote_timestamps(text: &str) -> String {
    use std::sync::OnceLock;
    static TS: OnceLock<regex::Regex> = OnceLock::new();
    let ts = TS.get_or_init(|| {
        regex::Regex::new(
            r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$",
        )
        .expect("valid")
    });
    let mut out = String::with_capacity(text.len());
    // Indentation of the line that opened the block scalar we are in, if any.
    let mut block: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let indent = body.len() - body.trim_start().len();
        if let Some(b) = block {
            if body.trim().is_empty() || indent > b {
                out.push_str(line);
                continue;
            }
            block = None;
        }
        // The value after the last `key: ` or `- ` of the line.
        let split = body.rfind(": ").map(|i| i + 2).or_else(|| {
            body.trim_start()
                .starts_with("- ")
                .then(|| body.rfind("- ").map(|i| i + 2))
                .flatten()
        });
        match split {
            Some(i) if ts.is_match(&body[i..]) => {
                out.push_str(&body[..i]);
                out.push('\'');
                out.push_str(&body[i..]);
                out.push('\'');
                out.push_str(&line[body.len()..]);
            }
            Some(i) if body[i..].starts_with(['|', '>']) => {
                block = Some(indent);
                out.push_str(line);
            }
            _ => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod to_yaml_tests {
    use super::*;

    #[test]
    fn timestamps_are_quoted_and_block_scalars_left_alone() {
        let v = serde_json::json!({
            "a": "2019-01-24 03:04:24",
            "b": ["2018-02-12T15:30:20Z", "x"],
            "c": "line one\nt: 2019-01-24 03:04:24\n",
            "d": "01 (2026-01-27)",
        });
        let y = to_yaml(&v);
        assert!(y.contains("a: '2019-01-24 03:04:24'"), "{y}");
        assert!(y.contains("- '2018-02-12T15:30:20Z'"), "{y}");
        assert!(y.contains("  t: 2019-01-24 03:04:24\n"), "{y}");
        let back: serde_json::Value = yaml::from_str(&y).expect("parses");
        assert_eq!(back, v);
    }
}

/// Byte span of every node of a YAML document, keyed by its path
/// (`messages[3].fields[0].name`); keys of mappings are stored as `path#key`.
///
/// Built on first use: spans only serve to point at an error or to edit the text (doc
/// audit), and indexing every file up front was more than half the cost of loading a
/// clean spec (`cargo xtask codegen` after a spec edit, issue 16).
#[derive(Debug, Default, Clone)]
pub(crate) struct SpanIndex {
    text: Arc<str>,
    spans: OnceLock<HashMap<String, (usize, usize)>>,
}

impl SpanIndex {
    /// The index of `text`, built when first asked; a document that does not parse
    /// yields an empty index.
    pub(crate) fn build(text: &str) -> SpanIndex {
        SpanIndex {
            text: Arc::from(text),
            spans: OnceLock::new(),
        }
    }

    fn spans(&self) -> &HashMap<String, (usize, usize)> {
        self.spans.get_or_init(|| index_spans(&self.text))
    }

    /// Span of the node at `path`, or of its nearest ancestor that exists.
    pub(crate) fn find(&self, path: &str) -> (usize, usize) {
        let mut p = path.to_string();
        loop {
            if let Some(s) = self.spans().get(&p) {
                return *s;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => return self.spans().get("").copied().unwrap_or((0, 0)),
            }
        }
    }

    /// Span of the node at exactly `path`, if there is one.
    pub(crate) fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.spans().get(path).copied()
    }

    /// Span of the key of the mapping entry at exactly `path`, if there is one.
    pub(crate) fn get_key(&self, path: &str) -> Option<(usize, usize)> {
        self.spans().get(&format!("{path}#key")).copied()
    }

    /// Span of the key of the mapping entry at `path` (falls back to the value).
    pub(crate) fn find_key(&self, path: &str) -> (usize, usize) {
        match self.spans().get(&format!("{path}#key")) {
            Some(s) => *s,
            None => self.find(path),
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

impl Frame {
    fn path(&self) -> &str {
        match self {
            Frame::Map { path, .. } | Frame::Seq { path, .. } => path,
        }
    }
}

/// Indexes `text` (see [`SpanIndex`]); errors are reported by serde, and a partial
/// index is still useful.
fn index_spans(text: &str) -> HashMap<String, (usize, usize)> {
    let line_starts = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut builder = Builder {
        text,
        line_starts,
        stack: Vec::new(),
        index: HashMap::new(),
    };
    let mut parser = Parser::new_from_str(text);
    let _ = parser.load(&mut builder, false);
    builder.index
}

struct Builder<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    index: HashMap<String, (usize, usize)>,
}

impl Builder<'_> {
    /// Path of the node that starts now, or `None` when the event is a mapping key.
    fn node_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map { path, key: Some(k) }) => Some(join(path, k)),
            Some(Frame::Seq { path, next }) => Some(format!("{path}[{next}]")),
        }
    }

    /// yaml-rust2 marks a block collection where its first entry ends, so a container's
    /// span is moved to the start of its first entry when that entry begins.
    fn first_child_starts(&mut self, start: usize, len: usize) {
        let Some(frame) = self.stack.last() else {
            return;
        };
        if !matches!(
            frame,
            Frame::Map { key: None, .. } | Frame::Seq { next: 0, .. }
        ) {
            return;
        }
        let path = frame.path().to_string();
        // A map's key slot is empty before each of its keys: only the first one counts.
        let first = format!("{path}#first");
        if self.index.contains_key(&first) {
            return;
        }
        self.index.insert(path, (start, len));
        self.index.insert(first, (start, len));
    }

    /// Marks the current node of the parent container as done.
    fn finish_node(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { next, .. }) => *next += 1,
            None => {}
        }
    }

    /// Byte offset of a marker. yaml-rust2 counts `index` and `col` in characters, so
    /// the byte offset is rebuilt from the line (1-based) and column (0-based).
    fn offset(&self, mark: Marker) -> usize {
        let line_start = self
            .line_starts
            .get(mark.line().saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[line_start..];
        let col = rest
            .char_indices()
            .nth(mark.col())
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        line_start + col
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let start = self.offset(mark);
        match ev {
            Event::Scalar(value, style, ..) => {
                let len = match style {
                    TScalarStyle::Plain => value.chars().count(),
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                        value.chars().count() + 2
                    }
                    _ => 1,
                };
                let len = self.text[start..]
                    .char_indices()
                    .nth(len)
                    .map(|(i, _)| i)
                    .unwrap_or(self.text.len() - start);
                self.first_child_starts(start, len);
                match self.node_path() {
                    None => {
                        if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                            let p = join(path, &value);
                            self.index.insert(format!("{p}#key"), (start, len));
                            *key = Some(value);
                        }
                    }
                    Some(p) => {
                        self.index.insert(p, (start, len));
                        self.finish_node();
                    }
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_map = matches!(ev, Event::MappingStart(..));
                self.first_child_starts(start, 1);
                // A collection used as a mapping key is not something the spec has.
                let path = self.node_path().unwrap_or_default();
                self.index.entry(path.clone()).or_insert((start, 1));
                self.stack.push(if is_map {
                    Frame::Map { path, key: None }
                } else {
                    Frame::Seq { path, next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.finish_node();
            }
            Event::Alias(_) if self.node_path().is_some() => self.finish_node(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_nested_paths_with_byte_offsets() {
        let text = "section: '4.2'\ntitle: 中文\nmessages:\n- name: A\n  fields:\n  - name: x\n";
        let idx = SpanIndex::build(text);
        let (s, _) = idx.find("messages[0].fields[0].name");
        assert_eq!(&text[s..s + 1], "x");
        let (s, _) = idx.find_key("messages[0].fields");
        assert_eq!(&text[s..s + 6], "fields");
        let (s, _) = idx.find("messages[0].fields[0].missing");
        assert_eq!(&text[s..s + 6], "name: ");
    }
}
