-- Saved reports (declared in pouls.toml or made in the web app) with the analyst's summary,
-- and each scheduled send: a report due again after a restart is not sent twice.
CREATE TABLE reports (
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,                  -- the report's settings as JSON (pouls.config.Report)
    summary TEXT NOT NULL DEFAULT '',   -- the analyst's free text, edited in the web app
    origin TEXT NOT NULL,               -- config (pouls.toml) or web
    created_at INTEGER NOT NULL,        -- microseconds since the epoch, UTC
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (workspace, name)
) WITHOUT ROWID;

CREATE TABLE report_sends (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    report TEXT NOT NULL,
    due_at INTEGER NOT NULL,            -- the scheduled moment this send is for
    since INTEGER NOT NULL,             -- the period covered
    until INTEGER NOT NULL,
    status TEXT NOT NULL,               -- sent, failed, empty (no signal: nothing sent)
    detail TEXT,                        -- the sinks' answers or the error, in words
    at INTEGER NOT NULL,
    UNIQUE (workspace, report, due_at)
);
CREATE INDEX report_sends_recent ON report_sends (workspace, report, due_at DESC);
