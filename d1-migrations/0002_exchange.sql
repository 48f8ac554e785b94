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

-- What the rest of 1C's contract writes: orders with lines and shipments, the credit position
-- per agreement, payment schedules. The capability issues add their own columns and tables.
CREATE TABLE orders (
  id                    TEXT PRIMARY KEY,
  company_id            TEXT NOT NULL REFERENCES companies(id),
  onec_id               TEXT NOT NULL UNIQUE,
  legal_entity_id       TEXT REFERENCES legal_entities(id),
  agreement_id          TEXT REFERENCES agreements(id),
  number                TEXT NOT NULL,
  ordered_at            TEXT NOT NULL,
  author_user_id        TEXT REFERENCES users(id),
  status                TEXT NOT NULL CHECK (status IN ('draft', 'awaiting_payment', 'reserved', 'paid', 'partly_shipped', 'shipped', 'cancelled')),
  delivery_method       TEXT CHECK (delivery_method IN ('pickup', 'delivery', 'transport_company')),
  delivery_address      TEXT,
  consignee_onec_id     TEXT,
  payment_method        TEXT NOT NULL CHECK (payment_method IN ('invoice', 'credit', 'internal_account', 'card')),
  paid_kop              INTEGER NOT NULL DEFAULT 0,
  planned_shipping_date TEXT,
  total_kop             INTEGER NOT NULL,
  vat_kop               INTEGER NOT NULL,
  version               INTEGER NOT NULL DEFAULT 1,
  updated_at            TEXT NOT NULL
);
CREATE INDEX orders_company_date ON orders(company_id, ordered_at DESC);
CREATE INDEX orders_company_status ON orders(company_id, status, ordered_at DESC);

CREATE TABLE order_lines (
  order_id         TEXT NOT NULL REFERENCES orders(id),
  company_id       TEXT NOT NULL,
  line_no          INTEGER NOT NULL,
  product_id       TEXT REFERENCES products(id),
  product_onec_id  TEXT,
  article          TEXT NOT NULL,
  name             TEXT NOT NULL,
  qty_milli        INTEGER NOT NULL,
  unit             TEXT NOT NULL,
  price_kop        INTEGER NOT NULL,
  amount_kop       INTEGER NOT NULL,
  vat_rate_bp      INTEGER,
  vat_kop          INTEGER NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_company_article ON order_lines(company_id, article);

CREATE TABLE shipments (
  id          TEXT PRIMARY KEY,
  company_id  TEXT NOT NULL,
  order_id    TEXT NOT NULL REFERENCES orders(id),
  onec_id     TEXT NOT NULL UNIQUE,
  number      TEXT NOT NULL,
  shipped_at  TEXT,
  vehicle     TEXT,
  documents   TEXT NOT NULL DEFAULT '[]'   -- JSON array of document references as 1C names them
);
CREATE INDEX shipments_order ON shipments(order_id);

CREATE TABLE shipment_lines (
  shipment_id  TEXT NOT NULL REFERENCES shipments(id),
  company_id   TEXT NOT NULL,
  line_no      INTEGER NOT NULL,
  qty_milli    INTEGER NOT NULL,
  PRIMARY KEY (shipment_id, line_no)
);

CREATE TABLE credit_states (
  agreement_id       TEXT PRIMARY KEY REFERENCES agreements(id),
  company_id         TEXT NOT NULL,
  limit_kop          INTEGER NOT NULL,
  debt_kop           INTEGER NOT NULL,
  overdue_kop        INTEGER NOT NULL,
  reserve_kop        INTEGER NOT NULL,
  blocked            INTEGER NOT NULL,
  amount_to_pay_kop  INTEGER NOT NULL,
  as_of              TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
CREATE INDEX credit_states_company ON credit_states(company_id);

-- The orders 1C's reserve covers: a local reserve for one of them is not counted again.
CREATE TABLE credit_reserve_orders (
  agreement_id   TEXT NOT NULL,
  company_id     TEXT NOT NULL,
  order_onec_id  TEXT NOT NULL,
  PRIMARY KEY (agreement_id, order_onec_id)
);

CREATE TABLE payment_schedule (
  order_id      TEXT NOT NULL REFERENCES orders(id),
  company_id    TEXT NOT NULL,
  agreement_id  TEXT REFERENCES agreements(id),
  stage_no      INTEGER NOT NULL,
  due_date      TEXT NOT NULL,
  amount_kop    INTEGER NOT NULL,
  paid_kop      INTEGER NOT NULL,
  PRIMARY KEY (order_id, stage_no)
);
CREATE INDEX payment_schedule_company_due ON payment_schedule(company_id, due_date);
