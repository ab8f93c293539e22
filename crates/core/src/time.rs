//! RFC 3339 timestamps without a date crate: parsing to Unix seconds, and the
//! period labels used to bucket responses (day, ISO week, month).
//!
//! The civil-date arithmetic is Howard Hinnant's `days_from_civil`/`civil_from_days`
//! (public domain), exact for the proleptic Gregorian calendar.

use crate::text::push_int;

/// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 timestamp such as
/// `2026-11-22T10:00:00Z`, `2026-11-22T10:00:00.123+01:00` or `2026-11-22 10:00:00Z`.
/// A date alone (`2026-11-22`) is taken as midnight UTC, as spreadsheets export it.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    parse_rfc3339_ms(s).map(|ms| ms.div_euclid(1000))
}

/// Milliseconds since 1970-01-01T00:00:00Z of an RFC 3339 timestamp ([`parse_rfc3339`]):
/// the fraction's first three digits count, the rest is cut.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |range| digits(b, range);
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some(days * 86_400_000);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 19 || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // 60 is a leap second, which RFC 3339 allows.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(digit) = b.get(i).filter(|d| d.is_ascii_digit()) {
            if i - start < 3 {
                millis = millis * 10 + (digit - b'0') as i64;
            }
            i += 1;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    let ms = (days * 86_400 + hour * 3600 + minute * 60 + second - offset) * 1000 + millis;
    // A zone can carry a time out of years 0000–9999 (`0000-01-01T00:00:00+01:00`), where
    // it could not be written back as it reads.
    let years = days_from_civil(0, 1, 1) * 86_400_000..days_from_civil(10_000, 1, 1) * 86_400_000;
    years.contains(&ms).then_some(ms)
}

/// The number written in ASCII digits at `range` of `b`; `None` when the range is empty or
/// out of `b`, or holds anything but digits.
fn digits(b: &[u8], range: std::ops::Range<usize>) -> Option<i64> {
    let part = b.get(range).filter(|p| !p.is_empty())?;
    part.iter()
        .all(u8::is_ascii_digit)
        .then(|| part.iter().fold(0i64, |n, d| n * 10 + (d - b'0') as i64))
}

/// A time as an export writes it, for imports. Besides RFC 3339:
/// - a date and a time with no zone (`2026-11-20 10:00` or `2026-11-20 10:00:00`, as Excel
///   saves it), read as UTC: a trend counts days, and an answer left out of every day for
///   want of a zone would not show;
/// - a zone written short (`+01`, `+0100`, as PostgreSQL prints a `timestamptz` and ISO 8601
///   allows) or as ` UTC`;
/// - Unix time as a number (`1763632800`, or `1763632800.5`), as Delighted's and many
///   APIs' exports write it: 10 digits are seconds, 13 milliseconds (2001 to 2286; no
///   survey answered before). Other numbers stay unread (a spreadsheet's day serial,
///   `45981.4`). A compact local time of ten digits (`2026112010`) cannot be told from
///   seconds (2034): it is read so, and the dashboard says such answers are dated ahead.
///
/// Responses posted to the collector must carry their zone ([`parse_rfc3339`]).
pub fn parse_sheet_time(s: &str) -> Option<i64> {
    parse_sheet_time_ms(s).map(|ms| ms.div_euclid(1000))
}

/// [`parse_sheet_time`] in milliseconds.
pub fn parse_sheet_time_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    parse_rfc3339_ms(s).or_else(|| unix_time_ms(s)).or_else(|| {
        let (local, zone) = split_zone(s)?;
        // `HH:MM` takes its seconds; anything else is for the RFC 3339 reader to judge.
        let seconds = if local.len() == 16 { ":00" } else { "" };
        parse_rfc3339_ms(&crate::text::concat(&[local, seconds, &zone]))
    })
}

/// A date-time's local part and its zone in RFC 3339's form (`Z` or `+hh:mm`): `Z` when it
/// names none. `None` when its zone is written in no form [`parse_sheet_time`] takes.
fn split_zone(s: &str) -> Option<(&str, String)> {
    // The zone starts after the time's minutes (`YYYY-MM-DDTHH:MM` is 16 bytes), so the
    // date's own hyphens are never taken for a sign.
    let tail = s.get(16..)?;
    let utc = [" UTC", " utc", "Z", "z"];
    if let Some(local) = utc.iter().find_map(|suffix| s.strip_suffix(suffix)) {
        return Some((local.trim_end(), "Z".into()));
    }
    let Some(at) = tail.rfind(['+', '-']).map(|i| i + 16) else {
        return Some((s, "Z".into()));
    };
    let (local, zone) = s.split_at(at);
    // Bytes, not characters: a zone that is not ASCII digits is no zone (and is never cut
    // inside a character).
    let (sign, digits) = (&zone[..1], &zone.as_bytes()[1..]);
    let all_digits = digits.iter().all(u8::is_ascii_digit);
    let zone = match digits {
        [_, _] if all_digits => [sign, &zone[1..], ":00"].concat(),
        [_, _, _, _] if all_digits => [sign, &zone[1..3], ":", &zone[3..]].concat(),
        // `+hh:mm`, checked by the RFC 3339 reader.
        [_, _, b':', _, _] => zone.to_owned(),
        _ => return None,
    };
    Some((local.trim_end(), zone))
}

/// Unix time written as a number: seconds (10 digits, then an optional fraction) or
/// milliseconds (13 digits), in 2001–2286 (no leading zero).
fn unix_time_ms(s: &str) -> Option<i64> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) || s.ends_with('.') || whole.starts_with('0') {
        return None;
    }
    match whole.len() {
        10 => {
            // The fraction's first three digits, as milliseconds (`.5` is 500).
            let millis = (fraction.bytes().chain(*b"000").take(3))
                .fold(0, |n, d| n * 10 + (d - b'0') as i64);
            Some(digits(whole.as_bytes(), 0..10)? * 1000 + millis)
        }
        13 if fraction.is_empty() => digits(whole.as_bytes(), 0..13),
        _ => None,
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `ms` (since the Unix epoch) as `2026-11-22T10:00:41.123Z`. Native callers only (it
/// formats with `format!`, which the widget never links).
pub fn format_rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

/// A calendar period for trends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// `2026-11-22`
    Day,
    /// ISO 8601 week, `2026-W47` (weeks start on Monday; week 1 holds the year's first Thursday).
    Week,
    /// `2026-11`
    Month,
}

impl Period {
    /// Parses `day`, `week` or `month`.
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            _ => None,
        }
    }

    /// The first day (days since 1970-01-01) of the period labelled `label`, as
    /// [`Period::label`] writes it; `None` for another text.
    pub fn start_day(self, label: &str) -> Option<i64> {
        // A day or a month is a date's text, as the timestamp reader takes it.
        let date = match (self, label.len()) {
            (Period::Day, 10) => parse_rfc3339_ms(label),
            (Period::Month, 7) => parse_rfc3339_ms(&[label, "-01"].concat()),
            (Period::Week, 8) if label.as_bytes().get(4..6) == Some(b"-W") => {
                let (year, week) = (
                    digits(label.as_bytes(), 0..4)?,
                    digits(label.as_bytes(), 6..8)?,
                );
                // Week 1 holds January 4th; weeks start on Monday (1970-01-01 was a Thursday).
                let january_4 = days_from_civil(year, 1, 4);
                let monday = january_4 - (january_4 + 3).rem_euclid(7);
                let start = monday + (week - 1) * 7;
                return (week >= 1 && self.label(start * 86_400) == label).then_some(start);
            }
            _ => None,
        };
        date.map(|ms| ms.div_euclid(86_400_000))
    }

    /// The label of the period that follows the one labelled `label`.
    pub fn after(self, label: &str) -> Option<String> {
        let start = self.start_day(label)?;
        let next = match self {
            Period::Day => start + 1,
            Period::Week => start + 7,
            Period::Month => {
                let (year, month, _) = civil_from_days(start);
                start + days_in_month(year, month)
            }
        };
        Some(self.label(next * 86_400))
    }

    /// The label of the period holding `unix_seconds` (UTC).
    pub fn label(self, unix_seconds: i64) -> String {
        let days = unix_seconds.div_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let mut out = String::with_capacity(10);
        match self {
            Period::Day => {
                push_padded(&mut out, year, 4);
                out.push('-');
                push_padded(&mut out, month, 2);
                out.push('-');
                push_padded(&mut out, day, 2);
            }
            Period::Month => {
                push_padded(&mut out, year, 4);
                out.push('-');
                push_padded(&mut out, month, 2);
            }
            Period::Week => {
                // 1970-01-01 was a Thursday; Monday = 0.
                let weekday = (days + 3).rem_euclid(7);
                let thursday = days - weekday + 3;
                let (iso_year, _, _) = civil_from_days(thursday);
                let week = (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1;
                push_padded(&mut out, iso_year, 4);
                out.push_str("-W");
                push_padded(&mut out, week, 2);
            }
        }
        out
    }
}

fn push_padded(out: &mut String, n: i64, width: usize) {
    // A year before 1 (a date near 0000-01-01 in an early time zone) keeps its sign in front.
    if n < 0 {
        out.push('-');
    }
    let mut digits = String::new();
    push_int(&mut digits, n.abs());
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_time_without_a_zone_is_read_as_utc_and_a_payload_needs_its_zone() {
        // 1970-01-02 10:30 UTC: one day and 10.5 hours.
        let expected = Some(86_400 + 10 * 3600 + 30 * 60);
        assert_eq!(parse_sheet_time("1970-01-02 10:30"), expected);
        assert_eq!(parse_sheet_time(" 1970-01-02 10:30:00 "), expected);
        assert_eq!(parse_sheet_time("1970-01-02T10:30:00Z"), expected);
        assert_eq!(parse_rfc3339("1970-01-02 10:30:00"), None);
        for not_a_time in [
            "02/01/1970",
            "1970-01-02 10:30:00Z:00",
            "1970-01-02 25:00",
            "1970-01-02 10:3",
        ] {
            assert_eq!(parse_sheet_time(not_a_time), None, "{not_a_time}");
        }
    }

    #[test]
    fn a_sheet_time_may_write_its_zone_short_or_as_utc() {
        // 1970-01-02 10:30 UTC, then the same wall time an hour east and five and a half west.
        let utc = 86_400 + 10 * 3600 + 30 * 60;
        for (text, expected) in [
            ("1970-01-02 10:30:00+00", utc),
            ("1970-01-02 10:30:00 UTC", utc),
            ("1970-01-02 10:30 UTC", utc),
            ("1970-01-02T10:30Z", utc),
            ("1970-01-02 10:30z", utc),
            ("1970-01-02 10:30 utc", utc),
            ("1970-01-02 10:30:00+01", utc - 3600),
            ("1970-01-02T10:30:00+0100", utc - 3600),
            ("1970-01-02 10:30+0100", utc - 3600),
            ("1970-01-02 10:30:00.250-0530", utc + 5 * 3600 + 30 * 60),
            ("1970-01-02 10:30:00.123456+00", utc),
            ("1970-01-02 10:30:00 -05:00", utc + 5 * 3600),
        ] {
            assert_eq!(parse_sheet_time(text), Some(expected), "{text}");
        }
        assert_eq!(
            parse_sheet_time_ms("1970-01-02 10:30:00.250-0530"),
            Some((utc + 19_800) * 1000 + 250)
        );
        for not_a_time in [
            "1970-01-02 10:30:00+1",
            "1970-01-02 10:30:00+010",
            "1970-01-02 10:30:00+2400",
            "1970-01-02 10:30:00+01:0",
            "1970-01-02 10:30:00 PST",
            // Not ASCII digits (a two-byte character where a digit would be).
            "1970-01-02 10:30:00+1é2",
            "1970-01-02 10:30:00+é1",
            "1970-01-02 10:30:00+1é",
            "1970-01-02-05",
        ] {
            assert_eq!(parse_sheet_time(not_a_time), None, "{not_a_time}");
        }
    }

    #[test]
    fn a_sheet_time_may_be_unix_seconds_or_milliseconds() {
        // A well-known instant: 10^9 s is 2001-09-09T01:46:40Z.
        assert_eq!(parse_sheet_time("1000000000"), Some(1_000_000_000));
        assert_eq!(
            parse_sheet_time(" 1000000000 "),
            parse_rfc3339("2001-09-09T01:46:40Z")
        );
        assert_eq!(parse_sheet_time_ms("1000000000.5"), Some(1_000_000_000_500));
        assert_eq!(
            parse_sheet_time_ms("1000000000.0429"),
            Some(1_000_000_000_042)
        );
        // A fraction past the milliseconds is cut, however long.
        assert_eq!(
            parse_sheet_time_ms("1000000000.12345678901234567890123"),
            Some(1_000_000_000_123)
        );
        assert_eq!(
            parse_sheet_time_ms("1000000000123"),
            Some(1_000_000_000_123)
        );
        // No time: a spreadsheet's day serial, a count, numbers of other lengths (2001 is
        // ten digits of seconds), a leading zero, a sign, an exponent, a number no i64 holds.
        for not_a_time in [
            "45981.4",
            "42",
            "100000000",
            "100000000123",
            "10000000000",
            "0000000000",
            "0001000000000",
            "1000000000.",
            "1000000000123.5",
            "-1000000000",
            "1e9",
            "99999999999999999999999999999",
        ] {
            assert_eq!(parse_sheet_time(not_a_time), None, "{not_a_time}");
        }
        // Any ten digits are seconds, those that would also read as a date (`2030031720`,
        // 2030-03-17 20h) too: 2034-04-30T05:55:20Z, a Unix time of 2030–2036 being likelier.
        assert_eq!(parse_sheet_time("1795393800"), Some(1_795_393_800));
        assert_eq!(parse_sheet_time("2030031720"), Some(2_030_031_720));
    }

    #[test]
    fn known_instants_parse_to_their_unix_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        // 2000-03-01 is day 11017 (30 years of 365 days + 7 leap days + Jan 31 + Feb 29 = 10957 + 60).
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00Z"),
            Some((10957 + 60) * 86_400)
        );
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5-00:30"), Some(1 + 1800));
        assert_eq!(parse_rfc3339("1970-01-02"), Some(86_400));
        assert_eq!(parse_rfc3339("1970-01-01 00:01:00Z"), Some(60));
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "2025-02-29",
            "2026-11-22T24:00:00Z",
            "2026-11-22T10:00:00",
            "2026-11-22T10:00:00.Z",
            "2026-11-22T10:00:00Zjunk",
            "yesterday",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert!(parse_rfc3339("2024-02-29").is_some());
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000, -1, 0, 1, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn milliseconds_count_the_fraction_to_three_digits_and_the_zone() {
        // 2026-11-22 is day 20,779 since 1970-01-01 (56 years of 365 days, 14 leap days from
        // 1972 to 2024, and 325 days into 2026): 20,779 × 86,400,000 ms.
        let midnight = 20_779 * 86_400_000;
        assert_eq!(parse_rfc3339_ms("2026-11-22"), Some(midnight));
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T00:00:00.5Z"),
            Some(midnight + 500)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T00:00:00.123456Z"),
            Some(midnight + 123)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T01:00:00.007+01:00"),
            Some(midnight + 7)
        );
        assert_eq!(
            parse_rfc3339("2026-11-22T00:00:00.999Z"),
            Some(midnight / 1000)
        );
        assert_eq!(parse_rfc3339_ms("2026-11-22T00:00:00.Z"), None);
        // Out of years 0000–9999 once the zone is applied: no such time could be written back.
        assert_eq!(parse_rfc3339_ms("0000-01-01T00:30:00+01:00"), None);
        assert_eq!(parse_rfc3339_ms("9999-12-31T23:30:00-01:00"), None);
        assert!(parse_rfc3339_ms("0000-01-01T00:30:00Z").is_some());
        let last = parse_rfc3339_ms("9999-12-31T23:59:59.999Z").unwrap();
        assert_eq!(format_rfc3339(last), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn period_labels_follow_iso_weeks() {
        let at = |s: &str| parse_rfc3339(s).unwrap();
        assert_eq!(Period::Day.label(at("2026-11-22T23:59:59Z")), "2026-11-22");
        assert_eq!(Period::Month.label(at("2026-11-22T10:00:00Z")), "2026-11");
        // 2026-11-22 is a Sunday in ISO week 47 (Mon 16 – Sun 22 November).
        assert_eq!(Period::Week.label(at("2026-11-22T10:00:00Z")), "2026-W47");
        assert_eq!(Period::Week.label(at("2026-11-23T00:00:00Z")), "2026-W48");
        // 2021-01-03 (Sunday) still belongs to 2020-W53; 2024-12-30 (Monday) to 2025-W01.
        assert_eq!(Period::Week.label(at("2021-01-03")), "2020-W53");
        assert_eq!(Period::Week.label(at("2024-12-30")), "2025-W01");
        // 0000-01-01 is a Saturday (as 2000-01-01: 400 Gregorian years are whole weeks), so it
        // falls in the last week of ISO year −1, which began on a Friday (not a leap year): 52.
        assert_eq!(Period::Day.label(at("0000-01-01")), "0000-01-01");
        assert_eq!(Period::Week.label(at("0000-01-01")), "-0001-W52");
    }

    #[test]
    fn each_period_knows_the_one_after_it() {
        // Days across a month's and a leap year's end.
        assert_eq!(
            Period::Day.after("2024-02-28").as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(
            Period::Day.after("2024-02-29").as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(
            Period::Day.after("2026-12-31").as_deref(),
            Some("2027-01-01")
        );
        // Months across the year's end.
        assert_eq!(Period::Month.after("2026-01").as_deref(), Some("2026-02"));
        assert_eq!(Period::Month.after("2026-12").as_deref(), Some("2027-01"));
        // ISO weeks: 2026 has 53 (it starts on a Thursday), 2025 has 52, and 2020-W53 is
        // followed by 2021-W01 (Monday 4 January 2021).
        assert_eq!(Period::Week.after("2026-W47").as_deref(), Some("2026-W48"));
        assert_eq!(Period::Week.after("2026-W52").as_deref(), Some("2026-W53"));
        assert_eq!(Period::Week.after("2026-W53").as_deref(), Some("2027-W01"));
        assert_eq!(Period::Week.after("2025-W52").as_deref(), Some("2026-W01"));
        assert_eq!(Period::Week.after("2020-W53").as_deref(), Some("2021-W01"));
        // The first day of each: 2021-W01 starts on Monday 4 January 2021.
        assert_eq!(
            Period::Week.start_day("2021-W01"),
            Some(days_from_civil(2021, 1, 4))
        );
        // Texts that are no label of the period.
        assert_eq!(Period::Week.after("2025-W53"), None, "2025 has 52 weeks");
        assert_eq!(Period::Week.after("2026-W00"), None);
        assert_eq!(Period::Day.after("2026-02-30"), None);
        assert_eq!(Period::Month.after("2026-13"), None);
        assert_eq!(Period::Month.after("2026-11-22"), None);
        assert_eq!(Period::Day.after("(none)"), None);
        // Not a label either, and no panic on a cut inside a character.
        assert_eq!(Period::Week.after("2026€1"), None);
        assert_eq!(Period::Day.after(" 2026-11-2"), None);
    }
}
