//! A regular expression that matches exactly the canonical padded Base64 (RFC 4648 §4,
//! trailing bits zero) of a non-empty string over a set of ASCII bytes.
//!
//! `statusUrl`/`feeUrl` are Base64 of a URL made of `[A-Za-z0-9:./-]` (§4.2 表4-3).
//! The spec's wire pattern `^[A-Za-z0-9+/]+={0,2}$` admits `"0"` and `"AAAA"`, which the
//! generated validator (and so the mock) refuses, so a tool that generates values from
//! the schema (Schemathesis, Prism) sends values the platform refuses. The language is
//! regular, though: each 4-character group encodes 3 bytes, and each Base64 character
//! depends only on the bits of the one before it. This module prints that language with
//! character classes, groups and alternation only, so ECMA-262 (no flags), Python `re` and
//! Rust `regex` compile it alike.

/// The Base64 alphabet, index = 6-bit value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The decoded alphabet of a decoded pattern of the form `^[…]+$`: every ASCII byte the
/// pattern accepts on its own. `None` when the pattern has another form (then no exact
/// wire pattern is printed) or accepts a non-ASCII character.
pub fn decoded_alphabet(decoded_pattern: &str) -> Option<[bool; 128]> {
    let inner = decoded_pattern.strip_prefix("^[")?.strip_suffix("]+$")?;
    if inner.contains(['[', ']']) {
        return None;
    }
    let one = regex::Regex::new(&format!("^[{inner}]$")).ok()?;
    let mut set = [false; 128];
    for (b, slot) in set.iter_mut().enumerate() {
        *slot = one.is_match(&char::from(b as u8).to_string());
    }
    // A class that accepts something beyond ASCII cannot be told by byte.
    let beyond = regex::Regex::new(&format!("[{inner}]")).ok()?;
    if ['\u{80}', '\u{a0}', '\u{4e00}', '\u{ffff}', '\u{10000}']
        .iter()
        .any(|c| beyond.is_match(&c.to_string()))
    {
        return None;
    }
    set.iter().any(|b| *b).then_some(set)
}

/// A character class of the Base64 characters with the given 6-bit values.
fn class(values: impl IntoIterator<Item = u8>) -> String {
    let mut chars: Vec<u8> = values.into_iter().map(|v| ALPHABET[v as usize]).collect();
    chars.sort_unstable();
    chars.dedup();
    let mut out = String::from("[");
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j + 1 < chars.len() && chars[j + 1] == chars[j] + 1 {
            j += 1;
        }
        out.push(char::from(chars[i]));
        if j > i + 1 {
            out.push('-');
        }
        if j > i {
            out.push(char::from(chars[j]));
        }
        i = j + 1;
    }
    out.push(']');
    out
}

fn alternation(parts: Vec<String>) -> String {
    match parts.len() {
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => format!("(?:{})", parts.join("|")),
    }
}

/// Groups `keys` by the value `f` gives them (in first-seen order), skipping empty values.
fn group_by<K: Copy, V: PartialEq + Clone>(
    keys: impl IntoIterator<Item = K>,
    f: impl Fn(K) -> V,
    empty: impl Fn(&V) -> bool,
) -> Vec<(V, Vec<K>)> {
    let mut groups: Vec<(V, Vec<K>)> = Vec::new();
    for k in keys {
        let v = f(k);
        if empty(&v) {
            continue;
        }
        match groups.iter_mut().find(|(g, _)| *g == v) {
            Some((_, ks)) => ks.push(k),
            None => groups.push((v, vec![k])),
        }
    }
    groups
}

/// The exact wire pattern (anchored) for Base64 of a non-empty string over `set`.
pub fn exact(set: &[bool; 128]) -> String {
    let ok = |b: u16| b < 128 && set[b as usize];
    // Bits of byte 1 a first character leaves open (its low 2 bits), given the character.
    let low2 = |c1: u8| -> Vec<u8> {
        (0..4)
            .filter(|x| ok(u16::from(c1) << 2 | u16::from(*x)))
            .collect()
    };
    // Low 4 bits allowed for a byte whose high 4 bits are h.
    let low4 = |h: u8| -> Vec<u8> {
        (0..16)
            .filter(|l| ok(u16::from(h) << 4 | u16::from(*l)))
            .collect()
    };
    // Low 6 bits allowed for a byte whose high 2 bits are h.
    let low6 = |h: u8| -> Vec<u8> {
        (0..64)
            .filter(|l| ok(u16::from(h) << 6 | u16::from(*l)))
            .collect()
    };
    let firsts = group_by(0..64u8, low2, Vec::is_empty);
    let seconds = group_by(0..16u8, low4, Vec::is_empty);
    // Characters 3 and 4 of a full group, given the low 4 bits byte 2 may have.
    let tail = |ls: &[u8]| {
        alternation(
            (0..4u8)
                .filter(|hb| !low6(*hb).is_empty())
                .map(|hb| {
                    format!(
                        "{}{}",
                        class(ls.iter().map(|l| l << 2 | hb)),
                        class(low6(hb))
                    )
                })
                .collect(),
        )
    };
    let mut full = Vec::new();
    let mut one = Vec::new();
    let mut two = Vec::new();
    for (l2, c1s) in &firsts {
        let c1 = class(c1s.iter().copied());
        let mut rest = Vec::new();
        let mut rest_two = Vec::new();
        for (l4, hs) in &seconds {
            let c2 = class(l2.iter().flat_map(|x| hs.iter().map(move |h| x << 4 | h)));
            rest.push(format!("{c2}{}", tail(l4)));
            rest_two.push(format!("{c2}{}=", class(l4.iter().map(|l| l << 2))));
        }
        full.push(format!("{c1}{}", alternation(rest)));
        two.push(format!("{c1}{}", alternation(rest_two)));
        one.push(format!("{c1}{}==", class(l2.iter().map(|x| x << 4))));
    }
    let group = alternation(full);
    format!(
        "^(?:{group})*(?:{group}|{}|{})$",
        alternation(two),
        alternation(one)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn url_set() -> [bool; 128] {
        decoded_alphabet("^[A-Za-z0-9:./-]+$").expect("a class")
    }

    /// What the generated validator checks: canonical Base64 of a non-empty string of
    /// bytes from the set.
    fn reference(set: &[bool; 128], s: &str) -> bool {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .is_ok_and(|b| !b.is_empty() && b.iter().all(|c| *c < 128 && set[*c as usize]))
    }

    #[test]
    fn alphabet_of_a_class_and_none_otherwise() {
        let set = url_set();
        let chars: String = (0u8..128)
            .filter(|b| set[*b as usize])
            .map(char::from)
            .collect();
        assert_eq!(
            chars,
            "-./0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        );
        assert!(decoded_alphabet("^[a-z]*$").is_none());
        assert!(decoded_alphabet("^(?:ab)+$").is_none());
        assert!(decoded_alphabet("^[^a]+$").is_none(), "admits non-ASCII");
    }

    #[test]
    fn matches_exactly_what_the_validator_accepts() {
        let set = url_set();
        let re = regex::Regex::new(&exact(&set)).expect("compiles");
        let enc = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        // Every string of 1 and 2 bytes, and a deterministic spread of 3 to 9 bytes,
        // over all 128 ASCII bytes: the pattern agrees with the decoder each time.
        let mut inputs: Vec<Vec<u8>> = (0..128u8).map(|a| vec![a]).collect();
        inputs.extend((0..128u8).flat_map(|a| (0..128u8).map(move |b| vec![a, b])));
        let mut x: u32 = 12345;
        for n in 0..20_000u32 {
            let len = 3 + (n % 7) as usize;
            let v: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    let b = (x >> 16) as u8 & 0x7f;
                    // Mostly bytes of the set, so accepted values are common too.
                    if n % 3 == 0 {
                        b
                    } else {
                        b"aZ9:./-"[(b % 7) as usize]
                    }
                })
                .collect();
            inputs.push(v);
        }
        let mut accepted = 0;
        for v in &inputs {
            let s = enc(v);
            assert_eq!(re.is_match(&s), reference(&set, &s), "{s} ({v:?})");
            accepted += usize::from(re.is_match(&s));
        }
        assert!(accepted > 5_000, "{accepted}");
        // Wire strings that are not canonical Base64 at all.
        for s in [
            "",
            "0",
            "AAAA",
            "QR==",
            "QQ=",
            "QQ",
            "QUJD=",
            "====",
            "aHR0cA===",
        ] {
            assert_eq!(re.is_match(s), reference(&set, s), "{s}");
            assert!(!re.is_match(s), "{s}");
        }
        assert!(re.is_match("aHR0cHM6Ly9leGFtcGxlLmNvbTo0NDMvc3RhdHVz"));
    }
}
