//! Persistence: one [`Store`] over SQLite or PostgreSQL, with a file per resource.
//!
//! The backend is picked at start-up from the URL scheme (`sqlite:` or `postgres:`), as
//! atuin's server does, and each keeps its own migrations with native types. A method is
//! written once, with its SQL beside its binds, and [`on_pool!`] compiles its body for each
//! backend's pool; only what truly differs by dialect lives in `sqlite.rs` and `postgres.rs`.
//! Stores know nothing of HTTP: they take typed values and return rows or `sqlx::Error`.
//!
//! Every query that touches a user's data names the owner in its own `WHERE` clause, so
//! ownership is enforced by the same statement that reads or writes.
//!
//! - [`users`]: accounts and password hashes
//! - [`sessions`]: sign-ins, their liveness and revocation
//! - [`sign_in_attempts`]: the brute-force limits' counters
//! - [`tasks`]: one task at a time, and bulk writes
//! - [`task_list`]: pages, counts and search
//! - [`task_counts`]: the dashboard's cards, from the counters the writes keep
//! - `tag_filter`: how a view filtered by tag finds its tasks and counts its cards
//! - [`session_page`]: the dashboard's first read, a page with its session and counts
//! - [`tags`]: a user's tags with their counts, renaming and deleting one
//! - [`schema`]: where the database's schema stands against this binary's migrations

/// Runs `$body` with `$pool` bound to the store's own pool, whichever backend it is: the
/// body is ordinary sqlx code, written once and compiled for each backend's types.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}

/// The columns a [`Task`] is read from, written once. A macro rather than a `const` so that
/// `concat!` can build whole statements from it at compile time.
macro_rules! task_columns {
    () => {
        "id, user_id, title, description, is_completed, priority, due_date, version, \
         created_at, updated_at, repeat, repeat_day, tags"
    };
}

mod builder;
mod postgres;
mod recurrence;
pub mod schema;
pub mod session_page;
pub mod sessions;
pub mod sign_in_attempts;
mod sqlite;
mod tag_filter;
pub mod tags;
pub mod task_bulk;
pub mod task_counts;
pub mod task_list;
pub mod tasks;
pub mod trash;
pub mod users;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, SqlitePool};

use crate::{config::DatabaseUrl, live::Hub};

pub use schema::Schema;
pub use sessions::{
    LIVE_SESSIONS_KEPT, NewSession, SESSIONS_LISTED, SessionInfo, SessionKind, SessionStats,
    SessionUser,
};
pub use sign_in_attempts::AttemptLimit;
pub use tags::TagCount;
pub use task_bulk::{BulkAction, BulkOutcome, ImportTask};
pub use task_counts::{TaskCounts, TaskStats, TodayWindow};
pub use tasks::{Completed, Task, UpdateOutcome};
pub use trash::{Trashed, TrashedTask};
pub use users::{Credentials, User};

/// The database: a pool on one backend. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// The connections the sign-in limits' statements may hold at once (see
    /// [`sign_in_attempts`]): a quarter of the pool, so a flood of attempts cannot take the
    /// connections pages need.
    limit_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// How long a limits statement waits for one of those slots before the attempt is
    /// answered "busy" (the pool's own acquire time-out).
    limit_wait: Duration,
    /// Where task writes are announced once committed (see [`crate::live`]).
    live: Hub,
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The row a write's `RETURNING` gave, if any, from all the rows read to the statement's end
/// (`fetch_all`). Every write that returns rows outside a transaction goes through this,
/// never `fetch_one`/`fetch_optional`: on SQLite such a write commits as its statement
/// finishes, and sqlx's single-row reads stop after the first row and reset the statement,
/// which commits but throws the commit's error away. A full disk or a read-only file then
/// rolled the write back while the caller answered "saved" (found by `bench/faults`; sqlx
/// issues 2099 and 3430). Stepped to the end, the failed commit is this call's error.
fn written<T>(rows: Vec<T>) -> Option<T> {
    rows.into_iter().next()
}

/// Opens a transaction that writes (every transaction the store opens does). On SQLite it
/// takes the write lock at its start (`BEGIN IMMEDIATE`), waiting its turn behind other
/// writers for the busy time-out: a deferred transaction takes it at its first write and,
/// when another writer commits in between, fails at once with "database is locked" rather
/// than wait (one of 20 parallel edits of a task did, in `tests/app/concurrency.rs`).
/// PostgreSQL locks rows as it writes them.
async fn begin_write<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
) -> Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
    pool.begin_with(if DB::NAME == "SQLite" {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    })
    .await
}

/// Where the SQL dialects differ, the part of a statement each backend needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The expression due dates sort by (no date sorts last).
    fn due_expr(self) -> &'static str {
        match self {
            Dialect::Sqlite => sqlite::DUE_EXPR,
            Dialect::Postgres => postgres::DUE_EXPR,
        }
    }

    /// The tasks' owner column as a statement's `WHERE` names it: with a tag filter, so
    /// that the tag's rows drive the read (see [`sqlite::TAGGED_OWNER`]; PostgreSQL's
    /// planner weighs the two ways by its statistics).
    fn owner_column(self, tagged: bool) -> &'static str {
        match self {
            Dialect::Sqlite if tagged => sqlite::TAGGED_OWNER,
            _ => "user_id",
        }
    }
}

/// Connection-pool settings shared by both backends.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// PostgreSQL's `statement_timeout` on every connection (`None`: the server's own).
    pub statement_timeout: Option<Duration>,
}

impl Store {
    /// Opens the database the URL names (migrations not yet applied).
    pub async fn connect(url: &DatabaseUrl, settings: PoolSettings) -> Result<Self, sqlx::Error> {
        let pool = if url.is_postgres() {
            Pool::Postgres(postgres::connect(url.expose(), settings).await?)
        } else {
            Pool::Sqlite(sqlite::connect(url.expose(), settings).await?)
        };
        let live = match &pool {
            Pool::Sqlite(_) => Hub::in_process(),
            Pool::Postgres(pool) => Hub::postgres(pool.clone()),
        };
        Ok(Self {
            pool,
            live,
            limit_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(
                (settings.max_connections as usize / 4).max(1),
            )),
            limit_wait: settings.acquire_timeout,
        })
    }

    /// The live updates of this store's task writes.
    pub fn live(&self) -> &Hub {
        &self.live
    }

    /// `"sqlite"` or `"postgres"`, for logs and tests.
    pub fn backend(&self) -> &'static str {
        match self.dialect() {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Applies pending migrations (embedded in the binary, one set per backend), then the
    /// data steps SQL cannot do: folding the text of rows written before migration 0011.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        // On PostgreSQL the migrator holds an advisory lock while it runs, so instances
        // starting together take turns: the first applies, the rest find nothing to do.
        match self.schema().await? {
            Schema::Diverged { version } => {
                return Err(sqlx::migrate::MigrateError::VersionMismatch(version));
            }
            // A later release's migrations are there: nothing of ours is missing, and the
            // migrator would refuse versions it does not know.
            ahead @ Schema::Ahead { .. } => tracing::warn!("{ahead}"),
            Schema::Current | Schema::Behind { .. } => match &self.pool {
                Pool::Sqlite(pool) => sqlite::MIGRATOR.run(pool).await?,
                Pool::Postgres(pool) => postgres::migrate(pool).await?,
            },
        }
        let named = self.name_unnamed_sessions().await?;
        if named > 0 {
            tracing::info!(sessions = named, "named the sessions recorded before 0014");
        }
        let folded = self.fold_unfolded_tasks().await?;
        if folded > 0 {
            tracing::info!(
                tasks = folded,
                "folded the text of tasks written before 0011"
            );
        }
        Ok(())
    }

    /// The pool's connections now, for the metrics' gauges.
    pub fn pool_stats(&self) -> crate::meter::PoolStats {
        on_pool!(self, |pool| {
            let size = pool.size();
            let idle = u32::try_from(pool.num_idle()).unwrap_or(size);
            crate::meter::PoolStats {
                idle,
                in_use: size.saturating_sub(idle),
                max: pool.options().get_max_connections(),
            }
        })
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// The SQLite pool, for tests that stage an outage by holding every connection.
    #[doc(hidden)]
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, when that is the backend (for tests and tools that look at the
    /// connections themselves).
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Sqlite(_) => None,
            Pool::Postgres(pool) => Some(pool),
        }
    }
}

/// Timestamps are stored to the microsecond (PostgreSQL's precision) on both backends, so a
/// value read back, or carried in a cursor, compares equal to what was written.
pub fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 6)
}
