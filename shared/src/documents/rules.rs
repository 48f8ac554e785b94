//! Pure rules of the documents capability: download headers, act periods, the preliminary act
//! and its comparison with 1C's official one. No I/O: unit-tested natively.

use crate::error::FieldError;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

// ---- Downloads ----

/// RFC 5987 `attr-char`: what may stay unencoded in `filename*`.
fn attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `Content-Disposition` for a download (RFC 6266): an ASCII `filename` for old clients, the real
/// (Russian) name in `filename*` as percent-encoded UTF-8.
pub fn content_disposition(name: &str) -> String {
    let name = name.trim();
    let name = if name.is_empty() { "file" } else { name };
    let mut fallback = String::new();
    for c in name.chars() {
        let keep = c.is_ascii_graphic() && c != '"' && c != '\\' && c != ';' || c == ' ';
        let next = if keep { c } else { '_' };
        if !(next == '_' && fallback.ends_with('_')) {
            fallback.push(next);
        }
    }
    // A name that was all Cyrillic keeps at least its extension.
    if !fallback.chars().any(|c| c.is_ascii_alphanumeric()) || fallback.starts_with("_.") {
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        fallback = if !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric()) {
            format!("document.{ext}")
        } else {
            "document".into()
        };
    }
    let mut encoded = String::new();
    for b in name.bytes() {
        if attr_char(b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The stored content type if it is a plain `type/subtype[; params]`, else a neutral one (it came
/// from 1C and goes into a response header).
pub fn safe_content_type(ct: &str) -> String {
    let ok = !ct.is_empty()
        && ct.len() <= 100
        && ct.contains('/')
        && ct
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/+-.;= _".contains(c));
    if ok {
        ct.to_string()
    } else {
        "application/octet-stream".into()
    }
}

/// A strong validator from the bytes served (1C may upload a file again under the same key).
pub fn etag(bytes: &[u8]) -> String {
    super::checksums::Checksum::of(bytes).etag()
}

/// `If-None-Match` holds the current tag (or `*`).
pub fn not_modified(if_none_match: Option<&str>, tag: &str) -> bool {
    if_none_match.is_some_and(|h| {
        h.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == tag || t == "*")
    })
}

// ---- Act periods ----

/// The longest period an act may cover.
pub const MAX_ACT_YEARS: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The previous full calendar quarter before `today`.
pub fn last_quarter(today: NaiveDate) -> Period {
    let q_start_month = (today.month0() / 3) * 3 + 1;
    let this_q = NaiveDate::from_ymd_opt(today.year(), q_start_month, 1).expect("quarter start");
    let from = this_q - Months::new(3);
    Period {
        from,
        to: this_q.pred_opt().expect("day before"),
    }
}

/// The previous calendar year.
pub fn last_year(today: NaiveDate) -> Period {
    let y = today.year() - 1;
    Period {
        from: NaiveDate::from_ymd_opt(y, 1, 1).expect("jan 1"),
        to: NaiveDate::from_ymd_opt(y, 12, 31).expect("dec 31"),
    }
}

/// The period a request asks for: a preset, or `custom` with both dates. Refuses a start after
/// the end, an end after `today` (the period must have happened) and more than three years.
pub fn act_period(
    preset: &str,
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<Period, Vec<FieldError>> {
    let p = match preset {
        "last_quarter" => last_quarter(today),
        "last_year" => last_year(today),
        "custom" => {
            let date = |field: &str, v: Option<&str>| match v.map(str::trim) {
                None | Some("") => Err(FieldError::new(
                    field,
                    "required",
                    "Укажите дату.",
                    "The date is required.",
                )),
                Some(s) => crate::time::parse_ymd(s).ok_or_else(|| {
                    FieldError::new(
                        field,
                        "invalid-date",
                        "Дата в формате ГГГГ-ММ-ДД.",
                        "A date as YYYY-MM-DD.",
                    )
                }),
            };
            let (f, t) = (date("period_from", from), date("period_to", to));
            match (f, t) {
                (Ok(from), Ok(to)) => Period { from, to },
                (f, t) => {
                    return Err([f.err(), t.err()].into_iter().flatten().collect());
                }
            }
        }
        _ => {
            return Err(vec![FieldError::new(
                "preset",
                "unknown",
                "Выберите период: прошлый квартал, прошлый год или свои даты.",
                "Choose a period: last quarter, last year or custom dates.",
            )])
        }
    };
    let mut errs = Vec::new();
    if p.from > p.to {
        errs.push(FieldError::new(
            "period_from",
            "invalid-range",
            "Начало периода позже его конца.",
            "The period starts after it ends.",
        ));
    }
    if p.to > today {
        errs.push(FieldError::new(
            "period_to",
            "in-future",
            "Период ещё не закончился: конец периода не позже сегодняшнего дня.",
            "The period has not ended yet: the end must not be after today.",
        ));
    }
    if p.from <= p.to && p.to >= p.from + Months::new(12 * MAX_ACT_YEARS) {
        errs.push(FieldError::new(
            "period_from",
            "too-long",
            "Акт сверки — не более чем за 3 года.",
            "An act covers at most 3 years.",
        ));
    }
    if errs.is_empty() {
        Ok(p)
    } else {
        Err(errs)
    }
}

// ---- The preliminary act ----

/// An opening balance 1C sent: the settlement at the start of `as_of`. Positive: the client owes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Opening {
    pub as_of: NaiveDate,
    pub balance_kop: i64,
}

/// One settlement event the portal knows: a document (debit, or credit for a decreasing УКД)
/// or a payment received (credit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub date: NaiveDate,
    pub document: String,
    /// 1C's id of the document or payment: how official operations are matched.
    pub document_id: Option<String>,
    pub debit_kop: i64,
    pub credit_kop: i64,
}

/// A document's effect on the settlement: shipments add debt, a decreasing correction (negative
/// amount) is a credit.
pub fn document_operation(
    date: NaiveDate,
    document: String,
    document_id: String,
    amount_kop: i64,
) -> Operation {
    let (debit_kop, credit_kop) = if amount_kop < 0 {
        (0, -amount_kop)
    } else {
        (amount_kop, 0)
    };
    Operation {
        date,
        document,
        document_id: Some(document_id),
        debit_kop,
        credit_kop,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Act {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The opening balance the computation started from (`None`: 1C sent none; counted from 0).
    pub base_as_of: Option<NaiveDate>,
    pub opening_kop: i64,
    pub operations: Vec<Operation>,
    pub debit_kop: i64,
    pub credit_kop: i64,
    pub closing_kop: i64,
}

/// The act as the portal can compute it: the latest opening balances dated at or before the
/// start (summed when several agreements share that date), plus everything from their date up to
/// the start; then the period's operations in date order.
pub fn preliminary(period: Period, openings: &[Opening], events: &[Operation]) -> Act {
    let base_as_of = openings
        .iter()
        .filter(|o| o.as_of <= period.from)
        .map(|o| o.as_of)
        .max();
    let base: i64 = openings
        .iter()
        .filter(|o| Some(o.as_of) == base_as_of)
        .map(|o| o.balance_kop)
        .sum();
    let counted = |e: &&Operation| base_as_of.is_none_or(|b| e.date >= b);
    let before: i64 = events
        .iter()
        .filter(counted)
        .filter(|e| e.date < period.from)
        .map(|e| e.debit_kop - e.credit_kop)
        .sum();
    let mut operations: Vec<Operation> = events
        .iter()
        .filter(|e| e.date >= period.from && e.date <= period.to)
        .cloned()
        .collect();
    crate::sort::sort_by(&mut operations, |a, b| {
        (a.date, &a.document_id).cmp(&(b.date, &b.document_id))
    });
    let opening_kop = base + before;
    let debit_kop = operations.iter().map(|o| o.debit_kop).sum();
    let credit_kop = operations.iter().map(|o| o.credit_kop).sum();
    Act {
        period_from: period.from,
        period_to: period.to,
        base_as_of,
        opening_kop,
        debit_kop,
        credit_kop,
        closing_kop: opening_kop + debit_kop - credit_kop,
        operations,
    }
}

// ---- Differences between the official act and the preliminary one ----

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationDiff {
    /// `same`, `differs` (amounts or date), `not_in_portal` (only in 1C's act), `not_in_act`
    /// (only in the preliminary one).
    pub state: &'static str,
    pub official: Option<Operation>,
    pub preliminary: Option<Operation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceDiff {
    /// Official minus preliminary.
    pub opening_kop: i64,
    pub debit_kop: i64,
    pub credit_kop: i64,
    pub closing_kop: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub operations: Vec<OperationDiff>,
    pub balances: BalanceDiff,
    /// Nothing differs.
    pub equal: bool,
}

/// Matches operations by 1C's document id (by date and amounts where the act names none) and
/// lists every difference, in the official act's order with the portal-only ones after.
pub fn compare(official: &Act, prelim: &Act) -> Comparison {
    let mut unmatched: Vec<Option<&Operation>> = prelim.operations.iter().map(Some).collect();
    let mut out = Vec::new();
    for o in &official.operations {
        let pos = unmatched.iter().position(|p| {
            p.is_some_and(|p| match (&o.document_id, &p.document_id) {
                (Some(a), Some(b)) => a == b,
                _ => p.date == o.date && p.debit_kop == o.debit_kop && p.credit_kop == o.credit_kop,
            })
        });
        let matched = pos.and_then(|i| unmatched[i].take());
        let state = match matched {
            None => "not_in_portal",
            Some(p)
                if p.debit_kop == o.debit_kop
                    && p.credit_kop == o.credit_kop
                    && p.date == o.date =>
            {
                "same"
            }
            Some(_) => "differs",
        };
        out.push(OperationDiff {
            state,
            official: Some(o.clone()),
            preliminary: matched.cloned(),
        });
    }
    for p in unmatched.into_iter().flatten() {
        out.push(OperationDiff {
            state: "not_in_act",
            official: None,
            preliminary: Some(p.clone()),
        });
    }
    let balances = BalanceDiff {
        opening_kop: official.opening_kop - prelim.opening_kop,
        debit_kop: official.debit_kop - prelim.debit_kop,
        credit_kop: official.credit_kop - prelim.credit_kop,
        closing_kop: official.closing_kop - prelim.closing_kop,
    };
    let equal = out.iter().all(|d| d.state == "same")
        && balances
            == (BalanceDiff {
                opening_kop: 0,
                debit_kop: 0,
                credit_kop: 0,
                closing_kop: 0,
            });
    Comparison {
        operations: out,
        balances,
        equal,
    }
}

// Amounts in tests are written rubles_kopecks (`1_000_00` = 1 000,00 ₽).
#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn disposition_has_ascii_fallback_and_utf8_name() {
        let h = content_disposition("УПД № 12 от 05.03.2026.pdf");
        assert_eq!(
            h,
            "attachment; filename=\"_ _ 12 _ 05.03.2026.pdf\"; filename*=UTF-8''%D0%A3%D0%9F%D0%94%20%E2%84%96%2012%20%D0%BE%D1%82%2005.03.2026.pdf"
        );
        assert_eq!(
            content_disposition("Счет.pdf"),
            "attachment; filename=\"document.pdf\"; filename*=UTF-8''%D0%A1%D1%87%D0%B5%D1%82.pdf"
        );
        // Quotes and separators never break out of the header value.
        let h = content_disposition("a\"b;c\r\n.pdf");
        assert!(
            h.starts_with(
                "attachment; filename=\"a_b_c_.pdf\"; filename*=UTF-8''a%22b%3Bc%0D%0A.pdf"
            ),
            "{h}"
        );
    }

    #[test]
    fn content_types_from_1c_are_sanitised() {
        assert_eq!(safe_content_type("application/pdf"), "application/pdf");
        assert_eq!(
            safe_content_type("text/xml; charset=windows-1251"),
            "text/xml; charset=windows-1251"
        );
        assert_eq!(
            safe_content_type("text/html\r\nSet-Cookie: x=1"),
            "application/octet-stream"
        );
        assert_eq!(safe_content_type(""), "application/octet-stream");
    }

    #[test]
    fn etags_follow_the_bytes() {
        let t = etag(b"%PDF-1");
        assert_ne!(t, etag(b"%PDF-2"));
        assert!(not_modified(Some(&t), &t));
        assert!(not_modified(Some(&format!("\"x\", W/{t}")), &t));
        assert!(!not_modified(Some("\"x\""), &t));
        assert!(!not_modified(None, &t));
    }

    #[test]
    fn presets_are_the_previous_full_quarter_and_year() {
        assert_eq!(
            last_quarter(d("2026-11-28")),
            Period {
                from: d("2026-07-01"),
                to: d("2026-09-30")
            }
        );
        assert_eq!(
            last_quarter(d("2026-02-10")),
            Period {
                from: d("2025-10-01"),
                to: d("2025-12-31")
            }
        );
        assert_eq!(
            last_year(d("2026-01-01")),
            Period {
                from: d("2025-01-01"),
                to: d("2025-12-31")
            }
        );
    }

    #[test]
    fn periods_in_the_future_too_long_or_reversed_are_refused() {
        let today = d("2026-11-28");
        let custom = |f: &str, t: &str| act_period("custom", Some(f), Some(t), today);
        assert!(custom("2026-01-01", "2026-11-28").is_ok());
        let codes = |r: Result<Period, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(custom("2026-11-01", "2026-11-29")),
            vec![("period_to".to_string(), "in-future")]
        );
        assert_eq!(
            codes(custom("2026-05-01", "2026-04-01")),
            vec![("period_from".to_string(), "invalid-range")]
        );
        // Exactly three years is allowed; a day more is not.
        assert!(custom("2023-01-01", "2025-12-31").is_ok());
        assert_eq!(
            codes(custom("2023-01-01", "2026-01-01")),
            vec![("period_from".to_string(), "too-long")]
        );
        assert_eq!(
            codes(act_period("custom", Some("01.01.2026"), None, today)),
            vec![
                ("period_from".to_string(), "invalid-date"),
                ("period_to".to_string(), "required")
            ]
        );
        assert_eq!(
            codes(act_period("next_year", None, None, today)),
            vec![("preset".to_string(), "unknown")]
        );
        assert_eq!(
            act_period("last_quarter", None, None, today).unwrap(),
            last_quarter(today)
        );
    }

    fn op(date: &str, id: &str, debit: i64, credit: i64) -> Operation {
        Operation {
            date: d(date),
            document: format!("Документ {id}"),
            document_id: Some(id.into()),
            debit_kop: debit,
            credit_kop: credit,
        }
    }

    #[test]
    fn preliminary_starts_from_the_latest_opening_balance_and_rolls_forward() {
        let openings = [
            Opening {
                as_of: d("2024-11-01"),
                balance_kop: 1_000_00,
            },
            Opening {
                as_of: d("2026-01-01"),
                balance_kop: 500_00,
            },
            // After the start: not used.
            Opening {
                as_of: d("2026-08-01"),
                balance_kop: 9_999_00,
            },
        ];
        let events = [
            op("2025-12-31", "old", 7_00, 0), // before the base date: already in it
            op("2026-03-10", "upd1", 300_00, 0),
            op("2026-05-05", "pay1", 0, 100_00),
            op("2026-07-15", "upd2", 250_00, 0),
            op("2026-07-02", "ukd1", 0, 50_00),
            op("2026-09-30", "pay2", 0, 400_00),
            op("2026-10-01", "upd3", 1_00, 0), // after the end
        ];
        let period = Period {
            from: d("2026-07-01"),
            to: d("2026-09-30"),
        };
        let act = preliminary(period, &openings, &events);
        assert_eq!(act.base_as_of, Some(d("2026-01-01")));
        assert_eq!(act.opening_kop, 500_00 + 300_00 - 100_00);
        let ids: Vec<_> = act
            .operations
            .iter()
            .map(|o| o.document_id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["ukd1", "upd2", "pay2"]);
        assert_eq!((act.debit_kop, act.credit_kop), (250_00, 450_00));
        assert_eq!(act.closing_kop, 700_00 + 250_00 - 450_00);
        // No opening balance at all: everything before the start counts from zero.
        let act = preliminary(period, &[], &events);
        assert_eq!(act.base_as_of, None);
        assert_eq!(act.opening_kop, 7_00 + 300_00 - 100_00);
    }

    #[test]
    fn document_signs() {
        let upd = document_operation(d("2026-07-01"), "УПД".into(), "x".into(), 10_00);
        assert_eq!((upd.debit_kop, upd.credit_kop), (10_00, 0));
        let ukd = document_operation(d("2026-07-01"), "УКД".into(), "y".into(), -3_00);
        assert_eq!((ukd.debit_kop, ukd.credit_kop), (0, 3_00));
    }

    #[test]
    fn comparison_highlights_each_difference() {
        let period = Period {
            from: d("2026-07-01"),
            to: d("2026-09-30"),
        };
        let prelim = preliminary(
            period,
            &[Opening {
                as_of: d("2026-07-01"),
                balance_kop: 100_00,
            }],
            &[
                op("2026-07-10", "a", 50_00, 0),
                op("2026-07-11", "b", 0, 20_00),
                op("2026-07-12", "c", 5_00, 0),
            ],
        );
        let same = compare(&prelim, &prelim);
        assert!(same.equal);
        let mut official = prelim.clone();
        official.opening_kop = 90_00;
        official.operations = vec![
            op("2026-07-10", "a", 50_00, 0),
            op("2026-07-11", "b", 0, 25_00),
            op("2026-07-20", "d", 0, 1_00),
        ];
        official.debit_kop = 50_00;
        official.credit_kop = 26_00;
        official.closing_kop = 90_00 + 50_00 - 26_00;
        let c = compare(&official, &prelim);
        assert!(!c.equal);
        let states: Vec<_> = c.operations.iter().map(|o| o.state).collect();
        assert_eq!(states, ["same", "differs", "not_in_portal", "not_in_act"]);
        assert_eq!(c.balances.opening_kop, -10_00);
        assert_eq!(c.balances.debit_kop, 50_00 - 55_00);
        assert_eq!(c.balances.credit_kop, 26_00 - 20_00);
        assert_eq!(c.balances.closing_kop, 114_00 - 135_00);
    }
}
