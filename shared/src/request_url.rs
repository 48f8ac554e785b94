//! The parts of a request's URL the portal reads (origin, path, query pairs), split from the
//! runtime's own serialization of it. The runtime hands over an absolute, already normalised URL
//! (WHATWG serialization: lower-case host, default port dropped, path percent-encoded), so no
//! general URL parser is needed: the `url` crate with its IDNA/Unicode tables cost every Worker
//! about 25 KB gzip (docs/benchmarks.md, issue 23).

/// Origin, path and decoded query pairs of an absolute URL as the runtime serializes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// `scheme://host[:port]`, as `Url::origin().ascii_serialization()` gives it.
    pub origin: String,
    /// The path as serialized (still percent-encoded), `/` when empty.
    pub path: String,
    /// `application/x-www-form-urlencoded` pairs of the query, decoded.
    pub query: Vec<(String, String)>,
}

/// Splits `url` (absolute, `scheme://authority/path?query#fragment`).
pub fn split(url: &str) -> UrlParts {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split('#').next().unwrap_or(rest);
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match before_query.find('/') {
        Some(i) => (&before_query[..i], &before_query[i..]),
        None => (before_query, "/"),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    UrlParts {
        origin: format!("{scheme}://{host}"),
        path: path.to_string(),
        query: form_pairs(query),
    }
}

/// `application/x-www-form-urlencoded` parsing (the WHATWG URL standard's): `&`-separated,
/// empty pieces skipped, `+` as space, percent-decoding, invalid UTF-8 replaced.
pub fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() && hex(b[i + 1]).is_some() && hex(b[i + 2]).is_some() => {
                out.push(hex(b[i + 1]).unwrap_or(0) * 16 + hex(b[i + 2]).unwrap_or(0));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_the_url_crate() {
        let p = split("http://127.0.0.1:8787/api/orders/orders?q=%D0%B0%D0%B1+c&status=new&&x#f");
        assert_eq!(p.origin, "http://127.0.0.1:8787");
        assert_eq!(p.path, "/api/orders/orders");
        assert_eq!(
            p.query,
            vec![
                ("q".into(), "аб c".into()),
                ("status".into(), "new".into()),
                ("x".into(), "".into())
            ]
        );
        let p = split("https://portal.example.ru?a=1");
        assert_eq!((p.origin.as_str(), p.path.as_str()), ("https://portal.example.ru", "/"));
        assert_eq!(p.query, vec![("a".into(), "1".into())]);
        let p = split("https://u:p@h.example/a%2Fb/c?k=%2x%41=");
        assert_eq!(p.origin, "https://h.example");
        assert_eq!(p.path, "/a%2Fb/c");
        assert_eq!(p.query, vec![("k".into(), "%2xA=".into())]);
        assert_eq!(split("https://h").path, "/");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(form_pairs("a=%FF"), vec![("a".into(), "\u{FFFD}".into())]);
    }
}
