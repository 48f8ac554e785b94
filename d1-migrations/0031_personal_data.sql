-- 152-ФЗ (#24): consent to the privacy policy, and erasure on request.
-- The policy version a user accepted and when (NULL: not yet; a new version asks again).
ALTER TABLE users ADD COLUMN pd_consent_version TEXT;
ALTER TABLE users ADD COLUMN pd_consent_at TEXT;
-- Set when the user's personal fields were anonymised (crate::auth::personal::erase).
ALTER TABLE users ADD COLUMN erased_at TEXT;
-- The retention purges look sessions and sent mail up by time.
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions(expires_at);
CREATE INDEX IF NOT EXISTS mail_outbox_sent ON mail_outbox(sent_at) WHERE sent_at IS NOT NULL;
