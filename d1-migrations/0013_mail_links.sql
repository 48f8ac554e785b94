-- Issue 13 (item 9): one-time links never stored. A mail carrying a link stores its text with a
-- placeholder and the link's id; the token, HMAC(LINK_TOKEN_SECRET, id), is put in only when the
-- mail is sent. Delivered mail keeps no text.
ALTER TABLE mail_outbox ADD COLUMN link_id TEXT;
-- Mail delivered before this migration: its text (whole links among it) goes now.
UPDATE mail_outbox SET body = '' WHERE sent_at IS NOT NULL;
