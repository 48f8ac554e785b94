//! The goods of an exchange, one at a time: catalog products (`import.xml`) and offers with
//! their prices and stock (`offers.xml`, or `prices.xml` and `rests.xml` in 3.x), for an import
//! that writes each as it comes instead of holding the catalog in memory.

use super::error::CmlError;
use super::walk::{walk, Element, Handler, Tag};
use super::{invalid, kopecks, milli, non_empty};
use crate::money::{Kopecks, Milli};
use serde::Serialize;
use std::io::BufRead;

/// A catalog product: `Каталог/Товары/Товар`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Product {
    /// `Ид`, as written (`guid`, or `guid#guid` for a characteristic).
    pub id: String,
    pub article: Option<String>,
    /// `Наименование`; a changes-only file may leave it out.
    pub name: Option<String>,
    /// `БазоваяЕдиница` as written: its text (`шт`, or the unit code `796` in 3.x), else its
    /// `Код` attribute (2.08 writes an empty element with attributes).
    pub unit: Option<String>,
    /// `Группы/Ид`: the classifier groups the product is in.
    pub group_ids: Vec<String>,
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
    /// The offer's own `Количество`, else the sum of its stock rows (`Остатки/Остаток`, with or
    /// without `Склад`, or `Склад КоличествоНаСкладе="..."`); `None` if it has neither.
    pub quantity: Option<Milli>,
}

/// Calls `f` with each catalog product of the file, in order, and returns how many there were.
/// Stops at the first error, the file's or `f`'s.
pub fn for_each_product<R, E, F>(reader: R, f: F) -> Result<u64, E>
where
    R: BufRead,
    E: From<CmlError>,
    F: FnMut(Product) -> Result<(), E>,
{
    let mut visitor = Products::new(f);
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
    let mut visitor = Offers::new(f, Vec::new());
    walk(reader, &mut visitor)?;
    Ok(visitor.count)
}

pub(super) struct Products<F> {
    f: F,
    current: Option<Product>,
    /// `Код` of the product's `БазоваяЕдиница`, used when the element has no text.
    unit_code: Option<String>,
    pub count: u64,
}

impl<F> Products<F> {
    pub fn new(f: F) -> Self {
        Products {
            f,
            current: None,
            unit_code: None,
            count: 0,
        }
    }

    /// Between products: a place to stop a sliced read.
    pub fn idle(&self) -> bool {
        self.current.is_none()
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
        match path {
            [.., Catalog, Products, Product] => {
                self.current = Some(Default::default());
                self.unit_code = None;
            }
            [.., Product, BaseUnit] if self.current.is_some() => {
                self.unit_code = element.attribute("Код")?
            }
            _ => {}
        }
        Ok(self.current.is_some()
            && matches!(
                path,
                [.., Product, Id | Article | Name | BaseUnit] | [.., Product, Groups, Id]
            ))
    }

    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), E> {
        use Tag::*;
        let Some(product) = &mut self.current else {
            return Ok(());
        };
        match path {
            [.., Catalog, Products, Product] => {
                let product = self.current.take().unwrap_or_default();
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
                product.unit = non_empty(text).or_else(|| self.unit_code.take())
            }
            [.., Product, Groups, Id] => product.group_ids.extend(non_empty(text)),
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
    pub count: u64,
    /// `ТипыЦен/ТипЦены` of the file's header: (`Ид`, `Наименование`).
    pub price_types: Vec<(String, String)>,
    /// The price type being read.
    price_type: Option<(String, String)>,
}

impl<F> Offers<F> {
    pub fn new(f: F, price_types: Vec<(String, String)>) -> Self {
        Offers {
            f,
            current: None,
            stock: None,
            price: Default::default(),
            count: 0,
            price_types,
            price_type: None,
        }
    }

    /// Between offers (and price types): a place to stop a sliced read.
    pub fn idle(&self) -> bool {
        self.current.is_none() && self.price_type.is_none()
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
        match path {
            [.., Offers, Offer] => {
                self.current = Some(Default::default());
                self.stock = None;
            }
            [.., Offer, Prices, Price] => self.price = Default::default(),
            [.., PriceTypes, PriceType] if self.current.is_none() => {
                self.price_type = Some(Default::default())
            }
            // 2.08+ may put stock per warehouse in attributes: <Склад ИдСклада=".." КоличествоНаСкладе="5"/>.
            [.., Offer, Warehouse] if self.current.is_some() => {
                if let Some(value) = element.attribute("КоличествоНаСкладе")? {
                    self.add_stock(milli(&value, Quantity, element.position)?);
                }
            }
            _ => {}
        }
        Ok((self.current.is_some() && wants_offer_text(path))
            || (self.price_type.is_some()
                && matches!(path, [.., PriceTypes, PriceType, Id | Name])))
    }

    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), E> {
        use Tag::*;
        if let Some(price_type) = &mut self.price_type {
            match path {
                [.., PriceTypes, PriceType, Id] => price_type.0 = text.to_owned(),
                [.., PriceTypes, PriceType, Name] => price_type.1 = text.to_owned(),
                [.., PriceTypes, PriceType] => {
                    let (id, name) = self.price_type.take().unwrap_or_default();
                    if !id.is_empty() {
                        let name = if name.is_empty() { id.clone() } else { name };
                        self.price_types.retain(|(known, _)| *known != id);
                        self.price_types.push((id, name));
                    }
                }
                _ => {}
            }
            return Ok(());
        }
        if self.current.is_none() {
            return Ok(());
        }
        match path {
            [.., Offers, Offer] => return self.finish_offer(position),
            [.., Offer, Prices, Price] => self.finish_price(position)?,
            [.., Offer, Prices, Price, PriceTypeId] => self.price.0 = non_empty(text),
            [.., Offer, Prices, Price, PricePerUnit] => {
                self.price.1 = kopecks(text, PricePerUnit, position)?
            }
            [.., Offer, Stocks, Stock, Quantity]
            | [.., Offer, Stocks, Stock, Warehouse, Quantity] => {
                self.add_stock(milli(text, Quantity, position)?);
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
        [.., Offer, Id | Article | Name | Quantity]
            | [.., Offer, Prices, Price, PriceTypeId | PricePerUnit]
            | [.., Offer, Stocks, Stock, Quantity]
            | [.., Offer, Stocks, Stock, Warehouse, Quantity]
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
        if let Some(offer) = &mut self.current {
            offer.prices.push((type_id, amount));
        }
        Ok(())
    }

    fn finish_offer(&mut self, position: u64) -> Result<(), E> {
        let mut offer = self.current.take().unwrap_or_default();
        if offer.id.is_empty() {
            return Err(invalid(Tag::Id, "", position, "an offer without Ид".to_owned()).into());
        }
        offer.quantity = offer.quantity.or(self.stock.take());
        self.count += 1;
        (self.f)(offer)
    }
}
