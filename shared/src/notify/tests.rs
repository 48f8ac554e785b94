//! The rules of notifications on real SQLite through the real inbound apply: who gets what, the
//! role defaults, deduplication, opting out, the digest, reminders at the company's morning hour,
//! the unsubscribe token, rendering per language.

use super::events::{effective, Choice, Event};
use super::{record, render, send, unsubscribe, zone};
use crate::auth::roles::Role;
use crate::ports::{DatabaseExt, Mail, Ports, Stmt};
use crate::testing::TestPorts;
use futures::executor::block_on;
use serde_json::{json, Value};

fn msg(kind: &str, entity: &str, seq: i64, payload: Value) -> Value {
    json!({"id": crate::ids::new_id("m"), "type": kind, "entity_id": entity, "seq": seq, "payload": payload})
}

/// Notification mails (they have an HTML part; first-access mails do not), to `to`.
fn mails(p: &TestPorts, to: &str) -> Vec<Mail> {
    p.mail
        .0
        .borrow()
        .iter()
        .filter(|m| m.to == to && m.html.is_some())
        .cloned()
        .collect()
}

const ADMIN: &str = "admin@n.test";
const BUYER: &str = "buyer@n.test";
const ACC: &str = "acc@n.test";
const OTHER: &str = "other-buyer@n.test";

/// Company N1 with an admin, two buyers and an accountant; order N1-O1 by the buyer.
fn world() -> TestPorts {
    let p = TestPorts::new();
    p.now.set("2026-12-01T08:00:00Z".parse().unwrap()); // 11:00 in Moscow
    let mut msgs = vec![msg(
        "company",
        "N1",
        1,
        json!({"name": "Нива", "legal_entities": [{"id": "N1-LE", "name": "ООО Нива"}],
        "agreements": [{"id": "N1-AG", "legal_entity_id": "N1-LE", "name": "Договор 7", "credit_limit": 100000, "deferral_days": 30}]}),
    )];
    for (i, (email, roles)) in [
        (ADMIN, vec!["admin"]),
        (BUYER, vec!["buyer"]),
        (ACC, vec!["accountant"]),
        (OTHER, vec!["buyer"]),
    ]
    .iter()
    .enumerate()
    {
        msgs.push(msg("user", &format!("N1-U{i}"), 1, json!({"company_id": "N1", "email": email, "full_name": format!("Пользователь {i}"), "roles": roles, "active": true})));
    }
    msgs.push(msg("order", "N1-O1", 1, json!({"company_id": "N1", "legal_entity_id": "N1-LE", "agreement_id": "N1-AG", "number": "ЗК-1",
        "date": "2026-11-20T10:00:00", "status": "shipped", "payment_method": "invoice", "paid": 0, "total": 1200, "vat_total": 200,
        "author_email": BUYER,
        "lines": [{"line_no": 1, "article": "A1", "name": "Фильтр", "quantity": 1, "unit": "шт", "price": 1200, "amount": 1200, "vat": 200}], "shipments": []})));
    p.send_from_1c(msgs);
    p
}

fn document(entity: &str, seq: i64) -> Value {
    msg(
        "document",
        entity,
        seq,
        json!({"company_id": "N1", "legal_entity_id": "N1-LE", "kind": "invoice", "kind_name": "Счет на оплату",
        "number": "СЧ-15", "date": "2026-11-30T10:00:00", "amount": 1234.5, "vat": 205.75, "orders": ["N1-O1"],
        "lines": [{"line_no": 1, "name": "Фильтр", "quantity": 1, "unit": "шт", "price": 1234.5, "amount": 1234.5, "vat_rate": 20, "vat": 205.75}],
        "files": []}),
    )
}

fn credit(seq: i64, blocked: bool) -> Value {
    msg(
        "credit_state",
        "N1-AG",
        seq,
        json!({"company_id": "N1", "agreement_id": "N1-AG", "as_of": "2026-12-01T10:00:00", "limit": 100000,
        "debt": 5000, "overdue_debt": 0, "reserve": 0, "blocked": blocked, "amount_to_pay": 0}),
    )
}

fn sweep(p: &TestPorts) -> send::SendReport {
    block_on(send::sweep(p)).expect("sweep")
}

fn user_id(p: &TestPorts, email: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    block_on(
        p.db()
            .first::<Id>(Stmt::new("SELECT id FROM users WHERE email = ?").bind(email)),
    )
    .unwrap()
    .unwrap()
    .id
}

fn order_id(p: &TestPorts, onec: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    block_on(
        p.db()
            .first::<Id>(Stmt::new("SELECT id FROM orders WHERE onec_id = ?").bind(onec)),
    )
    .unwrap()
    .unwrap()
    .id
}

fn choose(p: &TestPorts, email: &str, event: Event, choice: Choice) {
    let id = user_id(p, email);
    block_on(
        p.db().exec(
            Stmt::new(
                "INSERT INTO notification_prefs (user_id, company_id, event, choice, updated_at) \
        SELECT id, company_id, ?, ?, '2026-12-01T00:00:00.000Z' FROM users WHERE id = ? \
        ON CONFLICT (user_id, event) DO UPDATE SET choice = excluded.choice",
            )
            .bind(event.as_str())
            .bind(choice.as_str())
            .bind(id),
        ),
    )
    .unwrap();
}

#[test]
fn role_defaults_and_audience() {
    use Role::*;
    assert_eq!(
        Event::DocumentArrived.default_for(&[Buyer], true),
        Choice::Mail
    );
    assert_eq!(
        Event::DocumentArrived.default_for(&[Admin, Accountant], false),
        Choice::Off
    );
    assert_eq!(
        Event::CreditChanged.default_for(&[Accountant], false),
        Choice::Mail
    );
    assert_eq!(
        Event::CreditChanged.default_for(&[Buyer], false),
        Choice::Off
    );
    assert_eq!(
        Event::PaymentDue.default_for(&[Admin], false),
        Choice::Digest
    );
    assert_eq!(
        Event::PaymentDue.default_for(&[Admin, Accountant], false),
        Choice::Mail
    );
    // A choice never reaches beyond the event's audience.
    assert_eq!(
        effective(Event::PaymentOverdue, &[Buyer], false, Some(Choice::Mail)),
        Choice::Off
    );
    assert_eq!(
        effective(Event::ChangeRejected, &[Buyer], true, Some(Choice::Digest)),
        Choice::Digest
    );
}

#[test]
fn reminder_window_and_hour_in_the_company_zone() {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        record::reminder_for(d("2026-12-04"), d("2026-12-01")),
        Some(Event::PaymentDue)
    );
    assert_eq!(record::reminder_for(d("2026-12-05"), d("2026-12-01")), None);
    assert_eq!(
        record::reminder_for(d("2026-11-30"), d("2026-12-01")),
        Some(Event::PaymentOverdue)
    );
    assert_eq!(record::reminder_for(d("2026-11-20"), d("2026-12-01")), None);
    let t: chrono::DateTime<chrono::Utc> = "2026-12-01T02:30:00Z".parse().unwrap();
    assert_eq!(zone::local(t, "Europe/Moscow").1, 5);
    assert_eq!(zone::local(t, "Asia/Vladivostok").1, 12);
    assert_eq!(
        zone::local(
            "2026-12-01T22:00:00Z".parse().unwrap(),
            "Asia/Yekaterinburg"
        )
        .0
        .to_string(),
        "2026-12-02"
    );
    assert_eq!(
        zone::local(t, "Mars/Olympus").1,
        5,
        "unknown zones are Moscow"
    );
}

#[test]
fn unsubscribe_token_names_one_user_and_event() {
    let t = unsubscribe::token("k", "usr_A", Event::PaymentDue);
    assert_eq!(
        unsubscribe::verify("k", &t),
        Some(("usr_A".to_string(), Event::PaymentDue))
    );
    assert_eq!(unsubscribe::verify("other-key", &t), None);
    let forged = t.replace("payment_due", "credit_changed");
    assert_eq!(unsubscribe::verify("k", &forged), None);
    let forged = t.replace("usr_A", "usr_B");
    assert_eq!(unsubscribe::verify("k", &forged), None);
    assert_eq!(unsubscribe::verify("k", "garbage"), None);
}

#[test]
fn a_flag_bound_as_a_number_reads_back_whatever_its_json_type() {
    for v in [
        json!({"blocked": 1}),
        json!({"blocked": 1.0}),
        json!({"blocked": true}),
    ] {
        assert!(
            render::sentence(Event::CreditChanged, &v, render::Lang::Ru)
                .0
                .contains("заблокирован"),
            "{v}"
        );
    }
    assert!(render::sentence(
        Event::CreditChanged,
        &json!({"blocked": 0.0}),
        render::Lang::Ru
    )
    .0
    .contains("доступен"));
}

#[test]
fn money_and_dates_per_language() {
    use render::Lang;
    assert_eq!(
        render::money(123456789, Lang::Ru),
        "1\u{a0}234\u{a0}567,89\u{a0}₽"
    );
    assert_eq!(render::money(123456789, Lang::En), "RUB 1,234,567.89");
    assert_eq!(render::date("2026-12-05", Lang::Ru), "05.12.2026");
    assert_eq!(
        render::date("2026-12-05T10:00:00.000Z", Lang::En),
        "5 Dec 2026"
    );
}

#[test]
fn a_document_tells_the_order_author_once_and_whoever_chose_it() {
    let p = world();
    choose(&p, ACC, Event::DocumentArrived, Choice::Mail);
    p.send_from_1c(vec![document("N1-D1", 1)]);
    // The consumer sent at once, after the commit.
    let m = mails(&p, BUYER);
    assert_eq!(m.len(), 1, "{m:?}");
    let order = order_id(&p, "N1-O1");
    assert!(
        m[0].text
            .contains(&format!("http://127.0.0.1:8787/#/orders/{order}")),
        "{}",
        m[0].text
    );
    assert!(
        m[0].text.contains("СЧ-15") && m[0].text.contains("1\u{a0}234,50\u{a0}₽"),
        "{}",
        m[0].text
    );
    assert!(m[0].headers["List-Unsubscribe"].contains("/api/auth/notifications/unsubscribe?token="));
    assert_eq!(
        m[0].headers["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    assert_eq!(mails(&p, ACC).len(), 1, "the accountant chose it");
    assert!(mails(&p, ADMIN).is_empty() && mails(&p, OTHER).is_empty());
    // 1C sends the document again (a new seq): nobody is told twice, by any number of sweeps.
    p.send_from_1c(vec![document("N1-D1", 2)]);
    sweep(&p);
    sweep(&p);
    assert_eq!(mails(&p, BUYER).len(), 1);
    // A document of last month (1C's first full load): history, not news.
    let mut old = document("N1-D0", 1);
    old["payload"]["date"] = json!("2026-10-15T10:00:00");
    p.send_from_1c(vec![old]);
    sweep(&p);
    assert_eq!(mails(&p, BUYER).len(), 1);
}

#[test]
fn credit_block_tells_admins_and_accountants_on_each_change_only() {
    let p = world();
    p.send_from_1c(vec![credit(1, false)]);
    assert!(
        mails(&p, ACC).is_empty(),
        "unblocked from the start is no news"
    );
    p.send_from_1c(vec![credit(2, true)]);
    assert_eq!(mails(&p, ACC).len(), 1);
    assert_eq!(mails(&p, ADMIN).len(), 1);
    assert!(mails(&p, BUYER).is_empty());
    assert!(mails(&p, ACC)[0].subject.contains("заблокирован"));
    p.send_from_1c(vec![credit(3, true)]);
    assert_eq!(mails(&p, ACC).len(), 1, "still blocked: nothing new");
    p.send_from_1c(vec![credit(4, false)]);
    assert_eq!(mails(&p, ACC).len(), 2);
    assert!(mails(&p, ACC)[1].subject.contains("доступен"));
}

#[test]
fn opting_out_and_the_digest() {
    let p = world();
    choose(&p, ADMIN, Event::CreditChanged, Choice::Off);
    choose(&p, ACC, Event::CreditChanged, Choice::Digest);
    p.now.set("2026-12-01T04:00:00Z".parse().unwrap()); // 07:00 in Moscow
    p.send_from_1c(vec![credit(1, true)]);
    sweep(&p);
    assert!(mails(&p, ADMIN).is_empty(), "opted out");
    assert!(mails(&p, ACC).is_empty(), "digest: not before 09:00");
    p.now.set("2026-12-01T06:05:00Z".parse().unwrap()); // 09:05
    p.send_from_1c(vec![credit(2, false)]);
    sweep(&p);
    let m = mails(&p, ACC);
    assert_eq!(m.len(), 1, "one digest with both");
    assert!(
        m[0].subject.contains("Сводка")
            && m[0].text.contains("заблокирован")
            && m[0].text.contains("разблокирован"),
        "{}",
        m[0].text
    );
    // Later the same day: nothing more until tomorrow's digest.
    choose(&p, ACC, Event::DocumentArrived, Choice::Digest);
    p.now.set("2026-12-01T10:00:00Z".parse().unwrap());
    p.send_from_1c(vec![document("N1-D1", 1)]);
    sweep(&p);
    assert_eq!(mails(&p, ACC).len(), 1);
    p.now.set("2026-12-02T06:01:00Z".parse().unwrap());
    sweep(&p);
    sweep(&p);
    let m = mails(&p, ACC);
    assert_eq!(m.len(), 2);
    assert!(
        m[1].text.contains("СЧ-15") && !m[1].text.contains("заблокирован"),
        "{}",
        m[1].text
    );
    // Blocked again on the same day as before: the (user, event, object, day) key tells it once.
    p.now.set("2026-12-02T06:30:00Z".parse().unwrap());
    let before = p.mail.0.borrow().len();
    choose(&p, ACC, Event::CreditChanged, Choice::Mail);
    p.send_from_1c(vec![credit(3, true)]);
    assert_eq!(mails(&p, ACC).len(), 3, "a new day: told");
    p.send_from_1c(vec![credit(4, false)]);
    p.send_from_1c(vec![credit(5, true)]);
    sweep(&p);
    assert_eq!(
        mails(&p, ACC).len(),
        4,
        "unblocked told; blocked again the same day is not"
    );
    assert!(p.mail.0.borrow().len() > before);
}

#[test]
fn payment_reminders_at_nine_local_once_per_stage() {
    let p = world();
    p.send_from_1c(vec![msg("payment_schedule", "N1-O1", 1, json!({"company_id": "N1", "order_id": "N1-O1", "agreement_id": "N1-AG",
        "stages": [{"due_date": "2026-12-04", "amount": 600, "paid": 0}, {"due_date": "2026-11-29", "amount": 600, "paid": 100},
                   {"due_date": "2026-12-20", "amount": 1, "paid": 0}]}))]);
    p.now.set("2026-12-01T05:59:00Z".parse().unwrap()); // 08:59 in Moscow
    sweep(&p);
    assert!(mails(&p, ACC).is_empty());
    p.now.set("2026-12-01T06:00:00Z".parse().unwrap());
    sweep(&p);
    sweep(&p);
    let m = mails(&p, ACC);
    assert_eq!(
        m.len(),
        2,
        "one due, one overdue: {:?}",
        m.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(m
        .iter()
        .any(|m| m.text.contains("04.12.2026") && m.text.contains("600,00")));
    assert!(m
        .iter()
        .any(|m| m.text.contains("Просрочена") && m.text.contains("500,00")));
    // The admin's default for what falls due is the digest (with the overdue one mailed alone).
    let a = mails(&p, ADMIN);
    assert_eq!(
        a.len(),
        2,
        "{:?}",
        a.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(a.iter().any(|m| m.subject.contains("Сводка")));
    assert!(mails(&p, BUYER).is_empty());
    // Next day, the same stages: no second reminder.
    p.now.set("2026-12-02T07:00:00Z".parse().unwrap());
    sweep(&p);
    assert_eq!(mails(&p, ACC).len(), 2);
    // The stage told as due is told once more when it is overdue, and then never again.
    p.now.set("2026-12-05T06:00:00Z".parse().unwrap());
    sweep(&p);
    sweep(&p);
    let m = mails(&p, ACC);
    assert_eq!(m.len(), 3);
    assert!(m[2].text.contains("Просрочена") && m[2].text.contains("04.12.2026"), "{}", m[2].text);
    p.now.set("2026-12-06T06:00:00Z".parse().unwrap());
    sweep(&p);
    assert_eq!(mails(&p, ACC).len(), 3);
}

#[test]
fn an_english_user_reads_english() {
    let p = world();
    block_on(
        p.db()
            .exec(Stmt::new("UPDATE users SET language = 'en' WHERE email = ?").bind(ACC)),
    )
    .unwrap();
    p.send_from_1c(vec![credit(1, true)]);
    let m = mails(&p, ACC);
    assert_eq!(m[0].subject, "Credit blocked");
    assert!(
        m[0].text.starts_with("Hello,")
            && m[0]
                .html
                .as_ref()
                .unwrap()
                .contains("<a href=\"http://127.0.0.1:8787/#/finance\">")
    );
}

#[test]
fn a_user_deactivated_before_the_send_is_told_nothing() {
    let p = world();
    let acc = user_id(&p, ACC);
    block_on(p.db().exec(Stmt::new("INSERT INTO notifications (id, company_id, user_id, event, object_id, day, owner, data_json, created_at) \
        SELECT 'ntf_x', company_id, id, 'credit_changed', 'ag:blocked', '2026-12-01', 0, '{\"blocked\": 1}', '2026-12-01T08:00:00.000Z' FROM users WHERE id = ?").bind(&acc))).unwrap();
    block_on(p.db().exec(Stmt::new("UPDATE users SET active = 0 WHERE id = ?").bind(&acc))).unwrap();
    let r = sweep(&p);
    assert_eq!((r.mailed, r.skipped), (0, 1));
    assert!(mails(&p, ACC).is_empty());
}
