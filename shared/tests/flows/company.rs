//! Company and people through the same handlers the Workers call, on real SQLite: legal entity
//! details proposed to 1C (validation, pending, accepted, refused), consignees, employees added
//! by link / edited / removed, the last-admin rule, password and e-mail changes, the audit log.

use crate::helpers::{auth, body, company, pull_and_answer, signed_in, token_from_mail, PW};
use chrono::Duration;
use serde_json::{json, Value};
use shared::testing::TestPorts;

/// Company A (one legal entity) with an admin and a buyer, company B with an admin.
fn seeded() -> (TestPorts, String, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    let user = |id: &str, entity: &str, company: &str, email: &str, roles: &[&str]| json!({"id": id, "type": "user", "entity_id": entity, "seq": 1, "payload": {"company_id": company, "email": email, "full_name": "Иванов Иван", "roles": roles}});
    p.send_from_1c(vec![
        json!({"id": "c1", "type": "company", "entity_id": "A", "seq": 1, "payload": {"name": "Альфа",
            "legal_entities": [{"id": "LE-A", "name": "ООО Альфа", "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195"}]}}),
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
    (p, admin, buyer, other)
}

fn legal_entity(p: &TestPorts, c: &str) -> Value {
    body(&company(p, "GET", "/api/company/company", None, c))["legal_entities"][0].clone()
}

fn details(version: i64) -> Value {
    json!({"version": version, "name": "ООО Альфа", "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
        "legal_address": "Москва, ул. Вавилова, 19", "phone": "+7 (495) 500-55-50",
        "bank_accounts": [{"bik": "044525225", "bank_name": "ПАО Сбербанк", "corr_account": "30101810400000000225", "account": "40702819938000001234"}]})
}

#[test]
fn legal_entity_details_are_validated_proposed_and_decided_by_1c() {
    let (p, admin, buyer, _) = seeded();
    let le = legal_entity(&p, &admin);
    let id = le["id"].as_str().unwrap().to_string();
    let path = format!("/api/company/legal-entities/{id}");

    // Bad identifiers: every one named, in both languages.
    let mut bad = details(le["version"].as_i64().unwrap());
    bad["inn"] = json!("7707083894");
    bad["ogrn"] = json!("1027700132196");
    bad["bank_accounts"][0]["bik"] = json!("044525226");
    let r = company(&p, "PATCH", &path, Some(bad), &admin);
    assert_eq!(r.status, 422);
    let fields: Vec<String> = body(&r)["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["inn", "ogrn", "bank_accounts[0].account"]);
    // A buyer may not propose.
    assert_eq!(
        company(&p, "PATCH", &path, Some(details(1)), &buyer).status,
        403
    );

    // A good proposal waits for 1C; the accepted values stay; a second proposal is refused.
    let r = company(
        &p,
        "PATCH",
        &path,
        Some(details(le["version"].as_i64().unwrap())),
        &admin,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let now = legal_entity(&p, &buyer);
    assert_eq!(now["change"]["state"], "waiting");
    assert_eq!(now["change"]["values"]["phone"], "+7 (495) 500-55-50");
    assert_eq!(
        now["phone"],
        Value::Null,
        "accepted values unchanged until 1C accepts"
    );
    assert_eq!(
        company(
            &p,
            "PATCH",
            &path,
            Some(details(now["version"].as_i64().unwrap())),
            &admin
        )
        .status,
        409
    );

    // 1C accepts: the proposal becomes the details.
    let sent = pull_and_answer(&p, "accepted", None);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["type"], "company.changed");
    assert_eq!(sent[0]["entity_id"], "LE-A");
    assert_eq!(
        sent[0]["payload"]["bank_accounts"][0]["bik"],
        "044525225"
    );
    let now = legal_entity(&p, &admin);
    assert_eq!(now["phone"], "+7 (495) 500-55-50");
    assert_eq!(now["bank_accounts"][0]["account"], "40702819938000001234");
    assert_eq!(now["change"], Value::Null);

    // The next proposal is refused by 1C: the reason shows, the details stay.
    let mut next = details(now["version"].as_i64().unwrap());
    next["legal_address"] = json!("Москва, другой адрес");
    assert_eq!(
        company(&p, "PATCH", &path, Some(next.clone()), &admin).status,
        202
    );
    pull_and_answer(&p, "rejected", "Адрес не совпадает с ЕГРЮЛ");
    let now = legal_entity(&p, &admin);
    assert_eq!(now["legal_address"], "Москва, ул. Вавилова, 19");
    assert_eq!(now["change"]["state"], "rejected");
    assert_eq!(now["change"]["reason"], "Адрес не совпадает с ЕГРЮЛ");
    // Based on an old version: 409 with the current details.
    next["version"] = json!(1);
    let r = company(&p, "PATCH", &path, Some(next), &admin);
    assert_eq!(r.status, 409);
    assert_eq!(
        body(&r)["current"]["details"]["phone"],
        "+7 (495) 500-55-50"
    );

    // Audit: both proposals and 1C's answers.
    let a = body(&company(
        &p,
        "GET",
        "/api/company/audit?kind=legal_entity.",
        None,
        &admin,
    ));
    let items = a["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["onec_answer"]["status"], "rejected");
    assert_eq!(items[1]["onec_answer"]["status"], "accepted");
    assert_eq!(items[1]["user"]["full_name"], "Иванов Иван");
}

#[test]
fn another_companys_legal_entity_is_a_404() {
    let (p, admin, _, other) = seeded();
    let id = legal_entity(&p, &admin)["id"].as_str().unwrap().to_string();
    assert_eq!(
        company(
            &p,
            "PATCH",
            &format!("/api/company/legal-entities/{id}"),
            Some(details(1)),
            &other
        )
        .status,
        404
    );
}

#[test]
fn employee_added_signs_in_by_link_then_removed_loses_access_at_once() {
    let (p, admin, buyer, _) = seeded();
    let add = json!({"email": "New.Buyer@Alfa.ru", "full_name": "Петров Пётр", "roles": ["buyer"], "phone": "+7 900 000-00-00"});
    assert_eq!(
        company(
            &p,
            "POST",
            "/api/company/employees",
            Some(add.clone()),
            &buyer
        )
        .status,
        403
    );
    let r = company(
        &p,
        "POST",
        "/api/company/employees",
        Some(add.clone()),
        &admin,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let id = body(&r)["id"].as_str().unwrap().to_string();
    assert_eq!(
        company(&p, "POST", "/api/company/employees", Some(add), &admin).status,
        409,
        "e-mail taken"
    );
    let newcomer = p.activate("new.buyer@alfa.ru");
    assert_eq!(auth(&p, "GET", "/api/auth/me", None, &newcomer).status, 200);

    let emp = body(&company(
        &p,
        "GET",
        &format!("/api/company/employees/{id}"),
        None,
        &admin,
    ));
    assert_eq!(emp["status"], "active");
    let r = company(
        &p,
        "DELETE",
        &format!("/api/company/employees/{id}?version={}", emp["version"]),
        None,
        &admin,
    );
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    // The very next request is refused, and signing in again too.
    assert_eq!(auth(&p, "GET", "/api/auth/me", None, &newcomer).status, 401);
    let again = auth(
        &p,
        "POST",
        "/api/auth/sign-in",
        Some(json!({"email": "new.buyer@alfa.ru", "password": PW})),
        "",
    );
    assert_eq!(again.status, 401);
    // Still listed, deactivated (history stays).
    let list = body(&company(&p, "GET", "/api/company/employees", None, &admin));
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == id.as_str() && e["status"] == "deactivated"));
    // 1C hears of both, in order: the removal only after the addition was answered.
    let first: Vec<String> = pull_and_answer(&p, "accepted", None)
        .iter()
        .map(|c| c["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(first, ["employee.added"]);
    let second = pull_and_answer(&p, "accepted", None);
    assert_eq!(second[0]["type"], "employee.removed");
    assert_eq!(second[0]["payload"]["portal_id"], id.as_str());
    let audit = body(&company(
        &p,
        "GET",
        &format!("/api/company/audit?kind=employee.&user={}", "x"),
        None,
        &admin,
    ));
    assert_eq!(
        audit["items"].as_array().unwrap().len(),
        0,
        "filtered by a user who did nothing"
    );
    let audit = body(&company(
        &p,
        "GET",
        "/api/company/audit?kind=employee.",
        None,
        &admin,
    ));
    let kinds: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["employee.removed", "employee.added"]);
}

#[test]
fn the_invitation_link_expires_after_72_hours() {
    let (p, admin, _, _) = seeded();
    let r = company(
        &p,
        "POST",
        "/api/company/employees",
        Some(json!({"email": "late@alfa.ru", "full_name": "Опоздавший", "roles": ["accountant"]})),
        &admin,
    );
    assert_eq!(r.status, 201);
    let t = token_from_mail(&p, "late@alfa.ru");
    p.advance(Duration::hours(72) + Duration::minutes(1));
    let r = auth(
        &p,
        "POST",
        "/api/auth/password-resets",
        Some(json!({"token": t, "password": PW})),
        "",
    );
    assert_eq!(r.status, 422);
    assert_eq!(body(&r)["code"], "link-invalid");
}

#[test]
fn the_last_admin_cannot_leave_or_step_down() {
    let (p, admin, _, _) = seeded();
    let list = body(&company(&p, "GET", "/api/company/employees", None, &admin));
    let me = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["email"] == "admin@alfa.ru")
        .unwrap()
        .clone();
    let me_path = format!("/api/company/employees/{}", me["id"].as_str().unwrap());
    let step_down =
        json!({"version": me["version"], "full_name": "Иванов Иван", "roles": ["buyer"]});
    let r = company(&p, "PATCH", &me_path, Some(step_down.clone()), &admin);
    assert_eq!(r.status, 409);
    assert_eq!(body(&r)["code"], "last-admin");
    let r = company(
        &p,
        "DELETE",
        &format!("{me_path}?version={}", me["version"]),
        None,
        &admin,
    );
    assert_eq!(body(&r)["code"], "last-admin");

    // With a second admin, stepping down works (and the session sees the new roles at once).
    let buyer = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["email"] == "buyer@alfa.ru")
        .unwrap()
        .clone();
    let r = company(
        &p,
        "PATCH",
        &format!("/api/company/employees/{}", buyer["id"].as_str().unwrap()),
        Some(
            json!({"version": buyer["version"], "full_name": "Сидоров", "roles": ["buyer", "admin"]}),
        ),
        &admin,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = company(&p, "PATCH", &me_path, Some(step_down), &admin);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // The session was issued with admin: refused on the next request until signed in again.
    assert_eq!(
        company(&p, "GET", "/api/company/employees", None, &admin).status,
        401
    );
    let fresh = signed_in(&p, "admin@alfa.ru", PW);
    assert_eq!(
        company(&p, "GET", "/api/company/employees", None, &fresh).status,
        403
    );
}

#[test]
fn consignees_are_kept_by_buyers_and_undone_when_1c_refuses() {
    let (p, admin, buyer, other) = seeded();
    let r = company(
        &p,
        "POST",
        "/api/company/consignees",
        Some(
            json!({"name": "Склад Усть-Лабинск", "address": "Усть-Лабинск, ул. Заводская, 5", "inn": "7707083893"}),
        ),
        &buyer,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let c = body(&r);
    assert_eq!(c["change"], Value::Null);
    let bad = company(
        &p,
        "POST",
        "/api/company/consignees",
        Some(json!({"name": "", "address": "X", "inn": "1"})),
        &buyer,
    );
    assert_eq!(bad.status, 422);
    let list = body(&company(&p, "GET", "/api/company/consignees", None, &admin));
    assert_eq!(list["items"][0]["change"]["state"], "waiting");
    assert_eq!(
        body(&company(&p, "GET", "/api/company/consignees", None, &other))["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // 1C accepts the new one and says its id.
    let sent = pull_and_answer(&p, "accepted", None);
    assert_eq!(sent[0]["type"], "consignee.added");
    // Flat fields, as 1C fills its Партнер's delivery address from them.
    assert_eq!(
        crate::helpers::keys(&sent[0]["payload"]),
        ["address", "company_id", "consignee_id", "contact_person", "inn", "kpp", "name", "phone", "portal_id"]
    );
    assert_eq!(sent[0]["payload"]["portal_id"], c["id"]);
    let path = format!("/api/company/consignees/{}", c["id"].as_str().unwrap());
    // An edit that 1C refuses comes back to the previous values.
    let r = company(
        &p,
        "PATCH",
        &path,
        Some(json!({"version": c["version"], "name": "Склад №2", "address": "Усть-Лабинск"})),
        &buyer,
    );
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        body(&company(&p, "GET", "/api/company/consignees", None, &buyer))["items"][0]["name"],
        "Склад №2"
    );
    pull_and_answer(&p, "rejected", "Такой склад уже есть");
    let after = body(&company(&p, "GET", "/api/company/consignees", None, &buyer));
    assert_eq!(after["items"][0]["name"], "Склад Усть-Лабинск");
    assert_eq!(
        after["items"][0]["change"]["reason"],
        "Такой склад уже есть"
    );
    // Another company cannot touch it; archiving hides it from the list.
    let v = after["items"][0]["version"].as_i64().unwrap();
    assert_eq!(
        company(&p, "DELETE", &format!("{path}?version={v}"), None, &other).status,
        404
    );
    assert_eq!(
        company(&p, "DELETE", &format!("{path}?version={v}"), None, &buyer).status,
        204
    );
    assert_eq!(
        body(&company(&p, "GET", "/api/company/consignees", None, &buyer))["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        body(&company(
            &p,
            "GET",
            "/api/company/consignees?archived=true",
            None,
            &buyer
        ))["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn password_change_ends_other_sessions() {
    let (p, admin, _, _) = seeded();
    let laptop = signed_in(&p, "admin@alfa.ru", PW);
    let r = auth(
        &p,
        "POST",
        "/api/auth/password-change",
        Some(json!({"current_password": "wrong", "new_password": "Новый-пароль-2027"})),
        &admin,
    );
    assert_eq!(r.status, 422);
    assert_eq!(body(&r)["field_errors"][0]["field"], "current_password");
    let r = auth(
        &p,
        "POST",
        "/api/auth/password-change",
        Some(json!({"current_password": PW, "new_password": "Новый-пароль-2027"})),
        &admin,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["other_sessions_ended"], 1);
    assert_eq!(
        auth(&p, "GET", "/api/auth/me", None, &admin).status,
        200,
        "this session stays"
    );
    assert_eq!(
        auth(&p, "GET", "/api/auth/me", None, &laptop).status,
        401,
        "the other ends"
    );
    signed_in(&p, "admin@alfa.ru", "Новый-пароль-2027");
}

#[test]
fn email_change_takes_effect_only_from_the_link() {
    let (p, _, buyer, _) = seeded();
    let r = auth(
        &p,
        "POST",
        "/api/auth/email-changes",
        Some(json!({"new_email": "admin@beta.ru", "password": PW})),
        &buyer,
    );
    // Taken by someone else: answered like any other address (the answer must not tell whether
    // an address has an account); that address is told, nothing to confirm.
    assert_eq!(r.status, 202, "taken by someone else");
    assert!(!p
        .last_mail_to("admin@beta.ru")
        .unwrap()
        .text
        .contains("#token="));
    let r = auth(
        &p,
        "POST",
        "/api/auth/email-changes",
        Some(json!({"new_email": "Buyer2@Alfa.ru", "password": PW})),
        &buyer,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    // Nothing changed yet.
    assert_eq!(
        body(&auth(&p, "GET", "/api/auth/me", None, &buyer))["user"]["email"],
        "buyer@alfa.ru"
    );
    let t = token_from_mail(&p, "buyer2@alfa.ru");
    let r = auth(
        &p,
        "POST",
        "/api/auth/email-changes/confirmations",
        Some(json!({"token": t})),
        "",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        auth(
            &p,
            "POST",
            "/api/auth/email-changes/confirmations",
            Some(json!({"token": t})),
            ""
        )
        .status,
        422,
        "single use"
    );
    signed_in(&p, "buyer2@alfa.ru", PW);
    assert!(
        p.last_mail_to("buyer@alfa.ru")
            .unwrap()
            .text
            .contains("buyer2@alfa.ru"),
        "the old address is told"
    );
    let sent = pull_and_answer(&p, "accepted", None);
    assert_eq!(sent[0]["payload"]["email"], "buyer2@alfa.ru");
    // One shape of employee.changed, whoever made the change.
    assert_eq!(
        crate::helpers::keys(&sent[0]["payload"]),
        ["company_id", "email", "full_name", "phone", "portal_id", "position", "roles"]
    );
    // Expired links do not work.
    let r = auth(
        &p,
        "POST",
        "/api/auth/email-changes",
        Some(json!({"new_email": "buyer3@alfa.ru", "password": PW})),
        &buyer,
    );
    assert_eq!(r.status, 202);
    let t = token_from_mail(&p, "buyer3@alfa.ru");
    p.advance(Duration::hours(25));
    assert_eq!(
        auth(
            &p,
            "POST",
            "/api/auth/email-changes/confirmations",
            Some(json!({"token": t})),
            ""
        )
        .status,
        422
    );
    // Language.
    let fresh = signed_in(&p, "buyer2@alfa.ru", PW);
    assert_eq!(
        auth(
            &p,
            "PATCH",
            "/api/auth/preferences",
            Some(json!({"language": "en"})),
            &fresh
        )
        .status,
        200
    );
    assert_eq!(
        body(&auth(&p, "GET", "/api/auth/me", None, &fresh))["user"]["language"],
        "en"
    );
    assert_eq!(
        auth(
            &p,
            "PATCH",
            "/api/auth/preferences",
            Some(json!({"language": "de"})),
            &fresh
        )
        .status,
        422
    );
}

/// #21: the order list's filter by who placed an order: every role reads the company's people
/// by name and id, nothing else about them, and never another company's.
#[test]
fn employee_names_for_every_role_names_only_this_company_only() {
    let (p, admin, buyer, other) = seeded();
    for c in [&admin, &buyer] {
        let r = company(&p, "GET", "/api/company/employee-names", None, c);
        assert_eq!(r.status, 200);
        let items = body(&r)["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 2, "{items:?}");
        for i in &items {
            let mut keys: Vec<&String> = i.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["full_name", "id"]);
        }
    }
    let theirs = body(&company(&p, "GET", "/api/company/employee-names", None, &other));
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
}
