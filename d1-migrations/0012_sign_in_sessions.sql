-- Issue 13 (sign-in and sessions).

-- A company deactivated by 1C revokes every session of its users in one statement.
CREATE INDEX sessions_company ON sessions(company_id);
