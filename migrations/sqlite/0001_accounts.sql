-- Accounts and sign-ins (SPEC section 3).
--
-- Timestamps are written by the application as RFC 3339 UTC text, never by SQLite's own
-- CURRENT_TIMESTAMP, so that they sort and compare as text in one format.
-- STRICT tables make SQLite refuse values of the wrong type instead of storing them.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    -- Trimmed and lower-cased by the application, so uniqueness is case-insensitive.
    email         TEXT NOT NULL UNIQUE,
    -- argon2id PHC string: the parameters travel with the hash.
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- One row per sign-in. The JWT carries the id; every authenticated request checks this row,
-- so revoking it signs the session out at once on every app instance.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    user_agent   TEXT
) STRICT;

-- Serves "my sessions" listings and the cascade from users.
CREATE INDEX sessions_user_id_created_at ON sessions (user_id, created_at);
