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

/// The canonical form first: `TOKEN n0="v0",n1="v1",…` with the attributes in the given
/// order (a space after each comma allowed), as the reference prints it and as
/// [`crate::auth::sign_request`] writes it. `None` (slots untouched) when the header
/// differs in any way; the caller then falls back to the tolerant [`parse_into`].
pub(crate) fn parse_canonical<'a>(
    value: &'a str,
    token: &str,
    names: &[&str],
    slots: &mut [Option<&'a str>],
) -> bool {
    let Some(mut rest) = value.strip_prefix(token).and_then(|r| r.strip_prefix(' ')) else {
        return false;
    };
    let mut found: [Option<&'a str>; 8] = [None; 8];
    for (k, name) in names.iter().enumerate().take(8) {
        if k > 0 {
            let Some(r) = rest.strip_prefix(',') else {
                return false;
            };
            rest = r.strip_prefix(' ').unwrap_or(r);
        }
        let Some(r) = rest.strip_prefix(name).and_then(|r| r.strip_prefix("=\"")) else {
            return false;
        };
        let Some(end) = r.find('"') else { return false };
        found[k] = Some(&r[..end]);
        rest = &r[end + 1..];
    }
    if !rest.is_empty() {
        return false;
    }
    for (slot, f) in slots.iter_mut().zip(found) {
        *slot = f;
    }
    true
}

/// One step of a scan's loops: false once `budget` is spent. Every loop of [`scan`]
/// takes a step per iteration, so the scan ends after at most [`budget_for`] steps even
/// if a loop stopped advancing (a defect, or a mutant under mutation testing): the
/// bound is what makes "one pass" checkable rather than assumed.
fn tick(budget: &mut usize) -> bool {
    match budget.checked_sub(1) {
        Some(left) => {
            *budget = left;
            true
        }
        None => false,
    }
}

/// Steps a scan of `n` bytes may take: each byte is passed at most twice (once by the
/// loop reading it, once by a loop trimming white space back from it) and each of the
/// outer loop's iterations passes at least one byte; the rest is slack.
fn budget_for(n: usize) -> usize {
    n.saturating_mul(4).saturating_add(16)
}

/// One pass over the bytes, calling `attribute(name, value)` for each attribute and
/// returning the token; every delimiter is ASCII, so every slice falls on a character
/// boundary. Never panics; every loop is bounded (see [`tick`]).
fn scan<'a>(value: &'a str, attribute: impl FnMut(&'a str, &'a str)) -> Option<&'a str> {
    scan_counted(value, attribute).0
}

/// [`scan`], also returning the steps of the budget left over (a well-formed header
/// leaves most of it: the scan stops at the end of the bytes, not when the budget is
/// spent; test `a_scan_stops_at_the_end_not_at_the_budget`).
fn scan_counted<'a>(
    value: &'a str,
    mut attribute: impl FnMut(&'a str, &'a str),
) -> (Option<&'a str>, usize) {
    let b = value.as_bytes();
    let n = b.len();
    let mut left = budget_for(n);
    let budget = &mut left;
    let is_ws = |c: u8| c == b' ' || c == b'\t';
    let mut i = 0;
    while i < n && is_ws(b[i]) && tick(budget) {
        i += 1;
    }
    let mut token = None;
    let start = i;
    while i < n && !is_ws(b[i]) && b[i] != b'=' && b[i] != b',' && tick(budget) {
        i += 1;
    }
    let mut j = i;
    while j < n && is_ws(b[j]) && tick(budget) {
        j += 1;
    }
    if i > start && (j == n || b[j] != b'=') {
        token = Some(&value[start..i]);
    } else {
        i = start;
    }
    while i < n && tick(budget) {
        while i < n && (is_ws(b[i]) || b[i] == b',') && tick(budget) {
            i += 1;
        }
        let key_start = i;
        while i < n && b[i] != b'=' && b[i] != b',' && tick(budget) {
            i += 1;
        }
        if i == n || b[i] == b',' {
            continue; // no '=': not an attribute
        }
        let mut key_end = i;
        while key_end > key_start && is_ws(b[key_end - 1]) && tick(budget) {
            key_end -= 1;
        }
        i += 1;
        while i < n && is_ws(b[i]) && tick(budget) {
            i += 1;
        }
        let (val_start, val_end);
        if i < n && b[i] == b'"' {
            val_start = i + 1;
            i = val_start;
            while i < n && b[i] != b'"' && tick(budget) {
                i += 1;
            }
            val_end = i;
            i = (i + 1).min(n);
        } else {
            val_start = i;
            while i < n && b[i] != b',' && tick(budget) {
                i += 1;
            }
            let mut e = i;
            while e > val_start && is_ws(b[e - 1]) && tick(budget) {
                e -= 1;
            }
            val_end = e;
        }
        if key_end > key_start {
            attribute(&value[key_start..key_end], &value[val_start..val_end]);
        }
    }
    (token, left)
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
        // Attributes separated by white space only, after a quoted value.
        let spaced = parse_header(r#"T a="x" b="y" c=z"#);
        assert_eq!(
            (spaced.get("a"), spaced.get("b"), spaced.get("c")),
            (Some("x"), Some("y"), Some("z"))
        );
        // White space before the token (a value not trimmed by the HTTP layer).
        let led = parse_header(" \t UsernameToken Username=\"k\"");
        assert_eq!(
            (led.token, led.get("Username")),
            (Some("UsernameToken"), Some("k"))
        );
        let no_token = parse_header(r#"Username="k",Nonce="n""#);
        assert_eq!(
            (no_token.token, no_token.get("Username")),
            (None, Some("k"))
        );
    }

    #[test]
    fn canonical_form_is_read_directly_and_anything_else_is_refused() {
        let names = ["Username", "PasswordDigest", "Nonce", "Created"];
        let mut slots = [None; 4];
        assert!(parse_canonical(
            r#"UsernameToken Username="k",PasswordDigest="d=",Nonce="n", Created="c""#,
            "UsernameToken",
            &names,
            &mut slots
        ));
        assert_eq!(slots, [Some("k"), Some("d="), Some("n"), Some("c")]);
        let mut untouched = [None; 4];
        for other in [
            r#"UsernameToken Nonce="n",Username="k",PasswordDigest="d",Created="c""#,
            r#"UsernameToken Username="k",PasswordDigest="d",Nonce="n",Created="c",x="1""#,
            r#"UsernameToken Username=k,PasswordDigest="d",Nonce="n",Created="c""#,
        ] {
            assert!(
                !parse_canonical(other, "UsernameToken", &names, &mut untouched),
                "{other}"
            );
        }
        assert_eq!(untouched, [None; 4]);
    }

    /// The scan ends when the bytes do: each byte costs a step or two, so a header,
    /// canonical or spaced, leaves at least a quarter of its budget unspent.
    #[test]
    fn a_scan_stops_at_the_end_not_at_the_budget() {
        for h in [
            r#"UsernameToken Username="k",PasswordDigest="d",Nonce="n",Created="2018-02-12T15:30:20Z""#,
            r#"AKSK realm="SDP", profile="UsernameToken", type="Appkey""#,
            " a = b , c=d ,, ",
            "",
        ] {
            let (_, left) = scan_counted(h, |_, _| {});
            assert!(
                left >= budget_for(h.len()) / 4,
                "{h:?}: {left} of {} steps left",
                budget_for(h.len())
            );
        }
    }

    /// No token: the header is empty, or starts with a delimiter.
    #[test]
    fn an_empty_first_word_is_no_token() {
        assert_eq!(parse_header("").token, None);
        assert_eq!(parse_header(r#",Username="k""#).token, None);
        assert_eq!(parse_header(r#"=x"#).token, None);
        assert_eq!(parse_header(r#",Username="k""#).get("Username"), Some("k"));
        // An attribute without a name is not one.
        assert_eq!(parse_header(r#"T a=b, ="x""#).attributes, vec![("a", "b")]);
    }

    #[test]
    fn the_budget_never_cuts_a_header_short() {
        // White space around every delimiter: the scan passes those bytes twice.
        let spaced = " a = b ,".repeat(300);
        let p = parse_header(&spaced);
        assert_eq!(p.attributes.len(), 300);
        assert_eq!(p.attributes[299], ("a", "b"));
        let quoted = r#"  k = "v, w" ,"#.repeat(200);
        assert_eq!(parse_header(&quoted).attributes.len(), 200);
        let mut b = 1;
        assert!(tick(&mut b));
        assert!(!tick(&mut b));
        assert_eq!(b, 0);
    }

    proptest::proptest! {
        /// On every header the canonical reader accepts, it agrees with the tolerant one.
        #[test]
        fn canonical_agrees_with_tolerant(v in proptest::collection::vec("[A-Za-z0-9+/=: ,-]{0,12}", 4), space in proptest::bool::ANY) {
            let names = ["Username", "PasswordDigest", "Nonce", "Created"];
            let sep = if space { ", " } else { "," };
            let header = format!("UsernameToken Username=\"{}\"{sep}PasswordDigest=\"{}\"{sep}Nonce=\"{}\"{sep}Created=\"{}\"", v[0], v[1], v[2], v[3]);
            let (mut fast, mut slow) = ([None; 4], [None; 4]);
            if parse_canonical(&header, "UsernameToken", &names, &mut fast) {
                let token = parse_into(&header, &names, &mut slow);
                proptest::prop_assert_eq!(token, Some("UsernameToken"));
                proptest::prop_assert_eq!(fast, slow);
            }
        }

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
