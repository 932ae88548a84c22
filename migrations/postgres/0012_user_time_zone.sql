-- Each user's own day: the IANA time zone (e.g. `Europe/Berlin`) "today", "overdue" and every
-- date shown to them are computed in. Checked against the tz database by the application
-- when set; accounts made before this migration start in UTC, as they were shown until now.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'
    CHECK (length(time_zone) BETWEEN 1 AND 64);
