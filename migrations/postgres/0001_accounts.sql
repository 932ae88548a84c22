-- Accounts and sign-ins (SPEC section 3).

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Trimmed and lower-cased by the application, so uniqueness is case-insensitive.
    email         TEXT NOT NULL UNIQUE,
    -- argon2id PHC string: the parameters travel with the hash.
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- One row per sign-in. The JWT carries the id; every authenticated request checks this row,
-- so revoking it signs the session out at once on every app instance.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    user_agent   TEXT
);

-- Serves "my sessions" listings and the cascade from users.
CREATE INDEX sessions_user_id_created_at ON sessions (user_id, created_at);
