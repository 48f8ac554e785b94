//! The database port on D1: statements bound and run through D1's JS API, rows read back into
//! the domain's rows.

use crate::js::js_error;
use shared::ports::{Database, Row, SqlValue, Stmt, StmtResult};
use shared::AppResult;
use wasm_bindgen::{JsCast, JsValue};
use worker::D1Database;

// Direct bindings to the D1 JS API: rows come back as JS objects we read ourselves, so integers
// stay integers and `meta.changes` is at hand.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type JsD1;
    #[wasm_bindgen(method)]
    fn prepare(this: &JsD1, sql: &str) -> JsStmt;
    #[wasm_bindgen(method, catch)]
    fn batch(this: &JsD1, stmts: js_sys::Array) -> Result<js_sys::Promise, JsValue>;

    type JsStmt;
    #[wasm_bindgen(method, variadic, catch)]
    fn bind(this: &JsStmt, values: js_sys::Array) -> Result<JsStmt, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn all(this: &JsStmt) -> Result<js_sys::Promise, JsValue>;
}

pub struct D1(JsD1);

impl D1 {
    pub fn new(db: D1Database) -> D1 {
        let js: &JsValue = db.as_ref();
        D1(js.clone().unchecked_into())
    }
}

fn bind(db: &JsD1, stmt: &Stmt) -> AppResult<JsStmt> {
    let params = js_sys::Array::new();
    for p in &stmt.params {
        params.push(&match p {
            SqlValue::Null => JsValue::NULL,
            // Exact for |i| <= 2^53: kopecks and counters stay integers.
            SqlValue::Integer(i) => JsValue::from_f64(*i as f64),
            SqlValue::Real(f) => JsValue::from_f64(*f),
            SqlValue::Text(s) => JsValue::from_str(s),
            SqlValue::Blob(b) => js_sys::Uint8Array::from(b.as_slice()).into(),
        });
    }
    let prepared = db.prepare(stmt.sql.as_ref());
    if stmt.params.is_empty() {
        return Ok(prepared);
    }
    prepared.bind(params).map_err(|e| js_error("d1 bind", e))
}

/// A row object from D1 into the domain's row: integers stay integers.
fn row_from_js(obj: &JsValue) -> Row {
    let mut row = Row::new();
    let Some(obj) = obj.dyn_ref::<js_sys::Object>() else {
        return row;
    };
    for entry in js_sys::Object::entries(obj).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let v = pair.get(1);
        let value = if v.is_null() || v.is_undefined() {
            serde_json::Value::Null
        } else if let Some(n) = v.as_f64() {
            if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 {
                serde_json::Value::from(n as i64)
            } else {
                serde_json::Value::from(n)
            }
        } else if let Some(s) = v.as_string() {
            serde_json::Value::String(s)
        } else if let Some(b) = v.as_bool() {
            serde_json::Value::from(b as i64)
        } else if let Some(arr) = v.dyn_ref::<js_sys::ArrayBuffer>() {
            let bytes = js_sys::Uint8Array::new(arr).to_vec();
            serde_json::Value::Array(bytes.into_iter().map(serde_json::Value::from).collect())
        } else {
            serde_json::Value::Null
        };
        row.insert(key, value);
    }
    row
}

/// D1's rows as the domain's rows. The whole result crosses from JS as one `JSON.stringify`
/// string and is parsed in Rust: reading cell by cell costs a JS call per key and per value (for a
/// page of orders, a thousand and more), which profiling showed as the Worker's largest own cost.
/// Integral numbers parse as integers, as in `row_from_js`. A BLOB cell would stringify as `{}`
/// (the schema has none): any object in the parsed rows sends the result down the cell-by-cell
/// path, which reads bytes.
fn rows_from_js(results: &JsValue) -> Vec<Row> {
    if !results.is_array() {
        return Vec::new();
    }
    let parsed = js_sys::JSON::stringify(results)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|text| serde_json::from_str::<Vec<Row>>(&text).ok());
    match parsed {
        Some(rows) if !rows.iter().flat_map(|r| r.values()).any(|v| v.is_object()) => rows,
        _ => js_sys::Array::from(results)
            .iter()
            .map(|r| row_from_js(&r))
            .collect(),
    }
}

fn result_from_js(result: &JsValue) -> StmtResult {
    let get = |o: &JsValue, k: &str| {
        js_sys::Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    };
    let rows = rows_from_js(&get(result, "results"));
    let changes = get(&get(result, "meta"), "changes").as_f64().unwrap_or(0.0) as u64;
    StmtResult { rows, changes }
}

impl Database for D1 {
    async fn run(&self, stmt: Stmt) -> AppResult<StmtResult> {
        let prepared = bind(&self.0, &stmt)?;
        let promise = prepared.all().map_err(|e| js_error("d1", e))?;
        let result = worker::wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| js_error("d1", e))?;
        Ok(result_from_js(&result))
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<StmtResult>> {
        if stmts.is_empty() {
            return Ok(Vec::new());
        }
        let arr = js_sys::Array::new();
        for s in &stmts {
            arr.push(bind(&self.0, s)?.as_ref());
        }
        let promise = self.0.batch(arr).map_err(|e| js_error("d1 batch", e))?;
        let results = worker::wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| js_error("d1 batch", e))?;
        Ok(js_sys::Array::from(&results)
            .iter()
            .map(|r| result_from_js(&r))
            .collect())
    }
}
