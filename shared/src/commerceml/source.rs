//! Turns the raw file into a UTF-8 byte stream for the XML parser. The encoding comes from the
//! BOM or the XML declaration; windows-1251 files are transcoded on the fly, chunk by chunk,
//! so every element name and value reaches the parser as UTF-8 and memory stays flat.

use super::cp1251;
use super::error::CmlError;
use super::Encoding;
use std::io::{self, BufRead, Chain, Cursor, Read};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// The XML declaration must come first and is short; this much of the file is enough to see it.
const HEAD_LEN: u64 = 1024;
/// Transcoded chunk size: windows-1251 grows at most 3x in UTF-8, so 3 input pages per chunk.
const CHUNK: usize = 24 * 1024;
/// The most one windows-1251 byte becomes in UTF-8.
const MAX_CHAR_LEN: usize = 3;

type Prefixed<R> = Chain<Cursor<Vec<u8>>, R>;

/// The file as UTF-8 bytes, with the encoding it was written in.
pub(crate) enum Source<R> {
    Utf8(Prefixed<R>),
    Transcoded(Transcoder<Prefixed<R>>),
}

impl<R: BufRead> Source<R> {
    /// Reads the head of the file to find its encoding, then hands out the whole file
    /// (head included, BOM excluded) as UTF-8. Also returns the length of the BOM skipped.
    pub fn open(mut reader: R) -> Result<(Source<R>, Encoding, usize), CmlError> {
        let mut head = Vec::with_capacity(HEAD_LEN as usize);
        reader.by_ref().take(HEAD_LEN).read_to_end(&mut head)?;
        let (encoding, bom_len) = detect(&head)?;
        let mut head = Cursor::new(head);
        head.set_position(bom_len as u64);
        let prefixed = head.chain(reader);
        let source = match encoding {
            Encoding::Utf8 => Source::Utf8(prefixed),
            Encoding::Windows1251 => Source::Transcoded(Transcoder::new(prefixed, bom_len as u64)),
        };
        Ok((source, encoding, bom_len))
    }
}

/// The encoding named by the BOM or the XML declaration (UTF-8 when neither says), and the
/// length of the BOM to skip.
pub(crate) fn detect(head: &[u8]) -> Result<(Encoding, usize), CmlError> {
    if head.starts_with(UTF8_BOM) {
        return Ok((Encoding::Utf8, UTF8_BOM.len()));
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(unsupported("UTF-16"));
    }
    match declared_encoding(head) {
        None => Ok((Encoding::Utf8, 0)),
        // Labels as the Encoding Standard names them (`cp1251`, `utf8`...); any other is refused.
        Some(label) => match cp1251::label_is_utf8(label) {
            Some(true) => Ok((Encoding::Utf8, 0)),
            Some(false) => Ok((Encoding::Windows1251, 0)),
            None => Err(unsupported(&String::from_utf8_lossy(label))),
        },
    }
}

fn unsupported(name: &str) -> CmlError {
    CmlError::Encoding {
        position: 0,
        message: format!("unsupported encoding {name:?} (expected UTF-8 or windows-1251)"),
    }
}

/// The `encoding="..."` pseudo-attribute of a leading `<?xml ...?>`, if any.
fn declared_encoding(head: &[u8]) -> Option<&[u8]> {
    let decl = head.strip_prefix(b"<?xml")?;
    let decl = &decl[..find(decl, b"?>")?];
    let after_name = &decl[find(decl, b"encoding")? + b"encoding".len()..];
    let after_eq = after_name
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let (&quote, rest) = after_eq.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let end = rest.iter().position(|&b| b == quote)?;
    Some(rest[..end].trim_ascii())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A `BufRead` that decodes windows-1251 to UTF-8 one chunk at a time. Every byte maps to a
/// character, so the input can never be malformed.
pub(crate) struct Transcoder<R> {
    inner: R,
    out: Box<[u8]>,
    start: usize,
    end: usize,
    /// Bytes of the original file consumed so far, for error positions.
    consumed: u64,
    finished: bool,
}

impl<R: BufRead> Transcoder<R> {
    pub(crate) fn new(inner: R, already_consumed: u64) -> Self {
        Transcoder {
            inner,
            out: vec![0; CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
            consumed: already_consumed,
            finished: false,
        }
    }

    /// Decodes the next chunk into `out`; leaves `out` empty only at the end of the input.
    fn refill(&mut self) -> io::Result<()> {
        while self.start == self.end && !self.finished {
            let input = self.inner.fill_buf()?;
            if input.is_empty() {
                self.finished = true;
                break;
            }
            let (mut read, mut written) = (0, 0);
            for &byte in input {
                if written + MAX_CHAR_LEN > self.out.len() {
                    break;
                }
                if byte < 0x80 {
                    self.out[written] = byte;
                    written += 1;
                } else {
                    written += cp1251::decode_byte(byte)
                        .encode_utf8(&mut self.out[written..])
                        .len();
                }
                read += 1;
            }
            self.inner.consume(read);
            self.consumed += read as u64;
            (self.start, self.end) = (0, written);
        }
        Ok(())
    }
}

impl<R: BufRead> BufRead for Transcoder<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.refill()?;
        Ok(&self.out[self.start..self.end])
    }

    fn consume(&mut self, amount: usize) {
        self.start = (self.start + amount).min(self.end);
    }
}

impl<R: BufRead> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Utf8(r) => r.read(buf),
            Source::Transcoded(r) => r.read(buf),
        }
    }
}

impl<R: BufRead> BufRead for Source<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Source::Utf8(r) => r.fill_buf(),
            Source::Transcoded(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amount: usize) {
        match self {
            Source::Utf8(r) => r.consume(amount),
            Source::Transcoded(r) => r.consume(amount),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_from_bom_and_declaration() {
        assert_eq!(
            detect(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>").unwrap(),
            (Encoding::Utf8, 3)
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><a/>").unwrap(),
            (Encoding::Windows1251, 0)
        );
        assert_eq!(
            detect(b"<?xml version='1.0' encoding = 'CP1251' ?>").unwrap(),
            (Encoding::Windows1251, 0)
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\" encoding=\" utf8 \"?>").unwrap(),
            (Encoding::Utf8, 0)
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"windows-1251\"?>").unwrap(),
            (Encoding::Utf8, 3),
            "the BOM wins over the declaration"
        );
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><a encoding=\"koi8-r\"/>").unwrap(),
            (Encoding::Utf8, 0)
        );
        assert_eq!(detect(b"<a/>").unwrap(), (Encoding::Utf8, 0));
        match detect(b"<?xml version=\"1.0\" encoding=\"iso-8859-5\"?>") {
            Err(CmlError::Encoding { position, message }) => {
                assert_eq!(position, 0);
                assert_eq!(
                    message,
                    "unsupported encoding \"iso-8859-5\" (expected UTF-8 or windows-1251)"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            detect(b"<?xml version=\"1.0\" encoding=\"koi8-r\"?>"),
            Err(CmlError::Encoding { .. })
        ));
        assert!(matches!(
            detect(b"\xFF\xFE<\0"),
            Err(CmlError::Encoding { .. })
        ));
    }

    #[test]
    fn transcodes_in_chunks_across_reader_boundaries() {
        let text = "Запчасть №1 — ремень ".repeat(5000);
        let (bytes, _) = cp1251::encode(&text);
        // A 7-byte BufReader forces many small reads under the transcoder.
        let reader = io::BufReader::with_capacity(7, &bytes[..]);
        let mut t = Transcoder::new(Cursor::new(Vec::new()).chain(reader), 0);
        let mut out = String::new();
        t.read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn every_windows_1251_byte_decodes_in_any_chunking() {
        // WHATWG maps all 256 bytes (0x98 to U+0098), so a 1251 file can never be malformed.
        let all: Vec<u8> = (0..=255).cycle().take(3 * CHUNK + 17).collect();
        let (expected, _) = encoding_rs::WINDOWS_1251.decode_without_bom_handling(&all);
        for capacity in [1, 2, 255, CHUNK, 4 * CHUNK] {
            let reader = io::BufReader::with_capacity(capacity, &all[..]);
            let mut t = Transcoder::new(reader, 0);
            let mut out = String::new();
            t.read_to_string(&mut out).unwrap();
            assert_eq!(out, expected, "capacity {capacity}");
        }
    }
}
