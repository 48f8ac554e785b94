-- Stock CommerceML orders both ways (issue 19): 1C's order files carry lines, sums, payments and
-- shipments; a stock-only deployment (ONEC_DELIVERY=commerceml) sends client changes as the
-- order's new state in `query`.

-- The portal change (`cml_change`) 1C's order file has answered: a file applied after 1C's
-- `success` closes every change up to the one confirmed. A change is open to the client while
-- cml_change > cml_closed (sent and confirmed, 1C's own file still to come).
ALTER TABLE orders ADD COLUMN cml_closed INTEGER NOT NULL DEFAULT 0;

-- Payments 1C's order files report (3.1 payment documents: `Выплата безналичных денег`, ...),
-- each once by its 1C id, so a file sent again does not pay twice. An order's `paid_kop` is the
-- sum of those not marked deleted.
CREATE TABLE cml_order_payments (
  onec_id     TEXT PRIMARY KEY,
  order_id    TEXT NOT NULL REFERENCES orders(id),
  company_id  TEXT NOT NULL,
  number      TEXT,
  paid_at     TEXT,
  amount_kop  INTEGER NOT NULL,
  deleted     INTEGER NOT NULL DEFAULT 0,
  updated_at  TEXT NOT NULL
);
CREATE INDEX cml_order_payments_order ON cml_order_payments(order_id);
