-- Issue 16, versions: 1C's last contact, one row per kind of request (messages, pull, ack,
-- files, capabilities), and the version of the 1C extension last seen (the batch envelope's
-- `extension_version`). Upserted in the same D1 batch as the request's own writes; the
-- exchange monitor shows it.
CREATE TABLE onec_contacts (
  kind               TEXT PRIMARY KEY,  -- messages | pull | ack | files | capabilities
  last_at            TEXT NOT NULL,     -- UTC, RFC 3339 (the portal's clock)
  extension_version  TEXT               -- last one seen for this kind; NULL: never sent
);
