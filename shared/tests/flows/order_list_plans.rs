//! Every query the order list can run (each filter alone, combinations, each sort, with and
//! without a cursor, the totals and the CSV) reads `orders` by `SEARCH` on an index whose first
//! column is `company_id`, never by `SCAN`: a company's list costs its own orders, not the
//! whole table. Checked twice: without statistics (production D1 may have no sqlite_stat1) and
//! after `ANALYZE` on a skewed distribution (one big company among many small ones).

use shared::orders::list::{csv_stmt, list_stmt, totals_stmt, Filters, Sort};
use shared::ports::{Database, Stmt};
use shared::testing::{request, TestPorts};

fn run(p: &TestPorts, sql: &str) -> Vec<shared::ports::Row> {
    futures::executor::block_on(p.db.run(Stmt::dynamic(sql.to_string())))
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .rows
}

/// One big company (`big`, 3,000 orders) among 200 small ones (20 orders each), 3 lines each.
fn seed(p: &TestPorts) {
    run(
        p,
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
         INSERT INTO companies (id, onec_id, name, updated_at)
         SELECT CASE i WHEN 0 THEN 'big' ELSE 'c' || i END, 'c1c-' || i, 'Компания ' || i, '2026-01-01T00:00:00Z' FROM n",
    );
    run(
        p,
        "INSERT INTO legal_entities (id, company_id, onec_id, name, updated_at)
         SELECT c.id || '-le' || k.k, c.id, c.id || '-le' || k.k, 'ООО ' || c.id, '2026-01-01T00:00:00Z'
         FROM companies c, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) k",
    );
    run(
        p,
        "INSERT INTO users (id, company_id, email, full_name, created_at, updated_at)
         SELECT c.id || '-u' || k.k, c.id, c.id || '-u' || k.k || '@x.demo', 'Сотрудник ' || k.k, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
         FROM companies c, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k",
    );
    run(
        p,
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 6999)
         INSERT INTO orders (id, company_id, onec_id, legal_entity_id, number, number_norm, ordered_at, author_user_id, status,
           payment_method, planned_shipping_date, total_kop, vat_kop, updated_at)
         SELECT 'o' || i, co, '1c-o' || i, co || '-le' || (i % 3), 'П-' || i, 'п-' || i,
           strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-01', '+' || (i * 9973 % 63072000) || ' seconds'),
           co || '-u' || (i % 4),
           CASE WHEN i % 10 < 6 THEN 'shipped' WHEN i % 10 = 6 THEN 'cancelled' WHEN i % 10 = 7 THEN 'paid'
                WHEN i % 10 = 8 THEN 'reserved' WHEN i % 20 = 9 THEN 'draft' ELSE 'awaiting_payment' END,
           'invoice', date('2025-01-05', '+' || (i * 7919 % 730) || ' days'), 1000 + i * 7877 % 9000000, 0, '2026-01-01T00:00:00Z'
         FROM (SELECT i, CASE WHEN i < 3000 THEN 'big' ELSE 'c' || (1 + (i - 3000) / 20) END AS co FROM n)",
    );
    run(
        p,
        "INSERT INTO order_lines (order_id, company_id, line_no, article, name, qty_milli, unit, price_kop, amount_kop, vat_kop, search)
         SELECT o.id, o.company_id, k.k, 'AR-' || (o.rowid * 31 + k.k) % 1000, 'Подшипник ' || k.k, 1000, 'шт', 100, 100, 0,
           'ar' || (o.rowid * 31 + k.k) % 1000 || ' подшипник ' || k.k
         FROM orders o, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) k",
    );
}

fn filters(query: &str) -> Filters {
    Filters::from_query(&request(
        "GET",
        &format!("/api/orders/orders?{query}"),
        None,
        "",
    ))
    .unwrap_or_else(|e| panic!("{query}: {e:?}"))
}

/// Every statement the API can produce for the list page and the CSV.
fn statements() -> Vec<(String, Stmt)> {
    let queries = [
        "",
        "from=2025-03-01&to=2025-05-31",
        "from=2025-03-01",
        "to=2025-05-31",
        "ship_from=2025-06-01&ship_to=2025-06-30",
        "ship_from=2025-06-01",
        "status=shipped",
        "status=draft,awaiting_payment,reserved",
        "legal_entity=big-le1",
        "author=big-u2",
        "q=AR-12",
        "q=подшипник",
        "number=12",
        "change=rejected",
        "change=rejected&status=awaiting_payment,reserved",
        "status=paid&from=2025-03-01&to=2025-05-31",
        "author=big-u1&status=shipped,cancelled&q=подш",
        "legal_entity=big-le0&ship_from=2025-06-01&number=1",
        "from=2025-01-01&to=2026-12-31&ship_from=2025-01-01&ship_to=2026-12-31&status=shipped&legal_entity=big-le0&author=big-u0&q=ar1&number=1",
    ];
    let sorts = ["date_desc", "date_asc", "amount_desc", "amount_asc"];
    let mut out = Vec::new();
    for q in queries {
        let f = filters(q);
        for s in sorts {
            let sort = Sort::parse(Some(s)).expect("sort");
            let key = if s.starts_with("amount") {
                "500000".to_string()
            } else {
                "2025-06-01T10:00:00Z".to_string()
            };
            out.push((
                format!("list ?{q} sort={s}"),
                list_stmt("big", &f, sort, None, 51),
            ));
            let cursor = (key, "o100".to_string());
            out.push((
                format!("list ?{q} sort={s} cursor"),
                list_stmt("big", &f, sort, Some(&cursor), 51),
            ));
        }
        out.push((format!("totals ?{q}"), totals_stmt("big", &f)));
        out.push((format!("csv ?{q}"), csv_stmt("big", &f)));
    }
    out
}

/// The plan's lines (`detail`) for a statement, with its real parameters bound.
fn plan(p: &TestPorts, stmt: &Stmt) -> Vec<String> {
    let mut explain = Stmt::dynamic(format!("EXPLAIN QUERY PLAN {}", stmt.sql));
    explain.params = stmt.params.clone();
    futures::executor::block_on(p.db.run(explain))
        .expect("explain")
        .rows
        .into_iter()
        .map(|r| r["detail"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn first_column(p: &TestPorts, index: &str) -> String {
    run(p, &format!("PRAGMA index_info('{index}')"))
        .into_iter()
        .find(|r| r["seqno"] == 0)
        .and_then(|r| r["name"].as_str().map(str::to_string))
        .unwrap_or_default()
}

fn check_all(p: &TestPorts, label: &str) {
    let mut failures = Vec::new();
    for (name, stmt) in statements() {
        let lines = plan(p, &stmt);
        let text = lines.join(" | ");
        // No full pass over a real table. A SCAN of json_each is the constant status list
        // (`?status=a,b`, at most 7 values) turned into an IN list, which is fine.
        let scans: Vec<&String> = lines
            .iter()
            .filter(|l| l.starts_with("SCAN") && !l.contains("json_each"))
            .collect();
        if !scans.is_empty() {
            failures.push(format!("{label} {name}: SCAN in plan: {text}"));
            continue;
        }
        // The orders access: SEARCH o USING [COVERING ]INDEX <idx> (company_id=? ...).
        let Some(access) = lines.iter().find(|l| l.starts_with("SEARCH o ")) else {
            failures.push(format!("{label} {name}: no SEARCH on orders: {text}"));
            continue;
        };
        let index = access
            .split("INDEX ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_default();
        if first_column(p, index) != "company_id" || !access.contains("(company_id=?") {
            failures.push(format!(
                "{label} {name}: orders not searched by company_id: {text}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_list_query_searches_orders_by_company() {
    let p = TestPorts::new();
    seed(&p);
    check_all(&p, "no stats:");
    run(&p, "ANALYZE");
    check_all(&p, "after ANALYZE:");
}

/// Prints the plans (`cargo test -p shared --test order_list_plans -- --ignored --nocapture`).
#[test]
#[ignore]
fn print_plans() {
    let p = TestPorts::new();
    seed(&p);
    run(&p, "ANALYZE");
    for (name, stmt) in statements() {
        println!("{name}\n  {}", plan(&p, &stmt).join("\n  "));
    }
}
