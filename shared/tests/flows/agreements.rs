//! УТ 11's agreements and the supplier's organisations (issue 17), through the same handlers the
//! Workers call: one typical agreement serving two companies with their own limits and blocked
//! states (each sees only its own), individual agreements kept to one company, the typical
//! agreement's price type matching the catalogue's, the supplier's organisations as the payee of
//! an order (sold from two organisations to one client), and the migration of existing rows.

use crate::helpers::{body, finance, msg, order_id, orders};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::ports::{Database, DatabaseExt, Stmt};
use shared::testing::TestPorts;

/// A company with one legal entity, its individual agreement and a link to the typical TA.
fn company_msg(id: &str, seq: i64, c: &str, limit: f64) -> Value {
    msg(
        id,
        "company",
        c,
        seq,
        json!({"name": format!("Компания {c}"),
        "legal_entities": [{"id": format!("LE-{c}"), "name": format!("ООО {c}")}],
        "agreements": [
            {"id": format!("IND-{c}"), "kind": "individual", "legal_entity_id": format!("LE-{c}"), "name": "Индивидуальное",
             "credit_limit": 0, "deferral_days": 0, "organisation_id": "ORG2"},
            {"id": "TA", "kind": "typical", "name": "Типовое соглашение Интернет-МХТ", "credit_limit": limit, "deferral_days": 14,
             "price_type": {"id": "4d968229-47ba-11e4-a628-003048c64779", "name": "Типовое соглашение Интернет-МХТ"},
             "organisation_id": "ORG1"}]}),
    )
}

fn credit(id: &str, c: &str, limit: f64, blocked: bool, to_pay: f64) -> Value {
    msg(
        id,
        "credit_state",
        &format!("TA/{c}"),
        1,
        json!({"company_id": c, "agreement_id": "TA", "as_of": "2026-11-27T18:00:00",
        "limit": limit, "debt": 100, "overdue_debt": if blocked { to_pay } else { 0.0 }, "reserve": 0,
        "blocked": blocked, "amount_to_pay": to_pay}),
    )
}

fn user(id: &str, c: &str, email: &str) -> Value {
    msg(
        id,
        "user",
        id,
        1,
        json!({"company_id": c, "email": email, "full_name": "Бухгалтер", "roles": ["accountant", "buyer"]}),
    )
}

fn status(p: &TestPorts, id: &str) -> (String, Option<String>) {
    #[derive(serde::Deserialize)]
    struct S {
        status: String,
        reason: Option<String>,
    }
    let s: S =
        block_on(p.db.first(Stmt::new("SELECT status, reason FROM inbox WHERE id = ?").bind(id)))
            .unwrap()
            .expect("stored");
    (s.status, s.reason)
}

fn organisation(id: &str, name: &str, inn: &str, account: &str) -> Value {
    msg(
        &format!("m-{id}"),
        "organisation",
        id,
        1,
        json!({"name": name, "full_name": format!("Общество с ограниченной ответственностью «{name}»"),
        "inn": inn, "kpp": "773601001", "ogrn": "1027700132195", "address": "Москва, ул. Вавилова, 19",
        "bank_accounts": [{"bank_name": "ПАО Сбербанк", "bik": "044525225", "corr_account": "30101810400000000225", "account": account}]}),
    )
}

/// Companies A and B share the typical agreement TA with their own limits; A's credit is
/// blocked, B's is not.
fn seeded() -> (TestPorts, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    p.send_from_1c(vec![
        organisation(
            "ORG1",
            "Агро-Запчасть",
            "7707083893",
            "40702810238000001234",
        ),
        organisation(
            "ORG2",
            "Агро-Запчасть Юг",
            "7736207543",
            "40702810638000005678",
        ),
        company_msg("ca", 1, "A", 500000.0),
        company_msg("cb", 1, "B", 200000.0),
    ]);
    p.send_from_1c(vec![
        user("ua", "A", "acc@a.ru"),
        user("ub", "B", "acc@b.ru"),
        credit("csa", "A", 500000.0, true, 1234.56),
        credit("csb", "B", 200000.0, false, 0.0),
    ]);
    for m in ["ca", "cb", "csa", "csb", "m-ORG1", "m-ORG2"] {
        assert_eq!(status(&p, m).0, "applied", "{m}: {:?}", status(&p, m));
    }
    let a = p.activate("acc@a.ru");
    let b = p.activate("acc@b.ru");
    (p, a, b)
}

fn typical(p: &TestPorts, cookie: &str) -> Vec<Value> {
    let all = body(&finance(p, "GET", "/api/finance/credit", None, cookie))["agreements"].clone();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "typical")
        .cloned()
        .collect()
}

#[test]
fn a_typical_agreement_serves_two_companies_each_seeing_only_its_own_credit() {
    let (p, a, b) = seeded();
    let ta = typical(&p, &a);
    assert_eq!(ta.len(), 1, "{ta:?}");
    assert_eq!(ta[0]["agreement"], "Типовое соглашение Интернет-МХТ");
    assert_eq!(ta[0]["limit_kop"], 50_000_000);
    assert_eq!(ta[0]["blocked"], true);
    assert_eq!(ta[0]["amount_to_pay_kop"], 123_456);
    assert_eq!(ta[0]["deferral_days"], 14);
    let tb = typical(&p, &b);
    assert_eq!(tb.len(), 1);
    assert_eq!(tb[0]["limit_kop"], 20_000_000);
    assert_eq!(tb[0]["blocked"], false);
    assert_eq!(tb[0]["amount_to_pay_kop"], 0);
    assert_ne!(
        ta[0]["agreement_id"], tb[0]["agreement_id"],
        "each company has its own row"
    );

    // A's new state does not touch B's.
    p.send_from_1c(vec![msg("csa2", "credit_state", "TA/A", 2, json!({"company_id": "A", "agreement_id": "TA",
        "as_of": "2026-11-28T18:00:00", "limit": 500000, "debt": 0, "overdue_debt": 0, "reserve": 0, "blocked": false, "amount_to_pay": 0}))]);
    assert_eq!(typical(&p, &a)[0]["blocked"], false);
    assert_eq!(typical(&p, &b)[0]["limit_kop"], 20_000_000);

    // An order of B under the typical agreement is B's; A cannot see it.
    p.send_from_1c(vec![msg("ob", "order", "OB", 1, json!({"company_id": "B", "legal_entity_id": "LE-B", "agreement_id": "TA",
        "number": "ЗК-1", "date": "2026-11-20T10:00:00", "status": "awaiting_payment", "payment_method": "invoice", "total": 10, "vat_total": 0,
        "lines": [{"line_no": 1, "article": "A1", "name": "Деталь", "quantity": 1, "unit": "шт", "price": 10, "amount": 10, "vat": 0}]}))]);
    assert_eq!(status(&p, "ob").0, "applied");
    let id = order_id(&p, "OB");
    assert_eq!(
        orders(&p, "GET", &format!("/api/orders/orders/{id}"), None, &b).status,
        200
    );
    assert_eq!(
        orders(&p, "GET", &format!("/api/orders/orders/{id}"), None, &a).status,
        404
    );
}

#[test]
fn credit_states_of_a_typical_agreement_are_numbered_per_company() {
    let (p, _, _) = seeded();
    // Numbered by the agreement alone, A's and B's states would drop each other's: refused.
    p.send_from_1c(vec![msg("bad", "credit_state", "TA", 5, json!({"company_id": "A", "agreement_id": "TA",
        "as_of": "2026-11-28T18:00:00", "limit": 1, "debt": 0, "overdue_debt": 0, "reserve": 0, "blocked": false, "amount_to_pay": 0}))]);
    let (s, reason) = status(&p, "bad");
    assert_eq!(s, "rejected");
    assert!(reason.unwrap().contains("TA/A"));
    // A company not linked to the typical agreement has no credit under it.
    p.send_from_1c(vec![msg(
        "cc",
        "company",
        "C",
        1,
        json!({"name": "Ц", "legal_entities": [{"id": "LE-C", "name": "ООО Ц"}]}),
    )]);
    p.send_from_1c(vec![credit("csc", "C", 1.0, false, 0.0)]);
    assert_ne!(status(&p, "csc").0, "applied");
}

#[test]
fn an_individual_agreement_stays_with_one_company() {
    let (p, _, _) = seeded();
    // C claims A's individual agreement, or links it as typical: both refused.
    p.send_from_1c(vec![msg("c1", "company", "C", 1, json!({"name": "Ц", "legal_entities": [{"id": "LE-C", "name": "ООО Ц"}],
        "agreements": [{"id": "IND-A", "legal_entity_id": "LE-C", "name": "Чужое", "credit_limit": 0, "deferral_days": 0}]}))]);
    assert!(status(&p, "c1")
        .1
        .unwrap_or_default()
        .contains("foreign-reference"));
    p.send_from_1c(vec![msg("c2", "company", "C", 2, json!({"name": "Ц", "legal_entities": [{"id": "LE-C", "name": "ООО Ц"}],
        "agreements": [{"id": "IND-A", "kind": "typical", "name": "Чужое", "credit_limit": 0, "deferral_days": 0}]}))]);
    assert!(status(&p, "c2")
        .1
        .unwrap_or_default()
        .contains("foreign-reference"));
    // Nor may C claim the typical agreement as its individual one.
    p.send_from_1c(vec![msg("c3", "company", "C", 3, json!({"name": "Ц", "legal_entities": [{"id": "LE-C", "name": "ООО Ц"}],
        "agreements": [{"id": "TA", "legal_entity_id": "LE-C", "name": "Типовое", "credit_limit": 0, "deferral_days": 0}]}))]);
    assert!(status(&p, "c3")
        .1
        .unwrap_or_default()
        .contains("foreign-reference"));
    // An individual agreement without its legal entity is refused at the door.
    let r = p.send_from_1c(vec![msg(
        "c4",
        "company",
        "C",
        4,
        json!({"name": "Ц", "legal_entities": [],
        "agreements": [{"id": "IND-C", "name": "Своё", "credit_limit": 0, "deferral_days": 0}]}),
    )]);
    assert_eq!(r["results"][0]["status"], "rejected", "{r}");
}

#[test]
fn the_typical_agreements_price_type_is_the_catalogues_by_id() {
    let (p, a, _) = seeded();
    p.send_from_1c(vec![msg("p1", "product", "P1", 1, json!({"article": "ZX-1", "name": "Фильтр масляный", "unit": "шт",
        "prices": [{"price_type": {"id": "4d968229-47ba-11e4-a628-003048c64779", "name": "Типовое соглашение Интернет-МХТ"}, "price": 125.5}]}))]);
    assert_eq!(status(&p, "p1").0, "applied", "{:?}", status(&p, "p1"));
    let ta = typical(&p, &a)[0]["agreement_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/catalog?q=ZX-1&agreement={ta}"),
        None,
        &a,
    ));
    assert_eq!(r["items"][0]["price_kop"], 12550, "{r}");
}

#[test]
fn the_payee_is_the_organisation_the_order_is_sold_from() {
    let (p, _, b) = seeded();
    let order = |id: &str, agreement: &str, org: Option<&str>| {
        let mut m = msg(
            &format!("m{id}"),
            "order",
            id,
            1,
            json!({"company_id": "B", "legal_entity_id": "LE-B", "agreement_id": agreement,
            "number": format!("ЗК-{id}"), "date": "2026-11-20T10:00:00", "status": "awaiting_payment", "payment_method": "invoice",
            "total": 10, "vat_total": 0,
            "lines": [{"line_no": 1, "article": "A1", "name": "Деталь", "quantity": 1, "unit": "шт", "price": 10, "amount": 10, "vat": 0}]}),
        );
        if let Some(o) = org {
            m["payload"]["organisation_id"] = json!(o);
        }
        m
    };
    // One client buys from both organisations: by the agreement's, and named on the order.
    p.send_from_1c(vec![
        order("O1", "TA", None),
        order("O2", "TA", Some("ORG2")),
        order("O3", "IND-B", None),
    ]);
    let payee = |onec: &str| {
        let id = order_id(&p, onec);
        body(&orders(
            &p,
            "GET",
            &format!("/api/orders/orders/{id}"),
            None,
            &b,
        ))["payee"]
            .clone()
    };
    let one = payee("O1");
    assert_eq!(one["name"], "Агро-Запчасть");
    assert_eq!(one["inn"], "7707083893");
    assert_eq!(one["bank_accounts"][0]["account"], "40702810238000001234");
    assert_eq!(one["bank_accounts"][0]["bik"], "044525225");
    assert_eq!(
        one["bank_accounts"][0]["corr_account"],
        "30101810400000000225"
    );
    assert_eq!(one["bank_accounts"][0]["bank_name"], "ПАО Сбербанк");
    assert_eq!(payee("O2")["inn"], "7736207543");
    assert_eq!(
        payee("O3")["bank_accounts"][0]["account"],
        "40702810638000005678"
    );
}

#[test]
fn an_organisation_is_strict_at_the_door() {
    let p = TestPorts::new();
    let mut bad = organisation("ORG9", "Х", "7707083894", "40702810238000001234");
    bad["payload"]["bank_accounts"][0]["bik"] = json!("123");
    let mut unknown = organisation("ORG8", "Х", "7707083893", "40702810238000001234");
    unknown["payload"]["iban"] = json!("x");
    let mut long = organisation("ORG7", "Х", "7707083893", "40702810238000001234");
    long["payload"]["name"] = json!("я".repeat(301));
    let r = p.send_from_1c(vec![bad, unknown, long]);
    let results = r["results"].as_array().unwrap();
    assert!(results.iter().all(|x| x["status"] == "rejected"), "{r}");
    let reasons = r.to_string();
    assert!(
        reasons.contains("inn") && reasons.contains("bank_accounts[0].bik"),
        "{reasons}"
    );
    assert!(reasons.contains("iban"), "{reasons}");
    assert!(
        reasons.contains("too-long") || reasons.contains("At most 300"),
        "{reasons}"
    );
}

#[test]
fn the_migration_keeps_every_agreement_as_an_individual_one() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../d1-migrations");
    let before = std::env::temp_dir().join(format!("agr-mig-{}", std::process::id()));
    std::fs::create_dir_all(&before).unwrap();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".sql") && name.as_str() < "0021" {
            std::fs::copy(&path, before.join(&name)).unwrap();
        }
    }
    let file = before.join("db.sqlite");
    let db = shared::sqlite::SqliteDb::open(&file).unwrap();
    db.apply_migrations(&before).unwrap();
    let run = |sql: &'static str| block_on(db.run(Stmt::new(sql))).unwrap();
    run("INSERT INTO companies (id, onec_id, name, updated_at) VALUES ('c1', 'C1', 'Альфа', 'x')");
    run("INSERT INTO legal_entities (id, company_id, onec_id, name, updated_at) VALUES ('le1', 'c1', 'LE1', 'ООО', 'x')");
    run("INSERT INTO agreements (id, company_id, legal_entity_id, onec_id, name, credit_limit_kop, deferral_days, updated_at) \
         VALUES ('a1', 'c1', 'le1', 'AG1', 'Договор', 100, 30, 'x'), ('a2', 'c1', 'le1', 'AG2', 'Второй', 0, 0, 'x')");
    run("INSERT INTO credit_states (agreement_id, company_id, limit_kop, debt_kop, overdue_kop, reserve_kop, blocked, amount_to_pay_kop, as_of, updated_at) \
         VALUES ('a1', 'c1', 100, 0, 0, 0, 0, 0, 'x', 'x')");
    // Now the rest, 0021 on.
    let after = before.join("after");
    std::fs::create_dir_all(&after).unwrap();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".sql") && name.as_str() >= "0021" {
            std::fs::copy(&path, after.join(&name)).unwrap();
        }
    }
    db.apply_migrations(&after).unwrap();
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Row {
        id: String,
        onec_id: String,
        kind: String,
        legal_entity_id: Option<String>,
        credit_limit_kop: i64,
        deferral_days: i64,
    }
    let rows: Vec<Row> = block_on(db.all(Stmt::new(
        "SELECT id, onec_id, kind, legal_entity_id, credit_limit_kop, deferral_days FROM agreements ORDER BY id",
    )))
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0],
        Row {
            id: "a1".into(),
            onec_id: "AG1".into(),
            kind: "individual".into(),
            legal_entity_id: Some("le1".into()),
            credit_limit_kop: 100,
            deferral_days: 30
        }
    );
    assert_eq!(rows[1].kind, "individual");
    #[derive(serde::Deserialize)]
    struct N {
        n: i64,
    }
    let n: N = block_on(db.first(Stmt::new(
        "SELECT count(*) AS n FROM credit_states cs JOIN agreements a ON a.id = cs.agreement_id",
    )))
    .unwrap()
    .unwrap();
    assert_eq!(n.n, 1, "the credit state still points at its agreement");
    let fk: Vec<serde_json::Value> =
        block_on(db.all(Stmt::new("SELECT * FROM pragma_foreign_key_check"))).unwrap();
    assert!(fk.is_empty(), "{fk:?}");
    let _ = std::fs::remove_dir_all(&before);
}

#[test]
fn a_document_names_the_organisation_issuing_it() {
    let (p, _, _) = seeded();
    p.send_from_1c(vec![msg("d1", "document", "D1", 1, json!({"company_id": "B", "kind": "invoice", "kind_name": "Счет на оплату",
        "number": "СЧ-1", "date": "2026-11-20T10:00:00", "amount": 10, "vat": 0, "organisation_id": "ORG2"}))]);
    assert_eq!(status(&p, "d1").0, "applied", "{:?}", status(&p, "d1"));
    #[derive(serde::Deserialize)]
    struct O {
        organisation_onec_id: Option<String>,
    }
    let o: O = block_on(p.db.first(Stmt::new(
        "SELECT organisation_onec_id FROM documents WHERE onec_id = 'D1'",
    )))
    .unwrap()
    .unwrap();
    assert_eq!(o.organisation_onec_id.as_deref(), Some("ORG2"));
}
