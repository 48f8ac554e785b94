//! Reference data around the orders: the companies' consignees (грузополучатели) and the
//! warehouse's shipping calendar.

use super::common::{as_of, date_1c, delivery_address};
use super::{legal_entity_inn, msg};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Consignee {
    pub id: &'static str,
    pub company: &'static str,
    pub name: &'static str,
    pub inn: Option<String>,
    pub kpp: Option<&'static str>,
    pub address: String,
    pub contact_person: Option<&'static str>,
    pub phone: Option<&'static str>,
    pub active: bool,
}

/// Two or three per company: the sites orders are delivered to (same addresses as the orders),
/// one more of their own, and for the dealer a client of theirs; one archived.
pub fn consignees() -> Vec<Consignee> {
    let own = |company, le: &str, i, j, id, name, contact, phone| Consignee {
        id,
        company,
        name,
        inn: Some(legal_entity_inn(i, j)),
        kpp: Some("231001001"),
        address: delivery_address(le, "delivery")
            .unwrap_or_default()
            .to_string(),
        contact_person: Some(contact),
        phone: Some(phone),
        active: true,
    };
    vec![
        own(
            "c-kuban",
            "le-kuban-1",
            0,
            0,
            "k-kuban-1",
            "ООО «Кубань-Агро», отделение Каневское",
            "Гончаренко Виктор Павлович",
            "+7 861 641-20-15",
        ),
        own(
            "c-kuban",
            "le-kuban-2",
            0,
            1,
            "k-kuban-2",
            "АО «Кубань-Агро Юг», элеватор Тимашевск",
            "Лысенко Андрей Николаевич",
            "+7 861 304-11-02",
        ),
        Consignee {
            id: "k-kuban-3",
            company: "c-kuban",
            name: "ООО «Кубань-Агро», мастерская в ст. Брюховецкой",
            inn: Some(legal_entity_inn(0, 0)),
            kpp: Some("231001001"),
            address: "Краснодарский край, ст. Брюховецкая, ул. Заводская, 14".into(),
            contact_person: None,
            phone: None,
            active: false,
        },
        own(
            "c-petrov",
            "le-petrov-1",
            1,
            0,
            "k-petrov-1",
            "КФХ Петров А. В., полевой стан",
            "Петров Алексей Викторович",
            "+7 863 725-33-40",
        ),
        Consignee {
            id: "k-petrov-2",
            company: "c-petrov",
            name: "ИП Глава КФХ Петров А. В., склад в г. Сальске",
            inn: Some(legal_entity_inn(1, 0)),
            kpp: None,
            address: "Ростовская область, г. Сальск, ул. Железнодорожная, 21".into(),
            contact_person: Some("Петрова Нина Ивановна"),
            phone: Some("+7 863 725-10-08"),
            active: true,
        },
        own(
            "c-step",
            "le-step-1",
            2,
            0,
            "k-step-1",
            "ООО «Степной дилер», склад Светлоград",
            "Волкова Анна Сергеевна",
            "+7 865 474-02-90",
        ),
        Consignee {
            id: "k-step-2",
            company: "c-step",
            name: "ООО «АгроСервис Ипатово» (клиент дилера)",
            inn: Some(super::inn10(4_242_424)),
            kpp: Some("260801001"),
            address: "Ставропольский край, г. Ипатово, ул. Гагарина, 101".into(),
            contact_person: Some("Рябов Константин Ильич"),
            phone: Some("+7 865 425-61-17"),
            active: true,
        },
    ]
}

pub fn consignee_messages() -> Vec<Value> {
    consignees()
        .iter()
        .map(|c| {
            msg(
                "consignee",
                c.id,
                1,
                json!({"company_id": c.company, "portal_id": null, "name": c.name, "inn": c.inn, "kpp": c.kpp,
                       "address": c.address, "contact_person": c.contact_person, "phone": c.phone, "active": c.active}),
            )
        })
        .collect()
}

/// The calendar the demo sends (1C's id of the shipping warehouse's calendar).
pub const CALENDAR_ID: &str = "main";
/// Days the calendar covers, from the day after `AS_OF`.
pub const CALENDAR_DAYS: i64 = 90;

/// Non-working holidays (Labour Code, art. 112) as (month, day).
const HOLIDAYS: &[(u32, u32)] = &[
    (1, 1),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),
    (1, 8),
    (2, 23),
    (3, 8),
    (5, 1),
    (5, 9),
    (6, 12),
    (11, 4),
];

/// Days the warehouse does not ship: weekends, public holidays (a holiday outside the New Year
/// break that falls on a weekend moves to the next working day), and 31 December 2026, a day off
/// by the government's 2026 calendar (moved from Sunday 4 January).
pub fn is_day_off(d: NaiveDate) -> bool {
    let weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let holiday = |d: NaiveDate| HOLIDAYS.contains(&(d.month(), d.day()));
    if weekend(d) || holiday(d) || d == NaiveDate::from_ymd_opt(2026, 12, 31).unwrap() {
        return true;
    }
    // A moved holiday: the previous days back to a working day include a weekend holiday.
    let mut prev = d - Duration::days(1);
    while weekend(prev) || holiday(prev) {
        if weekend(prev) && holiday(prev) && prev.month() != 1 {
            return true;
        }
        prev -= Duration::days(1);
    }
    false
}

/// (from, to, days off) of the calendar: the next `CALENDAR_DAYS` days from `AS_OF`.
pub fn calendar() -> (NaiveDate, NaiveDate, Vec<NaiveDate>) {
    let from = as_of().date() + Duration::days(1);
    let to = from + Duration::days(CALENDAR_DAYS - 1);
    let days_off = from
        .iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| is_day_off(*d))
        .collect();
    (from, to, days_off)
}

pub fn calendar_message() -> Value {
    let (from, to, days_off) = calendar();
    let days_off: Vec<String> = days_off.into_iter().map(date_1c).collect();
    msg(
        "shipping_calendar",
        CALENDAR_ID,
        1,
        json!({"from": date_1c(from), "to": date_1c(to), "days_off": days_off}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::common::delivery_consignee;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_calendar_knows_weekends_and_holidays() {
        let (from, to, off) = calendar();
        assert_eq!((from, to), (d(2026, 11, 28), d(2027, 2, 25)));
        for day in [
            d(2026, 11, 28), // Saturday
            d(2026, 12, 31),
            d(2027, 1, 1),
            d(2027, 1, 4),
            d(2027, 1, 8),
            d(2027, 2, 23),
        ] {
            assert!(off.contains(&day), "{day}");
        }
        for day in [d(2026, 11, 30), d(2026, 12, 30), d(2027, 1, 11)] {
            assert!(!off.contains(&day), "{day} ships");
        }
        // A holiday on a Sunday moves to Monday (8 March 2026).
        assert!(is_day_off(d(2026, 3, 9)));
        assert!(!is_day_off(d(2026, 3, 10)));
        // 90 days, about two thirds of them working.
        assert!((55..=65).contains(&(90 - off.len())), "{}", off.len());
    }

    #[test]
    fn consignees_match_the_orders_addresses() {
        let cs = consignees();
        for c in ["c-kuban", "c-petrov", "c-step"] {
            let n = cs.iter().filter(|k| k.company == c).count();
            assert!((2..=3).contains(&n), "{c}: {n}");
        }
        for le in ["le-kuban-1", "le-kuban-2", "le-petrov-1", "le-step-1"] {
            let k = cs
                .iter()
                .find(|k| Some(k.id) == delivery_consignee(le))
                .unwrap();
            assert_eq!(Some(k.address.as_str()), delivery_address(le, "delivery"));
            assert!(k.active);
        }
        assert!(cs.iter().any(|k| !k.active), "one archived");
    }
}
