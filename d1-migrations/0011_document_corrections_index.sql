-- The document page lists the corrections (УКД) of a document by what they correct. Without an
-- index on that, the query read every document of the company: 18 ms in SQLite for a company with
-- 20,000 documents (docs/benchmarks.md, CPU per request). Partial: most documents correct
-- nothing. doc_date is in the index so it also gives the page's order and the planner picks it
-- without statistics (D1 runs no ANALYZE).
CREATE INDEX IF NOT EXISTS documents_corrects ON documents (company_id, corrects_onec_id, doc_date)
  WHERE corrects_onec_id IS NOT NULL;
