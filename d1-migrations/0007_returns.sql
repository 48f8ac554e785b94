-- Returns (issue 5): photos of the returned goods, and the refunds looked up by the return.

-- Files live in R2 under `blob_key`; pages reach them only by `id` through the returns Worker,
-- which checks the company.
CREATE TABLE return_photos (
  id            TEXT PRIMARY KEY,
  return_id     TEXT NOT NULL REFERENCES returns(id),
  company_id    TEXT NOT NULL REFERENCES companies(id),
  blob_key      TEXT NOT NULL,
  content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  size          INTEGER NOT NULL,
  uploaded_by   TEXT REFERENCES users(id),
  uploaded_at   TEXT NOT NULL
);
CREATE INDEX return_photos_return ON return_photos(return_id);

-- A return page lists the refund movements 1C posted for it.
CREATE INDEX account_movements_return ON account_movements(company_id, return_onec_id);
-- A return's history: the audit rows that name it.
CREATE INDEX audit_log_entity ON audit_log(company_id, entity_type, entity_id);
