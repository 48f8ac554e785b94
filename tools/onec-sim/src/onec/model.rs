//! What the simulated 1C holds: the last snapshot it sent of every entity (its "registers"),
//! keyed by message type and 1C id, with the entity's `seq`. Fed by the demo data and by what
//! tests record as 1C's own (`/control/model`); changed by the portal's changes it accepts and by
//! its managers. Everything 1C computes (credit positions, acts, refunds) is computed from it.

use crate::data::FileSpec;
use serde_json::{json, Value};
use shared::money::{Kopecks, Milli};
use std::collections::{BTreeMap, HashMap};

/// One entity as 1C last sent it.
#[derive(Clone, Debug)]
pub struct Snap {
    pub seq: i64,
    pub payload: Value,
}

/// What 1C sends after a decision: files first, then one batch of messages.
#[derive(Default, Debug)]
pub struct Out {
    pub files: Vec<FileSpec>,
    pub messages: Vec<Value>,
}

impl Out {
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
    pub fn extend(&mut self, other: Out) {
        self.files.extend(other.files);
        self.messages.extend(other.messages);
    }
}

#[derive(Default)]
pub struct Model {
    /// type -> 1C id -> snapshot.
    reg: HashMap<String, BTreeMap<String, Snap>>,
    /// A counter for numbers 1C gives new documents (ЗК-, РН-, ВЗ-, АС-).
    counter: u64,
}

/// Kopecks of a 1C amount (a JSON number or a decimal string); 0 when absent.
pub fn kop(v: &Value) -> i64 {
    match v {
        Value::Number(n) => Kopecks::parse(&n.to_string()).map(|k| k.0).unwrap_or(0),
        Value::String(s) => Kopecks::parse(s).map(|k| k.0).unwrap_or(0),
        _ => 0,
    }
}

/// Thousandths of a 1C quantity (a JSON number or a decimal string).
pub fn milli(v: &Value) -> i64 {
    match v {
        Value::Number(n) => Milli::parse(&n.to_string()).map(|m| m.0).unwrap_or(0),
        Value::String(s) => Milli::parse(s.trim()).map(|m| m.0).unwrap_or(0),
        _ => 0,
    }
}

/// The VAT included in an amount at `rate` percent, rounded to kopecks (signed).
pub fn included_vat(amount: i64, rate: i64) -> i64 {
    let a = amount.abs();
    let v = (a * rate + (100 + rate) / 2) / (100 + rate);
    if amount < 0 {
        -v
    } else {
        v
    }
}

/// Now, as 1C writes a moment (Moscow time without a zone).
pub fn now_1c() -> String {
    shared::time::to_1c(chrono::Utc::now())
}

impl Model {
    /// Records messages 1C has sent (a snapshot with a lower seq than the one held is ignored).
    pub fn record(&mut self, messages: &[Value]) -> usize {
        let mut n = 0;
        for m in messages {
            let (Some(kind), Some(entity)) = (m["type"].as_str(), m["entity_id"].as_str()) else {
                continue;
            };
            let seq = m["seq"].as_i64().unwrap_or(1);
            let slot = self.reg.entry(kind.to_string()).or_default();
            if slot.get(entity).is_some_and(|s| s.seq > seq) {
                continue;
            }
            slot.insert(
                entity.to_string(),
                Snap {
                    seq,
                    payload: m["payload"].clone(),
                },
            );
            n += 1;
        }
        n
    }

    pub fn get(&self, kind: &str, entity: &str) -> Option<&Snap> {
        self.reg.get(kind)?.get(entity)
    }

    pub fn payload(&self, kind: &str, entity: &str) -> Option<Value> {
        self.get(kind, entity).map(|s| s.payload.clone())
    }

    /// Every entity of a type whose payload's `field` equals `value`.
    pub fn all_where(&self, kind: &str, field: &str, value: &str) -> Vec<(String, Value)> {
        self.reg
            .get(kind)
            .into_iter()
            .flatten()
            .filter(|(_, s)| s.payload[field] == value)
            .map(|(id, s)| (id.clone(), s.payload.clone()))
            .collect()
    }

    /// Every snapshot 1C holds of one company, of the given types in that order (the company
    /// itself for `company`; for the other types, those whose payload names the company), as the
    /// messages that resend them with their current `seq` (nothing is renumbered: the portal
    /// applies what it lacks and ignores what it holds). `tag` makes the message ids new, so an
    /// inbox that still remembers the first sending takes them.
    pub fn resend_company(&self, company: &str, types: &[String], tag: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for kind in types {
            let Some(reg) = self.reg.get(kind.as_str()) else {
                continue;
            };
            for (id, snap) in reg {
                let owned = if kind == "company" {
                    id == company
                } else {
                    snap.payload["company_id"] == company
                };
                if owned {
                    out.push(resend_message(kind, id, snap, tag));
                }
            }
        }
        out
    }

    /// 1C's manifest of one type: every id it holds with its `seq` (of one company when given).
    pub fn manifest(&self, kind: &str, company: Option<&str>) -> Vec<Value> {
        self.reg
            .get(kind)
            .into_iter()
            .flatten()
            .filter(|(id, s)| match company {
                None => true,
                Some(c) if kind == "company" => id.as_str() == c,
                Some(c) => s.payload["company_id"] == c,
            })
            .map(|(id, s)| json!({"id": id, "seq": s.seq}))
            .collect()
    }

    /// The messages that resend these ids of one type as 1C holds them.
    pub fn resend_ids(&self, kind: &str, ids: &[String], tag: &str) -> Vec<Value> {
        ids.iter()
            .filter_map(|id| {
                self.get(kind, id)
                    .map(|snap| resend_message(kind, id, snap, tag))
            })
            .collect()
    }

    /// The (first) company whose snapshot lists an agreement.
    pub fn company_of_agreement(&self, agreement: &str) -> Option<String> {
        self.reg.get("company")?.iter().find_map(|(id, c)| {
            c.payload["agreements"]
                .as_array()?
                .iter()
                .any(|a| a["id"] == agreement)
                .then(|| id.clone())
        })
    }

    pub fn knows_company(&self, company: &str) -> bool {
        self.get("company", company).is_some()
    }

    /// A new number for a document 1C creates.
    pub fn number(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-SIM{:05}", self.counter)
    }

    /// The message of a new version of an entity: seq above the last one, and above the clock in
    /// seconds, so a simulator restarted on the same portal still sends newer versions.
    pub fn put(&mut self, kind: &str, entity: &str, payload: Value) -> Value {
        let last = self.get(kind, entity).map_or(0, |s| s.seq);
        let seq = (last + 1).max(chrono::Utc::now().timestamp());
        self.reg.entry(kind.to_string()).or_default().insert(
            entity.to_string(),
            Snap {
                seq,
                payload: payload.clone(),
            },
        );
        let safe = entity.replace('/', "--");
        json!({"id": format!("sim-{kind}-{safe}-{seq}"), "type": kind, "entity_id": entity, "seq": seq, "payload": payload})
    }

    /// An order's lines rewritten in 1C's form with exact amounts, and its totals.
    pub fn set_lines(order: &mut Value, lines: Vec<(Value, i64, i64, i64)>) {
        // (line template, quantity milli, price kop, vat rate)
        let mut total = 0;
        let mut vat_total = 0;
        let out: Vec<Value> = lines
            .into_iter()
            .enumerate()
            .map(|(i, (mut l, q, price, rate))| {
                let amount = (q * price + 500) / 1000;
                let vat = included_vat(amount, rate);
                total += amount;
                vat_total += vat;
                l["line_no"] = json!(i + 1);
                l["quantity"] = crate::data::quantity(q);
                l["price"] = crate::data::rubles(price);
                l["amount"] = crate::data::rubles(amount);
                l["vat_rate"] = json!(rate);
                l["vat"] = crate::data::rubles(vat);
                l
            })
            .collect();
        order["lines"] = json!(out);
        order["total"] = crate::data::rubles(total);
        order["vat_total"] = crate::data::rubles(vat_total);
    }

    /// Whether an agreement is typical (УТ 11's типовое соглашение, shared by many companies).
    pub fn is_typical(&self, agreement: &str) -> bool {
        self.reg.get("company").is_some_and(|r| {
            r.values().any(|c| {
                c.payload["agreements"].as_array().is_some_and(|a| {
                    a.iter()
                        .any(|a| a["id"] == agreement && a["kind"] == "typical")
                })
            })
        })
    }

    /// What 1C numbers a company's credit state under an agreement by: the agreement, or for a
    /// typical one (each company's position its own) `<agreement>/<company>`.
    pub fn credit_key(&self, company: &str, agreement: &str) -> String {
        if self.is_typical(agreement) {
            format!("{agreement}/{company}")
        } else {
            agreement.to_string()
        }
    }

    /// The credit position of a company under an agreement as 1C recomputes it: limit, debt,
    /// block as it last sent them; the reserve from the credit orders not shipped, paid or
    /// cancelled.
    pub fn credit_state(&mut self, company: &str, agreement: &str) -> Option<Value> {
        let key = self.credit_key(company, agreement);
        let mut state = match self.payload("credit_state", &key) {
            Some(s) => s,
            None => {
                let c = self.payload("company", company)?;
                let limit = c["agreements"]
                    .as_array()?
                    .iter()
                    .find(|a| a["id"] == agreement)?["credit_limit"]
                    .clone();
                json!({"company_id": company, "agreement_id": agreement, "limit": limit, "debt": 0, "overdue_debt": 0,
                       "blocked": false, "amount_to_pay": 0})
            }
        };
        let mut reserve = 0;
        let mut ids = Vec::new();
        for (id, o) in self.all_where("order", "agreement_id", agreement) {
            let open = matches!(
                o["status"].as_str(),
                Some("reserved" | "awaiting_payment" | "draft")
            );
            let due = kop(&o["total"]) - kop(&o["paid"]);
            if o["company_id"] == company && o["payment_method"] == "credit" && open && due > 0 {
                reserve += due;
                ids.push(id);
            }
        }
        state["reserve"] = crate::data::rubles(reserve);
        state["reserve_orders"] = json!(ids);
        state["as_of"] = json!(now_1c());
        Some(self.put("credit_state", &key, state))
    }

    /// The credit state message of an order's agreement, when the order is or was on credit.
    pub fn credit_of(&mut self, order: &Value, was_credit: bool) -> Option<Value> {
        if order["payment_method"] != "credit" && !was_credit {
            return None;
        }
        let agreement = order["agreement_id"].as_str()?.to_string();
        let company = order["company_id"].as_str()?.to_string();
        self.credit_state(&company, &agreement)
    }

    /// Debt of a company under an agreement moved by `delta` kopecks (a shipment on credit +, a
    /// payment -).
    pub fn move_debt(&mut self, company: &str, agreement: &str, delta: i64) {
        let key = self.credit_key(company, agreement);
        if let Some(s) = self
            .reg
            .get_mut("credit_state")
            .and_then(|r| r.get_mut(&key))
        {
            let debt = (kop(&s.payload["debt"]) + delta).max(0);
            s.payload["debt"] = crate::data::rubles(debt);
        }
    }

    /// A file 1C uploads with the message that names it.
    pub fn pdf(key: String, name: String, title: &str, lines: &[String]) -> (FileSpec, Value) {
        let bytes = crate::data::pdf::document(title, lines);
        let entry = json!({"key": key, "name": name, "content_type": "application/pdf", "size": bytes.len(), "role": "print"});
        (
            FileSpec {
                key,
                content_type: "application/pdf",
                bytes,
            },
            entry,
        )
    }

    /// The product of an order line (its name, article, unit, VAT) as 1C holds it.
    pub fn product_line(&self, product: &str) -> Value {
        let p = self.payload("product", product).unwrap_or(Value::Null);
        json!({"product_id": product, "article": p["article"].as_str().unwrap_or(product), "name": p["name"].as_str().unwrap_or(product),
               "unit": p["unit"].as_str().unwrap_or("шт")})
    }

    /// The price of a product at a price type, kopecks.
    pub fn price(&self, product: &str, price_type: Option<&str>) -> Option<i64> {
        let p = self.payload("product", product)?;
        let prices = p["prices"].as_array()?.clone();
        prices
            .iter()
            .find(|x| Some(x["price_type"]["id"].as_str().unwrap_or("")) == price_type)
            .or(prices.first())
            .map(|x| kop(&x["price"]))
    }

    /// The price type of an agreement.
    pub fn price_type(&self, agreement: &str) -> Option<String> {
        self.reg.get("company")?.values().find_map(|c| {
            c.payload["agreements"]
                .as_array()?
                .iter()
                .find(|a| a["id"] == agreement)
                .and_then(|a| a["price_type"]["id"].as_str().map(str::to_string))
        })
    }

    /// The first (legal entity, agreement) of a company.
    pub fn first_agreement(&self, company: &str) -> Option<(String, String)> {
        let c = self.payload("company", company)?;
        // An agreement with its legal entity (a typical one may have none).
        let a = c["agreements"]
            .as_array()?
            .iter()
            .find(|a| a["legal_entity_id"].is_string())?
            .clone();
        Some((
            a["legal_entity_id"].as_str()?.to_string(),
            a["id"].as_str()?.to_string(),
        ))
    }
}

/// A snapshot sent again as it is held, under a new message id (at most 100 characters).
fn resend_message(kind: &str, id: &str, snap: &Snap, tag: &str) -> Value {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (tag, kind, id, snap.seq).hash(&mut h);
    let mut payload = snap.payload.clone();
    // The changes it once resulted from are long settled.
    if let Some(o) = payload.as_object_mut() {
        o.remove("change_ids");
    }
    json!({"id": format!("sim-resend-{:016x}", h.finish()), "type": kind, "entity_id": id, "seq": snap.seq, "payload": payload})
}

/// A day as 1C writes it, from a `YYYY-MM-DD...` text.
pub fn day_1c(s: &str) -> String {
    format!("{}T00:00:00", &s[..10.min(s.len())])
}
