//! Time: stored UTC (RFC 3339 text in SQLite, which sorts correctly), read from 1C as Moscow
//! local time without a zone (UTC+3, no daylight saving since 2014) or RFC 3339 with an offset.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer};

pub const MOSCOW_OFFSET_SECS: i32 = 3 * 3600;

pub fn moscow() -> FixedOffset {
    FixedOffset::east_opt(MOSCOW_OFFSET_SECS).expect("valid offset")
}

/// The form every timestamp is stored in: `2026-11-28T06:00:00.000Z`. Fixed width, so text
/// comparison in SQL is time comparison.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
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
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
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
pub fn to_1c(t: DateTime<Utc>) -> String {
    t.with_timezone(&moscow())
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
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
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("not a date: {s:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

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
