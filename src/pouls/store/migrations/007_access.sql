-- People and their access: accounts, a role per workspace, browser sessions and API tokens.
-- Secrets are never stored: passwords as scrypt hashes, sessions and tokens as SHA-256 digests.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- an e-mail address or a short name
    name TEXT,
    password TEXT NOT NULL,             -- pouls.access.passwords format: scrypt$n$r$p$salt$hash
    created_at INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace TEXT NOT NULL,
    role TEXT NOT NULL,                 -- admin, analyst, community_manager, moderator, viewer
    PRIMARY KEY (user_id, workspace)
) WITHOUT ROWID;
CREATE INDEX memberships_workspace ON memberships (workspace);

CREATE TABLE sessions (
    digest TEXT PRIMARY KEY,            -- SHA-256 of the cookie's value
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,        -- SHA-256 of the token
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    workspace TEXT,                     -- NULL: every workspace of its user
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (user_id, name)
);
