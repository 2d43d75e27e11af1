//! Virtual time. Every timestamp the mock writes (event `timestamp`, CDR times) is virtual
//! time, so a test can run an hour of retries in milliseconds; push *signatures* use the
//! real clock, because the receiver checks Created against its own.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::config::ClockConfig;

/// A point of virtual time: milliseconds since the mock started.
pub type VTime = u64;

/// Where virtual time stops: 2^50 ms, about 35,700 years. A call's plan adds days at
/// most to the time it is accepted, so no arithmetic on a `VTime` can overflow below it,
/// whatever `POST /_mock/advance` or a clock factor asks for. (Stamps past the year 9999
/// print 9999-12-31 23:59:59: [`Clock::wall`].)
pub const MAX_VTIME: VTime = 1 << 50;

/// The mock's clock.
#[derive(Debug)]
pub struct Clock {
    mode: ClockConfig,
    start_real: Instant,
    start_wall: OffsetDateTime,
    manual_ms: Mutex<u64>,
}

impl Clock {
    /// A clock starting now.
    pub fn new(mode: ClockConfig) -> Self {
        let now = OffsetDateTime::now_utc();
        Clock {
            mode,
            start_real: Instant::now(),
            // Whole seconds, so virtual timestamps print without surprises.
            start_wall: now.replace_nanosecond(0).unwrap_or(now),
            manual_ms: Mutex::new(0),
        }
    }

    /// The mode.
    pub fn mode(&self) -> ClockConfig {
        self.mode
    }

    /// Virtual time now (at most [`MAX_VTIME`]).
    pub fn now(&self) -> VTime {
        let t = match self.mode {
            ClockConfig::Manual => *self.manual_ms.lock().unwrap_or_else(|e| e.into_inner()),
            ClockConfig::Realtime => self.start_real.elapsed().as_millis() as u64,
            ClockConfig::Fast { factor } => {
                (self.start_real.elapsed().as_secs_f64() * factor * 1000.0) as u64
            }
        };
        t.min(MAX_VTIME)
    }

    /// Moves a manual clock forward (it stops at [`MAX_VTIME`]); returns false (and does
    /// nothing) for the others.
    pub fn advance(&self, by: Duration) -> bool {
        if self.mode != ClockConfig::Manual {
            return false;
        }
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let mut t = self.manual_ms.lock().unwrap_or_else(|e| e.into_inner());
        *t = t.saturating_add(by).min(MAX_VTIME);
        true
    }

    /// Real time until virtual time `at` (None for a manual clock, which never runs by itself).
    pub fn real_wait(&self, at: VTime) -> Option<Duration> {
        let ahead = at.saturating_sub(self.now());
        match self.mode {
            ClockConfig::Manual => None,
            ClockConfig::Realtime => Some(Duration::from_millis(ahead)),
            ClockConfig::Fast { factor } => Some(Duration::from_secs_f64(
                ahead as f64 / 1000.0 / factor.max(1e-9),
            )),
        }
    }

    /// The wall-clock (UTC) time of virtual time `t`; past the last instant `time`
    /// represents (the end of the year 9999), that instant: a manual clock moved
    /// thousands of years ahead prints that, instead of stopping the server.
    pub fn wall(&self, t: VTime) -> OffsetDateTime {
        let last = time::PrimitiveDateTime::MAX.assume_utc();
        i64::try_from(t)
            .ok()
            .and_then(|ms| {
                self.start_wall
                    .checked_add(time::Duration::milliseconds(ms))
            })
            .map_or(last, |w| w.min(last))
    }

    /// `yyyy-MM-dd HH:mm:ss` (UTC) of virtual time `t`, the format of every push timestamp.
    pub fn stamp(&self, t: VTime) -> String {
        self.stamp_text(t).to_string()
    }

    /// [`Clock::stamp`] without a heap allocation: a call prints about fifteen stamps
    /// (its events and its CDR's times), and `format!` with padded fields cost ≈ 2,000
    /// instructions and an allocation each (issue 16). Written digit by digit into a
    /// buffer on the stack; the test holds it to `format!`'s output.
    pub fn stamp_text(&self, t: VTime) -> Stamp {
        let w = self.wall(t);
        let year = w.year();
        if !(0..=9999).contains(&year) {
            return Stamp::Long(padded_stamp(w));
        }
        let mut b = *b"0000-00-00 00:00:00";
        let mut put = |at: usize, width: usize, mut n: u32| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, year as u32);
        put(5, 2, u32::from(u8::from(w.month())));
        put(8, 2, u32::from(w.day()));
        put(11, 2, u32::from(w.hour()));
        put(14, 2, u32::from(w.minute()));
        put(17, 2, u32::from(w.second()));
        Stamp::Short(b)
    }
}

/// A timestamp's text ([`Clock::stamp_text`]): on the stack for years 0–9999.
#[derive(Debug, Clone)]
pub enum Stamp {
    /// `yyyy-MM-dd HH:mm:ss`, ASCII digits and separators.
    Short([u8; 19]),
    /// A year outside 0–9999, as `format!` prints it.
    Long(String),
}

impl std::ops::Deref for Stamp {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            // Only ASCII digits and separators are ever written into it.
            Stamp::Short(b) => std::str::from_utf8(b).unwrap_or_default(),
            Stamp::Long(s) => s,
        }
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// [`Clock::stamp`] by `format!` (years outside 0–9999, and the tests' reference).
fn padded_stamp(w: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        w.year(),
        u8::from(w.month()),
        w.day(),
        w.hour(),
        w.minute(),
        w.second()
    )
}

/// Seconds to virtual milliseconds.
pub const fn secs(s: u64) -> VTime {
    s * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_time_moves_only_when_told() {
        let c = Clock::new(ClockConfig::Manual);
        assert_eq!(c.now(), 0);
        assert!(c.advance(Duration::from_secs(3600)));
        assert_eq!(c.now(), secs(3600));
        assert_eq!(c.real_wait(secs(7200)), None);
        let a = c.stamp(0);
        let b = c.stamp(secs(3600));
        assert_eq!(a.len(), 19);
        assert_ne!(a, b);
    }

    /// The digit-by-digit stamp prints what `format!` prints, across days, months, years
    /// and leap days.
    #[test]
    fn stamps_match_format() {
        let c = Clock::new(ClockConfig::Manual);
        let mut t: VTime = 0;
        for step in 0..20_000u64 {
            let got = c.stamp(t);
            assert_eq!(got, padded_stamp(c.wall(t)), "at {t} ms");
            assert_eq!(got.len(), 19);
            // Uneven steps (seconds to weeks) so every field rolls over.
            t += 1_000 * (1 + step * 7_919 % 1_209_600);
        }
    }

    /// A wait of an hour of fast virtual time is 3.6 s of real time less what passed
    /// since `now` was read (bracketed by readings of the real clock, not timed).
    #[test]
    fn fast_time_scales_waits() {
        let c = Clock::new(ClockConfig::Fast { factor: 1000.0 });
        assert_eq!(c.mode(), ClockConfig::Fast { factor: 1000.0 });
        let before = Instant::now();
        let w = c.real_wait(c.now() + secs(3600)).unwrap();
        let slack = before.elapsed() + Duration::from_millis(1);
        assert!(w <= Duration::from_millis(3600), "{w:?}");
        assert!(w + slack >= Duration::from_millis(3600), "{w:?}");
        assert!(!c.advance(Duration::from_secs(1)));
        let r = Clock::new(ClockConfig::Realtime);
        let before = Instant::now();
        let w = r.real_wait(r.now() + 1500).unwrap();
        let slack = before.elapsed() + Duration::from_millis(1);
        assert!(w <= Duration::from_millis(1500) && w + slack >= Duration::from_millis(1500));
        assert_eq!(
            r.real_wait(0),
            Some(Duration::ZERO),
            "a time passed is due now"
        );
    }

    /// A fast clock's virtual time is `factor` × the real time since it started: read
    /// between two readings of the real clock, it lies between their scaled values.
    #[test]
    fn fast_time_runs_factor_times_real_time() {
        let c = Clock::new(ClockConfig::Fast { factor: 1000.0 });
        std::thread::sleep(Duration::from_millis(3));
        let low = c.start_real.elapsed().as_secs_f64() * 1_000_000.0;
        let t = c.now() as f64;
        let high = c.start_real.elapsed().as_secs_f64() * 1_000_000.0;
        assert!(low - 1.0 <= t && t <= high, "{low} <= {t} <= {high}");
        let r = Clock::new(ClockConfig::Realtime);
        std::thread::sleep(Duration::from_millis(3));
        assert!(r.now() >= 3);
    }

    /// No virtual time stops the server: the manual clock moved by any amount stops at
    /// `MAX_VTIME`, and stamps past the year 9999 print its last second.
    #[test]
    fn far_virtual_times_saturate() {
        let c = Clock::new(ClockConfig::Manual);
        assert!(c.advance(Duration::MAX));
        assert_eq!(c.now(), MAX_VTIME);
        assert!(c.advance(Duration::from_secs(u64::MAX)));
        assert_eq!(c.now(), MAX_VTIME);
        assert_eq!(c.stamp(c.now()), "9999-12-31 23:59:59");
        assert_eq!(c.stamp(u64::MAX), "9999-12-31 23:59:59");
        // The fast path and the padded one agree up to the last year.
        for t in [secs(7_900 * 366 * 86_400), MAX_VTIME / 2] {
            assert_eq!(c.stamp(t), padded_stamp(c.wall(t)), "at {t}");
        }
    }
}
