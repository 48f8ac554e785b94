//! CSV exports that open correctly in Excel with Russian settings: UTF-8 with a BOM, `;` between
//! cells, CRLF, and text cells that could be read as a formula neutralised.

/// A text cell: quoted when needed; a leading `=`, `+`, `-`, `@`, tab or CR gets a `'` first, so
/// a spreadsheet shows it as text instead of running it (CSV injection).
pub fn text(s: &str) -> String {
    let neutral = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    };
    if neutral.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// Kopecks as a number Excel reads with Russian settings: `1234,50`, `-3,05`.
pub fn money(kop: i64) -> String {
    let sign = if kop < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", (kop / 100).abs(), (kop % 100).abs())
}

/// The document: BOM, rows joined by CRLF.
pub fn document(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = "\u{feff}".to_string();
    for r in rows {
        out.push_str(&r.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("+7 900"), "'+7 900");
        assert_eq!(text("-1"), "'-1");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("ООО «Ромашка»; склад"), "\"ООО «Ромашка»; склад\"");
        assert_eq!(text("ЗК-000123"), "ЗК-000123");
        assert_eq!(money(123450), "1234,50");
        assert_eq!(money(-305), "-3,05");
        assert_eq!(money(5), "0,05");
        let doc = document(&[vec!["a".into(), "b".into()]]);
        assert!(doc.starts_with("\u{feff}".as_bytes()) && doc.ends_with(b"a;b\r\n"));
    }
}
