//! Documents and reconciliation acts through the same handlers the Workers call, on real SQLite:
//! a document arriving from 1C listed at once with its file, filters, the readable table; an order
//! shipped by three vehicles with its full set and ZIP; other companies' ids and guessed keys are
//! 404s; an act requested through the outbox, computed preliminarily, received and compared; a
//! refused request; and the refused periods at a clock the test sets.

use crate::helpers::{body, msg, order_id, signed_in, PW};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::http::ApiResponse;
use shared::ports::{DatabaseExt, Ports, Stmt};
use shared::testing::{request, TestPorts};

fn get(p: &TestPorts, path: &str, c: &str) -> ApiResponse {
    shared::testing::complete(block_on(shared::documents::api::handle(
        p,
        request("GET", path, None, c),
    )))
}

fn post(p: &TestPorts, path: &str, b: Value, c: &str) -> ApiResponse {
    block_on(shared::documents::api::handle(
        p,
        request("POST", path, Some(b), c),
    ))
}

/// 1C uploads a file with the signed PUT, as it does before the message that refers to it.
fn upload(p: &TestPorts, key: &str, bytes: &[u8]) {
    let r = block_on(shared::exchange::api::handle(
        p,
        p.signed(
            "PUT",
            &format!("/exchange/v1/files/{key}"),
            "application/pdf",
            bytes.to_vec(),
        ),
    ));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

fn company(id: &str, le: &str, ag: &str) -> Value {
    msg(
        &format!("{id}-m"),
        "company",
        id,
        1,
        json!({"name": format!("Компания {id}"), "legal_entities": [{"id": le, "name": format!("ООО {id}")}],
            "agreements": [{"id": ag, "legal_entity_id": le, "name": "Договор поставки", "credit_limit": 1000000, "deferral_days": 30}]}),
    )
}

fn order(id: &str, company: &str, le: &str, ag: &str, number: &str, shipments: Value) -> Value {
    msg(
        &format!("{id}-m"),
        "order",
        id,
        1,
        json!({
            "company_id": company, "legal_entity_id": le, "agreement_id": ag, "number": number, "date": "2026-08-01T10:00:00",
            "status": "shipped", "payment_method": "invoice", "paid": 0, "total": 3000, "vat_total": 500,
            "lines": [{"line_no": 1, "article": "AZ1", "name": "Фильтр масляный", "quantity": 30, "unit": "шт", "price": 100, "amount": 3000, "vat": 500}],
            "shipments": shipments,
        }),
    )
}

#[allow(clippy::too_many_arguments)]
fn document(
    id: &str,
    company: &str,
    le: &str,
    kind: &str,
    kind_name: &str,
    number: &str,
    date: &str,
    amount: f64,
    orders: &[&str],
    shipment: Option<&str>,
    files: Value,
) -> Value {
    let vat = (amount / 6.0 * 100.0).round() / 100.0;
    let mut payload = json!({
        "company_id": company, "legal_entity_id": le, "kind": kind, "kind_name": kind_name, "number": number,
        "date": date, "amount": amount, "vat": vat, "orders": orders, "shipment_id": shipment,
        "lines": [{"line_no": 1, "article": "AZ1", "name": "Фильтр масляный", "quantity": 10, "unit": "шт",
                   "price": amount / 10.0, "amount": amount, "vat_rate": 20, "vat": vat}],
        "files": files, "edo_status": "signed",
    });
    if kind == "upd" {
        payload["upd_status"] = json!(1);
    }
    if kind == "ukd" {
        payload["lines"] = json!([]);
        payload["corrects_id"] = json!("D-UPD1");
    }
    msg(&format!("{id}-m"), "document", id, 1, payload)
}

fn pdf(name: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {name}\n%%EOF\n").into_bytes()
}

fn file(key: &str, name: &str, size: usize) -> Value {
    json!([{"key": key, "name": name, "content_type": "application/pdf", "size": size, "role": "print"}])
}

struct World {
    p: TestPorts,
    acc: String,
    buyer: String,
    other: String,
}

/// Company C1 (legal entity LE1, agreement AG1) with an accountant and a buyer; company C2 with an
/// admin; order O1 shipped by three vehicles with an invoice, three УПД and their PDFs.
fn world() -> World {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Push;
    p.now.set("2026-11-28T09:00:00Z".parse().unwrap());
    p.send_from_1c(vec![
        company("C1", "LE1", "AG1"),
        company("C2", "LE2", "AG2"),
    ]);
    p.send_from_1c(vec![
        msg("u1", "user", "U1", 1, json!({"company_id": "C1", "email": "acc@c1.ru", "full_name": "Бухгалтер", "roles": ["accountant"]})),
        msg("u2", "user", "U2", 1, json!({"company_id": "C1", "email": "buy@c1.ru", "full_name": "Закупщик", "roles": ["buyer"]})),
        msg("u3", "user", "U3", 1, json!({"company_id": "C2", "email": "adm@c2.ru", "full_name": "Админ", "roles": ["admin", "accountant"]})),
        order("O1", "C1", "LE1", "AG1", "ЗК-000101", json!([
            {"id": "S1", "number": "ОТ-1", "date": "2026-08-03T09:00:00", "vehicle": "А123ВС 93"},
            {"id": "S2", "number": "ОТ-2", "date": "2026-08-04T09:00:00", "vehicle": "В456ЕК 93"},
            {"id": "S3", "number": "ОТ-3", "date": "2026-08-05T09:00:00", "vehicle": "Е789КМ 93"},
        ])),
        order("O2", "C2", "LE2", "AG2", "ЗК-000202", json!([])),
    ]);
    let mut docs = vec![document(
        "D-INV1",
        "C1",
        "LE1",
        "invoice",
        "Счет на оплату",
        "СЧ-101",
        "2026-08-01T11:00:00",
        3000.0,
        &["O1"],
        None,
        file(
            "d-inv1.pdf",
            "Счет на оплату № СЧ-101 от 01.08.2026.pdf",
            30,
        ),
    )];
    upload(&p, "d-inv1.pdf", &pdf("СЧ-101"));
    for (i, s) in ["S1", "S2", "S3"].iter().enumerate() {
        let key = format!("d-upd{}.pdf", i + 1);
        let number = format!("УПД-10{}", i + 1);
        let bytes = pdf(&number);
        upload(&p, &key, &bytes);
        docs.push(document(
            &format!("D-UPD{}", i + 1),
            "C1",
            "LE1",
            "upd",
            "УПД",
            &number,
            &format!("2026-08-0{}T12:00:00", i + 3),
            1000.0,
            &["O1"],
            Some(s),
            // The same printed name twice: the ZIP must still hold both.
            file(
                &key,
                if i < 2 {
                    "УПД.pdf"
                } else {
                    "УПД № 103.pdf"
                },
                bytes.len(),
            ),
        ));
    }
    upload(&p, "d-c2.pdf", &pdf("C2"));
    docs.push(document(
        "D-C2",
        "C2",
        "LE2",
        "upd",
        "УПД",
        "УПД-900",
        "2026-08-10T12:00:00",
        500.0,
        &["O2"],
        None,
        file("d-c2.pdf", "УПД другой компании.pdf", 10),
    ));
    let r = p.send_from_1c(docs);
    assert!(
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["status"] == "accepted"),
        "{r}"
    );
    let acc = p.activate("acc@c1.ru");
    let buyer = p.activate("buy@c1.ru");
    let other = p.activate("adm@c2.ru");
    World {
        p,
        acc,
        buyer,
        other,
    }
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_document_from_1c_is_listed_at_once_and_filters_apply() {
    let w = world();
    let p = &w.p;
    let all = body(&get(p, "/api/documents/documents", &w.buyer));
    assert_eq!(ids(&all), ["УПД-103", "УПД-102", "УПД-101", "СЧ-101"]);
    let first = &all["items"][0];
    assert_eq!(first["kind_name"], "УПД");
    assert_eq!(first["upd_status"], 1);
    assert_eq!(first["edo_status"], "signed");
    assert_eq!(first["amount_kop"], 100000);
    assert_eq!(first["legal_entity"], "ООО C1");
    assert_eq!(first["orders"][0]["order_number"], "ЗК-000101");
    assert!(first["files"][0]["id"].as_str().unwrap().starts_with("fil"));
    assert!(
        first["files"][0].get("blob_key").is_none(),
        "storage keys never leave"
    );

    // A new document arrives while the goods are on the road: listed at once.
    upload(p, "d-upd4.pdf", &pdf("УПД-104"));
    p.send_from_1c(vec![document(
        "D-UPD4",
        "C1",
        "LE1",
        "upd",
        "УПД",
        "УПД-104",
        "2026-11-27T12:00:00",
        250.5,
        &["O1"],
        None,
        file("d-upd4.pdf", "УПД-104.pdf", 10),
    )]);
    let all = body(&get(p, "/api/documents/documents", &w.acc));
    assert_eq!(all["items"][0]["number"], "УПД-104");

    let q = |query: &str| {
        ids(&body(&get(
            p,
            &format!("/api/documents/documents?{query}"),
            &w.acc,
        )))
    };
    assert_eq!(q("kind=invoice"), ["СЧ-101"]);
    assert_eq!(q("from=2026-08-04&to=2026-08-05"), ["УПД-103", "УПД-102"]);
    assert_eq!(q("min_kop=25050&max_kop=25050"), ["УПД-104"]);
    assert_eq!(q("q=упд-10&limit=2").len(), 2);
    assert_eq!(q("order=000101").len(), 5);
    // Case does not matter: the fragment is folded in Rust (SQLite folds only ASCII).
    assert_eq!(q("order=зк-000101").len(), 5);
    assert_eq!(
        q("order=000202").len(),
        0,
        "another company's order number finds nothing"
    );
    // Pagination: the cursor continues where the page ended.
    let page = body(&get(p, "/api/documents/documents?limit=3", &w.acc));
    assert_eq!(ids(&page).len(), 3);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = body(&get(
        p,
        &format!("/api/documents/documents?limit=3&cursor={cursor}"),
        &w.acc,
    ));
    assert_eq!(ids(&rest), ["УПД-101", "СЧ-101"]);
    assert!(rest["next_cursor"].is_null());
    let bad = get(
        p,
        "/api/documents/documents?kind=act&from=01.08.2026",
        &w.acc,
    );
    assert_eq!(bad.status, 422);
    let fields: Vec<_> = body(&bad)["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["kind", "from"]);

    // The document page: lines as a table, totals, orders, shipment.
    let id = all["items"][1]["id"].as_str().unwrap();
    let d = body(&get(p, &format!("/api/documents/documents/{id}"), &w.acc));
    assert_eq!(d["document"]["number"], "УПД-103");
    assert_eq!(d["lines"][0]["quantity_milli"], 10000);
    assert_eq!(d["lines"][0]["price_kop"], 10000);
    assert_eq!(d["lines"][0]["amount_net_kop"], 100000 - 16667);
    assert_eq!(d["totals"]["vat_kop"], 16667);
    assert_eq!(d["shipment"]["vehicle"], "Е789КМ 93");
    // Another company's document is a 404, like a missing one.
    assert_eq!(
        get(p, &format!("/api/documents/documents/{id}"), &w.other).status,
        404
    );
    assert_eq!(
        get(p, "/api/documents/documents/doc_missing", &w.other).status,
        404
    );
    let theirs = body(&get(p, "/api/documents/documents", &w.other));
    assert_eq!(ids(&theirs), ["УПД-900"]);
}

#[test]
fn downloads_carry_the_russian_name_type_cache_and_etag_and_only_for_the_owner() {
    let w = world();
    let p = &w.p;
    let all = body(&get(p, "/api/documents/documents?kind=upd", &w.buyer));
    let f = &all["items"][0]["files"][0];
    let fid = f["id"].as_str().unwrap();
    let r = get(p, &format!("/api/documents/files/{fid}"), &w.buyer);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, pdf("УПД-103"));
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"_ _ 103.pdf\"; filename*=UTF-8''%D0%A3%D0%9F%D0%94%20%E2%84%96%20103.pdf")
    );
    assert_eq!(r.header("cache-control"), Some("private, max-age=3600"));
    let tag = r.header("etag").unwrap().to_string();
    let mut again = request(
        "GET",
        &format!("/api/documents/files/{fid}"),
        None,
        &w.buyer,
    );
    again.headers.push(("if-none-match".into(), tag));
    let r = block_on(shared::documents::api::handle(p, again));
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());

    // Another company: the real id, a guessed blob key, the 1C key: all the same 404.
    let nf = get(p, "/api/documents/files/fil_doesnotexist", &w.other);
    assert_eq!(nf.status, 404);
    for probe in [fid, "onec%2Fd-upd3.pdf", "d-upd3.pdf", "onec/d-upd3.pdf"] {
        let r = get(p, &format!("/api/documents/files/{probe}"), &w.other);
        assert_eq!(r.status, 404, "{probe}");
        assert_eq!(r.body, nf.body, "{probe}: identical to a missing one");
    }
    // The owner cannot reach a file by its storage key either: only portal ids.
    assert_eq!(
        get(p, "/api/documents/files/d-upd3.pdf", &w.buyer).status,
        404
    );
    // Signed out: 401.
    assert_eq!(
        get(p, &format!("/api/documents/files/{fid}"), "").status,
        401
    );
}

#[test]
fn a_multi_vehicle_order_has_its_full_set_and_one_zip() {
    let w = world();
    let p = &w.p;
    let o1 = order_id(p, "O1");
    let set = body(&get(p, &format!("/api/documents/orders/{o1}"), &w.buyer));
    assert_eq!(set["order"]["number"], "ЗК-000101");
    assert_eq!(set["shipments"].as_array().unwrap().len(), 3);
    let upds: Vec<_> = set["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "upd")
        .collect();
    assert_eq!(upds.len(), 3, "one УПД per vehicle");
    let by_shipment: Vec<_> = upds
        .iter()
        .map(|d| d["shipment_number"].as_str().unwrap())
        .collect();
    assert_eq!(by_shipment, ["ОТ-1", "ОТ-2", "ОТ-3"]);
    assert_eq!(set["file_count"], 4);

    let r = get(p, &format!("/api/documents/orders/{o1}/archive"), &w.buyer);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("application/zip"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("filename*=UTF-8''%D0%94%D0%BE%D0%BA"));
    check_zip(
        &r.body,
        &[
            "Счет на оплату № СЧ-101 от 01.08.2026.pdf",
            "УПД.pdf",
            "УПД (2).pdf",
            "УПД № 103.pdf",
        ],
    );

    // Another company's order: 404 for the set and the archive.
    assert_eq!(
        get(p, &format!("/api/documents/orders/{o1}"), &w.other).status,
        404
    );
    assert_eq!(
        get(p, &format!("/api/documents/orders/{o1}/archive"), &w.other).status,
        404
    );

    // The archive is tagged: the same set again is a 304 with no body.
    let tag = r.header("etag").unwrap().to_string();
    let mut again = request(
        "GET",
        &format!("/api/documents/orders/{o1}/archive"),
        None,
        &w.buyer,
    );
    again.headers.push(("if-none-match".into(), tag.clone()));
    let not_modified = block_on(shared::documents::api::handle(p, again));
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty() && !not_modified.body.is_stream());

    // Files uploaded before checksums were kept: the first archive computes and records them
    // (read through once), and is the same archive.
    let recorded = |p: &TestPorts| {
        block_on(p.db().all::<Value>(Stmt::new(
            "SELECT blob_key, size, crc32 FROM blob_checksums ORDER BY blob_key",
        )))
        .unwrap()
    };
    let before = recorded(p);
    assert!(
        before.len() >= 4,
        "uploads record their checksums: {before:?}"
    );
    block_on(p.db().exec(Stmt::new("DELETE FROM blob_checksums"))).unwrap();
    let backfilled = get(p, &format!("/api/documents/orders/{o1}/archive"), &w.buyer);
    assert_eq!(backfilled.status, 200);
    assert_eq!(&backfilled.body[..], &r.body[..]);
    assert_eq!(backfilled.header("etag"), Some(tag.as_str()));
    let after = recorded(p);
    assert!(after.len() >= 4);
    for row in &after {
        assert!(before.contains(row), "{row} as recorded at upload");
    }

    // Beyond the classic ZIP format (4 GiB) the archive is refused before anything is read.
    block_on(p.db().exec(Stmt::new(
        "UPDATE blob_checksums SET size = 3000000000 WHERE blob_key LIKE 'onec/d-upd%'",
    )))
    .unwrap();
    let r = get(p, &format!("/api/documents/orders/{o1}/archive"), &w.buyer);
    assert_eq!(r.status, 413);
    assert_eq!(body(&r)["type"], "/problems/archive-too-large");
}

/// Reads the archive back with `unzip` (listing and CRC test) where it is installed.
fn check_zip(bytes: &[u8], names: &[&str]) {
    let have_unzip = std::process::Command::new("unzip")
        .arg("-v")
        .output()
        .is_ok();
    if !have_unzip {
        eprintln!("note: unzip not installed: skipping the read-back of the ZIP");
        return;
    }
    let dir = std::env::temp_dir().join(format!("docs-zip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.zip", shared::ids::new_id("z")));
    std::fs::write(&path, bytes).unwrap();
    let t = std::process::Command::new("unzip")
        .arg("-t")
        .arg(&path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&t.stdout);
    assert!(t.status.success(), "unzip -t: {out}");
    assert!(out.contains("No errors detected"), "{out}");
    let l = std::process::Command::new("unzip")
        .arg("-Z1")
        .arg(&path)
        .output()
        .unwrap();
    let listed: Vec<String> = String::from_utf8_lossy(&l.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(listed, names);
    let c = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&path)
        .arg("УПД № 103.pdf")
        .output()
        .unwrap();
    assert_eq!(c.stdout, pdf("УПД-103"));
    std::fs::remove_file(&path).ok();
}

fn le_id(p: &TestPorts, onec: &str) -> String {
    #[derive(serde::Deserialize)]
    struct R {
        id: String,
    }
    block_on(
        p.db()
            .first::<R>(Stmt::new("SELECT id FROM legal_entities WHERE onec_id = ?").bind(onec)),
    )
    .unwrap()
    .unwrap()
    .id
}

#[test]
fn refused_periods_by_the_clock_and_who_may_request() {
    let w = world();
    let p = &w.p;
    let le = le_id(p, "LE1");
    let ask = |b: Value| post(p, "/api/documents/acts", b, &w.acc);
    let fields = |r: &ApiResponse| -> Vec<(String, String)> {
        body(r)["field_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().to_string(),
                    e["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // The clock says 28.11.2026 (Moscow): tomorrow is the future.
    let r = ask(
        json!({"legal_entity_id": le, "preset": "custom", "period_from": "2026-11-01", "period_to": "2026-11-29"}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(fields(&r), [("period_to".into(), "in-future".into())]);
    let mut en = request(
        "POST",
        "/api/documents/acts",
        Some(
            json!({"legal_entity_id": le, "period_from": "2022-01-01", "period_to": "2025-06-30"}),
        ),
        &w.acc,
    );
    en.headers.push(("accept-language".into(), "en".into()));
    let r = block_on(shared::documents::api::handle(p, en));
    assert_eq!(r.status, 422);
    assert_eq!(
        body(&r)["field_errors"][0]["message"],
        "An act covers at most 3 years."
    );
    let r =
        ask(json!({"legal_entity_id": le, "period_from": "2026-06-01", "period_to": "2026-05-01"}));
    assert_eq!(
        body(&r)["field_errors"][0]["message"],
        "Начало периода позже его конца."
    );
    // Another company's legal entity is not a choice.
    let r = ask(json!({"legal_entity_id": le_id(p, "LE2"), "preset": "last_quarter"}));
    assert_eq!(fields(&r), [("legal_entity_id".into(), "unknown".into())]);
    // Moving the clock makes the same period valid.
    p.now.set("2026-11-29T06:00:00Z".parse().unwrap());
    let acc = signed_in(p, "acc@c1.ru", PW);
    let ask = |b: Value| post(p, "/api/documents/acts", b, &acc);
    let r = ask(
        json!({"legal_entity_id": le, "preset": "custom", "period_from": "2026-11-01", "period_to": "2026-11-29"}),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    // Buyers do not request acts.
    let buyer = signed_in(p, "buy@c1.ru", PW);
    let r = post(
        p,
        "/api/documents/acts",
        json!({"legal_entity_id": le, "preset": "last_quarter"}),
        &buyer,
    );
    assert_eq!(r.status, 403);
    // Nothing was recorded for the refused ones: one request, one change, one audit row.
    let n = |sql: &'static str| -> i64 {
        #[derive(serde::Deserialize)]
        struct N {
            n: i64,
        }
        block_on(p.db().first::<N>(Stmt::new(sql)))
            .unwrap()
            .unwrap()
            .n
    };
    assert_eq!(n("SELECT count(*) AS n FROM act_requests"), 1);
    assert_eq!(
        n("SELECT count(*) AS n FROM outbox WHERE type = 'act.requested'"),
        1
    );
    assert_eq!(
        n("SELECT count(*) AS n FROM audit_log WHERE kind = 'act.requested'"),
        1
    );
}

#[test]
fn a_request_goes_to_1c_the_preliminary_act_shows_and_the_official_one_is_compared() {
    let w = world();
    let p = &w.p;
    let le = le_id(p, "LE1");
    // What the portal knows: an opening balance, a payment, a decreasing УКД.
    p.send_from_1c(vec![
        msg("ob1", "opening_balance", "OB1", 1, json!({"company_id": "C1", "legal_entity_id": "LE1", "agreement_id": "AG1", "date": "2026-07-01T00:00:00", "balance": 500})),
        msg("pay1", "payment", "PAY1", 1, json!({"company_id": "C1", "legal_entity_id": "LE1", "agreement_id": "AG1", "number": "ПП-7", "date": "2026-08-20T10:00:00", "amount": 1200, "allocations": [{"order_id": "O1", "amount": 1200}]})),
        document("D-UKD1", "C1", "LE1", "ukd", "УКД", "КР-1", "2026-09-10T10:00:00", -100.0, &["O1"], None, json!([])),
    ]);
    let r = post(
        p,
        "/api/documents/acts",
        json!({"legal_entity_id": le, "preset": "last_quarter"}),
        &w.acc,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let id = body(&r)["id"].as_str().unwrap().to_string();
    assert_eq!(body(&r)["period_from"], "2026-07-01");
    assert_eq!(body(&r)["period_to"], "2026-09-30");
    // Asking the same again sends nothing new.
    let again = post(
        p,
        "/api/documents/acts",
        json!({"legal_entity_id": le, "preset": "last_quarter"}),
        &w.acc,
    );
    assert_eq!(
        (again.status, body(&again)["id"].as_str().unwrap()),
        (200, id.as_str())
    );

    // Delivered to 1C as act.requested with the contract's payload.
    let report = block_on(shared::exchange::outbox::deliver_due(p)).unwrap();
    assert_eq!(report.accepted, 1);
    let sent = p.onec.received.borrow().last().cloned().unwrap();
    assert_eq!(sent["type"], "act.requested");
    assert_eq!(
        sent["payload"],
        json!({"company_id": "C1", "portal_id": id, "legal_entity_id": "LE1", "agreement_id": null, "period_from": "2026-07-01T00:00:00", "period_to": "2026-09-30T00:00:00"})
    );

    // Waiting, with the preliminary act: 500 + 3 УПД (3000) - payment 1200 - УКД 100.
    let v = body(&get(p, &format!("/api/documents/acts/{id}"), &w.acc));
    assert_eq!(v["status"], "waiting");
    assert_eq!(v["delivery"], "accepted");
    assert!(v["official"].is_null());
    let pre = &v["preliminary"];
    assert_eq!(pre["opening_kop"], 50000);
    assert_eq!(pre["debit_kop"], 300000);
    assert_eq!(pre["credit_kop"], 130000);
    assert_eq!(pre["closing_kop"], 50000 + 300000 - 130000);
    let docs: Vec<_> = pre["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["document_id"].as_str().unwrap())
        .collect();
    assert_eq!(docs, ["D-UPD1", "D-UPD2", "D-UPD3", "PAY1", "D-UKD1"]);
    let hist = body(&get(p, "/api/documents/acts", &w.acc));
    assert_eq!(hist["items"][0]["status"], "waiting");
    assert_eq!(hist["presets"]["last_quarter"]["from"], "2026-07-01");

    // 1C's act: it also counts a payment the portal has not seen and a different УКД amount.
    upload(p, "act1.pdf", &pdf("АС-1"));
    let ops = json!([
        {"date": "2026-08-03T00:00:00", "document": "Реализация УПД-101", "document_id": "D-UPD1", "debit": 1000, "credit": 0},
        {"date": "2026-08-04T00:00:00", "document": "Реализация УПД-102", "document_id": "D-UPD2", "debit": 1000, "credit": 0},
        {"date": "2026-08-05T00:00:00", "document": "Реализация УПД-103", "document_id": "D-UPD3", "debit": 1000, "credit": 0},
        {"date": "2026-08-20T00:00:00", "document": "Поступление ПП-7", "document_id": "PAY1", "debit": 0, "credit": 1200},
        {"date": "2026-09-10T00:00:00", "document": "Корректировка КР-1", "document_id": "D-UKD1", "debit": 0, "credit": 150},
        {"date": "2026-09-25T00:00:00", "document": "Поступление ПП-9", "document_id": "PAY9", "debit": 0, "credit": 300},
    ]);
    let r = p.send_from_1c(vec![msg("act1", "reconciliation_act", "ACT1", 1, json!({
        "company_id": "C1", "request_id": id, "legal_entity_id": "LE1", "number": "АС-1",
        "period_from": "2026-07-01T00:00:00", "period_to": "2026-09-30T00:00:00",
        "opening_balance": 500, "operations": ops, "debit_total": 3000, "credit_total": 1650, "closing_balance": 1850,
        "files": [{"key": "act1.pdf", "name": "Акт сверки АС-1.pdf", "content_type": "application/pdf", "size": 10}],
    }))]);
    assert_eq!(r["results"][0]["status"], "accepted", "{r}");
    let v = body(&get(p, &format!("/api/documents/acts/{id}"), &w.acc));
    assert_eq!(v["status"], "ready");
    assert_eq!(v["official"]["number"], "АС-1");
    assert_eq!(v["official"]["act"]["closing_kop"], 185000);
    let cmp = &v["comparison"];
    assert_eq!(cmp["equal"], false);
    let states: Vec<_> = cmp["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["same", "same", "same", "same", "differs", "not_in_portal"]
    );
    assert_eq!(cmp["operations"][4]["preliminary"]["credit_kop"], 10000);
    assert_eq!(
        cmp["balances"],
        json!({"opening_kop": 0, "debit_kop": 0, "credit_kop": 35000, "closing_kop": -35000})
    );
    // The act's PDF, only for the owner.
    let r = get(p, &format!("/api/documents/acts/{id}/files/1"), &w.acc);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, pdf("АС-1"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("filename*=UTF-8''%D0%90%D0%BA%D1%82"));
    assert_eq!(
        get(p, &format!("/api/documents/acts/{id}/files/2"), &w.acc).status,
        404
    );
    assert_eq!(
        get(p, &format!("/api/documents/acts/{id}/files/1"), &w.other).status,
        404
    );
    assert_eq!(
        get(p, &format!("/api/documents/acts/{id}"), &w.other).status,
        404
    );
    assert_eq!(get(p, "/api/documents/acts/ACT1", &w.other).status, 404);
    let hist = body(&get(p, "/api/documents/acts", &w.acc));
    assert_eq!(hist["items"][0]["status"], "ready");
    assert_eq!(hist["items"][0]["act_number"], "АС-1");
}

#[test]
fn a_refused_request_shows_1cs_reason_and_an_unasked_act_is_listed() {
    let w = world();
    let p = &w.p;
    let le = le_id(p, "LE1");
    let r = post(
        p,
        "/api/documents/acts",
        json!({"legal_entity_id": le, "preset": "last_year"}),
        &w.acc,
    );
    let id = body(&r)["id"].as_str().unwrap().to_string();
    p.onec.set("reject");
    *p.onec.reason.borrow_mut() = "За 2025 год акт уже подписан, запросите у менеджера".into();
    let report = block_on(shared::exchange::outbox::deliver_due(p)).unwrap();
    assert_eq!(report.rejected, 1);
    let v = body(&get(p, &format!("/api/documents/acts/{id}"), &w.acc));
    assert_eq!(v["status"], "rejected");
    assert_eq!(
        v["request"]["reason"],
        "За 2025 год акт уже подписан, запросите у менеджера"
    );
    // A new request for the same period is possible after a refusal.
    let r = post(
        p,
        "/api/documents/acts",
        json!({"legal_entity_id": le, "preset": "last_year"}),
        &w.acc,
    );
    assert_eq!(r.status, 201);

    // A manager sends an act nobody asked for: it appears in the history, opened by 1C's id.
    p.send_from_1c(vec![msg("act2", "reconciliation_act", "ACT2", 1, json!({
        "company_id": "C1", "request_id": null, "legal_entity_id": "LE1", "number": "АС-2",
        "period_from": "2026-01-01T00:00:00", "period_to": "2026-03-31T00:00:00",
        "opening_balance": 0, "operations": [], "debit_total": 0, "credit_total": 0, "closing_balance": 0,
    }))]);
    let hist = body(&get(p, "/api/documents/acts", &w.acc));
    let unasked = hist["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["act_number"] == "АС-2")
        .unwrap();
    assert_eq!(unasked["id"], "ACT2");
    let v = body(&get(p, "/api/documents/acts/ACT2", &w.acc));
    assert_eq!(v["status"], "ready");
    assert_eq!(v["comparison"]["equal"], true);
}
