//! `zip=yes` on the order side of 1C's stock exchange (issue 19), through the portal's handler:
//! `init` for `type=sale` offers it as the Bitrix site does (`sale.export.1c`: `USE_ZIP` on by
//! default), 1C's order file sent as a ZIP archive, in chunks, is unpacked and imported exactly as
//! the plain file once the archive is whole, `import` answers its result under the archive's name
//! or the entry's, and a damaged archive or a ZIP bomb fails with its reason and changes nothing.

use crate::helpers::{cml_checkauth, text};
use futures::executor::block_on;
use serde_json::json;
use shared::http::{ApiRequest, ApiResponse};
use shared::ports::{DatabaseExt, Stmt};
use shared::testing::{zip_archive, TestPorts};

fn call(p: &TestPorts, method: &str, query: &str, cookie: &str, body: Vec<u8>) -> ApiResponse {
    let req = ApiRequest {
        method: method.into(),
        path: "/exchange/1c/commerceml".into(),
        query: query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        headers: vec![("cookie".to_string(), cookie.to_string())],
        body,
        ..Default::default()
    };
    block_on(shared::exchange::api::handle(p, req))
}

/// A company with one order (`Z1`, awaiting payment), applied as the inbox consumer does.
fn seeded() -> TestPorts {
    let p = TestPorts::new();
    let messages = vec![
        json!({"id": "m-c", "type": "company", "entity_id": "C1", "seq": 1, "payload": {"name": "Кубань-Агро",
            "legal_entities": [{"id": "C1-le", "name": "ООО «Кубань-Агро»", "inn": "7707083893", "kpp": "773601001"}]}}),
        json!({"id": "m-o", "type": "order", "entity_id": "Z1", "seq": 1, "payload": {
            "company_id": "C1", "legal_entity_id": "C1-le", "number": "ЗК-001", "date": "2026-03-01T10:15:00",
            "author_email": null, "status": "awaiting_payment", "payment_method": "invoice", "paid": 0,
            "lines": [{"line_no": 1, "product_id": null, "article": "AZ1", "name": "Подшипник", "quantity": 2, "unit": "шт",
                       "price": 100, "amount": 200, "vat_rate": 20, "vat": 33.33}],
            "total": 200, "vat_total": 33.33, "shipments": []}}),
    ];
    let batch =
        json!({"batch_id": "b-zip", "sent_at": "2026-11-28T12:00:00", "messages": messages});
    let req = p.signed_json("/exchange/v1/messages", &batch);
    let resp = block_on(shared::exchange::api::handle(&p, req));
    assert_eq!(resp.status, 200, "{}", text(&resp));
    let woken: Vec<Vec<String>> = p.queue.0.borrow_mut().drain(..).collect();
    for ids in woken {
        block_on(shared::exchange::inbox::process(&p, &ids)).unwrap();
    }
    p
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct State {
    status: String,
    onec_number: Option<String>,
    paid_kop: i64,
}

fn state(p: &TestPorts) -> State {
    block_on(p.db.first::<State>(Stmt::new(
        "SELECT status, onec_number, paid_kop FROM orders WHERE onec_id = 'Z1'",
    )))
    .unwrap()
    .unwrap()
}

/// 1C's order file (windows-1251, as 1C writes it): `Z1` posted under 1C's number, paid.
fn order_file() -> Vec<u8> {
    let xml = "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\r\n<КоммерческаяИнформация ВерсияСхемы=\"2.10\" ДатаФормирования=\"2026-03-06T12:00:00\">\r\n\
        <Документ><Ид>Z1</Ид><Номер>ЗК-001</Номер><Дата>2026-03-02</Дата><ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль>\
        <Валюта>руб</Валюта><Курс>1</Курс><Сумма>200</Сумма><ЗначенияРеквизитов>\
        <ЗначениеРеквизита><Наименование>Номер по 1С</Наименование><Значение>УТ-000101</Значение></ЗначениеРеквизита>\
        <ЗначениеРеквизита><Наименование>Проведен</Наименование><Значение>true</Значение></ЗначениеРеквизита>\
        <ЗначениеРеквизита><Наименование>Дата оплаты по 1С</Наименование><Значение>05.03.2026 11:00:00</Значение></ЗначениеРеквизита>\
        </ЗначенияРеквизитов></Документ>\r\n</КоммерческаяИнформация>\r\n";
    encoding_rs::WINDOWS_1251.encode(xml).0.into_owned()
}

/// Sends `bytes` in chunks of `chunk` bytes; returns every answer.
fn send(p: &TestPorts, cookie: &str, name: &str, bytes: &[u8], chunk: usize) -> Vec<String> {
    bytes
        .chunks(chunk)
        .map(|c| {
            text(&call(
                p,
                "POST",
                &format!("type=sale&mode=file&filename={name}"),
                cookie,
                c.to_vec(),
            ))
        })
        .collect()
}

#[test]
fn init_offers_zip_for_the_order_exchange_too() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "sale");
    for query in ["type=sale&mode=init", "type=sale&mode=init&version=3.1"] {
        let a = text(&call(&p, "GET", query, &cookie, vec![]));
        assert!(a.starts_with("zip=yes\nfile_limit="), "{query}: {a}");
    }
}

#[test]
fn a_zipped_order_file_in_chunks_imports_exactly_as_the_plain_file() {
    // The plain file: the reference answer and state.
    let plain = seeded();
    let cookie = cml_checkauth(&plain, "sale");
    let expected = send(&plain, &cookie, "orders.xml", &order_file(), 1 << 20).remove(0);
    assert!(
        expected.starts_with("success\norders updated: 1"),
        "{expected}"
    );
    let after = state(&plain);
    assert_eq!(after.onec_number.as_deref(), Some("УТ-000101"));

    for stored in [false, true] {
        let p = seeded();
        let before = state(&p);
        let cookie = cml_checkauth(&p, "sale");
        call(
            &p,
            "GET",
            "type=sale&mode=init&version=2.10",
            &cookie,
            vec![],
        );
        let archive = zip_archive(&[("orders.xml", order_file().as_slice())], stored);
        let chunk = archive.len() / 3 + 1;
        let answers = send(&p, &cookie, "orders.zip", &archive, chunk);
        assert_eq!(answers.len(), 3);
        // Until the archive is whole nothing is imported.
        assert_eq!(answers[..2], ["success\n", "success\n"], "{answers:?}");
        assert_eq!(answers[2], expected, "stored: {stored}");
        assert_eq!(state(&p), after);
        assert_ne!(state(&p), before);
        // 1C's `import` after the upload: the archive's answer, by its name or by the entry's;
        // nothing applied twice.
        for name in ["orders.zip", "orders.xml"] {
            let again = text(&call(
                &p,
                "GET",
                &format!("type=sale&mode=import&filename={name}"),
                &cookie,
                vec![],
            ));
            assert_eq!(again, expected, "{name}");
        }
        assert_eq!(state(&p), after);
    }
}

#[test]
fn a_damaged_archive_or_a_zip_bomb_fails_with_its_reason_and_changes_nothing() {
    let p = seeded();
    let before = state(&p);
    let cookie = cml_checkauth(&p, "sale");
    let mut bad_crc = zip_archive(&[("orders.xml", order_file().as_slice())], true);
    // The stored entry's data starts after its 30-byte header and name: flip one byte.
    bad_crc[30 + "orders.xml".len() + 5] ^= 0x20;
    let zeros = vec![b' '; 3 << 20];
    let bomb = zip_archive(&[("orders.xml", zeros.as_slice())], false);
    for (name, archive, reason) in [
        ("crc.zip", bad_crc, "CRC-32"),
        ("bomb.zip", bomb, "ZIP bomb"),
    ] {
        let r = send(&p, &cookie, name, &archive, 1 << 20).remove(0);
        assert!(
            r.starts_with("failure\n") && r.contains(reason),
            "{name}: {r}"
        );
        let again = text(&call(
            &p,
            "GET",
            &format!("type=sale&mode=import&filename={name}"),
            &cookie,
            vec![],
        ));
        assert_eq!(again, r, "{name}");
    }
    assert_eq!(state(&p), before);
}
