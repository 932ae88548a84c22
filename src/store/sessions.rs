//! Sessions: one row per sign-in (browser or API token). A token is only honoured while its
//! row is live (not revoked, not expired), so revoking a row signs it out everywhere at once.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{Store, begin_write, builder::Sql, micros, task_counts::TaskCounts, written};
use crate::live::{Change, ChangeKind};

/// Most sessions the account page lists (API scripts can hold many tokens).
pub const SESSIONS_LISTED: i64 = 100;

/// Most live sessions a user keeps: a new sign-in beyond them revokes the oldest, so a
/// script minting tokens in a loop cannot pile up rows (and the account page, which lists
/// [`SESSIONS_LISTED`], always shows every live one).
pub const LIVE_SESSIONS_KEPT: i64 = 50;
const _: () = assert!(
    LIVE_SESSIONS_KEPT <= SESSIONS_LISTED,
    "the account page lists them all"
);

/// Revokes every live session of user `$1` but `$2`, at `$3` (also run by a password
/// change, in its own transaction).
pub(super) const REVOKE_OTHER_SESSIONS: &str = "UPDATE sessions SET revoked_at = $3 \
     WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL";

/// The join and conditions that find a live session: `$1` is its id, `$2` its user, `$3`
/// now. A macro so that `concat!` builds each statement from it at compile time.
macro_rules! live_session {
    () => {
        " FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3"
    };
}

/// A session's public name: a hash of its id. Unguessable like the id, useless as a
/// credential, and kept in its row so that revoking by it is one statement.
pub fn handle_of(session_id: &str) -> String {
    hex::encode(&Sha256::digest(session_id.as_bytes())[..12])
}

/// A sign-in about to be recorded.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<&'a str>,
    /// The account's credential epoch when its password was checked (see
    /// [`super::Credentials::credential_epoch`]). The session is recorded only if the account
    /// is still at it: a sign-in whose password was checked just before a password change
    /// (or "sign out everywhere else") does not start a session after it.
    pub credential_epoch: i64,
}

/// How a session was started: signing in with a browser, or asking the API for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

/// A live session as its owner sees it on the account page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionInfo {
    pub id: String,
    pub kind: String,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The user behind a live (unrevoked, unexpired) session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub user_id: i64,
    pub email: String,
    /// The IANA name the user's days are counted in.
    pub time_zone: String,
    pub last_seen_at: DateTime<Utc>,
}

/// A live session's user and their task counts, read in the same statement as the first
/// page of the dashboard (see [`Store::session_page`]).
#[derive(Debug, Clone)]
pub struct SessionStats {
    pub user: SessionUser,
    pub counts: TaskCounts,
    /// The user's tags with their counts, when the read asked for them (a whole page's
    /// filter form lists them).
    pub tags: Option<Vec<super::TagCount>>,
}

impl Store {
    /// Records a sign-in and, in the same transaction, revokes the user's oldest live
    /// sessions beyond [`LIVE_SESSIONS_KEPT`]. Returns how many it revoked, or `None` (and
    /// records nothing) when the account's credential epoch has moved on from the
    /// session's: its password changed, or all its sessions were ended, since the check.
    pub async fn create_session(
        &self,
        session: &NewSession<'_>,
    ) -> Result<Option<u64>, sqlx::Error> {
        let now = micros(session.created_at);
        // The live sessions older than the newest LIVE_SESSIONS_KEPT (this one among them).
        let mut cap = Sql::new("UPDATE sessions SET revoked_at = ");
        cap.bind(now)
            .push(" WHERE user_id = ")
            .bind(session.user_id)
            .push(" AND revoked_at IS NULL AND expires_at > ")
            .bind(now)
            .push(" AND created_at < (SELECT created_at FROM sessions WHERE user_id = ")
            .bind(session.user_id)
            .push(" AND revoked_at IS NULL AND expires_at > ")
            .bind(now)
            .push(" ORDER BY created_at DESC LIMIT 1 OFFSET ")
            .push_int(LIVE_SESSIONS_KEPT - 1)
            .push(")");
        let recorded = on_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
            let recorded = sqlx::query(
                "INSERT INTO sessions \
                 (id, user_id, created_at, last_seen_at, expires_at, user_agent, kind, handle) \
                 SELECT $1, $2, $3, $3, $4, $5, $6, $7 \
                 WHERE EXISTS (SELECT 1 FROM users WHERE id = $2 AND credential_epoch = $8)",
            )
            .bind(session.id)
            .bind(session.user_id)
            .bind(now)
            .bind(micros(session.expires_at))
            .bind(session.user_agent)
            .bind(session.kind.as_str())
            .bind(handle_of(session.id))
            .bind(session.credential_epoch)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if recorded == 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            let revoked = cap.query().execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Some(revoked))
        })?;
        if let Some(revoked) = recorded {
            crate::meter::sessions_created(1);
            if revoked > 0 {
                self.sessions_changed(session.user_id, revoked).await;
            }
        }
        Ok(recorded)
    }

    /// Deletes sessions that ended (revoked or expired) before `before`, at most `batch` of
    /// them; how many it deleted. Any instance may run it at any time: a row it deletes can
    /// no longer sign anyone in.
    pub async fn purge_sessions(
        &self,
        before: DateTime<Utc>,
        batch: i64,
    ) -> Result<u64, sqlx::Error> {
        let mut sql = Sql::new(
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions \
             WHERE revoked_at < ",
        );
        sql.bind(micros(before))
            .push(" OR expires_at < ")
            .bind(micros(before))
            .push(" LIMIT ")
            .push_int(batch)
            .push(")");
        on_pool!(self, |pool| Ok(sql
            .query()
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// The user of session `session_id` if it belongs to `user_id` and is still live at `now`.
    pub async fn session_user(
        &self,
        session_id: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionUser>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT u.id AS user_id, u.email, u.time_zone, s.last_seen_at",
                live_session!()
            ))
            .bind(session_id)
            .bind(user_id)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
    }

    /// Records activity on a session (called at most every few minutes per session).
    pub async fn touch_session(
        &self,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
                .bind(session_id)
                .bind(micros(now))
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Revokes one of the user's sessions; true if it was live.
    pub async fn revoke_session(
        &self,
        user_id: i64,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $3 \
                 WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .bind(session_id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if done > 0 {
            self.sessions_changed(user_id, done).await;
        }
        Ok(done > 0)
    }

    /// Revokes the user's live session named `handle` (see [`handle_of`]) and returns it;
    /// `None` when the user has no live session of that name.
    pub async fn revoke_session_by_handle(
        &self,
        user_id: i64,
        handle: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionInfo>, sqlx::Error> {
        let revoked: Option<SessionInfo> = on_pool!(self, |pool| {
            sqlx::query_as(
                "UPDATE sessions SET revoked_at = $3 \
                 WHERE user_id = $1 AND handle = $2 AND revoked_at IS NULL AND expires_at > $3 \
                 RETURNING id, kind, user_agent, created_at, last_seen_at, expires_at",
            )
            .bind(user_id)
            .bind(handle)
            .bind(micros(now))
            .fetch_all(pool)
            .await
            .map(written)
        })?;
        if revoked.is_some() {
            self.sessions_changed(user_id, 1).await;
        }
        Ok(revoked)
    }

    /// Gives sessions recorded before migration 0014 their handle; how many it named.
    pub(super) async fn name_unnamed_sessions(&self) -> Result<u64, sqlx::Error> {
        let mut named = 0;
        loop {
            let ids: Vec<String> = on_pool!(self, |pool| {
                sqlx::query_scalar("SELECT id FROM sessions WHERE handle IS NULL LIMIT 1000")
                    .fetch_all(pool)
                    .await
            })?;
            if ids.is_empty() {
                return Ok(named);
            }
            on_pool!(self, |pool| {
                let mut tx = begin_write(pool).await?;
                for id in &ids {
                    sqlx::query("UPDATE sessions SET handle = $2 WHERE id = $1")
                        .bind(id)
                        .bind(handle_of(id))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            });
            named += ids.len() as u64;
        }
    }

    /// The user's live sessions, most recently used first (at most [`SESSIONS_LISTED`]).
    pub async fn list_sessions(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionInfo>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, user_agent, created_at, last_seen_at, expires_at \
                 FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
                 ORDER BY last_seen_at DESC, created_at DESC LIMIT $3",
            )
            .bind(user_id)
            .bind(now)
            .bind(SESSIONS_LISTED)
            .fetch_all(pool)
            .await
        })
    }

    /// Revokes every live session of the user but `keep` and, in the same transaction,
    /// moves their credential epoch, so every device is forgotten too ("sign out
    /// everywhere else"); how many sessions it revoked.
    pub async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error> {
        let revoked = on_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
            let revoked = sqlx::query(REVOKE_OTHER_SESSIONS)
                .bind(user_id)
                .bind(keep)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("UPDATE users SET credential_epoch = credential_epoch + 1 WHERE id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(revoked)
        })?;
        if revoked > 0 {
            self.sessions_changed(user_id, revoked).await;
        }
        Ok(revoked)
    }

    /// Tells the user's open streams that `revoked` of the user's sessions ended, so that
    /// each checks its own at once (see [`crate::live`]), and counts them.
    pub(super) async fn sessions_changed(&self, user_id: i64, revoked: u64) {
        crate::meter::sessions_revoked(revoked);
        self.live
            .publish(user_id, Change::new(ChangeKind::Sessions, Vec::new()))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_names_a_session_without_revealing_its_id() {
        let id = "Jx0p3cM0bq7yYF0b1qv8Q2uQm3P0pR6u2eKX9v2Jc8w";
        assert_eq!(handle_of(id), handle_of(id));
        assert_ne!(handle_of(id), handle_of("another"));
        assert!(!handle_of(id).contains(&id[..8]));
        assert_eq!(handle_of(id).len(), 24);
    }
}
