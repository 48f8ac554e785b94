//! Time: stored UTC (RFC 3339 text in SQLite, which sorts correctly), read from 1C as Moscow
//! local time without a zone (UTC+3, no daylight saving since 2014) or RFC 3339 with an offset.
//!
//! The fixed forms the portal writes and reads (`2026-11-28`, `28.11.2026`, the stored
//! timestamp, 1C's local time) are done by hand here, not with chrono's strftime-style
//! `format`/`parse_from_str`: that machinery costs every Worker ~8 KB gzip (issue 23). Each
//! helper says which chrono call it equals; the tests compare them over many dates.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Deserializer};

pub const MOSCOW_OFFSET_SECS: i32 = 3 * 3600;

pub fn moscow() -> FixedOffset {
    FixedOffset::east_opt(MOSCOW_OFFSET_SECS).expect("valid offset")
}

/// The form every timestamp is stored in: `2026-11-28T06:00:00.000Z`. Fixed width, so text
/// comparison in SQL is time comparison.
/// Equals `t.to_rfc3339_opts(SecondsFormat::Millis, true)`.
pub fn to_db(t: DateTime<Utc>) -> String {
    let n = t.naive_utc();
    let mut out = String::with_capacity(24);
    let (sec, nano) = match n.nanosecond() {
        // A leap second: chrono writes it as the next second's start plus the rest.
        nano if nano >= 1_000_000_000 => (n.second() + 1, nano - 1_000_000_000),
        nano => (n.second(), nano),
    };
    push_ymd_hm(&mut out, &n);
    push2(&mut out, sec);
    out.push('.');
    let ms = nano / 1_000_000;
    push2(&mut out, ms / 10);
    out.push(char::from(b'0' + (ms % 10) as u8));
    out.push('Z');
    out
}

/// Two digits, zero-padded (`v` below 100), as chrono's `write_hundreds`.
fn push2(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10 % 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// A year as chrono's `%Y` writes it: four digits within 0..=9999, else a sign and at least four
/// digits (`+10000`, `-0001`).
fn push_year(out: &mut String, y: i32) {
    if (0..=9999).contains(&y) {
        push2(out, y as u32 / 100);
        push2(out, y as u32 % 100);
        return;
    }
    out.push(if y < 0 { '-' } else { '+' });
    let mut digits = [b'0'; 10];
    let (mut v, mut i) = (y.unsigned_abs(), digits.len());
    while v > 0 {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let start = i.min(digits.len() - 4);
    out.extend(digits[start..].iter().map(|&b| char::from(b)));
}

/// `YYYY-MM-DDTHH:MM:` of `n`, the part [`to_db`] and [`to_1c`] share (each writes its own seconds).
fn push_ymd_hm(out: &mut String, n: &NaiveDateTime) {
    push_year(out, n.year());
    out.push('-');
    push2(out, n.month());
    out.push('-');
    push2(out, n.day());
    out.push('T');
    push2(out, n.hour());
    out.push(':');
    push2(out, n.minute());
    out.push(':');
}

/// `DD.MM.YYYY`, the part [`date_ru`] and [`datetime_ru_minutes`] share.
fn push_dmy(out: &mut String, d: &impl Datelike) {
    push2(out, d.day());
    out.push('.');
    push2(out, d.month());
    out.push('.');
    push_year(out, d.year());
}

/// `28.11.2026`: equals `d.format("%d.%m.%Y").to_string()`.
pub fn date_ru(d: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    push_dmy(&mut out, &d);
    out
}

/// `5 Dec 2026`: equals `d.format("%-d %b %Y").to_string()`.
pub fn date_en(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut out = String::with_capacity(11);
    if d.day() >= 10 {
        out.push(char::from(b'0' + (d.day() / 10) as u8));
    }
    out.push(char::from(b'0' + (d.day() % 10) as u8));
    out.push(' ');
    out.push_str(MONTHS[d.month0() as usize]);
    out.push(' ');
    push_year(&mut out, d.year());
    out
}

/// `28.11.2026 09:00`: equals `t.format("%d.%m.%Y %H:%M").to_string()`.
pub fn datetime_ru_minutes<T: Datelike + Timelike>(t: &T) -> String {
    let mut out = String::with_capacity(16);
    push_dmy(&mut out, t);
    out.push(' ');
    push2(&mut out, t.hour());
    out.push(':');
    push2(&mut out, t.minute());
    out
}

/// A `YYYY-MM-DD` date: equals `NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()`, including
/// chrono's leniencies (whitespace before each number, one-digit months and days, a signed year
/// of any length, up to four digits unsigned).
pub fn parse_ymd(s: &str) -> Option<NaiveDate> {
    ymd(s, false)
}

/// A date as chrono's serde form reads one: equals `s.parse::<NaiveDate>().ok()` (its `FromStr`:
/// as [`parse_ymd`], and whitespace also before each `-` and after the day).
pub fn parse_date_str(s: &str) -> Option<NaiveDate> {
    ymd(s, true)
}

/// `#[serde(default, deserialize_with = "crate::time::opt_date")]`: an optional date as chrono's
/// own `Deserialize` reads one ([`parse_date_str`]), without linking chrono's general parser.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_date_str(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not a date: {s:?}"))),
    }
}

/// `YYYY-MM-DD` as chrono's parser reads it; `spaces`: also whitespace before each `-` and at the
/// end (chrono's `Item::Space` in `NaiveDate::from_str`).
fn ymd<'a>(s: &'a str, spaces: bool) -> Option<NaiveDate> {
    /// Up to `max` ASCII digits (at least one), as chrono's `scan::number`.
    fn number(s: &str, max: usize) -> Option<(&str, i64)> {
        let b = s.as_bytes();
        let mut n = 0i64;
        let mut i = 0;
        while i < b.len() && i < max && b[i].is_ascii_digit() {
            n = n.checked_mul(10)?.checked_add(i64::from(b[i] - b'0'))?;
            i += 1;
        }
        (i > 0).then(|| (&s[i..], n))
    }
    let s = s.trim_start();
    let (s, year) = if let Some(rest) = s.strip_prefix('-') {
        let (s, v) = number(rest, usize::MAX)?;
        (s, 0i64.checked_sub(v)?)
    } else if let Some(rest) = s.strip_prefix('+') {
        number(rest, usize::MAX)?
    } else {
        number(s, 4)?
    };
    let year = i32::try_from(year).ok()?;
    let space = |s: &'a str| if spaces { s.trim_start() } else { s };
    let (s, month) = number(space(s).strip_prefix('-')?.trim_start(), 2)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let (s, day) = number(space(s).strip_prefix('-')?.trim_start(), 2)?;
    if !(1..=31).contains(&day) || !space(s).is_empty() {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads a 1C date-time: `2026-11-28T09:00:00` (Moscow), or with an explicit offset/`Z`.
/// 1C writes an empty date as `0001-01-01T00:00:00` (or `T` in CommerceML): both are `None`.
pub fn parse_1c_datetime(s: &str) -> Result<Option<DateTime<Utc>>, String> {
    let s = s.trim();
    if s.is_empty() || s == "T" || s.starts_with("0001-01-01") {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%d.%m.%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(Some(moscow_naive_to_utc(n)));
        }
    }
    if let Some(d) = parse_ymd(s) {
        return Ok(Some(moscow_naive_to_utc(
            d.and_hms_opt(0, 0, 0).expect("midnight"),
        )));
    }
    Err(format!("not a 1C date-time: {s:?}"))
}

pub fn moscow_naive_to_utc(n: NaiveDateTime) -> DateTime<Utc> {
    moscow()
        .from_local_datetime(&n)
        .single()
        .expect("fixed offset is unambiguous")
        .with_timezone(&Utc)
}

/// Writes a UTC instant the way 1C reads it: Moscow local time without a zone.
/// Equals `t.with_timezone(&moscow()).format("%Y-%m-%dT%H:%M:%S").to_string()`.
pub fn to_1c(t: DateTime<Utc>) -> String {
    let n = t.with_timezone(&moscow()).naive_local();
    let mut out = String::with_capacity(19);
    push_ymd_hm(&mut out, &n);
    // `%S` writes a leap second as 60.
    push2(&mut out, n.second() + n.nanosecond() / 1_000_000_000);
    out
}

/// `#[serde(deserialize_with = "datetime_from_1c")]` for a required 1C date-time.
pub fn datetime_from_1c<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    parse_1c_datetime(&s)
        .map_err(serde::de::Error::custom)?
        .ok_or_else(|| serde::de::Error::custom("empty date"))
}

/// `#[serde(default, deserialize_with = "opt_datetime_from_1c")]`: an optional 1C date-time
/// (null, absent or 1C's empty date `0001-01-01T00:00:00` are None).
pub fn opt_datetime_from_1c<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_1c_datetime(&s).map_err(serde::de::Error::custom),
    }
}

/// The 1C date `2026-11-28` (no time part) or a date-time, taken as a calendar date; a date-time
/// with an offset (`2026-12-05T21:30:00Z`) is the Moscow date of that instant.
pub fn date_from_1c<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    let Some(s) = s else { return Ok(None) };
    let s = s.trim();
    if s.is_empty() || s.starts_with("0001-01-01") {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&moscow()).date_naive()));
    }
    let date_part = s.split('T').next().unwrap_or(s);
    parse_ymd(date_part)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("not a date: {s:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SecondsFormat;

    /// Dates over the whole range chrono keeps, denser near today, and the edges of each month.
    fn dates() -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 1).unwrap();
        while d.year() < 2031 {
            out.push(d);
            d = d.succ_opt().unwrap();
        }
        for y in [
            -262_143, -10_000, -9_999, -1_000, -1, 0, 1, 9, 10, 99, 100, 999, 1_000, 1_969, 9_999,
            10_000, 99_999, 262_142,
        ] {
            for (m, dd) in [(1, 1), (2, 28), (6, 15), (12, 31)] {
                out.extend(NaiveDate::from_ymd_opt(y, m, dd));
            }
        }
        out.push(NaiveDate::MIN);
        out.push(NaiveDate::MAX);
        out
    }

    #[test]
    fn fixed_forms_equal_chrono_format() {
        let times = [
            (0, 0, 0, 0),
            (9, 5, 7, 1_000_000),
            (23, 59, 59, 999_999_999),
            (12, 30, 0, 500),
        ];
        for d in dates() {
            assert_eq!(date_ru(d), d.format("%d.%m.%Y").to_string());
            assert_eq!(date_en(d), d.format("%-d %b %Y").to_string());
            for (h, m, s, n) in times {
                let n = d.and_hms_nano_opt(h, m, s, n).unwrap();
                assert_eq!(
                    datetime_ru_minutes(&n),
                    n.format("%d.%m.%Y %H:%M").to_string()
                );
                let t = n.and_utc();
                assert_eq!(to_db(t), t.to_rfc3339_opts(SecondsFormat::Millis, true));
                // (Moscow's local time of the very last instants is past chrono's range.)
                if d.year() < 262_000 {
                    assert_eq!(
                        to_1c(t),
                        t.with_timezone(&moscow())
                            .format("%Y-%m-%dT%H:%M:%S")
                            .to_string()
                    );
                }
            }
        }
        // A leap second (chrono keeps it as 1_000_000_000+ nanoseconds).
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1_500)
            .unwrap()
            .and_utc();
        assert_eq!(
            to_db(leap),
            leap.to_rfc3339_opts(SecondsFormat::Millis, true)
        );
        let leap_1c = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(20, 59, 59, 1_500)
            .unwrap()
            .and_utc();
        assert_eq!(
            to_1c(leap_1c),
            leap_1c
                .with_timezone(&moscow())
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        );
    }

    #[test]
    fn parse_ymd_equals_chrono_parse_from_str() {
        let chrono = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut inputs: Vec<String> = dates().iter().map(|d| d.to_string()).collect();
        inputs.extend(dates().iter().map(|d| d.format("%Y-%m-%d").to_string()));
        for s in [
            "",
            "-",
            "--",
            "2026",
            "2026-",
            "2026-12",
            "2026-12-",
            "2026-12-05",
            "2026-1-5",
            "2026-01-5",
            "26-01-05",
            "0-1-1",
            "2026-12-05 ",
            " 2026-12-05",
            "2026- 12- 05",
            "2026 -12-05",
            "2026-12-05T10:00:00",
            "2026-13-01",
            "2026-00-10",
            "2026-02-29",
            "2024-02-29",
            "2026-04-31",
            "2026-12-32",
            "2026-12-00",
            "2026-012-05",
            "2026-12-005",
            "20261-12-05",
            "+20261-12-05",
            "-20261-12-05",
            "+2026-12-05",
            "-2026-12-05",
            "+-1-1-1",
            "++2026-12-05",
            "-0-01-01",
            "+0-01-01",
            "+99999999999999999999-01-01",
            "-9223372036854775808-01-01",
            "+9223372036854775807-01-01",
            "+2147483648-01-01",
            "-2147483649-01-01",
            "+262143-12-31",
            "+262144-01-01",
            "-262144-01-01",
            "2026/12/05",
            "05.12.2026",
            "2026-12-05x",
            "x2026-12-05",
            "２０２６-12-05",
            "\u{a0}2026-12-05",
            "2026-\u{2003}1-05",
            "\t2026-\n12-\r5",
            "2026-12-\u{1F600}",
            "1-1-1",
            "9999-12-31",
            "0000-01-01",
            "00002-01-01",
            "+00002-01-01",
        ] {
            inputs.push(s.to_string());
        }
        let from_str = |s: &str| s.parse::<NaiveDate>().ok();
        for s in ["2026 -12 -05 ", "2026\t-\n12-05\u{a0}", "2026-12-05  x"] {
            inputs.push(s.to_string());
        }
        for s in &inputs {
            assert_eq!(parse_ymd(s), chrono(s), "{s:?}");
            assert_eq!(parse_date_str(s), from_str(s), "{s:?}");
            // Every prefix too: the shapes a typed, unfinished date takes.
            for (i, _) in s.char_indices() {
                assert_eq!(parse_ymd(&s[..i]), chrono(&s[..i]), "{:?}", &s[..i]);
                assert_eq!(parse_date_str(&s[..i]), from_str(&s[..i]), "{:?}", &s[..i]);
            }
        }
    }

    #[test]
    fn moscow_local_becomes_utc() {
        let t = parse_1c_datetime("2026-11-28T09:00:00").unwrap().unwrap();
        assert_eq!(to_db(t), "2026-11-28T06:00:00.000Z");
        assert_eq!(to_1c(t), "2026-11-28T09:00:00");
        let t = parse_1c_datetime("01.02.2026 00:30:00").unwrap().unwrap();
        assert_eq!(to_db(t), "2026-01-31T21:30:00.000Z");
        let t = parse_1c_datetime("2026-11-28T09:00:00Z").unwrap().unwrap();
        assert_eq!(to_db(t), "2026-11-28T09:00:00.000Z");
    }

    #[test]
    fn dates_with_an_offset() {
        #[derive(serde::Deserialize)]
        struct D {
            #[serde(deserialize_with = "date_from_1c")]
            d: Option<NaiveDate>,
        }
        let date = |s: &str| {
            serde_json::from_value::<D>(serde_json::json!({ "d": s }))
                .unwrap()
                .d
                .map(|d| d.to_string())
        };
        assert_eq!(
            date("2026-12-06T10:00:00+03:00").as_deref(),
            Some("2026-12-06")
        );
        assert_eq!(date("2026-12-05T21:30:00Z").as_deref(), Some("2026-12-06"));
        assert_eq!(date("2026-12-06T00:00:00").as_deref(), Some("2026-12-06"));
        assert_eq!(date("2026-12-06").as_deref(), Some("2026-12-06"));
        let t = parse_1c_datetime("2026-12-06T10:00:00+03:00")
            .unwrap()
            .unwrap();
        assert_eq!(to_db(t), "2026-12-06T07:00:00.000Z");
    }

    #[test]
    fn empty_1c_dates() {
        assert_eq!(parse_1c_datetime("0001-01-01T00:00:00"), Ok(None));
        assert_eq!(parse_1c_datetime("T"), Ok(None));
        assert!(parse_1c_datetime("28/11/2026").is_err());
    }

    #[test]
    fn db_form_sorts_as_time() {
        let a = to_db(parse_1c_datetime("2026-01-01T00:00:00").unwrap().unwrap());
        let b = to_db(parse_1c_datetime("2026-01-01T00:00:01").unwrap().unwrap());
        assert!(a < b);
        assert_eq!(from_db(&a).map(to_db), Some(a));
    }
}
