//! The site side of 1C's stock "exchange with a website" protocol (CommerceML over HTTP), so a
//! stock configuration can send its catalogue with no 1C programming. 1C is the client; answers
//! are plain text lines. This part: `type=catalog` (`checkauth`, `init`, `file`, `import`,
//! `deactivate`, `complete`) updating products, prices and stock. Imports run within the request;
//! files above [`MAX_SYNC_IMPORT_BYTES`] are refused until the sliced import lands.

use super::sql;
use crate::commerceml::{for_each_offer, for_each_product, CmlError};
use crate::error::{AppError, AppResult};
use crate::http::{ApiRequest, ApiResponse};
use crate::ports::{BlobStore, Database, DatabaseExt, Ports, Stmt};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

pub const COOKIE: &str = "portal_cml";
/// Largest chunk 1C may send in one `file` request.
pub const FILE_LIMIT: usize = 8 * 1024 * 1024;
pub const MAX_SYNC_IMPORT_BYTES: i64 = 48 * 1024 * 1024;
/// A session (cookie / `sessid`) lasts this long.
const SESSION_SECS: i64 = 3600;
/// Rows per bulk statement.
const ROWS_PER_STATEMENT: usize = 500;

fn text(body: String) -> ApiResponse {
    ApiResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
        body: body.into_bytes(),
        log: Default::default(),
    }
}

fn failure(reason: &str) -> ApiResponse {
    text(format!("failure\n{reason}\n"))
}

fn mac(secret: &str, data: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(data.as_bytes());
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A session token: its expiry and a MAC over it, so no session table is needed.
fn new_token(secret: &str, now_unix: i64) -> String {
    let exp = now_unix + SESSION_SECS;
    format!("{exp}.{}", mac(secret, &format!("cml:{exp}")))
}

/// The session id (for file names) of a valid, unexpired token.
fn check_token(secret: &str, token: &str, now_unix: i64) -> Option<String> {
    let (exp, sig) = token.split_once('.')?;
    let exp: i64 = exp.parse().ok()?;
    let expected = mac(secret, &format!("cml:{exp}"));
    (exp > now_unix && crate::auth::password::constant_time_eq(sig.as_bytes(), expected.as_bytes()))
        .then(|| expected[..16].to_string())
}

/// `C:\v8_8789_c.xml` or `webdata/import0_1.xml` -> `v8_8789_c.xml`; anything else odd is refused.
pub fn base_name(filename: &str) -> Option<String> {
    let name = filename.rsplit(['/', '\\']).next()?.trim();
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    ok.then(|| name.to_string())
}

fn basic_auth_ok(req: &ApiRequest, user: &str, password: &str) -> bool {
    let Some(b64) = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let expected = format!("{user}:{password}");
    !user.is_empty() && crate::auth::password::constant_time_eq(&decoded, expected.as_bytes())
}

pub async fn handle<P: Ports>(p: &P, req: &ApiRequest) -> AppResult<ApiResponse> {
    let cfg = p.config();
    let (Some(user), Some(password)) = (cfg.cml_user.as_deref(), cfg.cml_password.as_deref())
    else {
        return Ok(failure("exchange is not configured"));
    };
    let now = p.now().timestamp();
    let secret = &cfg.onec_hmac_secret;
    let kind = req.query_param("type").unwrap_or("");
    let mode = req.query_param("mode").unwrap_or("");
    if mode == "checkauth" {
        if !basic_auth_ok(req, user, password) {
            let mut r = failure("wrong login or password");
            r.status = 401;
            r.headers.push((
                "www-authenticate".into(),
                "Basic realm=\"1C exchange\"".into(),
            ));
            return Ok(r);
        }
        let token = new_token(secret, now);
        return Ok(text(format!(
            "success\n{COOKIE}\n{token}\nsessid={token}\n"
        )));
    }
    let token = req
        .cookie(COOKIE)
        .or_else(|| req.query_param("sessid").map(str::to_string))
        .unwrap_or_default();
    let Some(session) = check_token(secret, &token, now) else {
        let mut r = failure("not signed in: call checkauth first");
        r.status = 401;
        return Ok(r);
    };
    if kind != "catalog" {
        return Ok(failure("only type=catalog is served here"));
    }
    match mode {
        "init" => Ok(text(format!(
            "zip=no\nfile_limit={FILE_LIMIT}\nsessid={token}\nversion=2.08\n"
        ))),
        "file" => file(p, req, &session).await,
        "import" => import(p, req, &session).await,
        "deactivate" | "complete" => Ok(text("success\n".into())),
        _ => Ok(failure("unknown mode")),
    }
}

#[derive(Deserialize)]
struct FileRow {
    chunks: i64,
    bytes: i64,
    status: String,
}

async fn file<P: Ports>(p: &P, req: &ApiRequest, session: &str) -> AppResult<ApiResponse> {
    let Some(name) = req.query_param("filename").and_then(base_name) else {
        return Ok(failure("bad filename"));
    };
    if req.body.len() > FILE_LIMIT {
        return Ok(failure("chunk larger than file_limit"));
    }
    if !name.to_ascii_lowercase().ends_with(".xml") {
        // Images and other files of a full catalogue exchange are not used by the portal.
        return Ok(text("success\n".into()));
    }
    let row: Option<FileRow> = p
        .db()
        .first(Stmt::new(sql::CML_FILE).bind(session).bind(&name))
        .await?;
    // The next chunk's number; a file sent again after its import starts over.
    let chunk = row
        .as_ref()
        .filter(|r| r.status == "uploading")
        .map(|r| r.chunks)
        .unwrap_or(0);
    // R2 cannot append: each chunk is its own object, joined at import.
    p.blobs()
        .put(
            &format!("cml/{session}/{name}/{chunk:06}"),
            req.body.clone(),
            "application/xml",
        )
        .await?;
    p.db()
        .exec(
            Stmt::new(sql::CML_FILE_CHUNK)
                .bind(session)
                .bind(&name)
                .bind(req.body.len() as i64)
                .bind(p.now()),
        )
        .await?;
    Ok(text("success\n".into()))
}

async fn import<P: Ports>(p: &P, req: &ApiRequest, session: &str) -> AppResult<ApiResponse> {
    let Some(name) = req.query_param("filename").and_then(base_name) else {
        return Ok(failure("bad filename"));
    };
    let Some(row) = p
        .db()
        .first::<FileRow>(Stmt::new(sql::CML_FILE).bind(session).bind(&name))
        .await?
    else {
        return Ok(failure("no such file uploaded in this session"));
    };
    if row.bytes > MAX_SYNC_IMPORT_BYTES {
        return Ok(failure(
            "file too large for this portal version (sliced import pending)",
        ));
    }
    let mut bytes = Vec::with_capacity(row.bytes as usize);
    for i in 0..row.chunks {
        let key = format!("cml/{session}/{name}/{i:06}");
        bytes.extend(
            p.blobs()
                .get(&key)
                .await?
                .ok_or_else(|| AppError::internal(format!("missing chunk {key}")))?,
        );
    }
    let result = import_bytes(p, &name, &bytes).await;
    let (status, answer) = match &result {
        Ok(n) => ("imported", format!("success\n{n}\n")),
        Err(e) => ("failed", format!("failure\n{e}\n")),
    };
    p.db()
        .exec(
            Stmt::new(sql::CML_FILE_DONE)
                .bind(status)
                .bind(answer.trim())
                .bind(p.now())
                .bind(session)
                .bind(&name),
        )
        .await?;
    Ok(text(answer))
}

/// Imports one catalogue file: products from `import*.xml`, names, prices and stock of offers
/// from `offers*`, `prices*`, `rests*`. Returns a one-line report.
pub async fn import_bytes<P: Ports>(p: &P, name: &str, bytes: &[u8]) -> Result<String, String> {
    let now = p.now();
    let lower = name.to_ascii_lowercase();
    let mut stmts: Vec<Stmt> = Vec::new();
    if lower.starts_with("import") {
        let mut rows = Vec::new();
        let n = for_each_product(bytes, |pr| {
            if let Some(name) = pr.name {
                let article = pr.article.unwrap_or_default();
                rows.push(serde_json::json!({
                    "id": crate::ids::new_id("prd"), "onec_id": pr.id, "article_norm": crate::validate::article_key(&article), "article": article,
                    "name_norm": crate::validate::search_text(&name), "name": name, "unit": pr.unit.unwrap_or_else(|| "шт".into()),
                    "unit_code": null, "vat_rate_bp": 2000, "active": 1,
                }));
            }
            Ok::<(), CmlError>(())
        })
        .map_err(|e| e.to_string())?;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            stmts.push(
                Stmt::new(sql::PRODUCTS_UPSERT_MANY)
                    .bind(now)
                    .bind(serde_json::to_string(chunk).unwrap_or_default()),
            );
        }
        p.db().batch(stmts).await.map_err(|e| e.to_string())?;
        return Ok(format!("products: {n}"));
    }
    // Offers: variants with a name become products of their own; prices and stock attach to the
    // offer's product, or to the product it is a characteristic of (`guid#guid`).
    let (mut products, mut prices, mut stock, mut types, mut ids) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        std::collections::BTreeSet::new(),
        Vec::new(),
    );
    let n = for_each_offer(bytes, |o| {
        let base = o.id.split('#').next().unwrap_or(&o.id).to_string();
        if let Some(name) = &o.name {
            let article = o.article.clone().unwrap_or_default();
            products.push(serde_json::json!({
                "id": crate::ids::new_id("prd"), "onec_id": o.id, "article_norm": crate::validate::article_key(&article), "article": article,
                "name_norm": crate::validate::search_text(name), "name": name, "unit": "шт", "unit_code": null, "vat_rate_bp": 2000, "active": 1,
            }));
        }
        for (pt, kop) in &o.prices {
            types.insert(pt.clone());
            prices.push(serde_json::json!({"id": o.id, "base": base, "pt": pt, "kop": kop.0}));
        }
        if let Some(q) = o.quantity {
            stock.push(serde_json::json!({"id": o.id, "base": base, "qty": q.0}));
        }
        ids.push(serde_json::json!({"id": o.id, "base": base, "prices": !o.prices.is_empty(), "stock": o.quantity.is_some()}));
        Ok::<(), CmlError>(())
    })
    .map_err(|e| e.to_string())?;
    let types: Vec<serde_json::Value> = types
        .into_iter()
        .map(|t| serde_json::json!({"id": crate::ids::new_id("pt"), "onec_id": t, "name": t}))
        .collect();
    for chunk in products.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::PRODUCTS_UPSERT_MANY)
                .bind(now)
                .bind(serde_json::to_string(chunk).unwrap_or_default()),
        );
    }
    stmts.push(
        Stmt::new(sql::CML_PRICE_TYPES_ADD).bind(serde_json::to_string(&types).unwrap_or_default()),
    );
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let c = serde_json::to_string(chunk).unwrap_or_default();
        stmts.push(Stmt::new(sql::CML_PRICES_CLEAR).bind(c.clone()));
        stmts.push(Stmt::new(sql::CML_STOCK_CLEAR).bind(c));
    }
    for chunk in prices.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_PRICES_ADD).bind(serde_json::to_string(chunk).unwrap_or_default()),
        );
    }
    for chunk in stock.chunks(ROWS_PER_STATEMENT) {
        stmts.push(
            Stmt::new(sql::CML_STOCK_ADD).bind(serde_json::to_string(chunk).unwrap_or_default()),
        );
    }
    p.db().batch(stmts).await.map_err(|e| e.to_string())?;
    Ok(format!(
        "offers: {n}, prices: {}, stock rows: {}",
        prices.len(),
        stock.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(
            base_name(r"C:\v8_8789_c.xml").as_deref(),
            Some("v8_8789_c.xml")
        );
        assert_eq!(
            base_name("webdata/import0_1.xml").as_deref(),
            Some("import0_1.xml")
        );
        assert_eq!(base_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(base_name("..").as_deref(), None);
        assert_eq!(base_name("a b.xml"), None);
    }

    #[test]
    fn tokens_expire_and_cannot_be_forged() {
        let t = new_token("s", 1000);
        assert!(check_token("s", &t, 1001).is_some());
        assert!(check_token("s", &t, 1000 + SESSION_SECS).is_none());
        assert!(check_token("other", &t, 1001).is_none());
        assert!(check_token("s", "99999999999.abc", 1001).is_none());
    }
}
