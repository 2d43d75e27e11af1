//! Tolerant parsing of `Authorization` and `X-AKSK`: real clients differ in attribute
//! order, white space after commas, quoting and the case of attribute names. Never
//! panics, whatever the bytes.

/// A header split into its leading token and `name=value` attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedHeader<'a> {
    /// The first word (`AKSK`, `UsernameToken`), if the header starts with one.
    pub token: Option<&'a str>,
    /// Attributes in the order sent; quotes removed.
    pub attributes: Vec<(&'a str, &'a str)>,
}

impl<'a> ParsedHeader<'a> {
    /// The value of attribute `name` (case-insensitive name, first occurrence).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// Splits `TOKEN a="1", b=2,c="x,y"` into a token and attributes. A header that starts
/// with an attribute (`Username="…"`) has no token.
pub fn parse_header(value: &str) -> ParsedHeader<'_> {
    let mut attributes = Vec::with_capacity(4);
    let token = scan(value, |k, v| attributes.push((k, v)));
    ParsedHeader { token, attributes }
}

/// Like [`parse_header`] without allocating: each attribute whose name matches one of
/// `names` (case-insensitive; first occurrence wins) lands in the same slot of `slots`.
pub(crate) fn parse_into<'a>(
    value: &'a str,
    names: &[&str],
    slots: &mut [Option<&'a str>],
) -> Option<&'a str> {
    scan(value, |k, v| {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(k)) {
            if slots[i].is_none() {
                slots[i] = Some(v);
            }
        }
    })
}

/// One pass over the bytes, calling `attribute(name, value)` for each attribute and
/// returning the token; every delimiter is ASCII, so every slice falls on a character
/// boundary. Never panics.
fn scan<'a>(value: &'a str, mut attribute: impl FnMut(&'a str, &'a str)) -> Option<&'a str> {
    let b = value.as_bytes();
    let n = b.len();
    let is_ws = |c: u8| c == b' ' || c == b'\t';
    let mut i = 0;
    while i < n && is_ws(b[i]) {
        i += 1;
    }
    let mut token = None;
    let start = i;
    while i < n && !is_ws(b[i]) && b[i] != b'=' && b[i] != b',' {
        i += 1;
    }
    let mut j = i;
    while j < n && is_ws(b[j]) {
        j += 1;
    }
    if i > start && (j == n || b[j] != b'=') {
        token = Some(&value[start..i]);
    } else {
        i = start;
    }
    while i < n {
        while i < n && (is_ws(b[i]) || b[i] == b',') {
            i += 1;
        }
        let key_start = i;
        while i < n && b[i] != b'=' && b[i] != b',' {
            i += 1;
        }
        if i == n || b[i] == b',' {
            continue; // no '=': not an attribute
        }
        let mut key_end = i;
        while key_end > key_start && is_ws(b[key_end - 1]) {
            key_end -= 1;
        }
        i += 1;
        while i < n && is_ws(b[i]) {
            i += 1;
        }
        let (val_start, val_end);
        if i < n && b[i] == b'"' {
            val_start = i + 1;
            i = val_start;
            while i < n && b[i] != b'"' {
                i += 1;
            }
            val_end = i;
            i = (i + 1).min(n);
        } else {
            val_start = i;
            while i < n && b[i] != b',' {
                i += 1;
            }
            let mut e = i;
            while e > val_start && is_ws(b[e - 1]) {
                e -= 1;
            }
            val_end = e;
        }
        if key_end > key_start {
            attribute(&value[key_start..key_end], &value[val_start..val_end]);
        }
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_order_spaces_and_quotes() {
        let p = parse_header(
            r#"UsernameToken Nonce=abc, Username="k",Created="2018-02-12T15:30:20Z",  PasswordDigest="a+b/c=""#,
        );
        assert_eq!(p.token, Some("UsernameToken"));
        assert_eq!(p.get("username"), Some("k"));
        assert_eq!(p.get("Nonce"), Some("abc"));
        assert_eq!(p.get("PasswordDigest"), Some("a+b/c="));
        let a = parse_header(r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#);
        assert_eq!(
            (a.token, a.get("realm"), a.get("type")),
            (Some("AKSK"), Some("SDP"), Some("Appkey"))
        );
        let no_token = parse_header(r#"Username="k",Nonce="n""#);
        assert_eq!(
            (no_token.token, no_token.get("Username")),
            (None, Some("k"))
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let s = String::from_utf8_lossy(&bytes);
            let _ = parse_header(&s);
        }

        #[test]
        fn never_panics_on_header_like_text(s in "[A-Za-z =\",]{0,80}") {
            let _ = parse_header(&s);
        }
    }
}
