-- Signals from the workspace's own accounts (`own_accounts` in pouls.toml): alert volumes and
-- shares, crisis stories, campaigns, emerging terms and digests leave them out by default.
ALTER TABLE signals ADD COLUMN own INTEGER NOT NULL DEFAULT 0;
-- Few signals are the brand's own: a partial index serves the wall's "own" filter.
CREATE INDEX signals_own ON signals (workspace, created_at DESC) WHERE own = 1;
-- The pseudonyms of the declared accounts the stored signals were last marked with, so a
-- changed declaration re-marks the history once (`pouls.store.own.mark`).
CREATE TABLE own_authors (
    workspace TEXT NOT NULL,
    author TEXT NOT NULL,
    PRIMARY KEY (workspace, author)
) WITHOUT ROWID;
-- The topics of a signal, looked up by its seq for every row of a page (`TOPICS_OF`): the
-- primary key (workspace, topic, seq) made each lookup read every match of the workspace
-- (the demo's crisis page spent two of its three seconds there).
CREATE INDEX signal_topics_seq ON signal_topics (workspace, seq);
