-- A counter that moves whenever every device an account has signed in on must be forgotten
-- (issue 17): a password change and "sign out everywhere else". Device cookies are signed
-- over it, so one step voids them all (`auth::sign_in`).
ALTER TABLE users ADD COLUMN credential_epoch INTEGER NOT NULL DEFAULT 0;
