-- Search (`q`) is a literal, case-insensitive substring match on title or description
-- (`LIKE '%text%' ESCAPE '\'`). A B-tree cannot serve a match that may start anywhere, so
-- without an index every search read all of the user's tasks: 50,000 rows for the largest
-- accounts, on every keystroke.
--
-- tasks_search is an FTS5 index with the trigram tokenizer: every three-character piece of
-- a title or description (case folded) is a term, so a phrase query for the search text
-- finds every row that contains it. It may find a few more (it folds non-ASCII case, LIKE
-- does not), never fewer; the query keeps the LIKE test as well, so results are exactly
-- what the plain scan returned. Texts shorter than three characters have no trigram and
-- still scan the user's rows.
--
-- `owner` makes the index answer "this user's rows" too, so that a common word does not
-- return matches from every account: it holds the user id written as exactly three
-- private-use characters (base 6,400 digits from U+E000), which is exactly one trigram, one
-- per user. A query asks for `owner : "<id>" AND {title description} : "<text>"` (see
-- SqliteStore::search_owner, which must agree with the expression below).
--
-- The index holds no copy of the text (content=''), and the triggers keep it in step with
-- tasks; contentless_delete lets a row be removed by its id alone.
CREATE VIRTUAL TABLE tasks_search USING fts5 (
    owner, title, description,
    content = '', contentless_delete = 1, tokenize = 'trigram'
);

INSERT INTO tasks_search (rowid, owner, title, description)
SELECT id,
       char(57344 + user_id / 40960000, 57344 + (user_id / 6400) % 6400, 57344 + user_id % 6400),
       title, description
FROM tasks;

CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_search (rowid, owner, title, description)
    VALUES (new.id,
            char(57344 + new.user_id / 40960000, 57344 + (new.user_id / 6400) % 6400,
                 57344 + new.user_id % 6400),
            new.title, new.description);
END;

CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, description ON tasks BEGIN
    DELETE FROM tasks_search WHERE rowid = old.id;
    INSERT INTO tasks_search (rowid, owner, title, description)
    VALUES (new.id,
            char(57344 + new.user_id / 40960000, 57344 + (new.user_id / 6400) % 6400,
                 57344 + new.user_id % 6400),
            new.title, new.description);
END;

-- Also runs for the tasks a deleted user's cascade removes.
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
    DELETE FROM tasks_search WHERE rowid = old.id;
END;
