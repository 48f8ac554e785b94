-- Issue 20: a client's `Idempotency-Key` and the first answer given under it
-- (shared/src/idempotency.rs). Scoped per user: two users may send the same key. The row is
-- written as the last statement of the effect's own batch, only when the effect was written, so
-- a parallel duplicate fails its whole batch on the primary key and answers the stored row.
-- Kept 24 hours: the scheduled sweeper deletes older rows.
CREATE TABLE idempotency_keys (
  user_id       TEXT NOT NULL,
  key           TEXT NOT NULL,
  company_id    TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,   -- sha256 (hex) of method, path and body bytes
  status        INTEGER NOT NULL,
  body          TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
