//! `onec-sim cml-sale`: 1C's stock "Обмен с сайтом" for orders, as a stock configuration with no
//! extension plays it against the portal's `/exchange/1c/commerceml` (the way 1C-Bitrix's
//! `sale.export.1c` is driven): `checkauth` (HTTP Basic), `init` with the schema version,
//! `query` (the site's changed orders), `success`, then 1C's own order file sent with `file` and
//! `import`. 1C's file carries every order it took from `query` as 1C now has it (posted, with
//! 1C's number; a cancellation the site asked for (`Отменен`) honoured unless the manager refuses
//! it, `refuse_cancel`), plus what a manager did: changed lines, a phone order, a payment or shipment
//! document (3.1 `ХозОперация`), in the asked version's shape (2.x documents at the root, 3.1
//! each `Контейнер` holding an order with its payments and shipments) and encoding.
//!
//! A new site order (its `Ид` is the site's id, `ord_...`: 1C has no document for it yet) becomes
//! 1C's own document: a new `Ид` of 1C's, the site's `Номер` kept, 1C's number in `Номер по 1С`
//! (2.x) or `Номер1С` (3.1), as Bitrix's loader matches it (`Номер` to the site's order, `Ид` to
//! the order's `ID_1C`).
//!
//! Built from the CommerceML fixtures and Bitrix's reader, not from a recording of a real 1C.
//!
//! `--zip`: as 1C with "Использовать сжатие" on, when the site's `init` answers `zip=yes`: the
//! order file goes as a ZIP archive (`orders-<ms>.zip` holding `orders-<ms>.xml`), and `import`
//! asks for the XML by its name. `--chunk N`: the file is sent in pieces of N bytes (default:
//! the `file_limit` `init` answered).
//!
//! `--json` (all optional):
//! `{"echo": true, "documents": [{"kind": "order", "id", "number", "buyer": {"id", "name", "inn",
//!  "kpp"}, "lines": [[article, qty, price], ...], "deleted": false, "status": "..."},
//!  {"kind": "payment" | "shipment", "id", "basis" (optional), "sum"}], "refuse_cancel": [queried
//!  ids whose cancellation the manager refuses]}`; prints
//! `{"queried": [ids], "seen": {id: {number, buyer, agreement, contract, warehouse, products,
//! cancelled}}, "assigned": {site id: 1C's id}, "import": "<1C's answer>"}`.

use serde_json::{json, Value};
use shared::commerceml::{read_documents, Document};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let portal = crate::arg(args, "--portal").unwrap_or_else(|| "http://127.0.0.1:8787".into());
    let version = crate::arg(args, "--version").unwrap_or_else(|| "2.10".into());
    let cp1251 =
        crate::arg(args, "--encoding").is_some_and(|e| e.eq_ignore_ascii_case("windows-1251"));
    let spec: Value = match crate::arg(args, "--json") {
        Some(j) => serde_json::from_str(&j).map_err(|e| format!("--json: {e}"))?,
        None => json!({"echo": true}),
    };
    let url = format!("{}/exchange/1c/commerceml", portal.trim_end_matches('/'));
    let user = crate::setting("CML_USER").ok_or("CML_USER is not set")?;
    let password = crate::setting("CML_PASSWORD").ok_or("CML_PASSWORD is not set")?;
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let auth = ureq::get(&format!("{url}?type=sale&mode=checkauth"))
        .set("authorization", &format!("Basic {basic}"))
        .call()
        .map_err(|e| format!("checkauth: {e}"))?
        .into_string()
        .map_err(|e| e.to_string())?;
    let mut lines = auth.lines();
    if lines.next() != Some("success") {
        return Err(format!("checkauth: {auth}"));
    }
    let cookie = format!(
        "{}={}",
        lines.next().unwrap_or(""),
        lines.next().unwrap_or("")
    );
    let get = |query: &str| -> Result<Vec<u8>, String> {
        let r = ureq::get(&format!("{url}?{query}"))
            .set("cookie", &cookie)
            .call()
            .map_err(|e| format!("{query}: {e}"))?;
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut r.into_reader(), &mut body).map_err(|e| e.to_string())?;
        Ok(body)
    };
    let init = String::from_utf8_lossy(&get(&format!("type=sale&mode=init&version={version}"))?)
        .to_string();
    let zip = args.iter().any(|a| a == "--zip");
    if zip && !init.lines().any(|l| l == "zip=yes") {
        return Err(format!("--zip: the site's init did not offer zip: {init}"));
    }
    let file_limit: usize = init
        .lines()
        .find_map(|l| l.strip_prefix("file_limit="))
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(usize::MAX);
    let chunk: usize = crate::arg(args, "--chunk")
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(file_limit)
        .min(file_limit);
    let answer = get(&format!("type=sale&mode=query&version={version}"))?;
    let queried = read_documents(&answer[..])
        .map_err(|e| format!("query: {e}"))?
        .documents;
    let ok = String::from_utf8_lossy(&get("type=sale&mode=success")?).to_string();
    if !ok.starts_with("success") {
        return Err(format!("success: {ok}"));
    }
    let xml = order_file(&version, &queried, &spec);
    let bytes = if cp1251 {
        let xml = xml.replacen("encoding=\"UTF-8\"", "encoding=\"windows-1251\"", 1);
        encoding_rs::WINDOWS_1251.encode(&xml).0.into_owned()
    } else {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(xml.as_bytes());
        b
    };
    let stem = format!("orders-{}", chrono::Utc::now().timestamp_millis());
    let name = format!("{stem}.xml");
    let (sent_name, bytes) = if zip {
        let archive = shared::testing::zip_archive(&[(name.as_str(), bytes.as_slice())], false);
        (format!("{stem}.zip"), archive)
    } else {
        (name.clone(), bytes)
    };
    let mut sent = String::new();
    for piece in bytes.chunks(chunk) {
        sent = ureq::post(&format!("{url}?type=sale&mode=file&filename={sent_name}"))
            .set("cookie", &cookie)
            .send_bytes(piece)
            .map_err(|e| format!("file: {e}"))?
            .into_string()
            .map_err(|e| e.to_string())?;
        if !sent.starts_with("success") {
            break;
        }
    }
    let import = if sent.starts_with("success") {
        String::from_utf8_lossy(&get(&format!("type=sale&mode=import&filename={name}"))?)
            .to_string()
    } else {
        sent
    };
    let ids: Vec<Option<String>> = queried.iter().map(|d| d.id.clone()).collect();
    // What 1C read of each queried order, and the ids it gave the new site orders.
    let seen: serde_json::Map<String, Value> = queried
        .iter()
        .filter_map(|d| {
            let buyer = d.buyer().cloned().unwrap_or_default();
            let products: Vec<Option<String>> = d.lines.iter().map(|l| l.id.clone()).collect();
            Some((d.id.clone()?, json!({"number": d.number, "buyer": {"id": buyer.id, "inn": buyer.inn, "kpp": buyer.kpp},
                "agreement": d.requisite("Соглашение"), "contract": d.requisite("Договор"), "warehouse": d.requisite("Склад"),
                "products": products, "cancelled": d.requisite("Отменен")})))
        })
        .collect();
    let assigned: serde_json::Map<String, Value> = ids
        .iter()
        .flatten()
        .filter(|id| id.starts_with("ord_"))
        .map(|id| (id.clone(), Value::from(guid(id))))
        .collect();
    println!(
        "{}",
        json!({"queried": ids, "seen": seen, "assigned": assigned, "import": import})
    );
    Ok(())
}

/// 1C's id of the document it makes for a site order: a GUID, the same for the same site id.
fn guid(site_id: &str) -> String {
    // FNV-1a, twice with different offsets: 128 stable bits (no randomness across runs).
    let h = |offset: u64| {
        site_id
            .bytes()
            .fold(offset, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
    };
    let (a, b) = (h(0xcbf29ce484222325), h(0x84222325cbf29ce4));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Kopecks as 1C writes a sum: `1234.5`.
fn money(kop: i64) -> String {
    shared::money::Kopecks(kop).to_decimal_string()
}

/// 1C's order file: the queried orders as 1C has them, then the spec's documents.
fn order_file(version: &str, queried: &[Document], spec: &Value) -> String {
    let v3 = version.starts_with('3');
    let mut docs: Vec<String> = Vec::new();
    let empty = Vec::new();
    let extra = spec["documents"].as_array().unwrap_or(&empty);
    let refused = spec["refuse_cancel"].as_array().unwrap_or(&empty);
    if spec["echo"].as_bool().unwrap_or(true) {
        for d in queried {
            let site_id = d.id.clone().unwrap_or_default();
            // A new site order: 1C registers it under an id of its own.
            let id = if site_id.starts_with("ord_") {
                guid(&site_id)
            } else {
                site_id.clone()
            };
            // A manager's edit of the same order replaces 1C's echo of it.
            if extra.iter().any(|e| e["id"].as_str() == Some(&id)) {
                continue;
            }
            let asked = d
                .requisite("Отменен")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            let cancelled = asked && !refused.iter().any(|r| r.as_str() == Some(&site_id));
            let lines: Vec<(String, String, i64)> = d
                .lines
                .iter()
                .map(|l| {
                    (
                        l.article.clone().or(l.id.clone()).unwrap_or_default(),
                        l.quantity
                            .map(|q| q.to_decimal_string())
                            .unwrap_or_else(|| "1".into()),
                        l.price.map(|p| p.0).unwrap_or(0),
                    )
                })
                .collect();
            let buyer = d.buyer().cloned().unwrap_or_default();
            let number = d.number.clone().unwrap_or_default();
            docs.push(order_doc(
                v3,
                &id,
                &number,
                &json!({"id": buyer.id, "name": buyer.name, "inn": buyer.inn, "kpp": buyer.kpp}),
                &lines,
                false,
                None,
                Some(cancelled),
            ));
        }
    }
    for e in extra {
        let id = e["id"].as_str().unwrap_or("");
        match e["kind"].as_str().unwrap_or("order") {
            "payment" | "shipment" => {
                let op = if e["kind"] == "payment" {
                    "Выплата безналичных денег"
                } else {
                    "Отпуск товара"
                };
                let sum = shared::money::Kopecks::parse(&e["sum"].to_string().replace('"', ""))
                    .map(|k| k.0)
                    .unwrap_or(0);
                let mark = if v3 {
                    "<ПометкаУдаления>false</ПометкаУдаления>"
                } else {
                    ""
                };
                // A document 1C sends again (a correction) may name no `Основание`.
                let basis = e["basis"]
                    .as_str()
                    .map(|b| format!("<Основание>{}</Основание>", esc(b)))
                    .unwrap_or_default();
                docs.push(format!(
                    "<Документ><Ид>{}</Ид>{mark}<Номер>{}</Номер><Дата>2026-03-07</Дата><Время>12:00:00</Время><ХозОперация>{op}</ХозОперация>\
                     {basis}<Валюта>руб</Валюта><Курс>1</Курс><Сумма>{}</Сумма></Документ>",
                    esc(id), esc(id), money(sum)
                ));
            }
            _ => {
                let lines: Vec<(String, String, i64)> = e["lines"]
                    .as_array()
                    .unwrap_or(&empty)
                    .iter()
                    .map(|l| {
                        let price =
                            shared::money::Kopecks::parse(&l[2].to_string().replace('"', ""))
                                .map(|k| k.0)
                                .unwrap_or(0);
                        (
                            l[0].as_str().unwrap_or("").to_string(),
                            l[1].to_string().replace('"', ""),
                            price,
                        )
                    })
                    .collect();
                docs.push(order_doc(
                    v3,
                    id,
                    e["number"].as_str().unwrap_or(id),
                    &e["buyer"],
                    &lines,
                    e["deleted"].as_bool().unwrap_or(false),
                    e["status"].as_str(),
                    e["cancelled"].as_bool(),
                ));
            }
        }
    }
    // 3.1: an order's payments and shipments share its `Контейнер`; each document gets its own
    // here, `Основание` names the order.
    let body: String = if v3 {
        docs.iter()
            .map(|d| format!("\t<Контейнер>\n\t\t{d}\n\t</Контейнер>\n"))
            .collect()
    } else {
        docs.iter().map(|d| format!("\t{d}\n")).collect()
    };
    let ns = if v3 {
        "urn:1C.ru:commerceml_3"
    } else {
        "urn:1C.ru:commerceml_2"
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<КоммерческаяИнформация xmlns=\"{ns}\" ВерсияСхемы=\"{version}\" ДатаФормирования=\"2026-03-07T12:00:00\">\r\n{body}</КоммерческаяИнформация>\r\n"
    )
}

fn order_doc(
    v3: bool,
    id: &str,
    number: &str,
    buyer: &Value,
    lines: &[(String, String, i64)],
    deleted: bool,
    status: Option<&str>,
    cancelled: Option<bool>,
) -> String {
    let mut sum = 0i64;
    let rows: String = lines
        .iter()
        .map(|(article, qty, price)| {
            let q = shared::money::Milli::parse(qty).unwrap_or(shared::money::Milli(1000));
            let amount = shared::money::line_amount(q, shared::money::Kopecks(*price));
            sum += amount.0;
            let (unit, price_el) = if v3 {
                ("<Единица><Ид>796</Ид><НаименованиеКраткое>шт</НаименованиеКраткое><Код>796</Код></Единица>", "Цена")
            } else {
                ("<БазоваяЕдиница Код=\"796\">шт</БазоваяЕдиница>", "ЦенаЗаЕдиницу")
            };
            format!(
                "<Товар><Артикул>{a}</Артикул><Наименование>Товар {a}</Наименование>{unit}<Количество>{q}</Количество>\
                 <{price_el}>{p}</{price_el}><Сумма>{s}</Сумма></Товар>",
                a = esc(article),
                q = q.to_decimal_string(),
                p = money(*price),
                s = money(amount.0)
            )
        })
        .collect();
    let buyer_xml = format!(
        "<Контрагенты><Контрагент>{}{}{}{}<Роль>Покупатель</Роль></Контрагент></Контрагенты>",
        buyer["id"]
            .as_str()
            .map(|v| format!("<Ид>{}</Ид>", esc(v)))
            .unwrap_or_default(),
        buyer["name"]
            .as_str()
            .map(|v| format!("<Наименование>{}</Наименование>", esc(v)))
            .unwrap_or_default(),
        buyer["inn"]
            .as_str()
            .map(|v| format!("<ИНН>{v}</ИНН>"))
            .unwrap_or_default(),
        buyer["kpp"]
            .as_str()
            .map(|v| format!("<КПП>{v}</КПП>"))
            .unwrap_or_default(),
    );
    let onec_number = format!("УТ-{number}");
    let mut reqs = vec![("Проведен", "true".to_string())];
    if !v3 {
        reqs.push(("Номер по 1С", onec_number.clone()));
        reqs.push(("ПометкаУдаления", deleted.to_string()));
    }
    if let Some(s) = status {
        reqs.push(("Статус заказа", s.to_string()));
    }
    // 1C's export says whether the order is cancelled (Bitrix's loader reads `Отменен`).
    if let Some(c) = cancelled {
        reqs.push(("Отменен", c.to_string()));
    }
    let reqs: String = reqs
        .iter()
        .map(|(n, v)| format!("<ЗначениеРеквизита><Наименование>{n}</Наименование><Значение>{}</Значение></ЗначениеРеквизита>", esc(v)))
        .collect();
    let head = if v3 {
        format!("<Ид>{}</Ид><ПометкаУдаления>{deleted}</ПометкаУдаления><Номер>{}</Номер><Номер1С>{}</Номер1С>", esc(id), esc(number), esc(&onec_number))
    } else {
        format!("<Ид>{}</Ид><Номер>{}</Номер>", esc(id), esc(number))
    };
    format!(
        "<Документ>{head}<Дата>2026-03-07</Дата><Время>09:30:00</Время><ХозОперация>Заказ товара</ХозОперация>{buyer_xml}\
         <Валюта>руб</Валюта><Курс>1</Курс><Сумма>{}</Сумма><Товары>{rows}</Товары><ЗначенияРеквизитов>{reqs}</ЗначенияРеквизитов></Документ>",
        money(sum)
    )
}
