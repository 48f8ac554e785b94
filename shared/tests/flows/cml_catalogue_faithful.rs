//! Every real CommerceML catalogue imported through the HTTP protocol, then the stored catalogue
//! compared item by item with what the files say, read by an independent reader (`xmllint
//! --xpath`, not `shared::commerceml`): article, name, unit name and ОКЕИ code, VAT, active flag
//! (deletion marks), and every price with its currency; a non-rouble price is never a client's;
//! stock per warehouse (named from `Склады`) and price types named from `ТипыЦен` of any file.

use crate::cml_exchange::send_file;
use crate::helpers::cml_checkauth;
use futures::executor::block_on;
use shared::ports::{DatabaseExt, Stmt};
use shared::testing::TestPorts;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The leaf elements an XPath union selects, in document order, as (element name, attributes
/// text, value) — xmllint prints each selected node on a line of its own.
fn leaves(file: &Path, xpath: &str) -> Vec<(String, String, String)> {
    let out = Command::new("xmllint")
        .arg("--xpath")
        .arg(xpath)
        .arg(file)
        .output()
        .expect("xmllint (libxml2-utils, scripts/setup.sh installs it)");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .filter(|l| l.starts_with('<'))
        .map(|l| {
            let open_end = l.find('>').unwrap();
            let open = &l[1..open_end];
            let self_closed = open.ends_with('/');
            let open = open.trim_end_matches('/');
            let (name, attrs) = open.split_once(' ').unwrap_or((open, ""));
            let value = if self_closed {
                String::new()
            } else {
                let close = l.rfind("</").unwrap();
                unescape(&l[open_end + 1..close])
            };
            (
                name.to_string(),
                attrs.to_string(),
                value.trim().to_string(),
            )
        })
        .collect()
}

/// Every leaf under the nodes an XPath selects, with its path from the selected node: xmllint
/// prints each node as written (one element per line in these files), read here line by line.
#[allow(clippy::type_complexity)]
fn leaf_paths(file: &Path, xpath: &str) -> Vec<(Vec<String>, String, String)> {
    let out = Command::new("xmllint")
        .arg("--xpath")
        .arg(xpath)
        .arg(file)
        .output()
        .expect("xmllint (libxml2-utils, scripts/setup.sh installs it)");
    let text = String::from_utf8(out.stdout).unwrap();
    let (mut stack, mut leaves) = (Vec::<String>::new(), Vec::new());
    for line in text.lines().map(str::trim).filter(|l| l.starts_with('<')) {
        if line.starts_with("</") {
            stack.pop();
            continue;
        }
        let open_end = line.find('>').unwrap();
        let open = &line[1..open_end];
        let self_closed = open.ends_with('/');
        let open = open.trim_end_matches('/');
        let (name, attrs) = open.split_once(' ').unwrap_or((open, ""));
        let mut path = stack.clone();
        path.push(name.to_string());
        if self_closed {
            leaves.push((path, attrs.to_string(), String::new()));
        } else if let Some(close) = line.rfind("</").filter(|c| *c > open_end) {
            leaves.push((
                path,
                attrs.to_string(),
                unescape(&line[open_end + 1..close]).trim().to_string(),
            ));
        } else {
            stack.push(name.to_string());
        }
    }
    leaves
}

/// (`Ид`, `Наименование`, `Валюта`) of each `ТипЦены`, or (`Ид`, `Наименование`, None) of each
/// `Склад` of `Склады`, as a file declares them.
fn declared(file: &Path, list: &str, item: &str) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = Vec::new();
    let xpath = format!("//*[local-name()=\"{list}\"]/*[local-name()=\"{item}\"]");
    for (path, _, v) in leaf_paths(file, &xpath) {
        match path.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            [_, "Ид"] => out.push((v.clone(), v, None)),
            [_, "Наименование"] if !v.is_empty() => out.last_mut().unwrap().1 = v,
            [_, "Валюта"] => out.last_mut().unwrap().2 = Some(currency(&v)),
            _ => {}
        }
    }
    out
}

/// A quantity in thousandths.
fn milli(v: &str) -> i64 {
    let v = v.trim().replace(',', ".");
    let negative = v.starts_with('-');
    let v = v.trim_start_matches('-');
    let (w, f) = v.split_once('.').unwrap_or((v, "0"));
    let f = format!("{f:0<3}");
    let m = w.parse::<i64>().unwrap() * 1000 + f[..3].parse::<i64>().unwrap();
    if negative {
        -m
    } else {
        m
    }
}

/// Stock of each offer of a file: per warehouse id when it names warehouses
/// (`Остатки/Остаток/Склад/{Ид,Количество}` or `<Склад ИдСклада КоличествоНаСкладе/>`), else its
/// `Количество` (or the sum of `Остаток/Количество`) as one total (warehouse `None`).
#[allow(clippy::type_complexity)]
fn read_stock(file: &Path) -> Vec<(String, Vec<(Option<String>, i64)>)> {
    let mut out = Vec::new();
    let mut offer: Option<(String, Vec<(Option<String>, i64)>, Option<i64>, Option<i64>)> = None;
    let mut wh: Option<String> = None;
    let flush = |o: Option<(String, Vec<(Option<String>, i64)>, Option<i64>, Option<i64>)>,
                 out: &mut Vec<(String, Vec<(Option<String>, i64)>)>| {
        if let Some((id, rows, own, sum)) = o {
            if !rows.is_empty() {
                out.push((id, rows));
            } else if let Some(q) = own.or(sum) {
                out.push((id, vec![(None, q)]));
            }
        }
    };
    for (path, attrs, v) in leaf_paths(file, "//*[local-name()=\"Предложение\"]") {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        match p[..] {
            [_, "Ид"] => {
                flush(offer.take(), &mut out);
                offer = Some((v, Vec::new(), None, None));
            }
            [_, "Количество"] => offer.as_mut().unwrap().2 = Some(milli(&v)),
            [_, "Остатки", "Остаток", "Количество"] => {
                let o = offer.as_mut().unwrap();
                o.3 = Some(o.3.unwrap_or(0) + milli(&v));
            }
            [_, "Остатки", "Остаток", "Склад", "Ид"] => wh = Some(v),
            [_, "Остатки", "Остаток", "Склад", "Количество"] => {
                let o = offer.as_mut().unwrap();
                o.1.push((wh.take(), milli(&v)));
            }
            [_, "Склад"] => {
                if let (Some(id), Some(q)) =
                    (attr(&attrs, "ИдСклада"), attr(&attrs, "КоличествоНаСкладе"))
                {
                    offer.as_mut().unwrap().1.push((Some(id), milli(&q)));
                }
            }
            _ => {}
        }
    }
    flush(offer.take(), &mut out);
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let at = attrs.find(&key)? + key.len();
    let v = attrs[at..].split('"').next()?.trim();
    (!v.is_empty()).then(|| unescape(v))
}

fn ln(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("local-name()=\"{n}\""))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
struct Item {
    onec_id: String,
    article: String,
    name: String,
    unit: String,
    unit_code: Option<String>,
    vat_rate_bp: i64,
    active: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
struct Price {
    onec_id: String,
    price_type: String,
    price_kop: i64,
    currency: Option<String>,
}

/// The test's own short names of the ОКЕИ codes the fixtures use.
fn okei_name(code: &str) -> Option<&'static str> {
    match code {
        "796" => Some("шт"),
        "166" => Some("кг"),
        "006" => Some("м"),
        "112" => Some("л"),
        _ => None,
    }
}

fn vat_bp(rate: &str) -> i64 {
    let r = rate.trim().trim_end_matches('%').to_lowercase();
    match r.as_str() {
        "без налога" | "без ндс" => 0,
        _ => r
            .replace(',', ".")
            .parse::<f64>()
            .map(|v| (v * 100.0).round() as i64)
            .unwrap(),
    }
}

fn kop(v: &str) -> i64 {
    let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    let v = v.replace(',', ".");
    let (r, k) = v.split_once('.').unwrap_or((&v, "0"));
    let k = format!("{k:0<2}");
    r.parse::<i64>().unwrap() * 100 + k[..2].parse::<i64>().unwrap()
}

fn currency(c: &str) -> String {
    match c.trim().to_lowercase().as_str() {
        "руб" | "руб." | "rub" | "rur" | "643" => "RUB".into(),
        _ => c.trim().to_uppercase(),
    }
}

/// What import.xml says of each product.
fn expected_products(file: &Path) -> BTreeMap<String, Item> {
    let t = "//*[local-name()=\"Товар\"]";
    let xpath = format!(
        "{t}/*[{}] | {t}/*[local-name()=\"СтавкиНалогов\"]/*/*[local-name()=\"Ставка\"] \
         | {t}/*[local-name()=\"ЗначенияРеквизитов\"]/*[*[local-name()=\"Наименование\"]=\"СтавкаНДС\"]/*[local-name()=\"Значение\"]",
        ln(&["Ид", "Артикул", "Наименование", "БазоваяЕдиница", "ПометкаУдаления", "Статус"])
    );
    let mut out = BTreeMap::new();
    let mut cur: Option<Item> = None;
    let flush = |cur: &mut Option<Item>, out: &mut BTreeMap<String, Item>| {
        if let Some(i) = cur.take() {
            out.insert(i.onec_id.clone(), i);
        }
    };
    for (el, attrs, v) in leaves(file, &xpath) {
        if el == "Ид" {
            flush(&mut cur, &mut out);
            cur = Some(Item {
                onec_id: v,
                article: String::new(),
                name: String::new(),
                unit: "шт".into(),
                unit_code: None,
                vat_rate_bp: 2000,
                active: 1,
            });
            continue;
        }
        let i = cur.as_mut().unwrap();
        match el.as_str() {
            "Артикул" => i.article = v,
            "Наименование" => i.name = v,
            "БазоваяЕдиница" => {
                let numeric = !v.is_empty() && v.chars().all(|c| c.is_ascii_digit());
                let code = attr(&attrs, "Код").or_else(|| numeric.then(|| v.clone()));
                i.unit = if !v.is_empty() && !numeric {
                    v.clone()
                } else if let Some(short) = attr(&attrs, "НаименованиеКраткое") {
                    short
                } else if let Some(n) = code.as_deref().and_then(okei_name) {
                    n.into()
                } else {
                    attr(&attrs, "НаименованиеПолное").unwrap_or_else(|| "шт".into())
                };
                i.unit_code = code;
            }
            "Ставка" | "Значение" => i.vat_rate_bp = vat_bp(&v),
            "ПометкаУдаления" if v == "true" => i.active = 0,
            "Статус" if v == "Удален" => i.active = 0,
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Each product's property values as the classifier names them (see the check above).
fn expected_property_values(file: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let (mut names, mut values) = (BTreeMap::new(), BTreeMap::new());
    let mut last = String::new();
    for (path, _, v) in leaf_paths(
        file,
        "//*[local-name()=\"Классификатор\"]/*[local-name()=\"Свойства\"]/*[local-name()=\"Свойство\"]",
    ) {
        match path.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            [_, "Ид"] => last = v,
            [_, "Наименование"] => {
                names.insert(last.clone(), v);
            }
            [.., "Справочник", "ИдЗначения"] => last = format!("value:{v}"),
            [.., "Справочник", "Значение"] => {
                values.insert(last.trim_start_matches("value:").to_string(), v);
            }
            _ => {}
        }
    }
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let (mut product, mut property) = (String::new(), String::new());
    for (path, _, v) in leaf_paths(file, "//*[local-name()=\"Товар\"]") {
        match path.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            [_, "Ид"] => product = v,
            [.., "ЗначенияСвойства", "Ид"] => property = v,
            [.., "ЗначенияСвойства", "Значение"] if !v.is_empty() => {
                let Some(name) = names.get(&property) else {
                    continue;
                };
                let value = values.get(&v).cloned().unwrap_or(v);
                let list = out.entry(product.clone()).or_default();
                match list.iter_mut().find(|(n, _)| n == name) {
                    Some(known) => known.1 = format!("{}, {value}", known.1),
                    None => list.push((name.clone(), value)),
                }
            }
            _ => {}
        }
    }
    out
}

/// What an offers file says: (offer id, name, article, deleted) and its prices.
#[allow(clippy::type_complexity)]
fn read_offers(file: &Path) -> Vec<(String, Option<String>, Option<String>, bool, Vec<Price>)> {
    let o = "//*[local-name()=\"Предложение\"]";
    let xpath = format!(
        "{o}/*[{}] | {o}/*[local-name()=\"Цены\"]/*/*[{}]",
        ln(&["Ид", "Артикул", "Наименование", "ПометкаУдаления", "Статус"]),
        ln(&["ИдТипаЦены", "ЦенаЗаЕдиницу", "Валюта"])
    );
    let mut out: Vec<(String, Option<String>, Option<String>, bool, Vec<Price>)> = Vec::new();
    for (el, _, v) in leaves(file, &xpath) {
        if el == "Ид" {
            out.push((v, None, None, false, Vec::new()));
            continue;
        }
        let o = out.last_mut().unwrap();
        match el.as_str() {
            "Наименование" => o.1 = Some(v).filter(|v| !v.is_empty()),
            "Артикул" => o.2 = Some(v).filter(|v| !v.is_empty()),
            "ПометкаУдаления" if v == "true" => o.3 = true,
            "Статус" if v == "Удален" => o.3 = true,
            "ИдТипаЦены" => o.4.push(Price {
                onec_id: o.0.clone(),
                price_type: v,
                price_kop: 0,
                currency: None,
            }),
            "ЦенаЗаЕдиницу" => o.4.last_mut().unwrap().price_kop = kop(&v),
            "Валюта" => o.4.last_mut().unwrap().currency = Some(currency(&v)),
            _ => {}
        }
    }
    out
}

fn check_fixture(folder: &str) {
    let Some(dir) = shared::testing::commerceml_fixtures() else {
        return;
    };
    let d = dir.join(folder);
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let mut expected = expected_products(&d.join("import.xml"));
    let mut prices: BTreeMap<(String, String), Price> = BTreeMap::new();
    // Price types and warehouses named so far (any file of the exchange), with the types' currency.
    let mut type_names: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut wh_names: BTreeMap<String, String> = BTreeMap::new();
    // Stock per stored row and warehouse label.
    let mut stock: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    // A named characteristic's properties (`ХарактеристикиТовара`), as JSON pairs.
    let mut properties: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for name in ["import.xml", "offers.xml", "prices.xml", "rests.xml"] {
        let path = d.join(name);
        if !path.exists() {
            continue;
        }
        let r = send_file(&p, &cookie, &path, name, 1 << 20);
        assert!(r.starts_with("success\n"), "{folder}/{name}: {r}");
        for (id, n, cur) in declared(&path, "ТипыЦен", "ТипЦены") {
            let known = type_names.entry(id.clone()).or_insert((id.clone(), None));
            if n != id {
                known.0 = n;
            }
            known.1 = cur.or(known.1.take());
        }
        for (id, n, _) in declared(&path, "Склады", "Склад") {
            if n != id || !wh_names.contains_key(&id) {
                wh_names.insert(id, n);
            }
        }
        if name == "import.xml" {
            continue;
        }
        for (id, offer_name, article, deleted, offer_prices) in read_offers(&path) {
            let base = id.split('#').next().unwrap().to_string();
            if id != base {
                // A characteristic: a variant of its product, which keeps all its own fields.
                if let Some(name) = offer_name {
                    let parent = expected.get(&base).cloned();
                    let own_article = article.clone();
                    let variant = Item {
                        onec_id: id.clone(),
                        article: own_article
                            .or_else(|| parent.as_ref().map(|p| p.article.clone()))
                            .unwrap_or_default(),
                        name,
                        active: i64::from(
                            !deleted && parent.as_ref().is_none_or(|p| p.active == 1),
                        ),
                        ..parent.unwrap_or(Item {
                            onec_id: String::new(),
                            article: article.unwrap_or_default(),
                            name: String::new(),
                            unit: "шт".into(),
                            unit_code: None,
                            vat_rate_bp: 2000,
                            active: 1,
                        })
                    };
                    expected.insert(id.clone(), variant);
                } else if deleted {
                    expected.get_mut(&id).unwrap().active = 0;
                }
            } else if let Some(known) = expected.get_mut(&id) {
                // The product's own fields stay as import.xml set them.
                if deleted {
                    known.active = 0;
                }
            } else if let Some(name) = offer_name {
                expected.insert(
                    id.clone(),
                    Item {
                        onec_id: id.clone(),
                        article: article.unwrap_or_default(),
                        name,
                        unit: "шт".into(),
                        unit_code: None,
                        vat_rate_bp: 2000,
                        active: i64::from(!deleted),
                    },
                );
            }
            for mut pr in offer_prices {
                if pr.currency.is_none() {
                    pr.currency = type_names.get(&pr.price_type).and_then(|t| t.1.clone());
                }
                type_names
                    .entry(pr.price_type.clone())
                    .or_insert((pr.price_type.clone(), None));
                prices.insert((pr.onec_id.clone(), pr.price_type.clone()), pr);
            }
        }
        let mut offer: Option<String> = None;
        for (path, _, v) in leaf_paths(&path, "//*[local-name()=\"Предложение\"]") {
            match path.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                [_, "Ид"] => offer = Some(v),
                [_, "Наименование"] if offer.as_deref().is_some_and(|o| o.contains('#')) =>
                {
                    properties.insert(offer.clone().unwrap(), Vec::new());
                }
                [_, "ХарактеристикиТовара", "ХарактеристикаТовара", "Наименование"] => {
                    if let Some(list) = offer.as_ref().and_then(|o| properties.get_mut(o)) {
                        list.push((v, String::new()));
                    }
                }
                [_, "ХарактеристикиТовара", "ХарактеристикаТовара", "Значение"] => {
                    if let Some(list) = offer.as_ref().and_then(|o| properties.get_mut(o)) {
                        list.last_mut().unwrap().1 = v;
                    }
                }
                _ => {}
            }
        }
        // Stock: a file's rows replace what earlier files said of the same row; rows of one file
        // (a product and its nameless characteristics) add up.
        let mut fresh: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for (id, rows) in read_stock(&path) {
            let base = id.split('#').next().unwrap().to_string();
            let row = if expected.contains_key(&id) { id } else { base };
            let entry = fresh.entry(row).or_default();
            for (wh, q) in rows {
                let label = wh.unwrap_or_else(|| "Все склады".into());
                *entry.entry(label).or_default() += q;
            }
        }
        stock.extend(fresh);
    }
    let stored: Vec<Item> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, article, name, unit, unit_code, vat_rate_bp, active FROM products ORDER BY onec_id",
    )))
    .unwrap();
    let stored: BTreeMap<String, Item> =
        stored.into_iter().map(|i| (i.onec_id.clone(), i)).collect();
    assert_eq!(stored.len(), expected.len(), "{folder}: products stored");
    for (id, want) in &expected {
        assert_eq!(stored.get(id), Some(want), "{folder}: product {id}");
    }
    // Characteristics: their properties on their variant rows.
    #[derive(serde::Deserialize)]
    struct Props {
        onec_id: String,
        properties: Option<String>,
    }
    let stored: Vec<Props> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, properties FROM products WHERE instr(onec_id, '#') > 0 ORDER BY onec_id",
    )))
    .unwrap();
    for row in &stored {
        let got: Vec<(String, String)> = row
            .properties
            .as_deref()
            .map(|p| serde_json::from_str(p).unwrap())
            .unwrap_or_default();
        let want = properties.get(&row.onec_id).cloned().unwrap_or_default();
        assert_eq!(got, want, "{folder}: properties of {}", row.onec_id);
    }
    // Products: their `ЗначенияСвойств`, named by the classifier's `Свойства`, a `Справочник`
    // value id read as its value, empty values and unnamed properties left out.
    let want = expected_property_values(&d.join("import.xml"));
    let stored: Vec<Props> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, properties FROM products WHERE instr(onec_id, '#') = 0 ORDER BY onec_id",
    )))
    .unwrap();
    for row in &stored {
        let got: Vec<(String, String)> = row
            .properties
            .as_deref()
            .map(|p| serde_json::from_str(p).unwrap())
            .unwrap_or_default();
        let want = want.get(&row.onec_id).cloned().unwrap_or_default();
        assert_eq!(got, want, "{folder}: property values of {}", row.onec_id);
    }
    let stored: Vec<Price> = block_on(p.db.all(Stmt::new(
        "SELECT p.onec_id, t.onec_id AS price_type, pp.price_kop, pp.currency FROM product_prices pp \
         JOIN products p ON p.id = pp.product_id JOIN price_types t ON t.id = pp.price_type_id ORDER BY 1, 2",
    )))
    .unwrap();
    let want: Vec<Price> = prices.into_values().collect();
    assert_eq!(stored, want, "{folder}: prices with their currency");
    // Price types: named as any file of the exchange named them, never left as a GUID.
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Type {
        onec_id: String,
        name: String,
        currency: Option<String>,
    }
    let stored: Vec<Type> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, name, currency FROM price_types ORDER BY onec_id",
    )))
    .unwrap();
    let want_types: Vec<Type> = type_names
        .iter()
        .map(|(id, (name, currency))| Type {
            onec_id: id.clone(),
            name: name.clone(),
            currency: currency.clone(),
        })
        .collect();
    assert_eq!(stored, want_types, "{folder}: price types with their names");
    // Stock per warehouse, by the name `Склады` gave it (else its id).
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Stock {
        onec_id: String,
        warehouse: String,
        qty_milli: i64,
    }
    let stored: Vec<Stock> = block_on(p.db.all(Stmt::new(
        "SELECT p.onec_id, coalesce(w.name, s.warehouse) AS warehouse, s.qty_milli FROM product_stock s \
         JOIN products p ON p.id = s.product_id LEFT JOIN cml_warehouses w ON w.onec_id = s.warehouse ORDER BY 1, 2",
    )))
    .unwrap();
    let mut want_stock: Vec<Stock> = stock
        .iter()
        .flat_map(|(row, whs)| {
            whs.iter().map(|(wh, q)| Stock {
                onec_id: row.clone(),
                warehouse: wh_names.get(wh).cloned().unwrap_or_else(|| wh.clone()),
                qty_milli: *q,
            })
        })
        .collect();
    want_stock.sort_by(|a, b| (&a.onec_id, &a.warehouse).cmp(&(&b.onec_id, &b.warehouse)));
    assert_eq!(stored.len(), want_stock.len(), "{folder}: stock rows");
    assert_eq!(stored, want_stock, "{folder}: stock per warehouse");
    // What an order line made from the catalogue gets (the real query): active products only,
    // and a price only in roubles.
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
        onec_id: String,
    }
    #[derive(serde::Deserialize)]
    struct Line {
        onec_id: String,
        vat_rate_bp: i64,
        price_kop: Option<i64>,
    }
    let ids: Vec<Id> = block_on(p.db.all(Stmt::new("SELECT id, onec_id FROM products"))).unwrap();
    let all =
        serde_json::to_string(&ids.iter().map(|i| i.id.as_str()).collect::<Vec<_>>()).unwrap();
    let types: Vec<Id> =
        block_on(p.db.all(Stmt::new("SELECT id, onec_id FROM price_types"))).unwrap();
    for t in &types {
        let lines: Vec<Line> = block_on(
            p.db.all(
                Stmt::new(shared::orders::sql::PRODUCTS_FOR_LINES)
                    .bind(&all)
                    .bind(&t.id)
                    .bind("[]"),
            ),
        )
        .unwrap();
        let active = expected.values().filter(|i| i.active == 1).count();
        assert_eq!(lines.len(), active, "{folder}: products offered to clients");
        for l in lines {
            let item = &expected[&l.onec_id];
            assert_eq!(item.active, 1, "{folder}: {} offered", l.onec_id);
            assert_eq!(
                l.vat_rate_bp, item.vat_rate_bp,
                "{folder}: VAT on a line of {}",
                l.onec_id
            );
            let price = want
                .iter()
                .find(|w| w.onec_id == l.onec_id && w.price_type == t.onec_id)
                .filter(|w| w.currency.as_deref().is_none_or(|c| c == "RUB"))
                .map(|w| w.price_kop);
            assert_eq!(
                l.price_kop, price,
                "{folder}: a client's price of {} ({})",
                l.onec_id, t.onec_id
            );
        }
    }
}

#[test]
fn v2_08_catalogue_item_by_item() {
    check_fixture("v2.08-bigperson");
}

#[test]
fn v2_09_catalogue_item_by_item() {
    check_fixture("v2.09-gillbeits");
}

#[test]
fn v3_1_catalogue_item_by_item() {
    check_fixture("v3.1-bitrix-module");
}

/// Writes `body` as an exchange file in a temporary folder and returns its path.
fn temp_file(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn an_offer_without_article_leaves_the_product_as_import_xml_set_it() {
    let dir = std::env::temp_dir().join(format!("cml-faithful-{}", std::process::id()));
    let import = temp_file(
        &dir,
        "import.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог><Товары>
<Товар><Ид>p-1</Ид><Артикул>ART-1</Артикул><Наименование>Болт М8</Наименование>
<БазоваяЕдиница Код="166" НаименованиеПолное="Килограмм">кг</БазоваяЕдиница>
<СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>10</Ставка></СтавкаНалога></СтавкиНалогов></Товар>
<Товар><Ид>p-2</Ид><Артикул>ART-2</Артикул><Наименование>Гайка</Наименование><БазоваяЕдиница>шт</БазоваяЕдиница>
<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>СтавкаНДС</Наименование><Значение>22%</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Товар>
<Товар><Ид>p-3</Ид><Артикул>ART-3</Артикул><Наименование>Шайба</Наименование><Статус>Удален</Статус></Товар>
</Товары></Каталог></КоммерческаяИнформация>"#,
    );
    let offers = temp_file(
        &dir,
        "offers.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.08"><ПакетПредложений>
<ТипыЦен><ТипЦены><Ид>pt-1</Ид><Наименование>Опт</Наименование><Валюта>руб</Валюта></ТипЦены></ТипыЦен>
<Предложения>
<Предложение><Ид>p-1</Ид><Наименование>Болт М8 (оффер)</Наименование><БазоваяЕдиница Код="796">796</БазоваяЕдиница>
<Цены><Цена><ИдТипаЦены>pt-1</ИдТипаЦены><ЦенаЗаЕдиницу>12,50</ЦенаЗаЕдиницу><Валюта>руб</Валюта></Цена></Цены><Количество>3</Количество></Предложение>
<Предложение><Ид>p-2</Ид><ПометкаУдаления>true</ПометкаУдаления><Наименование>Гайка</Наименование>
<Цены><Цена><ИдТипаЦены>pt-1</ИдТипаЦены><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу><Валюта>USD</Валюта><Коэффициент>1</Коэффициент></Цена></Цены></Предложение>
<Предложение><Ид>p-1#c-1</Ид><Наименование>Болт М8 (оцинк.)</Наименование>
<Цены><Цена><ИдТипаЦены>pt-1</ИдТипаЦены><ЦенаЗаЕдиницу>2</ЦенаЗаЕдиницу><Валюта>USD</Валюта></Цена></Цены></Предложение>
</Предложения></ПакетПредложений></КоммерческаяИнформация>"#,
    );
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    assert!(send_file(&p, &cookie, &import, "import.xml", 1 << 20).starts_with("success\n"));
    assert!(send_file(&p, &cookie, &offers, "offers.xml", 1 << 20).starts_with("success\n"));
    std::fs::remove_dir_all(&dir).ok();
    let stored: Vec<Item> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, article, name, unit, unit_code, vat_rate_bp, active FROM products ORDER BY onec_id",
    )))
    .unwrap();
    let item =
        |id: &str, article: &str, name: &str, unit: &str, code: Option<&str>, vat, active| Item {
            onec_id: id.into(),
            article: article.into(),
            name: name.into(),
            unit: unit.into(),
            unit_code: code.map(Into::into),
            vat_rate_bp: vat,
            active,
        };
    assert_eq!(
        stored,
        vec![
            item("p-1", "ART-1", "Болт М8", "кг", Some("166"), 1000, 1),
            // A characteristic: a variant under its product, with the product's article, unit and VAT.
            item(
                "p-1#c-1",
                "ART-1",
                "Болт М8 (оцинк.)",
                "кг",
                Some("166"),
                1000,
                1
            ),
            // Deleted by its offer's mark; its own fields stay.
            item("p-2", "ART-2", "Гайка", "шт", None, 2200, 0),
            item("p-3", "ART-3", "Шайба", "шт", None, 2000, 0),
        ]
    );
    let prices: Vec<Price> = block_on(p.db.all(Stmt::new(
        "SELECT p.onec_id, t.onec_id AS price_type, pp.price_kop, pp.currency FROM product_prices pp \
         JOIN products p ON p.id = pp.product_id JOIN price_types t ON t.id = pp.price_type_id ORDER BY 1, 2",
    )))
    .unwrap();
    let price = |id: &str, kop, cur: &str| Price {
        onec_id: id.into(),
        price_type: "pt-1".into(),
        price_kop: kop,
        currency: Some(cur.into()),
    };
    assert_eq!(
        prices,
        vec![
            price("p-1", 1250, "RUB"),
            price("p-1#c-1", 200, "USD"),
            price("p-2", 100, "USD")
        ]
    );
}

#[test]
fn a_later_import_xml_carries_to_the_variants_of_its_products() {
    let dir = std::env::temp_dir().join(format!("cml-variants-{}", std::process::id()));
    let import = |vat: &str, unit: &str, mark: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="3.1"><Каталог><Товары>
<Товар><Ид>p-1</Ид><ПометкаУдаления>{mark}</ПометкаУдаления><Артикул>ART-1</Артикул><Наименование>Болт</Наименование>
<БазоваяЕдиница>{unit}</БазоваяЕдиница><СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>{vat}</Ставка></СтавкаНалога></СтавкиНалогов></Товар>
<Товар><Ид>p-10</Ид><Артикул>ART-10</Артикул><Наименование>Другой</Наименование></Товар>
</Товары></Каталог></КоммерческаяИнформация>"#
        )
    };
    let offers = temp_file(
        &dir,
        "offers.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="3.1"><ПакетПредложений><Предложения>
<Предложение><Ид>p-1#c-1</Ид><Наименование>Болт (цинк)</Наименование></Предложение>
<Предложение><Ид>p-10#c-1</Ид><Наименование>Другой (цинк)</Наименование></Предложение>
</Предложения></ПакетПредложений></КоммерческаяИнформация>"#,
    );
    let p = TestPorts::new();
    let cookie = cml_checkauth(&p, "catalog");
    let first = temp_file(&dir, "import.xml", &import("10", "кг", "false"));
    assert!(send_file(&p, &cookie, &first, "import.xml", 1 << 20).starts_with("success\n"));
    assert!(send_file(&p, &cookie, &offers, "offers.xml", 1 << 20).starts_with("success\n"));
    let again = temp_file(&dir, "import.xml", &import("22", "796", "true"));
    assert!(send_file(&p, &cookie, &again, "import.xml", 1 << 20).starts_with("success\n"));
    std::fs::remove_dir_all(&dir).ok();
    let stored: Vec<Item> = block_on(p.db.all(Stmt::new(
        "SELECT onec_id, article, name, unit, unit_code, vat_rate_bp, active FROM products WHERE onec_id LIKE 'p-1%' ORDER BY onec_id",
    )))
    .unwrap();
    let got: Vec<_> = stored
        .iter()
        .map(|i| (i.onec_id.as_str(), i.unit.as_str(), i.vat_rate_bp, i.active))
        .collect();
    assert_eq!(
        got,
        vec![
            ("p-1", "шт", 2200, 0),
            ("p-1#c-1", "шт", 2200, 0),
            ("p-10", "шт", 2000, 1),
            ("p-10#c-1", "шт", 2000, 1),
        ],
        "the product's unit, VAT and deletion reach its variants, not another product's"
    );
}

#[test]
fn a_product_with_characteristics_is_one_card_with_its_variants_priced_and_stocked() {
    let (p, buyer, _) = crate::orders::seeded();
    let dir = std::env::temp_dir().join(format!("cml-cards-{}", std::process::id()));
    let import = temp_file(
        &dir,
        "import.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.08"><Классификатор><Склады><Склад><Ид>w-1</Ид><Наименование>Краснодар</Наименование></Склад>
<Склад><Ид>w-2</Ид><Наименование>Ростов</Наименование></Склад></Склады></Классификатор>
<Каталог СодержитТолькоИзменения="true"><Товары>
<Товар><Ид>k-1</Ид><Артикул>CARD-1</Артикул><Наименование>Ремень вариатора</Наименование></Товар>
</Товары></Каталог></КоммерческаяИнформация>"#,
    );
    let offers = temp_file(
        &dir,
        "offers.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.08"><ПакетПредложений СодержитТолькоИзменения="true">
<ТипыЦен><ТипЦены><Ид>PT1</Ид><Наименование>Опт</Наименование><Валюта>руб</Валюта></ТипЦены></ТипыЦен><Предложения>
<Предложение><Ид>k-1#c-1</Ид><Наименование>Ремень вариатора (1200 мм)</Наименование>
<ХарактеристикиТовара><ХарактеристикаТовара><Наименование>Длина</Наименование><Значение>1200 мм</Значение></ХарактеристикаТовара>
<ХарактеристикаТовара><Наименование>Профиль</Наименование><Значение>HJ</Значение></ХарактеристикаТовара></ХарактеристикиТовара>
<Цены><Цена><ИдТипаЦены>PT1</ИдТипаЦены><ЦенаЗаЕдиницу>1500</ЦенаЗаЕдиницу></Цена></Цены>
<Остатки><Остаток><Склад><Ид>w-1</Ид><Количество>2</Количество></Склад></Остаток><Остаток><Склад><Ид>w-2</Ид><Количество>1</Количество></Склад></Остаток></Остатки></Предложение>
<Предложение><Ид>k-1#c-2</Ид><Наименование>Ремень вариатора (1400 мм)</Наименование>
<ХарактеристикиТовара><ХарактеристикаТовара><Наименование>Длина</Наименование><Значение>1400 мм</Значение></ХарактеристикаТовара></ХарактеристикиТовара>
<Цены><Цена><ИдТипаЦены>PT1</ИдТипаЦены><ЦенаЗаЕдиницу>1700,50</ЦенаЗаЕдиницу></Цена></Цены>
<Остатки><Остаток><Склад><Ид>w-2</Ид><Количество>4</Количество></Склад></Остаток></Остатки></Предложение>
</Предложения></ПакетПредложений></КоммерческаяИнформация>"#,
    );
    let cookie = cml_checkauth(&p, "catalog");
    assert!(send_file(&p, &cookie, &import, "import.xml", 1 << 20).starts_with("success\n"));
    assert!(send_file(&p, &cookie, &offers, "offers.xml", 1 << 20).starts_with("success\n"));
    std::fs::remove_dir_all(&dir).ok();
    let r = crate::helpers::body(&crate::helpers::orders(
        &p,
        "GET",
        "/api/orders/catalog?q=card-1",
        None,
        &buyer,
    ));
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one card, the variants under it: {r}");
    let card = &items[0];
    assert_eq!(
        (card["onec_id"].as_str(), card["name"].as_str()),
        (Some("k-1"), Some("Ремень вариатора"))
    );
    let variants: Vec<_> = card["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["onec_id"].as_str().unwrap().to_string(),
                v["properties"].clone(),
                v["price_kop"].clone(),
                v["stock_milli"].clone(),
                v["stock"].clone(),
            )
        })
        .collect();
    assert_eq!(
        variants,
        vec![
            (
                "k-1#c-1".to_string(),
                serde_json::json!([["Длина", "1200 мм"], ["Профиль", "HJ"]]),
                serde_json::json!(150000),
                serde_json::json!(3000),
                serde_json::json!([{"warehouse": "Краснодар", "qty_milli": 2000}, {"warehouse": "Ростов", "qty_milli": 1000}]),
            ),
            (
                "k-1#c-2".to_string(),
                serde_json::json!([["Длина", "1400 мм"]]),
                serde_json::json!(170050),
                serde_json::json!(4000),
                serde_json::json!([{"warehouse": "Ростов", "qty_milli": 4000}]),
            ),
        ]
    );
}
