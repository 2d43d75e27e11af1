//! Checks of fields whose wire value is Base64 of a plain value (statusUrl, feeUrl),
//! worded in terms of the value the caller gave — the URL and its own length — rather
//! than its Base64 form, which the caller never wrote.
//!
//! The limits themselves stay those of the reference as read by erratum
//! `url-length-base64`: the length limit counts the Base64 wire value in bytes, the
//! character rule applies to the decoded URL.

use super::{decode_base64, Format};

/// Checks `min <= wire.len() <= max` (bytes of the Base64 wire value). When the wire
/// value decodes, the message gives the URL's own length, its Base64 length and the
/// longest URL that fits.
pub fn check_encoded_length(wire: &str, min: usize, max: usize) -> Option<String> {
    let n = wire.len();
    if n >= min && n <= max {
        return None;
    }
    Some(match decode_base64(wire) {
        Some(plain) => format!(
            "URL is {} bytes ({n} bytes once Base64-encoded); the limit is {min}..={max} bytes \
             of Base64, so a URL of at most {} bytes",
            plain.len(),
            max / 4 * 3
        ),
        None => format!("length {min}..={max} bytes, found {n}"),
    })
}

/// Checks the format of a Base64 wire value. When it decodes, the message quotes the
/// URL and the first character the format does not allow.
pub fn check_encoded_format(wire: &str, format: &Format) -> Option<String> {
    if format.matches(wire) {
        return None;
    }
    let Some(plain) = decode_base64(wire) else {
        return Some(format!(
            "{wire:?} is not {}: {}",
            format.id, format.description
        ));
    };
    let bad = plain
        .char_indices()
        .find(|(_, c)| !format.decoded_matches(c.encode_utf8(&mut [0; 4])));
    Some(match bad {
        Some((at, c)) => format!(
            "URL {plain:?} has {c:?} at byte {at}, which is not allowed: {}",
            format.description
        ),
        None => format!("URL {plain:?} is not allowed: {}", format.description),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::BASE64_URL;
    use crate::runtime::encode_base64;

    #[test]
    fn a_long_url_is_reported_in_its_own_length() {
        let url = format!("https://example.com/{}", "a".repeat(77));
        assert_eq!(url.len(), 97);
        let wire = encode_base64(&url);
        assert_eq!(
            check_encoded_length(&wire, 1, 128).unwrap(),
            "URL is 97 bytes (132 bytes once Base64-encoded); the limit is 1..=128 bytes of \
             Base64, so a URL of at most 96 bytes"
        );
        let fits = encode_base64(&url[..96]);
        assert_eq!(check_encoded_length(&fits, 1, 128), None);
        assert_eq!(
            check_encoded_length("", 1, 128).unwrap(),
            "URL is 0 bytes (0 bytes once Base64-encoded); the limit is 1..=128 bytes of \
             Base64, so a URL of at most 96 bytes"
        );
    }

    #[test]
    fn a_bad_character_is_named_in_the_url() {
        let wire = encode_base64("http://host/a_b?c");
        assert_eq!(
            check_encoded_format(&wire, &BASE64_URL).unwrap(),
            format!(
                "URL \"http://host/a_b?c\" has '_' at byte 13, which is not allowed: {}",
                BASE64_URL.description
            )
        );
        assert_eq!(
            check_encoded_format(&encode_base64("https://host:443/s"), &BASE64_URL),
            None
        );
        // Not Base64 at all: nothing to decode, so the wire value is quoted.
        assert!(check_encoded_format("https://x", &BASE64_URL)
            .unwrap()
            .starts_with("\"https://x\" is not base64_url"));
    }
}
