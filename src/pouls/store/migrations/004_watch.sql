-- Alert rules added from the CLI or the web app, the alerts they raised, each alert's updates,
-- and every delivery attempt: nothing leaves pouls unrecorded.
CREATE TABLE rules (
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,                  -- the rule as JSON (pouls.config.Rule)
    created_at INTEGER NOT NULL,        -- microseconds since the epoch, UTC
    PRIMARY KEY (workspace, name)
) WITHOUT ROWID;

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    rule TEXT NOT NULL,                 -- a rule name, or `crisis` for escalations
    kind TEXT NOT NULL,                 -- spike, threshold, match, toxicity, scam, escalation
    status TEXT NOT NULL,               -- open, closed
    title TEXT NOT NULL,
    started_at INTEGER NOT NULL,        -- event time of the first alert-worthy step
    updated_at INTEGER NOT NULL,
    closed_at INTEGER,
    observed REAL,
    baseline REAL,
    score REAL,
    explanation TEXT                    -- JSON (pouls.watch.explain.Explanation)
);
CREATE INDEX alerts_recent ON alerts (workspace, started_at DESC);

CREATE TABLE alert_updates (
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    change TEXT NOT NULL,               -- opened, updated, closed
    observed REAL,
    baseline REAL,
    score REAL
);
CREATE INDEX alert_updates_alert ON alert_updates (alert_id, at);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    alert_id INTEGER REFERENCES alerts (id) ON DELETE CASCADE,   -- NULL for a digest
    subject TEXT NOT NULL,              -- what was sent: alert change or digest, in words
    sink TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    ok INTEGER NOT NULL,                -- 1 delivered, 0 failed
    final INTEGER NOT NULL,             -- 1 when no other attempt follows
    detail TEXT,                        -- the receiver's answer or the error
    at INTEGER NOT NULL
);
CREATE INDEX deliveries_recent ON deliveries (workspace, at DESC);
