//! 152-ФЗ (#24): consent to the privacy policy at first sign-in (recorded with its version and
//! time, asked again for a new version, no other route blocked), the user's own data exported
//! (only their own), a removed employee erased on request (personal fields gone, sessions dead,
//! orders kept), and the sweeper's retention purges as the clock moves.

use crate::helpers::{auth, body, company, count, sign_in, signed_in, text, PW};
use chrono::Duration;
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::ports::{DatabaseExt, Ports, Stmt};
use shared::testing::TestPorts;

/// Company A with an admin and a buyer, company B with an admin; one order by each A user and one
/// by B's admin.
fn seeded() -> (TestPorts, String, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    let user = |id: &str, entity: &str, company: &str, email: &str, roles: &[&str]| json!({"id": id, "type": "user", "entity_id": entity, "seq": 1, "payload": {"company_id": company, "email": email, "full_name": "Иванов Иван", "phone": "+7 900 000-00-00", "roles": roles}});
    p.send_from_1c(vec![
        json!({"id": "c1", "type": "company", "entity_id": "A", "seq": 1, "payload": {"name": "Альфа", "legal_entities": []}}),
        json!({"id": "c2", "type": "company", "entity_id": "B", "seq": 1, "payload": {"name": "Бета", "legal_entities": []}}),
    ]);
    p.send_from_1c(vec![
        user("u1", "uA", "A", "admin@alfa.ru", &["admin"]),
        user("u2", "uA2", "A", "buyer@alfa.ru", &["buyer"]),
        user("u3", "uB", "B", "admin@beta.ru", &["admin"]),
    ]);
    let admin = p.activate("admin@alfa.ru");
    let buyer = p.activate("buyer@alfa.ru");
    let other = p.activate("admin@beta.ru");
    for (n, email) in [
        (1, "admin@alfa.ru"),
        (2, "buyer@alfa.ru"),
        (3, "admin@beta.ru"),
    ] {
        exec(
            &p,
            Stmt::dynamic(format!(
                "INSERT INTO orders (id, company_id, onec_id, number, number_norm, ordered_at, author_user_id, status, payment_method, total_kop, vat_kop, updated_at) \
                 SELECT 'ord{n}', company_id, '1c-ord{n}', 'П-{n}', 'п-{n}', '2026-01-01T00:00:00Z', id, 'paid', 'invoice', 1000, 0, '2026-01-01T00:00:00Z' FROM users WHERE email = ?"
            ))
            .bind(email),
        );
    }
    (p, admin, buyer, other)
}

fn exec(p: &TestPorts, s: Stmt) -> u64 {
    block_on(p.db().exec(s)).unwrap()
}

fn rows(p: &TestPorts, s: Stmt) -> Vec<Value> {
    block_on(p.db().all::<Value>(s)).unwrap()
}

fn me(p: &TestPorts, c: &str) -> Value {
    let r = auth(p, "GET", "/api/auth/me", None, c);
    assert_eq!(r.status, 200, "{}", text(&r));
    body(&r)
}

#[test]
fn consent_is_asked_once_per_policy_version_and_blocks_no_route() {
    let (mut p, admin, _, _) = seeded();
    let m = me(&p, &admin);
    assert_eq!(m["consent_required"], true);
    assert_eq!(m["privacy_policy_version"], "1");
    // Nothing else is blocked by the API (the page shell asks).
    assert_eq!(
        company(&p, "GET", "/api/company/company", None, &admin).status,
        200
    );

    // A version other than the current one: the policy changed while the dialog was open.
    let r = auth(
        &p,
        "POST",
        "/api/auth/consent",
        Some(json!({"version": "0"})),
        &admin,
    );
    assert_eq!(r.status, 409, "{}", text(&r));
    assert_eq!(body(&r)["code"], "policy-version-changed");
    assert_eq!(me(&p, &admin)["consent_required"], true);

    let r = auth(
        &p,
        "POST",
        "/api/auth/consent",
        Some(json!({"version": "1"})),
        &admin,
    );
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(body(&r)["consent_required"], false);
    let first_at = body(&r)["consent"]["accepted_at"].clone();
    assert!(first_at.is_string());
    assert_eq!(me(&p, &admin)["consent_required"], false);

    // Idempotent: a second acceptance keeps the first time.
    p.advance(Duration::minutes(5));
    let r = auth(
        &p,
        "POST",
        "/api/auth/consent",
        Some(json!({"version": "1"})),
        &admin,
    );
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["consent"]["accepted_at"], first_at);

    // A new policy version asks again.
    p.config.privacy_policy_version = "2026-12".into();
    assert_eq!(me(&p, &admin)["consent_required"], true);
    let r = auth(
        &p,
        "POST",
        "/api/auth/consent",
        Some(json!({"version": "2026-12"})),
        &admin,
    );
    assert_eq!(body(&r)["consent"]["version"], "2026-12");
    assert_eq!(me(&p, &admin)["consent_required"], false);
}

#[test]
fn export_holds_only_the_callers_own_data_without_tokens() {
    let (p, admin, buyer, _) = seeded();
    // Something about the buyer in the audit log, and a preference.
    let v = me(&p, &buyer)["user"]["version"].as_i64().unwrap();
    let r = auth(
        &p,
        "PATCH",
        "/api/auth/profile",
        Some(json!({"full_name": "Петров Пётр", "phone": "+7 900 111-11-11", "version": v})),
        &buyer,
    );
    assert_eq!(r.status, 200, "{}", text(&r));
    let r = auth(
        &p,
        "PUT",
        "/api/auth/notifications",
        Some(json!({"events": {"document_arrived": "off"}})),
        &buyer,
    );
    assert_eq!(r.status, 200, "{}", text(&r));

    let r = auth(&p, "GET", "/api/auth/me/data", None, &buyer);
    assert_eq!(r.status, 200, "{}", text(&r));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    let d = body(&r);
    let buyer_id = d["profile"]["id"].as_str().unwrap().to_string();
    assert_eq!(d["profile"]["email"], "buyer@alfa.ru");
    assert_eq!(d["profile"]["full_name"], "Петров Пётр");
    let sessions = d["sessions"].as_array().unwrap();
    assert!(!sessions.is_empty());
    for s in sessions {
        let mut keys: Vec<&str> = s.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "created_at",
                "expires_at",
                "id",
                "last_used_at",
                "revoked_at"
            ]
        );
    }
    // No cookie value, no hash leaks into the file.
    let raw = text(&r);
    for part in buyer.split("; ") {
        if let Some((_, value)) = part.split_once('=') {
            assert!(
                value.len() < 20 || !raw.contains(value),
                "a token in the export"
            );
        }
    }
    assert!(!raw.contains("refresh_hash") && !raw.contains("password_hash"));
    assert_eq!(
        d["notification_preferences"][0]["event"],
        "document_arrived"
    );
    let orders: Vec<&str> = d["orders_authored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(orders, ["ord2"]);
    let audit = d["audit"].as_array().unwrap();
    assert!(!audit.is_empty());
    for a in audit {
        assert!(
            a["by_user"] == true || a["entity_id"] == buyer_id.as_str(),
            "{a}"
        );
    }
    // Nobody else's personal data.
    assert!(!raw.contains("admin@alfa.ru") && !raw.contains("admin@beta.ru"));

    // The admin's export is the admin's, not the buyer's.
    let a = body(&auth(&p, "GET", "/api/auth/me/data", None, &admin));
    assert_eq!(a["profile"]["email"], "admin@alfa.ru");
    let orders: Vec<&str> = a["orders_authored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(orders, ["ord1"]);
    // Signed out: nothing.
    assert_eq!(auth(&p, "GET", "/api/auth/me/data", None, "").status, 401);
}

#[test]
fn erasure_anonymises_a_removed_employee_and_keeps_the_orders() {
    let (p, admin, buyer, other) = seeded();
    let buyer_id = me(&p, &buyer)["user"]["id"].as_str().unwrap().to_string();
    let r = auth(
        &p,
        "PUT",
        "/api/auth/notifications",
        Some(json!({"events": {"document_arrived": "off"}})),
        &buyer,
    );
    assert_eq!(r.status, 200);
    // A mail still waiting for the buyer.
    exec(&p, Stmt::new("INSERT INTO mail_outbox (id, company_id, to_addr, subject, body, created_at) VALUES ('m-x', NULL, 'buyer@alfa.ru', 'Тема', 'Текст', '2026-01-01T00:00:00Z')"));
    let erase = |c: &str, version: i64| {
        company(
            &p,
            "POST",
            &format!("/api/company/employees/{buyer_id}/erasure?version={version}"),
            None,
            c,
        )
    };
    let version = |p: &TestPorts| -> i64 {
        rows(
            p,
            Stmt::new("SELECT version FROM users WHERE id = ?").bind(buyer_id.as_str()),
        )[0]["version"]
            .as_i64()
            .unwrap()
    };

    // Only an admin of the company; only a removed employee.
    assert_eq!(erase(&buyer, version(&p)).status, 403);
    assert_eq!(erase(&other, version(&p)).status, 404);
    let r = erase(&admin, version(&p));
    assert_eq!(r.status, 409, "{}", text(&r));
    assert_eq!(body(&r)["code"], "remove-first");
    let r = company(
        &p,
        "DELETE",
        &format!("/api/company/employees/{buyer_id}?version={}", version(&p)),
        None,
        &admin,
    );
    assert_eq!(r.status, 204, "{}", text(&r));
    assert_eq!(erase(&admin, version(&p) - 1).status, 409);

    let r = erase(&admin, version(&p));
    assert_eq!(r.status, 204, "{}", text(&r));
    let u = &rows(&p, Stmt::new("SELECT email, full_name, position, phone, password_hash, erased_at FROM users WHERE id = ?").bind(buyer_id.as_str()))[0];
    assert_eq!(u["email"], format!("erased-{buyer_id}@erased.invalid"));
    assert_eq!(u["full_name"], "—");
    assert!(u["phone"].is_null() && u["position"].is_null() && u["password_hash"].is_null());
    assert!(u["erased_at"].is_string());
    // Nothing personal left about them.
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM users WHERE email = 'buyer@alfa.ru'"
        ),
        0
    );
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM mail_outbox WHERE to_addr = 'buyer@alfa.ru'"
        ),
        0
    );
    assert_eq!(count(&p, "SELECT count(*) AS n FROM audit_log WHERE before_json LIKE '%buyer@alfa.ru%' OR after_json LIKE '%buyer@alfa.ru%'"), 0);
    let n = rows(
        &p,
        Stmt::new("SELECT count(*) AS n FROM notification_prefs WHERE user_id = ?")
            .bind(buyer_id.as_str()),
    );
    assert_eq!(n[0]["n"], 0);
    let n = rows(
        &p,
        Stmt::new("SELECT count(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NULL")
            .bind(buyer_id.as_str()),
    );
    assert_eq!(n[0]["n"], 0);
    // The sessions are dead, the old address signs in nowhere.
    assert_eq!(auth(&p, "GET", "/api/auth/me", None, &buyer).status, 401);
    assert_eq!(sign_in(&p, "buyer@alfa.ru", PW).status, 401);
    // What accounting needs stays: the order, by the user's id.
    let o = rows(
        &p,
        Stmt::new("SELECT author_user_id FROM orders WHERE id = 'ord2'"),
    );
    assert_eq!(o[0]["author_user_id"], buyer_id.as_str());
    // Recorded, without personal data; repeating is harmless.
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM audit_log WHERE kind = 'employee.erased'"
        ),
        1
    );
    assert_eq!(erase(&admin, version(&p)).status, 204);
    assert_eq!(
        count(
            &p,
            "SELECT count(*) AS n FROM audit_log WHERE kind = 'employee.erased'"
        ),
        1
    );
    // The admin is untouched.
    signed_in(&p, "admin@alfa.ru", PW);
}

#[test]
fn the_sweeper_purges_sessions_mail_and_audit_personal_fields_after_their_periods() {
    let (p, admin, buyer, _) = seeded();
    // An ended session, a sent mail, an audit entry about a person.
    assert_eq!(
        auth(&p, "POST", "/api/auth/sign-out", None, &buyer).status,
        204
    );
    exec(
        &p,
        Stmt::new("UPDATE mail_outbox SET sent_at = ?").bind(p.now()),
    );
    let v = me(&p, &admin)["user"]["version"].as_i64().unwrap();
    assert_eq!(
        auth(
            &p,
            "PATCH",
            "/api/auth/profile",
            Some(json!({"full_name": "Петров Пётр", "version": v})),
            &admin
        )
        .status,
        200
    );
    let sessions = || count(&p, "SELECT count(*) AS n FROM sessions");
    let mails = || count(&p, "SELECT count(*) AS n FROM mail_outbox");
    let personal_audit = || {
        count(&p, "SELECT count(*) AS n FROM audit_log WHERE entity_type = 'user' AND after_json IS NOT NULL")
    };
    let (s0, m0, a0) = (sessions(), mails(), personal_audit());
    assert!(s0 >= 3 && m0 >= 3 && a0 >= 1, "{s0} {m0} {a0}");

    let sweep = || {
        block_on(shared::exchange::sweep(&p))
            .unwrap()
            .personal_data_purged
    };
    // Within every period: nothing goes.
    p.advance(Duration::days(10));
    let r = sweep();
    assert_eq!((r.sessions, r.mails, r.audit_entries), (0, 0, 0));
    assert_eq!(sessions(), s0);

    // Past 30 days the sent mail goes; the signed-out session (ended at day 0) after 90.
    p.advance(Duration::days(25));
    let r = sweep();
    assert_eq!(r.mails as i64, m0);
    assert_eq!(mails(), 0);
    assert_eq!(r.sessions, 0);
    p.advance(Duration::days(60));
    let r = sweep();
    assert_eq!(r.sessions, 1);
    assert_eq!(sessions(), s0 - 1);
    // Live sessions expired at day 30 go 90 days later.
    p.advance(Duration::days(30));
    let r = sweep();
    assert_eq!(r.sessions as i64, s0 - 1);
    assert_eq!(sessions(), 0);
    assert_eq!(r.audit_entries, 0);

    // Three years on, audit entries about people lose their personal fields; the entries stay.
    let entries = count(&p, "SELECT count(*) AS n FROM audit_log");
    p.advance(Duration::days(1095 - 125 + 1));
    let r = sweep();
    assert_eq!(r.audit_entries as i64, a0);
    assert_eq!(personal_audit(), 0);
    assert_eq!(count(&p, "SELECT count(*) AS n FROM audit_log"), entries);
    // The accounting stays.
    assert_eq!(count(&p, "SELECT count(*) AS n FROM orders"), 3);
}
