-- Topics: saved searches whose matches form permanent feeds (signal_topics holds the matches).
CREATE TABLE topics (
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',    -- JSON array of labels
    color TEXT,
    origin TEXT NOT NULL DEFAULT 'cli', -- 'config' when declared in pouls.toml
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,        -- microseconds; the matcher reloads when it moves
    backfilled_seq INTEGER,             -- stored signals up to this seq have been matched
    PRIMARY KEY (workspace, name)
) WITHOUT ROWID;
