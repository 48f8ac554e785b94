-- Documents as 1C УТ 11 has them (issue 17).
-- * Corrected УПД (ИУПД): a correction is its own 1C document naming the original it corrects
--   (`correction_of_onec_id`), with НомИспр (`correction_no`, 0 for an original) and its date. The
--   current version of a УПД is the one with the highest correction number: computed when read,
--   so a correction arriving before its original loses nothing.
-- * УКД over several УПД: the documents a УКД corrects move to their own table (one row each).
-- * The 1С-ЭДО state as 1C named it (`edo_state`), next to the portal's `edo_status`.
-- Existing data: every УКД's single `corrects_onec_id` becomes a row of `document_corrects`; the
-- lines' VAT rate, stored as 1C's old integer (or null: without VAT), becomes the wire text
-- ("20%", "none"). Nothing is dropped (`corrects_onec_id` stays, holding the first corrected).

ALTER TABLE documents ADD COLUMN correction_of_onec_id TEXT;
ALTER TABLE documents ADD COLUMN correction_no INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN correction_date TEXT;
ALTER TABLE documents ADD COLUMN edo_state TEXT;

-- "Is there a newer correction of this document?" for every row of a list: one index probe.
CREATE INDEX IF NOT EXISTS documents_correction_of ON documents (company_id, correction_of_onec_id, correction_no)
  WHERE correction_of_onec_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS document_corrects (
  document_id        TEXT NOT NULL REFERENCES documents(id),
  company_id         TEXT NOT NULL,
  corrected_onec_id  TEXT NOT NULL,
  PRIMARY KEY (document_id, corrected_onec_id)
);
CREATE INDEX IF NOT EXISTS document_corrects_corrected ON document_corrects (company_id, corrected_onec_id);

INSERT OR IGNORE INTO document_corrects (document_id, company_id, corrected_onec_id)
  SELECT id, company_id, corrects_onec_id FROM documents WHERE corrects_onec_id IS NOT NULL;

UPDATE documents SET lines_json = (
    SELECT json_group_array(json(CASE
        WHEN json_type(l.value, '$.vat_rate') IN ('integer', 'real') THEN json_set(l.value, '$.vat_rate', CAST(CAST(json_extract(l.value, '$.vat_rate') AS INTEGER) AS TEXT) || '%')
        WHEN json_type(l.value, '$.vat_rate') IS NULL OR json_type(l.value, '$.vat_rate') = 'null' THEN json_set(l.value, '$.vat_rate', 'none')
        ELSE l.value END))
    FROM (SELECT value FROM json_each(documents.lines_json) ORDER BY key) l)
  WHERE json_valid(lines_json) AND json_array_length(lines_json) > 0;
