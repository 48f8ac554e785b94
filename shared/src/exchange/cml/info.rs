//! `type=sale&mode=info`: the portal's order statuses, payment methods and delivery methods, so
//! 1C's exchange settings can map its own to them. The document is the one the Bitrix site
//! (`sale.export.1c`) answers: `Справочник` with `Cтатусы` (sic: Bitrix spells it with a Latin
//! `C`, and 1C reads that spelling), `ПлатежныеСистемы` and `СлужбыДоставки`, each a list of
//! `Элемент` with `Ид` and `Название`. The ids are the portal's own codes, the names the ones
//! `query` writes in the order documents (one list: `commerceml::names`), in the encoding `query`
//! uses.

use super::failure;
use crate::commerceml::names::{DELIVERY_METHODS, PAYMENT_METHODS, STATUSES};
use crate::commerceml::Encoding;
use crate::http::ApiResponse;

/// The document, as text (before encoding).
pub fn document(encoding: Encoding) -> String {
    let label = match encoding {
        Encoding::Utf8 => "UTF-8",
        Encoding::Windows1251 => "windows-1251",
    };
    let mut out = format!("<?xml version=\"1.0\" encoding=\"{label}\"?>\n<Справочник>\n");
    for (tag, items) in [
        ("Cтатусы", STATUSES),
        ("ПлатежныеСистемы", PAYMENT_METHODS),
        ("СлужбыДоставки", DELIVERY_METHODS),
    ] {
        out.push_str(&format!("<{tag}>\n"));
        for (id, name) in items {
            // Codes and names are fixed ASCII / Cyrillic words: nothing to escape.
            out.push_str(&format!(
                "<Элемент><Ид>{id}</Ид><Название>{name}</Название></Элемент>\n"
            ));
        }
        out.push_str(&format!("</{tag}>\n"));
    }
    out.push_str("</Справочник>\n");
    out
}

/// The answer to `mode=info`.
pub fn answer(encoding: Encoding) -> ApiResponse {
    let doc = document(encoding);
    let (body, charset) = match encoding {
        Encoding::Utf8 => (doc.into_bytes(), "utf-8"),
        Encoding::Windows1251 => {
            let (bytes, unmappable) = crate::commerceml::cp1251::encode(&doc);
            if unmappable {
                return failure("the reference lists cannot be written in windows-1251");
            }
            (bytes, "windows-1251")
        }
    };
    ApiResponse {
        status: 200,
        headers: vec![(
            "content-type".into(),
            format!("application/xml; charset={charset}"),
        )],
        body: body.into(),
        log: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_status_the_portal_has() {
        let codes: Vec<&str> = STATUSES.iter().map(|s| s.0).collect();
        assert_eq!(codes, crate::orders::status::ORDER_STATUSES);
    }

    #[test]
    fn windows_1251_answer_reads_back() {
        let r = answer(Encoding::Windows1251);
        let text = crate::commerceml::cp1251::decode(&r.body);
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"windows-1251\"?>"));
        assert!(text.contains("<Элемент><Ид>pickup</Ид><Название>Самовывоз</Название></Элемент>"));
        assert_eq!(text, document(Encoding::Windows1251));
    }
}
