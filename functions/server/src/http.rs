//! One HTTP request on the native host: the gateway's routing (a path prefix names the
//! capability), the body read up to the route's limit before any handler work, the capability's
//! own `shared` handler, the same log line as a Worker's; everything else is a static page. A
//! streamed answer (a stored file, the order's ZIP) goes out a chunk at a time with its length.

use crate::assets::Assets;
use crate::client_ip::{client_ip, trusted};
use crate::ports::{run_later, NativePorts, Thread};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::body::Incoming;
use hyper::{Request, Response};
use shared::http::{ApiRequest, ApiResponse};
use shared::AppError;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Capability {
    Auth,
    Company,
    Finance,
    Orders,
    Documents,
    Returns,
    Exchange,
}

/// Path prefix -> capability, as the gateway Worker routes to its service bindings.
const ROUTES: &[(&str, Capability)] = &[
    ("/api/auth/", Capability::Auth),
    ("/api/company/", Capability::Company),
    ("/api/finance/", Capability::Finance),
    ("/api/orders/", Capability::Orders),
    ("/api/documents/", Capability::Documents),
    ("/api/returns/", Capability::Returns),
    ("/exchange/", Capability::Exchange),
];

fn route(path: &str) -> Option<Capability> {
    ROUTES
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map(|(_, c)| *c)
}

fn body_limit(cap: Capability, req: &ApiRequest) -> Option<usize> {
    match cap {
        Capability::Auth => shared::auth::api::body_limit(req),
        Capability::Company => shared::company::api::body_limit(req),
        Capability::Finance => shared::finance::api::body_limit(req),
        Capability::Orders => shared::orders::api::body_limit(req),
        Capability::Documents => shared::documents::api::body_limit(req),
        Capability::Returns => shared::returns::api::body_limit(req),
        Capability::Exchange => shared::exchange::api::body_limit(req),
    }
}

async fn handle(cap: Capability, p: &NativePorts, req: ApiRequest) -> ApiResponse {
    match cap {
        Capability::Auth => shared::auth::api::handle(p, req).await,
        Capability::Company => shared::company::api::handle(p, req).await,
        Capability::Finance => shared::finance::api::handle(p, req).await,
        Capability::Orders => shared::orders::api::handle(p, req).await,
        Capability::Documents => shared::documents::api::handle(p, req).await,
        Capability::Returns => shared::returns::api::handle(p, req).await,
        Capability::Exchange => shared::exchange::api::handle(p, req).await,
    }
}

/// A response body: built bytes, or a stream sent as it is read (not `Send`: it lives on the
/// thread that made it, as everything a request touches).
pub type Body = std::pin::Pin<Box<dyn hyper::body::Body<Data = Bytes, Error = std::io::Error>>>;

fn full(bytes: impl Into<Bytes>) -> Body {
    Box::pin(Full::new(bytes.into()).map_err(|never| match never {}))
}

/// A domain stream as hyper's body, a chunk at a time (a 200 MB order ZIP never sits in memory).
/// The length was sent as `Content-Length`: a stream that yields more or fewer bytes, or fails,
/// ends the body with an error, so hyper cuts the connection and the client sees a broken
/// download rather than a wrong file.
fn streamed(s: shared::http::BodyStream) -> Body {
    use futures::StreamExt;
    let len = s.len;
    let failed = |why: String| {
        eprintln!("{}", serde_json::json!({"streamed_body": why}));
        std::io::Error::other(why)
    };
    let frames = futures::stream::unfold(
        (s.chunks, 0u64, false),
        move |(mut chunks, sent, done)| async move {
            if done {
                return None;
            }
            let (item, sent, done) = match chunks.next().await {
                Some(Ok(c)) => {
                    let sent = sent + c.len() as u64;
                    if sent > len {
                        (
                            Err(failed(format!("more than the {len} bytes declared"))),
                            sent,
                            true,
                        )
                    } else {
                        (Ok(Frame::data(Bytes::from(c))), sent, false)
                    }
                }
                Some(Err(e)) => (Err(failed(e.to_string())), sent, true),
                None if sent < len => (
                    Err(failed(format!(
                        "ended at {sent} of the {len} bytes declared"
                    ))),
                    sent,
                    true,
                ),
                None => return None,
            };
            Some((item, (chunks, sent, done)))
        },
    );
    Box::pin(StreamBody::new(frames))
}

pub async fn serve(
    thread: Rc<Thread>,
    assets: Rc<Assets>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, std::convert::Infallible> {
    let started = Instant::now();
    let method = req.method().as_str().to_ascii_uppercase();
    let path = req.uri().path().to_string();
    let Some(cap) = route(&path) else {
        if path.starts_with("/api/") {
            let resp = shared::http::finish(
                &ApiRequest::default(),
                Err(AppError::not_found()),
                Default::default(),
            );
            return Ok(response(resp, &method, started));
        }
        let inm = header(&req, "if-none-match");
        let a = assets.serve(&method, &path, inm.as_deref());
        let mut b = Response::builder().status(a.status);
        for (k, v) in &a.headers {
            b = b.header(k, v);
        }
        return Ok(b.body(full(a.body)).expect("valid headers"));
    };
    let mut api_req = head(&thread, peer, &req);
    let test_now = api_req.header("x-test-now").map(str::to_string);
    let limit = body_limit(cap, &api_req);
    let resp = match read_body(req, limit).await {
        Ok(body) => {
            api_req.body = body;
            let ports = NativePorts::for_request(thread.clone(), test_now.as_deref());
            let resp = handle(cap, &ports, api_req).await;
            let jobs = ports.take_later();
            if !jobs.is_empty() {
                tokio::task::spawn_local(run_later(ports, jobs));
            }
            resp
        }
        Err(e) => shared::http::finish(&api_req, Err(e), Default::default()),
    };
    Ok(response(resp, &method, started))
}

fn header(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The request's head as the domain's request. The client's address comes from the connection
/// (or a trusted proxy), never from `CF-Connecting-IP`, which is dropped.
fn head(thread: &Thread, peer: SocketAddr, req: &Request<Incoming>) -> ApiRequest {
    let settings = &thread.settings;
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str() != "cf-connecting-ip")
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let behind_proxy = trusted(peer.ip(), &settings.trusted_proxies);
    let ip = client_ip(peer.ip(), get("x-forwarded-for"), &settings.trusted_proxies);
    let scheme = match get("x-forwarded-proto") {
        Some(p) if behind_proxy && (p == "https" || p == "http") => p,
        _ => "http",
    };
    let host = get("host").unwrap_or("localhost");
    let target = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let url = url::Url::parse(&format!("{scheme}://{host}{target}"))
        .or_else(|_| url::Url::parse(&format!("{scheme}://localhost{target}")))
        .ok();
    ApiRequest {
        method: req.method().as_str().to_ascii_uppercase(),
        path: url
            .as_ref()
            .map_or_else(|| req.uri().path().to_string(), |u| u.path().to_string()),
        query: url
            .as_ref()
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        target,
        origin: url
            .as_ref()
            .map_or_else(String::new, |u| u.origin().ascii_serialization()),
        client_ip: Some(ip.to_string()),
        headers,
        body: Vec::new(),
    }
}

/// The body, up to the route's limit (`None`: not read); a larger `Content-Length` is refused
/// before a byte is kept, a chunked one as soon as it passes the limit (413, as on Workers).
async fn read_body(req: Request<Incoming>, limit: Option<usize>) -> Result<Vec<u8>, AppError> {
    let Some(limit) = limit else {
        return Ok(Vec::new());
    };
    if matches!(req.method().as_str(), "GET" | "HEAD") {
        return Ok(Vec::new());
    }
    let announced = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(shared::http::payload_too_large(limit));
    }
    let mut body = Vec::with_capacity(announced.unwrap_or(0) as usize);
    let mut incoming = req.into_body();
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|_| {
            AppError::bad_request(
                "body-unreadable",
                "Тело запроса не получено целиком.",
                "The request body did not arrive whole.",
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if body.len() + data.len() > limit {
                return Err(shared::http::payload_too_large(limit));
            }
            body.extend_from_slice(&data);
        }
    }
    Ok(body)
}

/// The domain's response as hyper's, after the request's log line (the Workers' shape).
fn response(resp: ApiResponse, method: &str, started: Instant) -> Response<Body> {
    let log = &resp.log;
    let line = serde_json::json!({
        "method": method,
        "route": log.route.unwrap_or("(unmatched)"),
        "status": resp.status,
        "ms": started.elapsed().as_millis(),
        "company_id": log.company_id,
        "user_id": log.user_id,
        "error": if resp.status >= 500 { log.error.clone() } else { None },
    });
    if resp.status >= 500 {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
    let mut b = Response::builder().status(resp.status);
    for (k, v) in &resp.headers {
        b = b.header(k, v);
    }
    let body = if resp.status == 204 || resp.status == 304 {
        full(Bytes::new())
    } else {
        match resp.body {
            shared::http::Body::Bytes(b) => full(b),
            shared::http::Body::Stream(s) => {
                // Sent up front, as the Workers' fixed-length stream does.
                if !resp
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                {
                    b = b.header("content-length", s.len);
                }
                streamed(s)
            }
        }
    };
    b.body(body).unwrap_or_else(|_| {
        let mut r = Response::new(full(Bytes::new()));
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests {
    use super::{response, route, Capability};
    use http_body_util::BodyExt;
    use shared::http::{ApiResponse, Body, BodyStream};
    use std::cell::Cell;
    use std::rc::Rc;

    /// A streamed answer of `chunks` chunks of 1 KB declaring `len` bytes; `pulled` counts the
    /// chunks read so far.
    fn streamed(len: u64, chunks: usize, pulled: Rc<Cell<usize>>) -> ApiResponse {
        let stream = futures::stream::iter(0..chunks).map(move |i| {
            pulled.set(pulled.get() + 1);
            Ok(vec![i as u8; 1024])
        });
        ApiResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/zip".into())],
            body: Body::Stream(BodyStream {
                len,
                chunks: Box::pin(stream),
                native: None,
            }),
            log: Default::default(),
        }
    }

    use futures::StreamExt;

    #[test]
    fn a_streamed_body_is_sent_a_chunk_at_a_time_with_its_length() {
        futures::executor::block_on(async {
            let pulled = Rc::new(Cell::new(0));
            let resp = response(
                streamed(8 * 1024, 8, pulled.clone()),
                "GET",
                std::time::Instant::now(),
            );
            assert_eq!(resp.headers()["content-length"], "8192");
            let mut body = resp.into_body();
            let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
            assert_eq!(&first[..], &[0u8; 1024][..]);
            assert_eq!(
                pulled.get(),
                1,
                "one chunk read for the first frame, not the whole body"
            );
            let rest = body.collect().await.unwrap().to_bytes();
            assert_eq!(rest.len(), 7 * 1024);
            assert_eq!(rest[7 * 1024 - 1], 7);
        });
    }

    #[test]
    fn a_stream_shorter_or_longer_than_declared_fails_the_body() {
        futures::executor::block_on(async {
            for (len, chunks) in [(8 * 1024, 7), (8 * 1024, 9)] {
                let resp = response(
                    streamed(len, chunks, Rc::new(Cell::new(0))),
                    "GET",
                    std::time::Instant::now(),
                );
                assert!(
                    resp.into_body().collect().await.is_err(),
                    "{chunks} chunks for {len}"
                );
            }
        });
    }

    #[test]
    fn routes_by_path_prefix_as_the_gateway() {
        assert_eq!(route("/api/orders/orders"), Some(Capability::Orders));
        assert_eq!(route("/exchange/v1/batch"), Some(Capability::Exchange));
        assert_eq!(route("/api/ordersx"), None);
        assert_eq!(route("/orders/api/auth/"), None);
    }
}
