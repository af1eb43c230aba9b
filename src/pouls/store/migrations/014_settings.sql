-- Settings managed in the web app. Rules keep where they came from (`config`: seeded from
-- pouls.toml; `cli`; `web`) and when they last changed, so the running watcher reloads them.
ALTER TABLE rules ADD COLUMN origin TEXT NOT NULL DEFAULT 'cli';
ALTER TABLE rules ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- Topics and rules of pouls.toml deleted in the web app: not seeded again at the next start.
CREATE TABLE declined (
    workspace TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- topic, rule
    name TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (workspace, kind, name)
) WITHOUT ROWID;

-- Sources paused from the web app: the pipeline stops reading them and keeps their cursor.
CREATE TABLE paused_sources (
    workspace TEXT NOT NULL,
    source TEXT NOT NULL,
    by_login TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (workspace, source)
) WITHOUT ROWID;
