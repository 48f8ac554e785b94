-- Company and people (issue 4): what a client admin edits about the company's legal entities
-- (bank accounts, contacts; a version for optimistic concurrency), e-mail change confirmations,
-- and indexes for the audit log's filters.

-- JSON array of {bik, bank_name, corr_account, account}: read and written whole, as 1C sends it.
ALTER TABLE legal_entities ADD COLUMN bank_accounts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE legal_entities ADD COLUMN phone TEXT;
ALTER TABLE legal_entities ADD COLUMN email TEXT;
ALTER TABLE legal_entities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- A new e-mail address takes effect only when its owner follows the link sent to it.
CREATE TABLE email_changes (
  token_hash  TEXT PRIMARY KEY,
  company_id  TEXT NOT NULL REFERENCES companies(id),
  user_id     TEXT NOT NULL REFERENCES users(id),
  new_email   TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT
);
CREATE INDEX email_changes_user ON email_changes(user_id);

CREATE INDEX audit_log_company_user ON audit_log(company_id, user_id, at);
CREATE INDEX audit_log_company_kind ON audit_log(company_id, kind, at);
