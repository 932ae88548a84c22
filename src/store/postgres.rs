//! The shared backend: PostgreSQL (e.g. Neon), for many stateless app instances. Its
//! connection set-up, and the parts of statements where PostgreSQL's dialect differs.

use std::str::FromStr;

use sqlx::{
    PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use super::PoolSettings;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The plan cache mode every connection starts with, unless `DATABASE_URL`'s `options` name
/// one. The app's statements are prepared once per connection and run with new values each
/// time; under the default (`auto`), PostgreSQL kept planning the dashboard's statement
/// afresh on every run, because each custom plan looked a little cheaper than the generic
/// one. That planning was about a fifth of the database's CPU per dashboard view (see the
/// README's performance notes). Every statement of ours reads by owner through an index
/// whatever the values are, so one plan per statement serves all of them.
const PLAN_CACHE_MODE: (&str, &str) = ("plan_cache_mode", "force_generic_plan");

/// Opens the pool. TLS is whatever `DATABASE_URL`'s `sslmode` (and `sslrootcert`) say:
/// `require` encrypts, `verify-full` also checks the server's certificate and name.
pub async fn connect(url: &str, settings: PoolSettings) -> Result<PgPool, sqlx::Error> {
    let mut options = PgConnectOptions::from_str(url)?.application_name("task-dashboard");
    let given = options.get_options().unwrap_or_default().to_owned();
    if !given.contains(PLAN_CACHE_MODE.0) {
        options = options.options([PLAN_CACHE_MODE]);
    }
    // A statement running past this is cancelled by the server itself, which frees the
    // connection whatever the app is doing (see `DB_STATEMENT_TIMEOUT_MS`). Sent as a
    // start-up option: no extra round trip per connection. A URL naming its own wins.
    if let Some(timeout) = settings.statement_timeout
        && !given.contains("statement_timeout")
    {
        options = options.options([("statement_timeout", timeout.as_millis().to_string())]);
    }
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        // Every acquire reports its wait as a TRACE event, which `crate::meter` turns into
        // `db_pool_acquire_wait_seconds` (and nothing else reads: the logs filter it out).
        .acquire_time_level(log::LevelFilter::Trace)
        .connect_with(options)
        .await
}

/// Applies the pending migrations on one connection, without the statement time-out: a
/// migration may rewrite a big table, and that must finish. The migrator's advisory lock
/// (held by this connection while it runs) makes instances that start together take turns.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    let mut conn = pool.acquire().await?;
    sqlx::raw_sql("SET statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    let migrated = MIGRATOR.run(&mut *conn).await;
    // Back to the connection's own time-out (the start-up option) before it is reused.
    sqlx::raw_sql("RESET statement_timeout")
        .execute(&mut *conn)
        .await?;
    migrated
}

/// Tasks without a due date sort after every real one.
pub const DUE_EXPR: &str = "coalesce(due_date, DATE '9999-12-31')";

/// Concurrent attempts on one limit's scope are serialised, so a burst cannot each count
/// before the others are written; attempts on other scopes go by. An advisory lock on the
/// scope's hash, held to the end of the transaction: no table lock, no row to contend on.
/// (SQLite's first write takes the database's one write lock by itself.)
pub const LOCK_SIGN_IN_SCOPE: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
