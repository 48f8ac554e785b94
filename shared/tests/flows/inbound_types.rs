//! The rest of the inbound contract applied on real SQLite through the same handlers the Workers
//! call: consignees, the shipping calendar, opening balances, payments, returns, the internal
//! account, documents with files uploaded by key, reconciliation acts, and late answers to
//! portal changes.

use crate::helpers::msg;
use futures::executor::block_on;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::ports::{Database, DatabaseExt, Stmt};
use shared::testing::TestPorts;

/// A company with one legal entity and an order, applied.
fn seeded() -> TestPorts {
    let p = TestPorts::new();
    p.send_from_1c(vec![
        msg("c1", "company", "C1", 1, json!({"name": "Альфа", "legal_entities": [{"id": "LE1", "name": "ООО Альфа", "inn": "7707083893"}],
            "agreements": [{"id": "AG1", "legal_entity_id": "LE1", "name": "Основной", "credit_limit": 100000, "deferral_days": 30}]})),
        msg("c2", "company", "C2", 1, json!({"name": "Бета", "legal_entities": []})),
    ]);
    p.send_from_1c(vec![msg("o1", "order", "O1", 1, json!({
        "company_id": "C1", "legal_entity_id": "LE1", "number": "ЗК-1", "date": "2026-11-01T10:00:00", "status": "shipped",
        "payment_method": "invoice", "total": 300, "vat_total": 50,
        "lines": [{"line_no": 1, "article": "A-1", "name": "Подшипник", "quantity": 3, "unit": "шт", "price": 100, "amount": 300, "vat_rate": 20, "vat": 50}]
    }))]);
    p
}

#[derive(Deserialize, Debug)]
struct Status {
    status: String,
    reason: Option<String>,
}

fn inbox(p: &TestPorts, id: &str) -> Status {
    block_on(p.db.first(Stmt::new("SELECT status, reason FROM inbox WHERE id = ?").bind(id)))
        .unwrap()
        .expect("stored")
}

fn scalar(p: &TestPorts, sql: &'static str, arg: &str) -> i64 {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    block_on(p.db.first::<N>(Stmt::new(sql).bind(arg)))
        .unwrap()
        .map(|n| n.n)
        .unwrap_or(-1)
}

fn text(p: &TestPorts, sql: &'static str, arg: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct T {
        t: Option<String>,
    }
    block_on(p.db.first::<T>(Stmt::new(sql).bind(arg)))
        .unwrap()
        .and_then(|t| t.t)
}

#[test]
fn consignees_are_created_updated_and_linked_to_the_portals_own() {
    let p = seeded();
    let company = text(&p, "SELECT id AS t FROM companies WHERE onec_id = ?", "C1").unwrap();
    // A consignee the client added in the portal, waiting for 1C.
    block_on(p.db.exec(Stmt::new("INSERT INTO consignees (id, company_id, name, address, updated_at) VALUES ('csg_portal', ?, 'Склад 2', 'Краснодар', '2026-11-28T09:00:00Z')").bind(company.as_str()))).unwrap();
    p.send_from_1c(vec![
        msg("k1", "consignee", "K1", 1, json!({"company_id": "C1", "name": "ООО Альфа, склад 1", "inn": "7707083893", "address": "Краснодар, ул. Северная, 1"})),
        msg("k2", "consignee", "K2", 1, json!({"company_id": "C1", "portal_id": "csg_portal", "name": "Склад 2 (Усть-Лабинск)", "address": "Усть-Лабинск"})),
        msg("k3", "consignee", "K3", 1, json!({"company_id": "C1", "name": "Плохой ИНН", "inn": "7707083894", "address": "X"})),
    ]);
    assert_eq!(inbox(&p, "k1").status, "applied");
    assert_eq!(inbox(&p, "k3").status, "rejected");
    assert!(inbox(&p, "k3").reason.unwrap().contains("inn"));
    assert_eq!(
        text(
            &p,
            "SELECT onec_id AS t FROM consignees WHERE id = ?",
            "csg_portal"
        )
        .as_deref(),
        Some("K2")
    );
    assert_eq!(
        text(
            &p,
            "SELECT name AS t FROM consignees WHERE id = ?",
            "csg_portal"
        )
        .as_deref(),
        Some("Склад 2 (Усть-Лабинск)")
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT count(*) AS n FROM consignees WHERE company_id = ?",
            &company
        ),
        2
    );
    // Archived in 1C: stays, inactive.
    p.send_from_1c(vec![msg("k1b", "consignee", "K1", 2, json!({"company_id": "C1", "name": "ООО Альфа, склад 1", "address": "Краснодар", "active": false}))]);
    assert_eq!(
        scalar(
            &p,
            "SELECT active AS n FROM consignees WHERE onec_id = ?",
            "K1"
        ),
        0
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT version AS n FROM consignees WHERE onec_id = ?",
            "K1"
        ),
        2
    );
}

#[test]
fn a_calendar_snapshot_replaces_the_days_off() {
    let p = seeded();
    p.send_from_1c(vec![msg("s1", "shipping_calendar", "main", 1, json!({"from": "2026-12-01T00:00:00", "to": "2026-12-31T00:00:00", "days_off": ["2026-12-06", "2026-12-07", "2026-12-31T00:00:00"]}))]);
    assert_eq!(
        scalar(
            &p,
            "SELECT count(*) AS n FROM shipping_days_off WHERE calendar = ?",
            "main"
        ),
        3
    );
    p.send_from_1c(vec![msg(
        "s2",
        "shipping_calendar",
        "main",
        2,
        json!({"from": "2026-12-01", "to": "2027-01-31", "days_off": ["2027-01-01"]}),
    )]);
    assert_eq!(
        scalar(
            &p,
            "SELECT count(*) AS n FROM shipping_days_off WHERE calendar = ?",
            "main"
        ),
        1
    );
    assert_eq!(
        text(
            &p,
            "SELECT to_date AS t FROM shipping_calendars WHERE calendar = ?",
            "main"
        )
        .as_deref(),
        Some("2027-01-31")
    );
    // A day off outside the range, or a reversed range, is refused.
    p.send_from_1c(vec![
        msg(
            "s3",
            "shipping_calendar",
            "main",
            3,
            json!({"from": "2026-12-01", "to": "2026-12-31", "days_off": ["2027-02-01"]}),
        ),
        msg(
            "s4",
            "shipping_calendar",
            "other",
            1,
            json!({"from": "2026-12-31", "to": "2026-12-01"}),
        ),
    ]);
    assert_eq!(inbox(&p, "s3").status, "rejected");
    assert_eq!(inbox(&p, "s4").status, "rejected");
}

#[test]
fn payments_and_opening_balances() {
    let p = seeded();
    p.send_from_1c(vec![
        msg("b1", "opening_balance", "LE1:AG1", 1, json!({"company_id": "C1", "legal_entity_id": "LE1", "agreement_id": "AG1", "date": "2026-01-01", "balance": -1500.5})),
        msg("p1", "payment", "PAY1", 1, json!({"company_id": "C1", "legal_entity_id": "LE1", "number": "ПП-77", "date": "2026-11-05T12:00:00", "amount": 300,
            "allocations": [{"order_id": "O1", "amount": 200}, {"order_id": "O1", "amount": 50}]})),
        msg("p2", "payment", "PAY2", 1, json!({"company_id": "C1", "number": "ПП-78", "date": "2026-11-05T12:00:00", "amount": 100, "allocations": [{"order_id": "O1", "amount": 150}]})),
    ]);
    assert_eq!(
        scalar(
            &p,
            "SELECT balance_kop AS n FROM opening_balances WHERE onec_id = ?",
            "LE1:AG1"
        ),
        -150050
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT amount_kop AS n FROM payments_received WHERE onec_id = ?",
            "PAY1"
        ),
        30000
    );
    // Two allocations to one order add up.
    assert_eq!(
        scalar(
            &p,
            "SELECT amount_kop AS n FROM payment_allocations WHERE payment_onec_id = ?",
            "PAY1"
        ),
        25000
    );
    assert_eq!(
        text(
            &p,
            "SELECT paid_at AS t FROM payments_received WHERE onec_id = ?",
            "PAY1"
        )
        .as_deref(),
        Some("2026-11-05T09:00:00.000Z"),
        "Moscow 12:00 is 09:00 UTC"
    );
    assert_eq!(
        inbox(&p, "p2").status,
        "rejected",
        "allocated more than paid"
    );
}

#[test]
fn returns_link_to_the_portals_request_and_refunds_move_the_balance() {
    let p = seeded();
    let company = text(&p, "SELECT id AS t FROM companies WHERE onec_id = ?", "C1").unwrap();
    let order = text(&p, "SELECT id AS t FROM orders WHERE onec_id = ?", "O1").unwrap();
    // The client's request in the portal (the money issue writes these).
    block_on(p.db.batch(vec![
        Stmt::new("INSERT INTO returns (id, company_id, order_id, status, reason_code, created_at, updated_at) VALUES ('ret_p', ?1, ?2, 'requested', 'defect', '2026-11-20T09:00:00Z', '2026-11-20T09:00:00Z')")
            .bind(company.as_str())
            .bind(order.as_str()),
        Stmt::new("INSERT INTO return_lines (return_id, company_id, line_no, qty_milli) VALUES ('ret_p', ?1, 1, 3000)").bind(company.as_str()),
    ]))
    .unwrap();
    p.send_from_1c(vec![msg("r1", "return", "R1", 1, json!({"company_id": "C1", "portal_id": "ret_p", "order_id": "O1", "number": "ВЗ-5",
        "date": "2026-11-21T10:00:00", "status": "approved", "lines": [{"line_no": 1, "quantity": 2}], "refund_amount": 200}))]);
    assert_eq!(inbox(&p, "r1").status, "applied");
    assert_eq!(
        text(&p, "SELECT status AS t FROM returns WHERE id = ?", "ret_p").as_deref(),
        Some("approved")
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT approved_milli AS n FROM return_lines WHERE return_id = ?",
            "ret_p"
        ),
        2000
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT qty_milli AS n FROM return_lines WHERE return_id = ?",
            "ret_p"
        ),
        3000,
        "the request stays as made"
    );
    // Completed: 1C credits the internal account; a re-sent movement never counts twice.
    let refund = msg(
        "m1",
        "account_movement",
        "MV1",
        1,
        json!({"company_id": "C1", "date": "2026-11-22T10:00:00", "kind": "refund", "amount": 200, "return_id": "R1"}),
    );
    p.send_from_1c(vec![
        msg("r2", "return", "R1", 2, json!({"company_id": "C1", "portal_id": "ret_p", "order_id": "O1", "date": "2026-11-21T10:00:00", "status": "completed",
            "lines": [{"line_no": 1, "quantity": 2}], "refund_amount": 200})),
        refund,
    ]);
    assert_eq!(
        text(&p, "SELECT status AS t FROM returns WHERE id = ?", "ret_p").as_deref(),
        Some("completed")
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT balance_kop AS n FROM internal_accounts WHERE company_id = ?",
            &company
        ),
        20000
    );
    p.send_from_1c(vec![
        msg("m1b", "account_movement", "MV1", 2, json!({"company_id": "C1", "date": "2026-11-22T10:00:00", "kind": "refund", "amount": 200, "return_id": "R1"})),
        msg("m2", "account_movement", "MV2", 1, json!({"company_id": "C1", "date": "2026-11-23T10:00:00", "kind": "order_payment", "amount": -120.5, "order_id": "O1"})),
        msg("m3", "account_movement", "MV3", 1, json!({"company_id": "C1", "date": "2026-11-23T10:00:00", "kind": "refund", "amount": -5})),
    ]);
    assert_eq!(
        scalar(
            &p,
            "SELECT balance_kop AS n FROM internal_accounts WHERE company_id = ?",
            &company
        ),
        20000 - 12050
    );
    assert_eq!(inbox(&p, "m3").status, "rejected", "a refund is money in");
    // A rejection needs 1C's reason; a return of an order not yet received waits for it.
    p.send_from_1c(vec![
        msg("r3", "return", "R2", 1, json!({"company_id": "C1", "order_id": "O1", "date": "2026-11-21T10:00:00", "status": "rejected"})),
        msg("r4", "return", "R3", 1, json!({"company_id": "C1", "order_id": "O-LATER", "date": "2026-11-21T10:00:00", "status": "requested", "lines": [{"line_no": 1, "quantity": 1}]})),
    ]);
    assert_eq!(inbox(&p, "r3").status, "rejected");
    assert_eq!(inbox(&p, "r4").status, "waiting");
    // Audit: what 1C decided about the return.
    assert_eq!(scalar(&p, "SELECT count(*) AS n FROM audit_log WHERE kind = 'return.status_by_1c' AND company_id = ?", &company), 2);
}

fn upload(p: &TestPorts, key: &str, bytes: &[u8], content_type: &str) -> u16 {
    let r = block_on(shared::exchange::api::handle(
        p,
        p.signed(
            "PUT",
            &format!("/exchange/v1/files/{key}"),
            content_type,
            bytes.to_vec(),
        ),
    ));
    r.status
}

fn document(id: &str, seq: i64, files: Value) -> Value {
    msg(
        id,
        "document",
        "D1",
        seq,
        json!({
            "company_id": "C1", "legal_entity_id": "LE1", "kind": "upd", "kind_name": "УПД", "number": "УПД-00123", "date": "2026-11-02T15:00:00",
            "upd_status": 1, "amount": 300, "vat": 50, "orders": ["O1", "O1"], "shipment_id": "SH1", "edo_status": "sent",
            "lines": [{"line_no": 1, "article": "A-1", "name": "Подшипник", "quantity": 3, "unit": "шт", "price": 100, "amount": 300, "vat_rate": 20, "vat": 50}],
            "files": files
        }),
    )
}

#[test]
fn documents_wait_for_their_files_and_keep_file_ids_across_snapshots() {
    let p = seeded();
    let pdf = json!([{"key": "D1-print.pdf", "name": "УПД № 123 от 02.11.2026.pdf", "content_type": "application/pdf", "size": 9, "role": "print"}]);
    p.send_from_1c(vec![document("d1", 1, pdf.clone())]);
    let st = inbox(&p, "d1");
    assert_eq!(st.status, "waiting");
    assert!(st.reason.unwrap().contains("D1-print.pdf"));

    // Uploads are signed like every 1C request; odd keys and unsigned uploads are refused.
    assert_eq!(
        upload(&p, "D1-print.pdf", b"%PDF-1.7\n", "application/pdf"),
        201
    );
    assert_eq!(upload(&p, "..secret", b"x", "text/plain"), 400);
    let mut forged = p.signed(
        "PUT",
        "/exchange/v1/files/D1-print.pdf",
        "application/pdf",
        b"%PDF-1.7\n".to_vec(),
    );
    forged.body = b"evil".to_vec();
    assert_eq!(
        block_on(shared::exchange::api::handle(&p, forged)).status,
        401
    );

    // The sweeper hands waiting messages to the consumer again.
    p.advance(chrono::Duration::minutes(1));
    block_on(shared::exchange::sweep(&p)).unwrap();
    p.run_inbox_consumer();
    assert_eq!(inbox(&p, "d1").status, "applied");
    assert_eq!(
        scalar(
            &p,
            "SELECT count(*) AS n FROM document_orders WHERE order_onec_id = ?",
            "O1"
        ),
        1
    );
    assert_eq!(
        text(
            &p,
            "SELECT number_norm AS t FROM documents WHERE onec_id = ?",
            "D1"
        )
        .as_deref(),
        Some("упд-00123")
    );
    let file_id = text(&p, "SELECT d.id AS t FROM document_files d JOIN documents x ON x.id = d.document_id WHERE x.onec_id = ?", "D1").unwrap();
    assert_eq!(
        text(
            &p,
            "SELECT blob_key AS t FROM document_files WHERE id = ?",
            &file_id
        )
        .as_deref(),
        Some("onec/D1-print.pdf")
    );

    // Re-sent with an FNS XML added: the PDF keeps its id (links stay valid), the XML is file 2.
    assert_eq!(upload(&p, "D1-fns.xml", b"<x/>", "application/xml"), 201);
    let both = json!([pdf[0].clone(), {"key": "D1-fns.xml", "name": "ON_NSCHFDOPPR.xml", "content_type": "application/xml", "size": 4, "role": "fns_xml"}]);
    p.send_from_1c(vec![document("d2", 2, both)]);
    assert_eq!(inbox(&p, "d2").status, "applied");
    assert_eq!(
        scalar(
            &p,
            "SELECT count(*) AS n FROM document_files WHERE id = ?",
            &file_id
        ),
        1
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT count(*) AS n FROM document_files WHERE blob_key = ?",
            "onec/D1-fns.xml"
        ),
        1
    );
    // And with no files: both rows go.
    p.send_from_1c(vec![document("d3", 3, json!([]))]);
    assert_eq!(scalar(&p, "SELECT count(*) AS n FROM document_files WHERE company_id = (SELECT id FROM companies WHERE onec_id = ?)", "C1"), 0);

    // Contract checks: a УКД names what it corrects; УПД status only 1 or 2; amounts match lines.
    p.send_from_1c(vec![
        msg("d4", "document", "D2", 1, json!({"company_id": "C1", "kind": "ukd", "kind_name": "УКД", "number": "1", "date": "2026-11-03T00:00:00", "amount": -10, "vat": -2})),
        msg("d5", "document", "D3", 1, json!({"company_id": "C1", "kind": "upd", "kind_name": "УПД", "number": "2", "date": "2026-11-03T00:00:00", "upd_status": 3, "amount": 1, "vat": 0})),
        msg("d6", "document", "D4", 1, json!({"company_id": "C1", "kind": "invoice", "kind_name": "Счет на оплату", "number": "3", "date": "2026-11-03T00:00:00", "amount": 99, "vat": 0,
            "lines": [{"line_no": 1, "name": "X", "quantity": 1, "price": 100, "amount": 100, "vat": 0}]})),
        msg("d7", "document", "D5", 1, json!({"company_id": "C1", "kind": "other", "kind_name": "Акт выполненных работ", "number": "4", "date": "2026-11-03T00:00:00", "amount": 10, "vat": 0})),
    ]);
    assert_eq!(inbox(&p, "d4").status, "rejected");
    assert_eq!(inbox(&p, "d5").status, "rejected");
    assert_eq!(inbox(&p, "d6").status, "rejected");
    assert_eq!(inbox(&p, "d7").status, "applied");
}

#[test]
fn an_act_answers_the_portals_request() {
    let p = seeded();
    let company = text(&p, "SELECT id AS t FROM companies WHERE onec_id = ?", "C1").unwrap();
    block_on(p.db.exec(
        Stmt::new("INSERT INTO act_requests (id, company_id, legal_entity_id, period_from, period_to, status, requested_at, updated_at) \
                   VALUES ('act_req', ?1, (SELECT id FROM legal_entities WHERE onec_id = 'LE1'), '2026-07-01', '2026-09-30', 'waiting', '2026-11-28T09:00:00Z', '2026-11-28T09:00:00Z')")
            .bind(company.as_str()),
    ))
    .unwrap();
    assert_eq!(
        upload(&p, "ACT1.pdf", b"%PDF-1.7 act", "application/pdf"),
        201
    );
    let act = |id: &str, closing: f64| {
        msg(
            id,
            "reconciliation_act",
            "ACT1",
            1,
            json!({"company_id": "C1", "request_id": "act_req", "legal_entity_id": "LE1", "period_from": "2026-07-01", "period_to": "2026-09-30",
            "opening_balance": 1000, "operations": [
                {"date": "2026-07-10", "document": "Реализация (акт, накладная, УПД) 123 от 10.07.2026", "debit": 300},
                {"date": "2026-07-20", "document": "Поступление на расчетный счет 77 от 20.07.2026", "credit": 1000.5}],
            "debit_total": 300, "credit_total": 1000.5, "closing_balance": closing,
            "files": [{"key": "ACT1.pdf", "name": "Акт сверки 3 кв 2026.pdf", "content_type": "application/pdf", "size": 12}]}),
        )
    };
    // Closing balance must be opening + debit - credit.
    p.send_from_1c(vec![act("a0", 300.0)]);
    assert_eq!(inbox(&p, "a0").status, "rejected");
    p.send_from_1c(vec![act("a1", 299.5)]);
    assert_eq!(
        inbox(&p, "a1").status,
        "applied",
        "{:?}",
        inbox(&p, "a1").reason
    );
    assert_eq!(
        text(
            &p,
            "SELECT status AS t FROM act_requests WHERE id = ?",
            "act_req"
        )
        .as_deref(),
        Some("ready")
    );
    assert_eq!(
        text(
            &p,
            "SELECT act_onec_id AS t FROM act_requests WHERE id = ?",
            "act_req"
        )
        .as_deref(),
        Some("ACT1")
    );
    assert_eq!(
        scalar(
            &p,
            "SELECT closing_kop AS n FROM reconciliation_acts WHERE onec_id = ?",
            "ACT1"
        ),
        29950
    );
    let ops: Value = serde_json::from_str(
        &text(
            &p,
            "SELECT operations_json AS t FROM reconciliation_acts WHERE onec_id = ?",
            "ACT1",
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(ops[1]["credit"], 100050);
    assert_eq!(ops[0]["date"], "2026-07-10");
}

#[test]
fn late_answers_settle_portal_changes() {
    let p = seeded();
    let company = text(&p, "SELECT id AS t FROM companies WHERE onec_id = ?", "C1").unwrap();
    let change = shared::changes::NewChange {
        company_id: &company,
        user_id: None,
        kind: shared::changes::ChangeKind::ConsigneeAdded,
        entity_type: "consignee",
        portal_id: "csg_new",
        onec_entity_id: "",
        base_version: 1,
        payload: json!({"name": "Склад 3"}),
        before: Value::Null,
    };
    let (id, stmt) = shared::changes::record(&change, p.now.get(), None);
    block_on(p.db.exec(stmt)).unwrap();

    // Pull mode: 1C takes it and says "received" (a manager decides later).
    let mut cfg = p.config.clone();
    cfg.onec_delivery = shared::config::Delivery::Pull;
    let p = TestPorts { config: cfg, ..p };
    let pulled = block_on(shared::exchange::api::handle(
        &p,
        p.signed_json("/exchange/v1/changes/pull", &json!({"limit": 10})),
    ));
    assert_eq!(
        serde_json::from_slice::<Value>(&pulled.body).unwrap()["items"][0]["id"],
        id.as_str()
    );
    let ack = block_on(shared::exchange::api::handle(
        &p,
        p.signed_json(
            "/exchange/v1/changes/ack",
            &json!({"results": [{"id": id, "status": "received"}]}),
        ),
    ));
    assert_eq!(ack.status, 200);
    // Received changes are not handed out again, even after the redelivery time.
    p.advance(chrono::Duration::hours(1));
    let again = block_on(shared::exchange::api::handle(
        &p,
        p.signed_json("/exchange/v1/changes/pull", &json!({"limit": 10})),
    ));
    assert_eq!(
        serde_json::from_slice::<Value>(&again.body).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        text(&p, "SELECT status AS t FROM outbox WHERE id = ?", &id).as_deref(),
        Some("sent")
    );

    // The decision arrives as a message, with the id 1C gave the new consignee.
    p.send_from_1c(vec![
        msg(
            "ans1",
            "answer",
            &id,
            1,
            json!({"change_id": id, "status": "accepted", "onec_id": "K9"}),
        ),
        msg(
            "ans2",
            "answer",
            "out_nope",
            1,
            json!({"change_id": "out_nope", "status": "accepted"}),
        ),
        msg(
            "ans3",
            "answer",
            &id,
            2,
            json!({"change_id": id, "status": "rejected"}),
        ),
    ]);
    assert_eq!(inbox(&p, "ans1").status, "applied");
    assert_eq!(
        text(&p, "SELECT status AS t FROM outbox WHERE id = ?", &id).as_deref(),
        Some("accepted")
    );
    assert_eq!(
        text(&p, "SELECT onec_id AS t FROM outbox WHERE id = ?", &id).as_deref(),
        Some("K9")
    );
    let unknown = inbox(&p, "ans2");
    assert_eq!(unknown.status, "rejected");
    assert!(unknown.reason.unwrap().contains("unknown-change"));
    assert_eq!(
        inbox(&p, "ans3").status,
        "rejected",
        "a rejection needs a reason"
    );
    // A later verdict on a decided change changes nothing.
    p.send_from_1c(vec![msg(
        "ans4",
        "answer",
        &id,
        3,
        json!({"change_id": id, "status": "rejected", "reason": "поздно"}),
    )]);
    assert_eq!(inbox(&p, "ans4").status, "applied");
    assert_eq!(
        text(&p, "SELECT status AS t FROM outbox WHERE id = ?", &id).as_deref(),
        Some("accepted")
    );
}
