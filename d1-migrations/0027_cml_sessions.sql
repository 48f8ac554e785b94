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

-- `zip=yes`: unpacking an archive 1C sent is an import job of its own kind (`unzip`), run in
-- slices by the same queue consumer. SQLite cannot change a CHECK, so the table is rebuilt.
CREATE TABLE cml_imports_new (
  job         TEXT PRIMARY KEY,
  session     TEXT NOT NULL,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('products', 'offers', 'unzip')),
  status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  bytes       INTEGER NOT NULL,
  slice       INTEGER NOT NULL DEFAULT 0,
  checkpoint  TEXT,                  -- JSON: commerceml::Checkpoint, or cml::unzip::Progress
  items       INTEGER NOT NULL DEFAULT 0,
  prices      INTEGER NOT NULL DEFAULT 0,
  stock       INTEGER NOT NULL DEFAULT 0,
  result      TEXT,
  started_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  full        INTEGER,
  UNIQUE (session, name)
);
INSERT INTO cml_imports_new (job, session, name, kind, status, bytes, slice, checkpoint, items, prices, stock, result, started_at, updated_at, full)
  SELECT job, session, name, kind, status, bytes, slice, checkpoint, items, prices, stock, result, started_at, updated_at, full FROM cml_imports;
DROP TABLE cml_imports;
ALTER TABLE cml_imports_new RENAME TO cml_imports;
CREATE INDEX cml_imports_running ON cml_imports(updated_at) WHERE status = 'running';
