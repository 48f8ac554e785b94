//! The wake port on Queues: the exchange consumers are woken by messages on their queues.

use crate::js::internal;
use shared::ports::WakeQueue;
use shared::{AppError, AppResult};

/// The body of every exchange queue message (a typed struct, not a `serde_json::Value`, which
/// loses its fields on the way through JS). Inbox and outbox wakes carry `ids` and no `kind`;
/// a CommerceML import carries `kind` [`CML_IMPORT`] and its `job`, so no consumer mistakes one
/// for the other whatever queue it arrives on.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub struct InboxWake {
    #[serde(default)]
    pub ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

pub const CML_IMPORT: &str = "cml-import";

/// The exchange queues: `INBOX_QUEUE` (inbound messages to apply), `OUTBOX_QUEUE` (changes to
/// deliver to 1C), `CML_QUEUE` (CommerceML imports running in slices). A Worker binds the
/// producers it uses.
pub struct Queue {
    pub(crate) inbox: Option<worker::Queue>,
    pub(crate) outbox: Option<worker::Queue>,
    pub(crate) cml: Option<worker::Queue>,
}

impl WakeQueue for Queue {
    async fn send_inbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        let q = self
            .inbox
            .as_ref()
            .ok_or_else(|| AppError::internal("no INBOX_QUEUE binding in this Worker"))?;
        q.send(InboxWake {
            ids,
            ..Default::default()
        })
        .await
        .map_err(internal)
    }
    async fn send_outbox_ids(&self, ids: Vec<String>) -> AppResult<()> {
        let q = self
            .outbox
            .as_ref()
            .ok_or_else(|| AppError::internal("no OUTBOX_QUEUE binding in this Worker"))?;
        q.send(InboxWake {
            ids,
            ..Default::default()
        })
        .await
        .map_err(internal)
    }
    async fn send_cml_import(&self, job: &str) -> AppResult<()> {
        let q = self
            .cml
            .as_ref()
            .ok_or_else(|| AppError::internal("no CML_QUEUE binding in this Worker"))?;
        q.send(InboxWake {
            kind: Some(CML_IMPORT.into()),
            job: Some(job.into()),
            ..Default::default()
        })
        .await
        .map_err(internal)
    }
}
