//! The self-hosted runtime (issue 24): the portal on one server, for a supplier who must keep
//! personal data in Russia or whose clients cannot reach Cloudflare. The same `shared` handlers,
//! routers, guards, security headers and problems as the Workers; only the ports differ: SQLite
//! (WAL) for D1, a folder for R2, in-process channels for Queues, a timer for the cron.
//!
//! Thread per core: the shared futures are not `Send`, so each thread runs a current-thread
//! tokio runtime with a `LocalSet`, its own SQLite connection, and accepts from the one
//! listening socket. Thread 0 also runs the consumers and the sweeper. TLS ends at a reverse
//! proxy (docs/operations.md).

mod assets;
mod backup;
mod blobs;
mod client_ip;
mod http;
mod outbound;
mod ports;
mod queue;
mod s3;
mod settings;
mod smtp;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::rc::Rc;
use std::sync::Arc;

fn main() {
    if let Err(e) = run() {
        eprintln!("portal-server: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let settings = Arc::new(settings::Settings::from_env()?);
    // `portal-server backup FILE`: one online copy of the live database, then exit.
    // `portal-server health`: the container's health check (the pages answer on BIND).
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => {}
        [cmd, dest] if cmd == "backup" => {
            return backup::backup_to(&settings.database, std::path::Path::new(dest));
        }
        [cmd] if cmd == "health" => return health(settings.bind),
        _ => return Err("usage: portal-server [backup FILE | health]".into()),
    }
    stop_on_signal()?;
    std::fs::create_dir_all(&settings.blob_dir).map_err(|e| format!("BLOB_DIR: {e}"))?;
    // Migrations once, before any thread serves: recorded in `d1_migrations` as D1 records them.
    let db = shared::sqlite::SqliteDb::open_shared_file(&settings.database)
        .map_err(|e| e.to_string())?;
    let applied = db
        .apply_pending_migrations(&settings.migrations)
        .map_err(|e| e.to_string())?;
    drop(db);
    let listener = std::net::TcpListener::bind(settings.bind).map_err(|e| format!("BIND: {e}"))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::json!({"server": "listening", "bind": settings.bind.to_string(), "threads": settings.threads, "migrations_applied": applied})
    );
    let (channels, consumers) = queue::channels();
    let mut consumers = Some(consumers);
    let mut handles = Vec::new();
    for n in 0..settings.threads {
        let listener = listener.try_clone().map_err(|e| e.to_string())?;
        let settings = settings.clone();
        let channels = channels.clone();
        let consumers = consumers.take();
        handles.push(
            std::thread::Builder::new()
                .name(format!("portal-{n}"))
                .spawn(move || serve_thread(listener, settings, channels, consumers))
                .map_err(|e| e.to_string())?,
        );
    }
    for h in handles {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err("a serving thread panicked".into()),
        }
    }
    Ok(())
}

/// GET / on the listening port (loopback when it listens on every interface): 200 or failure.
fn health(bind: std::net::SocketAddr) -> Result<(), String> {
    let mut addr = bind;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(4))
        .redirects(0)
        .build();
    match agent.get(&format!("http://{addr}/")).call() {
        Ok(r) if r.status() == 200 => Ok(()),
        Ok(r) => Err(format!("health: / answered {}", r.status())),
        Err(e) => Err(format!("health: {e}")),
    }
}

/// SIGTERM (`docker stop`, systemd) and Ctrl-C end the process at once: as PID 1 in a container
/// a signal without a handler is ignored. Nothing is lost: every batch is a committed SQLite
/// transaction (WAL), and queued work is rows the sweeper wakes again after the restart.
fn stop_on_signal() -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("portal-signals".into())
        .spawn(move || {
            rt.block_on(async {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .expect("SIGTERM handler");
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            });
            println!("{}", serde_json::json!({"server": "stopping"}));
            std::process::exit(0);
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn serve_thread(
    listener: std::net::TcpListener,
    settings: Arc<settings::Settings>,
    channels: queue::Channels,
    consumers: Option<queue::Consumers>,
) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let local = tokio::task::LocalSet::new();
    let assets = Rc::new(assets::Assets::load(&settings.static_dir)?);
    let thread = Rc::new(ports::Thread::new(settings, channels)?);
    local.block_on(&rt, async move {
        if let Some(consumers) = consumers {
            queue::spawn_consumers(thread.clone(), consumers);
        }
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{}", serde_json::json!({"accept": e.to_string()}));
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let (thread, assets) = (thread.clone(), assets.clone());
            tokio::task::spawn_local(async move {
                let service =
                    service_fn(move |req| http::serve(thread.clone(), assets.clone(), peer, req));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
