//! Small inline files, one quirk each. The real exchange files are tested in
//! `shared/tests/flows/commerceml.rs`.

use super::*;
use crate::money::{Kopecks, Milli};

fn inspect_str(xml: &str) -> Summary {
    inspect(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn offers(xml: &str) -> Vec<Offer> {
    let mut out = Vec::new();
    for_each_offer(xml.as_bytes(), |o| {
        out.push(o);
        Ok::<_, CmlError>(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    out
}

fn products(xml: &str) -> Vec<Product> {
    let mut out = Vec::new();
    for_each_product(xml.as_bytes(), |p| {
        out.push(p);
        Ok::<_, CmlError>(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    out
}

const ORDER_203: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<КоммерческаяИнформация ВерсияСхемы=\"2.03\">\r\n\
<Документ>\r\n\
  <Ид> 36 </Ид>\r\n\
  <Номер>36</Номер>\r\n\
  <Дата>2026-11-28</Дата>\r\n\
  <Время>09:00:00</Время>\r\n\
  <ХозОперация>Заказ товара</ХозОперация>\r\n\
  <Сумма>23 000,50</Сумма>\r\n\
  <Контрагенты><Контрагент><Ид>1#admin# admin </Ид>\r\n\
    <Представители><Представитель><Контрагент><Ид>x</Ид></Контрагент></Представитель></Представители>\r\n\
  </Контрагент></Контрагенты>\r\n\
  <Товары><Товар><Ид>ORDER_DELIVERY</Ид><ЗначенияРеквизитов><ЗначениеРеквизита>\r\n\
    <Наименование>ВидНоменклатуры</Наименование><Значение>Услуга</Значение>\r\n\
  </ЗначениеРеквизита></ЗначенияРеквизитов><Цена>340</Цена></Товар></Товары>\r\n\
  <ЗначенияРеквизитов>\r\n\
    <ЗначениеРеквизита><Наименование> Номер по 1С </Наименование><Значение> MM92 </Значение></ЗначениеРеквизита>\r\n\
    <ЗначениеРеквизита><Наименование>Статус заказа</Наименование><Значение>[N] Принят &amp; &#1086;к</Значение></ЗначениеРеквизита>\r\n\
    <ЗначениеРеквизита><Наименование>Отменен</Наименование><Значение/></ЗначениеРеквизита>\r\n\
  </ЗначенияРеквизитов>\r\n\
</Документ>\r\n\
</КоммерческаяИнформация>\r\n";

#[test]
fn order_with_crlf_padding_spaced_sum_and_requisites() {
    let s = inspect_str(ORDER_203);
    assert_eq!(s.schema_version.as_deref(), Some("2.03"));
    assert_eq!(s.encoding, "utf-8");
    assert_eq!(s.namespace, None);
    assert_eq!(s.counts.documents, 1);
    assert_eq!(
        s.counts.products, 0,
        "an order line is not a catalog product"
    );
    assert_eq!(
        s.counts.counterparties, 1,
        "the Контрагент inside Представитель is not one"
    );
    let d = &s.documents[0];
    assert_eq!(d.id.as_deref(), Some("36"));
    assert_eq!(
        d.onec_number.as_deref(),
        Some("MM92"),
        "from the requisite Номер по 1С"
    );
    assert_eq!(d.sum_kop, Some(2_300_050));
    assert_eq!(d.counterparty_ids, vec!["1#admin# admin".to_owned()]);
    assert_eq!(d.lines, 1);
    assert_eq!(
        d.datetime_utc.map(crate::time::to_db).as_deref(),
        Some("2026-11-28T06:00:00.000Z")
    );
    assert_eq!(
        d.status_requisites,
        vec![
            ("Номер по 1С".to_owned(), "MM92".to_owned()),
            ("Статус заказа".to_owned(), "[N] Принят & ок".to_owned()),
            ("Отменен".to_owned(), String::new()),
        ],
        "the document's own requisites only, not its lines'"
    );
}

#[test]
fn container_3_1_with_padded_number_and_empty_date() {
    let xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_3\" ВерсияСхемы=\"3.1\">\
        <Контейнер><Документ><Ид>320</Ид><Номер1С>L320       </Номер1С><Дата>T</Дата><Сумма>1320</Сумма></Документ></Контейнер>\
        <Контейнер><Документ><Ид>321</Ид><Дата></Дата></Документ></Контейнер>\
        </КоммерческаяИнформация>";
    let s = inspect_str(xml);
    assert_eq!(s.namespace.as_deref(), Some("urn:1C.ru:commerceml_3"));
    assert_eq!(s.counts.documents, 2);
    let d = &s.documents[0];
    assert_eq!(d.onec_number.as_deref(), Some("L320"));
    assert_eq!(d.date.as_deref(), Some("T"), "as written");
    assert_eq!(d.datetime_utc, None, "T is an empty date");
    assert_eq!(d.sum_kop, Some(132_000));
    assert_eq!(s.documents[1].date, None);
}

#[test]
fn windows_1251_declared_in_the_xml_declaration() {
    let text = "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n\
        <КоммерческаяИнформация ВерсияСхемы=\"2.03\"><Документ><Ид>20</Ид>\
        <ХозОперация>Заказ товара</ХозОперация><ЗначенияРеквизитов><ЗначениеРеквизита>\
        <Наименование>Статус заказа</Наименование><Значение>[F] Доставлен</Значение>\
        </ЗначениеРеквизита></ЗначенияРеквизитов></Документ></КоммерческаяИнформация>";
    let (bytes, unmappable) = super::cp1251::encode(text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "really windows-1251 bytes"
    );
    let s = inspect(&bytes[..]).unwrap();
    assert_eq!(s.encoding, "windows-1251");
    assert_eq!(s.counts.documents, 1);
    assert_eq!(s.documents[0].operation.as_deref(), Some("Заказ товара"));
    assert_eq!(
        s.documents[0].status_requisites,
        vec![("Статус заказа".to_owned(), "[F] Доставлен".to_owned())]
    );
}

#[test]
fn undeclared_windows_1251_is_an_encoding_error() {
    let (value, _) = super::cp1251::encode("Заказ");
    let mut bytes = "<КоммерческаяИнформация><Документ><Ид>".as_bytes().to_vec();
    bytes.extend_from_slice(&value);
    bytes.extend_from_slice("</Ид></Документ></КоммерческаяИнформация>".as_bytes());
    let err = inspect(&bytes[..]).unwrap_err();
    assert!(matches!(err, CmlError::Encoding { .. }), "{err}");
}

#[test]
fn nested_groups_properties_and_changes_only() {
    let xml = "<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.09\">\
        <Классификатор СодержитТолькоИзменения=\"false\"><Группы>\
          <Группа><Ид>a</Ид><Группы><Группа><Ид>a1</Ид><Группы><Группа><Ид>a11</Ид></Группа></Группы></Группа></Группы></Группа>\
          <Группа><Ид>b</Ид></Группа>\
        </Группы><Свойства><Свойство><Ид>p1</Ид></Свойство><Свойство><Ид>p2</Ид></Свойство></Свойства></Классификатор>\
        <Каталог СодержитТолькоИзменения=\" true \"><Товары><Товар><Ид>x</Ид><Группы><Ид>a11</Ид></Группы></Товар></Товары></Каталог>\
        </КоммерческаяИнформация>";
    let s = inspect_str(xml);
    assert_eq!(s.counts.groups, 4);
    assert_eq!(s.counts.properties, 2);
    assert_eq!(s.counts.products, 1);
    assert_eq!(
        s.contains_only_changes,
        Some(true),
        "from Каталог, not Классификатор"
    );
}

#[test]
fn prefixed_root_namespace() {
    let xml = "<c:КоммерческаяИнформация xmlns:c=\"urn:1C.ru:commerceml_210\" c:ВерсияСхемы=\"2.10\">\
        <c:ПакетПредложений СодержитТолькоИзменения=\"false\"><c:Предложения><c:Предложение><c:Ид>1</c:Ид></c:Предложение></c:Предложения></c:ПакетПредложений>\
        </c:КоммерческаяИнформация>";
    let s = inspect_str(xml);
    assert_eq!(s.namespace.as_deref(), Some("urn:1C.ru:commerceml_210"));
    assert_eq!(s.schema_version.as_deref(), Some("2.10"));
    assert_eq!(s.counts.offers, 1);
    assert_eq!(s.contains_only_changes, Some(false));
}

#[test]
fn products_with_units_groups_and_guid_ids() {
    let xml = "<КоммерческаяИнформация ВерсияСхемы=\"3.1\"><Каталог><Товары>\
        <Товар><Ид> afc7#9b62 </Ид><Артикул/><Наименование> Ремень  </Наименование><БазоваяЕдиница>796 </БазоваяЕдиница>\
          <Группы><Ид>g1</Ид><Ид>g2</Ид></Группы>\
          <ЗначенияСвойств><ЗначенияСвойства><Ид>not-mine</Ид></ЗначенияСвойства></ЗначенияСвойств></Товар>\
        <Товар><Ид>2</Ид><Артикул>NF-1</Артикул><БазоваяЕдиница Код=\"796\" НаименованиеПолное=\"Штука\"/></Товар>\
        </Товары></Каталог>\
        <Документ><Товары><Товар><Ид>order-line</Ид></Товар></Товары></Документ></КоммерческаяИнформация>";
    let p = products(xml);
    assert_eq!(p.len(), 2, "order lines are not products");
    assert_eq!(p[0].id, "afc7#9b62");
    assert_eq!(p[0].article, None);
    assert_eq!(p[0].name.as_deref(), Some("Ремень"));
    assert_eq!(
        (p[0].unit.as_deref(), p[0].unit_code.as_deref()),
        (Some("шт"), Some("796"))
    );
    assert_eq!(p[0].group_ids, vec!["g1".to_owned(), "g2".to_owned()]);
    assert_eq!(p[1].article.as_deref(), Some("NF-1"));
    assert_eq!(
        (p[1].unit.as_deref(), p[1].unit_code.as_deref()),
        (Some("шт"), Some("796")),
        "the code from the Код attribute, the name by the code"
    );
}

#[test]
fn vat_rates_deletion_marks_and_currencies() {
    let xml = "<КоммерческаяИнформация><Каталог><Товары>\
        <Товар><Ид>1</Ид><Наименование>a</Наименование><БазоваяЕдиница Код=\"166\" НаименованиеКраткое=\"кг\"/>\
          <СтавкиНалогов><СтавкаНалога><Наименование>Акциз</Наименование><Ставка>5</Ставка></СтавкаНалога>\
          <СтавкаНалога><Наименование>НДС</Наименование><Ставка>22</Ставка></СтавкаНалога></СтавкиНалогов></Товар>\
        <Товар><Ид>2</Ид><ПометкаУдаления>true</ПометкаУдаления><БазоваяЕдиница>упак</БазоваяЕдиница>\
          <ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>СтавкаНДС</Наименование><Значение>10%</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Товар>\
        <Товар><Ид>3</Ид><Статус>Удален</Статус><СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>Без налога</Ставка></СтавкаНалога></СтавкиНалогов></Товар>\
        </Товары></Каталог></КоммерческаяИнформация>";
    let p = products(xml);
    let got: Vec<_> = p
        .iter()
        .map(|p| {
            (
                p.unit.as_deref(),
                p.unit_code.as_deref(),
                p.vat_bp,
                p.deleted,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("кг"), Some("166"), Some(2200), false),
            (Some("упак"), None, Some(1000), true),
            (None, None, Some(0), true),
        ]
    );
    assert_eq!(
        ["20%", "10/110", "0", "без НДС", "18", "x"].map(crate::commerceml::vat_bp),
        [Some(2000), Some(1000), Some(0), Some(0), Some(1800), None]
    );
    let xml = "<КоммерческаяИнформация><ПакетПредложений><Предложения>\
        <Предложение><Ид>a</Ид><Статус>Удален</Статус><Цены>\
          <Цена><ИдТипаЦены>t</ИдТипаЦены><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу><Валюта>USD</Валюта><Коэффициент>1,5</Коэффициент></Цена>\
          <Цена><ИдТипаЦены>u</ИдТипаЦены><ЦенаЗаЕдиницу>2</ЦенаЗаЕдиницу><Валюта>руб</Валюта></Цена>\
          <Цена><ИдТипаЦены>v</ИдТипаЦены><ЦенаЗаЕдиницу>3</ЦенаЗаЕдиницу></Цена></Цены></Предложение>\
        <Предложение><Ид>b</Ид><ПометкаУдаления>false</ПометкаУдаления></Предложение>\
        </Предложения></ПакетПредложений></КоммерческаяИнформация>";
    let o = offers(xml);
    assert_eq!((o[0].deleted, o[1].deleted), (true, false));
    assert_eq!(
        o[0].price_terms,
        vec![
            (Some("USD".to_owned()), Some(crate::money::Milli(1500))),
            (Some("RUB".to_owned()), None),
            (None, None)
        ]
    );
}

#[test]
fn offers_with_prices_and_each_stock_form() {
    let xml = "<КоммерческаяИнформация><ПакетПредложений><Предложения>\
        <Предложение><Ид>a#b</Ид><Артикул>A-1</Артикул><Наименование>Фильтр</Наименование>\
          <Цены><Цена><Представление>23 000,50 руб.</Представление><ИдТипаЦены>opt</ИдТипаЦены><ЦенаЗаЕдиницу>23 000,50</ЦенаЗаЕдиницу></Цена>\
          <Цена><ИдТипаЦены>rozn</ИдТипаЦены><ЦенаЗаЕдиницу>15500</ЦенаЗаЕдиницу></Цена></Цены>\
          <Количество>12.5</Количество></Предложение>\
        <Предложение><Ид>w</Ид><Остатки><Остаток><Склад><Ид>s1</Ид><Количество>1</Количество></Склад></Остаток>\
          <Остаток><Склад><Ид>s2</Ид><Количество>2,5</Количество></Склад></Остаток></Остатки></Предложение>\
        <Предложение><Ид>r</Ид><Остатки><Остаток><Количество>-3</Количество></Остаток></Остатки></Предложение>\
        <Предложение><Ид>attr</Ид><Склад ИдСклада=\"s1\" КоличествоНаСкладе=\"4\"/><Склад ИдСклада=\"s2\" КоличествоНаСкладе=\"1\"/></Предложение>\
        <Предложение><Ид>none</Ид></Предложение>\
        </Предложения></ПакетПредложений></КоммерческаяИнформация>";
    let o = offers(xml);
    assert_eq!(o.len(), 5);
    assert_eq!(o[0].id, "a#b");
    assert_eq!(o[0].article.as_deref(), Some("A-1"));
    assert_eq!(
        o[0].prices,
        vec![
            ("opt".to_owned(), Kopecks(2_300_050)),
            ("rozn".to_owned(), Kopecks(1_550_000))
        ]
    );
    assert_eq!(o[0].quantity, Some(Milli(12_500)));
    assert_eq!(o[1].quantity, Some(Milli(3_500)), "summed over warehouses");
    assert_eq!(
        o[2].quantity,
        Some(Milli(-3_000)),
        "1C allows negative stock"
    );
    assert_eq!(o[3].quantity, Some(Milli(5_000)));
    assert_eq!(o[4].quantity, None);
    assert_eq!(o[4].name, None);
}

#[test]
fn bad_values_are_errors_with_the_element() {
    let xml = "<КоммерческаяИнформация><Документ><Сумма>12 руб</Сумма></Документ></КоммерческаяИнформация>";
    let err = inspect(xml.as_bytes()).unwrap_err();
    assert!(
        matches!(
            err,
            CmlError::InvalidValue {
                element: "Сумма",
                ..
            }
        ),
        "{err}"
    );
    let xml = "<КоммерческаяИнформация><Предложения><Предложение><Ид>1</Ид><Цены><Цена><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу></Цена></Цены></Предложение></Предложения></КоммерческаяИнформация>";
    let err = for_each_offer(xml.as_bytes(), |_| Ok::<_, CmlError>(())).unwrap_err();
    assert!(err.to_string().contains("ИдТипаЦены"), "{err}");
    let xml = "<КоммерческаяИнформация><Предложения><Предложение><Наименование>x</Наименование></Предложение></Предложения></КоммерческаяИнформация>";
    assert!(
        for_each_offer(xml.as_bytes(), |_| Ok::<_, CmlError>(())).is_err(),
        "an offer needs an Ид"
    );
}

#[test]
fn not_commerceml_and_malformed_files() {
    let err = inspect("<html><body/></html>".as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a CommerceML file: the root element is <html>, not <КоммерческаяИнформация>"
    );
    assert!(matches!(
        inspect("".as_bytes()),
        Err(CmlError::NotCommerceMl { root: None })
    ));
    assert!(matches!(
        inspect("just text".as_bytes()),
        Err(CmlError::NotCommerceMl { root: None })
    ));
    let err =
        inspect("<КоммерческаяИнформация><Каталог></Товары></КоммерческаяИнформация>".as_bytes())
            .unwrap_err();
    assert!(matches!(err, CmlError::Xml { .. }), "{err}");
    let err = inspect("<КоммерческаяИнформация><Каталог>".as_bytes()).unwrap_err();
    assert!(matches!(err, CmlError::Xml { .. }), "{err}");
    assert!(err.to_string().contains("Каталог"), "{err}");
    let err = inspect("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><a/>".as_bytes()).unwrap_err();
    assert!(matches!(err, CmlError::Encoding { .. }), "{err}");
}

#[test]
fn the_callers_error_stops_the_walk() {
    let xml = "<КоммерческаяИнформация><Предложения><Предложение><Ид>1</Ид></Предложение><Предложение><Ид>2</Ид></Предложение></Предложения></КоммерческаяИнформация>";
    let mut seen = 0;
    let result = for_each_offer(xml.as_bytes(), |_| {
        seen += 1;
        Err(CmlError::NotCommerceMl {
            root: Some("stop".into()),
        })
    });
    assert!(result.is_err());
    assert_eq!(seen, 1);
}

#[test]
fn empty_root_is_a_valid_empty_file() {
    let s = inspect_str("<КоммерческаяИнформация ВерсияСхемы=\"2.08\"/>");
    assert_eq!(s.schema_version.as_deref(), Some("2.08"));
    assert_eq!(s.counts, Counts::default());
}

/// `ЗначенияСвойств` read as people read them: the classifier's `Свойства` name each property, a
/// `Справочник` value id is its value, an empty or unknown property is left out, two values of
/// one property are joined; and the same across a sliced read (the classifier in an earlier
/// slice, carried by the checkpoint).
#[test]
fn property_values_resolved_against_the_classifier() {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<КоммерческаяИнформация ВерсияСхемы=\"2.08\"><Классификатор><Свойства>\
<Свойство><Ид>pm</Ид><Наименование>Материал</Наименование><ТипЗначений>Справочник</ТипЗначений>\
<ВариантыЗначений><Справочник><ИдЗначения>v1</ИдЗначения><Значение>Сталь</Значение></Справочник>\
<Справочник><ИдЗначения>v2</ИдЗначения><Значение>Латунь</Значение></Справочник></ВариантыЗначений></Свойство>\
<Свойство><Ид>pc</Ид><Наименование> Страна </Наименование><ТипЗначений>Строка</ТипЗначений></Свойство>\
<Свойство><Ид>pe</Ид><Наименование>Пусто</Наименование></Свойство>\
</Свойства></Классификатор><Каталог><Товары>\
<Товар><Ид>a</Ид><Наименование>A</Наименование><ЗначенияСвойств>\
<ЗначенияСвойства><Ид>pm</Ид><Значение>v2</Значение><Значение>v1</Значение></ЗначенияСвойства>\
<ЗначенияСвойства><Ид>pc</Ид><Значение>Россия</Значение></ЗначенияСвойства>\
<ЗначенияСвойства><Ид>pe</Ид><Значение/></ЗначенияСвойства>\
<ЗначенияСвойства><Ид>unknown</Ид><Значение>x</Значение></ЗначенияСвойства>\
</ЗначенияСвойств></Товар>\
<Товар><Ид>b</Ид><Наименование>B</Наименование><ЗначенияСвойств>\
<ЗначенияСвойства><Ид>pm</Ид><Значение>not-an-id</Значение></ЗначенияСвойства></ЗначенияСвойств></Товар>\
</Товары></Каталог></КоммерческаяИнформация>";
    let got = products(xml);
    let props = |p: &Product| {
        p.properties
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(props(&got[0]), ["Материал=Латунь, Сталь", "Страна=Россия"]);
    assert_eq!(props(&got[1]), ["Материал=not-an-id"]);
    // One product per slice: the second slice knows the classifier only from the checkpoint.
    let mut from = None;
    let mut sliced = Vec::new();
    loop {
        let at = from.as_ref().map_or(0, |c: &Checkpoint| c.offset as usize);
        let slice = products_slice(&xml.as_bytes()[at..], true, from.as_ref(), 1, |p| {
            sliced.push(p);
            Ok::<_, CmlError>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        match slice.next {
            Some(next) => from = Some(next),
            None => break,
        }
    }
    assert_eq!(sliced, got);
}
