//! What a client may return: only shipped goods, never more than shipped minus what is already
//! returned or requested; a reason from the list (a comment is required for `other`); and the
//! statuses 1C moves a return through. Pure functions, tested natively.

use crate::error::FieldError;
use crate::money::Milli;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Defect,
    WrongItem,
    Surplus,
    Other,
}

pub const REASONS: &[Reason] = &[
    Reason::Defect,
    Reason::WrongItem,
    Reason::Surplus,
    Reason::Other,
];

impl Reason {
    pub fn parse(s: &str) -> Option<Reason> {
        REASONS.iter().copied().find(|r| r.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Defect => "defect",
            Reason::WrongItem => "wrong_item",
            Reason::Surplus => "surplus",
            Reason::Other => "other",
        }
    }
}

/// requested -> approved | rejected; approved -> completed. 1C decides every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Requested,
    Approved,
    Rejected,
    Completed,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "requested" => Some(Status::Requested),
            "approved" => Some(Status::Approved),
            "rejected" => Some(Status::Rejected),
            "completed" => Some(Status::Completed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Requested => "requested",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Completed => "completed",
        }
    }

    pub fn can_move_to(self, next: Status) -> bool {
        matches!(
            (self, next),
            (Status::Requested, Status::Approved)
                | (Status::Requested, Status::Rejected)
                | (Status::Approved, Status::Completed)
        )
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Rejected | Status::Completed)
    }

    /// Photos support the request: they are added while 1C has not decided yet.
    pub fn accepts_photos(self) -> bool {
        self == Status::Requested
    }

    /// How much of a line a return holds against the shipped quantity: nothing once rejected;
    /// 1C's accepted quantity once approved or completed (when 1C named one), else the request.
    /// `sql::CLAIMED` computes exactly this in the database.
    pub fn claims(self, requested: Milli, approved: Option<Milli>) -> Milli {
        match self {
            Status::Rejected => Milli(0),
            Status::Requested => requested,
            Status::Approved | Status::Completed => approved.unwrap_or(requested),
        }
    }
}

/// An order line as the return form needs it: what was shipped and what returns already hold.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct OrderLine {
    pub line_no: i64,
    pub article: String,
    pub name: String,
    pub unit: String,
    pub product_onec_id: Option<String>,
    pub price_kop: i64,
    pub ordered_milli: i64,
    pub shipped_milli: i64,
    pub claimed_milli: i64,
}

impl OrderLine {
    /// Shipped minus returned or requested; never negative (1C may accept more than asked).
    pub fn returnable(&self) -> Milli {
        Milli((self.shipped_milli - self.claimed_milli).max(0))
    }
}

/// A quantity as sent: a JSON number or a decimal string, kept as text and parsed exactly.
fn quantity_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(serde_json::Number),
        Text(String),
    }
    Ok(Option::<NumOrText>::deserialize(d)?.map(|v| match v {
        NumOrText::Num(n) => n.to_string(),
        NumOrText::Text(t) => t,
    }))
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct LineRequest {
    pub line_no: Option<i64>,
    #[serde(default, deserialize_with = "quantity_text")]
    pub quantity: Option<String>,
}

/// The client's request (`POST /api/returns/returns`).
#[derive(Debug, Clone, Deserialize, Default)]
pub struct NewReturn {
    pub order_id: Option<String>,
    #[serde(default)]
    pub whole: bool,
    #[serde(default)]
    pub lines: Vec<LineRequest>,
    pub reason: Option<String>,
    pub comment: Option<String>,
}
impl crate::body::Body for NewReturn {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("order_id", crate::body::ID),
        crate::body::Field::scalar("whole"),
        crate::body::Field::list(
            "lines",
            &crate::body::Kind::Object(&[
                crate::body::Field::scalar("line_no"),
                crate::body::Field::text("quantity", crate::body::QUANTITY),
            ]),
        ),
        crate::body::Field::text("reason", 20),
        crate::body::Field::text("comment", COMMENT_MAX),
    ];
}

/// What will be written: the lines with positive quantities, the reason and the comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub lines: Vec<(i64, Milli)>,
    pub reason: Reason,
    pub comment: Option<String>,
}

pub const COMMENT_MAX: usize = 2000;

/// `2,5` in Russian text, `2.5` in English: no trailing zeros.
pub fn qty_text(q: Milli, decimal_mark: char) -> String {
    let s = q.to_decimal_string();
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', &decimal_mark.to_string())
}

fn too_much(field: String, line: &OrderLine) -> FieldError {
    let (max, shipped, claimed) = (
        line.returnable(),
        Milli(line.shipped_milli),
        Milli(line.claimed_milli),
    );
    FieldError::new(
        field,
        "quantity-exceeds-returnable",
        format!(
            "Можно вернуть не больше {} {}: отгружено {}, уже возвращено или заявлено к возврату {}.",
            qty_text(max, ','),
            line.unit,
            qty_text(shipped, ','),
            qty_text(claimed, ',')
        ),
        format!(
            "At most {} {} can be returned: {} shipped, {} already returned or requested.",
            qty_text(max, '.'),
            line.unit,
            qty_text(shipped, '.'),
            qty_text(claimed, '.')
        ),
    )
}

/// Checks a request against the order's lines. Every problem at once, per field, in Russian
/// and English; `whole` takes every line's remaining returnable quantity.
pub fn plan(req: &NewReturn, lines: &[OrderLine]) -> Result<Plan, Vec<FieldError>> {
    let mut errs = Vec::new();
    let reason = req.reason.as_deref().and_then(Reason::parse);
    if reason.is_none() {
        errs.push(FieldError::new(
            "reason",
            "invalid-reason",
            "Выберите причину: брак, не тот товар, излишек или другое.",
            "Choose a reason: defect, wrong item, surplus or other.",
        ));
    }
    let comment = req
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    match &comment {
        None if reason == Some(Reason::Other) => errs.push(FieldError::new(
            "comment",
            "required",
            "Опишите причину возврата в комментарии.",
            "Describe the reason for the return in the comment.",
        )),
        Some(c) if c.chars().count() > COMMENT_MAX => errs.push(FieldError::new(
            "comment",
            "too-long",
            format!("Не длиннее {COMMENT_MAX} символов."),
            format!("At most {COMMENT_MAX} characters."),
        )),
        _ => {}
    }
    let mut chosen: Vec<(i64, Milli)> = Vec::new();
    if req.whole {
        if !req.lines.is_empty() {
            errs.push(FieldError::new(
                "lines",
                "whole-or-lines",
                "Либо весь заказ, либо выбранные позиции: не то и другое сразу.",
                "Either the whole order or chosen lines, not both.",
            ));
        }
        chosen = lines
            .iter()
            .filter(|l| l.returnable().0 > 0)
            .map(|l| (l.line_no, l.returnable()))
            .collect();
        if chosen.is_empty() && req.lines.is_empty() {
            errs.push(FieldError::new(
                "whole",
                "nothing-returnable",
                "По заказу нечего возвращать: всё отгруженное уже возвращено или заявлено к возврату.",
                "Nothing in this order can be returned: everything shipped is already returned or requested.",
            ));
        }
    } else if req.lines.is_empty() {
        errs.push(FieldError::new(
            "lines",
            "required",
            "Выберите позиции и количество к возврату.",
            "Choose the lines and quantities to return.",
        ));
    } else {
        for (i, l) in req.lines.iter().enumerate() {
            let line = l
                .line_no
                .and_then(|n| lines.iter().find(|x| x.line_no == n));
            let Some(line) = line else {
                errs.push(FieldError::new(
                    format!("lines[{i}].line_no"),
                    "unknown-line",
                    "В заказе нет такой позиции.",
                    "The order has no such line.",
                ));
                continue;
            };
            if chosen.iter().any(|(n, _)| *n == line.line_no) {
                errs.push(FieldError::new(
                    format!("lines[{i}].line_no"),
                    "duplicate-line",
                    "Позиция указана дважды.",
                    "The line is listed twice.",
                ));
                continue;
            }
            let field = format!("lines[{i}].quantity");
            let qty = match l.quantity.as_deref().map(Milli::parse) {
                None => {
                    errs.push(FieldError::new(
                        field,
                        "required",
                        "Укажите количество.",
                        "Enter the quantity.",
                    ));
                    continue;
                }
                Some(Err(_)) => {
                    errs.push(FieldError::new(
                        field,
                        "invalid-quantity",
                        "Количество: число, не больше трёх знаков после запятой.",
                        "Quantity: a number with at most three decimals.",
                    ));
                    continue;
                }
                Some(Ok(q)) => q,
            };
            if qty.0 <= 0 {
                errs.push(FieldError::new(
                    field,
                    "not-positive",
                    "Количество должно быть больше нуля.",
                    "The quantity must be above zero.",
                ));
            } else if line.shipped_milli <= 0 {
                errs.push(FieldError::new(
                    field,
                    "not-shipped",
                    "Эта позиция ещё не отгружена: вернуть можно только отгруженный товар.",
                    "This line has not been shipped: only shipped goods can be returned.",
                ));
            } else if qty > line.returnable() {
                errs.push(too_much(field, line));
            }
            chosen.push((line.line_no, qty));
        }
    }
    match reason {
        Some(reason) if errs.is_empty() => Ok(Plan {
            lines: chosen,
            reason,
            comment,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(no: i64, shipped: i64, claimed: i64) -> OrderLine {
        OrderLine {
            line_no: no,
            article: format!("A-{no}"),
            name: "Подшипник".into(),
            unit: "шт".into(),
            product_onec_id: None,
            price_kop: 10000,
            ordered_milli: 5000,
            shipped_milli: shipped,
            claimed_milli: claimed,
        }
    }

    fn req(whole: bool, lines: &[(i64, &str)], reason: &str, comment: Option<&str>) -> NewReturn {
        NewReturn {
            order_id: Some("ord_1".into()),
            whole,
            lines: lines
                .iter()
                .map(|(n, q)| LineRequest {
                    line_no: Some(*n),
                    quantity: Some(q.to_string()),
                })
                .collect(),
            reason: Some(reason.into()),
            comment: comment.map(str::to_string),
        }
    }

    fn fields(e: Vec<FieldError>) -> Vec<(String, &'static str)> {
        e.into_iter().map(|f| (f.field, f.code)).collect()
    }

    #[test]
    fn returnable_is_shipped_minus_claimed_and_never_negative() {
        assert_eq!(line(1, 3000, 1000).returnable(), Milli(2000));
        assert_eq!(line(1, 3000, 3500).returnable(), Milli(0));
        assert_eq!(line(1, 0, 0).returnable(), Milli(0));
    }

    #[test]
    fn what_a_return_holds_depends_on_its_status() {
        let (req, appr) = (Milli(3000), Some(Milli(2000)));
        assert_eq!(Status::Requested.claims(req, appr), Milli(3000));
        assert_eq!(Status::Approved.claims(req, appr), Milli(2000));
        assert_eq!(Status::Completed.claims(req, appr), Milli(2000));
        assert_eq!(Status::Approved.claims(req, None), Milli(3000));
        assert_eq!(Status::Rejected.claims(req, appr), Milli(0));
    }

    #[test]
    fn status_machine() {
        use Status::*;
        let all = [Requested, Approved, Rejected, Completed];
        let allowed: Vec<(Status, Status)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_move_to(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Requested, Approved),
                (Requested, Rejected),
                (Approved, Completed)
            ]
        );
        assert!(Rejected.is_final() && Completed.is_final());
        assert!(!Approved.is_final());
        assert!(Requested.accepts_photos() && !Approved.accepts_photos());
        for s in all {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("cancelled"), None);
    }

    #[test]
    fn reasons_from_the_list_only() {
        for r in REASONS {
            assert_eq!(Reason::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Reason::parse("broken"), None);
        let lines = [line(1, 3000, 0)];
        let e = plan(&req(false, &[(1, "1")], "broken", None), &lines).unwrap_err();
        assert_eq!(fields(e), [("reason".into(), "invalid-reason")]);
        let e = plan(&req(false, &[(1, "1")], "other", Some("  ")), &lines).unwrap_err();
        assert_eq!(fields(e), [("comment".into(), "required")]);
        let p = plan(&req(false, &[(1, "1")], "other", Some(" вмятина ")), &lines).unwrap();
        assert_eq!(p.comment.as_deref(), Some("вмятина"));
        let long = "я".repeat(COMMENT_MAX + 1);
        let e = plan(&req(false, &[(1, "1")], "defect", Some(&long)), &lines).unwrap_err();
        assert_eq!(fields(e), [("comment".into(), "too-long")]);
    }

    #[test]
    fn chosen_lines_are_checked_one_by_one() {
        let lines = [line(1, 3000, 1000), line(2, 0, 0), line(3, 2500, 0)];
        let p = plan(&req(false, &[(1, "2"), (3, "2,5")], "defect", None), &lines).unwrap();
        assert_eq!(p.lines, [(1, Milli(2000)), (3, Milli(2500))]);
        assert_eq!(p.reason, Reason::Defect);
        let e = plan(
            &req(
                false,
                &[
                    (1, "2.001"),
                    (2, "1"),
                    (9, "1"),
                    (3, "0"),
                    (1, "1"),
                    (3, "1.0001"),
                ],
                "surplus",
                None,
            ),
            &lines,
        )
        .unwrap_err();
        assert_eq!(
            fields(e.clone()),
            [
                ("lines[0].quantity".into(), "quantity-exceeds-returnable"),
                ("lines[1].quantity".into(), "not-shipped"),
                ("lines[2].line_no".into(), "unknown-line"),
                ("lines[3].quantity".into(), "not-positive"),
                ("lines[4].line_no".into(), "duplicate-line"),
                ("lines[5].line_no".into(), "duplicate-line"),
            ]
        );
        assert_eq!(
            e[0].message_ru,
            "Можно вернуть не больше 2 шт: отгружено 3, уже возвращено или заявлено к возврату 1."
        );
        assert!(e[0].message_en.starts_with("At most 2 шт can be returned"));
        let e = plan(
            &req(false, &[(3, "1.0001"), (1, "abc")], "surplus", None),
            &lines,
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("lines[0].quantity".into(), "invalid-quantity"),
                ("lines[1].quantity".into(), "invalid-quantity")
            ]
        );
        let e = plan(&req(false, &[], "defect", None), &lines).unwrap_err();
        assert_eq!(fields(e), [("lines".into(), "required")]);
    }

    #[test]
    fn whole_order_takes_every_remaining_quantity() {
        let lines = [line(1, 3000, 1000), line(2, 0, 0), line(3, 2500, 2500)];
        let p = plan(&req(true, &[], "wrong_item", None), &lines).unwrap();
        assert_eq!(p.lines, [(1, Milli(2000))]);
        let e = plan(&req(true, &[(1, "1")], "wrong_item", None), &lines).unwrap_err();
        assert_eq!(fields(e), [("lines".into(), "whole-or-lines")]);
        let none = [line(1, 3000, 3000), line(2, 0, 0)];
        let e = plan(&req(true, &[], "wrong_item", None), &none).unwrap_err();
        assert_eq!(fields(e), [("whole".into(), "nothing-returnable")]);
    }

    #[test]
    fn quantities_parse_exactly_from_numbers_and_strings() {
        let r: NewReturn = serde_json::from_str(
            r#"{"order_id": "o", "lines": [{"line_no": 1, "quantity": 0.1}, {"line_no": 2, "quantity": "1 000,5"}], "reason": "defect"}"#,
        )
        .unwrap();
        let lines = [line(1, 3000, 0), line(2, 2_000_000, 0)];
        assert_eq!(
            plan(&r, &lines).unwrap().lines,
            [(1, Milli(100)), (2, Milli(1_000_500))]
        );
        assert_eq!(qty_text(Milli(2500), ','), "2,5");
        assert_eq!(qty_text(Milli(3000), '.'), "3");
        assert_eq!(qty_text(Milli(0), ','), "0");
    }
}
