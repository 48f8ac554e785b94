//! Photos of returned goods (a defect, the wrong item): JPEG, PNG or WebP up to 5 MB, the type
//! told by the file's first bytes, not only by the header the browser sent. Stored in R2 under a
//! key the client never sees; served back only to the owning company.

use super::rules::Status;
use super::sql;
use crate::audit_log;
use crate::auth::Caller;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{BlobStore, DatabaseExt, Ports, Stmt};
use serde::Deserialize;

pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// The image type the bytes are, by their signature.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn unsupported() -> AppError {
    AppError::new(
        ErrorKind::UnsupportedMediaType,
        "photo-type",
        "Фотография: JPEG, PNG или WebP.",
        "A photo must be JPEG, PNG or WebP.",
    )
}

#[derive(Deserialize)]
struct ReturnState {
    status: String,
}

pub async fn add<P: Ports>(
    p: &P,
    caller: &Caller,
    return_id: &str,
    req: &ApiRequest,
    idem: &crate::idempotency::Key,
) -> AppResult<ApiResponse> {
    let r: ReturnState = p
        .db()
        .first(
            Stmt::new(sql::RETURN_STATUS)
                .bind(return_id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    let declared = req
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !["image/jpeg", "image/png", "image/webp"].contains(&declared.as_str()) {
        return Err(unsupported());
    }
    if req.body.is_empty() || req.body.len() > MAX_PHOTO_BYTES {
        return Err(AppError::new(
            ErrorKind::PayloadTooLarge,
            "photo-size",
            "Фотография пустая или больше 5 МБ.",
            "The photo is empty or larger than 5 MB.",
        ));
    }
    if sniff(&req.body) != Some(declared.as_str()) {
        return Err(unsupported());
    }
    if !Status::parse(&r.status).is_some_and(Status::accepts_photos) {
        return Err(closed());
    }
    let id = crate::ids::new_id("pho");
    let key = format!("returns/{}/{}/{}", caller.company_id, return_id, id);
    let now = p.now();
    // The blob first: a row never points at a missing file. A refused row leaves an unreferenced
    // blob, which no URL can reach.
    p.blobs().put(&key, req.body.clone(), &declared).await?;
    let entry = audit_log::Entry {
        id: &crate::ids::new_id("aud"),
        company_id: &caller.company_id,
        user_id: Some(&caller.user_id),
        kind: "return.photo_added",
        entity_type: "return",
        entity_id: return_id,
        before: serde_json::Value::Null,
        after: serde_json::json!({"photo_id": id, "content_type": declared, "size": req.body.len()}),
    };
    let answer = ApiResponse::json(
        201,
        &serde_json::json!({"id": id, "content_type": declared, "size": req.body.len()}),
    );
    let stmts = vec![
        Stmt::new(sql::PHOTO_INSERT)
            .bind(&id)
            .bind(return_id)
            .bind(&caller.company_id)
            .bind(&key)
            .bind(declared.as_str())
            .bind(req.body.len() as i64)
            .bind(&caller.user_id)
            .bind(now)
            .bind(sql::PHOTO_MAX_PER_RETURN),
        audit_log::record(&entry, now, (sql::PHOTO_WRITTEN, vec![id.as_str().into()])),
    ];
    let effect = crate::idempotency::Effect::row("return_photos", &id);
    let results = match idem.batch(p, stmts, effect, &answer).await? {
        crate::idempotency::Ran::Replay(stored) => return Ok(stored),
        crate::idempotency::Ran::Done(results) => results,
    };
    if results.first().map(|r| r.changes).unwrap_or(0) == 0 {
        return Err(closed().with_extra("max_photos", sql::PHOTO_MAX_PER_RETURN));
    }
    Ok(answer)
}

fn closed() -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "photos-closed",
        "Фотографии добавляются, пока 1С не рассмотрела возврат, и не больше 10.",
        "Photos can be added until 1C decides on the return, at most 10.",
    )
}

#[derive(Deserialize)]
struct PhotoRow {
    blob_key: String,
    content_type: String,
}

pub async fn get<P: Ports>(
    p: &P,
    caller: &Caller,
    return_id: &str,
    photo_id: &str,
) -> AppResult<ApiResponse> {
    let row: PhotoRow = p
        .db()
        .first(
            Stmt::new(sql::PHOTO)
                .bind(photo_id)
                .bind(return_id)
                .bind(&caller.company_id),
        )
        .await?
        .ok_or_else(AppError::not_found)?;
    // Streamed: a photo passes through a chunk at a time.
    let blob = p
        .blobs()
        .get_stream(&row.blob_key)
        .await?
        .ok_or_else(|| AppError::internal("return photo missing in storage"))?;
    Ok(ApiResponse {
        status: 200,
        headers: vec![
            ("content-type".into(), row.content_type),
            ("content-disposition".into(), "inline".into()),
            ("cache-control".into(), "private, max-age=3600".into()),
        ],
        body: crate::http::Body::Stream(crate::http::BodyStream::of_blob(blob)),
        log: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_told_by_their_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"<svg xmlns="), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(&[]), None);
    }
}
