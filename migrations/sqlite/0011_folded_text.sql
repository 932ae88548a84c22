-- Search and title order on text the app folds (issue 12; `domain::text::fold`: NFC, lower
-- case, final sigma as sigma, sharp s as "ss").
--
-- Each backend's own `lower()` and `LIKE` fold case differently (SQLite only ASCII), so a
-- title cursor made by one side was compared by the other and paging by title could loop
-- forever or skip rows, and "ZOË" did not find "Zoë". Now the app writes the folded title
-- and description beside the originals; search compares folded text with folded text, and
-- titles sort by their folded form in plain code point order (SQLite's BINARY), exactly as
-- on PostgreSQL (COLLATE "C").
--
-- Existing rows are folded by the app right after migrating (`Store::migrate`): SQL cannot
-- compute the fold. Until then their fold is NULL; the backfill's updates fire the search
-- index trigger below, which re-indexes each row.
ALTER TABLE tasks ADD COLUMN title_fold TEXT;
ALTER TABLE tasks ADD COLUMN description_fold TEXT;

-- The rows still to fold, so that checking for them at every start reads an empty index
-- rather than the whole table.
CREATE INDEX tasks_unfolded ON tasks (id) WHERE title_fold IS NULL;

DROP INDEX tasks_user_title;
CREATE INDEX tasks_user_title ON tasks (user_id, title_fold, id);

-- The trigram index (migration 0004) now holds the folded text, so that a search for the
-- folded words finds every row that holds them (and a few more, never fewer: the LIKE test
-- on the folded columns decides).
DROP TRIGGER tasks_search_insert;
DROP TRIGGER tasks_search_update;

CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_search (rowid, owner, title, description)
    VALUES (new.id,
            char(57344 + new.user_id / 40960000, 57344 + (new.user_id / 6400) % 6400,
                 57344 + new.user_id % 6400),
            new.title_fold, new.description_fold);
END;

CREATE TRIGGER tasks_search_update AFTER UPDATE OF title_fold, description_fold ON tasks BEGIN
    DELETE FROM tasks_search WHERE rowid = old.id;
    INSERT INTO tasks_search (rowid, owner, title, description)
    VALUES (new.id,
            char(57344 + new.user_id / 40960000, 57344 + (new.user_id / 6400) % 6400,
                 57344 + new.user_id % 6400),
            new.title_fold, new.description_fold);
END;
