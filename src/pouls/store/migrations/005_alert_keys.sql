-- A key for alerts that must be raised once only, whatever restarts or replays happen:
-- a crisis escalation is `<story's first private signal id>:<level reached>`.
ALTER TABLE alerts ADD COLUMN key TEXT;
CREATE UNIQUE INDEX alerts_key ON alerts (workspace, key) WHERE key IS NOT NULL;
