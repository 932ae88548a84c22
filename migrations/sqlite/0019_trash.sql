-- The trash (issue 20). Deleting a task moves its row here, whole, in the same transaction;
-- undo and restore move it back (with its id, its version and its timestamps), and a
-- periodic purge erases what has been here 30 days. A table of its own keeps every list,
-- count, tag and search free of trashed rows with no condition in any of them: the tasks'
-- triggers count a move out as a delete and a move back as an insert.
--
-- * trash_id: this table's own key. A task's id is kept in `id`; SQLite can give a new task
--   the id of one in the trash (its ids are the largest plus one), so two trashed rows may
--   share one, and a restore that finds its id taken takes a new one.
-- * batch: one delete (a row's, or a bulk delete's many), which undo restores whole.
CREATE TABLE trashed_tasks (
    trash_id         INTEGER PRIMARY KEY,
    id               INTEGER NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT,
    is_completed     INTEGER NOT NULL,
    priority         INTEGER NOT NULL,
    due_date         TEXT,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    title_fold       TEXT,
    description_fold TEXT,
    repeat           INTEGER NOT NULL,
    repeat_day       INTEGER,
    follows_id       INTEGER,
    tags             TEXT NOT NULL,
    batch            TEXT NOT NULL,
    trashed_at       TEXT NOT NULL
) STRICT;

-- The trash page and the API's list, newest first; a restore by id; an undo by batch.
CREATE INDEX trashed_tasks_user ON trashed_tasks (user_id, trashed_at, trash_id);
CREATE INDEX trashed_tasks_id ON trashed_tasks (user_id, id);
CREATE INDEX trashed_tasks_batch ON trashed_tasks (user_id, batch);
-- The purge, across accounts.
CREATE INDEX trashed_tasks_age ON trashed_tasks (trashed_at);
