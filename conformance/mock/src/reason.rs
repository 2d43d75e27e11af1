//! The `X-Mock-Reason` header's encoding. A reason quotes the reference (`4.2 表4-3
//! calleeNbr`) and the caller's own values, so it is any UTF-8; an HTTP header value is
//! visible ASCII (RFC 9110 §5.5). The reason is sent percent-encoded the way RFC 3986
//! encodes a URI component's UTF-8 bytes, but only where it must be: every byte outside
//! space..`~`, and `%` itself, becomes `%XX`, so an ASCII reason reads as it is and
//! [`decode`] gives back the exact text (`表` travels as `%E8%A1%A8`, not as `?`).

/// Most characters of a reason that are sent (the header stays bounded however long the
/// quoted value was).
pub const MAX_CHARS: usize = 400;

/// The header value of `reason`: its first [`MAX_CHARS`] characters, percent-encoded
/// where a header value cannot carry them.
pub fn encode(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut buf = [0u8; 4];
    for c in reason.chars().take(MAX_CHARS) {
        if c != '%' && (' '..='~').contains(&c) {
            out.push(c);
        } else {
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The reason an `X-Mock-Reason` value carries (the inverse of [`encode`]). A `%` not
/// followed by two hex digits is kept as it is; bytes that are not UTF-8 become U+FFFD.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_survives_the_round_trip_and_ascii_stays_readable() {
        let reason =
            "$.calleeNbr [length] 33 characters, allowed 1..=32 (4.2 表4-3 calleeNbr) 100%";
        let sent = encode(reason);
        assert!(sent.bytes().all(|b| (b' '..=b'~').contains(&b)), "{sent}");
        assert!(
            sent.contains("(4.2 %E8%A1%A84-3 calleeNbr) 100%25"),
            "{sent}"
        );
        assert_eq!(decode(&sent), reason);
        assert!(http_header_accepts(&sent));
    }

    #[test]
    fn controls_and_long_reasons_are_bounded_and_encoded() {
        let reason = format!("a\r\nb\u{7f}{}", "é".repeat(1000));
        let sent = encode(&reason);
        assert!(!sent.contains('\r') && !sent.contains('\n'), "{sent}");
        let back = decode(&sent);
        assert_eq!(back.chars().count(), MAX_CHARS);
        assert!(back.starts_with("a\r\nb\u{7f}é"));
    }

    #[test]
    fn stray_percent_signs_are_kept() {
        assert_eq!(decode("50% off %4"), "50% off %4");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    fn http_header_accepts(v: &str) -> bool {
        axum::http::HeaderValue::from_str(v)
            .map(|h| h.to_str().is_ok())
            .unwrap_or(false)
    }
}
