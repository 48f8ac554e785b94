//! The static pages, served as the Workers' assets layer serves `static/` (wrangler.toml
//! `[assets]`: html handling "auto-trailing-slash", `not_found_handling = "404-page"`): `/x`
//! answers `x.html`, `/x.html` and `/index.html` redirect to their short form, a folder answers
//! its `index.html`; an ETag with `If-None-Match` answers 304; the rules of `static/_headers`
//! are applied to every answer, so the CSP and the other security headers are the same.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub struct Assets {
    root: PathBuf,
    rules: Vec<(String, Vec<(String, String)>)>,
}

pub struct Asset {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Assets {
    pub fn load(root: &Path) -> Result<Assets, String> {
        let rules = match std::fs::read_to_string(root.join("_headers")) {
            Ok(text) => parse_headers(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("{:?}: {e}", root.join("_headers"))),
        };
        Ok(Assets {
            root: root.to_path_buf(),
            rules,
        })
    }

    /// The answer for `path` (no query), `method` GET or HEAD.
    pub fn serve(&self, method: &str, path: &str, if_none_match: Option<&str>) -> Asset {
        let mut asset = self.lookup(method, path, if_none_match);
        for (pattern, headers) in &self.rules {
            if matches(pattern, path) {
                for (k, v) in headers {
                    asset
                        .headers
                        .retain(|(name, _)| !name.eq_ignore_ascii_case(k));
                    asset.headers.push((k.clone(), v.clone()));
                }
            }
        }
        if method == "HEAD" {
            asset.body.clear();
        }
        asset
    }

    fn lookup(&self, method: &str, path: &str, if_none_match: Option<&str>) -> Asset {
        if method != "GET" && method != "HEAD" {
            return Asset {
                status: 405,
                headers: vec![("allow".into(), "GET, HEAD".into())],
                body: Vec::new(),
            };
        }
        let Some(decoded) = decode_path(path) else {
            return not_found();
        };
        if let Some(short) = short_form(&decoded) {
            return Asset {
                status: 307,
                headers: vec![("location".into(), short)],
                body: Vec::new(),
            };
        }
        let candidates: Vec<String> = if decoded.ends_with('/') {
            vec![format!("{decoded}index.html")]
        } else {
            vec![decoded.clone(), format!("{decoded}.html")]
        };
        for c in candidates {
            let file = self.root.join(c.trim_start_matches('/'));
            if c.ends_with("/_headers") || !file.is_file() {
                continue;
            }
            let Ok(body) = std::fs::read(&file) else {
                continue;
            };
            let etag = format!("\"{}\"", hex16(&Sha256::digest(&body)));
            let mut headers = vec![
                ("content-type".into(), content_type(&c).into()),
                ("etag".into(), etag.clone()),
                (
                    "cache-control".into(),
                    "public, max-age=0, must-revalidate".into(),
                ),
            ];
            if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
                headers.retain(|(k, _)| k != "content-type");
                return Asset {
                    status: 304,
                    headers,
                    body: Vec::new(),
                };
            }
            return Asset {
                status: 200,
                headers,
                body,
            };
        }
        not_found()
    }
}

fn not_found() -> Asset {
    Asset {
        status: 404,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn hex16(bytes: &[u8]) -> String {
    bytes[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The percent-decoded path, if it stays inside the folder.
fn decode_path(path: &str) -> Option<String> {
    let decoded = url::form_urlencoded::parse(format!("p={}", path.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    let safe = decoded.starts_with('/')
        && !decoded.contains('\0')
        && !decoded.contains('\\')
        && decoded.split('/').all(|p| p != ".." && p != ".");
    safe.then_some(decoded)
}

/// Where `/x.html`, `/index.html` and `/dir/index` go: the short form, as the assets layer
/// redirects them.
fn short_form(path: &str) -> Option<String> {
    if let Some(dir) = path
        .strip_suffix("index.html")
        .or_else(|| path.strip_suffix("index"))
    {
        if dir.ends_with('/') {
            return Some(dir.to_string());
        }
    }
    path.strip_suffix(".html").map(str::to_string)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// `_headers`: a URL pattern at the line's start, then its headers indented as `Name: value`.
fn parse_headers(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            rules.push((line.trim().to_string(), Vec::new()));
        } else if let (Some(rule), Some((k, v))) = (rules.last_mut(), line.trim().split_once(':')) {
            rule.1
                .push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    rules
}

/// A `_headers` pattern: exact, or a `*` splat matching any rest.
fn matches(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        Some((prefix, suffix)) => {
            path.len() >= prefix.len() + suffix.len()
                && path.starts_with(prefix)
                && path.ends_with(suffix)
        }
        None => pattern == path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (PathBuf, Assets) {
        let dir = std::env::temp_dir().join(shared::ids::new_id("static"));
        std::fs::create_dir_all(dir.join("js")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>home</p>").unwrap();
        std::fs::write(dir.join("sign-in.html"), "<p>in</p>").unwrap();
        std::fs::write(dir.join("js/app.js"), "x()").unwrap();
        std::fs::write(
            dir.join("_headers"),
            "/*\n  X-Frame-Options: DENY\n  Content-Security-Policy: default-src 'self'\n/sw.js\n  Cache-Control: no-cache\n",
        )
        .unwrap();
        let assets = Assets::load(&dir).unwrap();
        (dir, assets)
    }

    fn header<'a>(a: &'a Asset, name: &str) -> Option<&'a str> {
        a.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn pages_redirects_and_headers_as_the_assets_layer() {
        let (dir, assets) = site();
        let home = assets.serve("GET", "/", None);
        assert_eq!(
            (home.status, home.body.as_slice()),
            (200, &b"<p>home</p>"[..])
        );
        assert_eq!(header(&home, "x-frame-options"), Some("DENY"));
        assert_eq!(
            header(&home, "content-security-policy"),
            Some("default-src 'self'")
        );
        assert_eq!(assets.serve("GET", "/sign-in", None).body, b"<p>in</p>");
        let r = assets.serve("GET", "/sign-in.html", None);
        assert_eq!((r.status, header(&r, "location")), (307, Some("/sign-in")));
        let r = assets.serve("GET", "/index.html", None);
        assert_eq!((r.status, header(&r, "location")), (307, Some("/")));
        let js = assets.serve("GET", "/js/app.js", None);
        assert_eq!(
            header(&js, "content-type"),
            Some("text/javascript; charset=utf-8")
        );
        let etag = header(&js, "etag").unwrap().to_string();
        assert_eq!(assets.serve("GET", "/js/app.js", Some(&etag)).status, 304);
        assert_eq!(assets.serve("GET", "/nope", None).status, 404);
        assert_eq!(assets.serve("GET", "/_headers", None).status, 404);
        assert_eq!(assets.serve("GET", "/../Cargo.toml", None).status, 404);
        assert_eq!(assets.serve("GET", "/%2e%2e/Cargo.toml", None).status, 404);
        assert_eq!(assets.serve("POST", "/", None).status, 405);
        let head = assets.serve("HEAD", "/", None);
        assert_eq!((head.status, head.body.len()), (200, 0));
        let _ = std::fs::remove_dir_all(dir);
    }
}
