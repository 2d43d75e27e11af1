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
    let value = value.trim();
    let (token, mut rest) = match value.find(|c: char| c.is_whitespace() || c == '=' || c == ',') {
        Some(i) if !value[i..].starts_with('=') && !value[i..].trim_start().starts_with('=') => {
            (Some(&value[..i]), value[i..].trim_start())
        }
        None if !value.is_empty() => (Some(value), ""),
        _ => (None, value),
    };
    let mut attributes = Vec::new();
    while !rest.is_empty() {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim();
        rest = rest[eq + 1..].trim_start();
        let val;
        if let Some(after) = rest.strip_prefix('"') {
            match after.find('"') {
                Some(end) => {
                    val = &after[..end];
                    rest = &after[end + 1..];
                }
                None => {
                    val = after;
                    rest = "";
                }
            }
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            val = rest[..end].trim();
            rest = &rest[end..];
        }
        if !name.is_empty() {
            attributes.push((name, val));
        }
    }
    ParsedHeader { token, attributes }
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
