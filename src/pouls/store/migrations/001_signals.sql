-- Signals, their full-text index, topic matches, source cursors and dead letters.
CREATE TABLE signals (
    seq INTEGER PRIMARY KEY,            -- insertion order; the FTS rowid
    id TEXT NOT NULL UNIQUE,            -- stable hash of (workspace, source, native id)
    workspace TEXT NOT NULL,
    source TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    author TEXT,
    lang TEXT,
    sentiment TEXT,
    site TEXT,                          -- host of the url, without "www."
    country TEXT,
    created_at INTEGER NOT NULL,        -- microseconds since the epoch, UTC
    observed_at INTEGER NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    doc BLOB NOT NULL                   -- the whole Signal as JSON
);
CREATE INDEX signals_wall ON signals (workspace, created_at DESC, seq DESC);
CREATE INDEX signals_channel ON signals (workspace, channel, created_at DESC);
CREATE INDEX signals_source ON signals (workspace, source, created_at DESC);

-- remove_diacritics 2 folds accents and case: `ecole` finds `École`.
CREATE VIRTUAL TABLE signals_fts USING fts5 (
    title, text,
    content = 'signals', content_rowid = 'seq',
    tokenize = "unicode61 remove_diacritics 2"
);
CREATE TRIGGER signals_fts_insert AFTER INSERT ON signals BEGIN
    INSERT INTO signals_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;
CREATE TRIGGER signals_fts_delete AFTER DELETE ON signals BEGIN
    INSERT INTO signals_fts (signals_fts, rowid, title, text)
    VALUES ('delete', old.seq, old.title, old.text);
END;
CREATE TRIGGER signals_fts_update AFTER UPDATE OF title, text ON signals BEGIN
    INSERT INTO signals_fts (signals_fts, rowid, title, text)
    VALUES ('delete', old.seq, old.title, old.text);
    INSERT INTO signals_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
END;

CREATE TABLE signal_topics (
    workspace TEXT NOT NULL,
    topic TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES signals (seq) ON DELETE CASCADE,
    PRIMARY KEY (workspace, topic, seq)
) WITHOUT ROWID;

CREATE TABLE cursors (
    workspace TEXT NOT NULL,
    source TEXT NOT NULL,
    cursor TEXT,
    updated_at INTEGER,
    last_error TEXT,
    last_error_at INTEGER,
    PRIMARY KEY (workspace, source)
) WITHOUT ROWID;

CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    workspace TEXT NOT NULL,
    source TEXT NOT NULL,
    position TEXT,                      -- where in the input: line, entry id, offset
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    at INTEGER NOT NULL
);
-- A replayed batch records its dead letters once.
CREATE UNIQUE INDEX dead_letters_once ON dead_letters (workspace, source, position)
    WHERE position IS NOT NULL;
