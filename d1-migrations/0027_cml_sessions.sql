-- Stock CommerceML sessions (issue 19): server-side, so they can be revoked and slide.
-- `id` names the session's files (cml_files.session, R2 keys `cml/<id>/...`) and is never sent;
-- 1C holds a random token (cookie `portal_cml` or `?sessid=`), stored here only as its SHA-256.
-- `password_mark` is an HMAC of CML_USER:CML_PASSWORD at checkauth: a changed password makes
-- every older session unusable. `expires_at` moves forward with every request (a long import
-- never dies while 1C keeps talking). `version` is the CommerceML version agreed at `init`.
CREATE TABLE cml_sessions (
  id             TEXT PRIMARY KEY,
  token_hash     TEXT NOT NULL UNIQUE,
  password_mark  TEXT NOT NULL,
  version        TEXT,
  client_ip      TEXT,
  started_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL
);
CREATE INDEX cml_sessions_expiry ON cml_sessions(expires_at);
