-- Issue 22: notifications. One row per (recipient, event, object, day), written where the event
-- happens (the inbound apply's batch, 1C's verdict, the sweeper's reminders); INSERT OR IGNORE on
-- the unique key is the deduplication. The sweeper sends what is unsent through the mail port,
-- alone or in the recipient's daily digest, by the recipient's preference (shared/src/notify).
CREATE TABLE notifications (
  id          TEXT PRIMARY KEY,
  company_id  TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  event       TEXT NOT NULL,
  object_id   TEXT NOT NULL,          -- the order, document, return, act, change or stage it is about
  day         TEXT NOT NULL,          -- YYYY-MM-DD, local to the company
  owner       INTEGER NOT NULL DEFAULT 0, -- 1: the recipient authored the object (order, change, return, act request)
  data_json   TEXT NOT NULL DEFAULT '{}', -- what the mail shows (numbers, amounts, dates, the page)
  created_at  TEXT NOT NULL,
  channel     TEXT CHECK (channel IN ('mail', 'digest', 'off')), -- decided when sent
  sent_at     TEXT,                   -- mailed alone, in a digest, or skipped (off)
  attempts    INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, event, object_id, day)
);
CREATE INDEX notifications_unsent ON notifications(created_at) WHERE sent_at IS NULL;
CREATE INDEX notifications_company ON notifications(company_id, created_at);
-- The sweeper's look for stages reminded of already.
CREATE INDEX notifications_object ON notifications(object_id, event);

-- A user's choice per event type; no row: the role's default (notify::events).
CREATE TABLE notification_prefs (
  user_id     TEXT NOT NULL,
  company_id  TEXT NOT NULL,
  event       TEXT NOT NULL,
  choice      TEXT NOT NULL CHECK (choice IN ('mail', 'digest', 'off')),
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (user_id, event)
);
