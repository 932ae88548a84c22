-- The dashboard's cards (total, done, overdue) used to be counted on every view, each count a
-- range of the (user_id, is_completed, due_date) index: cheap for a normal account, but
-- 50,000 index entries for the largest ones, on every request. These two tables hold the
-- counts instead, kept by a trigger in the same transaction as every write to tasks (the
-- app's, an import's, a user deletion's cascade), so reading them costs the same for any
-- account:
--
-- * task_totals: one row per user with tasks, how many there are and how many are done;
-- * open_due_counts: how many open tasks are due on each date. "Overdue" depends on the
--   user's today, which moves with their zone and the clock, so it is a sum over the dates
--   before it (one row per date that has open tasks, not one per task; rows that reach 0
--   are removed).

CREATE TABLE task_totals (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    total   BIGINT NOT NULL,
    done    BIGINT NOT NULL
);

CREATE TABLE open_due_counts (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_date DATE NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (user_id, due_date)
);

INSERT INTO task_totals (user_id, total, done)
SELECT user_id, count(*), count(*) FILTER (WHERE is_completed) FROM tasks GROUP BY user_id;

INSERT INTO open_due_counts (user_id, due_date, n)
SELECT user_id, due_date, count(*) FROM tasks
WHERE NOT is_completed AND due_date IS NOT NULL
GROUP BY user_id, due_date;

-- A task counts for its owner from its insert to its delete. An update that changes what it
-- counts as takes the old row out and puts the new one in. Every run touches the owner's
-- task_totals row first, so concurrent writers of one account queue there and never take
-- the per-date rows in opposite orders (no deadlock).
CREATE FUNCTION task_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        -- A deleted user's cascade may have removed these rows already: no harm.
        UPDATE task_totals SET total = total - 1, done = done - OLD.is_completed::int
        WHERE user_id = OLD.user_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO task_totals (user_id, total, done) VALUES (NEW.user_id, 1, NEW.is_completed::int)
        ON CONFLICT (user_id) DO UPDATE
        SET total = task_totals.total + 1, done = task_totals.done + excluded.done;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        IF NOT OLD.is_completed AND OLD.due_date IS NOT NULL THEN
            UPDATE open_due_counts SET n = n - 1
            WHERE user_id = OLD.user_id AND due_date = OLD.due_date;
            DELETE FROM open_due_counts
            WHERE user_id = OLD.user_id AND due_date = OLD.due_date AND n <= 0;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NOT NEW.is_completed AND NEW.due_date IS NOT NULL THEN
            INSERT INTO open_due_counts (user_id, due_date, n) VALUES (NEW.user_id, NEW.due_date, 1)
            ON CONFLICT (user_id, due_date) DO UPDATE SET n = open_due_counts.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER task_counts_insert_delete AFTER INSERT OR DELETE ON tasks
FOR EACH ROW EXECUTE FUNCTION task_counts_keep();

CREATE TRIGGER task_counts_update AFTER UPDATE OF user_id, is_completed, due_date ON tasks
FOR EACH ROW
WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id
      OR OLD.is_completed IS DISTINCT FROM NEW.is_completed
      OR OLD.due_date IS DISTINCT FROM NEW.due_date)
EXECUTE FUNCTION task_counts_keep();
