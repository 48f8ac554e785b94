-- Issue 16, full resync: which 1C company each applied entity belongs to, beside its sequence
-- number, so a manifest 1C sends for one company (POST /exchange/v1/manifest) can be answered
-- with the entities the portal holds that 1C did not list (`unknown`), and an operator can see
-- what a company's resync brought back. Written with the sequence advance from the message's
-- own company (products and shipping calendars belong to none: NULL). Rows applied before this
-- migration get theirs from the tables below; what cannot be traced stays NULL (never listed as
-- unknown).
ALTER TABLE inbound_seq ADD COLUMN company_onec_id TEXT;
CREATE INDEX inbound_seq_company ON inbound_seq(company_onec_id, entity_type, entity_id);

UPDATE inbound_seq SET company_onec_id = entity_id WHERE entity_type = 'company';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM users u JOIN companies c ON c.id = u.company_id WHERE u.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'user';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM consignees x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'consignee';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM orders x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type IN ('order', 'payment_schedule');
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM returns x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'return';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM documents x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'document';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM payments_received x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'payment';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM account_movements x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'account_movement';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM opening_balances x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'opening_balance';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM reconciliation_acts x JOIN companies c ON c.id = x.company_id WHERE x.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'reconciliation_act';
UPDATE inbound_seq SET company_onec_id = (
    SELECT c.onec_id FROM agreements a JOIN companies c ON c.id = a.company_id WHERE a.onec_id = inbound_seq.entity_id)
  WHERE entity_type = 'credit_state';
