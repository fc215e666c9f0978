//! The clock: `--now` or the system time. RFC 3339 text is the core's `UnixTime` (`FromStr` reads
//! `Z` or numeric offsets and fractional seconds, as the AWS CLI prints them; `Display` writes
//! `2025-01-31T12:00:00Z`).

use std::time::{SystemTime, UNIX_EPOCH};

use kms_import::UnixTime;

/// Parses an RFC 3339 timestamp for clap.
pub fn parse_rfc3339(text: &str) -> Result<UnixTime, String> {
    text.parse()
        .map_err(|e: kms_import::InvalidTimestamp| e.to_string())
}

/// Parses an RFC 3339 deadline (`--valid-to`) for clap: a fraction of a second rounds up, so
/// that KMS's "at most 365 days from the request" compares exactly.
pub fn parse_rfc3339_deadline(text: &str) -> Result<UnixTime, String> {
    UnixTime::parse_rfc3339(text, kms_import::Rounding::Up)
        .map_err(|e: kms_import::InvalidTimestamp| e.to_string())
}

/// `--now` if given, else the system clock.
pub fn now(overridden: Option<UnixTime>) -> UnixTime {
    overridden.unwrap_or_else(|| {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        UnixTime::from_secs(secs).unwrap_or(UnixTime::MAX)
    })
}
