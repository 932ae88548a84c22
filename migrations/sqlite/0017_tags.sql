-- Tags (issue 19). A task's tags are a column of the task, `tags`: its tags sorted and
-- separated by single spaces ('' for none), so reading a task (a page of rows, a write's
-- RETURNING) reads them with no join. A tag is 1 to 32 letters, digits, '-' and '_',
-- lowercase (the application normalises every write: `domain::tags`), so it holds no space,
-- quote or backslash.
--
-- Filtering by a tag and counting tags read `task_tags` instead: one row per task and tag,
-- keyed (user_id, tag, task_id), so a tag's tasks are one range of the key, never a scan of
-- the account. Each row also carries its task's is_completed and due_date, so the cards of
-- a tag's view (total, done, overdue) are counted from that range alone, without visiting
-- the tasks. Triggers keep it in the same transaction as every write to tasks (the app's,
-- an import's, a next occurrence, a rename, a user deletion's cascade); a task without tags
-- costs them nothing.

ALTER TABLE tasks ADD COLUMN tags TEXT NOT NULL DEFAULT '';

CREATE TABLE task_tags (
    user_id      INTEGER NOT NULL,
    tag          TEXT NOT NULL,
    task_id      INTEGER NOT NULL,
    is_completed INTEGER NOT NULL,
    due_date     TEXT,
    PRIMARY KEY (user_id, tag, task_id)
) STRICT, WITHOUT ROWID;

-- SQLite has no split function (and no WITH inside a trigger): 'a b' becomes the JSON array
-- ["a","b"], safe because a tag holds no quote, backslash or space.
CREATE TRIGGER task_tags_insert AFTER INSERT ON tasks WHEN new.tags <> '' BEGIN
    INSERT INTO task_tags (user_id, tag, task_id, is_completed, due_date)
    SELECT new.user_id, value, new.id, new.is_completed, new.due_date
    FROM json_each('["' || replace(new.tags, ' ', '","') || '"]');
END;

CREATE TRIGGER task_tags_delete AFTER DELETE ON tasks WHEN old.tags <> '' BEGIN
    DELETE FROM task_tags WHERE user_id = old.user_id AND task_id = old.id
    AND tag IN (SELECT value FROM json_each('["' || replace(old.tags, ' ', '","') || '"]'));
END;

-- A tagged task's rows are written again when its tags, state or due date change.
CREATE TRIGGER task_tags_update AFTER UPDATE OF tags, is_completed, due_date ON tasks
WHEN (old.tags <> '' OR new.tags <> '')
     AND (old.tags IS NOT new.tags OR old.is_completed IS NOT new.is_completed
          OR old.due_date IS NOT new.due_date)
BEGIN
    DELETE FROM task_tags WHERE user_id = old.user_id AND task_id = old.id
    AND tag IN (SELECT value FROM json_each('["' || replace(old.tags, ' ', '","') || '"]'));
    INSERT INTO task_tags (user_id, tag, task_id, is_completed, due_date)
    SELECT new.user_id, value, new.id, new.is_completed, new.due_date
    FROM json_each('["' || replace(new.tags, ' ', '","') || '"]')
    WHERE new.tags <> '';
END;
