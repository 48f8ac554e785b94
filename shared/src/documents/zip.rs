//! The order's ZIP, streamed entry by entry: stored entries (no compression: PDFs and scans are
//! compressed already), UTF-8 names flagged as such (bit 11) so archivers show the Russian names.
//! Each file's CRC-32 and size are known before the archive starts (computed once when 1C
//! uploaded the file, [`super::checksums`]), so every header is written before its data, without
//! data descriptors, and the archive's exact length is known before its first byte
//! (`Content-Length`). Only the headers are built here; the files' bytes pass through in the
//! chunks the blob store yields, so memory stays small whatever the archive's size.
//!
//! Written here rather than with the `zip` crate: its writer needs `Seek` or writes data
//! descriptors after each entry, and computes the CRC itself as it reads; the framing of stored
//! entries with known CRCs is ~100 lines, tested against `unzip -t` and Python's `zipfile`.
//! The classic format only (no ZIP64): an archive above 4 GiB or 65,535 entries is refused.

use crate::error::{AppError, AppResult};
use crate::ports::Chunks;
use futures::StreamExt;
use std::future::Future;

/// The largest archive: every offset and size fits the classic format's 32-bit fields (0xFFFFFFFF
/// itself means "see ZIP64", so it stays below).
pub const MAX_ZIP_BYTES: u64 = u32::MAX as u64 - 1;
/// The classic format's entry count (0xFFFF means "see ZIP64").
pub const MAX_ENTRIES: usize = 0xFFFF - 1;

const LANGUAGE_ENCODING_FLAG: u16 = 1 << 11;
const LOCAL_HEADER: u64 = 30;
const CENTRAL_HEADER: u64 = 46;
const END_RECORD: u64 = 22;

/// DOS date and time fields for a fixed instant (the archive's files are printed forms: their
/// own dates are in the documents, so one stamp keeps the output reproducible).
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = ((2020 - 1980) << 9) | (1 << 5) | 1;

/// CRC-32 (IEEE 802.3, the one ZIP uses).
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// One file of the archive: its name inside it, and its size and CRC-32 as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    pub crc: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ZipError {
    /// Beyond the classic format's 4 GiB / 65,535 entries.
    TooLarge,
}

struct Planned {
    name: Vec<u8>,
    crc: u32,
    size: u32,
    offset: u32,
}

/// The archive's layout, computed from the entries before a byte is sent.
pub struct Plan {
    entries: Vec<Planned>,
    cd_offset: u32,
    cd_len: u32,
    len: u64,
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

impl Plan {
    /// Lays the entries out; refused when any offset, size or the total would not fit.
    pub fn new(entries: &[Entry]) -> Result<Plan, ZipError> {
        if entries.len() > MAX_ENTRIES {
            return Err(ZipError::TooLarge);
        }
        let fits = |v: u64| u32::try_from(v).ok().filter(|_| v <= MAX_ZIP_BYTES);
        let mut planned = Vec::with_capacity(entries.len());
        let mut at: u64 = 0;
        let mut cd_len: u64 = 0;
        for e in entries {
            let name = e.name.as_bytes().to_vec();
            if name.len() > 0xFFFF {
                return Err(ZipError::TooLarge);
            }
            planned.push(Planned {
                crc: e.crc,
                size: fits(e.size).ok_or(ZipError::TooLarge)?,
                offset: fits(at).ok_or(ZipError::TooLarge)?,
                name,
            });
            let n = e.name.len() as u64;
            at += LOCAL_HEADER + n + e.size;
            cd_len += CENTRAL_HEADER + n;
        }
        let len = at + cd_len + END_RECORD;
        fits(len).ok_or(ZipError::TooLarge)?;
        Ok(Plan {
            entries: planned,
            cd_offset: at as u32,
            cd_len: cd_len as u32,
            len,
        })
    }

    /// The archive's exact length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of entries.
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    /// The size of entry `i`'s data.
    pub fn size(&self, i: usize) -> u64 {
        self.entries[i].size as u64
    }

    /// Entry `i`'s local header (its data follows it).
    pub fn local_header(&self, i: usize) -> Vec<u8> {
        let e = &self.entries[i];
        let mut o = Vec::with_capacity(LOCAL_HEADER as usize + e.name.len());
        put32(&mut o, 0x0403_4b50);
        put16(&mut o, 20); // version needed: 2.0
        put16(&mut o, LANGUAGE_ENCODING_FLAG);
        put16(&mut o, 0); // stored
        put16(&mut o, DOS_TIME);
        put16(&mut o, DOS_DATE);
        put32(&mut o, e.crc);
        put32(&mut o, e.size);
        put32(&mut o, e.size);
        put16(&mut o, e.name.len() as u16);
        put16(&mut o, 0);
        o.extend_from_slice(&e.name);
        o
    }

    /// The central directory and the end record: the archive's last bytes.
    pub fn central_directory(&self) -> Vec<u8> {
        let mut o = Vec::with_capacity((self.cd_len as u64 + END_RECORD) as usize);
        for e in &self.entries {
            put32(&mut o, 0x0201_4b50);
            // Made by Unix, 2.0: archivers apply no OEM code page to the names of Unix entries
            // (Info-ZIP does for MS-DOS ones, even with the UTF-8 flag).
            put16(&mut o, (3 << 8) | 20);
            put16(&mut o, 20);
            put16(&mut o, LANGUAGE_ENCODING_FLAG);
            put16(&mut o, 0);
            put16(&mut o, DOS_TIME);
            put16(&mut o, DOS_DATE);
            put32(&mut o, e.crc);
            put32(&mut o, e.size);
            put32(&mut o, e.size);
            put16(&mut o, e.name.len() as u16);
            put16(&mut o, 0); // extra
            put16(&mut o, 0); // comment
            put16(&mut o, 0); // disk
            put16(&mut o, 0); // internal attributes
            put32(&mut o, 0o100644 << 16); // a regular file, rw-r--r--
            put32(&mut o, e.offset);
            o.extend_from_slice(&e.name);
        }
        let n = self.entries.len() as u16;
        put32(&mut o, 0x0605_4b50);
        put16(&mut o, 0);
        put16(&mut o, 0);
        put16(&mut o, n);
        put16(&mut o, n);
        put32(&mut o, self.cd_len);
        put32(&mut o, self.cd_offset);
        put16(&mut o, 0);
        o
    }
}

/// What the stream is doing between chunks.
enum Step {
    Header(usize),
    Data { i: usize, chunks: Chunks, left: u64 },
    Directory,
    Done,
}

fn changed(i: usize) -> AppError {
    AppError::internal(format!(
        "archive entry {i}: the stored file's length differs from the one recorded"
    ))
}

/// The archive as a stream: each entry's header, then its data as `open(i)` yields it (opened
/// only when the entry's turn comes, so one file is read at a time), then the central
/// directory. Exactly [`Plan::len`] bytes, or an error: a file whose length differs from the
/// planned size fails the stream rather than sending a broken archive.
pub fn stream<F, Fut>(plan: Plan, open: F) -> Chunks
where
    F: FnMut(usize) -> Fut + 'static,
    Fut: Future<Output = AppResult<Chunks>> + 'static,
{
    let start = if plan.is_empty() {
        Step::Directory
    } else {
        Step::Header(0)
    };
    Box::pin(futures::stream::unfold(
        (plan, open, start),
        |(plan, mut open, mut step)| async move {
            loop {
                match step {
                    Step::Done => return None,
                    Step::Directory => {
                        return Some((Ok(plan.central_directory()), (plan, open, Step::Done)))
                    }
                    Step::Header(i) => {
                        return match open(i).await {
                            Ok(chunks) => {
                                let left = plan.size(i);
                                let header = plan.local_header(i);
                                Some((Ok(header), (plan, open, Step::Data { i, chunks, left })))
                            }
                            Err(e) => Some((Err(e), (plan, open, Step::Done))),
                        }
                    }
                    Step::Data {
                        i,
                        mut chunks,
                        left,
                    } => match chunks.next().await {
                        Some(Ok(c)) if c.len() as u64 <= left => {
                            let left = left - c.len() as u64;
                            step = Step::Data { i, chunks, left };
                            if !c.is_empty() {
                                return Some((Ok(c), (plan, open, step)));
                            }
                        }
                        None if left == 0 => {
                            step = if i + 1 < plan.count() {
                                Step::Header(i + 1)
                            } else {
                                Step::Directory
                            };
                        }
                        Some(Ok(_)) | None => {
                            return Some((Err(changed(i)), (plan, open, Step::Done)))
                        }
                        Some(Err(e)) => return Some((Err(e), (plan, open, Step::Done))),
                    },
                }
            }
        },
    ))
}

/// Names unique within an archive: a repeated name gets " (2)", " (3)" before its extension.
pub fn unique_name(taken: &mut Vec<String>, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = if clean.trim().is_empty() {
        "file".to_string()
    } else {
        clean
    };
    let mut candidate = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        candidate = match clean.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
            _ => format!("{clean} ({n})"),
        };
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::TryStreamExt;

    /// Streams an archive of `files`, each yielded in chunks of `chunk` bytes.
    fn build(files: &[(&str, Vec<u8>)], chunk: usize) -> (u64, Vec<u8>) {
        let entries: Vec<Entry> = files
            .iter()
            .map(|(n, b)| Entry {
                name: n.to_string(),
                size: b.len() as u64,
                crc: crc32(b),
            })
            .collect();
        let plan = Plan::new(&entries).unwrap();
        let len = plan.len();
        let data: Vec<Vec<u8>> = files.iter().map(|(_, b)| b.clone()).collect();
        let s = stream(plan, move |i| {
            let parts: Vec<AppResult<Vec<u8>>> =
                data[i].chunks(chunk).map(|c| Ok(c.to_vec())).collect();
            async move { Ok(Box::pin(futures::stream::iter(parts)) as Chunks) }
        });
        let parts: Vec<Vec<u8>> = block_on(s.try_collect()).unwrap();
        (len, parts.concat())
    }

    #[test]
    fn crc32_matches_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    /// Reads the archive back by its own structures: local headers, the central directory and
    /// the end record agree, and the data is where they say.
    #[test]
    fn archive_structure_reads_back() {
        let (len, bytes) = build(
            &[
                ("УПД № 1.pdf", b"%PDF-1.4 one".to_vec()),
                ("b.xml", b"<x/>".to_vec()),
            ],
            5,
        );
        assert_eq!(len, bytes.len() as u64);
        let eocd = bytes.len() - 22;
        assert_eq!(&bytes[eocd..eocd + 4], &[0x50, 0x4b, 0x05, 0x06]);
        let n = u16::from_le_bytes([bytes[eocd + 10], bytes[eocd + 11]]);
        assert_eq!(n, 2);
        let cd = u32::from_le_bytes(bytes[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
        assert_eq!(&bytes[cd..cd + 4], &[0x50, 0x4b, 0x01, 0x02]);
        let flags = u16::from_le_bytes([bytes[cd + 8], bytes[cd + 9]]);
        assert_eq!(flags & LANGUAGE_ENCODING_FLAG, LANGUAGE_ENCODING_FLAG);
        let crc = u32::from_le_bytes(bytes[cd + 16..cd + 20].try_into().unwrap());
        assert_eq!(crc, crc32(b"%PDF-1.4 one"));
        let name_len = u16::from_le_bytes([bytes[cd + 28], bytes[cd + 29]]) as usize;
        assert_eq!(
            std::str::from_utf8(&bytes[cd + 46..cd + 46 + name_len]).unwrap(),
            "УПД № 1.pdf"
        );
        // The first local header's data follows its name.
        let local_name = u16::from_le_bytes([bytes[26], bytes[27]]) as usize;
        assert_eq!(
            &bytes[30 + local_name..30 + local_name + 12],
            b"%PDF-1.4 one"
        );
    }

    /// The length computed before the first byte is the length produced, whatever the chunking,
    /// with empty files and an empty archive too.
    #[test]
    fn length_up_front_equals_bytes_produced() {
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for chunk in [1, 7, 4096, 1 << 20] {
            for files in [
                vec![],
                vec![("empty.pdf", vec![])],
                vec![("a.pdf", big.clone()), ("", vec![1, 2, 3]), ("c", vec![])],
            ] {
                let (len, bytes) = build(&files, chunk);
                assert_eq!(
                    len,
                    bytes.len() as u64,
                    "chunk {chunk}, {} files",
                    files.len()
                );
            }
        }
    }

    /// A file whose bytes differ in length from its recorded size fails the stream.
    #[test]
    fn a_file_of_another_length_fails_the_stream() {
        for actual in [b"abc".to_vec(), b"abcdef".to_vec()] {
            let plan = Plan::new(&[Entry {
                name: "a".into(),
                size: 4,
                crc: 0,
            }])
            .unwrap();
            let s = stream(plan, move |_| {
                let b = actual.clone();
                async move { Ok(Box::pin(futures::stream::iter(vec![Ok(b)])) as Chunks) }
            });
            let r: AppResult<Vec<Vec<u8>>> = block_on(s.try_collect());
            assert!(r.is_err());
        }
    }

    /// Offsets and sizes beyond 32 bits are refused (no ZIP64), as is the entry count; just
    /// under the limit is planned.
    #[test]
    fn beyond_the_classic_format_is_refused() {
        let e = |size: u64| Entry {
            name: "x".into(),
            size,
            crc: 0,
        };
        assert_eq!(Plan::new(&[e(1 << 32)]).err(), Some(ZipError::TooLarge));
        assert_eq!(
            Plan::new(&[e(3 << 30), e(3 << 30)]).err(),
            Some(ZipError::TooLarge)
        );
        let fits = MAX_ZIP_BYTES - (30 + 1) - (46 + 1) - 22;
        assert_eq!(Plan::new(&[e(fits)]).unwrap().len(), MAX_ZIP_BYTES);
        assert_eq!(Plan::new(&[e(fits + 1)]).err(), Some(ZipError::TooLarge));
        let many: Vec<Entry> = (0..=MAX_ENTRIES).map(|_| e(0)).collect();
        assert_eq!(Plan::new(&many).err(), Some(ZipError::TooLarge));
        assert!(Plan::new(&many[..MAX_ENTRIES]).is_ok());
    }

    /// Independent readers accept the archive: Info-ZIP's `unzip -t` (CRCs checked) and Python's
    /// `zipfile` (names, sizes, CRCs, contents), where installed; CI images have both.
    #[test]
    fn unzip_and_python_read_the_archive() {
        let big: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let files = vec![
            ("Счет № 1.pdf", b"%PDF-1.4 invoice".to_vec()),
            ("УПД № 2.pdf", big.clone()),
            ("empty.txt", vec![]),
        ];
        let (len, bytes) = build(&files, 65_536);
        assert_eq!(len, bytes.len() as u64);
        let dir = std::env::temp_dir().join(format!("zip-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.zip");
        std::fs::write(&path, &bytes).unwrap();
        let mut checked = 0;
        if let Ok(out) = std::process::Command::new("unzip")
            .arg("-t")
            .arg(&path)
            .output()
        {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "unzip -t: {text}");
            assert!(text.contains("No errors detected"), "{text}");
            checked += 1;
        }
        let script = r#"
import sys, zipfile, zlib
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
for i in z.infolist():
    data = z.read(i)
    assert len(data) == i.file_size == i.compress_size, i
    assert zlib.crc32(data) == i.CRC, i
    assert i.compress_type == zipfile.ZIP_STORED
    print(i.filename, i.file_size)
"#;
        if let Ok(out) = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output()
        {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "python zipfile: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                text.lines().collect::<Vec<_>>(),
                vec![
                    "Счет № 1.pdf 16".to_string(),
                    format!("УПД № 2.pdf {}", big.len()),
                    "empty.txt 0".to_string()
                ]
            );
            checked += 1;
        }
        std::fs::remove_dir_all(&dir).ok();
        if checked == 0 {
            eprintln!(
                "note: neither unzip nor python3 installed: checked by the reader above only"
            );
        }
    }

    #[test]
    fn repeated_names_are_made_unique() {
        let mut taken = Vec::new();
        assert_eq!(unique_name(&mut taken, "a.pdf"), "a.pdf");
        assert_eq!(unique_name(&mut taken, "a.pdf"), "a (2).pdf");
        assert_eq!(unique_name(&mut taken, "A.PDF"), "A (3).PDF");
        assert_eq!(unique_name(&mut taken, "../x/y"), ".._x_y");
        assert_eq!(unique_name(&mut taken, "  "), "file");
    }
}
