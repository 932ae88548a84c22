-- What the account page names a session by (issue 17): a hash of its id, so that the id
-- itself stays out of pages and addresses (`store::sessions::handle_of`). Stored, so that
-- revoking a session by its handle is one indexed statement instead of a search through
-- the newest sessions in the app.
--
-- Rows from before this get theirs from the app right after migrating (`Store::migrate`):
-- SQLite has no hash function. Until then their handle is NULL, and they are found through
-- the index below.
ALTER TABLE sessions ADD COLUMN handle TEXT;
CREATE INDEX sessions_user_handle ON sessions (user_id, handle);
CREATE INDEX sessions_without_handle ON sessions (id) WHERE handle IS NULL;
