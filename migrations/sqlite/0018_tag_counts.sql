-- How many of a user's tasks carry each of their tags, kept instead of counted (issue 19).
-- The dashboard's tag picker and /tags list every tag with its count on each full page;
-- counting them is a range of task_tags as long as the account's tagged tasks (thousands of
-- entries for the largest accounts, on every page). This table holds one row per user and
-- tag instead, kept by triggers in the same transaction as every write that changes a
-- task's tags (the app's, an import's, a next occurrence, a rename, a user deletion's
-- cascade); rows that reach 0 are removed, so the table lists exactly the tags in use.
-- Completing or rescheduling a task leaves it alone. (SQLite has one writer at a time, so
-- the order rows are written in cannot deadlock.)

CREATE TABLE tag_counts (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, tag)
) STRICT, WITHOUT ROWID;

INSERT INTO tag_counts (user_id, tag, n)
SELECT user_id, tag, count(*) FROM task_tags GROUP BY user_id, tag;

-- 'a b' is read as the JSON array ["a","b"], as in migration 0017. An update counts only
-- the tags it removes and adds. ("WHERE true" lets SQLite parse an upsert after a SELECT.)
CREATE TRIGGER task_tag_counts_insert AFTER INSERT ON tasks WHEN new.tags <> '' BEGIN
    INSERT INTO tag_counts (user_id, tag, n)
    SELECT new.user_id, value, 1 FROM json_each('["' || replace(new.tags, ' ', '","') || '"]')
    WHERE true
    ON CONFLICT (user_id, tag) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER task_tag_counts_delete AFTER DELETE ON tasks WHEN old.tags <> '' BEGIN
    -- A deleted user's cascade may have removed these rows already: no harm.
    UPDATE tag_counts SET n = n - 1 WHERE user_id = old.user_id
    AND tag IN (SELECT value FROM json_each('["' || replace(old.tags, ' ', '","') || '"]'));
    DELETE FROM tag_counts WHERE user_id = old.user_id AND n <= 0;
END;

CREATE TRIGGER task_tag_counts_update AFTER UPDATE OF tags ON tasks
WHEN old.tags IS NOT new.tags
BEGIN
    UPDATE tag_counts SET n = n - 1 WHERE user_id = old.user_id
    AND tag IN (SELECT value FROM json_each('["' || replace(old.tags, ' ', '","') || '"]')
                WHERE old.tags <> ''
                EXCEPT
                SELECT value FROM json_each('["' || replace(new.tags, ' ', '","') || '"]')
                WHERE new.tags <> '');
    DELETE FROM tag_counts WHERE user_id = old.user_id AND n <= 0;
    INSERT INTO tag_counts (user_id, tag, n)
    SELECT new.user_id, value, 1 FROM json_each('["' || replace(new.tags, ' ', '","') || '"]')
    WHERE new.tags <> ''
      AND value NOT IN (SELECT value FROM json_each('["' || replace(old.tags, ' ', '","') || '"]'))
    ON CONFLICT (user_id, tag) DO UPDATE SET n = n + 1;
END;
