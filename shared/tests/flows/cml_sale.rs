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
    assert!(init.starts_with("zip=yes\nfile_limit="), "{init}");
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
    // A portal change 1C has confirmed (query, success): 1C's file applies over it.
    change(&p, &["O1"]);
    query(&p, &cookie);
    success(&p, &cookie);
    // One it has not: the portal's change wins, the document is left for 1C's next file.
    change(&p, &["O4"]);
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
        document("O4", "ЗК-004", &[("Отменен", "true")]),
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
        r.starts_with("success\norders updated: 4, unknown: 1 (ghost-1), kept (portal change not confirmed yet): 1 (ЗК-004)"),
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
            due: 0,
            shipments: 0
        },
    );
    assert_eq!(state(&p, "O4").status, "partly_shipped", "kept as the portal has it");
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
    // 1C's own changes are not sent back to it; the portal's open change is.
    assert_eq!(ids(&query(&p, &cookie).1), vec!["O4"]);
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

// ---- orders both ways: lines, phone orders, 3.1 payment documents (issue 19) -------------------

#[derive(Debug, serde::Deserialize, PartialEq)]
struct LineState {
    article: String,
    qty_milli: i64,
    price_kop: i64,
    amount_kop: i64,
}

fn lines(p: &TestPorts, onec_id: &str) -> Vec<LineState> {
    block_on(p.db.all::<LineState>(
        Stmt::new("SELECT l.article, l.qty_milli, l.price_kop, l.amount_kop FROM order_lines l JOIN orders o ON o.id = l.order_id \
                   WHERE o.onec_id = ? ORDER BY l.line_no")
        .bind(onec_id),
    ))
    .unwrap()
}

fn total(p: &TestPorts, onec_id: &str) -> (i64, i64, i64) {
    #[derive(serde::Deserialize)]
    struct T {
        total_kop: i64,
        paid_kop: i64,
        open: i64,
    }
    let t = block_on(p.db.first::<T>(
        Stmt::new("SELECT total_kop, paid_kop, cml_change > cml_closed AS open FROM orders WHERE onec_id = ?").bind(onec_id),
    ))
    .unwrap()
    .unwrap();
    (t.total_kop, t.paid_kop, t.open)
}

/// A 3.1 order document (in its `Контейнер`, with the `ПометкаУдаления` element) and its lines:
/// (article, quantity, price).
fn order_31(id: &str, number: &str, buyer: &str, goods: &[(&str, &str, &str)], extra: &str) -> String {
    let mut sum = 0i64;
    let rows: String = goods
        .iter()
        .map(|(article, qty, price)| {
            let q = shared::money::Milli::parse(qty).unwrap();
            let pr = shared::money::Kopecks::parse(price).unwrap();
            let amount = shared::money::line_amount(q, pr);
            sum += amount.0;
            format!("<Товар><Ид>{article}-id</Ид><Артикул>{article}</Артикул><Наименование>Товар {article}</Наименование>\
                     <Единица><Ид>796</Ид><НаименованиеКраткое>шт</НаименованиеКраткое></Единица><Количество>{qty}</Количество>\
                     <Цена>{price}</Цена><Сумма>{}</Сумма></Товар>", amount.to_decimal_string())
        })
        .collect();
    format!(
        "<Документ><Ид>{id}</Ид><ПометкаУдаления>false</ПометкаУдаления><Номер>{number}</Номер><Номер1С>{number}</Номер1С>\
         <Дата>2026-03-07</Дата><Время>09:30:00</Время><ХозОперация>Заказ товара</ХозОперация>\
         <Контрагенты><Контрагент>{buyer}<Роль>Покупатель</Роль></Контрагент></Контрагенты>\
         <Валюта>руб</Валюта><Курс>1</Курс><Сумма>{}</Сумма><Товары>{rows}</Товары>{extra}</Документ>",
        shared::money::Kopecks(sum).to_decimal_string()
    )
}

fn payment_31(id: &str, basis: &str, sum: &str) -> String {
    format!(
        "<Документ><Ид>{id}</Ид><ПометкаУдаления>false</ПометкаУдаления><Номер>{id}</Номер><Дата>2026-03-07</Дата><Время>12:00:00</Время>\
         <ХозОперация>Выплата безналичных денег</ХозОперация><Основание>{basis}</Основание><Валюта>руб</Валюта><Курс>1</Курс><Сумма>{sum}</Сумма></Документ>"
    )
}

fn file_31(containers: &[String]) -> Vec<u8> {
    let body: String = containers.iter().map(|c| format!("<Контейнер>{c}</Контейнер>")).collect();
    format!("\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_3\" ВерсияСхемы=\"3.1\" ДатаФормирования=\"2026-03-07T12:00:00\">{body}</КоммерческаяИнформация>").into_bytes()
}

fn send_file(p: &TestPorts, cookie: &str, name: &str, bytes: Vec<u8>) -> String {
    text(&call(p, "POST", &format!("type=sale&mode=file&filename={name}"), cookie, bytes))
}

#[test]
fn a_managers_lines_a_phone_order_and_a_payment_document_from_1c() {
    let p = seeded();
    let cookie = cml_checkauth(&p, "sale");
    let xml = file_31(&[
        // O1: the manager raised AZ1 to 3, removed GR-5 and added NEW-1; a partial payment.
        order_31("O1", "ЗК-001", "<Ид>C1-le</Ид><Наименование>Кубань</Наименование>", &[("AZ1", "3", "1234.50"), ("NEW-1", "1", "100")], "")
            + &payment_31("pay-1", "O1", "1000.00"),
        // Phone orders: by the legal entity's 1C id, and by INN + KPP only.
        order_31("phone-1", "УТ-555", "<Ид>C1-le</Ид><Наименование>Кубань</Наименование>", &[("AZ1", "1", "1234.50")], ""),
        order_31("phone-2", "УТ-556", "<Ид>unknown-party</Ид><Наименование>Кубань</Наименование><ИНН>7707083893</ИНН><КПП>773601001</КПП>", &[("GR-5", "2", "100.01")], ""),
        // A counterparty the portal does not know: reported, not created.
        order_31("phone-3", "УТ-557", "<Ид>stranger</Ид><Наименование>Чужой</Наименование><ИНН>5000000000</ИНН>", &[("AZ1", "1", "1")], ""),
    ]);
    let r = send_file(&p, &cookie, "documents___1.xml", xml.clone());
    assert!(r.starts_with("success\norders updated: 1, unknown: 1 (phone-3), created: 2, payments: 1, shipments: 0"), "{r}");
    assert_eq!(
        lines(&p, "O1"),
        vec![
            LineState { article: "AZ1".into(), qty_milli: 3000, price_kop: 123_450, amount_kop: 370_350 },
            LineState { article: "NEW-1".into(), qty_milli: 1000, price_kop: 10_000, amount_kop: 10_000 },
        ]
    );
    assert_eq!(total(&p, "O1"), (380_350, 100_000, 0), "the sum and a partial payment, by its amount");
    assert_eq!(state(&p, "O1").status, "awaiting_payment", "paid in part is not paid");
    assert!(
        block_on(p.db.first::<Value>(Stmt::new("SELECT id FROM orders WHERE onec_id = 'pay-1'"))).unwrap().is_none(),
        "a payment document is not an order"
    );
    #[derive(serde::Deserialize)]
    struct Phone {
        company: String,
        number: String,
        total_kop: i64,
    }
    let phones = block_on(p.db.all::<Phone>(Stmt::new(
        "SELECT c.onec_id AS company, o.number, o.total_kop FROM orders o JOIN companies c ON c.id = o.company_id \
         WHERE o.onec_id IN ('phone-1', 'phone-2', 'phone-3') ORDER BY o.onec_id",
    )))
    .unwrap();
    let seen: Vec<(&str, &str, i64)> = phones.iter().map(|x| (x.company.as_str(), x.number.as_str(), x.total_kop)).collect();
    assert_eq!(seen, [("C1", "УТ-555", 123_450), ("C1", "УТ-556", 20_002)]);
    assert_eq!(lines(&p, "phone-2")[0].qty_milli, 2000);
    // The same file again pays nothing twice; the rest of the payment makes the order paid.
    send_file(&p, &cookie, "documents___1.xml", xml);
    assert_eq!(total(&p, "O1").1, 100_000);
    send_file(&p, &cookie, "documents___2.xml", file_31(&[payment_31("pay-2", "O1", "2803.50")]));
    assert_eq!((total(&p, "O1").1, state(&p, "O1").status.as_str()), (380_350, "paid"));
}

#[test]
fn a_portal_change_wins_until_1cs_file_after_its_success_which_closes_it() {
    let p = seeded();
    let cookie = cml_checkauth(&p, "sale");
    change(&p, &["O1"]);
    change(&p, &["O1"]);
    let file = || file_31(&[order_31("O1", "ЗК-001", "<Ид>C1-le</Ид><Наименование>К</Наименование>", &[("AZ1", "5", "1234.50")], "")]);
    let r = send_file(&p, &cookie, "a.xml", file());
    assert!(r.contains("kept (portal change not confirmed yet): 1"), "{r}");
    assert_eq!(lines(&p, "O1").len(), 2, "the portal's lines stay");
    assert_eq!(total(&p, "O1").2, 1, "the change is open");
    query(&p, &cookie);
    success(&p, &cookie);
    assert_eq!(total(&p, "O1").2, 1, "confirmed, but 1C's own file has not come yet");
    send_file(&p, &cookie, "b.xml", file());
    assert_eq!(lines(&p, "O1")[0].qty_milli, 5000);
    assert_eq!(total(&p, "O1").2, 0, "1C's file closed both changes");
}

#[test]
fn a_31_deletion_mark_cancels_and_a_shipment_document_ships() {
    let p = seeded();
    let cookie = cml_checkauth(&p, "sale");
    let deleted = order_31("O1", "ЗК-001", "<Ид>C1-le</Ид><Наименование>К</Наименование>", &[("AZ1", "2", "1234.50")], "")
        .replace("<ПометкаУдаления>false</ПометкаУдаления>", "<ПометкаУдаления>true</ПометкаУдаления>");
    let shipment = "<Документ><Ид>ship-1</Ид><Номер>РН-1</Номер><Дата>2026-03-08</Дата><ХозОперация>Отпуск товара</ХозОперация>\
        <Основание>O3</Основание><Сумма>2619.02</Сумма></Документ>".to_string();
    let closed = "<Документ><Ид>O0</Ид><Номер>ЗК-000</Номер><ХозОперация>Заказ товара</ХозОперация>\
        <ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Статус заказа</Наименование><Значение>Закрыт</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Документ>".to_string();
    let r = send_file(&p, &cookie, "c.xml", file_31(&[deleted, shipment, closed]));
    assert!(r.starts_with("success\n"), "{r}");
    assert_eq!(state(&p, "O1").status, "cancelled");
    let o3 = state(&p, "O3");
    assert_eq!((o3.status.as_str(), o3.shipments), ("shipped", 1));
    assert_eq!(state(&p, "O0").status, "draft", "«Закрыт» is not «shipped»");
}
