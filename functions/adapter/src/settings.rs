//! The Worker's variables and secrets: read once per isolate (they are fixed for a Worker
//! version), not on every request.

use shared::config::Config;
use shared::AppResult;
use worker::Env;

/// Reads a plain variable or a secret.
pub fn env_var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string())
        .ok()
        .or_else(|| env.secret(name).map(|v| v.to_string()).ok())
}

/// The settings this isolate runs with, and the mail API's address and key: variables and
/// secrets are fixed for a Worker version, so they are read once per isolate, not on every
/// request (a failed read is not kept: the next request tries again).
pub(crate) struct IsolateSettings {
    pub(crate) config: std::rc::Rc<Config>,
    pub(crate) mail_url: Option<String>,
    pub(crate) mail_token: Option<String>,
    /// Dev only (`REPORT_WASM_MEMORY=true`, set by scripts/stack.sh for test stacks, never in
    /// the deployed configs): every answer reports this isolate's wasm memory
    /// ([`crate::log::memory_headers`]), for the streaming tests and benchmarks.
    pub(crate) report_memory: bool,
}

thread_local! {
    static SETTINGS: std::cell::RefCell<Option<std::rc::Rc<IsolateSettings>>> =
        const { std::cell::RefCell::new(None) };
}

pub(crate) fn settings(env: &Env) -> AppResult<std::rc::Rc<IsolateSettings>> {
    if let Some(s) = SETTINGS.with(|c| c.borrow().clone()) {
        return Ok(s);
    }
    let s = std::rc::Rc::new(IsolateSettings {
        config: std::rc::Rc::new(Config::from_vars(|name| env_var(env, name))?),
        mail_url: env_var(env, "MAIL_API_URL"),
        mail_token: env_var(env, "MAIL_API_TOKEN"),
        report_memory: env_var(env, "REPORT_WASM_MEMORY").as_deref() == Some("true"),
    });
    SETTINGS.with(|c| *c.borrow_mut() = Some(s.clone()));
    Ok(s)
}
