-- Foundation (issue 2): companies and their legal entities and agreements, users and roles,
-- sessions, one-time links, sign-in throttling, products with prices and stock, the 1C inbox,
-- the outbox, mail and the audit log. See docs/data-model.md for who writes each table.
-- Conventions: ids are opaque text; money in integer kopecks (*_kop); quantities in integer
-- thousandths (*_milli); timestamps UTC as fixed-width RFC 3339 text (*_at); 1C ids in onec_id.

CREATE TABLE companies (
  id          TEXT PRIMARY KEY,
  onec_id     TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  full_name   TEXT,
  timezone    TEXT NOT NULL DEFAULT 'Europe/Moscow',
  active      INTEGER NOT NULL DEFAULT 1,
  onec_seq    INTEGER NOT NULL DEFAULT 0,
  updated_at  TEXT NOT NULL
);

CREATE TABLE legal_entities (
  id              TEXT PRIMARY KEY,
  company_id      TEXT NOT NULL REFERENCES companies(id),
  onec_id         TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  full_name       TEXT,
  inn             TEXT,
  kpp             TEXT,
  ogrn            TEXT,
  legal_address   TEXT,
  postal_address  TEXT,
  active          INTEGER NOT NULL DEFAULT 1,
  updated_at      TEXT NOT NULL
);
CREATE INDEX legal_entities_company ON legal_entities(company_id);

CREATE TABLE price_types (
  id       TEXT PRIMARY KEY,
  onec_id  TEXT NOT NULL UNIQUE,
  name     TEXT NOT NULL
);

CREATE TABLE agreements (
  id               TEXT PRIMARY KEY,
  company_id       TEXT NOT NULL REFERENCES companies(id),
  legal_entity_id  TEXT NOT NULL REFERENCES legal_entities(id),
  onec_id          TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  number           TEXT,
  signed_on        TEXT,
  credit_limit_kop INTEGER NOT NULL DEFAULT 0,
  deferral_days    INTEGER NOT NULL DEFAULT 0,
  price_type_id    TEXT REFERENCES price_types(id),
  active           INTEGER NOT NULL DEFAULT 1,
  updated_at       TEXT NOT NULL
);
CREATE INDEX agreements_company ON agreements(company_id);

CREATE TABLE users (
  id                TEXT PRIMARY KEY,
  company_id        TEXT NOT NULL REFERENCES companies(id),
  onec_id           TEXT UNIQUE,
  email             TEXT NOT NULL UNIQUE,       -- lowercase, trimmed
  full_name         TEXT NOT NULL,
  position          TEXT,
  phone             TEXT,
  active            INTEGER NOT NULL DEFAULT 1,
  password_hash     TEXT,                       -- NULL until the first-access link is used
  security_version  INTEGER NOT NULL DEFAULT 1, -- bumped on deactivation, role or password change
  language          TEXT NOT NULL DEFAULT 'ru',
  last_sign_in_at   TEXT,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
);
CREATE INDEX users_company ON users(company_id);

CREATE TABLE user_roles (
  company_id  TEXT NOT NULL REFERENCES companies(id),
  user_id     TEXT NOT NULL REFERENCES users(id),
  role        TEXT NOT NULL CHECK (role IN ('admin', 'buyer', 'accountant')),
  PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_company ON user_roles(company_id, role);

-- One row per signed-in device. The refresh token is stored only as its SHA-256.
CREATE TABLE sessions (
  id            TEXT PRIMARY KEY,
  company_id    TEXT NOT NULL REFERENCES companies(id),
  user_id       TEXT NOT NULL REFERENCES users(id),
  refresh_hash  TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL,
  last_used_at  TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  revoked_at    TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- First-access and password-reset links; stored as SHA-256, single use.
CREATE TABLE one_time_tokens (
  token_hash  TEXT PRIMARY KEY,
  company_id  TEXT NOT NULL REFERENCES companies(id),
  user_id     TEXT NOT NULL REFERENCES users(id),
  purpose     TEXT NOT NULL CHECK (purpose IN ('first_access', 'password_reset')),
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id);

-- Failed sign-ins per key ('acct:<email>' or 'ip:<address>') in a fixed window.
CREATE TABLE sign_in_throttle (
  key           TEXT PRIMARY KEY,
  window_start  TEXT NOT NULL,
  failures      INTEGER NOT NULL
);

CREATE TABLE products (
  id            TEXT PRIMARY KEY,
  onec_id       TEXT NOT NULL UNIQUE,
  article       TEXT NOT NULL,
  article_norm  TEXT NOT NULL,   -- lowercase, no spaces or punctuation: partial article search
  name          TEXT NOT NULL,
  name_norm     TEXT NOT NULL,   -- lowercase Cyrillic, ё -> е (SQLite lower() folds only ASCII)
  unit          TEXT NOT NULL,
  unit_code     TEXT,            -- OKEI
  vat_rate_bp   INTEGER NOT NULL DEFAULT 2000, -- basis points: 20% = 2000
  active        INTEGER NOT NULL DEFAULT 1,
  updated_at    TEXT NOT NULL
);
CREATE INDEX products_article_norm ON products(article_norm);

CREATE TABLE product_prices (
  product_id     TEXT NOT NULL REFERENCES products(id),
  price_type_id  TEXT NOT NULL REFERENCES price_types(id),
  price_kop      INTEGER NOT NULL,
  PRIMARY KEY (product_id, price_type_id)
);

CREATE TABLE product_stock (
  product_id  TEXT NOT NULL REFERENCES products(id),
  warehouse   TEXT NOT NULL,
  qty_milli   INTEGER NOT NULL,
  PRIMARY KEY (product_id, warehouse)
);

-- Every message 1C sent, stored before anything else happens to it.
-- status: pending -> applied | stale (an older sequence number after a newer one)
--         | waiting (depends on an entity not yet received; retried) | rejected (invalid; kept).
CREATE TABLE inbox (
  id           TEXT PRIMARY KEY,   -- 1C's message id: a repeat is a duplicate
  batch_id     TEXT NOT NULL,
  type         TEXT NOT NULL,
  entity_id    TEXT NOT NULL,      -- 1C id of the entity the message describes
  seq          INTEGER NOT NULL,   -- per-entity sequence number, only grows
  payload      TEXT NOT NULL,      -- the message as received (JSON)
  status       TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'stale', 'waiting', 'rejected')),
  reason       TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  received_at  TEXT NOT NULL,
  applied_at   TEXT
);
CREATE INDEX inbox_status ON inbox(status, received_at);

-- The newest sequence number applied per entity: older messages are dropped.
CREATE TABLE inbound_seq (
  entity_type  TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  PRIMARY KEY (entity_type, entity_id)
);

-- Changes waiting to go to 1C (delivered in order per entity by the exchange issue's sender).
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  company_id      TEXT NOT NULL,
  type            TEXT NOT NULL,
  entity_type     TEXT NOT NULL,
  entity_id       TEXT NOT NULL,
  entity_version  INTEGER NOT NULL,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'accepted', 'rejected', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  answer          TEXT,
  created_at      TEXT NOT NULL,
  answered_at     TEXT
);
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
CREATE INDEX outbox_entity ON outbox(entity_type, entity_id, created_at);
CREATE INDEX outbox_company ON outbox(company_id, created_at);

-- Mail is written in the same batch as the change that causes it, then delivered.
CREATE TABLE mail_outbox (
  id          TEXT PRIMARY KEY,
  company_id  TEXT,
  to_addr     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  sent_at     TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
);
CREATE INDEX mail_outbox_unsent ON mail_outbox(sent_at, created_at);

CREATE TABLE audit_log (
  id           TEXT PRIMARY KEY,
  company_id   TEXT NOT NULL,
  user_id      TEXT,              -- NULL when 1C made the change
  at           TEXT NOT NULL,
  kind         TEXT NOT NULL,     -- e.g. 'user.created', 'employee.roles_changed'
  entity_type  TEXT NOT NULL,
  entity_id    TEXT NOT NULL,
  before_json  TEXT,
  after_json   TEXT,
  onec_answer  TEXT
);
CREATE INDEX audit_log_company ON audit_log(company_id, at);
