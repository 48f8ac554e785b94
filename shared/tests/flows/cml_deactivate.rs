//! The end of a catalogue exchange (issue 18): a full exchange (`СодержитТолькоИзменения` not
//! true) deactivates what it did not list at `mode=complete`, `mode=deactivate&timestamp=` (the
//! timestamp `checkauth` answered, as on the Bitrix site) what no file of the exchange touched,
//! and neither deactivates anything while a file of the exchange failed.

use crate::cml_exchange::{call, send_file};
use crate::helpers::text;
use base64::Engine;
use futures::executor::block_on;
use shared::ports::{DatabaseExt, Stmt};
use shared::testing::TestPorts;
use std::path::{Path, PathBuf};

/// Signs in as 1C does: the cookie header and the `timestamp=` line.
fn checkauth(p: &TestPorts) -> (String, i64) {
    let basic = base64::engine::general_purpose::STANDARD.encode("1c:cml-test-password");
    let t = text(&call(
        p,
        "GET",
        "type=catalog&mode=checkauth",
        vec![("authorization", format!("Basic {basic}"))],
        vec![],
    ));
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "success", "{t}");
    let ts = lines
        .iter()
        .find_map(|l| l.strip_prefix("timestamp="))
        .unwrap_or_else(|| panic!("checkauth answers a timestamp: {t}"))
        .parse()
        .unwrap();
    (format!("{}={}", lines[1], lines[2]), ts)
}

fn get(p: &TestPorts, cookie: &str, query: &str) -> String {
    text(&call(
        p,
        "GET",
        query,
        vec![("cookie", cookie.to_string())],
        vec![],
    ))
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cml-deactivate-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn file(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

/// An import.xml listing `ids`, full or changes only.
fn import_xml(ids: &[&str], only_changes: Option<bool>) -> String {
    let attr = only_changes.map_or(String::new(), |c| {
        format!(" СодержитТолькоИзменения=\"{c}\"")
    });
    let goods: String = ids
        .iter()
        .map(|id| format!("<Товар><Ид>{id}</Ид><Артикул>A-{id}</Артикул><Наименование>Товар {id}</Наименование></Товар>"))
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"2.08\"><Каталог{attr}><Товары>{goods}</Товары></Каталог></КоммерческаяИнформация>")
}

/// An offers package listing `ids` with a stock of 1 each.
fn offers_xml(ids: &[&str], only_changes: bool) -> String {
    let offers: String = ids
        .iter()
        .map(|id| format!("<Предложение><Ид>{id}</Ид><Наименование>Предложение {id}</Наименование><Количество>1</Количество></Предложение>"))
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"2.08\"><ПакетПредложений СодержитТолькоИзменения=\"{only_changes}\"><Предложения>{offers}</Предложения></ПакетПредложений></КоммерческаяИнформация>")
}

fn active(p: &TestPorts) -> Vec<(String, i64)> {
    #[derive(serde::Deserialize)]
    struct R {
        onec_id: String,
        active: i64,
    }
    let rows: Vec<R> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, active FROM products ORDER BY onec_id",
    )))
    .unwrap();
    rows.into_iter().map(|r| (r.onec_id, r.active)).collect()
}

fn rows(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(i, a)| (i.to_string(), *a)).collect()
}

/// The first exchange: p-1, p-2, p-3 with a characteristic each of p-1 and p-2; and a product
/// of the JSON contract, which no CommerceML exchange deactivates.
fn first_exchange(p: &TestPorts, d: &Path) {
    block_on(p.db.exec(Stmt::new(
        "INSERT INTO products (id, onec_id, article, article_norm, name, name_norm, unit, updated_at) \
         VALUES ('prd-json', 'json-1', 'J-1', 'j1', 'Из JSON', 'из json', 'шт', '2026-01-01T00:00:00.000Z')",
    )))
    .unwrap();
    let (cookie, _) = checkauth(p);
    let import = file(
        d,
        "import.xml",
        &import_xml(&["p-1", "p-2", "p-3"], Some(false)),
    );
    let offers = file(
        d,
        "offers.xml",
        &offers_xml(&["p-1", "p-1#c-1", "p-2", "p-2#c-1"], false),
    );
    assert!(send_file(p, &cookie, &import, "import.xml", 1 << 20).starts_with("success\n"));
    assert!(send_file(p, &cookie, &offers, "offers.xml", 1 << 20).starts_with("success\n"));
    assert!(get(p, &cookie, "type=catalog&mode=complete").starts_with("success\n"));
    assert_eq!(
        active(p),
        rows(&[
            ("json-1", 1),
            ("p-1", 1),
            ("p-1#c-1", 1),
            ("p-2", 1),
            ("p-2#c-1", 1),
            ("p-3", 1)
        ])
    );
    p.advance(chrono::Duration::minutes(10));
}

#[test]
fn a_full_exchange_deactivates_what_it_did_not_list_at_complete() {
    let d = dir("full");
    let p = TestPorts::new();
    first_exchange(&p, &d);
    let (cookie, _) = checkauth(&p);
    // No СодержитТолькоИзменения: a full catalogue, as the Bitrix site reads it.
    let import = file(&d, "import.xml", &import_xml(&["p-1"], None));
    let offers = file(&d, "offers.xml", &offers_xml(&["p-1", "p-1#c-1"], true));
    assert!(send_file(&p, &cookie, &import, "import.xml", 1 << 20).starts_with("success\n"));
    assert!(send_file(&p, &cookie, &offers, "offers.xml", 1 << 20).starts_with("success\n"));
    assert_eq!(
        active(&p).iter().filter(|r| r.1 == 0).count(),
        0,
        "nothing is deactivated before the exchange is complete"
    );
    let done = get(&p, &cookie, "type=catalog&mode=complete");
    assert!(done.starts_with("success\n"), "{done}");
    std::fs::remove_dir_all(&d).ok();
    assert_eq!(
        active(&p),
        rows(&[("json-1", 1), ("p-1", 1), ("p-1#c-1", 1), ("p-2", 0), ("p-2#c-1", 0), ("p-3", 0)]),
        "products the full import.xml left out go, with their characteristics; the JSON contract's stays"
    );
}

#[test]
fn a_full_offers_package_deactivates_the_characteristics_it_did_not_list() {
    let d = dir("offers");
    let p = TestPorts::new();
    first_exchange(&p, &d);
    let (cookie, _) = checkauth(&p);
    let offers = file(
        &d,
        "offers.xml",
        &offers_xml(&["p-1", "p-2", "p-2#c-1"], false),
    );
    assert!(send_file(&p, &cookie, &offers, "offers.xml", 1 << 20).starts_with("success\n"));
    assert!(get(&p, &cookie, "type=catalog&mode=complete").starts_with("success\n"));
    std::fs::remove_dir_all(&d).ok();
    assert_eq!(
        active(&p),
        rows(&[
            ("json-1", 1),
            ("p-1", 1),
            ("p-1#c-1", 0),
            ("p-2", 1),
            ("p-2#c-1", 1),
            ("p-3", 1)
        ])
    );
}

#[test]
fn a_changes_only_exchange_deactivates_nothing_at_complete() {
    let d = dir("changes");
    let p = TestPorts::new();
    first_exchange(&p, &d);
    let (cookie, _) = checkauth(&p);
    let import = file(&d, "import.xml", &import_xml(&["p-1"], Some(true)));
    assert!(send_file(&p, &cookie, &import, "import.xml", 1 << 20).starts_with("success\n"));
    assert_eq!(get(&p, &cookie, "type=catalog&mode=complete"), "success\n");
    std::fs::remove_dir_all(&d).ok();
    assert!(active(&p).iter().all(|r| r.1 == 1));
}

#[test]
fn deactivate_with_the_checkauth_timestamp_deactivates_what_the_exchange_did_not_touch() {
    let d = dir("timestamp");
    let p = TestPorts::new();
    first_exchange(&p, &d);
    let (cookie, ts) = checkauth(&p);
    assert_eq!(
        ts,
        p.now.get().timestamp(),
        "checkauth's timestamp is the portal's clock"
    );
    // A stock file touching p-1 only (changes only: nothing to deactivate at complete).
    let rests = file(&d, "rests.xml", &offers_xml(&["p-1"], true));
    assert!(send_file(&p, &cookie, &rests, "rests.xml", 1 << 20).starts_with("success\n"));
    let refused = get(&p, &cookie, "type=catalog&mode=deactivate");
    assert!(refused.starts_with("failure\n"), "no timestamp: {refused}");
    assert!(active(&p).iter().all(|r| r.1 == 1));
    let r = get(
        &p,
        &cookie,
        &format!("type=catalog&mode=deactivate&timestamp={ts}"),
    );
    assert!(r.starts_with("success\n"), "{r}");
    assert_eq!(get(&p, &cookie, "type=catalog&mode=complete"), "success\n");
    std::fs::remove_dir_all(&d).ok();
    assert_eq!(
        active(&p),
        rows(&[
            ("json-1", 1),
            ("p-1", 1),
            ("p-1#c-1", 0),
            ("p-2", 0),
            ("p-2#c-1", 0),
            ("p-3", 0)
        ]),
        "only what a file of this exchange listed stays (p-1#c-1 was not listed)"
    );
}

#[test]
fn a_failed_file_deactivates_nothing() {
    let d = dir("failed");
    let p = TestPorts::new();
    first_exchange(&p, &d);
    let (cookie, ts) = checkauth(&p);
    let import = file(&d, "import.xml", &import_xml(&["p-1"], Some(false)));
    assert!(send_file(&p, &cookie, &import, "import.xml", 1 << 20).starts_with("success\n"));
    let broken = file(&d, "offers.xml", &offers_xml(&["p-1"], false).replace("</Предложения>", "<Предложение><Цены><Цена><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу></Цена></Цены></Предложение></Предложения>"));
    let r = send_file(&p, &cookie, &broken, "offers.xml", 1 << 20);
    assert!(r.starts_with("failure\n"), "{r}");
    let r = get(
        &p,
        &cookie,
        &format!("type=catalog&mode=deactivate&timestamp={ts}"),
    );
    assert!(
        r.starts_with("failure\n") && r.contains("offers.xml"),
        "{r}"
    );
    let r = get(&p, &cookie, "type=catalog&mode=complete");
    assert!(
        r.starts_with("success\n") && r.contains("nothing deactivated"),
        "{r}"
    );
    std::fs::remove_dir_all(&d).ok();
    assert!(
        active(&p).iter().all(|r| r.1 == 1),
        "a failed file lists nothing: nothing is deactivated on it"
    );
}
