//! Each stored file's length and CRC-32 (`blob_checksums`): recorded once when 1C uploads the
//! file, so an order's ZIP knows every entry's header and its own exact length before sending a
//! byte ([`super::zip`]), and a download's `ETag` needs no read of the file. A file stored before
//! they were kept gets them on its first download: read through once, never held whole.

use super::sql;
use crate::error::AppResult;
use crate::ports::{BlobStore, DatabaseExt, Ports, Stmt};
use futures::TryStreamExt;
use serde::Deserialize;

/// A stored file's length and CRC-32, as rows carry them (`stored_size`, `crc32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Checksum {
    #[serde(rename = "stored_size")]
    pub size: u64,
    pub crc32: u32,
}

impl Checksum {
    pub fn of(bytes: &[u8]) -> Checksum {
        Checksum {
            size: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
        }
    }

    /// A strong validator for the file's bytes: its CRC-32 and length.
    pub fn etag(&self) -> String {
        format!("\"{:08x}-{:x}\"", self.crc32, self.size)
    }

    /// From a row's nullable `stored_size` and `crc32` (a LEFT JOIN).
    pub fn from_row(size: Option<i64>, crc32: Option<i64>) -> Option<Checksum> {
        Some(Checksum {
            size: u64::try_from(size?).ok()?,
            crc32: u32::try_from(crc32?).ok()?,
        })
    }
}

/// Before the object under `blob_key` is replaced: its old checksum goes first, so an upload
/// that fails half way leaves none (computed again on first download) rather than a wrong one.
pub async fn forget<P: Ports>(p: &P, blob_key: &str) -> AppResult<()> {
    p.db()
        .exec(Stmt::new(sql::CHECKSUM_FORGET).bind(blob_key))
        .await?;
    Ok(())
}

/// Records the checksum of the object just stored under `blob_key`.
pub async fn record<P: Ports>(p: &P, blob_key: &str, sum: Checksum) -> AppResult<()> {
    p.db()
        .exec(
            Stmt::new(sql::CHECKSUM_PUT)
                .bind(blob_key)
                .bind(sum.size as i64)
                .bind(sum.crc32 as i64),
        )
        .await?;
    Ok(())
}

/// The recorded checksum of `blob_key`, if any.
pub async fn recorded<P: Ports>(p: &P, blob_key: &str) -> AppResult<Option<Checksum>> {
    p.db().first(Stmt::new(sql::CHECKSUM).bind(blob_key)).await
}

/// The checksum of a file stored before checksums were kept: the object read through once as a
/// stream (a chunk at a time), then recorded. `None` when the object is gone.
pub async fn compute<P: Ports>(p: &P, blob_key: &str) -> AppResult<Option<Checksum>> {
    let Some(blob) = p.blobs().get_stream(blob_key).await? else {
        return Ok(None);
    };
    let mut hasher = crc32fast::Hasher::new();
    let mut size = 0u64;
    let mut chunks = blob.chunks;
    while let Some(c) = chunks.try_next().await? {
        hasher.update(&c);
        size += c.len() as u64;
    }
    let sum = Checksum {
        size,
        crc32: hasher.finalize(),
    };
    record(p, blob_key, sum).await?;
    Ok(Some(sum))
}
