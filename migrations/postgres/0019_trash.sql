-- The trash (issue 20). Deleting a task moves its row here, whole, in the same statement;
-- undo and restore move it back (with its id, its version and its timestamps), and a
-- periodic purge erases what has been here 30 days. A table of its own keeps every list,
-- count, tag and search free of trashed rows with no condition in any of them: the tasks'
-- triggers count a move out as a delete and a move back as an insert.
--
-- * trash_id: this table's own key. A task's id is kept in `id` (PostgreSQL never gives it
--   to another task; SQLite may, so the two backends share this shape).
-- * batch: one delete (a row's, or a bulk delete's many), which undo restores whole.
CREATE TABLE trashed_tasks (
    trash_id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               BIGINT NOT NULL,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT,
    is_completed     BOOLEAN NOT NULL,
    priority         SMALLINT NOT NULL,
    due_date         DATE,
    version          BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    title_fold       TEXT COLLATE "C",
    description_fold TEXT COLLATE "C",
    repeat           SMALLINT NOT NULL,
    repeat_day       SMALLINT,
    follows_id       BIGINT,
    tags             TEXT NOT NULL,
    batch            TEXT NOT NULL,
    trashed_at       TIMESTAMPTZ NOT NULL
);

-- The trash page and the API's list, newest first; a restore by id; an undo by batch.
CREATE INDEX trashed_tasks_user ON trashed_tasks (user_id, trashed_at, trash_id);
CREATE INDEX trashed_tasks_id ON trashed_tasks (user_id, id);
CREATE INDEX trashed_tasks_batch ON trashed_tasks (user_id, batch);
-- The purge, across accounts.
CREATE INDEX trashed_tasks_age ON trashed_tasks (trashed_at);
