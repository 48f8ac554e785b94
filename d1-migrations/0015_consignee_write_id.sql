-- Security issue 13, item 4, the same pattern in consignee edits: a fresh id written by every
-- portal-side write of a consignee (add, edit, archive). The change to 1C and the audit row of
-- the request apply only where write_id is this request's id; "version = base + 1" is also true
-- after a parallel request's update, so the request that lost the race wrote them too.
ALTER TABLE consignees ADD COLUMN write_id TEXT;
