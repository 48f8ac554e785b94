//! The simulated 1C behind the simulator's endpoints: its model (`model.rs`), how it decides the
//! portal's changes (`rules.rs`), what it does with an accepted one (`apply.rs`, `acts.rs`), its
//! managers (`manager.rs`) and, in pull mode, its scheduled job (`pull.rs`).
//!
//! Deciding is quick and happens where the change arrives (the HTTP loop for push, the pull job);
//! everything 1C then sends to the portal runs on one worker thread fed by a channel, so answering
//! the portal never waits on the simulator's own calls to it.

pub mod acts;
pub mod apply;
pub mod manager;
pub mod model;
pub mod pull;
pub mod rules;

use apply::Step;
use model::{Model, Out};
use rules::{Rule, Rules};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long 1C takes (the defaults make every loop close visibly in `make dev`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// From accepting a change to sending its snapshots.
    pub apply_delay_ms: u64,
    /// From accepting an act request to sending the act.
    pub act_delay_ms: u64,
}

/// Work for the worker thread.
pub enum Job {
    Step(Step),
    /// The decision on a change answered `received`: an `answer` message, then (if accepted)
    /// the change applied.
    Answer {
        change: Value,
        rule: Rule,
        accept: bool,
    },
}

/// What the endpoints share: the model, the rules, the log of changes received, the worker.
#[derive(Clone)]
pub struct Sim {
    pub model: Arc<Mutex<Model>>,
    pub rules: Arc<Mutex<Rules>>,
    pub changes: Arc<Mutex<Vec<Value>>>,
    /// The verdict given on each change: a change delivered again (a lost answer, a pull not
    /// acknowledged in time) gets the same verdict and is not applied twice.
    decided: Arc<Mutex<HashMap<String, Value>>>,
    pub settings: Settings,
    jobs: Sender<(u64, Job)>,
    /// The portal 1C talks to (the worker's, and the manifest's on `/control/manifest`).
    pub portal: Arc<crate::portal::Portal>,
}

/// A decision on a change: the verdict to give (None: give none) and how.
pub struct Decision {
    pub rule: Rule,
    pub verdict: Option<Value>,
}

impl Sim {
    /// Starts the worker that sends 1C's messages to the portal.
    pub fn start(portal: crate::portal::Portal, settings: Settings) -> Sim {
        let (tx, rx) = channel::<(u64, Job)>();
        let portal = Arc::new(portal);
        let sim = Sim {
            portal: portal.clone(),
            model: Arc::new(Mutex::new(Model::default())),
            rules: Arc::new(Mutex::new(Rules::default())),
            changes: Arc::new(Mutex::new(Vec::new())),
            decided: Arc::new(Mutex::new(HashMap::new())),
            settings,
            jobs: tx,
        };
        let me = sim.clone();
        std::thread::spawn(move || {
            let mut queue: Vec<(Instant, Job)> = Vec::new();
            loop {
                let wait = queue
                    .iter()
                    .map(|(t, _)| t.saturating_duration_since(Instant::now()))
                    .min()
                    .unwrap_or(Duration::from_secs(1));
                match rx.recv_timeout(wait) {
                    Ok((ms, job)) => queue.push((Instant::now() + Duration::from_millis(ms), job)),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                while let Some(i) = queue.iter().position(|(t, _)| *t <= Instant::now()) {
                    let (_, job) = queue.remove(i);
                    me.run(&portal, job);
                }
            }
        });
        sim
    }

    /// Hands work to the worker, to run after `ms`.
    pub fn later(&self, ms: u64, job: Job) {
        let _ = self.jobs.send((ms, job));
    }

    fn delay(&self, change: &Value, rule: &Rule) -> u64 {
        rule.apply_delay_ms
            .unwrap_or(if change["type"] == "act.requested" {
                self.settings.act_delay_ms
            } else {
                self.settings.apply_delay_ms
            })
    }

    /// 1C's manifest of one type (of one company when given, `complete` then), sent to the
    /// portal page by page; with `resend`, what the portal answers missing or stale is sent
    /// again at once. Answers the portal's answers merged: missing, stale, ahead, unknown.
    pub fn manifest(
        &self,
        kind: &str,
        company: Option<&str>,
        resend: bool,
    ) -> Result<Value, String> {
        let items = self.model.lock().expect("model").manifest(kind, company);
        let per_call = shared::exchange::manifest::MAX_ITEMS;
        let pages: Vec<&[Value]> = if items.is_empty() {
            vec![&[]]
        } else {
            items.chunks(per_call).collect()
        };
        let complete = company.is_some() && pages.len() == 1;
        let (mut missing, mut stale, mut ahead, mut unknown) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for page in pages {
            let mut body = json!({"entity_type": kind, "items": page});
            if let Some(c) = company {
                body["company_id"] = json!(c);
                body["complete"] = json!(complete);
            }
            let (status, a) = self.portal.signed_post("/exchange/v1/manifest", &body)?;
            if status != 200 {
                return Err(format!("manifest: {status} {a}"));
            }
            missing.extend(a["missing"].as_array().cloned().unwrap_or_default());
            stale.extend(a["stale"].as_array().cloned().unwrap_or_default());
            ahead.extend(a["ahead"].as_array().cloned().unwrap_or_default());
            unknown.extend(a["unknown"].as_array().cloned().unwrap_or_default());
        }
        let mut resent = 0;
        if resend {
            let ids: Vec<String> = missing
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .chain(
                    stale
                        .iter()
                        .filter_map(|v| v["id"].as_str().map(str::to_string)),
                )
                .collect();
            let tag = shared::ids::new_id("manifest");
            let messages = self
                .model
                .lock()
                .expect("model")
                .resend_ids(kind, &ids, &tag);
            resent = messages.len();
            self.later(
                0,
                Job::Step(Step::Send(Out {
                    files: Vec::new(),
                    messages,
                })),
            );
        }
        Ok(
            json!({"entity_type": kind, "company_id": company, "listed": items.len(), "missing": missing,
                  "stale": stale, "ahead": ahead, "unknown": unknown, "resent": resent}),
        )
    }

    /// Decides a change that just arrived (push or pull), records it, and schedules what follows.
    pub fn decide(&self, change: Value, text: &str) -> Decision {
        let kind = change["type"].as_str().unwrap_or("").to_string();
        let rule = self.rules.lock().expect("rules").decide(text, &kind);
        self.changes.lock().expect("changes").push(change.clone());
        let id = change["id"].as_str().unwrap_or("").to_string();
        if let Some(v) = self.decided.lock().expect("decided").get(&id) {
            return Decision {
                rule,
                verdict: Some(v.clone()),
            };
        }
        let known = change["payload"]["company_id"]
            .as_str()
            .is_some_and(|c| self.model.lock().expect("model").knows_company(c));
        let verdict = match rule.mode.as_str() {
            "reject" => Some(json!({"status": "rejected", "reason": rule.reason})),
            "receive" => {
                let accept = rule.then != "reject";
                self.later(
                    rule.delay_ms,
                    Job::Answer {
                        change,
                        rule: rule.clone(),
                        accept,
                    },
                );
                Some(json!({"status": "received"}))
            }
            "fail" | "hang" | "garbage" | "silent" => None,
            _ => {
                let onec_id = if known {
                    apply::onec_id_for(&change)
                } else {
                    None
                };
                if rule.apply {
                    let ms = self.delay(&change, &rule);
                    self.later(ms, Job::Step(Step::Change(change, rule.clone())));
                }
                Some(match onec_id {
                    Some(id) => json!({"status": "accepted", "onec_id": id}),
                    None => json!({"status": "accepted"}),
                })
            }
        };
        if let Some(v) = &verdict {
            self.decided.lock().expect("decided").insert(id, v.clone());
        }
        Decision { rule, verdict }
    }

    fn run(&self, portal: &crate::portal::Portal, job: Job) {
        let step = match job {
            Job::Step(step) => step,
            Job::Answer {
                change,
                rule,
                accept,
            } => {
                let id = change["id"].as_str().unwrap_or("").to_string();
                let known = change["payload"]["company_id"]
                    .as_str()
                    .is_some_and(|c| self.model.lock().expect("model").knows_company(c));
                let onec_id = if accept && known {
                    apply::onec_id_for(&change)
                } else {
                    None
                };
                let answer = json!({"id": format!("sim-answer-{id}"), "type": "answer", "entity_id": id, "seq": 1,
                    "payload": {"change_id": id, "status": if accept { "accepted" } else { "rejected" },
                                "reason": if accept { Value::Null } else { json!(rule.reason) }, "onec_id": onec_id}});
                send(
                    portal,
                    Out {
                        files: Vec::new(),
                        messages: vec![answer],
                    },
                );
                if !accept || !rule.apply {
                    return;
                }
                let ms = self.delay(&change, &rule);
                self.later(ms, Job::Step(Step::Change(change, rule)));
                return;
            }
        };
        let (out, next) = {
            let mut m = self.model.lock().expect("model");
            apply::run(&mut m, step, self.settings.apply_delay_ms)
        };
        send(portal, out);
        for (ms, s) in next {
            self.later(ms, Job::Step(s));
        }
    }
}

/// Sends 1C's messages as its exchange job would: files first, then one signed batch; retried a
/// few times (the same ids: a repeat is a harmless duplicate).
pub fn send(portal: &crate::portal::Portal, out: Out) {
    if out.is_empty() {
        return;
    }
    let agent = ureq::AgentBuilder::new().build();
    for f in &out.files {
        let mut ok = false;
        for _ in 0..5 {
            if let Ok((201, _)) = portal.signed_put(&agent, &f.key, f.content_type, &f.bytes) {
                ok = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        if !ok {
            eprintln!("onec-sim: the upload of {} failed", f.key);
        }
    }
    // A batch holds at most 500 messages (a company's resend may be more); in order, so a
    // company goes before what refers to it.
    for chunk in out
        .messages
        .chunks(shared::exchange::contract::MAX_MESSAGES_PER_BATCH)
    {
        send_batch(portal, chunk);
    }
}

fn send_batch(portal: &crate::portal::Portal, messages: &[Value]) {
    let batch = json!({"batch_id": format!("sim-{}", chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)),
        "sent_at": model::now_1c(), "messages": messages});
    for attempt in 0..5 {
        match portal.signed_post("/exchange/v1/messages", &batch) {
            Ok((200, body)) => {
                for r in body["results"].as_array().into_iter().flatten() {
                    if r["status"] == "rejected" {
                        eprintln!("onec-sim: the portal rejected {r}");
                    }
                }
                return;
            }
            other => eprintln!("onec-sim: sending a batch (attempt {attempt}): {other:?}"),
        }
        std::thread::sleep(Duration::from_millis(1000));
    }
}

#[cfg(test)]
mod tests;
