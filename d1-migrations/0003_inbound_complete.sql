-- The rest of 1C's inbound contract (issue 3): consignees, the shipping calendar, opening
-- balances, payments received, returns, the internal account, documents with their files, and
-- reconciliation acts (with the portal's requests for them). The capability issues (company,
-- money, documents) read these tables and add what their own changes need.
-- References to other 1C entities are kept as 1C ids (*_onec_id) where the referred entity may
-- arrive later than the message that names it: links resolve by join, never by arrival order.

CREATE TABLE consignees (
  id              TEXT PRIMARY KEY,
  company_id      TEXT NOT NULL REFERENCES companies(id),
  onec_id         TEXT UNIQUE,          -- NULL until 1C has accepted a consignee the portal added
  name            TEXT NOT NULL,
  inn             TEXT,
  kpp             TEXT,
  address         TEXT NOT NULL,
  contact_person  TEXT,
  phone           TEXT,
  active          INTEGER NOT NULL DEFAULT 1,
  version         INTEGER NOT NULL DEFAULT 1,
  updated_at      TEXT NOT NULL
);
CREATE INDEX consignees_company ON consignees(company_id, active, name);

-- Days the warehouse ships: every day of [from_date, to_date] except the days off.
CREATE TABLE shipping_calendars (
  calendar    TEXT PRIMARY KEY,
  from_date   TEXT NOT NULL,
  to_date     TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE shipping_days_off (
  calendar  TEXT NOT NULL,
  day       TEXT NOT NULL,
  PRIMARY KEY (calendar, day)
);

-- Mutual settlements at the start of a date (positive: the client owes the supplier).
CREATE TABLE opening_balances (
  onec_id               TEXT PRIMARY KEY,
  company_id            TEXT NOT NULL,
  legal_entity_onec_id  TEXT NOT NULL,
  agreement_onec_id     TEXT,
  as_of                 TEXT NOT NULL,   -- a date
  balance_kop           INTEGER NOT NULL,
  updated_at            TEXT NOT NULL
);
CREATE INDEX opening_balances_company ON opening_balances(company_id, legal_entity_onec_id);

-- Bank transfers the supplier received, and which orders they paid.
CREATE TABLE payments_received (
  onec_id               TEXT PRIMARY KEY,
  company_id            TEXT NOT NULL,
  legal_entity_onec_id  TEXT,
  agreement_onec_id     TEXT,
  number                TEXT NOT NULL,
  paid_at               TEXT NOT NULL,
  amount_kop            INTEGER NOT NULL,
  purpose               TEXT,
  posted                INTEGER NOT NULL DEFAULT 1,
  updated_at            TEXT NOT NULL
);
CREATE INDEX payments_received_company ON payments_received(company_id, paid_at);
CREATE TABLE payment_allocations (
  payment_onec_id  TEXT NOT NULL,
  company_id       TEXT NOT NULL,
  order_onec_id    TEXT NOT NULL,
  amount_kop       INTEGER NOT NULL,
  PRIMARY KEY (payment_onec_id, order_onec_id)
);
CREATE INDEX payment_allocations_order ON payment_allocations(company_id, order_onec_id);

-- Returns: requested in the portal (the money issue) or registered in 1C; 1C decides.
CREATE TABLE returns (
  id             TEXT PRIMARY KEY,
  company_id     TEXT NOT NULL REFERENCES companies(id),
  onec_id        TEXT UNIQUE,
  order_id       TEXT NOT NULL REFERENCES orders(id),
  number         TEXT,
  status         TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'completed')),
  reason_code    TEXT,            -- defect, wrong_item, surplus, other (portal requests)
  comment        TEXT,
  reject_reason  TEXT,
  refund_kop     INTEGER NOT NULL DEFAULT 0,
  created_by     TEXT REFERENCES users(id),
  created_at     TEXT NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1,
  updated_at     TEXT NOT NULL
);
CREATE INDEX returns_company ON returns(company_id, created_at DESC);
CREATE INDEX returns_order ON returns(order_id);
CREATE TABLE return_lines (
  return_id       TEXT NOT NULL REFERENCES returns(id),
  company_id      TEXT NOT NULL,
  line_no         INTEGER NOT NULL,
  qty_milli       INTEGER NOT NULL,        -- requested
  approved_milli  INTEGER,                 -- as 1C accepted it
  PRIMARY KEY (return_id, line_no)
);

-- The internal account: movements as 1C posts them; the balance is their sum, recomputed in the
-- same transaction as any movement; `reserved_kop` is held by portal payments 1C has not settled.
CREATE TABLE account_movements (
  onec_id               TEXT PRIMARY KEY,
  company_id            TEXT NOT NULL,
  legal_entity_onec_id  TEXT,
  at                    TEXT NOT NULL,
  kind                  TEXT NOT NULL CHECK (kind IN ('refund', 'order_payment', 'correction')),
  amount_kop            INTEGER NOT NULL,      -- signed: + in, - out
  return_onec_id        TEXT,
  order_onec_id         TEXT,
  change_id             TEXT,                  -- the portal change it settles
  comment               TEXT,
  updated_at            TEXT NOT NULL
);
CREATE INDEX account_movements_company ON account_movements(company_id, at DESC);
CREATE TABLE internal_accounts (
  company_id    TEXT PRIMARY KEY REFERENCES companies(id),
  balance_kop   INTEGER NOT NULL DEFAULT 0,
  reserved_kop  INTEGER NOT NULL DEFAULT 0,
  updated_at    TEXT NOT NULL
);

-- Accounting documents of the company's orders, their order links and files (in R2).
CREATE TABLE documents (
  id                    TEXT PRIMARY KEY,
  company_id            TEXT NOT NULL REFERENCES companies(id),
  onec_id               TEXT NOT NULL UNIQUE,
  legal_entity_onec_id  TEXT,
  kind                  TEXT NOT NULL CHECK (kind IN ('invoice', 'upd', 'ukd', 'other')),
  kind_name             TEXT NOT NULL,
  number                TEXT NOT NULL,
  number_norm           TEXT NOT NULL,          -- lowercase, for "text in number" filters
  doc_date              TEXT NOT NULL,
  upd_status            INTEGER,
  corrects_onec_id      TEXT,
  shipment_onec_id      TEXT,
  amount_kop            INTEGER NOT NULL,
  vat_kop               INTEGER NOT NULL,
  edo_status            TEXT,
  lines_json            TEXT NOT NULL DEFAULT '[]',
  active                INTEGER NOT NULL DEFAULT 1,
  updated_at            TEXT NOT NULL
);
CREATE INDEX documents_company_date ON documents(company_id, doc_date DESC);
CREATE INDEX documents_company_kind ON documents(company_id, kind, doc_date DESC);
CREATE TABLE document_orders (
  document_id    TEXT NOT NULL REFERENCES documents(id),
  company_id     TEXT NOT NULL,
  order_onec_id  TEXT NOT NULL,
  PRIMARY KEY (document_id, order_onec_id)
);
CREATE INDEX document_orders_order ON document_orders(company_id, order_onec_id);
CREATE TABLE document_files (
  id            TEXT PRIMARY KEY,       -- what download URLs carry; never the storage key
  document_id   TEXT NOT NULL REFERENCES documents(id),
  company_id    TEXT NOT NULL,
  file_no       INTEGER NOT NULL,
  blob_key      TEXT NOT NULL,
  name          TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  size          INTEGER NOT NULL,
  role          TEXT NOT NULL,
  UNIQUE (document_id, file_no)
);

-- Reconciliation acts: the portal's requests (the documents issue writes them) and the acts 1C
-- prepared, with their operations.
CREATE TABLE act_requests (
  id               TEXT PRIMARY KEY,
  company_id       TEXT NOT NULL REFERENCES companies(id),
  legal_entity_id  TEXT NOT NULL REFERENCES legal_entities(id),
  agreement_id     TEXT REFERENCES agreements(id),
  period_from      TEXT NOT NULL,
  period_to        TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('waiting', 'ready', 'rejected')),
  reason           TEXT,
  requested_by     TEXT REFERENCES users(id),
  requested_at     TEXT NOT NULL,
  act_onec_id      TEXT,
  updated_at       TEXT NOT NULL
);
CREATE INDEX act_requests_company ON act_requests(company_id, requested_at DESC);
CREATE TABLE reconciliation_acts (
  onec_id               TEXT PRIMARY KEY,
  company_id            TEXT NOT NULL,
  request_id            TEXT,
  legal_entity_onec_id  TEXT NOT NULL,
  agreement_onec_id     TEXT,
  number                TEXT,
  period_from           TEXT NOT NULL,
  period_to             TEXT NOT NULL,
  opening_kop           INTEGER NOT NULL,
  debit_kop             INTEGER NOT NULL,
  credit_kop            INTEGER NOT NULL,
  closing_kop           INTEGER NOT NULL,
  operations_json       TEXT NOT NULL,
  files_json            TEXT NOT NULL DEFAULT '[]',
  received_at           TEXT NOT NULL,
  updated_at            TEXT NOT NULL
);
CREATE INDEX reconciliation_acts_company ON reconciliation_acts(company_id, period_to DESC);

-- What 1C answered for a portal change after acknowledging its delivery (`answer` messages):
-- the id 1C gave a new entity, so later snapshots link to the portal's record.
ALTER TABLE outbox ADD COLUMN onec_id TEXT;
