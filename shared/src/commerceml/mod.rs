//! CommerceML, the XML 1C exchanges catalogs, prices, stock and orders in: a streaming reader.
//!
//! Files are read event by event ([`quick_xml`]), so memory does not grow with the file: only
//! the path of open elements and the item being built are kept. What real exchange files do and
//! this reader copes with:
//! - namespaces differ (none, `urn:1C.ru:commerceml_2`, `_210`, `_3`): elements are matched by
//!   local name only;
//! - UTF-8 with or without a BOM, or windows-1251 named in the XML declaration (transcoded on
//!   the fly, see `source`);
//! - CRLF and values padded with spaces (`Номер1С>L320       <`): every value is trimmed,
//!   ids like `guid#guid` or `1#admin# admin ` are otherwise kept as written;
//! - amounts as `23 000,50` or `1320` ([`Kopecks::parse`]), empty dates `T`
//!   ([`parse_1c_datetime`](crate::time::parse_1c_datetime));
//! - orders at the root (2.x) or each inside `Контейнер` (3.x).
//!
//! [`inspect`] summarises any file; [`for_each_product`] and [`for_each_offer`] hand out the
//! goods one at a time for an import; [`products_slice`] and [`offers_slice`] do the same a
//! window of bytes at a time, resumable from a [`Checkpoint`] (imports in a queue consumer).

pub mod cp1251;
mod error;
mod goods;
mod inspect;
pub mod names;
mod orders;
mod slice;
mod source;
mod walk;
mod write;

pub use error::CmlError;
pub use goods::{
    currency_code, for_each_offer, for_each_product, okei_name, vat_bp, Header, Offer, Product,
};
pub use inspect::{inspect, Catalogue, Counts, DocumentSummary, Summary, WarehouseReport, LISTED};
pub use slice::{offers_slice, products_slice, Checkpoint, Slice};
pub use orders::{read_documents, Document, DocumentKind, Line, OrderFile, Party};
pub use write::{
    write_orders, write_orders_version, Agreement, Counterparty, Encoding, OrderDoc, Version,
};

use crate::money::{Kopecks, Milli};
use walk::Tag;

/// `None` for an empty (or all-space) value, else the trimmed value.
fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// An amount in rubles as 1C writes it; empty is `None`.
fn kopecks(text: &str, tag: Tag, position: u64) -> Result<Option<Kopecks>, CmlError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Kopecks::parse(text)
        .map(Some)
        .map_err(|e| invalid(tag, text, position, format!("not an amount ({e:?})")))
}

/// A quantity as 1C writes it; empty is `None`.
fn milli(text: &str, tag: Tag, position: u64) -> Result<Option<Milli>, CmlError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Milli::parse(text)
        .map(Some)
        .map_err(|e| invalid(tag, text, position, format!("not a quantity ({e:?})")))
}

fn invalid(tag: Tag, value: &str, position: u64, reason: String) -> CmlError {
    CmlError::InvalidValue {
        position,
        element: tag.name(),
        value: value.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests;
