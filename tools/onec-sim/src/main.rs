//! onec-sim: the supplier's 1C, played over real HTTP.
//!
//!   onec-sim serve    [--port 8788] [--yookassa-webhook URL]   the mailbox, the 1C endpoint the portal calls,
//!                                                                and YooKassa (/yookassa/v3, notifications to URL)
//!                     [--portal URL] [--pull] [--pull-every-ms 2000]
//!                     [--apply-delay-ms 2000] [--act-delay-ms 3000]
//!                                                                1C itself: applies the changes it accepts and
//!                                                                sends its snapshots to the portal at URL; with
//!                                                                --pull it polls /changes/pull (ONEC_DELIVERY=pull)
//!   onec-sim manager  ACTION [--sim URL] [--json '{...}']         a manager's action in 1C (edit_order, phone_order,
//!                                                                ship, block_credit, unblock_credit, bank_payment)
//!   onec-sim cml-sale [--portal URL] [--version 2.10] [--encoding utf-8|windows-1251] [--json '{...}']
//!                     [--zip] [--chunk BYTES]
//!                                                                1C's stock "Обмен с сайтом" for orders (no
//!                                                                extension): query, success, 1C's order file
//!   onec-sim seed     [--portal URL] [--products N] [--orders N]   uploads the documents' files, loads demo data
//!                                                                through the exchange, sets demo passwords
//!   onec-sim generate --out DIR [--products N] [--orders N]      writes the messages it would send, one JSON file each,
//!                                                                and the files it would upload (DIR/files/<key>)
//!
//! Settings come from flags or the environment: ONEC_HMAC_SECRET (signs requests to the portal,
//! v2 with a nonce; ONEC_SIGNATURE_VERSION=v1 signs v1), ONEC_PUSH_SECRET (checks the portal's
//! pushes), MAIL_API_TOKEN,
//! YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY (all also read from the `.dev-secrets` file
//! `scripts/setup.sh` writes), MAILBOX_URL.

mod cml;
mod data;
mod http;
mod onec;
mod portal;
mod server;
mod yookassa;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

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

/// `ONEC_SIGNATURE_VERSION=v1`: sign as an extension not yet updated to v2 does.
fn signs_v1() -> bool {
    setting("ONEC_SIGNATURE_VERSION").is_some_and(|v| v.trim() == "v1")
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
            let secret = setting("ONEC_HMAC_SECRET").unwrap_or_default();
            let portal = || portal::Portal {
                base: arg(&args, "--portal").unwrap_or_else(|| "http://127.0.0.1:8787".into()),
                secret: secret.clone(),
                v1: signs_v1(),
            };
            let ms = |name: &str, default: u64| {
                arg(&args, name)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(default)
            };
            let sim = onec::Sim::start(
                portal(),
                onec::Settings {
                    apply_delay_ms: ms("--apply-delay-ms", 2000),
                    act_delay_ms: ms("--act-delay-ms", 3000),
                },
            );
            if args.iter().any(|a| a == "--pull") {
                onec::pull::start(
                    sim.clone(),
                    portal(),
                    Duration::from_millis(ms("--pull-every-ms", 2000)),
                );
            }
            let push_secret = setting("ONEC_PUSH_SECRET").unwrap_or_default();
            server::serve(port, setting("MAIL_API_TOKEN"), push_secret, shop, sim)
        }
        Some("seed") => seed(&args),
        Some("generate") => generate(&args),
        Some("manager") => manager(&args),
        Some("cml-sale") => cml::run(&args),
        _ => Err("usage: onec-sim serve|seed|generate|manager|cml-sale (see the source header)".to_string()),
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

fn seed(args: &[String]) -> Result<(), String> {
    let portal = portal::Portal {
        base: arg(args, "--portal").unwrap_or_else(|| "http://127.0.0.1:8787".into()),
        secret: setting("ONEC_HMAC_SECRET")
            .ok_or("ONEC_HMAC_SECRET is not set (run scripts/setup.sh)")?,
        v1: signs_v1(),
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
    // The running simulator is this 1C: it holds the same demo data, to apply changes to it.
    let _ = ureq::post(&format!("{mailbox}/control/demo"))
        .send_json(json!({"products": products, "orders": orders}));
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
    portal: &portal::Portal,
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

fn wait_applied(portal: &portal::Portal, ids: &[String], timeout: Duration) -> Result<(), String> {
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
fn ensure_password(portal: &portal::Portal, mailbox: &str, email: &str) -> Result<(), String> {
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
    let (_, body) = portal::read(
        ureq::get(&format!("{mailbox}/mail"))
            .query("to", email)
            .call(),
    )?;
    Ok(body
        .as_array()
        // The newest mail with a link (notifications may have come after it).
        .and_then(|mails| {
            mails
                .iter()
                .rev()
                .filter_map(|m| m["text"].as_str())
                .find(|t| t.contains("#token="))
        })
        .and_then(|t| t.split("#token=").nth(1))
        .and_then(|t| t.split_whitespace().next())
        .map(str::to_string))
}

/// `manager ACTION --json '{...}'`: a manager's action in the running simulator's 1C.
fn manager(args: &[String]) -> Result<(), String> {
    let action = args
        .get(1)
        .ok_or("usage: onec-sim manager ACTION [--sim URL] [--json '{...}']")?;
    let sim = arg(args, "--sim").unwrap_or_else(|| "http://127.0.0.1:8788".into());
    let mut body: Value = match arg(args, "--json") {
        Some(j) => serde_json::from_str(&j).map_err(|e| format!("--json: {e}"))?,
        None => json!({}),
    };
    body["action"] = json!(action);
    let (status, answer) =
        portal::read(ureq::post(&format!("{sim}/control/manager")).send_json(body))?;
    println!("{answer}");
    if status == 200 {
        Ok(())
    } else {
        Err(format!("the simulator answered {status}"))
    }
}
