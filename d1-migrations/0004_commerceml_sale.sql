-- Stock CommerceML exchange, completed (issue 3, part D): orders to and from 1C (type=sale) and
-- sliced, resumable catalogue imports.

-- Orders handed to 1C by `mode=query`. `cml_change` grows with every portal change
-- (exchange::cml::mark_order_changed_stmt); `cml_confirmed` is the value 1C confirmed with
-- `mode=success`. An order is due while cml_change > cml_confirmed, so a change made between a
-- query and its success stays due.
ALTER TABLE orders ADD COLUMN cml_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN cml_confirmed INTEGER NOT NULL DEFAULT 0;
-- What 1C's order files report: its own number, whether its document is posted, the payment.
ALTER TABLE orders ADD COLUMN onec_number TEXT;
ALTER TABLE orders ADD COLUMN onec_posted INTEGER;
ALTER TABLE orders ADD COLUMN onec_paid_at TEXT;
ALTER TABLE orders ADD COLUMN onec_payment_number TEXT;
CREATE INDEX orders_cml_due ON orders(id) WHERE cml_change > cml_confirmed;
-- 1C's order files may name an order only by the portal's number.
CREATE INDEX orders_number ON orders(number);

-- The orders the last `mode=query` of a session handed out, with the change each carried.
CREATE TABLE cml_sale_handout (
  order_id    TEXT PRIMARY KEY REFERENCES orders(id),
  change      INTEGER NOT NULL,
  session     TEXT NOT NULL,
  queried_at  TEXT NOT NULL
);

-- Sizes of a file's chunks in order (JSON array), to find a byte offset across chunk objects.
ALTER TABLE cml_files ADD COLUMN chunk_sizes TEXT NOT NULL DEFAULT '[]';

-- One import of an uploaded file, run in slices. A slice's rows and its checkpoint are written in
-- one batch (one transaction) that first asserts the import is still at the slice it started from
-- (cml_import_guard): a slice is never applied twice, nor after the file was uploaded again.
CREATE TABLE cml_imports (
  job         TEXT PRIMARY KEY,      -- also stamped on the price and stock rows it writes
  session     TEXT NOT NULL,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('products', 'offers')),
  status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  bytes       INTEGER NOT NULL,
  slice       INTEGER NOT NULL DEFAULT 0,
  checkpoint  TEXT,                  -- JSON (commerceml::Checkpoint); NULL: from the start
  items       INTEGER NOT NULL DEFAULT 0,
  prices      INTEGER NOT NULL DEFAULT 0,
  stock       INTEGER NOT NULL DEFAULT 0,
  result      TEXT,
  started_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (session, name)
);
CREATE INDEX cml_imports_running ON cml_imports(updated_at) WHERE status = 'running';

-- An assertion inside a batch (SQLite has no RAISE outside triggers): a slice inserts one row
-- whose CHECK fails unless its import is where it started, and deletes it at the batch's end.
CREATE TABLE cml_import_guard (ok INTEGER NOT NULL CHECK (ok = 1));

-- Which import last wrote a price or stock row: within one import the characteristics of a
-- product add up (stock) and accumulate (price types) across slices; rows of an earlier import
-- or of the JSON contract are replaced.
ALTER TABLE product_prices ADD COLUMN cml_import TEXT;
ALTER TABLE product_stock ADD COLUMN cml_import TEXT;
