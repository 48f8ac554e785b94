//! `inspect`: what a CommerceML file holds, in counts, plus the orders in it (order files are
//! small; everything else is only counted, so memory stays flat on a catalog of any size), and
//! what an import would make of its goods ([`Catalogue`]): deleted items, VAT rates, units,
//! warehouses, currencies, characteristics, images — read by the import's own readers.

use super::error::CmlError;
use super::goods::{Header, Offers, Products};
use super::walk::{walk, Element, Handler, Tag};
use super::{kopecks, non_empty};
use super::{Offer, Product};
use crate::time::parse_1c_datetime;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::rc::Rc;

/// What a CommerceML file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// `ВерсияСхемы` of the root, as written (`2.03`, `2.08`, `3.1`).
    pub schema_version: Option<String>,
    /// `utf-8` or `windows-1251`.
    pub encoding: String,
    /// The root's namespace (`urn:1C.ru:commerceml_2`, ...); `None` when it has none.
    pub namespace: Option<String>,
    /// `СодержитТолькоИзменения` of `Каталог`/`ПакетПредложений`: `true` if any of them says so
    /// (the file is then a delta, not a full snapshot); `None` if none carries it.
    pub contains_only_changes: Option<bool>,
    pub counts: Counts,
    pub documents: Vec<DocumentSummary>,
    /// What an import would store of the file's goods.
    pub catalogue: Catalogue,
}

/// Lists in the report keep at most this many entries (their counts are complete).
pub const LISTED: usize = 100;

/// What an import would make of a file's products and offers, in the import's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    /// Products marked deleted (`ПометкаУдаления` true or `Статус` Удален): not offered.
    pub deleted_products: u64,
    /// Offers marked deleted.
    pub deleted_offers: u64,
    /// Their ids (the first [`LISTED`]).
    pub deleted_ids: Vec<String>,
    /// Products per VAT rate as the import reads it: percent (`0` for `Без налога`), or
    /// `not given` (the product keeps its rate; a new one gets 20).
    pub vat_rates: BTreeMap<String, u64>,
    /// Products per unit: `name (ОКЕИ code)`.
    pub units: BTreeMap<String, u64>,
    /// Price types of the file (`ТипыЦен`): id, name, currency.
    pub price_types: Vec<(String, String, Option<String>)>,
    /// Prices per currency (normalised: `RUB` for руб/RUR/643); `not given` counts as roubles.
    pub currencies: BTreeMap<String, u64>,
    /// Warehouses: declared by `Склады` (name) and stock rows per warehouse id.
    pub warehouses: Vec<WarehouseReport>,
    /// Stock given as a total without warehouses (offers).
    pub stock_without_warehouse: u64,
    /// Offers of characteristics (`guid#guid`), and how many carry properties
    /// (`ХарактеристикиТовара`).
    pub characteristics: u64,
    pub characteristics_with_properties: u64,
    /// Images referenced by products (`Картинка`), and their paths (the first [`LISTED`]).
    pub images: u64,
    pub image_files: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WarehouseReport {
    pub id: String,
    /// From `Склады`; `None` when the file only refers to it.
    pub name: Option<String>,
    pub stock_rows: u64,
}

fn listed(list: &mut Vec<String>, item: &str) {
    if list.len() < LISTED {
        list.push(item.to_owned());
    }
}

impl Catalogue {
    fn product(&mut self, p: Product) {
        if p.deleted {
            self.deleted_products += 1;
            listed(&mut self.deleted_ids, &p.id);
        }
        let vat = p.vat_bp.map_or("not given".to_owned(), |bp| {
            if bp % 100 == 0 {
                format!("{}", bp / 100)
            } else {
                format!("{}.{:02}", bp / 100, bp % 100)
            }
        });
        *self.vat_rates.entry(vat).or_default() += 1;
        let unit = format!(
            "{} ({})",
            p.unit.as_deref().unwrap_or("not given"),
            p.unit_code.as_deref().unwrap_or("no code")
        );
        *self.units.entry(unit).or_default() += 1;
        for image in &p.images {
            self.images += 1;
            listed(&mut self.image_files, image);
        }
    }

    fn offer(&mut self, o: Offer) {
        if o.deleted {
            self.deleted_offers += 1;
            listed(&mut self.deleted_ids, &o.id);
        }
        for (currency, _) in &o.price_terms {
            let c = currency.clone().unwrap_or_else(|| "not given".to_owned());
            *self.currencies.entry(c).or_default() += 1;
        }
        for (id, _) in &o.stocks {
            match self.warehouses.iter_mut().find(|w| w.id == *id) {
                Some(w) => w.stock_rows += 1,
                None => self.warehouses.push(WarehouseReport {
                    id: id.clone(),
                    name: None,
                    stock_rows: 1,
                }),
            }
        }
        if o.stocks.is_empty() && o.quantity.is_some() {
            self.stock_without_warehouse += 1;
        }
        if o.id.contains('#') {
            self.characteristics += 1;
            if !o.properties.is_empty() {
                self.characteristics_with_properties += 1;
            }
        }
    }

    fn header(&mut self, header: &Header) {
        for (id, name) in &header.price_types {
            if !self.price_types.iter().any(|t| t.0 == *id) {
                let currency = header
                    .currencies
                    .iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, c)| c.clone());
                self.price_types.push((id.clone(), name.clone(), currency));
            }
        }
        for (id, name) in &header.warehouses {
            match self.warehouses.iter_mut().find(|w| w.id == *id) {
                Some(w) => w.name = Some(name.clone()),
                None => self.warehouses.push(WarehouseReport {
                    id: id.clone(),
                    name: Some(name.clone()),
                    stock_rows: 0,
                }),
            }
        }
    }
}

type Sink<T> = Box<dyn FnMut(T) -> Result<(), CmlError>>;

/// How many of each element the file holds; each counted where CommerceML puts it, so that an
/// order line (`Документ/Товары/Товар`) is not counted as a catalog product.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// `Группы/Группа`, at any depth of nesting.
    pub groups: u64,
    /// `Свойства/Свойство` (classifier properties).
    pub properties: u64,
    /// `Каталог/Товары/Товар`: catalog products only.
    pub products: u64,
    /// `Предложения/Предложение`.
    pub offers: u64,
    /// `Предложение/Цены/Цена`: offer prices (not the `Цена` of an order line).
    pub prices: u64,
    /// `Документ`, at the root (2.x) or inside `Контейнер` (3.x).
    pub documents: u64,
    /// `Контрагенты/Контрагент` (not the `Контрагент` some sites nest inside `Представитель`).
    pub counterparties: u64,
}

/// One `Документ` (an order, in practice), its values trimmed but otherwise as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    pub id: Option<String>,
    /// `Номер`: the site's number.
    pub number: Option<String>,
    /// 1C's number: the element `Номер1С` (3.x), else the requisite `Номер по 1С` (2.x).
    pub onec_number: Option<String>,
    /// `Дата` as written (`2007-10-30`, or `T` for an empty date).
    pub date: Option<String>,
    /// `Время` as written.
    pub time: Option<String>,
    /// `Дата` and `Время` read as Moscow time, in UTC; `None` for an empty date.
    pub datetime_utc: Option<DateTime<Utc>>,
    /// `ХозОперация` (`Заказ товара`, ...).
    pub operation: Option<String>,
    /// `Сумма` in kopecks.
    pub sum_kop: Option<i64>,
    /// `Ид` of each `Контрагенты/Контрагент`.
    pub counterparty_ids: Vec<String>,
    /// Order lines: `Товары/Товар` of the document.
    pub lines: u64,
    /// The document's own `ЗначенияРеквизитов` (name, value) pairs, in order: `Статус заказа`,
    /// `Отменен`, `Проведен`, `Номер отгрузки по 1С`, ... (not those of its lines).
    pub status_requisites: Vec<(String, String)>,
}

/// Reads a whole CommerceML file and says what it holds. Fails on malformed XML, bad encoding,
/// a file that is not CommerceML, or an order amount or date that is not one.
pub fn inspect<R: BufRead>(reader: R) -> Result<Summary, CmlError> {
    let catalogue = Rc::new(RefCell::new(Catalogue::default()));
    let (for_products, for_offers) = (catalogue.clone(), catalogue.clone());
    let mut inspector = Inspector {
        summary: Summary::default(),
        document: None,
        requisite: Default::default(),
        products: Products::new(
            Box::new(move |p| {
                for_products.borrow_mut().product(p);
                Ok(())
            }),
            Header::default(),
        ),
        offers: Offers::new(
            Box::new(move |o| {
                for_offers.borrow_mut().offer(o);
                Ok(())
            }),
            Header::default(),
        ),
    };
    let header = walk(reader, &mut inspector)?;
    let mut catalogue = catalogue.borrow().clone();
    catalogue.header(&inspector.products.header.data);
    catalogue.header(&inspector.offers.header.data);
    Ok(Summary {
        schema_version: header.schema_version,
        encoding: header.encoding.to_owned(),
        namespace: header.namespace,
        catalogue,
        ..inspector.summary
    })
}

struct Inspector {
    /// The import's readers, reporting each product and offer to the [`Catalogue`].
    products: Products<Sink<Product>>,
    offers: Offers<Sink<Offer>>,
    summary: Summary,
    /// The document being read.
    document: Option<DocumentSummary>,
    /// The requisite being read: (name, value).
    requisite: (String, String),
}

impl Handler for Inspector {
    type Error = CmlError;

    fn start(&mut self, path: &[Tag], element: &Element<'_>) -> Result<bool, CmlError> {
        let goods = self.products.start(path, element)? | self.offers.start(path, element)?;
        Ok(self.start_own(path, element)? || goods)
    }

    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), CmlError> {
        self.products.end(path, text, position)?;
        self.offers.end(path, text, position)?;
        self.end_own(path, text, position)
    }
}

impl Inspector {
    fn start_own(&mut self, path: &[Tag], element: &Element<'_>) -> Result<bool, CmlError> {
        let counts = &mut self.summary.counts;
        match path {
            [.., Tag::Catalog] | [.., Tag::OfferPackage] => self.note_changes_only(element)?,
            [.., Tag::Groups, Tag::Group] => counts.groups += 1,
            [.., Tag::Properties, Tag::Property] => counts.properties += 1,
            [.., Tag::Catalog, Tag::Products, Tag::Product] => counts.products += 1,
            [.., Tag::Offers, Tag::Offer] => counts.offers += 1,
            [.., Tag::Offer, Tag::Prices, Tag::Price] => counts.prices += 1,
            [.., Tag::Counterparties, Tag::Counterparty] => counts.counterparties += 1,
            [.., Tag::Document] => {
                counts.documents += 1;
                self.document = Some(DocumentSummary::default());
            }
            [.., Tag::Document, Tag::Products, Tag::Product] => {
                if let Some(document) = &mut self.document {
                    document.lines += 1;
                }
            }
            [.., Tag::Document, Tag::Requisites, Tag::Requisite] => {
                self.requisite = Default::default()
            }
            _ => {}
        }
        Ok(self.document.is_some() && is_document_field(path))
    }

    fn end_own(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), CmlError> {
        if let [.., Tag::Document] = path {
            if let Some(document) = self.document.take() {
                self.summary.documents.push(finish(document, position)?);
            }
            return Ok(());
        }
        let Some(document) = &mut self.document else {
            return Ok(());
        };
        match path {
            [.., Tag::Document, Tag::Id] => document.id = non_empty(text),
            [.., Tag::Document, Tag::Number] => document.number = non_empty(text),
            [.., Tag::Document, Tag::Number1C] => document.onec_number = non_empty(text),
            [.., Tag::Document, Tag::Date] => document.date = non_empty(text),
            [.., Tag::Document, Tag::Time] => document.time = non_empty(text),
            [.., Tag::Document, Tag::Operation] => document.operation = non_empty(text),
            [.., Tag::Document, Tag::Sum] => {
                document.sum_kop = kopecks(text, Tag::Sum, position)?.map(|k| k.0)
            }
            [.., Tag::Document, Tag::Counterparties, Tag::Counterparty, Tag::Id] => {
                document.counterparty_ids.extend(non_empty(text));
            }
            [.., Tag::Document, Tag::Requisites, Tag::Requisite, Tag::Name] => {
                self.requisite.0 = text.to_owned()
            }
            [.., Tag::Document, Tag::Requisites, Tag::Requisite, Tag::Value] => {
                self.requisite.1 = text.to_owned()
            }
            [.., Tag::Document, Tag::Requisites, Tag::Requisite] => {
                let requisite = std::mem::take(&mut self.requisite);
                if !requisite.0.is_empty() {
                    document.status_requisites.push(requisite);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn note_changes_only(&mut self, element: &Element<'_>) -> Result<(), CmlError> {
        let Some(value) = element.attribute("СодержитТолькоИзменения")?
        else {
            return Ok(());
        };
        let changes_only = match value.to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => {
                return Err(CmlError::InvalidValue {
                    position: element.position,
                    element: "СодержитТолькоИзменения",
                    value,
                    reason: "neither true nor false".to_owned(),
                })
            }
        };
        let seen = self.summary.contains_only_changes.unwrap_or(false);
        self.summary.contains_only_changes = Some(seen || changes_only);
        Ok(())
    }
}

/// The elements of a document whose text the summary keeps.
fn is_document_field(path: &[Tag]) -> bool {
    use Tag::*;
    matches!(
        path,
        [
            ..,
            Document,
            Id | Number | Number1C | Date | Time | Operation | Sum
        ] | [.., Document, Counterparties, Counterparty, Id]
            | [.., Document, Requisites, Requisite, Name | Value]
    )
}

/// Fills what comes from more than one place: 1C's number and the instant of the document.
fn finish(mut document: DocumentSummary, position: u64) -> Result<DocumentSummary, CmlError> {
    if document.onec_number.is_none() {
        document.onec_number = document
            .status_requisites
            .iter()
            .find(|(name, _)| name == "Номер по 1С")
            .and_then(|(_, value)| non_empty(value));
    }
    document.datetime_utc = datetime(document.date.as_deref(), document.time.as_deref(), position)?;
    Ok(document)
}

/// `Дата` (`2007-10-30`, or already a date-time) joined with `Время` (`15:19:27`).
fn datetime(
    date: Option<&str>,
    time: Option<&str>,
    position: u64,
) -> Result<Option<DateTime<Utc>>, CmlError> {
    let Some(date) = date else { return Ok(None) };
    let text = match time {
        Some(time) if !date.contains('T') => format!("{date}T{time}"),
        _ => date.to_owned(),
    };
    parse_1c_datetime(&text).map_err(|reason| CmlError::InvalidValue {
        position,
        element: Tag::Date.name(),
        value: text,
        reason,
    })
}
