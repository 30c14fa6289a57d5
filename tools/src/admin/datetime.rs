//! Timestamps given on the command line: Kafka's `yyyy-MM-ddTHH:mm:SS.sss` with an optional
//! zone (`Z`, `+hh:mm`, `-hhmm`; none means UTC here, where Kafka would use the local zone),
//! or milliseconds since the epoch.

use anyhow::{bail, Context, Result};

/// Milliseconds since the Unix epoch for `text`.
pub(crate) fn parse_timestamp_ms(text: &str) -> Result<i64> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        if ms < 0 {
            bail!("a timestamp must not be negative, got {ms}");
        }
        return Ok(ms);
    }
    let (date, time) = text.split_once('T').with_context(|| {
        format!("expected yyyy-MM-ddTHH:mm:SS[.sss][zone] or epoch ms, got '{text}'")
    })?;
    let mut date_parts = date.split('-');
    let year: i64 = number(date_parts.next(), "year", text)?;
    let month: i64 = number(date_parts.next(), "month", text)?;
    let day: i64 = number(date_parts.next(), "day", text)?;
    if date_parts.next().is_some() {
        bail!("too many date fields in '{text}'");
    }
    let (clock, offset_minutes) = split_zone(time, text)?;
    let mut clock_parts = clock.split(':');
    let hour: i64 = number(clock_parts.next(), "hour", text)?;
    let minute: i64 = number(clock_parts.next(), "minute", text)?;
    let seconds_text = clock_parts.next().unwrap_or("0");
    if clock_parts.next().is_some() {
        bail!("too many time fields in '{text}'");
    }
    let (secs, millis) = match seconds_text.split_once('.') {
        Some((s, frac)) => {
            let mut frac = frac.to_owned();
            frac.truncate(3);
            while frac.len() < 3 {
                frac.push('0');
            }
            (
                number(Some(s), "second", text)?,
                number(Some(&frac), "millisecond", text)?,
            )
        }
        None => (number(Some(seconds_text), "second", text)?, 0),
    };
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        bail!("no such date in '{text}'");
    }
    if !(0..24).contains(&hour) || !(0..60).contains(&minute) || !(0..60).contains(&secs) {
        bail!("no such time of day in '{text}'");
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + secs - offset_minutes * 60;
    Ok(seconds * 1_000 + millis)
}

fn number(part: Option<&str>, what: &str, text: &str) -> Result<i64> {
    let part = part.with_context(|| format!("missing {what} in '{text}'"))?;
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        bail!("bad {what} '{part}' in '{text}'");
    }
    part.parse()
        .with_context(|| format!("bad {what} in '{text}'"))
}

/// Splits `HH:mm:SS.sss+hh:mm` into the clock and the zone offset in minutes east of UTC.
fn split_zone<'a>(time: &'a str, text: &str) -> Result<(&'a str, i64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Ok((clock, 0));
    }
    if let Some(at) = time.rfind(['+', '-']) {
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 {
            bail!("zone offset must be ±hh:mm in '{text}'");
        }
        let hours = number(Some(&digits[..2]), "zone hour", text)?;
        let minutes = number(Some(&digits[2..]), "zone minute", text)?;
        return Ok((clock, sign * (hours * 60 + minutes)));
    }
    Ok((time, 0))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:00").expect("ok"), 0);
        assert_eq!(
            parse_timestamp_ms("2023-11-14T22:13:20.000Z").expect("ok"),
            1_700_000_000_000
        );
        assert_eq!(
            parse_timestamp_ms("2000-02-29T12:00:00.5").expect("ok"),
            951_825_600_500
        );
    }

    #[test]
    fn zone_offsets_shift_to_utc() {
        assert_eq!(
            parse_timestamp_ms("2023-11-15T00:13:20+02:00").expect("ok"),
            1_700_000_000_000
        );
        assert_eq!(
            parse_timestamp_ms("2023-11-14T21:13:20-0100").expect("ok"),
            1_700_000_000_000
        );
    }

    #[test]
    fn epoch_millis_pass_through() {
        assert_eq!(
            parse_timestamp_ms("1700000000000").expect("ok"),
            1_700_000_000_000
        );
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert!(parse_timestamp_ms("2023-02-29T00:00:00").is_err());
        assert!(parse_timestamp_ms("2023-13-01T00:00:00").is_err());
        assert!(parse_timestamp_ms("2023-01-01T24:00:00").is_err());
        assert!(parse_timestamp_ms("yesterday").is_err());
        assert!(parse_timestamp_ms("-5").is_err());
    }
}
