//! YooKassa played locally (API v3 under `/yookassa/v3`): payments created with Basic auth and an
//! `Idempotence-Key` (the same key gives the same payment), a receipt checked as the real API
//! checks it, the hosted checkout page with «Оплатить» and «Отменить», and the HTTP notification
//! the shop settings would name (`--yookassa-webhook`). Control routes let tests settle a payment
//! without a browser, or send a forged notification the portal must not believe.

use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use tiny_http::{Header, Method, Request, Response};

#[derive(Default)]
pub struct Shop {
    shop_id: String,
    secret_key: String,
    /// Where notifications go (the portal's notification route).
    webhook: Option<String>,
    /// This simulator's own origin, for confirmation URLs.
    pub origin: String,
    payments: Vec<Value>,
    keys: HashMap<String, String>,
    /// The notifications sent, newest last (for tests).
    notifications: Vec<Value>,
}

fn error(req: Request, status: u16, code: &str, description: &str, parameter: &str) {
    crate::http::respond(
        req,
        status,
        &json!({"type": "error", "id": format!("err-{}", chrono::Utc::now().timestamp_millis()),
            "code": code, "description": description, "parameter": parameter}),
    );
}

fn html(req: Request, status: u16, body: String) {
    let header = Header::from_bytes("content-type", "text/html; charset=utf-8").expect("header");
    let _ = req.respond(
        Response::from_string(body)
            .with_status_code(status)
            .with_header(header),
    );
}

fn redirect(req: Request, to: &str) {
    let header = Header::from_bytes("location", to).expect("header");
    let _ = req.respond(
        Response::from_string("")
            .with_status_code(303)
            .with_header(header),
    );
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Kopecks of a decimal string with at most two places.
fn kop(v: &Value) -> Option<i64> {
    shared::money::Kopecks::parse(v.as_str()?).ok().map(|k| k.0)
}

/// Why the receipt would be refused (the parameter named), if it would.
fn receipt_problem(p: &Value) -> Option<(&'static str, String)> {
    let receipt = &p["receipt"];
    let customer = &receipt["customer"];
    if customer["email"].as_str().unwrap_or("").is_empty()
        && customer["phone"].as_str().unwrap_or("").is_empty()
    {
        return Some((
            "receipt.customer",
            "Receipt needs the customer's email or phone".into(),
        ));
    }
    let items = receipt["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return Some(("receipt.items", "Receipt has no items".into()));
    }
    let mut sum = 0i64;
    for (i, it) in items.iter().enumerate() {
        let desc = it["description"].as_str().unwrap_or("");
        if desc.is_empty() || desc.chars().count() > 128 {
            return Some((
                "receipt.items.description",
                format!("Item {i}: description 1..128 characters"),
            ));
        }
        if !(1..=12).contains(&it["vat_code"].as_i64().unwrap_or(0)) {
            return Some((
                "receipt.items.vat_code",
                format!("Item {i}: vat_code 1..12"),
            ));
        }
        let qty = match &it["quantity"] {
            Value::String(s) => shared::money::Milli::parse(s).ok().map(|m| m.0),
            Value::Number(n) => n.as_f64().map(|f| (f * 1000.0).round() as i64),
            _ => None,
        };
        let (Some(q), Some(unit)) = (qty, kop(&it["amount"]["value"])) else {
            return Some((
                "receipt.items",
                format!("Item {i}: quantity and amount.value are required"),
            ));
        };
        if q <= 0 || unit <= 0 {
            return Some((
                "receipt.items",
                format!("Item {i}: quantity and amount must be positive"),
            ));
        }
        sum += (unit * q + 500) / 1000;
    }
    if Some(sum) != kop(&p["amount"]["value"]) {
        return Some((
            "receipt.items.amount",
            "The sum of the receipt items does not equal the payment amount".into(),
        ));
    }
    None
}

impl Shop {
    pub fn new(shop_id: String, secret_key: String, webhook: Option<String>) -> Shop {
        Shop {
            shop_id,
            secret_key,
            webhook,
            ..Default::default()
        }
    }

    fn authorised(&self, req: &Request) -> bool {
        let want = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", self.shop_id, self.secret_key))
        );
        !self.secret_key.is_empty()
            && crate::http::header(req, "authorization").as_deref() == Some(want.as_str())
    }

    fn find(&mut self, id: &str) -> Option<&mut Value> {
        self.payments.iter_mut().find(|p| p["id"] == id)
    }

    /// Sets the outcome on the hosted page: `succeeded` (paid, captured) or `canceled`.
    fn settle(&mut self, id: &str, succeed: bool) -> Option<Value> {
        let p = self.find(id)?;
        if p["status"] == "pending" {
            if succeed {
                p["status"] = json!("succeeded");
                p["paid"] = json!(true);
                p["captured_at"] = json!(chrono::Utc::now().to_rfc3339());
                p["income_amount"] = p["amount"].clone();
                p["payment_method"] = json!({"type": "bank_card", "id": p["id"], "saved": false,
                    "card": {"first6": "555555", "last4": "4444", "expiry_month": "12", "expiry_year": "2030", "card_type": "MasterCard"}});
            } else {
                p["status"] = json!("canceled");
                p["cancellation_details"] =
                    json!({"party": "yoo_money", "reason": "canceled_by_merchant"});
            }
        }
        Some(p.clone())
    }

    /// Posts the notification from another thread: the portal reads the payment back from this
    /// (single-threaded) server while handling it.
    fn notify(&mut self, event: &str, object: Value) {
        let note = json!({"type": "notification", "event": event, "object": object});
        self.notifications.push(note.clone());
        let Some(url) = self.webhook.clone() else {
            return;
        };
        std::thread::spawn(move || {
            for attempt in 0..3 {
                match ureq::post(&url).send_json(note.clone()) {
                    Ok(_) => return,
                    Err(e) => {
                        eprintln!("yookassa notification to {url} failed (attempt {attempt}): {e}");
                        std::thread::sleep(std::time::Duration::from_millis(500));
                    }
                }
            }
        });
    }

    /// Handles `/yookassa/...`; false if the path is not the shop's.
    pub fn handle(&mut self, req: Request, method: &Method, path: &str, body: &[u8]) -> bool {
        let Some(rest) = path.strip_prefix("/yookassa/") else {
            return false;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        match (method, parts.as_slice()) {
            (Method::Post, ["v3", "payments"]) => self.create(req, body),
            (Method::Get, ["v3", "payments", id]) => {
                if !self.authorised(&req) {
                    return {
                        error(
                            req,
                            401,
                            "invalid_credentials",
                            "Authentication by given credentials failed",
                            "Authorization",
                        );
                        true
                    };
                }
                match self.find(id).cloned() {
                    Some(p) => crate::http::respond(req, 200, &public(&p)),
                    None => error(req, 404, "not_found", "Payment not found", "payment_id"),
                }
            }
            (Method::Get, ["checkout", id]) => match self.find(id).cloned() {
                Some(p) => html(req, 200, checkout_page(&p)),
                None => html(req, 404, "<h1>Платёж не найден</h1>".into()),
            },
            (Method::Post, ["checkout", id, action @ ("pay" | "cancel")]) => {
                match self.settle(id, *action == "pay") {
                    Some(p) => {
                        let event = format!("payment.{}", p["status"].as_str().unwrap_or(""));
                        self.notify(&event, public(&p));
                        let back = p["_return_url"].as_str().unwrap_or("/").to_string();
                        redirect(req, &back);
                    }
                    None => html(req, 404, "<h1>Платёж не найден</h1>".into()),
                }
            }
            // Tests: what the buyer would do on the page, without a browser.
            (Method::Post, ["control", "payments", id, action @ ("succeed" | "cancel")]) => {
                match self.settle(id, *action == "succeed") {
                    Some(p) => {
                        let event = format!("payment.{}", p["status"].as_str().unwrap_or(""));
                        self.notify(&event, public(&p));
                        crate::http::respond(req, 200, &public(&p));
                    }
                    None => error(req, 404, "not_found", "Payment not found", "payment_id"),
                }
            }
            // Tests: a notification claiming success that the API will not confirm.
            (Method::Post, ["control", "payments", id, "forged-notification"]) => {
                match self.find(id).cloned() {
                    Some(mut p) => {
                        p["status"] = json!("succeeded");
                        p["paid"] = json!(true);
                        self.notify("payment.succeeded", public(&p));
                        crate::http::respond(req, 200, &json!({"sent": true}));
                    }
                    None => error(req, 404, "not_found", "Payment not found", "payment_id"),
                }
            }
            (Method::Get, ["control", "notifications"]) => {
                crate::http::respond(req, 200, &json!(self.notifications))
            }
            _ => error(req, 404, "not_found", "Unknown path", "path"),
        }
        true
    }

    fn create(&mut self, req: Request, body: &[u8]) {
        if !self.authorised(&req) {
            return error(
                req,
                401,
                "invalid_credentials",
                "Authentication by given credentials failed",
                "Authorization",
            );
        }
        let Some(key) = crate::http::header(&req, "idempotence-key").filter(|k| !k.is_empty())
        else {
            return error(
                req,
                400,
                "invalid_request",
                "Idempotence key is required",
                "Idempotence-Key",
            );
        };
        if let Some(id) = self.keys.get(&key).cloned() {
            let p = self.find(&id).cloned().unwrap_or_default();
            return crate::http::respond(req, 200, &public(&p));
        }
        let Ok(p) = serde_json::from_slice::<Value>(body) else {
            return error(req, 400, "invalid_request", "Malformed JSON", "body");
        };
        if p["amount"]["currency"] != "RUB" || kop(&p["amount"]["value"]).is_none_or(|k| k <= 0) {
            return error(
                req,
                400,
                "invalid_request",
                "amount.value and currency RUB are required",
                "amount",
            );
        }
        let Some(return_url) = p["confirmation"]["return_url"]
            .as_str()
            .filter(|_| p["confirmation"]["type"] == "redirect")
        else {
            return error(
                req,
                400,
                "invalid_request",
                "confirmation of type redirect with return_url is required",
                "confirmation",
            );
        };
        if let Some((parameter, description)) = receipt_problem(&p) {
            return error(req, 400, "invalid_request", &description, parameter);
        }
        let id = format!(
            "{:08x}-000f-5000-a000-{:012x}",
            chrono::Utc::now().timestamp(),
            self.payments.len() + 1
        );
        let payment = json!({
            "id": id, "status": "pending", "paid": false, "amount": p["amount"],
            "confirmation": {"type": "redirect", "confirmation_url": format!("{}/yookassa/checkout/{id}", self.origin)},
            "created_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "description": p["description"], "metadata": p["metadata"], "recipient": {"account_id": self.shop_id, "gateway_id": "1"},
            "refundable": false, "test": true, "capture": p["capture"], "receipt": p["receipt"], "_return_url": return_url,
        });
        self.payments.push(payment.clone());
        self.keys.insert(key, id);
        crate::http::respond(req, 200, &public(&payment));
    }
}

/// The payment as the API shows it (without what only the simulator keeps).
fn public(p: &Value) -> Value {
    let mut p = p.clone();
    if let Some(o) = p.as_object_mut() {
        o.remove("_return_url");
        o.remove("receipt");
        o.remove("capture");
    }
    p
}

fn checkout_page(p: &Value) -> String {
    let id = escape(p["id"].as_str().unwrap_or(""));
    let amount = escape(p["amount"]["value"].as_str().unwrap_or(""));
    let description = escape(p["description"].as_str().unwrap_or(""));
    let items: String = p["receipt"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            format!(
                "<li>{} — {} × {} ₽</li>",
                escape(i["description"].as_str().unwrap_or("")),
                escape(&i["quantity"].to_string().replace('"', "")),
                escape(i["amount"]["value"].as_str().unwrap_or(""))
            )
        })
        .collect();
    let state = match p["status"].as_str() {
        Some("pending") => format!(
            "<form method=\"post\" action=\"/yookassa/checkout/{id}/pay\"><button id=\"pay\">Оплатить</button></form>\
             <form method=\"post\" action=\"/yookassa/checkout/{id}/cancel\"><button id=\"cancel\">Отменить</button></form>"
        ),
        Some(s) => format!("<p id=\"state\">Платёж уже обработан: {}</p>", escape(s)),
        None => String::new(),
    };
    format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>ЮKassa (симулятор) — оплата</title></head>\
         <body><h1>Оплата картой (тестовый магазин)</h1><p>{description}</p><p>К оплате: <b id=\"amount\">{amount} ₽</b></p>\
         <ul>{items}</ul><p>Тестовая карта 5555 5555 5555 4444</p>{state}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn receipts_must_add_up_and_name_a_contact() {
        let ok = json!({"amount": {"value": "1000.02", "currency": "RUB"}, "receipt": {"customer": {"email": "a@b.ru"},
            "items": [{"description": "A", "quantity": "2.000", "amount": {"value": "333.34", "currency": "RUB"}, "vat_code": 1},
                      {"description": "B", "quantity": "1.000", "amount": {"value": "333.34", "currency": "RUB"}, "vat_code": 4}]}});
        assert_eq!(super::receipt_problem(&ok), None);
        let mut off = ok.clone();
        off["amount"]["value"] = json!("1000.00");
        assert_eq!(
            super::receipt_problem(&off).unwrap().0,
            "receipt.items.amount"
        );
        let mut anon = ok.clone();
        anon["receipt"]["customer"] = json!({});
        assert_eq!(super::receipt_problem(&anon).unwrap().0, "receipt.customer");
    }
}
