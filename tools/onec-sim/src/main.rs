//! onec-sim: the supplier's 1C, played over real HTTP.
//!
//!   onec-sim serve    [--port 8788] [--yookassa-webhook URL]   the mailbox, the 1C endpoint the portal calls,
//!                                                                and YooKassa (/yookassa/v3, notifications to URL)
//!   onec-sim seed     [--portal URL] [--products N] [--orders N]   uploads the documents' files, loads demo data
//!                                                                through the exchange, sets demo passwords
//!   onec-sim generate --out DIR [--products N] [--orders N]      writes the messages it would send, one JSON file each,
//!                                                                and the files it would upload (DIR/files/<key>)
//!
//! Settings come from flags or the environment: ONEC_HMAC_SECRET, MAIL_API_TOKEN,
//! YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY (all also read from the `.dev-secrets` file
//! `scripts/setup.sh` writes), MAILBOX_URL.

mod data;
mod http;
mod server;
mod yookassa;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Parallel file uploads in `seed`.
const UPLOAD_THREADS: usize = 32;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A setting from the environment, else from `.dev-secrets`.
fn setting(name: &str) -> Option<String> {
    if let Ok(v) = std::env::var(name) {
        return Some(v);
    }
    let path = std::env::var("DEV_SECRETS").unwrap_or_else(|_| ".dev-secrets".into());
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_string))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => {
            let port: u16 = arg(&args, "--port")
                .and_then(|p| p.parse().ok())
                .unwrap_or(8788);
            let shop = yookassa::Shop::new(
                setting("YOOKASSA_SHOP_ID").unwrap_or_default(),
                setting("YOOKASSA_SECRET_KEY").unwrap_or_default(),
                arg(&args, "--yookassa-webhook"),
            );
            server::serve(
                port,
                setting("MAIL_API_TOKEN"),
                setting("ONEC_HMAC_SECRET").unwrap_or_default(),
                shop,
            )
        }
        Some("seed") => seed(&args),
        Some("generate") => generate(&args),
        _ => Err("usage: onec-sim serve|seed|generate (see the source header)".to_string()),
    };
    if let Err(e) = result {
        eprintln!("onec-sim: {e}");
        std::process::exit(1);
    }
}

fn generate(args: &[String]) -> Result<(), String> {
    let out = arg(args, "--out").ok_or("--out DIR is required")?;
    let products: usize = arg(args, "--products")
        .and_then(|p| p.parse().ok())
        .unwrap_or(50);
    let orders: usize = arg(args, "--orders")
        .and_then(|p| p.parse().ok())
        .unwrap_or(60);
    std::fs::create_dir_all(format!("{out}/files")).map_err(|e| e.to_string())?;
    let set = data::demo_set(products, orders);
    for f in &set.files {
        let path = format!("{out}/files/{}", f.key);
        std::fs::write(&path, &f.bytes).map_err(|e| format!("{path}: {e}"))?;
    }
    let msgs = set.messages;
    for m in &msgs {
        let path = format!("{out}/{}.json", m["id"].as_str().unwrap_or("x"));
        std::fs::write(&path, serde_json::to_vec_pretty(m).unwrap())
            .map_err(|e| format!("{path}: {e}"))?;
    }
    let envelope = json!({"batch_id": "sim-example", "sent_at": shared::time::to_1c(chrono::Utc::now()), "messages": &msgs[..3]});
    std::fs::write(
        format!("{out}/envelope.json"),
        serde_json::to_vec_pretty(&envelope).unwrap(),
    )
    .map_err(|e| e.to_string())?;
    println!(
        "{} messages written to {out}, {} files to {out}/files",
        msgs.len(),
        set.files.len()
    );
    Ok(())
}

struct Portal {
    base: String,
    secret: String,
}

impl Portal {
    /// Sends a signed request as 1C does; returns status and JSON body.
    fn signed_post(&self, path: &str, body: &Value) -> Result<(u16, Value), String> {
        let bytes = serde_json::to_vec(body).unwrap();
        let ts = chrono::Utc::now().timestamp();
        let sig = shared::exchange::contract::sign(&self.secret, ts, &bytes);
        let resp = ureq::post(&format!("{}{path}", self.base))
            .set("content-type", "application/json")
            .set(
                shared::exchange::contract::TIMESTAMP_HEADER,
                &ts.to_string(),
            )
            .set(shared::exchange::contract::SIGNATURE_HEADER, &sig)
            .send_bytes(&bytes);
        read(resp)
    }

    /// Uploads a file as 1C does before the message that names it: `PUT /exchange/v1/files/{key}`,
    /// the raw body signed like every 1C request.
    fn signed_put(
        &self,
        agent: &ureq::Agent,
        key: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(u16, Value), String> {
        let ts = chrono::Utc::now().timestamp();
        let sig = shared::exchange::contract::sign(&self.secret, ts, bytes);
        let resp = agent
            .put(&format!("{}/exchange/v1/files/{key}", self.base))
            .set("content-type", content_type)
            .set(
                shared::exchange::contract::TIMESTAMP_HEADER,
                &ts.to_string(),
            )
            .set(shared::exchange::contract::SIGNATURE_HEADER, &sig)
            .send_bytes(bytes);
        read(resp)
    }

    /// Uploads every file, a few at a time.
    fn upload_all(&self, files: &[data::FileSpec]) -> Result<(), String> {
        let agent = ureq::AgentBuilder::new().max_idle_connections(16).build();
        let next = AtomicUsize::new(0);
        let failed: Mutex<Option<String>> = Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..UPLOAD_THREADS {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    if failed.lock().unwrap().is_some() {
                        break;
                    }
                    // A connection the local server dropped while idle is retried.
                    let mut result = self.signed_put(&agent, &f.key, f.content_type, &f.bytes);
                    for _ in 0..3 {
                        if result.is_ok() {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(200));
                        result = self.signed_put(&agent, &f.key, f.content_type, &f.bytes);
                    }
                    match result {
                        Ok((201, _)) => {}
                        Ok((status, body)) => {
                            *failed.lock().unwrap() =
                                Some(format!("upload of {}: {status} {body}", f.key))
                        }
                        Err(e) => {
                            *failed.lock().unwrap() = Some(format!("upload of {}: {e}", f.key))
                        }
                    }
                });
            }
        });
        match failed.into_inner().unwrap() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A browser-like JSON POST to the portal's API (with the page's Origin).
    fn api_post(&self, path: &str, body: &Value) -> Result<(u16, Value), String> {
        let resp = ureq::post(&format!("{}{path}", self.base))
            .set("origin", &self.base)
            .send_json(body.clone());
        read(resp)
    }
}

fn read(resp: Result<ureq::Response, ureq::Error>) -> Result<(u16, Value), String> {
    match resp {
        Ok(r) => {
            let status = r.status();
            Ok((status, r.into_json().unwrap_or(Value::Null)))
        }
        Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(e.to_string()),
    }
}

fn seed(args: &[String]) -> Result<(), String> {
    let portal = Portal {
        base: arg(args, "--portal").unwrap_or_else(|| "http://127.0.0.1:8787".into()),
        secret: setting("ONEC_HMAC_SECRET")
            .ok_or("ONEC_HMAC_SECRET is not set (run scripts/setup.sh)")?,
    };
    let mailbox = arg(args, "--mailbox")
        .or_else(|| setting("MAILBOX_URL"))
        .unwrap_or_else(|| "http://127.0.0.1:8788".into());
    let products: usize = arg(args, "--products")
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    let orders: usize = arg(args, "--orders")
        .and_then(|p| p.parse().ok())
        .unwrap_or(2000);
    let started = Instant::now();
    let set = data::demo_set(products, orders);
    let msgs = set.messages;
    // A document or act naming a file not uploaded yet would wait for the sweeper: the files go
    // up while the messages that name none are sent, and those that do follow the uploads.
    let first_with_files = msgs
        .iter()
        .position(|m| {
            m["payload"]["files"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
        })
        .unwrap_or(msgs.len());
    let mut ids = Vec::with_capacity(msgs.len());
    let mut counts: HashMap<String, usize> = HashMap::new();
    std::thread::scope(|s| -> Result<(), String> {
        let uploads = s.spawn(|| {
            portal.upload_all(&set.files)?;
            println!(
                "uploaded {} files in {:.1} s",
                set.files.len(),
                started.elapsed().as_secs_f64()
            );
            Ok::<(), String>(())
        });
        send_batches(&portal, &msgs[..first_with_files], &mut ids, &mut counts)?;
        uploads.join().map_err(|_| "the upload thread panicked")??;
        send_batches(&portal, &msgs[first_with_files..], &mut ids, &mut counts)
    })?;
    println!("sent {} messages: {:?}", ids.len(), counts);
    wait_applied(&portal, &ids, Duration::from_secs(180))?;
    println!("all applied in {:.1} s", started.elapsed().as_secs_f64());
    for u in data::users() {
        ensure_password(&portal, &mailbox, &u.email)?;
    }
    println!(
        "\nDemo sign-ins at {} (password for all: {}):",
        portal.base,
        data::DEMO_PASSWORD
    );
    for u in data::users() {
        let company = data::companies()
            .into_iter()
            .find(|c| c.entity_id == u.company)
            .map(|c| c.name)
            .unwrap_or("");
        println!(
            "  {:32} {:28} {:16} {}",
            u.email,
            company,
            u.roles.join(","),
            u.full_name
        );
    }
    Ok(())
}

/// Sends messages in paced batches (local queues refuse very large bursts), counting outcomes.
fn send_batches(
    portal: &Portal,
    msgs: &[Value],
    ids: &mut Vec<String>,
    counts: &mut HashMap<String, usize>,
) -> Result<(), String> {
    for chunk in msgs.chunks(250) {
        let batch = json!({"batch_id": format!("sim-batch-{}", chunk[0]["id"].as_str().unwrap_or("")), "sent_at": shared::time::to_1c(chrono::Utc::now()), "messages": chunk});
        let (status, body) = portal.signed_post("/exchange/v1/messages", &batch)?;
        if status != 200 {
            return Err(format!("portal refused a batch: {status} {body}"));
        }
        for r in body["results"].as_array().into_iter().flatten() {
            *counts
                .entry(r["status"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
            if r["status"] == "rejected" {
                eprintln!("rejected: {r}");
            }
        }
        ids.extend(
            chunk
                .iter()
                .map(|m| m["id"].as_str().unwrap_or("").to_string()),
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

fn wait_applied(portal: &Portal, ids: &[String], timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut remaining: Vec<String> = ids.to_vec();
    let mut stalled = 0;
    while !remaining.is_empty() {
        let mut still = Vec::new();
        for chunk in remaining.chunks(1000) {
            let (status, body) =
                portal.signed_post("/exchange/v1/message-status", &json!({"ids": chunk}))?;
            if status != 200 {
                return Err(format!("message-status: {status} {body}"));
            }
            for item in body["items"].as_array().into_iter().flatten() {
                match item["status"].as_str() {
                    Some("pending") | Some("waiting") => {
                        still.push(item["id"].as_str().unwrap_or("").to_string())
                    }
                    Some("rejected") => eprintln!("rejected: {item}"),
                    _ => {}
                }
            }
        }
        if still.len() == remaining.len() {
            stalled += 1;
        } else {
            stalled = 0;
        }
        remaining = still;
        if remaining.is_empty() {
            break;
        }
        // Messages that wait for one sent in another batch are retried when anything applies;
        // if nothing moves for a few seconds, run the sweeper (a dev-only route; 404 elsewhere).
        if stalled == 10 {
            let _ = portal.signed_post("/exchange/v1/sweep", &json!({}));
            stalled = 0;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} messages still not applied after {:?}",
                remaining.len(),
                timeout
            ));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    Ok(())
}

/// Signs in with the demo password; if that fails, uses the first-access link from the mailbox
/// (or asks for a reset link) and sets it.
fn ensure_password(portal: &Portal, mailbox: &str, email: &str) -> Result<(), String> {
    let (status, _) = portal.api_post(
        "/api/auth/sign-in",
        &json!({"email": email, "password": data::DEMO_PASSWORD}),
    )?;
    if status == 200 {
        return Ok(());
    }
    for attempt in 0..2 {
        if attempt == 1 {
            portal.api_post(
                "/api/auth/password-reset-requests",
                &json!({"email": email}),
            )?;
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(token) = latest_token(mailbox, email)? {
                let (status, body) = portal.api_post(
                    "/api/auth/password-resets",
                    &json!({"token": token, "password": data::DEMO_PASSWORD}),
                )?;
                if status == 204 {
                    return Ok(());
                }
                if body["code"] != "link-invalid" {
                    return Err(format!("setting the password of {email}: {status} {body}"));
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    Err(format!(
        "no usable first-access or reset link for {email} in the mailbox"
    ))
}

fn latest_token(mailbox: &str, email: &str) -> Result<Option<String>, String> {
    let (_, body) = read(
        ureq::get(&format!("{mailbox}/mail"))
            .query("to", email)
            .call(),
    )?;
    Ok(body
        .as_array()
        .and_then(|mails| mails.last())
        .and_then(|m| m["text"].as_str())
        .and_then(|t| t.split("#token=").nth(1))
        .and_then(|t| t.split_whitespace().next())
        .map(str::to_string))
}
