//! Accounting documents of the company's orders (invoices, УПД, УКД, others as 1C names them),
//! their files (downloads and an order's ZIP), and reconciliation acts: requested through the
//! outbox, received from 1C, and meanwhile computed by the portal as a preliminary act. A УПД may be
//! corrected (ИУПД: the highest correction is the current version) and a УКД may correct several
//! УПД (`vocab` holds the VAT rates and 1С-ЭДО states the documents carry).

pub mod acts;
pub mod api;
pub mod checksums;
pub mod docs;
pub mod rules;
pub mod sql;
pub mod vocab;
pub mod zip;

/// The kinds of accounting document 1C sends (`document.kind`), and the list's filter names.
pub const DOCUMENT_KINDS: &[&str] = &["invoice", "upd", "ukd", "other"];
