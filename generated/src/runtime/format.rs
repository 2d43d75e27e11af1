//! Formats: the spec gives each as a regular expression (the source of truth, also
//! used for JSON Schema `pattern`); the common ones also have a hand-written matcher
//! here, because a regex per field would cost more than parsing the JSON. A property
//! test proves each matcher accepts exactly what its regex accepts.

use std::sync::OnceLock;

use base64::Engine as _;
use regex::Regex;

/// Encoding of a wire value whose decoded form has a format too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Standard Base64 with padding.
    Base64,
}

/// A named format of the spec.
#[derive(Debug)]
pub struct Format {
    /// Format id in the spec (`global_number`, `datetime`, …).
    pub id: &'static str,
    /// Regular expression the wire value matches.
    pub pattern: &'static str,
    /// Encoding of the wire value, if any.
    pub encoding: Option<Encoding>,
    /// Regular expression the decoded value matches.
    pub decoded_pattern: Option<&'static str>,
    /// One line describing the format.
    pub description: &'static str,
    compiled: OnceLock<Compiled>,
}

#[derive(Debug)]
struct Compiled {
    fast: Option<fn(&str) -> bool>,
    pattern: Regex,
    decoded: Option<Regex>,
}

impl Format {
    /// A format; regular expressions are compiled on first use.
    pub const fn new(
        id: &'static str,
        pattern: &'static str,
        encoding: Option<Encoding>,
        decoded_pattern: Option<&'static str>,
        description: &'static str,
    ) -> Format {
        Format {
            id,
            pattern,
            encoding,
            decoded_pattern,
            description,
            compiled: OnceLock::new(),
        }
    }

    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| Compiled {
            fast: fast_matcher(self.id),
            pattern: Regex::new(self.pattern).expect("spec check compiled this pattern"),
            decoded: self
                .decoded_pattern
                .map(|p| Regex::new(p).expect("spec check compiled this pattern")),
        })
    }

    /// Whether `s` has the format, using the hand-written matcher when there is one.
    #[inline]
    pub fn matches(&self, s: &str) -> bool {
        match self.compiled().fast {
            Some(f) => f(s),
            None => self.matches_by_regex(s),
        }
    }

    /// Whether a decoded value (the plain URL of a Base64 field) matches the decoded
    /// pattern; `true` for formats without one.
    pub fn decoded_matches(&self, plain: &str) -> bool {
        self.compiled()
            .decoded
            .as_ref()
            .is_none_or(|re| re.is_match(plain))
    }

    /// Whether `s` has the format, by the spec's regular expressions alone.
    pub fn matches_by_regex(&self, s: &str) -> bool {
        let Compiled {
            pattern: re,
            decoded,
            ..
        } = self.compiled();
        if !re.is_match(s) {
            return false;
        }
        match (self.encoding, decoded) {
            (Some(Encoding::Base64), Some(inner)) => base64::engine::general_purpose::STANDARD
                .decode(s)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .is_some_and(|t| inner.is_match(&t)),
            _ => true,
        }
    }
}

/// The hand-written matcher of a format id, if any.
pub fn fast_matcher(id: &str) -> Option<fn(&str) -> bool> {
    Some(match id {
        "global_number" => global_number,
        "datetime" => datetime,
        "created" => created,
        "nonce" => nonce,
        "digits" => digits,
        "user_data" => user_data,
        "template_para" => template_para,
        "base64_url" => base64_url,
        _ => return None,
    })
}

/// `^\+[0-9]{3,30}$`
fn global_number(s: &str) -> bool {
    let b = s.as_bytes();
    // Branch-free over the digits so the compiler can vectorise the loop.
    (4..=31).contains(&b.len())
        && b[0] == b'+'
        && b[1..].iter().fold(true, |ok, &c| ok & c.is_ascii_digit())
}

/// Digits and separators at the fixed places of `yyyy-MM-dd?HH:mm:ss`, shared by
/// datetime (`?` = space) and created (`?` = `T`).
fn dated(b: &[u8; 19], sep: u8) -> bool {
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    let digits = DIGITS
        .iter()
        .fold(true, |ok, &i| ok & b[i].is_ascii_digit());
    digits & (b[4] == b'-') & (b[7] == b'-') & (b[10] == sep) & (b[13] == b':') & (b[16] == b':')
}

/// `^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`
fn datetime(s: &str) -> bool {
    <&[u8; 19]>::try_from(s.as_bytes()).is_ok_and(|b| dated(b, b' '))
}

/// `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$`
fn created(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20 && b[19] == b'Z' && <&[u8; 19]>::try_from(&b[..19]).is_ok_and(|d| dated(d, b'T'))
}

/// `^[0-9A-Za-z]{1,128}$`
fn nonce(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// `^[0-9]+$`
fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// `^[^{}\p{Script=Han}]*$`
fn user_data(s: &str) -> bool {
    if s.is_ascii() {
        return !s.bytes().any(|c| c == b'{' || c == b'}');
    }
    !s.chars().any(|c| c == '{' || c == '}' || is_han(c))
}

/// `^[^${}]*$`
fn template_para(s: &str) -> bool {
    !s.bytes().any(|c| c == b'$' || c == b'{' || c == b'}')
}

/// `^[A-Za-z0-9+/]+={0,2}$`, decoding to `^[A-Za-z0-9:./-]+$`.
fn base64_url(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    if body.is_empty()
        || s.len() - body.len() > 2
        || !body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    {
        return false;
    }
    match base64::engine::general_purpose::STANDARD.decode(s) {
        Ok(bytes) => {
            !bytes.is_empty()
                && bytes
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || b":./-".contains(c))
        }
        Err(_) => false,
    }
}

/// Unicode Script=Han, as the `regex` crate's tables define it.
fn is_han(c: char) -> bool {
    static HAN: OnceLock<Regex> = OnceLock::new();
    let re = HAN.get_or_init(|| Regex::new(r"^\p{Script=Han}$").expect("valid"));
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equivalent(id: &'static str, pattern: &'static str, decoded: Option<&'static str>, s: &str) {
        let f = Format::new(id, pattern, decoded.map(|_| Encoding::Base64), decoded, "");
        assert_eq!(
            f.matches(s),
            f.matches_by_regex(s),
            "{id} disagrees with its regex on {s:?}"
        );
    }

    // The patterns below are the spec's (spec/voicecall.yaml); `spec_formats_have_equivalent_fast_paths`
    // in tests/generated.rs checks the generated copies against them too.
    proptest::proptest! {
        #[test]
        fn fast_matchers_agree_with_regexes(s in "[0-9+ TZ:\\-a-z{}$人中/=.]{0,34}") {
            equivalent("global_number", r"^\+[0-9]{3,30}$", None, &s);
            equivalent("datetime", r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$", None, &s);
            equivalent("created", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", None, &s);
            equivalent("nonce", r"^[0-9A-Za-z]{1,128}$", None, &s);
            equivalent("digits", r"^[0-9]+$", None, &s);
            equivalent("user_data", r"^[^{}\p{Script=Han}]*$", None, &s);
            equivalent("template_para", r"^[^${}]*$", None, &s);
        }

        #[test]
        fn base64_url_agrees_with_its_regexes(url in "[a-z0-9:./?=_-]{0,40}", pad in 0usize..3) {
            let enc = base64::engine::general_purpose::STANDARD.encode(&url);
            equivalent("base64_url", r"^[A-Za-z0-9+/]+={0,2}$", Some(r"^[A-Za-z0-9:./-]+$"), &enc);
            let raw = format!("{url}{}", "=".repeat(pad));
            equivalent("base64_url", r"^[A-Za-z0-9+/]+={0,2}$", Some(r"^[A-Za-z0-9:./-]+$"), &raw);
        }

        #[test]
        fn dates_agree(y in 0u32..10000, mo in 0u32..100, d in 0u32..100, h in 0u32..100, mi in 0u32..100, se in 0u32..100, sep in "[ T]", z in "Z?") {
            let s = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{se:02}{z}");
            equivalent("datetime", r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$", None, &s);
            equivalent("created", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", None, &s);
        }
    }
}
