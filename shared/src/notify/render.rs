//! Rendering: one notification (or a day's digest) as a mail in the recipient's language
//! (Russian unless they chose English), plain text and simple HTML, money and dates as that
//! language writes them, with a link that opens the page after sign-in (the SPA's hash route;
//! the sign-in page keeps it in `?next=`) and the event type's unsubscribe link.

use super::events::Event;
use crate::money::Kopecks;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    pub fn of(language: &str) -> Lang {
        if language == "en" {
            Lang::En
        } else {
            Lang::Ru
        }
    }
}

/// Money as the language writes it: `1 234,50 ₽` / `RUB 1,234.50`.
pub fn money(kop: i64, lang: Lang) -> String {
    match lang {
        Lang::Ru => Kopecks(kop).format_ru(),
        Lang::En => {
            let sign = if kop < 0 { "-" } else { "" };
            let abs = kop.unsigned_abs();
            let mut whole = (abs / 100).to_string();
            let mut grouped = String::new();
            while whole.len() > 3 {
                let tail = whole.split_off(whole.len() - 3);
                grouped = format!(",{tail}{grouped}");
            }
            format!("{sign}RUB {whole}{grouped}.{:02}", abs % 100)
        }
    }
}

/// A date (`2026-12-05`, or the date part of a timestamp) as the language writes it:
/// `05.12.2026` / `5 Dec 2026`.
pub fn date(iso: &str, lang: Lang) -> String {
    let day = iso.get(..10).unwrap_or(iso);
    let Some(d) = crate::time::parse_ymd(day) else {
        return iso.to_string();
    };
    match lang {
        Lang::Ru => crate::time::date_ru(d),
        Lang::En => crate::time::date_en(d),
    }
}

/// The event type's name, for the preferences page, subjects and unsubscribe pages.
pub fn event_title(e: Event, lang: Lang) -> &'static str {
    match (e, lang) {
        (Event::DocumentArrived, Lang::Ru) => "Поступил документ по заказу",
        (Event::DocumentArrived, Lang::En) => "A document arrived for an order",
        (Event::ChangeApplied, Lang::Ru) => "1С применила изменение",
        (Event::ChangeApplied, Lang::En) => "1C applied a change",
        (Event::ChangeRejected, Lang::Ru) => "1С отклонила изменение",
        (Event::ChangeRejected, Lang::En) => "1C rejected a change",
        (Event::ReturnDecided, Lang::Ru) => "Решение по возврату",
        (Event::ReturnDecided, Lang::En) => "A return decided",
        (Event::CreditChanged, Lang::Ru) => "Кредит заблокирован или разблокирован",
        (Event::CreditChanged, Lang::En) => "Credit blocked or unblocked",
        (Event::PaymentDue, Lang::Ru) => "Скоро срок оплаты",
        (Event::PaymentDue, Lang::En) => "A payment falls due soon",
        (Event::PaymentOverdue, Lang::Ru) => "Оплата просрочена",
        (Event::PaymentOverdue, Lang::En) => "A payment is overdue",
        (Event::ActReady, Lang::Ru) => "Акт сверки готов",
        (Event::ActReady, Lang::En) => "A reconciliation act is ready",
    }
}

fn s<'a>(d: &'a Value, k: &str) -> &'a str {
    d.get(k).and_then(Value::as_str).unwrap_or("")
}
/// A number from the data (D1 may hand a bound integer back as a float).
fn kop(d: &Value, k: &str) -> i64 {
    d.get(k)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f.round() as i64)))
        .unwrap_or(0)
}
fn flag(d: &Value, k: &str) -> bool {
    d.get(k).is_some_and(|v| {
        v.as_bool()
            .unwrap_or_else(|| v.as_f64().is_some_and(|f| f != 0.0))
    })
}

/// What a change was about, as a phrase after "your change".
fn change_target(d: &Value, lang: Lang) -> String {
    match (s(d, "order_number"), lang) {
        ("", Lang::Ru) => String::new(),
        ("", Lang::En) => String::new(),
        (n, Lang::Ru) => format!(" заказа {n}"),
        (n, Lang::En) => format!(" to order {n}"),
    }
}

/// The subject and the sentence of one notification.
pub fn sentence(e: Event, d: &Value, lang: Lang) -> (String, String) {
    let (ru, order) = (lang == Lang::Ru, s(d, "order_number"));
    match e {
        Event::DocumentArrived => {
            let (kind, no, at, sum) = (
                s(d, "kind_name"),
                s(d, "number"),
                date(s(d, "date"), lang),
                money(kop(d, "amount_kop"), lang),
            );
            if ru {
                (format!("{kind} № {no} по заказу {order}"), format!("По заказу {order} поступил документ: {kind} № {no} от {at} на сумму {sum}."))
            } else {
                (
                    format!("{kind} No. {no} for order {order}"),
                    format!(
                        "A document arrived for order {order}: {kind} No. {no} of {at}, {sum}."
                    ),
                )
            }
        }
        Event::ChangeApplied => {
            let t = change_target(d, lang);
            if ru {
                (
                    format!("Изменение{t} применено"),
                    format!("1С применила ваше изменение{t}."),
                )
            } else {
                (
                    format!("Your change{t} applied"),
                    format!("1C applied your change{t}."),
                )
            }
        }
        Event::ChangeRejected => {
            let t = change_target(d, lang);
            let reason = s(d, "reason");
            if ru {
                (
                    format!("Изменение{t} отклонено"),
                    format!(
                        "1С отклонила ваше изменение{t}. Причина: {}.",
                        if reason.is_empty() {
                            "не указана"
                        } else {
                            reason
                        }
                    ),
                )
            } else {
                (
                    format!("Your change{t} rejected"),
                    format!(
                        "1C rejected your change{t}. Reason: {}.",
                        if reason.is_empty() {
                            "not given"
                        } else {
                            reason
                        }
                    ),
                )
            }
        }
        Event::ReturnDecided => {
            let (no, refund, reason) = (
                s(d, "number"),
                money(kop(d, "refund_kop"), lang),
                s(d, "reason"),
            );
            let what = match (s(d, "status"), ru) {
                ("approved", true) => format!("одобрен. Сумма к возврату: {refund}."),
                ("completed", true) => format!("завершён. Возвращено: {refund}."),
                (_, true) => format!(
                    "отклонён. Причина: {}.",
                    if reason.is_empty() {
                        "не указана"
                    } else {
                        reason
                    }
                ),
                ("approved", false) => format!("was approved. Refund: {refund}."),
                ("completed", false) => format!("is completed. Refunded: {refund}."),
                (_, false) => format!(
                    "was rejected. Reason: {}.",
                    if reason.is_empty() {
                        "not given"
                    } else {
                        reason
                    }
                ),
            };
            if ru {
                (
                    format!("Возврат {no} по заказу {order}"),
                    format!("Возврат {no} по заказу {order} {what}"),
                )
            } else {
                (
                    format!("Return {no} for order {order}"),
                    format!("Return {no} for order {order} {what}"),
                )
            }
        }
        Event::CreditChanged => {
            let blocked = flag(d, "blocked");
            let ag = s(d, "agreement");
            match (blocked, ru) {
                (true, true) => ("Кредит заблокирован".into(), format!("Кредит по договору «{ag}» заблокирован: новые заказы в кредит недоступны до оплаты задолженности.")),
                (false, true) => ("Кредит снова доступен".into(), format!("Кредит по договору «{ag}» разблокирован.")),
                (true, false) => ("Credit blocked".into(), format!("Credit under the agreement \"{ag}\" is blocked: no new orders on credit until the debt is paid.")),
                (false, false) => ("Credit available again".into(), format!("Credit under the agreement \"{ag}\" is unblocked.")),
            }
        }
        Event::PaymentDue => {
            let (due, left) = (
                date(s(d, "due_date"), lang),
                money(kop(d, "left_kop"), lang),
            );
            if ru {
                (
                    format!("Срок оплаты {due}: заказ {order}"),
                    format!("{due} наступает срок оплаты по заказу {order}: к оплате {left}."),
                )
            } else {
                (
                    format!("Payment due {due}: order {order}"),
                    format!("A payment for order {order} falls due on {due}: {left} to pay."),
                )
            }
        }
        Event::PaymentOverdue => {
            let (due, left) = (
                date(s(d, "due_date"), lang),
                money(kop(d, "left_kop"), lang),
            );
            if ru {
                (
                    format!("Просрочена оплата: заказ {order}"),
                    format!(
                        "Просрочена оплата по заказу {order}: срок был {due}, к оплате {left}."
                    ),
                )
            } else {
                (format!("Payment overdue: order {order}"), format!("The payment for order {order} is overdue: it was due on {due}, {left} to pay."))
            }
        }
        Event::ActReady => {
            let (from, to, closing) = (
                date(s(d, "from"), lang),
                date(s(d, "to"), lang),
                money(kop(d, "closing_kop"), lang),
            );
            if ru {
                (format!("Акт сверки за {from} — {to} готов"), format!("Акт сверки за период {from} — {to} готов. Сальдо на конец периода: {closing}."))
            } else {
                (format!("Reconciliation act {from} – {to} ready"), format!("The reconciliation act for {from} – {to} is ready. Closing balance: {closing}."))
            }
        }
    }
}

/// HTML-escapes text.
pub fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The link that opens the notification's page (after sign-in when signed out).
pub fn page_link(public_url: &str, d: &Value) -> String {
    let page = s(d, "page");
    let page = if page.starts_with("#/") { page } else { "#/" };
    format!("{public_url}/{page}")
}

/// One rendered mail: subject, text, HTML.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn greeting(name: &str, lang: Lang) -> String {
    match lang {
        Lang::Ru => format!("Здравствуйте, {name}!"),
        Lang::En => format!("Hello, {name}!"),
    }
}

fn footer(lang: Lang, public_url: &str, unsubscribe: &[(Event, String)]) -> (String, String) {
    let settings = format!("{public_url}/#/profile");
    let (l1, l2) = match lang {
        Lang::Ru => ("Настроить уведомления", "Отписаться"),
        Lang::En => ("Notification settings", "Unsubscribe"),
    };
    let mut text = format!("--\n{l1}: {settings}\n");
    let mut html = format!(
        "<hr><p style=\"color:#666;font-size:12px\"><a href=\"{}\">{l1}</a>",
        esc(&settings)
    );
    for (e, url) in unsubscribe {
        let what = event_title(*e, lang);
        text.push_str(&format!("{l2} ({what}): {url}\n"));
        html.push_str(&format!(
            " · <a href=\"{}\">{l2} ({})</a>",
            esc(url),
            esc(what)
        ));
    }
    html.push_str("</p>");
    (text, html)
}

/// A single notification's mail.
pub fn single(
    e: Event,
    d: &Value,
    lang: Lang,
    name: &str,
    public_url: &str,
    unsubscribe: &str,
) -> Rendered {
    let (subject, line) = sentence(e, d, lang);
    let link = page_link(public_url, d);
    let open = if lang == Lang::Ru {
        "Открыть в личном кабинете"
    } else {
        "Open in the portal"
    };
    let (ft, fh) = footer(lang, public_url, &[(e, unsubscribe.to_string())]);
    let hello = greeting(name, lang);
    Rendered {
        subject,
        text: format!("{hello}\n\n{line}\n\n{open}: {link}\n\n{ft}"),
        html: format!("<!doctype html><html><body><p>{}</p><p>{}</p><p><a href=\"{}\">{open}</a></p>{fh}</body></html>", esc(&hello), esc(&line), esc(&link)),
    }
}

/// A day's digest: one line and link per notification, oldest first.
pub fn digest(
    items: &[(Event, Value)],
    lang: Lang,
    name: &str,
    day: &str,
    public_url: &str,
    unsubscribe: &[(Event, String)],
) -> Rendered {
    let subject = match lang {
        Lang::Ru => format!("Сводка уведомлений за {}", date(day, lang)),
        Lang::En => format!("Your notifications, {}", date(day, lang)),
    };
    let hello = greeting(name, lang);
    let mut text = format!("{hello}\n\n");
    let mut html = format!("<!doctype html><html><body><p>{}</p><ul>", esc(&hello));
    for (e, d) in items {
        let (_, line) = sentence(*e, d, lang);
        let link = page_link(public_url, d);
        text.push_str(&format!("- {line}\n  {link}\n"));
        html.push_str(&format!(
            "<li>{} <a href=\"{}\">{}</a></li>",
            esc(&line),
            esc(&link),
            if lang == Lang::Ru {
                "Открыть"
            } else {
                "Open"
            }
        ));
    }
    let (ft, fh) = footer(lang, public_url, unsubscribe);
    text.push_str(&format!("\n{ft}"));
    html.push_str(&format!("</ul>{fh}</body></html>"));
    Rendered {
        subject,
        text,
        html,
    }
}
