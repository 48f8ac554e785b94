//! The blob port on R2: document files, return photos, large exchange payloads. Downloads read
//! an object as the runtime's stream (`get_stream`), a chunk at a time.

use crate::js::internal;
use futures::{StreamExt, TryStreamExt};
use shared::ports::{BlobStore, BlobStream, Chunks};
use shared::{AppError, AppResult};
use std::cell::RefCell;
use std::rc::Rc;
use worker::web_sys::ReadableStream;

/// An R2 object's body as the runtime's own stream, until someone takes it.
#[derive(Clone)]
pub(crate) struct R2Body(Rc<RefCell<Option<ReadableStream>>>);

impl R2Body {
    pub(crate) fn take(&self) -> Option<ReadableStream> {
        self.0.borrow_mut().take()
    }
}

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
        let raw = match obj.body() {
            Some(body) => match body.response_body().map_err(internal)? {
                worker::ResponseBody::Stream(s) => Some(s),
                _ => None,
            },
            None => None,
        };
        // One stream, two ways to read it: a response sends it as it is (`native`, see
        // `crate::response`), the domain reads it as chunks (the ZIP); whichever comes first
        // takes it.
        let cell = R2Body(Rc::new(RefCell::new(raw)));
        let taken = cell.clone();
        let chunks: Chunks = Box::pin(
            futures::stream::once(async move {
                match taken.take() {
                    Some(s) => Box::pin(worker::ByteStream::from(s).map_err(internal)) as Chunks,
                    None => Box::pin(futures::stream::empty()) as Chunks,
                }
            })
            .flatten(),
        );
        Ok(Some(BlobStream {
            size: obj.size(),
            etag: obj.http_etag(),
            chunks,
            native: Some(Box::new(cell)),
        }))
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
