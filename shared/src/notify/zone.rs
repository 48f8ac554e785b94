//! A company's local time: reminders and digests go at a morning hour where the company is.
//! Russia keeps no daylight saving since 2014, so each zone is a fixed offset; an unknown name is
//! taken as Moscow (`companies.timezone` defaults to `Europe/Moscow`).

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};

/// The offset of a time zone name, in hours east of UTC.
fn hours(tz: &str) -> i32 {
    match tz {
        "Europe/Kaliningrad" => 2,
        "Europe/Moscow" | "Europe/Simferopol" | "Europe/Volgograd" | "Europe/Kirov" => 3,
        "Europe/Samara" | "Europe/Astrakhan" | "Europe/Saratov" | "Europe/Ulyanovsk" => 4,
        "Asia/Yekaterinburg" => 5,
        "Asia/Omsk" => 6,
        "Asia/Novosibirsk" | "Asia/Barnaul" | "Asia/Tomsk" | "Asia/Novokuznetsk"
        | "Asia/Krasnoyarsk" => 7,
        "Asia/Irkutsk" => 8,
        "Asia/Chita" | "Asia/Yakutsk" | "Asia/Khandyga" => 9,
        "Asia/Vladivostok" | "Asia/Ust-Nera" => 10,
        "Asia/Magadan" | "Asia/Sakhalin" | "Asia/Srednekolymsk" => 11,
        "Asia/Kamchatka" | "Asia/Anadyr" => 12,
        "UTC" | "Etc/UTC" => 0,
        _ => 3,
    }
}

pub fn offset(tz: &str) -> FixedOffset {
    FixedOffset::east_opt(hours(tz) * 3600).expect("valid offset")
}

/// The local date and hour of `now` in `tz`.
pub fn local(now: DateTime<Utc>, tz: &str) -> (NaiveDate, u32) {
    let t = now.with_timezone(&offset(tz));
    (t.date_naive(), t.hour())
}

/// The day an event is recorded under: the Moscow date (the inbound apply does not look up each
/// company's zone; reminders and digests use the company's own).
pub fn event_day(now: DateTime<Utc>) -> String {
    local(now, "Europe/Moscow").0.to_string()
}
