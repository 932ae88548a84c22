-- How many of a user's tasks carry each of their tags, kept instead of counted (issue 19).
-- The dashboard's tag picker and /tags list every tag with its count on each full page;
-- counting them is a range of task_tags as long as the account's tagged tasks (thousands of
-- entries for the largest accounts, on every page). This table holds one row per user and
-- tag instead, kept by a trigger in the same transaction as every write that changes a
-- task's tags (the app's, an import's, a next occurrence, a rename, a user deletion's
-- cascade); rows that reach 0 are removed, so the table lists exactly the tags in use.
-- Completing or rescheduling a task leaves it alone.

CREATE TABLE tag_counts (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag     TEXT COLLATE "C" NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (user_id, tag)
);

INSERT INTO tag_counts (user_id, tag, n)
SELECT user_id, tag, count(*) FROM task_tags GROUP BY user_id, tag;

-- A tag counts for a task from the write that gives it to the write that takes it away; an
-- update counts only the tags it removes and adds. One statement may change many tasks
-- (a rename, an import), each with several tags, in no order common to all writers; so
-- every run first locks the owner's task_totals row (the task's own counts trigger, which
-- fires before this one, has written it on an insert), and concurrent writers of one
-- account's tags queue there instead of taking tag rows in opposite orders (no deadlock).
CREATE FUNCTION tag_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner   BIGINT;
    removed TEXT[] := '{}';
    added   TEXT[] := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        owner := NEW.user_id;
        added := string_to_array(NEW.tags, ' ');
    ELSIF TG_OP = 'DELETE' THEN
        owner := OLD.user_id;
        removed := string_to_array(OLD.tags, ' ');
    ELSE
        owner := NEW.user_id;
        removed := ARRAY(SELECT unnest(string_to_array(OLD.tags, ' '))
                         EXCEPT SELECT unnest(string_to_array(NEW.tags, ' ')));
        added := ARRAY(SELECT unnest(string_to_array(NEW.tags, ' '))
                       EXCEPT SELECT unnest(string_to_array(OLD.tags, ' ')));
    END IF;
    PERFORM FROM task_totals WHERE user_id = owner FOR NO KEY UPDATE;
    IF cardinality(removed) > 0 THEN
        -- A deleted user's cascade may have removed these rows already: no harm.
        UPDATE tag_counts SET n = n - 1 WHERE user_id = owner AND tag = ANY (removed);
        DELETE FROM tag_counts WHERE user_id = owner AND tag = ANY (removed) AND n <= 0;
    END IF;
    IF cardinality(added) > 0 THEN
        INSERT INTO tag_counts (user_id, tag, n)
        SELECT owner, tag, 1 FROM unnest(added) AS tag ORDER BY tag
        ON CONFLICT (user_id, tag) DO UPDATE SET n = tag_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

-- Named to fire after task_counts_* (triggers of one event fire in name order).
CREATE TRIGGER task_tag_counts_insert AFTER INSERT ON tasks
FOR EACH ROW WHEN (NEW.tags <> '') EXECUTE FUNCTION tag_counts_keep();

CREATE TRIGGER task_tag_counts_delete AFTER DELETE ON tasks
FOR EACH ROW WHEN (OLD.tags <> '') EXECUTE FUNCTION tag_counts_keep();

CREATE TRIGGER task_tag_counts_update AFTER UPDATE OF tags ON tasks
FOR EACH ROW WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION tag_counts_keep();
