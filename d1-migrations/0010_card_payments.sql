-- Card payments through the acquirer (YooKassa): one row per payment the portal asked for. The
-- acquirer's word is final only after the portal re-read the payment from its API.
CREATE TABLE card_payments (
  id                  TEXT PRIMARY KEY,
  company_id          TEXT NOT NULL REFERENCES companies(id),
  order_id            TEXT NOT NULL REFERENCES orders(id),
  -- The acquirer's payment id; NULL while the create request has no answer yet.
  provider_payment_id TEXT UNIQUE,
  -- Sent as Idempotence-Key: a retried create returns the same payment, never a second charge.
  idempotence_key     TEXT NOT NULL UNIQUE,
  amount_kop          INTEGER NOT NULL CHECK (amount_kop > 0),
  -- creating: asked, no answer yet (a retry re-sends the same key); pending: the buyer is on the
  -- hosted page; succeeded / canceled: as the acquirer's API said.
  status              TEXT NOT NULL CHECK (status IN ('creating', 'pending', 'succeeded', 'canceled')),
  confirmation_url    TEXT,
  cancel_reason       TEXT,
  -- The outbox change (order.paid_by_card) written with the success: the guard of its batch.
  change_id           TEXT,
  paid_at             TEXT,
  created_by          TEXT REFERENCES users(id),
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX card_payments_company_order ON card_payments(company_id, order_id, created_at DESC);
-- At most one open payment per order: a second click finds the first, a race loses the insert.
CREATE UNIQUE INDEX card_payments_one_open ON card_payments(order_id) WHERE status IN ('creating', 'pending');
