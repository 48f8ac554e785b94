//! `read_documents`: the documents of 1C's order file (`type=sale&mode=file`), whole: header,
//! counterparties, lines and requisites, and for 3.x the `Контейнер` each one came in.
//!
//! 1C-Bitrix's `sale.export.1c` reads a document by its `ХозОперация`: `Заказ товара` is an order;
//! `Выплата наличных денег`, `Выплата безналичных денег` and `Эквайринговая операция` are payments
//! and `Отпуск товара` a shipment of the order named by `Основание` (else the order of the same
//! `Контейнер`, as 3.1 groups an order with its payments and shipments). [`DocumentKind`] says
//! which; the caller applies each as what it is. Order files are small (a few KB per order), so
//! the documents are kept in memory.

use super::error::CmlError;
use super::walk::{walk, Element, Handler, Tag};
use super::{kopecks, milli, non_empty};
use crate::money::{Kopecks, Milli};
use crate::time::parse_1c_datetime;
use chrono::{DateTime, Utc};
use std::io::BufRead;

/// What a document is, by its `ХозОперация`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// `Заказ товара` (or no `ХозОперация`: 2.0x files of orders only leave it out).
    Order,
    /// A payment for an order (cash, bank, card acquiring).
    Payment,
    /// `Отпуск товара`: goods shipped for an order.
    Shipment,
    /// Anything else (`Счет на оплату`, `Счет-фактура`, `Возврат товара`, ...): not applied.
    Other,
}

/// A counterparty of a document (`Контрагенты/Контрагент`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub id: Option<String>,
    pub name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    /// `Покупатель`, `Продавец`, ...
    pub role: Option<String>,
}

/// A line of a document (`Товары/Товар`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    /// The product's 1C id (`guid` or `guid#guid`), `ORDER_DELIVERY` for delivery.
    pub id: Option<String>,
    pub article: Option<String>,
    pub name: Option<String>,
    /// `БазоваяЕдиница` (2.x) or `Единица/НаименованиеКраткое` (3.x).
    pub unit: Option<String>,
    pub quantity: Option<Milli>,
    /// `ЦенаЗаЕдиницу` (2.x) or `Цена` (3.x).
    pub price: Option<Kopecks>,
    pub sum: Option<Kopecks>,
    /// VAT percent; `None` for `Без налога` or none given.
    pub vat_rate: Option<u32>,
    pub vat: Option<Kopecks>,
}

/// One `Документ` of an order file, values trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Which `Контейнер` (from 0) held it; `None` at the root (2.x).
    pub container: Option<usize>,
    pub id: Option<String>,
    pub number: Option<String>,
    /// `Номер1С` (3.x), else the requisite `Номер по 1С`.
    pub onec_number: Option<String>,
    /// `Дата` + `Время`, Moscow time, in UTC.
    pub at: Option<DateTime<Utc>>,
    pub operation: Option<String>,
    pub sum: Option<Kopecks>,
    /// The document's own `ПометкаУдаления` element (3.x).
    pub deleted: Option<bool>,
    /// `Основание`: the order a payment or shipment is for (its `Ид` or number).
    pub basis: Option<String>,
    pub parties: Vec<Party>,
    /// Whether the document has `Товары` at all: a file without them says nothing of the lines.
    pub has_lines: bool,
    pub lines: Vec<Line>,
    /// The document's own requisites (name, value), in order.
    pub requisites: Vec<(String, String)>,
}

impl Document {
    pub fn kind(&self) -> DocumentKind {
        let op = self.operation.as_deref().unwrap_or("").to_lowercase();
        match op.as_str() {
            "" | "заказ товара" => DocumentKind::Order,
            "выплата наличных денег" | "выплата безналичных денег" | "эквайринговая операция" => {
                DocumentKind::Payment
            }
            "отпуск товара" => DocumentKind::Shipment,
            _ => DocumentKind::Other,
        }
    }

    /// The requisite's trimmed value, if given and not empty.
    pub fn requisite(&self, name: &str) -> Option<&str> {
        self.requisites
            .iter()
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The buyer: the counterparty whose role is `Покупатель`, else the only one.
    pub fn buyer(&self) -> Option<&Party> {
        self.parties
            .iter()
            .find(|p| {
                p.role
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case("покупатель"))
            })
            .or(if self.parties.len() == 1 {
                self.parties.first()
            } else {
                None
            })
    }
}

/// The documents of an order file and its `ВерсияСхемы`.
#[derive(Debug, Clone, Default)]
pub struct OrderFile {
    pub schema_version: Option<String>,
    pub documents: Vec<Document>,
}

/// Reads every document of an order file. Fails on malformed XML, a file that is not CommerceML,
/// or an amount, quantity or date that is not one.
pub fn read_documents<R: BufRead>(reader: R) -> Result<OrderFile, CmlError> {
    let mut r = Reader::default();
    let header = walk(reader, &mut r)?;
    Ok(OrderFile {
        schema_version: header.schema_version,
        documents: r.documents,
    })
}

#[derive(Default)]
struct Reader {
    documents: Vec<Document>,
    containers: usize,
    in_container: bool,
    doc: Option<Document>,
    date: Option<String>,
    time: Option<String>,
    requisite: (String, String),
}

impl Handler for Reader {
    type Error = CmlError;

    fn start(&mut self, path: &[Tag], _element: &Element<'_>) -> Result<bool, CmlError> {
        match path {
            [.., Tag::Container] => {
                self.in_container = true;
                self.containers += 1;
            }
            [.., Tag::Document] => {
                self.doc = Some(Document {
                    container: self.in_container.then(|| self.containers - 1),
                    ..Default::default()
                });
                self.date = None;
                self.time = None;
            }
            _ => {}
        }
        let Some(doc) = &mut self.doc else {
            return Ok(false);
        };
        match within_document(path) {
            [Tag::Counterparties, Tag::Counterparty] => doc.parties.push(Party::default()),
            [Tag::Products] => doc.has_lines = true,
            [Tag::Products, Tag::Product] => doc.lines.push(Line::default()),
            [Tag::Requisites, Tag::Requisite] => self.requisite = Default::default(),
            _ => {}
        }
        Ok(true)
    }

    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), CmlError> {
        use Tag as T;
        if let [.., T::Container] = path {
            self.in_container = false;
            return Ok(());
        }
        if let [.., T::Document] = path {
            if let Some(mut doc) = self.doc.take() {
                if doc.onec_number.is_none() {
                    doc.onec_number = doc.requisite("Номер по 1С").map(str::to_owned);
                }
                doc.at = at(self.date.take(), self.time.take(), position)?;
                self.documents.push(doc);
            }
            return Ok(());
        }
        let Some(doc) = &mut self.doc else {
            return Ok(());
        };
        match within_document(path) {
            [T::Id] => doc.id = non_empty(text),
            [T::Number] => doc.number = non_empty(text),
            [T::Number1C] => doc.onec_number = non_empty(text),
            [T::Date] => self.date = non_empty(text),
            [T::Time] => self.time = non_empty(text),
            [T::Operation] => doc.operation = non_empty(text),
            [T::Sum] => doc.sum = kopecks(text, T::Sum, position)?,
            [T::DeletionMark] => doc.deleted = yes_no(text),
            [T::Basis] => doc.basis = non_empty(text),
            [T::Counterparties, T::Counterparty, field] => {
                if let Some(party) = doc.parties.last_mut() {
                    match field {
                        T::Id => party.id = non_empty(text),
                        T::Name => party.name = non_empty(text),
                        T::Inn => party.inn = non_empty(text),
                        T::Kpp => party.kpp = non_empty(text),
                        T::Role => party.role = non_empty(text),
                        _ => {}
                    }
                }
            }
            [T::Requisites, T::Requisite, T::Name] => self.requisite.0 = text.to_owned(),
            [T::Requisites, T::Requisite, T::Value] => self.requisite.1 = text.to_owned(),
            [T::Requisites, T::Requisite] => {
                let requisite = std::mem::take(&mut self.requisite);
                if !requisite.0.trim().is_empty() {
                    doc.requisites.push(requisite);
                }
            }
            [T::Products, T::Product, rest @ ..] => {
                let Some(line) = doc.lines.last_mut() else {
                    return Ok(());
                };
                match rest {
                    [T::Id] => line.id = non_empty(text),
                    [T::Article] => line.article = non_empty(text),
                    [T::Name] => line.name = non_empty(text),
                    [T::BaseUnit] => line.unit = non_empty(text),
                    [T::Unit, T::ShortName] => line.unit = non_empty(text),
                    [T::Quantity] => line.quantity = milli(text, T::Quantity, position)?,
                    [T::PricePerUnit] => line.price = kopecks(text, T::PricePerUnit, position)?,
                    [T::Price] => line.price = kopecks(text, T::Price, position)?,
                    [T::Sum] => line.sum = kopecks(text, T::Sum, position)?,
                    [T::TaxRates, T::TaxRate, T::Rate] | [T::Taxes, T::Tax, T::Rate] => {
                        if line.vat_rate.is_none() {
                            line.vat_rate = text.trim().trim_end_matches('%').parse().ok();
                        }
                    }
                    [T::Taxes, T::Tax, T::Sum] => line.vat = kopecks(text, T::Sum, position)?,
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The part of `path` below the innermost open `Документ`.
fn within_document(path: &[Tag]) -> &[Tag] {
    match path.iter().rposition(|t| *t == Tag::Document) {
        Some(i) => &path[i + 1..],
        None => &[],
    }
}

fn yes_no(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "true" | "истина" | "да" | "1" => Some(true),
        "false" | "ложь" | "нет" | "0" => Some(false),
        _ => None,
    }
}

/// `Дата` (`2007-10-30`, or already a date-time) joined with `Время` (`15:19:27`); `T` is none.
fn at(
    date: Option<String>,
    time: Option<String>,
    position: u64,
) -> Result<Option<DateTime<Utc>>, CmlError> {
    let Some(date) = date else { return Ok(None) };
    let text = match time {
        Some(time) if !date.contains('T') => format!("{date}T{time}"),
        _ => date,
    };
    parse_1c_datetime(&text).map_err(|reason| CmlError::InvalidValue {
        position,
        element: Tag::Date.name(),
        value: text,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bitrix_31_fixture_lines_containers_and_deletion_marks() {
        let Some(dir) = crate::testing::commerceml_fixtures() else {
            return;
        };
        let bytes = std::fs::read(dir.join("v3.1-bitrix-module/documents.xml")).unwrap();
        let file = read_documents(&bytes[..]).unwrap();
        assert_eq!(file.schema_version.as_deref(), Some("3.1"));
        assert_eq!(file.documents.len(), 20);
        let first = &file.documents[0];
        assert_eq!(first.container, Some(0));
        assert_eq!(first.kind(), DocumentKind::Order);
        assert_eq!(first.deleted, Some(false));
        assert_eq!(first.onec_number.as_deref(), Some("L320"));
        assert_eq!(first.sum, Some(Kopecks(132000)));
        assert_eq!(first.lines.len(), 1);
        let line = &first.lines[0];
        assert_eq!(
            (line.quantity, line.price, line.sum, line.unit.as_deref()),
            (
                Some(Milli(1000)),
                Some(Kopecks(132000)),
                Some(Kopecks(132000)),
                Some("шт")
            )
        );
        assert_eq!(line.vat_rate, None, "Без налога");
        assert_eq!(
            first.buyer().and_then(|b| b.id.as_deref()),
            Some("f1eeedab-5cfb-11df-a14c-00155d3ebc00")
        );
        assert_eq!(file.documents[1].container, Some(1));
    }

    #[test]
    fn payment_and_shipment_documents_are_not_orders() {
        let xml = "<КоммерческаяИнформация ВерсияСхемы=\"3.1\"><Контейнер>\
            <Документ><Ид>o1</Ид><Номер>1</Номер><ХозОперация>Заказ товара</ХозОперация><Сумма>100</Сумма></Документ>\
            <Документ><Ид>p1</Ид><ПометкаУдаления>true</ПометкаУдаления><Номер>ПП-1</Номер><Дата>2026-03-05</Дата><ХозОперация>Выплата безналичных денег</ХозОперация><Основание>o1</Основание><Сумма>40,50</Сумма></Документ>\
            <Документ><Ид>s1</Ид><ХозОперация>Отпуск товара</ХозОперация></Документ>\
            <Документ><Ид>i1</Ид><ХозОперация>Счет-фактура</ХозОперация></Документ>\
            </Контейнер></КоммерческаяИнформация>";
        let docs = read_documents(xml.as_bytes()).unwrap().documents;
        let kinds: Vec<DocumentKind> = docs.iter().map(Document::kind).collect();
        assert_eq!(
            kinds,
            [
                DocumentKind::Order,
                DocumentKind::Payment,
                DocumentKind::Shipment,
                DocumentKind::Other
            ]
        );
        assert_eq!(docs[1].sum, Some(Kopecks(4050)));
        assert_eq!(docs[1].basis.as_deref(), Some("o1"));
        assert_eq!(docs[1].deleted, Some(true));
        assert!(docs.iter().all(|d| d.container == Some(0)));
    }
}
