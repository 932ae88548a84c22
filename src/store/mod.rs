//! Persistence: one [`Store`] interface, one implementation per backend.
//!
//! The backend is picked at start-up from the URL scheme (`sqlite:` or `postgres:`), as
//! atuin's server does. Both implementations share their SQL where the dialects agree (see
//! [`sql`]) and keep their own migrations, with native types on each side. Stores know
//! nothing of HTTP: they take typed values and return rows or `sqlx::Error`.
//!
//! Every query that touches a user's data names the owner in its own `WHERE` clause, so
//! ownership is enforced by the same statement that reads or writes.

mod postgres;
mod sql;
mod sqlite;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    config::DatabaseUrl,
    domain::{
        listing::{ListRequest, TaskPage},
        task::{Priority, TaskFilter, TaskInput},
    },
};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

pub type DynStore = Arc<dyn Store>;

/// A signed-up account, without its password hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// What sign-in needs to check a password.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
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
    pub last_seen_at: DateTime<Utc>,
}

/// A live session's user and their task totals, read in one statement (the dashboard).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionStats {
    #[sqlx(flatten)]
    pub user: SessionUser,
    #[sqlx(flatten)]
    pub stats: TaskStats,
}

/// A stored task. Only ever read through a query scoped to its owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub is_completed: bool,
    #[sqlx(try_from = "i16")]
    pub priority: Priority,
    pub due_date: Option<chrono::NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Task {
    pub fn is_overdue(&self, today: &chrono::NaiveDate) -> bool {
        !self.is_completed && self.due_date.is_some_and(|due| due < *today)
    }
}

/// The numbers on the dashboard's cards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskStats {
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
}

impl TaskStats {
    pub fn open(&self) -> i64 {
        self.total - self.done
    }

    /// Share of tasks done, 0 to 100.
    pub fn done_percent(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            self.done * 100 / self.total
        }
    }
}

/// A task to bulk-insert (seeding and imports): its owner and every field, timestamps
/// included.
#[derive(Debug, Clone)]
pub struct ImportTask {
    pub user_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub is_completed: bool,
    pub priority: Priority,
    pub due_date: Option<chrono::NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// What became of an update that named the version it was based on.
#[derive(Debug, Clone)]
pub enum UpdateOutcome {
    Updated(Task),
    /// Someone changed it first: here is what it is now.
    Stale(Task),
    /// Not there, or not this user's.
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Complete,
    Reopen,
    Delete,
}

/// Connection-pool settings shared by both backends.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

#[async_trait]
pub trait Store: TaskStore {
    /// `"sqlite"` or `"postgres"`, for logs and tests.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations (embedded in the binary).
    async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError>;

    /// A cheap round trip, for `/readyz`.
    async fn ping(&self) -> Result<(), sqlx::Error>;

    /// Creates an account; `None` when the email is taken.
    async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, sqlx::Error>;

    async fn find_credentials(&self, email: &str) -> Result<Option<Credentials>, sqlx::Error>;

    async fn create_session(&self, session: &NewSession<'_>) -> Result<(), sqlx::Error>;

    /// The user of session `session_id` if it belongs to `user_id` and is still live at `now`.
    async fn session_user(
        &self,
        session_id: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionUser>, sqlx::Error>;

    /// [`Store::session_user`] and [`TaskStore::task_stats`] in one statement, for the
    /// dashboard: the totals are read only when the session is live.
    async fn session_user_with_stats(
        &self,
        session_id: &str,
        user_id: i64,
        now: DateTime<Utc>,
        today: chrono::NaiveDate,
    ) -> Result<Option<SessionStats>, sqlx::Error>;

    /// Records activity on a session (called at most every few minutes per session).
    async fn touch_session(&self, session_id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error>;

    /// Creates accounts that share one password hash, in one transaction (seeding); returns
    /// their ids in the order given.
    async fn create_users_bulk(
        &self,
        emails: &[String],
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, sqlx::Error>;

    /// Inserts tasks in multi-row statements inside one transaction (seeding, imports).
    async fn import_tasks(&self, tasks: &[ImportTask]) -> Result<(), sqlx::Error>;

    /// Revokes one of the user's sessions; true if it was live.
    async fn revoke_session(
        &self,
        user_id: i64,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error>;

    /// The user's live sessions, most recently used first (at most [`SESSIONS_LISTED`]).
    async fn list_sessions(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionInfo>, sqlx::Error>;

    /// Revokes every live session of the user but `keep`; how many it revoked.
    async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error>;

    /// The user's password hash, to check the current password before changing it.
    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, sqlx::Error>;

    /// Replaces the user's password hash and, in the same transaction, revokes every
    /// session but `keep` (none, when re-hashing on sign-in). Returns how many it revoked.
    async fn set_password_hash(
        &self,
        user_id: i64,
        password_hash: &str,
        keep: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error>;

    /// Records a sign-in attempt at `now_ms` against each limit's scope and forgets attempts
    /// older than the window. Admitted (`None`) when no scope now holds more than its `max`
    /// attempts within the last `window_ms`; else how many milliseconds until the attempt
    /// would be admitted, if none were made meanwhile. Refused attempts count too, so
    /// hammering keeps a limit shut; one transaction, so concurrent attempts cannot slip by.
    async fn record_sign_in_attempt(
        &self,
        limits: &[AttemptLimit<'_>],
        now_ms: i64,
        window_ms: i64,
    ) -> Result<Option<i64>, sqlx::Error>;

    /// Forgets a scope's attempts (a successful sign-in forgives the failures before it).
    async fn clear_sign_in_attempts(&self, scope: &str) -> Result<(), sqlx::Error>;
}

/// At most `max` sign-in attempts per window for `scope` (a keyed hash, see
/// [`crate::auth::sign_in`]).
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimit<'a> {
    pub scope: &'a str,
    pub max: i64,
}

/// Most sessions the account page lists (API scripts can hold many tokens).
pub const SESSIONS_LISTED: i64 = 100;

#[async_trait]
pub trait TaskStore: Send + Sync + 'static {
    /// One page of the user's tasks, filtered and ordered as asked.
    async fn list_tasks(
        &self,
        user_id: i64,
        request: &ListRequest,
    ) -> Result<TaskPage<Task>, sqlx::Error>;

    /// How many of the user's tasks pass `filter`.
    async fn count_tasks(&self, user_id: i64, filter: &TaskFilter) -> Result<i64, sqlx::Error>;

    /// Totals for the user; tasks due before `today` and not done are overdue.
    async fn task_stats(
        &self,
        user_id: i64,
        today: chrono::NaiveDate,
    ) -> Result<TaskStats, sqlx::Error>;

    async fn get_task(&self, user_id: i64, id: i64) -> Result<Option<Task>, sqlx::Error>;

    async fn create_task(
        &self,
        user_id: i64,
        input: &TaskInput,
        now: DateTime<Utc>,
    ) -> Result<Task, sqlx::Error>;

    /// Replaces the task's fields (and `is_completed`, when given) if it is still at
    /// `version`.
    async fn update_task(
        &self,
        user_id: i64,
        id: i64,
        version: i64,
        input: &TaskInput,
        completed: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<UpdateOutcome, sqlx::Error>;

    /// Sets `is_completed`, or flips it when `completed` is `None`.
    async fn set_completed(
        &self,
        user_id: i64,
        id: i64,
        completed: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<Option<Task>, sqlx::Error>;

    /// Deletes the task; its title if there was one to delete.
    async fn delete_task(&self, user_id: i64, id: i64) -> Result<Option<String>, sqlx::Error>;

    /// Applies `action` to `ids`, all or nothing: `None` (and nothing changed) when any of
    /// them is missing or someone else's, else how many tasks changed state.
    async fn bulk(
        &self,
        user_id: i64,
        ids: &[i64],
        action: BulkAction,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, sqlx::Error>;
}

/// Opens the database the URL names and returns its store (migrations not yet applied).
pub async fn connect(url: &DatabaseUrl, pool: PoolSettings) -> Result<DynStore, sqlx::Error> {
    if url.is_postgres() {
        Ok(Arc::new(PgStore::connect(url.expose(), pool).await?))
    } else {
        Ok(Arc::new(SqliteStore::connect(url.expose(), pool).await?))
    }
}

/// Timestamps are stored to the microsecond (PostgreSQL's precision) on both backends, so a
/// value read back, or carried in a cursor, compares equal to what was written.
pub fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 6)
}

/// True when the error means "the database cannot be reached right now" (answer 503), as
/// opposed to a bug or a constraint (answer 500).
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
    ) || matches!(error, sqlx::Error::Database(db) if db.code().is_some_and(|code| {
        // PostgreSQL: admin shutdown, cannot connect now, too many connections, and
        // connections refused to a database that does not allow them. SQLite: BUSY and
        // LOCKED (with their extended codes), when another process holds the file longer
        // than the busy time-out. Only SQLite's codes are read as numbers: many PostgreSQL
        // SQLSTATEs are digits too (22021, a bad byte, is 5 in its low byte).
        let is_sqlite = db
            .try_downcast_ref::<sqlx::sqlite::SqliteError>()
            .is_some();
        matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300" | "55000")
            || (is_sqlite && code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)))
    }))
}
