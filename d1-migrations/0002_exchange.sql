-- 1C exchange (issue 3): versions on client-editable entities, and what outbound delivery needs.

-- Every client change carries the version of the entity it was based on.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Who made the change, what the entity looked like before (to restore it if 1C refuses),
-- when it was handed to 1C (pull mode: sent but not yet acknowledged).
ALTER TABLE outbox ADD COLUMN user_id TEXT;
ALTER TABLE outbox ADD COLUMN before_json TEXT;
ALTER TABLE outbox ADD COLUMN sent_at TEXT;

-- The stock CommerceML exchange: files 1C uploads in chunks (each chunk its own R2 object,
-- since R2 cannot append), then imports.
CREATE TABLE cml_files (
  session     TEXT NOT NULL,
  name        TEXT NOT NULL,     -- base name, as 1C names it (import0_1.xml)
  chunks      INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('uploading', 'imported', 'failed')),
  result      TEXT,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (session, name)
);
