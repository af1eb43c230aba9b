-- Dashboard figures as rollups (pouls.store.figures), so a 30-day dashboard over a million
-- signals reads a few thousand rows instead of every signal's JSON.
--
-- Signals are cut in blocks of 4 hours (created_at / 14400000000). A block is marked dirty
-- whenever one of its signals or topic matches is inserted (by `put`, once per batch),
-- changed or deleted (triggers); a dashboard recomputes the dirty blocks it needs before
-- reading. So the rollups do not depend on every writer (topic backfills, own-account
-- re-marking, retention) remembering to keep them.

-- Counts per hour and facet combination; topic '' is the whole workspace. NULL facets are ''.
CREATE TABLE figure_counts (
    workspace TEXT NOT NULL,
    topic TEXT NOT NULL,
    hour INTEGER NOT NULL,              -- created_at / 3600000000
    own INTEGER NOT NULL,
    channel TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    visibility TEXT NOT NULL,
    lang TEXT NOT NULL,
    n INTEGER NOT NULL,
    reach INTEGER NOT NULL,
    PRIMARY KEY (workspace, topic, hour, own, channel, sentiment, visibility, lang)
) WITHOUT ROWID;
CREATE INDEX figure_counts_hour ON figure_counts (workspace, hour);

-- The same per hour, topic and own only: what a share of voice reads, 40 times fewer rows.
CREATE TABLE figure_hours (
    workspace TEXT NOT NULL,
    hour INTEGER NOT NULL,
    topic TEXT NOT NULL,
    own INTEGER NOT NULL,
    n INTEGER NOT NULL,
    reach INTEGER NOT NULL,
    PRIMARY KEY (workspace, hour, topic, own)
) WITHOUT ROWID;

-- Counts per key (author, site, hashtag, mention, term, entity, place, country) for one block
-- (span 'b', start = block number) or one UTC day (span 'd', start = day number).
CREATE TABLE figure_keys (
    workspace TEXT NOT NULL,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL,
    own INTEGER NOT NULL,
    span TEXT NOT NULL,
    start INTEGER NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,                 -- signals
    reach INTEGER NOT NULL,             -- sum of their reach
    peak INTEGER NOT NULL,              -- largest reach of one signal: an author's followers
    label TEXT NOT NULL,                -- how the key is shown (a handle, a place name)
    -- span and start first: a block or a day is replaced as one range; a dashboard seeks
    -- (start, topic, kind, own) for each day or block it reads
    PRIMARY KEY (workspace, span, start, topic, kind, own, key)
) WITHOUT ROWID;

-- Blocks whose rollups are stale; `gen` moves on every change, so a refresh computed while a
-- signal arrived leaves the block dirty. A day's 'd' rows are current when it is in figure_days.
CREATE TABLE figure_dirty (
    workspace TEXT NOT NULL,
    block INTEGER NOT NULL,
    gen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace, block)
) WITHOUT ROWID;
CREATE TABLE figure_days (
    workspace TEXT NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (workspace, day)
) WITHOUT ROWID;

INSERT OR IGNORE INTO figure_dirty (workspace, block)
    SELECT DISTINCT workspace, created_at / 14400000000 FROM signals;

-- New signals: `put` marks their blocks in one statement per batch (a trigger per row cost a
-- third of the import time), as it indexes them for full-text search.
CREATE TRIGGER figure_signal_update AFTER UPDATE ON signals BEGIN
    INSERT INTO figure_dirty (workspace, block) VALUES (new.workspace, new.created_at / 14400000000)
        ON CONFLICT DO UPDATE SET gen = gen + 1;
    INSERT INTO figure_dirty (workspace, block) VALUES (old.workspace, old.created_at / 14400000000)
        ON CONFLICT DO UPDATE SET gen = gen + 1;
END;
CREATE TRIGGER figure_signal_delete AFTER DELETE ON signals BEGIN
    INSERT INTO figure_dirty (workspace, block) VALUES (old.workspace, old.created_at / 14400000000)
        ON CONFLICT DO UPDATE SET gen = gen + 1;
END;
CREATE TRIGGER figure_topic_insert AFTER INSERT ON signal_topics BEGIN
    INSERT INTO figure_dirty (workspace, block)
    SELECT new.workspace, created_at / 14400000000 FROM signals WHERE seq = new.seq
        ON CONFLICT DO UPDATE SET gen = gen + 1;
END;
CREATE TRIGGER figure_topic_delete AFTER DELETE ON signal_topics BEGIN
    INSERT INTO figure_dirty (workspace, block)
    SELECT old.workspace, created_at / 14400000000 FROM signals WHERE seq = old.seq
        ON CONFLICT DO UPDATE SET gen = gen + 1;
END;
