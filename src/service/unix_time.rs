//! Time as the caller's clock gives it: whole seconds since the Unix epoch, UTC.
//!
//! The crate never reads a clock; every operation that depends on time takes `now: UnixTime`.
//! `Display` writes RFC 3339 (`2025-01-31T12:00:00Z`) and `FromStr` reads RFC 3339 with a `Z` or
//! numeric offset and optional fractional seconds (truncated, as a clock reading is), which is
//! what the AWS CLI prints for `ParametersValidTo`. A deadline such as `ValidTo` must not be
//! truncated — `now + 365 days + 0.999 s` would pass as `now + 365 days` — so
//! [`UnixTime::parse_rfc3339`] with [`Rounding::Up`] rounds a fraction up to the next second,
//! which keeps every comparison with a whole-second `now` exact. The range is 1970-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z, so adding
//! any validity period used here cannot overflow.

use core::fmt;
use core::str::FromStr;

/// Seconds since 1970-01-01T00:00:00Z, at most 9999-12-31T23:59:59Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(u64);

/// A string that is not an RFC 3339 date-time within [`UnixTime`]'s range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "not an RFC 3339 date-time between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z \
             (e.g. 2025-01-31T12:00:00Z or 2025-01-31T14:00:00+02:00)",
        )
    }
}

impl core::error::Error for InvalidTimestamp {}

const SECS_PER_DAY: u64 = 86_400;

impl UnixTime {
    /// The epoch, 1970-01-01T00:00:00Z.
    pub const EPOCH: UnixTime = UnixTime(0);
    /// The latest representable instant, 9999-12-31T23:59:59Z.
    pub const MAX: UnixTime = UnixTime(253_402_300_799);

    /// `secs` seconds after the epoch, or `None` after 9999-12-31T23:59:59Z.
    pub const fn from_secs(secs: u64) -> Option<UnixTime> {
        if secs <= Self::MAX.0 {
            Some(UnixTime(secs))
        } else {
            None
        }
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// `self + secs`, or `None` past [`UnixTime::MAX`].
    pub const fn checked_add_secs(self, secs: u64) -> Option<UnixTime> {
        match self.0.checked_add(secs) {
            Some(t) => Self::from_secs(t),
            None => None,
        }
    }
}

/// Days since the epoch of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
/// Date Algorithms", `days_from_civil`), for years 1970..=9999.
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse, `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.0 / SECS_PER_DAY);
        let s = self.0 % SECS_PER_DAY;
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

/// A cursor over ASCII bytes for the RFC 3339 grammar (RFC 3339 §5.6).
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Result<u64, InvalidTimestamp> {
        let (head, rest) = self.0.split_at_checked(n).ok_or(InvalidTimestamp)?;
        let mut v = 0u64;
        for &b in head {
            if !b.is_ascii_digit() {
                return Err(InvalidTimestamp);
            }
            v = v * 10 + u64::from(b - b'0');
        }
        self.0 = rest;
        Ok(v)
    }

    fn byte(&mut self) -> Result<u8, InvalidTimestamp> {
        let (&b, rest) = self.0.split_first().ok_or(InvalidTimestamp)?;
        self.0 = rest;
        Ok(b)
    }

    fn expect(&mut self, one_of: &[u8]) -> Result<(), InvalidTimestamp> {
        if one_of.contains(&self.byte()?) {
            Ok(())
        } else {
            Err(InvalidTimestamp)
        }
    }
}

/// What to do with fractional seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Drop them: for readings of a clock (`now`).
    Down,
    /// Round up to the next whole second: for deadlines (`ValidTo`), so that "after now" and
    /// "at most 365 days after now" compare exactly against a whole-second `now`.
    Up,
}

impl FromStr for UnixTime {
    type Err = InvalidTimestamp;

    /// [`UnixTime::parse_rfc3339`] with [`Rounding::Down`].
    fn from_str(s: &str) -> Result<Self, InvalidTimestamp> {
        UnixTime::parse_rfc3339(s, Rounding::Down)
    }
}

impl UnixTime {
    /// Reads an RFC 3339 date-time with a `Z` or numeric offset and 0 to 9 fractional digits,
    /// rounding fractional seconds as `rounding` says.
    ///
    /// # Errors
    /// [`InvalidTimestamp`] for anything else, or an instant outside
    /// [`UnixTime::EPOCH`]..=[`UnixTime::MAX`] (after rounding).
    pub fn parse_rfc3339(s: &str, rounding: Rounding) -> Result<Self, InvalidTimestamp> {
        let mut c = Cursor(s.as_bytes());
        let year = c.digits(4)?;
        c.expect(b"-")?;
        let month = c.digits(2)?;
        c.expect(b"-")?;
        let day = c.digits(2)?;
        c.expect(b"Tt")?;
        let hour = c.digits(2)?;
        c.expect(b":")?;
        let minute = c.digits(2)?;
        c.expect(b":")?;
        let second = c.digits(2)?;
        if !(1970..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || !(1..=days_in_month(year, month)).contains(&day)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(InvalidTimestamp);
        }
        let mut zone = c.byte()?;
        let mut fraction = false;
        if zone == b'.' {
            // Fractional seconds: 1 to 9 digits. The count stops at the 10th, so that no run of
            // digits, however long, can make it wrap.
            let mut n = 0;
            loop {
                zone = c.byte()?;
                if !zone.is_ascii_digit() {
                    break;
                }
                fraction |= zone != b'0';
                n += 1;
                if n > 9 {
                    return Err(InvalidTimestamp);
                }
            }
            if n == 0 {
                return Err(InvalidTimestamp);
            }
        }
        let round_up = u64::from(fraction && rounding == Rounding::Up);
        let local = days_from_civil(year, month, day) * SECS_PER_DAY
            + hour * 3600
            + minute * 60
            + second
            + round_up;
        let utc = match zone {
            b'Z' | b'z' => Some(local),
            b'+' | b'-' => {
                let oh = c.digits(2)?;
                c.expect(b":")?;
                let om = c.digits(2)?;
                if oh > 23 || om > 59 {
                    return Err(InvalidTimestamp);
                }
                let offset = oh * 3600 + om * 60;
                if zone == b'+' {
                    local.checked_sub(offset)
                } else {
                    local.checked_add(offset)
                }
            }
            _ => None,
        };
        if !c.0.is_empty() {
            return Err(InvalidTimestamp);
        }
        utc.and_then(UnixTime::from_secs).ok_or(InvalidTimestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn t(s: &str) -> Result<u64, InvalidTimestamp> {
        s.parse::<UnixTime>().map(UnixTime::as_secs)
    }

    #[test]
    fn rfc3339_round_trips_and_matches_known_instants() {
        assert_eq!(t("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(t("2000-03-01T00:00:00Z"), Ok(951_868_800));
        assert_eq!(t("2024-02-29T23:59:59Z"), Ok(1_709_251_199));
        assert_eq!(t("2024-02-29T23:59:59.999+00:00"), Ok(1_709_251_199));
        assert_eq!(t("2024-03-01T01:59:59+02:00"), Ok(1_709_251_199));
        assert_eq!(t("2024-02-29T21:59:59-02:00"), Ok(1_709_251_199));
        assert_eq!(t("9999-12-31T23:59:59Z"), Ok(UnixTime::MAX.as_secs()));
        let up = |s: &str| UnixTime::parse_rfc3339(s, Rounding::Up).map(UnixTime::as_secs);
        assert_eq!(up("2024-02-29T23:59:58.001Z"), Ok(1_709_251_199));
        assert_eq!(up("2024-02-29T23:59:59.000Z"), Ok(1_709_251_199));
        assert_eq!(up("2024-02-29T23:59:59Z"), Ok(1_709_251_199));
        assert_eq!(up("9999-12-31T23:59:59.5Z"), Err(InvalidTimestamp));
        for secs in [0, 59, 86_399, 951_868_800, 1_709_251_199, 4_102_444_800] {
            let time = UnixTime::from_secs(secs).unwrap();
            assert_eq!(time.to_string().parse::<UnixTime>(), Ok(time));
        }
        assert_eq!(
            UnixTime::from_secs(1_709_251_199).unwrap().to_string(),
            "2024-02-29T23:59:59Z"
        );
    }

    #[test]
    fn malformed_or_out_of_range_is_refused() {
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00Zjunk",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00.1234567890Z",
            "2024-01-01T00:00:00+2:00",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:59:59+01:00",
            "9999-12-31T23:59:59-00:01",
            "+2024-01-01T00:00:00Z",
        ] {
            assert_eq!(t(bad), Err(InvalidTimestamp), "{bad}");
        }
        assert_eq!(UnixTime::from_secs(UnixTime::MAX.as_secs() + 1), None);
        assert_eq!(UnixTime::MAX.checked_add_secs(1), None);
    }

    /// 2^31 fractional digits: the digit count was an `i32` that overflowed on the 2^31st (a
    /// panic with overflow checks; without them, 2^32 + 5 digits wrapped it back to 5 and the
    /// timestamp was accepted).
    #[cfg(target_pointer_width = "64")]
    #[test]
    #[ignore = "builds a 2 GiB string; run with --ignored"]
    fn fraction_of_2_pow_31_digits_is_refused() {
        let mut s = alloc::string::String::from("2024-01-01T00:00:00.");
        s.push_str(&"0".repeat(1 << 31));
        s.push('Z');
        assert_eq!(t(&s), Err(InvalidTimestamp));
    }
}
