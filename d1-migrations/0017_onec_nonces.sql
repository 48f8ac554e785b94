-- Issue 16, signature v2: every nonce of an accepted signed 1C request, kept for twice the
-- allowed clock skew. The insert is the replay check: the primary key refuses a nonce seen
-- before; the sweeper deletes rows older than 2 x ONEC_MAX_SKEW_SECS (past that the timestamp
-- check refuses the request anyway).
CREATE TABLE onec_nonces (
  nonce    TEXT PRIMARY KEY,
  seen_at  INTEGER NOT NULL  -- Unix seconds (the portal's clock)
);
CREATE INDEX onec_nonces_seen ON onec_nonces(seen_at);
