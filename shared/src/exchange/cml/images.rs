//! Catalogue images of a CommerceML exchange (issue 18): `import.xml` names each product's
//! pictures (`Картинка`, `import_files/ab/abcd.jpg`); 1C uploads those files with `mode=file`
//! in the same exchange. A products import registers its pictures (`cml_images`); once its
//! products are in, the queue consumer makes thumbnails of a few per invocation ([`run`]),
//! writes them to R2 through the blob port under `catalogue/images/<content id>/<size>.jpg`, and
//! sets the product's main image. A missing, unreadable or oversized image is noted on its row
//! and skipped: it never fails the import. 1C's `import` poll answers `progress` until the
//! images are through, so the exchange ends with them.

use super::thumbs::{self, Skip, MAX_FILE_BYTES, MAX_PIXELS};
use super::{read_range, FileRow};
use crate::error::AppResult;
use crate::exchange::sql;
use crate::ports::{BlobStore, Database, DatabaseExt, Ports, Stmt};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Images one invocation makes thumbnails of (each a decode of up to [`MAX_PIXELS`]).
pub const PER_INVOCATION: i64 = 6;
/// Tries at one image: a try that ran the isolate out of memory or time never recorded its
/// outcome, so after this many the image is skipped instead of blocking the import.
pub const MAX_ATTEMPTS: i64 = 3;

use crate::orders::catalog::image_key as thumb_key;

/// The upload's name candidates for a `Картинка` path: as written (with `/`), and its base name.
pub fn names(path: &str) -> (String, String) {
    let full = path.trim().replace('\\', "/");
    let full = full
        .trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned();
    let base = full.rsplit('/').next().unwrap_or(&full).to_owned();
    (full, base)
}

#[derive(Deserialize)]
struct Pending {
    session: String,
    product: String,
    position: i64,
    path: String,
    base: String,
    attempts: i64,
}

#[derive(Deserialize)]
struct Counts {
    pending: i64,
    total: i64,
}

#[derive(Deserialize)]
struct Upload {
    name: String,
    bytes: i64,
    chunk_sizes: String,
}

/// (pending, total) images of an import.
pub async fn counts<P: Ports>(p: &P, job: &str) -> AppResult<(i64, i64)> {
    let c: Option<Counts> = p
        .db()
        .first(Stmt::new(sql::CML_IMAGES_COUNT).bind(job))
        .await?;
    Ok(c.map_or((0, 0), |c| (c.pending, c.total)))
}

/// Makes thumbnails of up to [`PER_INVOCATION`] pending images of `job`. Returns whether any
/// remain.
pub async fn run<P: Ports>(p: &P, job: &str) -> AppResult<bool> {
    p.db()
        .exec(Stmt::new(sql::CML_IMAGES_MISSING).bind(job).bind(p.now()))
        .await?;
    let batch: Vec<Pending> = p
        .db()
        .all(
            Stmt::new(sql::CML_IMAGES_NEXT)
                .bind(job)
                .bind(PER_INVOCATION + 1),
        )
        .await?;
    let more = batch.len() as i64 > PER_INVOCATION;
    for img in batch.iter().take(PER_INVOCATION as usize) {
        one(p, job, img).await?;
    }
    // The import is moving: a poll does not take it for stalled.
    p.db()
        .exec(Stmt::new(sql::CML_IMPORT_TOUCH).bind(p.now()).bind(job))
        .await?;
    Ok(more)
}

async fn set<P: Ports>(
    p: &P,
    job: &str,
    img: &Pending,
    status: &str,
    image: Option<&str>,
    note: Option<String>,
) -> AppResult<()> {
    p.db()
        .exec(
            Stmt::new(sql::CML_IMAGE_SET)
                .bind(status)
                .bind(image)
                .bind(note)
                .bind(p.now())
                .bind(job)
                .bind(&img.product)
                .bind(img.position),
        )
        .await?;
    Ok(())
}

async fn one<P: Ports>(p: &P, job: &str, img: &Pending) -> AppResult<()> {
    if img.attempts >= MAX_ATTEMPTS {
        let note = format!("given up after {MAX_ATTEMPTS} tries");
        return set(p, job, img, "skipped", None, Some(note)).await;
    }
    p.db()
        .exec(
            Stmt::new(sql::CML_IMAGE_ATTEMPT)
                .bind(p.now())
                .bind(job)
                .bind(&img.product)
                .bind(img.position),
        )
        .await?;
    let upload: Option<Upload> = p
        .db()
        .first(
            Stmt::new(sql::CML_IMAGE_FILE)
                .bind(&img.session)
                .bind(&img.path)
                .bind(&img.base),
        )
        .await?;
    let Some(upload) = upload else {
        let note = "not uploaded in this exchange".to_owned();
        return set(p, job, img, "missing", None, Some(note)).await;
    };
    if upload.bytes as u64 > MAX_FILE_BYTES {
        let note = format!(
            "{} bytes: over the {MAX_FILE_BYTES} byte limit",
            upload.bytes
        );
        return set(p, job, img, "skipped", None, Some(note)).await;
    }
    let sizes = FileRow {
        chunks: 0,
        bytes: upload.bytes,
        status: String::new(),
        result: None,
        chunk_sizes: upload.chunk_sizes,
    }
    .sizes()?;
    let total: u64 = sizes.iter().sum();
    let bytes = read_range(p, &img.session, &upload.name, &sizes, 0, total).await?;
    let made = thumbs::thumbnails(&bytes, MAX_PIXELS);
    let id: String = Sha256::digest(&bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    drop(bytes);
    let list = match made {
        Ok(list) => list,
        Err(skip) => return skipped(p, job, img, &skip).await,
    };
    for t in &list {
        p.blobs()
            .put(&thumb_key(&id, t.size), t.jpeg.clone(), "image/jpeg")
            .await?;
    }
    let small = &list[0];
    let image = json!({"id": id, "w": small.width, "h": small.height}).to_string();
    let mut stmts = vec![Stmt::new(sql::CML_IMAGE_SET)
        .bind("done")
        .bind(&id)
        .bind(None::<String>)
        .bind(p.now())
        .bind(job)
        .bind(&img.product)
        .bind(img.position)];
    if img.position == 0 {
        stmts.push(
            Stmt::new(sql::CML_PRODUCT_IMAGE)
                .bind(image)
                .bind(&img.product),
        );
    }
    p.db().batch(stmts).await?;
    Ok(())
}

async fn skipped<P: Ports>(p: &P, job: &str, img: &Pending, skip: &Skip) -> AppResult<()> {
    set(p, job, img, "skipped", None, Some(skip.to_string())).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::catalog::is_image_id;

    #[test]
    fn upload_names_of_a_picture_path() {
        assert_eq!(
            names("import_files/ab/abcd.jpg"),
            ("import_files/ab/abcd.jpg".into(), "abcd.jpg".into())
        );
        assert_eq!(
            names(r"import_files\ab\abcd.jpg"),
            ("import_files/ab/abcd.jpg".into(), "abcd.jpg".into())
        );
        assert_eq!(names("x.png"), ("x.png".into(), "x.png".into()));
        assert!(is_image_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_image_id("../../x"));
    }
}
