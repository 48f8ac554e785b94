//! `resync.requested`: the exchange monitor asked 1C to resend one company's snapshots (after a
//! restore lost them; `exchange::manifest`). The verdict changes nothing beyond the outbox row:
//! accepted, 1C resends as ordinary messages with each entity's current `seq`; refused, the
//! monitor shows 1C's reason.

use super::Answered;
use crate::ports::Stmt;

pub fn answered(_a: &Answered<'_>) -> Vec<Stmt> {
    Vec::new()
}
