-- Orders (issue 6): what the order list filters by. Text search columns are normalised in Rust
-- (SQLite's lower() folds only ASCII; production D1 caps LIKE patterns at 50 bytes).

-- Article key and lowercase name of the line, for "orders containing this article or product".
ALTER TABLE order_lines ADD COLUMN search TEXT NOT NULL DEFAULT '';
-- Portal and 1C numbers, lowercase, for "order number contains".
ALTER TABLE orders ADD COLUMN number_norm TEXT NOT NULL DEFAULT '';
-- Lines written before this column existed get the ASCII part now; 1C's next snapshot fills the rest.
UPDATE order_lines SET search = lower(article) || ' ' || lower(name);
UPDATE orders SET number_norm = lower(number);
CREATE INDEX orders_company_shipping ON orders(company_id, planned_shipping_date);
CREATE INDEX orders_company_author ON orders(company_id, author_user_id, ordered_at DESC);
CREATE INDEX orders_company_total ON orders(company_id, total_kop DESC);
