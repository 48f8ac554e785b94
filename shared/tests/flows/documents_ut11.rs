//! Documents as 1C УТ 11 really has them (issue 17), through the same handlers the Workers call on
//! real SQLite: a УПД corrected by ИУПД (the current version in the sets, the original kept in
//! history with its file, a correction arriving before its original), one УКД correcting two УПД
//! of an order, lines with ОКЕИ codes and every VAT rate, every 1С-ЭДО state mapped, and the
//! message checks that refuse what breaks these rules.

use crate::helpers::{body, msg};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::http::ApiResponse;
use shared::testing::{request, TestPorts};

fn get(p: &TestPorts, path: &str, c: &str) -> ApiResponse {
    shared::testing::complete(block_on(shared::documents::api::handle(
        p,
        request("GET", path, None, c),
    )))
}

fn upload(p: &TestPorts, key: &str) {
    let r = block_on(shared::exchange::api::handle(
        p,
        p.signed(
            "PUT",
            &format!("/exchange/v1/files/{key}"),
            "application/pdf",
            format!("%PDF-1.4\n% {key}\n%%EOF\n").into_bytes(),
        ),
    ));
    assert_eq!(r.status, 201);
}

/// Company C1 with an accountant, order O1 shipped by two vehicles.
fn world() -> (TestPorts, String) {
    let p = TestPorts::new();
    p.send_from_1c(vec![msg("c1", "company", "C1", 1, json!({"name": "Альфа",
        "legal_entities": [{"id": "LE1", "name": "ООО Альфа"}],
        "agreements": [{"id": "AG1", "legal_entity_id": "LE1", "name": "Договор", "credit_limit": 100000, "deferral_days": 30}]}))]);
    p.send_from_1c(vec![
        msg("u1", "user", "U1", 1, json!({"company_id": "C1", "email": "acc@c1.ru", "full_name": "Бухгалтер", "roles": ["accountant"]})),
        msg("o1", "order", "O1", 1, json!({"company_id": "C1", "legal_entity_id": "LE1", "agreement_id": "AG1", "number": "ЗК-1",
            "date": "2026-08-01T10:00:00", "status": "shipped", "payment_method": "invoice", "paid": 0, "total": 2000, "vat_total": 360.66,
            "lines": [{"line_no": 1, "article": "AZ1", "name": "Фильтр", "quantity": 20, "unit": "шт", "price": 100, "amount": 2000, "vat": 360.66}],
            "shipments": [{"id": "S1", "number": "ОТ-1", "date": "2026-08-03T09:00:00"}, {"id": "S2", "number": "ОТ-2", "date": "2026-08-04T09:00:00"}]})),
    ]);
    let acc = p.activate("acc@c1.ru");
    (p, acc)
}

/// A УПД of O1 (1000 ₽ at 22%) with its PDF; `extra` is merged into the payload.
fn upd(id: &str, number: &str, date: &str, extra: Value) -> Value {
    let mut payload = json!({"company_id": "C1", "legal_entity_id": "LE1", "kind": "upd", "kind_name": "УПД", "number": number,
        "date": date, "upd_status": 1, "amount": 1000, "vat": 180.33, "orders": ["O1"],
        "lines": [{"line_no": 1, "article": "AZ1", "name": "Фильтр", "quantity": 10, "unit": "шт", "unit_code": "796",
                   "price": 100, "amount": 1000, "vat_rate": "22%", "vat": 180.33}],
        "files": [{"key": format!("{id}.pdf"), "name": format!("{number}.pdf"), "content_type": "application/pdf", "size": 10, "role": "print"}],
        "edo_state": "Подписан"});
    for (k, v) in extra.as_object().unwrap() {
        payload[k] = v.clone();
    }
    msg(&format!("{id}-m"), "document", id, 1, payload)
}

fn send(p: &TestPorts, docs: Vec<Value>) -> Value {
    for d in &docs {
        if let Some(files) = d["payload"]["files"].as_array() {
            for f in files {
                upload(p, f["key"].as_str().unwrap());
            }
        }
    }
    p.send_from_1c(docs)
}

fn statuses(r: &Value) -> Vec<String> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x["status"].as_str().unwrap(),
                x["reason"].as_str().unwrap_or("")
            )
            .trim()
            .to_string()
        })
        .collect()
}

fn list(p: &TestPorts, c: &str) -> Vec<Value> {
    body(&get(p, "/api/documents/documents", c))["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn doc_id(p: &TestPorts, c: &str, number: &str, correction_no: Option<i64>) -> String {
    let r: Vec<Value> = list(p, c);
    r.iter()
        .find(|d| d["number"] == number && d["correction_no"].as_i64() == correction_no)
        .unwrap_or_else(|| panic!("{number} {correction_no:?} in {r:?}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_corrected_upd_replaces_the_original_which_stays_in_history() {
    let (p, acc) = world();
    // The second correction arrives first: it is applied and shown, nothing waits for the
    // original (1C may send them in any order).
    let fix = |id: &str, no: i64, date: &str| {
        upd(
            id,
            "УПД-1",
            "2026-08-03T12:00:00",
            json!({"correction_of": "D1", "correction_no": no, "correction_date": date, "amount": 1000}),
        )
    };
    let r = send(&p, vec![fix("D1-FIX2", 2, "2026-08-12T10:00:00")]);
    assert_eq!(statuses(&r), ["accepted"]);
    let items = list(&p, &acc);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["correction_no"], 2);
    assert_eq!(items[0]["correction_date"], "2026-08-12T07:00:00.000Z");

    let r = send(
        &p,
        vec![
            upd("D1", "УПД-1", "2026-08-03T12:00:00", json!({})),
            fix("D1-FIX1", 1, "2026-08-10T10:00:00"),
        ],
    );
    assert_eq!(statuses(&r), ["accepted", "accepted"]);
    // The list and the order's set hold the current version only: the highest correction.
    let items = list(&p, &acc);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["correction_no"], 2);
    let order = crate::helpers::order_id(&p, "O1");
    let set = body(&get(&p, &format!("/api/documents/orders/{order}"), &acc));
    let upds: Vec<_> = set["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "upd")
        .collect();
    assert_eq!(upds.len(), 1);
    assert_eq!(upds[0]["correction_no"], 2);
    assert_eq!(set["file_count"], 1);

    // The current version's page lists the history: the original and both corrections.
    let current = items[0]["id"].as_str().unwrap();
    let page = body(&get(
        &p,
        &format!("/api/documents/documents/{current}"),
        &acc,
    ));
    let history: Vec<_> = page["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["correction_no"].as_i64(), h["current"].as_bool().unwrap()))
        .collect();
    assert_eq!(history, [(None, false), (Some(1), false), (Some(2), true)]);
    assert!(page["corrected_by"].is_null());

    // The original's page says what corrected it; its file still downloads.
    let original = page["history"][0]["id"].as_str().unwrap();
    let o = body(&get(
        &p,
        &format!("/api/documents/documents/{original}"),
        &acc,
    ));
    assert_eq!(o["corrected_by"]["id"], current);
    assert_eq!(o["corrected_by"]["correction_no"], 2);
    assert_eq!(
        o["corrected_by"]["correction_date"],
        "2026-08-12T07:00:00.000Z"
    );
    let f = o["document"]["files"][0]["id"].as_str().unwrap();
    let r = get(&p, &format!("/api/documents/files/{f}"), &acc);
    assert_eq!(r.status, 200);
    assert!(String::from_utf8_lossy(&r.body).contains("D1.pdf"));

    // Marking the current correction deleted brings the previous one back.
    let mut gone = fix("D1-FIX2", 2, "2026-08-12T10:00:00");
    gone["id"] = json!("D1-FIX2-del");
    gone["seq"] = json!(2);
    gone["payload"]["active"] = json!(false);
    send(&p, vec![gone]);
    assert_eq!(list(&p, &acc)[0]["correction_no"], 1);
}

#[test]
fn correction_fields_are_checked() {
    let (p, _) = world();
    let n = std::cell::Cell::new(0);
    let bad = |extra: Value| {
        n.set(n.get() + 1);
        let r = p.send_from_1c(vec![upd(
            &format!("X{}", n.get()),
            "УПД-9",
            "2026-08-03T12:00:00",
            extra,
        )]);
        statuses(&r).remove(0)
    };
    let ok = |s: String| s == "accepted";
    assert!(bad(
        json!({"correction_of": "D1", "correction_no": 0, "correction_date": "2026-08-10T10:00:00"})
    )
    .contains("correction_no"));
    assert!(
        bad(json!({"correction_of": "D1", "correction_date": "2026-08-10T10:00:00"}))
            .contains("correction_no")
    );
    assert!(bad(json!({"correction_of": "D1", "correction_no": 1})).contains("correction_date"));
    assert!(
        bad(json!({"correction_no": 1, "correction_date": "2026-08-10T10:00:00"}))
            .contains("correction_of")
    );
    assert!(bad(json!({"kind": "invoice", "upd_status": null, "correction_of": "D1", "correction_no": 1, "correction_date": "2026-08-10T10:00:00"}))
        .contains("correction_of"));
    assert!(bad(json!({"correction_of": "X".repeat(101), "correction_no": 1, "correction_date": "2026-08-10T10:00:00"})).contains("correction_of"));
    let own = format!("X{}", n.get() + 1);
    assert!(bad(
        json!({"correction_of": own, "correction_no": 1, "correction_date": "2026-08-10T10:00:00"})
    )
    .contains("correction_of: A correction names another"));
    // Over-long 1C ids are refused, each named.
    let long = "O".repeat(101);
    let r = bad(json!({"orders": ["O1", long], "shipment_id": long, "legal_entity_id": long}));
    for field in ["orders[1]", "shipment_id", "legal_entity_id"] {
        assert!(r.contains(&format!("{field}: At most 100")), "{field}: {r}");
    }
    assert!(ok(bad(
        json!({"correction_of": "D1", "correction_no": 1, "correction_date": "2026-08-10T10:00:00"})
    )));
}

#[test]
fn one_ukd_corrects_two_upd_of_an_order_and_shows_under_both() {
    let (p, acc) = world();
    send(
        &p,
        vec![
            upd(
                "D1",
                "УПД-1",
                "2026-08-03T12:00:00",
                json!({"shipment_id": "S1"}),
            ),
            upd(
                "D2",
                "УПД-2",
                "2026-08-04T12:00:00",
                json!({"shipment_id": "S2"}),
            ),
        ],
    );
    let ukd = |id: &str, extra: Value| {
        let mut payload = json!({"company_id": "C1", "legal_entity_id": "LE1", "kind": "ukd", "kind_name": "УКД", "number": "КУ-1",
            "date": "2026-08-20T12:00:00", "amount": -100, "vat": -18.04, "orders": ["O1"], "corrects": ["D1", "D2"],
            "lines": [
                {"line_no": 1, "base_id": "D1", "base_line_no": 1, "article": "AZ1", "name": "Фильтр", "quantity": 0, "unit": "шт", "unit_code": "796",
                 "price": -5, "amount": -50, "vat_rate": "22%", "vat": -9.02},
                {"line_no": 2, "base_id": "D2", "base_line_no": 1, "article": "AZ1", "name": "Фильтр", "quantity": 0, "unit": "шт", "unit_code": "796",
                 "price": -5, "amount": -50, "vat_rate": "22%", "vat": -9.02}],
            "files": [], "edo_state": "Ожидается подписание"});
        for (k, v) in extra.as_object().unwrap() {
            payload[k] = v.clone();
        }
        msg(&format!("{id}-m"), "document", id, 1, payload)
    };
    let r = p.send_from_1c(vec![
        ukd("K1", json!({})),
        // A line's base must be one of the documents corrected; a УКД corrects at least one.
        ukd("K2", json!({"corrects": ["D1"]})),
        ukd("K3", json!({"corrects": []})),
        ukd("K4", json!({"corrects": ["D1"], "corrects_id": "D2"})),
    ]);
    let s = statuses(&r);
    assert_eq!(s[0], "accepted");
    assert!(s[1].contains("lines[1].base_id"), "{}", s[1]);
    assert!(s[2].contains("corrects"), "{}", s[2]);
    assert!(s[3].contains("corrects"), "{}", s[3]);

    let order = crate::helpers::order_id(&p, "O1");
    let set = body(&get(&p, &format!("/api/documents/orders/{order}"), &acc));
    for n in ["УПД-1", "УПД-2"] {
        let u = set["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["number"] == n)
            .unwrap();
        let c: Vec<_> = u["corrections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["number"].as_str().unwrap())
            .collect();
        assert_eq!(c, ["КУ-1"], "{n}");
    }
    let k = doc_id(&p, &acc, "КУ-1", None);
    let page = body(&get(&p, &format!("/api/documents/documents/{k}"), &acc));
    let corrects: Vec<_> = page["corrects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(corrects, ["УПД-1", "УПД-2"]);
    assert_eq!(page["lines"][1]["base_number"], "УПД-2");
    assert_eq!(page["document"]["edo_status"], "awaiting_signature");

    // A УКД of a corrected УПД shows under its current version (it names the original).
    send(
        &p,
        vec![upd(
            "D2-FIX1",
            "УПД-2",
            "2026-08-04T12:00:00",
            json!({"correction_of": "D2", "correction_no": 1, "correction_date": "2026-08-21T09:00:00"}),
        )],
    );
    let set = body(&get(&p, &format!("/api/documents/orders/{order}"), &acc));
    let u = set["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == "УПД-2")
        .unwrap();
    assert_eq!(u["correction_no"], 1);
    assert_eq!(u["corrections"][0]["number"], "КУ-1");

    // The older single-document form still works.
    let r = p.send_from_1c(vec![ukd("K5", json!({"corrects": null, "corrects_id": "D1", "number": "КУ-2",
        "lines": [{"line_no": 1, "article": "AZ1", "name": "Фильтр", "quantity": -1, "unit": "шт", "price": 100, "amount": -100, "vat_rate": 22, "vat": -18.04}]}))]);
    assert_eq!(statuses(&r), ["accepted"]);
    let k = doc_id(&p, &acc, "КУ-2", None);
    let page = body(&get(&p, &format!("/api/documents/documents/{k}"), &acc));
    assert_eq!(page["corrects"][0]["number"], "УПД-1");
    assert_eq!(page["lines"][0]["vat_rate"], "22%");
}

#[test]
fn lines_carry_okei_codes_and_every_vat_rate_as_1c_sent_it() {
    let (p, acc) = world();
    let line = |no: i64, rate: Value, amount: f64, vat: f64, code: &str| {
        json!({"line_no": no, "article": "A", "name": "Товар", "quantity": 1, "unit": "шт", "unit_code": code,
               "price": amount, "amount": amount, "vat_rate": rate, "vat": vat})
    };
    let r = send(
        &p,
        vec![upd(
            "D1",
            "УПД-1",
            "2026-08-03T12:00:00",
            json!({"amount": 1000, "vat": 172.06, "lines": [
                line(1, json!("22%"), 400.0, 72.13, "796"),
                line(2, json!("none"), 100.0, 0.0, "166"),
                line(3, json!("20%"), 100.0, 16.67, "796"),
                line(4, json!("10%"), 110.0, 10.0, "796"),
                line(5, json!("0%"), 100.0, 0.0, "796"),
                line(6, json!("5%"), 105.0, 5.0, "796"),
                line(7, json!("7%"), 85.0, 5.56, "0055"),
            ]}),
        )],
    );
    assert_eq!(statuses(&r), ["accepted"]);
    let id = doc_id(&p, &acc, "УПД-1", None);
    let page = body(&get(&p, &format!("/api/documents/documents/{id}"), &acc));
    let got: Vec<_> = page["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} {} {}",
                l["vat_rate"].as_str().unwrap(),
                l["unit_code"].as_str().unwrap_or("-"),
                l["vat_kop"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "22% 796 7213",
            "none 166 0",
            "20% 796 1667",
            "10% 796 1000",
            "0% 796 0",
            "5% 796 500",
            "7% 0055 556"
        ]
    );

    let n = std::cell::Cell::new(0);
    let bad = |l: Value| {
        n.set(n.get() + 1);
        let amount = l["amount"].as_f64().unwrap();
        let vat = l["vat"].as_f64().unwrap();
        let r = p.send_from_1c(vec![upd(
            &format!("DX{}", n.get()),
            "УПД-X",
            "2026-08-03T12:00:00",
            json!({"amount": amount, "vat": vat, "lines": [l]}),
        )]);
        statuses(&r).remove(0)
    };
    assert!(bad(line(1, json!("18%"), 100.0, 15.25, "796")).contains("lines[0].vat_rate"));
    assert!(bad(line(1, json!(18), 100.0, 15.25, "796")).contains("lines[0].vat_rate"));
    assert!(bad(line(1, json!("none"), 100.0, 1.0, "796")).contains("lines[0].vat"));
    assert!(bad(line(1, json!("20%"), 100.0, 16.67, "79a")).contains("lines[0].unit_code"));
    assert!(bad(line(1, json!("20%"), 100.0, 16.67, "79")).contains("lines[0].unit_code"));
    let mut long = line(1, json!("20%"), 100.0, 16.67, "796");
    long["unit"] = json!("ш".repeat(51));
    assert!(bad(long).contains("lines[0].unit"));
}

#[test]
fn every_1c_edo_state_maps_to_a_portal_status() {
    let (p, acc) = world();
    let states = [
        ("Не начат", "not_sent"),
        ("Не сформирован", "not_sent"),
        ("Ожидается утверждение", "awaiting_signature"),
        ("Ожидается подписание", "awaiting_signature"),
        ("Ожидается отправка", "awaiting_sending"),
        ("Ожидается извещение о получении", "sent"),
        ("Ожидается подтверждение оператора", "sent"),
        ("Ожидается ответная подпись", "delivered"),
        ("Ожидается исправление", "correction_requested"),
        ("Подписан", "signed"),
        ("Документооборот завершен", "signed"),
        ("Отклонен", "rejected"),
        ("Ожидается аннулирование", "annulment_requested"),
        ("Аннулирован", "cancelled"),
        ("Ошибка передачи", "delivery_error"),
        ("Закрыт принудительно", "closed"),
        // The enumeration value's name (XMLСтрока) reads the same.
        ("ОжидаетсяИзвещениеОПолучении", "sent"),
        ("ДокументооборотЗавершён", "signed"),
    ];
    let docs: Vec<Value> = states
        .iter()
        .enumerate()
        .map(|(i, (s, _))| {
            upd(
                &format!("E{i}"),
                &format!("Э-{i:02}"),
                "2026-08-03T12:00:00",
                json!({"edo_state": s}),
            )
        })
        .collect();
    let r = send(&p, docs);
    assert!(statuses(&r).iter().all(|s| s == "accepted"), "{r}");
    let items = list(&p, &acc);
    for (i, (state, status)) in states.iter().enumerate() {
        let d = items
            .iter()
            .find(|d| d["number"] == format!("Э-{i:02}"))
            .unwrap();
        assert_eq!(d["edo_status"], *status, "{state}");
        assert_eq!(d["edo_state"], *state);
    }
    // An unknown state, or both fields at once, are refused; the older codes still work.
    let r = p.send_from_1c(vec![
        upd(
            "E-bad",
            "Э-bad",
            "2026-08-03T12:00:00",
            json!({"edo_state": "Потерян"}),
        ),
        upd(
            "E-both",
            "Э-both",
            "2026-08-03T12:00:00",
            json!({"edo_status": "signed"}),
        ),
        upd(
            "E-old",
            "Э-old",
            "2026-08-03T12:00:00",
            json!({"edo_state": null, "edo_status": "delivered"}),
        ),
    ]);
    let s = statuses(&r);
    assert!(s[0].contains("edo_state"), "{}", s[0]);
    assert!(s[1].contains("edo_status"), "{}", s[1]);
    assert_eq!(s[2], "accepted");
}

/// Migration 0020 on a database holding documents of the older shape: a УКД's single corrected
/// document becomes a `document_corrects` row, the lines' integer VAT rates (or null) become the
/// wire text, and nothing else changes.
#[test]
fn migration_0020_moves_existing_documents_over() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../d1-migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let name = |p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().to_string();
    let (before, after): (Vec<_>, Vec<_>) = files.iter().partition(|p| name(p).as_str() < "0020");
    let db = rusqlite::Connection::open_in_memory().unwrap();
    for f in &before {
        db.execute_batch(&std::fs::read_to_string(f).unwrap())
            .unwrap();
    }
    db.execute_batch(
        "INSERT INTO companies (id, onec_id, name, updated_at) VALUES ('co', 'C', 'C', 'x');
         INSERT INTO documents (id, company_id, onec_id, kind, kind_name, number, number_norm, doc_date, corrects_onec_id, amount_kop, vat_kop, edo_status, lines_json, updated_at) VALUES
           ('d1', 'co', 'D1', 'upd', 'УПД', '1', '1', '2026-08-03', NULL, 300, 50, 'signed',
            '[{\"line_no\":1,\"name\":\"a\",\"vat_rate\":20,\"vat\":50},{\"line_no\":2,\"name\":\"b\",\"vat_rate\":null,\"vat\":0},{\"line_no\":3,\"name\":\"c\",\"vat\":0},{\"line_no\":4,\"name\":\"d\",\"vat_rate\":0,\"vat\":0}]', 'x'),
           ('k1', 'co', 'K1', 'ukd', 'УКД', '2', '2', '2026-08-09', 'D1', -100, -17, 'sent', '[]', 'x');",
    )
    .unwrap();
    for f in &after {
        db.execute_batch(&std::fs::read_to_string(f).unwrap())
            .unwrap();
    }
    let rates: String = db
        .query_row(
            "SELECT group_concat(json_extract(value, '$.line_no') || ':' || json_extract(value, '$.vat_rate') || ':' || json_extract(value, '$.name'), ' ') \
             FROM documents d, json_each(d.lines_json) WHERE d.id = 'd1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rates, "1:20%:a 2:none:b 3:none:c 4:0%:d");
    let corrects: Vec<(String, String)> = db
        .prepare("SELECT document_id, corrected_onec_id FROM document_corrects")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(corrects, [("k1".to_string(), "D1".to_string())]);
    let kept: (i64, i64, String, i64) = db
        .query_row(
            "SELECT amount_kop, vat_kop, edo_status, correction_no FROM documents WHERE id = 'd1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(kept, (300, 50, "signed".to_string(), 0));
}
