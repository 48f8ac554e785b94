//! Issue 13 (#13.2, #13.8) natively, with the test clock: refresh-token rotation, the grace for
//! a replaced token, reuse ending the session, the idle limit, and company deactivation.

use chrono::Duration;
use futures::executor::block_on;
use serde_json::json;
use shared::http::ApiResponse;
use shared::testing::{cookies_from, request, TestPorts};

fn company(entity: &str, seq: i64, active: bool) -> serde_json::Value {
    json!({"id": format!("m-{entity}-{seq}"), "type": "company", "entity_id": entity, "seq": seq, "payload": {
        "name": "Альфа", "active": active,
        "legal_entities": [{"id": format!("{entity}-le"), "name": "ООО Альфа", "inn": "7707083893", "kpp": "773601001"}],
    }})
}

fn setup() -> (TestPorts, String) {
    let p = TestPorts::new();
    p.send_from_1c(vec![
        company("A", 1, true),
        json!({"id": "m-u", "type": "user", "entity_id": "uA", "seq": 1, "payload": {
            "company_id": "A", "email": "a@alfa.ru", "full_name": "Иванов", "roles": ["admin"], "active": true}}),
    ]);
    let cookies = p.activate("a@alfa.ru");
    (p, cookies)
}

fn auth(p: &TestPorts, method: &str, path: &str, cookies: &str) -> ApiResponse {
    block_on(shared::auth::api::handle(
        p,
        request(method, path, None, cookies),
    ))
}

fn refresh_cookie(r: &ApiResponse) -> Option<String> {
    cookies_from(r)
        .split("; ")
        .find(|c| c.starts_with("__Secure-portal_rt="))
        .map(str::to_string)
}

#[test]
fn refresh_rotates_grace_then_reuse_ends_the_session() {
    let (p, signed_in) = setup();
    let old = refresh_cookie_of(&signed_in);
    let r = auth(&p, "POST", "/api/auth/refresh", &old);
    assert_eq!(r.status, 200);
    let new = refresh_cookie(&r).expect("a new refresh token");
    assert_ne!(new, old);
    // The old one again within the grace: an access token, no refresh token.
    p.advance(Duration::seconds(5));
    let again = auth(&p, "POST", "/api/auth/refresh", &old);
    assert_eq!(again.status, 200);
    assert_eq!(refresh_cookie(&again), None);
    // The new one rotates on.
    let r2 = auth(&p, "POST", "/api/auth/refresh", &new);
    assert_eq!(r2.status, 200);
    let newer = refresh_cookie(&r2).unwrap();
    // A token replaced more than 10 s ago presented again: the session ends for everyone.
    p.advance(Duration::seconds(11));
    assert_eq!(auth(&p, "POST", "/api/auth/refresh", &new).status, 401);
    assert_eq!(auth(&p, "POST", "/api/auth/refresh", &newer).status, 401);
    assert_eq!(
        auth(&p, "GET", "/api/auth/me", &cookies_from(&r2)).status,
        401
    );
}

fn refresh_cookie_of(cookies: &str) -> String {
    cookies
        .split("; ")
        .find(|c| c.starts_with("__Secure-portal_rt="))
        .expect("the refresh cookie")
        .to_string()
}

#[test]
fn idle_sessions_cannot_refresh() {
    let (p, signed_in) = setup();
    let mut rt = refresh_cookie_of(&signed_in);
    for _ in 0..3 {
        p.advance(Duration::days(6));
        let r = auth(&p, "POST", "/api/auth/refresh", &rt);
        assert_eq!(r.status, 200, "used within the idle limit");
        rt = refresh_cookie(&r).unwrap();
    }
    p.advance(Duration::days(7) + Duration::seconds(1));
    assert_eq!(auth(&p, "POST", "/api/auth/refresh", &rt).status, 401);
}

#[test]
fn a_deactivated_company_loses_its_sessions_and_sign_in() {
    let (p, signed_in) = setup();
    assert_eq!(auth(&p, "GET", "/api/auth/me", &signed_in).status, 200);
    p.send_from_1c(vec![company("A", 2, false)]);
    assert_eq!(auth(&p, "GET", "/api/auth/me", &signed_in).status, 401);
    assert_eq!(
        auth(&p, "POST", "/api/auth/refresh", &signed_in).status,
        401
    );
    let sign_in = || {
        block_on(shared::auth::api::handle(
            &p,
            request(
                "POST",
                "/api/auth/sign-in",
                Some(json!({"email": "a@alfa.ru", "password": shared::testing::TEST_PASSWORD})),
                "",
            ),
        ))
    };
    assert_eq!(sign_in().status, 401);
    p.send_from_1c(vec![company("A", 3, true)]);
    assert_eq!(auth(&p, "GET", "/api/auth/me", &signed_in).status, 401);
    assert_eq!(sign_in().status, 200);
}

fn sign_in_from(p: &TestPorts, ip: &str, password: &str) -> ApiResponse {
    let mut req = request(
        "POST",
        "/api/auth/sign-in",
        Some(json!({"email": "a@alfa.ru", "password": password})),
        "",
    );
    req.client_ip = Some(ip.to_string());
    block_on(shared::auth::api::handle(p, req))
}

#[test]
fn a_stranger_locks_only_their_own_address_out_and_delays_grow_across_addresses() {
    let (mut p, _) = setup();
    p.config.throttle_account_max = 3;
    p.config.throttle_ip_max = 50;
    p.config.throttle_account_total_max = 5;
    let right = shared::testing::TEST_PASSWORD;
    for _ in 0..3 {
        assert_eq!(sign_in_from(&p, "10.1.1.1", "wrong-password-1").status, 401);
    }
    let locked = sign_in_from(&p, "10.1.1.1", right);
    assert_eq!(locked.status, 429);
    assert_eq!(locked.header("retry-after"), Some("900"));
    let body: serde_json::Value = serde_json::from_slice(&locked.body).unwrap();
    assert_eq!(body["title_en"], "Too many attempts. Try again in 15 min.");
    // The owner elsewhere signs in; that gives the attempt back to the account's total.
    assert_eq!(sign_in_from(&p, "10.2.2.2", right).status, 200);
    // Two more failures from other addresses reach the account's total (5): growing delays.
    assert_eq!(sign_in_from(&p, "10.3.3.3", "wrong-password-1").status, 401);
    assert_eq!(sign_in_from(&p, "10.4.4.4", "wrong-password-1").status, 401);
    let mut waits = Vec::new();
    for i in 0..4 {
        let r = sign_in_from(&p, &format!("10.5.5.{i}"), right);
        assert_eq!(r.status, 429);
        let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
        waits.push(wait);
        p.advance(Duration::seconds(wait));
        assert_eq!(
            sign_in_from(&p, &format!("10.6.6.{i}"), "wrong-password-1").status,
            401
        );
    }
    assert_eq!(waits, vec![2, 4, 8, 16]);
    // After the delay the owner signs in.
    p.advance(Duration::seconds(32));
    assert_eq!(sign_in_from(&p, "10.2.2.2", right).status, 200);
}

#[test]
fn a_right_password_at_the_limit_does_not_lock_the_address() {
    let (mut p, _) = setup();
    p.config.throttle_ip_max = 3;
    let right = shared::testing::TEST_PASSWORD;
    // Two failures, then the right password as the third attempt: counted, then given back.
    for _ in 0..2 {
        assert_eq!(sign_in_from(&p, "10.9.9.9", "wrong-password-1").status, 401);
    }
    assert_eq!(sign_in_from(&p, "10.9.9.9", right).status, 200);
    assert_eq!(sign_in_from(&p, "10.9.9.9", "wrong-password-1").status, 401);
    assert_eq!(sign_in_from(&p, "10.9.9.9", right).status, 429);
}

#[test]
fn the_sweeper_forgets_spent_throttle_counters_only() {
    use shared::ports::{DatabaseExt, Ports, Stmt};
    #[derive(serde::Deserialize)]
    struct N {
        n: i64,
    }
    let count = |p: &TestPorts| {
        block_on(
            p.db()
                .first::<N>(Stmt::new("SELECT count(*) AS n FROM sign_in_throttle")),
        )
        .unwrap()
        .unwrap()
        .n
    };
    let (mut p, _) = setup();
    p.config.throttle_account_max = 3;
    for _ in 0..3 {
        assert_eq!(sign_in_from(&p, "10.7.7.7", "wrong-password-1").status, 401);
    }
    let rows = count(&p);
    assert!(rows >= 3, "pair, address and account counters: {rows}");
    // Within the window (and the lock) nothing goes.
    p.advance(Duration::seconds(p.config.throttle_window_secs - 1));
    let report = block_on(shared::exchange::sweep(&p)).unwrap();
    assert_eq!(report.throttle_purged, 0);
    assert_eq!(count(&p), rows);
    assert_eq!(
        sign_in_from(&p, "10.7.7.7", shared::testing::TEST_PASSWORD).status,
        429
    );
    // Once the window and the lock are over, the counters are spent and removed.
    p.advance(Duration::seconds(2));
    let report = block_on(shared::exchange::sweep(&p)).unwrap();
    assert_eq!(report.throttle_purged, rows as u64);
    assert_eq!(count(&p), 0);
    assert_eq!(
        sign_in_from(&p, "10.7.7.7", shared::testing::TEST_PASSWORD).status,
        200
    );
}
