//! One-time links and user enumeration (issue 13, items 9 and 11), through the handlers the
//! Workers call, on real SQLite: the token a mail carries is in no table and a delivered mail
//! keeps no text; without `LINK_TOKEN_SECRET` no link is made and an invitation from 1C waits;
//! a reset request does the same work and gives the same answer with or without an account,
//! its mail only after the answer; an invitation of another company's address stores nothing
//! and sends nothing to 1C; an e-mail change to a taken address answers like any other.

use crate::helpers::{auth, body, company, token_from_mail};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::ports::{Database, Stmt};
use shared::testing::TestPorts;

/// Every value of every table, as text.
fn whole_database(p: &TestPorts) -> String {
    let tables = block_on(p.db.run(Stmt::new(
        "SELECT name FROM sqlite_master WHERE type = 'table'",
    )))
    .unwrap();
    let mut out = String::new();
    for t in tables.rows {
        let name = t["name"].as_str().unwrap().to_string();
        let rows = block_on(p.db.run(Stmt::dynamic(format!("SELECT * FROM \"{name}\"")))).unwrap();
        for r in rows.rows {
            out.push_str(&Value::Object(r).to_string());
            out.push('\n');
        }
    }
    out
}

fn count(p: &TestPorts, sql: &'static str, bind: &str) -> i64 {
    let r = block_on(p.db.run(Stmt::new(sql).bind(bind))).unwrap();
    r.rows[0]["n"].as_i64().unwrap()
}

fn user(entity: &str, company: &str, email: &str, roles: &[&str]) -> Value {
    json!({"id": format!("m-{entity}"), "type": "user", "entity_id": entity, "seq": 1,
        "payload": {"company_id": company, "email": email, "full_name": format!("Сотрудник {entity}"), "roles": roles}})
}

/// Companies A and B, an admin of A and a buyer of B, both signed in; their cookies.
fn two_companies() -> (TestPorts, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    p.send_from_1c(vec![
        json!({"id": "c1", "type": "company", "entity_id": "A", "seq": 1, "payload": {"name": "Альфа", "legal_entities": []}}),
        json!({"id": "c2", "type": "company", "entity_id": "B", "seq": 1, "payload": {"name": "Бета", "legal_entities": []}}),
    ]);
    p.send_from_1c(vec![
        user("uA", "A", "admin@alfa.ru", &["admin"]),
        user("uB", "B", "buyer@beta.ru", &["buyer"]),
    ]);
    let a = p.activate("admin@alfa.ru");
    let b = p.activate("buyer@beta.ru");
    (p, a, b)
}

#[test]
fn link_tokens_are_in_no_table_and_sent_mail_keeps_no_text() {
    let (p, admin, buyer) = two_companies();
    // From 1C (first access), by an admin (invitation), a reset, an e-mail change.
    p.send_from_1c(vec![user("uA2", "A", "first@alfa.ru", &["buyer"])]);
    let r = company(
        &p,
        "POST",
        "/api/company/employees",
        Some(json!({"email": "invited@alfa.ru", "full_name": "Приглашённый", "roles": ["buyer"]})),
        &admin,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let r = auth(
        &p,
        "POST",
        "/api/auth/password-reset-requests",
        Some(json!({"email": "buyer@beta.ru"})),
        "",
    );
    assert_eq!(r.status, 202);
    let reset = token_from_mail(&p, "buyer@beta.ru");
    let r = auth(
        &p,
        "POST",
        "/api/auth/email-changes",
        Some(json!({"new_email": "new@beta.ru", "password": shared::testing::TEST_PASSWORD})),
        &buyer,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let tokens = [
        token_from_mail(&p, "first@alfa.ru"),
        token_from_mail(&p, "invited@alfa.ru"),
        reset.clone(),
        token_from_mail(&p, "new@beta.ru"),
    ];
    let db = whole_database(&p);
    assert!(db.contains("invited@alfa.ru"), "the dump sees the tables");
    for t in &tokens {
        assert_eq!(t.len(), 43);
        assert!(!db.contains(t.as_str()), "token {t} is stored");
    }
    // Delivered mail keeps neither its text nor its link id.
    assert_eq!(
        count(&p, "SELECT count(*) AS n FROM mail_outbox WHERE sent_at IS NOT NULL AND (body <> '' OR link_id IS NOT NULL) AND ? <> ''", "x"),
        0,
        "a sent mail kept its text"
    );
    // The links work.
    let r = auth(
        &p,
        "POST",
        "/api/auth/password-resets",
        Some(json!({"token": reset, "password": "Новый-пароль-2027"})),
        "",
    );
    assert_eq!(r.status, 204);
    let r = auth(
        &p,
        "POST",
        "/api/auth/email-changes/confirmations",
        Some(json!({"token": tokens[3]})),
        "",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    p.activate("invited@alfa.ru");
    p.activate("first@alfa.ru");
}

#[test]
fn without_the_link_secret_no_link_is_made_and_1c_invitations_wait() {
    let (mut p, admin, _) = two_companies();
    p.config.link_token_secret = None;
    let mails = p.mail.0.borrow().len();
    p.send_from_1c(vec![user("uA3", "A", "later@alfa.ru", &["buyer"])]);
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM inbox WHERE id = ? AND status = 'waiting'",
            "m-uA3"
        ),
        1,
        "the user waits"
    );
    let r = company(
        &p,
        "POST",
        "/api/company/employees",
        Some(json!({"email": "nolink@alfa.ru", "full_name": "Без ссылки", "roles": ["buyer"]})),
        &admin,
    );
    assert_eq!(r.status, 500);
    assert_eq!(p.mail.0.borrow().len(), mails, "no mail without the secret");
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM users WHERE email IN (?, 'nolink@alfa.ru')",
            "later@alfa.ru"
        ),
        0
    );
    // Once configured, the waiting invitation goes through (the sweeper re-enqueues it).
    p.config.link_token_secret = Some("test-link-secret".into());
    p.advance(chrono::Duration::minutes(1));
    block_on(shared::exchange::sweep(&p)).unwrap();
    p.run_inbox_consumer();
    p.activate("later@alfa.ru");
}

#[test]
fn a_reset_request_does_the_same_work_either_way_and_mails_after_the_answer() {
    let (p, _, _) = two_companies();
    p.hold_later();
    let mails = p.mail.0.borrow().len();
    let ask = |email: &str| {
        let before = p.db.statements_run();
        let r = auth(
            &p,
            "POST",
            "/api/auth/password-reset-requests",
            Some(json!({ "email": email })),
            "",
        );
        (r.status, body(&r), p.db.statements_run() - before)
    };
    let known = ask("Buyer@Beta.ru");
    let unknown = ask("nobody@beta.ru");
    assert_eq!(known.0, 202);
    assert_eq!(known, unknown, "answer and statements run");
    assert_eq!(
        p.mail.0.borrow().len(),
        mails,
        "nothing sent before the answer"
    );
    p.run_later();
    assert_eq!(p.mail.0.borrow().len(), mails + 1);
    assert!(p.last_mail_to("nobody@beta.ru").is_none());
    token_from_mail(&p, "buyer@beta.ru");
}

#[test]
fn inviting_another_companys_address_stores_nothing_and_tells_that_address() {
    let (p, admin, _) = two_companies();
    let tables = |p: &TestPorts| {
        (
            count(p, "SELECT count(*) AS n FROM users WHERE ? <> ''", "x"),
            count(p, "SELECT count(*) AS n FROM outbox WHERE ? <> ''", "x"),
            count(p, "SELECT count(*) AS n FROM audit_log WHERE ? <> ''", "x"),
            count(
                p,
                "SELECT count(*) AS n FROM one_time_tokens WHERE ? <> ''",
                "x",
            ),
        )
    };
    let before = tables(&p);
    let add = |email: &str, name: &str| {
        company(
            &p,
            "POST",
            "/api/company/employees",
            Some(json!({"email": email, "full_name": name, "roles": ["buyer"]})),
            &admin,
        )
    };
    let foreign = add("BUYER@beta.ru", "Чужой Сотрудник");
    assert_eq!(
        foreign.status,
        201,
        "{}",
        String::from_utf8_lossy(&foreign.body)
    );
    assert_eq!(tables(&p), before, "nothing stored");
    let notice = p
        .last_mail_to("buyer@beta.ru")
        .expect("the address is told");
    assert!(!notice.text.contains("#token="));
    assert!(notice.text.contains("Альфа"));
    assert!(!notice.text.contains("Чужой Сотрудник"));
    let fresh = add("fresh@alfa.ru", "Новый Сотрудник");
    assert_eq!(fresh.status, 201);
    let (f, n) = (body(&foreign), body(&fresh));
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&f), keys(&n));
    assert_eq!(f["status"], n["status"]);
    assert_eq!(f["email"], "buyer@beta.ru");
    // 1C hears only of the real one.
    let pulled = block_on(shared::exchange::api::handle(
        &p,
        p.signed_json("/exchange/v1/changes/pull", &json!({"limit": 100})),
    ));
    let items = body(&pulled)["items"].as_array().cloned().unwrap();
    let added: Vec<&Value> = items
        .iter()
        .filter(|i| i["type"] == "employee.added")
        .collect();
    assert_eq!(added.len(), 1, "{items:?}");
    assert!(!Value::Array(items.clone())
        .to_string()
        .contains("buyer@beta.ru"));
    // The admin's own people may be named: the admin sees them in the list.
    let dup = add("fresh@alfa.ru", "Ещё раз");
    assert_eq!(dup.status, 409);
    assert_eq!(body(&dup)["code"], "email-taken");
}

#[test]
fn an_email_change_to_a_taken_address_answers_like_any_other() {
    let (p, admin, _) = two_companies();
    let ask = |email: &str| {
        auth(
            &p,
            "POST",
            "/api/auth/email-changes",
            Some(json!({"new_email": email, "password": shared::testing::TEST_PASSWORD})),
            &admin,
        )
    };
    let taken = ask("buyer@beta.ru");
    let free = ask("free@alfa.ru");
    assert_eq!(
        taken.status,
        202,
        "{}",
        String::from_utf8_lossy(&taken.body)
    );
    assert_eq!(free.status, 202);
    assert_eq!(body(&taken)["sent_to"], "buyer@beta.ru");
    let notice = p.last_mail_to("buyer@beta.ru").expect("the owner is told");
    assert!(!notice.text.contains("#token="));
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM email_changes WHERE new_email = ?",
            "buyer@beta.ru"
        ),
        0
    );
    token_from_mail(&p, "free@alfa.ru");
    // Their own address is no secret.
    assert_eq!(ask("admin@alfa.ru").status, 409);
}
