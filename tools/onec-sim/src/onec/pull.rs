//! Pull mode: 1C's scheduled job. Every few seconds it takes the portal's next changes
//! (`POST /exchange/v1/changes/pull`, signed), decides each as in push mode and acknowledges the
//! verdicts (`/changes/ack`); a change it gives no verdict (1C failing or silent) stays
//! unacknowledged and is handed out again later.

use super::Sim;
use serde_json::{json, Value};
use std::time::Duration;

/// Runs the job forever on its own thread.
pub fn start(sim: Sim, portal: crate::portal::Portal, every: Duration) {
    std::thread::spawn(move || loop {
        std::thread::sleep(every);
        if let Err(e) = once(&sim, &portal) {
            eprintln!("onec-sim pull: {e}");
        }
    });
}

fn once(sim: &Sim, portal: &crate::portal::Portal) -> Result<(), String> {
    let (status, body) = portal.signed_post("/exchange/v1/changes/pull", &json!({"limit": 100}))?;
    if status != 200 {
        return Err(format!("pull answered {status} {body}"));
    }
    let mut results = Vec::new();
    for change in body["items"].as_array().cloned().unwrap_or_default() {
        let text = change.to_string();
        let id = change["id"].clone();
        let d = sim.decide(change, &text);
        if let Some(Value::Object(mut v)) = d.verdict {
            v.insert("id".into(), id);
            results.push(Value::Object(v));
        }
    }
    if results.is_empty() {
        return Ok(());
    }
    let (status, body) =
        portal.signed_post("/exchange/v1/changes/ack", &json!({"results": results}))?;
    if status != 200 {
        return Err(format!("ack answered {status} {body}"));
    }
    Ok(())
}
