//! Notifications: the portal tells users what changed (a document arrived, 1C applied or refused
//! their change, a return decided, credit blocked or unblocked, a payment due or overdue, an act
//! ready) by mail, alone or in a daily digest, as each user chooses per event type.
//!
//! `events` is the vocabulary (who may be told, role defaults), `record` writes notifications
//! where the event happens (the exchange calls it inside the inbound batch or 1C's verdict; the
//! sweeper for reminders), `send` mails them from the sweeper, `render` writes the mail in the
//! recipient's language, `prefs` and `unsubscribe` are the user's side, `zone` the company's
//! local time. It sits with the capabilities: it never imports the exchange. docs/notifications.md.

pub mod events;
pub mod prefs;
pub mod record;
pub mod render;
pub mod send;
mod sql;
pub mod unsubscribe;
pub mod zone;

#[cfg(test)]
mod tests;
