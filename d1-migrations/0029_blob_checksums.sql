-- Streamed downloads (issue 23): each stored file's length and CRC-32, computed once when 1C
-- uploads it (`PUT /exchange/v1/files/{key}`), so an order's ZIP writes every entry's header
-- before its data and knows its exact length (`Content-Length`) before the first byte. Keyed by
-- the storage key, like the object: the file arrives before the document that lists it
-- (`document_files.blob_key` joins here), and an upload under the same key replaces both. A
-- file uploaded before this table has no row: its first download computes and stores it.
CREATE TABLE blob_checksums (
  blob_key  TEXT PRIMARY KEY,
  size      INTEGER NOT NULL,
  crc32     INTEGER NOT NULL
);
