//! The demo data set, generated deterministically (same seed, same data, same message ids, so a
//! second load is all duplicates). Written the way 1C writes JSON: amounts as decimal numbers in
//! rubles, dates in Moscow time without a zone.

use serde_json::{json, Value};

pub mod acts;
pub mod common;
pub mod documents;
pub mod ledger;
pub mod orders;
pub mod pdf;
pub mod reference;

/// The password every demo user gets (printed by `seed`).
pub const DEMO_PASSWORD: &str = "Demo-2026-pass";

/// splitmix64: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A 10-digit ИНН with valid check digit, derived from `n`.
pub fn inn10(n: u64) -> String {
    let mut d: Vec<u32> = format!("{:09}", 770_000_000 + n % 99_999_999)
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .collect();
    d.truncate(9);
    let w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let check = d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11 % 10;
    d.push(check);
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap())
        .collect()
}

#[derive(Clone, Debug)]
pub struct DemoUser {
    pub entity_id: String,
    pub company: &'static str,
    pub email: String,
    pub full_name: &'static str,
    pub position: &'static str,
    pub roles: Vec<&'static str>,
}

pub struct Company {
    pub entity_id: &'static str,
    pub name: &'static str,
    pub legal_entities: Vec<(&'static str, &'static str, &'static str)>, // id, short name, full name
    /// (agreement id, legal entity id, name, credit limit rubles, deferral days, price type)
    pub agreements: Vec<(
        &'static str,
        &'static str,
        &'static str,
        f64,
        u32,
        &'static str,
    )>,
}

pub const PRICE_TYPES: &[(&str, &str)] = &[
    ("pt-opt", "Оптовая"),
    ("pt-dealer", "Дилерская"),
    ("pt-retail", "Розничная"),
];

/// The supplier's own organisations (Организация): (1C id, name, full name, ИНН, КПП, ОГРН,
/// settlement account at Сбербанк, БИК 044525225). The holding buys from both.
pub const ORGANISATIONS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "org-agro",
        "ООО «АгроЗапчасть»",
        "Общество с ограниченной ответственностью «АгроЗапчасть»",
        "7707083893",
        "773601001",
        "1027700132195",
        "40702810238000001234",
    ),
    (
        "org-agro-yug",
        "ООО «АгроЗапчасть Юг»",
        "Общество с ограниченной ответственностью «АгроЗапчасть Юг»",
        "7736207543",
        "231001001",
        "1037739442344",
        "40702810638000005678",
    ),
];

/// The organisation of each individual agreement (the rest: the first organisation).
const AGREEMENT_ORGANISATION: &[(&str, &str)] = &[
    ("ag-kuban-2", "org-agro-yug"),
    ("ag-step-1", "org-agro-yug"),
];

/// УТ 11's typical agreement (типовое соглашение), shared by several companies: (1C id, name,
/// price type). Its price type is one of the catalogue's, by the same id (the product messages
/// stay as they were, so a portal loaded before keeps its data).
pub const TYPICAL_AGREEMENT: (&str, &str, &str) = (
    "ag-typical-mht",
    "Типовое соглашение Интернет-МХТ",
    "pt-opt",
);

/// The companies the typical agreement serves, each with its own credit as 1C reports it:
/// (company, limit, deferral days, debt, overdue debt, blocked). Rubles.
pub const TYPICAL_LINKS: &[(&str, f64, u32, f64, f64, bool)] = &[
    ("c-kuban", 2_000_000.0, 30, 350_000.0, 0.0, false),
    ("c-petrov", 300_000.0, 14, 120_000.0, 45_000.0, true),
];

pub fn organisation_messages() -> Vec<Value> {
    ORGANISATIONS
        .iter()
        .map(|(id, name, full, inn, kpp, ogrn, account)| {
            msg("organisation", id, 1, json!({"name": name, "full_name": full, "inn": inn, "kpp": kpp, "ogrn": ogrn,
                "address": "350000, Краснодарский край, г. Краснодар, ул. Северная, д. 10",
                "bank_accounts": [{"bank_name": "ПАО Сбербанк", "bik": "044525225", "corr_account": "30101810400000000225", "account": account}]}))
        })
        .collect()
}

/// Each linked company's credit state under the typical agreement (`entity_id`
/// `<agreement>/<company>`: each company's position is numbered on its own).
pub fn typical_credit_messages() -> Vec<Value> {
    TYPICAL_LINKS
        .iter()
        .map(|&(company, limit, _, debt, overdue, blocked)| {
            msg("credit_state", &format!("{}/{company}", TYPICAL_AGREEMENT.0), 1, json!({"company_id": company,
                "agreement_id": TYPICAL_AGREEMENT.0, "as_of": common::AS_OF, "limit": limit, "debt": debt, "overdue_debt": overdue,
                "reserve": 0, "reserve_orders": [], "blocked": blocked, "amount_to_pay": if blocked { overdue } else { 0.0 }}))
        })
        .collect()
}

pub fn companies() -> Vec<Company> {
    vec![
        Company {
            entity_id: "c-kuban",
            name: "Агрохолдинг «Кубань-Агро»",
            legal_entities: vec![
                (
                    "le-kuban-1",
                    "ООО «Кубань-Агро»",
                    "Общество с ограниченной ответственностью «Кубань-Агро»",
                ),
                (
                    "le-kuban-2",
                    "АО «Кубань-Агро Юг»",
                    "Акционерное общество «Кубань-Агро Юг»",
                ),
            ],
            agreements: vec![
                (
                    "ag-kuban-1",
                    "le-kuban-1",
                    "Договор поставки № 12/2025",
                    15_000_000.0,
                    30,
                    "pt-dealer",
                ),
                (
                    "ag-kuban-2",
                    "le-kuban-2",
                    "Договор поставки № 14/2025",
                    5_000_000.0,
                    45,
                    "pt-dealer",
                ),
            ],
        },
        Company {
            entity_id: "c-petrov",
            name: "КФХ Петров А. В.",
            legal_entities: vec![(
                "le-petrov-1",
                "ИП Глава КФХ Петров А. В.",
                "Индивидуальный предприниматель глава КФХ Петров Алексей Викторович",
            )],
            agreements: vec![(
                "ag-petrov-1",
                "le-petrov-1",
                "Договор № 7/2024",
                800_000.0,
                30,
                "pt-opt",
            )],
        },
        Company {
            entity_id: "c-step",
            name: "ООО «Степной дилер»",
            legal_entities: vec![(
                "le-step-1",
                "ООО «Степной дилер»",
                "Общество с ограниченной ответственностью «Степной дилер»",
            )],
            agreements: vec![(
                "ag-step-1",
                "le-step-1",
                "Договор поставки № 3/2026 (предоплата)",
                0.0,
                0,
                "pt-opt",
            )],
        },
    ]
}

pub fn users() -> Vec<DemoUser> {
    let u = |entity_id: &str,
             company: &'static str,
             email: &str,
             full_name: &'static str,
             position: &'static str,
             roles: &[&'static str]| DemoUser {
        entity_id: entity_id.into(),
        company,
        email: email.into(),
        full_name,
        position,
        roles: roles.to_vec(),
    };
    vec![
        u(
            "u-kuban-boss",
            "c-kuban",
            "boss@kuban-agro.demo",
            "Кузнецов Сергей Петрович",
            "Генеральный директор",
            &["admin"],
        ),
        u(
            "u-kuban-buyer1",
            "c-kuban",
            "buyer@kuban-agro.demo",
            "Смирнова Ольга Игоревна",
            "Менеджер по закупкам",
            &["buyer"],
        ),
        u(
            "u-kuban-buyer2",
            "c-kuban",
            "buyer2@kuban-agro.demo",
            "Попов Дмитрий Андреевич",
            "Главный инженер",
            &["buyer"],
        ),
        u(
            "u-kuban-acc",
            "c-kuban",
            "accountant@kuban-agro.demo",
            "Васильева Марина Юрьевна",
            "Главный бухгалтер",
            &["accountant"],
        ),
        u(
            "u-kuban-mix",
            "c-kuban",
            "deputy@kuban-agro.demo",
            "Новиков Илья Сергеевич",
            "Заместитель директора",
            &["buyer", "accountant"],
        ),
        u(
            "u-petrov",
            "c-petrov",
            "petrov@kfh-petrov.demo",
            "Петров Алексей Викторович",
            "Глава КФХ",
            &["admin", "buyer", "accountant"],
        ),
        u(
            "u-petrov-acc",
            "c-petrov",
            "buh@kfh-petrov.demo",
            "Петрова Нина Ивановна",
            "Бухгалтер",
            &["accountant"],
        ),
        u(
            "u-step-admin",
            "c-step",
            "admin@step-dealer.demo",
            "Морозов Павел Олегович",
            "Директор",
            &["admin"],
        ),
        u(
            "u-step-buyer",
            "c-step",
            "buyer@step-dealer.demo",
            "Волкова Анна Сергеевна",
            "Снабженец",
            &["buyer"],
        ),
        u(
            "u-step-acc",
            "c-step",
            "accountant@step-dealer.demo",
            "Соколов Артём Викторович",
            "Бухгалтер",
            &["accountant"],
        ),
    ]
}

/// The ИНН of the `j`-th legal entity of the `i`-th company (valid check digit).
pub fn legal_entity_inn(i: usize, j: usize) -> String {
    inn10((i * 10 + j) as u64 * 7919 + 13)
}

pub(crate) fn msg(kind: &str, entity_id: &str, seq: i64, payload: Value) -> Value {
    // An id fit for a file name too (`generate` writes one file per message): a typical
    // agreement's credit state has `<agreement>/<company>` as its entity.
    let safe = entity_id.replace('/', "--");
    json!({"id": format!("sim-{kind}-{safe}-{seq}"), "type": kind, "entity_id": entity_id, "seq": seq, "payload": payload})
}

pub fn company_messages() -> Vec<Value> {
    companies()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let les: Vec<Value> = c
                .legal_entities
                .iter()
                .enumerate()
                .map(|(j, (id, name, full))| {
                    json!({"id": id, "name": name, "full_name": full, "inn": legal_entity_inn(i, j), "kpp": "231001001",
                           "legal_address": "350000, Краснодарский край, г. Краснодар, ул. Красная, д. 1", "active": true})
                })
                .collect();
            let ags: Vec<Value> = c
                .agreements
                .iter()
                .map(|(id, le, name, limit, days, pt)| {
                    let pt_name = PRICE_TYPES.iter().find(|(k, _)| k == pt).map(|(_, n)| *n).unwrap_or("Оптовая");
                    let org = AGREEMENT_ORGANISATION.iter().find(|(a, _)| a == id).map_or(ORGANISATIONS[0].0, |(_, o)| *o);
                    json!({"id": id, "kind": "individual", "legal_entity_id": le, "name": name, "number": name.split("№ ").nth(1).unwrap_or("1"),
                           "date": "2025-01-15T00:00:00", "credit_limit": limit, "deferral_days": days,
                           "price_type": {"id": pt, "name": pt_name}, "organisation_id": org, "active": true})
                })
                .chain(TYPICAL_LINKS.iter().filter(|l| l.0 == c.entity_id).map(|&(_, limit, days, ..)| {
                    let (id, name, pt) = TYPICAL_AGREEMENT;
                    let pt_name = PRICE_TYPES.iter().find(|(k, _)| *k == pt).map_or("Оптовая", |(_, n)| *n);
                    json!({"id": id, "kind": "typical", "name": name, "number": "ТС-1", "date": "2024-03-01T00:00:00",
                           "credit_limit": limit, "deferral_days": days, "price_type": {"id": pt, "name": pt_name},
                           "organisation_id": ORGANISATIONS[0].0, "active": true})
                }))
                .collect();
            msg("company", c.entity_id, 1, json!({"name": c.name, "full_name": c.legal_entities[0].2, "active": true, "legal_entities": les, "agreements": ags}))
        })
        .collect()
}

pub fn user_messages() -> Vec<Value> {
    users()
        .iter()
        .map(|u| {
            msg(
                "user",
                &u.entity_id,
                1,
                json!({"company_id": u.company, "email": u.email, "full_name": u.full_name, "position": u.position,
                       "phone": "+7 861 200-00-00", "roles": u.roles, "active": true, "language": "ru"}),
            )
        })
        .collect()
}

const PARTS: &[(&str, &str, &str)] = &[
    ("Подшипник", "шт", "796"),
    ("Ремень приводной", "шт", "796"),
    ("Фильтр масляный", "шт", "796"),
    ("Фильтр топливный", "шт", "796"),
    ("Сегмент ножа жатки", "шт", "796"),
    ("Палец режущего аппарата", "шт", "796"),
    ("Звёздочка", "шт", "796"),
    ("Цепь роликовая", "м", "006"),
    ("Шестерня", "шт", "796"),
    ("Вал карданный", "шт", "796"),
    ("Сальник", "шт", "796"),
    ("Втулка", "шт", "796"),
    ("Диск сошника", "шт", "796"),
    ("Лапа культиватора", "шт", "796"),
    ("Гидроцилиндр", "шт", "796"),
    ("Насос шестерённый", "шт", "796"),
    ("Комплект прокладок ГБЦ", "компл", "839"),
    ("Поршень", "шт", "796"),
    ("Форсунка", "шт", "796"),
    ("Смазка литиевая", "кг", "166"),
];

const MODELS: &[&str] = &[
    "John Deere 8R",
    "CLAAS Lexion 770",
    "Ростсельмаш Acros 595",
    "Ростсельмаш Torum 785",
    "МТЗ-82",
    "Кировец К-744",
    "New Holland T8",
    "Case IH Magnum",
    "Amazone D9",
    "Kuhn Maxima",
    "Horsch Pronto",
    "Lemken Rubin",
];

const WAREHOUSES: &[&str] = &["Краснодар", "Ростов-на-Дону", "Воронеж"];

/// A catalogue item as the simulator's 1C holds it: prices in kopecks per price type, so orders
/// can be priced exactly.
#[derive(Clone, Debug)]
pub struct ProductSpec {
    pub entity_id: String,
    pub article: String,
    pub name: String,
    pub unit: &'static str,
    pub unit_code: &'static str,
    /// (price type id, price type name, price in kopecks), in the order of `PRICE_TYPES`.
    pub prices: Vec<(&'static str, &'static str, i64)>,
    pub stock: Vec<Value>,
}

impl ProductSpec {
    /// The price in kopecks for a price type (the wholesale price for an unknown one).
    pub fn price(&self, price_type: &str) -> i64 {
        self.prices
            .iter()
            .find(|p| p.0 == price_type)
            .unwrap_or(&self.prices[0])
            .2
    }
}

/// The catalogue, generated deterministically (the same `count` gives the same items; the first
/// items do not depend on `count`).
pub fn product_specs(count: usize) -> Vec<ProductSpec> {
    let mut rng = Rng::new(2026);
    (0..count)
        .map(|i| {
            let (part, unit, okei) = *rng.pick(PARTS);
            let model = *rng.pick(MODELS);
            // Articles in the shapes seen in 1C: plain, with dots and spaces, with a dash.
            let article = match i % 3 {
                0 => format!("AZ{:05}", 10000 + i),
                1 => format!("РСМ 10.01.{:02}.{:03}", i % 97, i % 1000),
                _ => format!("{}-{:04}", ["JD", "CL", "NH", "KU"][i % 4], i),
            };
            let base = 150 + rng.below(90_000) as i64; // rubles
            let kop = rng.below(100) as i64;
            let prices = vec![
                ("pt-opt", "Оптовая", base * 100 + kop),
                ("pt-dealer", "Дилерская", base * 95 / 100 * 100 + kop),
                ("pt-retail", "Розничная", base * 120 / 100 * 100 + kop),
            ];
            let mut stock: Vec<Value> = Vec::new();
            for w in WAREHOUSES {
                if rng.below(3) == 0 {
                    continue;
                }
                let q = rng.below(500);
                stock.push(if unit == "шт" || unit == "компл" {
                    json!({"warehouse": w, "quantity": q})
                } else {
                    json!({"warehouse": w, "quantity": (q as f64) + 0.5})
                });
            }
            ProductSpec {
                entity_id: format!("p-{i:06}"),
                article,
                name: format!("{part} {model}"),
                unit,
                unit_code: okei,
                prices,
                stock,
            }
        })
        .collect()
}

/// Kopecks as the decimal number 1C writes (`1234.5`): through the decimal text, never through
/// floating-point arithmetic.
pub fn rubles(kopecks: i64) -> Value {
    let sign = if kopecks < 0 { "-" } else { "" };
    let k = kopecks.unsigned_abs();
    if k % 100 == 0 {
        json!(kopecks / 100)
    } else {
        json!(format!("{sign}{}.{:02}", k / 100, k % 100)
            .parse::<f64>()
            .unwrap())
    }
}

/// Thousandths as the decimal number 1C writes (`2`, `12.5`, `0.125`).
pub fn quantity(milli: i64) -> Value {
    let sign = if milli < 0 { "-" } else { "" };
    let m = milli.unsigned_abs();
    if m % 1000 == 0 {
        json!(milli / 1000)
    } else {
        json!(format!("{sign}{}.{:03}", m / 1000, m % 1000)
            .parse::<f64>()
            .unwrap())
    }
}

pub fn product_messages(count: usize) -> Vec<Value> {
    product_specs(count)
        .into_iter()
        .map(|p| {
            let prices: Vec<Value> = p
                .prices
                .iter()
                .map(|(id, name, k)| json!({"price_type": {"id": id, "name": name}, "price": format!("{}.{:02}", k / 100, k % 100).parse::<f64>().unwrap()}))
                .collect();
            msg(
                "product",
                &p.entity_id,
                1,
                json!({"article": p.article, "name": p.name, "unit": p.unit, "unit_code": p.unit_code,
                       "vat_rate": 20,
                       "prices": prices,
                       "stock": p.stock, "active": true}),
            )
        })
        .collect()
}

/// A file 1C uploads before the message that names it.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSpec {
    pub key: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The whole demo data set: the messages in the order they are sent, and the files to upload
/// before them.
pub struct DemoSet {
    pub messages: Vec<Value>,
    pub files: Vec<FileSpec>,
}

/// Everything, from one catalogue of `products` items and `orders` orders: reference data first,
/// then the sales history, then the money and documents computed from it.
pub fn demo_set(products: usize, orders: usize) -> DemoSet {
    let mut v = organisation_messages();
    v.extend(company_messages());
    v.extend(reference::consignee_messages());
    v.extend(user_messages());
    v.extend(product_messages(products));
    v.push(reference::calendar_message());
    let orders = orders::orders(&product_specs(products), orders);
    v.extend(orders::sales_messages_of(&orders));
    v.extend(typical_credit_messages());
    let ledger = ledger::ledger(&orders);
    let documents = documents::documents(&orders, &ledger.returns);
    let acts = acts::acts(&ledger, &documents);
    v.extend(ledger.opening.iter().map(ledger::opening_balance_message));
    v.extend(ledger.payments.iter().map(ledger::payment_message));
    v.extend(ledger.returns.iter().map(ledger::return_message));
    v.extend(ledger.movements.iter().map(ledger::movement_message));
    let mut files = Vec::with_capacity(documents.len() + acts.len());
    for d in &documents {
        let bytes = d.pdf();
        v.push(documents::document_message(d, bytes.len()));
        files.push(FileSpec {
            key: d.file_key(),
            content_type: "application/pdf",
            bytes,
        });
    }
    for a in &acts {
        let bytes = a.pdf();
        v.push(acts::act_message(a, bytes.len()));
        files.push(FileSpec {
            key: a.file_key(),
            content_type: "application/pdf",
            bytes,
        });
    }
    DemoSet { messages: v, files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_inns_are_valid() {
        for n in 0..200 {
            assert!(shared::validate::inn(&inn10(n * 7919 + 13)).is_ok());
        }
    }

    #[test]
    fn a_typical_agreement_serves_two_companies_sold_from_two_organisations() {
        let companies = company_messages();
        let linked: Vec<&Value> = companies
            .iter()
            .filter(|c| {
                c["payload"]["agreements"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["id"] == TYPICAL_AGREEMENT.0 && a["kind"] == "typical")
            })
            .collect();
        assert_eq!(linked.len(), 2, "one typical agreement, two companies");
        let states = typical_credit_messages();
        assert_eq!(states.len(), 2);
        assert_ne!(states[0]["payload"]["limit"], states[1]["payload"]["limit"]);
        assert_ne!(
            states[0]["payload"]["blocked"],
            states[1]["payload"]["blocked"]
        );
        assert_ne!(
            states[0]["entity_id"], states[1]["entity_id"],
            "numbered per company"
        );
        // Individual agreements too, and the holding buys from both organisations.
        let kuban = &companies[0]["payload"]["agreements"];
        let orgs: std::collections::BTreeSet<&str> = kuban
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "individual")
            .map(|a| a["organisation_id"].as_str().unwrap())
            .collect();
        assert_eq!(orgs.len(), 2);
        // The typical agreement's price type is a catalogue price type, by id.
        assert!(product_specs(3)
            .iter()
            .all(|p| p.prices.iter().any(|x| x.0 == TYPICAL_AGREEMENT.2)));
        for m in organisation_messages().iter().chain(states.iter()) {
            let raw: shared::exchange::contract::RawMessage =
                serde_json::from_value(m.clone()).unwrap();
            shared::exchange::contract::validate(&raw).unwrap();
        }
    }

    #[test]
    fn data_set_shape() {
        assert_eq!(companies().len(), 3);
        assert_eq!(users().len(), 10);
        assert!(
            companies().iter().any(|c| c.legal_entities.len() == 2),
            "a holding with two legal entities"
        );
        assert!(
            companies()
                .iter()
                .any(|c| c.agreements.iter().all(|a| a.3 == 0.0)),
            "a company without credit"
        );
        let products = product_messages(50);
        assert_eq!(products.len(), 50);
        assert_eq!(products, product_messages(50), "deterministic");
        // Every message passes the portal's own validation.
        for m in company_messages()
            .iter()
            .chain(user_messages().iter())
            .chain(products.iter())
        {
            let raw: shared::exchange::contract::RawMessage =
                serde_json::from_value(m.clone()).unwrap();
            shared::exchange::contract::validate(&raw).unwrap();
        }
    }

    /// The product messages are exactly what they were before orders were priced from the same
    /// catalogue (recorded from the earlier generator): a portal loaded before keeps its data.
    #[test]
    fn product_messages_unchanged() {
        let p = product_messages(5000);
        let all = serde_json::to_string(&p).unwrap();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
        for b in all.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        assert_eq!((h, all.len()), (0x5e36_bc83_bf86_46a9, 2_905_209));
        assert_eq!(
            serde_json::to_string(&p[0]).unwrap(),
            r#"{"entity_id":"p-000000","id":"sim-product-p-000000-1","payload":{"active":true,"article":"AZ10000","name":"Втулка Кировец К-744","prices":[{"price":84884.86,"price_type":{"id":"pt-opt","name":"Оптовая"}},{"price":80639.86,"price_type":{"id":"pt-dealer","name":"Дилерская"}},{"price":101860.86,"price_type":{"id":"pt-retail","name":"Розничная"}}],"stock":[],"unit":"шт","unit_code":"796","vat_rate":20},"seq":1,"type":"product"}"#
        );
        assert_eq!(
            serde_json::to_string(&p[2]).unwrap(),
            r#"{"entity_id":"p-000002","id":"sim-product-p-000002-1","payload":{"active":true,"article":"NH-0002","name":"Цепь роликовая Ростсельмаш Torum 785","prices":[{"price":34927.56,"price_type":{"id":"pt-opt","name":"Оптовая"}},{"price":33180.56,"price_type":{"id":"pt-dealer","name":"Дилерская"}},{"price":41912.56,"price_type":{"id":"pt-retail","name":"Розничная"}}],"stock":[{"quantity":92.5,"warehouse":"Краснодар"},{"quantity":141.5,"warehouse":"Ростов-на-Дону"},{"quantity":215.5,"warehouse":"Воронеж"}],"unit":"м","unit_code":"006","vat_rate":20},"seq":1,"type":"product"}"#
        );
        assert_eq!(
            serde_json::to_string(&p[4999]).unwrap(),
            r#"{"entity_id":"p-004999","id":"sim-product-p-004999-1","payload":{"active":true,"article":"РСМ 10.01.52.999","name":"Смазка литиевая CLAAS Lexion 770","prices":[{"price":66537.53,"price_type":{"id":"pt-opt","name":"Оптовая"}},{"price":63210.53,"price_type":{"id":"pt-dealer","name":"Дилерская"}},{"price":79844.53,"price_type":{"id":"pt-retail","name":"Розничная"}}],"stock":[{"quantity":195.5,"warehouse":"Краснодар"},{"quantity":187.5,"warehouse":"Воронеж"}],"unit":"кг","unit_code":"166","vat_rate":20},"seq":1,"type":"product"}"#
        );
        // The same items whatever the count.
        assert_eq!(product_messages(50)[..], p[..50]);
    }

    #[test]
    fn decimals_are_written_exactly() {
        assert_eq!(rubles(246900).to_string(), "2469");
        assert_eq!(rubles(30).to_string(), "0.3");
        assert_eq!(rubles(123456).to_string(), "1234.56");
        assert_eq!(rubles(-5).to_string(), "-0.05");
        assert_eq!(quantity(2000).to_string(), "2");
        assert_eq!(quantity(12500).to_string(), "12.5");
        assert_eq!(quantity(1).to_string(), "0.001");
        assert_eq!(quantity(2350).to_string(), "2.35");
    }
}
