//! The stock CommerceML exchange's protocol and sessions through the portal's handler (issue 19):
//! server-side sessions (random, sliding, revoked by a password change), the login throttled per
//! address, `CML_ALLOWED_IPS`, the version `init` answers, subfolder file names, the classifier
//! imported before goods, and `mode=info`.

use crate::cml_exchange::call;
use crate::helpers::{cml_checkauth, text};
use base64::Engine;
use futures::executor::block_on;
use shared::http::{ApiRequest, ApiResponse};
use shared::testing::TestPorts;

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

fn from(p: &TestPorts, ip: &str, query: &str, headers: Vec<(&str, String)>) -> ApiResponse {
    let req = ApiRequest {
        method: "GET".into(),
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
        client_ip: Some(ip.into()),
        ..Default::default()
    };
    block_on(shared::exchange::api::handle(p, req))
}

/// `count(*)` of a query built in the test.
fn count(p: &TestPorts, sql: &str) -> i64 {
    let sql = sql.replacen("SELECT count(*)", "SELECT count(*) AS n", 1);
    crate::helpers::count(p, Box::leak(sql.into_boxed_str()))
}

fn get(p: &TestPorts, query: &str, cookie: &str) -> ApiResponse {
    call(
        p,
        "GET",
        query,
        vec![("cookie", cookie.to_string())],
        vec![],
    )
}

fn token(cookie: &str) -> &str {
    cookie.split_once('=').unwrap().1
}

#[test]
fn two_logins_in_the_same_second_get_different_random_sessions() {
    let p = TestPorts::new();
    let a = cml_checkauth(&p, "catalog");
    let b = cml_checkauth(&p, "catalog");
    assert_ne!(a, b);
    assert!(token(&a).len() >= 40, "{a}: 256 random bits");
    // Both work, by cookie and by `?sessid=` as 1C sends it.
    assert_eq!(get(&p, "type=catalog&mode=init", &a).status, 200);
    let by_query = call(
        &p,
        "GET",
        &format!("type=catalog&mode=init&sessid={}", token(&b)),
        vec![],
        vec![],
    );
    assert!(text(&by_query).starts_with("zip="), "{}", text(&by_query));
    assert_eq!(
        get(&p, "type=catalog&mode=init", "portal_cml=forged").status,
        401
    );
    // The token itself is not stored, only its hash.
    assert_eq!(
        count(
            &p,
            &format!(
                "SELECT count(*) FROM cml_sessions WHERE token_hash = '{}'",
                token(&a)
            )
        ),
        0
    );
}

#[test]
fn the_session_slides_while_1c_keeps_talking_and_ends_when_idle() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    // Three hours of requests 50 minutes apart: each moves the expiry on.
    for _ in 0..4 {
        p.advance(chrono::Duration::minutes(50));
        assert_eq!(get(&p, "type=catalog&mode=init", &cookie).status, 200);
    }
    p.advance(chrono::Duration::minutes(61));
    let r = get(&p, "type=catalog&mode=init", &cookie);
    assert_eq!((r.status, text(&r).lines().next()), (401, Some("failure")));
}

#[test]
fn changing_cml_password_ends_every_session() {
    let mut p = TestPorts::new();
    let cookie = cml_checkauth(&p, "sale");
    assert_eq!(get(&p, "type=sale&mode=init", &cookie).status, 200);
    p.config.cml_password = Some("a-new-password".into());
    assert_eq!(
        get(&p, "type=sale&mode=init", &cookie).status,
        401,
        "the old session is over"
    );
    let old = from(
        &p,
        "10.1.1.1",
        "type=sale&mode=checkauth",
        vec![("authorization", basic("1c", "cml-test-password"))],
    );
    assert_eq!(old.status, 401, "the old password no longer signs in");
    let new = from(
        &p,
        "10.1.1.1",
        "type=sale&mode=checkauth",
        vec![("authorization", basic("1c", "a-new-password"))],
    );
    assert!(
        text(&new).starts_with("success\nportal_cml\n"),
        "{}",
        text(&new)
    );
}

#[test]
fn wrong_logins_are_throttled_per_address_never_the_login_itself() {
    let p = TestPorts::new();
    let wrong = || vec![("authorization", basic("1c", "guess"))];
    let statuses: Vec<u16> = (0..12)
        .map(|_| from(&p, "10.6.6.6", "type=catalog&mode=checkauth", wrong()).status)
        .collect();
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    let locked = from(
        &p,
        "10.6.6.6",
        "type=catalog&mode=checkauth",
        vec![("authorization", basic("1c", "cml-test-password"))],
    );
    assert_eq!(
        locked.status, 429,
        "the address waits, even with the right password"
    );
    assert!(locked.headers.iter().any(|(k, _)| k == "retry-after"));
    let real = from(
        &p,
        "10.7.7.7",
        "type=catalog&mode=checkauth",
        vec![("authorization", basic("1c", "cml-test-password"))],
    );
    assert!(
        text(&real).starts_with("success\n"),
        "1C from its own address still signs in"
    );
    // A right login clears its address's count.
    for _ in 0..9 {
        from(&p, "10.8.8.8", "type=catalog&mode=checkauth", wrong());
    }
    from(
        &p,
        "10.8.8.8",
        "type=catalog&mode=checkauth",
        vec![("authorization", basic("1c", "cml-test-password"))],
    );
    assert_eq!(
        from(&p, "10.8.8.8", "type=catalog&mode=checkauth", wrong()).status,
        401
    );
}

#[test]
fn cml_allowed_ips_refuses_other_addresses() {
    let mut p = TestPorts::new();
    p.config.cml_allowed_ips = vec!["10.1.2.3".into()];
    let ok = || vec![("authorization", basic("1c", "cml-test-password"))];
    assert_eq!(
        from(&p, "10.9.9.9", "type=catalog&mode=checkauth", ok()).status,
        403
    );
    let r = from(&p, "10.1.2.3", "type=catalog&mode=checkauth", ok());
    assert!(text(&r).starts_with("success\n"));
    let cookie = format!("portal_cml={}", text(&r).lines().nth(2).unwrap());
    assert_eq!(
        from(
            &p,
            "10.9.9.9",
            "type=catalog&mode=init",
            vec![("cookie", cookie.clone())]
        )
        .status,
        403,
        "a session is no way round it"
    );
    assert_eq!(
        from(
            &p,
            "10.1.2.3",
            "type=catalog&mode=init",
            vec![("cookie", cookie)]
        )
        .status,
        200
    );
}

#[test]
fn init_answers_the_version_asked_and_stores_it_on_the_session() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "sale");
    let t = token(&cookie).to_string();
    let plain = text(&get(&p, "type=sale&mode=init", &cookie));
    assert_eq!(
        plain, "zip=yes\nfile_limit=8388608\n",
        "2.05 style: no version asked, none answered"
    );
    for (asked, answered) in [
        ("2.05", "2.05"),
        ("2.08", "2.08"),
        ("2.10", "2.10"),
        ("3.1", "3.1"),
        ("2.09", "2.08"),
    ] {
        let a = text(&get(
            &p,
            &format!("type=sale&mode=init&version={asked}"),
            &cookie,
        ));
        assert_eq!(
            a,
            format!("zip=yes\nfile_limit=8388608\nsessid={t}\nversion={answered}\n")
        );
        assert_eq!(
            count(
                &p,
                &format!("SELECT count(*) FROM cml_sessions WHERE version = '{answered}'")
            ),
            1
        );
    }
    let old = text(&get(&p, "type=sale&mode=init&version=2.04", &cookie));
    assert!(old.starts_with("failure\n"), "{old}");
}

#[test]
fn files_in_subfolders_keep_their_path_and_the_classifier_imports_before_goods() {
    let p = TestPorts::new();
    let cookie = get_cookie(&p);
    let goods = r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="3.1"><Каталог СодержитТолькоИзменения="true"><Товары>
<Товар><Ид>sub-1</Ид><Артикул>S-1</Артикул><Наименование>Первый</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>"#;
    let other = goods.replace("sub-1", "sub-2").replace("Первый", "Второй");
    let price_types = r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="3.1"><ПакетПредложений СодержитТолькоИзменения="true"><ТипыЦен>
<ТипЦены><Ид>pt-sub</Ид><Наименование>Опт подпапки</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен></ПакетПредложений></КоммерческаяИнформация>"#;
    // Two goods files of the same name in different folders, and the price types after them.
    for (name, body) in [
        ("goods/1/import___a.xml", goods.to_string()),
        ("goods/2/import___a.xml", other),
        ("priceLists___a.xml", price_types.to_string()),
    ] {
        let r = call(
            &p,
            "POST",
            &format!("type=catalog&mode=file&filename={name}"),
            vec![("cookie", cookie.clone())],
            body.into_bytes(),
        );
        assert_eq!(text(&r), "success\n", "{name}");
    }
    for bad in ["../x.xml", "goods/../../x.xml"] {
        let r = call(
            &p,
            "POST",
            &format!("type=catalog&mode=file&filename={bad}"),
            vec![("cookie", cookie.clone())],
            b"<x/>".to_vec(),
        );
        assert!(text(&r).starts_with("failure\n"), "{bad}");
    }
    assert_eq!(
        count(&p, "SELECT count(*) FROM cml_files WHERE name IN ('goods/1/import___a.xml', 'goods/2/import___a.xml')"),
        2
    );
    // 1C asks for the goods first: the price types are imported before them.
    let r = text(&get(
        &p,
        "type=catalog&mode=import&filename=goods/1/import___a.xml",
        &cookie,
    ));
    assert_eq!(r, "success\nproducts: 1\n");
    assert_eq!(
        count(
            &p,
            "SELECT count(*) FROM price_types WHERE onec_id = 'pt-sub' AND name = 'Опт подпапки'"
        ),
        1
    );
    let first = count(&p, "SELECT count(*) FROM cml_imports WHERE name = 'priceLists___a.xml' AND started_at <= (SELECT started_at FROM cml_imports WHERE name = 'goods/1/import___a.xml')");
    assert_eq!(first, 1, "the classifier's import started first");
    assert_eq!(
        text(&get(
            &p,
            "type=catalog&mode=import&filename=goods/2/import___a.xml",
            &cookie
        )),
        "success\nproducts: 1\n"
    );
    assert_eq!(
        count(
            &p,
            "SELECT count(*) FROM products WHERE onec_id IN ('sub-1', 'sub-2')"
        ),
        2
    );
    // 1C's own request for the classifier answers its finished import.
    assert!(text(&get(
        &p,
        "type=catalog&mode=import&filename=priceLists___a.xml",
        &cookie
    ))
    .starts_with("success\n"));
}

fn get_cookie(p: &TestPorts) -> String {
    cml_checkauth(p, "catalog")
}

#[test]
fn info_lists_statuses_payment_and_delivery_methods_as_the_bitrix_site() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "sale");
    let r = get(&p, "type=sale&mode=info", &cookie);
    assert_eq!(r.status, 200);
    assert!(r
        .headers
        .iter()
        .any(|(k, v)| k == "content-type" && v.starts_with("application/xml")));
    let xml = text(&r);
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Справочник>\n<Cтатусы>\n"),
        "{xml}"
    );
    for part in [
        "<Элемент><Ид>awaiting_payment</Ид><Название>Ожидает оплаты</Название></Элемент>",
        "<ПлатежныеСистемы>\n<Элемент><Ид>invoice</Ид>",
        "<СлужбыДоставки>\n<Элемент><Ид>pickup</Ид><Название>Самовывоз</Название></Элемент>",
    ] {
        assert!(xml.contains(part), "{part} in {xml}");
    }
    assert_eq!(get(&p, "type=sale&mode=info", "portal_cml=x").status, 401);
}

/// Runs the queue consumer until no import job is waiting.
fn drain_queue(p: &TestPorts) {
    while let Some(job) = p.queue.2.borrow_mut().pop() {
        block_on(shared::exchange::cml::import::run_queued(p, &job)).unwrap();
    }
}

#[test]
fn zip_yes_one_archive_in_chunks_imports_the_same_as_the_files_one_by_one() {
    let Some(dir) = shared::testing::commerceml_fixtures() else {
        eprintln!("skipped: no CommerceML fixtures");
        return;
    };
    let names = ["import.xml", "offers.xml", "prices.xml", "rests.xml"];
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| {
            let folder = if *n == "import.xml" {
                "goods/1/import___"
            } else {
                "offers/1/"
            };
            (
                format!("{folder}{n}"),
                std::fs::read(dir.join("v3.1-bitrix-module").join(n)).unwrap(),
            )
        })
        .collect();
    let import = |p: &TestPorts, cookie: &str, name: &str| {
        for _ in 0..20 {
            let r = text(&get(
                p,
                &format!("type=catalog&mode=import&filename={name}"),
                cookie,
            ));
            if !r.starts_with("progress") {
                return r;
            }
            drain_queue(p);
        }
        panic!("{name} never finished");
    };
    let p = TestPorts::new();
    let plain = cml_checkauth(&p, "catalog");
    let mut one_by_one = Vec::new();
    for (name, bytes) in &files {
        for part in bytes.chunks(100_000) {
            let r = call(
                &p,
                "POST",
                &format!("type=catalog&mode=file&filename={name}"),
                vec![("cookie", plain.clone())],
                part.to_vec(),
            );
            assert_eq!(text(&r), "success\n");
        }
        one_by_one.push(import(&p, &plain, name));
    }
    let zipped = cml_checkauth(&p, "catalog");
    assert!(text(&get(&p, "type=catalog&mode=init&version=3.1", &zipped)).starts_with("zip=yes\n"));
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let archive = shared::testing::zip_archive(&refs, false);
    for part in archive.chunks(archive.len() / 2 + 1) {
        let r = call(
            &p,
            "POST",
            "type=catalog&mode=file&filename=exchange.zip",
            vec![("cookie", zipped.clone())],
            part.to_vec(),
        );
        assert_eq!(text(&r), "success\n");
    }
    let first = text(&get(
        &p,
        "type=catalog&mode=import&filename=goods/1/import___import.xml",
        &zipped,
    ));
    assert!(
        first.starts_with("progress\nunzip"),
        "the archive unpacks in the queue first: {first}"
    );
    for ((name, _), expected) in files.iter().zip(&one_by_one) {
        assert!(expected.starts_with("success\n"), "{expected}");
        assert_eq!(&import(&p, &zipped, name), expected, "{name}");
    }
    // The entries are stored in the same chunk layout as uploaded files.
    assert_eq!(
        count(&p, "SELECT count(*) FROM cml_files WHERE name = 'offers/1/rests.xml' AND chunk_sizes <> '[]'"),
        2
    );
}

#[test]
fn a_broken_archive_fails_the_imports_with_its_reason() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let zeros = vec![b'<'; 4 << 20];
    let archive = shared::testing::zip_archive(&[("import.xml", zeros.as_slice())], false);
    let r = call(
        &p,
        "POST",
        "type=catalog&mode=file&filename=bomb.zip",
        vec![("cookie", cookie.clone())],
        archive,
    );
    assert_eq!(text(&r), "success\n");
    assert!(text(&get(
        &p,
        "type=catalog&mode=import&filename=import.xml",
        &cookie
    ))
    .starts_with("progress\n"));
    drain_queue(&p);
    let r = text(&get(
        &p,
        "type=catalog&mode=import&filename=import.xml",
        &cookie,
    ));
    assert!(
        r.starts_with("failure\nimport.xml: the archive bomb.zip did not unpack")
            && r.contains("ZIP bomb"),
        "{r}"
    );
}

#[test]
fn a_3_1_properties_file_imports_without_failing_the_exchange() {
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let props = r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="3.1"><Классификатор><Ид>cl</Ид><Наименование>Классификатор</Наименование><Свойства>
<Свойство><Ид>prop-1</Ид><Наименование>Цвет</Наименование><ТипЗначений>Строка</ТипЗначений></Свойство></Свойства></Классификатор></КоммерческаяИнформация>"#;
    let r = call(
        &p,
        "POST",
        "type=catalog&mode=file&filename=properties/1/properties___a.xml",
        vec![("cookie", cookie.clone())],
        props.as_bytes().to_vec(),
    );
    assert_eq!(text(&r), "success\n");
    let r = text(&get(
        &p,
        "type=catalog&mode=import&filename=properties/1/properties___a.xml",
        &cookie,
    ));
    assert!(r.starts_with("success\n"), "{r}");
}

/// The exchange Worker serves 1C's JSON contract only, the cml Worker the stock CommerceML
/// exchange and the dev-only sweeper only (`handle_part`, issue 23): each answers 404 for the
/// other's routes, and the native server's `handle` serves both.
#[test]
fn each_worker_serves_its_own_part_of_the_exchange() {
    use shared::exchange::api::{handle, handle_part, COMMERCEML, CONTRACT, SWEEP};
    let p = TestPorts::new();
    let checkauth = || ApiRequest {
        method: "GET".into(),
        path: "/exchange/1c/commerceml".into(),
        query: vec![
            ("type".into(), "catalog".into()),
            ("mode".into(), "checkauth".into()),
        ],
        headers: vec![("authorization".into(), basic("1c", "cml-test-password"))],
        client_ip: Some("198.51.100.7".into()),
        ..Default::default()
    };
    let sweep = || p.signed_json("/exchange/v1/sweep", &serde_json::json!({}));
    let capabilities = || {
        p.signed(
            "GET",
            "/exchange/v1/capabilities",
            "application/json",
            Vec::new(),
        )
    };

    assert_eq!(
        block_on(handle_part::<_, CONTRACT>(&p, checkauth())).status,
        404
    );
    assert_eq!(
        block_on(handle_part::<_, CONTRACT>(&p, sweep())).status,
        404
    );
    assert_eq!(
        block_on(handle_part::<_, CONTRACT>(&p, capabilities())).status,
        200
    );

    assert_eq!(
        block_on(handle_part::<_, { COMMERCEML | SWEEP }>(&p, capabilities())).status,
        404
    );
    let r = block_on(handle_part::<_, { COMMERCEML | SWEEP }>(&p, checkauth()));
    assert!(text(&r).starts_with("success\n"), "{}", text(&r));
    assert_eq!(
        block_on(handle_part::<_, { COMMERCEML | SWEEP }>(&p, sweep())).status,
        200
    );

    assert!(text(&block_on(handle(&p, checkauth()))).starts_with("success\n"));
    assert_eq!(block_on(handle(&p, sweep())).status, 200);
    assert_eq!(block_on(handle(&p, capabilities())).status, 200);
}
