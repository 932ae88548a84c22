-- Sign-in throttling and session kinds (issue 7; SPEC sections 3 and 6).
--
-- Numbered 0010 so that performance migrations (0004 onwards) can land beside it in any order.

-- One row per sign-in attempt that counts against a limit. `scope` is a keyed hash of what is
-- limited ("account:<email>", "device:<user id>", "client:<address>"), never the email or the
-- address itself, so this table holds no personal data. Rows older than the window are
-- deleted as new ones arrive. Times are Unix milliseconds: one format on both backends.
CREATE TABLE sign_in_attempts (
    scope TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);

-- Counting one scope's attempts in the window, and pruning the old ones.
CREATE INDEX sign_in_attempts_scope_at ON sign_in_attempts (scope, at_ms);
CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at_ms);

-- A browser sign-in or an API token, for the account page's list of sessions.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'browser'
    CHECK (kind IN ('browser', 'api'));
-- Tokens issued before this column existed were labelled by their user agent.
UPDATE sessions SET kind = 'api' WHERE user_agent LIKE 'API%';
