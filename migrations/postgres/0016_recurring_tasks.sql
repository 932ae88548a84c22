-- Recurring tasks. A task may repeat (0 none, 1 daily, 2 weekly, 3 monthly, 4 yearly); one
-- that does always has a due date (the application checks it on every write). Completing
-- it creates the next occurrence in the same transaction:
--
-- * repeat_day: the day of the month the user chose (the due date's day when they last set
--   it). Monthly and yearly rules come back to it after a month too short for it (Jan 31,
--   Feb 28, Mar 31), so each occurrence carries it on.
-- * follows_id: the occurrence this one was created by completing. Unique, so completing
--   a task twice (a double click, two tabs, a retried request, or reopening it and
--   completing it again) creates one next occurrence, never two. Partial: the tasks that
--   follow none (nearly all) cost the index nothing. Not a foreign key: a
--   deleted occurrence leaves its successor as it is, and deletes stay one index lookup.

ALTER TABLE tasks ADD COLUMN repeat SMALLINT NOT NULL DEFAULT 0 CHECK (repeat BETWEEN 0 AND 4);
ALTER TABLE tasks ADD COLUMN repeat_day SMALLINT CHECK (repeat_day BETWEEN 1 AND 31);
ALTER TABLE tasks ADD COLUMN follows_id BIGINT;

CREATE UNIQUE INDEX tasks_follows ON tasks (follows_id) WHERE follows_id IS NOT NULL;
