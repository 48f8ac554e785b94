//! windows-1251, the one single-byte encoding 1C's exchange files use besides UTF-8, by its
//! WHATWG index (what browsers and `encoding_rs` use: byte 0x98 is U+0098). Written out here
//! instead of linking `encoding_rs`, whose label lookup and decoder link every encoding's tables
//! (~75 KB gzip per Worker: docs/benchmarks.md, issue 23).

/// Bytes 0x80..=0xFF; 0x00..=0x7F are ASCII.
const HIGH: [u16; 128] = [
    0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409, 0x2039,
    0x040A, 0x040C, 0x040B, 0x040F, 0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x0098, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F, 0x00A0, 0x040E, 0x045E, 0x0408,
    0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
    0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB,
    0x0458, 0x0405, 0x0455, 0x0457, 0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
    0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F, 0x0420, 0x0421, 0x0422, 0x0423,
    0x0424, 0x0425, 0x0426, 0x0427, 0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, 0x0438, 0x0439, 0x043A, 0x043B,
    0x043C, 0x043D, 0x043E, 0x043F, 0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F,
];

/// The WHATWG labels (ASCII case-insensitive, already trimmed) of the two encodings taken.
const UTF8_LABELS: [&str; 6] = [
    "unicode-1-1-utf-8",
    "unicode11utf8",
    "unicode20utf8",
    "utf-8",
    "utf8",
    "x-unicode20utf8",
];
const WINDOWS_1251_LABELS: [&str; 3] = ["cp1251", "windows-1251", "x-cp1251"];

/// Which of the two encodings a trimmed label names, as `encoding_rs::Encoding::for_label`
/// would resolve it: `Some(true)` UTF-8, `Some(false)` windows-1251, `None` anything else.
pub(crate) fn label_is_utf8(label: &[u8]) -> Option<bool> {
    let named = |labels: &[&str]| {
        labels
            .iter()
            .any(|l| l.as_bytes().eq_ignore_ascii_case(label))
    };
    if named(&UTF8_LABELS) {
        Some(true)
    } else if named(&WINDOWS_1251_LABELS) {
        Some(false)
    } else {
        None
    }
}

/// The character a byte stands for (every byte stands for one).
pub fn decode_byte(byte: u8) -> char {
    if byte < 0x80 {
        char::from(byte)
    } else {
        // Every entry is a BMP scalar value (no surrogates).
        char::from_u32(u32::from(HIGH[usize::from(byte - 0x80)])).unwrap_or('\u{FFFD}')
    }
}

/// The byte for a character, if windows-1251 has one.
pub fn encode_char(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0..=0x7F => Some(code as u8),
        // А..я, most of any Russian text, in table order.
        0x0410..=0x044F => Some((code - 0x0410 + 0xC0) as u8),
        0x80..=0xFFFF => HIGH[..0x40]
            .iter()
            .position(|&u| u32::from(u) == code)
            .map(|i| 0x80 + i as u8),
        _ => None,
    }
}

/// Decodes `bytes` (never fails: every byte is mapped).
pub fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| decode_byte(b)).collect()
}

/// Appends `text` encoded, characters windows-1251 lacks as decimal character references
/// (`&#8381;`), as `encoding_rs`'s encoder does; returns whether there were any.
pub fn encode_into(text: &str, out: &mut Vec<u8>) -> bool {
    let mut unmappable = false;
    out.reserve(text.len());
    for c in text.chars() {
        match encode_char(c) {
            Some(b) => out.push(b),
            None => {
                unmappable = true;
                out.extend_from_slice(format!("&#{};", u32::from(c)).as_bytes());
            }
        }
    }
    unmappable
}

/// `text` encoded (see [`encode_into`]) and whether some characters had to be referenced.
pub fn encode(text: &str) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(text.len());
    let unmappable = encode_into(text, &mut out);
    (out, unmappable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_decodes_as_the_whatwg_index_says() {
        for b in 0..=255u8 {
            let mut ours = [0; 4];
            let ours = decode_byte(b).encode_utf8(&mut ours);
            let byte = [b];
            let (theirs, malformed) = encoding_rs::WINDOWS_1251.decode_without_bom_handling(&byte);
            assert!(!malformed, "{b:#04x}");
            assert_eq!(&*ours, &*theirs, "byte {b:#04x}");
        }
        // A few points known from the index itself, not from another implementation.
        assert_eq!(decode_byte(0x41), 'A');
        assert_eq!(decode_byte(0x88), '€');
        assert_eq!(decode_byte(0x98), '\u{98}');
        assert_eq!(decode_byte(0xA8), 'Ё');
        assert_eq!(decode_byte(0xB8), 'ё');
        assert_eq!(decode_byte(0xB9), '№');
        assert_eq!(decode_byte(0xC0), 'А');
        assert_eq!(decode_byte(0xFF), 'я');
    }

    #[test]
    fn every_byte_round_trips_and_every_character_encodes_as_encoding_rs_does() {
        for b in 0..=255u8 {
            assert_eq!(encode_char(decode_byte(b)), Some(b), "byte {b:#04x}");
        }
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let (theirs, _, unmappable) = encoding_rs::WINDOWS_1251.encode(c.encode_utf8(&mut buf));
            let ours = encode_char(c);
            assert_eq!(ours.is_none(), unmappable, "{c:?}");
            if let Some(b) = ours {
                assert_eq!(&theirs[..], &[b][..], "{c:?}");
            }
        }
    }

    #[test]
    fn text_encodes_with_references_for_what_is_missing() {
        let text = "ООО «Ромашка» № 5 — 100 ₽ 😀";
        let (ours, unmappable) = encode(text);
        let (theirs, _, their_unmappable) = encoding_rs::WINDOWS_1251.encode(text);
        assert_eq!((&ours[..], unmappable), (&theirs[..], their_unmappable));
        assert!(unmappable);
        assert!(ours.ends_with(b"100 &#8381; &#128512;"));
        assert_eq!(decode(&ours), "ООО «Ромашка» № 5 — 100 &#8381; &#128512;");
        assert_eq!(encode("Заказ"), (vec![0xC7, 0xE0, 0xEA, 0xE0, 0xE7], false));
    }

    #[test]
    fn labels_resolve_as_the_encoding_standard_says() {
        for label in [
            "utf-8",
            "UTF-8",
            "utf8",
            "Unicode-1-1-UTF-8",
            "unicode11utf8",
            "unicode20utf8",
            "x-unicode20utf8",
            "windows-1251",
            "Windows-1251",
            "CP1251",
            "x-cp1251",
            "koi8-r",
            "utf-16",
            "utf-16le",
            "iso-8859-5",
            "latin1",
            "cp866",
            "windows-1252",
            "utf 8",
            "",
            "utf-8 ",
            "ascii",
            "replacement",
            "x-user-defined",
        ] {
            let theirs = encoding_rs::Encoding::for_label(label.trim().as_bytes()).and_then(|e| {
                if e == encoding_rs::UTF_8 {
                    Some(true)
                } else if e == encoding_rs::WINDOWS_1251 {
                    Some(false)
                } else {
                    None
                }
            });
            assert_eq!(label_is_utf8(label.trim().as_bytes()), theirs, "{label:?}");
        }
    }
}
