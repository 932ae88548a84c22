-- Tasks (SPEC section 3). Every query leads with user_id, and every list order has an index
-- that starts with user_id and ends with id, so keyset paging ("after this row") is an index
-- range scan at any depth, and ties in the sort key are broken by id.

CREATE TABLE tasks (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The owner; never changes. Deleting the user deletes their tasks.
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description  TEXT CHECK (description IS NULL OR char_length(description) <= 2000),
    is_completed BOOLEAN NOT NULL DEFAULT FALSE,
    -- 1 low, 2 medium, 3 high: sorting by priority is sorting by number.
    priority     SMALLINT NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 3),
    due_date     DATE,
    -- Optimistic concurrency: an update names the version it was based on.
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
-- Tasks without a due date sort after every dated one.
CREATE INDEX tasks_user_due ON tasks (user_id, coalesce(due_date, DATE '9999-12-31'), id);
CREATE INDEX tasks_user_priority ON tasks (user_id, priority, id);
CREATE INDEX tasks_user_title ON tasks (user_id, lower(title), id);
