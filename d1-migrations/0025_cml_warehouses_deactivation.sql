-- Stock CommerceML (issue 18, part 2).
-- Warehouses 1C names in `Склады` (classifier or offers package): product_stock.warehouse holds a
-- warehouse's 1C id for stock a catalogue exchange sent per warehouse; the name shown comes from
-- here (a name sent in any file, earlier or later, of any exchange).
CREATE TABLE cml_warehouses (
  onec_id  TEXT PRIMARY KEY,
  name     TEXT NOT NULL
);
-- A price type's currency from `ТипыЦен` (e.g. 2.09 sends them in import.xml's classifier), for a
-- price of a later file that names none.
ALTER TABLE price_types ADD COLUMN currency TEXT;
-- When a catalogue exchange last listed the row: in an import.xml (cml_listed_at) or an offers,
-- prices or stock file (cml_seen_at). What a full exchange or `mode=deactivate` did not list is
-- deactivated; a row with both NULL never came from CommerceML (the JSON contract's products are
-- never deactivated by it).
ALTER TABLE products ADD COLUMN cml_listed_at TEXT;
ALTER TABLE products ADD COLUMN cml_seen_at TEXT;
-- 1 when the imported file is a full exchange (`СодержитТолькоИзменения` not true).
ALTER TABLE cml_imports ADD COLUMN full INTEGER;
-- A characteristic's own properties (`ХарактеристикиТовара`): JSON [[name, value], ...], shown with
-- the variant under its product's card.
ALTER TABLE products ADD COLUMN properties TEXT;
