//! `zip=yes` on the order side (`type=sale`): 1C sends its order file as a ZIP archive, as it does
//! when the site's `init` answers `zip=yes` (the Bitrix site, `sale.export.1c`, offers it by
//! default: `USE_ZIP`). The archive is stored like any upload (`mode=file`, in pieces), and once
//! it is whole ([`super::unzip::closes_archive`]: 1C's pieces need not be `file_limit` long) its
//! XML entries are unpacked and imported exactly as the plain file would be, within the request
//! (Bitrix imports the unpacked file in the same request too); `import` then answers the result,
//! under the archive's name or the name the file had inside it.
//!
//! An order file is small and read whole, so the entries are inflated in memory
//! ([`super::unzip::inflate_whole`]) with the catalogue's caps (entry size, ratio, CRC-32,
//! entries) and one more: the XML entries together unpack to at most
//! [`super::MAX_ORDER_FILE_BYTES`], checked on the directory before a byte is inflated. Memory:
//! those entries, one read window ([`super::unzip::IN_WINDOW`]) and the directory, the same as a
//! plain order file of that size. All entries are unpacked before any is imported, so a damaged
//! archive changes nothing.

use super::unzip;
use super::{FileRow, MAX_ORDER_FILE_BYTES};
use crate::error::AppResult;
use crate::exchange::sql;
use crate::ports::{DatabaseExt, Ports, Stmt};
use serde::Deserialize;

/// Most order files (XML entries) in one archive: 1C sends one.
pub const MAX_ORDER_FILES: usize = 16;

/// Whether an upload of the order exchange is an archive.
pub fn is_archive(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// Whether the archive stored so far is whole (its last piece has arrived).
pub(crate) async fn is_whole<P: Ports>(p: &P, session: &str, name: &str) -> AppResult<bool> {
    let row = Stmt::new(sql::CML_FILE).bind(session).bind(name);
    match p.db().first::<FileRow>(row).await? {
        Some(file) => unzip::is_whole(p, session, name, &file.sizes()?).await,
        None => Ok(false),
    }
}

/// Imports the order files in the stored archive: the report 1C logs (each file's, by its name
/// when there are several), or why the archive cannot be read.
pub(crate) async fn import<P: Ports>(
    p: &P,
    session: &str,
    name: &str,
    file: &FileRow,
) -> AppResult<Result<String, String>> {
    let sizes = file.sizes()?;
    let entries = match unzip::read_directory(p, session, name, &sizes).await? {
        Ok(v) => v,
        Err(reason) => return Ok(Err(format!("{name}: {reason}"))),
    };
    let xml: Vec<_> = entries
        .into_iter()
        .filter(|e| !e.name.ends_with('/') && e.name.to_ascii_lowercase().ends_with(".xml"))
        .collect();
    if xml.is_empty() {
        return Ok(Err(format!("{name}: no order file (.xml) in the archive")));
    }
    if xml.len() > MAX_ORDER_FILES {
        return Ok(Err(format!(
            "{name}: more than {MAX_ORDER_FILES} order files in the archive"
        )));
    }
    let declared: u64 = xml.iter().map(|e| e.size).sum();
    if declared > MAX_ORDER_FILE_BYTES as u64 {
        return Ok(Err(format!(
            "{name}: its order files unpack to {declared} bytes, more than {MAX_ORDER_FILE_BYTES}"
        )));
    }
    let mut files = Vec::with_capacity(xml.len());
    for e in &xml {
        match unzip::inflate_whole(p, session, name, &sizes, e, MAX_ORDER_FILE_BYTES as u64).await?
        {
            Ok(bytes) => files.push((e.name.as_str(), bytes)),
            Err(reason) => return Ok(Err(reason)),
        }
    }
    let mut reports = Vec::with_capacity(files.len());
    let several = files.len() > 1;
    for (entry, bytes) in files {
        match super::sale::import_orders(p, &bytes).await? {
            Ok(report) if several => reports.push(format!("{entry}: {report}")),
            Ok(report) => reports.push(report),
            Err(reason) => return Ok(Err(format!("{entry}: {reason}"))),
        }
    }
    Ok(Ok(reports.join("\n")))
}

/// The archive of the session a file named by `import` came in, when it was not uploaded by
/// itself (1C asks for the order file by the name it had in the archive).
pub(crate) async fn archive_of<P: Ports>(p: &P, session: &str) -> AppResult<Option<String>> {
    #[derive(Deserialize)]
    struct Archive {
        name: String,
    }
    let archives: Vec<Archive> = p
        .db()
        .all(Stmt::new(sql::CML_SESSION_ARCHIVES).bind(session))
        .await?;
    Ok(archives.into_iter().next().map(|a| a.name))
}
