//! The blob port on a folder: R2's counterpart on a single server. One file per key under
//! `BLOB_DIR` (keys are the portal's own, `/`-separated; anything that could leave the folder is
//! refused), written to a temporary name and renamed, so a reader never sees half a file (and a
//! stream already open keeps reading the version it opened). Downloads read it 64 KB at a time.
//! `BLOB_BACKEND=s3` puts the same keys in S3-compatible storage instead ([`crate::s3`]).

use shared::ports::{BlobStore, BlobStream};
use shared::{AppError, AppResult};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The host's blob port: the folder (`BLOB_BACKEND=fs`, the default) or S3-compatible storage.
#[derive(Clone)]
pub enum NativeBlobs {
    Fs(FsBlobs),
    S3(crate::s3::S3Blobs),
}

impl BlobStore for NativeBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> AppResult<()> {
        match self {
            NativeBlobs::Fs(b) => b.put(key, bytes, content_type).await,
            NativeBlobs::S3(b) => b.put(key, bytes, content_type).await,
        }
    }
    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        match self {
            NativeBlobs::Fs(b) => b.get(key).await,
            NativeBlobs::S3(b) => b.get(key).await,
        }
    }
    async fn get_stream(&self, key: &str) -> AppResult<Option<BlobStream>> {
        match self {
            NativeBlobs::Fs(b) => b.get_stream(key).await,
            NativeBlobs::S3(b) => b.get_stream(key).await,
        }
    }
    async fn size(&self, key: &str) -> AppResult<Option<u64>> {
        match self {
            NativeBlobs::Fs(b) => b.size(key).await,
            NativeBlobs::S3(b) => b.size(key).await,
        }
    }
    async fn get_range(&self, key: &str, offset: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        match self {
            NativeBlobs::Fs(b) => b.get_range(key, offset, len).await,
            NativeBlobs::S3(b) => b.get_range(key, offset, len).await,
        }
    }
}

/// The size of a streamed read: small enough that a download holds little, large enough that a
/// 200 MB archive is a few thousand reads.
const CHUNK: usize = 64 * 1024;

#[derive(Clone)]
pub struct FsBlobs {
    root: PathBuf,
}

impl FsBlobs {
    pub fn new(root: &Path) -> FsBlobs {
        FsBlobs {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, key: &str) -> AppResult<PathBuf> {
        let safe = !key.is_empty()
            && key.len() <= 1024
            && !key.starts_with('/')
            && key.split('/').all(|part| {
                !part.is_empty() && part != "." && part != ".." && !part.contains('\\')
            })
            && !key.contains('\0');
        if !safe {
            return Err(AppError::internal(format!("blob key {key:?} refused")));
        }
        Ok(self.root.join(key))
    }
}

fn io(e: std::io::Error) -> AppError {
    AppError::internal(format!("blob store: {e}"))
}

impl BlobStore for FsBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> AppResult<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension(format!("tmp-{}", shared::ids::new_id("w")));
        std::fs::write(&tmp, &bytes).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }

    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        match std::fs::read(self.path(key)?) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn get_stream(&self, key: &str) -> AppResult<Option<BlobStream>> {
        let file = match tokio::fs::File::open(self.path(key)?).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let meta = file.metadata().await.map_err(io)?;
        let size = meta.len();
        // No checksum without reading the file: the modification time and length tag this
        // version (the documents record their own CRC and prefer it).
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let chunks = futures::stream::unfold(Some(file), |file| async move {
            use tokio::io::AsyncReadExt;
            let mut file = file?;
            let mut buf = vec![0u8; CHUNK];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(buf), Some(file)))
                }
                Err(e) => Some((Err(io(e)), None)),
            }
        });
        Ok(Some(BlobStream {
            size,
            etag: format!("\"{mtime:x}-{size:x}\""),
            chunks: Box::pin(chunks),
            native: None,
        }))
    }

    async fn size(&self, key: &str) -> AppResult<Option<u64>> {
        match std::fs::metadata(self.path(key)?) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn get_range(&self, key: &str, offset: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        let mut f = match std::fs::File::open(self.path(key)?) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        f.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut out = Vec::new();
        f.take(len).read_to_end(&mut out).map_err(io)?;
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::FsBlobs;
    use shared::ports::BlobStore;

    #[test]
    fn keys_stay_inside_the_folder_and_ranges_read_a_window() {
        let dir = std::env::temp_dir().join(shared::ids::new_id("blobs"));
        let store = FsBlobs::new(&dir);
        futures::executor::block_on(async {
            store
                .put("cml/s1/import.xml.0", b"0123456789".to_vec(), "text/xml")
                .await
                .unwrap();
            assert_eq!(store.size("cml/s1/import.xml.0").await.unwrap(), Some(10));
            assert_eq!(
                store
                    .get_range("cml/s1/import.xml.0", 3, 4)
                    .await
                    .unwrap()
                    .unwrap(),
                b"3456"
            );
            assert_eq!(
                store
                    .get_range("cml/s1/import.xml.0", 8, 9)
                    .await
                    .unwrap()
                    .unwrap(),
                b"89"
            );
            assert_eq!(store.get("missing").await.unwrap(), None);
            for bad in ["../x", "/etc/passwd", "a/../../x", "a//b", ""] {
                assert!(store.put(bad, vec![1], "x").await.is_err(), "{bad}");
            }
        });
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_stream_reads_the_file_a_chunk_at_a_time() {
        use futures::TryStreamExt;
        let dir = std::env::temp_dir().join(shared::ids::new_id("blobs"));
        let store = FsBlobs::new(&dir);
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            store
                .put("docs/a.pdf", bytes.clone(), "application/pdf")
                .await
                .unwrap();
            let s = store.get_stream("docs/a.pdf").await.unwrap().unwrap();
            assert_eq!(s.size, 200_000);
            assert!(
                s.etag.starts_with('"') && s.etag.ends_with("-30d40\""),
                "{}",
                s.etag
            );
            let chunks: Vec<Vec<u8>> = s.chunks.try_collect().await.unwrap();
            assert!(
                chunks.len() >= 4,
                "64 KB at a time: {} chunks",
                chunks.len()
            );
            assert_eq!(chunks.concat(), bytes);
            assert!(store.get_stream("docs/missing").await.unwrap().is_none());
        });
        let _ = std::fs::remove_dir_all(dir);
    }
}
