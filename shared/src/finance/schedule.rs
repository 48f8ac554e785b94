//! The payment schedule of credit orders: what is due when, days left by the clock (Moscow
//! calendar days), overdue highlighted; totals due this week, this month and overdue; CSV.

use super::sql;
use crate::auth::Caller;
use crate::error::AppResult;
use crate::ports::{DatabaseExt, Ports, Stmt};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Row {
    order_id: String,
    number: String,
    legal_entity: Option<String>,
    agreement: Option<String>,
    stage_no: i64,
    due_date: String,
    amount_kop: i64,
    paid_kop: i64,
}

#[derive(Debug, Serialize, Clone, PartialEq)]
pub struct Entry {
    pub order_id: String,
    pub order_number: String,
    pub legal_entity: Option<String>,
    pub agreement: Option<String>,
    pub stage_no: i64,
    pub due_date: String,
    pub amount_kop: i64,
    pub paid_kop: i64,
    pub due_kop: i64,
    /// Calendar days from today (Moscow) to the due date; negative when overdue.
    pub days_left: i64,
    pub overdue: bool,
}

/// Today in Moscow, the day 1C's due dates are counted in.
pub fn today(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    now.with_timezone(&crate::time::moscow()).date_naive()
}

pub fn entry(
    today: NaiveDate,
    order_id: String,
    order_number: String,
    legal_entity: Option<String>,
    agreement: Option<String>,
    stage_no: i64,
    due_date: &str,
    amount_kop: i64,
    paid_kop: i64,
) -> Entry {
    let due = crate::time::parse_ymd(due_date).unwrap_or(today);
    let days_left = (due - today).num_days();
    let due_kop = (amount_kop - paid_kop).max(0);
    Entry {
        order_id,
        order_number,
        legal_entity,
        agreement,
        stage_no,
        due_date: due.to_string(),
        amount_kop,
        paid_kop,
        due_kop,
        days_left,
        overdue: days_left < 0 && due_kop > 0,
    }
}

pub async fn entries<P: Ports>(
    p: &P,
    caller: &Caller,
    include_paid: bool,
) -> AppResult<Vec<Entry>> {
    let rows: Vec<Row> = p
        .db()
        .all(
            Stmt::new(sql::SCHEDULE)
                .bind(&caller.company_id)
                .bind(include_paid as i64),
        )
        .await?;
    let today = today(p.now());
    Ok(rows
        .into_iter()
        .map(|r| {
            entry(
                today,
                r.order_id,
                r.number,
                r.legal_entity,
                r.agreement,
                r.stage_no,
                &r.due_date,
                r.amount_kop,
                r.paid_kop,
            )
        })
        .collect())
}

#[derive(Debug, Serialize, PartialEq, Default)]
pub struct Totals {
    pub overdue_kop: i64,
    /// Not overdue, due by Sunday of this week.
    pub this_week_kop: i64,
    /// Not overdue, due by the end of this month.
    pub this_month_kop: i64,
    pub total_kop: i64,
}

pub fn totals(today: NaiveDate, es: &[Entry]) -> Totals {
    let week_end =
        today + chrono::Duration::days(6 - today.weekday().num_days_from_monday() as i64);
    let month_end = NaiveDate::from_ymd_opt(
        today.year() + (today.month() == 12) as i32,
        today.month() % 12 + 1,
        1,
    )
    .expect("valid")
        - chrono::Duration::days(1);
    let mut t = Totals::default();
    for e in es {
        let due = crate::time::parse_ymd(&e.due_date).unwrap_or(today);
        t.total_kop += e.due_kop;
        if e.overdue {
            t.overdue_kop += e.due_kop;
        } else {
            if due <= week_end {
                t.this_week_kop += e.due_kop;
            }
            if due <= month_end {
                t.this_month_kop += e.due_kop;
            }
        }
    }
    t
}

/// The schedule as CSV (Excel with Russian settings).
pub fn csv(es: &[Entry]) -> Vec<u8> {
    use crate::csv::{money, text};
    let mut rows = vec![[
        "Заказ",
        "Юридическое лицо",
        "Договор",
        "Срок оплаты",
        "Сумма",
        "Оплачено",
        "К оплате",
        "Дней до срока",
        "Просрочено",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    for e in es {
        let date = crate::time::parse_ymd(&e.due_date)
            .map(crate::time::date_ru)
            .unwrap_or_default();
        rows.push(vec![
            text(&e.order_number),
            text(e.legal_entity.as_deref().unwrap_or("")),
            text(e.agreement.as_deref().unwrap_or("")),
            date,
            money(e.amount_kop),
            money(e.paid_kop),
            money(e.due_kop),
            e.days_left.to_string(),
            if e.overdue {
                "да".into()
            } else {
                "нет".into()
            },
        ]);
    }
    crate::csv::document(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(today: NaiveDate, due: &str, amount: i64, paid: i64) -> Entry {
        entry(
            today,
            "o".into(),
            "=cmd".into(),
            None,
            None,
            1,
            due,
            amount,
            paid,
        )
    }

    #[test]
    fn days_left_overdue_and_totals_follow_the_clock() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(); // a Thursday
        let es = vec![
            e(today, "2026-11-20", 1000, 400),
            e(today, "2026-11-26", 500, 0),
            e(today, "2026-11-29", 300, 0),
            e(today, "2026-11-30", 200, 0),
            e(today, "2026-12-01", 100, 0),
            e(today, "2026-11-10", 50, 50),
        ];
        assert_eq!(es[0].days_left, -6);
        assert!(es[0].overdue);
        assert_eq!(es[0].due_kop, 600);
        assert!(!es[1].overdue, "due today is not overdue");
        assert!(!es[5].overdue, "paid in full is not overdue");
        let t = totals(today, &es);
        assert_eq!(
            t,
            Totals {
                overdue_kop: 600,
                this_week_kop: 800,
                this_month_kop: 1000,
                total_kop: 1700
            }
        );
        // Midnight in Moscow is 21:00 UTC the day before.
        assert_eq!(super::today("2026-11-25T21:30:00Z".parse().unwrap()), today);
    }

    #[test]
    fn csv_has_a_bom_and_neutralises_formulas() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let out = String::from_utf8(csv(&[e(today, "2026-11-20", 123456, 0)])).unwrap();
        assert!(out.starts_with('\u{feff}'));
        assert!(
            out.contains("'=cmd;;;20.11.2026;1234,56;0,00;1234,56;-6;да\r\n"),
            "{out}"
        );
    }
}
