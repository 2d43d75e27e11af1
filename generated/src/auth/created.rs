//! The `Created` attribute: `yyyy-MM-ddTHH:mm:ssZ`. The reference calls it Beijing time
//! but writes a `Z` (erratum `created-timezone`); the spec reads it as UTC and offers a
//! lenient mode that also accepts Beijing wall-clock time written with `Z`.

use time::{format_description::FormatItem, macros::format_description, OffsetDateTime};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// Beijing time is UTC+8.
pub const BEIJING_OFFSET_SECONDS: i64 = 8 * 3600;

/// How a verifier reads `Created`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockMode {
    /// `Z` means UTC (ISO 8601; table 4-26).
    #[default]
    Strict,
    /// UTC, or Beijing wall-clock time written with `Z` (what many real clients send).
    Lenient,
}

/// `t` as `yyyy-MM-ddTHH:mm:ssZ` in UTC.
pub fn format_created(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(FORMAT).expect("a date formats")
}

/// Parses `yyyy-MM-ddTHH:mm:ssZ` as UTC; `None` when it has another shape or is not a
/// real date.
///
/// Reads the digits directly (property tests below prove it agrees with the spec's
/// `created` format and with `time`'s parser), which keeps verification fast.
pub fn parse_created(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(created_unix(s)?).ok()
}

/// [`parse_created`] as Unix seconds, without building a date: one pass over the 20
/// bytes (shape, digits and calendar), then days since 1970 by the civil-calendar
/// formula.
pub(crate) fn created_unix(s: &str) -> Option<i64> {
    /// XOR with this turns each digit into its value (`0`–`9` are 0x30–0x39) and each
    /// separator in its place into 0.
    const SHAPE: &[u8; 20] = b"0000-00-00T00:00:00Z";
    /// The largest byte allowed after the XOR: 9 where a digit goes, 0 at a separator.
    const LIMIT: [u8; 20] = [9, 9, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 0, 9, 9, 0];
    let b: &[u8; 20] = s.as_bytes().try_into().ok()?;
    let x: [u8; 20] = std::array::from_fn(|i| b[i] ^ SHAPE[i]);
    // Every byte at once, no early exit, so the check vectorises.
    if !x
        .iter()
        .zip(LIMIT)
        .fold(true, |ok, (&v, max)| ok & (v <= max))
    {
        return None;
    }
    let two = |i: usize| u32::from(x[i]) * 10 + u32::from(x[i + 1]);
    let year = two(0) * 100 + two(2);
    let (month, day) = (two(5), two(8));
    let (hour, minute, second) = (two(11), two(14), two(17));
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date of year 0 to 9999 (H. Hinnant's
/// `days_from_civil`, with the year moved 400 years on so every term is non-negative).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = year + 400 - u32::from(month <= 2);
    let m = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let days = y * 365 + y / 4 - y / 100 + y / 400 + day_of_year;
    i64::from(days) - 719_468 - 146_097
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_created("2018-02-12T15:30:20Z").unwrap();
        assert_eq!(format_created(t), "2018-02-12T15:30:20Z");
        assert_eq!(parse_created("2018-02-12 15:30:20"), None);
        assert_eq!(parse_created("2018-02-12T15:30:20+08:00"), None);
        assert_eq!(parse_created("2018-02-30T15:30:20Z"), None);
        assert_eq!(parse_created("2018-02-12T24:30:20Z"), None);
    }

    /// Each separator checked on its own: any one of them replaced (by a digit, which
    /// the digit reads never look at) makes the value malformed.
    #[test]
    fn every_separator_is_checked() {
        let good = "2018-02-12T15:30:20Z";
        for i in [4, 7, 10, 13, 16, 19] {
            let mut b = good.as_bytes().to_vec();
            b[i] = b'0';
            let s = String::from_utf8(b).unwrap();
            assert_eq!(parse_created(&s), None, "{s}");
        }
    }

    /// Defects are counted, not toggled: two (or any number) are refused as one is.
    #[test]
    fn two_defects_are_refused() {
        for s in [
            "2018/02/12T15:30:20Z",
            "2018-02-12 15.30:20Z",
            "2018-02-12T15:30:2::",
            "2O18-02-12T15:30:2OZ",
            "2018.02.12T15.30.20Z",
        ] {
            assert_eq!(parse_created(s), None, "{s}");
        }
    }

    /// 29 February exists in leap years only: every 4th year, but not every 100th,
    /// but every 400th.
    #[test]
    fn leap_days_follow_the_gregorian_rule() {
        for (year, leap) in [
            (2024, true),
            (2023, false),
            (1900, false),
            (2100, false),
            (2000, true),
            (2400, true),
            (4, true),
            (0, true),
        ] {
            let s = format!("{year:04}-02-29T00:00:00Z");
            assert_eq!(parse_created(&s).is_some(), leap, "{s}");
            assert!(parse_created(&format!("{year:04}-02-28T00:00:00Z")).is_some());
        }
    }

    /// A digit is `0`–`9` only: `:` (the byte after `9`) in a digit's place is refused.
    #[test]
    fn the_byte_after_nine_is_no_digit() {
        assert_eq!(parse_created("2018-02-12T15:30:2:Z"), None);
        assert_eq!(parse_created("2018-02-12T15:3::20Z"), None);
        assert!(parse_created("2018-02-12T15:30:29Z").is_some());
    }
}

#[cfg(test)]
mod agree {
    use super::*;
    use time::PrimitiveDateTime;

    proptest::proptest! {
        /// The hand parser accepts exactly what `time`'s parser accepts, with the same result.
        #[test]
        fn matches_the_time_crate(y in 1900u32..2100, mo in 0u32..14, d in 0u32..33, h in 0u32..25, mi in 0u32..61, se in 0u32..61) {
            let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z");
            let by_time = PrimitiveDateTime::parse(&s, FORMAT).ok().map(PrimitiveDateTime::assume_utc);
            proptest::prop_assert_eq!(parse_created(&s), by_time);
        }

        /// Every year the format allows, including leap days and the ends of months.
        #[test]
        fn matches_the_time_crate_in_any_year(y in 0u32..10_000, mo in 1u32..13, d in 27u32..32, h in 0u32..24, mi in 0u32..60, se in 0u32..61) {
            let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z");
            let by_time = PrimitiveDateTime::parse(&s, FORMAT).ok().map(PrimitiveDateTime::assume_utc);
            proptest::prop_assert_eq!(parse_created(&s), by_time);
        }

        /// It accepts only what the spec's `created` pattern accepts.
        #[test]
        fn accepts_only_the_created_format(s in "[0-9TZ:-]{18,21}|[0-9]{4}-[0-9]{2}-[0-9]{2}.[0-9]{2}.[0-9]{2}.{1,2}") {
            if parse_created(&s).is_some() {
                proptest::prop_assert!(crate::formats::CREATED.matches_by_regex(&s));
            }
            if crate::formats::CREATED.matches_by_regex(&s) {
                let by_time = PrimitiveDateTime::parse(&s, FORMAT).ok().map(PrimitiveDateTime::assume_utc);
                proptest::prop_assert_eq!(parse_created(&s), by_time);
            }
        }
    }
}
