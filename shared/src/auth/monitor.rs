//! The exchange monitor's credential: `Authorization: Bearer <MONITOR_TOKEN>`, never a client
//! role. Checked here, with the other access rules; the monitor itself is `exchange::monitor`.

use crate::error::{AppError, AppResult, ErrorKind};

/// Checks `Authorization: Bearer <MONITOR_TOKEN>` in constant time; no token configured means
/// the monitor is closed.
pub fn authorize(token: Option<&str>, header: Option<&str>) -> AppResult<()> {
    let given = header
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    match (token, given) {
        (Some(t), Some(g))
            if !t.is_empty() && super::password::constant_time_eq(t.as_bytes(), g.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(AppError::new(
            ErrorKind::Unauthorized,
            "monitor-credential-required",
            "Нужен ключ доступа к монитору обмена.",
            "The exchange monitor needs its access key.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential() {
        assert!(authorize(Some("k"), Some("Bearer k")).is_ok());
        assert!(authorize(Some("k"), Some("Bearer x")).is_err());
        assert!(authorize(Some("k"), None).is_err());
        assert!(authorize(None, Some("Bearer ")).is_err());
        assert!(authorize(Some(""), Some("Bearer ")).is_err());
    }
}
