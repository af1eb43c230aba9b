-- Dashboard counts per UTC day (pouls.store.figures), beside the hourly ones: a 30-day series
-- of day buckets reads a day's rows, plus or minus the hours where the workspace's midnight is
-- not UTC's, instead of grouping every hour's rows (24 times fewer rows to group). A block's
-- rebuild rewrites its day's rows from its hours in the same transaction, so a day's rows are
-- always the sum of its hours'.
CREATE TABLE figure_count_days (
    workspace TEXT NOT NULL,
    topic TEXT NOT NULL,
    day INTEGER NOT NULL,               -- created_at / 86400000000
    own INTEGER NOT NULL,
    channel TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    visibility TEXT NOT NULL,
    lang TEXT NOT NULL,
    n INTEGER NOT NULL,
    reach INTEGER NOT NULL,
    PRIMARY KEY (workspace, topic, day, own, channel, sentiment, visibility, lang)
) WITHOUT ROWID;

INSERT INTO figure_count_days
    SELECT workspace, topic, hour / 24, own, channel, sentiment, visibility, lang, sum(n), sum(reach)
    FROM figure_counts
    GROUP BY workspace, topic, hour / 24, own, channel, sentiment, visibility, lang;
