//! Small bridges to the JS runtime shared by the ports: a runtime or JS error as the domain's
//! internal error, a method called by name on a JS object.

use shared::{AppError, AppResult};
use wasm_bindgen::{JsCast, JsValue};

pub(crate) fn internal(e: worker::Error) -> AppError {
    AppError::internal(e.to_string())
}

pub(crate) fn js_error(context: &str, e: JsValue) -> AppError {
    let msg = js_sys::Reflect::get(&e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    let cause = js_sys::Reflect::get(&e, &JsValue::from_str("cause"))
        .ok()
        .and_then(|c| js_sys::Reflect::get(&c, &JsValue::from_str("message")).ok())
        .and_then(|m| m.as_string());
    AppError::internal(format!(
        "{context}: {msg}{}",
        cause.map(|c| format!(" ({c})")).unwrap_or_default()
    ))
}

pub(crate) fn js_call(obj: &JsValue, method: &str) -> AppResult<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(obj, &JsValue::from_str(method))
        .and_then(|f| f.dyn_into())
        .map_err(|e| js_error(method, e))?;
    f.call0(obj).map_err(|e| js_error(method, e))
}
