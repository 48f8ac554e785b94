//! 1C's stock exchange, `type=sale`, through the portal's handler on real SQLite: `query` hands
//! out the orders changed in the portal (both encodings validated against the CommerceML 2.10 XSD
//! with `xmllint --schema`, independently of this crate), `success` confirms exactly what was
//! handed out, and 1C's order files update status, 1C number, payment and shipments.

use crate::helpers::{cml_checkauth, text};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::changes::mark_order_changed_stmt;
use shared::commerceml::{inspect, Encoding, Summary};
use shared::http::{ApiRequest, ApiResponse};
use shared::ports::{Database, DatabaseExt, Stmt};
use shared::testing::TestPorts;
use std::process::Command;

fn call(p: &TestPorts, method: &str, query: &str, cookie: &str, body: Vec<u8>) -> ApiResponse {
    let mut headers = vec![];
    if !cookie.is_empty() {
        headers.push(("cookie".to_string(), cookie.to_string()));
    }
    let req = ApiRequest {
        method: method.into(),
        path: "/exchange/1c/commerceml".into(),
        query: query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        headers,
        body,
        origin: "http://127.0.0.1:8787".into(),
        ..Default::default()
    };
    block_on(shared::exchange::api::handle(p, req))
}

/// Sends 1C's JSON contract messages and applies them, as the inbox consumer does.
fn send(p: &TestPorts, messages: Vec<Value>) {
    let batch = json!({"batch_id": shared::ids::new_id("b"), "sent_at": "2026-11-28T12:00:00", "messages": messages});
    let req = p.signed_json("/exchange/v1/messages", &batch);
    let resp = block_on(shared::exchange::api::handle(p, req));
    assert_eq!(resp.status, 200, "{}", text(&resp));
    let woken: Vec<Vec<String>> = p.queue.0.borrow_mut().drain(..).collect();
    for ids in woken {
        block_on(shared::exchange::inbox::process(p, &ids)).unwrap();
    }
    let open = block_on(p.db.all::<Value>(Stmt::new(
        "SELECT id, status, reason FROM inbox WHERE status <> 'applied'",
    )))
    .unwrap();
    assert!(open.is_empty(), "not applied: {open:?}");
}

const STATUSES: [&str; 7] = [
    "draft",
    "awaiting_payment",
    "reserved",
    "paid",
    "partly_shipped",
    "shipped",
    "cancelled",
];

/// A company (organisation buyer, quotes and `&` in its names) and one order per status.
fn seeded() -> TestPorts {
    let p = TestPorts::new();
    let company = json!({"id": "m-c", "type": "company", "entity_id": "C1", "seq": 1, "payload": {
        "name": "Кубань-Агро & Ко",
        "legal_entities": [{"id": "C1-le", "name": "ООО «Кубань-Агро» & Ко", "full_name": "Общество с ограниченной ответственностью \"Кубань-Агро\" <Юг>",
                            "inn": "7707083893", "kpp": "773601001"}],
        "agreements": [{"id": "C1-ag", "legal_entity_id": "C1-le", "name": "Договор", "credit_limit": 1000000, "deferral_days": 30,
                        "price_type": {"id": "pt-opt", "name": "Оптовая"}}]}});
    let mut messages = vec![company];
    for (i, status) in STATUSES.iter().enumerate() {
        let lines = if *status == "cancelled" {
            json!([])
        } else {
            json!([{"line_no": 1, "product_id": "p1", "article": "AZ1", "name": "Подшипник МТЗ-82", "quantity": 2, "unit": "шт", "price": 1234.5, "amount": 2469.0, "vat_rate": 20, "vat": 411.5},
                   {"line_no": 2, "product_id": null, "article": "GR-5", "name": "Смазка \"Литол\" <весовая>", "quantity": 1.5, "unit": "кг", "price": 100.01, "amount": 150.02, "vat_rate": 20, "vat": 25.0}])
        };
        let total = if *status == "cancelled" { 0.0 } else { 2619.02 };
        let vat = if *status == "cancelled" { 0.0 } else { 436.5 };
        messages.push(json!({"id": format!("m-o{i}"), "type": "order", "entity_id": format!("O{i}"), "seq": 1, "payload": {
            "company_id": "C1", "legal_entity_id": "C1-le", "agreement_id": "C1-ag", "number": format!("ЗК-00{i}"),
            "date": format!("2026-03-0{}T10:15:00", i + 1), "author_email": null, "status": status,
            "delivery_method": if i % 2 == 0 { Value::from("delivery") } else { Value::Null }, "delivery_address": "ст. Каневская, ул. Полевая, 1",
            "consignee_id": null, "payment_method": if i % 2 == 0 { "credit" } else { "invoice" }, "paid": 0,
            "planned_shipping_date": "2026-03-15T00:00:00", "lines": lines, "total": total, "vat_total": vat, "shipments": []}}));
    }
    send(&p, messages);
    p
}

fn portal_id(p: &TestPorts, onec_id: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    block_on(p.db.first::<Id>(Stmt::new("SELECT id FROM orders WHERE onec_id = ?").bind(onec_id)))
        .unwrap()
        .unwrap()
        .id
}

/// What the orders capability will do when a user edits an order.
fn change(p: &TestPorts, onec_ids: &[&str]) {
    let stmts = onec_ids
        .iter()
        .map(|o| mark_order_changed_stmt(&portal_id(p, o)))
        .collect();
    block_on(p.db.batch(stmts)).unwrap();
}

fn query(p: &TestPorts, cookie: &str) -> (Vec<u8>, Summary) {
    let r = call(p, "GET", "type=sale&mode=query", cookie, vec![]);
    assert_eq!(r.status, 200, "{}", text(&r));
    let summary = inspect(&r.body[..]).unwrap_or_else(|e| panic!("{e}: {}", text(&r)));
    (r.body.to_vec(), summary)
}

fn ids(summary: &Summary) -> Vec<String> {
    let mut ids: Vec<String> = summary
        .documents
        .iter()
        .map(|d| d.id.clone().unwrap())
        .collect();
    ids.sort();
    ids
}

fn success(p: &TestPorts, cookie: &str) {
    assert_eq!(
        text(&call(p, "GET", "type=sale&mode=success", cookie, vec![])),
        "success\n"
    );
}

#[test]
fn query_hands_out_changed_orders_and_success_confirms_them() {
    let p = seeded();
    let cookie = cml_checkauth(&p, "sale");
    let init = text(&call(&p, "GET", "type=sale&mode=init", &cookie, vec![]));
    assert!(init.starts_with("zip=no\nfile_limit="), "{init}");
    // Orders that came from 1C are not news to 1C.
    let (_, s) = query(&p, &cookie);
    assert_eq!(s.counts.documents, 0);
    success(&p, &cookie);
    change(&p, &["O1", "O3"]);
    let (_, s) = query(&p, &cookie);
    assert_eq!(ids(&s), vec!["O1", "O3"]);
    let o1 = s
        .documents
        .iter()
        .find(|d| d.id.as_deref() == Some("O1"))
        .unwrap();
    assert_eq!(
        (o1.number.as_deref(), o1.sum_kop, o1.lines),
        (Some("ЗК-001"), Some(261_902), 2)
    );
    // Asked again before confirming: the same orders.
    assert_eq!(ids(&query(&p, &cookie).1), vec!["O1", "O3"]);
    success(&p, &cookie);
    assert_eq!(
        query(&p, &cookie).1.counts.documents,
        0,
        "confirmed orders are not handed out again"
    );
    // Changed again later: due again.
    change(&p, &["O3"]);
    assert_eq!(ids(&query(&p, &cookie).1), vec!["O3"]);
}

#[test]
fn a_change_between_query_and_success_is_not_lost() {
    let p = seeded();
    let cookie = cml_checkauth(&p, "sale");
    change(&p, &["O2"]);
    assert_eq!(ids(&query(&p, &cookie).1), vec!["O2"]);
    // A user edits the order while 1C is still processing the document it took.
    change(&p, &["O2", "O4"]);
    success(&p, &cookie);
    assert_eq!(
        ids(&query(&p, &cookie).1),
        vec!["O2", "O4"],
        "the later change of O2 is still due"
    );
    success(&p, &cookie);
    assert_eq!(query(&p, &cookie).1.counts.documents, 0);
}

#[test]
fn success_of_another_session_confirms_nothing() {
    let p = seeded();
    let (a, b) = (cml_checkauth(&p, "sale"), {
        p.advance(chrono::Duration::seconds(1));
        cml_checkauth(&p, "sale")
    });
    assert_ne!(a, b);
    change(&p, &["O0"]);
    assert_eq!(ids(&query(&p, &a).1), vec!["O0"]);
    success(&p, &b);
    assert_eq!(
        ids(&query(&p, &a).1),
        vec!["O0"],
        "b never took the document"
    );
}

fn xsd() -> Option<std::path::PathBuf> {
    let xsd = shared::testing::commerceml_fixtures()?.join("schema/commerceml-2.10.xsd");
    let ok = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "xmllint not found (apt-get install libxml2-utils); CI must have it"
        );
        eprintln!("note: xmllint not found (package libxml2-utils): skipping XSD validation");
        return None;
    }
    Some(xsd)
}

#[test]
fn the_query_document_is_valid_commerceml_2_10_in_both_encodings() {
    for (encoding, charset, label) in [
        (Encoding::Utf8, "utf-8", "utf-8"),
        (Encoding::Windows1251, "windows-1251", "windows-1251"),
    ] {
        let mut p = seeded();
        p.config.cml_orders_encoding = encoding;
        let cookie = cml_checkauth(&p, "sale");
        change(&p, &["O0", "O1", "O2", "O3", "O4", "O5", "O6"]);
        let r = call(&p, "GET", "type=sale&mode=query", &cookie, vec![]);
        assert_eq!(
            r.headers
                .iter()
                .find(|(k, _)| k == "content-type")
                .map(|(_, v)| v.as_str()),
            Some(format!("application/xml; charset={charset}").as_str())
        );
        let s = inspect(&r.body[..]).unwrap();
        assert_eq!((s.encoding.as_str(), s.counts.documents), (label, 7));
        let statuses: Vec<&str> = s
            .documents
            .iter()
            .map(|d| {
                d.status_requisites
                    .iter()
                    .find(|(n, _)| n == "Статус заказа")
                    .unwrap()
                    .1
                    .as_str()
            })
            .collect();
        assert_eq!(
            statuses,
            [
                "Черновик",
                "Ожидает оплаты",
                "Зарезервирован",
                "Оплачен",
                "Частично отгружен",
                "Отгружен",
                "Отменен"
            ]
        );
        if encoding == Encoding::Windows1251 {
            assert!(
                std::str::from_utf8(&r.body).is_err(),
                "really windows-1251 bytes"
            );
        }
        let Some(xsd) = xsd() else { continue };
        let path =
            std::env::temp_dir().join(format!("cml-sale-{}-{label}.xml", std::process::id()));
        std::fs::write(&path, &r.body).unwrap();
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&path)
            .output()
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(
            out.status.success(),
            "{label}: not valid CommerceML 2.10:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ---- 1C's order files ---------------------------------------------------------------------

#[derive(Debug, serde::Deserialize, PartialEq)]
struct OrderState {
    status: String,
    onec_number: Option<String>,
    onec_posted: Option<i64>,
    paid_kop: i64,
    onec_payment_number: Option<String>,
    version: i64,
    due: i64,
    shipments: i64,
}

fn state(p: &TestPorts, onec_id: &str) -> OrderState {
    let q = "SELECT status, onec_number, onec_posted, paid_kop, onec_payment_number, version, (cml_change > cml_confirmed) AS due, \
             (SELECT count(*) FROM shipments s WHERE s.order_id = o.id) AS shipments FROM orders o WHERE onec_id = ?";
    block_on(p.db.first::<OrderState>(Stmt::new(q).bind(onec_id)))
        .unwrap()
        .unwrap()
}

/// An order document as 1C writes it back (2.x: `Номер по 1С` as a requisite).
fn document(id: &str, number: &str, requisites: &[(&str, &str)]) -> String {
    let reqs: String = requisites
        .iter()
        .map(|(n, v)| format!("<ЗначениеРеквизита><Наименование>{n}</Наименование><Значение>{v}</Значение></ЗначениеРеквизита>"))
        .collect();
    format!(
        "<Документ><Ид>{id}</Ид><Номер>{number}</Номер><Дата>2026-03-02</Дата><ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль>\
         <Валюта>руб</Валюта><Курс>1</Курс><Сумма>2619.02</Сумма><Время>10:15:00</Время><ЗначенияРеквизитов>{reqs}</ЗначенияРеквизитов></Документ>\r\n"
    )
}

fn order_file(docs: &[String]) -> String {
    format!("<?xml version=\"1.0\" encoding=\"windows-1251\"?>\r\n<КоммерческаяИнформация ВерсияСхемы=\"2.08\" ДатаФормирования=\"2026-03-06T12:00:00\">\r\n{}</КоммерческаяИнформация>\r\n", docs.concat())
}

#[test]
fn an_order_file_from_1c_updates_status_number_payment_and_shipments() {
    let p = seeded();
    let cookie = cml_checkauth(&p, "sale");
    change(&p, &["O1"]);
    let before = state(&p, "O1");
    let xml = order_file(&[
        // Found by 1C's id: posted, paid.
        document(
            "O1",
            "ЗК-001",
            &[
                ("Номер по 1С", "УТ-000101"),
                ("Проведен", "true"),
                ("Дата оплаты по 1С", "05.03.2026 11:00:00"),
                ("Номер оплаты по 1С", "ПП-77"),
            ],
        ),
        // Shipped, with its shipment.
        document(
            "O3",
            "ЗК-003",
            &[
                ("Номер по 1С", "УТ-000103"),
                ("Номер отгрузки по 1С", "РН-9"),
                ("Дата отгрузки по 1С", "2026-03-06T09:00:00"),
            ],
        ),
        // Cancelled in 1C.
        document(
            "O2",
            "ЗК-002",
            &[("Отменен", "true"), ("Статус заказа", "К отгрузке")],
        ),
        // An unknown id, but the portal's number: found by number; a named status.
        document(
            "00000000-aaaa",
            "ЗК-000",
            &[
                ("Статус заказа", "[N] Принят"),
                ("Номер по 1С", "УТ-000100"),
            ],
        ),
        // Neither id nor number known.
        document("ghost-1", "ЗК-999", &[("Проведен", "true")]),
    ]);
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&xml);
    let r = text(&call(
        &p,
        "POST",
        "type=sale&mode=file&filename=C:\\1c\\orders.xml",
        &cookie,
        bytes.into_owned(),
    ));
    assert!(
        r.starts_with("success\norders updated: 4, unknown: 1 (ghost-1)"),
        "{r}"
    );
    // 1C may call import for the same file: the same answer, nothing applied twice.
    let again = text(&call(
        &p,
        "GET",
        "type=sale&mode=import&filename=orders.xml",
        &cookie,
        vec![],
    ));
    assert_eq!(again, r);
    let o1 = state(&p, "O1");
    assert_eq!(
        o1,
        OrderState {
            status: "paid".into(),
            onec_number: Some("УТ-000101".into()),
            onec_posted: Some(1),
            paid_kop: 261_902,
            onec_payment_number: Some("ПП-77".into()),
            version: before.version + 1,
            due: 1,
            shipments: 0
        },
        "1C's answer does not confirm the portal's pending change"
    );
    let o3 = state(&p, "O3");
    assert_eq!(
        (
            o3.status.as_str(),
            o3.onec_number.as_deref(),
            o3.shipments,
            o3.paid_kop,
            o3.due
        ),
        ("shipped", Some("УТ-000103"), 1, 0, 0)
    );
    assert_eq!(state(&p, "O2").status, "cancelled");
    let o0 = state(&p, "O0");
    assert_eq!(
        (o0.status.as_str(), o0.onec_number.as_deref()),
        ("awaiting_payment", Some("УТ-000100"))
    );
    // 1C's own changes are not sent back to it.
    assert_eq!(ids(&query(&p, &cookie).1), vec!["O1"]);
}

#[test]
fn an_unreadable_order_file_fails_with_a_reason_and_changes_nothing() {
    let p = seeded();
    let cookie = cml_checkauth(&p, "sale");
    let r = text(&call(
        &p,
        "POST",
        "type=sale&mode=file&filename=orders.xml",
        &cookie,
        b"<html>oops".to_vec(),
    ));
    assert!(r.starts_with("failure\n"), "{r}");
    assert_eq!(state(&p, "O1").status, "awaiting_payment");
    let r = text(&call(
        &p,
        "GET",
        "type=sale&mode=import&filename=orders.xml",
        &cookie,
        vec![],
    ));
    assert!(r.starts_with("failure\n"), "{r}");
    let r = text(&call(&p, "GET", "type=unknown&mode=query", &cookie, vec![]));
    assert!(r.starts_with("failure\n"), "{r}");
}
