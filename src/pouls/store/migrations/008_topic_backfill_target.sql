-- Where a topic's backfill must reach: the newest stored signal when its query was saved.
-- A backfill stopped before it (Ctrl+C, a crash, `pouls up` stopping) is resumed at the next
-- start; topics saved before this migration count as done.
ALTER TABLE topics ADD COLUMN backfill_to INTEGER;
UPDATE topics SET backfill_to = coalesce(backfilled_seq, 0);
