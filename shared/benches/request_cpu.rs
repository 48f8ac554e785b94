//! CPU time of the heaviest requests, measured natively: `wrangler dev` cannot report a Worker's
//! CPU time, so the same handlers run here, single-threaded, over a copy of the benchmark's D1
//! file (native SQLite, file warm in the page cache), and each request's time is split into the
//! time inside SQLite (in production that runs in D1, outside the Worker's CPU limit) and the
//! rest: the handler's own work (session check, validation, JSON, CSV), which is what the
//! Worker pays. Native code is faster than the same code in wasm; docs/benchmarks.md says by how
//! much that was measured.
//!
//! Usage: [ONLY=name-part] cargo bench -p shared --bench request_cpu -- DB_COPY EMAIL PASSWORD [REPEATS]
//! DB_COPY is written to (sign-in stores sessions): give it a copy, never the stack's file.

use shared::http::ApiResponse;
use shared::sqlite::SqliteDb;
use shared::testing::{cookies_from, request, TestPorts};
use std::time::{Duration, Instant};

type Handler = fn(&TestPorts, shared::http::ApiRequest) -> ApiResponse;

fn on(f: impl std::future::Future<Output = ApiResponse>) -> ApiResponse {
    futures::executor::block_on(f)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [db, email, password, ..] = args.as_slice() else {
        eprintln!("usage: request_cpu DB_COPY EMAIL PASSWORD [REPEATS]");
        std::process::exit(2);
    };
    let repeats: u32 = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(50);
    let mut p = TestPorts {
        db: SqliteDb::open(std::path::Path::new(db)).expect("open the database copy"),
        ..TestPorts::new()
    };
    // Repeated sign-ins of one account would be throttled: raised, as for the load benchmark.
    p.config.throttle_account_max = 1_000_000;
    p.config.throttle_ip_max = 1_000_000;
    // The clock of the data set (orders over two years before 2026-11-28).
    p.now.set("2026-11-28T09:00:00Z".parse().expect("time"));

    let sign_in = || {
        on(shared::auth::api::handle(
            &p,
            request(
                "POST",
                "/api/auth/sign-in",
                Some(serde_json::json!({"email": email, "password": password})),
                "",
            ),
        ))
    };
    let signed = sign_in();
    assert_eq!(
        signed.status,
        200,
        "sign-in: {}",
        String::from_utf8_lossy(&signed.body)
    );
    let cookies = cookies_from(&signed);

    let get = |h: Handler, path: &str| h(&p, request("GET", path, None, &cookies));
    let orders: Handler = |p, r| on(shared::orders::api::handle(p, r));
    let finance: Handler = |p, r| on(shared::finance::api::handle(p, r));
    let documents: Handler = |p, r| on(shared::documents::api::handle(p, r));

    // Ids and values from the data itself.
    let list = get(orders, "/api/orders/orders?limit=50");
    let list: serde_json::Value = serde_json::from_slice(&list.body).expect("list json");
    let order_id = list["items"][0]["id"]
        .as_str()
        .unwrap_or("none")
        .to_string();
    let docs = get(documents, "/api/documents/documents");
    let docs: serde_json::Value = serde_json::from_slice(&docs.body).unwrap_or_default();
    let doc_id = docs["items"][0]["id"]
        .as_str()
        .unwrap_or("none")
        .to_string();

    let cases: Vec<(&str, Handler, String, u32)> = vec![
        (
            "order list, no filter",
            orders,
            "/api/orders/orders".into(),
            repeats,
        ),
        (
            "order list, status=shipped",
            orders,
            "/api/orders/orders?status=shipped".into(),
            repeats,
        ),
        (
            "order list, q=article part",
            orders,
            "/api/orders/orders?q=agr-00123".into(),
            repeats,
        ),
        (
            "order list, amount_desc",
            orders,
            "/api/orders/orders?sort=amount_desc".into(),
            repeats,
        ),
        (
            "order page",
            orders,
            format!("/api/orders/orders/{order_id}"),
            repeats,
        ),
        (
            "orders CSV (whole company)",
            orders,
            "/api/orders/orders.csv".into(),
            repeats.div_ceil(10),
        ),
        (
            "catalog search",
            orders,
            "/api/orders/catalog?q=подшипник".into(),
            repeats,
        ),
        (
            "credit panel",
            finance,
            "/api/finance/credit".into(),
            repeats,
        ),
        (
            "payment schedule",
            finance,
            "/api/finance/schedule".into(),
            repeats,
        ),
        (
            "document list",
            documents,
            "/api/documents/documents".into(),
            repeats,
        ),
        (
            "document page",
            documents,
            format!("/api/documents/documents/{doc_id}"),
            repeats,
        ),
    ];

    println!("| request | status | bytes | total ms | in SQLite ms | handler ms (Worker CPU) |");
    println!("|---|---:|---:|---:|---:|---:|");
    // ONLY=text measures just the cases whose name contains it (for a profiler).
    let only = std::env::var("ONLY").unwrap_or_default();
    let measure = |name: &str, n: u32, mut f: Box<dyn FnMut() -> ApiResponse + '_>| {
        if !name.contains(only.as_str()) {
            return;
        }
        f(); // warm: statement plans, page cache
        let (sql0, t0) = (p.db.time_in_sqlite(), Instant::now());
        let mut last = None;
        for _ in 0..n {
            last = Some(f());
        }
        let total = t0.elapsed() / n;
        let sql = (p.db.time_in_sqlite() - sql0) / n;
        let r = last.expect("ran");
        if r.status >= 500 {
            eprintln!(
                "{name}: {} {:?}",
                String::from_utf8_lossy(&r.body),
                r.log.error
            );
        }
        println!(
            "| {name} | {} | {} | {:.2} | {:.2} | {:.2} |",
            r.status,
            r.body.len(),
            ms(total),
            ms(sql),
            ms(total.saturating_sub(sql))
        );
    };
    measure(
        "sign-in (PBKDF2-SHA256, 100,000 rounds)",
        repeats.div_ceil(10).max(3),
        Box::new(sign_in),
    );
    for (name, h, path, n) in cases {
        measure(name, n, Box::new(move || get(h, &path)));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
