-- Stock CommerceML (issue 18): a price keeps the currency and the coefficient 1C sent with it,
-- so a price in dollars is never shown as roubles. NULL currency: roubles (the JSON contract's
-- prices and those imported before this). Only a RUB price is a client's price
-- (orders::sql::price_kop!); products.unit_code now holds the ОКЕИ code apart from the unit name.
ALTER TABLE product_prices ADD COLUMN currency TEXT;
ALTER TABLE product_prices ADD COLUMN coefficient_milli INTEGER;
