//! The one streaming loop every reader in this module shares. It keeps only the path of open
//! elements (as small tags, matched by local name so any namespace or prefix works) and the
//! text of the element a handler asked for; handlers see starts and ends, never the document.

use super::error::CmlError;
use super::source::Source;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::BufRead;

macro_rules! tags {
    ($($tag:ident = $name:literal,)*) => {
        /// The CommerceML elements this module looks at; everything else is `Other`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Tag { $($tag,)* Other }

        impl Tag {
            fn from_local_name(name: &[u8]) -> Tag {
                match std::str::from_utf8(name) {
                    $(Ok($name) => Tag::$tag,)*
                    _ => Tag::Other,
                }
            }

            /// The element's name, for error messages.
            pub fn name(self) -> &'static str {
                match self {
                    $(Tag::$tag => $name,)*
                    Tag::Other => "?",
                }
            }
        }
    };
}

tags! {
    Root = "КоммерческаяИнформация",
    Catalog = "Каталог",
    OfferPackage = "ПакетПредложений",
    Groups = "Группы",
    Group = "Группа",
    Properties = "Свойства",
    Property = "Свойство",
    Products = "Товары",
    Product = "Товар",
    Offers = "Предложения",
    Offer = "Предложение",
    Prices = "Цены",
    Price = "Цена",
    PricePerUnit = "ЦенаЗаЕдиницу",
    PriceTypeId = "ИдТипаЦены",
    Quantity = "Количество",
    Stocks = "Остатки",
    Stock = "Остаток",
    Warehouse = "Склад",
    Container = "Контейнер",
    Document = "Документ",
    Id = "Ид",
    Number = "Номер",
    Number1C = "Номер1С",
    Date = "Дата",
    Time = "Время",
    Operation = "ХозОперация",
    Sum = "Сумма",
    Counterparties = "Контрагенты",
    Counterparty = "Контрагент",
    Requisites = "ЗначенияРеквизитов",
    Requisite = "ЗначениеРеквизита",
    Name = "Наименование",
    Value = "Значение",
    Article = "Артикул",
    BaseUnit = "БазоваяЕдиница",
}

/// An element that just opened: its attributes and where it is.
pub(crate) struct Element<'a> {
    start: &'a BytesStart<'a>,
    pub position: u64,
}

impl Element<'_> {
    /// The trimmed, unescaped value of the attribute with this local name.
    pub fn attribute(&self, local_name: &str) -> Result<Option<String>, CmlError> {
        for attr in self.start.attributes() {
            let attr = attr.map_err(|e| CmlError::Xml {
                position: self.position,
                message: e.to_string(),
            })?;
            if attr.key.local_name().as_ref() == local_name.as_bytes() {
                let raw = utf8(&attr.value, self.position)?;
                let value = quick_xml::escape::unescape(raw).map_err(|e| CmlError::Xml {
                    position: self.position,
                    message: e.to_string(),
                })?;
                return Ok(Some(value.trim().to_owned()));
            }
        }
        Ok(None)
    }
}

/// Receives the elements of a CommerceML file in order.
pub(crate) trait Handler {
    type Error: From<CmlError>;

    /// `path` ends with the element that opened (`path[0]` is the root). Returns whether the
    /// handler wants the element's text in [`Handler::end`].
    fn start(&mut self, path: &[Tag], element: &Element<'_>) -> Result<bool, Self::Error>;

    /// `text` is the element's own trimmed text if `start` asked for it, else empty.
    fn end(&mut self, path: &[Tag], text: &str, position: u64) -> Result<(), Self::Error>;
}

/// What every CommerceML file says about itself on its root.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub encoding: &'static str,
    pub schema_version: Option<String>,
    pub namespace: Option<String>,
}

/// Streams the file through `handler`. Fails on malformed XML, bad encoding, or a root that
/// is not `КоммерческаяИнформация`.
pub(crate) fn walk<R: BufRead, H: Handler>(input: R, handler: &mut H) -> Result<Header, H::Error> {
    let (source, encoding) = Source::open(input)?;
    let mut header = Header {
        encoding: if encoding == encoding_rs::UTF_8 {
            "utf-8"
        } else {
            "windows-1251"
        },
        ..Header::default()
    };
    let mut reader = Reader::from_reader(source);
    let mut buf = Vec::with_capacity(4096);
    let mut path: Vec<Tag> = Vec::with_capacity(16);
    let mut text = String::new();
    // The depth of the element whose text is being collected, if any.
    let mut capture: Option<usize> = None;

    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| CmlError::from_xml(e, reader.error_position()))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let tag = Tag::from_local_name(start.local_name().as_ref());
                if path.is_empty() {
                    header_from_root(start, tag, position, &mut header)?;
                }
                path.push(tag);
                let element = Element { start, position };
                let wants_text = handler.start(&path, &element)?;
                if matches!(event, Event::Empty(_)) {
                    handler.end(&path, "", position)?;
                    path.pop();
                    if path.is_empty() {
                        return Ok(header);
                    }
                } else if wants_text {
                    capture = Some(path.len());
                    text.clear();
                }
            }
            Event::End(_) => {
                let own_text = if capture == Some(path.len()) {
                    text.trim()
                } else {
                    ""
                };
                handler.end(&path, own_text, position)?;
                if capture == Some(path.len()) {
                    capture = None;
                }
                path.pop();
                if path.is_empty() {
                    // Whatever follows the root (whitespace, comments) says nothing.
                    return Ok(header);
                }
            }
            Event::Text(ref raw) if capture == Some(path.len()) => {
                text.push_str(utf8(raw, position)?)
            }
            Event::CData(ref raw) if capture == Some(path.len()) => {
                text.push_str(utf8(raw, position)?)
            }
            Event::GeneralRef(ref name) if capture == Some(path.len()) => {
                push_reference(&mut text, name, position)?
            }
            Event::Eof => return Err(unexpected_eof(&path, position).into()),
            _ => {}
        }
        buf.clear();
    }
}

/// The root must be `КоммерческаяИнформация`; it carries the schema version and namespace.
fn header_from_root(
    start: &BytesStart<'_>,
    tag: Tag,
    position: u64,
    header: &mut Header,
) -> Result<(), CmlError> {
    if tag != Tag::Root {
        let root = String::from_utf8_lossy(start.name().as_ref()).into_owned();
        return Err(CmlError::NotCommerceMl { root: Some(root) });
    }
    let element = Element { start, position };
    header.schema_version = element.attribute("ВерсияСхемы")?;
    // `xmlns` for `<КоммерческаяИнформация>`, `xmlns:p` for `<p:КоммерческаяИнформация>`.
    let xmlns = match start.name().prefix() {
        Some(prefix) => format!("xmlns:{}", utf8(prefix.as_ref(), position)?),
        None => "xmlns".to_owned(),
    };
    header.namespace = attribute_by_qname(start, &xmlns, position)?;
    Ok(())
}

fn attribute_by_qname(
    start: &BytesStart<'_>,
    qname: &str,
    position: u64,
) -> Result<Option<String>, CmlError> {
    let attr = start.try_get_attribute(qname).map_err(|e| CmlError::Xml {
        position,
        message: e.to_string(),
    })?;
    attr.map(|a| utf8(&a.value, position).map(|v| v.trim().to_owned()))
        .transpose()
}

/// Appends the text of `&name;`: the five XML entities and character references.
fn push_reference(text: &mut String, name: &[u8], position: u64) -> Result<(), CmlError> {
    let reference = format!("&{};", utf8(name, position)?);
    let resolved = quick_xml::escape::unescape(&reference).map_err(|e| CmlError::Xml {
        position,
        message: e.to_string(),
    })?;
    text.push_str(&resolved);
    Ok(())
}

fn unexpected_eof(path: &[Tag], position: u64) -> CmlError {
    let message = match path.last() {
        None => return CmlError::NotCommerceMl { root: None },
        Some(Tag::Other) => "the file ends before its elements are closed".to_owned(),
        Some(open) => format!("the file ends before <{}> is closed", open.name()),
    };
    CmlError::Xml { position, message }
}

pub(crate) fn utf8(bytes: &[u8], position: u64) -> Result<&str, CmlError> {
    std::str::from_utf8(bytes).map_err(|e| CmlError::Encoding {
        position: position + e.valid_up_to() as u64,
        message:
            "invalid UTF-8 (is the file windows-1251 without saying so in its XML declaration?)"
                .to_owned(),
    })
}
