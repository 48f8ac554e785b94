-- Stock-only orders (issue 19): a client's cancellation is saved at once and travels to 1C in
-- `query` (`Отменен`); the status it replaced is kept, so that when 1C's next file still shows
-- the order as not cancelled (the manager refused), the portal shows 1C's state again.
ALTER TABLE orders ADD COLUMN cml_before_cancel TEXT;
