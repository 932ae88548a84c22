-- Search and title order on text the app folds (issue 12; `domain::text::fold`: NFC, lower
-- case, final sigma as sigma, sharp s as "ss").
--
-- PostgreSQL's `lower()` and SQLite's fold case differently, and a title cursor folded by
-- the app was compared with `lower(title)` here, so paging by title could loop forever
-- (`ΟΔΟΣ`: the app wrote `οδος`, `lower()` gives `οδοσ`) or skip rows. Now the app writes the
-- folded title and description beside the originals; search compares folded text with
-- folded text (LIKE, no ILIKE), and titles sort by their folded form in code point order:
-- COLLATE "C" makes that order the same whatever the database's locale, and the same as
-- SQLite's.
--
-- Existing rows are folded by the app right after migrating (`Store::migrate`): SQL cannot
-- compute the fold.
ALTER TABLE tasks ADD COLUMN title_fold TEXT COLLATE "C";
ALTER TABLE tasks ADD COLUMN description_fold TEXT COLLATE "C";

-- The rows still to fold, so that checking for them at every start reads an empty index
-- rather than the whole table.
CREATE INDEX tasks_unfolded ON tasks (id) WHERE title_fold IS NULL;

DROP INDEX tasks_user_title;
CREATE INDEX tasks_user_title ON tasks (user_id, title_fold, id);

-- The trigram indexes (migration 0004) move to the folded columns, which searches read.
DROP INDEX tasks_title_trgm;
DROP INDEX tasks_description_trgm;
CREATE INDEX tasks_title_fold_trgm ON tasks USING gin (title_fold gin_trgm_ops);
CREATE INDEX tasks_description_fold_trgm ON tasks USING gin (description_fold gin_trgm_ops);
