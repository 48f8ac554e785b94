//! CommerceML order documents, site -> 1C: the file a site answers 1C's `type=sale&mode=query`
//! with, in the schema version 1C asked for ([`Version`]): 2.x documents at the root (2.10 and
//! 2.08 valid against the official XSDs), 3.1 each document in its own `Контейнер`, as 1C-Bitrix's
//! `sale.export.1c` writes them. The agreement, contract and warehouse go as document requisites
//! (`Соглашение`, `Договор`, `Склад`): the XSD has no element for them, and 1C's exchange reads
//! requisites by name.
//!
//! Written as a stream of strings (no DOM): each `Документ` is formatted into a reused buffer,
//! encoded and handed to the writer, so memory does not grow with the number of orders.
//!
//! The XSD fixes the order of every element, and it is not the order real site exports use:
//! `Время` comes after `Контрагенты`, a counterparty's `Роль` after its INN/KPP (the role is
//! added by an extension, and extensions append), and a line's `ЗначенияРеквизитов` before its
//! price and quantity (same reason). See docs/commerceml.md, "Order documents".

use crate::exchange::contract::{OrderIn, OrderLineIn};
use crate::money::Kopecks;
use crate::time::{moscow, to_1c};
use chrono::{DateTime, NaiveDate, Utc};
use std::io::{self, Write};

/// The CommerceML version of the document: what 1C asked for in `init` (`version=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
#[allow(non_camel_case_types)]
pub enum Version {
    /// What a site writes when 1C names no version (Bitrix's `DEFUALT_VERSION`).
    #[default]
    V2_05,
    V2_08,
    V2_10,
    /// Each `Документ` inside a `Контейнер`, namespace `urn:1C.ru:commerceml_3`.
    V3_1,
}

impl Version {
    /// `ВерсияСхемы` as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2_05 => "2.05",
            Version::V2_08 => "2.08",
            Version::V2_10 => "2.10",
            Version::V3_1 => "3.1",
        }
    }

    /// The version to answer 1C's `version=` with: the highest this site writes that is not
    /// above it (`3.1` for any 3.x); 2.05 when 1C names none or one below 2.05.
    pub fn negotiate(asked: Option<&str>) -> Version {
        let Some(asked) = asked.map(str::trim).filter(|v| !v.is_empty()) else {
            return Version::V2_05;
        };
        let (major, minor) = asked.split_once('.').unwrap_or((asked, "0"));
        let major: u32 = major.parse().unwrap_or(0);
        // "2.1" and "2.10" are the same version to 1C.
        let minor: u32 = match minor {
            "1" => 10,
            m => m.parse().unwrap_or(0),
        };
        match (major, minor) {
            (3.., _) => Version::V3_1,
            (2, 10..) => Version::V2_10,
            (2, 8..) => Version::V2_08,
            _ => Version::V2_05,
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Version::V3_1 => "urn:1C.ru:commerceml_3",
            _ => "urn:1C.ru:commerceml_2",
        }
    }

    fn containers(self) -> bool {
        self >= Version::V3_1
    }
}
/// `НаименованиеТип`, `НомерТип`, `АртикулТип`: at most 255 characters.
const NAME_MAX: usize = 255;
/// `ЗначениеТип` (a requisite's value): at most 1000 characters.
const VALUE_MAX: usize = 1000;

/// The text encoding of the file; both are declared in the XML declaration, UTF-8 has no BOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    /// Older 1C configurations expect it. Characters it lacks (`₽`, emoji) are written as
    /// character references (`&#8381;`), which every XML parser reads back.
    Windows1251,
}

impl Encoding {
    fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1251 => "windows-1251",
        }
    }
}

/// The buyer of an order, as 1C looks it up: by `id`, else by INN/KPP, else by name.
#[derive(Debug, Clone, Copy)]
pub struct Counterparty<'a> {
    /// The legal entity's 1C id (at most 40 characters, the XSD's `ИдентификаторГлобальныйТип`).
    pub id: &'a str,
    /// The short name (`ООО «Ромашка»`).
    pub name: &'a str,
    /// The official name; `name` when absent.
    pub full_name: Option<&'a str>,
    /// 10 digits for an organisation, 12 for an individual entrepreneur (written as a person).
    pub inn: Option<&'a str>,
    pub kpp: Option<&'a str>,
}

/// One order to write.
#[derive(Debug, Clone, Copy)]
pub struct OrderDoc<'a> {
    /// 1C's id of the order once 1C has it; it becomes the document's `Ид`.
    pub onec_id: Option<&'a str>,
    /// The portal's id, the `Ид` until 1C has answered with its own.
    pub portal_id: &'a str,
    pub order: &'a OrderIn,
    pub buyer: Counterparty<'a>,
    /// The order's agreement (1C id) and its contract (number), as requisites.
    pub agreement: Option<Agreement<'a>>,
    /// The 1C id of the warehouse the order ships from.
    pub warehouse: Option<&'a str>,
}

/// The agreement of an order: 1C's `Соглашение` and the contract (`Договор`) it is signed as.
#[derive(Debug, Clone, Copy)]
pub struct Agreement<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The contract's number; `None`: the agreement has no contract of its own.
    pub contract: Option<&'a str>,
}

/// Writes `docs` as one CommerceML 2.10 file (see [`write_orders_version`]).
pub fn write_orders<W: Write>(
    out: W,
    docs: &[OrderDoc<'_>],
    generated_at: DateTime<Utc>,
    encoding: Encoding,
) -> io::Result<()> {
    write_orders_version(out, docs, generated_at, encoding, Version::V2_10)
}

/// Writes `docs` as one CommerceML file of `Документ`s (`ХозОперация` `Заказ товара`) in
/// `version`'s shape.
///
/// Free text longer than the XSD allows (names 255, requisite values 1000 characters) is cut;
/// ids are written as given. Characters XML 1.0 cannot hold (control characters) are dropped.
pub fn write_orders_version<W: Write>(
    out: W,
    docs: &[OrderDoc<'_>],
    generated_at: DateTime<Utc>,
    encoding: Encoding,
    version: Version,
) -> io::Result<()> {
    let mut sink = Sink::new(out, encoding);
    let mut xml = Xml::default();
    xml.buf.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"{}\"?>\n",
        encoding.label()
    ));
    let generated_at = to_1c(generated_at);
    let root_attributes = [
        ("xmlns", version.namespace()),
        ("ВерсияСхемы", version.as_str()),
        ("ДатаФормирования", generated_at.as_str()),
    ];
    xml.open_with("КоммерческаяИнформация", &root_attributes);
    for doc in docs {
        if version.containers() {
            xml.open("Контейнер");
            document(&mut xml, doc);
            xml.close("Контейнер");
        } else {
            document(&mut xml, doc);
        }
        xml.drain_into(&mut sink)?;
    }
    xml.close("КоммерческаяИнформация");
    xml.drain_into(&mut sink)?;
    sink.flush()
}

/// `Документ`, its children in the order of the XSD type `Документ`.
fn document(x: &mut Xml, doc: &OrderDoc<'_>) {
    let order = doc.order;
    let local = order.date.with_timezone(&moscow());
    x.open("Документ");
    x.leaf("Ид", present(doc.onec_id).unwrap_or(doc.portal_id));
    x.leaf("Номер", clip(&order.number, NAME_MAX));
    x.leaf("Дата", &local.format("%Y-%m-%d").to_string());
    x.leaf("ХозОперация", "Заказ товара");
    x.leaf("Роль", "Продавец");
    x.leaf("Валюта", "руб");
    x.leaf("Курс", "1");
    x.leaf("Сумма", &order.total.to_decimal_string());
    x.open("Контрагенты");
    counterparty(x, &doc.buyer, "Покупатель");
    x.close("Контрагенты");
    x.leaf("Время", &local.format("%H:%M:%S").to_string());
    // An order without any VAT line (a supplier on the simplified tax system) has no taxes.
    if order.lines.iter().any(|line| line.vat_rate.is_some()) {
        vat(x, order.vat_total, None);
    }
    // `Товары` must hold at least one `Товар`: an empty order leaves it out.
    if !order.lines.is_empty() {
        x.open("Товары");
        for line in &order.lines {
            order_line(x, line);
        }
        x.close("Товары");
    }
    let mut values = order_requisites(order);
    if let Some(a) = &doc.agreement {
        values.push(("Соглашение", a.id.to_owned()));
        values.push(("Наименование соглашения", a.name.to_owned()));
        if let Some(contract) = present(a.contract) {
            values.push(("Договор", contract.to_owned()));
        }
    }
    if let Some(warehouse) = present(doc.warehouse) {
        values.push(("Склад", warehouse.to_owned()));
    }
    requisites(x, &values);
    x.close("Документ");
}

/// `Контрагент`: the base type's fields, then the extension's `Роль` last.
fn counterparty(x: &mut Xml, party: &Counterparty<'_>, role: &str) {
    x.open("Контрагент");
    x.leaf("Ид", party.id);
    x.leaf("Наименование", clip(party.name, NAME_MAX));
    let official = clip(present(party.full_name).unwrap_or(party.name), NAME_MAX);
    // The XSD demands one requisite group: an organisation's or a person's. An individual
    // entrepreneur (12-digit INN) is a person to 1C.
    let person = present(party.inn).is_some_and(|inn| inn.len() == 12);
    x.leaf(
        if person {
            "ПолноеНаименование"
        } else {
            "ОфициальноеНаименование"
        },
        official,
    );
    if let Some(inn) = present(party.inn) {
        x.leaf("ИНН", inn);
    }
    if let Some(kpp) = present(party.kpp) {
        x.leaf("КПП", kpp);
    }
    x.leaf("Роль", role);
    x.close("Контрагент");
}

/// `Товар` of a document: the base type `Товар` (id, name, unit, tax rates, requisites), then
/// the extension (price, quantity, sum, taxes).
fn order_line(x: &mut Xml, line: &OrderLineIn) {
    x.open("Товар");
    if let Some(id) = present(line.product_id.as_deref()).or(present(Some(&line.article))) {
        x.leaf("Ид", id);
    }
    if let Some(article) = present(Some(&line.article)) {
        x.leaf("Артикул", clip(article, NAME_MAX));
    }
    x.leaf("Наименование", clip(&line.name, NAME_MAX));
    base_unit(x, &line.unit);
    if let Some(rate) = line.vat_rate {
        x.open("СтавкиНалогов");
        x.open("СтавкаНалога");
        x.leaf("Наименование", "НДС");
        x.leaf("Ставка", &rate.to_string());
        x.close("СтавкаНалога");
        x.close("СтавкиНалогов");
    }
    requisites(
        x,
        &[("ВидНоменклатуры", "Товар"), ("ТипНоменклатуры", "Товар")],
    );
    x.leaf("ЦенаЗаЕдиницу", &line.price.to_decimal_string());
    x.leaf("Количество", &line.quantity.to_decimal_string());
    x.leaf("Сумма", &line.amount.to_decimal_string());
    if line.vat_rate.is_some() {
        vat(x, line.vat, line.vat_rate);
    }
    x.close("Товар");
}

/// `БазоваяЕдиница`: the unit as written, with its OKEI code where the unit is a known one.
fn base_unit(x: &mut Xml, unit: &str) {
    match okei(unit) {
        Some((code, full, international)) => {
            let attributes = [
                ("Код", code),
                ("НаименованиеПолное", full),
                ("МеждународноеСокращение", international),
            ];
            x.leaf_with("БазоваяЕдиница", &attributes, unit.trim());
        }
        None => x.leaf("БазоваяЕдиница", unit.trim()),
    }
}

/// OKEI code, full name and international abbreviation of the units the supplier sells in.
fn okei(unit: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match unit.trim().trim_end_matches('.').to_lowercase().as_str() {
        "шт" => Some(("796", "Штука", "PCE")),
        "кг" => Some(("166", "Килограмм", "KGM")),
        "м" => Some(("006", "Метр", "MTR")),
        "компл" => Some(("839", "Комплект", "SET")),
        _ => None,
    }
}

/// `Налоги/Налог` НДС, included in the sums; `rate` is left out at document level, where
/// lines may carry different rates.
fn vat(x: &mut Xml, sum: Kopecks, rate: Option<u32>) {
    x.open("Налоги");
    x.open("Налог");
    x.leaf("Наименование", "НДС");
    x.leaf("УчтеноВСумме", "true");
    x.leaf("Сумма", &sum.to_decimal_string());
    if let Some(rate) = rate {
        x.leaf("Ставка", &rate.to_string());
    }
    x.close("Налог");
    x.close("Налоги");
}

/// `ЗначенияРеквизитов`; left out when empty (it must hold at least one).
fn requisites<S: AsRef<str>>(x: &mut Xml, pairs: &[(&str, S)]) {
    if pairs.is_empty() {
        return;
    }
    x.open("ЗначенияРеквизитов");
    for (name, value) in pairs {
        x.open("ЗначениеРеквизита");
        x.leaf("Наименование", name);
        x.leaf("Значение", clip(value.as_ref(), VALUE_MAX));
        x.close("ЗначениеРеквизита");
    }
    x.close("ЗначенияРеквизитов");
}

/// The requisites 1C's site exchange reads from an order, named as 1C expects them.
fn order_requisites(order: &OrderIn) -> Vec<(&'static str, String)> {
    let status = order.status.as_str();
    let mut out = vec![(
        "Метод оплаты",
        payment_method_ru(&order.payment_method).to_owned(),
    )];
    if let Some(method) = present(order.delivery_method.as_deref()) {
        out.push(("Способ доставки", delivery_method_ru(method).to_owned()));
    }
    if let Some(address) = present(order.delivery_address.as_deref()) {
        out.push(("Адрес доставки", address.to_owned()));
    }
    // An empty order is not "paid" although 0 >= 0: 1C would record a payment for it.
    let paid = order.total.0 > 0 && order.paid >= order.total;
    let delivery_allowed = matches!(status, "reserved" | "paid" | "partly_shipped" | "shipped");
    out.push(("Заказ оплачен", paid.to_string()));
    out.push(("Доставка разрешена", delivery_allowed.to_string()));
    out.push(("Отменен", (status == "cancelled").to_string()));
    out.push((
        "Финальный статус",
        matches!(status, "shipped" | "cancelled").to_string(),
    ));
    out.push(("Статус заказа", status_ru(status).to_owned()));
    if let Some(date) = order.planned_shipping_date {
        out.push(("Дата отгрузки", iso_date(date)));
    }
    out
}

/// The status as 1C's order status settings show it; an unknown code is written as is.
fn status_ru(status: &str) -> &str {
    super::names::name_of(super::names::STATUSES, status)
}

fn payment_method_ru(method: &str) -> &str {
    super::names::name_of(super::names::PAYMENT_METHODS, method)
}

fn delivery_method_ru(method: &str) -> &str {
    super::names::name_of(super::names::DELIVERY_METHODS, method)
}

/// `2026-03-05`: the form 1C's `XMLЗначение(Тип("Дата"), ...)` reads.
fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The trimmed value, `None` when absent or blank.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// `text` trimmed and cut to at most `max` characters (the XSD counts characters, not bytes).
fn clip(text: &str, max: usize) -> &str {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Appends `text` escaped for element content or a double-quoted attribute value.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Parsers turn a raw CR into LF, and tabs and newlines in attributes into spaces:
            // references keep them as they were.
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            // Not even a character reference may carry these in XML 1.0.
            _ => {}
        }
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The XML text of the part being written, indented by tabs; drained after every document.
#[derive(Default)]
struct Xml {
    buf: String,
    depth: usize,
}

impl Xml {
    fn open(&mut self, tag: &str) {
        self.open_with(tag, &[]);
    }

    fn open_with(&mut self, tag: &str, attributes: &[(&str, &str)]) {
        self.start_tag(tag, attributes);
        self.buf.push('\n');
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push_str(">\n");
    }

    /// An element holding only text.
    fn leaf(&mut self, tag: &str, text: &str) {
        self.leaf_with(tag, &[], text);
    }

    fn leaf_with(&mut self, tag: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(tag, attributes);
        escape_into(&mut self.buf, text, false);
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push_str(">\n");
    }

    fn start_tag(&mut self, tag: &str, attributes: &[(&str, &str)]) {
        self.indent();
        self.buf.push('<');
        self.buf.push_str(tag);
        for (name, value) in attributes {
            self.buf.push(' ');
            self.buf.push_str(name);
            self.buf.push_str("=\"");
            escape_into(&mut self.buf, value, true);
            self.buf.push('"');
        }
        self.buf.push('>');
    }

    fn indent(&mut self) {
        self.buf.extend(std::iter::repeat_n('\t', self.depth));
    }

    fn drain_into<W: Write>(&mut self, sink: &mut Sink<W>) -> io::Result<()> {
        sink.write(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

/// The writer, behind the file's encoding.
enum Sink<W> {
    Utf8(W),
    Windows1251 { out: W, buf: Vec<u8> },
}

impl<W: Write> Sink<W> {
    fn new(out: W, encoding: Encoding) -> Sink<W> {
        match encoding {
            Encoding::Utf8 => Sink::Utf8(out),
            Encoding::Windows1251 => Sink::Windows1251 {
                out,
                buf: Vec::with_capacity(8 * 1024),
            },
        }
    }

    fn write(&mut self, text: &str) -> io::Result<()> {
        match self {
            Sink::Utf8(out) => out.write_all(text.as_bytes()),
            Sink::Windows1251 { out, buf } => {
                // windows-1251 is stateless, so pieces can be encoded one at a time; what it
                // cannot map becomes `&#NNNN;`, valid here since all text is element content
                // or attribute values.
                buf.clear();
                super::cp1251::encode_into(text, buf);
                out.write_all(buf)
            }
        }
    }

    fn flush(self) -> io::Result<()> {
        match self {
            Sink::Utf8(mut out) | Sink::Windows1251 { mut out, .. } => out.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str, attribute: bool) -> String {
        let mut out = String::new();
        escape_into(&mut out, text, attribute);
        out
    }

    fn order(json: serde_json::Value) -> OrderIn {
        serde_json::from_value(json).expect("a valid order")
    }

    fn simple_order(date: &str, lines: serde_json::Value, total: &str) -> OrderIn {
        order(serde_json::json!({
            "company_id": "c-1", "legal_entity_id": "le-1", "agreement_id": null, "number": "ЗК-1",
            "date": date, "author_email": null, "status": "paid", "delivery_method": "pickup",
            "delivery_address": null, "consignee_id": null, "payment_method": "card", "paid": total,
            "planned_shipping_date": null, "lines": lines, "total": total, "vat_total": "0"
        }))
    }

    fn buyer(inn: Option<&'static str>) -> Counterparty<'static> {
        Counterparty {
            id: "le-1",
            name: "Покупатель",
            full_name: None,
            inn,
            kpp: None,
        }
    }

    fn written(order: &OrderIn, buyer: Counterparty<'_>, encoding: Encoding) -> Vec<u8> {
        let doc = OrderDoc {
            onec_id: None,
            portal_id: "ord_1",
            order,
            buyer,
            agreement: None,
            warehouse: None,
        };
        let mut out = Vec::new();
        write_orders(&mut out, &[doc], order.date, encoding).unwrap();
        out
    }

    fn written_utf8(order: &OrderIn, buyer: Counterparty<'_>) -> String {
        String::from_utf8(written(order, buyer, Encoding::Utf8)).unwrap()
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            escaped("ООО «Ромашка» & Ко \"Юг\" <1>", false),
            "ООО «Ромашка» &amp; Ко &quot;Юг&quot; &lt;1&gt;"
        );
        assert_eq!(escaped("a\r\nb\tc", false), "a&#13;\nb\tc");
        assert_eq!(escaped("a\nb\tc", true), "a&#10;b&#9;c");
        assert_eq!(
            escaped("bell\u{7}\u{0}\u{FFFE}", false),
            "bell",
            "not XML characters at all"
        );
        assert_eq!(escaped("₽ 😀", false), "₽ 😀");
    }

    #[test]
    fn clipping_counts_characters() {
        assert_eq!(clip("  Ромашка  ", 255), "Ромашка");
        assert_eq!(clip("Ромашка", 3), "Ром");
        assert_eq!(clip(&"я".repeat(300), NAME_MAX).chars().count(), 255);
    }

    #[test]
    fn amounts_have_two_decimals_and_quantities_three() {
        let lines = serde_json::json!([{ "line_no": 1, "product_id": null, "article": "A1", "name": "Смазка",
            "quantity": 1.5, "unit": "кг", "price": 0.05, "amount": 0.08, "vat_rate": 20, "vat": 0.01 }]);
        let xml = written_utf8(
            &simple_order("2026-03-01T10:00:00", lines, "0.08"),
            buyer(None),
        );
        for expected in [
            "<Сумма>0.08</Сумма>",
            "<ЦенаЗаЕдиницу>0.05</ЦенаЗаЕдиницу>",
            "<Количество>1.500</Количество>",
            "<Ставка>20</Ставка>",
            "<Сумма>0.01</Сумма>",
        ] {
            assert!(xml.contains(expected), "{expected} in\n{xml}");
        }
        assert!(xml.contains("<БазоваяЕдиница Код=\"166\" НаименованиеПолное=\"Килограмм\" МеждународноеСокращение=\"KGM\">кг</БазоваяЕдиница>"), "{xml}");
        assert!(
            xml.contains("<Ид>A1</Ид>"),
            "the article stands for a product 1C does not know: {xml}"
        );
    }

    #[test]
    fn date_and_time_are_moscow_local() {
        // 00:30 in Moscow is still the previous day in UTC.
        let xml = written_utf8(
            &simple_order("2026-03-01T00:30:00", serde_json::json!([]), "0"),
            buyer(None),
        );
        assert!(
            xml.contains("<Дата>2026-03-01</Дата>") && xml.contains("<Время>00:30:00</Время>"),
            "{xml}"
        );
        assert!(
            xml.contains("ДатаФормирования=\"2026-03-01T00:30:00\""),
            "{xml}"
        );
    }

    #[test]
    fn an_empty_order_has_no_goods_no_taxes_and_is_not_paid() {
        let xml = written_utf8(
            &simple_order("2026-03-01T10:00:00", serde_json::json!([]), "0"),
            buyer(None),
        );
        assert!(
            !xml.contains("<Товары>") && !xml.contains("<Налоги>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<Наименование>Заказ оплачен</Наименование>\n\t\t\t\t<Значение>false</Значение>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn an_individual_entrepreneur_is_written_as_a_person() {
        let order = simple_order("2026-03-01T10:00:00", serde_json::json!([]), "0");
        let xml = written_utf8(&order, buyer(Some("500100732259")));
        assert!(xml.contains("<ПолноеНаименование>Покупатель</ПолноеНаименование>\n\t\t\t\t<ИНН>500100732259</ИНН>\n\t\t\t\t<Роль>Покупатель</Роль>"), "{xml}");
        let xml = written_utf8(&order, buyer(Some("7707083893")));
        assert!(
            xml.contains("<ОфициальноеНаименование>Покупатель</ОфициальноеНаименование>"),
            "{xml}"
        );
    }

    #[test]
    fn windows_1251_is_declared_and_references_what_it_lacks() {
        let order = simple_order("2026-03-01T10:00:00", serde_json::json!([]), "0");
        let party = Counterparty {
            id: "le-1",
            name: "ООО «Ромашка» ₽",
            full_name: None,
            inn: None,
            kpp: None,
        };
        let bytes = written(&order, party, Encoding::Windows1251);
        assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"));
        let text = crate::commerceml::cp1251::decode(&bytes);
        assert!(
            text.contains("<Наименование>ООО «Ромашка» &#8381;</Наименование>"),
            "{text}"
        );
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "really windows-1251 bytes"
        );
        let utf8 = written(&order, party, Encoding::Utf8);
        assert!(
            utf8.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "no BOM"
        );
    }
}
