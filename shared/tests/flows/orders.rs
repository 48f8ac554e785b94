//! Orders through the same handlers the Workers call, on real SQLite: every filter of the list,
//! sort and keyset pages, totals, CSV, the order page, catalogue search with Cyrillic folding,
//! cancellation with the credit reserve released at once and restored if 1C refuses.

use crate::helpers::{body, msg, orders, pull_and_answer};
use futures::executor::block_on;
use serde_json::{json, Value};
use shared::testing::{request, TestPorts};

#[allow(clippy::too_many_arguments)]
fn order(
    id: &str,
    company: &str,
    le: &str,
    date: &str,
    status: &str,
    author: &str,
    article: &str,
    name: &str,
    total: f64,
    method: &str,
) -> Value {
    msg(
        &format!("m-{id}"),
        "order",
        id,
        1,
        json!({
            "company_id": company, "legal_entity_id": le, "agreement_id": format!("{company}-AG"), "number": format!("ЗК-{id}"), "date": date,
            "author_email": author, "status": status, "payment_method": method, "total": total, "vat_total": 0, "planned_shipping_date": "2026-12-01",
            "lines": [{"line_no": 1, "article": article, "name": name, "quantity": 1, "unit": "шт", "price": total, "amount": total, "vat": 0}]
        }),
    )
}

pub(crate) fn seeded() -> (TestPorts, String, String) {
    let mut p = TestPorts::new();
    p.config.onec_delivery = shared::config::Delivery::Pull;
    let company = |id: &str| {
        msg(
            &format!("c-{id}"),
            "company",
            id,
            1,
            json!({"name": id, "legal_entities": [{"id": format!("{id}-LE1"), "name": "ООО Один"}, {"id": format!("{id}-LE2"), "name": "ООО Два"}],
        "agreements": [{"id": format!("{id}-AG"), "legal_entity_id": format!("{id}-LE1"), "name": "Договор", "credit_limit": 100000, "deferral_days": 30, "price_type": {"id": "PT1", "name": "Опт"}}]}),
        )
    };
    p.send_from_1c(vec![company("A"), company("B")]);
    p.send_from_1c(vec![
        msg("u1", "user", "UA1", 1, json!({"company_id": "A", "email": "ivanov@a.ru", "full_name": "Иванов", "roles": ["buyer"]})),
        msg("u2", "user", "UA2", 1, json!({"company_id": "A", "email": "petrov@a.ru", "full_name": "Петров", "roles": ["accountant"]})),
        msg("u3", "user", "UB1", 1, json!({"company_id": "B", "email": "b@b.ru", "full_name": "Бэ", "roles": ["admin"]})),
        msg("p1", "product", "P1", 1, json!({"article": "AZ-100.01", "name": "Подшипник ёлочный МТЗ-82", "unit": "шт", "vat_rate": 20,
            "prices": [{"price_type": {"id": "PT1", "name": "Опт"}, "price": 1234.5}], "stock": [{"warehouse": "Краснодар", "quantity": 3}, {"warehouse": "Ростов", "quantity": 2.5}]})),
        msg("p2", "product", "P2", 1, json!({"article": "BX-7", "name": "Ремень приводной", "unit": "шт", "vat_rate": 20, "prices": []})),
    ]);
    p.send_from_1c(vec![
        order(
            "O1",
            "A",
            "A-LE1",
            "2026-11-01T10:00:00",
            "awaiting_payment",
            "ivanov@a.ru",
            "AZ-100.01",
            "Подшипник ёлочный",
            500.0,
            "credit",
        ),
        order(
            "O2",
            "A",
            "A-LE2",
            "2026-11-10T10:00:00",
            "shipped",
            "petrov@a.ru",
            "BX-7",
            "Ремень приводной",
            1500.0,
            "invoice",
        ),
        order(
            "O3",
            "A",
            "A-LE1",
            "2026-11-20T23:30:00",
            "paid",
            "petrov@a.ru",
            "=cmd",
            "Фильтр",
            100.0,
            "invoice",
        ),
        order(
            "OB",
            "B",
            "B-LE1",
            "2026-11-15T10:00:00",
            "shipped",
            "b@b.ru",
            "AZ-100.01",
            "Подшипник",
            999.0,
            "invoice",
        ),
    ]);
    p.send_from_1c(vec![msg("cs", "credit_state", "A-AG", 1, json!({"company_id": "A", "agreement_id": "A-AG", "as_of": "2026-11-27T18:00:00",
        "limit": 100000, "debt": 0, "overdue_debt": 0, "reserve": 500, "reserve_orders": ["O1"], "blocked": false, "amount_to_pay": 0}))]);
    let a = p.activate("ivanov@a.ru");
    let b = p.activate("b@b.ru");
    (p, a, b)
}

fn numbers(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_list_filters_sorts_pages_and_totals_the_company_orders() {
    let (p, a, b) = seeded();
    let all = body(&orders(&p, "GET", "/api/orders/orders", None, &a));
    assert_eq!(
        numbers(&all),
        ["ЗК-O3", "ЗК-O2", "ЗК-O1"],
        "newest first, only company A"
    );
    assert_eq!(
        all["totals"],
        json!({"count": 3, "total_kop": 210000, "paid_kop": 0})
    );
    assert_eq!(
        numbers(&body(&orders(&p, "GET", "/api/orders/orders", None, &b))),
        ["ЗК-OB"]
    );
    let q = |query: &str| {
        numbers(&body(&orders(
            &p,
            "GET",
            &format!("/api/orders/orders?{query}"),
            None,
            &a,
        )))
    };
    assert_eq!(q("status=shipped,paid"), ["ЗК-O3", "ЗК-O2"]);
    // 23:30 Moscow on 20 Nov is still the 20th; `to` is inclusive.
    assert_eq!(q("from=2026-11-10&to=2026-11-20"), ["ЗК-O3", "ЗК-O2"]);
    assert_eq!(q("to=2026-11-19"), ["ЗК-O2", "ЗК-O1"]);
    assert_eq!(q("q=az100"), ["ЗК-O1"], "article key, punctuation ignored");
    assert_eq!(
        q("q=ЕЛОЧНЫЙ"),
        ["ЗК-O1"],
        "name, Cyrillic case and ё folded"
    );
    assert_eq!(q("number=o2"), ["ЗК-O2"]);
    let le2 = body(&orders(&p, "GET", "/api/orders/orders?q=ремень", None, &a))["items"][0]
        ["legal_entity"]
        .clone();
    assert_eq!(le2, "ООО Два");
    assert_eq!(q("sort=amount_desc"), ["ЗК-O2", "ЗК-O1", "ЗК-O3"]);
    // Keyset pages cover everything once.
    let first = body(&orders(
        &p,
        "GET",
        "/api/orders/orders?sort=amount_asc&limit=2",
        None,
        &a,
    ));
    assert_eq!(numbers(&first), ["ЗК-O3", "ЗК-O1"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders?sort=amount_asc&limit=2&cursor={cursor}"),
        None,
        &a,
    ));
    assert_eq!(numbers(&second), ["ЗК-O2"]);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(
        orders(&p, "GET", "/api/orders/orders?status=lost", None, &a).status,
        422
    );
    assert_eq!(
        orders(&p, "GET", "/api/orders/orders?from=01.11.2026", None, &a).status,
        422
    );
    // CSV of the filtered set: BOM, Russian formats, formulas neutralised.
    let csv = orders(&p, "GET", "/api/orders/orders.csv?status=paid", None, &a);
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(
        text.contains("ЗК-O3;;20.11.2026 23:30;оплачен;ООО Один;Петров;100,00;0,00;01.12.2026\r\n"),
        "{text}"
    );
}

#[test]
fn the_order_page_and_another_companys_order() {
    let (p, a, b) = seeded();
    let id = body(&orders(&p, "GET", "/api/orders/orders?q=az100", None, &a))["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders/{id}"),
        None,
        &a,
    ));
    assert_eq!(page["order"]["number"], "ЗК-O1");
    assert_eq!(page["lines"][0]["article"], "AZ-100.01");
    assert_eq!(page["can_cancel"], true);
    assert_eq!(
        orders(&p, "GET", &format!("/api/orders/orders/{id}"), None, &b).status,
        404
    );
}

#[test]
fn catalogue_search_by_article_or_name_with_price_and_stock() {
    let (p, a, _) = seeded();
    let r = body(&orders(
        &p,
        "GET",
        "/api/orders/catalog?q=az%20100",
        None,
        &a,
    ));
    assert_eq!(r["items"][0]["article"], "AZ-100.01");
    assert_eq!(r["items"][0]["price_kop"], 123450);
    assert_eq!(r["items"][0]["stock_milli"], 5500);
    let r = body(&orders(
        &p,
        "GET",
        "/api/orders/catalog?q=%D0%95%D0%9B%D0%9E%D0%A7",
        None,
        &a,
    )); // "ЕЛОЧ"
    assert_eq!(r["items"][0]["name"], "Подшипник ёлочный МТЗ-82");
    let r = body(&orders(
        &p,
        "GET",
        "/api/orders/catalog?q=%D1%80%D0%B5%D0%BC%D0%B5%D0%BD%D1%8C%20%D0%BF%D1%80%D0%B8%D0%B2",
        None,
        &a,
    )); // "ремень прив"
    assert_eq!(r["items"][0]["article"], "BX-7");
    assert_eq!(
        r["items"][0]["price_kop"],
        Value::Null,
        "no price for this price type"
    );
    assert_eq!(
        orders(&p, "GET", "/api/orders/catalog?q=a", None, &a).status,
        400
    );
}

fn reserve(p: &TestPorts, c: &str) -> i64 {
    let r = block_on(shared::finance::api::handle(
        p,
        request("GET", "/api/finance/credit", None, c),
    ));
    body(&r)["agreements"][0]["local_reserve_kop"]
        .as_i64()
        .unwrap()
}

#[test]
fn cancelling_releases_the_credit_reserve_at_once_and_a_refusal_restores_it() {
    let (p, a, _) = seeded();
    let acc = p.activate("petrov@a.ru");
    let list = body(&orders(&p, "GET", "/api/orders/orders", None, &a));
    let o1 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["number"] == "ЗК-O1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let o2 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["number"] == "ЗК-O2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders/{o1}"),
        None,
        &a,
    ));
    let v = page["order"]["version"].as_i64().unwrap();
    // Shipped orders cannot be cancelled; stale versions are refused with the fresh order.
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o2}/cancellation"),
        Some(json!({"version": 1})),
        &a,
    );
    assert_eq!(body(&r)["code"], "not-cancellable");
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o1}/cancellation"),
        Some(json!({"version": v + 5})),
        &a,
    );
    assert_eq!(r.status, 409);
    assert_eq!(body(&r)["current"]["number"], "ЗК-O1");
    // An accountant may not cancel orders.
    assert_eq!(
        orders(
            &p,
            "POST",
            &format!("/api/orders/orders/{o1}/cancellation"),
            Some(json!({"version": v})),
            &acc
        )
        .status,
        403
    );

    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o1}/cancellation"),
        Some(json!({"version": v, "reason": "Передумали"})),
        &a,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(reserve(&p, &acc), -50000, "released at once");
    assert_eq!(
        orders(
            &p,
            "POST",
            &format!("/api/orders/orders/{o1}/cancellation"),
            Some(json!({"version": v})),
            &a
        )
        .status,
        409,
        "one change at a time"
    );
    let page = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders/{o1}"),
        None,
        &a,
    ));
    assert_eq!(page["change"]["state"], "waiting");
    assert_eq!(page["history"][0]["kind"], "order.cancel_requested");
    assert_eq!(
        body(&orders(&p, "GET", "/api/orders/orders?number=o1", None, &a))["items"][0]
            ["changes_waiting"],
        1
    );

    // 1C refuses: the reserve is back, the reason shows.
    let sent = pull_and_answer(&p, "rejected", "Уже собран на складе");
    assert_eq!(sent[0]["type"], "order.cancelled");
    assert_eq!(sent[0]["payload"]["reason"], "Передумали");
    assert_eq!(reserve(&p, &acc), 0);
    let page = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders/{o1}"),
        None,
        &a,
    ));
    assert_eq!(page["change"]["state"], "rejected");
    assert_eq!(page["change"]["reason"], "Уже собран на складе");
    // The list flags it and filters by it (the home page's "to do"): only the refused one.
    let refused = body(&orders(
        &p,
        "GET",
        "/api/orders/orders?change=rejected",
        None,
        &a,
    ));
    let ids: Vec<&str> = refused["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, vec![o1.as_str()]);
    assert_eq!(refused["items"][0]["change_rejected"], 1);
    assert_eq!(refused["totals"]["count"], 1);
    let all = body(&orders(&p, "GET", "/api/orders/orders", None, &a));
    assert!(all["items"].as_array().expect("items").len() > 1);
    assert!(all["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|o| (o["id"] == o1.as_str()) == (o["change_rejected"] == 1)));
    assert_eq!(
        orders(&p, "GET", "/api/orders/orders?change=waiting", None, &a).status,
        422
    );
}

#[test]
fn switching_to_credit_checks_and_reserves_the_available_credit() {
    let (p, a, _) = seeded();
    let acc = p.activate("petrov@a.ru");
    p.send_from_1c(vec![
        order(
            "O4",
            "A",
            "A-LE1",
            "2026-11-21T10:00:00",
            "awaiting_payment",
            "ivanov@a.ru",
            "X-1",
            "Сеялка",
            200000.0,
            "invoice",
        ),
        order(
            "O5",
            "A",
            "A-LE1",
            "2026-11-22T10:00:00",
            "awaiting_payment",
            "ivanov@a.ru",
            "X-2",
            "Нож",
            300.0,
            "invoice",
        ),
    ]);
    let find = |n: &str| {
        let l = body(&orders(
            &p,
            "GET",
            &format!("/api/orders/orders?number={n}"),
            None,
            &a,
        ));
        (
            l["items"][0]["id"].as_str().unwrap().to_string(),
            body(&orders(
                &p,
                "GET",
                &format!(
                    "/api/orders/orders/{}",
                    l["items"][0]["id"].as_str().unwrap()
                ),
                None,
                &a,
            ))["order"]["version"]
                .as_i64()
                .unwrap(),
        )
    };
    let (o4, v4) = find("o4");
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o4}/payment-method"),
        Some(json!({"version": v4, "payment_method": "credit"})),
        &a,
    );
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["code"], "credit-insufficient");
    assert_eq!(
        body(&r)["shortfall_kop"],
        20000000 - 9950000,
        "limit 100,000 minus 1C's reserve of 500"
    );
    let (o5, v5) = find("o5");
    assert_eq!(
        body(&orders(
            &p,
            "POST",
            &format!("/api/orders/orders/{o5}/payment-method"),
            Some(json!({"version": v5, "payment_method": "card"})),
            &a
        ))["code"],
        "use-card-payment"
    );
    // An urgent-shipment request is a boolean or nothing.
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o5}/payment-method"),
        Some(json!({"version": v5, "payment_method": "credit", "ship_today": "yes"})),
        &a,
    );
    assert!(matches!(r.status, 400 | 422), "{}", r.status);
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{o5}/payment-method"),
        Some(json!({"version": v5, "payment_method": "credit"})),
        &a,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(reserve(&p, &acc), 30000, "reserved at once");
    let sent = pull_and_answer(&p, "rejected", "Уже собран на складе");
    assert_eq!(
        sent[0]["payload"],
        json!({"company_id": "A", "order_id": "O5", "payment_method": "credit", "amount": 300, "ship_today": false})
    );
    assert_eq!(reserve(&p, &acc), 0, "1C refused: the reserve is undone");
}

#[test]
fn editing_lines_delivery_date_and_consignee_goes_to_1c_checked() {
    let (p, a, _) = seeded();
    p.send_from_1c(vec![
        order("O6", "A", "A-LE1", "2026-11-23T10:00:00", "awaiting_payment", "ivanov@a.ru", "AZ-100.01", "Подшипник", 1234.5, "invoice"),
        msg("cal", "shipping_calendar", "main", 1, json!({"from": "2026-11-28", "to": "2026-12-31", "days_off": ["2026-12-05", "2026-12-06"]})),
        msg("k1", "consignee", "K1", 1, json!({"company_id": "A", "name": "Склад Кореновск", "address": "Кореновск"})),
    ]);
    let l = body(&orders(&p, "GET", "/api/orders/orders?number=o6", None, &a));
    let id = l["items"][0]["id"].as_str().unwrap().to_string();
    let v = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders/{id}"),
        None,
        &a,
    ))["order"]["version"]
        .as_i64()
        .unwrap();
    let path = format!("/api/orders/orders/{id}");
    // A day off, an unknown article and a bad quantity: all named at once.
    let r = orders(
        &p,
        "PATCH",
        &path,
        Some(json!({"version": v, "planned_shipping_date": "2026-12-05",
        "lines": [{"article": "az 100.01", "quantity": "2"}, {"article": "NOPE-1", "quantity": 1}, {"article": "BX-7", "quantity": "-1"}]})),
        &a,
    );
    assert_eq!(r.status, 422);
    let fields: Vec<String> = body(&r)["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["field"].as_str().unwrap(),
                f["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            "lines[1].article:unknown-article",
            "lines[2].quantity:invalid-quantity",
            "planned_shipping_date:not-a-shipping-day"
        ]
    );
    // The consignee must be the company's.
    let consignees = body(&block_on(shared::company::api::handle(
        &p,
        request("GET", "/api/company/consignees", None, &a),
    )));
    let k1 = consignees["items"][0]["id"].as_str().unwrap().to_string();
    let r = orders(
        &p,
        "PATCH",
        &path,
        Some(
            json!({"version": v, "planned_shipping_date": "2026-12-04", "consignee_id": k1, "delivery_method": "delivery",
        "lines": [{"article": "az 100.01", "quantity": "2,5"}]}),
        ),
        &a,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        orders(
            &p,
            "PATCH",
            &path,
            Some(json!({"version": v, "delivery_method": "pickup"})),
            &a
        )
        .status,
        409,
        "one change at a time"
    );
    let sent = pull_and_answer(&p, "accepted", "Уже собран на складе");
    let change = &sent[0];
    assert_eq!(change["type"], "order.changed");
    assert_eq!(change["base_version"], v);
    // The full new state of what the client edits, amounts and quantities as JSON numbers.
    assert_eq!(
        change["payload"],
        json!({"company_id": "A", "order_id": "O6", "delivery_method": "delivery", "delivery_address": null, "consignee_id": "K1", "consignee_portal_id": k1,
            "planned_shipping_date": "2026-12-04T00:00:00", "total": 3086.25,
            "lines": [{"line_no": 1, "product_id": "P1", "article": "AZ-100.01", "name": "Подшипник ёлочный МТЗ-82", "unit": "шт",
                "quantity": 2.5, "price": 1234.5, "amount": 3086.25, "vat_rate": 20}]}),
        "2.5 x 1234.50"
    );
    // Only the date changes: the lines the order has go along (1C rewrites its order from the
    // change, never merges a diff).
    let r = orders(
        &p,
        "PATCH",
        &path,
        Some(json!({"version": v, "planned_shipping_date": "2026-12-07"})),
        &a,
    );
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let sent = pull_and_answer(&p, "accepted", None);
    let pl = &sent[0]["payload"];
    assert_eq!(pl["planned_shipping_date"], "2026-12-07T00:00:00");
    assert_eq!(pl["total"], json!(1234.5));
    assert_eq!(pl["lines"].as_array().map(Vec::len), Some(1), "{pl}");
    assert_eq!(pl["lines"][0]["quantity"], json!(1));
    assert_eq!(pl["lines"][0]["price"], json!(1234.5));
    assert_eq!(pl["lines"][0]["article"], "AZ-100.01");
    assert!(pl.get("delivery_method").is_some() && pl.get("consignee_id").is_some(), "{pl}");

    // Pasted lines: found ones ready to send, unknown articles and unreadable lines reported.
    let r = body(&orders(
        &p,
        "POST",
        "/api/orders/pasted-lines",
        Some(json!({"text": "AZ-100.01;3\nZZZ-9;1\nчепуха"})),
        &a,
    ));
    assert_eq!(r["lines"][0]["article"], "AZ-100.01");
    assert_eq!(r["unknown_articles"], json!(["ZZZ-9"]));
    assert_eq!(r["unreadable_lines"], json!([3]));

    // Consolidation of two unshipped orders; a shipped one is refused.
    let ids: Vec<String> = body(&orders(&p, "GET", "/api/orders/orders", None, &a))["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] != "shipped" && o["status"] != "cancelled")
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        orders(
            &p,
            "POST",
            "/api/orders/consolidations",
            Some(json!({"orders": ids[..2]})),
            &a
        )
        .status,
        202
    );
    let shipped = body(&orders(
        &p,
        "GET",
        "/api/orders/orders?status=shipped",
        None,
        &a,
    ))["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = orders(
        &p,
        "POST",
        "/api/orders/consolidations",
        Some(json!({"orders": [ids[0].clone(), shipped]})),
        &a,
    );
    assert_eq!(body(&r)["field_errors"][0]["code"], "not-consolidatable");
}

#[test]
fn repeating_an_order_creates_a_draft_at_todays_prices_that_1c_links() {
    let (p, a, _) = seeded();
    p.send_from_1c(vec![msg("o7", "order", "O7", 1, json!({
        "company_id": "A", "legal_entity_id": "A-LE1", "agreement_id": "A-AG", "number": "ЗК-O7", "date": "2026-06-01T10:00:00", "status": "shipped",
        "payment_method": "invoice", "total": 2100, "vat_total": 0,
        "lines": [{"line_no": 1, "product_id": "P1", "article": "AZ-100.01", "name": "Подшипник", "quantity": 2, "unit": "шт", "price": 1000, "amount": 2000, "vat": 0},
                  {"line_no": 2, "product_id": "P2", "article": "BX-7", "name": "Ремень", "quantity": 1, "unit": "шт", "price": 100, "amount": 100, "vat": 0}]
    }))]);
    let old = body(&orders(&p, "GET", "/api/orders/orders?number=o7", None, &a))["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = orders(
        &p,
        "POST",
        &format!("/api/orders/orders/{old}/repeat"),
        None,
        &a,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let new = body(&r);
    assert_eq!(new["total_kop"], 246900, "2 x 1234.50 today, not 1000 then");
    assert_eq!(
        new["skipped"],
        json!(["BX-7"]),
        "no price on the agreement today"
    );
    let id = new["id"].as_str().unwrap().to_string();
    let page = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders/{id}"),
        None,
        &a,
    ));
    assert_eq!(page["order"]["status"], "draft");
    assert_eq!(page["lines"].as_array().unwrap().len(), 1);
    let sent = pull_and_answer(&p, "accepted", "Уже собран на складе");
    assert_eq!(sent[0]["type"], "order.created");
    // The legal entity and agreement of the repeated order go along: 1C needs both for its
    // ЗаказКлиента.
    assert_eq!(
        sent[0]["payload"],
        json!({"company_id": "A", "portal_id": id, "number": new["number"], "repeats": "O7",
            "legal_entity_id": "A-LE1", "agreement_id": "A-AG", "payment_method": "invoice",
            "delivery_method": null, "delivery_address": null, "consignee_id": null, "planned_shipping_date": null,
            "total": 2469,
            "lines": [{"line_no": 1, "product_id": "P1", "article": "AZ-100.01", "name": "Подшипник", "unit": "шт",
                "quantity": 2, "price": 1234.5, "amount": 2469, "vat_rate": 20}]})
    );
    // 1C registers it under its own id and sends the snapshot back naming the portal's id.
    p.send_from_1c(vec![msg("o8", "order", "1C-777", 1, json!({
        "company_id": "A", "portal_id": id, "legal_entity_id": "A-LE1", "agreement_id": "A-AG", "number": "ЗК-777", "date": "2026-11-28T12:00:00", "status": "awaiting_payment",
        "payment_method": "invoice", "total": 2469, "vat_total": 0,
        "lines": [{"line_no": 1, "product_id": "P1", "article": "AZ-100.01", "name": "Подшипник", "quantity": 2, "unit": "шт", "price": 1234.5, "amount": 2469, "vat": 0}]
    }))]);
    let page = body(&orders(
        &p,
        "GET",
        &format!("/api/orders/orders/{id}"),
        None,
        &a,
    ));
    assert_eq!(
        page["order"]["number"], "ЗК-777",
        "same order, now known to 1C"
    );
    assert_eq!(page["order"]["onec_id"], "1C-777");
    assert_eq!(
        body(&orders(
            &p,
            "GET",
            "/api/orders/orders?number=777",
            None,
            &a
        ))["totals"]["count"],
        1
    );
}

#[test]
fn repeating_an_order_without_an_agreement_sends_the_agreement_its_prices_came_from() {
    let (p, a, _) = seeded();
    // 1C sent this order without an agreement: the repeat is priced by the company's agreement,
    // and that agreement (with its legal entity) is what 1C is told.
    p.send_from_1c(vec![msg("o9", "order", "O9", 1, json!({
        "company_id": "A", "legal_entity_id": "A-LE1", "number": "ЗК-O9", "date": "2026-06-01T10:00:00", "status": "shipped",
        "payment_method": "invoice", "total": 1000, "vat_total": 0,
        "lines": [{"line_no": 1, "product_id": "P1", "article": "AZ-100.01", "name": "Подшипник", "quantity": 1, "unit": "шт", "price": 1000, "amount": 1000, "vat": 0}]
    }))]);
    let old = body(&orders(&p, "GET", "/api/orders/orders?number=o9", None, &a))["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = orders(&p, "POST", &format!("/api/orders/orders/{old}/repeat"), None, &a);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let sent = pull_and_answer(&p, "accepted", None);
    assert_eq!(sent[0]["type"], "order.created");
    assert_eq!(sent[0]["payload"]["agreement_id"], "A-AG");
    assert_eq!(sent[0]["payload"]["legal_entity_id"], "A-LE1");
}

#[test]
fn repeating_an_order_under_a_typical_agreement_sends_the_orders_legal_entity() {
    let (p, _, _) = seeded();
    // A typical agreement names no legal entity: the repeated order's goes to 1C with it.
    p.send_from_1c(vec![msg("ct", "company", "T", 1, json!({"name": "T",
        "legal_entities": [{"id": "T-LE1", "name": "ООО Т1"}, {"id": "T-LE2", "name": "ООО Т2"}],
        "agreements": [{"id": "TA", "kind": "typical", "name": "Типовое", "credit_limit": 0, "deferral_days": 0,
            "price_type": {"id": "PT1", "name": "Опт"}}]}))]);
    p.send_from_1c(vec![
        msg("ut", "user", "UT1", 1, json!({"company_id": "T", "email": "t@t.ru", "full_name": "Тэ", "roles": ["buyer"]})),
        msg("ot", "order", "OT", 1, json!({
            "company_id": "T", "legal_entity_id": "T-LE2", "agreement_id": "TA", "number": "ЗК-OT", "date": "2026-06-01T10:00:00", "status": "shipped",
            "payment_method": "invoice", "total": 1000, "vat_total": 0,
            "lines": [{"line_no": 1, "product_id": "P1", "article": "AZ-100.01", "name": "Подшипник", "quantity": 1, "unit": "шт", "price": 1000, "amount": 1000, "vat": 0}]
        })),
    ]);
    let t = p.activate("t@t.ru");
    let old = body(&orders(&p, "GET", "/api/orders/orders?number=ot", None, &t))["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = orders(&p, "POST", &format!("/api/orders/orders/{old}/repeat"), None, &t);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let sent = pull_and_answer(&p, "accepted", None);
    let created = sent.iter().find(|c| c["type"] == "order.created").expect("order.created");
    assert_eq!(created["payload"]["agreement_id"], "TA");
    assert_eq!(created["payload"]["legal_entity_id"], "T-LE2");
}

#[test]
fn a_repeat_draft_shows_todays_prices_and_stock_flags_unavailable_lines_and_places_the_reviewed_order(
) {
    let (p, a, b) = seeded();
    // P3 is sold and priced but out of stock today.
    p.send_from_1c(vec![msg("p3", "product", "P3", 1, json!({"article": "CC-3", "name": "Фильтр", "unit": "шт", "vat_rate": 20,
        "prices": [{"price_type": {"id": "PT1", "name": "Опт"}, "price": 10}], "stock": []}))]);
    p.send_from_1c(vec![msg("od", "order", "OD", 1, json!({
        "company_id": "A", "legal_entity_id": "A-LE1", "agreement_id": "A-AG", "number": "ЗК-OD", "date": "2026-06-01T10:00:00", "status": "shipped",
        "payment_method": "invoice", "total": 2110, "vat_total": 0,
        "lines": [{"line_no": 1, "product_id": "P1", "article": "AZ-100.01", "name": "Подшипник", "quantity": 2, "unit": "шт", "price": 1000, "amount": 2000, "vat": 0},
                  {"line_no": 2, "product_id": "P2", "article": "BX-7", "name": "Ремень", "quantity": 1, "unit": "шт", "price": 100, "amount": 100, "vat": 0},
                  {"line_no": 3, "product_id": "P3", "article": "CC-3", "name": "Фильтр", "quantity": 1, "unit": "шт", "price": 10, "amount": 10, "vat": 0}]
    }))]);
    let old = body(&orders(&p, "GET", "/api/orders/orders?number=od", None, &a))["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/orders/orders/{old}/repeat-draft");
    let d = body(&orders(&p, "GET", &path, None, &a));
    let lines = d["lines"].as_array().unwrap();
    assert_eq!(lines[0]["price_kop"], 123450, "today's price, not 1000 then");
    assert_eq!(lines[0]["was_price_kop"], 100000);
    assert_eq!(lines[0]["stock_milli"], 5500);
    assert_eq!(lines[0]["available"], true);
    assert_eq!(lines[1]["available"], false);
    assert_eq!(lines[1]["reason"], "unpriced");
    assert_eq!(lines[2]["reason"], "out_of_stock");
    assert_eq!(d["total_kop"], 246900, "only what can be ordered");
    // Nothing was created by looking.
    assert_eq!(
        body(&orders(&p, "GET", "/api/orders/orders?status=draft", None, &a))["totals"]["count"],
        0
    );
    // Another company's order is not found.
    assert_eq!(orders(&p, "GET", &path, None, &b).status, 404);
    // An unavailable line is refused with a pointer; an unknown field is refused.
    let r = orders(&p, "POST", &path, Some(json!({"lines": [{"line_no": 1, "quantity": "1"}, {"line_no": 2, "quantity": "1"}]})), &a);
    assert_eq!(r.status, 422);
    assert_eq!(body(&r)["field_errors"][0]["field"], "lines[1].line_no");
    assert_eq!(body(&r)["field_errors"][0]["code"], "line-unavailable");
    let r = orders(&p, "POST", &path, Some(json!({"lines": [{"line_no": 1, "quantity": "1", "price": 1}]})), &a);
    assert_eq!(r.status, 422);
    // The reviewed quantity goes to 1C at today's price.
    let r = orders(&p, "POST", &path, Some(json!({"lines": [{"line_no": 1, "quantity": "3"}]})), &a);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(body(&r)["total_kop"], 370350);
    let sent = pull_and_answer(&p, "accepted", None);
    assert_eq!(sent[0]["type"], "order.created");
    assert_eq!(sent[0]["payload"]["repeats"], "OD");
    assert_eq!(sent[0]["payload"]["lines"][0]["quantity"], 3);
    assert_eq!(sent[0]["payload"]["lines"].as_array().unwrap().len(), 1);
}
