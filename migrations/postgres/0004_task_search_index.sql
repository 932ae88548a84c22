-- Search (`q`) is a literal, case-insensitive substring match on title or description
-- (`title ILIKE '%text%' OR description ILIKE '%text%'`, with `%`, `_` and `\` escaped). A
-- B-tree cannot serve a match that may start anywhere, so without these indexes a search
-- read every one of the user's tasks: 50,000 rows for the largest accounts, on every
-- keystroke. Trigram GIN indexes answer ILIKE with the text's three-letter pieces; the
-- planner ORs the two and ANDs the result with the user's rows, and rechecks each candidate
-- against the real predicate, so results are exactly what the plain scan returned.
-- Patterns shorter than three characters have no trigrams and still scan the user's rows.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (PostgreSQL 13+), so the
-- database owner may create it; Neon and the major hosts offer it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX tasks_title_trgm ON tasks USING gin (title gin_trgm_ops);
CREATE INDEX tasks_description_trgm ON tasks USING gin (description gin_trgm_ops);
