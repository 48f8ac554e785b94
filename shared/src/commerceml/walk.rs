//! The one streaming loop every reader in this module shares. It keeps only the path of open
//! elements (as small tags, matched by local name so any namespace or prefix works) and the
//! text of the element a handler asked for; handlers see starts and ends, never the document.

use super::error::CmlError;
use super::source::{Source, Transcoder};
use super::Encoding;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::{self, BufRead, Cursor, Read};

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
    Warehouses = "Склады",
    Characteristics = "ХарактеристикиТовара",
    Characteristic = "ХарактеристикаТовара",
    Picture = "Картинка",
    ValueVariants = "ВариантыЗначений",
    Dictionary = "Справочник",
    ValueId = "ИдЗначения",
    PropertyValues = "ЗначенияСвойств",
    PropertyValue = "ЗначенияСвойства",
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
    PriceTypes = "ТипыЦен",
    PriceType = "ТипЦены",
    DeletionMark = "ПометкаУдаления",
    Status = "Статус",
    TaxRates = "СтавкиНалогов",
    TaxRate = "СтавкаНалога",
    Rate = "Ставка",
    Currency = "Валюта",
    Coefficient = "Коэффициент",
    // Order documents (`orders`).
    Inn = "ИНН",
    Kpp = "КПП",
    Role = "Роль",
    Basis = "Основание",
    Taxes = "Налоги",
    Tax = "Налог",
    Unit = "Единица",
    ShortName = "НаименованиеКраткое",
}

/// An element that just opened: its attributes and where it is.
pub(crate) struct Element<'a> {
    start: &'a BytesStart<'a>,
    pub position: u64,
    /// Byte offset of its `<` in the file as stored (before any transcoding), for a checkpoint.
    pub offset: u64,
    /// The qualified names of the elements it is inside, root first.
    pub open: &'a OpenNames,
}

/// The qualified names of the open elements (`p:Товары` keeps its prefix), in one buffer: a
/// checkpoint reopens them to resume a file in the middle.
#[derive(Default)]
pub(crate) struct OpenNames {
    /// Raw bytes (checked as UTF-8 only when copied out: this runs for every element).
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl OpenNames {
    fn push(&mut self, name: &[u8]) {
        self.text.extend_from_slice(name);
        self.ends.push(self.text.len());
    }

    fn pop(&mut self) {
        self.ends.pop();
        self.text.truncate(self.ends.last().copied().unwrap_or(0));
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Copies the names into `out` (one per entry), reusing its allocations.
    pub fn copy_into(&self, out: &mut Vec<String>) {
        out.truncate(self.ends.len());
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let name = &*String::from_utf8_lossy(&self.text[start..end]);
            match out.get_mut(i) {
                Some(s) => {
                    s.clear();
                    s.push_str(name);
                }
                None => out.push(name.to_owned()),
            }
            start = end;
        }
    }
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

    /// After `end`: the element is closed; `offset` (in the stored file) is just after it and
    /// `open` holds the elements still open. A place a sliced read can stop and resume at.
    fn after_end(
        &mut self,
        _path: &[Tag],
        _offset: u64,
        _open: &OpenNames,
    ) -> Result<(), Self::Error> {
        Ok(())
    }
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
    let (source, encoding, bom_len) = Source::open(input)?;
    let header = Header {
        encoding: encoding_label(encoding),
        ..Header::default()
    };
    let tracker = Tracker::new(source, bom_len as i64, encoding == Encoding::Windows1251);
    run(tracker, header, handler, 0)
}

/// Where a resumed read starts: `window` holds the file's bytes from `offset` on, `open` the
/// qualified names of the elements open there (root first), `encoding` the file's.
pub(crate) struct Resume<'a> {
    pub window: &'a [u8],
    pub offset: u64,
    pub open: &'a [String],
    pub encoding: &'a str,
}

/// Streams part of a file from a checkpoint: the open elements are reopened in front of the
/// bytes, so the parser sees a well-formed document from there on.
pub(crate) fn walk_resumed<H: Handler>(
    resume: &Resume<'_>,
    handler: &mut H,
) -> Result<Header, H::Error> {
    let mut prefix = String::new();
    for name in resume.open {
        // Names come from our own checkpoint; still, never write markup from data unchecked.
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || "<>&\"'/=".contains(c)) {
            return Err(CmlError::Xml {
                position: resume.offset,
                message: format!("bad element name in checkpoint: {name:?}"),
            }
            .into());
        }
        prefix.push('<');
        prefix.push_str(name);
        prefix.push('>');
    }
    // Error positions count bytes of the stored file (approximately, past a transcoded prefix).
    let shift = resume.offset as i64 - prefix.len() as i64;
    match resume.encoding {
        "utf-8" => {
            let header = Header {
                encoding: "utf-8",
                ..Header::default()
            };
            let tracker = Tracker::new(
                Cursor::new(prefix.as_bytes()).chain(resume.window),
                shift,
                false,
            );
            run(tracker, header, handler, shift)
        }
        "windows-1251" => {
            let header = Header {
                encoding: "windows-1251",
                ..Header::default()
            };
            // Characters of the UTF-8 prefix count as one stored byte each, like windows-1251's.
            let base = resume.offset as i64 - prefix.chars().count() as i64;
            let body = Transcoder::new(resume.window, resume.offset);
            let tracker = Tracker::new(Cursor::new(prefix.as_bytes()).chain(body), base, true);
            run(tracker, header, handler, shift)
        }
        other => Err(CmlError::Encoding {
            position: resume.offset,
            message: format!("unsupported encoding in checkpoint: {other}"),
        }
        .into()),
    }
}

/// How a checkpoint names the file's encoding.
pub(crate) fn encoding_label(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::Windows1251 => "windows-1251",
    }
}

/// The UTF-8 stream the parser reads, counting what it consumed in bytes of the stored file:
/// the same for UTF-8, one per character for windows-1251 (a single-byte encoding).
pub(crate) struct Tracker<R> {
    inner: R,
    /// UTF-8 bytes consumed.
    consumed: u64,
    /// The stored file's offset at that point.
    stored: i64,
    count_chars: bool,
}

impl<R: BufRead> Tracker<R> {
    fn new(inner: R, stored_base: i64, count_chars: bool) -> Self {
        Tracker {
            inner,
            consumed: 0,
            stored: stored_base,
            count_chars,
        }
    }

    /// The stored offset of UTF-8 position `position`, at or a little before what was consumed
    /// (the parser consumes a `<` ahead at most, one byte in either encoding).
    fn stored_offset(&self, position: u64) -> u64 {
        (self.stored - (self.consumed as i64 - position as i64)).max(0) as u64
    }
}

impl<R: BufRead> Read for Tracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracker<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if self.count_chars {
            // The buffer is still there: asking again does not read more.
            if let Ok(buf) = self.inner.fill_buf() {
                let chars = buf[..amount.min(buf.len())]
                    .iter()
                    .filter(|&&b| b & 0xC0 != 0x80)
                    .count();
                self.stored += chars as i64;
            }
        } else {
            self.stored += amount as i64;
        }
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

fn run<R: BufRead, H: Handler>(
    source: Tracker<R>,
    mut header: Header,
    handler: &mut H,
    shift: i64,
) -> Result<Header, H::Error> {
    let mut reader = Reader::from_reader(source);
    let mut buf = Vec::with_capacity(4096);
    let mut path: Vec<Tag> = Vec::with_capacity(16);
    let mut names = OpenNames::default();
    let mut text = String::new();
    // The depth of the element whose text is being collected, if any.
    let mut capture: Option<usize> = None;
    let shifted = |p: u64| (p as i64 + shift).max(0) as u64;

    loop {
        let at = reader.buffer_position();
        let position = shifted(at);
        let offset = reader.get_ref().stored_offset(at);
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| CmlError::from_xml(e, shifted(reader.error_position())))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let tag = Tag::from_local_name(start.local_name().as_ref());
                if path.is_empty() {
                    header_from_root(start, tag, position, &mut header)?;
                }
                path.push(tag);
                let element = Element {
                    start,
                    position,
                    offset,
                    open: &names,
                };
                let wants_text = handler.start(&path, &element)?;
                if matches!(event, Event::Empty(_)) {
                    handler.end(&path, "", position)?;
                    path.pop();
                    let after = reader.get_ref().stored_offset(reader.buffer_position());
                    handler.after_end(&path, after, &names)?;
                    if path.is_empty() {
                        return Ok(header);
                    }
                } else {
                    names.push(start.name().as_ref());
                    if wants_text {
                        capture = Some(path.len());
                        text.clear();
                    }
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
                names.pop();
                let after = reader.get_ref().stored_offset(reader.buffer_position());
                handler.after_end(&path, after, &names)?;
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
    let no_names = OpenNames::default();
    let element = Element {
        start,
        position,
        offset: 0,
        open: &no_names,
    };
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
