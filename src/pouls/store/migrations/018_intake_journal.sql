-- The webhook intake's journal (pouls.store.journal): each row is one delivery a webhook route
-- accepted (its parsed signals and the dead letters of its parser, JSON), kept until the
-- drainer has enriched and stored it; the put that stores it deletes the row in the same
-- transaction, so a crash at any moment replays a delivery or skips it, never half of it.
CREATE TABLE intake_journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL,
    source TEXT NOT NULL,
    signals INTEGER NOT NULL,   -- how many entries it holds: the backlog is their sum
    delivery BLOB NOT NULL,
    at INTEGER NOT NULL         -- accepted at, microseconds since the epoch, UTC
);
