//! `order`: an order with its lines and shipments, a full snapshot (`entity_id`: the order).
//! An order the client created in the portal (`portal_id`) is linked to 1C's id first; lines and
//! shipments are replaced by the snapshot's. It waits for its company.

use super::check::{one_of, required};
use super::Inbound;
use crate::error::FieldError;
use crate::exchange::apply::{Apply, Hold, Needs};
use crate::exchange::contract::{RawMessage, Valid};
use crate::money::line_amount;
use crate::orders::methods::{DELIVERY_METHODS, PAYMENT_METHODS};
use crate::orders::status::ORDER_STATUSES;
use crate::exchange::ownership::{Kind, References};
use crate::exchange::sql;
use crate::money::{kopecks_from_1c, milli_from_1c, Kopecks, Milli};
use crate::ports::{Ports, Stmt};
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Deserialize)]
pub struct OrderLineIn {
    pub line_no: u32,
    pub product_id: Option<String>,
    pub article: String,
    pub name: String,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
    pub unit: String,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub price: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub amount: Kopecks,
    pub vat_rate: Option<u32>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub vat: Kopecks,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShipmentLineIn {
    pub line_no: u32,
    #[serde(deserialize_with = "milli_from_1c")]
    pub quantity: Milli,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShipmentIn {
    pub id: String,
    pub number: String,
    pub date: Option<String>,
    pub vehicle: Option<String>,
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub lines: Vec<ShipmentLineIn>,
}

/// An order with its lines and shipments: a full snapshot (`entity_id`: the order).
#[derive(Debug, Clone, Deserialize)]
pub struct OrderIn {
    pub company_id: String,
    /// The portal's id of an order a client created in the portal (sent as `order.created`).
    pub portal_id: Option<String>,
    pub legal_entity_id: Option<String>,
    pub agreement_id: Option<String>,
    /// The supplier's organisation selling (1C id); omitted: the agreement's.
    #[serde(default)]
    pub organisation_id: Option<String>,
    pub number: String,
    #[serde(deserialize_with = "crate::time::datetime_from_1c")]
    pub date: chrono::DateTime<chrono::Utc>,
    pub author_email: Option<String>,
    pub status: String,
    pub delivery_method: Option<String>,
    pub delivery_address: Option<String>,
    pub consignee_id: Option<String>,
    pub payment_method: String,
    #[serde(default, deserialize_with = "kopecks_from_1c")]
    pub paid: Kopecks,
    #[serde(default, deserialize_with = "crate::time::date_from_1c")]
    pub planned_shipping_date: Option<chrono::NaiveDate>,
    pub lines: Vec<OrderLineIn>,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub total: Kopecks,
    #[serde(deserialize_with = "kopecks_from_1c")]
    pub vat_total: Kopecks,
    #[serde(default)]
    pub shipments: Vec<ShipmentIn>,
    /// The portal changes (outbox ids) this snapshot results from: applied when it is.
    #[serde(default, deserialize_with = "super::common::list_or_null")]
    pub change_ids: Vec<String>,
}

impl Inbound for OrderIn {
    fn change_ids<'a>(&'a self, _v: &'a Valid) -> Option<(&'a str, &'a [String])> {
        Some((&self.company_id, &self.change_ids))
    }

    fn check(&self, _m: &RawMessage, errs: &mut Vec<FieldError>) {
        super::check::change_ids(errs, &self.change_ids);
        let o = self;
        required(errs, "company_id", &o.company_id, 100);
        required(errs, "number", &o.number, 50);
        if let Some(org) = &o.organisation_id {
            required(errs, "organisation_id", org, 100);
        }
        one_of(
            errs,
            "status",
            &o.status,
            ORDER_STATUSES,
            "unknown-status",
            "Неизвестный статус.",
            || format!("Unknown status {:?}.", o.status),
        );
        one_of(
            errs,
            "payment_method",
            &o.payment_method,
            PAYMENT_METHODS,
            "unknown",
            "Неизвестный способ оплаты.",
            || "Unknown payment method.".into(),
        );
        if let Some(d) = o.delivery_method.as_deref() {
            one_of(
                errs,
                "delivery_method",
                d,
                DELIVERY_METHODS,
                "unknown",
                "Неизвестный способ доставки.",
                || "Unknown delivery method.".into(),
            );
        }
        let mut line_nos = HashSet::new();
        let mut sum = 0i64;
        for (i, l) in o.lines.iter().enumerate() {
            if !line_nos.insert(l.line_no) {
                errs.push(FieldError::new(
                    format!("lines[{i}].line_no"),
                    "duplicate",
                    "Номер строки повторяется.",
                    "Duplicate line number.",
                ));
            }
            required(errs, &format!("lines[{i}].name"), &l.name, 500);
            if l.quantity.0 <= 0 || l.price.0 < 0 {
                errs.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "invalid",
                    "Количество должно быть больше нуля, цена не отрицательной.",
                    "Quantity must be positive and price not negative.",
                ));
            }
            if (l.amount.0 - line_amount(l.quantity, l.price).0).abs() > 1 {
                errs.push(FieldError::new(
                    format!("lines[{i}].amount"),
                    "amount-mismatch",
                    "Сумма строки не равна количеству на цену.",
                    "Line amount is not quantity times price.",
                ));
            }
            sum += l.amount.0;
        }
        if sum != o.total.0 {
            errs.push(FieldError::new(
                "total",
                "total-mismatch",
                "Итог не равен сумме строк.",
                format!("Total {} is not the sum of lines {}.", o.total.0, sum),
            ));
        }
        for (i, sh) in o.shipments.iter().enumerate() {
            required(errs, &format!("shipments[{i}].id"), &sh.id, 100);
            if sh.lines.iter().any(|l| !line_nos.contains(&l.line_no)) {
                errs.push(FieldError::new(
                    format!("shipments[{i}].lines"),
                    "unknown-line",
                    "Отгрузка ссылается на несуществующую строку.",
                    "Shipment refers to a line the order lacks.",
                ));
            }
        }
    }

    fn needs<'a>(&'a self, v: &'a Valid, n: &mut Needs<'a>) {
        n.company_ids.push(&self.company_id);
        n.orders_in_batch.insert(v.entity_id.clone());
    }

    fn references<'a>(&'a self, v: &'a Valid) -> Option<References<'a>> {
        let o = self;
        let mut r: Vec<(Kind, &str)> = vec![(Kind::Order, &v.entity_id)];
        r.extend(
            o.legal_entity_id
                .as_deref()
                .map(|id| (Kind::LegalEntity, id)),
        );
        r.extend(o.agreement_id.as_deref().map(|id| (Kind::Agreement, id)));
        r.extend(o.consignee_id.as_deref().map(|id| (Kind::Consignee, id)));
        Some((&o.company_id, r))
    }

    fn creates<'a>(&'a self, v: &'a Valid) -> Vec<(Kind, &'a str, &'a str)> {
        vec![(Kind::Order, &v.entity_id, &self.company_id)]
    }

    fn plan<P: Ports>(&self, a: &mut Apply<'_, P>) -> Result<(), Hold> {
        let (o, ctx, v, now) = (self, a.ctx, a.v, a.now);
        let stmts = &mut a.stmts;
        let company_id = ctx.company_or_wait(&o.company_id)?;
        let email = o.author_email.as_deref().map(crate::validate::Email::normalized);
        // An order the client created in the portal gets 1C's id before the snapshot lands.
        if let Some(portal_id) = &o.portal_id {
            stmts.push(
                Stmt::new(sql::ORDER_LINK_ONEC)
                    .bind(v.entity_id.as_str())
                    .bind(portal_id.as_str())
                    .bind(&company_id),
            );
        }
        stmts.push(
            Stmt::new(sql::ORDER_UPSERT)
                .bind(crate::ids::new_id("ord"))
                .bind(&company_id)
                .bind(v.entity_id.as_str())
                .bind(o.legal_entity_id.clone())
                .bind(o.agreement_id.clone())
                .bind(o.number.trim())
                .bind(o.date)
                .bind(email)
                .bind(o.status.as_str())
                .bind(o.delivery_method.clone())
                .bind(o.delivery_address.clone())
                .bind(o.consignee_id.clone())
                .bind(o.payment_method.as_str())
                .bind(o.paid)
                .bind(o.planned_shipping_date.map(|d| d.to_string()))
                .bind(o.total)
                .bind(o.vat_total)
                .bind(now),
        );
        let lines: Vec<serde_json::Value> = o
            .lines
            .iter()
            .map(|l| {
                serde_json::json!({"line_no": l.line_no, "product": l.product_id, "article": l.article.trim(), "name": l.name.trim(),
                    "qty": l.quantity.0, "unit": l.unit.trim(), "price": l.price.0, "amount": l.amount.0,
                    "vat_rate_bp": l.vat_rate.map(|r| r as i64 * 100), "vat": l.vat.0,
                    "search": crate::orders::line_search(&l.article, &l.name)})
            })
            .collect();
        let shipments: Vec<serde_json::Value> = o
            .shipments
            .iter()
            .map(|sh| {
                let at = sh.date.as_deref().and_then(|d| crate::time::parse_1c_datetime(d).ok().flatten()).map(crate::time::to_db);
                serde_json::json!({"id": crate::ids::new_id("shp"), "onec_id": sh.id, "number": sh.number.trim(), "at": at,
                    "vehicle": sh.vehicle, "documents": serde_json::to_string(&sh.documents).unwrap_or_default()})
            })
            .collect();
        let shipment_lines: Vec<serde_json::Value> = o
            .shipments
            .iter()
            .flat_map(|sh| sh.lines.iter().map(move |l| serde_json::json!({"shipment": sh.id, "line_no": l.line_no, "qty": l.quantity.0})))
            .collect();
        let onec = v.entity_id.as_str();
        stmts.push(
            Stmt::new(sql::ORDER_NUMBER_NORM)
                .bind(crate::validate::search_text(&o.number))
                .bind(onec),
        );
        stmts.push(
            Stmt::new(sql::ORDER_ORGANISATION)
                .bind(onec)
                .bind(o.organisation_id.clone()),
        );
        stmts.push(Stmt::new(sql::ORDER_LINES_CLEAR).bind(onec));
        stmts.push(
            Stmt::new(sql::ORDER_LINES_ADD)
                .bind(onec)
                .bind(&company_id)
                .bind(serde_json::to_string(&lines).unwrap_or_default()),
        );
        stmts.push(Stmt::new(sql::SHIPMENT_LINES_CLEAR).bind(onec));
        stmts.push(Stmt::new(sql::SHIPMENTS_CLEAR).bind(onec));
        stmts.push(
            Stmt::new(sql::SHIPMENTS_ADD)
                .bind(onec)
                .bind(&company_id)
                .bind(serde_json::to_string(&shipments).unwrap_or_default()),
        );
        stmts.push(
            Stmt::new(sql::SHIPMENT_LINES_ADD)
                .bind(&company_id)
                .bind(serde_json::to_string(&shipment_lines).unwrap_or_default()),
        );
        Ok(())
    }
}
