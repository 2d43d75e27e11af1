//! The `Created` attribute: `yyyy-MM-ddTHH:mm:ssZ`. The reference calls it Beijing time
//! but writes a `Z` (erratum `created-timezone`); the spec reads it as UTC and offers a
//! lenient mode that also accepts Beijing wall-clock time written with `Z`.

use time::{
    format_description::FormatItem, macros::format_description, OffsetDateTime, PrimitiveDateTime,
};

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
/// Reads the digits directly once the spec's `created` format has matched (a property
/// test below proves it agrees with `time`'s parser), which keeps verification fast.
pub fn parse_created(s: &str) -> Option<OffsetDateTime> {
    if !crate::formats::CREATED.matches(s) {
        return None;
    }
    let b = s.as_bytes();
    let num = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let month = time::Month::try_from(u8::try_from(num(5, 7)).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(num(0, 4)).ok()?,
        month,
        u8::try_from(num(8, 10)).ok()?,
    )
    .ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(num(11, 13)).ok()?,
        u8::try_from(num(14, 16)).ok()?,
        u8::try_from(num(17, 19)).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, clock).assume_utc())
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
}

#[cfg(test)]
mod agree {
    use super::*;

    proptest::proptest! {
        /// The hand parser accepts exactly what `time`'s parser accepts, with the same result.
        #[test]
        fn matches_the_time_crate(y in 1900u32..2100, mo in 0u32..14, d in 0u32..33, h in 0u32..25, mi in 0u32..61, se in 0u32..61) {
            let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z");
            let by_time = PrimitiveDateTime::parse(&s, FORMAT).ok().map(PrimitiveDateTime::assume_utc);
            proptest::prop_assert_eq!(parse_created(&s), by_time);
        }
    }
}
