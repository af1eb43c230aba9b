-- Corrections: a person's verdict on a signal's sentiment, toxicity, language or entities
-- (pouls.corrections). The signal's row and document hold the corrected value, so searches,
-- facets, counts, rollups, alerts and exports read it like any other; this table keeps who
-- corrected what and when, and what the models had said, so the page can show both and a
-- newer version of the signal stored later is corrected again.
CREATE TABLE corrections (
    workspace TEXT NOT NULL,
    signal_id TEXT NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    field TEXT NOT NULL,                -- sentiment, toxicity, lang, entities
    value TEXT NOT NULL,                -- the verdict, JSON
    model TEXT NOT NULL,                -- what the models said, JSON (null when nothing)
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    by_name TEXT NOT NULL,              -- who, as they were named when they corrected
    at INTEGER NOT NULL,                -- microseconds since the epoch, UTC
    PRIMARY KEY (workspace, signal_id, field)
) WITHOUT ROWID;
-- An erased or expired signal takes its corrections with it (the foreign key's lookups).
CREATE INDEX corrections_signal ON corrections (signal_id);
CREATE INDEX corrections_at ON corrections (workspace, at);
