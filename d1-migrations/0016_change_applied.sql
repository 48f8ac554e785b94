-- Issue 15: a client change is "applied" once a snapshot from 1C naming it (`change_ids`) has
-- been applied; until then an accepted change is "accepted" (1C's data on its way), flagged as
-- overdue after ONEC_APPLY_DEADLINE_SECS. See docs/data-model.md (outbox).
ALTER TABLE outbox ADD COLUMN applied_at TEXT;
-- The monitor's count of accepted changes not applied in time.
CREATE INDEX outbox_accepted_unapplied ON outbox(answered_at) WHERE status = 'accepted' AND applied_at IS NULL;
