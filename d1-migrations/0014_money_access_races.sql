-- Security issue 13, item 3: a raise of a credit order is reserved with its change.

-- An edit that raises a credit order's total reserves the raise at once (kind 'raise'), so a
-- parallel or later edit or switch sees it. It counts until 1C refuses the change (deleted with
-- the change's reserves) or until 1C's credit state arrives after 1C accepted it (its figures
-- then include the new total). The existing rows are moves of whole orders ('move').
ALTER TABLE local_credit_reserves ADD COLUMN kind TEXT NOT NULL DEFAULT 'move';
