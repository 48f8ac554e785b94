//! The one error type of the domain crate. Every failure a caller can see becomes an RFC 9457
//! problem: a status, a stable machine-readable code, and a message in Russian and English.
//! Internal details (SQL text, backend messages) are kept for the log and never sent.

use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: malformed request.
    BadRequest,
    /// 401: not signed in, or the session is no longer valid.
    Unauthorized,
    /// 403: signed in but not allowed.
    Forbidden,
    /// 404: absent, or another company's.
    NotFound,
    /// 405: the path exists with another method.
    MethodNotAllowed,
    /// 409: version conflict.
    Conflict,
    /// 413: body too large.
    PayloadTooLarge,
    /// 415: wrong content type.
    UnsupportedMediaType,
    /// 422: valid JSON that breaks a business rule or a field rule.
    Unprocessable,
    /// 429: throttled.
    TooManyRequests,
    /// 503: a dependency is down; the request may be retried.
    Unavailable,
    /// 500: a defect or a backend failure; details only in the log.
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::UnsupportedMediaType => 415,
            ErrorKind::Unprocessable => 422,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal => 500,
        }
    }
}

/// One invalid field: which, a code, and a message in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message_ru: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        ru: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code,
            message_ru: ru.into(),
            message_en: en.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: ErrorKind,
    /// Stable slug, also the problem `type` (`/problems/<code>`).
    pub code: Cow<'static, str>,
    pub ru: Cow<'static, str>,
    pub en: Cow<'static, str>,
    pub field_errors: Vec<FieldError>,
    /// Typed extension members (`shortfall_kop`, `current`, ...).
    pub extra: Map<String, Value>,
    /// For the log only.
    pub internal: Option<String>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, ru: &'static str, en: &'static str) -> Self {
        AppError {
            kind,
            code: Cow::Borrowed(code),
            ru: Cow::Borrowed(ru),
            en: Cow::Borrowed(en),
            field_errors: Vec::new(),
            extra: Map::new(),
            internal: None,
        }
    }

    pub fn with_extra(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    pub fn with_internal(mut self, detail: impl Into<String>) -> Self {
        self.internal = Some(detail.into());
        self
    }

    pub fn bad_request(code: &'static str, ru: &'static str, en: &'static str) -> Self {
        Self::new(ErrorKind::BadRequest, code, ru, en)
    }

    pub fn malformed_json(detail: impl fmt::Display) -> Self {
        Self::bad_request(
            "malformed-json",
            "Тело запроса не является корректным JSON нужной формы.",
            "The request body is not valid JSON of the expected shape.",
        )
        .with_internal(detail.to_string())
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorKind::Unauthorized,
            "unauthenticated",
            "Войдите в систему.",
            "Please sign in.",
        )
    }

    pub fn session_expired() -> Self {
        Self::new(
            ErrorKind::Unauthorized,
            "session-expired",
            "Сеанс завершён. Войдите снова.",
            "Your session has ended. Please sign in again.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            ErrorKind::Forbidden,
            "forbidden",
            "Недостаточно прав для этого действия.",
            "You are not allowed to do this.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            ErrorKind::NotFound,
            "not-found",
            "Не найдено.",
            "Not found.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            ErrorKind::MethodNotAllowed,
            "method-not-allowed",
            "Метод не поддерживается для этого адреса.",
            "Method not allowed for this path.",
        )
    }

    /// 409 `version-conflict`: the record changed since the user opened it (a stale `version`).
    /// The text names what changed; callers that have the fresh record add it as `current`.
    pub fn version_conflict(ru: &'static str, en: &'static str) -> Self {
        Self::new(ErrorKind::Conflict, "version-conflict", ru, en)
    }

    /// 409 `payment-pending`: a payment of the order already waits for 1C's confirmation.
    pub fn payment_pending(ru: &'static str, en: &'static str) -> Self {
        Self::new(ErrorKind::Conflict, "payment-pending", ru, en)
    }

    pub fn validation(field_errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            ErrorKind::Unprocessable,
            "validation-failed",
            "Проверьте поля формы.",
            "Some fields are invalid.",
        );
        e.field_errors = field_errors;
        e
    }

    /// Says how long to wait, in the title and in `Retry-After`.
    pub fn too_many_requests(retry_after_secs: i64) -> Self {
        let secs = retry_after_secs.max(1);
        let (ru, en) = if secs < 60 {
            (format!("{secs} с"), format!("{secs} s"))
        } else {
            let min = (secs + 59) / 60;
            (format!("{min} мин"), format!("{min} min"))
        };
        let mut e = Self::new(ErrorKind::TooManyRequests, "too-many-attempts", "", "");
        e.ru = Cow::Owned(format!("Слишком много попыток. Повторите через {ru}."));
        e.en = Cow::Owned(format!("Too many attempts. Try again in {en}."));
        e.with_extra("retry_after_seconds", secs)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal-error",
            "Внутренняя ошибка. Повторите позже.",
            "Internal error. Please try again later.",
        )
        .with_internal(detail)
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Unavailable,
            "service-unavailable",
            "Сервис временно недоступен. Повторите позже.",
            "Service temporarily unavailable. Please try again later.",
        )
        .with_internal(detail)
    }

    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The RFC 9457 body. `lang` picks the language of `title`; both languages are always present.
    pub fn to_problem(&self, lang: Lang) -> Value {
        let mut body = Map::new();
        body.insert(
            "type".into(),
            Value::String(format!("/problems/{}", self.code)),
        );
        body.insert("code".into(), Value::String(self.code.to_string()));
        body.insert("status".into(), Value::from(self.status()));
        let title = match lang {
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        };
        body.insert("title".into(), Value::String(title.to_string()));
        body.insert("title_ru".into(), Value::String(self.ru.to_string()));
        body.insert("title_en".into(), Value::String(self.en.to_string()));
        if !self.field_errors.is_empty() {
            let fields: Vec<Value> = self
                .field_errors
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "field": f.field,
                        "code": f.code,
                        "message": match lang { Lang::Ru => &f.message_ru, Lang::En => &f.message_en },
                        "message_ru": f.message_ru,
                        "message_en": f.message_en,
                    })
                })
                .collect();
            body.insert("field_errors".into(), Value::Array(fields));
        }
        for (k, v) in &self.extra {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status(), self.code)?;
        if let Some(i) = &self.internal {
            write!(f, ": {i}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::internal(format!("json: {e}"))
    }
}

/// The user's language: Russian first, English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    /// Reads `Accept-Language`; anything but a leading English preference means Russian.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::Ru };
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("ru") {
                return Lang::Ru;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Ru
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_has_both_languages_and_picks_title() {
        let e = AppError::validation(vec![FieldError::new(
            "email",
            "required",
            "Укажите e-mail.",
            "E-mail is required.",
        )]);
        let p = e.to_problem(Lang::En);
        assert_eq!(p["status"], 422);
        assert_eq!(p["type"], "/problems/validation-failed");
        assert_eq!(p["title"], "Some fields are invalid.");
        assert_eq!(p["title_ru"], "Проверьте поля формы.");
        assert_eq!(p["field_errors"][0]["field"], "email");
        assert_eq!(p["field_errors"][0]["message"], "E-mail is required.");
    }

    #[test]
    fn internal_detail_never_in_body() {
        let e = AppError::internal("SELECT secret FROM t");
        let body = e.to_problem(Lang::Ru).to_string();
        assert!(!body.contains("SELECT"));
    }

    #[test]
    fn accept_language() {
        assert_eq!(
            Lang::from_accept_language(Some("en-US,en;q=0.9,ru;q=0.8")),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language(Some("ru-RU,ru;q=0.9,en;q=0.5")),
            Lang::Ru
        );
        assert_eq!(Lang::from_accept_language(Some("de-DE")), Lang::Ru);
        assert_eq!(Lang::from_accept_language(None), Lang::Ru);
    }
}
