//! A small ZIP writer: stored entries (no compression: PDFs are compressed already), CRC-32
//! computed here, UTF-8 names flagged as such (bit 11) so archivers show the Russian names.
//! Everything is built in memory, so callers cap the total first (see [`MAX_ZIP_BYTES`]).

/// The largest archive the portal builds in one Worker invocation. The isolate has 128 MB; at the
/// peak the archive, the file being added and the response's copy on the JS side are all held.
pub const MAX_ZIP_BYTES: u64 = 24 * 1024 * 1024;

const LANGUAGE_ENCODING_FLAG: u16 = 1 << 11;

static CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// CRC-32 (IEEE 802.3, the one ZIP uses).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

struct Entry {
    name: Vec<u8>,
    crc: u32,
    size: u32,
    offset: u32,
}

/// Builds an archive entry by entry; [`ZipWriter::finish`] writes the central directory.
#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    entries: Vec<Entry>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ZipError {
    /// Beyond the classic format's 4 GiB / 65,535 entries (never reached under the cap).
    TooLarge,
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// DOS date and time fields for a fixed instant (the archive's files are printed forms: their
/// own dates are in the documents, so one stamp keeps the output reproducible).
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = ((2020 - 1980) << 9) | (1 << 5) | 1;

impl ZipWriter {
    pub fn new() -> ZipWriter {
        ZipWriter::default()
    }

    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<(), ZipError> {
        let size = u32::try_from(data.len()).map_err(|_| ZipError::TooLarge)?;
        let offset = u32::try_from(self.out.len()).map_err(|_| ZipError::TooLarge)?;
        if self.entries.len() >= 0xFFFF || name.len() > 0xFFFF {
            return Err(ZipError::TooLarge);
        }
        let crc = crc32(data);
        let name = name.as_bytes().to_vec();
        let o = &mut self.out;
        put32(o, 0x0403_4b50);
        put16(o, 20); // version needed: 2.0
        put16(o, LANGUAGE_ENCODING_FLAG);
        put16(o, 0); // stored
        put16(o, DOS_TIME);
        put16(o, DOS_DATE);
        put32(o, crc);
        put32(o, size);
        put32(o, size);
        put16(o, name.len() as u16);
        put16(o, 0);
        o.extend_from_slice(&name);
        o.extend_from_slice(data);
        if self.out.len() > u32::MAX as usize {
            return Err(ZipError::TooLarge);
        }
        self.entries.push(Entry {
            name,
            crc,
            size,
            offset,
        });
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, ZipError> {
        let cd_start = u32::try_from(self.out.len()).map_err(|_| ZipError::TooLarge)?;
        for e in &self.entries {
            let o = &mut self.out;
            put32(o, 0x0201_4b50);
            // Made by Unix, 2.0: archivers apply no OEM code page to the names of Unix entries
            // (Info-ZIP does for MS-DOS ones, even with the UTF-8 flag).
            put16(o, (3 << 8) | 20);
            put16(o, 20);
            put16(o, LANGUAGE_ENCODING_FLAG);
            put16(o, 0);
            put16(o, DOS_TIME);
            put16(o, DOS_DATE);
            put32(o, e.crc);
            put32(o, e.size);
            put32(o, e.size);
            put16(o, e.name.len() as u16);
            put16(o, 0); // extra
            put16(o, 0); // comment
            put16(o, 0); // disk
            put16(o, 0); // internal attributes
            put32(o, 0o100644 << 16); // a regular file, rw-r--r--
            put32(o, e.offset);
            o.extend_from_slice(&e.name);
        }
        let cd_size =
            u32::try_from(self.out.len() - cd_start as usize).map_err(|_| ZipError::TooLarge)?;
        let n = self.entries.len() as u16;
        let o = &mut self.out;
        put32(o, 0x0605_4b50);
        put16(o, 0);
        put16(o, 0);
        put16(o, n);
        put16(o, n);
        put32(o, cd_size);
        put32(o, cd_start);
        put16(o, 0);
        Ok(self.out)
    }
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
        let mut z = ZipWriter::new();
        z.add("УПД № 1.pdf", b"%PDF-1.4 one").unwrap();
        z.add("b.xml", b"<x/>").unwrap();
        let bytes = z.finish().unwrap();
        let eocd = bytes.len() - 22;
        assert_eq!(&bytes[eocd..eocd + 4], &[0x50, 0x4b, 0x05, 0x06]);
        let n = u16::from_le_bytes([bytes[eocd + 10], bytes[eocd + 11]]);
        assert_eq!(n, 2);
        let cd = u32::from_le_bytes(bytes[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
        assert_eq!(&bytes[cd..cd + 4], &[0x50, 0x4b, 0x01, 0x02]);
        let flags = u16::from_le_bytes([bytes[cd + 8], bytes[cd + 9]]);
        assert_eq!(flags & LANGUAGE_ENCODING_FLAG, LANGUAGE_ENCODING_FLAG);
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
