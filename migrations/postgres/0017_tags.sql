-- Tags (issue 19). A task's tags are a column of the task, `tags`: its tags sorted and
-- separated by single spaces ('' for none), so reading a task (a page of rows, a write's
-- RETURNING) reads them with no join. A tag is 1 to 32 letters, digits, '-' and '_',
-- lowercase (the application normalises every write: `domain::tags`), so it holds no space.
--
-- Filtering by a tag and counting tags read `task_tags` instead: one row per task and tag,
-- keyed (user_id, tag, task_id), so a tag's tasks are one range of the key, never a scan of
-- the account. Each row also carries its task's is_completed and due_date, in the key's
-- index too (INCLUDE), so the cards of a tag's view (total, done, overdue) are counted from
-- that range alone, without visiting the tasks. A trigger keeps it in the same transaction
-- as every write to tasks (the app's, an import's, a next occurrence, a rename, a user
-- deletion's cascade); a task without tags costs it nothing. Tags compare byte by byte
-- (COLLATE "C"), as on SQLite.

ALTER TABLE tasks ADD COLUMN tags TEXT NOT NULL DEFAULT '';

CREATE TABLE task_tags (
    user_id      BIGINT NOT NULL,
    tag          TEXT COLLATE "C" NOT NULL,
    task_id      BIGINT NOT NULL,
    is_completed BOOLEAN NOT NULL,
    due_date     DATE,
    PRIMARY KEY (user_id, tag, task_id) INCLUDE (is_completed, due_date)
);

CREATE FUNCTION task_tags_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.tags <> '' THEN
        DELETE FROM task_tags WHERE user_id = OLD.user_id AND task_id = OLD.id
        AND tag = ANY (string_to_array(OLD.tags, ' '));
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.tags <> '' THEN
        INSERT INTO task_tags (user_id, tag, task_id, is_completed, due_date)
        SELECT NEW.user_id, tag, NEW.id, NEW.is_completed, NEW.due_date
        FROM unnest(string_to_array(NEW.tags, ' ')) AS tag;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER task_tags_insert AFTER INSERT ON tasks
FOR EACH ROW WHEN (NEW.tags <> '') EXECUTE FUNCTION task_tags_keep();

CREATE TRIGGER task_tags_delete AFTER DELETE ON tasks
FOR EACH ROW WHEN (OLD.tags <> '') EXECUTE FUNCTION task_tags_keep();

-- A tagged task's rows are written again when its tags, state or due date change.
CREATE TRIGGER task_tags_update AFTER UPDATE OF tags, is_completed, due_date ON tasks
FOR EACH ROW WHEN ((OLD.tags <> '' OR NEW.tags <> '')
                   AND (OLD.tags, OLD.is_completed, OLD.due_date)
                       IS DISTINCT FROM (NEW.tags, NEW.is_completed, NEW.due_date))
EXECUTE FUNCTION task_tags_keep();
