-- Money (issue 5): the portal's own moves of the credit reserve until 1C's figures include them,
-- and holds on the internal account while 1C settles a payment made from it.

-- A signed adjustment per order: + reserves (an order switched to credit), - releases (a credit
-- order cancelled). It counts only while 1C's reserve list says 1C has not caught up: a + while
-- the order is not in credit_reserve_orders, a - while it still is. Never counted twice.
CREATE TABLE local_credit_reserves (
  id             TEXT PRIMARY KEY,
  company_id     TEXT NOT NULL REFERENCES companies(id),
  agreement_id   TEXT NOT NULL REFERENCES agreements(id),
  order_onec_id  TEXT NOT NULL,
  amount_kop     INTEGER NOT NULL,
  change_id      TEXT,
  created_at     TEXT NOT NULL
);
CREATE INDEX local_credit_reserves_agreement ON local_credit_reserves(agreement_id, order_onec_id);

-- Money of the internal account promised to an order payment that 1C has not settled yet.
-- available = balance - sum(held); a hold is taken only while that stays >= 0.
CREATE TABLE account_holds (
  change_id   TEXT PRIMARY KEY,
  company_id  TEXT NOT NULL REFERENCES companies(id),
  order_id    TEXT NOT NULL REFERENCES orders(id),
  amount_kop  INTEGER NOT NULL CHECK (amount_kop > 0),
  status      TEXT NOT NULL CHECK (status IN ('held', 'settled', 'released')),
  created_by  TEXT REFERENCES users(id),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
-- One open payment per order.
CREATE UNIQUE INDEX account_holds_open_order ON account_holds(order_id) WHERE status = 'held';
CREATE INDEX account_holds_company ON account_holds(company_id, status);
