//! Catalogue imports in slices (shared::exchange::cml::import) on real SQLite: a generated
//! catalogue and offer package import to exactly the same rows whether in one slice or in many
//! tiny ones, a crash mid-slice or between slices resumes without duplicates, a slice run twice
//! (a redelivered message) applies once, and a file above the in-request size answers `progress`
//! until the queue consumer has finished it.

use crate::helpers::{cml_checkauth, text};
use futures::executor::block_on;
use shared::error::AppResult;
use shared::exchange::cml::import::{self, SliceLimits, SliceRun};
use shared::http::{ApiRequest, ApiResponse};
use shared::ports::{Database, DatabaseExt, Ports, Stmt, StmtResult};
use shared::testing::TestPorts;
use std::cell::Cell;

fn call<P: Ports>(p: &P, method: &str, query: &str, cookie: &str, body: Vec<u8>) -> ApiResponse {
    let req = ApiRequest {
        method: method.into(),
        path: "/exchange/1c/commerceml".into(),
        query: query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        headers: vec![("cookie".into(), cookie.to_string())],
        body,
        ..Default::default()
    };
    block_on(shared::exchange::api::handle(p, req))
}

/// Uploads `bytes` as 1C does, in chunks of `chunk` bytes.
fn upload<P: Ports>(p: &P, cookie: &str, name: &str, bytes: &[u8], chunk: usize) {
    for part in bytes.chunks(chunk) {
        let r = call(
            p,
            "POST",
            &format!("type=catalog&mode=file&filename={name}"),
            cookie,
            part.to_vec(),
        );
        assert_eq!(text(&r), "success\n");
    }
}

/// The session id of a cookie (the key prefix of its files).
fn session_of<P: Ports>(p: &P, name: &str) -> String {
    #[derive(serde::Deserialize)]
    struct S {
        session: String,
    }
    block_on(
        p.db()
            .first::<S>(Stmt::new("SELECT session FROM cml_files WHERE name = ?").bind(name)),
    )
    .unwrap()
    .unwrap()
    .session
}

/// `n` products; the offers: each product's own (two price types, stock at two warehouses),
/// and for every third product two characteristics without names of their own (`guid#guid`),
/// whose prices and stock attach to the product (stock adds up).
fn catalogue(n: usize) -> (String, String) {
    let mut import = String::from(
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_210\" ВерсияСхемы=\"2.10\">\r\n\
         <Классификатор><Ид>cl</Ид><Наименование>Классификатор</Наименование><Группы>",
    );
    for g in 0..20 {
        import.push_str(&format!(
            "<Группа><Ид>grp-{g}</Ид><Наименование>Группа «{g}»</Наименование></Группа>"
        ));
    }
    import.push_str("</Группы></Классификатор>\r\n<Каталог СодержитТолькоИзменения=\"false\"><Ид>cat</Ид><Товары>\r\n");
    let mut offers = String::from(
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_210\" ВерсияСхемы=\"2.10\">\r\n\
         <ПакетПредложений СодержитТолькоИзменения=\"false\"><ТипыЦен>\
         <ТипЦены><Ид>pt-opt</Ид><Наименование>Оптовая</Наименование></ТипЦены>\
         <ТипЦены><Ид>pt-roz</Ид><Наименование>Розничная</Наименование></ТипЦены></ТипыЦен>\r\n<Предложения>\r\n",
    );
    for i in 0..n {
        import.push_str(&format!(
            "\t<Товар><Ид>g-{i:06}</Ид><Артикул>AZ-{i}</Артикул><Наименование>Подшипник №{i} «МТЗ» &amp; Ко</Наименование>\
             <БазоваяЕдиница Код=\"796\">шт</БазоваяЕдиница><Группы><Ид>grp-{}</Ид></Группы></Товар>\r\n",
            i % 20
        ));
        offers.push_str(&format!(
            "\t<Предложение><Ид>g-{i:06}</Ид><Наименование>Подшипник №{i}</Наименование><Цены>\
             <Цена><ИдТипаЦены>pt-opt</ИдТипаЦены><ЦенаЗаЕдиницу>{}.{:02}</ЦенаЗаЕдиницу></Цена>\
             <Цена><ИдТипаЦены>pt-roz</ИдТипаЦены><ЦенаЗаЕдиницу>{} {:03},50</ЦенаЗаЕдиницу></Цена></Цены>\
             <Остатки><Остаток><Склад><Ид>w1</Ид><Количество>{}</Количество></Склад></Остаток>\
             <Остаток><Склад><Ид>w2</Ид><Количество>{}.250</Количество></Склад></Остаток></Остатки></Предложение>\r\n",
            100 + i,
            i % 100,
            1 + i % 9,
            i % 1000,
            i % 13,
            i % 5
        ));
        if i % 3 == 0 {
            for c in 0..2 {
                offers.push_str(&format!(
                    "\t<Предложение><Ид>g-{i:06}#ch-{c}</Ид><Цены><Цена><ИдТипаЦены>pt-opt</ИдТипаЦены><ЦенаЗаЕдиницу>{}</ЦенаЗаЕдиницу></Цена></Цены>\
                     <Количество>{}</Количество></Предложение>\r\n",
                    200 + i + c,
                    c + 1
                ));
            }
        }
    }
    import.push_str("</Товары></Каталог></КоммерческаяИнформация>\r\n");
    offers.push_str("</Предложения></ПакетПредложений></КоммерческаяИнформация>\r\n");
    (import, offers)
}

/// Everything the import wrote, in a form two imports can be compared by.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct Imported {
    products: i64,
    prices: i64,
    price_total: i64,
    stock_rows: i64,
    stock_total: i64,
    digest: Option<String>,
    price_types: Option<String>,
}

fn imported<P: Ports>(p: &P) -> Imported {
    let q = "SELECT (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM product_prices) AS prices, \
               (SELECT coalesce(sum(price_kop), 0) FROM product_prices) AS price_total, (SELECT count(*) FROM product_stock) AS stock_rows, \
               (SELECT coalesce(sum(qty_milli), 0) FROM product_stock) AS stock_total, \
               (SELECT group_concat(x, ';') FROM (SELECT p.onec_id || '|' || p.name || '|' || coalesce(pp.price_kop, '') || '|' || coalesce(pt.onec_id, '') || '|' || coalesce(s.qty_milli, '') AS x \
                  FROM products p LEFT JOIN product_prices pp ON pp.product_id = p.id LEFT JOIN price_types pt ON pt.id = pp.price_type_id \
                  LEFT JOIN product_stock s ON s.product_id = p.id ORDER BY x)) AS digest, \
               (SELECT group_concat(onec_id || '=' || name, ';') FROM (SELECT * FROM price_types ORDER BY onec_id)) AS price_types";
    block_on(p.db().first::<Imported>(Stmt::new(q)))
        .unwrap()
        .unwrap()
}

/// Uploads both files (in chunks of `chunk` bytes) and imports each with `limits`, slice by
/// slice, as the consumer would. Returns the number of slices.
fn import_all<P: Ports>(p: &P, limits: SliceLimits, chunk: usize, n: usize) -> usize {
    let (products, offers) = catalogue(n);
    let cookie = cml_checkauth(p, "catalog");
    let mut slices = 0;
    for (name, xml) in [("import.xml", products), ("offers.xml", offers)] {
        upload(p, &cookie, name, xml.as_bytes(), chunk);
        let job = block_on(import::start(
            p,
            &session_of(p, name),
            name,
            xml.len() as i64,
        ))
        .unwrap();
        loop {
            slices += 1;
            match block_on(import::run_slice(p, &job, limits)).unwrap() {
                SliceRun::Advanced { .. } => {}
                SliceRun::Finished => break,
                other => panic!("{name}: {other:?}"),
            }
        }
    }
    slices
}

const ONE_GO: SliceLimits = SliceLimits {
    max_items: u64::MAX,
    window: u64::MAX,
};

#[test]
fn sliced_imports_equal_one_go() {
    let n = 300;
    let whole = TestPorts::new();
    assert_eq!(import_all(&whole, ONE_GO, 1 << 20, n), 2);
    let expected = imported(&whole);
    assert_eq!(expected.products, n as i64);
    // Each product: two prices and a stock row per warehouse of its own offer; a product with
    // characteristics (every third) one more: their quantities, a total without a warehouse.
    assert_eq!(
        (expected.prices, expected.stock_rows),
        (2 * n as i64, 2 * n as i64 + n as i64 / 3)
    );
    assert_eq!(
        expected.price_types.as_deref(),
        Some("pt-opt=Оптовая;pt-roz=Розничная")
    );
    for (limits, chunk) in [
        (
            SliceLimits {
                max_items: 7,
                window: 4000,
            },
            5000,
        ),
        (
            SliceLimits {
                max_items: 1,
                window: 3000,
            },
            1777,
        ),
        (
            SliceLimits {
                max_items: 1000,
                window: 2500,
            },
            100_000,
        ),
    ] {
        let sliced = TestPorts::new();
        let slices = import_all(&sliced, limits, chunk, n);
        assert!(slices > 40, "{limits:?}: {slices} slices");
        assert_eq!(imported(&sliced), expected, "{limits:?}, chunks of {chunk}");
        // Memory flat with the file: every slice reads at most its window.
        let (reads, bytes) = sliced.blobs.1.get();
        assert!(
            reads >= slices as u64 && bytes <= slices as u64 * limits.window,
            "{reads} ranged reads of {bytes} bytes in {slices} slices"
        );
    }
}

#[test]
fn importing_the_same_offers_again_changes_nothing() {
    let p = TestPorts::new();
    let limits = SliceLimits {
        max_items: 5,
        window: 3000,
    };
    import_all(&p, limits, 4096, 60);
    let first = imported(&p);
    import_all(&p, limits, 4096, 60);
    assert_eq!(
        imported(&p),
        first,
        "stock of characteristics is not added to the previous import's"
    );
}

/// A database that fails the `fail_at`-th batch (counting from 1), as a crash mid-slice would.
struct Flaky {
    inner: TestPorts,
    batches: Cell<usize>,
    fail_at: Cell<usize>,
    /// Before the next slice's batch, another consumer runs the same slice to its end.
    race: Cell<bool>,
}

impl Database for Flaky {
    async fn run(&self, stmt: Stmt) -> AppResult<StmtResult> {
        self.inner.db.run(stmt).await
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<StmtResult>> {
        let n = self.batches.get() + 1;
        self.batches.set(n);
        if n == self.fail_at.get() {
            return Err(shared::AppError::unavailable("the isolate went away"));
        }
        if self.race.replace(false) {
            let job = stmts[0].params[0].clone();
            let shared::ports::SqlValue::Text(job) = job else {
                panic!("the guard comes first")
            };
            assert!(matches!(
                import::run_slice(&self.inner, &job, LIMITS).await.unwrap(),
                SliceRun::Advanced { .. }
            ));
        }
        self.inner.db.batch(stmts).await
    }
}

impl Ports for Flaky {
    type Db = Flaky;
    type Mail = shared::testing::MemMail;
    type Queue = shared::testing::MemQueue;
    type Blobs = shared::testing::MemBlobs;
    type Http = shared::testing::FakeOnec;
    fn db(&self) -> &Flaky {
        self
    }
    fn mailer(&self) -> &Self::Mail {
        &self.inner.mail
    }
    fn queue(&self) -> &Self::Queue {
        &self.inner.queue
    }
    fn blobs(&self) -> &Self::Blobs {
        &self.inner.blobs
    }
    fn http(&self) -> &Self::Http {
        &self.inner.onec
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.now()
    }
    fn config(&self) -> &shared::config::Config {
        &self.inner.config
    }
}

const LIMITS: SliceLimits = SliceLimits {
    max_items: 4,
    window: 3000,
};

fn flaky() -> Flaky {
    Flaky {
        inner: TestPorts::new(),
        batches: Cell::new(0),
        fail_at: Cell::new(0),
        race: Cell::new(false),
    }
}

/// Uploads the offers and starts their import; returns the job.
fn start_offers(p: &Flaky, n: usize) -> String {
    start_offers_signed_in(p, n).0
}

/// [`start_offers`], with the session's cookie.
fn start_offers_signed_in(p: &Flaky, n: usize) -> (String, String) {
    let (_, offers) = catalogue(n);
    let cookie = cml_checkauth(p, "catalog");
    upload(p, &cookie, "offers.xml", offers.as_bytes(), 2048);
    let job = block_on(import::start(
        p,
        &session_of(p, "offers.xml"),
        "offers.xml",
        offers.len() as i64,
    ))
    .unwrap();
    (job, cookie)
}

fn reference(n: usize) -> Imported {
    let p = TestPorts::new();
    let (_, offers) = catalogue(n);
    let cookie = cml_checkauth(&p, "catalog");
    upload(&p, &cookie, "offers.xml", offers.as_bytes(), 1 << 20);
    let job = block_on(import::start(
        &p,
        &session_of(&p, "offers.xml"),
        "offers.xml",
        offers.len() as i64,
    ))
    .unwrap();
    assert_eq!(
        block_on(import::run_slice(&p, &job, ONE_GO)).unwrap(),
        SliceRun::Finished
    );
    imported(&p)
}

#[test]
fn a_crash_mid_slice_or_between_slices_resumes_without_duplicates() {
    let n = 90;
    let expected = reference(n);
    let p = flaky();
    let job = start_offers(&p, n);
    // Three slices, then the fourth slice's batch fails: nothing of it is written.
    let before = p.batches.get();
    p.fail_at.set(before + 4);
    for _ in 0..3 {
        assert!(matches!(
            block_on(import::run_slice(&p, &job, LIMITS)).unwrap(),
            SliceRun::Advanced { .. }
        ));
    }
    let at_crash = imported(&p);
    assert!(block_on(import::run_slice(&p, &job, LIMITS)).is_err());
    assert_eq!(imported(&p), at_crash, "a failed slice leaves no rows");
    // The consumer died between slices and its queue message is lost: the import stalls until
    // the sweeper (or 1C's next poll) wakes it.
    assert_eq!(
        block_on(import::sweep_stalled(&p)).unwrap(),
        0,
        "not stalled yet"
    );
    p.inner
        .advance(chrono::Duration::seconds(import::STALL_SECS + 1));
    assert_eq!(block_on(import::sweep_stalled(&p)).unwrap(), 1);
    assert_eq!(p.inner.queue.2.borrow().as_slice(), [job.clone()]);
    // The woken consumer runs it to the end (budget allowing, enqueueing itself meanwhile).
    loop {
        let next = p.inner.queue.2.borrow_mut().pop();
        let Some(j) = next else { break };
        block_on(import::run_queued(&p, &j)).unwrap();
    }
    let row = block_on(import::load(&p, &job)).unwrap().unwrap();
    assert_eq!(row.status, "done", "{row:?}");
    assert_eq!(imported(&p), expected);
}

#[test]
fn a_slice_run_twice_applies_once() {
    let n = 60;
    let expected = reference(n);
    let p = flaky();
    let job = start_offers(&p, n);
    assert!(matches!(
        block_on(import::run_slice(&p, &job, LIMITS)).unwrap(),
        SliceRun::Advanced { .. }
    ));
    // Two consumers read the same checkpoint; the other one writes first.
    p.race.set(true);
    assert_eq!(
        block_on(import::run_slice(&p, &job, LIMITS)).unwrap(),
        SliceRun::Stale
    );
    loop {
        match block_on(import::run_slice(&p, &job, LIMITS)).unwrap() {
            SliceRun::Advanced { .. } => {}
            SliceRun::Finished => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(imported(&p), expected, "no stock counted twice");
}

#[test]
fn a_file_uploaded_again_mid_import_stops_the_old_import() {
    let p = flaky();
    // The same session sends the name again (every checkauth is a session of its own).
    let (job, cookie) = start_offers_signed_in(&p, 30);
    assert!(matches!(
        block_on(import::run_slice(&p, &job, LIMITS)).unwrap(),
        SliceRun::Advanced { .. }
    ));
    upload(&p, &cookie, "offers.xml", b"<KommerceML/>", 2048);
    assert_eq!(
        block_on(import::run_slice(&p, &job, LIMITS)).unwrap(),
        SliceRun::Stale
    );
}

/// A catalogue above the in-request size, through the protocol: `progress` while the queue
/// consumer works, then `success`; a poll after a lost message wakes the import again.
#[test]
fn a_large_file_imports_in_the_queue_while_1c_polls() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let n = 40_000;
    let (products, _) = catalogue(n);
    assert!(
        products.len() as i64 > shared::exchange::cml::SYNC_IMPORT_BYTES,
        "{} bytes",
        products.len()
    );
    upload(
        &p,
        &cookie,
        "import0_1.xml",
        products.as_bytes(),
        shared::exchange::cml::FILE_LIMIT,
    );
    let poll = || {
        text(&call(
            &p,
            "GET",
            "type=catalog&mode=import&filename=import0_1.xml",
            &cookie,
            vec![],
        ))
    };
    let first = poll();
    assert!(
        first.starts_with("progress\nproducts: 0 so far, 0% of"),
        "{first}"
    );
    assert_eq!(p.queue.2.borrow().len(), 1, "enqueued once");
    // One invocation's worth, then the message is lost.
    let job = p.queue.2.borrow_mut().pop().unwrap();
    assert!(
        block_on(import::run_queued(&p, &job)).unwrap(),
        "more than one invocation's work"
    );
    p.queue.2.borrow_mut().clear();
    let mid = poll();
    assert!(
        mid.starts_with("progress\nproducts: ") && !mid.contains(" 0 so far"),
        "{mid}"
    );
    assert!(
        p.queue.2.borrow().is_empty(),
        "a recent import is not woken"
    );
    p.advance(chrono::Duration::seconds(import::STALL_SECS + 1));
    poll();
    let mut invocations = 1;
    loop {
        let next = p.queue.2.borrow_mut().pop();
        let Some(j) = next else { break };
        block_on(import::run_queued(&p, &j)).unwrap();
        invocations += 1;
    }
    assert!(invocations >= 3, "{invocations} invocations");
    assert_eq!(poll(), format!("success\nproducts: {n}\n"));
    assert_eq!(imported(&p).products, n as i64);
}
