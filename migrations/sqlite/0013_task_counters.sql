-- The dashboard's cards (total, done, overdue) used to be counted on every view, each count a
-- range of the (user_id, is_completed, due_date) index: cheap for a normal account, but
-- 50,000 index entries for the largest ones, on every request. These two tables hold the
-- counts instead, kept by triggers in the same transaction as every write to tasks (the
-- app's, an import's, a user deletion's cascade), so reading them costs the same for any
-- account:
--
-- * task_totals: one row per user with tasks, how many there are and how many are done;
-- * open_due_counts: how many open tasks are due on each date. "Overdue" depends on the
--   user's today, which moves with their zone and the clock, so it is a sum over the dates
--   before it (one row per date that has open tasks, not one per task; rows that reach 0
--   are removed).

CREATE TABLE task_totals (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    total   INTEGER NOT NULL,
    done    INTEGER NOT NULL
) STRICT;

CREATE TABLE open_due_counts (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_date TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (user_id, due_date)
) STRICT, WITHOUT ROWID;

INSERT INTO task_totals (user_id, total, done)
SELECT user_id, count(*), sum(is_completed) FROM tasks GROUP BY user_id;

INSERT INTO open_due_counts (user_id, due_date, n)
SELECT user_id, due_date, count(*) FROM tasks
WHERE is_completed = 0 AND due_date IS NOT NULL
GROUP BY user_id, due_date;

-- A task counts for its owner from its insert to its delete. An update that changes what it
-- counts as takes the old row out and puts the new one in. Every trigger touches the
-- owner's task_totals row first, so concurrent writers of one account queue there and never
-- take the per-date rows in opposite orders.

CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_totals (user_id, total, done) VALUES (new.user_id, 1, new.is_completed)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1, done = done + excluded.done;
    INSERT INTO open_due_counts (user_id, due_date, n)
    SELECT new.user_id, new.due_date, 1 WHERE new.is_completed = 0 AND new.due_date IS NOT NULL
    ON CONFLICT (user_id, due_date) DO UPDATE SET n = n + 1;
END;

-- Also runs for the tasks a deleted user's cascade removes (their rows may be gone already;
-- an update of no row is no harm).
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_totals SET total = total - 1, done = done - old.is_completed
    WHERE user_id = old.user_id;
    UPDATE open_due_counts SET n = n - 1
    WHERE user_id = old.user_id AND due_date = old.due_date AND old.is_completed = 0;
    DELETE FROM open_due_counts WHERE user_id = old.user_id AND due_date = old.due_date AND n <= 0;
END;

CREATE TRIGGER task_counts_update AFTER UPDATE OF user_id, is_completed, due_date ON tasks
WHEN old.user_id IS NOT new.user_id OR old.is_completed IS NOT new.is_completed
     OR old.due_date IS NOT new.due_date
BEGIN
    UPDATE task_totals SET total = total - 1, done = done - old.is_completed
    WHERE user_id = old.user_id;
    INSERT INTO task_totals (user_id, total, done) VALUES (new.user_id, 1, new.is_completed)
    ON CONFLICT (user_id) DO UPDATE SET total = total + 1, done = done + excluded.done;
    UPDATE open_due_counts SET n = n - 1
    WHERE user_id = old.user_id AND due_date = old.due_date AND old.is_completed = 0;
    DELETE FROM open_due_counts WHERE user_id = old.user_id AND due_date = old.due_date AND n <= 0;
    INSERT INTO open_due_counts (user_id, due_date, n)
    SELECT new.user_id, new.due_date, 1 WHERE new.is_completed = 0 AND new.due_date IS NOT NULL
    ON CONFLICT (user_id, due_date) DO UPDATE SET n = n + 1;
END;
