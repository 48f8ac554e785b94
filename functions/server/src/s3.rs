//! The blob port on S3-compatible storage (Yandex Object Storage, Selectel, MinIO), for a portal
//! whose files must outlive one server's disk or be shared by a standby: `BLOB_BACKEND=s3`.
//! A small AWS Signature V4 client on the `ureq` agent the host already has (path-style URLs
//! `{S3_ENDPOINT}/{S3_BUCKET}/{key}`, which every one of those providers accepts), run on
//! tokio's blocking pool like the other outgoing calls; downloads stream 64 KB at a time.
//! Chosen over `object_store`: that crate brings reqwest, its own hyper client and a Send-bound
//! async stack for the five calls needed here (PUT, GET, ranged GET, HEAD), on two cores where
//! every build is shared; the signature is 60 lines and tested against AWS's published example.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use shared::ports::{BlobStore, BlobStream};
use shared::{AppError, AppResult};
use std::io::Read;
use std::time::Duration;

/// `S3_ENDPOINT`, `S3_BUCKET`, `S3_REGION`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`.
#[derive(Clone, Debug)]
pub struct S3Settings {
    pub endpoint: url::Url,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Clone)]
pub struct S3Blobs {
    s: S3Settings,
    agent: ureq::Agent,
}

const CHUNK: usize = 64 * 1024;
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// RFC 3986 percent-encoding of a path: everything but the unreserved characters and `/`.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One request to sign: `path` already encoded, no query string (none of the calls has one).
pub struct ToSign<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Every header that is signed, names in lower case (at least `host`,
    /// `x-amz-content-sha256`, `x-amz-date`).
    pub headers: &'a [(String, String)],
    pub payload_sha256: &'a str,
    /// `YYYYMMDDTHHMMSSZ`, as in `x-amz-date`.
    pub amz_date: &'a str,
}

/// The `Authorization` header of AWS Signature Version 4 for S3.
pub fn authorization(r: &ToSign, region: &str, key_id: &str, secret: &str) -> String {
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    let signed = signed.join(";");
    let canonical = format!(
        "{}\n{}\n\n{}\n{}\n{}",
        r.method, r.path, canonical_headers, signed, r.payload_sha256
    );
    let date = &r.amz_date[..8];
    let scope = format!("{date}/{region}/s3/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        r.amz_date,
        sha256_hex(canonical.as_bytes())
    );
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date);
    let k_region = hmac(&k_date, region);
    let k_service = hmac(&k_region, "s3");
    let k_signing = hmac(&k_service, "aws4_request");
    let signature = hex(&hmac(&k_signing, &to_sign));
    format!("AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed}, Signature={signature}")
}

/// What a call answered: the status, the headers needed here, the body still to read.
struct Reply {
    status: u16,
    len: Option<u64>,
    etag: Option<String>,
    body: Box<dyn Read + Send>,
}

fn unavailable(e: impl std::fmt::Display) -> AppError {
    AppError::unavailable(format!("s3: {e}"))
}

impl S3Blobs {
    pub fn new(s: S3Settings, timeout: Duration) -> S3Blobs {
        S3Blobs {
            s,
            agent: ureq::AgentBuilder::new()
                .timeout_connect(timeout)
                .timeout_read(timeout)
                .redirects(0)
                .build(),
        }
    }

    /// The folder store's rule: a URL would resolve `.`/`..` segments into another object.
    fn check(key: &str) -> AppResult<()> {
        let safe = !key.is_empty()
            && key.len() <= 1024
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
            && !key.contains(['\0', '\\']);
        if !safe {
            return Err(AppError::internal(format!("blob key {key:?} refused")));
        }
        Ok(())
    }

    /// One signed call on the blocking pool; any HTTP status is a reply.
    async fn call(
        &self,
        method: &'static str,
        key: &str,
        extra: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> AppResult<Reply> {
        let payload = body.as_deref().map_or(EMPTY_SHA256.to_string(), sha256_hex);
        let (url, headers) = self.signed(method, key, extra, &payload)?;
        let agent = self.agent.clone();
        tokio::task::spawn_blocking(move || {
            let mut req = agent.request(method, &url);
            for (k, v) in &headers {
                req = req.set(k, v);
            }
            let resp = match body {
                Some(b) => req.send_bytes(&b),
                None => req.call(),
            };
            let resp = match resp {
                Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                Err(e) => return Err(unavailable(e)),
            };
            Ok(Reply {
                status: resp.status(),
                len: resp.header("content-length").and_then(|v| v.parse().ok()),
                etag: resp.header("etag").map(str::to_string),
                body: Box::new(resp.into_reader()),
            })
        })
        .await
        .map_err(|e| AppError::internal(format!("s3 call: {e}")))?
    }

    /// A request's URL and headers, `authorization` included.
    fn signed(
        &self,
        method: &str,
        key: &str,
        extra: Vec<(String, String)>,
        payload: &str,
    ) -> AppResult<(String, Vec<(String, String)>)> {
        Self::check(key)?;
        let base = self.s.endpoint.path().trim_end_matches('/');
        let path = format!(
            "{base}/{}/{}",
            encode_path(&self.s.bucket),
            encode_path(key)
        );
        let host = match self.s.endpoint.port() {
            Some(p) => format!("{}:{p}", self.s.endpoint.host_str().unwrap_or_default()),
            None => self.s.endpoint.host_str().unwrap_or_default().to_string(),
        };
        let url = format!("{}://{host}{path}", self.s.endpoint.scheme());
        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let mut headers = vec![
            ("host".to_string(), host),
            ("x-amz-content-sha256".to_string(), payload.to_string()),
            ("x-amz-date".to_string(), amz_date.clone()),
        ];
        headers.extend(extra);
        let auth = authorization(
            &ToSign {
                method,
                path: &path,
                headers: &headers,
                payload_sha256: payload,
                amz_date: &amz_date,
            },
            &self.s.region,
            &self.s.access_key_id,
            &self.s.secret_access_key,
        );
        headers.push(("authorization".to_string(), auth));
        Ok((url, headers))
    }

    /// Uploads a file of any size without holding it in memory (a database backup): read once
    /// for its SHA-256, then sent from disk with its length. Blocking: run it on the blocking pool.
    pub fn put_file(&self, key: &str, path: &std::path::Path) -> Result<(), String> {
        let mut hasher = Sha256::new();
        let mut f = std::fs::File::open(path).map_err(|e| format!("{path:?}: {e}"))?;
        let len = std::io::copy(&mut f, &mut hasher).map_err(|e| format!("{path:?}: {e}"))?;
        let payload = hex(&hasher.finalize());
        let (url, headers) = self
            .signed(
                "PUT",
                key,
                vec![
                    ("content-type".into(), "application/vnd.sqlite3".into()),
                    ("content-length".into(), len.to_string()),
                ],
                &payload,
            )
            .map_err(|e| e.to_string())?;
        let mut req = self.agent.request("PUT", &url);
        for (k, v) in &headers {
            req = req.set(k, v);
        }
        let file = std::fs::File::open(path).map_err(|e| format!("{path:?}: {e}"))?;
        match req.send(file) {
            Ok(r) if r.status() == 200 => Ok(()),
            Ok(r) => Err(format!("s3: put {key}: {}", r.status())),
            Err(ureq::Error::Status(s, _)) => Err(format!("s3: put {key}: {s}")),
            Err(e) => Err(format!("s3: put {key}: {e}")),
        }
    }
}

/// The whole body of a reply (on the blocking pool: it is still being read from the network).
async fn read_all(reply: Reply) -> AppResult<Vec<u8>> {
    let mut body = reply.body;
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        body.read_to_end(&mut out).map(|_| out).map_err(unavailable)
    })
    .await
    .map_err(|e| AppError::internal(format!("s3 read: {e}")))?
}

/// A reply that is neither the object nor its absence: the store's error, with its text.
async fn failed(what: &str, key: &str, reply: Reply) -> AppError {
    let status = reply.status;
    let text = read_all(reply).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text[..text.len().min(300)]).into_owned();
    unavailable(format!("{what} {key}: {status} {text}"))
}

impl BlobStore for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> AppResult<()> {
        let reply = self
            .call(
                "PUT",
                key,
                vec![("content-type".into(), content_type.to_string())],
                Some(bytes),
            )
            .await?;
        if reply.status == 200 {
            return Ok(());
        }
        Err(failed("put", key, reply).await)
    }

    async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        let reply = self.call("GET", key, vec![], None).await?;
        match reply.status {
            200 => read_all(reply).await.map(Some),
            404 => Ok(None),
            _ => Err(failed("get", key, reply).await),
        }
    }

    async fn get_stream(&self, key: &str) -> AppResult<Option<BlobStream>> {
        let reply = self.call("GET", key, vec![], None).await?;
        match reply.status {
            200 => {}
            404 => return Ok(None),
            _ => return Err(failed("get", key, reply).await),
        }
        let size = reply
            .len
            .ok_or_else(|| unavailable(format!("get {key}: no Content-Length")))?;
        let etag = reply.etag.unwrap_or_else(|| format!("\"s3-{size:x}\""));
        let chunks = futures::stream::unfold(Some(reply.body), |body| async move {
            let mut body = body?;
            let read = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; CHUNK];
                let n = body.read(&mut buf);
                (body, buf, n)
            })
            .await;
            match read {
                Ok((_, _, Ok(0))) => None,
                Ok((body, mut buf, Ok(n))) => {
                    buf.truncate(n);
                    Some((Ok(buf), Some(body)))
                }
                Ok((_, _, Err(e))) => Some((Err(unavailable(e)), None)),
                Err(e) => Some((Err(AppError::internal(format!("s3 read: {e}"))), None)),
            }
        });
        Ok(Some(BlobStream {
            size,
            etag,
            chunks: Box::pin(chunks),
            native: None,
        }))
    }

    async fn size(&self, key: &str) -> AppResult<Option<u64>> {
        let reply = self.call("HEAD", key, vec![], None).await?;
        match reply.status {
            200 => reply
                .len
                .map(Some)
                .ok_or_else(|| unavailable(format!("head {key}: no Content-Length"))),
            404 => Ok(None),
            s => Err(unavailable(format!("head {key}: {s}"))),
        }
    }

    async fn get_range(&self, key: &str, offset: u64, len: u64) -> AppResult<Option<Vec<u8>>> {
        if len == 0 {
            return Ok(self.size(key).await?.map(|_| Vec::new()));
        }
        let range = format!("bytes={offset}-{}", offset + len - 1);
        let reply = self
            .call("GET", key, vec![("range".into(), range)], None)
            .await?;
        match reply.status {
            // 200: a store that ignores ranges sent it all; the window is cut here.
            200 => {
                let all = read_all(reply).await?;
                let start = (offset as usize).min(all.len());
                let end = start.saturating_add(len as usize).min(all.len());
                Ok(Some(all[start..end].to_vec()))
            }
            206 => read_all(reply).await.map(Some),
            // Past the end: nothing there, as a file read there gives nothing.
            416 => Ok(Some(Vec::new())),
            404 => Ok(None),
            _ => Err(failed("get", key, reply).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{authorization, encode_path, sha256_hex, S3Blobs, S3Settings, ToSign};
    use shared::ports::BlobStore;
    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[test]
    fn the_signature_is_aws_published_example() {
        // AWS's S3 SigV4 example "GET Object" (a single-chunk payload): range bytes=0-9 of
        // test.txt in examplebucket, 2013-05-24, with the documentation's example keys.
        let headers = vec![
            (
                "host".to_string(),
                "examplebucket.s3.amazonaws.com".to_string(),
            ),
            ("range".to_string(), "bytes=0-9".to_string()),
            ("x-amz-content-sha256".to_string(), sha256_hex(b"")),
            ("x-amz-date".to_string(), "20130524T000000Z".to_string()),
        ];
        let auth = authorization(
            &ToSign {
                method: "GET",
                path: "/test.txt",
                headers: &headers,
                payload_sha256: &sha256_hex(b""),
                amz_date: "20130524T000000Z",
            },
            "us-east-1",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(
            encode_path("a/Счёт №1 (копия).pdf"),
            "a/%D0%A1%D1%87%D1%91%D1%82%20%E2%84%961%20%28%D0%BA%D0%BE%D0%BF%D0%B8%D1%8F%29.pdf"
        );
    }

    const KEY_ID: &str = "YCAJtestkeyid";
    const SECRET: &str = "YCtestsecret/with+chars";
    const REGION: &str = "ru-central1";

    /// A fake S3 on a free port: path-style objects in memory; every request's signature is
    /// recomputed from what arrived (method, path, the signed headers as received) and refused
    /// with 403 when it differs, as is a payload whose hash is not the one declared.
    fn fake_s3() -> (u16, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let objects: Arc<Mutex<HashMap<String, Vec<u8>>>> = Default::default();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (objects, log) = (objects.clone(), log2.clone());
                std::thread::spawn(move || {
                    let mut out = stream.try_clone().unwrap();
                    let mut r = BufReader::new(stream);
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let mut parts = line.split_whitespace();
                        let (method, path) = (
                            parts.next().unwrap().to_string(),
                            parts.next().unwrap().to_string(),
                        );
                        let mut headers: Vec<(String, String)> = Vec::new();
                        loop {
                            let mut h = String::new();
                            r.read_line(&mut h).unwrap();
                            let h = h.trim_end();
                            if h.is_empty() {
                                break;
                            }
                            let (k, v) = h.split_once(':').unwrap();
                            headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
                        }
                        let get =
                            |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
                        let mut body =
                            vec![0u8; get("content-length").map_or(0, |v| v.parse().unwrap())];
                        r.read_exact(&mut body).unwrap();
                        log.lock().unwrap().push(format!("{method} {path}"));
                        let auth = get("authorization").unwrap_or_default();
                        let signed: Vec<String> = auth
                            .split("SignedHeaders=")
                            .nth(1)
                            .and_then(|s| s.split(',').next())
                            .unwrap_or("")
                            .split(';')
                            .map(str::to_string)
                            .collect();
                        let signed_headers: Vec<(String, String)> = signed
                            .iter()
                            .map(|n| (n.clone(), get(n).unwrap_or_default()))
                            .collect();
                        let amz_date = get("x-amz-date").unwrap_or_default();
                        let payload = get("x-amz-content-sha256").unwrap_or_default();
                        let expected = authorization(
                            &ToSign {
                                method: &method,
                                path: &path,
                                headers: &signed_headers,
                                payload_sha256: &payload,
                                amz_date: &amz_date,
                            },
                            REGION,
                            KEY_ID,
                            SECRET,
                        );
                        let scope_ok = auth.starts_with(&format!(
                            "AWS4-HMAC-SHA256 Credential={KEY_ID}/{}/{REGION}/s3/aws4_request, ",
                            amz_date.get(..8).unwrap_or("")
                        ));
                        let shape_ok = ["host", "x-amz-content-sha256", "x-amz-date"]
                            .iter()
                            .all(|h| signed.iter().any(|s| s == h));
                        let (status, reply_body, extra): (&str, Vec<u8>, String) = if !(scope_ok
                            && shape_ok
                            && auth == expected
                            && payload == sha256_hex(&body))
                        {
                            (
                                "403 Forbidden",
                                b"<Error><Code>SignatureDoesNotMatch</Code></Error>".to_vec(),
                                String::new(),
                            )
                        } else if method == "PUT" {
                            objects.lock().unwrap().insert(path.clone(), body);
                            ("200 OK", Vec::new(), String::new())
                        } else {
                            match objects.lock().unwrap().get(&path) {
                                None => (
                                    "404 Not Found",
                                    b"<Error><Code>NoSuchKey</Code></Error>".to_vec(),
                                    String::new(),
                                ),
                                Some(obj) => {
                                    let etag = format!("ETag: \"{}\"\r\n", &sha256_hex(obj)[..32]);
                                    match get("range") {
                                        Some(range) => {
                                            let (a, b) = range
                                                .trim_start_matches("bytes=")
                                                .split_once('-')
                                                .unwrap();
                                            let (a, b): (usize, usize) =
                                                (a.parse().unwrap(), b.parse().unwrap());
                                            if a >= obj.len() {
                                                (
                                                    "416 Range Not Satisfiable",
                                                    Vec::new(),
                                                    String::new(),
                                                )
                                            } else {
                                                (
                                                    "206 Partial Content",
                                                    obj[a..=b.min(obj.len() - 1)].to_vec(),
                                                    etag,
                                                )
                                            }
                                        }
                                        None => ("200 OK", obj.clone(), etag),
                                    }
                                }
                            }
                        };
                        let len = reply_body.len();
                        let head =
                            format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\n{extra}\r\n");
                        out.write_all(head.as_bytes()).unwrap();
                        if method != "HEAD" {
                            out.write_all(&reply_body).unwrap();
                        }
                    }
                });
            }
        });
        (port, log)
    }

    fn store(port: u16, secret: &str) -> S3Blobs {
        S3Blobs::new(
            S3Settings {
                endpoint: format!("http://127.0.0.1:{port}").parse().unwrap(),
                bucket: "portal-files".into(),
                region: REGION.into(),
                access_key_id: KEY_ID.into(),
                secret_access_key: secret.into(),
            },
            Duration::from_secs(5),
        )
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn objects_go_and_come_back_signed_whole_in_windows_and_streamed() {
        use futures::TryStreamExt;
        let (port, log) = fake_s3();
        let s3 = store(port, SECRET);
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let key = "docs/co-1/Счёт №1 (копия).pdf";
        run(async {
            s3.put(key, bytes.clone(), "application/pdf").await.unwrap();
            assert_eq!(s3.get(key).await.unwrap().unwrap(), bytes);
            assert_eq!(s3.size(key).await.unwrap(), Some(300_000));
            assert_eq!(
                s3.get_range(key, 3, 4).await.unwrap().unwrap(),
                vec![3, 4, 5, 6]
            );
            assert_eq!(
                s3.get_range(key, 299_998, 9).await.unwrap().unwrap(),
                bytes[299_998..]
            );
            assert_eq!(
                s3.get_range(key, 400_000, 9).await.unwrap().unwrap(),
                Vec::<u8>::new()
            );
            let s = s3.get_stream(key).await.unwrap().unwrap();
            assert_eq!(s.size, 300_000);
            assert!(s.etag.starts_with('"') && s.etag.len() == 34, "{}", s.etag);
            let chunks: Vec<Vec<u8>> = s.chunks.try_collect().await.unwrap();
            assert!(
                chunks.len() >= 5,
                "read 64 KB at a time: {} chunks",
                chunks.len()
            );
            assert!(chunks.iter().all(|c| c.len() <= 64 * 1024));
            assert_eq!(chunks.concat(), bytes);
            assert_eq!(s3.get("docs/missing").await.unwrap(), None);
            assert_eq!(s3.size("docs/missing").await.unwrap(), None);
            assert!(s3.get_stream("docs/missing").await.unwrap().is_none());
            for bad in ["../x", "/etc/passwd", "a/../../x", "a//b", "a/./b", ""] {
                assert!(s3.put(bad, vec![1], "x").await.is_err(), "{bad}");
            }
        });
        // A backup goes up from disk, signed over its contents.
        let file = std::env::temp_dir().join(shared::ids::new_id("backup"));
        std::fs::write(&file, &bytes[..250_000]).unwrap();
        s3.put_file("backups/portal-1.sqlite3", &file).unwrap();
        let _ = std::fs::remove_file(&file);
        assert_eq!(
            run(s3.get("backups/portal-1.sqlite3")).unwrap().unwrap(),
            bytes[..250_000]
        );
        let log = log.lock().unwrap();
        let path = "/portal-files/docs/co-1/%D0%A1%D1%87%D1%91%D1%82%20%E2%84%961%20%28%D0%BA%D0%BE%D0%BF%D0%B8%D1%8F%29.pdf";
        assert_eq!(log[0], format!("PUT {path}"), "path-style, the key encoded");
        assert!(log.iter().any(|l| l == &format!("HEAD {path}")));
    }

    #[test]
    fn a_periodic_backup_goes_to_the_bucket_too() {
        let (port, _) = fake_s3();
        let s3 = store(port, SECRET);
        let dir = std::env::temp_dir().join(shared::ids::new_id("backup"));
        std::fs::create_dir_all(&dir).unwrap();
        let live = dir.join("live.sqlite3");
        let db = shared::sqlite::SqliteDb::open_shared_file(&live).unwrap();
        db.apply_pending_migrations(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../d1-migrations"),
        )
        .unwrap();
        let path =
            crate::backup::periodic_off_site(&live, &dir.join("blobs"), 2, Some(&s3)).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let uploaded = run(s3.get(&format!("backups/{name}"))).unwrap().unwrap();
        assert_eq!(uploaded, std::fs::read(&path).unwrap());
        assert!(uploaded.starts_with(b"SQLite format 3\0"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_wrong_secret_is_refused_by_the_store_and_reported() {
        let (port, _) = fake_s3();
        let s3 = store(port, "not-the-secret");
        run(async {
            let e = s3
                .put("docs/a.pdf", vec![1, 2, 3], "application/pdf")
                .await
                .unwrap_err();
            assert!(e.to_string().contains("403"), "{e}");
            assert!(s3.get("docs/a.pdf").await.is_err());
        });
    }
}
