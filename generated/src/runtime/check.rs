//! Primitive checks. Each returns `None` when the value passes and a description of
//! the breach otherwise, so that generated code allocates only for violations.

/// Unit in which a length limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    /// Unicode scalar values.
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

/// Checks `min <= length(s) <= max`.
///
/// Character counts are only computed when the byte length cannot decide: a string of
/// `n` bytes has between `n / 4` and `n` characters, so most values never need counting.
#[inline]
pub fn check_length(s: &str, min: usize, max: usize, unit: LengthUnit) -> Option<String> {
    let bytes = s.len();
    let n = match unit {
        LengthUnit::Bytes => bytes,
        LengthUnit::Chars => {
            // bytes ≤ max ⇒ chars ≤ max, and bytes ≥ 4·min ⇒ chars ≥ min.
            if bytes <= max && bytes >= min.saturating_mul(4) {
                return None;
            }
            s.chars().count()
        }
    };
    if n < min || n > max {
        let unit = match unit {
            LengthUnit::Chars => "characters",
            LengthUnit::Bytes => "bytes",
        };
        Some(format!("length {min}..={max} {unit}, found {n}"))
    } else {
        None
    }
}

/// Checks `min <= v <= max`.
#[inline]
pub fn check_range(v: i64, min: i64, max: i64) -> Option<String> {
    (v < min || v > max).then(|| format!("range {min}..={max}, found {v}"))
}

/// Checks `min <= n <= max` items.
#[inline]
pub fn check_items(n: usize, min: usize, max: usize) -> Option<String> {
    (n < min || n > max).then(|| format!("{min}..={max} items, found {n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_or_bytes() {
        let han = "人".repeat(32);
        assert_eq!(check_length(&han, 1, 32, LengthUnit::Chars), None);
        assert!(check_length(&han, 1, 32, LengthUnit::Bytes).is_some());
        let long = "人".repeat(33);
        assert_eq!(
            check_length(&long, 1, 32, LengthUnit::Chars).unwrap(),
            "length 1..=32 characters, found 33"
        );
        assert_eq!(
            check_length("", 1, 32, LengthUnit::Chars).unwrap(),
            "length 1..=32 characters, found 0"
        );
        assert_eq!(
            check_length("ab", 4, 31, LengthUnit::Chars).unwrap(),
            "length 4..=31 characters, found 2"
        );
        // 2 characters, 6 bytes: the byte length alone would pass a 4..=31 limit.
        assert_eq!(
            check_length("人人", 4, 31, LengthUnit::Chars).unwrap(),
            "length 4..=31 characters, found 2"
        );
        assert_eq!(check_length("人人人人", 4, 31, LengthUnit::Chars), None);
    }

    proptest::proptest! {
        #[test]
        fn fast_path_agrees_with_counting(s in "\\PC{0,40}", min in 0usize..12, span in 0usize..30) {
            let max = min + span;
            let n = s.chars().count();
            proptest::prop_assert_eq!(check_length(&s, min, max, LengthUnit::Chars).is_none(), n >= min && n <= max);
        }
    }
}
