//! JSON paths built without allocating: a chain of borrowed segments on the stack,
//! rendered (`$.playInfoList[0].templateId`) only when a violation is recorded.

use std::fmt;

/// A position in a JSON value.
#[derive(Debug, Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
    /// A header or query parameter, rendered `header:Name`.
    Prefixed(&'a str, &'a str),
}

impl<'a> Path<'a> {
    /// `$`.
    pub const fn root() -> Path<'static> {
        Path {
            parent: None,
            segment: Segment::Root,
        }
    }

    /// A header or query parameter (`header:X-AKSK`, `query:fileName`).
    pub const fn prefixed(prefix: &'a str, name: &'a str) -> Path<'a> {
        Path {
            parent: None,
            segment: Segment::Prefixed(prefix, name),
        }
    }

    /// This path followed by `.key`.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// This path followed by `[index]`.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.parent {
            p.fmt(f)?;
        }
        match self.segment {
            Segment::Root => f.write_str("$"),
            Segment::Key(k) => write!(f, ".{k}"),
            Segment::Index(i) => write!(f, "[{i}]"),
            Segment::Prefixed(p, n) => write!(f, "{p}:{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Path;

    #[test]
    fn renders_like_the_spec_checker() {
        let root = Path::root();
        let list = root.key("playInfoList");
        let item = list.index(0);
        assert_eq!(
            item.key("templateId").to_string(),
            "$.playInfoList[0].templateId"
        );
        assert_eq!(
            Path::prefixed("header", "X-AKSK").to_string(),
            "header:X-AKSK"
        );
    }
}
