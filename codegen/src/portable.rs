//! Regular expressions every JSON Schema tool can compile.
//!
//! The spec writes formats in Rust `regex` syntax, which allows Unicode classes such as
//! `\p{Script=Han}`. ECMA-262 accepts those only with the `u` flag, which JSON Schema
//! does not set, and Python's `re` not at all; openapi-spec-validator 0.9 and
//! Schemathesis reject the document. So the schemas get the same expression printed
//! with explicit code-point ranges (`\uXXXX`), in the syntax the three share.
//!
//! One limit: without the `u` flag an ECMA-262 class cannot name a code point above
//! U+FFFF. A class that excludes such code points (`[^…]`) is printed without them —
//! the schema is then looser than the validator for those characters, never stricter
//! — and the result says so (`lossy`), for an `x-` note beside the pattern.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A pattern in the common subset of ECMA-262 (no flags), Python `re` and Rust `regex`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portable {
    /// The pattern.
    pub pattern: String,
    /// Whether code points above U+FFFF had to be left out of a class (see the module doc).
    pub lossy: bool,
}

/// `pattern` (Rust `regex` syntax) in the common subset: as written when it already is
/// (ASCII, no class escapes, no groups with flags), else printed from its parse.
pub fn portable(pattern: &str) -> Result<Portable, String> {
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    let escapes_ok = pattern
        .split('\\')
        .skip(1)
        .all(|after| after.starts_with(|c: char| c.is_ascii_punctuation()));
    if pattern.is_ascii() && escapes_ok && !pattern.contains("(?") {
        return Ok(Portable {
            pattern: pattern.to_string(),
            lossy: false,
        });
    }
    let mut out = Portable {
        pattern: String::new(),
        lossy: false,
    };
    print(&hir, &mut out)?;
    Ok(out)
}

const MAX: u32 = 0x10FFFF;

fn print(hir: &Hir, out: &mut Portable) -> Result<(), String> {
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0).map_err(|_| "a byte literal".to_string())?;
            for c in text.chars() {
                literal(c, false, out)?;
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(u32, u32)> = class
                .ranges()
                .iter()
                .map(|r| (r.start() as u32, r.end() as u32))
                .collect();
            let size: u64 = ranges.iter().map(|(a, b)| u64::from(b - a + 1)).sum();
            // A class of most of Unicode is printed as the complement of what it leaves out.
            let (negated, ranges) = if size > u64::from(MAX) / 2 {
                (true, complement(&ranges))
            } else {
                (false, ranges)
            };
            let bmp: Vec<(u32, u32)> = ranges
                .iter()
                .filter(|(a, _)| *a <= 0xFFFF)
                .map(|(a, b)| (*a, (*b).min(0xFFFF)))
                .collect();
            if bmp.len() != ranges.len() || ranges.iter().any(|(_, b)| *b > 0xFFFF) {
                if !negated {
                    return Err("a class that includes code points above U+FFFF".into());
                }
                out.lossy = true;
            }
            out.pattern.push('[');
            if negated {
                out.pattern.push('^');
            }
            for (a, b) in bmp {
                class_char(a, out)?;
                if b > a {
                    out.pattern.push('-');
                    class_char(b, out)?;
                }
            }
            out.pattern.push(']');
        }
        HirKind::Class(Class::Bytes(_)) => return Err("a byte class".into()),
        HirKind::Look(Look::Start) => out.pattern.push('^'),
        HirKind::Look(Look::End) => out.pattern.push('$'),
        HirKind::Look(other) => return Err(format!("the assertion {other:?}")),
        HirKind::Repetition(rep) => {
            group(&rep.sub, out)?;
            let op = match (rep.min, rep.max) {
                (0, None) => "*".to_string(),
                (1, None) => "+".to_string(),
                (0, Some(1)) => "?".to_string(),
                (m, None) => format!("{{{m},}}"),
                (m, Some(n)) if m == n => format!("{{{m}}}"),
                (m, Some(n)) => format!("{{{m},{n}}}"),
            };
            out.pattern.push_str(&op);
            if !rep.greedy {
                out.pattern.push('?');
            }
        }
        HirKind::Capture(cap) => {
            out.pattern.push_str("(?:");
            print(&cap.sub, out)?;
            out.pattern.push(')');
        }
        HirKind::Concat(items) => {
            for h in items {
                match h.kind() {
                    HirKind::Alternation(_) => group(h, out)?,
                    _ => print(h, out)?,
                }
            }
        }
        HirKind::Alternation(items) => {
            for (i, h) in items.iter().enumerate() {
                if i > 0 {
                    out.pattern.push('|');
                }
                print(h, out)?;
            }
        }
    }
    Ok(())
}

/// `sub` as one atom for a repetition.
fn group(sub: &Hir, out: &mut Portable) -> Result<(), String> {
    let atom = match sub.kind() {
        HirKind::Class(_) | HirKind::Capture(_) => true,
        HirKind::Literal(l) => std::str::from_utf8(&l.0).is_ok_and(|t| t.chars().count() == 1),
        _ => false,
    };
    if atom {
        print(sub, out)
    } else {
        out.pattern.push_str("(?:");
        print(sub, out)?;
        out.pattern.push(')');
        Ok(())
    }
}

fn literal(c: char, _in_class: bool, out: &mut Portable) -> Result<(), String> {
    match c {
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => {
            out.pattern.push('\\');
            out.pattern.push(c);
        }
        ' '..='~' => out.pattern.push(c),
        c if (c as u32) <= 0xFFFF => out.pattern.push_str(&format!("\\u{:04X}", c as u32)),
        _ => return Err("a literal above U+FFFF".into()),
    }
    Ok(())
}

fn class_char(cp: u32, out: &mut Portable) -> Result<(), String> {
    let c = char::from_u32(cp).ok_or("a surrogate code point")?;
    match c {
        '\\' | ']' | '[' | '^' | '-' => {
            out.pattern.push('\\');
            out.pattern.push(c);
        }
        '!'..='~' => out.pattern.push(c),
        _ => out.pattern.push_str(&format!("\\u{cp:04X}")),
    }
    Ok(())
}

/// The code points of 0..=U+10FFFF (surrogates excluded) not in `ranges` (sorted).
fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(a, b) in ranges {
        if a > next {
            out.push((next, a - 1));
        }
        next = b + 1;
    }
    if next <= MAX {
        out.push((next, MAX));
    }
    // Surrogates are not characters: leave them out of the printed set.
    out.into_iter()
        .flat_map(|(a, b)| {
            if b < 0xD800 || a > 0xDFFF {
                vec![(a, b)]
            } else {
                let mut v = Vec::new();
                if a < 0xD800 {
                    v.push((a, 0xD7FF));
                }
                if b > 0xDFFF {
                    v.push((0xE000, b));
                }
                v
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_becomes_explicit_ranges_and_agrees_on_every_bmp_character() {
        let p = portable(r"^[^{}\p{Script=Han}]*$").unwrap();
        assert!(!p.pattern.contains("\\p"), "{}", p.pattern);
        assert!(
            p.pattern.starts_with("^[^") && p.pattern.ends_with("]*$"),
            "{}",
            p.pattern
        );
        assert!(p.lossy, "Han has code points above U+FFFF");
        let rust = regex::Regex::new(r"^[^{}\p{Script=Han}]*$").unwrap();
        let printed = regex::Regex::new(&p.pattern).unwrap();
        for cp in (0..=0xFFFFu32).filter_map(char::from_u32) {
            let s = cp.to_string();
            assert_eq!(
                rust.is_match(&s),
                printed.is_match(&s),
                "U+{:04X}",
                cp as u32
            );
        }
        // Above U+FFFF the printed pattern is looser, never stricter.
        for s in ["\u{20000}", "😀"] {
            assert!(printed.is_match(s));
        }
    }

    #[test]
    fn plain_patterns_stay_readable() {
        let cases = [
            (r"^\+[0-9]{3,30}$", r"^\+[0-9]{3,30}$"),
            (r"^[A-Za-z0-9+/]+={0,2}$", r"^[A-Za-z0-9+/]+={0,2}$"),
            (r"^[A-Za-z0-9:./-]+$", r"^[A-Za-z0-9:./-]+$"),
            // Class escapes and flags are printed out.
            (r"^[0-9]{2}(?i:x)$", r"^[0-9]{2}[Xx]$"),
            (r"^(ab|cd)?é$", r"^(?:ab|cd)?\u00E9$"),
        ];
        for (from, to) in cases {
            let p = portable(from).unwrap();
            assert!(p.pattern.starts_with(to), "{from} → {}", p.pattern);
            assert!(!p.lossy);
            let (a, b) = (
                regex::Regex::new(from).unwrap(),
                regex::Regex::new(&p.pattern).unwrap(),
            );
            for s in ["+861380000", "ab", "abé", "é", "12x", "12X", "١٢x", "a:/b"] {
                assert_eq!(
                    a.is_match(s),
                    b.is_match(s),
                    "{from} vs {} on {s}",
                    p.pattern
                );
            }
        }
        // Unicode \d has digits above U+FFFF, which a class without the u flag cannot name.
        assert!(
            portable(r"^\d$").is_err(),
            "an astral class cannot be printed"
        );
    }
}
