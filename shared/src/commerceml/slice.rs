//! Sliced reads: a large file is read a window of bytes at a time, each slice stopping at an
//! element boundary and returning a [`Checkpoint`] to resume from, so an import can run in many
//! short invocations (a queue consumer) with memory bounded by the window, whatever the file size.
//!
//! A boundary is the start or the end of any element while no product, offer or price type is
//! being read. A slice stops at the first boundary after `max_items` goods, or, when its window
//! ends before the file does, at the last boundary before the cut: the goods after it were not
//! handed out and are read again by the next slice.

use super::error::CmlError;
use super::goods::{Header, Offers, Products};
use super::source::detect;
use super::walk::encoding_label;
use super::walk::{walk, walk_resumed, Element, Handler, OpenNames, Resume, Tag};
use super::{Offer, Product};
use serde::{Deserialize, Serialize};

/// Open elements deeper than this are not a boundary (the checkpoint stays small).
const MAX_OPEN: usize = 16;

/// Where to resume a sliced read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Byte offset in the stored file (before any transcoding) where the next slice starts.
    pub offset: u64,
    /// Qualified names of the elements open at `offset`, root first.
    pub open: Vec<String>,
    /// `utf-8` or `windows-1251`: the file's encoding, found by the first slice.
    pub encoding: String,
    /// Header context read so far: the offer package's price types (`Ид`, `Наименование`).
    #[serde(default)]
    pub price_types: Vec<(String, String)>,
    /// The price types' currencies (`Ид`, `Валюта`) read so far.
    #[serde(default)]
    pub currencies: Vec<(String, String)>,
    /// The warehouses (`Ид`, `Наименование`) read so far.
    #[serde(default)]
    pub warehouses: Vec<(String, String)>,
    /// Whether the file is a full exchange (see [`Header::full`]), once read.
    #[serde(default)]
    pub full: Option<bool>,
    /// The classifier's properties and dictionary values read so far (see [`Header`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub property_values: Vec<(String, String)>,
}

impl Checkpoint {
    fn header(&self) -> Header {
        Header {
            price_types: self.price_types.clone(),
            currencies: self.currencies.clone(),
            warehouses: self.warehouses.clone(),
            full: self.full,
            properties: self.properties.clone(),
            property_values: self.property_values.clone(),
        }
    }
}

/// What one slice did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// Where the next slice starts; `None` when the file is finished.
    pub next: Option<Checkpoint>,
    /// Goods handed out by this slice.
    pub items: u64,
    /// The price types known after this slice (those of earlier slices included).
    pub price_types: Vec<(String, String)>,
    /// Everything of the header known after this slice (price types, currencies, warehouses,
    /// the full flag), earlier slices' included.
    pub header: Header,
}

/// Reads catalogue products (`Каталог/Товары/Товар`) from `window`: the file's bytes from
/// `from`'s offset (or from its start), `at_end` when the window reaches the end of the file.
pub fn products_slice<E, F>(
    window: &[u8],
    at_end: bool,
    from: Option<&Checkpoint>,
    max_items: u64,
    mut f: F,
) -> Result<Slice, E>
where
    E: From<CmlError>,
    F: FnMut(Product) -> Result<(), E>,
{
    let header = from.map(Checkpoint::header).unwrap_or_default();
    let goods = Products::new(|p| f(p).map_err(Halt::User), header);
    run(
        window,
        at_end,
        from,
        max_items,
        Goods::<_, fn(Offer) -> Result<(), Halt<E>>>::Products(goods),
    )
}

/// Reads offers (`Предложения/Предложение`) with their prices and stock, and the price types of
/// the header, as [`products_slice`] reads products.
pub fn offers_slice<E, F>(
    window: &[u8],
    at_end: bool,
    from: Option<&Checkpoint>,
    max_items: u64,
    mut f: F,
) -> Result<Slice, E>
where
    E: From<CmlError>,
    F: FnMut(Offer) -> Result<(), E>,
{
    let header = from.map(Checkpoint::header).unwrap_or_default();
    let goods = Offers::new(|o| f(o).map_err(Halt::User), header);
    run(
        window,
        at_end,
        from,
        max_items,
        Goods::<fn(Product) -> Result<(), Halt<E>>, _>::Offers(goods),
    )
}

/// Why a sliced walk stopped early.
enum Halt<E> {
    /// At a boundary, with enough goods read.
    Pause,
    Cml(CmlError),
    User(E),
}

impl<E> From<CmlError> for Halt<E> {
    fn from(e: CmlError) -> Self {
        Halt::Cml(e)
    }
}

enum Goods<P, O> {
    Products(Products<P>),
    Offers(Offers<O>),
}

struct Sliced<P, O> {
    goods: Goods<P, O>,
    start: u64,
    max_items: u64,
    /// The latest boundary: its offset and open elements.
    last: Option<u64>,
    last_open: Vec<String>,
}

impl<P, O, E> Sliced<P, O>
where
    E: From<CmlError>,
    P: FnMut(Product) -> Result<(), Halt<E>>,
    O: FnMut(Offer) -> Result<(), Halt<E>>,
{
    fn idle(&self) -> bool {
        match &self.goods {
            Goods::Products(h) => h.idle(),
            Goods::Offers(h) => h.idle(),
        }
    }

    fn count(&self) -> u64 {
        match &self.goods {
            Goods::Products(h) => h.count,
            Goods::Offers(h) => h.count,
        }
    }

    fn boundary(&mut self, offset: u64, open: &OpenNames) -> Result<(), Halt<E>> {
        if !self.idle() || open.len() > MAX_OPEN {
            return Ok(());
        }
        self.last = Some(offset);
        open.copy_into(&mut self.last_open);
        if offset > self.start && self.count() >= self.max_items {
            return Err(Halt::Pause);
        }
        Ok(())
    }
}

impl<P, O, E> Handler for Sliced<P, O>
where
    E: From<CmlError>,
    P: FnMut(Product) -> Result<(), Halt<E>>,
    O: FnMut(Offer) -> Result<(), Halt<E>>,
{
    type Error = Halt<E>;

    fn start(&mut self, path: &[Tag], element: &Element<'_>) -> Result<bool, Halt<E>> {
        self.boundary(element.offset, element.open)?;
        match &mut self.goods {
            Goods::Products(h) => h.start(path, element),
            Goods::Offers(h) => h.start(path, element),
        }
    }

    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), Halt<E>> {
        match &mut self.goods {
            Goods::Products(h) => h.end(path, text, position),
            Goods::Offers(h) => h.end(path, text, position),
        }
    }

    fn after_end(&mut self, path: &[Tag], offset: u64, open: &OpenNames) -> Result<(), Halt<E>> {
        if path.is_empty() {
            return Ok(());
        }
        self.boundary(offset, open)
    }
}

fn run<P, O, E>(
    window: &[u8],
    at_end: bool,
    from: Option<&Checkpoint>,
    max_items: u64,
    goods: Goods<P, O>,
) -> Result<Slice, E>
where
    E: From<CmlError>,
    P: FnMut(Product) -> Result<(), Halt<E>>,
    O: FnMut(Offer) -> Result<(), Halt<E>>,
{
    let start = from.map_or(0, |c| c.offset);
    let encoding = match from {
        Some(c) => c.encoding.clone(),
        None => {
            let (encoding, _) = detect(&window[..window.len().min(1024)])?;
            encoding_label(encoding).to_owned()
        }
    };
    let mut sliced = Sliced {
        goods,
        start,
        max_items: max_items.max(1),
        last: None,
        last_open: Vec::new(),
    };
    let result = match from {
        None => walk(window, &mut sliced).map(|_| ()),
        Some(c) => {
            let resume = Resume {
                window,
                offset: c.offset,
                open: &c.open,
                encoding: &c.encoding,
            };
            walk_resumed(&resume, &mut sliced).map(|_| ())
        }
    };
    let items = sliced.count();
    let header = match &sliced.goods {
        Goods::Products(h) => h.header.data.clone(),
        Goods::Offers(h) => h.header.data.clone(),
    };
    let checkpoint = |offset: u64, open: Vec<String>| Checkpoint {
        offset,
        open,
        encoding: encoding.clone(),
        price_types: header.price_types.clone(),
        currencies: header.currencies.clone(),
        warehouses: header.warehouses.clone(),
        full: header.full,
        properties: header.properties.clone(),
        property_values: header.property_values.clone(),
    };
    let next = match result {
        Ok(()) => None,
        Err(Halt::Pause) => Some(checkpoint(sliced.last.unwrap_or(start), sliced.last_open)),
        Err(Halt::User(e)) => return Err(e),
        Err(Halt::Cml(e)) => match sliced.last {
            // The window ended inside an element: resume at the last boundary, if it moved on.
            Some(last) if !at_end && last > start && may_be_cut(&e) => {
                Some(checkpoint(last, sliced.last_open))
            }
            _ => return Err(e.into()),
        },
    };
    Ok(Slice {
        next,
        items,
        price_types: header.price_types.clone(),
        header,
    })
}

/// Errors a window cut in the middle of an element can cause (a wrong value cannot: values are
/// only read once their element has closed).
fn may_be_cut(e: &CmlError) -> bool {
    matches!(
        e,
        CmlError::Xml { .. } | CmlError::Encoding { .. } | CmlError::Io(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commerceml::{for_each_offer, for_each_product};

    fn offers_file(n: usize, prefix: &str, declaration: &str) -> String {
        let p = prefix;
        let mut xml = format!("{declaration}<{p}КоммерческаяИнформация xmlns{colon}{ns}=\"urn:1C.ru:commerceml_210\" ВерсияСхемы=\"2.10\">\r\n<{p}ПакетПредложений>\
             <{p}ТипыЦен><{p}ТипЦены><{p}Ид>pt-1</{p}Ид><{p}Наименование>Оптовая</{p}Наименование></{p}ТипЦены>\
             <{p}ТипЦены><{p}Ид>pt-2</{p}Ид><{p}Наименование>Розничная «Юг»</{p}Наименование></{p}ТипЦены></{p}ТипыЦен>\r\n<{p}Предложения>\r\n",
            colon = if p.is_empty() { "" } else { ":" }, ns = p.trim_end_matches(':'));
        for i in 0..n {
            let id = if i % 3 == 2 {
                format!("g{}#c{i}", i - 1)
            } else {
                format!("g{i}")
            };
            xml.push_str(&format!(
                "\t<{p}Предложение><{p}Ид>{id}</{p}Ид><{p}Наименование>Ремень №{i} — &quot;Gates&quot;</{p}Наименование>\
                 <{p}Цены><{p}Цена><{p}ИдТипаЦены>pt-1</{p}ИдТипаЦены><{p}ЦенаЗаЕдиницу>{i}.{:02}</{p}ЦенаЗаЕдиницу></{p}Цена>\
                 <{p}Цена><{p}ИдТипаЦены>pt-2</{p}ИдТипаЦены><{p}ЦенаЗаЕдиницу>1 {i}</{p}ЦенаЗаЕдиницу></{p}Цена></{p}Цены>\
                 <{p}Остатки><{p}Остаток><{p}Склад><{p}Ид>w1</{p}Ид><{p}Количество>{}.5</{p}Количество></{p}Склад></{p}Остаток></{p}Остатки></{p}Предложение>\r\n",
                i % 100,
                i % 7
            ));
        }
        xml.push_str(&format!(
            "</{p}Предложения></{p}ПакетПредложений></{p}КоммерческаяИнформация>\r\n"
        ));
        xml
    }

    /// Reads the whole file slice by slice, as the import does.
    fn sliced_offers(
        bytes: &[u8],
        window: usize,
        max_items: u64,
    ) -> (Vec<Offer>, Vec<(String, String)>, usize) {
        let (mut out, mut from, mut slices) = (Vec::new(), None::<Checkpoint>, 0);
        loop {
            let start = from.as_ref().map_or(0, |c| c.offset as usize);
            let end = (start + window).min(bytes.len());
            let slice = offers_slice(
                &bytes[start..end],
                end == bytes.len(),
                from.as_ref(),
                max_items,
                |o| {
                    out.push(o);
                    Ok::<(), CmlError>(())
                },
            )
            .unwrap_or_else(|e| panic!("window {window}, max {max_items}, at {start}: {e}"));
            slices += 1;
            match slice.next {
                None => return (out, slice.price_types, slices),
                Some(next) => {
                    assert!(next.offset as usize > start, "a slice moves on");
                    from = Some(next);
                }
            }
        }
    }

    #[test]
    fn a_price_without_its_currency_takes_its_price_types_in_every_slice() {
        let xml = "<КоммерческаяИнформация><ПакетПредложений><ТипыЦен>\
            <ТипЦены><Ид>usd</Ид><Наименование>Опт $</Наименование><Валюта>USD</Валюта></ТипЦены>\
            <ТипЦены><Ид>rub</Ид><Наименование>Розница</Наименование><Валюта>руб</Валюта></ТипЦены></ТипыЦен><Предложения>\
            <Предложение><Ид>a</Ид><Цены><Цена><ИдТипаЦены>usd</ИдТипаЦены><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу></Цена></Цены></Предложение>\
            <Предложение><Ид>b</Ид><Цены><Цена><ИдТипаЦены>usd</ИдТипаЦены><ЦенаЗаЕдиницу>2</ЦенаЗаЕдиницу></Цена>\
              <Цена><ИдТипаЦены>rub</ИдТипаЦены><ЦенаЗаЕдиницу>3</ЦенаЗаЕдиницу><Валюта>EUR</Валюта></Цена></Цены></Предложение>\
            </Предложения></ПакетПредложений></КоммерческаяИнформация>";
        let (offers, _, slices) = sliced_offers(xml.as_bytes(), 1 << 20, 1);
        assert!(slices > 1);
        let currencies: Vec<Vec<Option<String>>> = offers
            .iter()
            .map(|o| o.price_terms.iter().map(|t| t.0.clone()).collect())
            .collect();
        let c = |s: &str| Some(s.to_owned());
        assert_eq!(
            currencies,
            vec![vec![c("USD")], vec![c("USD"), c("EUR")]],
            "the price type's Валюта when the price has none; the price's own otherwise"
        );
    }

    #[test]
    fn sliced_offers_equal_one_pass_in_both_encodings_and_with_a_prefix() {
        let utf8 = format!(
            "\u{feff}{}",
            offers_file(40, "", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n")
        );
        let text1251 = offers_file(
            40,
            "",
            "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\r\n",
        );
        let cp1251 = super::super::cp1251::encode(&text1251).0;
        let prefixed = offers_file(40, "c:", "");
        for (what, bytes) in [
            ("utf-8", utf8.into_bytes()),
            ("windows-1251", cp1251),
            ("prefixed", prefixed.into_bytes()),
        ] {
            let mut whole = Vec::new();
            for_each_offer(&bytes[..], |o| {
                whole.push(o);
                Ok::<(), CmlError>(())
            })
            .unwrap();
            assert_eq!(whole.len(), 40);
            for (window, max_items) in [
                (bytes.len(), u64::MAX),
                (900, 1000),
                (900, 1),
                (2000, 3),
                (5000, 7),
            ] {
                let (offers, types, slices) = sliced_offers(&bytes, window, max_items);
                assert_eq!(offers, whole, "{what}: window {window}, max {max_items}");
                assert_eq!(
                    types,
                    vec![
                        ("pt-1".into(), "Оптовая".into()),
                        ("pt-2".into(), "Розничная «Юг»".into())
                    ],
                    "{what}"
                );
                if max_items == 1 {
                    assert!(slices >= 40, "{what}: one offer per slice, {slices} slices");
                }
            }
        }
    }

    #[test]
    fn products_slice_resumes_inside_the_catalogue() {
        let mut xml = String::from("<КоммерческаяИнформация><Классификатор><Группы>");
        for g in 0..30 {
            xml.push_str(&format!(
                "<Группа><Ид>grp{g}</Ид><Наименование>Группа {g}</Наименование></Группа>"
            ));
        }
        xml.push_str("</Группы></Классификатор><Каталог><Товары>");
        for i in 0..25 {
            xml.push_str(&format!("<Товар><Ид>p{i}</Ид><Артикул>A-{i}</Артикул><Наименование>Фильтр {i}</Наименование><Группы><Ид>grp1</Ид></Группы></Товар>\n"));
        }
        xml.push_str("</Товары></Каталог></КоммерческаяИнформация>");
        let bytes = xml.as_bytes();
        let mut whole = Vec::new();
        for_each_product(bytes, |p| {
            whole.push(p);
            Ok::<(), CmlError>(())
        })
        .unwrap();
        // A window smaller than the classifier: the first slices only move through the header.
        let (mut got, mut from) = (Vec::new(), None::<Checkpoint>);
        loop {
            let start = from.as_ref().map_or(0, |c| c.offset as usize);
            let end = (start + 400).min(bytes.len());
            let slice = products_slice(
                &bytes[start..end],
                end == bytes.len(),
                from.as_ref(),
                4,
                |p| {
                    got.push(p);
                    Ok::<(), CmlError>(())
                },
            )
            .unwrap();
            match slice.next {
                None => break,
                Some(next) => from = Some(next),
            }
        }
        assert_eq!(got, whole);
    }

    #[test]
    fn a_broken_element_fails_where_one_pass_fails() {
        let xml = offers_file(10, "", "").replace("<Ид>g4</Ид>", "<Ид>g4</Ид><Bad>");
        let bytes = xml.as_bytes();
        let whole = for_each_offer(bytes, |_| Ok::<(), CmlError>(()));
        assert!(whole.is_err());
        let mut from = None::<Checkpoint>;
        let err = loop {
            let start = from.as_ref().map_or(0, |c: &Checkpoint| c.offset as usize);
            let end = (start + 1500).min(bytes.len());
            match offers_slice(
                &bytes[start..end],
                end == bytes.len(),
                from.as_ref(),
                2,
                |_| Ok::<(), CmlError>(()),
            ) {
                Ok(slice) => from = Some(slice.next.expect("the file cannot finish")),
                Err(e) => break e,
            }
        };
        assert!(matches!(err, CmlError::Xml { .. }), "{err}");
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn warehouses_price_types_and_the_full_flag_carry_across_slices() {
        // 2.09: price types and warehouses in import.xml's classifier; a full catalogue.
        let import = "<КоммерческаяИнформация><Классификатор><ТипыЦен><ТипЦены><Ид>pt</Ид><Наименование>Опт</Наименование>\
            <Валюта>USD</Валюта><Налог><Наименование>НДС</Наименование></Налог></ТипЦены></ТипыЦен>\
            <Склады><Склад><Ид>w1</Ид><Наименование>Основной</Наименование></Склад></Склады></Классификатор>\
            <Каталог><Товары><Товар><Ид>a</Ид><Наименование>A</Наименование></Товар><Товар><Ид>b</Ид><Наименование>B</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>";
        let bytes = import.as_bytes();
        let mut from = None::<Checkpoint>;
        let header = loop {
            let start = from.as_ref().map_or(0, |c| c.offset as usize);
            let slice = products_slice(&bytes[start..], true, from.as_ref(), 1, |_| {
                Ok::<(), CmlError>(())
            })
            .unwrap();
            match slice.next {
                None => break slice.header,
                Some(next) => from = Some(next),
            }
        };
        assert_eq!(
            header.price_types,
            vec![("pt".to_owned(), "Опт".to_owned())]
        );
        assert_eq!(header.currencies, vec![("pt".to_owned(), "USD".to_owned())]);
        assert_eq!(
            header.warehouses,
            vec![("w1".to_owned(), "Основной".to_owned())]
        );
        assert_eq!(
            header.full,
            Some(true),
            "no СодержитТолькоИзменения: a full catalogue"
        );
        // Stock per warehouse in both forms; a changes-only package.
        let offers = "<КоммерческаяИнформация><ПакетПредложений СодержитТолькоИзменения=\"true\"><Склады><Склад><Ид>w2</Ид>\
            <Наименование>Южный</Наименование></Склад></Склады><Предложения>\
            <Предложение><Ид>a</Ид><Остатки><Остаток><Склад><Ид>w1</Ид><Количество>2.5</Количество></Склад></Остаток>\
            <Остаток><Склад><Ид>w2</Ид><Количество>1</Количество></Склад></Остаток></Остатки></Предложение>\
            <Предложение><Ид>b</Ид><Количество>7</Количество><Склад ИдСклада=\"w2\" КоличествоНаСкладе=\"3\"/></Предложение>\
            <Предложение><Ид>c</Ид><Количество>4</Количество></Предложение></Предложения></ПакетПредложений></КоммерческаяИнформация>";
        let (got, _, _) = sliced_offers(offers.as_bytes(), 1 << 20, 1);
        let stocks: Vec<(&str, Vec<(String, i64)>, Option<i64>)> = got
            .iter()
            .map(|o| {
                (
                    o.id.as_str(),
                    o.stocks.iter().map(|(w, q)| (w.clone(), q.0)).collect(),
                    o.quantity.map(|q| q.0),
                )
            })
            .collect();
        assert_eq!(
            stocks,
            vec![
                (
                    "a",
                    vec![("w1".into(), 2500), ("w2".into(), 1000)],
                    Some(3500)
                ),
                ("b", vec![("w2".into(), 3000)], Some(7000)),
                ("c", vec![], Some(4000)),
            ]
        );
        let slice = offers_slice(offers.as_bytes(), true, None, 100, |_| {
            Ok::<(), CmlError>(())
        })
        .unwrap();
        assert_eq!(
            slice.header.warehouses,
            vec![("w2".to_owned(), "Южный".to_owned())]
        );
        assert_eq!(slice.header.full, Some(false));
    }

    #[test]
    fn checkpoints_round_trip_as_json() {
        let c = Checkpoint {
            offset: 7,
            open: vec!["КоммерческаяИнформация".into()],
            encoding: "utf-8".into(),
            price_types: vec![("a".into(), "b".into())],
            currencies: vec![("a".into(), "USD".into())],
            warehouses: vec![("w".into(), "Склад №1".into())],
            full: Some(true),
            properties: vec![("p".into(), "Цвет".into())],
            property_values: vec![("v".into(), "красный".into())],
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Checkpoint>(&json).unwrap(), c);
    }
}
