-- УТ 11's data (issue 17): typical agreements and the supplier's own organisations.
--
-- An `agreements` row is now one company's use of a 1C agreement (Соглашение): an individual
-- agreement has one row (one company, one legal entity), a typical one (типовое соглашение) a row
-- per company that may use it, all with the same 1C id. The shared terms (name, price type,
-- organisation) are the same in every row; the per-company terms (limit, deferral) and the credit
-- state (keyed by the row) are each company's own. legal_entity_id is optional for a typical
-- agreement (any of the company's legal entities buys under it).
--
-- A table rebuild (SQLite cannot drop a UNIQUE or a NOT NULL): every row is kept and becomes an
-- individual agreement with its one legal entity, under the same id. The order matters with
-- foreign keys on (D1): the rows are copied aside, the old table dropped (its children now count
-- as deferred violations), the new one created under the same name (the children's REFERENCES
-- name it) and filled, which satisfies them again before the end of the migration.
PRAGMA defer_foreign_keys = true;

CREATE TABLE agreements_copy AS SELECT * FROM agreements;
DROP TABLE agreements;
CREATE TABLE agreements (
  id                   TEXT PRIMARY KEY,
  company_id           TEXT NOT NULL REFERENCES companies(id),
  legal_entity_id      TEXT REFERENCES legal_entities(id),
  onec_id              TEXT NOT NULL,
  kind                 TEXT NOT NULL DEFAULT 'individual' CHECK (kind IN ('individual', 'typical')),
  organisation_onec_id TEXT,
  name                 TEXT NOT NULL,
  number               TEXT,
  signed_on            TEXT,
  credit_limit_kop     INTEGER NOT NULL DEFAULT 0,
  deferral_days        INTEGER NOT NULL DEFAULT 0,
  price_type_id        TEXT REFERENCES price_types(id),
  active               INTEGER NOT NULL DEFAULT 1,
  updated_at           TEXT NOT NULL,
  UNIQUE (onec_id, company_id),
  CHECK (kind = 'typical' OR legal_entity_id IS NOT NULL)
);
INSERT INTO agreements (id, company_id, legal_entity_id, onec_id, kind, name, number, signed_on,
    credit_limit_kop, deferral_days, price_type_id, active, updated_at)
  SELECT id, company_id, legal_entity_id, onec_id, 'individual', name, number, signed_on,
    credit_limit_kop, deferral_days, price_type_id, active, updated_at FROM agreements_copy;
DROP TABLE agreements_copy;
CREATE INDEX agreements_company ON agreements(company_id);
-- An individual agreement belongs to one company.
CREATE UNIQUE INDEX agreements_individual ON agreements(onec_id) WHERE kind = 'individual';

-- The supplier's own organisations (Организация): the seller and payee of orders, invoices and
-- УПД. Sent by 1C (`organisation`); agreements, orders and documents name them by 1C id, so any
-- may arrive first.
CREATE TABLE organisations (
  id             TEXT PRIMARY KEY,
  onec_id        TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  full_name      TEXT,
  inn            TEXT NOT NULL,
  kpp            TEXT,
  ogrn           TEXT,
  address        TEXT,
  bank_accounts  TEXT NOT NULL DEFAULT '[]',  -- JSON [{bank_name, bik, corr_account, account}]
  active         INTEGER NOT NULL DEFAULT 1,
  updated_at     TEXT NOT NULL
);

ALTER TABLE orders ADD COLUMN organisation_onec_id TEXT;
ALTER TABLE documents ADD COLUMN organisation_onec_id TEXT;
