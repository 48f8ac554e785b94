//! The printed forms 1C attaches to documents and acts, as tiny PDFs written by hand: one page
//! of Helvetica text (transliterated, the standard fonts have no Cyrillic) and the exact title,
//! with the document's number, in the document information (UTF-16).

/// Cyrillic to Latin for the page text (ГОСТ 7.79 system B, simplified).
fn translit(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let t = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' => "e",
            'ё' => "yo",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "j",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "x",
            'ц' => "cz",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shh",
            'ъ' => "",
            'ы' => "y",
            'ь' => "",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            '№' => "No.",
            '«' | '»' => "\"",
            _ if c.is_ascii() => {
                out.push(c);
                continue;
            }
            _ => "?",
        };
        if c != lower && !t.is_empty() {
            let mut cs = t.chars();
            if let Some(first) = cs.next() {
                out.extend(first.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(t);
        }
    }
    out
}

/// A PDF literal string: parentheses and backslashes escaped.
fn literal(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(')');
    out
}

/// A text string in UTF-16BE with its byte order mark, as hex: any Unicode title.
fn utf16_hex(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

/// A one-page PDF 1.4: `title` in the document information, `lines` on the page.
pub fn document(title: &str, lines: &[String]) -> Vec<u8> {
    let mut text = String::from("BT /F1 11 Tf 56 780 Td 14 TL");
    for (i, l) in lines.iter().enumerate() {
        text.push_str(if i == 0 { " " } else { " T* " });
        text.push_str(&literal(&translit(l)));
        text.push_str(" Tj");
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        format!("<< /Title {} /Producer (onec-sim) >>", utf16_hex(title)),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_well_formed_pdf() {
        let pdf = document(
            "УПД № 123-2 от 05.03.2026",
            &[
                "УПД № 123-2 от 05.03.2026".into(),
                "Сумма (с НДС): 2469.00".into(),
            ],
        );
        let text = String::from_utf8(pdf.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        assert!((300..1200).contains(&pdf.len()), "{}", pdf.len());
        // The number is on the page (transliterated) and exact in the title.
        assert!(text.contains("(UPD No. 123-2 ot 05.03.2026) Tj"), "{text}");
        assert!(text.contains("\\(s NDS\\)"), "parentheses escaped");
        assert!(text.contains(&utf16_hex("УПД № 123-2")[..utf16_hex("УПД № 123-2").len() - 1]));
        // Every cross-reference entry points at its object; startxref at the table.
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref..].starts_with("xref\n0 7\n"));
        for (i, entry) in text[xref..].lines().skip(3).take(6).enumerate() {
            assert_eq!(entry.len(), 19, "20 bytes with the eol: {entry:?}");
            let off: usize = entry[..10].parse().unwrap();
            assert!(text[off..].starts_with(&format!("{} 0 obj\n", i + 1)));
        }
        // The stream length is exact.
        let start = text.find("stream\n").unwrap() + 7;
        let end = text.find("\nendstream").unwrap();
        assert!(text.contains(&format!("/Length {}", end - start)));
    }

    #[test]
    fn transliterates() {
        assert_eq!(
            translit("Счет на оплату № СЧ-000123"),
            "Schet na oplatu No. SCh-000123"
        );
        assert_eq!(translit("ООО «Кубань-Агро»"), "OOO \"Kuban-Agro\"");
    }
}
