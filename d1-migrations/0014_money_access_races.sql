-- Security issue 13, items 3 and 4: guards that depend on this request's own write.

-- An edit that raises a credit order's total reserves the raise at once (kind 'raise'), so a
-- parallel or later edit or switch sees it. It counts until 1C refuses the change (deleted with
-- the change's reserves) or until 1C's credit state arrives after 1C accepted it (its figures
-- then include the new total). The existing rows are moves of whole orders ('move').
ALTER TABLE local_credit_reserves ADD COLUMN kind TEXT NOT NULL DEFAULT 'move';

-- A fresh id written by every versioned update of a user (employee edit or removal, profile,
-- e-mail change). The batch's other statements (roles, sessions, outbox, audit) apply only where
-- write_id is this request's id: "version = the new version" is also true after someone else's
-- update, so a request that lost the race would still apply its roles.
ALTER TABLE users ADD COLUMN write_id TEXT;
