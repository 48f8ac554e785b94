//! The CommerceML reader against real exchange files (third-party data, read in place, never
//! copied here) and a synthetic 50 MB catalog.
//!
//! Every expected number below was counted once by `xmllint` (libxml2-utils), not by this
//! parser, with `L='local-name()'` and, per file:
//!   groups         xmllint --xpath "count(//*[$L=\"Группы\"]/*[$L=\"Группа\"])" FILE
//!   properties     xmllint --xpath "count(//*[$L=\"Свойства\"]/*[$L=\"Свойство\"])" FILE
//!   products       xmllint --xpath "count(//*[$L=\"Каталог\"]/*[$L=\"Товары\"]/*[$L=\"Товар\"])" FILE
//!   offers         xmllint --xpath "count(//*[$L=\"Предложения\"]/*[$L=\"Предложение\"])" FILE
//!   prices         xmllint --xpath "count(//*[$L=\"Предложение\"]/*[$L=\"Цены\"]/*[$L=\"Цена\"])" FILE
//!   documents      xmllint --xpath "count(//*[$L=\"Документ\"])" FILE
//!   counterparties xmllint --xpath "count(//*[$L=\"Контрагенты\"]/*[$L=\"Контрагент\"])" FILE
//!   schema         xmllint --xpath "string(/*/@ВерсияСхемы)" FILE
//!   namespace      xmllint --xpath "namespace-uri(/*)" FILE
//!   changes only   xmllint --xpath "//*[$L=\"Каталог\" or $L=\"ПакетПредложений\"]/@СодержитТолькоИзменения" FILE
//! `Товар` is counted as a product only under `Каталог/Товары`: the order lines
//! (`Документ/Товары/Товар`) are `DocumentSummary::lines`, counted with
//!   xmllint --xpath "count(//*[$L=\"Документ\"]/*[$L=\"Товары\"]/*[$L=\"Товар\"])" FILE
//! Sums were taken with `sum(...)`, printed as `sum(...) - N` where xmllint would round.

use shared::commerceml::{
    for_each_offer, for_each_product, inspect, CmlError, Counts, DocumentSummary, Offer, Product,
    Summary,
};
use shared::money::{Kopecks, Milli};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixtures() -> Option<PathBuf> {
    shared::testing::commerceml_fixtures()
}

fn open(dir: &Path, file: &str) -> BufReader<File> {
    let path = dir.join(file);
    BufReader::new(File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn inspect_file(dir: &Path, file: &str) -> Summary {
    inspect(open(dir, file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn offers(dir: &Path, file: &str) -> Vec<Offer> {
    let mut out = Vec::new();
    for_each_offer(open(dir, file), |o| {
        out.push(o);
        Ok::<_, CmlError>(())
    })
    .unwrap_or_else(|e| panic!("{file}: {e}"));
    out
}

fn products(dir: &Path, file: &str) -> Vec<Product> {
    let mut out = Vec::new();
    for_each_product(open(dir, file), |p| {
        out.push(p);
        Ok::<_, CmlError>(())
    })
    .unwrap_or_else(|e| panic!("{file}: {e}"));
    out
}

struct Expected {
    file: &'static str,
    schema: &'static str,
    encoding: &'static str,
    namespace: Option<&'static str>,
    changes_only: Option<bool>,
    counts: [u64; 7],
}

const NS_2: Option<&str> = Some("urn:1C.ru:commerceml_2");
const NS_210: Option<&str> = Some("urn:1C.ru:commerceml_210");
const NS_3: Option<&str> = Some("urn:1C.ru:commerceml_3");

/// counts: groups, properties, products, offers, prices, documents, counterparties (xmllint).
#[rustfmt::skip]
const EXPECTED: &[Expected] = &[
    Expected { file: "v2.03-1c-docs/orders.xml",        schema: "2.03", encoding: "utf-8",        namespace: None,   changes_only: None,        counts: [0, 0, 0, 0, 0, 3, 1] },
    Expected { file: "v2.03-win1251-carono/orders.xml", schema: "2.03", encoding: "windows-1251", namespace: None,   changes_only: None,        counts: [0, 0, 0, 0, 0, 1, 1] },
    Expected { file: "v2.08-bigperson/import.xml",      schema: "2.08", encoding: "utf-8",        namespace: NS_210, changes_only: Some(false), counts: [5, 3, 2, 0, 0, 0, 0] },
    Expected { file: "v2.08-bigperson/offers.xml",      schema: "2.08", encoding: "utf-8",        namespace: NS_210, changes_only: Some(false), counts: [0, 1, 0, 2, 6, 0, 0] },
    Expected { file: "v2.09-gillbeits/import.xml",      schema: "2.09", encoding: "utf-8",        namespace: NS_2,   changes_only: Some(true),  counts: [97, 1908, 0, 0, 0, 0, 0] },
    Expected { file: "v2.09-gillbeits/offers.xml",      schema: "2.09", encoding: "utf-8",        namespace: NS_2,   changes_only: Some(true),  counts: [0, 0, 0, 978, 0, 0, 0] },
    Expected { file: "v2.09-gillbeits/prices.xml",      schema: "2.09", encoding: "utf-8",        namespace: NS_2,   changes_only: Some(true),  counts: [0, 0, 0, 978, 978, 0, 0] },
    Expected { file: "v2.09-gillbeits/rests.xml",       schema: "2.09", encoding: "utf-8",        namespace: NS_2,   changes_only: Some(true),  counts: [0, 0, 0, 978, 0, 0, 0] },
    Expected { file: "v3.1-bitrix-module/documents.xml", schema: "3.1", encoding: "utf-8",        namespace: NS_3,   changes_only: None,        counts: [0, 0, 0, 0, 0, 20, 20] },
    Expected { file: "v3.1-bitrix-module/import.xml",   schema: "3.1",  encoding: "utf-8",        namespace: NS_3,   changes_only: Some(true),  counts: [0, 0, 21, 0, 0, 0, 0] },
    Expected { file: "v3.1-bitrix-module/offers.xml",   schema: "3.1",  encoding: "utf-8",        namespace: NS_3,   changes_only: Some(true),  counts: [0, 0, 0, 86, 0, 0, 0] },
    Expected { file: "v3.1-bitrix-module/prices.xml",   schema: "3.1",  encoding: "utf-8",        namespace: NS_3,   changes_only: Some(true),  counts: [0, 0, 0, 86, 86, 0, 0] },
    Expected { file: "v3.1-bitrix-module/rests.xml",    schema: "3.1",  encoding: "utf-8",        namespace: NS_3,   changes_only: Some(true),  counts: [0, 0, 0, 86, 0, 0, 0] },
];

fn xml_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
            {
                found.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_fixture_parses_with_the_independent_counts() {
    let Some(dir) = fixtures() else { return };
    let mut listed: Vec<String> = EXPECTED.iter().map(|e| e.file.to_owned()).collect();
    listed.sort();
    assert_eq!(
        xml_files(&dir),
        listed,
        "every fixture file needs its xmllint counts here"
    );

    for e in EXPECTED {
        let s = inspect_file(&dir, e.file);
        let c = s.counts;
        let counts = [
            c.groups,
            c.properties,
            c.products,
            c.offers,
            c.prices,
            c.documents,
            c.counterparties,
        ];
        assert_eq!(
            counts, e.counts,
            "{}: groups, properties, products, offers, prices, documents, counterparties",
            e.file
        );
        assert_eq!(s.schema_version.as_deref(), Some(e.schema), "{}", e.file);
        assert_eq!(s.encoding, e.encoding, "{}", e.file);
        assert_eq!(s.namespace.as_deref(), e.namespace, "{}", e.file);
        assert_eq!(s.contains_only_changes, e.changes_only, "{}", e.file);
        assert_eq!(s.documents.len() as u64, c.documents, "{}", e.file);
    }
}

fn requisite<'a>(d: &'a DocumentSummary, name: &str) -> Option<&'a str> {
    d.status_requisites
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn orders_from_1c_documentation() {
    let Some(dir) = fixtures() else { return };
    let s = inspect_file(&dir, "v2.03-1c-docs/orders.xml");
    let numbers: Vec<_> = s
        .documents
        .iter()
        .map(|d| d.number.as_deref().unwrap())
        .collect();
    assert_eq!(numbers, ["36", "92", "93"]);

    let first = &s.documents[0];
    assert_eq!(first.sum_kop, Some(673_447));
    assert_eq!(first.operation.as_deref(), Some("Заказ товара"));
    assert_eq!(first.date.as_deref(), Some("2007-10-30"));
    assert_eq!(
        first.datetime_utc.unwrap().to_rfc3339(),
        "2007-10-30T12:19:27+00:00"
    );
    assert_eq!(
        first.counterparty_ids,
        ["1#admin# admin"],
        "kept as written, trimmed"
    );
    assert_eq!(
        first.lines, 2,
        "ORDER_DELIVERY and the TV are lines, not products"
    );
    assert_eq!(first.onec_number, None);
    assert_eq!(requisite(first, "Статус заказа"), Some("[N] Принят"));
    assert_eq!(first.status_requisites.len(), 7);

    let second = &s.documents[1];
    assert_eq!(
        second.onec_number.as_deref(),
        Some("MM92"),
        "from the requisite Номер по 1С"
    );
    assert_eq!(second.sum_kop, None);
    assert_eq!(
        second.status_requisites,
        pairs(&[
            ("Номер по 1С", "MM92"),
            ("Дата по 1С", "2015-08-12"),
            ("ПометкаУдаления", "false"),
            ("Проведен", "true"),
            ("Статус заказа", "Открыт")
        ])
    );
    // xmllint: count(//*[$L="Документ"]/*[$L="ЗначенияРеквизитов"]/*[$L="ЗначениеРеквизита"]) = 17
    assert_eq!(
        s.documents
            .iter()
            .map(|d| d.status_requisites.len())
            .sum::<usize>(),
        17
    );
}

#[test]
fn windows_1251_order() {
    let Some(dir) = fixtures() else { return };
    let s = inspect_file(&dir, "v2.03-win1251-carono/orders.xml");
    assert_eq!(s.encoding, "windows-1251");
    let d = &s.documents[0];
    assert_eq!(d.id.as_deref(), Some("20"));
    assert_eq!(d.number.as_deref(), Some("20"));
    assert_eq!(d.sum_kop, Some(968_342));
    assert_eq!(d.operation.as_deref(), Some("Заказ товара"));
    assert_eq!(
        d.counterparty_ids,
        ["1#admin#Петров Петр"],
        "the nested Представитель/Контрагент is not one"
    );
    assert_eq!(d.lines, 2);
    assert_eq!(
        d.status_requisites.len(),
        10,
        "xmllint: 10 ЗначениеРеквизита of the document"
    );
    assert_eq!(requisite(d, "Статус заказа"), Some("[F] Доставлен"));
    assert_eq!(
        requisite(d, "Номер платежного документа"),
        Some("ТК000000026")
    );
    assert_eq!(requisite(d, "Отменен"), Some("false"));
}

#[test]
fn containers_of_3_1() {
    let Some(dir) = fixtures() else { return };
    let s = inspect_file(&dir, "v3.1-bitrix-module/documents.xml");
    let first = &s.documents[0];
    assert_eq!(first.id.as_deref(), Some("320"));
    assert_eq!(
        first.onec_number.as_deref(),
        Some("L320"),
        "`L320       ` trimmed"
    );
    assert_eq!(first.sum_kop, Some(132_000));
    assert_eq!(
        first.datetime_utc.unwrap().to_rfc3339(),
        "2017-08-03T15:46:55+00:00"
    );
    assert_eq!(
        first.status_requisites,
        pairs(&[
            ("Проведен", "true"),
            ("Отменен", "false"),
            ("Отгружен", "true"),
            ("Номер отгрузки по 1С", "О0000000976"),
            ("Дата отгрузки по 1С", "2017-08-04T12:22:01"),
        ])
    );
    let fourth = &s.documents[3];
    assert_eq!(
        (fourth.id.as_deref(), fourth.onec_number.as_deref()),
        (Some("321"), Some("L321"))
    );
    assert_eq!(fourth.sum_kop, Some(6_025_956));
    assert_eq!(
        requisite(fourth, "Адрес доставки"),
        Some("400066, г. Волгоград, ул. Комсомльская, д. 6")
    );

    // xmllint: sum(//*[$L="Документ"]/*[$L="Сумма"]) - 141000 = 508.49
    assert_eq!(
        s.documents.iter().filter_map(|d| d.sum_kop).sum::<i64>(),
        14_150_849
    );
    // xmllint: 80 ЗначениеРеквизита of documents, 20 order lines
    assert_eq!(
        s.documents
            .iter()
            .map(|d| d.status_requisites.len())
            .sum::<usize>(),
        80
    );
    assert_eq!(s.documents.iter().map(|d| d.lines).sum::<u64>(), 20);
    assert!(s
        .documents
        .iter()
        .all(|d| d.operation.as_deref() == Some("Заказ товара")));
}

#[test]
fn catalog_products() {
    let Some(dir) = fixtures() else { return };
    let p = products(&dir, "v2.08-bigperson/import.xml");
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].id, "ffce323d-c133-11e8-8111-0050569b2b72");
    assert_eq!(p[0].article.as_deref(), Some("NF-00005894"));
    assert_eq!(p[0].name.as_deref(), Some("Test product 1"));
    assert_eq!(
        (p[0].unit.as_deref(), p[0].unit_code.as_deref()),
        (Some("шт"), Some("796")),
        "an empty БазоваяЕдиница with Код=\"796\": the name by its ОКЕИ code, the code apart"
    );
    assert_eq!(p[0].vat_bp, None, "no СтавкиНалогов in 2.08");
    assert_eq!(p[0].group_ids, ["ffce323c-c133-11e8-8111-0050569b2b72"]);

    let p = products(&dir, "v3.1-bitrix-module/import.xml");
    assert_eq!(p.len(), 21);
    assert_eq!(p[0].id, "afc7eb78-8172-11e7-948c-00155d020201");
    assert_eq!(
        p[0].name.as_deref(),
        Some("Parallels Desktop for Mac Pro Lic")
    );
    assert_eq!(
        (p[0].unit.as_deref(), p[0].unit_code.as_deref()),
        (Some("шт"), Some("796")),
        "`796 ` trimmed, a code"
    );
    // xmllint: all 21 СтавкиНалогов/СтавкаНалога/Ставка are `Без налога`
    assert!(p.iter().all(|p| p.vat_bp == Some(0) && !p.deleted));
    // xmllint: count(//*[$L="Каталог"]//*[$L="Товар"]/*[$L="Группы"]/*[$L="Ид"]) = 21, no Артикул has text
    assert_eq!(p.iter().map(|p| p.group_ids.len()).sum::<usize>(), 21);
    assert!(p.iter().all(|p| p.article.is_none()));

    assert!(
        products(&dir, "v2.09-gillbeits/import.xml").is_empty(),
        "a classifier only"
    );
    assert!(
        products(&dir, "v3.1-bitrix-module/documents.xml").is_empty(),
        "order lines are not products"
    );
}

#[test]
fn offers_prices_and_stock() {
    let Some(dir) = fixtures() else { return };
    let o = offers(&dir, "v2.08-bigperson/offers.xml");
    assert_eq!(o.len(), 2);
    assert_eq!(
        o[0].id,
        "ffce323d-c133-11e8-8111-0050569b2b72#8a4e5ea9-d129-11e8-8112-0050569b2b72"
    );
    assert_eq!(o[0].name.as_deref(), Some("Test offer 1"));
    assert_eq!(
        o[0].prices[0],
        (
            "db7b09f3-94c2-11e8-810b-0050569b5454".to_owned(),
            Kopecks(1_050_000)
        )
    );
    assert_eq!(o[0].prices.len(), 3);
    assert_eq!(
        (o[0].quantity, o[1].quantity),
        (Some(Milli(2_000)), Some(Milli(5_000)))
    );

    // xmllint: sum(//*[$L="ЦенаЗаЕдиницу"]) = 366563
    let o = offers(&dir, "v2.09-gillbeits/prices.xml");
    assert_eq!(o.len(), 978);
    assert_eq!(
        o.iter()
            .flat_map(|o| &o.prices)
            .map(|(_, k)| k.0)
            .sum::<i64>(),
        36_656_300
    );
    assert_eq!(
        o[0].prices,
        [(
            "4d968229-47ba-11e4-a628-003048c64779".to_owned(),
            Kopecks(18_100)
        )]
    );

    // xmllint: sum(//*[$L="Предложение"]//*[$L="Количество"]) = 1924
    let o = offers(&dir, "v2.09-gillbeits/rests.xml");
    assert_eq!(
        o.iter().map(|o| o.quantity.unwrap().0).sum::<i64>(),
        1_924_000
    );
    assert_eq!(o[0].quantity, Some(Milli(1_000)));

    let o = offers(&dir, "v2.09-gillbeits/offers.xml");
    assert_eq!(o.len(), 978);
    assert_eq!(
        o[0].name.as_deref(),
        Some("Дезодорант для мужчин Чистая линия Фито защита без белых следов 150мл"),
        "trailing space trimmed"
    );
    assert!(o
        .iter()
        .all(|o| o.prices.is_empty() && o.quantity.is_none()));

    // xmllint: sum(//*[$L="ЦенаЗаЕдиницу"]) - 3900000 = 8763.73
    let o = offers(&dir, "v3.1-bitrix-module/prices.xml");
    assert_eq!(
        o.iter()
            .flat_map(|o| &o.prices)
            .map(|(_, k)| k.0)
            .sum::<i64>(),
        390_876_373
    );
    assert_eq!(
        o[0].id,
        "235ccc6d-ab81-11e4-944a-00155d020201#a5abd77f-93f6-11e5-9468-00155d020201"
    );
    assert_eq!(o[0].prices[0].1, Kopecks(204_266));

    // xmllint: 1032 Остаток rows, sum of Количество = 0
    let o = offers(&dir, "v3.1-bitrix-module/rests.xml");
    assert_eq!(o.len(), 86);
    assert!(o.iter().all(|o| o.quantity == Some(Milli(0))));
}

/// A catalog of `products` generated as it is read: the test never holds the file, so only
/// the parser's own memory is in play.
struct SyntheticCatalog {
    next: usize,
    products: usize,
    chunk: Vec<u8>,
    at: usize,
    produced: u64,
}

const CATALOG_HEAD: &str = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_3\" ВерсияСхемы=\"3.1\">\r\n<Каталог СодержитТолькоИзменения=\"false\"><Товары>\r\n";
const CATALOG_TAIL: &str = "</Товары></Каталог>\r\n</КоммерческаяИнформация>\r\n";

impl SyntheticCatalog {
    fn new(products: usize) -> Self {
        SyntheticCatalog {
            next: 0,
            products,
            chunk: CATALOG_HEAD.as_bytes().to_vec(),
            at: 0,
            produced: 0,
        }
    }

    fn product(i: usize) -> String {
        format!(
            "<Товар><Ид>{i:08x}-8172-11e7-948c-00155d020201#{i}</Ид><Артикул> ART-{i} </Артикул>\
             <Наименование>Ремень вариатора комбайна Дон-1500Б, артикул {i}</Наименование>\
             <БазоваяЕдиница Код=\"796\">шт</БазоваяЕдиница><Группы><Ид>94dcb60e-616e-498e-9332-e9991143bbf6</Ид></Группы>\
             <Описание>Оригинальная запчасть для сельхозтехники: ремень клиновой, длина 3150 мм, сечение C(B). \
             Поставка со склада в Ростове-на-Дону, отгрузка в день оплаты.</Описание>\
             <ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование><Значение>Товар</Значение></ЗначениеРеквизита></ЗначенияРеквизитов>\
             </Товар>\r\n"
        )
    }
}

impl Read for SyntheticCatalog {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.chunk.len() {
            self.chunk.clear();
            self.at = 0;
            if self.next < self.products {
                self.chunk
                    .extend_from_slice(Self::product(self.next).as_bytes());
                self.next += 1;
            } else if self.next == self.products {
                self.chunk.extend_from_slice(CATALOG_TAIL.as_bytes());
                self.next += 1;
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        self.produced += n as u64;
        Ok(n)
    }
}

/// Counts every product of a ~50 MB catalog that exists only as a stream, and prints the rate
/// (`cargo test --release -p shared --test commerceml -- --nocapture` for a real number).
#[test]
fn a_50_mb_catalog_streams() {
    const PRODUCTS: usize = 53_000;
    let mut source = SyntheticCatalog::new(PRODUCTS);
    let started = Instant::now();
    let summary = inspect(BufReader::new(&mut source)).unwrap();
    let elapsed = started.elapsed();
    let megabytes = source.produced as f64 / 1e6;
    assert!(megabytes > 50.0, "only {megabytes:.1} MB");
    assert_eq!(
        summary.counts,
        Counts {
            products: PRODUCTS as u64,
            ..Counts::default()
        }
    );
    assert_eq!(summary.contains_only_changes, Some(false));
    eprintln!(
        "inspect: {megabytes:.1} MB in {elapsed:.2?}: {:.0} MB/s",
        megabytes / elapsed.as_secs_f64()
    );

    let mut last = None;
    let started = Instant::now();
    let count = for_each_product(BufReader::new(SyntheticCatalog::new(PRODUCTS)), |p| {
        last = Some(p);
        Ok::<_, CmlError>(())
    })
    .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(count, PRODUCTS as u64);
    let last = last.unwrap();
    assert_eq!(last.article, Some(format!("ART-{}", PRODUCTS - 1)));
    assert_eq!(last.unit.as_deref(), Some("шт"));
    eprintln!(
        "for_each_product: {megabytes:.1} MB in {elapsed:.2?}: {:.0} MB/s",
        megabytes / elapsed.as_secs_f64()
    );
}
