//! 1C's stock CommerceML catalogue exchange through the portal's handler, on the real fixtures:
//! checkauth (Basic), init, file in chunks (each its own blob), import.

use crate::helpers::{cml_checkauth, count, text};
use futures::executor::block_on;
use shared::http::{ApiRequest, ApiResponse};
use shared::testing::TestPorts;
use std::path::PathBuf;

fn fixtures() -> Option<PathBuf> {
    shared::testing::commerceml_fixtures()
}

pub(crate) fn call(
    p: &TestPorts,
    method: &str,
    query: &str,
    headers: Vec<(&str, String)>,
    body: Vec<u8>,
) -> ApiResponse {
    let req = ApiRequest {
        method: method.into(),
        path: "/exchange/1c/commerceml".into(),
        query: query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        headers: headers
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        body,
        origin: "http://127.0.0.1:8787".into(),
        ..Default::default()
    };
    block_on(shared::exchange::api::handle(p, req))
}

/// Signs in as 1C does and returns the cookie header.
/// Uploads a file in chunks of `chunk` bytes (as 1C does with file_limit) and imports it.
pub(crate) fn send_file(
    p: &TestPorts,
    cookie: &str,
    path: &std::path::Path,
    upload_name: &str,
    chunk: usize,
) -> String {
    let bytes = std::fs::read(path).unwrap();
    for part in bytes.chunks(chunk) {
        let r = call(
            p,
            "POST",
            &format!("type=catalog&mode=file&filename={upload_name}"),
            vec![("cookie", cookie.to_string())],
            part.to_vec(),
        );
        assert_eq!(text(&r), "success\n");
    }
    let name = shared::exchange::cml::file_path(upload_name).expect("a good name");
    text(&call(
        p,
        "GET",
        &format!("type=catalog&mode=import&filename={name}"),
        vec![("cookie", cookie.to_string())],
        vec![],
    ))
}

#[test]
fn refuses_without_credentials() {
    let p = TestPorts::new();
    let r = call(
        &p,
        "GET",
        "type=catalog&mode=checkauth",
        vec![("authorization", "Basic bm86bm8=".into())],
        vec![],
    );
    assert_eq!((r.status, text(&r).lines().next()), (401, Some("failure")));
    let r = call(&p, "GET", "type=catalog&mode=init", vec![], vec![]);
    assert_eq!(r.status, 401);
    let r = call(
        &p,
        "GET",
        "type=catalog&mode=init",
        vec![("cookie", "portal_cml=123.abc".into())],
        vec![],
    );
    assert_eq!(r.status, 401);
}

#[test]
fn a_3_1_catalogue_imports_products_prices_and_stock() {
    let Some(dir) = fixtures() else { return };
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let init = text(&call(
        &p,
        "GET",
        "type=catalog&mode=init",
        vec![("cookie", cookie.clone())],
        vec![],
    ));
    assert!(init.starts_with("zip=yes\nfile_limit="), "{init}");
    let d = dir.join("v3.1-bitrix-module");
    // Windows paths and a webdata/ prefix, as real 1C sends them; small chunks joined again.
    let r = send_file(
        &p,
        &cookie,
        &d.join("import.xml"),
        r"C:\1c\webdata\import.xml",
        4096,
    );
    assert_eq!(r, "success\nproducts: 21\n");
    assert_eq!(count(&p, "SELECT count(*) AS n FROM products"), 21);
    let r = send_file(
        &p,
        &cookie,
        &d.join("offers.xml"),
        "webdata/offers.xml",
        10_000,
    );
    assert!(r.starts_with("success\noffers: 86"), "{r}");
    let r = send_file(&p, &cookie, &d.join("prices.xml"), "prices.xml", 1 << 20);
    assert!(r.starts_with("success\noffers: 86, prices: 86"), "{r}");
    let r = send_file(&p, &cookie, &d.join("rests.xml"), "rests.xml", 1 << 20);
    assert!(
        r.starts_with("success\noffers: 86, prices: 0, stock rows: 1032"),
        "{r}"
    );
    // Every offer had a name in offers.xml, so each carries its own price and stock: per
    // warehouse, 12 each (xmllint: count(//Остаток[Склад]) = 1032).
    assert_eq!(count(&p, "SELECT count(*) AS n FROM product_prices"), 86);
    assert_eq!(count(&p, "SELECT count(*) AS n FROM product_stock"), 1032);
    // The total of prices.xml (xmllint: sum of ЦенаЗаЕдиницу = 3 908 763.73) arrives exact.
    assert_eq!(
        count(&p, "SELECT sum(price_kop) AS n FROM product_prices"),
        390_876_373
    );
    // Importing the same file again changes nothing.
    send_file(&p, &cookie, &d.join("prices.xml"), "prices.xml", 1 << 20);
    assert_eq!(
        count(&p, "SELECT sum(price_kop) AS n FROM product_prices"),
        390_876_373
    );
    assert_eq!(
        text(&call(
            &p,
            "GET",
            "type=catalog&mode=complete",
            vec![("cookie", cookie)],
            vec![]
        )),
        "success\n"
    );
}

#[test]
fn a_file_that_is_not_commerceml_fails_with_a_reason() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let r = call(
        &p,
        "POST",
        "type=catalog&mode=file&filename=import.xml",
        vec![("cookie", cookie.clone())],
        b"<html><body>oops".to_vec(),
    );
    assert_eq!(text(&r), "success\n");
    let r = text(&call(
        &p,
        "GET",
        "type=catalog&mode=import&filename=import.xml",
        vec![("cookie", cookie)],
        vec![],
    ));
    assert!(r.starts_with("failure\n"), "{r}");
}
