//! `Idempotency-Key` on every request that creates or pays: the same key again, one after the
//! other or at the same moment, answers the first response and creates nothing.
//!
//! The key is optional; when sent it is 1..=64 of `A-Z a-z 0-9 _ - : .` (else 400
//! `invalid-idempotency-key`). It is scoped to the user (two users may send the same key) and
//! bound to a fingerprint of the request (method, path with its ids, body bytes; sha256): the
//! same key with another request is 422 `idempotency-key-reused`. Rows are kept 24 hours
//! ([`purge`], from the scheduled sweeper).
//!
//! Nothing spans an await: the key row is written as the LAST statement of the effect's own D1
//! batch, and only if the effect was written (`INSERT ... SELECT ... WHERE <effect>`). A parallel
//! duplicate then fails its whole batch on the primary key (a batch is one transaction: its
//! effect rolls back too) and answers the stored row instead. A guard that kept the effect from
//! happening writes no key row: the error is not stored and a retry runs again.
//!
//! # Usage (one call in, one call out)
//!
//! ```ignore
//! // In the router, before the handler (the caller is known):
//! let key = match idempotency::start(p, req, &caller.user_id, &caller.company_id).await? {
//!     Start::Replay(stored) => return Ok(stored),
//!     Start::Go(key) => key,
//! };
//! // In the handler: ids up front (crate::ids::new_id), the statements AND the response built
//! // BEFORE the batch, then the batch through the key:
//! let answer = ApiResponse::json(201, &json!({"id": new_id, ...}));
//! let results = match key.batch(p, stmts, Effect::row("outbox", &change_id), &answer).await? {
//!     Ran::Replay(stored) => return Ok(stored), // a parallel duplicate won
//!     Ran::Done(results) => results,            // the statements' results, as `db().batch`
//! };
//! // ...the handler's usual checks of `results` (a guard that wrote nothing: its error)...
//! Ok(answer)
//! // Back in the router, around the handler's result: a refusal caused by a parallel duplicate
//! // that wrote first (it saw that one's effect) becomes that duplicate's stored answer.
//! key.finish(p, result).await
//! ```
//!
//! Without the header [`Key`] is empty and [`Key::batch`] is a plain `db().batch`.

use crate::error::{AppError, AppResult, ErrorKind, FieldError};
use crate::http::{ApiRequest, ApiResponse, LogContext};
use crate::ports::{Database, DatabaseExt, Ports, SqlValue, Stmt, StmtResult};
use serde::Deserialize;

/// The request header (lowercase, as [`ApiRequest::header`] finds any case).
pub const HEADER: &str = "idempotency-key";
/// Set to `true` on an answer that repeats a stored one.
pub const REPLAYED_HEADER: &str = "idempotency-replayed";
/// How long a key and its answer are kept.
pub const KEEP_HOURS: i64 = 24;
/// The longest key accepted.
pub const MAX_LEN: usize = 64;

const SELECT: &str = "SELECT fingerprint, status, body, content_type FROM idempotency_keys \
     WHERE user_id = ? AND key = ?";
/// The key row, written only when the effect's condition (appended) holds.
const INSERT_SELECT: &str = "INSERT INTO idempotency_keys \
     (user_id, key, company_id, fingerprint, status, body, content_type, created_at) \
     SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ";
const PURGE: &str = "DELETE FROM idempotency_keys WHERE created_at < ?";

/// Whether a key has the allowed form.
pub fn key_ok(k: &str) -> bool {
    (1..=MAX_LEN).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// 400 for a malformed key, naming the header.
pub fn invalid_key() -> AppError {
    let mut e = AppError::bad_request(
        "invalid-idempotency-key",
        "Неверный Idempotency-Key: от 1 до 64 символов — латиница, цифры, _ - : .",
        "Invalid Idempotency-Key: 1 to 64 of letters, digits and _ - : .",
    )
    .with_extra("header", "Idempotency-Key");
    e.field_errors.push(FieldError::new(
        "Idempotency-Key",
        "invalid",
        "от 1 до 64 символов: латиница, цифры, _ - : .",
        "1 to 64 of letters, digits and _ - : .",
    ));
    e
}

/// 422: the key was used for another request (another route, order or body).
pub fn reused() -> AppError {
    AppError::new(
        ErrorKind::Unprocessable,
        "idempotency-key-reused",
        "Этот Idempotency-Key уже использован для другого запроса.",
        "This Idempotency-Key was used for another request.",
    )
    .with_extra("header", "Idempotency-Key")
}

/// The request's key (checked), or none. `None` without the header; 400 for a malformed one.
pub fn header(req: &ApiRequest) -> AppResult<Option<&str>> {
    match req.header(HEADER) {
        None => Ok(None),
        Some(k) if key_ok(k) => Ok(Some(k)),
        Some(_) => Err(invalid_key()),
    }
}

/// sha256 (hex) of what makes two requests the same one: method, path (template with its ids),
/// body bytes.
pub fn fingerprint(req: &ApiRequest) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(req.method.as_bytes());
    h.update(b"\n");
    h.update(req.path.as_bytes());
    h.update(b"\n");
    h.update(&req.body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What [`start`] found.
pub enum Start {
    /// The key answered before with this request: its stored answer (send it as is).
    Replay(ApiResponse),
    /// Go ahead: run the effect through [`Key::batch`].
    Go(Key),
}

/// What [`Key::batch`] did.
pub enum Ran {
    /// The batch ran: the results of the given statements (the key row's is not among them).
    Done(Vec<StmtResult>),
    /// A duplicate of this request (same user, key, fingerprint) wrote its effect first: its
    /// stored answer. This request's effect did not happen.
    Replay(ApiResponse),
}

/// The condition that the effect was written: an SQL boolean with its parameters.
pub struct Effect {
    sql: String,
    params: Vec<SqlValue>,
}

impl Effect {
    /// The row `id` exists in `table` (an id generated up front for this request).
    pub fn row(table: &'static str, id: &str) -> Effect {
        Effect {
            sql: format!("EXISTS (SELECT 1 FROM {table} WHERE id = ?)"),
            params: vec![id.into()],
        }
    }
    /// Any SQL boolean (`EXISTS (...)`), with its `?` parameters.
    pub fn condition(sql: impl Into<String>, params: Vec<SqlValue>) -> Effect {
        Effect {
            sql: sql.into(),
            params,
        }
    }
}

/// A request's key, checked and not yet answered; empty without the header.
#[derive(Debug, Clone, Default)]
pub struct Key(Option<Held>);

#[derive(Debug, Clone)]
struct Held {
    key: String,
    user_id: String,
    company_id: String,
    fingerprint: String,
}

#[derive(Deserialize)]
struct Stored {
    fingerprint: String,
    status: i64,
    body: String,
    content_type: String,
}

impl Stored {
    fn answer(self, fingerprint: &str) -> AppResult<ApiResponse> {
        if self.fingerprint != fingerprint {
            return Err(reused());
        }
        Ok(ApiResponse {
            status: u16::try_from(self.status).unwrap_or(500),
            headers: vec![
                ("content-type".into(), self.content_type),
                (REPLAYED_HEADER.into(), "true".into()),
            ],
            body: self.body.into_bytes().into(),
            log: LogContext::default(),
        })
    }
}

/// Reads the request's `Idempotency-Key` before its effect: none → [`Start::Go`] with an empty
/// key; seen with the same request → [`Start::Replay`] of the stored answer; seen with another
/// request → 422 `idempotency-key-reused`; malformed → 400 `invalid-idempotency-key`.
pub async fn start<P: Ports>(
    p: &P,
    req: &ApiRequest,
    user_id: &str,
    company_id: &str,
) -> AppResult<Start> {
    let Some(k) = header(req)? else {
        return Ok(Start::Go(Key(None)));
    };
    let held = Held {
        key: k.to_string(),
        user_id: user_id.to_string(),
        company_id: company_id.to_string(),
        fingerprint: fingerprint(req),
    };
    match held.stored(p).await? {
        Some(s) => Ok(Start::Replay(s.answer(&held.fingerprint)?)),
        None => Ok(Start::Go(Key(Some(held)))),
    }
}

impl Held {
    async fn stored<P: Ports>(&self, p: &P) -> AppResult<Option<Stored>> {
        p.db()
            .first(Stmt::new(SELECT).bind(&self.user_id).bind(&self.key))
            .await
    }

    fn row(
        &self,
        effect: Effect,
        answer: &ApiResponse,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Stmt {
        let content_type = answer
            .header("content-type")
            .unwrap_or("application/json; charset=utf-8");
        let mut s = Stmt::dynamic(format!("{INSERT_SELECT}{}", effect.sql))
            .bind(&self.user_id)
            .bind(&self.key)
            .bind(&self.company_id)
            .bind(&self.fingerprint)
            .bind(i64::from(answer.status))
            .bind(String::from_utf8_lossy(&answer.body).into_owned())
            .bind(content_type)
            .bind(now);
        s.params.extend(effect.params);
        s
    }
}

/// The batch failed on the key's primary key: a parallel duplicate committed first.
fn key_taken(e: &AppError) -> bool {
    let text = e.to_string();
    text.contains("UNIQUE constraint failed") && text.contains("idempotency_keys")
}

impl Key {
    /// No key (a request without the header, or a caller that takes none).
    pub fn none() -> Key {
        Key(None)
    }

    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }

    /// Runs `stmts` as one batch with the key row last, written with `answer` only if `effect`
    /// holds at that point of the batch. When a duplicate wrote first (the primary key refuses
    /// this row and the whole batch rolls back, or a guard kept this effect from happening and
    /// the duplicate's row is there): [`Ran::Replay`] of its answer.
    pub async fn batch<P: Ports>(
        &self,
        p: &P,
        mut stmts: Vec<Stmt>,
        effect: Effect,
        answer: &ApiResponse,
    ) -> AppResult<Ran> {
        let Some(held) = &self.0 else {
            return Ok(Ran::Done(p.db().batch(stmts).await?));
        };
        stmts.push(held.row(effect, answer, p.now()));
        match p.db().batch(stmts).await {
            Ok(mut results) => {
                let stored = results.pop().map(|r| r.changes).unwrap_or(0) > 0;
                if !stored {
                    // The effect did not happen: answer a duplicate's row if there is one; else
                    // the handler's own refusal (not stored, a retry runs again).
                    if let Some(s) = held.stored(p).await? {
                        return Ok(Ran::Replay(s.answer(&held.fingerprint)?));
                    }
                }
                Ok(Ran::Done(results))
            }
            Err(e) if key_taken(&e) => match held.stored(p).await? {
                Some(s) => Ok(Ran::Replay(s.answer(&held.fingerprint)?)),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

impl Key {
    /// The handler's result as sent: a refusal becomes the stored answer when a duplicate of this
    /// request (same user, key and fingerprint) wrote its effect meanwhile, since this request
    /// looked the key up (it then saw the duplicate's effect, e.g. a changed version, and refused).
    /// Without a key, or with no stored answer, the result as it is.
    pub async fn finish<P: Ports>(
        &self,
        p: &P,
        result: AppResult<ApiResponse>,
    ) -> AppResult<ApiResponse> {
        // Any refusal, a backend one included: a duplicate's unique row (an employee's e-mail)
        // fails this batch before the key row does.
        let (Some(held), Err(_)) = (&self.0, &result) else {
            return result;
        };
        match held.stored(p).await? {
            Some(s) => s.answer(&held.fingerprint),
            None => result,
        }
    }
}

/// Forgets keys older than [`KEEP_HOURS`] (the scheduled sweeper). Returns how many. By the wall
/// clock (the same as `now` in production): a sweep a test runs at a later clock must not forget
/// the keys other tests are using meanwhile.
pub async fn purge<P: Ports>(p: &P) -> AppResult<u64> {
    let cutoff = p.wall_clock() - chrono::Duration::hours(KEEP_HOURS);
    p.db().exec(Stmt::new(PURGE).bind(cutoff)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{request, TestPorts};
    use futures::executor::block_on;
    use serde_json::json;

    fn req(path: &str, body: serde_json::Value, key: Option<&str>) -> ApiRequest {
        let mut r = request("POST", path, Some(body), "");
        if let Some(k) = key {
            r.headers.push(("Idempotency-Key".into(), k.into()));
        }
        r
    }

    fn ports() -> TestPorts {
        let p = TestPorts::new();
        block_on(p.db.run(Stmt::new("CREATE TABLE t (id TEXT PRIMARY KEY)"))).unwrap();
        p
    }

    fn count(p: &TestPorts, sql: &'static str) -> i64 {
        #[derive(Deserialize)]
        struct N {
            n: i64,
        }
        block_on(p.db.first::<N>(Stmt::new(sql)))
            .unwrap()
            .unwrap()
            .n
    }

    fn go(p: &TestPorts, r: &ApiRequest, user: &str) -> Key {
        match block_on(start(p, r, user, "co1")).unwrap() {
            Start::Go(k) => k,
            Start::Replay(_) => panic!("expected no stored answer"),
        }
    }

    /// The effect: one new row of `t`, answered with its id.
    fn create(p: &TestPorts, key: &Key) -> ApiResponse {
        let id = crate::ids::new_id("t");
        let answer = ApiResponse::json(201, &json!({"id": id}));
        let stmts = vec![Stmt::new("INSERT INTO t (id) VALUES (?)").bind(&id)];
        match block_on(key.batch(p, stmts, Effect::row("t", &id), &answer)).unwrap() {
            Ran::Done(results) => {
                assert_eq!(results.len(), 1, "the key row's result is not returned");
                answer
            }
            Ran::Replay(stored) => stored,
        }
    }

    #[test]
    fn the_same_key_again_replays_the_first_answer_and_creates_nothing() {
        let p = ports();
        let r = req(
            "/api/x/orders/o1/repeat",
            json!({"a": 1}),
            Some("k-1:a.B_c"),
        );
        let first = create(&p, &go(&p, &r, "u1"));
        assert_eq!(first.header(REPLAYED_HEADER), None);
        let Start::Replay(again) = block_on(start(&p, &r, "u1", "co1")).unwrap() else {
            panic!("expected the stored answer");
        };
        assert_eq!(again.status, 201);
        assert_eq!(again.body, first.body);
        assert_eq!(again.header(REPLAYED_HEADER), Some("true"));
        assert_eq!(again.header("content-type"), first.header("content-type"));
        assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM t"), 1);
    }

    #[test]
    fn the_same_key_with_another_request_is_422() {
        let p = ports();
        let r = req("/api/x/orders/o1/repeat", json!({"a": 1}), Some("k2"));
        create(&p, &go(&p, &r, "u1"));
        for other in [
            req("/api/x/orders/o1/repeat", json!({"a": 2}), Some("k2")),
            req("/api/x/orders/o2/repeat", json!({"a": 1}), Some("k2")),
        ] {
            let e = block_on(start(&p, &other, "u1", "co1")).err().expect("422");
            assert_eq!(
                (e.status(), e.code.as_ref()),
                (422, "idempotency-key-reused")
            );
        }
    }

    #[test]
    fn another_user_with_the_same_key_gets_its_own_effect() {
        let p = ports();
        let r = req("/api/x/a", json!({}), Some("shared-key"));
        let a = create(&p, &go(&p, &r, "u1"));
        let b = create(&p, &go(&p, &r, "u2"));
        assert_ne!(a.body, b.body);
        assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM t"), 2);
    }

    #[test]
    fn a_parallel_duplicate_fails_on_the_key_and_answers_the_first() {
        let p = ports();
        let r = req("/api/x/a", json!({"q": 1}), Some("par"));
        // Both looked the key up before either wrote.
        let (k1, k2) = (go(&p, &r, "u1"), go(&p, &r, "u1"));
        let first = create(&p, &k1);
        let second = create(&p, &k2);
        assert_eq!(second.body, first.body);
        assert_eq!(second.header(REPLAYED_HEADER), Some("true"));
        assert_eq!(
            count(&p, "SELECT COUNT(*) AS n FROM t"),
            1,
            "the second batch rolled back"
        );
    }

    #[test]
    fn a_guard_that_wrote_nothing_stores_nothing_unless_a_duplicate_did() {
        let p = ports();
        let r = req("/api/x/a", json!({}), Some("guarded"));
        let k = go(&p, &r, "u1");
        let id = crate::ids::new_id("t");
        let answer = ApiResponse::json(201, &json!({"id": id}));
        let nothing = vec![Stmt::new("INSERT INTO t (id) SELECT ? WHERE 0").bind(&id)];
        let ran = block_on(k.batch(&p, nothing.clone(), Effect::row("t", &id), &answer)).unwrap();
        assert!(matches!(ran, Ran::Done(ref r) if r[0].changes == 0));
        assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM idempotency_keys"), 0);
        // A parallel duplicate wrote first; this one's guard then refuses: the first's answer.
        let (k1, k2) = (go(&p, &r, "u1"), go(&p, &r, "u1"));
        let first = create(&p, &k1);
        let Ran::Replay(stored) =
            block_on(k2.batch(&p, nothing, Effect::row("t", &id), &answer)).unwrap()
        else {
            panic!("expected the duplicate's answer");
        };
        assert_eq!(stored.body, first.body);
    }

    #[test]
    fn a_refusal_after_a_parallel_duplicate_wrote_is_its_answer() {
        let p = ports();
        let r = req("/api/x/a", json!({}), Some("late"));
        let (k1, k2) = (go(&p, &r, "u1"), go(&p, &r, "u1"));
        let refusal = || {
            Err(AppError::new(
                ErrorKind::Conflict,
                "change-pending",
                "ru",
                "en",
            ))
        };
        // Nothing stored yet: the refusal stands.
        let e = block_on(k2.finish(&p, refusal())).err().expect("refused");
        assert_eq!(e.code, "change-pending");
        let first = create(&p, &k1);
        let again = block_on(k2.finish(&p, refusal())).unwrap();
        assert_eq!((again.status, &again.body), (first.status, &first.body));
        assert_eq!(again.header(REPLAYED_HEADER), Some("true"));
        // Also when the duplicate's own unique row failed this one's batch first.
        let failed = Err(AppError::internal("UNIQUE constraint failed: users.email"));
        assert_eq!(block_on(k2.finish(&p, failed)).unwrap().body, first.body);
        // No key: the result as it is.
        assert!(block_on(Key::none().finish(&p, refusal())).is_err());
    }

    #[test]
    fn without_a_key_the_batch_just_runs_and_a_bad_key_is_400() {
        let p = ports();
        let r = req("/api/x/a", json!({}), None);
        let k = go(&p, &r, "u1");
        assert!(!k.is_some());
        create(&p, &k);
        create(&p, &k);
        assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM t"), 2);
        assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM idempotency_keys"), 0);
        let long = "a".repeat(MAX_LEN + 1);
        for bad in ["", "with space", "кириллица", "a/b", long.as_str()] {
            let e = block_on(start(
                &p,
                &req("/api/x/a", json!({}), Some(bad)),
                "u1",
                "co1",
            ))
            .err()
            .expect("400");
            assert_eq!(
                (e.status(), e.code.as_ref()),
                (400, "invalid-idempotency-key"),
                "{bad:?}"
            );
            assert_eq!(e.field_errors[0].field, "Idempotency-Key");
        }
        assert!(key_ok(&"a".repeat(MAX_LEN)));
    }

    #[test]
    fn keys_are_forgotten_after_24_hours() {
        let p = ports();
        let r = req("/api/x/a", json!({}), Some("old"));
        create(&p, &go(&p, &r, "u1"));
        p.advance(chrono::Duration::hours(KEEP_HOURS) - chrono::Duration::seconds(1));
        assert_eq!(block_on(purge(&p)).unwrap(), 0);
        assert!(matches!(
            block_on(start(&p, &r, "u1", "co1")).unwrap(),
            Start::Replay(_)
        ));
        p.advance(chrono::Duration::seconds(2));
        assert_eq!(block_on(purge(&p)).unwrap(), 1);
        create(&p, &go(&p, &r, "u1"));
        assert_eq!(count(&p, "SELECT COUNT(*) AS n FROM t"), 2);
    }
}
