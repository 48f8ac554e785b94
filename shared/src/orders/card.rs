//! Paying an order by card on the acquirer's hosted page, against YooKassa's API v3: the portal
//! creates the payment (with an idempotence key and the 54-ФЗ receipt), sends the buyer to its
//! `confirmation_url`, and learns the outcome from a notification it trusts only after reading
//! the payment back from the API. The paid order goes to 1C as `order.paid_by_card`.

use super::sql;
use crate::auth::Caller;
use crate::changes;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{ApiRequest, ApiResponse};
use crate::idempotency::{Effect, Key, Ran};
use crate::money::{Kopecks, Milli};
use crate::ports::{Database, DatabaseExt, HttpClient, Ports, Stmt};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

/// Longest receipt item description the acquirer accepts.
const DESCRIPTION_MAX: usize = 128;

/// The acquirer's API as configured: the shop's credentials sign every call.
struct Acquirer {
    url: String,
    auth: String,
}

fn acquirer(cfg: &crate::config::Config) -> AppResult<Acquirer> {
    match (&cfg.yookassa_shop_id, &cfg.yookassa_secret_key) {
        (Some(shop), Some(secret)) => Ok(Acquirer {
            url: cfg.yookassa_api_url.clone(),
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{shop}:{secret}"))
            ),
        }),
        _ => Err(AppError::new(
            ErrorKind::Unavailable,
            "card-unavailable",
            "Оплата картой сейчас недоступна.",
            "Card payment is not available now.",
        )),
    }
}

fn unavailable(detail: String) -> AppError {
    AppError::new(
        ErrorKind::Unavailable,
        "acquirer-unavailable",
        "Платёжный сервис не ответил. Повторите через минуту: второго списания не будет.",
        "The payment service did not answer. Try again in a minute: you will not be charged twice.",
    )
    .with_internal(detail)
}

/// YooKassa's VAT code (`vat_code`) of a line's rate in basis points; `None` for a rate it has no
/// code for. No rate is "без НДС".
pub fn vat_code(rate_bp: Option<i64>) -> Option<u8> {
    match rate_bp {
        None => Some(1),
        Some(0) => Some(2),
        Some(1000) => Some(3),
        Some(2000) => Some(4),
        Some(500) => Some(7),
        Some(700) => Some(8),
        Some(2200) => Some(11),
        _ => None,
    }
}

/// An order line as the receipt needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Line {
    pub name: String,
    pub qty_milli: i64,
    pub unit: String,
    pub amount_kop: i64,
    pub vat_rate_bp: Option<i64>,
}

/// One receipt item: `unit_kop` is the price of one unit (YooKassa's item `amount`), so the
/// item's sum is `unit_kop * quantity_milli / 1000`, always a whole number of kopecks here.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptItem {
    pub description: String,
    pub quantity_milli: i64,
    pub unit_kop: i64,
    pub vat_code: u8,
}

impl ReceiptItem {
    pub fn sum_kop(&self) -> i64 {
        self.unit_kop * self.quantity_milli / 1000
    }
}

/// `amounts` scaled to sum to `target`, the rounding kopecks going to the largest remainders.
fn share(amounts: &[i64], target: i64) -> Vec<i64> {
    let total: i64 = amounts.iter().sum();
    if total == target || total <= 0 {
        return amounts.to_vec();
    }
    let mut parts: Vec<(i64, i128, usize)> = amounts
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            let exact = a as i128 * target as i128;
            ((exact / total as i128) as i64, exact % total as i128, i)
        })
        .collect();
    let mut left = target - parts.iter().map(|p| p.0).sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    crate::sort::sort_by(&mut order, |&a, &b| {
        parts[b].1.cmp(&parts[a].1).then(a.cmp(&b))
    });
    for i in order.into_iter().cycle().take(parts.len().max(1) * 2) {
        if left <= 0 {
            break;
        }
        parts[i].0 += 1;
        left -= 1;
    }
    crate::sort::sort_by_key(&mut parts, |p| p.2);
    parts.into_iter().map(|p| p.0).collect()
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The receipt items of paying `due_kop` of an order: their sums add up to exactly `due_kop`
/// (the acquirer refuses anything else). A part payment shares `due_kop` over the lines by their
/// amounts. A whole quantity whose price does not divide evenly is split into `n - 1` units at
/// the lower price and one unit carrying the remaining kopecks; a fractional quantity (kg, m) is
/// one item of quantity 1 priced at the line's amount, the quantity named in its description.
pub fn receipt_items(lines: &[Line], due_kop: i64) -> AppResult<Vec<ReceiptItem>> {
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount_kop).collect();
    let targets = share(&amounts, due_kop);
    let mut items = Vec::new();
    for (l, t) in lines.iter().zip(targets) {
        if t <= 0 || l.qty_milli <= 0 {
            continue;
        }
        let code = vat_code(l.vat_rate_bp).ok_or_else(|| {
            AppError::new(
                ErrorKind::Unprocessable,
                "card-vat-unsupported",
                "Ставку НДС строки заказа нельзя передать в чек: оплатите заказ по счёту.",
                "A line's VAT rate cannot go on the receipt: pay the order by invoice.",
            )
        })?;
        let name = cut(l.name.trim(), DESCRIPTION_MAX);
        let item = |q: i64, u: i64, d: String| ReceiptItem {
            description: d,
            quantity_milli: q,
            unit_kop: u,
            vat_code: code,
        };
        if l.qty_milli % 1000 == 0 {
            let n = l.qty_milli / 1000;
            let unit = t / n;
            if unit * n == t {
                items.push(item(l.qty_milli, unit, name));
            } else {
                items.push(item((n - 1) * 1000, unit, name.clone()));
                items.push(item(1000, t - (n - 1) * unit, name));
            }
        } else {
            let qty = Milli(l.qty_milli).to_decimal_string();
            let qty = qty.trim_end_matches('0').trim_end_matches('.');
            let suffix = format!(" ({qty} {})", l.unit);
            let keep = DESCRIPTION_MAX.saturating_sub(suffix.chars().count());
            items.push(item(
                1000,
                t,
                format!("{}{suffix}", cut(l.name.trim(), keep)),
            ));
        }
    }
    Ok(items)
}

fn amount(kop: i64) -> Value {
    json!({"value": Kopecks(kop).to_decimal_string(), "currency": "RUB"})
}

#[derive(Debug, Deserialize)]
struct Open {
    id: String,
    provider_payment_id: Option<String>,
    idempotence_key: String,
    amount_kop: i64,
    status: String,
    confirmation_url: Option<String>,
}

fn answer(status: u16, open: &Open) -> ApiResponse {
    ApiResponse::json(
        status,
        &json!({"id": open.id, "payment_id": open.provider_payment_id, "status": open.status,
            "amount_kop": open.amount_kop, "confirmation_url": open.confirmation_url}),
    )
}

async fn open_payment<P: Ports>(p: &P, caller: &Caller, order_id: &str) -> AppResult<Option<Open>> {
    p.db()
        .first(
            Stmt::new(sql::CARD_OPEN)
                .bind(&caller.company_id)
                .bind(order_id),
        )
        .await
}

/// Other changes of the order wait while a card payment is open: the buyer may be paying the
/// very amount a change would alter (the change guard refuses the race too).
pub async fn refuse_while_open<P: Ports>(p: &P, caller: &Caller, order_id: &str) -> AppResult<()> {
    match open_payment(p, caller, order_id).await? {
        Some(_) => Err(AppError::new(
            ErrorKind::Conflict,
            "card-payment-open",
            "По заказу идёт оплата картой: дождитесь её завершения или отмены.",
            "A card payment of this order is in progress: wait until it completes or is cancelled.",
        )),
        None => Ok(()),
    }
}

/// No payment starts while a cancellation of the order is open (waiting, received, or accepted
/// with 1C's snapshot still to come); the guarded inserts refuse the race too. `answered_only`:
/// only one 1C has answered (a waiting one is refused as `change-pending` by the caller).
pub async fn refuse_while_cancelling<P: Ports>(
    p: &P,
    caller: &Caller,
    order_id: &str,
    answered_only: bool,
) -> AppResult<()> {
    if cancellation_open(p, caller, order_id, answered_only).await? {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "cancellation-open",
            "Заказ отменяется: оплата недоступна, пока 1С не ответит.",
            "The order is being cancelled: no payment until 1C answers.",
        ));
    }
    Ok(())
}

/// No change of the order goes to 1C beside a cancellation 1C has answered and not yet applied
/// (a waiting one is `change-pending`): 1C cancelled the order and would only refuse it.
pub async fn refuse_change_while_cancelling<P: Ports>(
    p: &P,
    caller: &Caller,
    order_id: &str,
) -> AppResult<()> {
    if cancellation_open(p, caller, order_id, true).await? {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "cancellation-open",
            "Заказ отменяется: изменить его нельзя, пока 1С не применит отмену.",
            "The order is being cancelled: it cannot be changed until 1C applies the cancellation.",
        ));
    }
    Ok(())
}

async fn cancellation_open<P: Ports>(
    p: &P,
    caller: &Caller,
    order_id: &str,
    answered_only: bool,
) -> AppResult<bool> {
    let open: Option<serde_json::Value> = p
        .db()
        .first(
            Stmt::new(sql::CANCELLATION_OPEN)
                .bind(order_id)
                .bind(&caller.company_id)
                .bind(answered_only as i64),
        )
        .await?;
    Ok(open.is_some())
}

fn refusal(r: super::rules::CardRefusal) -> AppError {
    use super::rules::CardRefusal;
    match r {
        CardRefusal::NotPayable => AppError::new(
            ErrorKind::Conflict,
            "not-payable",
            "Картой оплачивается только неоплаченный, не отгруженный и не отменённый заказ.",
            "Only an unpaid, unshipped, not cancelled order can be paid by card.",
        ),
        CardRefusal::OtherMethod => AppError::new(
            ErrorKind::Conflict,
            "card-other-method",
            "Заказ оплачивается в кредит или с внутреннего счёта: сначала выберите оплату по счёту.",
            "The order is on credit or paid from the account: switch it to invoice first.",
        ),
        CardRefusal::NothingDue => AppError::new(
            ErrorKind::Conflict,
            "nothing-due",
            "По заказу нечего оплачивать.",
            "Nothing is due on this order.",
        ),
    }
}

/// `POST /api/orders/orders/{id}/card-payments`: the buyer is sent to the acquirer's page. A
/// second click (or a retried request) while a payment is open gets that payment, never a
/// second one; a create the acquirer did not answer is asked again with the same key. The
/// client's `Idempotency-Key` is stored with the payment's answer: one key, one payment.
pub async fn create<P: Ports>(
    p: &P,
    caller: &Caller,
    id: &str,
    key: &Key,
) -> AppResult<ApiResponse> {
    let acq = acquirer(p.config())?;
    let o = super::list::order(p, caller, id).await?;
    let due = super::rules::card_payable(&o.status, &o.payment_method, o.total_kop, o.paid_kop)
        .map_err(refusal)?;
    if let Some(open) = open_payment(p, caller, id).await? {
        if open.status == "pending" {
            return opened(p, key, &open, answer(200, &open), vec![]).await;
        }
        return send(p, &acq, caller, &o, open, key).await;
    }
    let now = p.now();
    let row_id = crate::ids::new_id("card");
    let written = p
        .db()
        .exec(
            Stmt::new(sql::CARD_INSERT)
                .bind(&row_id)
                .bind(&caller.company_id)
                .bind(id)
                .bind(crate::ids::new_id("idk"))
                .bind(due)
                .bind(&caller.user_id)
                .bind(now),
        )
        .await?;
    let open = open_payment(p, caller, id).await?;
    match open {
        // Another request opened it at the same moment: that one answers for both.
        Some(open) if open.id != row_id && open.status == "pending" => {
            opened(p, key, &open, answer(200, &open), vec![]).await
        }
        Some(open) => send(p, &acq, caller, &o, open, key).await,
        None if written == 0 => Err(not_opened(p, caller, id, due).await),
        None => Err(AppError::internal("card payment row vanished")),
    }
}

/// Why the guarded insert opened nothing: a payment from the internal account waits, the order
/// changed meanwhile (paid, or a new total), or another change of it waits for 1C.
async fn not_opened<P: Ports>(p: &P, caller: &Caller, id: &str, due: i64) -> AppError {
    let hold: AppResult<Option<serde_json::Value>> = p
        .db()
        .first(
            Stmt::new(crate::finance::sql::HOLD_OPEN_OF_ORDER)
                .bind(id)
                .bind(&caller.company_id),
        )
        .await;
    match hold {
        Err(e) => return e,
        Ok(Some(_)) => {
            return AppError::payment_pending(
                "Оплата этого заказа с внутреннего счёта уже ждёт подтверждения 1С.",
                "A payment of this order from the internal account already waits for 1C.",
            )
        }
        Ok(None) => {}
    }
    match super::list::order(p, caller, id).await {
        Err(e) => e,
        Ok(o) => {
            match super::rules::card_payable(&o.status, &o.payment_method, o.total_kop, o.paid_kop)
            {
                Err(r) => refusal(r),
                Ok(now_due) if now_due != due => super::change::stale(&o),
                Ok(_) => match refuse_while_cancelling(p, caller, id, true).await {
                    Err(e) => e,
                    Ok(()) => super::change::pending(),
                },
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct ApiAmount {
    value: String,
    currency: String,
}

#[derive(Debug, Deserialize)]
struct ApiPayment {
    id: String,
    status: String,
    #[serde(default)]
    paid: bool,
    amount: ApiAmount,
    confirmation: Option<Value>,
    cancellation_details: Option<Value>,
}

/// Asks the acquirer for the payment of an open row (with the row's idempotence key).
async fn send<P: Ports>(
    p: &P,
    acq: &Acquirer,
    caller: &Caller,
    o: &super::list::OrderRow,
    open: Open,
    key: &Key,
) -> AppResult<ApiResponse> {
    let co = caller.company_id.as_str();
    let mut read = p
        .db()
        .batch(vec![
            Stmt::new(sql::LINES).bind(&o.id).bind(co),
            Stmt::new(sql::USER_CONTACT).bind(&caller.user_id).bind(co),
        ])
        .await?
        .into_iter();
    let lines: Vec<Line> = read
        .next()
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or_default();
    #[derive(Deserialize)]
    struct Contact {
        email: String,
    }
    let contact: Contact = read
        .next()
        .map(|r| r.parse())
        .transpose()?
        .and_then(|v: Vec<Contact>| v.into_iter().next())
        .ok_or_else(AppError::not_found)?;
    let items: Vec<Value> = receipt_items(&lines, open.amount_kop)?
        .into_iter()
        .map(|i| {
            json!({"description": i.description, "quantity": Milli(i.quantity_milli).to_decimal_string(),
                "amount": amount(i.unit_kop), "vat_code": i.vat_code,
                "payment_mode": "full_payment", "payment_subject": "commodity"})
        })
        .collect();
    let number = o.onec_number.as_deref().unwrap_or(&o.number);
    let body = json!({
        "amount": amount(open.amount_kop),
        "capture": true,
        "confirmation": {"type": "redirect", "return_url": format!("{}/#/orders/{}?card=return", p.config().public_url, o.id)},
        "description": cut(&format!("Оплата заказа № {number}"), 128),
        "metadata": {"order_id": o.id, "company_id": caller.company_id, "card_payment_id": open.id},
        "receipt": {"customer": {"email": contact.email}, "items": items},
    });
    let headers = vec![
        ("authorization".to_string(), acq.auth.clone()),
        ("content-type".to_string(), "application/json".to_string()),
        ("idempotence-key".to_string(), open.idempotence_key.clone()),
    ];
    let reply = p
        .http()
        .post_json(
            &format!("{}/payments", acq.url),
            &headers,
            serde_json::to_vec(&body)?,
        )
        .await
        .map_err(|e| unavailable(format!("create payment: {e:?}")))?;
    let now = p.now();
    if reply.status >= 500 || reply.status == 429 {
        return Err(unavailable(format!(
            "create payment: HTTP {}",
            reply.status
        )));
    }
    if reply.status != 200 {
        // The acquirer refused the request itself: the row closes so a later try starts anew.
        let why = String::from_utf8_lossy(&reply.body).into_owned();
        p.db()
            .exec(
                Stmt::new(sql::CARD_CANCELED)
                    .bind(cut(&why, 500))
                    .bind(now)
                    .bind(&open.id),
            )
            .await?;
        return Err(AppError::new(
            ErrorKind::Unprocessable,
            "card-payment-refused",
            "Платёжный сервис отклонил платёж. Оплатите заказ по счёту или обратитесь к менеджеру.",
            "The payment service refused the payment. Pay by invoice or contact your manager.",
        )
        .with_internal(format!("HTTP {}: {why}", reply.status)));
    }
    let paid: ApiPayment = serde_json::from_slice(&reply.body)
        .map_err(|e| unavailable(format!("create payment answer: {e}")))?;
    let url = paid
        .confirmation
        .as_ref()
        .and_then(|c| c["confirmation_url"].as_str())
        .map(str::to_string);
    let created_stmt = Stmt::new(sql::CARD_CREATED)
        .bind(&paid.id)
        .bind(url.clone())
        .bind(now)
        .bind(&open.id);
    let created = Open {
        provider_payment_id: Some(paid.id),
        confirmation_url: url,
        status: "pending".into(),
        ..open
    };
    opened(p, key, &created, answer(201, &created), vec![created_stmt]).await
}

/// Answers an open payment, storing the answer under the client's key (with `stmts`, the
/// payment's own update) once the payment is pending; a duplicate that stored first answers.
async fn opened<P: Ports>(
    p: &P,
    key: &Key,
    open: &Open,
    answer: ApiResponse,
    stmts: Vec<Stmt>,
) -> AppResult<ApiResponse> {
    let effect = Effect::condition(
        "EXISTS (SELECT 1 FROM card_payments WHERE id = ? AND status = 'pending')",
        vec![open.id.as_str().into()],
    );
    match key.batch(p, stmts, effect, &answer).await? {
        Ran::Replay(stored) => Ok(stored),
        Ran::Done(_) => Ok(answer),
    }
}

#[derive(Debug, Deserialize)]
struct Notice {
    object: NoticeObject,
}
#[derive(Debug, Deserialize)]
struct NoticeObject {
    id: String,
}
// The acquirer adds fields to its notifications as it likes; only `object.id` is read.
impl crate::body::Body for Notice {
    const FIELDS: &'static [crate::body::Field] = &[
        crate::body::Field::text("type", 100),
        crate::body::Field::text("event", 100),
        crate::body::Field::object("object", &[crate::body::Field::text("id", crate::body::ID)]),
    ];
    const TOLERANT: bool = true;
}

#[derive(Debug, Deserialize)]
struct Known {
    id: String,
    company_id: String,
    order_id: String,
    amount_kop: i64,
    status: String,
    created_by: Option<String>,
    order_onec_id: String,
    version: i64,
    order_status: String,
    paid_kop: i64,
    company_onec_id: String,
}

fn ack(outcome: &str) -> ApiResponse {
    ApiResponse::json(200, &json!({"status": outcome}))
}

/// `POST /api/orders/card-notifications`: the acquirer says a payment changed. Nothing in the body
/// is believed: the payment is read back from the API with the shop's credentials, and only
/// what the API says counts. (YooKassa also publishes the addresses it notifies from; checking
/// them needs the edge's client IP of the real service, so it is not done here, and the re-read
/// alone is sufficient.) Processed and ignored notifications answer 200 so the acquirer stops
/// retrying; a failed re-read answers 503 so it tries again.
pub async fn notification<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let acq = acquirer(p.config())?;
    let notice: Notice = req.json()?;
    let Some(known) = p
        .db()
        .first::<Known>(Stmt::new(sql::CARD_BY_PROVIDER).bind(&notice.object.id))
        .await?
    else {
        return Ok(ack("unknown"));
    };
    if known.status == "succeeded" || known.status == "canceled" {
        return Ok(ack("already-processed"));
    }
    let reply = p
        .http()
        .get(
            &format!("{}/payments/{}", acq.url, notice.object.id),
            &[("authorization".to_string(), acq.auth.clone())],
        )
        .await
        .map_err(|e| unavailable(format!("read payment: {e:?}")))?;
    if reply.status != 200 {
        return Err(unavailable(format!("read payment: HTTP {}", reply.status)));
    }
    let paid: ApiPayment = serde_json::from_slice(&reply.body)
        .map_err(|e| unavailable(format!("read payment answer: {e}")))?;
    let now = p.now();
    match paid.status.as_str() {
        "succeeded" if paid.paid => {
            let amount_ok = paid.amount.currency == "RUB"
                && Kopecks::parse(&paid.amount.value).map(|k| k.0) == Ok(known.amount_kop);
            if !amount_ok || paid.id != notice.object.id {
                let mut r = ack("ignored");
                r.log.error = Some(format!(
                    "card payment {}: the API's amount {} {} is not ours ({} kop)",
                    known.id, paid.amount.value, paid.amount.currency, known.amount_kop
                ));
                return Ok(r);
            }
            succeeded(p, &known, &paid.id, now).await?;
            Ok(ack("succeeded"))
        }
        "canceled" => {
            let reason = paid
                .cancellation_details
                .as_ref()
                .and_then(|d| d["reason"].as_str())
                .unwrap_or("canceled")
                .to_string();
            p.db()
                .exec(
                    Stmt::new(sql::CARD_CANCELED)
                        .bind(reason)
                        .bind(now)
                        .bind(&known.id),
                )
                .await?;
            Ok(ack("canceled"))
        }
        // Still pending (or a forged notice): nothing happened yet.
        _ => Ok(ack("ignored")),
    }
}

/// One batch: the payment succeeds once, the order is paid, the audit row and the change to 1C.
/// A repeated notification finds the payment succeeded and writes nothing.
async fn succeeded<P: Ports>(
    p: &P,
    known: &Known,
    provider_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let change_id = crate::ids::new_id("out");
    let amount = changes::wire::amount(Kopecks(known.amount_kop));
    let change = changes::NewChange {
        company_id: &known.company_id,
        user_id: known.created_by.as_deref(),
        kind: changes::ChangeKind::OrderPaidByCard,
        entity_type: "order",
        portal_id: &known.order_id,
        onec_entity_id: &known.order_onec_id,
        base_version: known.version,
        payload: json!({"company_id": known.company_onec_id, "order_id": known.order_onec_id,
            "amount": amount, "paid_at": crate::time::to_1c(now), "transaction_id": provider_id,
            "payment_method": "card"}),
        before: json!({"status": known.order_status, "paid_kop": known.paid_kop}),
    };
    let guard = (
        sql::CARD_SUCCEEDED_GUARD,
        vec![known.id.as_str().into(), change_id.as_str().into()],
    );
    let (_, out) = changes::record_with_id(&change, &change_id, now, Some(guard));
    let stmts = vec![
        Stmt::new(sql::CARD_SUCCEEDED)
            .bind(&change_id)
            .bind(now)
            .bind(now)
            .bind(&known.id),
        out,
        Stmt::new(sql::ORDER_PAID_BY_CARD)
            .bind(known.amount_kop)
            .bind(now)
            .bind(&known.order_id)
            .bind(&known.company_id)
            .bind(&known.id)
            .bind(&change_id),
        // Written only with its change to 1C.
        crate::audit_log::record(
            &crate::audit_log::Entry {
                id: &change_id,
                company_id: &known.company_id,
                user_id: known.created_by.as_deref(),
                kind: "order.paid_by_card",
                entity_type: "order",
                entity_id: &known.order_id,
                before: json!({"paid_kop": known.paid_kop, "status": known.order_status}),
                after: json!({"paid_kop": known.paid_kop + known.amount_kop, "payment_method": "card", "transaction_id": provider_id}),
            },
            now,
            ("EXISTS (SELECT 1 FROM outbox WHERE id = ?)", vec![crate::ports::SqlValue::from(change_id.as_str())]),
        ),
        changes::mark_order_changed_stmt(&known.order_id),
    ];
    let results = p.db().batch(stmts).await?;
    if results.first().map(|r| r.changes).unwrap_or(0) > 0 {
        changes::wake(p, &change_id).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(qty_milli: i64, amount_kop: i64, vat: Option<i64>) -> Line {
        Line {
            name: "Подшипник 6205".into(),
            qty_milli,
            unit: "кг".into(),
            amount_kop,
            vat_rate_bp: vat,
        }
    }

    fn total(items: &[ReceiptItem]) -> i64 {
        items.iter().map(ReceiptItem::sum_kop).sum()
    }

    #[test]
    fn receipt_items_add_up_to_the_payment_exactly() {
        let lines = [
            line(3000, 1000, Some(2000)),
            line(2500, 777, None),
            line(2000, 500, Some(2200)),
        ];
        let items = receipt_items(&lines, 2277).unwrap();
        assert_eq!(total(&items), 2277);
        // 10.00 for 3 units: 2 at 3.33 and 1 at 3.34.
        assert_eq!((items[0].quantity_milli, items[0].unit_kop), (2000, 333));
        assert_eq!((items[1].quantity_milli, items[1].unit_kop), (1000, 334));
        assert_eq!(items[0].vat_code, 4);
        // 2.5 kg: one item priced at the line, the quantity in the description.
        assert_eq!((items[2].quantity_milli, items[2].unit_kop), (1000, 777));
        assert!(items[2].description.ends_with("(2.5 кг)"));
        assert_eq!(items[2].vat_code, 1);
        assert_eq!(
            (
                items[3].quantity_milli,
                items[3].unit_kop,
                items[3].vat_code
            ),
            (2000, 250, 11)
        );
        // A part payment is shared over the lines and still adds up.
        for due in [1, 100, 1001, 2276] {
            assert_eq!(total(&receipt_items(&lines, due).unwrap()), due, "{due}");
        }
    }

    #[test]
    fn descriptions_fit_and_unknown_vat_is_refused() {
        let mut l = line(1500, 100, Some(2000));
        l.name = "Ш".repeat(300);
        let items = receipt_items(&[l], 100).unwrap();
        assert!(items[0].description.chars().count() <= DESCRIPTION_MAX);
        assert!(receipt_items(&[line(1000, 100, Some(1800))], 100).is_err());
        assert_eq!(share(&[1, 1, 1], 2), vec![1, 1, 0]);
    }
}
