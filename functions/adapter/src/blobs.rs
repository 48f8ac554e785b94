//! The blob port on R2: document files, return photos, large exchange payloads. Downloads read
//! an object as the runtime's stream (`get_stream`), a chunk at a time.

use crate::js::internal;
use futures::TryStreamExt;
use shared::ports::{BlobStore, BlobStream};
use shared::{AppError, AppResult};

/// Document files and large payloads in R2. Cloned into a streamed body (the binding is a handle).
#[derive(Clone)]
pub struct R2(pub Option<worker::Bucket>);

impl BlobStore for R2 {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> AppResult<()> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        let meta = worker::HttpMetadata {
            content_type: Some(content_type.to_string()),
            ..Default::default()
        };
        bucket
            .put(key, bytes)
            .http_metadata(meta)
            .execute()
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        match bucket.get(key).execute().await.map_err(internal)? {
            None => Ok(None),
            Some(obj) => match obj.body() {
                Some(body) => Ok(Some(body.bytes().await.map_err(internal)?)),
                None => Ok(Some(Vec::new())),
            },
        }
    }

    async fn get_stream(&self, key: &str) -> AppResult<Option<BlobStream>> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        let Some(obj) = bucket.get(key).execute().await.map_err(internal)? else {
            return Ok(None);
        };
        let size = obj.size();
        let etag = obj.http_etag();
        let chunks: shared::ports::Chunks = match obj.body() {
            Some(body) => Box::pin(body.stream().map_err(internal)?.map_err(internal)),
            None => Box::pin(futures::stream::empty()),
        };
        Ok(Some(BlobStream { size, etag, chunks }))
    }

    async fn size(&self, key: &str) -> AppResult<Option<u64>> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        Ok(bucket
            .head(key)
            .await
            .map_err(internal)?
            .map(|obj| obj.size() as u64))
    }

    async fn get_range(&self, key: &str, offset: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        let bucket = self
            .0
            .as_ref()
            .ok_or_else(|| AppError::internal("no R2 binding in this Worker"))?;
        if len == 0 {
            return Ok(Some(Vec::new()));
        }
        let range = worker::Range::OffsetWithLength {
            offset,
            length: len,
        };
        match bucket
            .get(key)
            .range(range)
            .execute()
            .await
            .map_err(internal)?
        {
            None => Ok(None),
            Some(obj) => match obj.body() {
                Some(body) => Ok(Some(body.bytes().await.map_err(internal)?)),
                None => Ok(Some(Vec::new())),
            },
        }
    }
}
