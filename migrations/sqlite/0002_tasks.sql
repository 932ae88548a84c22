-- Tasks (SPEC section 3). Every query leads with user_id, and every list order has an index
-- that starts with user_id and ends with id, so keyset paging ("after this row") is an index
-- range scan at any depth, and ties in the sort key are broken by id.

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    -- The owner; never changes. Deleting the user deletes their tasks.
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- length() counts characters in SQLite, as the application does.
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  TEXT CHECK (description IS NULL OR length(description) <= 2000),
    is_completed INTEGER NOT NULL DEFAULT 0 CHECK (is_completed IN (0, 1)),
    -- 1 low, 2 medium, 3 high: sorting by priority is sorting by number.
    priority     INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 3),
    -- ISO 8601 date text (YYYY-MM-DD), which sorts as text.
    due_date     TEXT,
    -- Optimistic concurrency: an update names the version it was based on.
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
-- Tasks without a due date sort after every dated one.
CREATE INDEX tasks_user_due ON tasks (user_id, coalesce(due_date, '9999-12-31'), id);
CREATE INDEX tasks_user_priority ON tasks (user_id, priority, id);
-- SQLite's lower() folds ASCII only; the application folds cursor values the same way.
CREATE INDEX tasks_user_title ON tasks (user_id, lower(title), id);
