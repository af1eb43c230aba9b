-- The team's work on an alert, beside the detector's `status` (open while the episode lasts,
-- closed once it is over): `state` is where the team stands with it, who it is assigned to,
-- until when it is snoozed; `facts` holds what its title is written from (JSON, see
-- pouls.watch.titles.Facts), so that every page words it in its own language.
ALTER TABLE alerts ADD COLUMN state TEXT NOT NULL DEFAULT 'open';  -- open, acknowledged, snoozed, resolved
ALTER TABLE alerts ADD COLUMN assignee TEXT;        -- a member's login
ALTER TABLE alerts ADD COLUMN snoozed_until INTEGER; -- microseconds since the epoch, UTC
ALTER TABLE alerts ADD COLUMN facts TEXT;
CREATE INDEX alerts_state ON alerts (workspace, state, started_at DESC);
CREATE INDEX alerts_assignee ON alerts (workspace, assignee) WHERE assignee IS NOT NULL;

-- Each action is one more line of the alert's history: who (a login; NULL when pouls itself
-- acted, e.g. reopening a resolved alert that got worse) and what (the assignee, the snooze's
-- end, the comment).
ALTER TABLE alert_updates ADD COLUMN actor TEXT;
ALTER TABLE alert_updates ADD COLUMN value TEXT;
