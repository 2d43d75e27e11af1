//! Fresh Nonce and Created for [`super::sign_request`], at their real cost.
//!
//! **Nonce.** 128 bits from `rand`'s thread RNG, written as 32 upper-case hex digits.
//! That generator is ChaCha12, a cryptographically secure stream cipher, keyed with 256
//! bits from the operating system's CSPRNG the first time a thread uses it and re-keyed
//! from the operating system after every 64 KiB of output (≈ 4,000 nonces). A nonce stays
//! unpredictable because predicting ChaCha's output without its key means breaking ChaCha
//! (the outputs a client sees reveal nothing of the key or of later outputs: ChaCha's
//! security claim), and the key never leaves the thread's memory. It stays unique because
//! two 128-bit values from it collide with probability ≈ 2⁻¹²⁸ per pair. One caution
//! (rand's): the generator is not re-keyed when a process forks, so a child that signs
//! before the parent's thread re-keys would repeat the parent's next nonces (and be
//! refused as a replay): call `rand::rng().reseed()` in the child after a fork.
//! Before issue 16 each nonce was one `getrandom` system call and 16 `format!`s
//! (≈ 34,000 instructions per signature with the clock); now it is ≈ 100.
//!
//! **Created.** `yyyy-MM-ddTHH:mm:ssZ` changes once a second, so each thread formats it
//! once per second and copies the 20 bytes otherwise; reading the clock (`SystemTime`,
//! a vDSO call on Linux) is what remains per signature.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng as _;

/// Length of a nonce: 32 hex digits.
pub(crate) const NONCE_LEN: usize = 32;
/// Length of Created: `yyyy-MM-ddTHH:mm:ssZ`.
pub(crate) const CREATED_LEN: usize = 20;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Writes a fresh nonce (32 upper-case hex digits of 128 random bits) into `buf`.
pub(crate) fn nonce_into(buf: &mut [u8; NONCE_LEN]) -> &str {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    for (i, b) in bytes.iter().enumerate() {
        buf[2 * i] = HEX[usize::from(b >> 4)];
        buf[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    std::str::from_utf8(buf).expect("hex digits are ASCII")
}

thread_local! {
    /// The second last formatted by this thread, and its text.
    static CREATED: Cell<(i64, [u8; CREATED_LEN])> = const { Cell::new((i64::MIN, [0; CREATED_LEN])) };
}

/// Writes the current UTC time as Created into `buf`, formatting it at most once per
/// second per thread.
pub(crate) fn created_now_into(buf: &mut [u8; CREATED_LEN]) -> &str {
    let secs = unix_seconds(SystemTime::now());
    let (cached, text) = CREATED.get();
    if cached == secs {
        *buf = text;
    } else {
        let formatted = time::OffsetDateTime::from_unix_timestamp(secs)
            .map(super::format_created)
            .unwrap_or_else(|_| super::format_created(time::OffsetDateTime::now_utc()));
        // Years outside 0..=9999 format to other lengths; they are not cached.
        match <[u8; CREATED_LEN]>::try_from(formatted.as_bytes()) {
            Ok(bytes) => {
                CREATED.set((secs, bytes));
                *buf = bytes;
            }
            Err(_) => {
                let n = formatted.len().min(CREATED_LEN);
                buf[..n].copy_from_slice(&formatted.as_bytes()[..n]);
            }
        }
    }
    std::str::from_utf8(buf).expect("Created is ASCII")
}

/// The Unix second `t` falls in (rounded down, also before 1970, where a clock that is
/// wrong still gives the Created it says).
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let before = e.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            if before.subsec_nanos() == 0 {
                -whole
            } else {
                -whole - 1
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{format_created, parse_created};
    use std::time::Duration;

    #[test]
    fn seconds_round_down_on_both_sides_of_1970() {
        let at = |ms: i64| {
            let d = Duration::from_millis(ms.unsigned_abs());
            if ms < 0 {
                UNIX_EPOCH - d
            } else {
                UNIX_EPOCH + d
            }
        };
        for (ms, want) in [
            (0, 0),
            (1, 0),
            (999, 0),
            (1_000, 1),
            (1_500, 1),
            (-1, -1),
            (-999, -1),
            (-1_000, -1),
            (-1_001, -2),
            (-1_500, -2),
            (-2_000, -2),
        ] {
            assert_eq!(unix_seconds(at(ms)), want, "{ms} ms");
        }
    }

    #[test]
    fn nonces_are_32_hex_digits_and_differ() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let mut buf = [0u8; NONCE_LEN];
            let n = nonce_into(&mut buf);
            assert_eq!(n.len(), 32);
            assert!(n
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
            assert!(seen.insert(n.to_string()), "a nonce repeated: {n}");
        }
        // Every hex digit appears in every position over 10,000 nonces (a stuck nibble
        // would not).
        for pos in 0..NONCE_LEN {
            let digits: std::collections::HashSet<u8> =
                seen.iter().map(|n| n.as_bytes()[pos]).collect();
            assert_eq!(digits.len(), 16, "position {pos}");
        }
    }

    #[test]
    fn created_is_the_current_second_formatted_as_format_created_does() {
        for _ in 0..3 {
            let before = time::OffsetDateTime::now_utc().unix_timestamp();
            let mut buf = [0u8; CREATED_LEN];
            let c = created_now_into(&mut buf).to_string();
            let after = time::OffsetDateTime::now_utc().unix_timestamp();
            let t = parse_created(&c).expect("Created parses").unix_timestamp();
            assert!(before <= t && t <= after, "{c} not in [{before}, {after}]");
            assert_eq!(
                c,
                format_created(time::OffsetDateTime::from_unix_timestamp(t).unwrap())
            );
            // The cached copy of the same second is the same text.
            let mut again = [0u8; CREATED_LEN];
            let c2 = created_now_into(&mut again);
            assert!(c2 >= c.as_str());
        }
    }
}
