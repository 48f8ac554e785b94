//! The goods of an exchange, one at a time: catalog products (`import.xml`) and offers with
//! their prices and stock (`offers.xml`, or `prices.xml` and `rests.xml` in 3.x), for an import
//! that writes each as it comes instead of holding the catalog in memory.

use super::error::CmlError;
use super::walk::{walk, Element, Handler, Tag};
use super::{invalid, kopecks, milli, non_empty};
use crate::money::{Kopecks, Milli};
use serde::{Deserialize, Serialize};
use std::io::BufRead;

/// What a file says beside its goods: price types (`ТипыЦен`: in the classifier of `import.xml`
/// from 2.09, or in the offers package), warehouses (`Склады`: classifier or offers package), and
/// whether it is a full exchange.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// (`Ид`, `Наименование`) of each `ТипЦены`; a nameless one is named by its id.
    pub price_types: Vec<(String, String)>,
    /// (`Ид`, `Валюта` normalised by [`currency_code`]) of each price type naming a currency.
    pub currencies: Vec<(String, String)>,
    /// (`Ид`, `Наименование`) of each `Склады/Склад`.
    pub warehouses: Vec<(String, String)>,
    /// (`Ид`, `Наименование`) of each classifier `Свойства/Свойство`: names for a product's
    /// `ЗначенияСвойств`.
    #[serde(default)]
    pub properties: Vec<(String, String)>,
    /// (`ИдЗначения`, `Значение`) of each `ВариантыЗначений/Справочник` of those properties: a
    /// product's value that is such an id reads as its value.
    #[serde(default)]
    pub property_values: Vec<(String, String)>,
    /// `Some(true)` when `Каталог` / `ПакетПредложений` is a full exchange: its
    /// `СодержитТолькоИзменения` is not `true` (absent is full, as the Bitrix site reads it);
    /// `None` before that element is read.
    pub full: Option<bool>,
}

/// Reads a [`Header`] element by element, beside the goods.
#[derive(Debug, Default)]
pub(super) struct HeaderReader {
    pub data: Header,
    /// The price type being read: `Ид`, `Наименование`, `Валюта`.
    price_type: Option<(String, String, Option<String>)>,
    /// The warehouse being read: `Ид`, `Наименование`.
    warehouse: Option<(String, String)>,
    /// The classifier property being read: `Ид`, `Наименование`; and its dictionary value being
    /// read: `ИдЗначения`, `Значение`.
    property: Option<(String, String)>,
    property_value: (String, String),
}

impl HeaderReader {
    pub fn new(data: Header) -> Self {
        HeaderReader {
            data,
            ..Default::default()
        }
    }

    /// Not inside a price type or a warehouse.
    pub fn idle(&self) -> bool {
        self.price_type.is_none() && self.warehouse.is_none() && self.property.is_none()
    }

    /// A product's `ЗначенияСвойств` as people read them: (`Наименование` of the property,
    /// its value, a dictionary value id resolved to its `Значение`), several values of one property
    /// joined with `, `. Values of properties the classifier did not name, and empty values, are
    /// left out (as the Bitrix site side does: its properties come from the classifier).
    pub fn resolve(&self, raw: &[(String, String)]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (id, value) in raw {
            let Some((_, name)) = self.data.properties.iter().find(|(p, _)| p == id) else {
                continue;
            };
            let value = self
                .data
                .property_values
                .iter()
                .find(|(v, _)| v == value)
                .map_or(value.as_str(), |(_, text)| text.as_str());
            if value.trim().is_empty() {
                continue;
            }
            match out.iter_mut().find(|(n, _)| n == name) {
                Some(known) => {
                    known.1.push_str(", ");
                    known.1.push_str(value);
                }
                None => out.push((name.clone(), value.to_owned())),
            }
        }
        out
    }

    /// Called for elements outside any product or offer; returns whether their text is wanted.
    fn start(&mut self, path: &[Tag], element: &Element<'_>) -> Result<bool, CmlError> {
        use Tag::*;
        match path {
            [Root, Catalog | OfferPackage] => {
                let only_changes = element.attribute("СодержитТолькоИзменения")?;
                self.data.full = Some(only_changes.as_deref().is_none_or(|v| !is_true(v)));
            }
            [.., PriceTypes, PriceType] => self.price_type = Some(Default::default()),
            [.., Warehouses, Warehouse] => self.warehouse = Some(Default::default()),
            [.., Properties, Property] => self.property = Some(Default::default()),
            [.., Property, ValueVariants, Dictionary] => self.property_value = Default::default(),
            _ => {}
        }
        Ok((self.price_type.is_some()
            && matches!(path, [.., PriceTypes, PriceType, Id | Name | Currency]))
            || (self.warehouse.is_some() && matches!(path, [.., Warehouses, Warehouse, Id | Name]))
            || (self.property.is_some()
                && matches!(
                    path,
                    [.., Properties, Property, Id | Name]
                        | [.., Property, ValueVariants, Dictionary, ValueId | Value]
                )))
    }

    fn end(&mut self, path: &[Tag], text: &str) {
        use Tag::*;
        if let Some(pt) = &mut self.price_type {
            match path {
                [.., PriceTypes, PriceType, Id] => pt.0 = text.to_owned(),
                [.., PriceTypes, PriceType, Name] => pt.1 = text.to_owned(),
                [.., PriceTypes, PriceType, Currency] => {
                    pt.2 = non_empty(text).map(|c| currency_code(&c))
                }
                [.., PriceTypes, PriceType] => {
                    let (id, name, currency) = self.price_type.take().unwrap_or_default();
                    if !id.is_empty() {
                        if let Some(currency) = currency {
                            upsert(&mut self.data.currencies, id.clone(), currency);
                        }
                        let name = if name.is_empty() { id.clone() } else { name };
                        upsert(&mut self.data.price_types, id, name);
                    }
                }
                _ => {}
            }
        } else if let Some(p) = &mut self.property {
            match path {
                [.., Properties, Property, Id] => p.0 = text.to_owned(),
                [.., Properties, Property, Name] => p.1 = text.to_owned(),
                [.., Property, ValueVariants, Dictionary, ValueId] => {
                    self.property_value.0 = text.trim().to_owned()
                }
                [.., Property, ValueVariants, Dictionary, Value] => {
                    self.property_value.1 = text.trim().to_owned()
                }
                [.., Property, ValueVariants, Dictionary] => {
                    let (id, value) = std::mem::take(&mut self.property_value);
                    if !id.is_empty() {
                        upsert(&mut self.data.property_values, id, value);
                    }
                }
                [.., Properties, Property] => {
                    let (id, name) = self.property.take().unwrap_or_default();
                    if !id.is_empty() && !name.trim().is_empty() {
                        upsert(&mut self.data.properties, id, name.trim().to_owned());
                    }
                }
                _ => {}
            }
        } else if let Some(w) = &mut self.warehouse {
            match path {
                [.., Warehouses, Warehouse, Id] => w.0 = text.to_owned(),
                [.., Warehouses, Warehouse, Name] => w.1 = text.to_owned(),
                [.., Warehouses, Warehouse] => {
                    let (id, name) = self.warehouse.take().unwrap_or_default();
                    if !id.is_empty() {
                        let name = if name.is_empty() { id.clone() } else { name };
                        upsert(&mut self.data.warehouses, id, name);
                    }
                }
                _ => {}
            }
        }
    }
}

fn upsert(list: &mut Vec<(String, String)>, id: String, value: String) {
    list.retain(|(known, _)| *known != id);
    list.push((id, value));
}

/// A catalog product: `Каталог/Товары/Товар`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Product {
    /// `Ид`, as written (`guid`, or `guid#guid` for a characteristic).
    pub id: String,
    pub article: Option<String>,
    /// `Наименование`; a changes-only file may leave it out.
    pub name: Option<String>,
    /// The name of `БазоваяЕдиница` shown to people (`шт`): its text unless that is a code,
    /// else its `НаименованиеКраткое`, else the short name of its ОКЕИ code (see [`okei_name`]),
    /// else its `НаименованиеПолное`. 3.x writes only the code as text (`796`), 2.08 an empty
    /// element with attributes.
    pub unit: Option<String>,
    /// The unit's ОКЕИ code: the `Код` attribute, else the text when it is a code.
    pub unit_code: Option<String>,
    /// VAT in basis points from `СтавкиНалогов` (НДС) or the requisite `СтавкаНДС`: `Без налога`
    /// is 0; `None` when 1C says nothing (or a rate this reader does not know).
    pub vat_bp: Option<i64>,
    /// `ПометкаУдаления` true or `Статус` `Удален`: 1C deleted it.
    pub deleted: bool,
    /// `Группы/Ид`: the classifier groups the product is in.
    pub group_ids: Vec<String>,
    /// `Картинка`: image files under the exchange's folder (`import_files/...`), as written.
    pub images: Vec<String>,
    /// `ЗначенияСвойств`, readable: (property name, value) resolved against the classifier's
    /// `Свойства` (see [`HeaderReader::resolve`]).
    pub properties: Vec<(String, String)>,
}

/// An offer: `Предложения/Предложение`, with whatever of prices and stock the file carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// `Ид`, as written (`guid#guid` when the offer is a characteristic of a product).
    pub id: String,
    pub article: Option<String>,
    /// `Наименование`; `prices.xml` and `rests.xml` carry none.
    pub name: Option<String>,
    /// (`ИдТипаЦены`, `ЦенаЗаЕдиницу`) of each `Цены/Цена`.
    pub prices: Vec<(String, Kopecks)>,
    /// (`Валюта` normalised by [`currency_code`], `Коэффициент`) of each price, in the order of
    /// `prices`; a price without `Валюта` has its price type's (`ТипыЦен` of the same file), else
    /// `None`.
    pub price_terms: Vec<(Option<String>, Option<Milli>)>,
    /// `ПометкаУдаления` true or `Статус` `Удален`: 1C deleted the offer.
    pub deleted: bool,
    /// The offer's own `Количество`, else the sum of its stock rows (`Остатки/Остаток`, with or
    /// without `Склад`, or `Склад КоличествоНаСкладе="..."`); `None` if it has neither.
    pub quantity: Option<Milli>,
    /// Stock per warehouse: (`Склад/Ид`, `Количество`) of `Остатки/Остаток/Склад` (3.x, 2.09+) or
    /// (`ИдСклада`, `КоличествоНаСкладе`) of the older `<Склад .../>` form, in file order.
    pub stocks: Vec<(String, Milli)>,
    /// (`Наименование`, `Значение`) of each `ХарактеристикиТовара/ХарактеристикаТовара`: what
    /// sets a characteristic (`guid#guid`) apart from its product's other variants.
    pub properties: Vec<(String, String)>,
}

/// Calls `f` with each catalog product of the file, in order, and returns how many there were.
/// Stops at the first error, the file's or `f`'s.
pub fn for_each_product<R, E, F>(reader: R, f: F) -> Result<u64, E>
where
    R: BufRead,
    E: From<CmlError>,
    F: FnMut(Product) -> Result<(), E>,
{
    let mut visitor = Products::new(f, Header::default());
    walk(reader, &mut visitor)?;
    Ok(visitor.count)
}

/// Calls `f` with each offer of the file, in order, and returns how many there were.
/// Stops at the first error, the file's or `f`'s.
pub fn for_each_offer<R, E, F>(reader: R, f: F) -> Result<u64, E>
where
    R: BufRead,
    E: From<CmlError>,
    F: FnMut(Offer) -> Result<(), E>,
{
    let mut visitor = Offers::new(f, Header::default());
    walk(reader, &mut visitor)?;
    Ok(visitor.count)
}

pub(super) struct Products<F> {
    f: F,
    current: Option<Product>,
    /// Attributes of the product's `БазоваяЕдиница`: `Код`, `НаименованиеКраткое`,
    /// `НаименованиеПолное`.
    unit_attrs: [Option<String>; 3],
    /// `Наименование` of the tax rate or requisite being read.
    entry_name: Option<String>,
    /// The product's `ЗначенияСвойств` as written: (`Ид`, `Значение`).
    raw_properties: Vec<(String, String)>,
    pub count: u64,
    /// The classifier's price types and warehouses, the catalogue's full flag.
    pub header: HeaderReader,
}

impl<F> Products<F> {
    pub fn new(f: F, header: Header) -> Self {
        Products {
            f,
            current: None,
            unit_attrs: Default::default(),
            entry_name: None,
            raw_properties: Vec::new(),
            count: 0,
            header: HeaderReader::new(header),
        }
    }

    /// Between products (and header items): a place to stop a sliced read.
    pub fn idle(&self) -> bool {
        self.current.is_none() && self.header.idle()
    }
}

impl<F, E> Handler for Products<F>
where
    E: From<CmlError>,
    F: FnMut(Product) -> Result<(), E>,
{
    type Error = E;

    fn start(&mut self, path: &[Tag], element: &Element<'_>) -> Result<bool, E> {
        use Tag::*;
        if self.current.is_none() && !matches!(path, [.., Catalog, Products, Product]) {
            return Ok(self.header.start(path, element)?);
        }
        match path {
            [.., Catalog, Products, Product] => {
                self.current = Some(Default::default());
                self.unit_attrs = Default::default();
                self.raw_properties.clear();
            }
            [.., Product, PropertyValues, PropertyValue] => {
                self.raw_properties.push(Default::default())
            }
            [.., Product, BaseUnit] if self.current.is_some() => {
                self.unit_attrs = [
                    element.attribute("Код")?,
                    element.attribute("НаименованиеКраткое")?,
                    element.attribute("НаименованиеПолное")?,
                ]
                .map(|a| a.as_deref().and_then(non_empty));
            }
            [.., Product, TaxRates, TaxRate] | [.., Product, Requisites, Requisite] => {
                self.entry_name = None
            }
            _ => {}
        }
        Ok(self.current.is_some()
            && matches!(
                path,
                [
                    ..,
                    Product,
                    Id | Article | Name | BaseUnit | DeletionMark | Status | Picture
                ] | [.., Product, Groups, Id]
                    | [.., Product, TaxRates, TaxRate, Name | Rate]
                    | [.., Product, Requisites, Requisite, Name | Value]
                    | [.., Product, PropertyValues, PropertyValue, Id | Value]
            ))
    }

    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), E> {
        use Tag::*;
        let Some(product) = &mut self.current else {
            self.header.end(path, text);
            return Ok(());
        };
        match path {
            [.., Catalog, Products, Product] => {
                let mut product = self.current.take().unwrap_or_default();
                product.properties = self.header.resolve(&self.raw_properties);
                if product.id.is_empty() {
                    return Err(invalid(Id, "", position, "a product without Ид".to_owned()).into());
                }
                self.count += 1;
                (self.f)(product)?;
            }
            [.., Product, Id] => product.id = text.to_owned(),
            [.., Product, Article] => product.article = non_empty(text),
            [.., Product, Name] => product.name = non_empty(text),
            [.., Product, BaseUnit] => {
                let [code, short, full] = std::mem::take(&mut self.unit_attrs);
                let text = non_empty(text);
                let text_is_code = text
                    .as_deref()
                    .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()));
                product.unit_code = code.or_else(|| text.clone().filter(|_| text_is_code));
                product.unit = text
                    .filter(|_| !text_is_code)
                    .or(short)
                    .or_else(|| {
                        product
                            .unit_code
                            .as_deref()
                            .and_then(okei_name)
                            .map(str::to_owned)
                    })
                    .or(full);
            }
            [.., Product, DeletionMark] => product.deleted |= is_true(text),
            [.., Product, Status] => product.deleted |= is_deleted_status(text),
            [.., Product, TaxRates, TaxRate, Name] | [.., Product, Requisites, Requisite, Name] => {
                self.entry_name = non_empty(text)
            }
            [.., Product, TaxRates, TaxRate, Rate] => {
                let named_vat = self
                    .entry_name
                    .as_deref()
                    .is_none_or(|n| n.to_lowercase() == "ндс");
                if named_vat {
                    product.vat_bp = vat_bp(text).or(product.vat_bp);
                }
            }
            [.., Product, Requisites, Requisite, Value]
                if self.entry_name.as_deref() == Some("СтавкаНДС") =>
            {
                product.vat_bp = vat_bp(text).or(product.vat_bp)
            }
            [.., Product, Groups, Id] => product.group_ids.extend(non_empty(text)),
            [.., Product, Picture] => product.images.extend(non_empty(text)),
            [.., Product, PropertyValues, PropertyValue, Id] => {
                if let Some(last) = self.raw_properties.last_mut() {
                    last.0 = text.trim().to_owned();
                }
            }
            // Several `Значение` of one property are several values.
            [.., Product, PropertyValues, PropertyValue, Value] => {
                if let Some(last) = self.raw_properties.last_mut() {
                    if last.1.is_empty() {
                        last.1 = text.trim().to_owned();
                    } else {
                        let id = last.0.clone();
                        self.raw_properties.push((id, text.trim().to_owned()));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

pub(super) struct Offers<F> {
    f: F,
    current: Option<Offer>,
    /// The sum of the offer's stock rows so far.
    stock: Option<Milli>,
    /// The price being read: (`ИдТипаЦены`, `ЦенаЗаЕдиницу`).
    price: (Option<String>, Option<Kopecks>),
    /// Its (`Валюта`, `Коэффициент`).
    price_terms: (Option<String>, Option<Milli>),
    pub count: u64,
    /// The package's price types (their currencies for a price that names none), warehouses and
    /// full flag.
    pub header: HeaderReader,
    /// The stock row being read: `Склад/Ид`, `Склад/Количество`.
    warehouse: (Option<String>, Option<Milli>),
}

impl<F> Offers<F> {
    pub fn new(f: F, header: Header) -> Self {
        Offers {
            f,
            current: None,
            stock: None,
            price: Default::default(),
            price_terms: Default::default(),
            count: 0,
            header: HeaderReader::new(header),
            warehouse: Default::default(),
        }
    }

    /// Between offers (and header items): a place to stop a sliced read.
    pub fn idle(&self) -> bool {
        self.current.is_none() && self.header.idle()
    }
}

impl<F, E> Handler for Offers<F>
where
    E: From<CmlError>,
    F: FnMut(Offer) -> Result<(), E>,
{
    type Error = E;

    fn start(&mut self, path: &[Tag], element: &Element<'_>) -> Result<bool, E> {
        use Tag::*;
        if self.current.is_none() && !matches!(path, [.., Offers, Offer]) {
            return Ok(self.header.start(path, element)?);
        }
        match path {
            [.., Offers, Offer] => {
                self.current = Some(Default::default());
                self.stock = None;
            }
            [.., Offer, Prices, Price] => {
                self.price = Default::default();
                self.price_terms = Default::default();
            }
            [.., Offer, Stocks, Stock, Warehouse] => self.warehouse = Default::default(),
            [.., Offer, Characteristics, Characteristic] => {
                if let Some(offer) = &mut self.current {
                    offer.properties.push(Default::default());
                }
            }
            // 2.08+ may put stock per warehouse in attributes: <Склад ИдСклада=".." КоличествоНаСкладе="5"/>.
            [.., Offer, Warehouse] => {
                if let Some(value) = element.attribute("КоличествоНаСкладе")? {
                    let quantity = milli(&value, Quantity, element.position)?;
                    self.add_stock(quantity);
                    let id = element.attribute("ИдСклада")?.and_then(|i| non_empty(&i));
                    if let (Some(id), Some(q), Some(offer)) = (id, quantity, &mut self.current) {
                        offer.stocks.push((id, q));
                    }
                }
            }
            _ => {}
        }
        Ok(wants_offer_text(path))
    }

    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), E> {
        use Tag::*;
        if self.current.is_none() {
            self.header.end(path, text);
            return Ok(());
        }
        match path {
            [.., Offers, Offer] => return self.finish_offer(position),
            [.., Offer, Prices, Price] => self.finish_price(position)?,
            [.., Offer, Prices, Price, PriceTypeId] => self.price.0 = non_empty(text),
            [.., Offer, Prices, Price, PricePerUnit] => {
                self.price.1 = kopecks(text, PricePerUnit, position)?
            }
            [.., Offer, Prices, Price, Currency] => {
                self.price_terms.0 = non_empty(text).map(|c| currency_code(&c))
            }
            [.., Offer, Prices, Price, Coefficient] => {
                self.price_terms.1 = milli(text, Coefficient, position)?
            }
            [.., Offer, Stocks, Stock, Quantity] => {
                self.add_stock(milli(text, Quantity, position)?);
            }
            [.., Offer, Stocks, Stock, Warehouse, Quantity] => {
                let quantity = milli(text, Quantity, position)?;
                self.add_stock(quantity);
                self.warehouse.1 = quantity;
            }
            [.., Offer, Stocks, Stock, Warehouse, Id] => self.warehouse.0 = non_empty(text),
            [.., Offer, Characteristics, Characteristic, Name | Value] => {
                if let Some(last) = self.current.as_mut().and_then(|o| o.properties.last_mut()) {
                    match path.last() {
                        Some(Name) => last.0 = text.to_owned(),
                        _ => last.1 = text.to_owned(),
                    }
                }
            }
            [.., Offer, Stocks, Stock, Warehouse] => {
                if let ((Some(id), Some(q)), Some(offer)) =
                    (std::mem::take(&mut self.warehouse), &mut self.current)
                {
                    offer.stocks.push((id, q));
                }
            }
            _ => {
                let Some(offer) = &mut self.current else {
                    return Ok(());
                };
                match path {
                    [.., Offer, Id] => offer.id = text.to_owned(),
                    [.., Offer, Article] => offer.article = non_empty(text),
                    [.., Offer, Name] => offer.name = non_empty(text),
                    [.., Offer, Quantity] => offer.quantity = milli(text, Quantity, position)?,
                    [.., Offer, DeletionMark] => offer.deleted |= is_true(text),
                    [.., Offer, Status] => offer.deleted |= is_deleted_status(text),
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

fn wants_offer_text(path: &[Tag]) -> bool {
    use Tag::*;
    matches!(
        path,
        [
            ..,
            Offer,
            Id | Article | Name | Quantity | DeletionMark | Status
        ] | [
            ..,
            Offer,
            Prices,
            Price,
            PriceTypeId | PricePerUnit | Currency | Coefficient
        ] | [.., Offer, Stocks, Stock, Quantity]
            | [.., Offer, Stocks, Stock, Warehouse, Id | Quantity]
            | [.., Offer, Characteristics, Characteristic, Name | Value]
    )
}

impl<F, E> Offers<F>
where
    E: From<CmlError>,
    F: FnMut(Offer) -> Result<(), E>,
{
    fn add_stock(&mut self, quantity: Option<Milli>) {
        if let Some(q) = quantity {
            self.stock = Some(Milli(self.stock.unwrap_or_default().0 + q.0));
        }
    }

    /// A price needs both its type and its amount: a half price would import as a wrong one.
    fn finish_price(&mut self, position: u64) -> Result<(), CmlError> {
        let (type_id, amount) = std::mem::take(&mut self.price);
        let type_id = type_id.ok_or_else(|| {
            invalid(
                Tag::PriceTypeId,
                "",
                position,
                "a price without ИдТипаЦены".to_owned(),
            )
        })?;
        let amount = amount.ok_or_else(|| {
            invalid(
                Tag::PricePerUnit,
                "",
                position,
                "a price without ЦенаЗаЕдиницу".to_owned(),
            )
        })?;
        let mut terms = std::mem::take(&mut self.price_terms);
        if terms.0.is_none() {
            terms.0 = self
                .header
                .data
                .currencies
                .iter()
                .find(|(id, _)| *id == type_id)
                .map(|(_, c)| c.clone());
        }
        if let Some(offer) = &mut self.current {
            offer.prices.push((type_id, amount));
            offer.price_terms.push(terms);
        }
        Ok(())
    }

    fn finish_offer(&mut self, position: u64) -> Result<(), E> {
        let mut offer = self.current.take().unwrap_or_default();
        if offer.id.is_empty() {
            return Err(invalid(Tag::Id, "", position, "an offer without Ид".to_owned()).into());
        }
        offer.quantity = offer.quantity.or(self.stock.take());
        offer.properties.retain(|(name, _)| !name.is_empty());
        self.count += 1;
        (self.f)(offer)
    }
}

fn is_true(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("true")
}

/// `Статус` of a deleted item (3.x; 2.x writes `ПометкаУдаления`).
fn is_deleted_status(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    t == "удален" || t == "удалён"
}

/// A VAT rate as 1C writes it (`Без налога`, `без НДС`, `0%`, `10`, `20%`, `22`, `10/110`) in
/// basis points; `None` for anything else.
pub fn vat_bp(text: &str) -> Option<i64> {
    let t = text.trim().to_lowercase();
    if t.starts_with("без") {
        return Some(0);
    }
    let t = t
        .split('/')
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('%')
        .trim();
    let t = t.replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    let whole: i64 = whole.parse().ok()?;
    let frac = format!("{frac:0<2}");
    let frac: i64 = frac.get(..2)?.parse().ok()?;
    let bp = whole * 100 + frac;
    (0..=10_000).contains(&bp).then_some(bp)
}

/// A currency as 1C names it: the rouble (`руб`, `RUB`, `RUR`, `643`) as `RUB`, any other as
/// written, upper-cased (`USD`).
pub fn currency_code(text: &str) -> String {
    let t = text.trim().trim_end_matches('.').to_lowercase();
    match t.as_str() {
        "руб" | "рубль" | "rub" | "rur" | "643" => "RUB".to_owned(),
        _ => text.trim().to_uppercase(),
    }
}

/// The short name of a unit by its ОКЕИ code, for files that send only the code.
pub fn okei_name(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "796" => "шт",
        "166" => "кг",
        "163" => "г",
        "168" => "т",
        "006" => "м",
        "055" => "м2",
        "113" => "м3",
        "112" => "л",
        "778" => "упак",
        "839" => "компл",
        "704" => "набор",
        "715" => "пар",
        "625" => "лист",
        "736" => "рул",
        "018" => "пог. м",
        "356" => "ч",
        _ => return None,
    })
}
