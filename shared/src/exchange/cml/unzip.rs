//! `zip=yes`: 1C sends the exchange's files as one ZIP archive (`mode=file`, in chunks like any
//! file). The archive is unpacked by an import job of kind `unzip` (the queue consumer, as the
//! large imports; `import` answers `progress` meanwhile): its entries become files of the session
//! in the same chunk layout as uploaded ones (`cml_files.chunk_sizes`, one R2 object per chunk of
//! at most [`OUT_CHUNK`] bytes; no R2 multipart), which `import` then reads as if 1C had sent
//! them one by one.
//!
//! Memory stays bounded whatever the entry size: the compressed data is read with ranged reads in
//! windows of [`IN_WINDOW`] bytes and inflated as a stream (`miniz_oxide`'s `InflateState`, the
//! Rust-only inflater `flate2` uses by default: no C, builds for wasm32, keeps its own 32 KiB
//! dictionary), [`FEED`] bytes at a time, each [`OUT_CHUNK`] of output written out as soon as it is
//! full: under 16 MiB at any time (the window, at most two pieces), for a 100 MB entry as for a
//! small one. Caps: [`MAX_ENTRY_BYTES`] per entry, a compression
//! ratio of at most [`MAX_RATIO`] (a bomb is refused before a byte is inflated, and the inflated
//! size is checked against the declared one as it grows), [`MAX_ENTRIES`] entries; the CRC-32 of
//! each entry is checked. Encrypted entries, methods other than stored / deflate, and ZIP64 are
//! refused (1C writes none of them).
//!
//! A slice unpacks a run of entries (until about [`SLICE_OUT_BYTES`] are written) and registers
//! them in one D1 batch guarded like any slice, so a slice run twice registers once (its R2 writes
//! are the same objects again).

use super::{chunk_key, file_path, read_range, FileRow};
use crate::error::AppResult;
use crate::exchange::sql;
use crate::ports::{BlobStore, Database, DatabaseExt, Ports, Stmt};
use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use serde::{Deserialize, Serialize};

/// Bytes of compressed data read at a time.
pub const IN_WINDOW: u64 = 1 << 20;
/// Compressed bytes inflated before the output is written out.
pub const FEED: usize = 4 << 10;
/// Largest chunk object an entry is written in.
pub const OUT_CHUNK: usize = 4 << 20;
/// Largest entry (inflated).
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;
/// Largest inflated / compressed ratio of an entry above 1 MiB.
pub const MAX_RATIO: u64 = 200;
/// Most entries in one archive.
pub const MAX_ENTRIES: usize = 20_000;
/// Largest central directory read.
const MAX_DIRECTORY: u64 = 8 << 20;
/// A slice stops after the entry that brought its output past this.
pub const SLICE_OUT_BYTES: u64 = 16 << 20;

/// Whether an archive entry is kept: CommerceML files and the pictures a file sent alone would
/// be kept for (`import_files/...`, those thumbnails are made of: [`super::thumbs::is_image`]).
pub fn kept(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".xml") || super::thumbs::is_image(name)
}

/// One entry of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The raw name as stored (`/`-separated).
    pub name: String,
    pub method: u16,
    pub flags: u16,
    pub crc: u32,
    pub compressed: u64,
    pub size: u64,
    /// Where its local header starts.
    pub header_at: u64,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn bad(reason: impl Into<String>) -> String {
    reason.into()
}

/// From the archive's tail (its last up to 64 KiB + 22 bytes): where its central directory is
/// and how big (offset, size, entries).
pub fn end_of_directory(tail: &[u8]) -> Result<(u64, u64, usize), String> {
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(tail, i) == Some(0x0605_4b50))
        .ok_or_else(|| bad("not a ZIP archive (no end of central directory)"))?;
    let entries = u16_at(tail, at + 10).unwrap_or(0);
    let size = u32_at(tail, at + 12).unwrap_or(0);
    let offset = u32_at(tail, at + 16).unwrap_or(0);
    if entries == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
        return Err(bad("ZIP64 archives are not supported"));
    }
    Ok((offset as u64, size as u64, entries as usize))
}

/// The entries of a central directory.
pub fn directory(cd: &[u8], entries: usize) -> Result<Vec<Entry>, String> {
    if entries > MAX_ENTRIES {
        return Err(format!("more than {MAX_ENTRIES} entries in the archive"));
    }
    let mut out = Vec::with_capacity(entries);
    let mut at = 0usize;
    for _ in 0..entries {
        let short = || bad("the archive's directory is cut short");
        if u32_at(cd, at) != Some(0x0201_4b50) {
            return Err(short());
        }
        let flags = u16_at(cd, at + 8).ok_or_else(short)?;
        let method = u16_at(cd, at + 10).ok_or_else(short)?;
        let crc = u32_at(cd, at + 16).ok_or_else(short)?;
        let compressed = u32_at(cd, at + 20).ok_or_else(short)? as u64;
        let size = u32_at(cd, at + 24).ok_or_else(short)? as u64;
        let n = u16_at(cd, at + 28).ok_or_else(short)? as usize;
        let e = u16_at(cd, at + 30).ok_or_else(short)? as usize;
        let c = u16_at(cd, at + 32).ok_or_else(short)? as usize;
        let header_at = u32_at(cd, at + 42).ok_or_else(short)? as u64;
        let raw = cd.get(at + 46..at + 46 + n).ok_or_else(short)?;
        // Bit 11: UTF-8. Otherwise the names 1C writes are ASCII; anything else is not a name
        // the portal keeps (`file_path` refuses it).
        let name = String::from_utf8_lossy(raw).replace('\\', "/");
        if compressed == 0xffff_ffff || size == 0xffff_ffff || header_at == 0xffff_ffff {
            return Err(bad("ZIP64 archives are not supported"));
        }
        out.push(Entry {
            name,
            method,
            flags,
            crc,
            compressed,
            size,
            header_at,
        });
        at += 46 + n + e + c;
    }
    Ok(out)
}

/// Why an entry cannot be unpacked, before any of it is read.
pub fn refuse_entry(e: &Entry) -> Option<String> {
    if e.flags & 1 != 0 {
        return Some(format!("{}: encrypted entries are not supported", e.name));
    }
    if e.method != 0 && e.method != 8 {
        return Some(format!(
            "{}: compression method {} is not supported (stored or deflate only)",
            e.name, e.method
        ));
    }
    if e.size > MAX_ENTRY_BYTES {
        return Some(format!(
            "{}: {} bytes unpacked, more than {MAX_ENTRY_BYTES}",
            e.name, e.size
        ));
    }
    if e.size > 1 << 20 && e.size > e.compressed.saturating_mul(MAX_RATIO) {
        return Some(format!(
            "{}: compressed more than {MAX_RATIO} to 1, refused as a possible ZIP bomb",
            e.name
        ));
    }
    None
}

/// Inflates (or copies) one entry's data, given as successive windows of compressed bytes, into
/// `sink` in pieces of at most [`OUT_CHUNK`] bytes. Checks the declared size and the CRC-32.
pub struct Inflater {
    state: Option<Box<InflateState>>,
    buf: Vec<u8>,
    piece: Vec<u8>,
    written: u64,
    crc: crc32fast::Hasher,
    ended: bool,
    entry: Entry,
}

impl Inflater {
    pub fn new(entry: Entry) -> Inflater {
        Inflater {
            state: (entry.method == 8).then(|| InflateState::new_boxed(DataFormat::Raw)),
            buf: vec![0; 64 << 10],
            piece: Vec::with_capacity(OUT_CHUNK.min(entry.size as usize)),
            written: 0,
            crc: crc32fast::Hasher::new(),
            ended: false,
            entry,
        }
    }

    fn take(&mut self, bytes: &[u8], pieces: &mut Vec<Vec<u8>>) -> Result<(), String> {
        self.written += bytes.len() as u64;
        if self.written > self.entry.size {
            return Err(format!(
                "{}: unpacks to more than the {} bytes it declares",
                self.entry.name, self.entry.size
            ));
        }
        self.crc.update(bytes);
        let mut rest = bytes;
        while !rest.is_empty() {
            let room = OUT_CHUNK - self.piece.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.piece.extend_from_slice(now);
            rest = later;
            if self.piece.len() == OUT_CHUNK {
                pieces.push(std::mem::replace(
                    &mut self.piece,
                    Vec::with_capacity(OUT_CHUNK),
                ));
            }
        }
        Ok(())
    }

    /// Feeds the next window of compressed data; full pieces are appended to `pieces` (write
    /// them out before feeding more).
    pub fn feed(&mut self, input: &[u8], pieces: &mut Vec<Vec<u8>>) -> Result<(), String> {
        if self.state.is_none() {
            return self.take(input, pieces);
        }
        let mut input = input;
        while !self.ended {
            let state = self.state.as_mut().expect("a deflate entry has its state");
            let r = inflate(state, input, &mut self.buf, MZFlush::None);
            input = &input[r.bytes_consumed..];
            let produced = r.bytes_written;
            match r.status {
                Ok(MZStatus::StreamEnd) => self.ended = true,
                Ok(_) | Err(MZError::Buf) => {}
                Err(e) => return Err(format!("{}: bad deflate data ({e:?})", self.entry.name)),
            }
            let out = std::mem::take(&mut self.buf);
            let taken = self.take(&out[..produced], pieces);
            self.buf = out;
            taken?;
            if input.is_empty() && produced == 0 {
                break;
            }
        }
        Ok(())
    }

    /// After the last window: the last piece, once size and CRC-32 match.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        if self.state.is_some() && !self.ended {
            return Err(format!(
                "{}: the deflate stream is cut short",
                self.entry.name
            ));
        }
        if self.written != self.entry.size {
            return Err(format!(
                "{}: {} bytes unpacked, {} declared",
                self.entry.name, self.written, self.entry.size
            ));
        }
        if self.crc.clone().finalize() != self.entry.crc {
            return Err(format!("{}: CRC-32 mismatch", self.entry.name));
        }
        Ok(std::mem::take(&mut self.piece))
    }
}

/// Whether `tail` (the last bytes of a `total`-byte upload) closes a whole archive: an end of
/// central directory that ends the file exactly (with its comment), right after the directory it
/// points to. A part of an archive sent so far has none there (1C sends it in pieces).
pub fn closes_archive(tail: &[u8], total: u64) -> bool {
    let Some(at) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(tail, i) == Some(0x0605_4b50))
    else {
        return false;
    };
    let comment = u16_at(tail, at + 20).unwrap_or(0) as usize;
    let end_at = total - (tail.len() - at) as u64;
    match end_of_directory(&tail[at..]) {
        Ok((cd_at, cd_len, _)) => at + 22 + comment == tail.len() && cd_at + cd_len == end_at,
        Err(_) => false,
    }
}

/// The stored upload's last up to 64 KiB + 22 bytes (where its end of central directory is).
async fn tail<P: Ports>(p: &P, session: &str, name: &str, sizes: &[u64]) -> AppResult<Vec<u8>> {
    let total: u64 = sizes.iter().sum();
    let len = total.min(65_535 + 22);
    read_range(p, session, name, sizes, total - len, len).await
}

/// Whether the stored upload is a whole archive yet ([`closes_archive`]).
pub(crate) async fn is_whole<P: Ports>(
    p: &P,
    session: &str,
    name: &str,
    sizes: &[u64],
) -> AppResult<bool> {
    let total: u64 = sizes.iter().sum();
    Ok(closes_archive(&tail(p, session, name, sizes).await?, total))
}

/// The entries of a stored archive: two ranged reads (its tail, then its directory, at most
/// [`MAX_DIRECTORY`]); `Err` for what is not a whole archive the portal reads.
pub(crate) async fn read_directory<P: Ports>(
    p: &P,
    session: &str,
    name: &str,
    sizes: &[u64],
) -> AppResult<Result<Vec<Entry>, String>> {
    let total: u64 = sizes.iter().sum();
    let (cd_at, cd_len, count) = match end_of_directory(&tail(p, session, name, sizes).await?) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if cd_len > MAX_DIRECTORY || cd_at + cd_len > total {
        return Ok(Err(
            "the archive's directory is too large or out of the file".into(),
        ));
    }
    let cd = read_range(p, session, name, sizes, cd_at, cd_len).await?;
    Ok(directory(&cd, count))
}

/// Where an entry's compressed data starts (after its local header), checked to lie within the
/// archive.
pub(crate) async fn data_start<P: Ports>(
    p: &P,
    session: &str,
    name: &str,
    sizes: &[u64],
    e: &Entry,
) -> AppResult<Result<u64, String>> {
    let total: u64 = sizes.iter().sum();
    if e.header_at + 30 > total {
        return Ok(Err(format!(
            "{}: its header runs past the archive's end",
            e.name
        )));
    }
    let header = read_range(p, session, name, sizes, e.header_at, 30).await?;
    if u32_at(&header, 0) != Some(0x0403_4b50) {
        return Ok(Err(format!(
            "{}: no local header where the directory says",
            e.name
        )));
    }
    let data_at = e.header_at
        + 30
        + u16_at(&header, 26).unwrap_or(0) as u64
        + u16_at(&header, 28).unwrap_or(0) as u64;
    if data_at + e.compressed > total {
        return Ok(Err(format!(
            "{}: its data runs past the archive's end",
            e.name
        )));
    }
    Ok(Ok(data_at))
}

/// One entry inflated into memory, for a small file read whole anyway (1C's order file): the
/// compressed data read in [`IN_WINDOW`] windows, fed [`FEED`] bytes at a time, size and CRC-32
/// checked. Holds the entry (its declared size, refused above `cap` before a byte is read) and
/// one window.
pub(crate) async fn inflate_whole<P: Ports>(
    p: &P,
    session: &str,
    name: &str,
    sizes: &[u64],
    e: &Entry,
    cap: u64,
) -> AppResult<Result<Vec<u8>, String>> {
    if let Some(reason) = refuse_entry(e) {
        return Ok(Err(reason));
    }
    if e.size > cap {
        return Ok(Err(format!(
            "{}: {} bytes unpacked, more than {cap}",
            e.name, e.size
        )));
    }
    let data_at = match data_start(p, session, name, sizes, e).await? {
        Ok(at) => at,
        Err(reason) => return Ok(Err(reason)),
    };
    let mut inflater = Inflater::new(e.clone());
    let (mut out, mut pieces, mut pos) = (Vec::with_capacity(e.size as usize), Vec::new(), 0u64);
    while pos < e.compressed {
        let len = IN_WINDOW.min(e.compressed - pos);
        let window = read_range(p, session, name, sizes, data_at + pos, len).await?;
        pos += len;
        for sub in window.chunks(FEED) {
            if let Err(reason) = inflater.feed(sub, &mut pieces) {
                return Ok(Err(reason));
            }
            pieces.drain(..).for_each(|piece| out.extend(piece));
        }
    }
    match inflater.finish() {
        Ok(last) => out.extend(last),
        Err(reason) => return Ok(Err(reason)),
    }
    Ok(Ok(out))
}

/// Where the unpacking stands (the job's checkpoint).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    /// The next entry of the directory to look at.
    pub entry: usize,
    /// Entries unpacked so far.
    pub files: usize,
}

/// Runs the next slice of an `unzip` job: unpacks entries from the checkpoint on and registers
/// them. Returns the import statements' guard outcome as the other slices do.
pub(crate) async fn run_slice<P: Ports>(
    p: &P,
    row: &super::import::ImportRow,
) -> AppResult<Result<super::import::SliceRun, String>> {
    use super::import::SliceRun;
    let Some(file) = p
        .db()
        .first::<FileRow>(Stmt::new(sql::CML_FILE).bind(&row.session).bind(&row.name))
        .await?
    else {
        return Ok(Ok(SliceRun::Stale));
    };
    let sizes = file.sizes()?;
    let at: Progress = row
        .checkpoint
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    // The directory (re-read by every slice: at most a few MiB, read in one ranged read).
    let entries = match read_directory(p, &row.session, &row.name, &sizes).await? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let mut stmts = Vec::new();
    let (mut next, mut files, mut out_bytes) = (at.entry, at.files, 0u64);
    let now = p.now();
    while next < entries.len() && out_bytes < SLICE_OUT_BYTES {
        let e = entries[next].clone();
        next += 1;
        if e.name.ends_with('/') || !kept(&e.name) {
            continue;
        }
        let Some(name) = file_path(&e.name) else {
            return Ok(Err(format!("{}: not a name the portal keeps", e.name)));
        };
        if let Some(reason) = refuse_entry(&e) {
            return Ok(Err(reason));
        }
        let data_at = match data_start(p, &row.session, &row.name, &sizes, &e).await? {
            Ok(at) => at,
            Err(reason) => return Ok(Err(reason)),
        };
        let mut inflater = Inflater::new(e.clone());
        let mut chunk_sizes: Vec<u64> = Vec::new();
        let mut pos = 0u64;
        let mut pieces = Vec::new();
        loop {
            let len = IN_WINDOW.min(e.compressed - pos);
            if len > 0 {
                let window =
                    read_range(p, &row.session, &row.name, &sizes, data_at + pos, len).await?;
                pos += len;
                // Fed in small pieces, each one's output written out before the next: deflate
                // inflates at most about 1,032 to 1, so [`FEED`] bytes never hold more than
                // about one [`OUT_CHUNK`] of output, however compressible the entry.
                for sub in window.chunks(FEED) {
                    if let Err(reason) = inflater.feed(sub, &mut pieces) {
                        return Ok(Err(reason));
                    }
                    for piece in pieces.drain(..) {
                        let key = chunk_key(&row.session, &name, chunk_sizes.len());
                        chunk_sizes.push(piece.len() as u64);
                        p.blobs()
                            .put(&key, piece, "application/octet-stream")
                            .await?;
                    }
                }
            }
            if pos >= e.compressed {
                break;
            }
        }
        let last = match inflater.finish() {
            Ok(last) => last,
            Err(reason) => return Ok(Err(reason)),
        };
        if !last.is_empty() || chunk_sizes.is_empty() {
            let key = chunk_key(&row.session, &name, chunk_sizes.len());
            chunk_sizes.push(last.len() as u64);
            p.blobs()
                .put(&key, last, "application/octet-stream")
                .await?;
        }
        out_bytes += e.size;
        files += 1;
        stmts.push(
            Stmt::new(sql::CML_IMPORT_FORGET)
                .bind(&row.session)
                .bind(&name),
        );
        stmts.push(
            Stmt::new(sql::CML_FILE_UNPACKED)
                .bind(&row.session)
                .bind(&name)
                .bind(chunk_sizes.len() as i64)
                .bind(e.size as i64)
                .bind(now)
                .bind(serde_json::to_string(&chunk_sizes)?),
        );
    }
    let finished = next >= entries.len();
    let checkpoint = serde_json::to_string(&Progress { entry: next, files })?;
    let result = finished.then(|| format!("unpacked: {files}"));
    let mut batch = Vec::with_capacity(stmts.len() + 4);
    batch.push(
        Stmt::new(sql::CML_IMPORT_GUARD)
            .bind(&row.job)
            .bind(row.slice),
    );
    batch.extend(stmts);
    batch.push(
        Stmt::new(sql::CML_IMPORT_ADVANCE)
            .bind(&row.job)
            .bind((!finished).then_some(checkpoint))
            .bind((files - at.files) as i64)
            .bind(0i64)
            .bind(0i64)
            .bind(if finished { "done" } else { "running" })
            .bind(result.clone())
            .bind(now)
            .bind(None::<i64>),
    );
    if let Some(result) = &result {
        batch.push(
            Stmt::new(sql::CML_FILE_DONE)
                .bind("imported")
                .bind(result.as_str())
                .bind(now)
                .bind(&row.session)
                .bind(&row.name),
        );
    }
    batch.push(Stmt::new(sql::CML_IMPORT_GUARD_END));
    // A slice that wrote much ends its invocation (CPU), as a full statement budget would.
    let statements = if out_bytes > super::SYNC_IMPORT_BYTES as u64 {
        super::import::INVOCATION_STATEMENTS
    } else {
        batch.len()
    };
    match p.db().batch(batch).await {
        Ok(_) if finished => Ok(Ok(SliceRun::Finished)),
        Ok(_) => Ok(Ok(SliceRun::Advanced { statements })),
        Err(e) if e.to_string().contains("CHECK constraint failed") => Ok(Ok(SliceRun::Stale)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use crate::testing::zip_archive as zip;

    fn entries(archive: &[u8]) -> Vec<Entry> {
        let (at, len, n) = end_of_directory(archive).unwrap();
        directory(&archive[at as usize..(at + len) as usize], n).unwrap()
    }

    /// Inflates an entry from windows of `window` bytes; returns the pieces and the largest
    /// amount of output held at once.
    fn unpack(archive: &[u8], e: &Entry, window: usize) -> Result<(Vec<u8>, usize), String> {
        let at = e.header_at as usize;
        let data_at = at
            + 30
            + u16_at(archive, at + 26).unwrap() as usize
            + u16_at(archive, at + 28).unwrap() as usize;
        let data = &archive[data_at..data_at + e.compressed as usize];
        let mut inf = Inflater::new(e.clone());
        let (mut out, mut pieces, mut held) = (Vec::new(), Vec::new(), 0);
        for w in data.chunks(window) {
            inf.feed(w, &mut pieces)?;
            for p in pieces.drain(..) {
                held = held.max(p.len());
                out.extend(p);
            }
        }
        let last = inf.finish()?;
        held = held.max(last.len());
        out.extend(last);
        Ok((out, held))
    }

    #[test]
    fn entries_inflate_back_in_pieces_of_at_most_out_chunk() {
        // 9 MiB of varied text: three pieces.
        let big: Vec<u8> = (0..9u32 << 20)
            .map(|i| b"<Tovar>abcdefghij0123456789"[(i % 26) as usize] ^ (i / 4099) as u8)
            .collect();
        let small = "<КоммерческаяИнформация/>".as_bytes();
        for stored in [false, true] {
            let a = zip(
                &[
                    ("goods/1/import___a.xml", &big),
                    ("properties/p.xml", small),
                ],
                stored,
            );
            let es = entries(&a);
            assert_eq!(es.len(), 2);
            assert_eq!(es[0].name, "goods/1/import___a.xml");
            let (out, held) = unpack(&a, &es[0], 1 << 20).unwrap();
            assert!(out == big, "the same bytes back");
            assert!(held <= OUT_CHUNK);
            assert_eq!(unpack(&a, &es[1], 7).unwrap().0, small);
        }
    }

    #[test]
    fn bombs_lies_and_damage_are_refused() {
        let zeros = vec![0u8; 3 << 20];
        let a = zip(&[("bomb.xml", &zeros)], false);
        let e = entries(&a).remove(0);
        assert!(refuse_entry(&e).unwrap().contains("ZIP bomb"), "{e:?}");
        let mut huge = e.clone();
        huge.size = MAX_ENTRY_BYTES + 1;
        huge.compressed = MAX_ENTRY_BYTES;
        assert!(refuse_entry(&huge).is_some());
        let mut lying = e.clone();
        lying.size = 100;
        assert!(unpack(&a, &lying, 1 << 20)
            .unwrap_err()
            .contains("more than"));
        let mut bad_crc = e.clone();
        bad_crc.crc ^= 1;
        assert!(unpack(&a, &bad_crc, 1 << 20).unwrap_err().contains("CRC"));
        let mut cut = e.clone();
        cut.compressed /= 2;
        assert!(unpack(&a, &cut, 1 << 20).is_err());
        let mut encrypted = e.clone();
        encrypted.flags = 1;
        assert!(refuse_entry(&encrypted).is_some());
        let mut bzip = e;
        bzip.method = 12;
        assert!(refuse_entry(&bzip).is_some());
        assert!(end_of_directory(b"not a zip at all, just text").is_err());
    }

    #[test]
    fn a_very_compressible_entry_fed_in_feed_pieces_holds_at_most_two_pieces() {
        let zeros = vec![b' '; 40 << 20];
        let a = zip(&[("spaces.xml", &zeros)], false);
        let e = entries(&a).remove(0);
        assert!(e.compressed < 100 << 10, "about 1,000 to 1");
        let at = e.header_at as usize + 30 + e.name.len();
        let mut inf = Inflater::new(e.clone());
        let (mut pieces, mut most, mut total) = (Vec::new(), 0, 0);
        for sub in a[at..at + e.compressed as usize].chunks(FEED) {
            inf.feed(sub, &mut pieces).unwrap();
            most = most.max(pieces.len());
            total += pieces.drain(..).map(|p| p.len()).sum::<usize>();
        }
        total += inf.finish().unwrap().len();
        assert_eq!(total, zeros.len());
        assert!(most <= 2, "{most} pieces held at once");
    }

    #[test]
    fn only_the_whole_archive_closes_it_never_a_part_sent_so_far() {
        let xml = "<КоммерческаяИнформация/>".repeat(200);
        for stored in [false, true] {
            let a = zip(
                &[("orders.xml", xml.as_bytes()), ("b/x.xml", b"<a/>")],
                stored,
            );
            assert!(closes_archive(&a, a.len() as u64));
            for cut in 1..a.len() {
                assert!(
                    !closes_archive(&a[..cut], cut as u64),
                    "{cut} of {}",
                    a.len()
                );
            }
            // Only the tail is read from storage: the same answer from the last bytes.
            assert!(closes_archive(&a[a.len() - 30..], a.len() as u64));
            // An end record that points elsewhere than right before it (a longer upload).
            assert!(!closes_archive(&a, a.len() as u64 + 7));
        }
    }

    #[test]
    fn kept_entries_are_commerceml_and_pictures() {
        assert!(kept("goods/1/import___a.xml"));
        assert!(kept("import_files/ab/x.JPG"));
        assert!(!kept("readme.txt"));
        // The same pictures as a file sent alone (`file`: what thumbnails are made of).
        for name in ["a/x.gif", "a/x.webp", "a/x.png", "a/x.jpeg", "a/x.bmp"] {
            assert_eq!(kept(name), super::super::thumbs::is_image(name), "{name}");
        }
    }
}
